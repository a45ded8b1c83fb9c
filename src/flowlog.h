/*
 * flowlog.h: flow logs read back as flow records, for `wiretop import`:
 * Zeek conn.log (TSV or JSON) and wiretop's own flow exports (CSV,
 * NDJSON, JSON).
 */
#ifndef WIRETOP_FLOWLOG_H
#define WIRETOP_FLOWLOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store_flow;

enum flowlog_kind {
	FLOWLOG_NONE,		/* not a flow log this reader knows */
	FLOWLOG_ZEEK_TSV,	/* Zeek's ASCII log (#separator, #fields) */
	FLOWLOG_JSON,		/* one object a line: Zeek JSON, wiretop
				   NDJSON, or wiretop's JSON document */
	FLOWLOG_CSV,		/* wiretop export --what flows CSV */
};

#define FLOWLOG_LINE_MAX	65536	/* longer lines are malformed */
#define FLOWLOG_DETECT_LEN	65536	/* bytes flowlog_detect() wants */

struct flowlog;

/* Which kind of flow log a file is, from its first len bytes (at most
 * FLOWLOG_DETECT_LEN are looked at). */
enum flowlog_kind flowlog_detect(const void *buf, size_t len);
/* A short name of a kind ("Zeek conn.log TSV", ...). */
const char	*flowlog_kind_name(enum flowlog_kind);
/* A reader of one file of kind k (not FLOWLOG_NONE). */
struct flowlog	*flowlog_create(enum flowlog_kind k);
void		 flowlog_free(struct flowlog *);
/* Read the next record from fp into *f: 1 a record, 0 the end of the
 * file, -1 a malformed line (skipped; *cause, owned by the caller, says
 * why in one line without a byte of the input; flowlog_line() is its
 * number), -2 a read error (*cause). */
int		 flowlog_next(struct flowlog *, FILE *fp, struct store_flow *f,
		    char **cause);
/* The number of the line read last (1 = the first). */
uint64_t	 flowlog_line(const struct flowlog *);

#endif
