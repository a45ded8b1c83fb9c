/*
 * xmalloc.h: allocation that cannot fail (it ends the process instead).
 */
#ifndef WIRETOP_XMALLOC_H
#define WIRETOP_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/* Called before exiting on a fatal error, e.g. to restore the terminal. */
void	 xmalloc_set_fatal_hook(void (*)(void));
/* Print "wiretop: msg" to stderr after running the fatal hook, exit(1). */
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
