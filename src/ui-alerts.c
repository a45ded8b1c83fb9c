/*
 * ui-alerts.c: the alerts pane: the newest alerts, severity-coloured.
 *
 * Main thread only.  The alert detectors are not part of this version
 * (they land with the alerts issue); until then the pane exists, takes
 * its place in the layout and the focus cycle, and says so plainly
 * rather than looking like a quiet network.
 */
#include "config.h"
#include "ui-pane.h"

static void
alerts_collect(struct ui_pane *p, size_t want)
{
	(void)want;
	p->nrows = 0;
}

static void
alerts_draw(struct ui_pane *p)
{
	unsigned i;

	ui_pane_title(p, &p->lines[0], "detectors: off");
	for (i = 1; i < p->h; i++)
		ui_line_clear(&p->lines[i], UI_COLOR_NORMAL);
	if (p->h > 1)
		ui_line_puts(&p->lines[1], UI_COLOR_DIM,
		    " No alerts: alert detection is not available in this "
		    "version yet.");
}

static unsigned
alerts_pref_h(struct ui_pane *p)
{
	(void)p;
	return 3;
}

const struct ui_pane_ops ui_alerts_ops = {
	.name = "alerts",
	.title = "Alerts",
	.min_h = 2,
	.weight = 0,
	.head_rows = 1,
	.selectable = 0,
	.pref_h = alerts_pref_h,
	.collect = alerts_collect,
	.draw = alerts_draw,
};
