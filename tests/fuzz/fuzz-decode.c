/*
 * fuzz-decode.c: libFuzzer target for the packet decoder.
 *
 * Input: one byte that picks a link type from decode.h's decode_linktypes
 * (modulo its size; tests/unit/test-decode.c writes its seeds the same
 * way; the quotient picks a tunnel depth), then the packet.  The packet
 * is decoded with name extraction, whole and cut in half (wire length:
 * the whole packet), from a heap copy of exactly the captured size so
 * that AddressSanitizer sees any read past the capture: by
 * decode_packet(), and by decode_frame() at PKT_MAX_TUNNELS and at the
 * depth the first byte picks, into a heap array of exactly depth inner
 * records.  Broken invariants of the output (a status out of range, an
 * unterminated or empty name, more names than room, layered records
 * that do not chain: PKT_F_MORE, layer numbers, shared lengths, an inner
 * record without IP, an opened tunnel on the last record, an outer record
 * other than decode_packet's) abort, so the fuzzer reports them like
 * crashes.  Without libFuzzer the
 * same entry point is driven by tests/fuzz/replay.c over the seed corpus
 * and the kept crash inputs.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "pkt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);


static void
fuzz_check(const struct pkt_meta *m, const struct decode_names *dn,
    uint32_t caplen)
{
	unsigned i;

	if (m->status >= PKT_STATUS_COUNT || m->cap_len != caplen)
		abort();
	if (m->ip_ver != 0 && m->ip_ver != 4 && m->ip_ver != 6)
		abort();
	if ((m->flags & PKT_F_L4) && m->ip_ver == 0)
		abort();
	if ((m->flags & PKT_F_L4) && (m->flags & PKT_F_FRAG_LATER))
		abort();
	if (dn->n > dn->max)
		abort();
	for (i = 0; i < dn->n; i++) {
		size_t len = strnlen(dn->v[i].name, PKT_NAME_MAX);

		if (len == 0 || len == PKT_NAME_MAX)
			abort();
		if (dn->v[i].kind < PKT_NAME_DNS ||
		    dn->v[i].kind > PKT_NAME_DNS_LONG)
			abort();
	}
}

/* Check the records of one frame chain as decode.h promises. */
static void
fuzz_check_frame(const struct pkt_meta *m, const struct pkt_meta *in,
    unsigned n, unsigned depth, const struct pkt_meta *outer,
    const struct decode_names *dn, uint32_t caplen)
{
	const struct pkt_meta *r;
	struct pkt_meta o;
	unsigned k;

	if (n > depth)
		abort();
	for (k = 0; k <= n; k++) {
		r = k == 0 ? m : &in[k - 1];
		fuzz_check(r, dn, caplen);
		if (r->layer != k || r->ts_ns != m->ts_ns ||
		    r->wire_len != m->wire_len || r->tunnel >= PKT_TUN_COUNT)
			abort();
		if ((r->flags & PKT_F_TUN_SKIP) && !(r->flags & PKT_F_TUNNEL))
			abort();
		if (k < n && ((r->flags & (PKT_F_MORE | PKT_F_TUNNEL |
		    PKT_F_TUN_SKIP)) != (PKT_F_MORE | PKT_F_TUNNEL) ||
		    r->status != PKT_DECODED))
			abort();
		if (k == n && ((r->flags & PKT_F_MORE) ||
		    ((r->flags & PKT_F_TUNNEL) && !(r->flags & PKT_F_TUN_SKIP))))
			abort();
		if (k > 0 && (r->ip_ver == 0 || (r->status != PKT_DECODED &&
		    r->status != PKT_TRUNCATED)))
			abort();
	}
	/* the outer record is decode_packet's, but for its flags */
	o = *m;
	o.flags = (uint8_t)(o.flags & ~PKT_F_MORE);
	if (n > 0)
		o.flags |= PKT_F_TUN_SKIP;
	if (memcmp(&o, outer, sizeof o) != 0)
		abort();
}

static void
fuzz_one(uint32_t lt, unsigned depth, const uint8_t *data, size_t caplen,
    size_t wirelen)
{
	struct pkt_name names[DECODE_MAX_NAMES];
	struct decode_names dn = { names, DECODE_MAX_NAMES, 0 };
	struct pkt_meta m, f, *in;
	const unsigned depths[2] = { PKT_MAX_TUNNELS, depth };
	unsigned i, n;
	uint8_t *copy;

	if ((copy = malloc(caplen > 0 ? caplen : 1)) == NULL)
		return;
	if (caplen > 0)
		memcpy(copy, data, caplen);
	decode_packet(&m, &dn, lt, copy, (uint32_t)caplen, (uint32_t)wirelen,
	    1);
	fuzz_check(&m, &dn, (uint32_t)caplen);
	for (i = 0; i < 2; i++) {
		/* exactly depth records, so that ASan sees one more */
		in = malloc(depths[i] > 0 ? depths[i] * sizeof *in : 1);
		if (in == NULL)
			break;
		dn.n = 0;
		n = decode_frame(&f, depths[i] > 0 ? in : NULL, depths[i], &dn,
		    lt, copy, (uint32_t)caplen, (uint32_t)wirelen, 1);
		fuzz_check_frame(&f, in, n, depths[i], &m, &dn,
		    (uint32_t)caplen);
		free(in);
	}
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned depth;
	uint32_t lt;

	if (size < 1 || size > 65536 + 1)
		return 0;
	lt = decode_linktypes[data[0] % decode_nlinktypes].linktype;
	depth = (data[0] / decode_nlinktypes) % (PKT_MAX_TUNNELS + 1);
	data++;
	size--;
	fuzz_one(lt, depth, data, size, size);
	fuzz_one(lt, depth, data, size / 2, size);
	return 0;
}
