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
 */
#include "config.h"
#include "engine.h"

#include <string.h>

#include <nettle/sha1.h>

#include "engine-int.h"

static const char cid_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Standard base64 with padding of n bytes into out (room: 4*ceil(n/3)+1). */
static void
cid_base64(const uint8_t *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];

		*out++ = cid_b64[v >> 18];
		*out++ = cid_b64[(v >> 12) & 63];
		*out++ = cid_b64[(v >> 6) & 63];
		*out++ = cid_b64[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		*out++ = cid_b64[v >> 18];
		*out++ = cid_b64[(v >> 12) & 63];
		*out++ = '=';
		*out++ = '=';
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		*out++ = cid_b64[v >> 18];
		*out++ = cid_b64[(v >> 12) & 63];
		*out++ = cid_b64[(v >> 6) & 63];
		*out++ = '=';
	}
	*out = '\0';
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

/* Community ID v1 of an explicit tuple (sender first). */
void
engine_cid(uint8_t ip_ver, uint8_t proto, const uint8_t *saddr,
    const uint8_t *daddr, uint16_t sport, uint16_t dport, int has_ports,
    int one_way, uint16_t seed, char out[64])
{
	struct sha1_ctx ctx;
	uint8_t buf[2 + 16 + 16 + 2 + 4], digest[SHA1_DIGEST_SIZE];
	size_t alen = ip_ver == 6 ? 16 : 4, n = 0;
	int swap = 0;

	if (!one_way) {
		int c = memcmp(saddr, daddr, alen);

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
	buf[n++] = seed >> 8;
	buf[n++] = seed & 0xff;
	memcpy(buf + n, saddr, alen);
	n += alen;
	memcpy(buf + n, daddr, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	if (has_ports) {
		buf[n++] = sport >> 8;
		buf[n++] = sport & 0xff;
		buf[n++] = dport >> 8;
		buf[n++] = dport & 0xff;
	}
	sha1_init(&ctx);
	sha1_update(&ctx, n, buf);
	sha1_digest(&ctx, SHA1_DIGEST_SIZE, digest);
	out[0] = '1';
	out[1] = ':';
	cid_base64(digest, sizeof digest, out + 2);
}

/* Community ID v1 of a flow. */
void
flow_community_id(const struct flow *f, uint16_t seed, char out[64])
{
	struct flow_ep o, r;
	uint8_t proto = f->key.proto;

	flow_endpoints(f, &o, &r);
	if (proto == 1 || proto == 58) {
		/* flow_endpoints gives the first packet's type and code. */
		int c = proto == 1 ? cid_icmp4_counterpart((uint8_t)o.port) :
		    cid_icmp6_counterpart((uint8_t)o.port);

		if (c >= 0)
			engine_cid(f->key.ip_ver, proto, o.addr, r.addr, o.port,
			    (uint16_t)c, 1, 0, seed, out);
		else
			engine_cid(f->key.ip_ver, proto, o.addr, r.addr, o.port,
			    r.port, 1, 1, seed, out);
		return;
	}
	engine_cid(f->key.ip_ver, proto, o.addr, r.addr, o.port, r.port,
	    proto == 6 || proto == 17 || proto == 132, 0, seed, out);
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

/* Zeek-style uid of a flow, stable across active-timeout records. */
void
flow_uid(const struct flow *f, char out[20])
{
	static const char b62[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint64_t v = engine_flow_uid_hash(f);
	uint64_t w = cid_mix(v ^ 0x5bd1e9955bd1e995ull);
	int i;

	out[0] = 'C';
	for (i = 1; i <= 17; i++) {
		uint64_t *p = i <= 9 ? &v : &w;

		out[i] = b62[*p % 62];
		*p /= 62;
	}
	out[18] = '\0';
}
