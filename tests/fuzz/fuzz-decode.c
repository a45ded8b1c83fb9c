/*
 * fuzz-decode.c: libFuzzer target for the packet decoder.
 *
 * Input: one byte that picks a link type from decode.h's decode_linktypes
 * (modulo its size; tests/unit/test-decode.c writes its seeds the same
 * way), then the packet.  The packet is decoded with name
 * extraction, whole and cut in half (wire length: the whole packet), from
 * a heap copy of exactly the captured size so that AddressSanitizer sees
 * any read past the capture.  Broken invariants of the output (a status
 * out of range, an unterminated or empty name, more names than room)
 * abort, so the fuzzer reports them like crashes.  Without libFuzzer the
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
		    dn->v[i].kind > PKT_NAME_SNI)
			abort();
	}
}

static void
fuzz_one(uint32_t lt, const uint8_t *data, size_t caplen, size_t wirelen)
{
	struct pkt_name names[DECODE_MAX_NAMES];
	struct decode_names dn = { names, DECODE_MAX_NAMES, 0 };
	struct pkt_meta m;
	uint8_t *copy;

	if ((copy = malloc(caplen > 0 ? caplen : 1)) == NULL)
		return;
	if (caplen > 0)
		memcpy(copy, data, caplen);
	decode_packet(&m, &dn, lt, copy, (uint32_t)caplen, (uint32_t)wirelen,
	    1);
	fuzz_check(&m, &dn, (uint32_t)caplen);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t lt;

	if (size < 1 || size > 65536 + 1)
		return 0;
	lt = decode_linktypes[data[0] % decode_nlinktypes].linktype;
	data++;
	size--;
	fuzz_one(lt, data, size, size);
	fuzz_one(lt, data, size / 2, size);
	return 0;
}
