/*
 * alert-dns.c: the dns_anomaly detector: bursts of NXDOMAIN answers, and
 * query names that are very long or look random (DNS tunnelling).
 *
 * Main thread only (an engine sink through the alert core): the DNS
 * events the decoder passes on (engine_sink.dns: PKT_NAME_DNS_NX for an
 * NXDOMAIN answer, PKT_NAME_DNS_LONG for an answer to a query name of at
 * least PKT_DNS_LONG bytes), each with the client the answer went to.
 *
 *   NXDOMAIN burst  one client gets more than dns_nx_count NXDOMAIN
 *                   answers within dns_nx_window seconds (a window opened
 *                   by the first): notice;
 *   tunnelling      a query name longer than dns_max_name bytes, or one
 *                   of PKT_DNS_LONG bytes or more whose longest label has
 *                   ALERT_DNS_LABEL (32) bytes or more and a Shannon
 *                   entropy above dns_max_entropy bits per character
 *                   (encoded data: a tunnel fills long labels with it;
 *                   names people or products choose rarely have a label
 *                   that long, and words are less random): warning.
 *                   A heuristic: hex-encoded tunnels (at most 4 bits a
 *                   character) are caught by their length, not this.
 *
 * The name (its first bytes) is in the message: bytes from the network,
 * which every writer escapes.  Per event: one lookup in a fixed table, or the name's
 * entropy (at most 253 characters); never per packet.
 */
#include "config.h"
#include "alert.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-int.h"
#include "fmt.h"
#include "xmalloc.h"

#define ALERT_DNS_CLIENTS	16384
#define ALERT_DNS_LABEL		32	/* bytes: a label judged by entropy */
#define NS			1000000000ull

struct dns_key {
	uint8_t addr[16];
	uint8_t ver;
	uint8_t pad[3];
};

struct dns_client {
	struct alert_tab_hdr h;
	struct dns_key k;
	uint64_t win_ns;	/* window start */
	uint32_t nx;		/* NXDOMAIN answers in it */
};

struct dnsdet {
	struct alerts *a;
	uint32_t nx_count;
	uint64_t nx_window;	/* ns */
	uint32_t max_name;
	double max_entropy;
	struct alert_tab clients;
};

static void *
dnsdet_create(struct alerts *a, const struct alert_cfg *cfg, unsigned on,
    char **cause)
{
	struct dnsdet *d = xcalloc(1, sizeof *d);

	(void)on;
	(void)cause;
	d->a = a;
	d->nx_count = cfg->dns_nx_count;
	d->nx_window = (uint64_t)cfg->dns_nx_window_s * NS;
	d->max_name = cfg->dns_max_name;
	d->max_entropy = cfg->dns_max_entropy;
	alert_tab_init(&d->clients, ALERT_DNS_CLIENTS,
	    sizeof(struct dns_client), sizeof(struct dns_key));
	return d;
}

static void
dnsdet_free(void *arg)
{
	struct dnsdet *d = arg;

	alert_tab_done(&d->clients);
	free(d);
}

/* Shannon entropy in bits per character of s[0 .. n). */
double
alert_dns_entropy(const char *s, size_t n)
{
	unsigned cnt[256] = { 0 };
	double h = 0;
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		cnt[(unsigned char)s[i]]++;
	for (i = 0; i < 256; i++) {
		if (cnt[i] != 0) {
			double p = (double)cnt[i] / (double)n;

			h -= p * log2(p);
		}
	}
	return h;
}

/* The longest label of a name: *start and its length. */
static size_t
dnsdet_label(const char *name, const char **start)
{
	const char *p = name, *dot;
	size_t best = 0, n;

	*start = name;
	for (;;) {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n > best) {
			best = n;
			*start = p;
		}
		if (dot == NULL)
			return best;
		p = dot + 1;
	}
}

static void
dnsdet_fire(struct dnsdet *d, const struct pkt_name *pn, int nx, double v,
    double bound, const char *msg, enum alert_sev sev)
{
	struct alert_fire f;

	memset(&f, 0, sizeof f);
	f.kind = ALERT_DNS_ANOMALY;
	f.sev = sev;
	f.ts_ns = pn->ts_ns;
	f.ip_ver = pn->ip_ver;
	f.addr = pn->addr;
	f.port = (uint16_t)(nx ? 1 : 2);	/* two alerts per client */
	f.value = v;
	f.threshold = bound;
	f.message = msg;
	alert_fire(d->a, &f);
}

static void
dnsdet_dns(void *arg, const struct pkt_name *pn)
{
	struct dnsdet *d = arg;
	char msg[512], ca[FMT_ADDR_MAX];	/* the core cuts it to
						   ALERT_MSG_MAX */
	const char *label;
	size_t len = strnlen(pn->name, sizeof pn->name), dl;
	double ent;

	if (pn->ip_ver != 4 && pn->ip_ver != 6)
		return;
	if (pn->kind == PKT_NAME_DNS_NX) {
		struct dns_client *c;
		struct dns_key k;
		int created;

		memset(&k, 0, sizeof k);
		memcpy(k.addr, pn->addr, 16);
		k.ver = pn->ip_ver;
		c = alert_tab_get(&d->clients, &k, alert_hash(d->a, &k,
		    sizeof k), pn->ts_ns, &created);
		if (created || pn->ts_ns >= c->win_ns + d->nx_window) {
			c->win_ns = pn->ts_ns;
			c->nx = 0;
		}
		if (++c->nx <= d->nx_count)
			return;
		if (alert_seen(d->a, ALERT_DNS_ANOMALY, pn->ip_ver, pn->addr, 0,
		    NULL, 1, pn->ts_ns, c->nx))
			return;
		fmt_addr(pn->ip_ver, pn->addr, ca, sizeof ca);
		snprintf(msg, sizeof msg, "DNS: %s got %u NXDOMAIN answers "
		    "within %llu s (bound %u), the last for %s", ca, c->nx,
		    (unsigned long long)(d->nx_window / NS), d->nx_count,
		    pn->name);
		dnsdet_fire(d, pn, 1, c->nx, d->nx_count, msg,
		    ALERT_SEV_NOTICE);
		return;
	}
	if (pn->kind != PKT_NAME_DNS_LONG)
		return;
	if (len > d->max_name) {
		if (alert_seen(d->a, ALERT_DNS_ANOMALY, pn->ip_ver, pn->addr, 0,
		    NULL, 2, pn->ts_ns, (double)len))
			return;
		fmt_addr(pn->ip_ver, pn->addr, ca, sizeof ca);
		snprintf(msg, sizeof msg, "DNS: %s asked for a name of %zu "
		    "bytes (bound %u), tunnelling? %s", ca, len, d->max_name,
		    pn->name);
		dnsdet_fire(d, pn, 0, (double)len, d->max_name, msg,
		    ALERT_SEV_WARNING);
		return;
	}
	if (len == sizeof pn->name)
		return;
	dl = dnsdet_label(pn->name, &label);
	if (dl < ALERT_DNS_LABEL)
		return;
	ent = alert_dns_entropy(label, dl);
	if (ent <= d->max_entropy)
		return;
	if (alert_seen(d->a, ALERT_DNS_ANOMALY, pn->ip_ver, pn->addr, 0, NULL,
	    2, pn->ts_ns, ent))
		return;
	fmt_addr(pn->ip_ver, pn->addr, ca, sizeof ca);
	snprintf(msg, sizeof msg, "DNS: %s asked for a name with a "
	    "random-looking label of %zu bytes (%.2f bits a character, bound "
	    "%.2f), tunnelling? %s", ca, dl, ent, d->max_entropy, pn->name);
	dnsdet_fire(d, pn, 0, ent, d->max_entropy, msg, ALERT_SEV_WARNING);
}

const struct alert_det_ops alert_dns_anomaly_ops = {
	.kinds = 1u << ALERT_DNS_ANOMALY,
	.create = dnsdet_create,
	.free = dnsdet_free,
	.dns = dnsdet_dns,
};
