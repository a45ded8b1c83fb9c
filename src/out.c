/*
 * out.c: the format registry and the record writer layer (out_*).
 *
 * Used by whichever thread owns the sink (the main thread for export);
 * a writer is not shared between threads.  The registry below is the one
 * list of output formats: --format parsing, the help text and the writer
 * all come from it.  A new format (IPFIX next) adds a file with its ops
 * and one line here.  IPFIX is binary and holds flow records only: export
 * hands the flows to ipfix.c, and its entry here (for --format and the
 * help) refuses anything written through the generic writer.
 *
 * The generic part dispatches to the format's ops, keeps the sticky first
 * write error, and owns what every format shares: the output buffer
 * (records are formatted straight into it and reach the stream in
 * OUT_BUF_SIZE blocks, so no stdio call is made per field), integer,
 * fixed-point and address formatting without printf, the UTF-8 repair and
 * the escaping of strings from the network.
 */
#include "config.h"
#include "out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "out-int.h"
#include "xmalloc.h"

static const struct out_format_def out_formats[] = {
	{ "csv", OUT_FMT_CSV, &out_csv_ops, 1,
	  "comma-separated values (RFC 4180), one header row" },
	{ "json", OUT_FMT_JSON, &out_json_ops, 0,
	  "one JSON document (RFC 8259)" },
	{ "ndjson", OUT_FMT_NDJSON, &out_ndjson_ops, 0,
	  "one JSON object per line" },
	{ "ipfix", OUT_FMT_IPFIX, &out_ipfix_ops, 0,
	  "IPFIX file (RFC 7011, RFC 5655): flow records only" },
};
#define OUT_NFORMATS (sizeof out_formats / sizeof out_formats[0])

/* The generic writer of IPFIX: nothing but flows, which ipfix.c
 * encodes from the engine's records; any document begun here is
 * refused. */
static int
out_ipfix_refuse(struct out_writer *w)
{
	w->error = ENOTSUP;
	return -1;
}

static int
out_ipfix_record(struct out_writer *w, const struct out_field *f, size_t n)
{
	(void)f;
	(void)n;
	return out_ipfix_refuse(w);
}

const struct out_ops out_ipfix_ops = {
	.begin = out_ipfix_refuse,
	.record = out_ipfix_record,
	.end = out_ipfix_refuse,
};

/* Byte classes (out-int.h): C0 and DEL are controls, bytes from 0x80 on
 * start or continue UTF-8 sequences. */
#define C OUT_CLS_CTRL
#define H OUT_CLS_HIGH
const uint8_t out_cls[256] = {
	C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C,
	C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C,
	[','] = OUT_CLS_COMMA, ['"'] = OUT_CLS_QUOTE,
	['\\'] = OUT_CLS_BSLASH, [0x7f] = C,
	[0x80] = H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
	H, H, H, H, H, H, H, H, H, H, H, H, H, H, H, H,
};
#undef C
#undef H

static const char out_hex[] = "0123456789abcdef";

static const char out_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* Parse a --format name through the registry. */
int
out_format_parse(const char *s, enum out_format *fmt)
{
	size_t i;

	if (s == NULL) {
		*fmt = out_formats[0].fmt;
		return 0;
	}
	for (i = 0; i < OUT_NFORMATS; i++) {
		if (strcmp(s, out_formats[i].name) == 0) {
			*fmt = out_formats[i].fmt;
			return 0;
		}
	}
	return -1;
}

/* Return the i-th format of the registry, NULL past the last. */
const struct out_format_def *
out_format_get(size_t i)
{
	return i < OUT_NFORMATS ? &out_formats[i] : NULL;
}

/* Return "csv, json or ndjson", built once from the registry. */
const char *
out_format_names(void)
{
	static char names[128];
	size_t i, n = 0;

	if (names[0] != '\0')
		return names;
	for (i = 0; i < OUT_NFORMATS; i++) {
		n += (size_t)snprintf(names + n, sizeof names - n, "%s%s",
		    i == 0 ? "" : i + 1 == OUT_NFORMATS ? " or " : ", ",
		    out_formats[i].name);
		if (n >= sizeof names)
			break;
	}
	return names;
}

/* Create a writer of a format on a borrowed stream. */
struct out_writer *
out_create(enum out_format fmt, FILE *fp)
{
	struct out_writer *w;
	size_t i;
	int fd;

	w = xcalloc(1, sizeof *w);
	w->fp = fp;
	w->buf = xmalloc(OUT_BUF_SIZE);
	fd = fileno(fp);
	w->line = fd >= 0 && isatty(fd);
	w->def = &out_formats[0];
	for (i = 0; i < OUT_NFORMATS; i++) {
		if (out_formats[i].fmt == fmt)
			w->def = &out_formats[i];
	}
	return w;
}

/* Free a writer; its stream stays open. */
void
out_free(struct out_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->ncolumns; i++)
		free(w->columns[i]);
	free(w->columns);
	free(w->schema);
	free(w->list_key);
	free(w->buf);
	free(w);
}

/* Start the document (schema, list member, CSV header). */
int
out_begin(struct out_writer *w, const char *schema, const char *list_key,
    const char *const *columns, size_t ncolumns)
{
	size_t i;

	if (w->error != 0)
		return -1;
	if (w->state != 0) {
		w->error = EINVAL;
		return -1;
	}
	w->state = 1;
	w->schema = xstrdup(schema);
	w->list_key = list_key != NULL ? xstrdup(list_key) : NULL;
	if (ncolumns > 0) {
		w->columns = xreallocarray(NULL, ncolumns, sizeof *w->columns);
		for (i = 0; i < ncolumns; i++)
			w->columns[i] = xstrdup(columns[i]);
		w->ncolumns = ncolumns;
	}
	if (w->def->ops->begin(w) != 0)
		return -1;
	if (w->line)
		return out_flush(w);
	return w->error != 0 ? -1 : 0;
}

/*
 * A record with fewer fields than the header has columns, whose fields
 * are some of the columns in the header's order (a reader of an older
 * store that lacks newer columns): the missing columns are written as
 * nulls, in CSV and JSON alike.  Any other record is written as given
 * (and CSV refuses it).
 */
static int
out_record_sparse(struct out_writer *w, const struct out_field *f, size_t n)
{
	struct out_field own[64], *v;
	size_t i, j = 0;
	int rc;

	v = w->ncolumns <= 64 ? own :
	    xreallocarray(NULL, w->ncolumns, sizeof *v);
	for (i = 0; i < w->ncolumns; i++) {
		if (j < n && f[j].name != NULL &&
		    strcmp(f[j].name, w->columns[i]) == 0) {
			v[i] = f[j++];
			continue;
		}
		memset(&v[i], 0, sizeof v[i]);
		v[i].name = w->columns[i];
		v[i].type = OUT_NULL;
	}
	if (j == n)
		rc = w->def->ops->record(w, v, w->ncolumns);
	else
		rc = w->def->ops->record(w, f, n);
	if (v != own)
		free(v);
	return rc;
}

/* Write one record through the format's ops. */
int
out_record(struct out_writer *w, const struct out_field *f, size_t n)
{
	int rc;

	if (w->error != 0)
		return -1;
	if (w->state != 1) {
		w->error = EINVAL;
		return -1;
	}
	if (w->sparse && n < w->ncolumns && n > 0)
		rc = out_record_sparse(w, f, n);
	else
		rc = w->def->ops->record(w, f, n);
	if (rc != 0 || w->error != 0)
		return -1;
	w->records++;
	if (w->line)
		return out_flush(w);
	return 0;
}

/* Let records leave out columns of the header. */
void
out_set_sparse(struct out_writer *w)
{
	w->sparse = 1;
}

/* Record a failed write: the first error stays, later output is dropped. */
static void
out_io_failed(struct out_writer *w)
{
	if (w->error == 0)
		w->error = errno != 0 ? errno : EIO;
	w->io_failed = 1;
}

/* Hand the buffer to the stream, keeping the first error. */
void
out_drain(struct out_writer *w)
{
	size_t n = w->len;

	w->len = 0;
	if (w->io_failed || n == 0)
		return;
	errno = 0;
	if (fwrite(w->buf, 1, n, w->fp) != n)
		out_io_failed(w);
}

/* Write the buffered output to the stream and flush the stream. */
int
out_flush(struct out_writer *w)
{
	out_drain(w);
	if (!w->io_failed) {
		errno = 0;
		if (fflush(w->fp) != 0)
			out_io_failed(w);
	}
	return w->error != 0 ? -1 : 0;
}

/* End the document and flush; -1 on any write error so far. */
int
out_end(struct out_writer *w)
{
	if (w->error != 0)
		return -1;
	if (w->state != 1) {
		w->error = EINVAL;
		return -1;
	}
	w->state = 2;
	if (w->def->ops->end(w) != 0 || out_flush(w) != 0)
		return -1;
	errno = 0;
	if (fflush(w->fp) != 0 || ferror(w->fp)) {
		out_io_failed(w);
		return -1;
	}
	return 0;
}

/* Return the first write error (errno), 0 if none. */
int
out_error(const struct out_writer *w)
{
	return w->error;
}

/* Return the number of records written. */
uint64_t
out_records(const struct out_writer *w)
{
	return w->records;
}

/* Return 1 if the format holds only flat rows. */
int
out_is_flat(const struct out_writer *w)
{
	return w->def->flat;
}

/* Write raw bytes, keeping the first error. */
int
out_put(struct out_writer *w, const char *s, size_t n)
{
	if (w->error != 0)
		return -1;
	if (n <= OUT_BUF_SIZE - w->len) {
		memcpy(w->buf + w->len, s, n);
		w->len += n;
		return 0;
	}
	out_drain(w);
	if (n < OUT_BUF_SIZE) {
		memcpy(w->buf, s, n);
		w->len = n;
	} else if (!w->io_failed) {
		errno = 0;
		if (fwrite(s, 1, n, w->fp) != n)
			out_io_failed(w);
	}
	return w->error != 0 ? -1 : 0;
}

static const uint64_t out_pow10[20] = {
	1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
	10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
	100000000000ull, 1000000000000ull, 10000000000000ull,
	100000000000000ull, 1000000000000000ull, 10000000000000000ull,
	100000000000000000ull, 1000000000000000000ull,
	10000000000000000000ull,
};

/* Write exactly n digits of v (zero-padded) at p, two at a time; 32-bit
 * arithmetic while v fits, which is nearly always. */
static inline char *
out_digits(char *p, uint64_t v, unsigned n)
{
	char *q = p + n;
	uint32_t u;

	while (v > UINT32_MAX && q - p >= 2) {
		q -= 2;
		memcpy(q, out_pairs + (v % 100) * 2, 2);
		v /= 100;
	}
	u = (uint32_t)v;
	while (q - p >= 2) {
		q -= 2;
		memcpy(q, out_pairs + (u % 100) * 2, 2);
		u /= 100;
	}
	if (q > p)
		*p = (char)('0' + u % 10);
	return p + n;
}

/* Write the decimal digits of v; the count comes from the bit length
 * (log10(2) ~ 1233/4096) and one comparison. */
char *
out_u64(char *p, uint64_t v)
{
	unsigned n;

	if (v < 10) {
		*p = (char)('0' + v);
		return p + 1;
	}
	if (v < 100) {
		memcpy(p, out_pairs + v * 2, 2);
		return p + 2;
	}
	n = ((unsigned)(64 - __builtin_clzll(v)) * 1233) >> 12;
	n += v >= out_pow10[n];
	return out_digits(p, v, n);
}

/* Write val / 10^dec exactly, without floating point. */
char *
out_fixed(char *p, int64_t val, unsigned dec)
{
	uint64_t mag;

	if (dec > 18)
		dec = 18;
	/* Magnitude without overflow for INT64_MIN. */
	mag = val < 0 ? (uint64_t)0 - (uint64_t)val : (uint64_t)val;
	if (val < 0)
		*p++ = '-';
	p = out_u64(p, mag / out_pow10[dec]);
	if (dec == 0)
		return p;
	*p++ = '.';
	return out_digits(p, mag % out_pow10[dec], dec);
}

/* Format val / 10^dec exactly into buf. */
const char *
out_fmt_fixed(int64_t val, unsigned dec, char *buf, size_t len)
{
	char tmp[48], *e;
	size_t n;

	e = out_fixed(tmp, val, dec);
	n = (size_t)(e - tmp);
	if (len == 0)
		return buf;
	if (n >= len)
		n = len - 1;
	memcpy(buf, tmp, n);
	buf[n] = '\0';
	return buf;
}

/* The 256 octets as text, 4 bytes each (a 4-byte copy, then the length). */
static const char out_octets[256][4] = {
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
	"13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23",
	"24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34",
	"35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45",
	"46", "47", "48", "49", "50", "51", "52", "53", "54", "55", "56",
	"57", "58", "59", "60", "61", "62", "63", "64", "65", "66", "67",
	"68", "69", "70", "71", "72", "73", "74", "75", "76", "77", "78",
	"79", "80", "81", "82", "83", "84", "85", "86", "87", "88", "89",
	"90", "91", "92", "93", "94", "95", "96", "97", "98", "99", "100",
	"101", "102", "103", "104", "105", "106", "107", "108", "109", "110",
	"111", "112", "113", "114", "115", "116", "117", "118", "119", "120",
	"121", "122", "123", "124", "125", "126", "127", "128", "129", "130",
	"131", "132", "133", "134", "135", "136", "137", "138", "139", "140",
	"141", "142", "143", "144", "145", "146", "147", "148", "149", "150",
	"151", "152", "153", "154", "155", "156", "157", "158", "159", "160",
	"161", "162", "163", "164", "165", "166", "167", "168", "169", "170",
	"171", "172", "173", "174", "175", "176", "177", "178", "179", "180",
	"181", "182", "183", "184", "185", "186", "187", "188", "189", "190",
	"191", "192", "193", "194", "195", "196", "197", "198", "199", "200",
	"201", "202", "203", "204", "205", "206", "207", "208", "209", "210",
	"211", "212", "213", "214", "215", "216", "217", "218", "219", "220",
	"221", "222", "223", "224", "225", "226", "227", "228", "229", "230",
	"231", "232", "233", "234", "235", "236", "237", "238", "239", "240",
	"241", "242", "243", "244", "245", "246", "247", "248", "249", "250",
	"251", "252", "253", "254", "255",
};

/* Dotted quad of a[0..3] at p (room: 16 bytes); returns the end. */
static char *
out_addr4(char *p, const uint8_t *a)
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = a[i];

		memcpy(p, out_octets[v], 4);
		p += 1 + (v >= 10) + (v >= 100);
		*p++ = '.';
	}
	return p - 1;
}

/* Format an address exactly as glibc's inet_ntop: IPv6 compresses the
 * first longest run of two or more zero groups (RFC 5952) and shows the
 * IPv4-compatible and IPv4-mapped forms with a dotted quad. */
size_t
out_fmt_addr(uint8_t ip_ver, const uint8_t addr[16], char *buf)
{
	unsigned words[8];
	int i, best = -1, bestlen = 0, cur = -1, curlen = 0;
	char *p = buf;

	if (ip_ver == 4) {
		p = out_addr4(buf, addr);
		*p = '\0';
		return (size_t)(p - buf);
	}
	if (ip_ver != 6) {
		memcpy(buf, "-", 2);
		return 1;
	}
	for (i = 0; i < 8; i++) {
		words[i] = (unsigned)addr[2 * i] << 8 | addr[2 * i + 1];
		if (words[i] == 0) {
			if (cur < 0) {
				cur = i;
				curlen = 0;
			}
			curlen++;
			continue;
		}
		if (cur >= 0 && (best < 0 || curlen > bestlen)) {
			best = cur;
			bestlen = curlen;
		}
		cur = -1;
	}
	if (cur >= 0 && (best < 0 || curlen > bestlen)) {
		best = cur;
		bestlen = curlen;
	}
	if (bestlen < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		unsigned v = words[i];

		if (best >= 0 && i >= best && i < best + bestlen) {
			if (i == best)
				*p++ = ':';
			continue;
		}
		if (i != 0)
			*p++ = ':';
		if (i == 6 && best == 0 && (bestlen == 6 ||
		    (bestlen == 5 && words[5] == 0xffff))) {
			p = out_addr4(p, addr + 12);
			break;
		}
		if (v >= 0x1000)
			*p++ = out_hex[v >> 12];
		if (v >= 0x100)
			*p++ = out_hex[(v >> 8) & 0xf];
		if (v >= 0x10)
			*p++ = out_hex[(v >> 4) & 0xf];
		*p++ = out_hex[v & 0xf];
	}
	if (best >= 0 && best + bestlen == 8)
		*p++ = ':';
	*p = '\0';
	return (size_t)(p - buf);
}

/* Measure the UTF-8 sequence at s (Unicode 15 table 3-7). */
size_t
out_utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	*bad = 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;	/* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	} else {
		*bad = 1;	/* 80..C1, F5..FF never start a sequence */
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/* Write s with out_cls's special bytes escaped in the given style. */
void
out_put_escaped(struct out_writer *w, const char *s, size_t n,
    enum out_esc style)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, start = 0, k, bad;
	unsigned char c;
	uint32_t cp;
	char esc[8], *e;

	while (i < n) {
		c = u[i];
		if (out_cls[c] == 0 || (c == ',' && style == OUT_ESC_JSON)) {
			i++;
			continue;
		}
		e = esc;
		k = 1;
		if (c >= 0x80) {
			k = out_utf8_seq(u + i, n - i, &bad);
			if (k == 0) {
				memcpy(esc, "\xef\xbf\xbd", 3);
				e = esc + 3;
				k = bad;
			} else {
				cp = k == 2 ? (uint32_t)(c & 0x1f) << 6 |
				    (u[i + 1] & 0x3f) : k == 3 ?
				    (uint32_t)(c & 0x0f) << 12 |
				    (uint32_t)(u[i + 1] & 0x3f) << 6 |
				    (u[i + 2] & 0x3f) : 0x10000;
				if (!fmt_cp_unsafe(cp)) {
					i += k;
					continue;
				}
				*e++ = '\\';
				*e++ = 'u';
				*e++ = out_hex[cp >> 12];
				*e++ = out_hex[(cp >> 8) & 0xf];
				*e++ = out_hex[(cp >> 4) & 0xf];
				*e++ = out_hex[cp & 0xf];
			}
		} else if (c == ',') {
			/* CSV: the caller has quoted the cell. */
			i++;
			continue;
		} else if (c == '"') {
			*e++ = style == OUT_ESC_CSV ? '"' : '\\';
			*e++ = '"';
		} else if (c == '\\') {
			*e++ = '\\';
			*e++ = '\\';
		} else if (style == OUT_ESC_CSV) {
			*e++ = '\\';
			*e++ = 'x';
			*e++ = out_hex[c >> 4];
			*e++ = out_hex[c & 0xf];
		} else {
			memcpy(e, "\\u00", 4);
			e += 4;
			*e++ = out_hex[c >> 4];
			*e++ = out_hex[c & 0xf];
		}
		out_put(w, s + start, i - start);
		out_put(w, esc, (size_t)(e - esc));
		i += k;
		start = i;
	}
	out_put(w, s + start, i - start);
}
