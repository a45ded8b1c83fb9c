/*
 * ui-pane.h: what the UI modules share: the pane base (a rectangle of
 * attributed lines with list state), the UI state every pane reads, and
 * helpers for columns, sorting and titles.  Private to the ui-*.c files.
 */
#ifndef WIRETOP_UI_PANE_H
#define WIRETOP_UI_PANE_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "ui-line.h"
#include "ui-model.h"
#include "ui.h"

enum ui_pane_id {
	UI_PANE_HEADER,
	UI_PANE_TALKERS,	/* toggled with 1 */
	UI_PANE_FLOWS,		/* 2 */
	UI_PANE_SERVICES,	/* 3 */
	UI_PANE_BANDWIDTH,	/* 4 */
	UI_PANE_ALERTS,		/* 5 */
	UI_PANE_HOST,		/* drill-down view */
	UI_PANE_HELP,
	UI_PANE_STATUS,
	UI_PANE_COUNT
};
#define UI_PANE_FIRST_MAIN	UI_PANE_TALKERS
#define UI_PANE_LAST_MAIN	UI_PANE_ALERTS

enum ui_view {
	UI_VIEW_MAIN,
	UI_VIEW_HOST,
	UI_VIEW_HELP,
};

struct ui_pane;

struct ui_pane_ops {
	const char *name;
	const char *title;
	unsigned min_h;		/* smallest useful height */
	unsigned weight;	/* share of spare rows (flexible panes) */
	unsigned head_rows;	/* rows above the list (title, headings) */
	int selectable;		/* rows can be selected */
	const char *const *sorts;	/* sort names, NULL-terminated */
	const int *sort_asc;	/* per sort: 1 if ascending by default */
	void (*init)(struct ui_pane *);
	void (*done)(struct ui_pane *);
	/* Preferred height for a fixed-size pane; 0 = flexible. */
	unsigned (*pref_h)(struct ui_pane *);
	/* Gather the model: set nrows and order at least want rows. */
	void (*collect)(struct ui_pane *, size_t want);
	/* Render into lines[0 .. h). */
	void (*draw)(struct ui_pane *);
	/* Enter on the selected row. */
	int (*enter)(struct ui_pane *);
};

struct ui_pane {
	const struct ui_pane_ops *ops;
	struct ui *ui;
	void *data;		/* owned by the ops */
	int enabled;		/* user wants it (1-5) */
	int shown;		/* placed by the layout this frame */
	unsigned x, y, w, h;
	struct ui_line *lines;	/* h lines of width w, this frame */
	struct ui_line *old;	/* what the terminal shows */
	int old_valid;
	unsigned alloc_w, alloc_h;
	size_t nrows;		/* rows after filtering */
	size_t sel;		/* selected row */
	size_t top;		/* first row shown */
	unsigned body;		/* rows available for list rows */
	unsigned sort;		/* index into ops->sorts */
	int reverse;		/* S: reverse the sort */
	char filter[64];	/* / text filter, "" = none */
};

struct ui {
	struct engine *engine;	/* borrowed */
	struct alerts *alerts;	/* borrowed; NULL: no detectors */
	struct ui_opts opts;	/* bits and names change at run time */
	struct ui_hooks hooks;
	struct ui_source *src;	/* owned, nsrc */
	unsigned nsrc;
	unsigned w, h;
	int layout_valid;
	enum ui_view view;
	enum ui_view back;	/* view Esc returns to from help */
	struct ui_pane panes[UI_PANE_COUNT];
	unsigned focus;		/* focused main pane */
	int paused;		/* display frozen (p) */
	double speed;		/* replay pace, 0 = max */
	int replay_paused;
	uint64_t now_ns;	/* engine clock at the last collect */
	uint64_t now_sec;
	uint8_t host_ver;	/* drill-down subject */
	uint8_t host_addr[16];
	int input;		/* 0, '/' (pane filter) or 'f' (BPF) */
	unsigned input_pane;
	char ibuf[256];
	size_t ilen;
	char *bpf;		/* current capture filter, owned */
	char msg[200];
	int msg_err;
	int collected;		/* the model was collected at least once */
	int force;		/* re-collect even when paused */
	uint64_t frame;		/* render count */
	struct ui_svc_sum *svcsum;	/* UI_SVC_SLOTS, owned */
	uint64_t svc_total;
	uint64_t svc_frame;	/* frame svcsum was summed in (0 = none) */
	const char **svc_cache;	/* service_name() per [tcp|udp][port] */

	/* models shown instead of the engine (ui-model.h) */
	const struct ui_model *snap;	/* view's snapshot, borrowed */
	char *snap_path;		/* its database, owned */
	unsigned range;			/* t: 0 live, else ui_ranges[] */
	struct ui_model *hist;		/* the range's model, owned */
	struct sqlite3 *hdb;		/* read-only history connection */
	char *hdb_path;			/* owned */
	uint64_t hist_ms;		/* monotonic ms of the last load */
	int hist_stale;			/* load it at the next render */
};

/* The model pane p draws instead of the engine (a history range for the
 * talkers, services and bandwidth panes, else the view's snapshot), or
 * NULL: the engine. */
const struct ui_model *ui_pane_model(const struct ui_pane *);

/* Pane operations (one file each). */
extern const struct ui_pane_ops ui_header_ops;
extern const struct ui_pane_ops ui_talkers_ops;
extern const struct ui_pane_ops ui_flows_ops;
extern const struct ui_pane_ops ui_services_ops;
extern const struct ui_pane_ops ui_bandwidth_ops;
extern const struct ui_pane_ops ui_alerts_ops;
extern const struct ui_pane_ops ui_host_ops;
extern const struct ui_pane_ops ui_help_ops;

/* ---- pane base (ui-pane.c) ---------------------------------------- */

/* Give the pane a rectangle; reallocates its lines if the size changed. */
void	 ui_pane_place(struct ui_pane *, unsigned x, unsigned y, unsigned w,
	    unsigned h);
void	 ui_pane_done(struct ui_pane *);
/* Clamp selection and scroll to nrows and the body height. */
void	 ui_pane_clamp(struct ui_pane *);
/* Move the selection by delta rows (or to an end for +-SIZE_MAX/2). */
void	 ui_pane_move(struct ui_pane *, long delta);
/* Draw the pane's title bar into l (focus colour, sort, filter, count). */
void	 ui_pane_title(struct ui_pane *, struct ui_line *l, const char *info);
/* Colour for list row idx (the selection bar if selected and focused). */
enum ui_color ui_pane_row_color(struct ui_pane *, size_t idx,
	    enum ui_color normal);
/* 1 if the pane has the focus. */
int	 ui_pane_focused(struct ui_pane *);

/* Columns of a table: fitted to a width by dropping low priorities. */
struct ui_col {
	const char *head;
	unsigned w;		/* width (minimum width if flex) */
	unsigned prio;		/* 0 = keep longest */
	int align;		/* UI_ALIGN_* */
	int flex;		/* takes a share of the spare width */
	int sort;		/* sort index shown on this column, -1 = none */
};
#define UI_COLS_MAX 20
struct ui_cols {
	int x[UI_COLS_MAX];	/* -1 = dropped */
	unsigned w[UI_COLS_MAX];
};
void	 ui_cols_fit(const struct ui_col *, unsigned n, unsigned width,
	    struct ui_cols *);
/* Column headings, with the sort arrow on the sorted column. */
void	 ui_cols_head(struct ui_pane *, struct ui_line *,
	    const struct ui_col *, unsigned n, const struct ui_cols *);
/* Write a cell of column i (skipped if dropped). */
void	 ui_cols_put(struct ui_line *, const struct ui_col *,
	    const struct ui_cols *, unsigned i, enum ui_color, const char *);

/*
 * Sorting: entries ordered by k1 then k2 (descending unless asc), then by
 * the tie function (always ascending), so the order is total.  tk is a
 * prefix of the tie order, compared before the tie function is asked
 * (a tie_fn dereferences p, often a cache miss into a big table): equal
 * tk says nothing, a smaller tk must mean tie() < 0.  0 when unused.
 */
struct ui_sortent {
	double k1;
	double k2;
	uint64_t tk;
	const void *p;
};
typedef int (*ui_tie_fn)(const void *, const void *);

/* <0 if a sorts before b. */
static inline int
ui_sort_cmp(const struct ui_sortent *a, const struct ui_sortent *b, int asc,
    ui_tie_fn tie)
{
	if (a->k1 != b->k1)
		return ((a->k1 < b->k1) == (asc != 0)) ? -1 : 1;
	if (a->k2 != b->k2)
		return ((a->k2 < b->k2) == (asc != 0)) ? -1 : 1;
	if (a->tk != b->tk)
		return a->tk < b->tk ? -1 : 1;
	return tie != NULL ? tie(a->p, b->p) : 0;
}

/* Put the best k of a[0 .. n) first, in order (partial sort). */
void	 ui_sort_top(struct ui_sortent *, size_t n, size_t k, int asc,
	    ui_tie_fn);

/*
 * The same selection fed one entry at a time, so a pane can keep the best
 * k of a big table while it walks it, and never write (or read back) an
 * entry per row: most rows cost one comparison with the heap's root.
 */
struct ui_topk {
	struct ui_sortent *a;	/* k entries, borrowed; a heap till done */
	size_t k;
	size_t n;		/* entries in a */
	int asc;
	ui_tie_fn tie;
};
void	 ui_topk_init(struct ui_topk *, struct ui_sortent *a, size_t k,
	    int asc, ui_tie_fn);
/* Out of line: grow the heap, or replace its root. */
void	 ui_topk_insert(struct ui_topk *, const struct ui_sortent *);
static inline void
ui_topk_add(struct ui_topk *t, const struct ui_sortent *e)
{
	/* The root sorts last of the best k seen: anything not before it
	 * is out. */
	if (t->n == t->k && (t->k == 0 ||
	    ui_sort_cmp(e, &t->a[0], t->asc, t->tie) >= 0))
		return;
	ui_topk_insert(t, e);
}
/* Order a[0 .. n) best first; returns n. */
size_t	 ui_topk_done(struct ui_topk *);

/* Case-insensitive substring test ("" matches everything). */
int	 ui_match(const char *hay, const char *needle);
/* 1 if the pane's effective sort is ascending. */
int	 ui_pane_sort_asc(struct ui_pane *);

/* ---- shared renderers ------------------------------------------------ */

/* Sparkline of n values (oldest first) at the cursor, w cells wide:
 * values are averaged into buckets when n > w, right-aligned when n < w.
 * Scaled to max, or to the largest bucket if max <= 0; returns the scale
 * used. */
double	 ui_spark(struct ui_line *, enum ui_color, const double *v,
	    unsigned n, double max, unsigned w);
/* Horizontal share bar of frac (0..1) w cells wide. */
void	 ui_bar(struct ui_line *, enum ui_color, double frac, unsigned w);
/* rate_avg(), skipping the ring when the entry's newest packet (last_ns)
 * is older than the window: most of a big table is idle, and a frame
 * then costs one comparison per idle entry, not a walk of its ring. */
double	 ui_rate(const struct rate *, uint64_t last_ns, uint64_t now_sec,
	    unsigned secs);
/* 1 if ui_rate() would read the ring (the entry is not idle). */
static inline int
ui_rate_live(uint64_t last_ns, uint64_t now_sec, unsigned secs)
{
	return last_ns / 1000000000u + secs >= now_sec;
}
/*
 * Start loading the cache lines rate_avg(r, now_sec, secs) will read: the
 * ring's head and the buckets of the window.  Every ring of a big table
 * is its own allocation, so reading them costs a cache miss or two per
 * ring, and rate_avg() cannot even ask for the buckets before the head
 * has come in; the panes that need a key from every ring issue this
 * UI_RATE_AHEAD live rows ahead so the misses overlap instead of queueing.
 * Into L2 (locality 2): with this many misses in flight that measured
 * faster than L1 (uibench), whose fill buffers are few.
 */
#define UI_RATE_AHEAD	32
static inline void
ui_rate_prefetch(const struct rate *r, uint64_t now_sec, unsigned secs)
{
	unsigned i;

	if (r == NULL)
		return;
	__builtin_prefetch(r, 0, 2);
	for (i = 0; i < secs; i += 16)
		__builtin_prefetch(&r->bytes[(now_sec - secs + i) %
		    RATE_SLOTS], 0, 2);
	__builtin_prefetch(&r->bytes[(now_sec - 1) % RATE_SLOTS], 0, 2);
}
/*
 * Walk the flow table: fn gets an entry per flow, p the flow (valid until
 * the engine runs again) and k1, k2, tk its keys for sort (an index into
 * ui_flow_sorts; -1: none, then k1 is 0 and k2 the flow's bytes).  The
 * keys are taken while each flow is at hand, and a pane keeps only what it
 * shows (ui_topk): a frame touches each flow once and never writes an
 * entry per flow.  The rate sort reads two rate rings per live flow, the
 * dearest part of a frame, so only a pane sorting by rate pays for them;
 * its entries come UI_RATE_AHEAD live flows late, not in table order.
 * The walk sums the services too (ui_flow_services()).
 */
typedef void (*ui_flow_fn)(void *arg, const struct ui_sortent *);
void	 ui_flows(struct ui *, int sort, ui_flow_fn, void *arg);
/* Bytes of the flows in the table by service, summed by this frame's
 * ui_flows() (or a walk of its own if there was none): UI_SVC_SLOTS slots
 * of an open hash keyed by the service name pointer (flow_service()
 * returns names from a static table) and, for flows without a name, the
 * protocol.  total: all their bytes. */
#define UI_SVC_SLOTS	1024	/* power of two */
struct ui_svc_sum {
	const char *svc;	/* service name, NULL = unnamed */
	uint64_t bytes;
	uint8_t used;
	uint8_t proto;		/* for unnamed services */
};
const struct ui_svc_sum *ui_flow_services(struct ui *, uint64_t *total);
/* flow_service() through a per-port cache. */
const char *ui_flow_service(struct ui *, const struct flow *);
/* Short label of a source: a file's base name, an interface as is. */
const char *ui_source_label(const char *name);
/* Open the drill-down view on an address. */
int	 ui_open_host(struct ui *, uint8_t ip_ver, const uint8_t addr[16]);
/* a in the alerts pane: acknowledge the selected alert (ui-alerts.c). */
int	 ui_alerts_ack(struct ui_pane *);

/* Flow table shared by the connections pane and the host view. */
#define UI_FLOW_COLS 11
extern const struct ui_col ui_flow_cols[UI_FLOW_COLS];
extern const char *const ui_flow_sorts[];
#define UI_FLOW_SORT_RATE 0	/* index of "rate", the one reading rings */
#define UI_FLOW_SORT_BYTES 1
extern const int ui_flow_sort_asc[];
/* k1 of sort index s for a flow (what ui_flows() puts in its entry). */
double	 ui_flow_key(struct ui *, const struct flow *, unsigned s);
/* k2 of sort index s for a flow of bytes bytes. */
static inline double
ui_flow_key2(uint64_t bytes, unsigned s)
{
	return s == UI_FLOW_SORT_BYTES ? 0 : (double)bytes;
}
/* Tie prefix of ui_flow_tie(): the flow key's first 8 bytes (of address
 * a), in memcmp() order. */
static inline uint64_t
ui_flow_tk(const struct flow *f)
{
	const uint8_t *a = f->key.a;

	/* Spelt out, compilers make it one load and a byte swap. */
	return (uint64_t)a[0] << 56 | (uint64_t)a[1] << 48 |
	    (uint64_t)a[2] << 40 | (uint64_t)a[3] << 32 |
	    (uint64_t)a[4] << 24 | (uint64_t)a[5] << 16 |
	    (uint64_t)a[6] << 8 | a[7];
}
int	 ui_flow_tie(const void *, const void *);
/* 1 if the flow matches a text filter. */
int	 ui_flow_match(struct ui *, const struct flow *, const char *);
void	 ui_flow_row(struct ui *, struct ui_line *, const struct ui_cols *,
	    const struct flow *, enum ui_color);
/* Order idx[0 .. n), indices of m's flows, by sort index s (descending,
 * ties by bytes, then the daemon's order). */
void	 ui_mflow_sort(const struct ui_model *m, size_t *idx, size_t n,
	    unsigned s);
/* The same row for a flow of a model (the daemon's snapshot). */
void	 ui_mflow_row(struct ui *, struct ui_line *, const struct ui_cols *,
	    const struct ui_mflow *, enum ui_color);

#endif
