/*
 * alert-rate.c: the rate_anomaly detector: an interface's receive or send
 * rate leaves its baseline.
 *
 * Main thread only (an engine sink through the alert core), at each
 * packet-time tick, off the packet path.  Per source and direction, an
 * exponentially weighted mean and variance of the bytes of each second
 * (alpha 2/(ALERT_RATE_SPAN+1), West's incremental form).  After
 * rate_anomaly_warmup seconds of baseline, a second whose rate is more
 * than rate_anomaly_sigma standard deviations from the mean fires, if the
 * rate or the mean is above rate_anomaly_min (small links wobble by many
 * sigmas without meaning anything).  Such seconds still move the
 * baseline, at a quarter of the weight, so a lasting change becomes the
 * new normal instead of an endless alert.  A jump of packet time longer
 * than the engine's source history (RATE_HIST_SLOTS seconds) starts the
 * baseline and its warm-up again.  Hosts are not judged (their
 * rates would need a baseline per host: not in this version).
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

struct ranom {
	struct alerts *a;
	double k, floor;	/* sigma, bytes/s */
	uint64_t warmup;
	uint64_t last_sec;
	struct rate_base base[WT_MAX_SOURCES][2];
};

static void *
ranom_create(struct alerts *a, const struct alert_cfg *cfg, unsigned on,
    char **cause)
{
	struct ranom *r = xcalloc(1, sizeof *r);

	(void)on;
	(void)cause;
	r->a = a;
	r->k = cfg->rate_sigma;
	r->floor = cfg->rate_min_kbit * 1000.0 / 8;
	r->warmup = cfg->rate_warmup_s;
	return r;
}

static void
ranom_free(void *arg)
{
	free(arg);
}

static void
ranom_fire(struct ranom *r, uint64_t ts, const char *name, int dir,
    double x, const struct rate_base *b, double z)
{
	struct alert_fire f;
	char msg[ALERT_MSG_MAX], r1[32], r2[32];

	fmt_rate(x, 1, 0, r1, sizeof r1);
	fmt_rate(b->mean, 1, 0, r2, sizeof r2);
	snprintf(msg, sizeof msg, "rate anomaly: %s %s %s, baseline %s: "
	    "%.1f sigma (bound %.0f)", name, dir ? "sent" : "received", r1,
	    r2, z, r->k);
	memset(&f, 0, sizeof f);
	f.kind = ALERT_RATE_ANOMALY;
	f.sev = ALERT_SEV_NOTICE;
	f.ts_ns = ts;
	f.subject_text = name;
	f.port = (uint16_t)(dir + 1);
	f.value = z;
	f.threshold = r->k;
	f.message = msg;
	alert_fire(r->a, &f);
}

static void
ranom_second(struct ranom *r, struct rate_base *b, const char *name, int dir,
    double x, uint64_t ts)
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
	sd = sqrt(b->var);
	if (b->n >= r->warmup && (x > r->floor || b->mean > r->floor)) {
		/* a flat baseline has no spread: allow 1% of its mean */
		if (sd < b->mean * 0.01)
			sd = b->mean * 0.01;
		z = sd > 0 ? fabs(d) / sd : 0;
		if (sd > 0 && z > r->k) {
			odd = 1;
			ranom_fire(r, ts, name, dir, x, b, z);
		}
	}
	if (odd)
		alpha /= 4;
	b->mean += alpha * d;
	b->var = (1 - alpha) * (b->var + alpha * d * d);
	b->n++;
}

static void
ranom_tick(void *arg, const struct engine *e, uint64_t now_ns)
{
	struct ranom *r = arg;
	uint64_t now_sec = now_ns / NS, from;
	uint64_t vals[2][RATE_HIST_SLOTS];
	unsigned i, j, n, ns = engine_source_count(e);

	/* Packet time that jumps (a gap in a capture, a clock step) by
	 * more than the history the engine keeps leaves a baseline that
	 * describes another time: learn again, warm-up included. */
	if (r->last_sec != 0 && now_sec > r->last_sec + RATE_HIST_SLOTS) {
		memset(r->base, 0, sizeof r->base);
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
		const struct engine_source *s = engine_source(e, i);

		if (s->packets == 0)
			continue;	/* not started: no baseline of zeros */
		rate_hist_series(&s->rx, now_sec, vals[0], n);
		rate_hist_series(&s->tx, now_sec, vals[1], n);
		for (j = 0; j < n; j++) {
			ranom_second(r, &r->base[i][0], s->name, 0,
			    (double)vals[0][j], now_ns);
			ranom_second(r, &r->base[i][1], s->name, 1,
			    (double)vals[1][j], now_ns);
		}
	}
}

const struct alert_det_ops alert_rate_anomaly_ops = {
	.kinds = 1u << ALERT_RATE_ANOMALY,
	.create = ranom_create,
	.free = ranom_free,
	.tick = ranom_tick,
};
