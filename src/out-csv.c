/*
 * out-csv.c: the record writer layer (out_*) and the CSV writer.
 *
 * Used by whichever thread owns the sink (the main thread for export);
 * a writer is not shared between threads.  The generic part here
 * dispatches to the format's ops, keeps the sticky first write error and
 * owns the UTF-8 repair every format shares.
 *
 * CSV follows RFC 4180 except for line ends ("\n", which every RFC 4180
 * reader accepts): one header row, then one row per record with exactly
 * as many fields; a field containing a comma, a double quote, CR or LF
 * is quoted, its quotes doubled.  Empty fields are nulls.  Nested objects
 * and arrays cannot be written as CSV (EINVAL: a caller bug).
 */
#include "config.h"
#include "out.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static const char out_fffd[] = "\xef\xbf\xbd";

/* Parse a --format name. */
int
out_format_parse(const char *s, enum out_format *fmt)
{
	if (s == NULL || strcmp(s, "csv") == 0)
		*fmt = OUT_FMT_CSV;
	else if (strcmp(s, "json") == 0)
		*fmt = OUT_FMT_JSON;
	else if (strcmp(s, "ndjson") == 0)
		*fmt = OUT_FMT_NDJSON;
	else
		return -1;
	return 0;
}

/* Create a writer of a format on a borrowed stream. */
struct out_writer *
out_create(enum out_format fmt, FILE *fp)
{
	struct out_writer *w;

	w = xcalloc(1, sizeof *w);
	w->fp = fp;
	switch (fmt) {
	case OUT_FMT_JSON:
		w->ops = &out_json_ops;
		break;
	case OUT_FMT_NDJSON:
		w->ops = &out_ndjson_ops;
		break;
	case OUT_FMT_CSV:
	default:
		w->ops = &out_csv_ops;
		break;
	}
	return w;
}

/* Free a writer; its stream stays open. */
void
out_free(struct out_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->ncolumns; i++)
		free(w->columns[i]);
	free(w->columns);
	free(w->schema);
	free(w->list_key);
	free(w);
}

/* Start the document (schema, list member, CSV header). */
int
out_begin(struct out_writer *w, const char *schema, const char *list_key,
    const char *const *columns, size_t ncolumns)
{
	size_t i;

	if (w->error != 0)
		return -1;
	if (w->state != 0) {
		w->error = EINVAL;
		return -1;
	}
	w->state = 1;
	w->schema = xstrdup(schema);
	w->list_key = list_key != NULL ? xstrdup(list_key) : NULL;
	if (ncolumns > 0) {
		w->columns = xreallocarray(NULL, ncolumns, sizeof *w->columns);
		for (i = 0; i < ncolumns; i++)
			w->columns[i] = xstrdup(columns[i]);
		w->ncolumns = ncolumns;
	}
	return w->ops->begin(w);
}

/* Write one record through the format's ops. */
int
out_record(struct out_writer *w, const struct out_field *f, size_t n)
{
	if (w->error != 0)
		return -1;
	if (w->state != 1) {
		w->error = EINVAL;
		return -1;
	}
	if (w->ops->record(w, f, n) != 0)
		return -1;
	w->records++;
	return 0;
}

/* End the document and flush; -1 on any write error so far. */
int
out_end(struct out_writer *w)
{
	if (w->error != 0)
		return -1;
	if (w->state != 1) {
		w->error = EINVAL;
		return -1;
	}
	w->state = 2;
	if (w->ops->end(w) != 0)
		return -1;
	errno = 0;
	if (fflush(w->fp) != 0 || ferror(w->fp)) {
		w->error = errno != 0 ? errno : EIO;
		return -1;
	}
	return 0;
}

/* Return the first write error (errno), 0 if none. */
int
out_error(const struct out_writer *w)
{
	return w->error;
}

/* Return the number of records written. */
uint64_t
out_records(const struct out_writer *w)
{
	return w->records;
}

/* Format val / 10^dec exactly, without floating point. */
const char *
out_fmt_fixed(int64_t val, unsigned dec, char *buf, size_t len)
{
	uint64_t mag, scale = 1;
	unsigned i;

	if (dec > 18)
		dec = 18;
	for (i = 0; i < dec; i++)
		scale *= 10;
	/* Magnitude without overflow for INT64_MIN. */
	mag = val < 0 ? (uint64_t)0 - (uint64_t)val : (uint64_t)val;
	if (dec == 0)
		snprintf(buf, len, "%s%" PRIu64, val < 0 ? "-" : "", mag);
	else
		snprintf(buf, len, "%s%" PRIu64 ".%0*" PRIu64,
		    val < 0 ? "-" : "", mag / scale, (int)dec, mag % scale);
	return buf;
}

/* Measure the UTF-8 sequence at s (Unicode 15 table 3-7). */
size_t
out_utf8_seq(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	*bad = 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;	/* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	} else {
		*bad = 1;	/* 80..C1, F5..FF never start a sequence */
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/* Write raw bytes, keeping the first error. */
int
out_put(struct out_writer *w, const char *s, size_t n)
{
	if (w->error != 0)
		return -1;
	errno = 0;
	if (n > 0 && fwrite(s, 1, n, w->fp) != n) {
		w->error = errno != 0 ? errno : EIO;
		return -1;
	}
	return 0;
}

/* Write bytes with every invalid UTF-8 subpart as U+FFFD. */
int
out_put_utf8(struct out_writer *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, k, bad;

	while (i < n) {
		k = out_utf8_seq(p + i, n - i, &bad);
		if (k > 0) {
			i += k;
			continue;
		}
		if (out_put(w, s + start, i - start) != 0 ||
		    out_put(w, out_fffd, 3) != 0)
			return -1;
		i += bad;
		start = i;
	}
	return out_put(w, s + start, i - start);
}

/* Write one CSV string field, quoted if it must be. */
static int
out_csv_str(struct out_writer *w, const char *s)
{
	const char *p, *q;

	if (strpbrk(s, ",\"\r\n") == NULL)
		return out_put_utf8(w, s, strlen(s));
	if (out_put(w, "\"", 1) != 0)
		return -1;
	for (p = s; (q = strchr(p, '"')) != NULL; p = q + 1) {
		if (out_put_utf8(w, p, (size_t)(q - p)) != 0 ||
		    out_put(w, "\"\"", 2) != 0)
			return -1;
	}
	if (out_put_utf8(w, p, strlen(p)) != 0)
		return -1;
	return out_put(w, "\"", 1);
}

static int
out_csv_field(struct out_writer *w, const struct out_field *f)
{
	char buf[64];

	switch (f->type) {
	case OUT_NULL:
		return 0;
	case OUT_STR:
		return f->v.s != NULL ? out_csv_str(w, f->v.s) : 0;
	case OUT_UINT:
		snprintf(buf, sizeof buf, "%" PRIu64, f->v.u);
		break;
	case OUT_INT:
		snprintf(buf, sizeof buf, "%" PRId64, f->v.i);
		break;
	case OUT_FIXED:
		out_fmt_fixed(f->v.fx.val, f->v.fx.dec, buf, sizeof buf);
		break;
	case OUT_BOOL:
		snprintf(buf, sizeof buf, "%s", f->v.u ? "true" : "false");
		break;
	case OUT_OBJECT:
	case OUT_ARRAY:
	default:
		w->error = EINVAL;
		return -1;
	}
	return out_put(w, buf, strlen(buf));
}

static int
out_csv_begin(struct out_writer *w)
{
	size_t i;

	if (w->ncolumns == 0) {
		w->error = EINVAL;
		return -1;
	}
	for (i = 0; i < w->ncolumns; i++) {
		if ((i > 0 && out_put(w, ",", 1) != 0) ||
		    out_csv_str(w, w->columns[i]) != 0)
			return -1;
	}
	return out_put(w, "\n", 1);
}

static int
out_csv_record(struct out_writer *w, const struct out_field *f, size_t n)
{
	size_t i;

	if (n != w->ncolumns) {
		w->error = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((i > 0 && out_put(w, ",", 1) != 0) ||
		    out_csv_field(w, &f[i]) != 0)
			return -1;
	}
	return out_put(w, "\n", 1);
}

static int
out_csv_end(struct out_writer *w)
{
	(void)w;
	return 0;
}

const struct out_ops out_csv_ops = {
	.name = "csv",
	.begin = out_csv_begin,
	.record = out_csv_record,
	.end = out_csv_end,
};
