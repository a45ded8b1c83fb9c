/*
 * test-out.c: unit tests of the record writers (out.c, out-csv.c,
 * out-json.c).
 *
 * Every expected string is written out by hand from RFC 4180 and RFC 8259
 * and the Unicode 15 "maximal subpart" rule for U+FFFD (section 3.9,
 * table 3-8); none is copied from the writers' output.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "out.h"
#include "out-rec.h"

#define FFFD "\xef\xbf\xbd"

/* A writer on a memory stream. */
struct mem {
	char *buf;
	size_t len;
	FILE *fp;
	struct out_writer *w;
};

static void
mem_open(struct mem *m, enum out_format fmt)
{
	memset(m, 0, sizeof *m);
	m->fp = open_memstream(&m->buf, &m->len);
	ck_assert_ptr_nonnull(m->fp);
	m->w = out_create(fmt, m->fp);
}

/* Close the stream and return the text (owned by m). */
static const char *
mem_text(struct mem *m)
{
	out_free(m->w);
	m->w = NULL;
	ck_assert_int_eq(fclose(m->fp), 0);
	return m->buf;
}

static void
mem_done(struct mem *m)
{
	free(m->buf);
}

/* Write a single string field through a one-column writer and return the
 * text of that one row/value. */
static char *
one_str(enum out_format fmt, const char *s)
{
	static const char *const cols[] = { "v" };
	struct out_field f[] = { OUT_F_STR("v", s) };
	struct mem m;
	char *r;

	mem_open(&m, fmt);
	ck_assert_int_eq(out_begin(m.w, "t/1", "l", cols, 1), 0);
	ck_assert_int_eq(out_record(m.w, f, 1), 0);
	ck_assert_int_eq(out_end(m.w), 0);
	r = strdup(mem_text(&m));
	mem_done(&m);
	return r;
}

START_TEST(csv_quoting)
{
	static const char *const cols[] = { "a", "b,c", "d" };
	struct out_field f[] = {
		OUT_F_STR("a", "plain"),
		OUT_F_STR("b,c", "x,y"),
		OUT_F_STR("d", "say \"hi\""),
	};
	struct out_field g[] = {
		OUT_F_STR("a", "two\nlines"),
		OUT_F_STR("b,c", "cr\rhere"),
		OUT_F_NULL("d"),
	};
	struct out_field h[] = {
		OUT_F_STR("a", ""),
		OUT_F_STR("b,c", "\""),
		OUT_F_STR("d", NULL),
	};
	struct mem m;

	mem_open(&m, OUT_FMT_CSV);
	ck_assert_int_eq(out_begin(m.w, "t/1", "l", cols, 3), 0);
	ck_assert_int_eq(out_record(m.w, f, 3), 0);
	ck_assert_int_eq(out_record(m.w, g, 3), 0);
	ck_assert_int_eq(out_record(m.w, h, 3), 0);
	ck_assert_int_eq(out_end(m.w), 0);
	ck_assert_uint_eq(out_records(m.w), 3);
	ck_assert_str_eq(mem_text(&m),
	    "a,\"b,c\",d\n"
	    "plain,\"x,y\",\"say \"\"hi\"\"\"\n"
	    "two\\x0alines,cr\\x0dhere,\n"
	    ",\"\"\"\",\n");
	mem_done(&m);
}
END_TEST

START_TEST(csv_numbers)
{
	static const char *const cols[] = { "u", "i", "f", "g", "b", "c" };
	struct out_field f[] = {
		OUT_F_UINT("u", UINT64_MAX),
		OUT_F_INT("i", -7),
		OUT_F_FIXED("f", 1500000, 6),
		OUT_F_FIXED("g", 12345, 3),
		OUT_F_BOOL("b", 1),
		OUT_F_BOOL("c", 0),
	};
	struct mem m;

	mem_open(&m, OUT_FMT_CSV);
	ck_assert_int_eq(out_begin(m.w, "t/1", NULL, cols, 6), 0);
	ck_assert_int_eq(out_record(m.w, f, 6), 0);
	ck_assert_int_eq(out_end(m.w), 0);
	ck_assert_str_eq(mem_text(&m), "u,i,f,g,b,c\n"
	    "18446744073709551615,-7,1.500000,12.345,true,false\n");
	mem_done(&m);
}
END_TEST

START_TEST(csv_rejects_bad_records)
{
	static const char *const cols[] = { "a", "b" };
	struct out_field one[] = { OUT_F_UINT("a", 1) };
	struct out_field nested[] = {
		OUT_F_UINT("a", 1),
		{ .name = "b", .type = OUT_OBJECT, .v.obj = { one, 1 } },
	};
	struct mem m;

	/* Wrong field count: a caller bug, reported, nothing half-written
	 * silently accepted afterwards (the error is sticky). */
	mem_open(&m, OUT_FMT_CSV);
	ck_assert_int_eq(out_begin(m.w, "t/1", NULL, cols, 2), 0);
	ck_assert_int_eq(out_record(m.w, one, 1), -1);
	ck_assert_int_eq(out_error(m.w), EINVAL);
	ck_assert_int_eq(out_end(m.w), -1);
	mem_text(&m);
	mem_done(&m);

	mem_open(&m, OUT_FMT_CSV);
	ck_assert_int_eq(out_begin(m.w, "t/1", NULL, cols, 2), 0);
	ck_assert_int_eq(out_record(m.w, nested, 2), -1);
	ck_assert_int_eq(out_error(m.w), EINVAL);
	mem_text(&m);
	mem_done(&m);

	/* No header columns: CSV cannot start. */
	mem_open(&m, OUT_FMT_CSV);
	ck_assert_int_eq(out_begin(m.w, "t/1", NULL, NULL, 0), -1);
	mem_text(&m);
	mem_done(&m);
}
END_TEST

/* A writer set sparse (out_rec_begin's flows and hosts) fills the
 * columns a record leaves out with nulls, when its fields are some of
 * the columns in order; anything else is still refused. */
START_TEST(sparse_records)
{
	static const char *const cols[] = { "a", "b", "c", "d" };
	struct out_field ac[] = { OUT_F_UINT("a", 1), OUT_F_UINT("c", 3) };
	struct out_field ca[] = { OUT_F_UINT("c", 3), OUT_F_UINT("a", 1) };
	struct mem m;

	mem_open(&m, OUT_FMT_CSV);
	ck_assert_int_eq(out_begin(m.w, "t/1", NULL, cols, 4), 0);
	out_set_sparse(m.w);
	ck_assert_int_eq(out_record(m.w, ac, 2), 0);
	ck_assert_int_eq(out_end(m.w), 0);
	ck_assert_str_eq(mem_text(&m), "a,b,c,d\n1,,3,\n");
	mem_done(&m);

	/* fields out of the header's order: refused as before */
	mem_open(&m, OUT_FMT_CSV);
	ck_assert_int_eq(out_begin(m.w, "t/1", NULL, cols, 4), 0);
	out_set_sparse(m.w);
	ck_assert_int_eq(out_record(m.w, ca, 2), -1);
	ck_assert_int_eq(out_error(m.w), EINVAL);
	mem_text(&m);
	mem_done(&m);

	mem_open(&m, OUT_FMT_NDJSON);
	ck_assert_int_eq(out_begin(m.w, "t/1", "x", cols, 4), 0);
	out_set_sparse(m.w);
	ck_assert_int_eq(out_record(m.w, ac, 2), 0);
	ck_assert_int_eq(out_end(m.w), 0);
	ck_assert_str_eq(mem_text(&m),
	    "{\"schema\":\"t/1\",\"a\":1,\"b\":null,\"c\":3,"
	    "\"d\":null}\n");
	mem_done(&m);
}
END_TEST

START_TEST(csv_invalid_utf8)
{
	char *r;

	/* Bytes from the network are repaired in CSV too; a quote next to
	 * a bad byte is still doubled. */
	r = one_str(OUT_FMT_CSV, "a\xff\"b");
	ck_assert_str_eq(r, "v\n\"a" FFFD "\"\"b\"\n");
	free(r);
	r = one_str(OUT_FMT_CSV, "caf\xc3\xa9");
	ck_assert_str_eq(r, "v\ncaf\xc3\xa9\n");
	free(r);
}
END_TEST

/* The CSV row (without the header) of one field of the given type. */
static char *
csv_cell(enum out_type type, const char *s)
{
	static const char *const cols[] = { "v" };
	struct out_field f[] = { OUT_F_STR("v", s) };
	char *r, *row;

	f[0].type = type;
	{
		struct mem m;

		mem_open(&m, OUT_FMT_CSV);
		ck_assert_int_eq(out_begin(m.w, "t/1", "l", cols, 1), 0);
		ck_assert_int_eq(out_record(m.w, f, 1), 0);
		ck_assert_int_eq(out_end(m.w), 0);
		r = strdup(mem_text(&m));
		mem_done(&m);
	}
	ck_assert_int_eq(strncmp(r, "v\n", 2), 0);
	ck_assert_uint_ge(strlen(r), 3);
	ck_assert_int_eq(r[strlen(r) - 1], '\n');
	row = strndup(r + 2, strlen(r) - 3);
	free(r);
	return row;
}

struct esc_case {
	enum out_type type;
	const char *in;
	const char *out;
};

/*
 * CSV escaping (doc/wiretop.8, "Escaping of captured strings"): C0 and
 * DEL as \xNN, C1, bidirectional and line separator code points as
 * \uNNNN, a backslash doubled; a captured string starting with = + - @
 * TAB CR or ' gets a ' in front, inside quotes.  Neighbours of every
 * escaped range stay as they are.
 */
static const struct esc_case csv_esc_cases[] = {
	/* C0 */
	{ OUT_STR, "a\x1b[2Jb", "a\\x1b[2Jb" },
	{ OUT_STR, "\x07", "\\x07" },
	{ OUT_STR, "\x01\x1f", "\\x01\\x1f" },
	{ OUT_STR, "l\nc\rt\t", "l\\x0ac\\x0dt\\x09" },
	/* DEL */
	{ OUT_STR, "x\x7fy", "x\\x7fy" },
	/* C1 as UTF-8: U+0080, U+009B (CSI), U+009F; U+00A0 is kept */
	{ OUT_STR, "\xc2\x80\xc2\x9b\xc2\x9f\xc2\xa0",
	  "\\u0080\\u009b\\u009f\xc2\xa0" },
	/* a lone C1 byte is not UTF-8 */
	{ OUT_STR, "\x9b" "2J", FFFD "2J" },
	/* bidi: U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069 */
	{ OUT_STR, "\xd8\x9c", "\\u061c" },
	{ OUT_STR, "\xe2\x80\x8e\xe2\x80\x8f", "\\u200e\\u200f" },
	{ OUT_STR, "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"
	  "\xe2\x80\xae", "\\u202a\\u202b\\u202c\\u202d\\u202e" },
	{ OUT_STR, "\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9",
	  "\\u2066\\u2067\\u2068\\u2069" },
	/* line and paragraph separators */
	{ OUT_STR, "\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029" },
	/* neighbours kept: U+061B, U+200D, U+2027, U+202F, U+2065, U+206A */
	{ OUT_STR, "\xd8\x9b\xe2\x80\x8d\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5"
	  "\xe2\x81\xaa", "\xd8\x9b\xe2\x80\x8d\xe2\x80\xa7\xe2\x80\xaf"
	  "\xe2\x81\xa5\xe2\x81\xaa" },
	/* a backslash is doubled, so the escapes can be undone */
	{ OUT_STR, "a\\x1b", "a\\\\x1b" },
	/* formulas: every string, captured or not (a service read from a
	 * flow log, a source's name) */
	{ OUT_CAPTURED, "=1+2", "\"'=1+2\"" },
	{ OUT_CAPTURED, "+1", "\"'+1\"" },
	{ OUT_CAPTURED, "-1", "\"'-1\"" },
	{ OUT_CAPTURED, "@SUM(1)", "\"'@SUM(1)\"" },
	{ OUT_CAPTURED, "\tx", "\"'\\x09x\"" },
	{ OUT_CAPTURED, "\rx", "\"'\\x0dx\"" },
	{ OUT_CAPTURED, "'x", "\"''x\"" },
	{ OUT_CAPTURED, "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"" },
	{ OUT_CAPTURED, "a=1", "a=1" },
	{ OUT_CAPTURED, "", "" },
	{ OUT_STR, "=1", "\"'=1\"" },
	{ OUT_STR, "-", "\"'-\"" },
	{ OUT_STR, "@a,b", "\"'@a,b\"" },
	{ OUT_STR, "a-1", "a-1" },
	/* a comma still quotes the cell; escapes go inside the quotes */
	{ OUT_CAPTURED, "a,\x1b", "\"a,\\x1b\"" },
};

START_TEST(csv_escaping)
{
	const struct esc_case *c = &csv_esc_cases[_i];
	char *v = csv_cell(c->type, c->in);

	ck_assert_str_eq(v, c->out);
	free(v);
}
END_TEST

START_TEST(csv_numbers_not_neutralised)
{
	static const char *const cols[] = { "i", "f" };
	struct out_field f[] = {
		OUT_F_INT("i", -5),
		OUT_F_FIXED("f", -1500, 3),
	};
	struct mem m;

	mem_open(&m, OUT_FMT_CSV);
	ck_assert_int_eq(out_begin(m.w, "t/1", NULL, cols, 2), 0);
	ck_assert_int_eq(out_record(m.w, f, 2), 0);
	ck_assert_int_eq(out_end(m.w), 0);
	ck_assert_str_eq(mem_text(&m), "i,f\n-5,-1.500\n");
	mem_done(&m);
}
END_TEST

/* Tokens (a uid or a history read from a flow log or the database) are
 * neutralised as strings are; a token that starts no formula is copied. */
START_TEST(csv_tokens_neutralised)
{
	static const char *const cols[] = { "t", "l", "u", "n" };
	struct out_field f[] = {
		OUT_F_TOKEN("t", "=1+2"),
		{ .name = "l", .type = OUT_TOKENS, .v.tok = { "-2+3,C1", 0 } },
		OUT_F_TOKEN("u", "C1"),
		{ .name = "n", .type = OUT_TOKENS, .v.tok = { "C1,@x", 0 } },
	};
	struct mem m;

	mem_open(&m, OUT_FMT_CSV);
	ck_assert_int_eq(out_begin(m.w, "t/1", NULL, cols, 4), 0);
	ck_assert_int_eq(out_record(m.w, f, 4), 0);
	ck_assert_int_eq(out_end(m.w), 0);
	ck_assert_str_eq(mem_text(&m),
	    "t,l,u,n\n\"'=1+2\",\"'-2+3,C1\",C1,\"C1,@x\"\n");
	mem_done(&m);
}
END_TEST

/* The JSON text of one string value, cut out of {"schema":..,"l":[{"v":X}]} */
static char *
json_value(const char *s)
{
	static const char pre[] = "{\"schema\":\"t/1\",\"l\":[\n{\"v\":";
	static const char post[] = "}\n]}\n";
	char *r = one_str(OUT_FMT_JSON, s), *v;
	size_t n = strlen(r);

	ck_assert_uint_ge(n, sizeof pre - 1 + sizeof post - 1);
	ck_assert_int_eq(strncmp(r, pre, sizeof pre - 1), 0);
	ck_assert_str_eq(r + n - (sizeof post - 1), post);
	v = strndup(r + sizeof pre - 1, n - (sizeof pre - 1) -
	    (sizeof post - 1));
	free(r);
	return v;
}

struct json_case {
	const char *in;
	const char *out;
};

static const struct json_case json_cases[] = {
	{ "plain", "\"plain\"" },
	{ "", "\"\"" },
	{ "q\"b\\s/", "\"q\\\"b\\\\s/\"" },
	{ "\x01\x1f\n\t\r\b\f", "\"\\u0001\\u001f\\u000a\\u0009\\u000d"
	    "\\u0008\\u000c\"" },
	/* DEL is legal JSON but a terminal control: escaped */
	{ "del\x7f", "\"del\\u007f\"" },
	/* valid multibyte kept: U+00E9, U+20AC, U+1F600, U+10FFFF */
	{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf",
	  "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"" },
	/* lone continuation, impossible bytes */
	{ "a\x80z", "\"a" FFFD "z\"" },
	{ "\xfe\xff", "\"" FFFD FFFD "\"" },
	/* truncated sequences: one U+FFFD per maximal subpart */
	{ "\xe2\x82z", "\"" FFFD "z\"" },
	{ "\xf0\x9f\x98", "\"" FFFD "\"" },
	{ "end\xc3", "\"end" FFFD "\"" },
	/* overlong forms: C0/C1 never valid; E0 80.. and F0 80.. not */
	{ "\xc0\xaf", "\"" FFFD FFFD "\"" },
	{ "\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"" },
	/* surrogate U+D800 and above U+10FFFF */
	{ "\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"" },
	{ "\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"" },
	/* a bad byte between controls and quotes */
	{ "\x01\xff\"", "\"\\u0001" FFFD "\\\"\"" },
	/* ESC, C1 (U+009B), bidi (U+202E, U+2066, U+061C), U+2028 */
	{ "\x1b[2J", "\"\\u001b[2J\"" },
	{ "\xc2\x9b" "2J", "\"\\u009b2J\"" },
	{ "a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xd8\x9c",
	  "\"a\\u202eb\\u2066c\\u061c\"" },
	{ "\xe2\x80\xa8", "\"\\u2028\"" },
	/* U+00A0 and U+200D are kept */
	{ "\xc2\xa0\xe2\x80\x8d", "\"\xc2\xa0\xe2\x80\x8d\"" },
};

START_TEST(json_escaping)
{
	const struct json_case *c = &json_cases[_i];
	char *v = json_value(c->in);

	ck_assert_str_eq(v, c->out);
	free(v);
}
END_TEST

START_TEST(json_document)
{
	static const char *const cols[] = { "n", "s", "x", "schema" };
	struct out_field a[] = {
		OUT_F_UINT("n", 1),
		OUT_F_STR("s", "x"),
		OUT_F_FIXED("x", -1, 3),
		OUT_F_STR("schema", "t/1"),
	};
	struct out_field b[] = {
		OUT_F_UINT("n", 0),
		OUT_F_STR("s", NULL),
		OUT_F_NULL("x"),
		OUT_F_STR("schema", "t/1"),
	};
	struct mem m;

	mem_open(&m, OUT_FMT_JSON);
	ck_assert_int_eq(out_begin(m.w, "t/1", "items", cols, 4), 0);
	ck_assert_int_eq(out_record(m.w, a, 4), 0);
	ck_assert_int_eq(out_record(m.w, b, 4), 0);
	ck_assert_int_eq(out_end(m.w), 0);
	ck_assert_str_eq(mem_text(&m),
	    "{\"schema\":\"t/1\",\"items\":[\n"
	    "{\"n\":1,\"s\":\"x\",\"x\":-0.001,\"schema\":\"t/1\"},\n"
	    "{\"n\":0,\"s\":null,\"x\":null,\"schema\":\"t/1\"}\n"
	    "]}\n");
	mem_done(&m);

	/* No records: still a document with its schema. */
	mem_open(&m, OUT_FMT_JSON);
	ck_assert_int_eq(out_begin(m.w, "t/1", "items", cols, 4), 0);
	ck_assert_int_eq(out_end(m.w), 0);
	ck_assert_str_eq(mem_text(&m),
	    "{\"schema\":\"t/1\",\"items\":[]}\n");
	mem_done(&m);
}
END_TEST

START_TEST(json_single_object)
{
	struct out_field inner[] = {
		OUT_F_UINT("a", 1),
		OUT_F_BOOL("t", 1),
	};
	struct out_rec recs[] = { { inner, 2 }, { inner, 1 } };
	struct out_field f[] = {
		OUT_F_UINT("packets", 3),
		{ .name = "obj", .type = OUT_OBJECT, .v.obj = { inner, 2 } },
		{ .name = "arr", .type = OUT_ARRAY, .v.arr = { recs, 2 } },
		{ .name = "none", .type = OUT_ARRAY, .v.arr = { NULL, 0 } },
	};
	struct mem m;

	/* The schema member is added in front when the record lacks it. */
	mem_open(&m, OUT_FMT_JSON);
	ck_assert_int_eq(out_begin(m.w, "s/1", NULL, NULL, 0), 0);
	ck_assert_int_eq(out_record(m.w, f, 4), 0);
	/* A single-object document takes exactly one record. */
	ck_assert_int_eq(out_record(m.w, f, 4), -1);
	ck_assert_int_eq(out_error(m.w), EINVAL);
	/* What was written before the caller's error still reaches the
	 * stream. */
	ck_assert_int_eq(out_flush(m.w), -1);
	mem_text(&m);
	ck_assert_str_eq(m.buf,
	    "{\"schema\":\"s/1\",\"packets\":3,\"obj\":{\"a\":1,\"t\":true},"
	    "\"arr\":[{\"a\":1,\"t\":true},{\"a\":1}],\"none\":[]}\n");
	mem_done(&m);

	mem_open(&m, OUT_FMT_JSON);
	ck_assert_int_eq(out_begin(m.w, "s/1", NULL, NULL, 0), 0);
	ck_assert_int_eq(out_end(m.w), 0);
	ck_assert_str_eq(mem_text(&m), "{\"schema\":\"s/1\"}\n");
	mem_done(&m);
}
END_TEST

START_TEST(ndjson_lines)
{
	static const char *const cols[] = { "n", "s" };
	struct out_field a[] = {
		OUT_F_UINT("n", 1),
		OUT_F_STR("s", "multi\nline"),
	};
	struct out_field b[] = {
		OUT_F_UINT("n", 2),
		OUT_F_STR("schema", "own/2"),
	};
	struct mem m;

	mem_open(&m, OUT_FMT_NDJSON);
	ck_assert_int_eq(out_begin(m.w, "t/1", "items", cols, 2), 0);
	ck_assert_int_eq(out_record(m.w, a, 2), 0);
	ck_assert_int_eq(out_record(m.w, b, 2), 0);
	ck_assert_int_eq(out_record(m.w, a, 2), 0);
	ck_assert_int_eq(out_end(m.w), 0);
	/* One object per line: the newline inside a string is escaped;
	 * a record's own schema field is not duplicated. */
	ck_assert_str_eq(mem_text(&m),
	    "{\"schema\":\"t/1\",\"n\":1,\"s\":\"multi\\u000aline\"}\n"
	    "{\"n\":2,\"schema\":\"own/2\"}\n"
	    "{\"schema\":\"t/1\",\"n\":1,\"s\":\"multi\\u000aline\"}\n");
	mem_done(&m);

	/* No records: an empty file (zero lines). */
	mem_open(&m, OUT_FMT_NDJSON);
	ck_assert_int_eq(out_begin(m.w, "t/1", "items", cols, 2), 0);
	ck_assert_int_eq(out_end(m.w), 0);
	ck_assert_str_eq(mem_text(&m), "");
	mem_done(&m);
}
END_TEST

START_TEST(fixed_format)
{
	char buf[64];

	ck_assert_str_eq(out_fmt_fixed(0, 6, buf, sizeof buf), "0.000000");
	ck_assert_str_eq(out_fmt_fixed(1, 3, buf, sizeof buf), "0.001");
	ck_assert_str_eq(out_fmt_fixed(-1, 3, buf, sizeof buf), "-0.001");
	ck_assert_str_eq(out_fmt_fixed(-1500, 3, buf, sizeof buf), "-1.500");
	ck_assert_str_eq(out_fmt_fixed(1234567, 3, buf, sizeof buf),
	    "1234.567");
	ck_assert_str_eq(out_fmt_fixed(5, 0, buf, sizeof buf), "5");
	/* 2016-08-02 02:19:33.025824 UTC as microseconds */
	ck_assert_str_eq(out_fmt_fixed(1470104373025824, 6, buf, sizeof buf),
	    "1470104373.025824");
	ck_assert_str_eq(out_fmt_fixed(INT64_MIN, 0, buf, sizeof buf),
	    "-9223372036854775808");
	ck_assert_str_eq(out_fmt_fixed(INT64_MIN, 6, buf, sizeof buf),
	    "-9223372036854.775808");
}
END_TEST

START_TEST(utf8_seq)
{
	size_t bad;

	ck_assert_uint_eq(out_utf8_seq((const unsigned char *)"A", 1, &bad),
	    1);
	ck_assert_uint_eq(out_utf8_seq((const unsigned char *)"\xc3\xa9", 2,
	    &bad), 2);
	ck_assert_uint_eq(out_utf8_seq((const unsigned char *)"\xef\xbf\xbd",
	    3, &bad), 3);
	/* a valid sequence cut by the buffer end is not read past it */
	ck_assert_uint_eq(out_utf8_seq((const unsigned char *)"\xe2\x82\xac",
	    2, &bad), 0);
	ck_assert_uint_eq(bad, 2);
	ck_assert_uint_eq(out_utf8_seq((const unsigned char *)"\xc1\xbf", 2,
	    &bad), 0);
	ck_assert_uint_eq(bad, 1);
}
END_TEST

START_TEST(write_errors)
{
	static const char *const cols[] = { "s" };
	struct out_field f[] = { OUT_F_STR("s", "0123456789abcdef") };
	struct out_writer *w;
	FILE *fp;
	int i, rc = 0;

	/* /dev/full: every write fails with ENOSPC once stdio flushes;
	 * the writer must report it, never lose data silently. */
	fp = fopen("/dev/full", "w");
	if (fp == NULL)
		return;		/* no /dev/full here: nothing to test */
	w = out_create(OUT_FMT_CSV, fp);
	ck_assert_int_eq(out_begin(w, "t/1", NULL, cols, 1), 0);
	for (i = 0; i < 10000 && rc == 0; i++)
		rc = out_record(w, f, 1);
	if (rc == 0)
		rc = out_end(w);
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(out_error(w), ENOSPC);
	/* sticky */
	ck_assert_int_eq(out_record(w, f, 1), -1);
	ck_assert_int_eq(out_end(w), -1);
	out_free(w);
	fclose(fp);

	/* Small output: only the final flush fails. */
	fp = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(fp);
	w = out_create(OUT_FMT_JSON, fp);
	ck_assert_int_eq(out_begin(w, "t/1", "l", cols, 1), 0);
	ck_assert_int_eq(out_record(w, f, 1), 0);
	ck_assert_int_eq(out_end(w), -1);
	ck_assert_int_eq(out_error(w), ENOSPC);
	out_free(w);
	fclose(fp);
}
END_TEST

START_TEST(format_parse)
{
	enum out_format f;

	ck_assert_int_eq(out_format_parse("csv", &f), 0);
	ck_assert_int_eq(f, OUT_FMT_CSV);
	ck_assert_int_eq(out_format_parse("json", &f), 0);
	ck_assert_int_eq(f, OUT_FMT_JSON);
	ck_assert_int_eq(out_format_parse("ndjson", &f), 0);
	ck_assert_int_eq(f, OUT_FMT_NDJSON);
	ck_assert_int_eq(out_format_parse(NULL, &f), 0);
	ck_assert_int_eq(f, OUT_FMT_CSV);
	ck_assert_int_eq(out_format_parse("xml", &f), -1);
	ck_assert_int_eq(out_format_parse("JSON", &f), -1);
}
END_TEST

/* Addresses as inet_ntop (glibc) writes them: the edge cases of zero-run
 * compression and the IPv4-compatible/mapped forms, then many addresses
 * with random zero groups. */
START_TEST(addr_format)
{
	static const char *const v6[] = {
		"::", "::1", "1::", "1:0:0:2::3", "1::2:0:0:3", "0:1::",
		"1:0:1:0:1:0:1:0", "::ffff:1.2.3.4", "::1.2.3.4",
		"::ffff:0:1.2.3.4", "::0.0.1.2", "64:ff9b::1.2.3.4",
		"fe80::1:0:0:0", "2001:db8::ffff:0:0", "ffff:ffff:ffff:ffff:"
		"ffff:ffff:ffff:ffff", "0:0:1::", "1:2:3:4:5:6:7::",
	};
	char want[INET6_ADDRSTRLEN], got[OUT_ADDR_MAX];
	uint8_t a[16];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t i, j, n;

	for (i = 0; i < sizeof v6 / sizeof v6[0]; i++) {
		ck_assert_int_eq(inet_pton(AF_INET6, v6[i], a), 1);
		ck_assert_ptr_nonnull(inet_ntop(AF_INET6, a, want,
		    sizeof want));
		n = out_fmt_addr(6, a, got);
		ck_assert_str_eq(got, want);
		ck_assert_uint_eq(n, strlen(want));
	}
	for (i = 0; i < 20000; i++) {
		for (j = 0; j < 16; j += 2) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			/* half the groups zero, the rest 1..4 hex digits */
			a[j] = (x >> 60) < 8 ? 0 : (uint8_t)(x >> 40 & 0x0f);
			a[j + 1] = (x >> 60) < 8 ? 0 : (uint8_t)(x >> 32);
			if ((x >> 20 & 3) == 0)
				a[j] = (uint8_t)(x >> 24);
		}
		ck_assert_ptr_nonnull(inet_ntop(AF_INET6, a, want,
		    sizeof want));
		ck_assert_uint_eq(out_fmt_addr(6, a, got), strlen(want));
		ck_assert_str_eq(got, want);
		ck_assert_ptr_nonnull(inet_ntop(AF_INET, a, want,
		    sizeof want));
		ck_assert_uint_eq(out_fmt_addr(4, a, got), strlen(want));
		ck_assert_str_eq(got, want);
	}
	memset(a, 0, sizeof a);
	ck_assert_uint_eq(out_fmt_addr(4, a, got), 7);
	ck_assert_str_eq(got, "0.0.0.0");
	memset(a, 255, sizeof a);
	out_fmt_addr(4, a, got);
	ck_assert_str_eq(got, "255.255.255.255");
	ck_assert_uint_eq(out_fmt_addr(0, a, got), 1);
	ck_assert_str_eq(got, "-");
}
END_TEST

/* Integers at every power-of-ten boundary, as printf writes them. */
START_TEST(uint_format)
{
	static const char *const cols[] = { "u" };
	struct out_field f[] = { OUT_F_UINT("u", 0) };
	char want[64], *r;
	uint64_t p = 1;
	int i, k;
	struct mem m;

	for (i = 0; i < 20; i++) {
		for (k = -1; k <= 1; k++) {
			f[0].v.u = p + (uint64_t)k;
			if (p == 1 && k < 0)
				f[0].v.u = 0;
			mem_open(&m, OUT_FMT_CSV);
			ck_assert_int_eq(out_begin(m.w, "t/1", NULL, cols, 1),
			    0);
			ck_assert_int_eq(out_record(m.w, f, 1), 0);
			ck_assert_int_eq(out_end(m.w), 0);
			r = strdup(mem_text(&m));
			mem_done(&m);
			snprintf(want, sizeof want, "u\n%llu\n",
			    (unsigned long long)f[0].v.u);
			ck_assert_str_eq(r, want);
			free(r);
		}
		if (i < 19)
			p *= 10;
	}
}
END_TEST

/* The registry lists csv, json, ndjson and ipfix, each parsed back to
 * itself. */
START_TEST(format_registry)
{
	const struct out_format_def *d;
	enum out_format f;
	size_t i;

	for (i = 0; (d = out_format_get(i)) != NULL; i++) {
		ck_assert_int_eq(out_format_parse(d->name, &f), 0);
		ck_assert_int_eq(f, d->fmt);
		ck_assert_ptr_nonnull(d->ops);
		ck_assert_uint_gt(strlen(d->help), 0);
		ck_assert_int_eq(d->flat, d->fmt == OUT_FMT_CSV);
	}
	ck_assert_uint_eq(i, 4);
	ck_assert_str_eq(out_format_names(), "csv, json, ndjson or ipfix");
}
END_TEST

/* A UDP flow whose every counter derives from i. */
static void
test_flow(struct flow *f, unsigned i)
{
	memset(f, 0, sizeof *f);
	f->key.ip_ver = i % 5 == 0 ? 6 : 4;
	f->key.proto = 17;
	if (f->key.ip_ver == 4) {
		f->key.a[0] = 10;
		f->key.a[3] = (uint8_t)i;
		f->key.b[0] = 192;
		f->key.b[2] = 2;
		f->key.b[3] = (uint8_t)(i >> 8);
	} else {
		f->key.a[0] = 0x20;
		f->key.a[1] = 0x01;
		f->key.a[15] = (uint8_t)i;
		f->key.b[0] = 0xfe;
		f->key.b[1] = 0x80;
		f->key.b[14] = (uint8_t)(i >> 8);
		f->key.b[15] = 1;
	}
	f->key.ap = (uint16_t)(40000 + i % 1000);
	f->key.bp = 53;
	f->key.vlan = i % 3 == 0 ? (uint16_t)(i % 4095 + 1) : 0;
	f->vlan[0] = f->vlan[1] = f->key.vlan;
	f->orig_is_a = 1;
	f->first_ns = 1700000000123456789ull + (uint64_t)i * 1000003;
	f->last_ns = f->first_ns + (uint64_t)i * 999999937;
	f->dir[0].pkts = i;
	f->dir[0].bytes = (uint64_t)i * 7;
	f->dir[0].ip_bytes = (uint64_t)i * 35;
	f->dir[0].wire_bytes = (uint64_t)i * 49;
	f->dir[1].pkts = i * 2;
	f->dir[1].bytes = (uint64_t)i * 1000003;
	f->dir[1].ip_bytes = (uint64_t)i * 1000043;
	f->dir[1].wire_bytes = (uint64_t)i * 1000057;
	f->rtt_us = i % 2 == 0 ? i * 5 : 0;
	f->retrans = i % 4;
	strcpy(f->history, "Dd");
}

/* The CSV cells of flow i that do not come from the engine's helpers,
 * as printf and inet_ntop write them; NULL where not checked. */
static void
test_flow_want(const struct flow *f, char want[32][64])
{
	uint64_t us0 = f->first_ns / 1000, us1 = f->last_ns / 1000;
	int af = f->key.ip_ver == 6 ? AF_INET6 : AF_INET;
	int k;

	for (k = 0; k < 32; k++)
		want[k][0] = '\0';
	snprintf(want[0], 64, "%llu.%06llu", (unsigned long long)(us0 /
	    1000000), (unsigned long long)(us0 % 1000000));
	inet_ntop(af, f->key.a, want[2], 64);
	snprintf(want[3], 64, "%u", f->key.ap);
	inet_ntop(af, f->key.b, want[4], 64);
	snprintf(want[5], 64, "%u", f->key.bp);
	strcpy(want[6], "udp");
	snprintf(want[8], 64, "%llu.%06llu", (unsigned long long)((us1 -
	    us0) / 1000000), (unsigned long long)((us1 - us0) % 1000000));
	snprintf(want[9], 64, "%llu", (unsigned long long)f->dir[0].bytes);
	snprintf(want[10], 64, "%llu", (unsigned long long)f->dir[1].bytes);
	strcpy(want[12], "Dd");
	snprintf(want[13], 64, "%llu", (unsigned long long)f->dir[0].pkts);
	snprintf(want[14], 64, "%llu",
	    (unsigned long long)f->dir[0].ip_bytes);
	snprintf(want[15], 64, "%llu", (unsigned long long)f->dir[1].pkts);
	snprintf(want[16], 64, "%llu",
	    (unsigned long long)f->dir[1].ip_bytes);
	snprintf(want[17], 64, "%llu",
	    (unsigned long long)f->dir[0].wire_bytes);
	snprintf(want[18], 64, "%llu",
	    (unsigned long long)f->dir[1].wire_bytes);
	if (f->vlan[0] != 0)
		snprintf(want[19], 64, "%u", f->vlan[0]);
	if (f->vlan[1] != f->vlan[0] && f->vlan[1] != 0)
		snprintf(want[21], 64, "%u", f->vlan[1]);
	if (f->rtt_us != 0)
		snprintf(want[25], 64, "%u.%03u", f->rtt_us / 1000,
		    f->rtt_us % 1000);
	snprintf(want[26], 64, "%u", f->retrans);
	/* 27-30: orig_cc resp_cc orig_asn resp_asn, empty without an
	 * engine (no GeoIP) */
	strcpy(want[31], "wiretop.flows/2");
}

/* Flow rows through out_rec_flow: 3000 of them cross the writer's buffer
 * many times; every CSV cell wiretop formats itself is checked against
 * printf/inet_ntop, and every NDJSON line is one object with the same
 * values. */
START_TEST(flow_records)
{
	static const int cells[] = {
		0, 2, 3, 4, 5, 6, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19,
		20, 22, 23, 25, 26, 27, 28, 29, 30, 31,
	};
	static const char *const keys[] = {
		"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h",
		"id.resp_p", "proto", "service", "duration", "orig_bytes",
		"resp_bytes", "conn_state", "history", "orig_pkts",
		"orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
		"orig_wire_bytes", "resp_wire_bytes", "vlan", "inner_vlan",
		"return_vlan", "tunnel_parents", "tunnel", "community_id",
		"rtt_ms", "retrans", "orig_cc", "resp_cc", "orig_asn",
		"resp_asn", "schema",
	};
	char want[32][64], needle[128], *line, *next, *c;
	struct flow f;
	struct mem m;
	unsigned i, n = 3000;
	size_t k;
	int fmt;

	for (fmt = 0; fmt < 2; fmt++) {
		mem_open(&m, fmt == 0 ? OUT_FMT_CSV : OUT_FMT_NDJSON);
		ck_assert_int_eq(out_rec_begin(m.w, OUT_REC_FLOWS), 0);
		for (i = 1; i <= n; i++) {
			test_flow(&f, i);
			ck_assert_int_eq(out_rec_flow(m.w, NULL, &f), 0);
		}
		ck_assert_int_eq(out_end(m.w), 0);
		ck_assert_uint_eq(out_records(m.w), n);
		line = (char *)mem_text(&m);
		if (fmt == 0) {
			next = strchr(line, '\n');
			ck_assert_ptr_nonnull(next);
			*next = '\0';
			for (k = 0; k < 32; k++)
				ck_assert_str_eq(out_rec_column(OUT_REC_FLOWS,
				    k), keys[k]);
			ck_assert_ptr_null(out_rec_column(OUT_REC_FLOWS, 32));
			line = next + 1;
		}
		for (i = 1; i <= n; i++) {
			next = strchr(line, '\n');
			ck_assert_ptr_nonnull(next);
			*next = '\0';
			test_flow(&f, i);
			test_flow_want(&f, want);
			if (fmt == 0) {
				char *cell[32];

				/* No cell is quoted: split on commas. */
				for (k = 0, c = line; k < 32; k++) {
					cell[k] = c;
					c = strchr(c, ',');
					if (k < 31) {
						ck_assert_ptr_nonnull(c);
						*c++ = '\0';
					}
				}
				ck_assert_ptr_null(c);
				for (k = 0; k < sizeof cells / sizeof cells[0];
				    k++)
					ck_assert_str_eq(cell[cells[k]],
					    want[cells[k]]);
				ck_assert_uint_eq(strlen(cell[1]), 18);
				ck_assert_int_eq(strncmp(cell[24], "1:", 2), 0);
			} else {
				ck_assert_int_eq(line[0], '{');
				ck_assert_int_eq(next[-1], '}');
				for (k = 0; k < sizeof cells / sizeof cells[0];
				    k++) {
					const char *v = want[cells[k]];
					int str = cells[k] == 2 ||
					    cells[k] == 4 || cells[k] == 6 ||
					    cells[k] == 12 || cells[k] == 31;

					snprintf(needle, sizeof needle,
					    "\"%s\":%s%s%s%c", keys[cells[k]],
					    str ? "\"" : "", v[0] != '\0' ? v :
					    "null", str ? "\"" : "",
					    cells[k] == 31 ? '}' : ',');
					ck_assert_msg(strstr(line, needle) !=
					    NULL, "%s not in %s", needle, line);
				}
			}
			line = next + 1;
		}
		ck_assert_int_eq(*line, '\0');
		mem_done(&m);
	}
}
END_TEST

static Suite *
out_suite(void)
{
	Suite *s = suite_create("out");
	TCase *tc;

	tc = tcase_create("csv");
	tcase_add_test(tc, csv_quoting);
	tcase_add_test(tc, csv_numbers);
	tcase_add_test(tc, csv_rejects_bad_records);
	tcase_add_test(tc, sparse_records);
	tcase_add_test(tc, csv_invalid_utf8);
	tcase_add_loop_test(tc, csv_escaping, 0,
	    (int)(sizeof csv_esc_cases / sizeof csv_esc_cases[0]));
	tcase_add_test(tc, csv_numbers_not_neutralised);
	tcase_add_test(tc, csv_tokens_neutralised);
	suite_add_tcase(s, tc);

	tc = tcase_create("json");
	tcase_add_loop_test(tc, json_escaping, 0,
	    (int)(sizeof json_cases / sizeof json_cases[0]));
	tcase_add_test(tc, json_document);
	tcase_add_test(tc, json_single_object);
	tcase_add_test(tc, ndjson_lines);
	suite_add_tcase(s, tc);

	tc = tcase_create("common");
	tcase_add_test(tc, fixed_format);
	tcase_add_test(tc, utf8_seq);
	tcase_add_test(tc, write_errors);
	tcase_add_test(tc, format_parse);
	tcase_add_test(tc, format_registry);
	tcase_add_test(tc, addr_format);
	tcase_add_test(tc, uint_format);
	tcase_add_test(tc, flow_records);
	suite_add_tcase(s, tc);
	return s;
}

int main(void);

int
main(void)
{
	SRunner *sr = srunner_create(out_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
