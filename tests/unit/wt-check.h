/*
 * tests/unit/wt-check.h: the test suite's rule for a missing
 * prerequisite (the corpus, a tool, root), for Check unit tests.  It is
 * tests/lib.sh's wt_missing in C: outside CI the test says why on stderr
 * and passes without checking; under CI (CI set and not 0/false/no) it
 * fails, because a skip there would hide a broken install step.
 */
#ifndef WT_CHECK_H
#define WT_CHECK_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* True when running under CI. */
static inline int
wt_ci(void)
{
	const char *c = getenv("CI");

	return c != NULL && *c != '\0' && strcmp(c, "0") != 0 &&
	    strcmp(c, "false") != 0 && strcmp(c, "no") != 0;
}

/* Leave the current test: fail under CI, else print SKIP and return. */
#define WT_MISSING(what) do {						\
	if (wt_ci())							\
		ck_abort_msg("%s (required when CI=%s)", (what),	\
		    getenv("CI"));					\
	fprintf(stderr, "SKIP %s\n", (what));				\
	return;								\
} while (0)

#endif
