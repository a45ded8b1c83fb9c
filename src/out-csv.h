/*
 * out-csv.h: the CSV writer's cell and row primitives, inline so that a
 * record kind that knows its columns (out-rec.c, the flow record) can
 * write a row without building and dispatching a field array: with each
 * column's type known at compile time, the compiler drops the switch.
 * out_csv_record() writes every row of the generic path with the same
 * out_csv_cell(), so there is one CSV cell format.
 */
#ifndef WIRETOP_OUT_CSV_H
#define WIRETOP_OUT_CSV_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "out.h"
#include "out-int.h"

/* Room for a separator and the longest number (a fixed-point INT64_MIN
 * with 18 decimals is 21 characters). */
#define OUT_CSV_ROOM	48

/* 1 if a text cell starting with c must be neutralised as a formula: a
 * ' goes in front of it, inside quotes. */
static inline int
out_csv_formula(unsigned char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
	    c == '\r' || c == '\'';
}

/* Write a string cell, escaped, quoted and neutralised as it must be. */
void	 out_csv_str(struct out_writer *, const char *s);
/* Start a row of n cells; returns where it starts, or NULL if w does not
 * write CSV, has failed or is not begun (then use out_record()). */
char	*out_csv_row_begin(struct out_writer *, size_t n);
/* End the row begun at out_csv_row_begin() whose cells end at p. */
int	 out_csv_row_end(struct out_writer *, char *p);

/*
 * Write one cell and its ',' at p, where need bytes are free (need >=
 * OUT_CSV_ROOM); returns the new end, which again has need bytes free,
 * or NULL for a field CSV cannot hold (EINVAL).  Numbers are formatted in
 * place; tokens copied (quoted, a ' in front, when they start a formula:
 * a token read from a flow log or the database may); strings go through
 * out_csv_str().
 */
static inline __attribute__((always_inline)) char *
out_csv_cell(struct out_writer *w, char *p, size_t need,
    const struct out_field *f)
{
	const char *s;
	char *q;
	size_t len;

	switch (f->type) {
	case OUT_NULL:
		break;
	case OUT_TOKEN:
		if ((s = f->v.tok.s) == NULL)
			break;
		if ((len = f->v.tok.len) == 0)
			len = strlen(s);
		if (out_csv_formula((unsigned char)s[0])) {
			out_commit(w, p);
			out_put(w, "\"'", 2);
			out_put(w, s, len);
			out_put(w, "\"", 1);
			p = out_room(w, need);
			break;
		}
		if ((size_t)(w->buf + OUT_BUF_SIZE - p) >= len + need) {
			out_copy(p, s, len);
			p += len;
			break;
		}
		out_commit(w, p);
		out_put(w, s, len);
		p = out_room(w, need);
		break;
	case OUT_TOKENS:
		if ((s = f->v.tok.s) == NULL || *s == '\0')
			break;
		out_commit(w, p);
		if (out_csv_formula((unsigned char)s[0]))
			out_put(w, "\"'", 2);
		else
			out_put(w, "\"", 1);
		out_put(w, s, f->v.tok.len != 0 ? f->v.tok.len : strlen(s));
		out_put(w, "\"", 1);
		p = out_room(w, need);
		break;
	case OUT_STR:
	case OUT_CAPTURED:
		if (f->v.s == NULL)
			break;
		out_commit(w, p);
		out_csv_str(w, f->v.s);
		p = out_room(w, need);
		break;
	default:
		if ((q = out_number(p, f)) == NULL) {
			/* objects and arrays have no CSV cell */
			out_commit(w, p);
			w->error = EINVAL;
			return NULL;
		}
		p = q;
		break;
	}
	*p++ = ',';
	return p;
}

#endif
