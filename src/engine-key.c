/*
 * engine-key.c: the bottom of the engine: keyed hashing, and addresses
 * and networks (parsing, matching, the local networks).
 *
 * Owned by the main thread (no state of its own apart from the engine's
 * copy of the local networks).  Tables hash with a random per-run key
 * (engine_key_random), so crafted addresses cannot aim at one chain;
 * what is exported never depends on that key (uids use a fixed one).
 */
#include "config.h"
#include "engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine-int.h"
#include "xmalloc.h"

/* Keyed 64-bit hash of n bytes at p. */
uint64_t
engine_hash(const uint64_t k[4], const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = k[0] ^ (n * ENGINE_HASH_GOLD), w0, w1;
	size_t i;

	/* Fixed-size loads only: a variable-length copy into a word and a
	 * wide load of it would stall on store forwarding. */
	while (n >= 16) {
		memcpy(&w0, b, 8);
		memcpy(&w1, b + 8, 8);
		h = engine_mum(w0 ^ k[1], w1 ^ k[2] ^ h);
		b += 16;
		n -= 16;
	}
	if (n >= 8) {
		memcpy(&w0, b, 8);
		h = engine_mum(w0 ^ k[3], h ^ k[1]);
		b += 8;
		n -= 8;
	}
	if (n > 0) {
		w0 = 0;
		for (i = 0; i < n; i++)
			w0 |= (uint64_t)b[i] << (8 * i);
		h = engine_mum(w0 ^ k[2], h ^ k[3]);
	}
	return engine_mum(h ^ k[2], k[3] ^ ENGINE_HASH_GOLD);
}

/* Fill k with a random per-run key (getrandom, else clock and pid). */
void
engine_key_random(uint64_t k[4])
{
	uint8_t *p = (uint8_t *)k;
	size_t got = 0;

	while (got < 4 * sizeof k[0]) {
		ssize_t r = getrandom(p + got, 4 * sizeof k[0] - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		got += (size_t)r;
	}
	if (got < 4 * sizeof k[0]) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		k[0] ^= (uint64_t)ts.tv_nsec * ENGINE_HASH_GOLD;
		k[1] ^= (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 32);
		k[2] ^= (uint64_t)(uintptr_t)k;
		k[3] ^= k[0] * 0xbf58476d1ce4e5b9ull;
	}
}

/* Default local networks: RFC 1918, CGNAT, link-local, loopback, ULA. */
static const char *const engine_default_nets[] = {
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
	"169.254.0.0/16", "127.0.0.0/8", "fc00::/7", "fe80::/10", "::1/128",
};

/* Parse "addr/len" or a bare address into a net. */
int
engine_net_parse(const char *s, struct engine_net *n)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long plen;
	unsigned max;

	if (s == NULL || strlen(s) >= sizeof buf)
		return -1;
	strcpy(buf, s);
	memset(n, 0, sizeof *n);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->ip_ver = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->ip_ver = 6;
		max = 128;
	} else
		return -1;
	plen = max;
	if (slash != NULL) {
		if (*slash < '0' || *slash > '9')
			return -1;
		errno = 0;
		plen = strtoul(slash, &end, 10);
		if (errno != 0 || *end != '\0' || plen > max)
			return -1;
	}
	n->plen = (uint8_t)plen;
	return 0;
}

/* Say whether an address is in net n. */
static int
engine_net_match(const struct engine_net *n, uint8_t ip_ver,
    const uint8_t addr[16])
{
	unsigned full = n->plen / 8, rest = n->plen % 8;

	if (n->ip_ver != ip_ver)
		return 0;
	if (memcmp(n->addr, addr, full) != 0)
		return 0;
	if (rest != 0) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((n->addr[full] & mask) != (addr[full] & mask))
			return 0;
	}
	return 1;
}

/* Say whether an address is in any of the n networks v. */
int
engine_nets_match(const struct engine_net *v, unsigned n, uint8_t ip_ver,
    const uint8_t addr[16])
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (engine_net_match(&v[i], ip_ver, addr))
			return 1;
	}
	return 0;
}

/* Say whether an address is in the local networks. */
int
engine_is_local(const struct engine *e, uint8_t ip_ver,
    const uint8_t addr[16])
{
	return engine_nets_match(e->nets, e->n_nets, ip_ver, addr);
}

/* Copy the configured local networks, or set the defaults. */
void
engine_nets_init(struct engine *e)
{
	unsigned i, n;

	if (e->cfg.n_local_nets > 0 && e->cfg.local_nets != NULL) {
		e->n_nets = e->cfg.n_local_nets;
		e->nets = xcalloc(e->n_nets, sizeof *e->nets);
		memcpy(e->nets, e->cfg.local_nets, e->n_nets * sizeof *e->nets);
	} else {
		n = sizeof engine_default_nets / sizeof engine_default_nets[0];
		e->nets = xcalloc(n, sizeof *e->nets);
		for (i = 0; i < n; i++) {
			if (engine_net_parse(engine_default_nets[i],
			    &e->nets[e->n_nets]) == 0)
				e->n_nets++;
		}
	}
	e->cfg.local_nets = e->nets;
	e->cfg.n_local_nets = e->n_nets;
}
