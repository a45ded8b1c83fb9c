/*
 * alert-capture.c: the capture detector: a source drops packets, stops on
 * an error, or its interface disappears.
 *
 * Main thread only (an engine sink through the alert core): source events
 * (engine_source_event) as the pipeline publishes them.  Drops are a
 * warning (repeats fold into the open alert while drops go on); an
 * interface gone is critical; a source that stopped on an error is a
 * warning.  A file that ends is not an alert.
 */
#include "config.h"
#include "alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-int.h"
#include "engine.h"
#include "xmalloc.h"

struct capalert {
	struct alerts *a;
};

static void *
capalert_create(struct alerts *a, const struct alert_cfg *cfg, unsigned on,
    char **cause)
{
	struct capalert *c = xcalloc(1, sizeof *c);

	(void)cfg;
	(void)on;
	(void)cause;
	c->a = a;
	return c;
}

static void
capalert_free(void *arg)
{
	free(arg);
}

static void
capalert_source(void *arg, const struct engine_source_event *ev)
{
	struct capalert *c = arg;
	const struct engine *e = alerts_engine(c->a);
	const struct engine_source *s;
	struct alert_fire f;
	char msg[ALERT_MSG_MAX];
	uint64_t drops;

	if (ev->source >= engine_source_count(e))
		return;
	s = engine_source(e, ev->source);
	memset(&f, 0, sizeof f);
	f.kind = ALERT_CAPTURE;
	f.ts_ns = ev->ts_ns;
	f.subject_text = s->name;
	f.message = msg;
	switch (ev->kind) {
	case ENGINE_SRC_DROPS:
		drops = ev->drops_kernel + ev->drops_iface + ev->drops_ring;
		if (drops == 0)
			return;
		snprintf(msg, sizeof msg, "capture: %s dropped %llu packets "
		    "(kernel %llu, interface %llu, ring %llu; bound 0)",
		    s->name, (unsigned long long)drops,
		    (unsigned long long)ev->drops_kernel,
		    (unsigned long long)ev->drops_iface,
		    (unsigned long long)ev->drops_ring);
		f.sev = ALERT_SEV_WARNING;
		f.port = 1;
		f.value = (double)drops;
		break;
	case ENGINE_SRC_GONE:
		snprintf(msg, sizeof msg, "capture: %s disappeared%s%s",
		    s->name, ev->detail ? ": " : "",
		    ev->detail ? ev->detail : "");
		f.sev = ALERT_SEV_CRITICAL;
		f.port = 2;
		f.value = 1;
		break;
	case ENGINE_SRC_ERROR:
		snprintf(msg, sizeof msg, "capture: %s stopped%s%s", s->name,
		    ev->detail ? ": " : "", ev->detail ? ev->detail : "");
		f.sev = ALERT_SEV_WARNING;
		f.port = 3;
		f.value = 1;
		break;
	default:
		return;
	}
	alert_fire(c->a, &f);
}

const struct alert_det_ops alert_capture_ops = {
	.kinds = 1u << ALERT_CAPTURE,
	.create = capalert_create,
	.free = capalert_free,
	.source = capalert_source,
};
