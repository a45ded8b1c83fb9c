/*
 * ui-line.c: attributed text lines and the sanitiser for captured text.
 *
 * Main thread only (the ASCII flag is process-wide, set once at start).
 * Invariant: every cell of every line holds a printable code point of
 * display width 1 (never a control character, never an escape byte), and
 * in ASCII mode a code point below 0x80.  Everything written into a line
 * goes through next_cp(), so a name learned from the network cannot
 * smuggle a terminal control sequence onto the screen.
 */
#include "config.h"
#include "ui-line.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "xmalloc.h"

#define UI_BAD	'?'

static int ui_ascii;

void
ui_line_set_ascii(int ascii)
{
	ui_ascii = ascii != 0;
}

int
ui_line_ascii(void)
{
	return ui_ascii;
}

/* Skip the body of a CSI sequence: parameters, intermediates, final. */
static const unsigned char *
skip_csi(const unsigned char *s)
{
	while (*s >= 0x20 && *s <= 0x3f)
		s++;
	if (*s >= 0x40 && *s <= 0x7e)
		s++;
	return s;
}

/* Skip a control string (OSC, DCS, APC, PM, SOS) up to BEL or ST. */
static const unsigned char *
skip_string(const unsigned char *s)
{
	while (*s != '\0') {
		if (*s == 0x07)
			return s + 1;
		if (*s == 0x1b && s[1] == '\\')
			return s + 2;
		if (*s == 0xc2 && s[1] == 0x9c)
			return s + 2;
		s++;
	}
	return s;
}

/*
 * Decode the next display code point of untrusted text at *sp and advance.
 * Returns 0 at the end of the string.  Anything unsafe or undisplayable
 * (invalid UTF-8, C0, DEL, C1, a whole escape sequence, a character whose
 * width is not 1, anything non-ASCII in ASCII mode) comes back as '?'.
 */
static uint32_t
next_cp(const unsigned char **sp)
{
	const unsigned char *s = *sp;
	uint32_t cp;
	unsigned need, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (*s == '\0')
		return 0;
	if (*s == 0x1b) {
		s++;
		if (*s == '[')
			s = skip_csi(s + 1);
		else if (*s == ']' || *s == 'P' || *s == '_' || *s == '^' ||
		    *s == 'X')
			s = skip_string(s + 1);
		else if (*s >= 0x20 && *s <= 0x7e)
			s++;
		*sp = s;
		return UI_BAD;
	}
	if (*s < 0x20 || *s == 0x7f) {
		*sp = s + 1;
		return UI_BAD;
	}
	if (*s < 0x80) {
		*sp = s + 1;
		return *s;
	}
	if (*s >= 0xc2 && *s <= 0xdf) {
		need = 1;
		cp = *s & 0x1f;
	} else if (*s >= 0xe0 && *s <= 0xef) {
		need = 2;
		cp = *s & 0x0f;
		if (*s == 0xe0)
			lo = 0xa0;
		else if (*s == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (*s >= 0xf0 && *s <= 0xf4) {
		need = 3;
		cp = *s & 0x07;
		if (*s == 0xf0)
			lo = 0x90;
		else if (*s == 0xf4)
			hi = 0x8f;
	} else {
		*sp = s + 1;	/* stray continuation or invalid lead */
		return UI_BAD;
	}
	for (i = 1; i <= need; i++) {
		if (s[i] < lo || s[i] > hi) {
			*sp = s + i;	/* maximal invalid prefix */
			return UI_BAD;
		}
		lo = 0x80;
		hi = 0xbf;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	s += need + 1;
	if (cp == 0x9b) {		/* C1 CSI */
		*sp = skip_csi(s);
		return UI_BAD;
	}
	if (cp == 0x9d || cp == 0x90 || cp == 0x9e || cp == 0x9f ||
	    cp == 0x98) {		/* C1 OSC, DCS, PM, APC, SOS */
		*sp = skip_string(s);
		return UI_BAD;
	}
	*sp = s;
	if (cp < 0xa0 || ui_ascii)
		return UI_BAD;
	if (wcwidth((wchar_t)cp) != 1)
		return UI_BAD;
	return cp;
}

void
ui_line_init(struct ui_line *l, unsigned width)
{
	l->width = width;
	l->cells = xcalloc(width ? width : 1, sizeof *l->cells);
	ui_line_clear(l, UI_COLOR_NORMAL);
}

void
ui_line_done(struct ui_line *l)
{
	free(l->cells);
	l->cells = NULL;
	l->width = 0;
}

void
ui_line_clear(struct ui_line *l, enum ui_color c)
{
	unsigned i;

	for (i = 0; i < l->width; i++) {
		l->cells[i].ch = ' ';
		l->cells[i].color = (uint8_t)c;
	}
	l->col = 0;
}

void
ui_line_goto(struct ui_line *l, unsigned col)
{
	l->col = col < l->width ? col : l->width;
}

unsigned
ui_line_puts(struct ui_line *l, enum ui_color c, const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned start = l->col;
	uint32_t cp;

	if (text == NULL)
		return 0;
	while (l->col < l->width && (cp = next_cp(&s)) != 0) {
		l->cells[l->col].ch = cp;
		l->cells[l->col].color = (uint8_t)c;
		l->col++;
	}
	return l->col - start;
}

unsigned
ui_line_printf(struct ui_line *l, enum ui_color c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return ui_line_puts(l, c, buf);
}

void
ui_line_field(struct ui_line *l, unsigned col, unsigned w, enum ui_color c,
    const char *text, int align)
{
	uint32_t cps[512];
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	unsigned n = 0, i, pad, trunc = 0;
	uint32_t cp;

	if (col >= l->width)
		return;
	if (w > l->width - col)
		w = l->width - col;
	if (w > sizeof cps / sizeof cps[0])
		w = sizeof cps / sizeof cps[0];
	while ((cp = next_cp(&s)) != 0) {
		if (n == w) {
			trunc = 1;
			break;
		}
		cps[n++] = cp;
	}
	if (trunc && n > 1 && align == UI_ALIGN_LEFT)
		cps[n - 1] = '~';
	pad = align == UI_ALIGN_RIGHT ? w - n : 0;
	for (i = 0; i < w; i++) {
		l->cells[col + i].color = (uint8_t)c;
		l->cells[col + i].ch = (i >= pad && i - pad < n) ?
		    cps[i - pad] : ' ';
	}
	l->col = col + w;
}

static uint32_t
glyph_cp(enum ui_glyph g)
{
	static const char ascii_spark[] = " ._-~=+*#";
	static const uint32_t utf_spark[] = { ' ', 0x2581, 0x2582, 0x2583,
	    0x2584, 0x2585, 0x2586, 0x2587, 0x2588 };
	unsigned lvl;

	if (g >= UI_GLYPH_SPARK0) {
		lvl = g - UI_GLYPH_SPARK0;
		if (lvl > UI_SPARK_LEVELS)
			lvl = UI_SPARK_LEVELS;
		return ui_ascii ? (uint32_t)ascii_spark[lvl] : utf_spark[lvl];
	}
	switch (g) {
	case UI_GLYPH_HLINE:
		return ui_ascii ? '-' : 0x2500;
	case UI_GLYPH_VLINE:
		return ui_ascii ? '|' : 0x2502;
	case UI_GLYPH_ARROW_DOWN:
		return ui_ascii ? 'v' : 0x25bc;
	case UI_GLYPH_ARROW_UP:
		return ui_ascii ? '^' : 0x25b2;
	case UI_GLYPH_BAR:
		return ui_ascii ? '#' : 0x2588;
	case UI_GLYPH_RARROW:
		return '>';
	default:
		return '?';
	}
}

void
ui_line_glyph(struct ui_line *l, enum ui_color c, enum ui_glyph g)
{
	ui_line_glyphs(l, c, g, 1);
}

void
ui_line_glyphs(struct ui_line *l, enum ui_color c, enum ui_glyph g,
    unsigned n)
{
	uint32_t cp = glyph_cp(g);

	while (n-- > 0 && l->col < l->width) {
		l->cells[l->col].ch = cp;
		l->cells[l->col].color = (uint8_t)c;
		l->col++;
	}
}

void
ui_line_paint(struct ui_line *l, unsigned from, unsigned to, enum ui_color c)
{
	unsigned i;

	if (to > l->width)
		to = l->width;
	for (i = from; i < to; i++)
		l->cells[i].color = (uint8_t)c;
}

int
ui_line_equal(const struct ui_line *a, const struct ui_line *b)
{
	if (a->width != b->width)
		return 0;
	return memcmp(a->cells, b->cells, a->width * sizeof *a->cells) == 0;
}

void
ui_line_copy(struct ui_line *dst, const struct ui_line *src)
{
	if (dst->width != src->width) {
		ui_line_done(dst);
		ui_line_init(dst, src->width);
	}
	memcpy(dst->cells, src->cells, src->width * sizeof *src->cells);
	dst->col = src->col;
}

/* Encode one code point as UTF-8; returns the byte count. */
static size_t
put_utf8(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t
ui_line_text(const struct ui_line *l, char *buf, size_t len)
{
	size_t o = 0;
	unsigned i;
	char u[4];
	size_t n;

	if (len == 0)
		return 0;
	for (i = 0; i < l->width; i++) {
		n = put_utf8(l->cells[i].ch, u);
		if (o + n >= len)
			break;
		memcpy(buf + o, u, n);
		o += n;
	}
	buf[o] = '\0';
	return o;
}

size_t
ui_sanitize(const char *in, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t o = 0, w = 0, n;
	uint32_t cp;
	char u[4];

	if (outlen == 0)
		return 0;
	while ((cp = next_cp(&s)) != 0) {
		n = put_utf8(cp, u);
		if (o + n >= outlen)
			break;
		memcpy(out + o, u, n);
		o += n;
		w++;
	}
	out[o] = '\0';
	return w;
}
