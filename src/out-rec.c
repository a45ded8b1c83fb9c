/*
 * out-rec.c: the records wiretop exports: flows, hosts, alerts and the
 * summary.
 *
 * Main thread (the thread that owns the engine and the writer).  Each
 * record kind declares its columns once, below: a column is a name and
 * how its value is read from the record's source (a flow, a host, the
 * engine's totals).  The CSV header, the JSON keys and the values all
 * come from that one declaration, so a column cannot fill another
 * column's field, and a null is decided by the column itself.  Flows and
 * hosts, written once per record, are X-macro lists (C(name, value))
 * expanded into straight-line code; the summary, written once per run,
 * is a table of groups of (name, getter) columns.
 *
 * Flow records keep Zeek conn.log names and order (DESIGN section 7).
 * The summary is a list of groups: CSV writes one "section,key,value"
 * row per value, JSON one object with a member per group (the "total"
 * group's values at the top level, arrays for protocols and sources).
 * Times are packet times as seconds with 6 decimals (exact fixed point).
 */
#include "config.h"
#include "out-rec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "capture.h"
#include "engine.h"
#include "geoip.h"
#include "out.h"
#include "out-csv.h"
#include "out-json.h"
#include "pipeline.h"
#include "xmalloc.h"

#define OUT_REC_FLOWS_SCHEMA	"wiretop.flows/2"
#define OUT_REC_HOSTS_SCHEMA	"wiretop.hosts/1"
#define OUT_REC_SUMMARY_SCHEMA	"wiretop.summary/1"
#define OUT_REC_ALERTS_SCHEMA	"wiretop.alerts/1"

/* A column: its name and how to read its value from a record source. */
struct out_col {
	const char *name;
	void	(*get)(const void *src, struct out_field *);
};

/* Packet time in ns as fixed-point seconds with 6 decimals. */
static void
out_rec_ts(struct out_field *v, uint64_t ns)
{
	v->type = OUT_FIXED;
	v->v.fx.val = (int64_t)(ns / 1000);
	v->v.fx.dec = 6;
}

static void
out_rec_uint(struct out_field *v, uint64_t u)
{
	v->type = OUT_UINT;
	v->v.u = u;
}

/* A string, or null if s is NULL or empty. */
static void
out_rec_str(struct out_field *v, const char *s)
{
	v->type = s != NULL && *s != '\0' ? OUT_STR : OUT_NULL;
	v->v.s = s;
}

/* Protocol name as the exports spell it, or its number as text. */
static const char *
out_rec_proto(uint8_t proto, char *buf, size_t len)
{
	const char *s = proto_name(proto);

	if (s != NULL)
		return s;
	snprintf(buf, len, "%u", proto);
	return buf;
}

/* Fill n fields from a column table. */
static void
out_rec_fill(const struct out_col *c, size_t n, const void *src,
    struct out_field *v)
{
	size_t i;

	for (i = 0; i < n; i++) {
		v[i].name = c[i].name;
		c[i].get(src, &v[i]);
	}
}

/*
 * Values of the record kinds written once per flow or host.  Those kinds
 * list their columns with an X-macro, C(name, value): the list expands to
 * the CSV header and to straight-line code that fills the record, so each
 * column is named once, its value can go nowhere else, and no call is
 * made per column (the flow record is the hot path of an export).
 */
static inline struct out_field
out_v_uint(uint64_t u)
{
	struct out_field v;

	v.type = OUT_UINT;
	v.v.u = u;
	return v;
}

/* An unsigned value, null when it is 0 (not seen). */
static inline struct out_field
out_v_uint_or_null(uint64_t u)
{
	struct out_field v;

	v.type = u != 0 ? OUT_UINT : OUT_NULL;
	v.v.u = u;
	return v;
}

static inline struct out_field
out_v_fixed(int64_t val, unsigned dec)
{
	struct out_field v;

	v.type = OUT_FIXED;
	v.v.fx.val = val;
	v.v.fx.dec = dec;
	return v;
}

/* Packet time in ns as fixed-point seconds with 6 decimals. */
static inline struct out_field
out_v_ts(uint64_t ns)
{
	return out_v_fixed((int64_t)(ns / 1000), 6);
}

static inline struct out_field
out_v_bool(int b)
{
	struct out_field v;

	v.type = OUT_BOOL;
	v.v.u = b != 0;
	return v;
}

/* A token (out.h OUT_TOKEN) of len bytes (0: measure it); null if s is
 * NULL or empty. */
static inline struct out_field
out_v_token(const char *s, size_t len)
{
	struct out_field v;

	v.type = s != NULL && *s != '\0' ? OUT_TOKEN : OUT_NULL;
	v.v.tok.s = s;
	v.v.tok.len = len;
	return v;
}

/* Tokens joined by ',' (out.h OUT_TOKENS); null if none. */
static inline struct out_field
out_v_tokens(const char *s, size_t len)
{
	struct out_field v;

	v.type = len != 0 ? OUT_TOKENS : OUT_NULL;
	v.v.tok.s = s;
	v.v.tok.len = len;
	return v;
}

/* A string; null if s is NULL or empty. */
static inline struct out_field
out_v_str(const char *s)
{
	struct out_field v;

	v.type = s != NULL && *s != '\0' ? OUT_STR : OUT_NULL;
	v.v.s = s;
	return v;
}

/* A string taken from packets; null if s is NULL. */
static inline struct out_field
out_v_captured(const char *s)
{
	struct out_field v;

	v.type = s != NULL ? OUT_CAPTURED : OUT_NULL;
	v.v.s = s;
	return v;
}

/* A string from a GeoIP database (hostile, as captured ones are); null
 * if empty. */
static inline struct out_field
out_v_geo_str(const char *s)
{
	struct out_field v;

	v.type = s != NULL && *s != '\0' ? OUT_CAPTURED : OUT_NULL;
	v.v.s = s;
	return v;
}

/* A country code (two letters A-Z, checked by geoip.c); null if
 * unknown. */
static inline struct out_field
out_v_cc(const struct geoip_info *g)
{
	struct out_field v;

	v.type = g->cc[0] != '\0' ? OUT_TOKEN : OUT_NULL;
	v.v.tok.s = g->cc;
	v.v.tok.len = 2;
	return v;
}

#define OUT_REC_NAME(nm, val)	nm,
#define OUT_REC_ONE(nm, val)	+ 1
#define OUT_REC_FILL(nm, val)	v[i] = (val); v[i++].name = (nm);
#define OUT_REC_CSV(nm, val)	cell = (val);				\
	p = out_csv_cell(w, p, need, &cell);
#define OUT_REC_JSON(nm, val)	cell = (val); p = out_json_member(w, p,	\
	jneed, "\"" nm "\":", sizeof "\"" nm "\":" - 1, &cell);

/* ---- flows ---------------------------------------------------------- */

/* A flow as its columns read it: the flow and what is derived once. */
struct out_rec_flow {
	const struct flow *f;
	struct flow_ep o, r;
	char uid[20];
	char cid[64];
	char oh[OUT_ADDR_MAX];
	char rh[OUT_ADDR_MAX];
	size_t ohlen, rhlen;
	const char *proto;	/* points to a static name or pbuf */
	char pbuf[8];
	uint16_t vlan, inner_vlan, return_vlan;
	const struct flow_tunnel *tu;	/* NULL: no tunnel facts */
	char parents[FLOW_MAX_PARENTS * 19];	/* uids, ',' between */
	size_t parents_len;
	struct geoip_info og, rg;	/* originator's, responder's */
};

/* Zeek conn.log names and order, then wiretop's own (DESIGN 7). */
#define OUT_REC_FLOW_COLUMNS(C)						\
	C("ts",			out_v_ts(x->f->first_ns))		\
	C("uid",		out_v_token(x->uid, 18))		\
	C("id.orig_h",		out_v_token(x->oh, x->ohlen))		\
	C("id.orig_p",		out_v_uint(x->o.port))			\
	C("id.resp_h",		out_v_token(x->rh, x->rhlen))		\
	C("id.resp_p",		out_v_uint(x->r.port))			\
	C("proto",		out_v_token(x->proto, 0))		\
	C("service",		out_v_str(flow_service(x->f)))		\
	C("duration",		out_v_fixed((int64_t)(x->f->last_ns / 1000) - \
				    (int64_t)(x->f->first_ns / 1000), 6)) \
	C("orig_bytes",		out_v_uint(x->f->dir[0].bytes))		\
	C("resp_bytes",		out_v_uint(x->f->dir[1].bytes))		\
	C("conn_state",		out_v_token(flow_conn_state(x->f), 0))	\
	C("history",		out_v_token(x->f->history, 0))		\
	C("orig_pkts",		out_v_uint(x->f->dir[0].pkts))		\
	C("orig_ip_bytes",	out_v_uint(x->f->dir[0].ip_bytes))	\
	C("resp_pkts",		out_v_uint(x->f->dir[1].pkts))		\
	C("resp_ip_bytes",	out_v_uint(x->f->dir[1].ip_bytes))	\
	C("orig_wire_bytes",	out_v_uint(x->f->dir[0].wire_bytes))	\
	C("resp_wire_bytes",	out_v_uint(x->f->dir[1].wire_bytes))	\
	C("vlan",		out_v_uint_or_null(x->vlan))		\
	C("inner_vlan",		out_v_uint_or_null(x->inner_vlan))	\
	C("return_vlan",	out_v_uint_or_null(x->return_vlan))	\
	C("tunnel_parents",	out_v_tokens(x->parents, x->parents_len)) \
	C("tunnel",		out_v_token(x->tu != NULL ?		\
				    flow_tunnel_name(x->tu->kind) : NULL, 0)) \
	C("community_id",	out_v_token(x->cid, 0))			\
	C("rtt_ms",		x->f->rtt_us != 0 ?			\
				    out_v_fixed(x->f->rtt_us, 3) :	\
				    out_v_uint_or_null(0))		\
	C("retrans",		out_v_uint(x->f->retrans))		\
	C("orig_cc",		out_v_cc(&x->og))			\
	C("resp_cc",		out_v_cc(&x->rg))			\
	C("orig_asn",		out_v_uint_or_null(x->og.asn))		\
	C("resp_asn",		out_v_uint_or_null(x->rg.asn))		\
	C("schema",		out_v_token(OUT_REC_FLOWS_SCHEMA,	\
				    sizeof OUT_REC_FLOWS_SCHEMA - 1))

static const char *const out_rec_flow_names[] = {
	OUT_REC_FLOW_COLUMNS(OUT_REC_NAME)
};
#define OUT_REC_FLOW_NCOL (0 OUT_REC_FLOW_COLUMNS(OUT_REC_ONE))

/* Write one flow record. */
int
out_rec_flow(struct out_writer *w, const struct engine *e,
    const struct flow *f)
{
	struct out_rec_flow rec, *x = &rec;
	struct out_field v[OUT_REC_FLOW_NCOL], cell;
	size_t i = 0, need = OUT_REC_FLOW_NCOL * OUT_CSV_ROOM;
	size_t jneed = OUT_REC_FLOW_NCOL * OUT_JSON_ROOM;
	char *p;

	if (out_error(w) != 0)
		return -1;
	x->f = f;
	flow_endpoints(f, &x->o, &x->r);
	flow_uid(f, x->uid);
	flow_vlans(f, &x->vlan, &x->inner_vlan, &x->return_vlan);
	x->tu = engine_flow_tunnel(e, f);
	x->parents_len = 0;
	if (x->tu != NULL) {
		unsigned k;

		for (k = 0; k < x->tu->nparents; k++) {
			if (k > 0)
				x->parents[x->parents_len++] = ',';
			flow_uid_of(x->tu->parent[k],
			    x->parents + x->parents_len);
			x->parents_len += 18;
		}
	}
	x->parents[x->parents_len] = '\0';
	flow_community_id(f, 0, x->cid);
	engine_flow_geo(e, f, &x->og, &x->rg);
	x->ohlen = out_fmt_addr(f->key.ip_ver, x->o.addr, x->oh);
	x->rhlen = out_fmt_addr(f->key.ip_ver, x->r.addr, x->rh);
	/* Zeek's transport_proto: ICMPv6 is "icmp" too (the addresses
	 * tell the version), so the 5-tuple joins with conn.log. */
	x->proto = f->key.proto == 58 ? "icmp" :
	    out_rec_proto(f->key.proto, x->pbuf, sizeof x->pbuf);
	/* CSV, JSON and NDJSON: the record is written cell by cell, each
	 * cell's type known here, with no field array (the hot path of an
	 * export); a format without such a path takes the field array. */
	if ((p = out_csv_row_begin(w, OUT_REC_FLOW_NCOL)) != NULL) {
		OUT_REC_FLOW_COLUMNS(OUT_REC_CSV)
		return out_csv_row_end(w, p);
	}
	if ((p = out_json_row_begin(w, OUT_REC_FLOW_NCOL)) != NULL) {
		OUT_REC_FLOW_COLUMNS(OUT_REC_JSON)
		return out_json_row_end(w, p);
	}
	OUT_REC_FLOW_COLUMNS(OUT_REC_FILL)
	return out_record(w, v, i);
}

/* ---- hosts ---------------------------------------------------------- */

/* A host as its columns read it. */
struct out_rec_host {
	const struct engine *e;
	const struct geoip *geo;	/* borrowed, may be NULL */
	const struct host *h;
	char addr[OUT_ADDR_MAX];
	size_t addrlen;
};

/* The name is learned from DNS, DHCP or TLS: captured, so neutralised;
 * the organisation and city come from a GeoIP database: the same. */
#define OUT_REC_HOST_COLUMNS(C)						\
	C("addr",		out_v_token(x->addr, x->addrlen))	\
	C("ip_version",		out_v_uint(x->h->ip_ver))		\
	C("name",		out_v_captured(engine_name_lookup(x->e,	\
				    x->h->ip_ver, x->h->addr)))		\
	C("local",		out_v_bool(x->h->local))		\
	C("bytes_in",		out_v_uint(x->h->bytes_in))		\
	C("bytes_out",		out_v_uint(x->h->bytes_out))		\
	C("pkts_in",		out_v_uint(x->h->pkts_in))		\
	C("pkts_out",		out_v_uint(x->h->pkts_out))		\
	C("peers",		out_v_uint(x->h->peers))		\
	C("first_seen",		out_v_ts(x->h->first_ns))		\
	C("last_seen",		out_v_ts(x->h->last_ns))		\
	C("cc",			out_v_cc(&x->h->geo))			\
	C("asn",		out_v_uint_or_null(x->h->geo.asn))	\
	C("as_org",		out_v_geo_str(geoip_str(x->geo,	\
				    x->h->geo.org)))			\
	C("city",		out_v_geo_str(geoip_str(x->geo,	\
				    x->h->geo.city)))			\
	C("schema",		out_v_token(OUT_REC_HOSTS_SCHEMA,	\
				    sizeof OUT_REC_HOSTS_SCHEMA - 1))

static const char *const out_rec_host_names[] = {
	OUT_REC_HOST_COLUMNS(OUT_REC_NAME)
};
#define OUT_REC_HOST_NCOL (0 OUT_REC_HOST_COLUMNS(OUT_REC_ONE))

/* Hosts by wire bytes (in + out) descending, then by address. */
static int
out_rec_host_cmp(const void *a, const void *b)
{
	const struct host *x = *(const struct host *const *)a;
	const struct host *y = *(const struct host *const *)b;
	uint64_t tx = x->bytes_in + x->bytes_out;
	uint64_t ty = y->bytes_in + y->bytes_out;

	if (tx != ty)
		return tx > ty ? -1 : 1;
	if (x->ip_ver != y->ip_ver)
		return x->ip_ver < y->ip_ver ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof x->addr);
}

/* Write the hosts table. */
int
out_rec_hosts(struct out_writer *w, const struct engine *e)
{
	const struct host **hv, *h;
	struct out_rec_host rec, *x = &rec;
	struct out_field v[OUT_REC_HOST_NCOL];
	size_t n = 0, cap, k, i;

	cap = engine_host_count(e);
	hv = xreallocarray(NULL, cap > 0 ? cap : 1, sizeof *hv);
	/* A host all of whose frames went on into a tunnel (an endpoint
	 * that only carries tunnels) has nothing counted at its layer: the
	 * frames are its inner hosts'. */
	for (h = engine_host_first(e); h != NULL && n < cap;
	    h = engine_host_next(e, h))
		if (h->pkts_in + h->pkts_out != 0)
			hv[n++] = h;
	qsort(hv, n, sizeof *hv, out_rec_host_cmp);
	x->e = e;
	x->geo = engine_geoip(e);
	for (k = 0; k < n && out_error(w) == 0; k++) {
		x->h = hv[k];
		x->addrlen = out_fmt_addr(x->h->ip_ver, x->h->addr, x->addr);
		i = 0;
		OUT_REC_HOST_COLUMNS(OUT_REC_FILL)
		out_record(w, v, i);
	}
	free(hv);
	return out_error(w) != 0 ? -1 : 0;
}

/* ---- alerts --------------------------------------------------------- */

/* An alert as its columns read it. */
struct out_rec_alert {
	const struct alert *a;
	char uid[17];
};

/* A double as fixed point with 3 decimals. */
static inline struct out_field
out_v_milli(double d)
{
	return out_v_fixed((int64_t)(d * 1000 + (d < 0 ? -0.5 : 0.5)), 3);
}

/* Subject, peer and message may carry names taken from packets (and
 * source names from the command line): captured, so neutralised. */
#define OUT_REC_ALERT_COLUMNS(C)					\
	C("ts",			out_v_ts(x->a->ts_ns))			\
	C("id",			out_v_uint(x->a->id))			\
	C("uid",		out_v_token(x->uid, 16))		\
	C("kind",		out_v_token(alert_kind_name(x->a->kind), 0)) \
	C("severity",		out_v_token(alert_sev_name(x->a->sev), 0)) \
	C("state",		out_v_token(alert_state_name(x->a->state), 0)) \
	C("subject",		out_v_captured(x->a->subject))		\
	C("subject_name",	x->a->subject_name[0] != '\0' ?	\
				    out_v_captured(x->a->subject_name) : \
				    out_v_captured(NULL))		\
	C("peer",		x->a->peer[0] != '\0' ?			\
				    out_v_captured(x->a->peer) :	\
				    out_v_captured(NULL))		\
	C("port",		out_v_uint_or_null(x->a->port))		\
	C("message",		out_v_captured(x->a->message))		\
	C("value",		out_v_milli(x->a->value))		\
	C("threshold",		out_v_milli(x->a->threshold))		\
	C("count",		out_v_uint(x->a->count))		\
	C("notifications",	out_v_uint(x->a->notifications))	\
	C("last_ts",		out_v_ts(x->a->last_ns))		\
	C("resolved_ts",	x->a->resolved_ns != 0 ?		\
				    out_v_ts(x->a->resolved_ns) :	\
				    out_v_uint_or_null(0))		\
	C("community_id",	out_v_token(x->a->community_id, 0))	\
	C("ack_user",		out_v_str(x->a->ack_user))		\
	C("ack_ts",		x->a->ack_wall_ns != 0 ?		\
				    out_v_ts(x->a->ack_wall_ns) :	\
				    out_v_uint_or_null(0))		\
	C("schema",		out_v_token(OUT_REC_ALERTS_SCHEMA,	\
				    sizeof OUT_REC_ALERTS_SCHEMA - 1))

static const char *const out_rec_alert_names[] = {
	OUT_REC_ALERT_COLUMNS(OUT_REC_NAME)
};
#define OUT_REC_ALERT_NCOL (0 OUT_REC_ALERT_COLUMNS(OUT_REC_ONE))

/* Write one alert. */
int
out_rec_alert(struct out_writer *w, const struct alert *a)
{
	struct out_rec_alert rec, *x = &rec;
	struct out_field v[OUT_REC_ALERT_NCOL];
	size_t i = 0;

	if (out_error(w) != 0)
		return -1;
	x->a = a;
	snprintf(x->uid, sizeof x->uid, "%016llx", (unsigned long long)a->uid);
	OUT_REC_ALERT_COLUMNS(OUT_REC_FILL)
	return out_record(w, v, i);
}

/* ---- the summary ---------------------------------------------------- */

/* The summary's sources, and the array element a column reads. */
struct out_rec_sum {
	const struct engine *e;
	const struct engine_totals *t;
	struct pipeline *p;
	uint64_t flow_records;
	unsigned proto;			/* protocols: this element's number */
	struct capture *c;		/* sources: this element's capture */
	struct capture_stats cs;	/* its statistics */
	const struct engine_source *es;	/* its engine counters */
	char *scratch;			/* 16 bytes for this element's text */
	char own[16];			/* scratch of the CSV rows */
};

#define SUM(src) ((const struct out_rec_sum *)(src))

static void
sc_packets(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->packets);
}

static void
sc_bytes(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->bytes);
}

static void
sc_ip_packets(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->ip_packets);
}

static void
sc_non_ip_packets(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->non_ip_pkts);
}

/* First and last packet times; null without packets. */
static void
sc_first_ts(const void *s, struct out_field *v)
{
	out_rec_ts(v, SUM(s)->t->first_ns);
	if (SUM(s)->t->packets == 0)
		v->type = OUT_NULL;
}

static void
sc_last_ts(const void *s, struct out_field *v)
{
	out_rec_ts(v, SUM(s)->t->last_ns);
	if (SUM(s)->t->packets == 0)
		v->type = OUT_NULL;
}

static void
sc_hosts(const void *s, struct out_field *v)
{
	out_rec_uint(v, engine_host_count(SUM(s)->e));
}

/* Hosts dropped from the full table to make room for new ones. */
static void
sc_hosts_evicted(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->hosts_evicted);
}

/* Hosts never tracked: the table was full and nothing could go. */
static void
sc_hosts_untracked(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->hosts_untracked);
}

static void
sc_names(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->names_learned);
}

static void
sc_decoded(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->status[PKT_DECODED]);
}

static void
sc_truncated(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->status[PKT_TRUNCATED]);
}

static void
sc_invalid(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->status[PKT_INVALID]);
}

static void
sc_unsupported(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->status[PKT_UNSUPPORTED]);
}

static void
sc_proto_name(const void *s, struct out_field *v)
{
	out_rec_str(v, out_rec_proto((uint8_t)SUM(s)->proto,
	    SUM(s)->scratch, 16));
}

static void
sc_proto_number(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->proto);
}

static void
sc_proto_packets(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->by_proto_pkts[SUM(s)->proto]);
}

static void
sc_proto_bytes(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->by_proto_bytes[SUM(s)->proto]);
}

static void
sc_flow_records(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->flow_records);
}

static void
sc_flows_created(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->flows_created);
}

static void
sc_flows_evicted(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->flows_evicted);
}

static void
sc_src_name(const void *s, struct out_field *v)
{
	v->type = OUT_STR;
	v->v.s = capture_name(SUM(s)->c);
}

static void
sc_src_packets(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->cs.packets);
}

static void
sc_src_bytes(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->cs.bytes);
}

static void
sc_src_rx_bytes(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->es != NULL ? SUM(s)->es->rx_bytes : 0);
}

static void
sc_src_tx_bytes(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->es != NULL ? SUM(s)->es->tx_bytes : 0);
}

static void
sc_src_kernel_drops(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->cs.kernel_drops);
}

static void
sc_src_if_drops(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->cs.if_drops);
}

static void
sc_src_ring_drops(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->cs.ring_drops);
}

static void
sc_src_filtered(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->cs.filtered);
}

static void
sc_src_bad_records(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->cs.bad_records);
}

static void
sc_src_truncated(const void *s, struct out_field *v)
{
	v->type = OUT_BOOL;
	v->v.u = SUM(s)->cs.truncated != 0;
}

static void
sc_tunnel_frames(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->tunnel_frames);
}

static void
sc_tunnels_skipped(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->tunnels_skipped);
}

static void
sc_tunnel_parents_dropped(const void *s, struct out_field *v)
{
	out_rec_uint(v, SUM(s)->t->tunnel_parents_dropped);
}

static const struct out_col out_rec_tunnel_cols[] = {
	{ "frames", sc_tunnel_frames },
	{ "skipped", sc_tunnels_skipped },
	{ "parents_dropped", sc_tunnel_parents_dropped },
};

static const struct out_col out_rec_total_cols[] = {
	{ "packets", sc_packets },
	{ "bytes", sc_bytes },
	{ "ip_packets", sc_ip_packets },
	{ "non_ip_packets", sc_non_ip_packets },
	{ "first_ts", sc_first_ts },
	{ "last_ts", sc_last_ts },
	{ "hosts", sc_hosts },
	{ "hosts_evicted", sc_hosts_evicted },
	{ "hosts_untracked", sc_hosts_untracked },
	{ "names", sc_names },
};

static const struct out_col out_rec_decode_cols[] = {
	{ "decoded", sc_decoded },
	{ "truncated", sc_truncated },
	{ "invalid", sc_invalid },
	{ "unsupported", sc_unsupported },
};

/* The first column names the element (CSV: the key's prefix). */
static const struct out_col out_rec_proto_cols[] = {
	{ "proto", sc_proto_name },
	{ "number", sc_proto_number },
	{ "packets", sc_proto_packets },
	{ "bytes", sc_proto_bytes },
};

static const struct out_col out_rec_flows_cols[] = {
	{ "records", sc_flow_records },
	{ "created", sc_flows_created },
	{ "evicted", sc_flows_evicted },
};

static const struct out_col out_rec_source_cols[] = {
	{ "name", sc_src_name },
	{ "packets", sc_src_packets },
	{ "bytes", sc_src_bytes },
	{ "rx_bytes", sc_src_rx_bytes },
	{ "tx_bytes", sc_src_tx_bytes },
	{ "kernel_drops", sc_src_kernel_drops },
	{ "if_drops", sc_src_if_drops },
	{ "ring_drops", sc_src_ring_drops },
	{ "filtered", sc_src_filtered },
	{ "bad_records", sc_src_bad_records },
	{ "truncated", sc_src_truncated },
};

/* Protocols seen: element i is protocol number i, if it had packets. */
static size_t
out_rec_proto_count(struct out_rec_sum *x)
{
	(void)x;
	return 256;
}

static int
out_rec_proto_elem(struct out_rec_sum *x, size_t i)
{
	x->proto = (unsigned)i;
	return x->t->by_proto_pkts[i] != 0;
}

static size_t
out_rec_source_count(struct out_rec_sum *x)
{
	return pipeline_source_count(x->p);
}

static int
out_rec_source_elem(struct out_rec_sum *x, size_t i)
{
	x->c = pipeline_source(x->p, (unsigned)i);
	capture_get_stats(x->c, &x->cs);
	x->es = i < engine_source_count(x->e) ?
	    engine_source(x->e, (unsigned)i) : NULL;
	return 1;
}

/*
 * A group of summary values.  CSV: rows "section,KEY,value" where KEY is
 * the column name, or for arrays "E.name" with E the element's name
 * (keyed: column 0's value, not itself a row) or its index.  JSON: the
 * member "member" (an object, or an array of objects), or the top level.
 */
struct out_rec_group {
	const char *section;
	const char *member;		/* NULL: top level */
	const struct out_col *cols;
	size_t ncols;
	size_t	(*count)(struct out_rec_sum *);	/* arrays only */
	int	(*elem)(struct out_rec_sum *, size_t);	/* 0: skip it */
	int keyed;
};

#define OUT_REC_COLS(c) (c), (sizeof (c) / sizeof (c)[0])
static const struct out_rec_group out_rec_summary_groups[] = {
	{ "total", NULL, OUT_REC_COLS(out_rec_total_cols), NULL, NULL, 0 },
	{ "decode", "decode", OUT_REC_COLS(out_rec_decode_cols), NULL, NULL,
	  0 },
	{ "protocol", "protocols", OUT_REC_COLS(out_rec_proto_cols),
	  out_rec_proto_count, out_rec_proto_elem, 1 },
	{ "flows", "flows", OUT_REC_COLS(out_rec_flows_cols), NULL, NULL,
	  0 },
	{ "tunnel", "tunnels", OUT_REC_COLS(out_rec_tunnel_cols), NULL, NULL,
	  0 },
	{ "source", "sources", OUT_REC_COLS(out_rec_source_cols),
	  out_rec_source_count, out_rec_source_elem, 0 },
};
#define OUT_REC_NGROUPS \
	(sizeof out_rec_summary_groups / sizeof out_rec_summary_groups[0])

static const char *const out_rec_summary_cols[] = {
	"section", "key", "value", "schema",
};

/* One "section,key,value,schema" CSV row. */
static void
out_rec_summary_row(struct out_writer *w, const char *section,
    const char *key, struct out_field value)
{
	struct out_field f[4] = {
		OUT_F_STR("section", section),
		OUT_F_STR("key", key),
		value,
		OUT_F_STR("schema", OUT_REC_SUMMARY_SCHEMA),
	};

	f[2].name = "value";
	out_record(w, f, 4);
}

/* The summary as flat rows. */
static void
out_rec_summary_csv(struct out_writer *w, struct out_rec_sum *x)
{
	const struct out_rec_group *g;
	struct out_field v;
	char key[96], name[24];
	size_t gi, i, n, c;

	x->scratch = x->own;
	for (gi = 0; gi < OUT_REC_NGROUPS; gi++) {
		g = &out_rec_summary_groups[gi];
		if (g->count == NULL) {
			for (c = 0; c < g->ncols; c++) {
				g->cols[c].get(x, &v);
				out_rec_summary_row(w, g->section,
				    g->cols[c].name, v);
			}
			continue;
		}
		n = g->count(x);
		for (i = 0; i < n; i++) {
			if (!g->elem(x, i))
				continue;
			if (g->keyed) {
				g->cols[0].get(x, &v);
				snprintf(name, sizeof name, "%s",
				    v.v.s != NULL ? v.v.s : "");
			} else
				snprintf(name, sizeof name, "%zu", i);
			for (c = g->keyed ? 1 : 0; c < g->ncols; c++) {
				snprintf(key, sizeof key, "%s.%s", name,
				    g->cols[c].name);
				g->cols[c].get(x, &v);
				out_rec_summary_row(w, g->section, key, v);
			}
		}
	}
}

/* The summary as one object: the top-level group's values, then one
 * member per other group. */
static void
out_rec_summary_obj(struct out_writer *w, struct out_rec_sum *x)
{
	const struct out_rec_group *g;
	struct out_field top[64], *fv;
	struct out_rec *recs;
	char *text;
	size_t gi, i, n, c, ntop = 0, nel, cap = 0, used = 0;

	/* Storage for every array element's fields and text. */
	for (gi = 0; gi < OUT_REC_NGROUPS; gi++) {
		g = &out_rec_summary_groups[gi];
		cap += g->count != NULL ? g->count(x) * g->ncols : g->ncols;
	}
	fv = xreallocarray(NULL, cap > 0 ? cap : 1, sizeof *fv);
	recs = xreallocarray(NULL, cap > 0 ? cap : 1, sizeof *recs);
	text = xreallocarray(NULL, cap > 0 ? cap : 1, 16);
	for (gi = 0; gi < OUT_REC_NGROUPS; gi++) {
		g = &out_rec_summary_groups[gi];
		if (g->member == NULL) {
			for (c = 0; c < g->ncols && ntop < 64; c++) {
				top[ntop].name = g->cols[c].name;
				g->cols[c].get(x, &top[ntop++]);
			}
			continue;
		}
		if (ntop >= 64)
			break;
		top[ntop].name = g->member;
		if (g->count == NULL) {
			out_rec_fill(g->cols, g->ncols, x, fv + used);
			top[ntop].type = OUT_OBJECT;
			top[ntop].v.obj.f = fv + used;
			top[ntop].v.obj.n = g->ncols;
			used += g->ncols;
			ntop++;
			continue;
		}
		n = g->count(x);
		top[ntop].type = OUT_ARRAY;
		top[ntop].v.arr.v = recs + used;
		nel = 0;
		for (i = 0; i < n; i++) {
			if (!g->elem(x, i))
				continue;
			x->scratch = text + (used + nel) * 16;
			out_rec_fill(g->cols, g->ncols, x,
			    fv + used + nel * g->ncols);
			recs[used + nel].f = fv + used + nel * g->ncols;
			recs[used + nel].n = g->ncols;
			nel++;
		}
		top[ntop].v.arr.n = nel;
		/* recs and fv share the index space: keep them apart. */
		used += nel * g->ncols;
		ntop++;
	}
	out_record(w, top, ntop);
	free(fv);
	free(recs);
	free(text);
}

/* Write the summary. */
int
out_rec_summary(struct out_writer *w, const struct engine *e,
    struct pipeline *p, uint64_t flow_records)
{
	struct out_rec_sum x;

	memset(&x, 0, sizeof x);
	x.e = e;
	x.t = engine_totals(e);
	x.p = p;
	x.flow_records = flow_records;
	if (out_is_flat(w))
		out_rec_summary_csv(w, &x);
	else
		out_rec_summary_obj(w, &x);
	return out_error(w) != 0 ? -1 : 0;
}

/* ---- documents ------------------------------------------------------ */

/* Start a document of one kind.  Flows and hosts gained columns (the
 * GeoIP ones) that records read back from an older store lack: such a
 * record, its fields in the columns' order, gets nulls there. */
int
out_rec_begin(struct out_writer *w, enum out_rec_kind kind)
{
	int rc;

	switch (kind) {
	case OUT_REC_FLOWS:
		rc = out_begin(w, OUT_REC_FLOWS_SCHEMA, "flows",
		    out_rec_flow_names, OUT_REC_FLOW_NCOL);
		out_set_sparse(w);
		return rc;
	case OUT_REC_HOSTS:
		rc = out_begin(w, OUT_REC_HOSTS_SCHEMA, "hosts",
		    out_rec_host_names, OUT_REC_HOST_NCOL);
		out_set_sparse(w);
		return rc;
	case OUT_REC_ALERTS:
		return out_begin(w, OUT_REC_ALERTS_SCHEMA, "alerts",
		    out_rec_alert_names, OUT_REC_ALERT_NCOL);
	case OUT_REC_SUMMARY:
	default:
		/* CSV: rows of a "summary" list; JSON: one object. */
		return out_begin(w, OUT_REC_SUMMARY_SCHEMA,
		    out_is_flat(w) ? "summary" : NULL, out_rec_summary_cols,
		    4);
	}
}

/* Return a kind's i-th CSV column name. */
const char *
out_rec_column(enum out_rec_kind kind, size_t i)
{
	switch (kind) {
	case OUT_REC_FLOWS:
		return i < OUT_REC_FLOW_NCOL ? out_rec_flow_names[i] : NULL;
	case OUT_REC_HOSTS:
		return i < OUT_REC_HOST_NCOL ? out_rec_host_names[i] : NULL;
	case OUT_REC_ALERTS:
		return i < OUT_REC_ALERT_NCOL ? out_rec_alert_names[i] : NULL;
	case OUT_REC_SUMMARY:
	default:
		return i < 4 ? out_rec_summary_cols[i] : NULL;
	}
}
