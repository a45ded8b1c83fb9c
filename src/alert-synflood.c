/*
 * alert-synflood.c: the syn_flood detector.
 *
 * Main thread only (an engine sink through the alert core), packet time.
 * Per destination host:port, in each packet-time second: the SYNs (new
 * half-open connections) and the SYN-ACKs it sent back.  It fires when
 * the SYNs of one second pass syn_flood_rate (at once, the moment they
 * do), or when a second with at least syn_flood_min SYNs ends with more
 * than syn_flood_ratio SYNs per SYN-ACK (the server stopped answering).
 * Per packet: one lookup in a fixed table for a SYN or SYN-ACK, nothing
 * for other packets.
 */
#include "config.h"
#include "alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-int.h"
#include "fmt.h"
#include "xmalloc.h"

#define ALERT_SYN_TARGETS	16384
#define NS			1000000000ull

struct syn_key {
	uint8_t addr[16];
	uint16_t port;
	uint8_t ver;
	uint8_t pad;
};

struct syn_target {
	struct alert_tab_hdr h;
	struct syn_key k;
	uint64_t sec;		/* packet-time second of the counts */
	uint32_t syn;
	uint32_t synack;
};

struct synflood {
	struct alerts *a;
	uint32_t rate, ratio, min;
	struct alert_tab t;
};

static void *
synflood_create(struct alerts *a, const struct alert_cfg *cfg, unsigned on,
    char **cause)
{
	struct synflood *s = xcalloc(1, sizeof *s);

	(void)on;
	(void)cause;
	s->a = a;
	s->rate = cfg->syn_flood_rate;
	s->ratio = cfg->syn_flood_ratio;
	s->min = cfg->syn_flood_min;
	alert_tab_init(&s->t, ALERT_SYN_TARGETS, sizeof(struct syn_target),
	    sizeof(struct syn_key));
	return s;
}

static void
synflood_free(void *arg)
{
	struct synflood *s = arg;

	alert_tab_done(&s->t);
	free(s);
}

static void
synflood_fire(struct synflood *s, const struct syn_target *t, uint64_t ts,
    int by_ratio)
{
	struct alert_fire f;
	char msg[ALERT_MSG_MAX], a[FMT_ADDR_MAX];
	double v = by_ratio ? (double)t->syn / (t->synack ? t->synack : 1) :
	    t->syn;

	if (alert_seen(s->a, ALERT_SYN_FLOOD, t->k.ver, t->k.addr, 0, NULL,
	    t->k.port, ts, v))
		return;
	fmt_addr(t->k.ver, t->k.addr, a, sizeof a);
	if (by_ratio)
		snprintf(msg, sizeof msg, "SYN flood: %s port %u answered %u "
		    "of %u SYNs in one second (ratio %.1f, bound %u)", a,
		    t->k.port, t->synack, t->syn, v, s->ratio);
	else
		snprintf(msg, sizeof msg, "SYN flood: %s port %u got %u SYNs "
		    "in one second (bound %u/s)", a, t->k.port, t->syn,
		    s->rate);
	memset(&f, 0, sizeof f);
	f.kind = ALERT_SYN_FLOOD;
	f.sev = ALERT_SEV_CRITICAL;
	f.ts_ns = ts;
	f.ip_ver = t->k.ver;
	f.addr = t->k.addr;
	f.port = t->k.port;
	f.value = v;
	f.threshold = by_ratio ? s->ratio : s->rate;
	f.message = msg;
	alert_fire(s->a, &f);
}

/* A second ended: judge its ratio. */
static void
synflood_roll(struct synflood *s, struct syn_target *t, uint64_t sec,
    uint64_t ts)
{
	if (t->syn >= s->min && t->syn > (uint64_t)s->ratio * t->synack &&
	    t->syn <= s->rate)
		synflood_fire(s, t, ts, 1);
	t->sec = sec;
	t->syn = t->synack = 0;
}

static void
synflood_packet(void *arg, const struct pkt_meta *m, const struct flow *fl,
    int dir)
{
	struct synflood *s = arg;
	struct syn_target *t;
	struct syn_key k;
	uint64_t sec;
	int created;

	(void)fl;
	(void)dir;
	if (m->proto != 6 || !(m->tcp_flags & PKT_TCP_SYN) ||
	    !(m->flags & PKT_F_L4))
		return;
	memset(&k, 0, sizeof k);
	k.ver = m->ip_ver;
	sec = m->ts_ns / NS;
	if (!(m->tcp_flags & PKT_TCP_ACK)) {
		memcpy(k.addr, m->dst, 16);
		k.port = m->dport;
		t = alert_tab_get(&s->t, &k, alert_hash(s->a, &k, sizeof k),
		    m->ts_ns, &created);
		if (created)
			t->sec = sec;
		else if (t->sec != sec)
			synflood_roll(s, t, sec, m->ts_ns);
		if (++t->syn > s->rate)
			synflood_fire(s, t, m->ts_ns, 0);
		return;
	}
	memcpy(k.addr, m->src, 16);
	k.port = m->sport;
	t = alert_tab_find(&s->t, &k, alert_hash(s->a, &k, sizeof k));
	if (t != NULL && t->sec == sec)
		t->synack++;
}

const struct alert_det_ops alert_syn_flood_ops = {
	.kinds = 1u << ALERT_SYN_FLOOD,
	.create = synflood_create,
	.free = synflood_free,
	.packet = synflood_packet,
	.pkt_want = ALERT_PKT_SYN,
};
