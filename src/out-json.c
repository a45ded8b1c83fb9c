/*
 * out-json.c: the JSON and NDJSON record writers.
 *
 * Used by the thread that owns the sink (the main thread for export).
 * Output is always valid UTF-8 JSON (RFC 8259): strings escape '"', '\',
 * every C0 control and DEL as \u00XX, and the C1, bidirectional and line
 * separator code points as \uNNNN (so no terminal or reader acts on
 * them); invalid UTF-8 from the network becomes U+FFFD; numbers are
 * integers or exact fixed-point decimals (never NaN or Infinity); a null
 * string is null.  Strings and numbers are formatted straight into the
 * writer's buffer (out-int.h).
 *
 * JSON: {"schema":S,"LIST":[\n{...},\n{...}\n]}\n, or, without a list key,
 * the single record itself as the document.  NDJSON: one object per line.
 * Every top-level object carries "schema": added in front when the
 * caller's record does not have that field.
 */
#include "config.h"
#include "out.h"

#include <errno.h>
#include <string.h>

#include "out-int.h"
#include "out-json.h"

/* Write s as a JSON string literal. */
void
out_json_str(struct out_writer *w, const char *s)
{
	unsigned cls;
	size_t n;
	char *p;

	p = out_room(w, 1);
	*p++ = '"';
	out_commit(w, p);
	if (!out_try_plain(w, s, ~OUT_CLS_COMMA)) {
		n = out_scan(s, &cls);
		out_put_escaped(w, s, n, OUT_ESC_JSON);
	}
	p = out_room(w, 1);
	*p++ = '"';
	out_commit(w, p);
}

static int	out_json_object(struct out_writer *, const struct out_field *,
		    size_t, const char *);

static int
out_json_value(struct out_writer *w, const struct out_field *f)
{
	size_t i;
	char *p;

	switch (f->type) {
	case OUT_OBJECT:
		return out_json_object(w, f->v.obj.f, f->v.obj.n, NULL);
	case OUT_ARRAY:
		out_put(w, "[", 1);
		for (i = 0; i < f->v.arr.n; i++) {
			if (i > 0)
				out_put(w, ",", 1);
			if (out_json_object(w, f->v.arr.v[i].f,
			    f->v.arr.v[i].n, NULL) != 0)
				return -1;
		}
		out_put(w, "]", 1);
		return 0;
	default:
		break;
	}
	p = out_room(w, 48);
	if ((p = out_json_scalar(w, p, 48, f)) == NULL) {
		w->error = EINVAL;
		return -1;
	}
	out_commit(w, p);
	return 0;
}

/* Write an object; if schema is set and no field is named "schema", a
 * "schema" member is written first. */
static int
out_json_object(struct out_writer *w, const struct out_field *f, size_t n,
    const char *schema)
{
	size_t i;
	int first = 1;

	out_put(w, "{", 1);
	if (schema != NULL) {
		for (i = 0; i < n; i++) {
			if (f[i].name != NULL &&
			    strcmp(f[i].name, "schema") == 0)
				break;
		}
		if (i == n) {
			out_json_str(w, "schema");
			out_put(w, ":", 1);
			out_json_str(w, schema);
			first = 0;
		}
	}
	for (i = 0; i < n; i++) {
		if (f[i].name == NULL) {
			w->error = EINVAL;
			return -1;
		}
		if (!first)
			out_put(w, ",", 1);
		out_json_str(w, f[i].name);
		out_put(w, ":", 1);
		if (out_json_value(w, &f[i]) != 0)
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
	out_put(w, "{", 1);
	out_json_str(w, "schema");
	out_put(w, ":", 1);
	out_json_str(w, w->schema);
	out_put(w, ",", 1);
	out_json_str(w, w->list_key);
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

/* Start an object written member by member (see out-json.h). */
char *
out_json_row_begin(struct out_writer *w, size_t n)
{
	char *p;

	if ((w->def->ops != &out_json_ops || w->list_key == NULL) &&
	    w->def->ops != &out_ndjson_ops)
		return NULL;
	if (w->error != 0 || w->state != 1 || n == 0 ||
	    n > OUT_BUF_SIZE / (2 * OUT_JSON_ROOM))
		return NULL;
	p = out_room(w, 3 + n * OUT_JSON_ROOM);
	if (w->def->ops == &out_json_ops) {
		if (w->records > 0)
			*p++ = ',';
		*p++ = '\n';
	}
	*p++ = '{';
	return p;
}

/* End an object written member by member. */
int
out_json_row_end(struct out_writer *w, char *p)
{
	p[-1] = '}';
	if (w->def->ops == &out_ndjson_ops)
		*p++ = '\n';
	return out_record_done(w, p);
}

const struct out_ops out_json_ops = {
	.begin = out_json_begin,
	.record = out_json_record,
	.end = out_json_end,
};

const struct out_ops out_ndjson_ops = {
	.begin = out_ndjson_begin,
	.record = out_ndjson_record,
	.end = out_ndjson_end,
};
