/*
 * out-json.h: the JSON and NDJSON writers' member and row primitives,
 * inline for the same reason as out-csv.h: a record kind that knows its
 * columns (out-rec.c, the flow record) writes an object member by member
 * with each key a constant and each value's type known at compile time.
 * out_json_value() writes every scalar of the generic path with the same
 * out_json_scalar(), so there is one JSON value format.
 */
#ifndef WIRETOP_OUT_JSON_H
#define WIRETOP_OUT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "out.h"
#include "out-int.h"

/* Room for a member: a key of at most OUT_JSON_KEY_MAX bytes (with its
 * quotes and colon), the longest number and a ','. */
#define OUT_JSON_KEY_MAX	48
#define OUT_JSON_ROOM		(OUT_JSON_KEY_MAX + 48)

/* Write s as a JSON string literal, escaped (out-json.c). */
void	 out_json_str(struct out_writer *, const char *s);
/* Start an object of n > 0 members that carries its own "schema" member,
 * as a record of w's document; returns where its first member goes, or
 * NULL if w is not a JSON list or NDJSON writer ready for a record (then
 * use out_record()). */
char	*out_json_row_begin(struct out_writer *, size_t n);
/* End the object begun at out_json_row_begin() whose members end at p. */
int	 out_json_row_end(struct out_writer *, char *p);

/*
 * Write a scalar value at p, where need bytes are free (need >= 48);
 * returns the new end, which again has need bytes free.  Objects and
 * arrays are not scalars: NULL (the caller writes them).
 */
static inline __attribute__((always_inline)) char *
out_json_scalar(struct out_writer *w, char *p, size_t need,
    const struct out_field *f)
{
	const char *s;
	size_t len;

	switch (f->type) {
	case OUT_TOKEN:
		if ((s = f->v.tok.s) == NULL)
			goto null;
		if ((len = f->v.tok.len) == 0)
			len = strlen(s);
		if ((size_t)(w->buf + OUT_BUF_SIZE - p) >= len + 2 + need) {
			*p++ = '"';
			out_copy(p, s, len);
			p += len;
			*p++ = '"';
			break;
		}
		out_commit(w, p);
		out_put(w, "\"", 1);
		out_put(w, s, len);
		out_put(w, "\"", 1);
		p = out_room(w, need);
		break;
	case OUT_TOKENS: {
		const char *e, *c;

		if ((s = f->v.tok.s) == NULL || *s == '\0')
			goto null;
		e = s + (f->v.tok.len != 0 ? f->v.tok.len : strlen(s));
		out_commit(w, p);
		out_put(w, "[", 1);
		for (;;) {
			if ((c = memchr(s, ',', (size_t)(e - s))) == NULL)
				c = e;
			out_put(w, "\"", 1);
			out_put(w, s, (size_t)(c - s));
			out_put(w, "\"", 1);
			if (c == e)
				break;
			out_put(w, ",", 1);
			s = c + 1;
		}
		out_put(w, "]", 1);
		p = out_room(w, need);
		break;
	}
	case OUT_STR:
	case OUT_CAPTURED:
		if (f->v.s == NULL)
			goto null;
		out_commit(w, p);
		out_json_str(w, f->v.s);
		p = out_room(w, need);
		break;
	case OUT_NULL:
	null:
		memcpy(p, "null", 4);
		p += 4;
		break;
	default:
		/* NULL for objects and arrays: not scalars */
		if ((p = out_number(p, f)) == NULL)
			return NULL;
		break;
	}
	return p;
}

/* Write the member key (the text "\"name\":", keylen bytes, a constant
 * of wiretop's own, so not escaped) with a scalar value and a ',' at p,
 * where need >= OUT_JSON_ROOM bytes are free; returns the new end. */
static inline __attribute__((always_inline)) char *
out_json_member(struct out_writer *w, char *p, size_t need,
    const char *key, size_t keylen, const struct out_field *f)
{
	if (keylen <= OUT_JSON_KEY_MAX) {
		memcpy(p, key, keylen);
		p += keylen;
	} else {
		out_commit(w, p);
		out_put(w, key, keylen);
		p = out_room(w, need);
	}
	if ((p = out_json_scalar(w, p, need, f)) == NULL) {
		w->error = EINVAL;
		return out_room(w, need);
	}
	*p++ = ',';
	return p;
}

#endif
