/*
 * ui-help.c: the help screen (F1 or ?), generated from the one key table
 * in ui.c, so it cannot disagree with the bindings.
 *
 * Main thread only.  Two columns when the screen is wide enough for the
 * longest entry in each, otherwise one; it scrolls like any pane.
 */
#include "config.h"
#include "ui-pane.h"

#include <string.h>

#define HELP_LABEL_W	12
#define HELP_INTRO	2	/* rows before the key list */

static unsigned
help_cols(struct ui_pane *p)
{
	size_t i, n = ui_key_count(), w = 0, len;

	for (i = 0; i < n; i++) {
		len = strlen(ui_key_get(i)->help);
		if (len > w)
			w = len;
	}
	return p->w >= 2 * (HELP_LABEL_W + w + 3) ? 2 : 1;
}

static void
help_collect(struct ui_pane *p, size_t want)
{
	unsigned cols = help_cols(p);

	(void)want;
	p->nrows = HELP_INTRO + (ui_key_count() + cols - 1) / cols;
}

static void
help_entry(struct ui_line *l, unsigned x, unsigned w,
    const struct ui_key_binding *b)
{
	ui_line_field(l, x + 1, HELP_LABEL_W - 1, UI_COLOR_HEADER_HI,
	    b->label, UI_ALIGN_LEFT);
	if (w > HELP_LABEL_W + 1)
		ui_line_field(l, x + HELP_LABEL_W + 1, w - HELP_LABEL_W - 1,
		    UI_COLOR_NORMAL, b->help, UI_ALIGN_LEFT);
}

static void
help_draw(struct ui_pane *p)
{
	unsigned cols = help_cols(p), colw = p->w / cols, i, c;
	size_t row, n = ui_key_count(), per = (n + cols - 1) / cols, k;
	struct ui_line *l;

	ui_pane_title(p, &p->lines[0], "Esc: back");
	for (i = 1; i < p->h; i++) {
		l = &p->lines[i];
		ui_line_clear(l, UI_COLOR_NORMAL);
		row = p->top + i - 1;
		if (row == 0) {
			ui_line_puts(l, UI_COLOR_NORMAL, " wiretop " VERSION
			    ": keys (the focused pane gets them first)");
			continue;
		}
		if (row < HELP_INTRO)
			continue;
		row -= HELP_INTRO;
		for (c = 0; c < cols; c++) {
			k = c * per + row;
			if (row < per && k < n)
				help_entry(l, c * colw, colw, ui_key_get(k));
		}
	}
}

const struct ui_pane_ops ui_help_ops = {
	.name = "help",
	.title = "Help",
	.min_h = 3,
	.weight = 1,
	.head_rows = 1,
	.selectable = 0,
	.collect = help_collect,
	.draw = help_draw,
};
