/*
 * alert-scan.c: the port_scan and host_scan detectors.
 *
 * Main thread only (an engine sink through the alert core), packet time.
 * A probe is a TCP SYN without ACK, or a UDP datagram that is not a reply
 * (no probe the other way); it is answered by a SYN-ACK, or by any UDP
 * datagram back from the probed port.  A RST or an ICMP error is not an
 * answer: closed ports are what a scan mostly finds.  (Which datagram is
 * a probe and which a reply comes from its flow: the engine's originator
 * sent the probe.)  Each distinct probe
 * (source, destination, port, protocol) is counted once per window:
 *
 *   port_scan  one source's unanswered probes to distinct ports of one
 *              host, in a window of port_scan_window seconds opened by the
 *              first of them, pass port_scan_ports;
 *   host_scan  one source's unanswered probes to distinct hosts on one
 *              port (and protocol), in host_scan_window seconds, pass
 *              host_scan_hosts.
 *
 * A probe counts once it has waited ALERT_SCAN_WAIT_NS (3 s) of packet
 * time without an answer (a FIFO of probes in time order, judged as
 * packets and ticks move the clock, and all at the end of the input);
 * an answer that comes later takes it back out of both counts.  So an
 * answered connection costs a lookup for its SYN and one for its
 * SYN-ACK, and only unanswered probes touch the counts.  Only SYNs and
 * the first packet of a flow each way reach it; no allocation; under table
 * pressure the least recently used entries are forgotten (a scan of more
 * than ALERT_SCAN_PROBES ports in one window is still seen: its count
 * passes the bound long before).
 */
#include "config.h"
#include "alert.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-int.h"
#include "engine.h"
#include "fmt.h"
#include "xmalloc.h"

#define ALERT_SCAN_PROBES	65536
#define ALERT_SCAN_PAIRS	16384
#define ALERT_SCAN_WAITING	65536	/* probes waiting: a power of 2 */
#define ALERT_SCAN_WAIT_NS	(3 * NS)	/* answered within: not a probe */
#define NS			1000000000ull

struct scan_key {		/* a probe */
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t port;
	uint8_t proto;
	uint8_t ver;
};

struct scan_probe {
	struct alert_tab_hdr h;
	struct scan_key k;
	uint8_t answered;
	uint8_t counted;	/* in the pair and fan counts */
	uint64_t first_ns;	/* when it was sent */
};

/* A probe waiting for its answer (the FIFO of struct scan). */
struct scan_wait {
	uint64_t ts;		/* the probe's first_ns */
	uint32_t slot;		/* its entry in the probes table */
	uint32_t hash;		/* its key's hash: the entry is still it */
};

struct scan_pair_key {		/* port_scan: source -> host */
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t ver;
	uint8_t pad[3];
};

struct scan_fan_key {		/* host_scan: source -> port */
	uint8_t src[16];
	uint16_t port;
	uint8_t proto;
	uint8_t ver;
};

struct scan_count {		/* the value part of pairs and fans */
	uint64_t win_ns;	/* window start */
	uint32_t count;		/* unanswered distinct probes in it */
};

struct scan_pair {
	struct alert_tab_hdr h;
	struct scan_pair_key k;
	struct scan_count c;
};

struct scan_fan {
	struct alert_tab_hdr h;
	struct scan_fan_key k;
	struct scan_count c;
};

struct scan {
	struct alerts *a;
	int ports_on, hosts_on;
	uint32_t max_ports, max_hosts;
	uint64_t win_ports, win_hosts;	/* ns */
	struct alert_tab probes, pairs, fans;
	struct scan_wait *wait;	/* FIFO of ALERT_SCAN_WAITING, by time */
	uint32_t whead, wlen;
};

static void *
scan_create(struct alerts *a, const struct alert_cfg *cfg, unsigned on,
    char **cause)
{
	struct scan *s = xcalloc(1, sizeof *s);

	(void)cause;
	s->a = a;
	s->ports_on = (on & (1u << ALERT_PORT_SCAN)) != 0;
	s->hosts_on = (on & (1u << ALERT_HOST_SCAN)) != 0;
	s->max_ports = cfg->port_scan_ports;
	s->max_hosts = cfg->host_scan_hosts;
	s->win_ports = (uint64_t)cfg->port_scan_window_s * NS;
	s->win_hosts = (uint64_t)cfg->host_scan_window_s * NS;
	alert_tab_init(&s->probes, ALERT_SCAN_PROBES, sizeof(struct scan_probe),
	    sizeof(struct scan_key));
	if (s->ports_on)
		alert_tab_init(&s->pairs, ALERT_SCAN_PAIRS,
		    sizeof(struct scan_pair), sizeof(struct scan_pair_key));
	if (s->hosts_on)
		alert_tab_init(&s->fans, ALERT_SCAN_PAIRS,
		    sizeof(struct scan_fan), sizeof(struct scan_fan_key));
	s->wait = xcalloc(ALERT_SCAN_WAITING, sizeof *s->wait);
	return s;
}

static void
scan_free(void *arg)
{
	struct scan *s = arg;

	alert_tab_done(&s->probes);
	alert_tab_done(&s->pairs);
	alert_tab_done(&s->fans);
	free(s->wait);
	free(s);
}

/* The count of a pair or fan for a probe at ts: a new window when the
 * old one has passed. */
static struct scan_count *
scan_count_get(struct alerts *a, struct alert_tab *t, const void *key,
    size_t klen, size_t coff, uint64_t ts, uint64_t win)
{
	struct scan_count *c;
	unsigned char *e;
	int created;

	e = alert_tab_get(t, key, alert_hash(a, key, klen), ts, &created);
	c = (struct scan_count *)(void *)(e + coff);
	if (created || ts >= c->win_ns + win) {
		c->win_ns = ts;
		c->count = 0;
	}
	return c;
}

static void
scan_pair_key(struct scan_pair_key *pk, const struct scan_key *k)
{
	memset(pk, 0, sizeof *pk);
	memcpy(pk->src, k->src, 16);
	memcpy(pk->dst, k->dst, 16);
	pk->ver = k->ver;
}

static void
scan_fan_key(struct scan_fan_key *fk, const struct scan_key *k)
{
	memset(fk, 0, sizeof *fk);
	memcpy(fk->src, k->src, 16);
	fk->port = k->port;
	fk->proto = k->proto;
	fk->ver = k->ver;
}

/* The port_scan or host_scan bound was passed: raise or touch. */
static void
scan_fire(struct scan *s, const struct scan_key *k, int ports, uint32_t n,
    uint64_t ts)
{
	struct alert_fire f;
	char msg[ALERT_MSG_MAX], sa[FMT_ADDR_MAX], da[FMT_ADDR_MAX];
	enum alert_kind kind = ports ? ALERT_PORT_SCAN : ALERT_HOST_SCAN;
	uint16_t port = ports ? 0 : k->port;

	if (alert_seen(s->a, kind, k->ver, k->src, ports ? k->ver : 0,
	    k->dst, port, ts, n))
		return;
	fmt_addr(k->ver, k->src, sa, sizeof sa);
	fmt_addr(k->ver, k->dst, da, sizeof da);
	memset(&f, 0, sizeof f);
	f.kind = kind;
	f.sev = ALERT_SEV_WARNING;
	f.ts_ns = ts;
	f.ip_ver = k->ver;
	f.addr = k->src;
	if (ports) {
		f.peer_ver = k->ver;
		f.peer_addr = k->dst;
		f.threshold = s->max_ports;
		snprintf(msg, sizeof msg, "port scan: %s probed %u ports of %s "
		    "unanswered within %llu s (bound %u)", sa, n, da,
		    (unsigned long long)(s->win_ports / NS), s->max_ports);
	} else {
		f.port = port;
		f.threshold = s->max_hosts;
		snprintf(msg, sizeof msg, "host scan: %s probed %u hosts on "
		    "%s/%u unanswered within %llu s (bound %u)", sa, n,
		    k->proto == 6 ? "tcp" : "udp", k->port,
		    (unsigned long long)(s->win_hosts / NS), s->max_hosts);
	}
	f.value = n;
	f.message = msg;
	alert_fire(s->a, &f);
}

/* A probe went unanswered: count it into its pair and fan at now. */
static void
scan_count(struct scan *s, struct scan_probe *p, uint64_t now)
{
	const struct scan_key *k = &p->k;
	struct scan_count *c;
	uint64_t ts = p->first_ns;

	p->counted = 1;
	if (s->ports_on) {
		struct scan_pair_key pk;

		scan_pair_key(&pk, k);
		c = scan_count_get(s->a, &s->pairs, &pk, sizeof pk,
		    offsetof(struct scan_pair, c), ts, s->win_ports);
		if (++c->count > s->max_ports)
			scan_fire(s, k, 1, c->count, now);
	}
	if (s->hosts_on) {
		struct scan_fan_key fk;

		scan_fan_key(&fk, k);
		c = scan_count_get(s->a, &s->fans, &fk, sizeof fk,
		    offsetof(struct scan_fan, c), ts, s->win_hosts);
		if (++c->count > s->max_hosts)
			scan_fire(s, k, 0, c->count, now);
	}
}

/* Judge the oldest waiting probe: still unanswered, it counts. */
static void
scan_judge_one(struct scan *s, uint64_t now)
{
	struct scan_wait *w = &s->wait[s->whead];
	struct scan_probe *p;

	p = (struct scan_probe *)(void *)(s->probes.e + (size_t)w->slot *
	    s->probes.esz);
	s->whead = (s->whead + 1) & (ALERT_SCAN_WAITING - 1);
	s->wlen--;
	/* the entry may have been given to another probe since */
	if (p->h.used && p->h.hash == w->hash && p->first_ns == w->ts &&
	    !p->answered && !p->counted)
		scan_count(s, p, now);
}

/* Judge the probes that waited ALERT_SCAN_WAIT_NS by now (all of them
 * at the end of the input: now = UINT64_MAX). */
static void
scan_judge(struct scan *s, uint64_t now)
{
	while (s->wlen > 0 && (now == UINT64_MAX ||
	    s->wait[s->whead].ts + ALERT_SCAN_WAIT_NS <= now))
		scan_judge_one(s, now == UINT64_MAX ?
		    s->wait[s->whead].ts + ALERT_SCAN_WAIT_NS : now);
}

/* A probe: new in its window, it waits for an answer. */
static void
scan_probe(struct scan *s, const struct scan_key *k, uint64_t ts)
{
	struct scan_probe *p;
	struct scan_wait *w;
	uint64_t win = s->win_ports > s->win_hosts ? s->win_ports :
	    s->win_hosts;
	uint32_t h = alert_hash(s->a, k, sizeof *k);
	int created;

	scan_judge(s, ts);
	p = alert_tab_get(&s->probes, k, h, ts, &created);
	if (!created && ts < p->first_ns + win)
		return;		/* seen in this window already */
	p->first_ns = ts;
	p->answered = 0;
	p->counted = 0;
	if (s->wlen == ALERT_SCAN_WAITING)
		scan_judge_one(s, ts);	/* full: the oldest is judged early */
	w = &s->wait[(s->whead + s->wlen) & (ALERT_SCAN_WAITING - 1)];
	w->ts = ts;
	w->hash = h;
	w->slot = (uint32_t)(((unsigned char *)p - s->probes.e) /
	    s->probes.esz);
	s->wlen++;
}

/* An answer: a probe still waiting is simply not counted; one answered
 * late is taken back out of the counts of its windows. */
static void
scan_answer(struct scan *s, struct scan_probe *p)
{
	struct scan_count *c;
	unsigned char *e;

	p->answered = 1;
	if (!p->counted)
		return;
	if (s->ports_on) {
		struct scan_pair_key pk;

		scan_pair_key(&pk, &p->k);
		if ((e = alert_tab_find(&s->pairs, &pk, alert_hash(s->a, &pk,
		    sizeof pk))) != NULL) {
			c = &((struct scan_pair *)(void *)e)->c;
			if (c->count > 0 && p->first_ns >= c->win_ns)
				c->count--;
		}
	}
	if (s->hosts_on) {
		struct scan_fan_key fk;

		scan_fan_key(&fk, &p->k);
		if ((e = alert_tab_find(&s->fans, &fk, alert_hash(s->a, &fk,
		    sizeof fk))) != NULL) {
			c = &((struct scan_fan *)(void *)e)->c;
			if (c->count > 0 && p->first_ns >= c->win_ns)
				c->count--;
		}
	}
}

/*
 * The core passes TCP SYNs and the first packet of each flow in each
 * direction.  A SYN without ACK is a probe; a SYN-ACK answers one.  A
 * UDP flow's first datagram from its originator is a probe, and the
 * first one back answers it (later datagrams change nothing).
 */
static void
scan_packet(void *arg, const struct pkt_meta *m, const struct flow *fl,
    int dir)
{
	struct scan *s = arg;
	struct scan_probe *p;
	struct scan_key k;
	int probe;

	if (fl == NULL || !(m->flags & PKT_F_L4) ||
	    (m->flags & PKT_F_FRAG_LATER))
		return;
	if (m->proto == 6) {
		if (!(m->tcp_flags & PKT_TCP_SYN))
			return;
		probe = !(m->tcp_flags & PKT_TCP_ACK);
	} else if (m->proto == 17) {
		if (fl->dir[dir].pkts != 1)
			return;
		probe = dir == 0;
	} else
		return;
	memset(&k, 0, sizeof k);
	k.proto = m->proto;
	k.ver = m->ip_ver;
	if (probe) {
		memcpy(k.src, m->src, 16);
		memcpy(k.dst, m->dst, 16);
		k.port = m->dport;
		scan_probe(s, &k, m->ts_ns);
		return;
	}
	/* the answer to the probe the other way */
	memcpy(k.src, m->dst, 16);
	memcpy(k.dst, m->src, 16);
	k.port = m->sport;
	p = alert_tab_find(&s->probes, &k, alert_hash(s->a, &k, sizeof k));
	if (p != NULL && !p->answered)
		scan_answer(s, p);
}

/* Once a second: judge what waited long enough, also when no probe
 * comes. */
static void
scan_tick(void *arg, const struct engine *e, uint64_t now_ns)
{
	(void)e;
	scan_judge(arg, now_ns);
}

/* The end of the input: what still waits was never answered. */
static void
scan_flush(void *arg)
{
	scan_judge(arg, UINT64_MAX);
}

const struct alert_det_ops alert_scan_ops = {
	.kinds = (1u << ALERT_PORT_SCAN) | (1u << ALERT_HOST_SCAN),
	.create = scan_create,
	.free = scan_free,
	.packet = scan_packet,
	.pkt_want = ALERT_PKT_SYN | ALERT_PKT_FIRST,
	.tick = scan_tick,
	.flush = scan_flush,
};
