/*
 * cfg.h: settings: one declarative table drives the configuration file,
 * the command-line options that set the same things, --show-config and
 * the man page section.
 */
#ifndef WIRETOP_CFG_H
#define WIRETOP_CFG_H

#include <stdio.h>

struct wt_opts;

/* Fill opts with every setting's default (and the non-setting fields). */
void	cfg_defaults(struct wt_opts *);
/* Apply one setting by name; -1 + cause ("expected ...") if invalid. */
int	cfg_set(struct wt_opts *, const char *name, const char *value,
	    char **cause);
/* Load an INI file (a regular file of text, checked before it is
 * opened). If must_exist is 0 a missing file is not an error.  A file
 * read is remembered for --show-config.  -1 + cause "file:line: key:
 * what was expected" on error. */
int	cfg_load_file(struct wt_opts *, const char *path, int must_exist,
	    char **cause);
/* Load the system and user files, then path (if not NULL). */
int	cfg_load_all(struct wt_opts *, const char *path, char **cause);
/* Print the effective settings as an INI file. */
void	cfg_show(const struct wt_opts *, FILE *);
/* Print the settings' reference in man(7) format. */
void	cfg_man(FILE *);
/* Write s to f with control bytes and invalid UTF-8 as \xNN, C1 and
 * bidi controls and U+2028-U+2029 as \u{XXXX} (fmt_escape_one), so that
 * raw bytes from a file or the command line never drive a terminal. */
void	cfg_print_escaped(FILE *, const char *s);
/* Free strings the configuration owns. */
void	cfg_done(void);

#endif
