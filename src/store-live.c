/*
 * store-live.c: the daemon's live snapshot in the history database: what
 * its screen would show now (top hosts and flows, services, protocols,
 * the sources' header facts and bandwidth), for `wiretop view`.
 *
 * Two halves, two threads.  store_live_collect() runs on the main thread
 * in the store's tick callback (at most once per wall-clock second, and
 * ticks come once per packet-time second): it reads the engine as the UI
 * panes do, keeps the best STORE_LIVE_ROWS hosts and flows with a bounded
 * heap (one comparison for most entries, no allocation per entry) and
 * copies them into a struct store_live that rides in the next batch.
 * store_live_write() runs on the store thread inside the batch's
 * transaction and replaces the previous snapshot (live_* tables), so a
 * reader always sees one whole snapshot.  Rates are bytes per second of
 * packet time; times are ns since the epoch (wall_ns, pkt_ns) or s.
 */
#include "config.h"
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "fmt.h"
#include "geoip.h"
#include "xmalloc.h"

#define STORE_LIVE_ROWS		200	/* hosts, flows, services at most */
#define STORE_LIVE_WANT		50	/* top hosts given a PTR lookup */
#define STORE_LIVE_SOURCES	8	/* sources in the snapshot at most */
#define STORE_LIVE_SERIES	300	/* seconds of bandwidth per source */
#define STORE_LIVE_SVC_SLOTS	1024	/* open hash of services, power of 2 */

struct live_host {
	char addr[FMT_ADDR_MAX];
	char name[PKT_NAME_MAX];
	double in[3], out[3];		/* 2, 10, 40 s */
	uint64_t bytes_in, bytes_out, flows;
	int64_t last_s;
	char cc[3];			/* GeoIP country, "" unknown */
};

struct live_flow {
	char proto[PROTO_NAME_MAX];
	uint8_t proto_num;
	char orig[FMT_ADDR_MAX], resp[FMT_ADDR_MAX];
	uint16_t orig_p, resp_p;
	char orig_name[PKT_NAME_MAX], resp_name[PKT_NAME_MAX];
	char service[24];
	char state[8];
	double dur_s, orate, rrate;
	uint64_t bytes;
	uint32_t rtt_us, retrans;
};

struct live_share {
	char kind[8];			/* "proto" or "service" */
	char name[32];
	uint64_t bytes;
};

struct live_src {
	char name[64];
	char state[16];
	char detail[96];
	double rx, tx, pps;
	uint64_t drops_kernel, drops_iface, drops_ring, flows, hosts;
	char *rx_series, *tx_series;	/* owned: "n,n,...", bytes/s */
};

struct store_live {
	int64_t wall_ns, pkt_ns;
	uint64_t flows_total, hosts_total, packets;
	uint64_t hist_dropped, hist_retries;
	struct live_host *hosts;	/* owned */
	size_t nhosts;
	struct live_flow *flows;	/* owned */
	size_t nflows;
	struct live_share *shares;	/* owned */
	size_t nshares;
	struct live_src src[STORE_LIVE_SOURCES];
	unsigned nsrc;
};

/* What the main thread remembers between collects. */
struct store_live_state {
	int64_t last_mono_ns;		/* monotonic time of the last
					   collect, ns; -1: none */
	struct {
		char state[16];
		char detail[96];
		uint64_t kernel, iface, ring;
	} src[STORE_LIVE_SOURCES];
};

/* ---- a bounded min-heap: the best k by (k1, k2) ---------------------- */

struct live_ent {
	double k1, k2;
	const void *p;
};

static int
live_less(const struct live_ent *a, const struct live_ent *b)
{
	if (a->k1 != b->k1)
		return a->k1 < b->k1;
	return a->k2 < b->k2;
}

static void
live_heap_add(struct live_ent *h, size_t *n, size_t k, const struct
    live_ent *e)
{
	size_t i, c;
	struct live_ent t;

	if (*n == k) {
		if (k == 0 || !live_less(&h[0], e))
			return;
		h[0] = *e;
		for (i = 0;;) {		/* sift down */
			c = 2 * i + 1;
			if (c >= *n)
				break;
			if (c + 1 < *n && live_less(&h[c + 1], &h[c]))
				c++;
			if (!live_less(&h[c], &h[i]))
				break;
			t = h[c], h[c] = h[i], h[i] = t;
			i = c;
		}
		return;
	}
	i = (*n)++;
	h[i] = *e;
	while (i > 0 && live_less(&h[i], &h[(i - 1) / 2])) {	/* sift up */
		c = (i - 1) / 2;
		t = h[c], h[c] = h[i], h[i] = t;
		i = c;
	}
}

static int
live_ent_cmp(const void *a, const void *b)
{
	const struct live_ent *x = a, *y = b;

	if (live_less(x, y))
		return 1;
	if (live_less(y, x))
		return -1;
	return 0;
}

/* ---- collect (main thread) ------------------------------------------- */

struct store_live_state *
store_live_state_create(void)
{
	struct store_live_state *st = xcalloc(1, sizeof *st);

	st->last_mono_ns = -1;
	return st;
}

void
store_live_state_free(struct store_live_state *st)
{
	free(st);
}

void
store_live_source(struct store_live_state *st,
    const struct engine_source_event *ev)
{
	const char *state = NULL;

	if (st == NULL || ev->source >= STORE_LIVE_SOURCES)
		return;
	st->src[ev->source].kernel = ev->drops_kernel;
	st->src[ev->source].iface = ev->drops_iface;
	st->src[ev->source].ring = ev->drops_ring;
	switch (ev->kind) {
	case ENGINE_SRC_GONE:
		state = "gone";
		break;
	case ENGINE_SRC_EOF:
		state = "finished";
		break;
	case ENGINE_SRC_ERROR:
		state = "failed";
		break;
	default:
		break;
	}
	if (state != NULL) {
		snprintf(st->src[ev->source].state,
		    sizeof st->src[ev->source].state, "%s", state);
		snprintf(st->src[ev->source].detail,
		    sizeof st->src[ev->source].detail, "%s",
		    ev->detail != NULL ? ev->detail : "");
	}
}

static int64_t
live_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Rate of r over secs, 0 without reading the ring for an idle entry. */
static double
live_rate(const struct rate *r, uint64_t last_ns, uint64_t now_sec,
    unsigned secs)
{
	if (r == NULL || last_ns / 1000000000u + secs < now_sec)
		return 0;
	return rate_avg(r, now_sec, secs);
}

/* A flow's rate in direction d over 10 s: from its rate ring when the
 * engine keeps one (the screen), else, for a flow active in the last
 * 10 s, its average over its life: the daemon keeps no per-flow rings
 * (528 bytes a flow), only per-host ones. */
static double
live_flow_rate(const struct engine *e, const struct flow *f, int d,
    uint64_t now_sec)
{
	const struct rate *r = flow_rate(e, f, d);
	double dur;

	if (r != NULL)
		return live_rate(r, f->last_ns, now_sec, 10);
	if (f->last_ns / 1000000000u + 10 < now_sec)
		return 0;
	dur = (double)(f->last_ns - f->first_ns) / 1e9;
	return (double)f->dir[d].wire_bytes / (dur < 1 ? 1 : dur);
}

static void
live_hosts(struct store_live *l, const struct engine *e, uint64_t now_sec)
{
	struct live_ent *heap = xcalloc(STORE_LIVE_ROWS, sizeof *heap), x;
	const struct host *h;
	struct live_host *o;
	const char *nm;
	size_t n = 0, i;

	for (h = engine_host_first(e); h != NULL; h = engine_host_next(e, h)) {
		if (h->pkts_in + h->pkts_out == 0)
			continue;
		x.k2 = (double)(h->bytes_in + h->bytes_out);
		/* a 10 s rate is at most a tenth of the total: most hosts
		 * are out without a read of their rings */
		if (n == STORE_LIVE_ROWS && x.k2 / 10 < heap[0].k1)
			continue;
		x.k1 = live_rate(host_rate_in(h), h->last_ns, now_sec, 10) +
		    live_rate(host_rate_out(h), h->last_ns, now_sec, 10);
		x.p = h;
		live_heap_add(heap, &n, STORE_LIVE_ROWS, &x);
	}
	qsort(heap, n, sizeof *heap, live_ent_cmp);
	l->hosts = xcalloc(n ? n : 1, sizeof *l->hosts);
	for (i = 0; i < n; i++) {
		static const unsigned win[3] = { 2, 10, 40 };
		unsigned k;

		h = heap[i].p;
		o = &l->hosts[i];
		fmt_addr(h->ip_ver, h->addr, o->addr, sizeof o->addr);
		/* resolve = reverse: the top hosts, what wiretop view
		 * shows, are looked up */
		if (i < STORE_LIVE_WANT)
			engine_name_want(e, h->ip_ver, h->addr);
		nm = engine_name_lookup(e, h->ip_ver, h->addr);
		snprintf(o->name, sizeof o->name, "%s", nm ? nm : "");
		for (k = 0; k < 3; k++) {
			o->in[k] = live_rate(host_rate_in(h), h->last_ns,
			    now_sec, win[k]);
			o->out[k] = live_rate(host_rate_out(h), h->last_ns,
			    now_sec, win[k]);
		}
		o->bytes_in = h->bytes_in;
		o->bytes_out = h->bytes_out;
		o->flows = h->flows_active;
		o->last_s = (int64_t)(h->last_ns / 1000000000u);
		if (h->geo.cc[0] != '\0')
			geoip_cc(&h->geo, o->cc);
	}
	l->nhosts = n;
	free(heap);
}

/* Services and protocols, as the services pane sums them: the bytes of
 * the flows now in the table by service name (flow_service() names come
 * from a static table: keyed by pointer), all traffic by protocol. */
struct live_svc {
	const char *svc;
	uint64_t bytes;
	uint8_t used, proto;
};

static void
live_share_add(struct store_live *l, size_t *cap, const char *kind,
    const char *name, uint64_t bytes)
{
	size_t i;

	for (i = 0; i < l->nshares; i++) {
		if (strcmp(l->shares[i].kind, kind) == 0 &&
		    strcmp(l->shares[i].name, name) == 0) {
			l->shares[i].bytes += bytes;
			return;
		}
	}
	if (l->nshares == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		l->shares = xreallocarray(l->shares, *cap, sizeof *l->shares);
	}
	snprintf(l->shares[l->nshares].kind, sizeof l->shares[0].kind, "%s",
	    kind);
	snprintf(l->shares[l->nshares].name, sizeof l->shares[0].name, "%s",
	    name);
	l->shares[l->nshares++].bytes = bytes;
}

static int
live_share_cmp(const void *a, const void *b)
{
	const struct live_share *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);

	if (c != 0)
		return c;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
live_flows(struct store_live *l, const struct engine *e, uint64_t now_sec)
{
	struct live_ent *heap = xcalloc(STORE_LIVE_ROWS, sizeof *heap), x;
	struct live_svc *svc = xcalloc(STORE_LIVE_SVC_SLOTS, sizeof *svc);
	const struct engine_totals *t = engine_totals(e);
	const struct flow *f;
	struct live_flow *o;
	struct flow_ep oe, re;
	const char *s, *nm;
	char buf[48];
	size_t n = 0, i, cap = 0, slot;
	uint64_t bytes;
	unsigned k;
	int rings;

	f = engine_flow_first(e);
	rings = f != NULL && flow_rate(e, f, 0) != NULL;
	for (; f != NULL; f = engine_flow_next(e, f)) {
		bytes = f->dir[0].wire_bytes + f->dir[1].wire_bytes;
		x.k2 = (double)bytes;
		x.p = f;
		/* with a ring the 10 s rate is at most a tenth of the
		 * total; a life average is at most the total */
		if (n < STORE_LIVE_ROWS || x.k2 / (rings ? 10 : 1) >=
		    heap[0].k1) {
			x.k1 = live_flow_rate(e, f, 0, now_sec) +
			    live_flow_rate(e, f, 1, now_sec);
			live_heap_add(heap, &n, STORE_LIVE_ROWS, &x);
		}
		s = flow_service(f);
		slot = (s != NULL ? (size_t)(uintptr_t)s >> 3 :
		    f->key.proto) & (STORE_LIVE_SVC_SLOTS - 1);
		for (k = 0; k < STORE_LIVE_SVC_SLOTS; k++) {
			struct live_svc *v = &svc[(slot + k) &
			    (STORE_LIVE_SVC_SLOTS - 1)];

			if (!v->used) {
				v->used = 1;
				v->svc = s;
				v->proto = f->key.proto;
			}
			if (v->svc == s && (s != NULL ||
			    v->proto == f->key.proto)) {
				v->bytes += bytes;
				break;
			}
		}
	}
	qsort(heap, n, sizeof *heap, live_ent_cmp);
	l->flows = xcalloc(n ? n : 1, sizeof *l->flows);
	for (i = 0; i < n; i++) {
		f = heap[i].p;
		o = &l->flows[i];
		flow_endpoints(f, &oe, &re);
		o->proto_num = f->key.proto;
		s = proto_name(f->key.proto);
		if (s != NULL)
			snprintf(o->proto, sizeof o->proto, "%s", s);
		else
			snprintf(o->proto, sizeof o->proto, "%u", f->key.proto);
		fmt_addr(f->key.ip_ver, oe.addr, o->orig, sizeof o->orig);
		fmt_addr(f->key.ip_ver, re.addr, o->resp, sizeof o->resp);
		o->orig_p = oe.port;
		o->resp_p = re.port;
		nm = engine_name_lookup(e, f->key.ip_ver, oe.addr);
		snprintf(o->orig_name, sizeof o->orig_name, "%s", nm ? nm : "");
		nm = engine_name_lookup(e, f->key.ip_ver, re.addr);
		snprintf(o->resp_name, sizeof o->resp_name, "%s", nm ? nm : "");
		s = flow_service(f);
		snprintf(o->service, sizeof o->service, "%s", s ? s : "");
		snprintf(o->state, sizeof o->state, "%s", flow_conn_state(f));
		o->dur_s = (double)(f->last_ns - f->first_ns) / 1e9;
		o->orate = live_flow_rate(e, f, 0, now_sec);
		o->rrate = live_flow_rate(e, f, 1, now_sec);
		o->bytes = f->dir[0].wire_bytes + f->dir[1].wire_bytes;
		o->rtt_us = f->rtt_us;
		o->retrans = f->retrans;
	}
	l->nflows = n;
	free(heap);

	for (i = 0; i < STORE_LIVE_SVC_SLOTS; i++) {
		if (!svc[i].used)
			continue;
		if (svc[i].svc != NULL)
			live_share_add(l, &cap, "service", svc[i].svc,
			    svc[i].bytes);
		else {
			s = proto_name(svc[i].proto);
			if (s != NULL)
				snprintf(buf, sizeof buf, "%s other", s);
			else
				snprintf(buf, sizeof buf, "proto %u",
				    svc[i].proto);
			live_share_add(l, &cap, "service", buf, svc[i].bytes);
		}
	}
	free(svc);
	for (k = 0; k < 256; k++) {
		if (t->by_proto_bytes[k] == 0)
			continue;
		s = proto_name((uint8_t)k);
		if (s == NULL) {
			snprintf(buf, sizeof buf, "ip proto %u", k);
			s = buf;
		}
		live_share_add(l, &cap, "proto", s, t->by_proto_bytes[k]);
	}
	if (t->non_ip_bytes > 0)
		live_share_add(l, &cap, "proto", "non-ip", t->non_ip_bytes);
	if (l->nshares > 0)
		qsort(l->shares, l->nshares, sizeof *l->shares,
		    live_share_cmp);
}

/* "n,n,..." of a source's last STORE_LIVE_SERIES seconds (owned). */
static char *
live_series(const struct rate_hist *r, uint64_t now_sec)
{
	uint64_t v[STORE_LIVE_SERIES];
	char *s = xmalloc(STORE_LIVE_SERIES * 21 + 1);
	size_t o = 0;
	unsigned i;

	rate_hist_series(r, now_sec, v, STORE_LIVE_SERIES);
	s[0] = '\0';
	for (i = 0; i < STORE_LIVE_SERIES; i++)
		o += (size_t)snprintf(s + o, 22, "%s%llu", i ? "," : "",
		    (unsigned long long)v[i]);
	return s;
}

struct store_live *
store_live_collect(struct store_live_state *st, const struct engine *e)
{
	struct store_live *l;
	const struct engine_source *src;
	struct live_src *o;
	uint64_t now_ns = engine_now(e), now_sec = now_ns / 1000000000u;
	int64_t mono = live_clock(CLOCK_MONOTONIC);
	unsigned i, n = engine_source_count(e);

	/* about once per second of wall clock (the caller, a tick, comes
	 * at most once per second of packet clock): a tick a little early
	 * must not push the snapshot to the next one, 2 s later */
	if (st->last_mono_ns >= 0 && mono - st->last_mono_ns < 900000000)
		return NULL;
	st->last_mono_ns = mono;

	l = xcalloc(1, sizeof *l);
	l->wall_ns = live_clock(CLOCK_REALTIME);
	l->pkt_ns = (int64_t)now_ns;
	l->flows_total = engine_flow_count(e);
	l->hosts_total = engine_host_count(e);
	l->packets = engine_totals(e)->packets;
	live_hosts(l, e, now_sec);
	live_flows(l, e, now_sec);
	for (i = 0; i < n && i < STORE_LIVE_SOURCES; i++) {
		src = engine_source(e, i);
		o = &l->src[i];
		snprintf(o->name, sizeof o->name, "%s", src->name);
		snprintf(o->state, sizeof o->state, "%s", st->src[i].state[0] ?
		    st->src[i].state : src->gone ? "gone" : "live");
		snprintf(o->detail, sizeof o->detail, "%s",
		    st->src[i].detail[0] ? st->src[i].detail :
		    src->state_detail);
		o->rx = rate_hist_avg(&src->rx, now_sec, 2);
		o->tx = rate_hist_avg(&src->tx, now_sec, 2);
		o->pps = rate_hist_pps(&src->rx, now_sec, 2) +
		    rate_hist_pps(&src->tx, now_sec, 2);
		o->drops_kernel = st->src[i].kernel;
		o->drops_iface = st->src[i].iface;
		o->drops_ring = st->src[i].ring;
		o->flows = src->flows_active;
		o->hosts = src->hosts_active;
		o->rx_series = live_series(&src->rx, now_sec);
		o->tx_series = live_series(&src->tx, now_sec);
	}
	l->nsrc = i;
	return l;
}

void
store_live_free(struct store_live *l)
{
	unsigned i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nsrc; i++) {
		free(l->src[i].rx_series);
		free(l->src[i].tx_series);
	}
	free(l->hosts);
	free(l->flows);
	free(l->shares);
	free(l);
}

/* ---- write (store thread) -------------------------------------------- */

static int
live_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static int
live_step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void
live_text(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

void
store_live_history(struct store_live *l, uint64_t dropped, uint64_t retries)
{
	l->hist_dropped = dropped;
	l->hist_retries = retries;
}

int
store_live_write(sqlite3 *db, const struct store_live *l)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	if ((rc = live_exec(db, "DELETE FROM live_snapshot; "
	    "DELETE FROM live_sources; DELETE FROM live_hosts; "
	    "DELETE FROM live_flows; DELETE FROM live_services")) != SQLITE_OK)
		return rc;

	if ((rc = sqlite3_prepare_v2(db, "INSERT INTO live_snapshot VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &st, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 6, (int64_t)l->hist_dropped);
	sqlite3_bind_int64(st, 7, (int64_t)l->hist_retries);
	sqlite3_bind_int64(st, 1, l->wall_ns);
	sqlite3_bind_int64(st, 2, l->pkt_ns);
	sqlite3_bind_int64(st, 3, (int64_t)l->flows_total);
	sqlite3_bind_int64(st, 4, (int64_t)l->hosts_total);
	sqlite3_bind_int64(st, 5, (int64_t)l->packets);
	rc = live_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return rc;

	if ((rc = sqlite3_prepare_v2(db, "INSERT INTO live_sources VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	    -1, &st, NULL)) != SQLITE_OK)
		return rc;
	for (i = 0; i < l->nsrc && rc == SQLITE_OK; i++) {
		const struct live_src *s = &l->src[i];

		sqlite3_bind_int(st, 1, (int)i);
		live_text(st, 2, s->name);
		live_text(st, 3, s->state);
		live_text(st, 4, s->detail);
		sqlite3_bind_double(st, 5, s->rx);
		sqlite3_bind_double(st, 6, s->tx);
		sqlite3_bind_double(st, 7, s->pps);
		sqlite3_bind_int64(st, 8, (int64_t)s->drops_kernel);
		sqlite3_bind_int64(st, 9, (int64_t)s->drops_iface);
		sqlite3_bind_int64(st, 10, (int64_t)s->drops_ring);
		sqlite3_bind_int64(st, 11, (int64_t)s->flows);
		sqlite3_bind_int64(st, 12, (int64_t)s->hosts);
		live_text(st, 13, s->rx_series);
		live_text(st, 14, s->tx_series);
		rc = live_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return rc;

	if ((rc = sqlite3_prepare_v2(db, "INSERT INTO live_hosts VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	    -1, &st, NULL)) != SQLITE_OK)
		return rc;
	for (i = 0; i < l->nhosts && rc == SQLITE_OK; i++) {
		const struct live_host *h = &l->hosts[i];
		int k;

		sqlite3_bind_int64(st, 1, (int64_t)i);
		live_text(st, 2, h->addr);
		if (h->name[0] != '\0')
			live_text(st, 3, h->name);
		for (k = 0; k < 3; k++) {
			sqlite3_bind_double(st, 4 + k, h->in[k]);
			sqlite3_bind_double(st, 7 + k, h->out[k]);
		}
		sqlite3_bind_int64(st, 10, (int64_t)h->bytes_in);
		sqlite3_bind_int64(st, 11, (int64_t)h->bytes_out);
		sqlite3_bind_int64(st, 12, (int64_t)h->flows);
		sqlite3_bind_int64(st, 13, h->last_s);
		if (h->cc[0] != '\0')
			live_text(st, 14, h->cc);
		rc = live_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return rc;

	if ((rc = sqlite3_prepare_v2(db, "INSERT INTO live_flows VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	    "?15, ?16, ?17)", -1, &st, NULL)) != SQLITE_OK)
		return rc;
	for (i = 0; i < l->nflows && rc == SQLITE_OK; i++) {
		const struct live_flow *f = &l->flows[i];

		sqlite3_bind_int64(st, 1, (int64_t)i);
		live_text(st, 2, f->proto);
		sqlite3_bind_int(st, 3, f->proto_num);
		live_text(st, 4, f->orig);
		sqlite3_bind_int(st, 5, f->orig_p);
		live_text(st, 6, f->resp);
		sqlite3_bind_int(st, 7, f->resp_p);
		if (f->orig_name[0] != '\0')
			live_text(st, 8, f->orig_name);
		if (f->resp_name[0] != '\0')
			live_text(st, 9, f->resp_name);
		if (f->service[0] != '\0')
			live_text(st, 10, f->service);
		live_text(st, 11, f->state);
		sqlite3_bind_double(st, 12, f->dur_s);
		sqlite3_bind_double(st, 13, f->orate);
		sqlite3_bind_double(st, 14, f->rrate);
		sqlite3_bind_int64(st, 15, (int64_t)f->bytes);
		sqlite3_bind_int64(st, 16, f->rtt_us);
		sqlite3_bind_int64(st, 17, f->retrans);
		rc = live_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK)
		return rc;

	if ((rc = sqlite3_prepare_v2(db, "INSERT INTO live_services VALUES "
	    "(?1, ?2, ?3, ?4)", -1, &st, NULL)) != SQLITE_OK)
		return rc;
	for (i = 0; i < l->nshares && i < 2 * STORE_LIVE_ROWS &&
	    rc == SQLITE_OK; i++) {
		live_text(st, 1, l->shares[i].kind);
		sqlite3_bind_int64(st, 2, (int64_t)i);
		live_text(st, 3, l->shares[i].name);
		sqlite3_bind_int64(st, 4, (int64_t)l->shares[i].bytes);
		rc = live_step(st);
	}
	sqlite3_finalize(st);
	return rc;
}
