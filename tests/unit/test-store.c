/*
 * test-store.c: unit tests of the history store's segments (store-seg.c):
 * flow records and host totals packed, and read back through the virtual
 * tables flows, host_hour and host_day.
 *
 * Each test writes records it makes up into an in-memory database and
 * reads them back with SQL; every expected value comes from the records
 * written (or from how the test made them), none from a previous run.
 */
#include "config.h"

#include <check.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

static sqlite3 *
db_new(void)
{
	sqlite3 *db;

	ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, STORE_SEG_SCHEMA, NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(store_seg_register(db), SQLITE_OK);
	return db;
}

static int64_t
db_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A record with every field set, from i. */
static void
flow_make(struct store_flow *f, int i)
{
	memset(f, 0, sizeof *f);
	f->ts_us = 1700000000000000 + (int64_t)i * 1000;
	f->duration_us = i % 3 == 0 ? -5 : (int64_t)i * 7;
	snprintf(f->uid, sizeof f->uid, "C%017d", i);
	snprintf(f->orig_h, sizeof f->orig_h, "10.0.%d.%d", i / 256, i % 256);
	snprintf(f->resp_h, sizeof f->resp_h, "2001:db8::%x", i);
	f->orig_p = (uint16_t)(40000 + i);
	f->resp_p = 443;
	f->vlan = (uint16_t)(i % 5);
	f->inner_vlan = 4095;
	f->return_vlan = 0;
	f->proto_num = 6;
	snprintf(f->proto, sizeof f->proto, "tcp");
	if (i % 2)
		snprintf(f->service, sizeof f->service, "https");
	snprintf(f->conn_state, sizeof f->conn_state, "SF");
	snprintf(f->history, sizeof f->history, "ShADadFf");
	f->pkts[0] = (uint64_t)i;
	f->pkts[1] = UINT64_MAX >> 1;
	f->bytes[0] = (uint64_t)i * 1000;
	f->bytes[1] = 0;
	f->ip_bytes[0] = 1;
	f->ip_bytes[1] = 2;
	f->wire_bytes[0] = 3;
	f->wire_bytes[1] = 4;
	if (i == 7)
		snprintf(f->parents, sizeof f->parents, "%s",
		    "CAAAAAAAAAAAAAAAAA,CBBBBBBBBBBBBBBBBB");
	if (i == 7)
		snprintf(f->tunnel, sizeof f->tunnel, "vxlan");
	snprintf(f->cid, sizeof f->cid, "1:%027d=", i);
	f->rtt_us = i % 4 ? (uint32_t)i : 0;
	f->retrans = UINT32_MAX;
	if (i % 3 == 1) {
		snprintf(f->orig_cc, sizeof f->orig_cc, "%c%c", 'A' + i % 26,
		    'Z' - i % 26);
		f->resp_asn = UINT32_MAX - (uint32_t)i;
	}
}

static void
col_text(sqlite3_stmt *st, int c, const char *want)
{
	const char *got = (const char *)sqlite3_column_text(st, c);

	if (*want == '\0')
		ck_assert_msg(got == NULL, "column %d: NULL, not '%s'", c,
		    got);
	else {
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, want);
	}
}

static void
col_int(sqlite3_stmt *st, int c, int64_t want, int null_if_zero)
{
	if (null_if_zero && want == 0)
		ck_assert_int_eq(sqlite3_column_type(st, c), SQLITE_NULL);
	else
		ck_assert_int_eq(sqlite3_column_int64(st, c), want);
}

START_TEST(flows_round_trip)
{
	sqlite3 *db = db_new();
	struct store_seg *w = store_seg_open(db);
	struct store_flow *f;
	sqlite3_stmt *st;
	int n = STORE_SEG_FLOWS + 100, i, k;

	ck_assert_ptr_nonnull(w);
	f = calloc((size_t)n, sizeof *f);
	/* written out of start order, as records close */
	for (i = 0; i < n; i++)
		flow_make(&f[i], (i * 7919) % n);
	ck_assert_int_eq(store_seg_add_flows(w, f, (size_t)n), SQLITE_OK);
	/* more than a segment's worth: two segments */
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM flow_seg"), 2);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM flows"), n);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT * FROM flows ORDER BY "
	    "ts_us", -1, &st, NULL), SQLITE_OK);
	for (i = 0; i < n; i++) {
		struct store_flow x;

		ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
		flow_make(&x, i);
		col_int(st, 0, x.ts_us, 0);
		col_text(st, 1, x.uid);
		col_text(st, 2, x.orig_h);
		col_int(st, 3, x.orig_p, 0);
		col_text(st, 4, x.resp_h);
		col_int(st, 5, x.resp_p, 0);
		col_text(st, 6, x.proto);
		col_text(st, 7, x.service);
		col_int(st, 8, x.duration_us, 0);
		col_int(st, 9, (int64_t)x.bytes[0], 0);
		col_int(st, 10, (int64_t)x.bytes[1], 0);
		col_text(st, 11, x.conn_state);
		col_text(st, 12, x.history);
		col_int(st, 13, (int64_t)x.pkts[0], 0);
		col_int(st, 14, (int64_t)x.ip_bytes[0], 0);
		col_int(st, 15, (int64_t)x.pkts[1], 0);
		col_int(st, 16, (int64_t)x.ip_bytes[1], 0);
		col_int(st, 17, (int64_t)x.wire_bytes[0], 0);
		col_int(st, 18, (int64_t)x.wire_bytes[1], 0);
		col_int(st, 19, x.vlan, 1);
		col_int(st, 20, x.inner_vlan, 1);
		col_int(st, 21, x.return_vlan, 1);
		col_text(st, 22, x.parents);
		col_text(st, 23, x.tunnel);
		col_text(st, 24, x.cid);
		col_int(st, 25, x.rtt_us, 1);
		col_int(st, 26, x.retrans, 0);
		col_text(st, 27, x.orig_cc);
		col_text(st, 28, x.resp_cc);
		col_int(st, 29, x.orig_asn, 1);
		col_int(st, 30, x.resp_asn, 1);
	}
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);

	/* a time range: exactly the records inside, whatever the bound's
	 * type (SQLite checks again what the table narrows) */
	for (k = 0; k < 3; k++) {
		static const char *const q[] = {
			"SELECT count(*) FROM flows WHERE ts_us >= "
			"1700000000100000 AND ts_us < 1700000000200000",
			"SELECT count(*) FROM flows WHERE ts_us > "
			"1700000000099999.5 AND ts_us <= 1700000000199999.5",
			"SELECT count(*) FROM flows WHERE ts_us BETWEEN "
			"'1700000000100000' AND 1700000000199999",
		};
		ck_assert_int_eq(db_int(db, q[k]), 100);
	}
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM flows WHERE ts_us = "
	    "1700000000005000 AND uid = 'C00000000000000005'"), 1);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM flows WHERE ts_us < "
	    "NULL"), 0);
	store_seg_close(w);
	free(f);
	sqlite3_close(db);
}
END_TEST

START_TEST(flows_prune_exact)
{
	sqlite3 *db = db_new();
	struct store_seg *w = store_seg_open(db);
	struct store_flow f[300];
	int64_t gone = -1;
	int i;

	/* three segments: 0-99, 100-199 (across the limit), 200-299 */
	for (i = 0; i < 300; i++)
		flow_make(&f[i], i);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(store_seg_add_flows(w, f + i * 100, 100),
		    SQLITE_OK);
	/* the limit is record 150's start: 150 records are older */
	ck_assert_int_eq(store_seg_prune_flows(w, f[150].ts_us, &gone),
	    SQLITE_OK);
	ck_assert_int_eq(gone, 150);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM flows"), 150);
	ck_assert_int_eq(db_int(db, "SELECT min(ts_us) FROM flows"),
	    f[150].ts_us);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM flow_seg"), 2);
	/* again: nothing more */
	ck_assert_int_eq(store_seg_prune_flows(w, f[150].ts_us, &gone),
	    SQLITE_OK);
	ck_assert_int_eq(gone, 0);
	store_seg_close(w);
	sqlite3_close(db);
}
END_TEST

START_TEST(hosts_merge)
{
	sqlite3 *db = db_new();
	struct store_seg *w = store_seg_open(db);
	struct store_seg_host h[50];
	const struct store_seg_host *p[50];
	int64_t want_b = 0, want_f = 0;
	int s, i, nseg;

	/* 70 batches of one hour: host i in batch s when (s + i) % 3 ==
	 * 0, with bytes_in s + 1 and 1 flow */
	for (s = 0; s < 70; s++) {
		int n = 0;

		for (i = 0; i < 50; i++) {
			if ((s + i) % 3 != 0)
				continue;
			memset(&h[n], 0, sizeof h[n]);
			snprintf(h[n].addr, sizeof h[n].addr, "192.0.2.%d", i);
			h[n].v[0] = (uint64_t)s + 1;
			h[n].v[3] = 2;
			h[n].flows = 1;
			p[n] = &h[n];
			n++;
			if (i == 7) {
				want_b += s + 1;
				want_f++;
			}
		}
		ck_assert_int_eq(store_seg_add_hosts(w, 0, 1700002800, p,
		    (size_t)n), SQLITE_OK);
	}
	/* one row per address, the sums of every batch */
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM host_hour"), 50);
	ck_assert_int_eq(db_int(db, "SELECT count(DISTINCT addr) FROM "
	    "host_hour"), 50);
	ck_assert_int_eq(db_int(db, "SELECT bytes_in FROM host_hour WHERE "
	    "addr = '192.0.2.7'"), want_b);
	ck_assert_int_eq(db_int(db, "SELECT flows FROM host_hour WHERE "
	    "addr = '192.0.2.7'"), want_f);
	ck_assert_int_eq(db_int(db, "SELECT sum(pkts_out) FROM host_hour"),
	    2 * db_int(db, "SELECT sum(flows) FROM host_hour"));
	/* merged in levels of 4: 70 = 1*64 + 1*4 + 2 -> 4 segments */
	nseg = (int)db_int(db, "SELECT count(*) FROM host_seg");
	ck_assert_int_eq(nseg, 4);
	/* in address order, as the table says it gives them */
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM (SELECT addr, "
	    "lag(addr) OVER () AS prev FROM host_hour) WHERE prev >= addr"),
	    0);
	/* the day: the hour's segments, added up the same */
	ck_assert_int_eq(store_seg_roll_days(w, 1700002800, 1700006400),
	    SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT bytes_in FROM host_day WHERE "
	    "addr = '192.0.2.7' AND ts = 1699920000"), want_b);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM host_day"), 50);
	/* pruning the hour before it: nothing; the hour itself: all */
	ck_assert_int_eq(store_seg_prune_hosts(db, 0, 1700002800, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM host_hour"), 50);
	ck_assert_int_eq(store_seg_prune_hosts(db, 0, 1700002801, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM host_hour"), 0);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM host_day"), 50);
	store_seg_close(w);
	sqlite3_close(db);
}
END_TEST

START_TEST(damaged)
{
	sqlite3 *db = db_new();
	struct store_seg *w = store_seg_open(db);
	struct store_flow f[10];
	sqlite3_stmt *st;
	int i, rc;

	for (i = 0; i < 10; i++)
		flow_make(&f[i], i);
	ck_assert_int_eq(store_seg_add_flows(w, f, 10), SQLITE_OK);
	/* cut in the middle of a record */
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE flow_seg SET data = "
	    "substr(data, 1, length(data) - 3)", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM flows",
	    -1, &st, NULL), SQLITE_OK);
	rc = sqlite3_step(st);
	ck_assert_int_ne(rc, SQLITE_ROW);
	ck_assert_msg(strstr(sqlite3_errmsg(db), "damaged segment") != NULL,
	    "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	/* a format byte this build does not know (1: records as text, 2:
	 * engine flows) */
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE flow_seg SET data = x'03'",
	    NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM flows",
	    -1, &st, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_step(st), SQLITE_ROW);
	sqlite3_finalize(st);
	/* an engine flow cut after its addresses */
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE flow_seg SET data = "
	    "x'0200000400000000000000'", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM flows",
	    -1, &st, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_step(st), SQLITE_ROW);
	sqlite3_finalize(st);
	/* host totals: a varint that never ends */
	ck_assert_int_eq(sqlite3_exec(db, "INSERT INTO host_seg (tier, ts, "
	    "lvl, n, data) VALUES (0, 3600, 0, 1, x'0103616263ffffffffff')",
	    NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT * FROM host_hour", -1,
	    &st, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_step(st), SQLITE_ROW);
	sqlite3_finalize(st);
	/* a token with a byte the exports would write as is (a database
	 * another program wrote): damage, not a record; a list of tokens
	 * keeps its ',' */
	ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM flow_seg", NULL, NULL,
	    NULL), SQLITE_OK);
	flow_make(&f[0], 0);
	snprintf(f[0].parents, sizeof f[0].parents, "CAbc,CDef");
	ck_assert_int_eq(store_seg_add_flows(w, f, 1), SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM flows WHERE "
	    "tunnel_parents = 'CAbc,CDef'"), 1);
	ck_assert_int_eq(sqlite3_exec(db, "DELETE FROM flow_seg", NULL, NULL,
	    NULL), SQLITE_OK);
	f[0].history[0] = 'S';
	f[0].history[1] = '\033';
	f[0].history[2] = '\0';
	ck_assert_int_eq(store_seg_add_flows(w, f, 1), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT history FROM flows",
	    -1, &st, NULL), SQLITE_OK);
	ck_assert_int_ne(sqlite3_step(st), SQLITE_ROW);
	ck_assert_msg(strstr(sqlite3_errmsg(db), "damaged segment") != NULL,
	    "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	store_seg_close(w);
	sqlite3_close(db);
}
END_TEST

/* The alerts table: one row per uid, updated by each change; an
 * acknowledgement and a resolution are never taken back; a row reads back
 * as the alert it was. */
START_TEST(alerts_upsert)
{
	static const char tbl[] = "CREATE TABLE alerts (x INTEGER);";
	sqlite3 *db = db_new();
	sqlite3_stmt *put = NULL, *st;
	struct alert a, b;
	char sql[512];

	ck_assert_int_eq(sqlite3_exec(db, tbl, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, store_alert_schema_v3, NULL, NULL,
	    NULL), SQLITE_OK);
	memset(&a, 0, sizeof a);
	a.uid = 0x0123456789abcdefull;
	a.ts_ns = a.last_ns = 1700000000123456000ull;
	a.kind = ALERT_PORT_SCAN;
	a.sev = ALERT_SEV_WARNING;
	a.state = ALERT_ACTIVE;
	a.count = a.notifications = 1;
	a.value = 101;
	a.threshold = 100;
	a.port = 0;
	snprintf(a.subject, sizeof a.subject, "203.0.113.9");
	snprintf(a.subject_name, sizeof a.subject_name, "x'\n\x1b[2J");
	snprintf(a.peer, sizeof a.peer, "10.0.0.2");
	snprintf(a.message, sizeof a.message, "port scan");
	ck_assert_int_eq(store_alert_put(db, &put, &a), SQLITE_OK);
	/* acknowledged */
	b = a;
	b.state = ALERT_ACKED;
	b.ack_wall_ns = 1800000000000001000ull;
	snprintf(b.ack_user, sizeof b.ack_user, "alice");
	b.count = 5;
	b.last_ns += 2000000000;
	ck_assert_int_eq(store_alert_put(db, &put, &b), SQLITE_OK);
	/* a change from before the acknowledgement (a retried batch): the
	 * acknowledgement stays, the counts do not go back */
	a.count = 3;
	ck_assert_int_eq(store_alert_put(db, &put, &a), SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM alerts"), 1);
	ck_assert_int_eq(db_int(db, "SELECT count FROM alerts"), 5);
	ck_assert_int_eq(db_int(db, "SELECT state = 'acknowledged' AND "
	    "ack_user = 'alice' AND ack_us = 1800000000000001 FROM alerts"), 1);
	/* resolved; then an older active change does not reopen it */
	b.state = ALERT_RESOLVED;
	b.resolved_ns = b.last_ns;
	ck_assert_int_eq(store_alert_put(db, &put, &b), SQLITE_OK);
	ck_assert_int_eq(store_alert_put(db, &put, &a), SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT state = 'resolved' AND "
	    "resolved_us = 1700000002123456 FROM alerts"), 1);
	/* another uid is another row */
	a.uid++;
	ck_assert_int_eq(store_alert_put(db, &put, &a), SQLITE_OK);
	ck_assert_int_eq(db_int(db, "SELECT count(*) FROM alerts"), 2);
	sqlite3_finalize(put);
	/* read back */
	snprintf(sql, sizeof sql, "SELECT %s FROM alerts ORDER BY id",
	    store_alert_cols);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(store_alert_row(st, &a), 0);
	ck_assert_uint_eq(a.uid, 0x0123456789abcdefull);
	ck_assert_uint_eq(a.ts_ns, 1700000000123456000ull);
	ck_assert_uint_eq(a.last_ns, 1700000002123456000ull);
	ck_assert_int_eq(a.state, ALERT_RESOLVED);
	ck_assert_int_eq(a.kind, ALERT_PORT_SCAN);
	ck_assert_int_eq(a.sev, ALERT_SEV_WARNING);
	ck_assert_uint_eq(a.count, 5);
	ck_assert_str_eq(a.subject_name, "x'\n\x1b[2J");
	ck_assert_str_eq(a.ack_user, "alice");
	ck_assert_int_eq(a.port, 0);
	ck_assert(a.value == 101 && a.threshold == 100);
	sqlite3_finalize(st);
	/* a kind this build does not know is refused, not guessed */
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE alerts SET kind = 'future'",
	    NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(store_alert_row(st, &a), -1);
	sqlite3_finalize(st);
	sqlite3_close(db);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("segments");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, flows_round_trip);
	tcase_add_test(tc, flows_prune_exact);
	tcase_add_test(tc, hosts_merge);
	tcase_add_test(tc, damaged);
	tcase_add_test(tc, alerts_upsert);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
