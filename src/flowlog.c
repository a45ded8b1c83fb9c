/*
 * flowlog.c: flow logs read back as flow records, for `wiretop import`.
 *
 * Main thread of import (and the fuzzer); no state outside struct
 * flowlog.  Four formats, told apart by content (flowlog_detect):
 *
 *   - Zeek conn.log, ASCII (TSV): "#separator \x09", "#set_separator",
 *     "#empty_field", "#unset_field", "#fields", "#types", "#path",
 *     "#open", "#close" header lines; several header blocks in one file
 *     (each "#fields" line starts a new column map);
 *   - Zeek conn.log as JSON (LogAscii::use_json=T): one object a line,
 *     "ts" an epoch number or an ISO 8601 string, unset fields left out;
 *   - wiretop's `export --what flows` CSV (RFC 4180, one header row; a
 *     cell never spans lines, wiretop escapes line ends; the ' in front
 *     of a quoted cell that would start a formula is removed) and NDJSON,
 *     each record carrying "schema" "wiretop.flows/2";
 *   - wiretop's JSON document ({"schema":...,"flows":[ then a record a
 *     line), read line by line like NDJSON.
 *
 * Every line is parsed on its own: a malformed one is skipped with one
 * cause and the next line starts afresh, so line numbers in messages
 * are the file's.  The input is hostile: lines are at most
 * FLOWLOG_LINE_MAX bytes (the rest of a longer one is skipped unread
 * into memory), a NUL byte in a value, a count above 2^53 (exact in a
 * JSON number; 1024 of them still add up in SQLite's int64), a time
 * past the year 9999 or an exponent, a record that ends after
 * STORE_US_MAX (2255) are malformed, the text fields the
 * exports write as tokens (uid, conn_state, history, tunnel,
 * community_id, tunnel_parents) must be printable ASCII without , " \ or
 * ' (out.h OUT_TOKEN), addresses are parsed and formatted again, and a
 * cause never quotes the input.  The service is kept as text (exports
 * escape it); a longer one than the record holds is cut at a ','.
 *
 * Units: times in us since the epoch, counts as given.  Zeek has no wire
 * bytes: its records keep orig/resp_wire_bytes 0, and their host and
 * service totals use the IP bytes (orig_ip_bytes, resp_ip_bytes), the
 * nearest figure (doc/wiretop.8).
 */
#include "config.h"
#include "flowlog.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "fmt.h"
#include "out.h"
#include "store.h"
#include "xmalloc.h"

#define FLOWLOG_COUNT_MAX	(UINT64_C(1) << 53)
#define FLOWLOG_SECS_MAX	INT64_C(253402300799)	/* 9999-12-31 */
#define FLOWLOG_COLS_MAX	256
#define FLOWLOG_JSON_DEPTH	16
#define FLOWLOG_SCHEMA		"wiretop.flows/2"

/* The fields this reader knows; any other column is skipped. */
enum fl_field {
	FL_TS, FL_UID, FL_ORIG_H, FL_ORIG_P, FL_RESP_H, FL_RESP_P, FL_PROTO,
	FL_SERVICE, FL_DURATION, FL_ORIG_BYTES, FL_RESP_BYTES, FL_CONN_STATE,
	FL_HISTORY, FL_ORIG_PKTS, FL_ORIG_IP_BYTES, FL_RESP_PKTS,
	FL_RESP_IP_BYTES, FL_ORIG_WIRE, FL_RESP_WIRE, FL_VLAN, FL_INNER_VLAN,
	FL_RETURN_VLAN, FL_PARENTS, FL_TUNNEL, FL_CID, FL_RTT_MS, FL_RETRANS,
	FL_SCHEMA, FL_IP_PROTO, FL_ORIG_CC, FL_RESP_CC, FL_ORIG_ASN,
	FL_RESP_ASN, FL_N,
	FL_OTHER = -1
};

static const char *const fl_names[FL_N] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
	"proto", "service", "duration", "orig_bytes", "resp_bytes",
	"conn_state", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts",
	"resp_ip_bytes", "orig_wire_bytes", "resp_wire_bytes", "vlan",
	"inner_vlan", "return_vlan", "tunnel_parents", "tunnel",
	"community_id", "rtt_ms", "retrans", "schema", "ip_proto",
	"orig_cc", "resp_cc", "orig_asn", "resp_asn",
};

#define FL_BIT(x)	((uint64_t)1 << (x))
#define FL_REQUIRED	(FL_BIT(FL_TS) | FL_BIT(FL_ORIG_H) | FL_BIT(FL_ORIG_P) | \
	FL_BIT(FL_RESP_H) | FL_BIT(FL_RESP_P) | FL_BIT(FL_PROTO))

struct flowlog {
	enum flowlog_kind kind;
	uint64_t lineno;
	char *line;			/* owned, FLOWLOG_LINE_MAX + 1 */
	char *val;			/* owned: one value, unescaped */
	char *join;			/* owned: array elements joined */

	/* TSV and CSV: the column map of the current header */
	int col[FLOWLOG_COLS_MAX];
	unsigned ncol;
	int have_header;

	/* Zeek TSV */
	char sep, setsep;
	char empty[32];			/* "(empty)" */
	char unset[32];			/* "-" */
};

/* A record being built. */
struct fl_rec {
	struct store_flow *f;
	uint64_t seen;			/* FL_BIT of each field set */
	int wiretop;			/* schema wiretop.flows/2 */
	uint8_t ipver[2];
	uint8_t addr[2][16];
	unsigned ip_proto;
	char proto[32];
};

/* ---- values --------------------------------------------------------- */

static int
fl_fail(char **cause, const char *what, const char *why)
{
	xasprintf(cause, "%s: %s", what, why);
	return -1;
}

/* An unsigned decimal of at most max, digits only. */
static int
fl_uint(const char *v, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 20)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		if (x > (max - (uint64_t)(v[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

/* A decimal "123" or "123.456" (no sign, no exponent) as value * 10^dec,
 * digits past dec dropped; the whole part at most maxint. */
static int
fl_decimal(const char *v, size_t n, unsigned dec, int64_t maxint,
    int64_t *out)
{
	size_t i = 0, k;
	uint64_t whole;
	int64_t frac = 0;
	unsigned d;

	while (i < n && v[i] != '.')
		i++;
	if (fl_uint(v, i, (uint64_t)maxint, &whole) != 0)
		return -1;
	if (i < n) {
		if (i + 1 == n)
			return -1;
		for (k = i + 1, d = 0; k < n; k++) {
			if (v[k] < '0' || v[k] > '9')
				return -1;
			if (d < dec) {
				frac = frac * 10 + (v[k] - '0');
				d++;
			}
		}
		for (; d < dec; d++)
			frac *= 10;
	} else {
		for (d = 0; d < dec; d++)
			frac *= 10;
	}
	for (d = 0; d < dec; d++)
		whole *= 10;
	*out = (int64_t)whole + frac;
	return 0;
}

/* n digits at v as a number. */
static int
fl_digits(const char *v, size_t n, int *out)
{
	size_t i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		*out = *out * 10 + (v[i] - '0');
	}
	return 0;
}

/* ISO 8601 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" as us. */
static int
fl_iso8601(const char *v, size_t n, int64_t *us)
{
	struct tm tm;
	int y, mo, d, h, mi, s, oh = 0, om = 0, sign = 0;
	int64_t frac = 0, t;
	size_t i = 19, k;
	unsigned dig = 0;

	if (n < 20 || v[4] != '-' || v[7] != '-' || (v[10] != 'T' &&
	    v[10] != ' ') || v[13] != ':' || v[16] != ':' ||
	    fl_digits(v, 4, &y) || fl_digits(v + 5, 2, &mo) ||
	    fl_digits(v + 8, 2, &d) || fl_digits(v + 11, 2, &h) ||
	    fl_digits(v + 14, 2, &mi) || fl_digits(v + 17, 2, &s))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > fmt_month_days(y, mo) ||
	    h > 23 || mi > 59 || s > 60 || y < 1970)
		return -1;
	if (v[i] == '.') {
		for (k = i + 1; k < n && v[k] >= '0' && v[k] <= '9'; k++) {
			if (dig < 6) {
				frac = frac * 10 + (v[k] - '0');
				dig++;
			}
		}
		if (k == i + 1)
			return -1;
		i = k;
	}
	for (; dig < 6; dig++)
		frac *= 10;
	if (i == n || (v[i] == 'Z' && i + 1 == n))
		sign = 0;	/* UTC */
	else if (i + 6 == n && (v[i] == '+' || v[i] == '-') &&
	    v[i + 3] == ':' && fl_digits(v + i + 1, 2, &oh) == 0 &&
	    fl_digits(v + i + 4, 2, &om) == 0 && oh <= 23 && om <= 59)
		sign = v[i] == '+' ? 1 : -1;
	else
		return -1;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
	if (t < 0 || t > FLOWLOG_SECS_MAX)
		return -1;
	*us = t * 1000000 + frac;
	return 0;
}

/* A token into dst (size len): longer ones are cut (cut) or refused. */
static int
fl_token(const char *v, size_t n, char *dst, size_t len, int cut)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!out_tokchar((unsigned char)v[i]))
			return -1;
	if (n >= len) {
		if (!cut)
			return -1;
		n = len - 1;
	}
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* Tokens joined by ',' into dst (size len); the ones that do not fit
 * are left out (the engine lists FLOW_MAX_PARENTS at most too). */
static int
fl_tokens(const char *v, size_t n, char *dst, size_t len)
{
	size_t i, j, o = 0;

	dst[0] = '\0';
	for (i = 0; i < n; i = j + 1) {
		for (j = i; j < n && v[j] != ','; j++)
			if (!out_tokchar((unsigned char)v[j]))
				return -1;
		if (j == i)
			continue;
		if (o + (o > 0) + (j - i) + 1 > len)
			continue;
		if (o > 0)
			dst[o++] = ',';
		memcpy(dst + o, v + i, j - i);
		o += j - i;
		dst[o] = '\0';
	}
	return 0;
}

/* An address into r's side k. */
static int
fl_addr(struct fl_rec *r, int k, const char *v, size_t n)
{
	char buf[64];

	if (n == 0 || n >= sizeof buf)
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	memset(r->addr[k], 0, 16);
	if (inet_pton(AF_INET, buf, r->addr[k]) == 1)
		r->ipver[k] = 4;
	else if (inet_pton(AF_INET6, buf, r->addr[k]) == 1)
		r->ipver[k] = 6;
	else
		return -1;
	return 0;
}

/* The service into f: any text but NUL; one too long for the record is
 * cut after its last whole ','-separated name that fits. */
static int
fl_service(struct store_flow *f, const char *v, size_t n)
{
	size_t len = sizeof f->service;

	if (n >= len) {
		for (n = len - 1; n > 0 && v[n] != ','; n--)
			;
		if (n == 0)
			return -1;
	}
	memcpy(f->service, v, n);
	f->service[n] = '\0';
	return 0;
}

/* Set field x of r from the n bytes at v (unescaped; an unset value is
 * never passed). */
static int
fl_set(struct fl_rec *r, int x, const char *v, size_t n, char **cause)
{
	struct store_flow *f = r->f;
	uint64_t u;
	int64_t t;
	const char *what;

	if (x < 0)
		return 0;
	what = fl_names[x];
	if (memchr(v, '\0', n) != NULL)
		return fl_fail(cause, what, "a NUL byte");
	switch (x) {
	case FL_TS:
		if (fl_decimal(v, n, 6, FLOWLOG_SECS_MAX, &t) != 0 &&
		    fl_iso8601(v, n, &t) != 0)
			return fl_fail(cause, what, "not a time (epoch seconds "
			    "or ISO 8601)");
		f->ts_us = t;
		break;
	case FL_DURATION:
		if (fl_decimal(v, n, 6, FLOWLOG_SECS_MAX, &t) != 0)
			return fl_fail(cause, what, "not a duration in "
			    "seconds");
		f->duration_us = t;
		break;
	case FL_RTT_MS:
		if (fl_decimal(v, n, 3, UINT32_MAX / 1000, &t) != 0)
			return fl_fail(cause, what, "not a time in ms");
		f->rtt_us = (uint32_t)t;
		break;
	case FL_UID:
		if (fl_token(v, n, f->uid, sizeof f->uid, 0) != 0)
			return fl_fail(cause, what, "not an id of at most 19 "
			    "printable characters");
		break;
	case FL_ORIG_H:
	case FL_RESP_H:
		if (fl_addr(r, x == FL_RESP_H, v, n) != 0)
			return fl_fail(cause, what, "not an IPv4 or IPv6 "
			    "address");
		break;
	case FL_ORIG_P:
	case FL_RESP_P:
		if (fl_uint(v, n, 65535, &u) != 0)
			return fl_fail(cause, what, "not a port (0-65535)");
		if (x == FL_ORIG_P)
			f->orig_p = (uint16_t)u;
		else
			f->resp_p = (uint16_t)u;
		break;
	case FL_PROTO:
		if (fl_token(v, n, r->proto, sizeof r->proto, 0) != 0)
			return fl_fail(cause, what, "not a protocol name");
		break;
	case FL_IP_PROTO:
		if (fl_uint(v, n, 255, &u) != 0)
			return fl_fail(cause, what, "not a protocol number "
			    "(0-255)");
		r->ip_proto = (unsigned)u;
		break;
	case FL_SERVICE:
		if (fl_service(f, v, n) != 0)
			return fl_fail(cause, what, "a name longer than 23 "
			    "bytes");
		break;
	case FL_CONN_STATE:
		if (fl_token(v, n, f->conn_state, sizeof f->conn_state, 0) != 0)
			return fl_fail(cause, what, "not a connection state");
		break;
	case FL_HISTORY:
		/* cut to what the engine keeps, 15 letters */
		if (fl_token(v, n, f->history, sizeof f->history, 1) != 0)
			return fl_fail(cause, what, "not a history string");
		break;
	case FL_TUNNEL:
		if (fl_token(v, n, f->tunnel, sizeof f->tunnel, 0) != 0)
			return fl_fail(cause, what, "not a tunnel name");
		break;
	case FL_CID:
		if (fl_token(v, n, f->cid, sizeof f->cid, 0) != 0)
			return fl_fail(cause, what, "not a community id");
		break;
	case FL_PARENTS:
		if (fl_tokens(v, n, f->parents, sizeof f->parents) != 0)
			return fl_fail(cause, what, "not a list of ids");
		break;
	case FL_VLAN:
	case FL_INNER_VLAN:
	case FL_RETURN_VLAN:
		if (fl_uint(v, n, 4095, &u) != 0)
			return fl_fail(cause, what, "not a VLAN id (0-4095)");
		if (x == FL_VLAN)
			f->vlan = (uint16_t)u;
		else if (x == FL_INNER_VLAN)
			f->inner_vlan = (uint16_t)u;
		else
			f->return_vlan = (uint16_t)u;
		break;
	case FL_RETRANS:
		if (fl_uint(v, n, UINT32_MAX, &u) != 0)
			return fl_fail(cause, what, "not a count");
		f->retrans = (uint32_t)u;
		break;
	case FL_ORIG_CC:
	case FL_RESP_CC:
		if (n != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' ||
		    v[1] > 'Z')
			return fl_fail(cause, what, "not a country code (two "
			    "capital letters)");
		memcpy(x == FL_ORIG_CC ? f->orig_cc : f->resp_cc, v, 2);
		break;
	case FL_ORIG_ASN:
	case FL_RESP_ASN:
		if (fl_uint(v, n, UINT32_MAX, &u) != 0)
			return fl_fail(cause, what, "not an AS number");
		if (x == FL_ORIG_ASN)
			f->orig_asn = (uint32_t)u;
		else
			f->resp_asn = (uint32_t)u;
		break;
	case FL_SCHEMA:
		if (n != sizeof FLOWLOG_SCHEMA - 1 ||
		    memcmp(v, FLOWLOG_SCHEMA, n) != 0)
			return fl_fail(cause, what, "not " FLOWLOG_SCHEMA);
		r->wiretop = 1;
		break;
	default:
		if (fl_uint(v, n, FLOWLOG_COUNT_MAX, &u) != 0)
			return fl_fail(cause, what, "not a count (0 to 2^53)");
		switch (x) {
		case FL_ORIG_BYTES: f->bytes[0] = u; break;
		case FL_RESP_BYTES: f->bytes[1] = u; break;
		case FL_ORIG_PKTS: f->pkts[0] = u; break;
		case FL_RESP_PKTS: f->pkts[1] = u; break;
		case FL_ORIG_IP_BYTES: f->ip_bytes[0] = u; break;
		case FL_RESP_IP_BYTES: f->ip_bytes[1] = u; break;
		case FL_ORIG_WIRE: f->wire_bytes[0] = u; break;
		case FL_RESP_WIRE: f->wire_bytes[1] = u; break;
		}
		break;
	}
	r->seen |= FL_BIT(x);
	return 0;
}

static void
fl_begin(struct fl_rec *r, struct store_flow *f)
{
	memset(r, 0, sizeof *r);
	memset(f, 0, sizeof *f);
	r->f = f;
}

/* Check a record whose fields are all set and derive the rest. */
static int
fl_finish(struct fl_rec *r, char **cause)
{
	struct store_flow *f = r->f;
	const char *p;
	unsigned i, num = 256;
	uint64_t u;
	int k;

	if ((r->seen & FL_REQUIRED) != FL_REQUIRED) {
		for (i = 0; i < FL_N; i++)
			if ((FL_REQUIRED & FL_BIT(i)) && !(r->seen & FL_BIT(i)))
				break;
		return fl_fail(cause, fl_names[i], "missing");
	}
	if (r->ipver[0] != r->ipver[1])
		return fl_fail(cause, "id.resp_h", "not of the IP version of "
		    "id.orig_h");
	/* the protocol number: ip_proto, else the name */
	if (r->seen & FL_BIT(FL_IP_PROTO))
		num = r->ip_proto;
	else if (fl_uint(r->proto, strlen(r->proto), 255, &u) == 0)
		num = (unsigned)u;
	else if (strcmp(r->proto, "icmp") == 0)
		num = r->ipver[0] == 6 ? 58 : 1;
	else {
		for (i = 0; i < 256 && num == 256; i++)
			if ((p = proto_name((uint8_t)i)) != NULL &&
			    strcmp(p, r->proto) == 0)
				num = i;
	}
	if (num > 255)
		return fl_fail(cause, "proto", "unknown (and no ip_proto)");
	if (f->ts_us > STORE_US_MAX - f->duration_us)
		return fl_fail(cause, "ts", "ends after 2255-06-05, the latest "
		    "time the history keeps");
	f->proto_num = (uint8_t)num;
	/* spelt as the exports spell it (out-rec.c) */
	p = num == 58 ? "icmp" : proto_name((uint8_t)num);
	if (p != NULL)
		snprintf(f->proto, sizeof f->proto, "%s", p);
	else
		snprintf(f->proto, sizeof f->proto, "%u", num);
	out_fmt_addr(r->ipver[0], r->addr[0], f->orig_h);
	out_fmt_addr(r->ipver[1], r->addr[1], f->resp_h);
	if (f->service[0] != '\0')
		snprintf(f->svc_key, sizeof f->svc_key, "%s", f->service);
	else
		snprintf(f->svc_key, sizeof f->svc_key, "%s/%u", f->proto,
		    f->resp_p);
	for (k = 0; k < 2; k++) {
		f->own_pkts[k] = f->pkts[k];
		/* Zeek has no wire bytes: its IP bytes are the nearest */
		f->own_wire[k] = r->wiretop ? f->wire_bytes[k] :
		    f->ip_bytes[k];
	}
	return 0;
}

/* ---- escapes -------------------------------------------------------- */

static int
fl_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Code point cp as UTF-8 at o; its length. */
static size_t
fl_utf8(char *o, unsigned long cp)
{
	if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* 4 hex digits at v, or -1. */
static long
fl_hex4(const char *v)
{
	long x = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		if ((h = fl_hex((unsigned char)v[i])) < 0)
			return -1;
		x = x * 16 + h;
	}
	return x;
}

/* Undo Zeek's \xNN (any value) and wiretop CSV's \xNN, \uNNNN and \\
 * (csv) escapes of n bytes at v into o (never longer); the length. */
static size_t
fl_unescape(const char *v, size_t n, char *o, int csv)
{
	size_t i, m = 0;
	long cp;
	int a, b;

	for (i = 0; i < n; i++) {
		if (v[i] == '\\' && i + 3 < n && v[i + 1] == 'x' &&
		    (a = fl_hex((unsigned char)v[i + 2])) >= 0 &&
		    (b = fl_hex((unsigned char)v[i + 3])) >= 0) {
			o[m++] = (char)(a * 16 + b);
			i += 3;
		} else if (csv && v[i] == '\\' && i + 1 < n &&
		    v[i + 1] == '\\') {
			o[m++] = '\\';
			i++;
		} else if (csv && v[i] == '\\' && i + 5 < n &&
		    v[i + 1] == 'u' && (cp = fl_hex4(v + i + 2)) >= 0) {
			m += fl_utf8(o + m, (unsigned long)cp);
			i += 5;
		} else
			o[m++] = v[i];
	}
	return m;
}

/* ---- Zeek TSV ------------------------------------------------------- */

/* The field a column name is. */
static int
fl_field(const char *name, size_t n)
{
	int i;

	for (i = 0; i < FL_N; i++)
		if (strlen(fl_names[i]) == n && memcmp(fl_names[i], name, n) ==
		    0)
			return i;
	return FL_OTHER;
}

/* Read a column map from n names separated by sep (TSV #fields, the CSV
 * header); the CSV header's names may be quoted. */
static int
fl_columns(struct flowlog *fl, const char *s, size_t n, char sep,
    char **cause)
{
	size_t i, j;
	uint64_t seen = 0;
	int x;

	fl->have_header = 0;
	fl->ncol = 0;
	for (i = 0; i <= n; i = j + 1) {
		for (j = i; j < n && s[j] != sep; j++)
			;
		if (fl->ncol == FLOWLOG_COLS_MAX)
			return fl_fail(cause, "header", "more than 256 "
			    "columns");
		if (j - i >= 2 && s[i] == '"' && s[j - 1] == '"')
			x = fl_field(s + i + 1, j - i - 2);
		else
			x = fl_field(s + i, j - i);
		if (x >= 0 && (seen & FL_BIT(x)))
			return fl_fail(cause, fl_names[x], "a column named "
			    "twice in the header");
		if (x >= 0)
			seen |= FL_BIT(x);
		fl->col[fl->ncol++] = x;
	}
	if ((seen & FL_REQUIRED) != FL_REQUIRED)
		return fl_fail(cause, "header", "lacks one of ts, id.orig_h, "
		    "id.orig_p, id.resp_h, id.resp_p, proto");
	fl->have_header = 1;
	return 0;
}

/* A header value (#unset_field etc.) into dst. */
static int
fl_header_value(const char *v, size_t n, char *dst, size_t len)
{
	if (n == 0 || n >= len || memchr(v, '\0', n) != NULL)
		return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

static int
fl_starts(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);

	return n >= k && memcmp(s, p, k) == 0;
}

/* One '#' line of a Zeek log. */
static int
fl_zeek_header(struct flowlog *fl, const char *s, size_t n, char **cause)
{
	char v[8];
	size_t k, m;

	if (fl_starts(s, n, "#separator ")) {
		k = sizeof "#separator " - 1;
		if (n - k >= sizeof v)
			return fl_fail(cause, "#separator", "not one byte");
		m = fl_unescape(s + k, n - k, v, 0);
		if (m != 1 || v[0] == '\0' || v[0] == '\n' || v[0] == '\r')
			return fl_fail(cause, "#separator", "not one byte");
		fl->sep = v[0];
		return 0;
	}
	k = 0;
	while (k < n && s[k] != fl->sep)
		k++;
	if (k == n)
		return 0;	/* a comment */
	m = k + 1;
	if (k == sizeof "#set_separator" - 1 &&
	    memcmp(s, "#set_separator", k) == 0) {
		if (n - m != 1)
			return fl_fail(cause, "#set_separator", "not one byte");
		fl->setsep = s[m];
	} else if (k == sizeof "#empty_field" - 1 &&
	    memcmp(s, "#empty_field", k) == 0) {
		if (fl_header_value(s + m, n - m, fl->empty,
		    sizeof fl->empty) != 0)
			return fl_fail(cause, "#empty_field", "not a value");
	} else if (k == sizeof "#unset_field" - 1 &&
	    memcmp(s, "#unset_field", k) == 0) {
		if (fl_header_value(s + m, n - m, fl->unset,
		    sizeof fl->unset) != 0)
			return fl_fail(cause, "#unset_field", "not a value");
	} else if (k == sizeof "#fields" - 1 && memcmp(s, "#fields", k) == 0)
		return fl_columns(fl, s + m, n - m, fl->sep, cause);
	return 0;
}

static int
fl_zeek_line(struct flowlog *fl, const char *s, size_t n,
    struct store_flow *f, char **cause)
{
	struct fl_rec r;
	size_t i, j, m;
	unsigned c = 0;
	int x;

	if (n > 0 && s[0] == '#')
		return fl_zeek_header(fl, s, n, cause) != 0 ? -1 : 0;
	if (n == 0)
		return 0;
	if (!fl->have_header)
		return fl_fail(cause, "record", "no valid #fields line before "
		    "it");
	fl_begin(&r, f);
	for (i = 0; i <= n; i = j + 1, c++) {
		for (j = i; j < n && s[j] != fl->sep; j++)
			;
		if (c >= fl->ncol)
			break;
		x = fl->col[c];
		if (x < 0)
			continue;
		if ((j - i == strlen(fl->unset) &&
		    memcmp(s + i, fl->unset, j - i) == 0) ||
		    (j - i == strlen(fl->empty) &&
		    memcmp(s + i, fl->empty, j - i) == 0))
			continue;
		m = fl_unescape(s + i, j - i, fl->val, 0);
		if (x == FL_PARENTS && fl->setsep != ',') {
			size_t k;

			for (k = 0; k < m; k++)
				if (fl->val[k] == fl->setsep)
					fl->val[k] = ',';
				else if (fl->val[k] == ',')
					fl->val[k] = ' ';	/* refused */
		}
		if (fl_set(&r, x, fl->val, m, cause) != 0)
			return -1;
	}
	if (c != fl->ncol || i <= n) {
		xasprintf(cause, "record: not the %u fields of the #fields "
		    "line", fl->ncol);
		return -1;
	}
	return fl_finish(&r, cause) != 0 ? -1 : 1;
}

/* ---- CSV (RFC 4180) -------------------------------------------------- */

static int
fl_csv_line(struct flowlog *fl, const char *s, size_t n,
    struct store_flow *f, char **cause)
{
	struct fl_rec r;
	size_t i = 0, m;
	unsigned c;
	int x, last = 0;

	if (n == 0)
		return 0;
	/* a header row: at the top, or where files were joined */
	if (fl_starts(s, n, "ts,") || fl_starts(s, n, "\"ts\","))
		return fl_columns(fl, s, n, ',', cause) != 0 ? -1 : 0;
	if (!fl->have_header)
		return fl_fail(cause, "record", "no valid header row before "
		    "it");
	fl_begin(&r, f);
	for (c = 0; !last; c++) {
		m = 0;
		if (i < n && s[i] == '"') {
			/* the ' wiretop puts in front of a cell that would
			 * start a formula (out-csv.c): a cell that starts
			 * with ' always has one, so exactly that one goes */
			if (i + 1 < n && s[i + 1] == '\'')
				i++;
			for (i++;; i++) {
				if (i == n)
					return fl_fail(cause, "record", "a "
					    "quoted cell that does not end");
				if (s[i] == '"') {
					if (i + 1 < n && s[i + 1] == '"')
						i++;
					else
						break;
				}
				fl->join[m++] = s[i];
			}
			i++;
			if (i < n && s[i] != ',')
				return fl_fail(cause, "record", "text after a "
				    "quoted cell");
		} else {
			for (; i < n && s[i] != ','; i++) {
				if (s[i] == '"')
					return fl_fail(cause, "record", "a "
					    "quote inside an unquoted cell");
				fl->join[m++] = s[i];
			}
		}
		if (i >= n)
			last = 1;
		i++;
		if (c >= fl->ncol)
			return fl_fail(cause, "record", "more cells than the "
			    "header has");
		x = fl->col[c];
		if (x < 0 || m == 0)
			continue;	/* empty: null */
		m = fl_unescape(fl->join, m, fl->val, 1);
		if (fl_set(&r, x, fl->val, m, cause) != 0)
			return -1;
	}
	if (c != fl->ncol)
		return fl_fail(cause, "record", "fewer cells than the header "
		    "has");
	if (!r.wiretop)
		return fl_fail(cause, "schema", "missing (a wiretop CSV flow "
		    "export carries " FLOWLOG_SCHEMA ")");
	return fl_finish(&r, cause) != 0 ? -1 : 1;
}

/* ---- JSON (RFC 8259), one object a line ------------------------------ */

struct fl_json {
	const char *p, *end;
	size_t olen;			/* the last string's length */
};

static void
fl_json_ws(struct fl_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

/* A string literal, unescaped into o (room for cap bytes; NULL: only
 * checked); its unescaped length in j->olen, which is more than cap if
 * it did not fit (o then holds a part of it). */
static int
fl_json_string(struct fl_json *j, char *o, size_t cap)
{
	unsigned long cp;
	long a, b;
	size_t m = 0, k;
	char u[4];
	unsigned char c;

	if (j->p >= j->end || *j->p != '"')
		return -1;
	for (j->p++;; j->p++) {
		if (j->p >= j->end)
			return -1;
		c = (unsigned char)*j->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			if (++j->p >= j->end)
				return -1;
			switch (*j->p) {
			case '"': case '\\': case '/':
				c = (unsigned char)*j->p;
				break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				if (j->end - j->p < 5 ||
				    (a = fl_hex4(j->p + 1)) < 0)
					return -1;
				j->p += 4;
				cp = (unsigned long)a;
				if (a >= 0xd800 && a < 0xdc00 &&
				    j->end - j->p >= 7 && j->p[1] == '\\' &&
				    j->p[2] == 'u' && (b = fl_hex4(j->p + 3)) >=
				    0xdc00 && b < 0xe000) {
					cp = 0x10000 + (((unsigned long)a -
					    0xd800) << 10) +
					    ((unsigned long)b - 0xdc00);
					j->p += 6;
				}
				k = fl_utf8(u, cp);
				if (o != NULL && m + k <= cap)
					memcpy(o + m, u, k);
				m += k;
				continue;
			default:
				return -1;
			}
		}
		if (o != NULL && m < cap)
			o[m] = (char)c;
		m++;
	}
	j->p++;
	j->olen = m;
	return 0;
}

/* A number's text (RFC 8259 grammar); its length in *n. */
static int
fl_json_number(struct fl_json *j, const char **s, size_t *n)
{
	const char *p = j->p;

	*s = p;
	if (p < j->end && *p == '-')
		p++;
	if (p >= j->end || !isdigit((unsigned char)*p))
		return -1;
	while (p < j->end && isdigit((unsigned char)*p))
		p++;
	if (p < j->end && *p == '.') {
		p++;
		if (p >= j->end || !isdigit((unsigned char)*p))
			return -1;
		while (p < j->end && isdigit((unsigned char)*p))
			p++;
	}
	if (p < j->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < j->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= j->end || !isdigit((unsigned char)*p))
			return -1;
		while (p < j->end && isdigit((unsigned char)*p))
			p++;
	}
	*n = (size_t)(p - *s);
	j->p = p;
	return 0;
}

static int
fl_json_word(struct fl_json *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

/* Skip any value, nested at most FLOWLOG_JSON_DEPTH deep. */
static int
fl_json_skip(struct fl_json *j, int depth)
{
	const char *s;
	size_t n;
	char close;

	fl_json_ws(j);
	if (j->p >= j->end)
		return -1;
	switch (*j->p) {
	case '"':
		return fl_json_string(j, NULL, 0);
	case 't':
		return fl_json_word(j, "true");
	case 'f':
		return fl_json_word(j, "false");
	case 'n':
		return fl_json_word(j, "null");
	case '[':
	case '{':
		if (depth >= FLOWLOG_JSON_DEPTH)
			return -1;
		close = *j->p == '[' ? ']' : '}';
		j->p++;
		fl_json_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		for (;;) {
			if (close == '}') {
				fl_json_ws(j);
				if (fl_json_string(j, NULL, 0) != 0)
					return -1;
				fl_json_ws(j);
				if (j->p >= j->end || *j->p++ != ':')
					return -1;
			}
			if (fl_json_skip(j, depth + 1) != 0)
				return -1;
			fl_json_ws(j);
			if (j->p >= j->end)
				return -1;
			if (*j->p == close) {
				j->p++;
				return 0;
			}
			if (*j->p++ != ',')
				return -1;
		}
	default:
		return fl_json_number(j, &s, &n);
	}
}

/* The value of field x (a known one): set it in r. */
static int
fl_json_value(struct flowlog *fl, struct fl_json *j, struct fl_rec *r,
    int x, char **cause)
{
	const char *s;
	size_t n, m = 0;

	fl_json_ws(j);
	if (j->p >= j->end)
		return fl_fail(cause, fl_names[x], "no value");
	switch (*j->p) {
	case '"':
		if (fl_json_string(j, fl->val, FLOWLOG_LINE_MAX) != 0)
			return fl_fail(cause, fl_names[x], "a bad string");
		return fl_set(r, x, fl->val, j->olen, cause);
	case 'n':
		if (fl_json_word(j, "null") != 0)
			return fl_fail(cause, fl_names[x], "a bad value");
		return 0;	/* unset */
	case '[':
		/* a set (tunnel_parents, Zeek's service sets): strings
		 * joined by ',' */
		j->p++;
		fl_json_ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			return 0;
		}
		for (;;) {
			fl_json_ws(j);
			if (fl_json_string(j, fl->val, FLOWLOG_LINE_MAX) != 0 ||
			    m + 1 + j->olen > FLOWLOG_LINE_MAX)
				return fl_fail(cause, fl_names[x], "not an "
				    "array of strings");
			if (m > 0)
				fl->join[m++] = ',';
			memcpy(fl->join + m, fl->val, j->olen);
			m += j->olen;
			fl_json_ws(j);
			if (j->p < j->end && *j->p == ']')
				break;
			if (j->p >= j->end || *j->p++ != ',')
				return fl_fail(cause, fl_names[x], "not an "
				    "array of strings");
		}
		j->p++;
		return fl_set(r, x, fl->join, m, cause);
	default:
		if (fl_json_number(j, &s, &n) != 0)
			return fl_fail(cause, fl_names[x], "not a number, "
			    "string, array or null");
		return fl_set(r, x, s, n, cause);
	}
}

static int
fl_json_line(struct flowlog *fl, const char *s, size_t n,
    struct store_flow *f, char **cause)
{
	struct fl_json j;
	struct fl_rec r;
	char key[32];
	int x;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		n--;
	}
	if (n == 0)
		return 0;
	/* wiretop's JSON document: its head, its tail, records with a
	 * ',' after them */
	if (fl_starts(s, n, "{\"schema\":\"" FLOWLOG_SCHEMA "\",\"flows\":["))
		return 0;
	if ((n == 2 && memcmp(s, "]}", 2) == 0) || (n == 1 && s[0] == ']'))
		return 0;
	if (s[n - 1] == ',')
		n--;
	j.p = s;
	j.end = s + n;
	fl_begin(&r, f);
	fl_json_ws(&j);
	if (j.p >= j.end || *j.p++ != '{')
		return fl_fail(cause, "record", "not a JSON object");
	fl_json_ws(&j);
	if (j.p < j.end && *j.p == '}')
		j.p++;
	else for (;;) {
		fl_json_ws(&j);
		if (fl_json_string(&j, key, sizeof key) != 0)
			return fl_fail(cause, "record", "a bad member name");
		x = j.olen < sizeof key ? fl_field(key, j.olen) : FL_OTHER;
		fl_json_ws(&j);
		if (j.p >= j.end || *j.p++ != ':')
			return fl_fail(cause, "record", "no ':' after a member "
			    "name");
		if (x >= 0) {
			if (fl_json_value(fl, &j, &r, x, cause) != 0)
				return -1;
		} else if (fl_json_skip(&j, 1) != 0)
			return fl_fail(cause, "record", "a bad value");
		fl_json_ws(&j);
		if (j.p >= j.end)
			return fl_fail(cause, "record", "the object does not "
			    "end");
		if (*j.p == '}') {
			j.p++;
			break;
		}
		if (*j.p++ != ',')
			return fl_fail(cause, "record", "no ',' between "
			    "members");
	}
	fl_json_ws(&j);
	if (j.p != j.end)
		return fl_fail(cause, "record", "text after the object");
	return fl_finish(&r, cause) != 0 ? -1 : 1;
}

/* ---- detection and reading ------------------------------------------ */

/* The first line of buf (len bytes): its length. */
static size_t
fl_first_line(const char *s, size_t len)
{
	const char *nl = memchr(s, '\n', len);
	size_t n = nl != NULL ? (size_t)(nl - s) : len;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	return n;
}

static int
fl_contains(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, w, k) == 0)
			return 1;
	return 0;
}

enum flowlog_kind
flowlog_detect(const void *buf, size_t len)
{
	const char *s = buf, *e;
	struct flowlog *fl;
	size_t n;
	char *cause = NULL;
	int ok;

	if (len > FLOWLOG_DETECT_LEN)
		len = FLOWLOG_DETECT_LEN;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
	}
	e = s + len;
	if (len > 0 && s[0] == '#') {
		/* Zeek: a #separator or #fields line among the first
		 * '#' lines */
		while (s < e && *s == '#') {
			n = fl_first_line(s, (size_t)(e - s));
			if (fl_starts(s, n, "#separator ") ||
			    fl_starts(s, n, "#fields\t"))
				return FLOWLOG_ZEEK_TSV;
			s = memchr(s, '\n', (size_t)(e - s));
			if (s == NULL)
				break;
			s++;
		}
		return FLOWLOG_NONE;
	}
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	n = fl_first_line(s, (size_t)(e - s));
	if (n > 0 && s[0] == '{')
		return fl_starts(s, n, "{\"schema\":\"" FLOWLOG_SCHEMA
		    "\",\"flows\":[") || (fl_contains(s, n, "\"id.orig_h\"") &&
		    fl_contains(s, n, "\"id.resp_h\"")) ? FLOWLOG_JSON :
		    FLOWLOG_NONE;
	if (fl_starts(s, n, "ts,") || fl_starts(s, n, "\"ts\",")) {
		fl = flowlog_create(FLOWLOG_CSV);
		ok = fl_columns(fl, s, n, ',', &cause) == 0 &&
		    fl_contains(s, n, ",schema");
		free(cause);
		flowlog_free(fl);
		return ok ? FLOWLOG_CSV : FLOWLOG_NONE;
	}
	return FLOWLOG_NONE;
}

const char *
flowlog_kind_name(enum flowlog_kind k)
{
	switch (k) {
	case FLOWLOG_ZEEK_TSV:
		return "Zeek conn.log";
	case FLOWLOG_JSON:
		return "JSON flow log";
	case FLOWLOG_CSV:
		return "wiretop CSV flows";
	default:
		return "unknown";
	}
}

struct flowlog *
flowlog_create(enum flowlog_kind k)
{
	struct flowlog *fl = xcalloc(1, sizeof *fl);

	fl->kind = k;
	fl->line = xmalloc(FLOWLOG_LINE_MAX + 1);
	fl->val = xmalloc(FLOWLOG_LINE_MAX + 1);
	fl->join = xmalloc(FLOWLOG_LINE_MAX + 1);
	fl->sep = '\t';
	fl->setsep = ',';
	snprintf(fl->empty, sizeof fl->empty, "(empty)");
	snprintf(fl->unset, sizeof fl->unset, "-");
	return fl;
}

void
flowlog_free(struct flowlog *fl)
{
	if (fl == NULL)
		return;
	free(fl->line);
	free(fl->val);
	free(fl->join);
	free(fl);
}

uint64_t
flowlog_line(const struct flowlog *fl)
{
	return fl->lineno;
}

int
flowlog_next(struct flowlog *fl, FILE *fp, struct store_flow *f,
    char **cause)
{
	size_t n;
	int c, r, over;

	for (;;) {
		n = 0;
		over = 0;
		while ((c = getc_unlocked(fp)) != EOF && c != '\n') {
			if (n < FLOWLOG_LINE_MAX)
				fl->line[n++] = (char)c;
			else
				over = 1;
		}
		if (c == EOF && ferror(fp)) {
			xasprintf(cause, "read error: %s", strerror(errno));
			return -2;
		}
		if (c == EOF && n == 0 && !over)
			return 0;
		fl->lineno++;
		if (over) {
			xasprintf(cause, "line: longer than %d bytes",
			    FLOWLOG_LINE_MAX);
			return -1;
		}
		if (n > 0 && fl->line[n - 1] == '\r')
			n--;
		fl->line[n] = '\0';
		switch (fl->kind) {
		case FLOWLOG_ZEEK_TSV:
			r = fl_zeek_line(fl, fl->line, n, f, cause);
			break;
		case FLOWLOG_CSV:
			r = fl_csv_line(fl, fl->line, n, f, cause);
			break;
		case FLOWLOG_JSON:
			r = fl_json_line(fl, fl->line, n, f, cause);
			break;
		default:
			xasprintf(cause, "not a flow log");
			return -2;
		}
		if (r != 0)
			return r;
	}
}
