/*
 * ui-term.h: the terminal, through ncurses.  The only module that knows
 * curses exists; everything else hands it attributed lines.
 */
#ifndef WIRETOP_UI_TERM_H
#define WIRETOP_UI_TERM_H

#include "ui-line.h"

/* Take over the terminal.  theme: "dark", "light" or "mono" (NULL =
 * dark); NO_COLOR in the environment or a terminal without colours
 * means mono.  ascii: never write a byte above 0x7f.  -1 + cause. */
/* Also guards the terminal until ui_term_free(): an xmalloc failure
 * or a fatal signal restores it before the process ends. */
int	ui_term_open(const char *theme, int ascii, char **cause);
/* Give the terminal back (idempotent; also used by the fatal paths). */
void	ui_term_close(void);
/* Close and release everything curses allocated (normal exit). */
void	ui_term_free(void);
/* The keyboard's file descriptor, to poll on. */
int	ui_term_fd(void);
/* 1 while curses owns the terminal. */
int	ui_term_active(void);
/* Current size in cells. */
void	ui_term_size(unsigned *w, unsigned *h);
/* Re-read the window size (after SIGWINCH) and resize curses. */
void	ui_term_resize(void);
/* Erase everything; the next flush repaints the whole screen. */
void	ui_term_clear(void);
/* Put a line at (x, y). */
void	ui_term_draw_line(unsigned x, unsigned y, const struct ui_line *);
/* Show the text cursor at (x, y), or hide it. */
void	ui_term_cursor(int visible, unsigned x, unsigned y);
/* Send the changes to the terminal. */
void	ui_term_flush(void);
/* Next key without blocking: a code point, a UI_KEY_* or UI_KEY_NONE. */
int	ui_term_getkey(void);
/* Leave curses, stop the process (SIGTSTP), and come back on resume. */
void	ui_term_suspend(void);
/* 1 if the colour scheme in use has colours (not mono). */
int	ui_term_has_color(void);

#endif
