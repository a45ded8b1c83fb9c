/*
 * mode-export.c: `wiretop export`: flows, hosts or a summary as CSV, JSON
 * or NDJSON, from capture files (-r) or live capture (--duration).
 *
 * Main thread only.  The loop drains the pipeline into the engine, sleeps
 * in poll() on the rings' wakeup fds and the process signalfd (proc.c),
 * and stops when every source has finished (files), when --duration has
 * passed or on SIGINT/SIGTERM/SIGHUP; while records stream in it still
 * looks at signals every few batches.  The output file (-o) is opened
 * after the privilege drop, as the user the process then runs as.  Flow
 * records are written as the engine emits them (streaming: nothing is
 * buffered here beyond the writer's stdio buffer); hosts and the summary
 * are written at the end from the engine's tables.  Every write is checked: a failed write (full disk)
 * ends the run with one line on stderr and exit code 1, never a silently
 * short file.  A closed pipe (export | head) is not an error: the reader
 * has what it wanted, so the run ends quietly as filters do (SIGPIPE is
 * blocked, so the write fails with EPIPE, and main() then dies of
 * SIGPIPE without a message).  Warnings about truncated inputs go to
 * stderr after the output.
 */
#include "config.h"
#include "mode.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "engine.h"
#include "fmt.h"
#include "log.h"
#include "out.h"
#include "pipeline.h"
#include "proc.h"
#include "xmalloc.h"

#define EXPORT_BATCH		4096	/* records per pipeline_drain */
#define EXPORT_SIG_EVERY	16	/* batches between signal checks */
#define EXPORT_FILE_POLL_MS	50	/* idle wait while files are read */
#define EXPORT_LIVE_POLL_MS	1000	/* idle tick for live sources */

#define EXPORT_FLOWS_SCHEMA	"wiretop.flows/1"
#define EXPORT_HOSTS_SCHEMA	"wiretop.hosts/1"
#define EXPORT_SUMMARY_SCHEMA	"wiretop.summary/1"

enum export_what {
	EXPORT_FLOWS,
	EXPORT_HOSTS,
	EXPORT_SUMMARY,
};

struct export {
	enum export_what what;
	enum out_format format;
	struct out_writer *w;
	struct engine *engine;
	uint64_t records;	/* flow records the engine emitted */
};

static const char *const export_flow_columns[] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
	"proto", "service", "duration", "orig_bytes", "resp_bytes",
	"conn_state", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts",
	"resp_ip_bytes", "orig_wire_bytes", "resp_wire_bytes", "vlan",
	"community_id", "rtt_ms", "retrans", "schema",
};
#define EXPORT_FLOW_NCOL \
	(sizeof export_flow_columns / sizeof export_flow_columns[0])

static const char *const export_host_columns[] = {
	"addr", "ip_version", "name", "local", "bytes_in", "bytes_out",
	"pkts_in", "pkts_out", "peers", "first_seen", "last_seen", "schema",
};
#define EXPORT_HOST_NCOL \
	(sizeof export_host_columns / sizeof export_host_columns[0])

static const char *const export_summary_columns[] = {
	"section", "key", "value", "schema",
};

/* Packet time in ns as fixed-point seconds with 6 decimals. */
static struct out_field
export_ts(const char *name, uint64_t ns)
{
	struct out_field f = OUT_F_FIXED(name, (int64_t)(ns / 1000), 6);

	return f;
}

/* Protocol name as the exports spell it, or its number as text. */
static const char *
export_proto(uint8_t proto, char *buf, size_t len)
{
	const char *s = proto_name(proto);

	if (s != NULL)
		return s;
	snprintf(buf, len, "%u", proto);
	return buf;
}

/* Engine flow sink: one row per flow record, written at once. */
static void
export_flow(void *arg, const struct flow *f, enum flow_end_reason why)
{
	struct export *x = arg;
	struct flow_ep o, r;
	char uid[20], cid[64], oh[FMT_ADDR_MAX], rh[FMT_ADDR_MAX], pbuf[8];
	const char *svc;
	int64_t dur;

	(void)why;
	x->records++;
	if (x->what != EXPORT_FLOWS || out_error(x->w) != 0)
		return;

	flow_endpoints(f, &o, &r);
	flow_uid(f, uid);
	flow_community_id(f, 0, cid);
	fmt_addr(f->key.ip_ver, o.addr, oh, sizeof oh);
	fmt_addr(f->key.ip_ver, r.addr, rh, sizeof rh);
	svc = flow_service(f);
	dur = (int64_t)(f->last_ns / 1000) - (int64_t)(f->first_ns / 1000);
	{
		struct out_field v[] = {
			export_ts("ts", f->first_ns),
			OUT_F_STR("uid", uid),
			OUT_F_STR("id.orig_h", oh),
			OUT_F_UINT("id.orig_p", o.port),
			OUT_F_STR("id.resp_h", rh),
			OUT_F_UINT("id.resp_p", r.port),
			OUT_F_STR("proto", export_proto(f->key.proto, pbuf,
			    sizeof pbuf)),
			OUT_F_STR("service", svc),
			OUT_F_FIXED("duration", dur, 6),
			OUT_F_UINT("orig_bytes", f->dir[0].bytes),
			OUT_F_UINT("resp_bytes", f->dir[1].bytes),
			OUT_F_STR("conn_state", flow_conn_state(f)),
			OUT_F_STR("history", f->history[0] != '\0' ?
			    f->history : NULL),
			OUT_F_UINT("orig_pkts", f->dir[0].pkts),
			OUT_F_UINT("orig_ip_bytes", f->dir[0].ip_bytes),
			OUT_F_UINT("resp_pkts", f->dir[1].pkts),
			OUT_F_UINT("resp_ip_bytes", f->dir[1].ip_bytes),
			OUT_F_UINT("orig_wire_bytes", f->dir[0].wire_bytes),
			OUT_F_UINT("resp_wire_bytes", f->dir[1].wire_bytes),
			OUT_F_UINT("vlan", f->key.vlan),
			OUT_F_STR("community_id", cid[0] != '\0' ? cid : NULL),
			OUT_F_FIXED("rtt_ms", f->rtt_us, 3),
			OUT_F_UINT("retrans", f->retrans),
			OUT_F_STR("schema", EXPORT_FLOWS_SCHEMA),
		};

		if (f->key.vlan == 0)
			v[19].type = OUT_NULL;
		if (f->rtt_us == 0)
			v[21].type = OUT_NULL;
		out_record(x->w, v, sizeof v / sizeof v[0]);
	}
}

/* Hosts by wire bytes (in + out) descending, then by address. */
static int
export_host_cmp(const void *a, const void *b)
{
	const struct host *x = *(const struct host *const *)a;
	const struct host *y = *(const struct host *const *)b;
	uint64_t tx = x->bytes_in + x->bytes_out;
	uint64_t ty = y->bytes_in + y->bytes_out;

	if (tx != ty)
		return tx > ty ? -1 : 1;
	if (x->ip_ver != y->ip_ver)
		return x->ip_ver < y->ip_ver ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof x->addr);
}

/* Write the hosts table. */
static void
export_hosts(struct export *x)
{
	const struct host **v, *h;
	size_t n = 0, cap, i;
	char addr[FMT_ADDR_MAX];

	cap = engine_host_count(x->engine);
	v = xreallocarray(NULL, cap > 0 ? cap : 1, sizeof *v);
	for (h = engine_host_first(x->engine); h != NULL && n < cap;
	    h = engine_host_next(x->engine, h))
		v[n++] = h;
	qsort(v, n, sizeof *v, export_host_cmp);
	for (i = 0; i < n && out_error(x->w) == 0; i++) {
		h = v[i];
		fmt_addr(h->ip_ver, h->addr, addr, sizeof addr);
		{
			struct out_field f[] = {
				OUT_F_STR("addr", addr),
				OUT_F_UINT("ip_version", h->ip_ver),
				OUT_F_STR("name", engine_name_lookup(x->engine,
				    h->ip_ver, h->addr)),
				OUT_F_BOOL("local", h->local),
				OUT_F_UINT("bytes_in", h->bytes_in),
				OUT_F_UINT("bytes_out", h->bytes_out),
				OUT_F_UINT("pkts_in", h->pkts_in),
				OUT_F_UINT("pkts_out", h->pkts_out),
				OUT_F_UINT("peers", h->peers),
				export_ts("first_seen", h->first_ns),
				export_ts("last_seen", h->last_ns),
				OUT_F_STR("schema", EXPORT_HOSTS_SCHEMA),
			};

			out_record(x->w, f, sizeof f / sizeof f[0]);
		}
	}
	free(v);
}

/* One "section,key,value,schema" row of the CSV summary. */
static void
export_summary_row(struct export *x, const char *section, const char *key,
    struct out_field value)
{
	struct out_field f[4] = {
		OUT_F_STR("section", section),
		OUT_F_STR("key", key),
		value,
		OUT_F_STR("schema", EXPORT_SUMMARY_SCHEMA),
	};

	f[2].name = "value";
	out_record(x->w, f, 4);
}

/* The summary as flat CSV rows. */
static void
export_summary_csv(struct export *x, struct pipeline *p)
{
	const struct engine_totals *t = engine_totals(x->engine);
	static const char *const st[PKT_STATUS_COUNT] = {
		"decoded", "truncated", "invalid", "unsupported",
	};
	struct capture_stats cs;
	struct capture *c;
	char key[64], pbuf[8];
	const char *pn;
	unsigned i;

	export_summary_row(x, "total", "packets",
	    (struct out_field)OUT_F_UINT(NULL, t->packets));
	export_summary_row(x, "total", "bytes",
	    (struct out_field)OUT_F_UINT(NULL, t->bytes));
	export_summary_row(x, "total", "ip_packets",
	    (struct out_field)OUT_F_UINT(NULL, t->ip_packets));
	export_summary_row(x, "total", "non_ip_packets",
	    (struct out_field)OUT_F_UINT(NULL, t->non_ip_pkts));
	export_summary_row(x, "total", "first_ts", t->packets > 0 ?
	    export_ts(NULL, t->first_ns) : (struct out_field)OUT_F_NULL(NULL));
	export_summary_row(x, "total", "last_ts", t->packets > 0 ?
	    export_ts(NULL, t->last_ns) : (struct out_field)OUT_F_NULL(NULL));
	export_summary_row(x, "total", "hosts", (struct out_field)
	    OUT_F_UINT(NULL, engine_host_count(x->engine)));
	export_summary_row(x, "total", "names",
	    (struct out_field)OUT_F_UINT(NULL, t->names_learned));
	for (i = 0; i < PKT_STATUS_COUNT; i++)
		export_summary_row(x, "decode", st[i],
		    (struct out_field)OUT_F_UINT(NULL, t->status[i]));
	for (i = 0; i < 256; i++) {
		if (t->by_proto_pkts[i] == 0)
			continue;
		pn = export_proto((uint8_t)i, pbuf, sizeof pbuf);
		snprintf(key, sizeof key, "%s.number", pn);
		export_summary_row(x, "protocol", key,
		    (struct out_field)OUT_F_UINT(NULL, i));
		snprintf(key, sizeof key, "%s.packets", pn);
		export_summary_row(x, "protocol", key,
		    (struct out_field)OUT_F_UINT(NULL, t->by_proto_pkts[i]));
		snprintf(key, sizeof key, "%s.bytes", pn);
		export_summary_row(x, "protocol", key,
		    (struct out_field)OUT_F_UINT(NULL, t->by_proto_bytes[i]));
	}
	export_summary_row(x, "flows", "records",
	    (struct out_field)OUT_F_UINT(NULL, x->records));
	export_summary_row(x, "flows", "created",
	    (struct out_field)OUT_F_UINT(NULL, t->flows_created));
	export_summary_row(x, "flows", "evicted",
	    (struct out_field)OUT_F_UINT(NULL, t->flows_evicted));
	for (i = 0; i < pipeline_source_count(p); i++) {
		c = pipeline_source(p, i);
		capture_get_stats(c, &cs);
#define EXPORT_SRC_ROW(k, fld) do {					\
	snprintf(key, sizeof key, "%u.%s", i, (k));			\
	export_summary_row(x, "source", key, (struct out_field)fld);	\
} while (0)
		EXPORT_SRC_ROW("name", OUT_F_STR(NULL, capture_name(c)));
		EXPORT_SRC_ROW("packets", OUT_F_UINT(NULL, cs.packets));
		EXPORT_SRC_ROW("bytes", OUT_F_UINT(NULL, cs.bytes));
		EXPORT_SRC_ROW("kernel_drops",
		    OUT_F_UINT(NULL, cs.kernel_drops));
		EXPORT_SRC_ROW("if_drops", OUT_F_UINT(NULL, cs.if_drops));
		EXPORT_SRC_ROW("ring_drops", OUT_F_UINT(NULL, cs.ring_drops));
		EXPORT_SRC_ROW("filtered", OUT_F_UINT(NULL, cs.filtered));
		EXPORT_SRC_ROW("bad_records",
		    OUT_F_UINT(NULL, cs.bad_records));
		EXPORT_SRC_ROW("truncated", OUT_F_BOOL(NULL, cs.truncated));
#undef EXPORT_SRC_ROW
	}
}

#define EXPORT_SRC_NF 9

/* The summary as one JSON object. */
static void
export_summary_json(struct export *x, struct pipeline *p)
{
	const struct engine_totals *t = engine_totals(x->engine);
	unsigned ns = pipeline_source_count(p), np = 0, i;
	struct out_field (*pf)[4], (*sf)[EXPORT_SRC_NF];
	struct out_rec *prec, *srec;
	struct capture_stats cs;
	struct capture *c;
	char (*pnames)[8];

	pf = xreallocarray(NULL, 256, sizeof *pf);
	prec = xreallocarray(NULL, 256, sizeof *prec);
	pnames = xreallocarray(NULL, 256, sizeof *pnames);
	for (i = 0; i < 256; i++) {
		if (t->by_proto_pkts[i] == 0)
			continue;
		pf[np][0] = (struct out_field)OUT_F_STR("proto",
		    export_proto((uint8_t)i, pnames[np], sizeof pnames[np]));
		pf[np][1] = (struct out_field)OUT_F_UINT("number", i);
		pf[np][2] = (struct out_field)OUT_F_UINT("packets",
		    t->by_proto_pkts[i]);
		pf[np][3] = (struct out_field)OUT_F_UINT("bytes",
		    t->by_proto_bytes[i]);
		prec[np].f = pf[np];
		prec[np].n = 4;
		np++;
	}
	sf = xreallocarray(NULL, ns > 0 ? ns : 1, sizeof *sf);
	srec = xreallocarray(NULL, ns > 0 ? ns : 1, sizeof *srec);
	for (i = 0; i < ns; i++) {
		c = pipeline_source(p, i);
		capture_get_stats(c, &cs);
		sf[i][0] = (struct out_field)OUT_F_STR("name", capture_name(c));
		sf[i][1] = (struct out_field)OUT_F_UINT("packets", cs.packets);
		sf[i][2] = (struct out_field)OUT_F_UINT("bytes", cs.bytes);
		sf[i][3] = (struct out_field)OUT_F_UINT("kernel_drops",
		    cs.kernel_drops);
		sf[i][4] = (struct out_field)OUT_F_UINT("if_drops",
		    cs.if_drops);
		sf[i][5] = (struct out_field)OUT_F_UINT("ring_drops",
		    cs.ring_drops);
		sf[i][6] = (struct out_field)OUT_F_UINT("filtered",
		    cs.filtered);
		sf[i][7] = (struct out_field)OUT_F_UINT("bad_records",
		    cs.bad_records);
		sf[i][8] = (struct out_field)OUT_F_BOOL("truncated",
		    cs.truncated);
		srec[i].f = sf[i];
		srec[i].n = EXPORT_SRC_NF;
	}
	{
		struct out_field dec[] = {
			OUT_F_UINT("decoded", t->status[PKT_DECODED]),
			OUT_F_UINT("truncated", t->status[PKT_TRUNCATED]),
			OUT_F_UINT("invalid", t->status[PKT_INVALID]),
			OUT_F_UINT("unsupported", t->status[PKT_UNSUPPORTED]),
		};
		struct out_field fl[] = {
			OUT_F_UINT("records", x->records),
			OUT_F_UINT("created", t->flows_created),
			OUT_F_UINT("evicted", t->flows_evicted),
		};
		struct out_field f[] = {
			OUT_F_STR("schema", EXPORT_SUMMARY_SCHEMA),
			OUT_F_UINT("packets", t->packets),
			OUT_F_UINT("bytes", t->bytes),
			OUT_F_UINT("ip_packets", t->ip_packets),
			OUT_F_UINT("non_ip_packets", t->non_ip_pkts),
			export_ts("first_ts", t->first_ns),
			export_ts("last_ts", t->last_ns),
			{ .name = "decode", .type = OUT_OBJECT,
			    .v.obj = { dec, sizeof dec / sizeof dec[0] } },
			{ .name = "protocols", .type = OUT_ARRAY,
			    .v.arr = { prec, np } },
			{ .name = "flows", .type = OUT_OBJECT,
			    .v.obj = { fl, sizeof fl / sizeof fl[0] } },
			OUT_F_UINT("hosts", engine_host_count(x->engine)),
			OUT_F_UINT("names", t->names_learned),
			{ .name = "sources", .type = OUT_ARRAY,
			    .v.arr = { srec, ns } },
		};

		if (t->packets == 0) {
			f[5].type = OUT_NULL;
			f[6].type = OUT_NULL;
		}
		out_record(x->w, f, sizeof f / sizeof f[0]);
	}
	free(pf);
	free(prec);
	free(pnames);
	free(sf);
	free(srec);
}

/* Read pending signals; returns 1 if one asks to stop. */
static int
export_signals(int sfd, struct pipeline *p)
{
	unsigned ev = proc_signals_read(sfd);

	if (ev & PROC_EV_TSTP)
		kill(getpid(), SIGSTOP);	/* Ctrl-Z: stop as usual */
	if (ev & PROC_EV_USR1)
		mode_log_stats(p);
	if (ev & (PROC_EV_STOP | PROC_EV_HUP)) {
		log_info("export: stopped by a signal");
		return 1;
	}
	return 0;
}

static uint64_t
export_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Run the pipeline to its end (files), the deadline or a signal; returns
 * 1 if a signal stopped it, -1 on a write error, else 0. */
static int
export_run(struct export *x, struct pipeline *p, int sfd, double duration)
{
	struct pollfd *pfd;
	unsigned npfd, nbatch = 0;
	uint64_t deadline = 0, now;
	int live = pipeline_is_live(p), timeout, rc = 0;

	if (live && duration > 0)
		deadline = export_mono_ms() + (uint64_t)(duration * 1000);
	pfd = xreallocarray(NULL, pipeline_pollfd_count(p) + 1, sizeof *pfd);
	for (;;) {
		if (out_error(x->w) != 0) {
			rc = -1;
			break;
		}
		if (pipeline_drain(p, EXPORT_BATCH) > 0) {
			if (++nbatch % EXPORT_SIG_EVERY == 0 &&
			    export_signals(sfd, p)) {
				rc = 1;
				break;
			}
			if (deadline != 0 && nbatch % EXPORT_SIG_EVERY == 0 &&
			    export_mono_ms() >= deadline)
				break;
			continue;
		}
		if (pipeline_finished(p))
			break;
		if (export_signals(sfd, p)) {
			rc = 1;
			break;
		}
		timeout = live ? EXPORT_LIVE_POLL_MS : EXPORT_FILE_POLL_MS;
		if (deadline != 0) {
			now = export_mono_ms();
			if (now >= deadline)
				break;
			if (deadline - now < (uint64_t)timeout)
				timeout = (int)(deadline - now);
		}
		npfd = 0;
		if (sfd >= 0) {
			pfd[0].fd = sfd;
			pfd[0].events = POLLIN;
			pfd[0].revents = 0;
			npfd = 1;
		}
		if (pipeline_arm(p, pfd, &npfd))
			continue;
		if (poll(pfd, npfd, timeout) == -1 && errno != EINTR) {
			/* Cannot sleep properly; avoid spinning. */
			usleep(1000);
		}
		if (npfd > 0 && sfd >= 0 && (pfd[0].revents & POLLIN) &&
		    export_signals(sfd, p)) {
			rc = 1;
			break;
		}
		pipeline_clear(p);
		if (live)
			pipeline_tick(p);
		mode_log_sources(p);
	}
	free(pfd);
	return rc;
}

/* Close the output; returns the first error (errno), 0 if none. */
static int
export_close(struct export *x, FILE *fp)
{
	int err = out_error(x->w);

	if (fp == stdout) {
		errno = 0;
		if (fflush(fp) != 0 && err == 0)
			err = errno != 0 ? errno : EIO;
		if (ferror(fp) && err == 0)
			err = EIO;
		return err;
	}
	errno = 0;
	if (fclose(fp) != 0 && err == 0)
		err = errno != 0 ? errno : EIO;
	return err;
}

/* Run `wiretop export` and return its exit code. */
int
mode_export(struct wt_opts *o)
{
	struct export x;
	struct pipeline *p;
	struct capture_stats cs;
	struct capture *c;
	const char *outname;
	char *cause = NULL;
	FILE *fp;
	unsigned i;
	int code, sfd, run, err, failed = 0, fd;

	memset(&x, 0, sizeof x);
	if (o->what == NULL || strcmp(o->what, "flows") == 0)
		x.what = EXPORT_FLOWS;
	else if (strcmp(o->what, "hosts") == 0)
		x.what = EXPORT_HOSTS;
	else if (strcmp(o->what, "summary") == 0)
		x.what = EXPORT_SUMMARY;
	else {
		fprintf(stderr, "wiretop: --what: %s: expected flows, hosts "
		    "or summary\n", o->what);
		return WT_EXIT_USAGE;
	}
	if (out_format_parse(o->format, &x.format) != 0) {
		fprintf(stderr, "wiretop: --format: %s: expected csv, json "
		    "or ndjson\n", o->format);
		return WT_EXIT_USAGE;
	}

	/* Files are exported as fast as they can be read unless --speed
	 * asks for a pace (the TUI's default is the original timing). */
	if (!o->speed_given)
		o->speed = 0;

	p = pipeline_create(o, &cause, &code);
	if (p == NULL) {
		fprintf(stderr, "wiretop: %s\n", cause != NULL ? cause :
		    "cannot open the capture sources");
		free(cause);
		return code != WT_EXIT_OK ? code : WT_EXIT_CAPTURE;
	}
	x.engine = pipeline_engine(p);

	/* The capture is open: no privilege is needed from here on. */
	if ((code = mode_drop(o, p)) != WT_EXIT_OK) {
		pipeline_free(p);
		return code;
	}
	if (o->output != NULL && strcmp(o->output, "-") != 0) {
		outname = o->output;
		fd = proc_open_write(o->output, 0, &cause);
		if (fd == -1 || (fp = fdopen(fd, "w")) == NULL) {
			if (cause == NULL)
				xasprintf(&cause, "%s: %s", outname,
				    strerror(errno));
			fprintf(stderr, "wiretop: %s\n", cause);
			log_error("%s", cause);
			free(cause);
			if (fd != -1)
				close(fd);
			pipeline_free(p);
			return WT_EXIT_RUNTIME;
		}
	} else {
		outname = "stdout";
		fp = stdout;
	}
	x.w = out_create(x.format, fp);

	/* main() blocked the signals in every thread; the loop reads them
	 * from a signalfd as ordinary events. */
	if ((sfd = proc_signals_open(&cause)) == -1) {
		fprintf(stderr, "wiretop: %s\n", cause);
		free(cause);
		out_free(x.w);
		if (fp != stdout)
			fclose(fp);
		pipeline_free(p);
		return WT_EXIT_RUNTIME;
	}

	engine_sink_add(x.engine, &(struct engine_sink){ .name = "export",
	    .arg = &x, .flow = export_flow, .flags = x.what == EXPORT_FLOWS ?
	    0 : ENGINE_SINK_UNORDERED });
	switch (x.what) {
	case EXPORT_FLOWS:
		out_begin(x.w, EXPORT_FLOWS_SCHEMA, "flows",
		    export_flow_columns, EXPORT_FLOW_NCOL);
		break;
	case EXPORT_HOSTS:
		out_begin(x.w, EXPORT_HOSTS_SCHEMA, "hosts",
		    export_host_columns, EXPORT_HOST_NCOL);
		break;
	case EXPORT_SUMMARY:
		out_begin(x.w, EXPORT_SUMMARY_SCHEMA,
		    x.format == OUT_FMT_CSV ? "summary" : NULL,
		    export_summary_columns, 4);
		break;
	}

	if (pipeline_start(p, &cause) != 0) {
		fprintf(stderr, "wiretop: %s\n", cause != NULL ? cause :
		    "cannot start capture");
		free(cause);
		if (sfd >= 0)
			close(sfd);
		pipeline_free(p);
		out_free(x.w);
		if (fp != stdout)
			fclose(fp);
		return WT_EXIT_CAPTURE;
	}

	run = export_run(&x, p, sfd, o->duration);
	pipeline_stop(p);
	if (run >= 0) {
		/* Whatever was published before the stop still counts. */
		while (pipeline_drain(p, EXPORT_BATCH) > 0 &&
		    out_error(x.w) == 0)
			;
		engine_flush(x.engine);
		if (x.what == EXPORT_HOSTS)
			export_hosts(&x);
		else if (x.what == EXPORT_SUMMARY) {
			if (x.format == OUT_FMT_CSV)
				export_summary_csv(&x, p);
			else
				export_summary_json(&x, p);
		}
		out_end(x.w);
	}
	err = export_close(&x, fp);
	if (sfd >= 0)
		close(sfd);

	code = WT_EXIT_OK;
	if (err == EPIPE && fp == stdout) {
		/* The reader has gone (export | head): not an error. */
		log_info("standard output closed by its reader");
		code = WT_EXIT_PIPE;
	} else if (err != 0) {
		fprintf(stderr, "wiretop: %s: %s\n", outname, strerror(err));
		log_error("%s: %s", outname, strerror(err));
		code = WT_EXIT_RUNTIME;
	} else {
		/* One line for a failed source; else a warning per
		 * truncated one. */
		for (i = 0; i < pipeline_source_count(p) && !failed; i++) {
			c = pipeline_source(p, i);
			capture_get_stats(c, &cs);
			if (cs.state != CAPTURE_STATE_FAILED)
				continue;
			fprintf(stderr, "wiretop: %s\n", cs.error[0] != '\0' ?
			    cs.error : capture_name(c));
			failed = 1;
			code = WT_EXIT_CAPTURE;
		}
		for (i = 0; i < pipeline_source_count(p) && !failed; i++)
			capture_print_warnings(pipeline_source(p, i), stderr);
		if (code == WT_EXIT_OK && run == 1 && !pipeline_is_live(p)) {
			fprintf(stderr, "wiretop: interrupted: the output is "
			    "incomplete\n");
			code = WT_EXIT_RUNTIME;
		}
	}
	mode_log_end(p, code);
	out_free(x.w);
	pipeline_free(p);
	return code;
}
