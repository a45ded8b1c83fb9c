/*
 * test-alert.c: unit tests of the alert core (alert.c) and of the
 * detectors a capture file cannot drive: capture (source events), geo
 * and new_peer by ASN (a GeoIP lookup set by the test), and which hosts
 * rate_anomaly keeps a baseline for (seen only in whose alerts fire).
 *
 * Packets are built in memory and fed to a real engine; the alert core
 * is the one wiretop runs, with its settings from cfg_defaults() and the
 * few each test changes.  Every expected value follows from the packets
 * and settings written here.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "cfg.h"
#include "engine.h"
#include "mode.h"

#define SEC	1000000000ull
#define T0	(1700000000ull * SEC)

/* What a subscriber was told. */
struct seen {
	enum alert_event ev[64];
	uint64_t id[64];
	unsigned n;
};

static void
record(void *arg, const struct alert *a, enum alert_event ev)
{
	struct seen *s = arg;

	if (s->n < 64) {
		s->ev[s->n] = ev;
		s->id[s->n] = a->id;
		s->n++;
	}
}

static unsigned
count_ev(const struct seen *s, enum alert_event ev)
{
	unsigned i, n = 0;

	for (i = 0; i < s->n; i++)
		n += s->ev[i] == ev;
	return n;
}

static struct wt_opts opts;

static struct alert_cfg *
defaults(const char *detectors)
{
	cfg_defaults(&opts);
	opts.alert.detectors = detectors;
	return &opts.alert;
}

static struct engine *
mk_engine(void)
{
	static const char *names[] = { "eth0" };
	struct engine_cfg c;

	memset(&c, 0, sizeof c);
	c.n_sources = 1;
	c.source_names = names;
	return engine_create(&c);
}

static struct pkt_meta
udp(uint64_t ts, const char *src, const char *dst, uint16_t dp)
{
	struct pkt_meta m;

	memset(&m, 0, sizeof m);
	m.ts_ns = ts;
	m.ip_ver = 4;
	inet_pton(AF_INET, src, m.src);
	inet_pton(AF_INET, dst, m.dst);
	m.proto = 17;
	m.sport = 40000;
	m.dport = dp;
	m.flags = PKT_F_L4;
	m.l4_len = 100;
	m.ip_len = 128;
	m.wire_len = 142;
	m.cap_len = 142;
	m.status = PKT_DECODED;
	return m;
}

/* Move the packet clock to ts (a non-IP frame). */
static void
clock_to(struct engine *e, uint64_t ts)
{
	struct pkt_meta m;

	memset(&m, 0, sizeof m);
	m.ts_ns = ts;
	m.wire_len = m.cap_len = 60;
	m.status = PKT_UNSUPPORTED;
	engine_packet(e, &m);
}

static void
fire(struct alerts *a, uint64_t ts, const char *subject, double v)
{
	struct alert_fire f;

	memset(&f, 0, sizeof f);
	f.kind = ALERT_BANDWIDTH;
	f.sev = ALERT_SEV_WARNING;
	f.ts_ns = ts;
	f.subject_text = subject;
	f.value = v;
	f.threshold = 1;
	f.message = "test\nline";
	alert_fire(a, &f);
}

/* Repeats fold into the open alert; it resolves after the cool-down of
 * packet time without the condition; the next one is a new alert. */
START_TEST(test_dedup_cooldown)
{
	struct alert_cfg *c = defaults("capture");
	struct engine *e = mk_engine();
	struct alerts *a;
	struct seen s = { .n = 0 };
	const struct alert *al;
	char *cause = NULL;

	c->cooldown_s = 100;
	c->repeat_s = 0;
	a = alerts_create(c, e, &cause);
	ck_assert_ptr_nonnull(a);
	alerts_subscribe(a, &(struct alert_sub){ .arg = &s, .event = record });
	clock_to(e, T0);
	fire(a, T0, "eth0", 5);
	fire(a, T0 + 10 * SEC, "eth0", 7);
	fire(a, T0 + 10 * SEC, "eth1", 1);
	ck_assert_uint_eq(alerts_count(a), 2);
	al = alerts_get(a, 1);
	ck_assert_uint_eq(al->id, 1);
	ck_assert_uint_eq(al->count, 2);
	ck_assert(al->value == 7);
	ck_assert_str_eq(al->message, "test\\x0aline");	/* one line */
	ck_assert_uint_eq(count_ev(&s, ALERT_EV_NEW), 2);
	clock_to(e, T0 + 109 * SEC);
	ck_assert_int_eq(al->state, ALERT_ACTIVE);
	clock_to(e, T0 + 110 * SEC);
	ck_assert_int_eq(al->state, ALERT_RESOLVED);
	ck_assert_uint_eq(al->resolved_ns, T0 + 110 * SEC);
	ck_assert_uint_eq(count_ev(&s, ALERT_EV_RESOLVED), 2);
	fire(a, T0 + 111 * SEC, "eth0", 5);
	ck_assert_uint_eq(alerts_count(a), 3);
	ck_assert_uint_eq(alerts_get(a, 0)->id, 3);
	ck_assert_uint_eq(alerts_get(a, 0)->count, 1);
	alerts_free(a);
	engine_free(e);
}
END_TEST

/* Escalation: every repeat_s while active and not acknowledged. */
START_TEST(test_escalation_ack)
{
	struct alert_cfg *c = defaults("capture");
	struct engine *e = mk_engine();
	struct alerts *a;
	struct seen s = { .n = 0 };
	const struct alert *al;
	char *cause = NULL;
	uint64_t t;

	c->cooldown_s = 300;
	c->repeat_s = 60;
	a = alerts_create(c, e, &cause);
	ck_assert_ptr_nonnull(a);
	alerts_subscribe(a, &(struct alert_sub){ .arg = &s, .event = record });
	clock_to(e, T0);
	fire(a, T0, "eth0", 1);
	for (t = T0; t <= T0 + 150 * SEC; t += 30 * SEC) {
		fire(a, t, "eth0", 1);
		clock_to(e, t + 1);
	}
	al = alerts_get(a, 0);
	/* repeats at 60 and 120 s */
	ck_assert_uint_eq(count_ev(&s, ALERT_EV_REPEAT), 2);
	ck_assert_uint_eq(al->notifications, 3);
	ck_assert_int_eq(alerts_ack(a, al->id, "alice"), 0);
	ck_assert_int_eq(al->state, ALERT_ACKED);
	ck_assert_str_eq(al->ack_user, "alice");
	ck_assert_uint_ne(al->ack_wall_ns, 0);
	ck_assert_uint_eq(count_ev(&s, ALERT_EV_ACK), 1);
	ck_assert_int_eq(alerts_ack(a, al->id, "bob"), -1);
	ck_assert_int_eq(alerts_ack(a, 99, "bob"), -1);
	for (; t <= T0 + 290 * SEC; t += 30 * SEC) {
		fire(a, t, "eth0", 1);
		clock_to(e, t + 1);
	}
	ck_assert_uint_eq(count_ev(&s, ALERT_EV_REPEAT), 2);
	ck_assert_int_eq(al->state, ALERT_ACKED);
	alerts_free(a);
	engine_free(e);
}
END_TEST

/* alert_keep: the newest kept, every one counted. */
START_TEST(test_keep)
{
	struct alert_cfg *c = defaults("capture");
	struct engine *e = mk_engine();
	struct alerts *a;
	char *cause = NULL, subj[16];
	unsigned i;

	c->keep = 16;
	a = alerts_create(c, e, &cause);
	ck_assert_ptr_nonnull(a);
	for (i = 0; i < 20; i++) {
		snprintf(subj, sizeof subj, "if%u", i);
		fire(a, T0 + i * SEC, subj, 1);
	}
	ck_assert_uint_eq(alerts_count(a), 16);
	ck_assert_uint_eq(alerts_raised(a), 20);
	ck_assert_uint_eq(alerts_get(a, 0)->id, 20);
	ck_assert_uint_eq(alerts_get(a, 15)->id, 5);
	ck_assert_ptr_null(alerts_get(a, 16));
	/* the pushed-out open alerts left the de-dup hash: if0 is new */
	fire(a, T0 + 30 * SEC, "if0", 1);
	ck_assert_uint_eq(alerts_raised(a), 21);
	/* if19 is still open: folded */
	fire(a, T0 + 30 * SEC, "if19", 1);
	ck_assert_uint_eq(alerts_raised(a), 21);
	alerts_free(a);
	engine_free(e);
}
END_TEST

/* capture: drops are a warning, an interface gone is critical, a file's
 * end is nothing. */
START_TEST(test_capture)
{
	struct alert_cfg *c = defaults("capture");
	struct engine *e = mk_engine();
	struct engine_source_event ev;
	struct alerts *a;
	char *cause = NULL;

	a = alerts_create(c, e, &cause);
	ck_assert_ptr_nonnull(a);
	memset(&ev, 0, sizeof ev);
	ev.source = 0;
	ev.ts_ns = T0;
	ev.kind = ENGINE_SRC_EOF;
	engine_source_event(e, &ev);
	ck_assert_uint_eq(alerts_count(a), 0);
	ev.kind = ENGINE_SRC_DROPS;
	ev.drops_kernel = 10;
	ev.drops_ring = 2;
	engine_source_event(e, &ev);
	ev.drops_kernel = 30;
	engine_source_event(e, &ev);
	ck_assert_uint_eq(alerts_count(a), 1);
	ck_assert_int_eq(alerts_get(a, 0)->kind, ALERT_CAPTURE);
	ck_assert_int_eq(alerts_get(a, 0)->sev, ALERT_SEV_WARNING);
	ck_assert_str_eq(alerts_get(a, 0)->subject, "eth0");
	ck_assert_uint_eq(alerts_get(a, 0)->count, 2);
	ck_assert(alerts_get(a, 0)->value == 32);
	ev.kind = ENGINE_SRC_GONE;
	ev.detail = "No such device";
	engine_source_event(e, &ev);
	ck_assert_uint_eq(alerts_count(a), 2);
	ck_assert_int_eq(alerts_get(a, 0)->sev, ALERT_SEV_CRITICAL);
	ck_assert_ptr_nonnull(strstr(alerts_get(a, 0)->message,
	    "No such device"));
	alerts_free(a);
	engine_free(e);
}
END_TEST

/* A GeoIP stand-in: 175.45.176.0/22 is KP, AS131279; 198.51.100.0/24
 * is AS64500 in FR; anything else unknown. */
static int
fake_geo(void *arg, uint8_t v, const uint8_t addr[16], char cc[3],
    uint32_t *asn)
{
	(void)arg;
	if (v != 4)
		return 0;
	if (addr[0] == 175 && addr[1] == 45 && (addr[2] & 0xfc) == 176) {
		memcpy(cc, "KP", 3);
		*asn = 131279;
		return 1;
	}
	if (addr[0] == 198 && addr[1] == 51 && addr[2] == 100) {
		memcpy(cc, "FR", 3);
		*asn = 64500;
		return 1;
	}
	return 0;
}

/* geo: deny list by country and by ASN; nothing without GeoIP. */
START_TEST(test_geo)
{
	struct alert_cfg *c = defaults("geo");
	struct engine *e;
	struct alerts *a;
	struct pkt_meta m;
	char *cause = NULL;
	int with;

	c->geo_deny_countries = "KP";
	c->geo_deny_asns = "AS64500";
	for (with = 0; with < 2; with++) {
		e = mk_engine();
		a = alerts_create(c, e, &cause);
		ck_assert_ptr_nonnull(a);
		if (with)
			alerts_set_geo(a, fake_geo, NULL);
		m = udp(T0, "10.0.0.1", "175.45.176.9", 443);
		engine_packet(e, &m);
		m = udp(T0 + SEC, "10.0.0.2", "198.51.100.7", 53);
		engine_packet(e, &m);
		m = udp(T0 + 2 * SEC, "10.0.0.3", "192.0.2.1", 53);
		engine_packet(e, &m);
		engine_flush(e);
		if (!with) {
			ck_assert_uint_eq(alerts_count(a), 0);
		} else {
			ck_assert_uint_eq(alerts_count(a), 2);
			ck_assert_str_eq(alerts_get(a, 1)->subject, "10.0.0.1");
			ck_assert_str_eq(alerts_get(a, 1)->peer,
			    "175.45.176.9");
			ck_assert_ptr_nonnull(strstr(alerts_get(a, 1)->message,
			    "country KP is denied"));
			ck_assert_ptr_nonnull(strstr(alerts_get(a, 0)->message,
			    "AS64500 is denied"));
			ck_assert(alerts_get(a, 0)->community_id[0] == '1');
		}
		alerts_free(a);
		engine_free(e);
	}
	/* an allow list: FR allowed, KP is not */
	c = defaults("geo");
	c->geo_allow_countries = "FR";
	e = mk_engine();
	a = alerts_create(c, e, &cause);
	alerts_set_geo(a, fake_geo, NULL);
	m = udp(T0, "10.0.0.1", "175.45.176.9", 443);
	engine_packet(e, &m);
	m = udp(T0 + SEC, "10.0.0.2", "198.51.100.7", 53);
	engine_packet(e, &m);
	engine_flush(e);
	ck_assert_uint_eq(alerts_count(a), 1);
	ck_assert_ptr_nonnull(strstr(alerts_get(a, 0)->message,
	    "country KP is not allowed"));
	alerts_free(a);
	engine_free(e);
	/* bad lists are refused */
	c = defaults("geo");
	c->geo_deny_countries = "kp";
	ck_assert_ptr_null(alerts_create(c, e = mk_engine(), &cause));
	free(cause);
	engine_free(e);
}
END_TEST

/* new_peer with GeoIP: a new address in a known ASN says so, and one in
 * a new ASN too. */
START_TEST(test_new_peer_asn)
{
	struct alert_cfg *c = defaults("new_peer");
	struct engine *e = mk_engine();
	struct alerts *a;
	struct pkt_meta m;
	char *cause = NULL;

	c->new_peer_learn_s = 10;
	a = alerts_create(c, e, &cause);
	ck_assert_ptr_nonnull(a);
	alerts_set_geo(a, fake_geo, NULL);
	m = udp(T0, "10.0.0.1", "198.51.100.1", 53);
	engine_packet(e, &m);
	m = udp(T0 + 20 * SEC, "10.0.0.1", "198.51.100.2", 53);
	engine_packet(e, &m);
	m = udp(T0 + 21 * SEC, "10.0.0.1", "175.45.176.1", 53);
	engine_packet(e, &m);
	engine_flush(e);
	ck_assert_uint_eq(alerts_count(a), 2);
	ck_assert_ptr_nonnull(strstr(alerts_get(a, 0)->message, "a new ASN") ?
	    alerts_get(a, 0)->message : alerts_get(a, 1)->message);
	ck_assert_int_eq(alerts_get(a, 0)->sev, ALERT_SEV_INFO);
	alerts_free(a);
	engine_free(e);
}
END_TEST

/* Second s: ka datagrams 192.0.2.1 -> 10.0.0.2, then kc 198.51.100.1 ->
 * 10.0.0.4, 142 bytes on the wire each. */
static void
rate_second(struct engine *e, uint64_t s, unsigned ka, unsigned kc)
{
	struct pkt_meta m;
	unsigned j;

	for (j = 0; j < ka; j++) {
		m = udp(T0 + s * SEC + j * 1000, "192.0.2.1", "10.0.0.2", 5001);
		engine_packet(e, &m);
	}
	for (j = 0; j < kc; j++) {
		m = udp(T0 + s * SEC + SEC / 2 + j * 1000, "198.51.100.1",
		    "10.0.0.4", 6001);
		engine_packet(e, &m);
	}
}

/* rate_anomaly on hosts keeps the busiest: with 2 places, 192.0.2.1 and
 * 10.0.0.2 (5 datagrams a second, 710 B/s) take them at the first
 * second; from second 5, 198.51.100.1 and 10.0.0.4 (100 a second, 14200
 * B/s, more than twice 710) take their places.  In seconds 30 and 31
 * both pairs send ten and three times as much: only the tracked pair
 * fires (a flat baseline of 14200 B/s, spread 142: 28400 / 142 = 200
 * sigma), the other is not judged (7100 B/s is not twice 14200).  The
 * interface's own alerts are not looked at here. */
START_TEST(test_rate_hosts_busiest)
{
	struct alert_cfg *c = defaults("rate_anomaly");
	struct engine *e = mk_engine();
	struct alerts *a;
	char *cause = NULL;
	unsigned i, n = 0, tx = 0, rx = 0;
	uint64_t s;

	c->rate_hosts = 2;
	c->rate_warmup_s = 10;
	c->rate_min_kbit = 0;
	a = alerts_create(c, e, &cause);
	ck_assert_ptr_nonnull(a);
	for (s = 0; s < 36; s++)
		rate_second(e, s, s == 30 || s == 31 ? 50 : 5,
		    s < 5 ? 0 : s == 30 || s == 31 ? 300 : 100);
	clock_to(e, T0 + 37 * SEC);
	for (i = 0; i < alerts_count(a); i++) {
		const struct alert *al = alerts_get(a, i);

		if (al->ip_ver == 0)
			continue;	/* the interface */
		n++;
		ck_assert_int_eq(al->kind, ALERT_RATE_ANOMALY);
		if (strcmp(al->subject, "198.51.100.1") == 0 && al->port == 2)
			tx++;
		else if (strcmp(al->subject, "10.0.0.4") == 0 && al->port == 1)
			rx++;
		else
			ck_abort_msg("unexpected alert: %s port %u: %s",
			    al->subject, al->port, al->message);
		ck_assert_ptr_nonnull(strstr(al->message, "200.0 sigma"));
	}
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(tx, 1);
	ck_assert_uint_eq(rx, 1);
	alerts_free(a);
	engine_free(e);
}
END_TEST

/* Detector lists: names, all, none; an unknown name is refused. */
START_TEST(test_detector_list)
{
	struct engine *e = mk_engine();
	struct alerts *a;
	char *cause = NULL;

	a = alerts_create(defaults("all"), e, &cause);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(alerts_detectors(a), "port_scan,host_scan,syn_flood,"
	    "large_packet,bandwidth,rate_anomaly,geo,new_peer,policy,"
	    "dns_anomaly,capture");
	alerts_free(a);
	engine_free(e);
	e = mk_engine();
	ck_assert_ptr_null(alerts_create(defaults("port_scan,nosuch"), e,
	    &cause));
	ck_assert_ptr_nonnull(strstr(cause, "no such detector"));
	free(cause);
	a = alerts_create(defaults("dns_anomaly, port_scan"), e, &cause);
	ck_assert_str_eq(alerts_detectors(a), "port_scan,dns_anomaly");
	alerts_free(a);
	a = alerts_create(defaults("none"), e, &cause);
	ck_assert_str_eq(alerts_detectors(a), "none");
	alerts_free(a);
	engine_free(e);
}
END_TEST

/* What a packet sink was given. */
struct pkts {
	unsigned n;
	unsigned what[16];
	int dir[16];
	int flow[16];
};

static void
pkt_rec(void *arg, const struct pkt_meta *m, const struct flow *f, int dir,
    unsigned what)
{
	struct pkts *p = arg;

	(void)m;
	if (p->n < 16) {
		p->what[p->n] = what;
		p->dir[p->n] = dir;
		p->flow[p->n] = f != NULL;
		p->n++;
	}
}

/* The engine gives a packet sink only the kinds it wants: a SYN, a
 * flow's first packet each way, a packet above its size; with the flow
 * and the direction.  engine_flow_local() gives the ends' local flags. */
START_TEST(test_engine_packet_kinds)
{
	struct engine *e = mk_engine();
	struct engine_sink sk;
	struct pkts p = { .n = 0 };
	struct pkt_meta m;
	const struct flow *f;
	int loc[2];

	memset(&sk, 0, sizeof sk);
	sk.name = "test";
	sk.arg = &p;
	sk.packet = pkt_rec;
	sk.packet_want = ENGINE_PKT_SYN | ENGINE_PKT_FIRST | ENGINE_PKT_LARGE;
	sk.packet_large = 1000;
	ck_assert_int_eq(engine_sink_add(e, &sk), 0);
	/* SYN, SYN-ACK, ACK, data of 2000 bytes, data of 100 */
	m = udp(T0, "10.0.0.1", "192.0.2.9", 80);
	m.proto = 6;
	m.tcp_flags = PKT_TCP_SYN;
	m.wire_len = m.cap_len = 74;
	engine_packet(e, &m);
	m = udp(T0 + 1000, "192.0.2.9", "10.0.0.1", 40000);
	m.sport = 80;
	m.proto = 6;
	m.tcp_flags = PKT_TCP_SYN | PKT_TCP_ACK;
	m.wire_len = m.cap_len = 74;
	engine_packet(e, &m);
	m = udp(T0 + 2000, "10.0.0.1", "192.0.2.9", 80);
	m.proto = 6;
	m.tcp_flags = PKT_TCP_ACK;
	m.wire_len = m.cap_len = 66;
	engine_packet(e, &m);
	m.ts_ns = T0 + 3000;
	m.wire_len = m.cap_len = 2066;
	engine_packet(e, &m);
	m.ts_ns = T0 + 4000;
	m.wire_len = m.cap_len = 166;
	engine_packet(e, &m);
	ck_assert_uint_eq(p.n, 3);
	ck_assert_uint_eq(p.what[0], ENGINE_PKT_ALL | ENGINE_PKT_SYN |
	    ENGINE_PKT_FIRST);
	ck_assert_int_eq(p.dir[0], 0);
	ck_assert_uint_eq(p.what[1], ENGINE_PKT_ALL | ENGINE_PKT_SYN |
	    ENGINE_PKT_FIRST);
	ck_assert_int_eq(p.dir[1], 1);
	ck_assert_uint_eq(p.what[2], ENGINE_PKT_ALL | ENGINE_PKT_LARGE);
	ck_assert_int_eq(p.dir[2], 0);
	ck_assert(p.flow[0] && p.flow[1] && p.flow[2]);
	f = engine_flow_first(e);
	ck_assert_ptr_nonnull(f);
	engine_flow_local(e, f, loc);
	ck_assert_int_eq(loc[0], 1);	/* 10.0.0.1, the originator */
	ck_assert_int_eq(loc[1], 0);	/* 192.0.2.9 */
	engine_free(e);
}
END_TEST

static Suite *
alert_suite(void)
{
	Suite *s = suite_create("alert");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dedup_cooldown);
	tcase_add_test(tc, test_escalation_ack);
	tcase_add_test(tc, test_keep);
	tcase_add_test(tc, test_capture);
	tcase_add_test(tc, test_geo);
	tcase_add_test(tc, test_new_peer_asn);
	tcase_add_test(tc, test_detector_list);
	tcase_add_test(tc, test_rate_hosts_busiest);
	tcase_add_test(tc, test_engine_packet_kinds);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(alert_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	cfg_done();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
