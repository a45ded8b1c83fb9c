/*
 * alert-policy.c: the policy detector: traffic on disallowed protocols or
 * ports.
 *
 * Main thread only (an engine sink through the alert core), packet time.
 * Two lists of tcp/PORT, udp/PORT and ip/PROTOCOL: policy_deny anywhere,
 * policy_deny_external only when the packet crosses the local boundary
 * (one end in the local networks, the other not).  The defaults name
 * telnet anywhere, and SMB (139, 445) and RDP (3389) crossing the
 * boundary.  A packet to a listed port is an alert about its sender (the
 * client, peer: the server); one from a listed port (the server's
 * answers, or a capture that missed the start) about its receiver.  Only
 * the first packet of each flow in each direction is judged (the core
 * passes no other): two bit tests in 8 KiB tables; a hit costs a lookup
 * in the alert core (repeats fold into the open alert).  A long session
 * on a denied port thus counts once per flow record: an alert whose
 * session goes on without new flows resolves after alert_cooldown.
 */
#include "config.h"
#include "alert.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-int.h"
#include "engine.h"
#include "fmt.h"
#include "xmalloc.h"

enum { POL_TCP, POL_UDP, POL_NPROTO };

struct policy_set {
	uint8_t port[POL_NPROTO][65536 / 8];
	uint8_t ip[256 / 8];
	int any;
};

struct policy {
	struct alerts *a;
	struct policy_set deny, ext;
	/* the union of both, the packet path's first test */
	uint8_t port_any[POL_NPROTO][65536 / 8];
	uint8_t ip_any[256 / 8];
};

#define BIT(t, i)	((t)[(i) >> 3] & (1u << ((i) & 7)))
#define SETBIT(t, i)	((t)[(i) >> 3] |= (uint8_t)(1u << ((i) & 7)))

/* Parse "tcp/23,udp/69,ip/47" into s; -1 + cause. */
static int
policy_parse(const char *name, const char *list, struct policy_set *s,
    char **cause)
{
	char *copy, *tok, *save, *slash, *end;
	unsigned long n;

	if (list == NULL)
		return 0;
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if ((slash = strchr(tok, '/')) == NULL)
			goto bad;
		*slash++ = '\0';
		errno = 0;
		n = strtoul(slash, &end, 10);
		if (*slash < '0' || *slash > '9' || *end != '\0' || errno != 0)
			goto bad;
		if (strcmp(tok, "tcp") == 0 && n <= 65535 && n > 0)
			SETBIT(s->port[POL_TCP], n);
		else if (strcmp(tok, "udp") == 0 && n <= 65535 && n > 0)
			SETBIT(s->port[POL_UDP], n);
		else if (strcmp(tok, "ip") == 0 && n <= 255)
			SETBIT(s->ip, n);
		else
			goto bad;
		s->any = 1;
	}
	free(copy);
	return 0;
bad:
	free(copy);
	xasprintf(cause, "%s: expected tcp/PORT, udp/PORT or ip/PROTOCOL "
	    "items, comma-separated", name);
	return -1;
}

static void *
policy_create(struct alerts *a, const struct alert_cfg *cfg, unsigned on,
    char **cause)
{
	struct policy *p = xcalloc(1, sizeof *p);
	size_t i;

	(void)on;
	p->a = a;
	if (policy_parse("policy_deny", cfg->policy_deny, &p->deny,
	    cause) != 0 || policy_parse("policy_deny_external",
	    cfg->policy_deny_external, &p->ext, cause) != 0) {
		free(p);
		return NULL;
	}
	for (i = 0; i < sizeof p->port_any; i++)
		((uint8_t *)p->port_any)[i] = ((uint8_t *)p->deny.port)[i] |
		    ((uint8_t *)p->ext.port)[i];
	for (i = 0; i < sizeof p->ip_any; i++)
		p->ip_any[i] = p->deny.ip[i] | p->ext.ip[i];
	return p;
}

static void
policy_free(void *arg)
{
	free(arg);
}

static void
policy_fire(struct policy *p, const struct pkt_meta *m, int reply,
    unsigned port, int external)
{
	struct alert_fire f;
	char msg[ALERT_MSG_MAX], ca[FMT_ADDR_MAX], sa[FMT_ADDR_MAX];
	char cid[ALERT_CID_MAX], what[32];
	const uint8_t *client = reply ? m->dst : m->src;
	const uint8_t *server = reply ? m->src : m->dst;
	const char *svc;

	if (alert_seen(p->a, ALERT_POLICY, m->ip_ver, client, m->ip_ver,
	    server, (uint16_t)(port ? port : m->proto), m->ts_ns, 1))
		return;
	fmt_addr(m->ip_ver, client, ca, sizeof ca);
	fmt_addr(m->ip_ver, server, sa, sizeof sa);
	if (port != 0) {
		svc = service_name(m->proto, (uint16_t)port);
		snprintf(what, sizeof what, "%s/%u%s%s%s",
		    m->proto == 6 ? "tcp" : "udp", port, svc ? " (" : "",
		    svc ? svc : "", svc ? ")" : "");
	} else {
		svc = proto_name(m->proto);
		snprintf(what, sizeof what, "ip/%u%s%s%s", m->proto,
		    svc ? " (" : "", svc ? svc : "", svc ? ")" : "");
	}
	snprintf(msg, sizeof msg, "policy: %s between %s and %s is not "
	    "allowed%s", what, ca, sa, external ?
	    " across the local boundary" : "");
	pkt_community_id(m, cid);
	memset(&f, 0, sizeof f);
	f.kind = ALERT_POLICY;
	f.sev = ALERT_SEV_WARNING;
	f.ts_ns = m->ts_ns;
	f.ip_ver = m->ip_ver;
	f.addr = client;
	f.peer_ver = m->ip_ver;
	f.peer_addr = server;
	f.port = (uint16_t)(port ? port : m->proto);
	f.value = port ? port : m->proto;
	f.threshold = 0;
	f.message = msg;
	f.community_id = cid;
	alert_fire(p->a, &f);
}

/* 1 if the packet crosses the local boundary. */
static int
policy_crosses(struct policy *p, const struct pkt_meta *m)
{
	const struct engine *e = alerts_engine(p->a);

	return engine_is_local(e, m->ip_ver, m->src) !=
	    engine_is_local(e, m->ip_ver, m->dst);
}

static void
policy_packet(void *arg, const struct pkt_meta *m, const struct flow *fl,
    int dir)
{
	struct policy *p = arg;
	unsigned pi, port;
	int reply;

	(void)fl;
	(void)dir;
	if (m->ip_ver == 0)
		return;
	if (BIT(p->ip_any, m->proto)) {
		if (BIT(p->deny.ip, m->proto))
			policy_fire(p, m, 0, 0, 0);
		else if (policy_crosses(p, m))
			policy_fire(p, m, 0, 0, 1);
		return;
	}
	if (m->proto == 6)
		pi = POL_TCP;
	else if (m->proto == 17)
		pi = POL_UDP;
	else
		return;
	if (!(m->flags & PKT_F_L4))
		return;
	if (BIT(p->port_any[pi], m->dport)) {
		port = m->dport;
		reply = 0;
	} else if (BIT(p->port_any[pi], m->sport)) {
		port = m->sport;
		reply = 1;
	} else
		return;
	if (BIT(p->deny.port[pi], port))
		policy_fire(p, m, reply, port, 0);
	else if (policy_crosses(p, m))
		policy_fire(p, m, reply, port, 1);
}

const struct alert_det_ops alert_policy_ops = {
	.kinds = 1u << ALERT_POLICY,
	.create = policy_create,
	.free = policy_free,
	.packet = policy_packet,
	.pkt_want = ALERT_PKT_FIRST,
};
