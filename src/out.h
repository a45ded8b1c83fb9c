/*
 * out.h: record writers for export (CSV, JSON, NDJSON).
 *
 * A writer turns a stream of records (arrays of typed, named fields) into
 * one document on a stdio stream: out_begin() once, out_record() per
 * record, out_end() once.  Any sink (export, the future daemon and report)
 * can use one.  The formats are listed once, in the registry of out.c.
 *
 * Strings are raw bytes (names come from the network).  Every format
 * writes valid UTF-8 (invalid sequences become U+FFFD) and escapes what a
 * terminal or a reader could act on: C0 controls, DEL, C1 controls and the
 * bidirectional controls (see doc/wiretop.8, "Escaping of captured
 * strings").  In CSV every text cell (strings and tokens alike) that
 * would start a spreadsheet formula is neutralised.
 *
 * Output is built in the writer's own buffer and handed to the stream in
 * blocks of OUT_BUF_SIZE bytes, or after every record when the stream is
 * a terminal (as stdio's line buffering did).  Write errors are sticky:
 * after the first one every call returns -1 and out_error() gives the
 * errno.
 */
#ifndef WIRETOP_OUT_H
#define WIRETOP_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OUT_BUF_SIZE	(64u * 1024)	/* bytes buffered before a write */

enum out_type {
	OUT_NULL = 0,	/* CSV: empty; JSON: null */
	OUT_STR,	/* v.s: NUL-terminated bytes, borrowed; NULL = null */
	OUT_CAPTURED,	/* v.s: as OUT_STR, but taken from packets */
	OUT_TOKEN,	/* v.tok: made by wiretop from a safe alphabet
			   (ids, addresses, codes): no byte below 0x21 or
			   above 0x7e, no , " \ or '; written as is (CSV:
			   in quotes after a ' if it starts a formula) */
	OUT_TOKENS,	/* v.tok: OUT_TOKEN words joined by ','; CSV: one
			   quoted cell, JSON: an array of strings */
	OUT_UINT,	/* v.u */
	OUT_INT,	/* v.i */
	OUT_FIXED,	/* v.fx: fixed point, exact (e.g. us as seconds) */
	OUT_BOOL,	/* v.u: 0 false, else true */
	OUT_OBJECT,	/* v.obj: nested fields (JSON only) */
	OUT_ARRAY,	/* v.arr: array of nested records (JSON only) */
};

/* 1 if byte c may be in an OUT_TOKEN (the alphabet above).  What reads
 * tokens from outside (a flow log, a database segment) checks them with
 * it: a token is written as is. */
static inline int
out_tokchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != ',' && c != '"' && c != '\\' &&
	    c != '\'';
}

struct out_field;

/* A record: n fields, borrowed. */
struct out_rec {
	const struct out_field *f;
	size_t n;
};

struct out_field {
	const char *name;	/* borrowed; JSON key */
	enum out_type type;
	union {
		const char *s;
		struct {
			const char *s;
			size_t len;	/* 0: the writer measures it */
		} tok;			/* OUT_TOKEN */
		uint64_t u;
		int64_t i;
		struct {
			int64_t val;	/* value * 10^dec */
			unsigned dec;	/* decimals, at most 18 */
		} fx;
		struct out_rec obj;
		struct {
			const struct out_rec *v;
			size_t n;
		} arr;
	} v;
};

/* Field initialisers. */
#define OUT_F_NULL(n)	 { .name = (n), .type = OUT_NULL }
#define OUT_F_STR(n, x)	 { .name = (n), .type = OUT_STR, .v.s = (x) }
#define OUT_F_CAPTURED(n, x) { .name = (n), .type = OUT_CAPTURED, .v.s = (x) }
#define OUT_F_TOKEN(n, x) { .name = (n), .type = OUT_TOKEN, .v.tok.s = (x) }
#define OUT_F_UINT(n, x) { .name = (n), .type = OUT_UINT, .v.u = (x) }
#define OUT_F_INT(n, x)	 { .name = (n), .type = OUT_INT, .v.i = (x) }
#define OUT_F_FIXED(n, x, d) { .name = (n), .type = OUT_FIXED,		\
	.v.fx = { .val = (x), .dec = (d) } }
#define OUT_F_BOOL(n, x) { .name = (n), .type = OUT_BOOL, .v.u = !!(x) }

/* The formats; each has one entry in the registry (out.c). */
enum out_format {
	OUT_FMT_CSV,
	OUT_FMT_JSON,
	OUT_FMT_NDJSON,
	OUT_FMT_IPFIX,	/* flow records only: ipfix.c writes them; the
			   generic writer refuses records (ENOTSUP) */
};

struct out_writer;

/* The operations a format implements (see out-csv.c, out-json.c). */
struct out_ops {
	int	(*begin)(struct out_writer *);
	int	(*record)(struct out_writer *, const struct out_field *,
		    size_t);
	int	(*end)(struct out_writer *);
};

/* A registry entry: a format's name, writer and one line of help. */
struct out_format_def {
	const char *name;		/* as --format spells it */
	enum out_format fmt;
	const struct out_ops *ops;
	int flat;			/* rows of scalars only (CSV) */
	const char *help;
};

/* A writer; the fields are private to out*.c. */
struct out_writer {
	const struct out_format_def *def;
	FILE *fp;			/* borrowed; never closed here */
	char *buf;			/* owned, OUT_BUF_SIZE bytes */
	size_t len;			/* bytes waiting in buf */
	char *schema;			/* owned */
	char *list_key;			/* owned; NULL: single object */
	char **columns;			/* owned; CSV header */
	size_t ncolumns;
	uint64_t records;		/* records written */
	int error;			/* first errno, 0 if none */
	int io_failed;			/* the stream failed: drop output */
	int line;			/* a terminal: each record at once */
	int state;			/* 0 new, 1 begun, 2 ended */
	int sparse;			/* a record may leave out columns
					   (out_set_sparse()) */
};

/* Parse "csv", "json" or "ndjson" (NULL: csv); -1 if unknown. */
int	 out_format_parse(const char *, enum out_format *);
/* The i-th registry entry, NULL past the last. */
const struct out_format_def *out_format_get(size_t i);
/* The format names for a message: "csv, json or ndjson" (static). */
const char *out_format_names(void);

/* Create a writer of a format on fp (borrowed; the caller closes it). */
struct out_writer *out_create(enum out_format, FILE *fp);
/* Free a writer (NULL is fine); does not close or flush its stream. */
void	 out_free(struct out_writer *);
/*
 * Start the document.  schema is "wiretop.flows/2" and so on; list_key is
 * the JSON member holding the records ("flows"), or NULL when exactly one
 * record follows and is the document itself (summary).  columns are the
 * CSV header (ncolumns names; records must then have that many fields).
 */
int	 out_begin(struct out_writer *, const char *schema,
	    const char *list_key, const char *const *columns, size_t ncolumns);
/* Write one record. */
int	 out_record(struct out_writer *, const struct out_field *, size_t n);
/* Let records leave out some of the header's columns: a record whose
 * fields are some of the columns, in the header's order, gets nulls in
 * the others (a reader of an older store whose rows lack newer columns).
 * Call after out_begin(). */
void	 out_set_sparse(struct out_writer *);
/* End the document and flush the stream; -1 on any write error so far. */
int	 out_end(struct out_writer *);
/* Hand the buffered output to the stream and flush it, also after a
 * caller error, so the records written so far are kept; -1 on any error. */
int	 out_flush(struct out_writer *);
/* The first write error (an errno value), 0 if none. */
int	 out_error(const struct out_writer *);
/* Number of records written. */
uint64_t out_records(const struct out_writer *);
/* 1 if the writer's format holds only flat rows (no nesting): CSV. */
int	 out_is_flat(const struct out_writer *);

/* Format a fixed-point value (val / 10^dec) into buf; returns buf. */
const char *out_fmt_fixed(int64_t val, unsigned dec, char *buf, size_t len);
/* Format an address as inet_ntop does ("-" for another version) into
 * buf (at least OUT_ADDR_MAX bytes); returns its length. */
#define OUT_ADDR_MAX 48
size_t	 out_fmt_addr(uint8_t ip_ver, const uint8_t addr[16], char *buf);
/*
 * Length of the valid UTF-8 sequence at s (n bytes left, n > 0), or 0 if
 * the bytes there do not start one; *bad is then set to the length of the
 * maximal invalid subpart to replace by one U+FFFD (Unicode 15, 3.9).
 */
size_t	 out_utf8_seq(const unsigned char *s, size_t n, size_t *bad);
/* Write raw bytes; records errors in w. */
int	 out_put(struct out_writer *, const char *s, size_t n);

extern const struct out_ops out_csv_ops;
extern const struct out_ops out_json_ops;
extern const struct out_ops out_ndjson_ops;
extern const struct out_ops out_ipfix_ops;

#endif
