/*
 * out-int.h: what the format writers (out-csv.c, out-json.c) share with
 * out.c: direct access to the writer's buffer, number formatting without
 * stdio, and the escaping of strings.
 */
#ifndef WIRETOP_OUT_INT_H
#define WIRETOP_OUT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "out.h"

/* Byte classes of out_cls[]: what a byte needs in a string. */
#define OUT_CLS_CTRL	0x01u	/* C0 control or DEL: escaped */
#define OUT_CLS_HIGH	0x02u	/* >= 0x80: UTF-8 checked, C1/bidi escaped */
#define OUT_CLS_BSLASH	0x04u	/* '\': escaped as "\\" */
#define OUT_CLS_QUOTE	0x08u	/* '"': doubled (CSV) or "\"" (JSON) */
#define OUT_CLS_COMMA	0x10u	/* ',': CSV quotes the cell */
extern const uint8_t out_cls[256];

/* How out_put_escaped() writes what it escapes. */
enum out_esc {
	OUT_ESC_CSV,	/* \xNN, \uNNNN, \\, "" */
	OUT_ESC_JSON,	/* \u00NN, \uNNNN, \\, \" */
};

/* Flush buf to the stream (slow path of out_room). */
void	 out_drain(struct out_writer *);

/* Room for n more bytes (n <= OUT_BUF_SIZE) at the end of the buffer,
 * which is drained first if it must be.  After a write error the buffer
 * is emptied and reused, so callers need not check. */
static inline char *
out_room(struct out_writer *w, size_t n)
{
	if (OUT_BUF_SIZE - w->len < n)
		out_drain(w);
	return w->buf + w->len;
}

/* Mark the bytes up to p (from out_room) as written. */
static inline void
out_commit(struct out_writer *w, const char *p)
{
	w->len = (size_t)(p - w->buf);
}

/* Digits of v at p (room: 20 bytes); returns the end. */
char	*out_u64(char *p, uint64_t v);
/* val / 10^dec at p (room: 40 bytes); returns the end. */
char	*out_fixed(char *p, int64_t val, unsigned dec);
/* Write s (n bytes) with every byte out_cls marks handled as style says;
 * invalid UTF-8 becomes U+FFFD. */
void	 out_put_escaped(struct out_writer *, const char *s, size_t n,
	    enum out_esc style);

/* Length of s and the union of its bytes' classes, in one pass. */
static inline size_t
out_scan(const char *s, unsigned *cls)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned m = 0;
	size_t i;

	for (i = 0; p[i] != '\0'; i++)
		m |= out_cls[p[i]];
	*cls = m;
	return i;
}

/* Copy n bytes to p, which has room for n + 8: short copies (the usual
 * token) as two overlapping 8-byte moves instead of a call. */
static inline void
out_copy(char *p, const char *s, size_t n)
{
	if (n >= 8 && n <= 16) {
		memcpy(p, s, 8);
		memcpy(p + n - 8, s + n - 8, 8);
	} else if (n > 16 && n <= 32) {
		memcpy(p, s, 16);
		memcpy(p + n - 16, s + n - 16, 16);
	} else
		memcpy(p, s, n);
}

/*
 * The fast path of every string: copy s into the buffer while checking
 * its bytes, and keep the copy if none is in the classes of mask.
 * Returns 1 if s was written so, else 0 (nothing written: the caller
 * takes the slow path).
 */
static inline int
out_try_plain(struct out_writer *w, const char *s, unsigned mask)
{
	const unsigned char *u = (const unsigned char *)s;
	char *p = w->buf + w->len;
	size_t room = OUT_BUF_SIZE - w->len, i;
	unsigned m = 0;

	for (i = 0; u[i] != '\0'; i++) {
		if (i == room)
			return 0;
		m |= out_cls[u[i]];
		p[i] = (char)u[i];
	}
	if ((m & mask) != 0)
		return 0;
	w->len += i;
	return 1;
}

/*
 * Write a number or a boolean (OUT_UINT, OUT_INT, OUT_FIXED, OUT_BOOL) at
 * p, where there is room for the longest (21 characters); returns the
 * new end, or NULL for a field of another type.  Every format writes
 * them alike.
 */
static inline __attribute__((always_inline)) char *
out_number(char *p, const struct out_field *f)
{
	switch (f->type) {
	case OUT_UINT:
		return out_u64(p, f->v.u);
	case OUT_INT:
		if (f->v.i < 0) {
			*p++ = '-';
			return out_u64(p, (uint64_t)0 - (uint64_t)f->v.i);
		}
		return out_u64(p, (uint64_t)f->v.i);
	case OUT_FIXED:
		return out_fixed(p, f->v.fx.val, f->v.fx.dec);
	case OUT_BOOL:
		if (f->v.u) {
			memcpy(p, "true", 4);
			return p + 4;
		}
		memcpy(p, "false", 5);
		return p + 5;
	default:
		return NULL;
	}
}

/* Finish a record whose bytes end at p: commit them, count the record
 * and, on a terminal, hand it out at once; -1 on any error so far. */
static inline int
out_record_done(struct out_writer *w, char *p)
{
	out_commit(w, p);
	if (w->error != 0)
		return -1;
	w->records++;
	if (w->line)
		return out_flush(w);
	return 0;
}

#endif
