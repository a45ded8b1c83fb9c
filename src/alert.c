/*
 * alert.c: the alert core: the alerts kept, their states, de-duplication
 * with a cool-down, escalation, and the engine sink that drives the
 * detectors.
 *
 * Main thread only: the engine calls the sink (alerts_sink_*) inside its
 * own calls, the detectors call alert_fire() from there, and subscribers
 * are called from alert_fire(), the tick and alerts_ack().
 *
 * Alerts live in a ring of cfg.keep slots (alert id k in slot (k-1) %
 * keep), newest first for readers.  Unresolved alerts are also in a hash
 * on (kind, subject, peer, port): a repeat of the condition while the
 * alert is unresolved is folded into it (count, last time, highest
 * value), never a new alert; an alert whose condition has not been seen
 * for cooldown_s seconds of packet time is resolved at the next tick.
 * An active (not acknowledged) alert is notified again every repeat_s
 * seconds.  A slot reused while its alert is still open drops that alert
 * from memory (the store has it); alerts_raised() counts every alert.
 */
#include "config.h"
#include "alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "alert-int.h"
#include "engine.h"
#include "fmt.h"
#include "log.h"
#include "xmalloc.h"

#define ALERT_MAX_SUBS	8
#define NS		1000000000ull

/* The detector files, each with the kinds it raises. */
static const struct alert_det_ops *const alert_dets[] = {
	&alert_scan_ops,
	&alert_syn_flood_ops,
	&alert_large_packet_ops,
	&alert_bandwidth_ops,
	&alert_rate_anomaly_ops,
	&alert_geo_ops,
	&alert_new_peer_ops,
	&alert_policy_ops,
	&alert_capture_ops,
	&alert_dns_anomaly_ops,
};
#define ALERT_NDETS (sizeof alert_dets / sizeof alert_dets[0])

static const char *const alert_kind_names[ALERT_KIND_COUNT] = {
	"port_scan", "host_scan", "syn_flood", "large_packet", "bandwidth",
	"rate_anomaly", "geo", "new_peer", "policy", "dns_anomaly",
	"capture",
};


struct alert_det {
	const struct alert_det_ops *ops;
	void *state;
};

struct alerts {
	struct alert_cfg cfg;
	struct engine *engine;		/* borrowed */
	struct alert *ring;		/* cfg.keep slots */
	uint64_t next_id;		/* id of the next alert, from 1 */
	uint64_t dropped;		/* open alerts pushed out of the ring */
	uint32_t *bucket;		/* hash heads: slot + 1, 0 = none */
	uint32_t hmask;
	unsigned n_open;		/* unresolved alerts in the ring */
	struct alert_sub subs[ALERT_MAX_SUBS];
	unsigned nsubs;
	struct alert_det dets[ALERT_NDETS];
	unsigned ndets;
	/* the packet path: detectors with a packet callback */
	void (*pkt_fn[ALERT_NDETS])(void *, const struct pkt_meta *,
	    const struct flow *, int);
	void *pkt_arg[ALERT_NDETS];
	unsigned pkt_want[ALERT_NDETS];
	unsigned npkt;
	unsigned want_any;		/* the union of pkt_want */
	uint32_t large_min;		/* wire bytes: ALERT_PKT_LARGE above */
	alert_geo_fn geo;
	void *geo_arg;
	uint64_t hkey;			/* per-run hash key */
	int flushed;			/* the input has ended */
	struct alert_cmd *cmd;		/* alert_command, or NULL */
	char enabled_text[256];
};

const char *
alert_kind_name(enum alert_kind k)
{
	return (unsigned)k < ALERT_KIND_COUNT ? alert_kind_names[k] : "?";
}

const char *
alert_sev_name(enum alert_sev s)
{
	switch (s) {
	case ALERT_SEV_INFO:
		return "info";
	case ALERT_SEV_NOTICE:
		return "notice";
	case ALERT_SEV_WARNING:
		return "warning";
	case ALERT_SEV_CRITICAL:
		return "critical";
	}
	return "?";
}

const char *
alert_state_name(enum alert_state s)
{
	switch (s) {
	case ALERT_ACTIVE:
		return "active";
	case ALERT_ACKED:
		return "acknowledged";
	case ALERT_RESOLVED:
		return "resolved";
	}
	return "?";
}

const char *
alert_kind_list(void)
{
	return "port_scan, host_scan, syn_flood, large_packet, bandwidth, "
	    "rate_anomaly, geo, new_peer, policy, dns_anomaly, capture";
}

/* splitmix64 finaliser. */
static uint64_t
alert_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static uint64_t
alert_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Keyed hash of a detector key: 8 bytes a step (the keys are small
 * structs of addresses and ports). */
uint32_t
alert_hash(const struct alerts *a, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = a->hkey ^ n, w;
	uint32_t w4;

	while (n >= 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
		b += 8;
		n -= 8;
	}
	/* fixed-size copies: no call into the C library */
	if (n >= 4) {
		memcpy(&w4, b, 4);
		h = (h ^ w4) * 0x9e3779b97f4a7c15ull;
		b += 4;
		n -= 4;
	}
	while (n > 0) {
		h = (h ^ *b++) * 0x100000001b3ull;
		n--;
	}
	return (uint32_t)alert_mix(h);
}

/* ---- detector tables ------------------------------------------------ */

void
alert_tab_init(struct alert_tab *t, size_t n, size_t esz, size_t klen)
{
	size_t nb = 1;

	while (nb * ALERT_TAB_WAYS < n)
		nb <<= 1;
	t->esz = esz;
	t->klen = klen;
	t->mask = (uint32_t)nb - 1;
	t->e = xcalloc(nb * ALERT_TAB_WAYS, esz);
}

void
alert_tab_done(struct alert_tab *t)
{
	free(t->e);
	t->e = NULL;
}

void *
alert_tab_find(const struct alert_tab *t, const void *key, uint32_t hash)
{
	unsigned char *b = t->e + (size_t)(hash & t->mask) * ALERT_TAB_WAYS *
	    t->esz;
	unsigned w;

	for (w = 0; w < ALERT_TAB_WAYS; w++, b += t->esz) {
		struct alert_tab_hdr *h = (struct alert_tab_hdr *)(void *)b;

		if (h->used && h->hash == hash &&
		    memcmp(b + sizeof *h, key, t->klen) == 0)
			return b;
	}
	return NULL;
}

void *
alert_tab_get(struct alert_tab *t, const void *key, uint32_t hash,
    uint64_t ts, int *created)
{
	unsigned char *b = t->e + (size_t)(hash & t->mask) * ALERT_TAB_WAYS *
	    t->esz, *victim = NULL;
	uint64_t oldest = UINT64_MAX;
	unsigned w;

	for (w = 0; w < ALERT_TAB_WAYS; w++, b += t->esz) {
		struct alert_tab_hdr *h = (struct alert_tab_hdr *)(void *)b;

		if (!h->used) {
			if (oldest != 0) {
				victim = b;
				oldest = 0;
			}
			continue;
		}
		if (h->hash == hash &&
		    memcmp(b + sizeof *h, key, t->klen) == 0) {
			if (ts > h->ts)
				h->ts = ts;
			*created = 0;
			return b;
		}
		if (h->ts < oldest) {
			oldest = h->ts;
			victim = b;
		}
	}
	memset(victim, 0, t->esz);
	((struct alert_tab_hdr *)(void *)victim)->ts = ts;
	((struct alert_tab_hdr *)(void *)victim)->hash = hash;
	((struct alert_tab_hdr *)(void *)victim)->used = 1;
	memcpy(victim + sizeof(struct alert_tab_hdr), key, t->klen);
	*created = 1;
	return victim;
}

/* Hash of a de-dup key: fixed key, so uids are stable across runs. */
static uint64_t
alert_key_hash(enum alert_kind kind, uint8_t ver, const uint8_t *addr,
    const char *text, uint8_t pver, const uint8_t *peer, uint16_t port)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint8_t k[4] = { (uint8_t)kind, ver, pver, 0 };

	h = alert_fnv(h, k, sizeof k);
	if (ver != 0)
		h = alert_fnv(h, addr, 16);
	else if (text != NULL)
		h = alert_fnv(h, text, strlen(text));
	if (pver != 0)
		h = alert_fnv(h, peer, 16);
	h = alert_fnv(h, &port, sizeof port);
	return h;
}

static int
alert_key_eq(const struct alert *al, enum alert_kind kind, uint8_t ver,
    const uint8_t *addr, const char *text, uint8_t pver, const uint8_t *peer,
    uint16_t port)
{
	if (al->kind != kind || al->ip_ver != ver || al->peer_ver != pver ||
	    al->port != port)
		return 0;
	if (ver != 0 ? memcmp(al->addr, addr, 16) != 0 :
	    strcmp(al->subject, text != NULL ? text : "") != 0)
		return 0;
	return pver == 0 || memcmp(al->peer_addr, peer, 16) == 0;
}

static struct alert *
alert_slot(const struct alerts *a, uint32_t slot)
{
	return &a->ring[slot];
}

static void
alert_unlink(struct alerts *a, struct alert *al)
{
	uint32_t slot = (uint32_t)(al - a->ring), *pp;

	pp = &a->bucket[al->hash & a->hmask];
	while (*pp != 0) {
		if (*pp == slot + 1) {
			*pp = al->hnext;
			al->hnext = 0;
			a->n_open--;
			return;
		}
		pp = &a->ring[*pp - 1].hnext;
	}
}

static void
alert_notify(struct alerts *a, struct alert *al, enum alert_event ev)
{
	unsigned i;

	al->dirty = 0;
	for (i = 0; i < a->nsubs; i++)
		a->subs[i].event(a->subs[i].arg, al, ev);
}

/* The unresolved alert with this key, or NULL. */
static struct alert *
alert_find(struct alerts *a, uint32_t h, enum alert_kind kind, uint8_t ver,
    const uint8_t *addr, const char *text, uint8_t pver, const uint8_t *peer,
    uint16_t port)
{
	uint32_t s = a->bucket[h & a->hmask];

	while (s != 0) {
		struct alert *al = alert_slot(a, s - 1);

		if (al->hash == h && alert_key_eq(al, kind, ver, addr, text,
		    pver, peer, port))
			return al;
		s = al->hnext;
	}
	return NULL;
}

static void
alert_touch(struct alert *al, uint64_t ts_ns, double value)
{
	if (al->count != UINT32_MAX)
		al->count++;
	if (ts_ns > al->last_ns)
		al->last_ns = ts_ns;
	if (value > al->value)
		al->value = value;
	al->dirty = 1;
}

int
alert_seen(struct alerts *a, enum alert_kind kind, uint8_t ip_ver,
    const uint8_t *addr, uint8_t peer_ver, const uint8_t *peer,
    uint16_t port, uint64_t ts_ns, double value)
{
	uint64_t h64;
	struct alert *al;

	if (a->n_open == 0)
		return 0;
	h64 = alert_key_hash(kind, ip_ver, addr, NULL, peer_ver, peer, port);
	al = alert_find(a, (uint32_t)h64, kind, ip_ver, addr, NULL, peer_ver,
	    peer, port);
	if (al == NULL)
		return 0;
	alert_touch(al, ts_ns, value);
	return 1;
}

/* Copy a text as one line: control bytes (a name from the network in a
 * message) become \xNN, as fmt_escape_one() writes them, so the line
 * shows what was there and stays one line; cut at a character. */
static void
alert_copy_line(char *dst, size_t n, const char *src)
{
	const unsigned char *p = (const unsigned char *)src;
	char e[FMT_ESC_MAX];
	size_t o = 0, k;

	while (p != NULL && *p != '\0') {
		if (*p < 0x20 || *p == 0x7f) {
			p += fmt_escape_one(p, e);
			k = strlen(e);
		} else {
			/* other bytes as they are: the writers escape
			 * what they must */
			e[0] = (char)*p++;
			e[1] = '\0';
			k = 1;
		}
		if (o + k + 1 > n)
			break;
		memcpy(dst + o, e, k);
		o += k;
	}
	dst[o] = '\0';
}

void
alert_fire(struct alerts *a, const struct alert_fire *f)
{
	static const uint8_t zero[16];
	const uint8_t *addr = f->ip_ver ? f->addr : zero;
	const uint8_t *peer = f->peer_ver ? f->peer_addr : zero;
	uint64_t h64, id;
	uint32_t h, slot;
	struct alert *al;

	h64 = alert_key_hash(f->kind, f->ip_ver, addr, f->subject_text,
	    f->peer_ver, peer, f->port);
	h = (uint32_t)h64;
	al = alert_find(a, h, f->kind, f->ip_ver, addr, f->subject_text,
	    f->peer_ver, peer, f->port);
	if (al != NULL) {
		alert_touch(al, f->ts_ns, f->value);
		return;
	}

	id = a->next_id++;
	slot = (uint32_t)((id - 1) % a->cfg.keep);
	al = alert_slot(a, slot);
	if (al->id != 0 && al->state != ALERT_RESOLVED) {
		alert_unlink(a, al);
		a->dropped++;
	}
	memset(al, 0, sizeof *al);
	al->id = id;
	al->uid = alert_mix(h64 ^ alert_mix(f->ts_ns));
	al->ts_ns = al->last_ns = al->notified_ns = f->ts_ns;
	al->kind = f->kind;
	al->sev = f->sev;
	al->state = ALERT_ACTIVE;
	al->count = 1;
	al->notifications = 1;
	al->value = f->value;
	al->threshold = f->threshold;
	al->ip_ver = f->ip_ver;
	al->peer_ver = f->peer_ver;
	al->port = f->port;
	memcpy(al->addr, addr, 16);
	memcpy(al->peer_addr, peer, 16);
	if (f->ip_ver != 0) {
		const char *nm = engine_name_lookup(a->engine, f->ip_ver, addr);

		fmt_addr(f->ip_ver, addr, al->subject, sizeof al->subject);
		if (nm != NULL)
			snprintf(al->subject_name, sizeof al->subject_name,
			    "%s", nm);
	} else
		alert_copy_line(al->subject, sizeof al->subject,
		    f->subject_text);
	if (f->peer_ver != 0)
		fmt_addr(f->peer_ver, peer, al->peer, sizeof al->peer);
	alert_copy_line(al->message, sizeof al->message, f->message);
	alert_copy_line(al->community_id, sizeof al->community_id,
	    f->community_id);
	al->hash = h;
	al->hnext = a->bucket[h & a->hmask];
	a->bucket[h & a->hmask] = slot + 1;
	a->n_open++;
	alert_notify(a, al, ALERT_EV_NEW);
}

int
alerts_ack(struct alerts *a, uint64_t id, const char *user)
{
	struct alert *al;
	struct timespec ts;

	if (id == 0 || id >= a->next_id || a->next_id - id > a->cfg.keep)
		return -1;
	al = alert_slot(a, (uint32_t)((id - 1) % a->cfg.keep));
	if (al->id != id || al->state != ALERT_ACTIVE)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	al->state = ALERT_ACKED;
	al->ack_wall_ns = (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
	alert_copy_line(al->ack_user, sizeof al->ack_user, user);
	alert_notify(a, al, ALERT_EV_ACK);
	return 0;
}

int
alerts_ack_uid(struct alerts *a, uint64_t uid, const char *user,
    uint64_t *id)
{
	uint32_t i, n;

	n = a->next_id - 1 < a->cfg.keep ? (uint32_t)(a->next_id - 1) :
	    a->cfg.keep;
	for (i = 0; i < n; i++) {
		if (a->ring[i].id == 0 || a->ring[i].uid != uid)
			continue;
		*id = a->ring[i].id;
		if (a->ring[i].state != ALERT_ACTIVE)
			return 1;
		return alerts_ack(a, a->ring[i].id, user) == 0 ? 0 : 1;
	}
	return -1;
}

/* Resolve what went quiet, re-notify what is still active. */
static void
alert_tick_states(struct alerts *a, uint64_t now)
{
	uint64_t cool = (uint64_t)a->cfg.cooldown_s * NS;
	uint64_t rep = (uint64_t)a->cfg.repeat_s * NS;
	uint32_t i, n;

	if (a->n_open == 0)
		return;
	n = a->next_id - 1 < a->cfg.keep ? (uint32_t)(a->next_id - 1) :
	    a->cfg.keep;
	for (i = 0; i < n; i++) {
		struct alert *al = &a->ring[i];

		if (al->state == ALERT_RESOLVED)
			continue;
		if (now >= al->last_ns + cool) {
			alert_unlink(a, al);
			al->state = ALERT_RESOLVED;
			al->resolved_ns = now;
			alert_notify(a, al, ALERT_EV_RESOLVED);
			continue;
		}
		if (al->state == ALERT_ACTIVE && rep != 0 &&
		    now >= al->notified_ns + rep) {
			al->notified_ns = now;
			al->notifications++;
			alert_notify(a, al, ALERT_EV_REPEAT);
		} else if (al->dirty)
			alert_notify(a, al, ALERT_EV_UPDATE);
	}
}

void
alerts_sync(struct alerts *a)
{
	uint32_t i, n;

	if (a == NULL || a->n_open == 0)
		return;
	n = a->next_id - 1 < a->cfg.keep ? (uint32_t)(a->next_id - 1) :
	    a->cfg.keep;
	for (i = 0; i < n; i++)
		if (a->ring[i].state != ALERT_RESOLVED && a->ring[i].dirty)
			alert_notify(a, &a->ring[i], ALERT_EV_UPDATE);
}

/* ---- the engine sink ------------------------------------------------ */

/* The packet path: the engine calls this only for the kinds some
 * detector wants (a SYN, a flow's first packet each way, a large one:
 * not for packets in the middle of a flow, nearly all of them), and it
 * calls only the detectors that want this packet's kinds. */
static void
alerts_sink_packet(void *arg, const struct pkt_meta *m, const struct flow *f,
    int dir, unsigned what)
{
	struct alerts *a = arg;
	unsigned i;

	for (i = 0; i < a->npkt; i++)
		if (a->pkt_want[i] & what)
			a->pkt_fn[i](a->pkt_arg[i], m, f, dir);
}

static void
alerts_sink_flow(void *arg, const struct flow *f, enum flow_end_reason why)
{
	struct alerts *a = arg;
	unsigned i;

	/* The first record of engine_flush(): the input has ended. */
	if (why == FLOW_END_FLUSH && !a->flushed) {
		a->flushed = 1;
		for (i = 0; i < a->ndets; i++)
			if (a->dets[i].ops->flush != NULL)
				a->dets[i].ops->flush(a->dets[i].state);
	}
	for (i = 0; i < a->ndets; i++)
		if (a->dets[i].ops->flow != NULL)
			a->dets[i].ops->flow(a->dets[i].state, f);
}

static void
alerts_sink_tick(void *arg, const struct engine *e, uint64_t now_ns)
{
	struct alerts *a = arg;
	unsigned i;

	for (i = 0; i < a->ndets; i++)
		if (a->dets[i].ops->tick != NULL)
			a->dets[i].ops->tick(a->dets[i].state, e, now_ns);
	alert_tick_states(a, now_ns);
	alerts_poll(a);
}

static void
alerts_sink_name(void *arg, const struct pkt_name *pn)
{
	struct alerts *a = arg;
	unsigned i;

	for (i = 0; i < a->ndets; i++)
		if (a->dets[i].ops->name != NULL)
			a->dets[i].ops->name(a->dets[i].state, pn);
}

static void
alerts_sink_dns(void *arg, const struct pkt_name *pn)
{
	struct alerts *a = arg;
	unsigned i;

	for (i = 0; i < a->ndets; i++)
		if (a->dets[i].ops->dns != NULL)
			a->dets[i].ops->dns(a->dets[i].state, pn);
}

static void
alerts_sink_source(void *arg, const struct engine_source_event *ev)
{
	struct alerts *a = arg;
	unsigned i;

	for (i = 0; i < a->ndets; i++)
		if (a->dets[i].ops->source != NULL)
			a->dets[i].ops->source(a->dets[i].state, ev);
}

/* Parse the detector list into a kind mask; -1 + cause. */
static int
alerts_parse_kinds(const char *list, unsigned *mask, char **cause)
{
	char *copy, *tok, *save;
	unsigned k;

	*mask = 0;
	if (list == NULL || *list == '\0' || strcmp(list, "none") == 0)
		return 0;
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (strcmp(tok, "all") == 0) {
			*mask |= (1u << ALERT_KIND_COUNT) - 1;
			continue;
		}
		for (k = 0; k < ALERT_KIND_COUNT; k++)
			if (strcmp(tok, alert_kind_names[k]) == 0)
				break;
		if (k == ALERT_KIND_COUNT) {
			char e[64 * FMT_ESC_MAX];
			size_t o = 0, i = 0;

			while (tok[i] != '\0' && i < 64) {
				i += fmt_escape_one((unsigned char *)tok + i,
				    e + o);
				o += strlen(e + o);
			}
			e[o] = '\0';
			xasprintf(cause, "%s: no such detector (detectors: "
			    "%s)", e, alert_kind_list());
			free(copy);
			return -1;
		}
		*mask |= 1u << k;
	}
	free(copy);
	return 0;
}

int
alert_setting_check(const char *name, const char *value, char **cause)
{
	const struct alert_det_ops *ops;
	struct alert_cfg c;
	char *why = NULL;
	size_t n = strlen(name);
	void *st;

	memset(&c, 0, sizeof c);
	if (strcmp(name, "policy_deny") == 0) {
		c.policy_deny = value;
		ops = &alert_policy_ops;
	} else if (strcmp(name, "policy_deny_external") == 0) {
		c.policy_deny_external = value;
		ops = &alert_policy_ops;
	} else if (strcmp(name, "geo_deny_countries") == 0) {
		c.geo_deny_countries = value;
		ops = &alert_geo_ops;
	} else if (strcmp(name, "geo_allow_countries") == 0) {
		c.geo_allow_countries = value;
		ops = &alert_geo_ops;
	} else if (strcmp(name, "geo_deny_asns") == 0) {
		c.geo_deny_asns = value;
		ops = &alert_geo_ops;
	} else
		return 0;
	/* the detector's own parser: what passes here, it accepts */
	if ((st = ops->create(NULL, &c, ops->kinds, &why)) != NULL) {
		ops->free(st);
		return 0;
	}
	/* its message names the setting: cfg.c does too */
	if (strncmp(why, name, n) == 0 && strncmp(why + n, ": ", 2) == 0) {
		*cause = xstrdup(why + n + 2);
		free(why);
	} else
		*cause = why;
	return -1;
}

/* 0 and *mask, or -1 + cause: the check cfg.c runs on the setting. */
int
alert_detectors_parse(const char *list, unsigned *mask, char **cause)
{
	return alerts_parse_kinds(list, mask, cause);
}

struct alerts *
alerts_create(const struct alert_cfg *cfg, struct engine *e, char **cause)
{
	struct alerts *a;
	struct engine_sink sk;
	unsigned mask, i, k, on, flags = 0;
	uint64_t key[4];
	uint32_t nb;
	size_t o = 0;

	if (alerts_parse_kinds(cfg->enabled ? cfg->detectors : NULL, &mask,
	    cause) != 0)
		return NULL;
	a = xcalloc(1, sizeof *a);
	a->cfg = *cfg;
	if (a->cfg.keep == 0)
		a->cfg.keep = 1024;
	a->engine = e;
	a->next_id = 1;
	a->ring = xcalloc(a->cfg.keep, sizeof *a->ring);
	for (nb = 16; nb < a->cfg.keep * 2; nb <<= 1)
		;
	a->bucket = xcalloc(nb, sizeof *a->bucket);
	a->hmask = nb - 1;
	a->large_min = cfg->large_packet_bytes;
	/* A per-run key for the detectors' tables, so crafted addresses
	 * cannot aim at one bucket. */
	if (getrandom(key, sizeof key, GRND_NONBLOCK) != (ssize_t)sizeof key) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		key[0] = (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32;
		key[1] = (uint64_t)ts.tv_sec;
	}
	a->hkey = alert_mix(key[0] ^ alert_mix(key[1]));

	for (i = 0; i < ALERT_NDETS; i++) {
		const struct alert_det_ops *ops = alert_dets[i];
		void *st;

		on = ops->kinds & mask;
		if (on == 0)
			continue;
		if ((st = ops->create(a, &a->cfg, on, cause)) == NULL) {
			alerts_free(a);
			return NULL;
		}
		a->dets[a->ndets].ops = ops;
		a->dets[a->ndets].state = st;
		a->ndets++;
		flags |= ops->engine_flags;
		/* per-host bandwidth and rate_anomaly read the hosts'
		 * rates */
		if ((ops == &alert_bandwidth_ops && cfg->bw_host_kbit > 0) ||
		    (ops == &alert_rate_anomaly_ops && cfg->rate_hosts > 0))
			flags |= ENGINE_SINK_HOST_RATES;
		if (ops->packet != NULL) {
			a->pkt_fn[a->npkt] = ops->packet;
			a->pkt_arg[a->npkt] = st;
			a->pkt_want[a->npkt] = ops->pkt_want;
			a->want_any |= ops->pkt_want;
			a->npkt++;
		}
	}
	for (k = 0; k < ALERT_KIND_COUNT; k++) {
		if (!(mask & (1u << k)))
			continue;
		o += (size_t)snprintf(a->enabled_text + o,
		    sizeof a->enabled_text - o, "%s%s", o ? "," : "",
		    alert_kind_names[k]);
		if (o >= sizeof a->enabled_text)
			o = sizeof a->enabled_text - 1;
	}
	if (a->cfg.command != NULL && *a->cfg.command != '\0') {
		if ((a->cmd = alert_cmd_create(&a->cfg, cause)) == NULL) {
			alerts_free(a);
			return NULL;
		}
		alerts_subscribe(a, &(struct alert_sub){ .arg = a->cmd,
		    .event = alert_cmd_event });
	}
	if (a->ndets == 0)
		return a;
	memset(&sk, 0, sizeof sk);
	sk.name = "alerts";
	sk.arg = a;
	sk.flags = flags | ENGINE_SINK_UNORDERED;
	sk.packet = a->npkt ? alerts_sink_packet : NULL;
	sk.packet_want = a->want_any;
	sk.packet_large = a->large_min;
	sk.flow = alerts_sink_flow;
	sk.tick = alerts_sink_tick;
	sk.name_learned = alerts_sink_name;
	sk.source = alerts_sink_source;
	sk.dns = alerts_sink_dns;
	if (engine_sink_add(e, &sk) != 0) {
		*cause = xstrdup("alerts: the engine takes no more sinks");
		alerts_free(a);
		return NULL;
	}
	return a;
}

void
alerts_free(struct alerts *a)
{
	unsigned i;

	if (a == NULL)
		return;
	alert_cmd_free(a->cmd);
	for (i = 0; i < a->ndets; i++)
		a->dets[i].ops->free(a->dets[i].state);
	free(a->ring);
	free(a->bucket);
	free(a);
}

int
alerts_subscribe(struct alerts *a, const struct alert_sub *s)
{
	if (a->nsubs == ALERT_MAX_SUBS)
		return -1;
	a->subs[a->nsubs++] = *s;
	return 0;
}

void
alerts_set_geo(struct alerts *a, alert_geo_fn fn, void *arg)
{
	a->geo = fn;
	a->geo_arg = arg;
}

int
alerts_geo(struct alerts *a, uint8_t ip_ver, const uint8_t addr[16],
    char cc[3], uint32_t *asn)
{
	cc[0] = '\0';
	*asn = 0;
	if (a->geo == NULL)
		return 0;
	return a->geo(a->geo_arg, ip_ver, addr, cc, asn);
}

int
alerts_geo_on(const struct alerts *a)
{
	return a->geo != NULL;
}

int
alerts_flow_ends(const struct alerts *a, const struct pkt_meta *m,
    const struct flow *fl, int dir, const uint8_t **loc,
    const uint8_t **ext)
{
	int local[2];

	if (dir != 0 || fl == NULL)
		return 0;
	/* the packet is the originator's: src is the originator */
	engine_flow_local(a->engine, fl, local);
	if (local[0] == local[1])
		return 0;
	*loc = local[0] ? m->src : m->dst;
	*ext = local[0] ? m->dst : m->src;
	return 1;
}

struct engine *
alerts_engine(const struct alerts *a)
{
	return a->engine;
}

size_t
alerts_count(const struct alerts *a)
{
	uint64_t n = a->next_id - 1;

	return n < a->cfg.keep ? (size_t)n : a->cfg.keep;
}

const struct alert *
alerts_get(const struct alerts *a, size_t i)
{
	uint64_t id;

	if (i >= alerts_count(a))
		return NULL;
	id = a->next_id - 1 - i;
	return &a->ring[(id - 1) % a->cfg.keep];
}

uint64_t
alerts_raised(const struct alerts *a)
{
	return a->next_id - 1;
}

const char *
alerts_detectors(const struct alerts *a)
{
	return a->enabled_text[0] != '\0' ? a->enabled_text : "none";
}

void
alerts_poll(struct alerts *a)
{
	if (a != NULL && a->cmd != NULL)
		alert_cmd_poll(a->cmd);
}
