/*
 * fuzz-flowlog.c: libFuzzer target for the flow log reader (flowlog.c).
 *
 * The input is a file to import: its kind is detected as import does it
 * (flowlog_detect), and if it is none, each kind is tried in turn on the
 * same bytes, so the parsers see any input, not only what looks like
 * their format.  Every record read must hold what the store and the
 * exports rely on: tokens of the safe alphabet (out.h OUT_TOKEN), NUL-
 * terminated strings, a time and duration that add up without overflow;
 * every malformed line a one-line cause without a control byte.
 * Single-threaded; the input is read through fmemopen().
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowlog.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() unless s (of room len) is a NUL-terminated token. */
static void
check_token(const char *s, size_t len, int list)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < len && s[i] != '\0'; i++) {
		c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' ||
		    c == '\'' || (c == ',' && !list))
			abort();
	}
	if (i == len)
		abort();
}

static void
check_flow(const struct store_flow *f)
{
	check_token(f->uid, sizeof f->uid, 0);
	check_token(f->orig_h, sizeof f->orig_h, 0);
	check_token(f->resp_h, sizeof f->resp_h, 0);
	check_token(f->proto, sizeof f->proto, 0);
	check_token(f->conn_state, sizeof f->conn_state, 0);
	check_token(f->history, sizeof f->history, 0);
	check_token(f->parents, sizeof f->parents, 1);
	check_token(f->tunnel, sizeof f->tunnel, 0);
	check_token(f->cid, sizeof f->cid, 0);
	if (memchr(f->service, '\0', sizeof f->service) == NULL ||
	    memchr(f->svc_key, '\0', sizeof f->svc_key) == NULL)
		abort();
	if (f->ts_us < 0 || f->duration_us < 0 ||
	    f->ts_us > INT64_MAX - f->duration_us)
		abort();
	if (f->orig_h[0] == '\0' || f->resp_h[0] == '\0' ||
	    f->proto[0] == '\0' || f->svc_key[0] == '\0')
		abort();
}

static void
run(const uint8_t *data, size_t size, enum flowlog_kind k)
{
	struct store_flow f;
	struct flowlog *fl;
	const char *c;
	char *cause;
	FILE *fp;
	int r;

	if ((fp = fmemopen((void *)(uintptr_t)data, size, "r")) == NULL)
		return;
	fl = flowlog_create(k);
	for (;;) {
		cause = NULL;
		r = flowlog_next(fl, fp, &f, &cause);
		if (r == 1) {
			check_flow(&f);
			continue;
		}
		if (r == 0)
			break;
		if (cause == NULL)
			abort();	/* an error must say why */
		for (c = cause; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
		free(cause);
		if (r != -1)
			break;
	}
	flowlog_free(fl);
	fclose(fp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum flowlog_kind k;

	if (size == 0)
		return 0;	/* fmemopen wants a buffer */
	k = flowlog_detect(data, size);
	if (k != FLOWLOG_NONE) {
		run(data, size, k);
		return 0;
	}
	run(data, size, FLOWLOG_ZEEK_TSV);
	run(data, size, FLOWLOG_JSON);
	run(data, size, FLOWLOG_CSV);
	return 0;
}
