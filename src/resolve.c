/*
 * resolve.c: reverse DNS (resolve = reverse): the PTR names of the
 * addresses the user sees, looked up by resolver threads so that a slow
 * or dead name server never stalls the screen or the engine.
 *
 * Two sides.  The main thread owns struct resolve: a bounded cache of
 * address -> name, "no name" or "pending" with an expiry (monotonic
 * clock, wall time: lookups happen in real time, not packet time), and
 * the cache hits waiting to be handed out.  The resolver threads (at most
 * cfg.lookups, started on demand, so that many lookups in flight at
 * most) share only struct resolve_shared with it: a ring of requests and
 * a ring of results under one mutex, held for O(1) copies and never
 * across a lookup.  The main thread takes that mutex in resolve_want()
 * (while drawing, for the hosts on screen) and resolve_take() (once per
 * tick or frame), never per packet.  A request is admitted only while
 * requests waiting + lookups running + results not yet taken stay under
 * queue + lookups, so the result ring (that size) cannot overflow; a
 * request refused is counted (dropped) and asked again by a later frame.
 *
 * Lookups are getnameinfo(NI_NAMEREQD): it follows nsswitch.conf (so
 * /etc/hosts, DNS, or whatever the system resolver is), is thread-safe,
 * and needs no DNS parsing of our own (the res_* interface would need
 * -lresolv and a PTR answer parser, and would bypass /etc/hosts).  It
 * cannot be interrupted (no timeout argument, and no pthread_cancel in
 * wiretop), so the threads are detached and the shared part is reference
 * counted: resolve_free() never waits for a thread stuck in a slow
 * lookup, and the last one out frees it.  Names are the resolver's bytes,
 * escaped wherever they are shown like every captured name.
 */
#include "config.h"
#include "resolve.h"

#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"
#include "xmalloc.h"

#define RESOLVE_PENDING_NS	(120ull * 1000000000ull)	/* a lookup
				   not back by then may be asked again */
#define RESOLVE_READY		128	/* cache hits waiting, at most */
#define RESOLVE_BUCKETS		16384	/* power of two, 2 x the cache */

struct resolve_req {
	uint8_t ip_ver;
	uint8_t addr[16];
};

struct resolve_res {
	uint8_t ip_ver;
	uint8_t ok;			/* 1: name holds the name */
	uint8_t addr[16];
	char name[PKT_NAME_MAX];
};

/* What the main thread and the resolver threads share (under mu). */
struct resolve_shared {
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* a request, or stop */
	struct resolve_req *req;	/* ring of qcap */
	uint32_t qcap, qhead, nreq;
	struct resolve_res *res;	/* ring of rcap */
	uint32_t rcap, rhead, nres;
	uint32_t busy;			/* lookups running */
	uint32_t threads;		/* threads alive */
	uint32_t refs;			/* threads + the owner */
	int stop;
};

enum { RC_FREE = 0, RC_PENDING, RC_NAME, RC_NONE };

struct resolve_entry {
	uint8_t addr[16];
	uint8_t ip_ver;
	uint8_t state;			/* RC_* */
	uint32_t hnext;			/* chain: slot + 1, 0 = end */
	uint64_t until_ns;		/* monotonic: valid until */
	char *name;			/* owned, RC_NAME */
};

struct resolve {
	struct resolve_cfg cfg;
	struct resolve_shared *sh;	/* shared, reference counted */
	struct resolve_entry *cache;	/* RESOLVE_CACHE_MAX slots */
	uint32_t *buckets;		/* slot + 1, RESOLVE_BUCKETS */
	uint32_t hand;			/* next slot to reuse (FIFO) */
	uint64_t seed;
	struct resolve_req ready[RESOLVE_READY];	/* cache hits */
	unsigned nready;
	int spawn_failed;		/* logged once */
	struct resolve_stats st;
};

static uint64_t
resolve_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- resolver threads ------------------------------------------------ */

static void
shared_free(struct resolve_shared *sh)
{
	pthread_mutex_destroy(&sh->mu);
	pthread_cond_destroy(&sh->cv);
	free(sh->req);
	free(sh->res);
	free(sh);
}

/* Look the name of an address up: 0 and name filled, or -1. */
static int
resolve_lookup(uint8_t ip_ver, const uint8_t addr[16], char *name,
    size_t len)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)&ss;
	char host[NI_MAXHOST];
	socklen_t sl;
	size_t n;

	memset(&ss, 0, sizeof ss);
	if (ip_ver == 4) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, addr, 4);
		sl = sizeof *sin;
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, addr, 16);
		sl = sizeof *sin6;
	}
	if (getnameinfo((struct sockaddr *)(void *)&ss, sl, host, sizeof host,
	    NULL, 0, NI_NAMEREQD) != 0)
		return -1;
	n = strnlen(host, sizeof host);
	if (n == 0 || n >= len || n == sizeof host)
		return -1;
	memcpy(name, host, n + 1);
	return 0;
}

static void *
resolve_thread(void *arg)
{
	struct resolve_shared *sh = arg;
	struct resolve_req q;
	struct resolve_res *o;
	char name[PKT_NAME_MAX];
	int ok, last;

	pthread_mutex_lock(&sh->mu);
	for (;;) {
		while (!sh->stop && sh->nreq == 0)
			pthread_cond_wait(&sh->cv, &sh->mu);
		if (sh->stop)
			break;
		q = sh->req[sh->qhead];
		sh->qhead = (sh->qhead + 1) % sh->qcap;
		sh->nreq--;
		sh->busy++;
		pthread_mutex_unlock(&sh->mu);

		ok = resolve_lookup(q.ip_ver, q.addr, name, sizeof name) == 0;

		pthread_mutex_lock(&sh->mu);
		sh->busy--;
		if (sh->stop)
			break;
		/* admission keeps nres + busy + nreq <= rcap */
		o = &sh->res[(sh->rhead + sh->nres) % sh->rcap];
		sh->nres++;
		o->ip_ver = q.ip_ver;
		memcpy(o->addr, q.addr, sizeof o->addr);
		o->ok = (uint8_t)ok;
		if (ok)
			memcpy(o->name, name, strlen(name) + 1);
		else
			o->name[0] = '\0';
	}
	sh->threads--;
	last = --sh->refs == 0;
	pthread_mutex_unlock(&sh->mu);
	if (last)
		shared_free(sh);
	return NULL;
}

/* Start one more resolver thread (its count is taken already). */
static void
resolve_spawn(struct resolve *r)
{
	struct resolve_shared *sh = r->sh;
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;
	int rc;

	/* Signals go to the main loop's signalfd only. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, resolve_thread, sh);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0) {
		r->st.threads++;
		return;
	}
	pthread_mutex_lock(&sh->mu);
	sh->threads--;
	sh->refs--;
	pthread_mutex_unlock(&sh->mu);
	if (!r->spawn_failed) {
		r->spawn_failed = 1;
		log_warn("reverse DNS: cannot start a resolver thread: %s",
		    strerror(rc));
	}
}

/* ---- the main thread's side ------------------------------------------ */

/* Create a resolver; threads start on demand (resolve_want). */
struct resolve *
resolve_create(const struct resolve_cfg *cfg)
{
	struct resolve *r = xcalloc(1, sizeof *r);
	struct resolve_shared *sh = xcalloc(1, sizeof *sh);

	if (cfg != NULL)
		r->cfg = *cfg;
	if (r->cfg.queue == 0)
		r->cfg.queue = RESOLVE_DEFAULT_QUEUE;
	if (r->cfg.lookups == 0)
		r->cfg.lookups = RESOLVE_DEFAULT_LOOKUPS;
	if (r->cfg.ttl_s == 0)
		r->cfg.ttl_s = RESOLVE_DEFAULT_TTL;
	if (r->cfg.negative_ttl_s == 0)
		r->cfg.negative_ttl_s = RESOLVE_DEFAULT_NEGATIVE_TTL;
	r->cache = xcalloc(RESOLVE_CACHE_MAX, sizeof *r->cache);
	r->buckets = xcalloc(RESOLVE_BUCKETS, sizeof *r->buckets);
	r->seed = resolve_now() | 1;

	pthread_mutex_init(&sh->mu, NULL);
	pthread_cond_init(&sh->cv, NULL);
	sh->qcap = r->cfg.queue;
	sh->req = xcalloc(sh->qcap, sizeof *sh->req);
	sh->rcap = r->cfg.queue + r->cfg.lookups;
	sh->res = xcalloc(sh->rcap, sizeof *sh->res);
	sh->refs = 1;
	r->sh = sh;
	return r;
}

/* Stop the threads (without waiting for a lookup) and free. */
void
resolve_free(struct resolve *r)
{
	struct resolve_shared *sh;
	uint32_t i;
	int last;

	if (r == NULL)
		return;
	sh = r->sh;
	pthread_mutex_lock(&sh->mu);
	sh->stop = 1;
	pthread_cond_broadcast(&sh->cv);
	last = --sh->refs == 0;
	pthread_mutex_unlock(&sh->mu);
	if (last)
		shared_free(sh);
	for (i = 0; i < RESOLVE_CACHE_MAX; i++)
		free(r->cache[i].name);
	free(r->cache);
	free(r->buckets);
	free(r);
}

static uint32_t
cache_bucket(const struct resolve *r, uint8_t ip_ver, const uint8_t a[16])
{
	uint64_t h = r->seed ^ ip_ver;
	unsigned i;

	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 0x100000001b3ull;
	h ^= h >> 29;
	return (uint32_t)h & (RESOLVE_BUCKETS - 1);
}

/* The cache slot of an address, or -1. */
static long
cache_find(const struct resolve *r, uint8_t ip_ver, const uint8_t a[16])
{
	uint32_t s;

	for (s = r->buckets[cache_bucket(r, ip_ver, a)]; s != 0;
	    s = r->cache[s - 1].hnext) {
		const struct resolve_entry *c = &r->cache[s - 1];

		if (c->ip_ver == ip_ver && memcmp(c->addr, a, 16) == 0)
			return (long)(s - 1);
	}
	return -1;
}

static void
cache_unlink(struct resolve *r, uint32_t i)
{
	struct resolve_entry *c = &r->cache[i];
	uint32_t *p = &r->buckets[cache_bucket(r, c->ip_ver, c->addr)];

	while (*p != 0 && *p != i + 1)
		p = &r->cache[*p - 1].hnext;
	if (*p != 0)
		*p = c->hnext;
	free(c->name);
	c->name = NULL;
	c->state = RC_FREE;
}

/* Remember what is known of an address (name: RC_NAME only). */
static void
cache_put(struct resolve *r, uint8_t ip_ver, const uint8_t a[16],
    int state, uint64_t until_ns, const char *name)
{
	struct resolve_entry *c;
	long f = cache_find(r, ip_ver, a);
	uint32_t i, b;

	if (f >= 0) {
		c = &r->cache[f];
		free(c->name);
		c->name = NULL;
	} else {
		/* FIFO: the slot filled longest ago goes */
		i = r->hand;
		r->hand = (r->hand + 1) % RESOLVE_CACHE_MAX;
		if (r->cache[i].state != RC_FREE)
			cache_unlink(r, i);
		c = &r->cache[i];
		memcpy(c->addr, a, 16);
		c->ip_ver = ip_ver;
		b = cache_bucket(r, ip_ver, a);
		c->hnext = r->buckets[b];
		r->buckets[b] = i + 1;
	}
	c->state = (uint8_t)state;
	c->until_ns = until_ns;
	if (state == RC_NAME)
		c->name = xstrdup(name);
}

/* Ask for an address's name: from the cache, or queued (see resolve.h). */
void
resolve_want(struct resolve *r, uint8_t ip_ver, const uint8_t addr[16])
{
	struct resolve_shared *sh = r->sh;
	struct resolve_req *q;
	uint64_t now = resolve_now();
	long f;
	int queued = 0, spawn = 0;

	if (ip_ver != 4 && ip_ver != 6)
		return;
	f = cache_find(r, ip_ver, addr);
	if (f >= 0 && now < r->cache[f].until_ns) {
		if (r->cache[f].state == RC_NAME &&
		    r->nready < RESOLVE_READY) {
			q = &r->ready[r->nready++];
			q->ip_ver = ip_ver;
			memcpy(q->addr, addr, 16);
		}
		return;
	}
	pthread_mutex_lock(&sh->mu);
	if (sh->nreq < sh->qcap &&
	    sh->nreq + sh->busy + sh->nres < sh->rcap) {
		q = &sh->req[(sh->qhead + sh->nreq) % sh->qcap];
		q->ip_ver = ip_ver;
		memcpy(q->addr, addr, 16);
		sh->nreq++;
		queued = 1;
		/* a thread more if every one is busy or has a request */
		if (sh->threads < r->cfg.lookups &&
		    sh->threads - sh->busy < sh->nreq) {
			sh->threads++;
			sh->refs++;
			spawn = 1;
		}
		pthread_cond_signal(&sh->cv);
	}
	pthread_mutex_unlock(&sh->mu);
	if (!queued) {
		r->st.dropped++;
		return;
	}
	r->st.asked++;
	cache_put(r, ip_ver, addr, RC_PENDING, now + RESOLVE_PENDING_NS,
	    NULL);
	if (spawn)
		resolve_spawn(r);
}

/* Hand out the cache hits and the lookups finished since the last call. */
size_t
resolve_take(struct resolve *r, struct pkt_name *out, size_t n)
{
	struct resolve_shared *sh = r->sh;
	struct resolve_res x;
	struct pkt_name *o;
	uint64_t now;
	size_t k = 0;
	long f;
	int got;

	while (k < n && r->nready > 0) {
		const struct resolve_req *q = &r->ready[--r->nready];

		f = cache_find(r, q->ip_ver, q->addr);
		if (f < 0 || r->cache[f].state != RC_NAME)
			continue;
		o = &out[k++];
		memset(o, 0, offsetof(struct pkt_name, name));
		o->kind = PKT_NAME_PTR;
		o->ip_ver = q->ip_ver;
		memcpy(o->addr, q->addr, 16);
		snprintf(o->name, sizeof o->name, "%s", r->cache[f].name);
		r->st.cache_hits++;
	}
	now = resolve_now();
	while (k < n) {
		pthread_mutex_lock(&sh->mu);
		if ((got = sh->nres > 0)) {
			x = sh->res[sh->rhead];
			sh->rhead = (sh->rhead + 1) % sh->rcap;
			sh->nres--;
		}
		pthread_mutex_unlock(&sh->mu);
		if (!got)
			break;
		if (!x.ok) {
			r->st.not_found++;
			cache_put(r, x.ip_ver, x.addr, RC_NONE, now +
			    (uint64_t)r->cfg.negative_ttl_s * 1000000000ull,
			    NULL);
			continue;
		}
		r->st.found++;
		cache_put(r, x.ip_ver, x.addr, RC_NAME, now +
		    (uint64_t)r->cfg.ttl_s * 1000000000ull, x.name);
		o = &out[k++];
		memset(o, 0, offsetof(struct pkt_name, name));
		o->kind = PKT_NAME_PTR;
		o->ip_ver = x.ip_ver;
		memcpy(o->addr, x.addr, 16);
		memcpy(o->name, x.name, sizeof o->name);
	}
	return k;
}

/* Copy the counters, with the queue and in-flight counts of now. */
void
resolve_get_stats(struct resolve *r, struct resolve_stats *st)
{
	*st = r->st;
	pthread_mutex_lock(&r->sh->mu);
	st->queued = r->sh->nreq;
	st->in_flight = r->sh->busy;
	pthread_mutex_unlock(&r->sh->mu);
}
