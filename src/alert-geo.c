/*
 * alert-geo.c: the geo detector: traffic with a country or ASN on the deny
 * list, or with a country off the allow list.
 *
 * Main thread only (an engine sink through the alert core): the first
 * packet of each flow (the core passes no other).  The external end of a
 * flow (the other end in the local networks) is looked up through
 * alerts_geo(), the GeoIP interface of alert.h; an address GeoIP does not
 * know is never judged.  Until a GeoIP lookup is set (alerts_set_geo),
 * this detector sees nothing, and says so once in the log.
 */
#include "config.h"
#include "alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-int.h"
#include "engine.h"
#include "fmt.h"
#include "geoip.h"
#include "log.h"
#include "xmalloc.h"

#define GEO_MAX_LIST	64

struct geo {
	struct alerts *a;
	char deny_cc[GEO_MAX_LIST][3];
	unsigned ndeny_cc;
	char allow_cc[GEO_MAX_LIST][3];
	unsigned nallow_cc;
	uint32_t deny_asn[GEO_MAX_LIST];
	unsigned ndeny_asn;
	int warned;
};

static int
geo_parse_cc(const char *name, const char *list, char out[][3],
    unsigned *n, char **cause)
{
	char *copy, *tok, *save;

	*n = 0;
	if (list == NULL)
		return 0;
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (strlen(tok) != 2 || tok[0] < 'A' || tok[0] > 'Z' ||
		    tok[1] < 'A' || tok[1] > 'Z' || *n == GEO_MAX_LIST) {
			free(copy);
			xasprintf(cause, "%s: expected at most %d ISO 3166 "
			    "country codes in capitals (DE,FR), "
			    "comma-separated", name, GEO_MAX_LIST);
			return -1;
		}
		memcpy(out[(*n)++], tok, 3);
	}
	free(copy);
	return 0;
}

static void *
geo_create(struct alerts *a, const struct alert_cfg *cfg, unsigned on,
    char **cause)
{
	struct geo *g = xcalloc(1, sizeof *g);
	char *copy, *tok, *save, *end;
	unsigned long v;

	(void)on;
	g->a = a;
	if (geo_parse_cc("geo_deny_countries", cfg->geo_deny_countries,
	    g->deny_cc, &g->ndeny_cc, cause) != 0 ||
	    geo_parse_cc("geo_allow_countries", cfg->geo_allow_countries,
	    g->allow_cc, &g->nallow_cc, cause) != 0) {
		free(g);
		return NULL;
	}
	if (cfg->geo_deny_asns != NULL) {
		copy = xstrdup(cfg->geo_deny_asns);
		for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
		    tok = strtok_r(NULL, ", \t", &save)) {
			if (strncasecmp(tok, "AS", 2) == 0)
				tok += 2;
			v = strtoul(tok, &end, 10);
			if (*tok < '0' || *tok > '9' || *end != '\0' ||
			    v == 0 || v > UINT32_MAX ||
			    g->ndeny_asn == GEO_MAX_LIST) {
				free(copy);
				free(g);
				xasprintf(cause, "geo_deny_asns: expected at "
				    "most %d AS numbers (64496 or AS64496), "
				    "comma-separated", GEO_MAX_LIST);
				return NULL;
			}
			g->deny_asn[g->ndeny_asn++] = (uint32_t)v;
		}
		free(copy);
	}
	return g;
}

static void
geo_free(void *arg)
{
	free(arg);
}

int
alert_geo_engine(void *arg, uint8_t ip_ver, const uint8_t addr[16],
    char cc[3], uint32_t *asn)
{
	struct engine *e = arg;
	const struct host *h;
	struct geoip_info gi;

	/* no database open: nothing to find (and no lookup to pay) */
	if (engine_geoip(e) == NULL || !geoip_active(engine_geoip(e)))
		return 0;
	if ((h = engine_host_lookup(e, ip_ver, addr)) != NULL)
		gi = h->geo;	/* looked up once, when the host was made */
	else
		geoip_lookup(engine_geoip(e), ip_ver, addr, &gi);
	if (gi.state != GEOIP_LOOKED)
		return 0;	/* private, or no database */
	cc[0] = gi.cc[0];
	cc[1] = gi.cc[0] != '\0' ? gi.cc[1] : '\0';
	cc[2] = '\0';
	*asn = gi.asn;
	return cc[0] != '\0' || gi.asn != 0;
}

static int
geo_cc_in(char list[][3], unsigned n, const char *cc)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], cc) == 0)
			return 1;
	return 0;
}

static void
geo_packet(void *arg, const struct pkt_meta *m, const struct flow *fl,
    int dir)
{
	struct geo *g = arg;
	const uint8_t *loc, *ext;
	struct alert_fire f;
	char msg[ALERT_MSG_MAX], la[FMT_ADDR_MAX], xa[FMT_ADDR_MAX];
	char cc[3], why[64], cid[ALERT_CID_MAX];
	uint32_t asn;
	unsigned i;

	if (g->ndeny_cc == 0 && g->nallow_cc == 0 && g->ndeny_asn == 0)
		return;
	if (!alerts_geo_on(g->a)) {
		if (!g->warned)
			log_warn("alerts: geo: no GeoIP lookup: the geo "
			    "detector sees nothing");
		g->warned = 1;
		return;
	}
	if (!alerts_flow_ends(g->a, m, fl, dir, &loc, &ext))
		return;
	if (alerts_geo(g->a, m->ip_ver, ext, cc, &asn) == 0)
		return;
	why[0] = '\0';
	if (cc[0] != '\0' && geo_cc_in(g->deny_cc, g->ndeny_cc, cc))
		snprintf(why, sizeof why, "country %s is denied", cc);
	else if (cc[0] != '\0' && g->nallow_cc > 0 &&
	    !geo_cc_in(g->allow_cc, g->nallow_cc, cc))
		snprintf(why, sizeof why, "country %s is not allowed", cc);
	for (i = 0; why[0] == '\0' && asn != 0 && i < g->ndeny_asn; i++)
		if (g->deny_asn[i] == asn)
			snprintf(why, sizeof why, "AS%u is denied", asn);
	if (why[0] == '\0')
		return;
	if (alert_seen(g->a, ALERT_GEO, m->ip_ver, loc, m->ip_ver,
	    ext, 0, m->ts_ns, 1))
		return;
	fmt_addr(m->ip_ver, loc, la, sizeof la);
	fmt_addr(m->ip_ver, ext, xa, sizeof xa);
	snprintf(msg, sizeof msg, "geo: %s talked with %s (%s, AS%u): %s",
	    la, xa, cc[0] ? cc : "--", asn, why);
	pkt_community_id(m, cid);
	memset(&f, 0, sizeof f);
	f.kind = ALERT_GEO;
	f.sev = ALERT_SEV_WARNING;
	f.ts_ns = m->ts_ns;
	f.ip_ver = m->ip_ver;
	f.addr = loc;
	f.peer_ver = m->ip_ver;
	f.peer_addr = ext;
	f.value = asn;
	f.threshold = 0;
	f.message = msg;
	f.community_id = cid;
	alert_fire(g->a, &f);
}

const struct alert_det_ops alert_geo_ops = {
	.kinds = 1u << ALERT_GEO,
	.create = geo_create,
	.free = geo_free,
	.packet = geo_packet,
	.pkt_want = ALERT_PKT_FIRST,
};
