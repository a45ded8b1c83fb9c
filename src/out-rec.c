/*
 * out-rec.c: the records wiretop exports: flows, hosts and the summary.
 *
 * Main thread (the thread that owns the engine and the writer).  Each
 * record kind is a table of columns, declared once below: a column is a
 * name and a function that reads its value from the record's source (a
 * flow, a host, the engine's totals).  The CSV header, the JSON keys and
 * the values all come from that table, so a column cannot fill another
 * column's field, and a null is decided by the column itself.
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

#include "capture.h"
#include "engine.h"
#include "out.h"
#include "pipeline.h"
#include "xmalloc.h"

#define OUT_REC_FLOWS_SCHEMA	"wiretop.flows/1"
#define OUT_REC_HOSTS_SCHEMA	"wiretop.hosts/1"
#define OUT_REC_SUMMARY_SCHEMA	"wiretop.summary/1"

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

/* A string wiretop made from a safe alphabet (out.h OUT_TOKEN), or null
 * if s is NULL or empty. */
static void
out_rec_token(struct out_field *v, const char *s)
{
	v->type = s != NULL && *s != '\0' ? OUT_TOKEN : OUT_NULL;
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

/* ---- flows ---------------------------------------------------------- */

/* A flow as its columns read it: the flow and what is derived once. */
struct out_rec_flow {
	const struct flow *f;
	struct flow_ep o, r;
	char uid[20];
	char cid[64];
	char oh[OUT_ADDR_MAX];
	char rh[OUT_ADDR_MAX];
	const char *proto;	/* points to a static name or pbuf */
	char pbuf[8];
};

#define FLOW(src) ((const struct out_rec_flow *)(src))

static void
fc_ts(const void *s, struct out_field *v)
{
	out_rec_ts(v, FLOW(s)->f->first_ns);
}

static void
fc_uid(const void *s, struct out_field *v)
{
	out_rec_token(v, FLOW(s)->uid);
}

static void
fc_orig_h(const void *s, struct out_field *v)
{
	out_rec_token(v, FLOW(s)->oh);
}

static void
fc_orig_p(const void *s, struct out_field *v)
{
	out_rec_uint(v, FLOW(s)->o.port);
}

static void
fc_resp_h(const void *s, struct out_field *v)
{
	out_rec_token(v, FLOW(s)->rh);
}

static void
fc_resp_p(const void *s, struct out_field *v)
{
	out_rec_uint(v, FLOW(s)->r.port);
}

static void
fc_proto(const void *s, struct out_field *v)
{
	out_rec_token(v, FLOW(s)->proto);
}

static void
fc_service(const void *s, struct out_field *v)
{
	out_rec_str(v, flow_service(FLOW(s)->f));
}

static void
fc_duration(const void *s, struct out_field *v)
{
	const struct flow *f = FLOW(s)->f;

	v->type = OUT_FIXED;
	v->v.fx.val = (int64_t)(f->last_ns / 1000) -
	    (int64_t)(f->first_ns / 1000);
	v->v.fx.dec = 6;
}

static void
fc_orig_bytes(const void *s, struct out_field *v)
{
	out_rec_uint(v, FLOW(s)->f->dir[0].bytes);
}

static void
fc_resp_bytes(const void *s, struct out_field *v)
{
	out_rec_uint(v, FLOW(s)->f->dir[1].bytes);
}

static void
fc_conn_state(const void *s, struct out_field *v)
{
	out_rec_token(v, flow_conn_state(FLOW(s)->f));
}

static void
fc_history(const void *s, struct out_field *v)
{
	out_rec_token(v, FLOW(s)->f->history);
}

static void
fc_orig_pkts(const void *s, struct out_field *v)
{
	out_rec_uint(v, FLOW(s)->f->dir[0].pkts);
}

static void
fc_orig_ip_bytes(const void *s, struct out_field *v)
{
	out_rec_uint(v, FLOW(s)->f->dir[0].ip_bytes);
}

static void
fc_resp_pkts(const void *s, struct out_field *v)
{
	out_rec_uint(v, FLOW(s)->f->dir[1].pkts);
}

static void
fc_resp_ip_bytes(const void *s, struct out_field *v)
{
	out_rec_uint(v, FLOW(s)->f->dir[1].ip_bytes);
}

static void
fc_orig_wire_bytes(const void *s, struct out_field *v)
{
	out_rec_uint(v, FLOW(s)->f->dir[0].wire_bytes);
}

static void
fc_resp_wire_bytes(const void *s, struct out_field *v)
{
	out_rec_uint(v, FLOW(s)->f->dir[1].wire_bytes);
}

/* VLAN id; null when untagged. */
static void
fc_vlan(const void *s, struct out_field *v)
{
	uint16_t vlan = FLOW(s)->f->key.vlan;

	out_rec_uint(v, vlan);
	if (vlan == 0)
		v->type = OUT_NULL;
}

static void
fc_community_id(const void *s, struct out_field *v)
{
	out_rec_token(v, FLOW(s)->cid);
}

/* Handshake RTT in ms; null when no handshake was timed. */
static void
fc_rtt_ms(const void *s, struct out_field *v)
{
	uint32_t rtt = FLOW(s)->f->rtt_us;

	v->type = rtt != 0 ? OUT_FIXED : OUT_NULL;
	v->v.fx.val = rtt;
	v->v.fx.dec = 3;
}

static void
fc_retrans(const void *s, struct out_field *v)
{
	out_rec_uint(v, FLOW(s)->f->retrans);
}

static void
fc_schema(const void *s, struct out_field *v)
{
	(void)s;
	out_rec_token(v, OUT_REC_FLOWS_SCHEMA);
}

static const struct out_col out_rec_flow_cols[] = {
	{ "ts", fc_ts },
	{ "uid", fc_uid },
	{ "id.orig_h", fc_orig_h },
	{ "id.orig_p", fc_orig_p },
	{ "id.resp_h", fc_resp_h },
	{ "id.resp_p", fc_resp_p },
	{ "proto", fc_proto },
	{ "service", fc_service },
	{ "duration", fc_duration },
	{ "orig_bytes", fc_orig_bytes },
	{ "resp_bytes", fc_resp_bytes },
	{ "conn_state", fc_conn_state },
	{ "history", fc_history },
	{ "orig_pkts", fc_orig_pkts },
	{ "orig_ip_bytes", fc_orig_ip_bytes },
	{ "resp_pkts", fc_resp_pkts },
	{ "resp_ip_bytes", fc_resp_ip_bytes },
	{ "orig_wire_bytes", fc_orig_wire_bytes },
	{ "resp_wire_bytes", fc_resp_wire_bytes },
	{ "vlan", fc_vlan },
	{ "community_id", fc_community_id },
	{ "rtt_ms", fc_rtt_ms },
	{ "retrans", fc_retrans },
	{ "schema", fc_schema },
};
#define OUT_REC_FLOW_NCOL \
	(sizeof out_rec_flow_cols / sizeof out_rec_flow_cols[0])

/* Write one flow record. */
int
out_rec_flow(struct out_writer *w, const struct flow *f)
{
	struct out_rec_flow x;
	struct out_field v[OUT_REC_FLOW_NCOL];

	if (out_error(w) != 0)
		return -1;
	x.f = f;
	flow_endpoints(f, &x.o, &x.r);
	flow_uid(f, x.uid);
	flow_community_id(f, 0, x.cid);
	out_fmt_addr(f->key.ip_ver, x.o.addr, x.oh);
	out_fmt_addr(f->key.ip_ver, x.r.addr, x.rh);
	x.proto = out_rec_proto(f->key.proto, x.pbuf, sizeof x.pbuf);
	out_rec_fill(out_rec_flow_cols, OUT_REC_FLOW_NCOL, &x, v);
	return out_record(w, v, OUT_REC_FLOW_NCOL);
}

/* ---- hosts ---------------------------------------------------------- */

/* A host as its columns read it. */
struct out_rec_host {
	const struct engine *e;
	const struct host *h;
	char addr[OUT_ADDR_MAX];
};

#define HOST(src) ((const struct out_rec_host *)(src))

static void
hc_addr(const void *s, struct out_field *v)
{
	out_rec_token(v, HOST(s)->addr);
}

static void
hc_ip_version(const void *s, struct out_field *v)
{
	out_rec_uint(v, HOST(s)->h->ip_ver);
}

/* The name learned from DNS, DHCP or TLS: captured, so neutralised. */
static void
hc_name(const void *s, struct out_field *v)
{
	const struct host *h = HOST(s)->h;

	v->v.s = engine_name_lookup(HOST(s)->e, h->ip_ver, h->addr);
	v->type = v->v.s != NULL ? OUT_CAPTURED : OUT_NULL;
}

static void
hc_local(const void *s, struct out_field *v)
{
	v->type = OUT_BOOL;
	v->v.u = HOST(s)->h->local != 0;
}

static void
hc_bytes_in(const void *s, struct out_field *v)
{
	out_rec_uint(v, HOST(s)->h->bytes_in);
}

static void
hc_bytes_out(const void *s, struct out_field *v)
{
	out_rec_uint(v, HOST(s)->h->bytes_out);
}

static void
hc_pkts_in(const void *s, struct out_field *v)
{
	out_rec_uint(v, HOST(s)->h->pkts_in);
}

static void
hc_pkts_out(const void *s, struct out_field *v)
{
	out_rec_uint(v, HOST(s)->h->pkts_out);
}

static void
hc_peers(const void *s, struct out_field *v)
{
	out_rec_uint(v, HOST(s)->h->peers);
}

static void
hc_first_seen(const void *s, struct out_field *v)
{
	out_rec_ts(v, HOST(s)->h->first_ns);
}

static void
hc_last_seen(const void *s, struct out_field *v)
{
	out_rec_ts(v, HOST(s)->h->last_ns);
}

static void
hc_schema(const void *s, struct out_field *v)
{
	(void)s;
	out_rec_token(v, OUT_REC_HOSTS_SCHEMA);
}

static const struct out_col out_rec_host_cols[] = {
	{ "addr", hc_addr },
	{ "ip_version", hc_ip_version },
	{ "name", hc_name },
	{ "local", hc_local },
	{ "bytes_in", hc_bytes_in },
	{ "bytes_out", hc_bytes_out },
	{ "pkts_in", hc_pkts_in },
	{ "pkts_out", hc_pkts_out },
	{ "peers", hc_peers },
	{ "first_seen", hc_first_seen },
	{ "last_seen", hc_last_seen },
	{ "schema", hc_schema },
};
#define OUT_REC_HOST_NCOL \
	(sizeof out_rec_host_cols / sizeof out_rec_host_cols[0])

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
	struct out_rec_host x;
	struct out_field v[OUT_REC_HOST_NCOL];
	size_t n = 0, cap, i;

	cap = engine_host_count(e);
	hv = xreallocarray(NULL, cap > 0 ? cap : 1, sizeof *hv);
	for (h = engine_host_first(e); h != NULL && n < cap;
	    h = engine_host_next(e, h))
		hv[n++] = h;
	qsort(hv, n, sizeof *hv, out_rec_host_cmp);
	x.e = e;
	for (i = 0; i < n && out_error(w) == 0; i++) {
		x.h = hv[i];
		out_fmt_addr(x.h->ip_ver, x.h->addr, x.addr);
		out_rec_fill(out_rec_host_cols, OUT_REC_HOST_NCOL, &x, v);
		out_record(w, v, OUT_REC_HOST_NCOL);
	}
	free(hv);
	return out_error(w) != 0 ? -1 : 0;
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

/* Start a document of one kind. */
int
out_rec_begin(struct out_writer *w, enum out_rec_kind kind)
{
	const char *cols[OUT_REC_FLOW_NCOL];
	size_t i;

	switch (kind) {
	case OUT_REC_FLOWS:
		for (i = 0; i < OUT_REC_FLOW_NCOL; i++)
			cols[i] = out_rec_flow_cols[i].name;
		return out_begin(w, OUT_REC_FLOWS_SCHEMA, "flows", cols,
		    OUT_REC_FLOW_NCOL);
	case OUT_REC_HOSTS:
		for (i = 0; i < OUT_REC_HOST_NCOL; i++)
			cols[i] = out_rec_host_cols[i].name;
		return out_begin(w, OUT_REC_HOSTS_SCHEMA, "hosts", cols,
		    OUT_REC_HOST_NCOL);
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
		return i < OUT_REC_FLOW_NCOL ? out_rec_flow_cols[i].name : NULL;
	case OUT_REC_HOSTS:
		return i < OUT_REC_HOST_NCOL ? out_rec_host_cols[i].name : NULL;
	case OUT_REC_SUMMARY:
	default:
		return i < 4 ? out_rec_summary_cols[i] : NULL;
	}
}
