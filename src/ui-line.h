/*
 * ui-line.h: attributed text lines, the currency between panes and the
 * terminal.  A line is a fixed number of cells; each cell holds one
 * single-width Unicode code point and a colour from the theme enum.
 */
#ifndef WIRETOP_UI_LINE_H
#define WIRETOP_UI_LINE_H

#include <stddef.h>
#include <stdint.h>

/* Colours are roles; ui-term.c maps them through the theme table. */
enum ui_color {
	UI_COLOR_NORMAL = 0,
	UI_COLOR_HEADER,	/* header lines */
	UI_COLOR_HEADER_HI,	/* emphasised header values */
	UI_COLOR_TITLE,		/* pane title, unfocused */
	UI_COLOR_TITLE_FOCUS,	/* pane title of the focused pane */
	UI_COLOR_COLHEAD,	/* column headings */
	UI_COLOR_SELECTED,	/* selection bar */
	UI_COLOR_DIM,		/* secondary text */
	UI_COLOR_RX,		/* traffic in */
	UI_COLOR_TX,		/* traffic out */
	UI_COLOR_BAR,		/* share bars */
	UI_COLOR_OK,
	UI_COLOR_WARN,
	UI_COLOR_CRIT,
	UI_COLOR_STATUS,	/* bottom status line */
	UI_COLOR_INPUT,		/* text being edited */
	UI_COLOR_COUNT
};

/* Glyphs the UI draws itself; ASCII replacements in ASCII mode. */
enum ui_glyph {
	UI_GLYPH_HLINE,
	UI_GLYPH_VLINE,
	UI_GLYPH_ARROW_DOWN,	/* sort descending */
	UI_GLYPH_ARROW_UP,	/* sort ascending */
	UI_GLYPH_BAR,		/* full bar cell */
	UI_GLYPH_RARROW,	/* flow direction */
	UI_GLYPH_SPARK0,	/* SPARK0 .. SPARK0 + 8: empty .. full */
};
#define UI_SPARK_LEVELS 8

struct ui_cell {
	uint32_t ch;		/* code point, always printable width 1 */
	uint8_t color;		/* enum ui_color */
};

struct ui_line {
	struct ui_cell *cells;	/* owned, width cells */
	unsigned width;
	unsigned col;		/* write cursor */
};

/* Field alignment for ui_line_field(). */
#define UI_ALIGN_LEFT	0
#define UI_ALIGN_RIGHT	1

/* Choose ASCII-only output (no code point above 0x7f is ever stored). */
void	 ui_line_set_ascii(int);
int	 ui_line_ascii(void);

/* Initialise a line of width cells, blank. */
void	 ui_line_init(struct ui_line *, unsigned width);
void	 ui_line_done(struct ui_line *);
/* Blank the line in colour c and move the cursor to column 0. */
void	 ui_line_clear(struct ui_line *, enum ui_color);
/* Move the cursor. */
void	 ui_line_goto(struct ui_line *, unsigned col);
/* Append untrusted text at the cursor, sanitised; returns columns used. */
unsigned ui_line_puts(struct ui_line *, enum ui_color, const char *);
/* Append printf-formatted text (sanitised like ui_line_puts). */
unsigned ui_line_printf(struct ui_line *, enum ui_color, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Write text into the field [col, col + w): clipped, padded, aligned. */
void	 ui_line_field(struct ui_line *, unsigned col, unsigned w,
	    enum ui_color, const char *, int align);
/* Append one of the UI's own glyphs. */
void	 ui_line_glyph(struct ui_line *, enum ui_color, enum ui_glyph);
/* Append n copies of a glyph. */
void	 ui_line_glyphs(struct ui_line *, enum ui_color, enum ui_glyph,
	    unsigned n);
/* Recolour columns [from, to). */
void	 ui_line_paint(struct ui_line *, unsigned from, unsigned to,
	    enum ui_color);
/* 1 if both lines have the same width and cells. */
int	 ui_line_equal(const struct ui_line *, const struct ui_line *);
/* Copy src into dst (same width). */
void	 ui_line_copy(struct ui_line *dst, const struct ui_line *src);
/* The line as UTF-8 text (trailing blanks kept), NUL-terminated;
 * returns the length. */
size_t	 ui_line_text(const struct ui_line *, char *, size_t);

/* Sanitise captured text for display: invalid UTF-8, control characters
 * (C0, DEL, C1) and escape sequences become '?', and in ASCII mode so does
 * every non-ASCII character.  Returns the display width written. */
size_t	 ui_sanitize(const char *in, char *out, size_t outlen);

#endif
