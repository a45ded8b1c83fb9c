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
 * quote is quoted, its quotes doubled.  Every text cell (a string, wiretop's
 * own or captured, a token, a list of tokens) that starts with = + - @
 * TAB CR or ' is written with a ' in front inside quotes, so a
 * spreadsheet does not take it for a formula (OWASP "CSV injection") and a
 * reader can remove exactly that one quote (flowlog.c does): a service or
 * a history imported from a flow log, a source's name or a file name is
 * as hostile as a name from a packet.  Numbers are never changed.
 */
#include "config.h"
#include "out.h"

#include <errno.h>
#include <string.h>

#include "out-csv.h"
#include "out-int.h"

/* Write one CSV string cell, quoted, escaped and neutralised as it must
 * be. */
void
out_csv_str(struct out_writer *w, const char *s)
{
	unsigned cls;
	size_t n;
	int formula = out_csv_formula((unsigned char)s[0]);
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
		out_csv_str(w, w->columns[i]);
	}
	return out_put(w, "\n", 1);
}

/* Write one row.  p runs through the buffer; it is handed back to the
 * writer (out_commit) only around the slow paths.  Room for every
 * field's separator and number is made once per row when the row has
 * few enough fields (always, for wiretop's records); strings check their
 * own length.  Each cell is followed by ',', the last one turned into
 * the line end. */
static int
out_csv_record(struct out_writer *w, const struct out_field *f, size_t n)
{
	char *p;
	size_t i, need;
	int once;

	if (n != w->ncolumns) {
		w->error = EINVAL;
		return -1;
	}
	once = n <= OUT_BUF_SIZE / (2 * OUT_CSV_ROOM);
	need = once ? n * OUT_CSV_ROOM : OUT_CSV_ROOM;
	p = out_room(w, need);
	for (i = 0; i < n; i++) {
		if (!once && w->buf + OUT_BUF_SIZE - p < OUT_CSV_ROOM) {
			out_commit(w, p);
			p = out_room(w, need);
		}
		if ((p = out_csv_cell(w, p, need, &f[i])) == NULL)
			return -1;
	}
	p[-1] = '\n';
	out_commit(w, p);
	return w->error != 0 ? -1 : 0;
}

/* Start a row written cell by cell (see out-csv.h). */
char *
out_csv_row_begin(struct out_writer *w, size_t n)
{
	if (w->def->ops != &out_csv_ops || w->error != 0 || w->state != 1 ||
	    n != w->ncolumns || n > OUT_BUF_SIZE / (2 * OUT_CSV_ROOM))
		return NULL;
	return out_room(w, n * OUT_CSV_ROOM);
}

/* End a row written cell by cell. */
int
out_csv_row_end(struct out_writer *w, char *p)
{
	p[-1] = '\n';
	return out_record_done(w, p);
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
