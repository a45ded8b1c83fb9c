/*
 * out-json.c: the JSON and NDJSON record writers.
 *
 * Used by the thread that owns the sink (the main thread for export).
 * Output is always valid UTF-8 JSON (RFC 8259): strings escape '"', '\'
 * and every control character below U+0020 as \u00XX; invalid UTF-8 from
 * the network becomes U+FFFD; numbers are integers or exact fixed-point
 * decimals (never NaN or Infinity); a null string is null.
 *
 * JSON: {"schema":S,"LIST":[\n{...},\n{...}\n]}\n, or, without a list key,
 * the single record itself as the document.  NDJSON: one object per line.
 * Every top-level object carries "schema": added in front when the
 * caller's record does not have that field.
 */
#include "config.h"
#include "out.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char out_json_hex[] = "0123456789abcdef";

/* Write s as a JSON string literal. */
static int
out_json_str(struct out_writer *w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, len = strlen(s);
	char esc[8];
	unsigned char c;

	if (out_put(w, "\"", 1) != 0)
		return -1;
	while ((c = p[i]) != '\0') {
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			/* Valid multibyte: copied; invalid: U+FFFD. */
			size_t bad, k;

			k = out_utf8_seq(p + i, len - i, &bad);
			if (k > 0) {
				i += k;
				continue;
			}
			if (out_put(w, s + start, i - start) != 0 ||
			    out_put(w, "\xef\xbf\xbd", 3) != 0)
				return -1;
			i += bad;
			start = i;
			continue;
		}
		if (out_put(w, s + start, i - start) != 0)
			return -1;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			if (out_put(w, esc, 2) != 0)
				return -1;
		} else {
			memcpy(esc, "\\u00", 4);
			esc[4] = out_json_hex[c >> 4];
			esc[5] = out_json_hex[c & 0xf];
			if (out_put(w, esc, 6) != 0)
				return -1;
		}
		i++;
		start = i;
	}
	if (out_put(w, s + start, i - start) != 0)
		return -1;
	return out_put(w, "\"", 1);
}

static int	out_json_object(struct out_writer *, const struct out_field *,
		    size_t, const char *);

static int
out_json_value(struct out_writer *w, const struct out_field *f)
{
	char buf[64];
	size_t i;

	switch (f->type) {
	case OUT_NULL:
		snprintf(buf, sizeof buf, "null");
		break;
	case OUT_STR:
		if (f->v.s == NULL) {
			snprintf(buf, sizeof buf, "null");
			break;
		}
		return out_json_str(w, f->v.s);
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
		return out_json_object(w, f->v.obj.f, f->v.obj.n, NULL);
	case OUT_ARRAY:
		if (out_put(w, "[", 1) != 0)
			return -1;
		for (i = 0; i < f->v.arr.n; i++) {
			if ((i > 0 && out_put(w, ",", 1) != 0) ||
			    out_json_object(w, f->v.arr.v[i].f,
			    f->v.arr.v[i].n, NULL) != 0)
				return -1;
		}
		return out_put(w, "]", 1);
	default:
		w->error = EINVAL;
		return -1;
	}
	return out_put(w, buf, strlen(buf));
}

/* Write an object; if schema is set and no field is named "schema", a
 * "schema" member is written first. */
static int
out_json_object(struct out_writer *w, const struct out_field *f, size_t n,
    const char *schema)
{
	size_t i;
	int first = 1;

	if (out_put(w, "{", 1) != 0)
		return -1;
	if (schema != NULL) {
		for (i = 0; i < n; i++) {
			if (f[i].name != NULL &&
			    strcmp(f[i].name, "schema") == 0)
				break;
		}
		if (i == n) {
			if (out_json_str(w, "schema") != 0 ||
			    out_put(w, ":", 1) != 0 ||
			    out_json_str(w, schema) != 0)
				return -1;
			first = 0;
		}
	}
	for (i = 0; i < n; i++) {
		if (f[i].name == NULL) {
			w->error = EINVAL;
			return -1;
		}
		if ((!first && out_put(w, ",", 1) != 0) ||
		    out_json_str(w, f[i].name) != 0 ||
		    out_put(w, ":", 1) != 0 ||
		    out_json_value(w, &f[i]) != 0)
			return -1;
		first = 0;
	}
	return out_put(w, "}", 1);
}

static int
out_json_begin(struct out_writer *w)
{
	if (w->list_key == NULL)
		return 0;
	if (out_put(w, "{", 1) != 0 ||
	    out_json_str(w, "schema") != 0 ||
	    out_put(w, ":", 1) != 0 ||
	    out_json_str(w, w->schema) != 0 ||
	    out_put(w, ",", 1) != 0 ||
	    out_json_str(w, w->list_key) != 0)
		return -1;
	return out_put(w, ":[", 2);
}

static int
out_json_record(struct out_writer *w, const struct out_field *f, size_t n)
{
	if (w->list_key == NULL) {
		/* The record is the document: exactly one. */
		if (w->records > 0) {
			w->error = EINVAL;
			return -1;
		}
		if (out_json_object(w, f, n, w->schema) != 0)
			return -1;
		return out_put(w, "\n", 1);
	}
	if (out_put(w, w->records > 0 ? ",\n" : "\n", w->records > 0 ? 2 : 1)
	    != 0)
		return -1;
	return out_json_object(w, f, n, NULL);
}

static int
out_json_end(struct out_writer *w)
{
	if (w->list_key == NULL) {
		if (w->records > 0)
			return 0;
		/* No record: still a valid document naming its schema. */
		return out_json_object(w, NULL, 0, w->schema) != 0 ? -1 :
		    out_put(w, "\n", 1);
	}
	if (w->records > 0)
		return out_put(w, "\n]}\n", 4);
	return out_put(w, "]}\n", 3);
}

static int
out_ndjson_begin(struct out_writer *w)
{
	(void)w;
	return 0;
}

static int
out_ndjson_record(struct out_writer *w, const struct out_field *f, size_t n)
{
	if (out_json_object(w, f, n, w->schema) != 0)
		return -1;
	return out_put(w, "\n", 1);
}

static int
out_ndjson_end(struct out_writer *w)
{
	(void)w;
	return 0;
}

const struct out_ops out_json_ops = {
	.name = "json",
	.begin = out_json_begin,
	.record = out_json_record,
	.end = out_json_end,
};

const struct out_ops out_ndjson_ops = {
	.name = "ndjson",
	.begin = out_ndjson_begin,
	.record = out_ndjson_record,
	.end = out_ndjson_end,
};
