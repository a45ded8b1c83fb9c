/*
 * alert-large.c: the large_packet detector.
 *
 * Main thread only (an engine sink through the alert core), packet time.
 * A packet longer on the wire than large_packet_bytes is an alert about
 * its sender (peer: its receiver).  TCP is skipped unless
 * large_packet_tcp: on a host capture, segmentation offload (TSO/GRO)
 * hands libpcap merged TCP segments far above the MTU, so every bulk
 * transfer would fire.  Per packet: one comparison; a large packet costs
 * a lookup in the alert core (repeats fold into the open alert).
 */
#include "config.h"
#include "alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-int.h"
#include "engine.h"
#include "fmt.h"
#include "xmalloc.h"

struct large {
	struct alerts *a;
	uint32_t bytes;
	int tcp;
};

static void *
large_create(struct alerts *a, const struct alert_cfg *cfg, unsigned on,
    char **cause)
{
	struct large *l = xcalloc(1, sizeof *l);

	(void)on;
	(void)cause;
	l->a = a;
	l->bytes = cfg->large_packet_bytes;
	l->tcp = cfg->large_packet_tcp;
	return l;
}

static void
large_free(void *arg)
{
	free(arg);
}

static void
large_packet(void *arg, const struct pkt_meta *m, const struct flow *fl,
    int dir)
{
	struct large *l = arg;
	struct alert_fire f;
	char msg[ALERT_MSG_MAX], sa[FMT_ADDR_MAX], da[FMT_ADDR_MAX];
	char cid[ALERT_CID_MAX];
	const char *pn;

	(void)fl;
	(void)dir;
	if (m->wire_len <= l->bytes || m->ip_ver == 0 ||
	    (m->proto == 6 && !l->tcp))
		return;
	if (alert_seen(l->a, ALERT_LARGE_PACKET, m->ip_ver, m->src, m->ip_ver,
	    m->dst, 0, m->ts_ns, m->wire_len))
		return;
	fmt_addr(m->ip_ver, m->src, sa, sizeof sa);
	fmt_addr(m->ip_ver, m->dst, da, sizeof da);
	pn = proto_name(m->proto);
	snprintf(msg, sizeof msg, "large packet: %s to %s, %s, %u bytes on "
	    "the wire (bound %u)", sa, da, pn != NULL ? pn : "ip",
	    m->wire_len, l->bytes);
	pkt_community_id(m, cid);
	memset(&f, 0, sizeof f);
	f.kind = ALERT_LARGE_PACKET;
	f.sev = ALERT_SEV_NOTICE;
	f.ts_ns = m->ts_ns;
	f.ip_ver = m->ip_ver;
	f.addr = m->src;
	f.peer_ver = m->ip_ver;
	f.peer_addr = m->dst;
	f.value = m->wire_len;
	f.threshold = l->bytes;
	f.message = msg;
	f.community_id = cid;
	alert_fire(l->a, &f);
}

const struct alert_det_ops alert_large_packet_ops = {
	.kinds = 1u << ALERT_LARGE_PACKET,
	.create = large_create,
	.free = large_free,
	.packet = large_packet,
	.pkt_want = ALERT_PKT_LARGE,
};
