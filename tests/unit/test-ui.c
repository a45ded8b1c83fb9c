/*
 * test-ui.c: unit tests of the TUI without a terminal: panes rendered to
 * text from a known engine state, sorting, filtering, the sanitiser,
 * ASCII mode, layout collapse, the key table and its help screen, the
 * drill-down, pause and the capture hooks.
 *
 * The engine is fed hand-made struct pkt_meta records; every expected
 * total, rate and order below is computed in the comments from those
 * records (the rates from engine.h's contract: the average over the secs
 * whole seconds before the current one).
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "pkt.h"
#include "ui-line.h"
#include "ui-pane.h"
#include "ui.h"

#define SEC	1000000000ull
#define MS	1000000ull
#define T0	(1000 * SEC)

static struct engine *eng;
static struct ui *ui;

/* ---- engine state ---------------------------------------------------- */

static void
addr(const char *s, uint8_t out[16], uint8_t *ver)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		*ver = 4;
	else
		ck_abort_msg("bad address %s", s);
}

static void
pkt(uint64_t ts, const char *src, uint16_t sp, const char *dst, uint16_t dp,
    uint8_t proto, uint8_t flags, uint32_t seq, uint32_t wire)
{
	struct pkt_meta m;
	uint32_t hl = proto == 6 ? 20 : 8;

	memset(&m, 0, sizeof m);
	m.ts_ns = ts;
	addr(src, m.src, &m.ip_ver);
	addr(dst, m.dst, &m.ip_ver);
	m.proto = proto;
	m.sport = sp;
	m.dport = dp;
	m.flags = PKT_F_L4;
	m.wire_len = wire;
	m.cap_len = wire;
	m.ip_len = wire - 14;
	m.l4_len = m.ip_len - 20 - hl;
	m.tcp_flags = flags;
	m.tcp_seq = seq;
	m.tcp_win = 65535;
	m.linktype = 1;
	m.ethertype = 0x0800;
	m.status = PKT_DECODED;
	engine_packet(eng, &m);
}

static void
name(const char *a, const char *n)
{
	struct pkt_name pn;

	memset(&pn, 0, sizeof pn);
	pn.ts_ns = T0;
	pn.kind = PKT_NAME_DNS;
	addr(a, pn.addr, &pn.ip_ver);
	snprintf(pn.name, sizeof pn.name, "%s", n);
	engine_name(eng, &pn);
}

/*
 * A = 10.0.0.1:40000 talks TCP to S = 192.0.2.10:443:
 *   T0        SYN      A->S  54
 *   T0+10ms   SYN-ACK  S->A  54
 *   T0+20ms   ACK      A->S  54
 *   T0+i s    data     A->S  1000   (i = 1 .. 10)
 * A out = 54 + 54 + 10 * 1000 = 10108, in = 54: total 10162 (9.92 KiB);
 * S the mirror image, also 10162.
 * B = 10.0.0.2:5353 sends UDP to U = 192.0.2.20:53 at T0+1, +2, +3 s,
 * 100 bytes each: B out 300, U in 300 ("300 B").
 * The clock ends at T0+10 s; 10 s rates count seconds 1000 .. 1009:
 * A out 54 + 54 + 9 * 1000 = 9108 -> 910.8 B/s ("911B"), in 54 -> 5.4
 * ("5B"); B out 300 / 10 = 30 B/s.
 * S has a learned name carrying an escape sequence, a raw C1 byte and an
 * invalid byte; displayed it must read "?evil?1m.example?".
 */
static void
build(void)
{
	struct engine_cfg cfg;
	const char *names[] = { "test0" };
	int i;

	memset(&cfg, 0, sizeof cfg);
	cfg.keep_rates = 1;
	cfg.n_sources = 1;
	cfg.source_names = names;
	eng = engine_create(&cfg);
	pkt(T0, "10.0.0.1", 40000, "192.0.2.10", 443, 6, PKT_TCP_SYN, 1000, 54);
	pkt(T0 + 10 * MS, "192.0.2.10", 443, "10.0.0.1", 40000, 6,
	    PKT_TCP_SYN | PKT_TCP_ACK, 5000, 54);
	pkt(T0 + 20 * MS, "10.0.0.1", 40000, "192.0.2.10", 443, 6,
	    PKT_TCP_ACK, 1001, 54);
	for (i = 1; i <= 10; i++) {
		if (i <= 3)
			pkt(T0 + (uint64_t)i * SEC - 500 * MS, "10.0.0.2", 5353,
			    "192.0.2.20", 53, 17, 0, 0, 100);
		pkt(T0 + (uint64_t)i * SEC, "10.0.0.1", 40000, "192.0.2.10",
		    443, 6, PKT_TCP_ACK | PKT_TCP_PSH,
		    1001 + (uint32_t)(i - 1) * 946, 1000);
	}
	name("192.0.2.10", "\x1b[2Jevil\x9b" "1m.example\xff");
}

static void
setup(void)
{
	struct ui_opts o;

	ui_line_set_ascii(0);
	setlocale(LC_ALL, "C.UTF-8");
	build();
	memset(&o, 0, sizeof o);
	o.names = 1;
	o.speed = 1;
	o.replay = 1;
	ui = ui_create(&o, eng);
	ui_set_size(ui, 200, 60);
}

static void
teardown(void)
{
	ui_free(ui);
	engine_free(eng);
	ui = NULL;
	eng = NULL;
}

/* Text of row y of a pane (trailing blanks trimmed). */
static const char *
row(enum ui_pane_id id, unsigned y)
{
	static char buf[4096];
	struct ui_pane *p = &ui->panes[id];
	size_t n;

	ck_assert_msg(p->shown, "pane %d not shown", id);
	ck_assert_uint_lt(y, p->h);
	n = ui_line_text(&p->lines[y], buf, sizeof buf);
	while (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	return buf;
}

/* First word of a talkers row (the host address). */
static const char *
host_at(unsigned i)
{
	static char w[64];

	sscanf(row(UI_PANE_TALKERS, 2 + i), "%63s", w);
	return w;
}

static char screen[400 * 120 * 4 + 256];

static const char *
render_text(void)
{
	ui_render(ui);
	ui_screen_text(ui, screen, sizeof screen);
	return screen;
}

static void
keys(const char *s)
{
	for (; *s; s++)
		ui_key(ui, *s == '\n' ? UI_KEY_ENTER : (unsigned char)*s);
}

/* ---- sanitiser and lines ----------------------------------------------- */

START_TEST(test_sanitize)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain.example", "plain.example" },
		{ "a\x1b[31mb", "a?b" },		/* CSI SGR */
		{ "a\x1b[2;5Hb", "a?b" },		/* cursor move */
		{ "a\x1b]0;title\x07" "b", "a?b" },	/* OSC, BEL */
		{ "a\x1b]0;t\x1b\\b", "a?b" },		/* OSC, ST */
		{ "a\x1b" "cb", "a?b" },		/* RIS */
		{ "a\xc2\x9b" "31mb", "a?b" },		/* C1 CSI */
		{ "a\xc2\x85" "b", "a?b" },		/* C1 NEL */
		{ "a\x7f" "b\x01" "c\nd\te", "a?b?c?d?e" },
		{ "a\xc0\xaf" "b", "a??b" },		/* overlong '/' */
		{ "\xed\xa0\x80", "???" },		/* surrogate */
		{ "ab\xe2\x82", "ab?" },		/* cut short */
		{ "\xff\xfe", "??" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },	/* valid UTF-8 */
		{ "a\xe2\x80\xae" "b", "a?b" },		/* bidi override */
	};
	char out[256];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ui_sanitize(cases[i].in, out, sizeof out);
		ck_assert_msg(strcmp(out, cases[i].out) == 0,
		    "case %zu: got \"%s\", want \"%s\"", i, out,
		    cases[i].out);
	}
	ui_line_set_ascii(1);
	ui_sanitize("caf\xc3\xa9", out, sizeof out);
	ck_assert_str_eq(out, "caf?");
	ui_line_set_ascii(0);
}
END_TEST

START_TEST(test_line_field)
{
	struct ui_line l;
	char buf[64];

	ui_line_init(&l, 12);
	ui_line_field(&l, 0, 5, UI_COLOR_NORMAL, "ab", UI_ALIGN_RIGHT);
	ui_line_field(&l, 6, 6, UI_COLOR_NORMAL, "abcdefgh", UI_ALIGN_LEFT);
	ui_line_text(&l, buf, sizeof buf);
	ck_assert_str_eq(buf, "   ab abcde~");
	ui_line_clear(&l, UI_COLOR_NORMAL);
	ck_assert_uint_eq(ui_line_puts(&l, UI_COLOR_NORMAL,
	    "0123456789abcdef"), 12);	/* clipped at the width */
	ui_line_text(&l, buf, sizeof buf);
	ck_assert_str_eq(buf, "0123456789ab");
	ui_line_done(&l);
}
END_TEST

/* ---- panes ---------------------------------------------------------- */

START_TEST(test_talkers)
{
	const char *r;

	render_text();
	/* 10 s rates: A and S tie at 916.2 B/s and 10162 bytes; the address
	 * breaks the tie. B and U tie at 30 B/s. */
	ck_assert_str_eq(host_at(0), "10.0.0.1");
	ck_assert_str_eq(host_at(1), "192.0.2.10");
	ck_assert_str_eq(host_at(2), "10.0.0.2");
	ck_assert_str_eq(host_at(3), "192.0.2.20");
	ck_assert_uint_eq(ui->panes[UI_PANE_TALKERS].nrows, 4);
	r = row(UI_PANE_TALKERS, 2);
	ck_assert_msg(strstr(r, "9.92 KiB") != NULL, "total: %s", r);
	ck_assert_msg(strstr(r, " 911B") != NULL, "out 10s: %s", r);
	ck_assert_msg(strstr(r, " 5B") != NULL, "in 10s: %s", r);
	ck_assert_msg(strstr(r, " -- ") != NULL, "geo: %s", r);
	r = row(UI_PANE_TALKERS, 3);
	ck_assert_msg(strstr(r, "?evil?1m.example?") != NULL, "name: %s", r);
	ck_assert_ptr_null(strchr(screen, 0x1b));
	r = row(UI_PANE_TALKERS, 4);
	ck_assert_msg(strstr(r, "300 B") != NULL, "B total: %s", r);
	/* b: bits. A out 910.8 B/s = 7286.4 b/s. */
	keys("b");
	render_text();
	r = row(UI_PANE_TALKERS, 2);
	ck_assert_msg(strstr(r, "7.3Kb") != NULL, "bits: %s", r);
	/* n: names off drops the name column. */
	keys("n");
	render_text();
	ck_assert_ptr_null(strstr(row(UI_PANE_TALKERS, 3), "evil"));
}
END_TEST

START_TEST(test_sort)
{
	struct ui_pane *p = &ui->panes[UI_PANE_TALKERS];

	render_text();
	ck_assert_str_eq(p->ops->sorts[p->sort], "10s");
	keys("ss");
	ck_assert_str_eq(p->ops->sorts[p->sort], "total");
	render_text();
	ck_assert_ptr_nonnull(strstr(row(UI_PANE_TALKERS, 0), "sort: total"));
	ck_assert_str_eq(host_at(0), "10.0.0.1");
	ck_assert_str_eq(host_at(3), "192.0.2.20");
	/* in: U received 300, B 0: U before B. */
	keys("s");
	render_text();
	ck_assert_str_eq(host_at(0), "192.0.2.10");	/* in 10108 */
	ck_assert_str_eq(host_at(1), "192.0.2.20");	/* in 300 */
	/* host, ascending. */
	keys("ss");
	ck_assert_str_eq(p->ops->sorts[p->sort], "host");
	render_text();
	ck_assert_str_eq(host_at(0), "10.0.0.1");
	ck_assert_str_eq(host_at(1), "10.0.0.2");
	ck_assert_str_eq(host_at(2), "192.0.2.10");
	ck_assert_str_eq(host_at(3), "192.0.2.20");
	keys("S");
	render_text();
	ck_assert_str_eq(host_at(0), "192.0.2.20");
	ck_assert_str_eq(host_at(3), "10.0.0.1");
	/* Cycling wraps around to the first sort. */
	keys("s");
	ck_assert_str_eq(p->ops->sorts[p->sort], "2s");
}
END_TEST

START_TEST(test_filter)
{
	struct ui_pane *p = &ui->panes[UI_PANE_TALKERS];

	keys("/192.0.2\n");
	render_text();
	ck_assert_str_eq(p->filter, "192.0.2");
	ck_assert_uint_eq(p->nrows, 2);
	ck_assert_str_eq(host_at(0), "192.0.2.10");
	ck_assert_str_eq(host_at(1), "192.0.2.20");
	ck_assert_ptr_nonnull(strstr(row(UI_PANE_TALKERS, 0),
	    "filter: 192.0.2"));
	/* The filter matches learned names too, after sanitising. */
	ui_key(ui, UI_KEY_ESC);
	keys("/EVIL\n");
	render_text();
	ck_assert_uint_eq(p->nrows, 1);
	ck_assert_str_eq(host_at(0), "192.0.2.10");
	/* Esc clears it. */
	ui_key(ui, UI_KEY_ESC);
	render_text();
	ck_assert_uint_eq(p->nrows, 4);
	/* Connections filter by service port. */
	ui_key(ui, UI_KEY_TAB);
	keys("/:53\n");
	render_text();
	ck_assert_uint_eq(ui->panes[UI_PANE_FLOWS].nrows, 1);
	ck_assert_ptr_nonnull(strstr(row(UI_PANE_FLOWS, 2), "192.0.2.20:53"));
	/* And by S's learned name, sanitised, while names are shown. */
	ui_key(ui, UI_KEY_ESC);
	keys("/EVIL\n");
	render_text();
	ck_assert_uint_eq(ui->panes[UI_PANE_FLOWS].nrows, 1);
	ck_assert_ptr_nonnull(strstr(row(UI_PANE_FLOWS, 2),
	    "?evil?1m.example?:443"));
	keys("n");
	render_text();
	ck_assert_uint_eq(ui->panes[UI_PANE_FLOWS].nrows, 0);
	keys("n");
	ui_key(ui, UI_KEY_ESC);
	keys("/nomatch\n");
	render_text();
	ck_assert_ptr_nonnull(strstr(row(UI_PANE_FLOWS, 2), "no flow matches"));
}
END_TEST

START_TEST(test_flows)
{
	const char *r;

	render_text();
	ck_assert_uint_eq(ui->panes[UI_PANE_FLOWS].nrows, 2);
	/* By 10 s rate: the TCP flow (916.2 B/s) before the UDP (30). */
	r = row(UI_PANE_FLOWS, 2);
	ck_assert_msg(strstr(r, "tcp") == r, "%s", r);
	ck_assert_ptr_nonnull(strstr(r, "10.0.0.1:40000"));
	/* names on: the learned name replaces S's address, sanitised */
	ck_assert_ptr_nonnull(strstr(r, "?evil?1m.example?:443"));
	ck_assert_ptr_nonnull(strstr(r, "9.92 KiB"));
	r = row(UI_PANE_FLOWS, 3);
	ck_assert_msg(strstr(r, "udp") == r, "%s", r);
	ck_assert_ptr_nonnull(strstr(r, "10.0.0.2:5353"));
	ck_assert_ptr_nonnull(strstr(r, "192.0.2.20:53"));
	ck_assert_ptr_nonnull(strstr(r, "300 B"));
	keys("n");
	render_text();
	ck_assert_ptr_nonnull(strstr(row(UI_PANE_FLOWS, 2), "192.0.2.10:443"));
}
END_TEST

START_TEST(test_services)
{
	const char *s = render_text();

	/* Protocols from the engine totals: TCP 10162 of 10462 bytes
	 * (97.13%), UDP 300 (2.87%); the services side (flows now) has the
	 * same two flows, so the same shares. */
	ck_assert_ptr_nonnull(strstr(s, "Protocols and services"));
	ck_assert_msg(strstr(s, "97.1%") != NULL, "tcp share");
	ck_assert_msg(strstr(s, "2.9%") != NULL, "udp share");
}
END_TEST

START_TEST(test_drill_down)
{
	const char *s;

	render_text();
	ui_key(ui, UI_KEY_ENTER);	/* on 10.0.0.1, the first talker */
	ck_assert_int_eq(ui->view, UI_VIEW_HOST);
	s = render_text();
	ck_assert_ptr_nonnull(strstr(s, "Host 10.0.0.1"));
	ck_assert_ptr_nonnull(strstr(s, "192.0.2.10"));
	ck_assert_ptr_nonnull(strstr(s, "/443"));
	ck_assert_ptr_nonnull(strstr(s, "Flows of 10.0.0.1"));
	ck_assert_uint_eq(ui->panes[UI_PANE_HOST].nrows, 1);
	ck_assert_ptr_null(strstr(s, "Top talkers"));
	/* Enter on its one flow opens the peer. */
	ui_key(ui, UI_KEY_ENTER);
	s = render_text();
	ck_assert_ptr_nonnull(strstr(s, "Host 192.0.2.10"));
	ck_assert_ptr_nonnull(strstr(s, "Flows of 192.0.2.10"));
	ui_key(ui, UI_KEY_ESC);
	ck_assert_int_eq(ui->view, UI_VIEW_MAIN);
	s = render_text();
	ck_assert_ptr_nonnull(strstr(s, "Top talkers"));
	/* Down, Enter: the second talker. */
	ui_key(ui, UI_KEY_DOWN);
	render_text();
	ui_key(ui, UI_KEY_ENTER);
	s = render_text();
	ck_assert_ptr_nonnull(strstr(s, "Host 192.0.2.10"));
}
END_TEST

START_TEST(test_ascii)
{
	const char *s;
	size_t i;

	teardown();
	setup();
	name("10.0.0.2", "caf\xc3\xa9-\xe2\x96\x88");
	/* UTF-8 mode: the name and the block elements come through. */
	s = render_text();
	ck_assert_ptr_nonnull(strstr(s, "caf\xc3\xa9-\xe2\x96\x88"));
	ck_assert_ptr_nonnull(strstr(s, "\xe2\x94\x80"));	/* U+2500 */
	ui_line_set_ascii(1);
	ui_set_size(ui, 120, 40);
	s = render_text();
	for (i = 0; s[i] != '\0'; i++)
		ck_assert_msg((unsigned char)s[i] < 0x80, "byte %zu: %02x", i,
		    (unsigned char)s[i]);
	ck_assert_ptr_nonnull(strstr(s, "caf?-?"));
	ck_assert_ptr_nonnull(strstr(s, "- Top talkers - sort"));
	keys("?");
	s = render_text();
	for (i = 0; s[i] != '\0'; i++)
		ck_assert_uint_lt((unsigned char)s[i], 0x80);
	ui_line_set_ascii(0);
}
END_TEST

static int
shown(enum ui_pane_id id)
{
	return ui->panes[id].shown;
}

static void
check_screen(unsigned w, unsigned h)
{
	const char *s;
	unsigned lines = 0;
	const char *p, *nl;

	ui_set_size(ui, w, h);
	s = render_text();
	for (p = s; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		/* every line is exactly w cells (ASCII here: w bytes) */
		ck_assert_uint_eq((size_t)(nl - p) <= 4 * w, 1);
		lines++;
	}
	ck_assert_uint_eq(lines, h);
}

START_TEST(test_layout)
{
	ui_line_set_ascii(1);
	check_screen(80, 24);
	ck_assert(shown(UI_PANE_TALKERS) && shown(UI_PANE_FLOWS) &&
	    shown(UI_PANE_SERVICES) && shown(UI_PANE_BANDWIDTH) &&
	    shown(UI_PANE_ALERTS));
	ck_assert_ptr_nonnull(strstr(screen, "Top talkers"));
	ck_assert_ptr_nonnull(strstr(screen, "F1 help"));
	/* Header 2 + status 1 leave 15 rows: alerts, then services go;
	 * talkers (4 + 2), connections (4 + 2) and bandwidth (3) stay. */
	check_screen(80, 18);
	ck_assert(shown(UI_PANE_TALKERS) && shown(UI_PANE_FLOWS) &&
	    shown(UI_PANE_BANDWIDTH));
	ck_assert(!shown(UI_PANE_SERVICES) && !shown(UI_PANE_ALERTS));
	check_screen(80, 12);
	ck_assert(shown(UI_PANE_TALKERS) && !shown(UI_PANE_FLOWS));
	check_screen(40, 5);
	check_screen(20, 2);
	check_screen(1, 1);
	check_screen(400, 120);
	ck_assert(shown(UI_PANE_ALERTS));
	/* Toggling panes: 3 hides the protocols pane. */
	keys("3");
	check_screen(120, 40);
	ck_assert(!shown(UI_PANE_SERVICES) && shown(UI_PANE_BANDWIDTH));
	keys("3");
	check_screen(120, 40);
	ck_assert(shown(UI_PANE_SERVICES));
	ui_line_set_ascii(0);
}
END_TEST

START_TEST(test_keys_help)
{
	size_t i, j, n = ui_key_count();
	const struct ui_key_binding *a, *b;
	const char *s;

	ck_assert_uint_gt(n, 20);
	for (i = 0; i < n; i++) {
		a = ui_key_get(i);
		ck_assert_ptr_nonnull(a->fn);
		ck_assert(a->label[0] != '\0' && a->help[0] != '\0');
		for (j = i + 1; j < n; j++) {
			b = ui_key_get(j);
			ck_assert_msg(a->key != b->key && (a->key2 == 0 ||
			    (a->key2 != b->key && a->key2 != b->key2)) &&
			    (b->key2 == 0 || b->key2 != a->key),
			    "keys %s and %s collide", a->label, b->label);
		}
	}
	/* The help is the table: every label and text is on the screen. */
	keys("?");
	ck_assert_int_eq(ui->view, UI_VIEW_HELP);
	s = render_text();
	for (i = 0; i < n; i++) {
		a = ui_key_get(i);
		ck_assert_msg(strstr(s, a->help) != NULL, "help %s", a->help);
		ck_assert_msg(strstr(s, a->label) != NULL, "label %s",
		    a->label);
	}
	ui_key(ui, UI_KEY_ESC);
	ck_assert_int_eq(ui->view, UI_VIEW_MAIN);
	ui_key(ui, UI_KEY_F1);
	ck_assert_int_eq(ui->view, UI_VIEW_HELP);
	/* At 80x24 the help scrolls to its last entry. */
	ui_set_size(ui, 80, 24);
	render_text();
	ui_key(ui, UI_KEY_END);
	s = render_text();
	ck_assert_ptr_nonnull(strstr(s, ui_key_get(n - 1)->help));
	ui_key(ui, '?');
	ck_assert_int_eq(ui->view, UI_VIEW_MAIN);
	ck_assert_int_eq(ui_key(ui, 'q') & UI_REACT_QUIT, UI_REACT_QUIT);
}
END_TEST

START_TEST(test_pause)
{
	char before[256];
	int i;

	render_text();
	snprintf(before, sizeof before, "%s", row(UI_PANE_TALKERS, 2));
	keys("p");
	render_text();		/* the key itself redraws */
	ck_assert(ui_paused(ui));
	/* Accounting goes on: 10.0.0.1 sends 50 000 bytes more ... */
	for (i = 0; i < 50; i++)
		pkt(T0 + 10 * SEC + 100 * MS, "10.0.0.1", 40000, "192.0.2.10",
		    443, 6, PKT_TCP_ACK, 20000 + (uint32_t)i * 986, 1000);
	render_text();		/* ... but a tick does not show it */
	ck_assert_str_eq(row(UI_PANE_TALKERS, 2), before);
	keys("p");
	render_text();
	/* 10162 + 50 000 = 60162 bytes = 58.75 KiB, shown as 58.8 */
	ck_assert_msg(strstr(row(UI_PANE_TALKERS, 2), "58.8 KiB") != NULL,
	    "%s", row(UI_PANE_TALKERS, 2));
}
END_TEST

static char *last_filter;
static double last_speed = -1;
static int last_paused = -1;

static int
fake_filter(void *arg, const char *expr, char **cause)
{
	(void)arg;
	if (strstr(expr, "bad") != NULL) {
		*cause = strdup("syntax error");
		return -1;
	}
	free(last_filter);
	last_filter = strdup(expr);
	return 0;
}

static void
fake_speed(void *arg, double s)
{
	(void)arg;
	last_speed = s;
}

static void
fake_paused(void *arg, int p)
{
	(void)arg;
	last_paused = p;
}

START_TEST(test_hooks)
{
	struct ui_hooks h = { NULL, fake_filter, fake_speed, fake_paused };
	const char *s;
	int i;

	ui_set_hooks(ui, &h);
	keys("fbad\n");
	s = render_text();
	ck_assert_ptr_nonnull(strstr(s, "capture filter: bad"));
	ck_assert_ptr_nonnull(strstr(s, "filter error: syntax error"));
	ck_assert_int_eq(ui->input, 'f');	/* still editing */
	for (i = 0; i < 3; i++)
		ui_key(ui, UI_KEY_BACKSPACE);
	keys("tcp port 443\n");
	ck_assert_int_eq(ui->input, 0);
	ck_assert_str_eq(last_filter, "tcp port 443");
	s = render_text();
	ck_assert_ptr_nonnull(strstr(s, "bpf: tcp port 443"));
	/* Replay pace: 1 -> 2 -> 1 -> 0.5; space pauses. */
	keys("+");
	ck_assert(last_speed == 2);
	keys("--");
	ck_assert(last_speed == 0.5);
	keys(" ");
	ck_assert_int_eq(last_paused, 1);
	keys(" ");
	ck_assert_int_eq(last_paused, 0);
	free(last_filter);
	last_filter = NULL;
}
END_TEST

/* ---- partial sort ------------------------------------------------------ */

static int
tie_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return x < y ? -1 : x > y;
}

static int
ref_cmp(const void *a, const void *b)
{
	const struct ui_sortent *x = a, *y = b;

	if (x->k1 != y->k1)
		return x->k1 > y->k1 ? -1 : 1;
	if (x->k2 != y->k2)
		return x->k2 > y->k2 ? -1 : 1;
	return tie_ptr(x->p, y->p);
}

/* Random entries with many ties; tk, when set, a prefix of tie_ptr()'s
 * order (p >> 6 never decreases as p grows). */
static void
sort_fill(struct ui_sortent *a, size_t n, unsigned *seed, int with_tk)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		a[i].k1 = (*seed >> 16) % 50;	/* many ties */
		a[i].k2 = (*seed >> 8) % 3;
		a[i].p = (const void *)(uintptr_t)(i + 1);
		a[i].tk = with_tk ? (uint64_t)(i + 1) >> 6 : 0;
	}
}

START_TEST(test_sort_top)
{
	enum { N = 5000 };
	static struct ui_sortent a[N], ref[N], heap[N + 5];
	struct ui_topk top;
	size_t i, ks[] = { 0, 1, 7, 100, N - 1, N, N + 5 }, k, got;
	unsigned seed = 12345;
	int tk;

	for (tk = 0; tk < 2; tk++) {
		for (k = 0; k < sizeof ks / sizeof ks[0]; k++) {
			sort_fill(a, N, &seed, tk);
			memcpy(ref, a, sizeof a);
			qsort(ref, N, sizeof ref[0], ref_cmp);
			/* The fed selection keeps the same rows, in order. */
			ui_topk_init(&top, heap, ks[k] < N ? ks[k] : N, 0,
			    tie_ptr);
			for (i = 0; i < N; i++)
				ui_topk_add(&top, &a[i]);
			got = ui_topk_done(&top);
			ck_assert_uint_eq(got, ks[k] < N ? ks[k] : N);
			for (i = 0; i < got; i++)
				ck_assert_msg(heap[i].p == ref[i].p,
				    "topk tk=%d k=%zu i=%zu", tk, ks[k], i);
			ui_sort_top(a, N, ks[k], 0, tie_ptr);
			for (i = 0; i < ks[k] && i < N; i++)
				ck_assert_msg(a[i].p == ref[i].p,
				    "tk=%d k=%zu i=%zu", tk, ks[k], i);
		}
	}
}
END_TEST

/* A flow's tie prefix agrees with the tie: a smaller prefix means an
 * earlier flow, whatever follows. */
START_TEST(test_flow_tie_prefix)
{
	const struct flow *f, *g;
	size_t n = 0;
	int t;

	/* Two more flows whose keys differ only after the prefix. */
	pkt(T0 + 10 * SEC, "10.0.0.1", 40001, "192.0.2.10", 443, 6,
	    PKT_TCP_SYN, 7, 54);
	pkt(T0 + 10 * SEC, "10.0.0.3", 40001, "10.0.0.1", 80, 6,
	    PKT_TCP_SYN, 7, 54);
	for (f = engine_flow_first(eng); f != NULL;
	    f = engine_flow_next(eng, f)) {
		n++;
		for (g = engine_flow_first(eng); g != NULL;
		    g = engine_flow_next(eng, g)) {
			t = ui_flow_tie(f, g);
			if (ui_flow_tk(f) < ui_flow_tk(g))
				ck_assert_int_lt(t, 0);
			else if (ui_flow_tk(f) > ui_flow_tk(g))
				ck_assert_int_gt(t, 0);
		}
	}
	ck_assert_uint_eq(n, 4);
}
END_TEST

static Suite *
ui_suite(void)
{
	Suite *s = suite_create("ui");
	TCase *tc = tcase_create("ui");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sanitize);
	tcase_add_test(tc, test_line_field);
	tcase_add_test(tc, test_talkers);
	tcase_add_test(tc, test_sort);
	tcase_add_test(tc, test_filter);
	tcase_add_test(tc, test_flows);
	tcase_add_test(tc, test_services);
	tcase_add_test(tc, test_drill_down);
	tcase_add_test(tc, test_ascii);
	tcase_add_test(tc, test_layout);
	tcase_add_test(tc, test_keys_help);
	tcase_add_test(tc, test_pause);
	tcase_add_test(tc, test_hooks);
	tcase_add_test(tc, test_sort_top);
	tcase_add_test(tc, test_flow_tie_prefix);
	suite_add_tcase(s, tc);
	return s;
}

int main(void);

int
main(void)
{
	SRunner *sr = srunner_create(ui_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
