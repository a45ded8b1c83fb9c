/*
 * alert-bw.c: the bandwidth detector: an interface's receive or send rate,
 * or a host's, above a bound for longer than bandwidth_duration.
 *
 * Main thread only (an engine sink through the alert core), at each
 * packet-time tick, off the packet path.  Interfaces: each second of the
 * source's rx and tx history (struct rate_hist) since the last tick.
 * Hosts (bandwidth_host > 0): every host's received and sent rate over
 * the last complete second, from the per-host rates the engine then keeps
 * (ENGINE_SINK_HOST_RATES): a walk of the host table once a second, with
 * how long each host has been over the bound in a fixed table.  A bound
 * of 0 turns that check off (the default: what is too much depends on
 * the link).
 */
#include "config.h"
#include "alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-int.h"
#include "engine.h"
#include "fmt.h"
#include "mode.h"
#include "xmalloc.h"

#define ALERT_BW_HOSTS	16384
#define NS		1000000000ull

struct bw_key {
	uint8_t addr[16];
	uint8_t ver;
	uint8_t dir;		/* 0 in, 1 out */
	uint8_t pad[2];
};

struct bw_host {
	struct alert_tab_hdr h;
	struct bw_key k;
	uint64_t over_sec;	/* first second over the bound */
	uint64_t last_sec;	/* last second seen over it */
};

struct bw_if {
	uint64_t over_sec[2];	/* rx, tx: first second over, 0 = under */
};

struct bw {
	struct alerts *a;
	double rx, tx, host;	/* bytes/s, 0 = off */
	uint32_t dur;		/* seconds */
	uint64_t last_sec;	/* last second judged */
	struct bw_if src[WT_MAX_SOURCES];
	struct alert_tab hosts;
};

static void *
bw_create(struct alerts *a, const struct alert_cfg *cfg, unsigned on,
    char **cause)
{
	struct bw *b = xcalloc(1, sizeof *b);

	(void)on;
	(void)cause;
	b->a = a;
	b->rx = cfg->bw_iface_rx_kbit * 1000.0 / 8;
	b->tx = cfg->bw_iface_tx_kbit * 1000.0 / 8;
	b->host = cfg->bw_host_kbit * 1000.0 / 8;
	b->dur = cfg->bw_duration_s;
	if (b->host > 0)
		alert_tab_init(&b->hosts, ALERT_BW_HOSTS, sizeof(struct bw_host),
		    sizeof(struct bw_key));
	return b;
}

static void
bw_free(void *arg)
{
	struct bw *b = arg;

	alert_tab_done(&b->hosts);
	free(b);
}

static void
bw_fire(struct bw *b, uint64_t ts, const char *src, uint8_t ver,
    const uint8_t *addr, int dir, double rate, double bound, uint64_t secs)
{
	struct alert_fire f;
	char msg[ALERT_MSG_MAX], r1[32], r2[32], who[FMT_ADDR_MAX];

	if (ver != 0 && alert_seen(b->a, ALERT_BANDWIDTH, ver, addr, 0, NULL,
	    (uint16_t)(dir + 1), ts, rate))
		return;
	fmt_rate(rate, 1, 0, r1, sizeof r1);
	fmt_rate(bound, 1, 0, r2, sizeof r2);
	if (ver != 0)
		fmt_addr(ver, addr, who, sizeof who);
	snprintf(msg, sizeof msg, "bandwidth: %s %s %s for %llu s (bound %s "
	    "for %u s)", ver != 0 ? who : src, dir ? "sent" : "received", r1,
	    (unsigned long long)secs, r2, b->dur);
	memset(&f, 0, sizeof f);
	f.kind = ALERT_BANDWIDTH;
	f.sev = ALERT_SEV_WARNING;
	f.ts_ns = ts;
	f.ip_ver = ver;
	f.addr = addr;
	f.subject_text = src;
	f.port = (uint16_t)(dir + 1);	/* rx and tx are two alerts */
	f.value = rate;
	f.threshold = bound;
	f.message = msg;
	alert_fire(b->a, &f);
}

/* One second's rate of one direction of an interface. */
static void
bw_if_second(struct bw *b, unsigned i, const char *name, int dir,
    uint64_t sec, double rate, uint64_t ts)
{
	double bound = dir ? b->tx : b->rx;
	uint64_t *over = &b->src[i].over_sec[dir];

	if (bound <= 0)
		return;
	if (rate <= bound) {
		*over = 0;
		return;
	}
	if (*over == 0)
		*over = sec;
	if (sec + 1 - *over > b->dur)
		bw_fire(b, ts, name, 0, NULL, dir, rate, bound,
		    sec + 1 - *over);
}

/* Bytes of one second of a rate ring (0 if outside its window). */
static uint32_t
bw_second(const struct rate *r, uint64_t sec)
{
	if (sec > r->head_sec || r->head_sec - sec >= RATE_SLOTS)
		return 0;
	return r->bytes[sec % RATE_SLOTS];
}

/* Every host's last complete second against the bound: a few loads per
 * host; only a host over it costs a lookup (a host that was over and is
 * no longer is found out by its last_sec when it is over again). */
static void
bw_hosts(struct bw *b, const struct engine *e, uint64_t now_sec,
    uint64_t ts)
{
	const struct host *h;
	int dir, created;

	for (h = engine_host_first(e); h != NULL; h = engine_host_next(e, h)) {
		if (h->rates == NULL)
			continue;
		for (dir = 0; dir < 2; dir++) {
			double r = bw_second(dir ? &h->rates->out :
			    &h->rates->in, now_sec - 1);
			struct bw_key k;
			struct bw_host *bh;

			if (r <= b->host)
				continue;
			memset(&k, 0, sizeof k);
			memcpy(k.addr, h->addr, 16);
			k.ver = h->ip_ver;
			k.dir = (uint8_t)dir;
			bh = alert_tab_get(&b->hosts, &k, alert_hash(b->a, &k,
			    sizeof k), ts, &created);
			if (bh->over_sec == 0 || bh->last_sec + 1 < now_sec - 1)
				bh->over_sec = now_sec - 1;
			bh->last_sec = now_sec - 1;
			if (now_sec - bh->over_sec > b->dur)
				bw_fire(b, ts, NULL, h->ip_ver, h->addr, dir, r,
				    b->host, now_sec - bh->over_sec);
		}
	}
}

static void
bw_tick(void *arg, const struct engine *e, uint64_t now_ns)
{
	struct bw *b = arg;
	uint64_t now_sec = now_ns / NS, from, sec;
	uint64_t vals[2][RATE_HIST_SLOTS];
	unsigned i, n, j, ns = engine_source_count(e);

	if (b->last_sec == 0 || b->last_sec >= now_sec)
		from = now_sec - 1;
	else
		from = b->last_sec + 1;
	if (now_sec - from > RATE_HIST_SLOTS - 1)
		from = now_sec - (RATE_HIST_SLOTS - 1);
	n = (unsigned)(now_sec - from);	/* complete seconds to judge */
	b->last_sec = now_sec - 1;
	if ((b->rx > 0 || b->tx > 0) && n > 0) {
		for (i = 0; i < ns && i < WT_MAX_SOURCES; i++) {
			const struct engine_source *s = engine_source(e, i);

			rate_hist_series(&s->rx, now_sec, vals[0], n);
			rate_hist_series(&s->tx, now_sec, vals[1], n);
			for (j = 0, sec = from; j < n; j++, sec++) {
				bw_if_second(b, i, s->name, 0, sec,
				    (double)vals[0][j], now_ns);
				bw_if_second(b, i, s->name, 1, sec,
				    (double)vals[1][j], now_ns);
			}
		}
	}
	if (b->host > 0)
		bw_hosts(b, e, now_sec, now_ns);
}

const struct alert_det_ops alert_bandwidth_ops = {
	.kinds = 1u << ALERT_BANDWIDTH,
	.create = bw_create,
	.free = bw_free,
	.tick = bw_tick,
};
