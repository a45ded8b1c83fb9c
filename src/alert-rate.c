/*
 * alert-rate.c: the rate_anomaly detector: an interface's, or a host's,
 * receive or send rate leaves its baseline.
 *
 * Main thread only (an engine sink through the alert core), at each
 * packet-time tick, off the packet path.  Per source and direction, and
 * per tracked host and direction, an exponentially weighted mean and
 * variance of the bytes of each second (alpha 2/(ALERT_RATE_SPAN+1),
 * West's incremental form).  After rate_anomaly_warmup seconds of
 * baseline, a second whose rate is more than rate_anomaly_sigma standard
 * deviations from the mean fires, if the rate or the mean is above
 * rate_anomaly_min (small links wobble by many sigmas without meaning
 * anything).  Such seconds still move the baseline, at a quarter of the
 * weight, so a lasting change becomes the new normal instead of an
 * endless alert.  A jump of packet time longer than the engine's source
 * history (RATE_HIST_SLOTS seconds) starts every baseline and its warm-up
 * again.
 *
 * Hosts (rate_anomaly_hosts > 0): the per-host rates the engine keeps for
 * this (ENGINE_SINK_HOST_RATES, RATE_SLOTS seconds a host), read once a
 * second, never per packet.  At most rate_anomaly_hosts hosts have a
 * baseline, in a fixed array with an open-addressing index.  Each tick:
 *  - every tracked host is found in the engine's host table (one hash
 *    lookup) and its seconds since the last tick are judged; a host the
 *    engine no longer has (it expired or was evicted) loses its baseline;
 *  - the hosts of the engine's table whose last complete second (in +
 *    out) was above a cut-off are candidates: with free slots the cut-off
 *    is 0 (any traffic), when full it is twice the baseline (in + out
 *    means) of the quietest tracked host.  Candidates fill the free
 *    slots, busiest first; then each remaining candidate, busiest first,
 *    takes the place of the quietest tracked host if its second was more
 *    than twice that host's baseline (the factor 2 keeps hosts at the
 *    edge from trading places every second).  The busiest hosts keep
 *    their baselines; a quiet one decays towards 0 and is the first to
 *    go.  A host taken in starts its baseline (and warm-up) from the
 *    seconds of its rate ring (up to RATE_SLOTS - 1 of them), unjudged.
 */
#include "config.h"
#include "alert.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-int.h"
#include "engine.h"
#include "fmt.h"
#include "mode.h"
#include "xmalloc.h"

#define ALERT_RATE_SPAN	300	/* seconds the EWMA mostly remembers */
#define NS		1000000000ull

struct rate_base {
	double mean, var;
	uint64_t n;		/* seconds folded in */
};

/* A tracked host: its address and its two baselines. */
struct rate_host {
	uint8_t addr[16];
	uint8_t ver;		/* 0: slot free */
	uint8_t pad[7];
	struct rate_base base[2];	/* received, sent */
};

/* A tracked slot and its baseline, in + out (who gives way first). */
struct rate_order {
	double busy;
	uint32_t slot;
};

/* A host that may be taken in: its last second, in + out. */
struct rate_cand {
	double x;
	const struct host *h;
};

struct ranom {
	struct alerts *a;
	double k, floor;	/* sigma, bytes/s */
	uint64_t warmup;
	uint64_t last_sec;
	struct rate_base base[WT_MAX_SOURCES][2];
	/* hosts */
	uint32_t nh;		/* rate_anomaly_hosts: slots */
	uint32_t used;		/* slots tracking a host */
	struct rate_host *hosts;	/* nh slots */
	uint32_t *idx;		/* open addressing: slot + 1, 0 = empty */
	uint32_t imask;
	uint32_t *free_;	/* free slot numbers, a stack */
	uint32_t nfree;
	struct rate_cand *cand;	/* this tick's candidates (grows) */
	size_t ncand, cand_cap;
	struct rate_order *order;	/* tracked slots, quietest first */
};

static void *
ranom_create(struct alerts *a, const struct alert_cfg *cfg, unsigned on,
    char **cause)
{
	struct ranom *r = xcalloc(1, sizeof *r);
	uint32_t i, ni;

	(void)on;
	(void)cause;
	r->a = a;
	r->k = cfg->rate_sigma;
	r->floor = cfg->rate_min_kbit * 1000.0 / 8;
	r->warmup = cfg->rate_warmup_s;
	r->nh = cfg->rate_hosts;
	if (r->nh > 0) {
		for (ni = 16; ni < r->nh * 2; ni <<= 1)
			;
		r->hosts = xcalloc(r->nh, sizeof *r->hosts);
		r->idx = xcalloc(ni, sizeof *r->idx);
		r->imask = ni - 1;
		r->free_ = xcalloc(r->nh, sizeof *r->free_);
		r->order = xcalloc(r->nh, sizeof *r->order);
		for (i = 0; i < r->nh; i++)
			r->free_[i] = r->nh - 1 - i;	/* slot 0 on top */
		r->nfree = r->nh;
	}
	return r;
}

static void
ranom_free(void *arg)
{
	struct ranom *r = arg;

	free(r->hosts);
	free(r->idx);
	free(r->free_);
	free(r->order);
	free(r->cand);
	free(r);
}

/* ---- the host index ------------------------------------------------ */

static uint32_t
ranom_hash(const struct ranom *r, uint8_t ver, const uint8_t addr[16])
{
	uint8_t k[17];

	memcpy(k, addr, 16);
	k[16] = ver;
	return alert_hash(r->a, k, sizeof k);
}

/* The index position holding this host, or of the empty cell that ends
 * its probe sequence (*found 0). */
static uint32_t
ranom_probe(const struct ranom *r, uint8_t ver, const uint8_t addr[16],
    int *found)
{
	uint32_t p = ranom_hash(r, ver, addr) & r->imask;

	for (;;) {
		uint32_t s = r->idx[p];

		if (s == 0) {
			*found = 0;
			return p;
		}
		if (r->hosts[s - 1].ver == ver &&
		    memcmp(r->hosts[s - 1].addr, addr, 16) == 0) {
			*found = 1;
			return p;
		}
		p = (p + 1) & r->imask;
	}
}

/* Forget the host of slot s: free the slot, take it out of the index
 * (backward-shift deletion: every cell after it in its run that could
 * sit earlier moves up, so no probe sequence is broken). */
static void
ranom_host_drop(struct ranom *r, uint32_t s)
{
	struct rate_host *rh = &r->hosts[s];
	uint32_t p, q, home;
	int found;

	p = ranom_probe(r, rh->ver, rh->addr, &found);
	if (found) {
		q = p;
		for (;;) {
			q = (q + 1) & r->imask;
			if (r->idx[q] == 0)
				break;
			home = ranom_hash(r, r->hosts[r->idx[q] - 1].ver,
			    r->hosts[r->idx[q] - 1].addr) & r->imask;
			/* q's entry may move to p if home is not in the
			 * cyclic range (p, q] */
			if ((q > p && (home <= p || home > q)) ||
			    (q < p && (home <= p && home > q))) {
				r->idx[p] = r->idx[q];
				p = q;
			}
		}
		r->idx[p] = 0;
	}
	memset(rh, 0, sizeof *rh);
	r->free_[r->nfree++] = s;
	r->used--;
}

/* ---- judging --------------------------------------------------------- */

static void
ranom_fire(struct ranom *r, uint64_t ts, const char *name, uint8_t ver,
    const uint8_t *addr, int dir, double x, const struct rate_base *b,
    double sd, double z)
{
	struct alert_fire f;
	char msg[ALERT_MSG_MAX], r1[24], r2[24], r3[24], who[FMT_ADDR_MAX];

	if (ver != 0 && alert_seen(r->a, ALERT_RATE_ANOMALY, ver, addr, 0,
	    NULL, (uint16_t)(dir + 1), ts, z))
		return;
	fmt_rate(x, 1, 0, r1, sizeof r1);
	fmt_rate(b->mean, 1, 0, r2, sizeof r2);
	fmt_rate(sd, 1, 0, r3, sizeof r3);
	if (ver != 0)
		fmt_addr(ver, addr, who, sizeof who);
	snprintf(msg, sizeof msg, "rate anomaly: %s %s %s, baseline %s, "
	    "sd %s: %.1f sigma (bound %.0f)", ver != 0 ? who : name,
	    dir ? "sent" : "received", r1, r2, r3, z, r->k);
	memset(&f, 0, sizeof f);
	f.kind = ALERT_RATE_ANOMALY;
	f.sev = ALERT_SEV_NOTICE;
	f.ts_ns = ts;
	f.ip_ver = ver;
	f.addr = addr;
	f.subject_text = name;
	f.port = (uint16_t)(dir + 1);	/* rx and tx are two alerts */
	f.value = z;
	f.threshold = r->k;
	f.message = msg;
	alert_fire(r->a, &f);
}

/* Fold one second into a baseline; judge it unless quiet (a host's
 * history taken in) or still warming up. */
static void
ranom_second(struct ranom *r, struct rate_base *b, const char *name,
    uint8_t ver, const uint8_t *addr, int dir, double x, uint64_t ts,
    int judge)
{
	double alpha = 2.0 / (ALERT_RATE_SPAN + 1), d, sd, z = 0;
	int odd = 0;

	if (b->n == 0) {
		b->mean = x;
		b->var = 0;
		b->n = 1;
		return;
	}
	d = x - b->mean;
	if (judge && b->n >= r->warmup &&
	    (x > r->floor || b->mean > r->floor)) {
		sd = sqrt(b->var);
		/* a flat baseline has no spread: allow 1% of its mean */
		if (sd < b->mean * 0.01)
			sd = b->mean * 0.01;
		z = sd > 0 ? fabs(d) / sd : 0;
		if (sd > 0 && z > r->k) {
			odd = 1;
			ranom_fire(r, ts, name, ver, addr, dir, x, b, sd, z);
		}
	}
	if (odd)
		alpha /= 4;
	b->mean += alpha * d;
	b->var = (1 - alpha) * (b->var + alpha * d * d);
	b->n++;
}

/* n seconds of a host's two directions, ending before now_sec. */
static void
ranom_host_seconds(struct ranom *r, struct rate_host *rh,
    const struct host *h, uint64_t now_sec, unsigned n, uint64_t ts,
    int judge)
{
	uint32_t vals[2][RATE_HIST_SLOTS];
	unsigned j;

	rate_series(&h->rates->in, now_sec, vals[0], n);
	rate_series(&h->rates->out, now_sec, vals[1], n);
	for (j = 0; j < n; j++) {
		ranom_second(r, &rh->base[0], NULL, rh->ver, rh->addr, 0,
		    (double)vals[0][j], ts, judge);
		ranom_second(r, &rh->base[1], NULL, rh->ver, rh->addr, 1,
		    (double)vals[1][j], ts, judge);
	}
}

/* Bytes of one second of a rate ring (0 if outside its window). */
static uint32_t
ranom_sec_bytes(const struct rate *rt, uint64_t sec)
{
	if (sec > rt->head_sec || rt->head_sec - sec >= RATE_SLOTS)
		return 0;
	return rt->bytes[sec % RATE_SLOTS];
}

static double
ranom_busy(const struct rate_host *rh)
{
	return rh->base[0].mean + rh->base[1].mean;
}

static int
ranom_cand_cmp(const void *x, const void *y)
{
	const struct rate_cand *a = x, *b = y;

	return a->x < b->x ? 1 : a->x > b->x ? -1 : 0;	/* busiest first */
}

static int
ranom_order_cmp(const void *x, const void *y)
{
	const struct rate_order *a = x, *b = y;

	return a->busy < b->busy ? -1 : a->busy > b->busy ? 1 : 0;
}

/* Take host h into slot s and start its baseline from its ring. */
static void
ranom_host_take(struct ranom *r, uint32_t s, const struct host *h,
    uint64_t now_sec, uint64_t ts)
{
	struct rate_host *rh = &r->hosts[s];
	uint64_t first = h->first_ns / NS;
	unsigned n = RATE_SLOTS - 1;
	uint32_t p;
	int found;

	memset(rh, 0, sizeof *rh);
	memcpy(rh->addr, h->addr, 16);
	rh->ver = h->ip_ver;
	p = ranom_probe(r, rh->ver, rh->addr, &found);
	r->idx[p] = s + 1;
	r->used++;
	/* the seconds it existed in, within the ring */
	if (first >= now_sec)
		return;
	if (now_sec - first < n)
		n = (unsigned)(now_sec - first);
	ranom_host_seconds(r, rh, h, now_sec, n, ts, 0);
}

static void
ranom_hosts(struct ranom *r, const struct engine *e, uint64_t now_sec,
    unsigned n, uint64_t ts)
{
	const struct host *h;
	double cut = 0;
	size_t c, m, v;
	uint32_t s;
	int found;

	/* 1. judge the tracked hosts; forget those the engine forgot */
	for (s = 0; s < r->nh; s++) {
		struct rate_host *rh = &r->hosts[s];

		if (rh->ver == 0)
			continue;
		h = engine_host_lookup(e, rh->ver, rh->addr);
		if (h == NULL || h->rates == NULL) {
			ranom_host_drop(r, s);
			continue;
		}
		if (n > 0)
			ranom_host_seconds(r, rh, h, now_sec, n, ts, 1);
	}
	/* 2. candidates: busier than the cut-off and not tracked */
	if (r->nfree == 0) {
		cut = -1;
		for (s = 0; s < r->nh; s++)
			if (cut < 0 || ranom_busy(&r->hosts[s]) < cut)
				cut = ranom_busy(&r->hosts[s]);
		cut *= 2;
	}
	r->ncand = 0;
	for (h = engine_host_first(e); h != NULL; h = engine_host_next(e, h)) {
		double x;

		if (h->rates == NULL)
			continue;
		x = (double)ranom_sec_bytes(&h->rates->in, now_sec - 1) +
		    (double)ranom_sec_bytes(&h->rates->out, now_sec - 1);
		if (x <= cut)
			continue;
		(void)ranom_probe(r, h->ip_ver, h->addr, &found);
		if (found)
			continue;
		if (r->ncand == r->cand_cap) {
			r->cand_cap = r->cand_cap ? r->cand_cap * 2 : 64;
			r->cand = xreallocarray(r->cand, r->cand_cap,
			    sizeof *r->cand);
		}
		r->cand[r->ncand].x = x;
		r->cand[r->ncand].h = h;
		r->ncand++;
	}
	if (r->ncand == 0)
		return;
	/* 3. free slots first, busiest first; then the quietest give way */
	if (r->ncand > r->nfree)
		qsort(r->cand, r->ncand, sizeof *r->cand, ranom_cand_cmp);
	for (c = 0; c < r->ncand && r->nfree > 0; c++)
		ranom_host_take(r, r->free_[--r->nfree], r->cand[c].h, now_sec,
		    ts);
	if (c == r->ncand)
		return;
	for (s = 0, m = 0; s < r->nh; s++) {
		r->order[m].busy = ranom_busy(&r->hosts[s]);
		r->order[m++].slot = s;
	}
	qsort(r->order, m, sizeof *r->order, ranom_order_cmp);	/* quietest
								   first */
	for (v = 0; c < r->ncand && v < m; c++, v++) {
		s = r->order[v].slot;
		if (!(r->cand[c].x > 2 * r->order[v].busy))
			break;
		ranom_host_drop(r, s);
		r->nfree--;	/* the slot just freed is on top */
		ranom_host_take(r, s, r->cand[c].h, now_sec, ts);
	}
}

static void
ranom_tick(void *arg, const struct engine *e, uint64_t now_ns)
{
	struct ranom *r = arg;
	uint64_t now_sec = now_ns / NS, from;
	uint64_t vals[2][RATE_HIST_SLOTS];
	unsigned i, j, n, ns = engine_source_count(e);
	uint32_t s;

	/* Packet time that jumps (a gap in a capture, a clock step) by
	 * more than the history the engine keeps leaves a baseline that
	 * describes another time: learn again, warm-up included. */
	if (r->last_sec != 0 && now_sec > r->last_sec + RATE_HIST_SLOTS) {
		memset(r->base, 0, sizeof r->base);
		for (s = 0; s < r->nh; s++)
			if (r->hosts[s].ver != 0)
				ranom_host_drop(r, s);
		r->last_sec = 0;
	}
	if (r->last_sec == 0 || r->last_sec >= now_sec)
		from = now_sec - 1;
	else
		from = r->last_sec + 1;
	if (now_sec - from > RATE_HIST_SLOTS - 1)
		from = now_sec - (RATE_HIST_SLOTS - 1);
	n = (unsigned)(now_sec - from);
	r->last_sec = now_sec - 1;
	for (i = 0; i < ns && i < WT_MAX_SOURCES; i++) {
		const struct engine_source *src = engine_source(e, i);

		if (src->packets == 0)
			continue;	/* not started: no baseline of zeros */
		rate_hist_series(&src->rx, now_sec, vals[0], n);
		rate_hist_series(&src->tx, now_sec, vals[1], n);
		for (j = 0; j < n; j++) {
			ranom_second(r, &r->base[i][0], src->name, 0, NULL, 0,
			    (double)vals[0][j], now_ns, 1);
			ranom_second(r, &r->base[i][1], src->name, 0, NULL, 1,
			    (double)vals[1][j], now_ns, 1);
		}
	}
	if (r->nh > 0 && now_sec > 0)
		ranom_hosts(r, e, now_sec, n, now_ns);
}

const struct alert_det_ops alert_rate_anomaly_ops = {
	.kinds = 1u << ALERT_RATE_ANOMALY,
	.create = ranom_create,
	.free = ranom_free,
	.tick = ranom_tick,
};
