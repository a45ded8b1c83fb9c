/*
 * out-csv.c: the CSV writer.
 *
 * Used by the thread that owns the sink (the main thread for export).
 * CSV follows RFC 4180 except for line ends ("\n", which every RFC 4180
 * reader accepts): one header row, then one row per record with exactly
 * as many fields.  Empty fields are nulls.  Nested objects and arrays
 * cannot be written as CSV (EINVAL: a caller bug).
 *
 * Strings are escaped so that no control character reaches the file:
 * a C0 control or DEL is written "\xNN", a C1, bidirectional or line
 * separator code point "\uNNNN" (4 lower-case hex digits), a backslash
 * "\\"; invalid UTF-8 becomes U+FFFD.  A cell with a comma or a double
 * quote is quoted, its quotes doubled.  A captured string (OUT_CAPTURED)
 * that starts with = + - @ TAB CR or ' is written with a ' in front
 * inside quotes, so a spreadsheet does not take it for a formula (OWASP
 * "CSV injection") and a reader can remove exactly that one quote.
 */
#include "config.h"
#include "out.h"

#include <errno.h>
#include <string.h>

#include "out-int.h"

/* 1 if a captured string starting with c must be neutralised. */
static int
out_csv_formula(unsigned char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
	    c == '\r' || c == '\'';
}

/* Write one CSV string cell, quoted and escaped as it must be. */
static void
out_csv_str(struct out_writer *w, const char *s, int captured)
{
	unsigned cls;
	size_t n;
	int formula = captured && out_csv_formula((unsigned char)s[0]);
	int quote;

	if (!formula && out_try_plain(w, s, ~0u))
		return;
	n = out_scan(s, &cls);
	quote = formula || (cls & (OUT_CLS_COMMA | OUT_CLS_QUOTE)) != 0;
	if (quote)
		out_put(w, formula ? "\"'" : "\"", formula ? 2 : 1);
	out_put_escaped(w, s, n, OUT_ESC_CSV);
	if (quote)
		out_put(w, "\"", 1);
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
		if (i > 0)
			out_put(w, ",", 1);
		out_csv_str(w, w->columns[i], 0);
	}
	return out_put(w, "\n", 1);
}

static int
out_csv_record(struct out_writer *w, const struct out_field *f, size_t n)
{
	size_t i;
	char *p;

	if (n != w->ncolumns) {
		w->error = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* Room for a separator and any number. */
		p = out_room(w, 48);
		if (i > 0)
			*p++ = ',';
		switch (f[i].type) {
		case OUT_NULL:
			break;
		case OUT_TOKEN:
			out_commit(w, p);
			if (f[i].v.s != NULL)
				out_put_plain(w, f[i].v.s, strlen(f[i].v.s));
			continue;
		case OUT_STR:
		case OUT_CAPTURED:
			out_commit(w, p);
			if (f[i].v.s != NULL)
				out_csv_str(w, f[i].v.s,
				    f[i].type == OUT_CAPTURED);
			continue;
		case OUT_UINT:
			p = out_u64(p, f[i].v.u);
			break;
		case OUT_INT:
			if (f[i].v.i < 0) {
				*p++ = '-';
				p = out_u64(p, (uint64_t)0 -
				    (uint64_t)f[i].v.i);
			} else
				p = out_u64(p, (uint64_t)f[i].v.i);
			break;
		case OUT_FIXED:
			p = out_fixed(p, f[i].v.fx.val, f[i].v.fx.dec);
			break;
		case OUT_BOOL:
			if (f[i].v.u) {
				memcpy(p, "true", 4);
				p += 4;
			} else {
				memcpy(p, "false", 5);
				p += 5;
			}
			break;
		case OUT_OBJECT:
		case OUT_ARRAY:
		default:
			w->error = EINVAL;
			return -1;
		}
		out_commit(w, p);
	}
	p = out_room(w, 1);
	*p++ = '\n';
	out_commit(w, p);
	return w->error != 0 ? -1 : 0;
}

static int
out_csv_end(struct out_writer *w)
{
	(void)w;
	return 0;
}

const struct out_ops out_csv_ops = {
	.begin = out_csv_begin,
	.record = out_csv_record,
	.end = out_csv_end,
};
