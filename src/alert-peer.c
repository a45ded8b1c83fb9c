/*
 * alert-peer.c: the new_peer detector: a local host talks to an external
 * address (or, with GeoIP, an ASN) not seen during the learning period.
 *
 * Main thread only (an engine sink through the alert core): the first
 * packet of each flow (the core passes no other).  The learning period is new_peer_learn
 * seconds of packet time from the first packet; every external
 * address (and ASN) seen in it is known.  After it, the first flow with
 * an unknown external address raises an info alert (subject: the local
 * host, peer: the address), and the address becomes known.  The known
 * set is a fixed table (ALERT_PEER_KNOWN entries): on a network with
 * more external peers than that, forgotten peers come back as new.  A
 * flow is judged at its first packet.
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

#define ALERT_PEER_KNOWN	(1u << 18)
#define NS			1000000000ull

struct peer_key {
	uint8_t addr[16];	/* or the ASN in the first 4 bytes */
	uint8_t ver;		/* 4, 6, or 0 for an ASN */
	uint8_t pad[3];
};

struct peer_ent {
	struct alert_tab_hdr h;
	struct peer_key k;
};

struct peer {
	struct alerts *a;
	uint64_t learn_ns;
	uint64_t until_ns;	/* end of learning, 0 = not started */
	struct alert_tab known;
};

static void *
peer_create(struct alerts *a, const struct alert_cfg *cfg, unsigned on,
    char **cause)
{
	struct peer *p = xcalloc(1, sizeof *p);

	(void)on;
	(void)cause;
	p->a = a;
	p->learn_ns = (uint64_t)cfg->new_peer_learn_s * NS;
	alert_tab_init(&p->known, ALERT_PEER_KNOWN, sizeof(struct peer_ent),
	    sizeof(struct peer_key));
	return p;
}

static void
peer_free(void *arg)
{
	struct peer *p = arg;

	alert_tab_done(&p->known);
	free(p);
}

/* 1 if k was known; it is known from now on. */
static int
peer_know(struct peer *p, const struct peer_key *k, uint64_t ts)
{
	int created;

	alert_tab_get(&p->known, k, alert_hash(p->a, k, sizeof *k), ts,
	    &created);
	return !created;
}

static void
peer_packet(void *arg, const struct pkt_meta *m, const struct flow *fl,
    int dir)
{
	struct peer *p = arg;
	const struct engine *e = alerts_engine(p->a);
	struct peer_key k, ka;
	const uint8_t *loc, *ext;
	struct alert_fire f;
	char msg[ALERT_MSG_MAX], la[FMT_ADDR_MAX], xa[FMT_ADDR_MAX];
	char cc[3], cid[ALERT_CID_MAX];
	uint32_t asn = 0;
	int known, asn_known = 1;

	if (!alerts_flow_ends(p->a, m, fl, dir, &loc, &ext))
		return;
	if (p->until_ns == 0)
		p->until_ns = engine_totals(e)->first_ns + p->learn_ns;
	memset(&k, 0, sizeof k);
	memcpy(k.addr, ext, 16);
	k.ver = m->ip_ver;
	known = peer_know(p, &k, m->ts_ns);
	if (alerts_geo_on(p->a) && alerts_geo(p->a, m->ip_ver, ext, cc,
	    &asn) != 0 && asn != 0) {
		memset(&ka, 0, sizeof ka);
		memcpy(ka.addr, &asn, sizeof asn);
		asn_known = peer_know(p, &ka, m->ts_ns);
	}
	if (m->ts_ns < p->until_ns || known)
		return;
	if (alert_seen(p->a, ALERT_NEW_PEER, m->ip_ver, loc,
	    m->ip_ver, ext, 0, m->ts_ns, 1))
		return;
	fmt_addr(m->ip_ver, loc, la, sizeof la);
	fmt_addr(m->ip_ver, ext, xa, sizeof xa);
	if (asn != 0)
		snprintf(msg, sizeof msg, "new peer: %s talked with %s (AS%u%s), "
		    "not seen in the %llu s learning period", la, xa, asn,
		    asn_known ? "" : ", a new ASN",
		    (unsigned long long)(p->learn_ns / NS));
	else
		snprintf(msg, sizeof msg, "new peer: %s talked with %s, not "
		    "seen in the %llu s learning period", la, xa,
		    (unsigned long long)(p->learn_ns / NS));
	pkt_community_id(m, cid);
	memset(&f, 0, sizeof f);
	f.kind = ALERT_NEW_PEER;
	f.sev = ALERT_SEV_INFO;
	f.ts_ns = m->ts_ns;
	f.ip_ver = m->ip_ver;
	f.addr = loc;
	f.peer_ver = m->ip_ver;
	f.peer_addr = ext;
	f.value = 1;
	f.threshold = 0;
	f.message = msg;
	f.community_id = cid;
	alert_fire(p->a, &f);
}

const struct alert_det_ops alert_new_peer_ops = {
	.kinds = 1u << ALERT_NEW_PEER,
	.create = peer_create,
	.free = peer_free,
	.packet = peer_packet,
	.pkt_want = ALERT_PKT_FIRST,
};
