/*
 * ui.h: the TUI core: panes, keys, reactions, layout.  Renders into
 * attributed lines without a terminal (tests and benchmarks use it that
 * way); ui_blit() hands the changed lines to ui-term.c.
 */
#ifndef WIRETOP_UI_H
#define WIRETOP_UI_H

#include <stddef.h>
#include <stdint.h>

struct alert;
struct alerts;
struct engine;
struct ui;

/* Key codes: Unicode code points, plus these for special keys. */
enum ui_key {
	UI_KEY_NONE = -1,
	UI_KEY_UP = 0x110000,
	UI_KEY_DOWN,
	UI_KEY_LEFT,
	UI_KEY_RIGHT,
	UI_KEY_PPAGE,
	UI_KEY_NPAGE,
	UI_KEY_HOME,
	UI_KEY_END,
	UI_KEY_ENTER,
	UI_KEY_ESC,
	UI_KEY_TAB,
	UI_KEY_BTAB,
	UI_KEY_BACKSPACE,
	UI_KEY_F1,
	UI_KEY_RESIZE,
};

/* Reactions: what a key asks for; applied in one place (ui_apply). */
#define UI_REACT_NONE		0x00
#define UI_REACT_REDRAW		0x01	/* render the panes again */
#define UI_REACT_RESORT		0x02	/* re-collect and sort the model */
#define UI_REACT_RELAYOUT	0x04	/* pane set or sizes changed */
#define UI_REACT_QUIT		0x08
#define UI_REACT_FILTER		0x10	/* apply the edited capture filter */
#define UI_REACT_SPEED		0x20	/* replay pace changed */
#define UI_REACT_PAUSE		0x40	/* replay pause toggled */
#define UI_REACT_REPAINT	0x80	/* clear and repaint the terminal */
#define UI_REACT_PASS		0x100	/* key not handled */

enum ui_src_state {
	UI_SRC_LIVE,
	UI_SRC_REPLAY,
	UI_SRC_PAUSED,
	UI_SRC_FINISHED,
	UI_SRC_FAILED,
	UI_SRC_GONE,		/* live interface gone (error says how) */
	UI_SRC_DOWN,		/* live interface down */
};

/* What the header shows about a capture source (filled by the mode). */
struct ui_source {
	char name[64];
	enum ui_src_state state;
	double speed;		/* replay pace, 0 = max */
	uint64_t kernel_drops;
	uint64_t if_drops;
	uint64_t ring_drops;
	uint64_t name_drops;
	int truncated;		/* file ended inside a record */
	char error[128];	/* FAILED, GONE, DOWN: one line, or "" */
};

/* Actions on the capture, provided by the mode (any may be NULL). */
struct ui_hooks {
	void *arg;
	/* Set the BPF filter on every source; -1 + cause if it fails. */
	int (*set_filter)(void *arg, const char *expr, char **cause);
	void (*set_speed)(void *arg, double speed);
	void (*set_paused)(void *arg, int paused);
	/* wiretop view: ask the daemon to acknowledge a stored alert;
	 * write one line for the status line. */
	void (*ack)(void *arg, const struct alert *, char *msg, size_t n);
};

struct ui_opts {
	int bits;		/* rates in bits */
	int names;		/* show learned names */
	int replay;		/* sources are files */
	double speed;		/* initial replay pace, 0 = max */
	const char *filter;	/* initial BPF filter text, or NULL */
	const char *db;		/* history database for t (borrowed), NULL:
				   the daemon's if readable, else the user's */
	int view;		/* wiretop view: no capture to act on */
};

/* One binding of the key table (which also generates the help). */
struct ui_key_binding {
	int key;
	int key2;		/* alternative key, or 0 */
	const char *label;	/* as shown in the help */
	int (*fn)(struct ui *, int key);
	const char *help;
};

/* Create the UI over an engine (borrowed). */
struct ui	*ui_create(const struct ui_opts *, struct engine *);
void		 ui_free(struct ui *);
void		 ui_set_hooks(struct ui *, const struct ui_hooks *);
/* Show the alerts of an alert core (borrowed; NULL: detectors off). */
void		 ui_set_alerts(struct ui *, struct alerts *);
/* Copy the header's view of the sources. */
void		 ui_set_sources(struct ui *, const struct ui_source *,
		    unsigned n);
/* Screen size in cells. */
void		 ui_set_size(struct ui *, unsigned w, unsigned h);
/* Collect the model, sort, and render every visible pane into lines. */
void		 ui_render(struct ui *);
/* Send the lines that changed since the last blit to the terminal. */
void		 ui_blit(struct ui *);
/* Forget what the terminal shows: the next blit repaints everything. */
void		 ui_invalidate(struct ui *);
/* Handle a key; returns the reactions the caller must act on
 * (UI_REACT_QUIT, UI_REACT_REDRAW, UI_REACT_REPAINT). */
int		 ui_key(struct ui *, int key);
/* Apply reactions; returns those left for the caller. */
int		 ui_apply(struct ui *, int react);
/* 1 if the text cursor should be shown at (x, y) (editing a field). */
int		 ui_cursor(struct ui *, unsigned *x, unsigned *y);
/* The rendered screen as text, one line per row ending in '\n'. */
size_t		 ui_screen_text(struct ui *, char *, size_t);
/* 1 if the display is paused (p). */
int		 ui_paused(struct ui *);
/* Replay pace the user chose (0 = max). */
double		 ui_speed(struct ui *);
/* Show a one-line message in the status line. */
void		 ui_message(struct ui *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* The key table, for the help screen and tests. */
size_t		 ui_key_count(void);
const struct ui_key_binding *ui_key_get(size_t);
/* Printable name of a key code ("Tab", "q", "F1"). */
const char	*ui_key_name(int key, char *buf, size_t len);

#endif
