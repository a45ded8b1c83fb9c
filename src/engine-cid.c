/*
 * engine-cid.c: Community ID v1 flow hashes and Zeek-style flow uids.
 *
 * Pure functions of a flow record; any thread may call them.
 * Community ID (https://github.com/corelight/community-id-spec): SHA-1
 * (nettle) over seed (2 bytes, big-endian) . saddr . daddr . proto . 0 .
 * sport . dport, the endpoints ordered so the smaller (address, port)
 * comes first; ICMP and ICMPv6 use (type, counterpart type) as ports for
 * request/reply types, and (type, code) unordered for one-way types;
 * protocols without ports hash no ports.  The result is "1:" + base64.
 * The input always fits one SHA-1 block, so the block is built in place
 * and handed to nettle's compression function once.
 */
#include "config.h"
#include "engine.h"

#include <endian.h>
#include <string.h>

#include <nettle/sha1.h>

#include "engine-int.h"

static const char cid_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 with padding of a SHA-1 digest (20 bytes: 6 whole
 * groups, then 2 bytes and one '=') into out (29 bytes with the NUL). */
static void
cid_base64(const uint8_t in[SHA1_DIGEST_SIZE], char *out)
{
	uint32_t v;
	int i;

	for (i = 0; i < 18; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[0] = cid_b64[v >> 18];
		out[1] = cid_b64[(v >> 12) & 63];
		out[2] = cid_b64[(v >> 6) & 63];
		out[3] = cid_b64[v & 63];
		out += 4;
	}
	v = (uint32_t)in[18] << 16 | (uint32_t)in[19] << 8;
	out[0] = cid_b64[v >> 18];
	out[1] = cid_b64[(v >> 12) & 63];
	out[2] = cid_b64[(v >> 6) & 63];
	out[3] = '=';
	out[4] = '\0';
}

/* A big-endian 32-bit word. */
static inline uint32_t
cid_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* ICMP counterpart types as Zeek (and the spec's reference) map them;
 * -1 if the type is one-way. */
static int
cid_icmp4_counterpart(uint8_t type)
{
	switch (type) {
	case 8:
		return 0;	/* echo -> echo reply */
	case 0:
		return 8;
	case 13:
		return 14;	/* timestamp */
	case 14:
		return 13;
	case 15:
		return 16;	/* information */
	case 16:
		return 15;
	case 10:
		return 9;	/* router solicitation -> advertisement */
	case 17:
		return 18;	/* address mask */
	case 18:
		return 17;
	default:
		return -1;
	}
}

static int
cid_icmp6_counterpart(uint8_t type)
{
	switch (type) {
	case 128:
		return 129;	/* echo */
	case 129:
		return 128;
	case 133:
		return 134;	/* router solicitation / advertisement */
	case 134:
		return 133;
	case 135:
		return 136;	/* neighbor solicitation / advertisement */
	case 136:
		return 135;
	case 130:
		return 131;	/* MLD query / report */
	case 131:
		return 130;
	case 139:
		return 140;	/* node information (who are you) */
	case 140:
		return 139;
	case 144:
		return 145;	/* home agent address discovery */
	case 145:
		return 144;
	default:
		return -1;
	}
}

/* Community ID v1 of an explicit tuple (sender first).  The hash input
 * (at most 40 bytes) is written once, straight into the one SHA-1 block
 * with its padding (FIPS 180-4 5.1.1), and compressed once. */
void
engine_cid(uint8_t ip_ver, uint8_t proto, const uint8_t *saddr,
    const uint8_t *daddr, uint16_t sport, uint16_t dport, int has_ports,
    int one_way, uint16_t seed, char out[64])
{
	uint32_t st[5] = {
		0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u,
		0xc3d2e1f0u,
	};
	uint8_t block[SHA1_BLOCK_SIZE], digest[SHA1_DIGEST_SIZE];
	size_t n = 0;
	int i, swap = 0;

	if (!one_way) {
		/* Compared as big-endian words: the order of memcmp. */
		int c;

		if (ip_ver == 6)
			c = memcmp(saddr, daddr, 16);
		else {
			uint32_t a = cid_be32(saddr), b = cid_be32(daddr);

			c = (a > b) - (a < b);
		}
		swap = c > 0 || (c == 0 && has_ports && sport > dport);
	}
	if (swap) {
		const uint8_t *t = saddr;
		uint16_t tp = sport;

		saddr = daddr;
		daddr = t;
		sport = dport;
		dport = tp;
	}
	memset(block, 0, sizeof block);
	block[n++] = seed >> 8;
	block[n++] = seed & 0xff;
	if (ip_ver == 6) {
		memcpy(block + n, saddr, 16);
		memcpy(block + n + 16, daddr, 16);
		n += 32;
	} else {
		memcpy(block + n, saddr, 4);
		memcpy(block + n + 4, daddr, 4);
		n += 8;
	}
	block[n++] = proto;
	block[n++] = 0;
	if (has_ports) {
		block[n++] = sport >> 8;
		block[n++] = sport & 0xff;
		block[n++] = dport >> 8;
		block[n++] = dport & 0xff;
	}
	/* Padding: 0x80, zeros, the message length in bits (64-bit BE). */
	block[n] = 0x80;
	block[SHA1_BLOCK_SIZE - 2] = (uint8_t)((n * 8) >> 8);
	block[SHA1_BLOCK_SIZE - 1] = (uint8_t)(n * 8);
	nettle_sha1_compress(st, block);
	for (i = 0; i < 5; i++) {
		/* the state words in the digest's byte order, on any CPU */
		uint32_t be = htobe32(st[i]);

		memcpy(digest + 4 * i, &be, 4);
	}
	out[0] = '1';
	out[1] = ':';
	cid_base64(digest, out + 2);
}

/* Community ID v1 of a flow given by its originator and responder, as
 * flow_endpoints() gives them (ICMP: the first packet's type and code as
 * the ports).  engine_cid orders the endpoints, so which one comes first
 * does not matter, except for ICMP's one-way messages. */
void
flow_community_id_of(uint8_t ip_ver, uint8_t proto, const uint8_t *oaddr,
    const uint8_t *raddr, uint16_t oport, uint16_t rport, uint16_t seed,
    char out[64])
{
	int c;

	if (proto == 1 || proto == 58) {
		c = proto == 1 ? cid_icmp4_counterpart((uint8_t)oport) :
		    cid_icmp6_counterpart((uint8_t)oport);
		if (c >= 0)
			engine_cid(ip_ver, proto, oaddr, raddr, oport,
			    (uint16_t)c, 1, 0, seed, out);
		else
			engine_cid(ip_ver, proto, oaddr, raddr, oport, rport, 1,
			    1, seed, out);
		return;
	}
	engine_cid(ip_ver, proto, oaddr, raddr, oport, rport, proto == 6 ||
	    proto == 17 || proto == 132, 0, seed, out);
}

/* Community ID v1 of a flow.  Only ICMP needs flow_endpoints (the type
 * and code it keeps); other flows hash their key's endpoints in place,
 * engine_cid ordering them. */
void
flow_community_id(const struct flow *f, uint16_t seed, char out[64])
{
	struct flow_ep o, r;
	uint8_t proto = f->key.proto;

	if (proto == 1 || proto == 58) {
		flow_endpoints(f, &o, &r);
		flow_community_id_of(f->key.ip_ver, proto, o.addr, r.addr,
		    o.port, r.port, seed, out);
		return;
	}
	engine_cid(f->key.ip_ver, proto, f->key.a, f->key.b, f->key.ap,
	    f->key.bp, proto == 6 || proto == 17 || proto == 132, 0, seed,
	    out);
}

/* Community ID v1 of the connection a packet belongs to (TCP, UDP,
 * SCTP; other protocols without ports), seed 0. */
void
pkt_community_id(const struct pkt_meta *m, char out[64])
{
	uint8_t p = m->proto;

	engine_cid(m->ip_ver, p, m->src, m->dst, m->sport, m->dport,
	    (p == 6 || p == 17 || p == 132) && (m->flags & PKT_F_L4), 0, 0,
	    out);
}

/* The hash flow_uid formats (kept by the history store in its place). */
uint64_t
flow_uid_hash(const struct flow *f)
{
	return engine_flow_uid_hash(f);
}

/* Fixed-key mixing for exported identifiers (splitmix64 finaliser). */
static uint64_t
cid_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static const char cid_b62_digits[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/* Two base-62 digits at a time (uids are on the record path): entry p
 * is the digits of p < 62 * 62, least significant first.  Filled before
 * main() runs, so any thread may read it. */
static char cid_b62_pairs[62 * 62][2];

__attribute__((constructor)) static void
cid_b62_init(void)
{
	unsigned p;

	for (p = 0; p < 62 * 62; p++) {
		cid_b62_pairs[p][0] = cid_b62_digits[p % 62];
		cid_b62_pairs[p][1] = cid_b62_digits[p / 62];
	}
}

/* n base-62 digits of v, least significant first, at out. */
static void
cid_b62(char *out, uint32_t v, int n)
{
	int i;

	for (i = 0; i + 1 < n; i += 2) {
		memcpy(out + i, cid_b62_pairs[v % (62 * 62)], 2);
		v /= 62 * 62;
	}
	if (i < n)
		out[i] = cid_b62_digits[v % 62];
}

/* Zeek-style uid of a flow, stable across active-timeout records: "C",
 * then the 9 lowest base-62 digits of the hash and the 8 lowest of its
 * mix, least significant first.  The digits are taken in 32-bit chunks
 * of at most 5 (62^5 < 2^32): 6 64-bit divisions instead of 34. */
void
flow_uid(const struct flow *f, char out[20])
{
	flow_uid_of(engine_flow_uid_hash(f), out);
}

/* Format the uid whose hash is v. */
void
flow_uid_of(uint64_t v, char out[20])
{
	const uint64_t p3 = 62ull * 62 * 62, p4 = p3 * 62, p5 = p4 * 62;
	uint64_t w = cid_mix(v ^ 0x5bd1e9955bd1e995ull);

	out[0] = 'C';
	cid_b62(out + 1, (uint32_t)(v % p5), 5);
	cid_b62(out + 6, (uint32_t)(v / p5 % p4), 4);
	cid_b62(out + 10, (uint32_t)(w % p5), 5);
	cid_b62(out + 15, (uint32_t)(w / p5 % p3), 3);
	out[18] = '\0';
}
