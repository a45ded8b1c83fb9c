/*
 * ui-term.c: the one file that talks to ncurses: terminal set-up and
 * restore, the colour theme table, blitting attributed lines, keys.
 *
 * Main thread only, except ui_term_close(), which the fatal-signal
 * handler and the xmalloc fatal hook may call (endwin() is what every
 * curses program does there; it is idempotent here).  Colours are an
 * enum (ui-line.h) indexing a theme table; the colour pairs are set up
 * here once and nowhere else.  In ASCII mode only single-byte strings
 * are written, and every cell is below 0x80 already (ui-line.c).
 */
#include "config.h"
#include "ui-term.h"

#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "proc.h"
#include "ui.h"
#include "xmalloc.h"

struct ui_style {
	short fg;		/* -1 = terminal default */
	short bg;
	attr_t attr;
};

enum { THEME_DARK, THEME_LIGHT, THEME_MONO, THEME_COUNT };

static const struct ui_style ui_themes[THEME_COUNT][UI_COLOR_COUNT] = {
	[THEME_DARK] = {
		[UI_COLOR_NORMAL] = { -1, -1, A_NORMAL },
		[UI_COLOR_HEADER] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL },
		[UI_COLOR_HEADER_HI] = { COLOR_YELLOW, COLOR_BLUE, A_BOLD },
		[UI_COLOR_TITLE] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL },
		[UI_COLOR_TITLE_FOCUS] = { COLOR_BLACK, COLOR_GREEN, A_BOLD },
		[UI_COLOR_COLHEAD] = { COLOR_CYAN, -1, A_BOLD },
		[UI_COLOR_SELECTED] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL },
		[UI_COLOR_DIM] = { COLOR_BLUE, -1, A_BOLD },
		[UI_COLOR_RX] = { COLOR_GREEN, -1, A_NORMAL },
		[UI_COLOR_TX] = { COLOR_YELLOW, -1, A_NORMAL },
		[UI_COLOR_BAR] = { COLOR_CYAN, -1, A_NORMAL },
		[UI_COLOR_OK] = { COLOR_GREEN, -1, A_NORMAL },
		[UI_COLOR_WARN] = { COLOR_YELLOW, -1, A_BOLD },
		[UI_COLOR_CRIT] = { COLOR_RED, -1, A_BOLD },
		[UI_COLOR_STATUS] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL },
		[UI_COLOR_INPUT] = { COLOR_YELLOW, COLOR_BLACK, A_BOLD },
	},
	[THEME_LIGHT] = {
		[UI_COLOR_NORMAL] = { -1, -1, A_NORMAL },
		[UI_COLOR_HEADER] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL },
		[UI_COLOR_HEADER_HI] = { COLOR_BLUE, COLOR_CYAN, A_BOLD },
		[UI_COLOR_TITLE] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL },
		[UI_COLOR_TITLE_FOCUS] = { COLOR_WHITE, COLOR_MAGENTA, A_BOLD },
		[UI_COLOR_COLHEAD] = { COLOR_BLUE, -1, A_BOLD },
		[UI_COLOR_SELECTED] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL },
		[UI_COLOR_DIM] = { COLOR_BLACK, -1, A_DIM },
		[UI_COLOR_RX] = { COLOR_BLUE, -1, A_NORMAL },
		[UI_COLOR_TX] = { COLOR_MAGENTA, -1, A_NORMAL },
		[UI_COLOR_BAR] = { COLOR_BLUE, -1, A_NORMAL },
		[UI_COLOR_OK] = { COLOR_GREEN, -1, A_NORMAL },
		[UI_COLOR_WARN] = { COLOR_RED, -1, A_NORMAL },
		[UI_COLOR_CRIT] = { COLOR_RED, -1, A_BOLD },
		[UI_COLOR_STATUS] = { COLOR_WHITE, COLOR_BLUE, A_NORMAL },
		[UI_COLOR_INPUT] = { COLOR_BLACK, COLOR_YELLOW, A_NORMAL },
	},
	[THEME_MONO] = {
		[UI_COLOR_NORMAL] = { -1, -1, A_NORMAL },
		[UI_COLOR_HEADER] = { -1, -1, A_REVERSE },
		[UI_COLOR_HEADER_HI] = { -1, -1, A_REVERSE | A_BOLD },
		[UI_COLOR_TITLE] = { -1, -1, A_BOLD },
		[UI_COLOR_TITLE_FOCUS] = { -1, -1, A_REVERSE | A_BOLD },
		[UI_COLOR_COLHEAD] = { -1, -1, A_UNDERLINE },
		[UI_COLOR_SELECTED] = { -1, -1, A_REVERSE },
		[UI_COLOR_DIM] = { -1, -1, A_NORMAL },
		[UI_COLOR_RX] = { -1, -1, A_NORMAL },
		[UI_COLOR_TX] = { -1, -1, A_NORMAL },
		[UI_COLOR_BAR] = { -1, -1, A_NORMAL },
		[UI_COLOR_OK] = { -1, -1, A_NORMAL },
		[UI_COLOR_WARN] = { -1, -1, A_BOLD },
		[UI_COLOR_CRIT] = { -1, -1, A_BOLD | A_UNDERLINE },
		[UI_COLOR_STATUS] = { -1, -1, A_REVERSE },
		[UI_COLOR_INPUT] = { -1, -1, A_BOLD | A_UNDERLINE },
	},
};

static SCREEN *ui_screen;
static FILE *ui_in;		/* keyboard: stdin, or /dev/tty if stdin is data */
static volatile sig_atomic_t ui_active;
static int ui_ascii_out;
static int ui_theme;
static attr_t ui_attr[UI_COLOR_COUNT];
static short ui_pair[UI_COLOR_COUNT];

static int
theme_index(const char *name)
{
	if (name == NULL || strcmp(name, "dark") == 0)
		return THEME_DARK;
	if (strcmp(name, "light") == 0)
		return THEME_LIGHT;
	return THEME_MONO;
}

static void
setup_colors(const char *theme)
{
	const char *nc = getenv("NO_COLOR");
	const struct ui_style *s;
	int i, defaults = 0;
	short fg, bg;

	ui_theme = theme_index(theme);
	if ((nc != NULL && *nc != '\0') || !has_colors())
		ui_theme = THEME_MONO;
	if (ui_theme != THEME_MONO) {
		if (start_color() == ERR || COLORS < 8 || COLOR_PAIRS <
		    UI_COLOR_COUNT + 1)
			ui_theme = THEME_MONO;
		else
			defaults = use_default_colors() == OK;
	}
	for (i = 0; i < UI_COLOR_COUNT; i++) {
		s = &ui_themes[ui_theme][i];
		ui_attr[i] = s->attr;
		ui_pair[i] = 0;
		if (ui_theme == THEME_MONO)
			continue;
		fg = s->fg;
		bg = s->bg;
		if (!defaults) {
			if (fg < 0)
				fg = COLOR_WHITE;
			if (bg < 0)
				bg = COLOR_BLACK;
		}
		if (fg < 0 && bg < 0)
			continue;	/* pair 0: the terminal's default */
		init_pair((short)(i + 1), fg, bg);
		ui_pair[i] = (short)(i + 1);
	}
}

int
ui_term_has_color(void)
{
	return ui_theme != THEME_MONO;
}

/* The terminal as it was before curses, for the fatal-signal hook. */
static struct termios ui_saved_tio;
static int ui_saved_fd = -1;
static volatile sig_atomic_t ui_guard_on;

/* Fatal signal: restore the terminal with async-signal-safe calls only
 * (no curses): the saved modes, then reset attributes, show the cursor
 * and leave the alternate screen (ECMA-48 / xterm sequences, which every
 * terminal curses drives here understands or ignores). */
static void
ui_term_fatal_restore(void)
{
	static const char seq[] = "\033[0m\033[?1049l\033[?25h\r\n";

	if (!ui_guard_on)
		return;
	ui_guard_on = 0;
	if (ui_saved_fd != -1)
		(void)tcsetattr(ui_saved_fd, TCSAFLUSH, &ui_saved_tio);
	if (write(STDOUT_FILENO, seq, sizeof seq - 1) < 0)
		(void)0;
}

int
ui_term_open(const char *theme, int ascii, char **cause)
{
	const char *term = getenv("TERM");

	/* the modes before curses changes them */
	if (isatty(STDOUT_FILENO) &&
	    tcgetattr(STDOUT_FILENO, &ui_saved_tio) == 0)
		ui_saved_fd = STDOUT_FILENO;
	else
		ui_saved_fd = -1;

	ui_in = stdin;
	if (!isatty(STDIN_FILENO))
		ui_in = fopen("/dev/tty", "r");
	if (ui_in == NULL || !isatty(fileno(ui_in)) ||
	    !isatty(STDOUT_FILENO)) {
		if (ui_in != NULL && ui_in != stdin)
			fclose(ui_in);
		ui_in = NULL;
		xasprintf(cause, "the interactive screen needs a terminal "
		    "(use 'wiretop export' for files and pipes)");
		return -1;
	}
	ui_screen = newterm(NULL, stdout, ui_in);
	if (ui_screen == NULL) {
		if (ui_in != stdin)
			fclose(ui_in);
		ui_in = NULL;
		xasprintf(cause, "cannot use terminal type '%s'",
		    term ? term : "(TERM not set)");
		return -1;
	}
	set_term(ui_screen);
	ui_active = 1;
	ui_ascii_out = ascii;
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	leaveok(stdscr, FALSE);
	scrollok(stdscr, FALSE);
	set_escdelay(25);
	curs_set(0);
	setup_colors(theme);
	werase(stdscr);
	/* an error exit (xmalloc) or a fatal signal puts the terminal
	 * back before the process ends */
	xmalloc_set_fatal_hook(ui_term_close);
	ui_guard_on = 1;
	proc_fatal_hook(ui_term_fatal_restore);
	return 0;
}

void
ui_term_close(void)
{
	if (!ui_active)
		return;
	ui_active = 0;
	curs_set(1);
	endwin();
	fflush(stdout);
}

void
ui_term_free(void)
{
	proc_fatal_hook(NULL);
	ui_guard_on = 0;
	xmalloc_set_fatal_hook(NULL);
	ui_term_close();
	if (ui_screen != NULL) {
		delscreen(ui_screen);
		ui_screen = NULL;
	}
	if (ui_in != NULL && ui_in != stdin)
		fclose(ui_in);
	ui_in = NULL;
}

int
ui_term_fd(void)
{
	return ui_in != NULL ? fileno(ui_in) : -1;
}

int
ui_term_active(void)
{
	return ui_active;
}

void
ui_term_size(unsigned *w, unsigned *h)
{
	int y, x;

	if (!ui_active) {
		*w = 80;
		*h = 24;
		return;
	}
	getmaxyx(stdscr, y, x);
	*w = x > 0 ? (unsigned)x : 1;
	*h = y > 0 ? (unsigned)y : 1;
}

void
ui_term_resize(void)
{
	struct winsize ws;

	if (!ui_active)
		return;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	werase(stdscr);
	clearok(curscr, TRUE);
}

void
ui_term_clear(void)
{
	if (!ui_active)
		return;
	werase(stdscr);
	clearok(curscr, TRUE);
}

void
ui_term_draw_line(unsigned x, unsigned y, const struct ui_line *l)
{
	wchar_t wbuf[1024];
	char cbuf[1024];
	unsigned i = 0, j, n, col;
	int maxy, maxx;
	uint8_t c;

	if (!ui_active)
		return;
	getmaxyx(stdscr, maxy, maxx);
	if ((int)y >= maxy || (int)x >= maxx)
		return;
	while (i < l->width && (int)(x + i) < maxx) {
		c = l->cells[i].color;
		col = x + i;
		n = 0;
		for (j = i; j < l->width && (int)(x + j) < maxx &&
		    l->cells[j].color == c && n < 1023; j++) {
			if (ui_ascii_out)
				cbuf[n++] = l->cells[j].ch < 0x80 ?
				    (char)l->cells[j].ch : '?';
			else
				wbuf[n++] = (wchar_t)l->cells[j].ch;
		}
		if (c >= UI_COLOR_COUNT)
			c = UI_COLOR_NORMAL;
		wattr_set(stdscr, ui_attr[c], ui_pair[c], NULL);
		if (ui_ascii_out)
			mvwaddnstr(stdscr, (int)y, (int)col, cbuf, (int)n);
		else
			mvwaddnwstr(stdscr, (int)y, (int)col, wbuf, (int)n);
		i = j;
	}
	wattr_set(stdscr, A_NORMAL, 0, NULL);
}

void
ui_term_cursor(int visible, unsigned x, unsigned y)
{
	if (!ui_active)
		return;
	if (visible) {
		wmove(stdscr, (int)y, (int)x);
		curs_set(1);
	} else
		curs_set(0);
}

void
ui_term_flush(void)
{
	if (!ui_active)
		return;
	wnoutrefresh(stdscr);
	doupdate();
}

int
ui_term_getkey(void)
{
	wint_t wc;
	int r;

	if (!ui_active)
		return UI_KEY_NONE;
	r = wget_wch(stdscr, &wc);
	if (r == ERR)
		return UI_KEY_NONE;
	if (r == KEY_CODE_YES) {
		switch (wc) {
		case KEY_UP:
			return UI_KEY_UP;
		case KEY_DOWN:
			return UI_KEY_DOWN;
		case KEY_LEFT:
			return UI_KEY_LEFT;
		case KEY_RIGHT:
			return UI_KEY_RIGHT;
		case KEY_PPAGE:
			return UI_KEY_PPAGE;
		case KEY_NPAGE:
			return UI_KEY_NPAGE;
		case KEY_HOME:
			return UI_KEY_HOME;
		case KEY_END:
			return UI_KEY_END;
		case KEY_ENTER:
			return UI_KEY_ENTER;
		case KEY_BTAB:
			return UI_KEY_BTAB;
		case KEY_BACKSPACE:
		case KEY_DC:
			return UI_KEY_BACKSPACE;
		case KEY_F(1):
			return UI_KEY_F1;
		case KEY_RESIZE:
			return UI_KEY_RESIZE;
		default:
			return 0;	/* unknown: ignored */
		}
	}
	switch (wc) {
	case '\r':
	case '\n':
		return UI_KEY_ENTER;
	case '\t':
		return UI_KEY_TAB;
	case 0x1b:
		return UI_KEY_ESC;
	case 0x7f:
	case 0x08:
		return UI_KEY_BACKSPACE;
	default:
		return (int)wc;
	}
}

void
ui_term_suspend(void)
{
	if (!ui_active)
		return;
	endwin();
	fflush(stdout);
	kill(getpid(), SIGSTOP);
	/* Resumed: curses restores its modes on the next refresh. */
	clearok(curscr, TRUE);
	wnoutrefresh(stdscr);
	doupdate();
}
