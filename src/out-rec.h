/*
 * out-rec.h: the records wiretop exports (flows, hosts, the summary), each
 * kind's columns declared once in out-rec.c: the CSV header, the JSON
 * keys and the values all come from that one declaration.
 */
#ifndef WIRETOP_OUT_REC_H
#define WIRETOP_OUT_REC_H

#include <stddef.h>
#include <stdint.h>

#include "out.h"

struct alert;
struct engine;
struct flow;
struct pipeline;

enum out_rec_kind {
	OUT_REC_FLOWS,
	OUT_REC_HOSTS,
	OUT_REC_SUMMARY,
	OUT_REC_ALERTS,
};

/* Start a document of one kind on w: schema, list member, CSV header. */
int	 out_rec_begin(struct out_writer *, enum out_rec_kind);
/* Write one flow record. */
int	 out_rec_flow(struct out_writer *, const struct engine *,
	    const struct flow *);
/* Write the engine's host table, by wire bytes descending. */
int	 out_rec_hosts(struct out_writer *, const struct engine *);
/* Write the summary of a run: the engine's totals, the sources of p
 * (borrowed) and the number of flow records the engine emitted. */
int	 out_rec_summary(struct out_writer *, const struct engine *,
	    struct pipeline *, uint64_t flow_records);
/* Write one alert (struct alert, alert.h). */
int	 out_rec_alert(struct out_writer *, const struct alert *);
/* The i-th column name of a kind's CSV header, NULL past the last. */
const char *out_rec_column(enum out_rec_kind, size_t i);

#endif
