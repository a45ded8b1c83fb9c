/*
 * fuzz-seg.c: libFuzzer target for the history store's segment decoder
 * (store-seg.c), which reads what a database file holds: a damaged or
 * crafted file must give "damaged", never a crash or a read out of
 * bounds.
 *
 * The first byte picks the kind (even: flow records, odd: host totals),
 * the rest is the segment.  Every record decoded must be NUL-terminated
 * text in its fields.  Single-threaded.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_str(const char *s, size_t len)
{
	if (memchr(s, '\0', len) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_flow *f = NULL;
	size_t cap = 0;
	long n, i;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		(void)store_seg_decode_hosts(data + 1, size - 1);
		return 0;
	}
	n = store_seg_decode_flows(data + 1, size - 1, 1700000000000000, &f,
	    &cap);
	for (i = 0; i < n; i++) {
		check_str(f[i].uid, sizeof f[i].uid);
		check_str(f[i].orig_h, sizeof f[i].orig_h);
		check_str(f[i].resp_h, sizeof f[i].resp_h);
		check_str(f[i].proto, sizeof f[i].proto);
		check_str(f[i].service, sizeof f[i].service);
		check_str(f[i].conn_state, sizeof f[i].conn_state);
		check_str(f[i].history, sizeof f[i].history);
		check_str(f[i].parents, sizeof f[i].parents);
		check_str(f[i].tunnel, sizeof f[i].tunnel);
		check_str(f[i].cid, sizeof f[i].cid);
	}
	free(f);
	return 0;
}
