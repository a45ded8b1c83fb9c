/*
 * uibench.c: CPU cost of one TUI frame with big tables (make bench).
 *
 * A benchmark tool, single-threaded, not part of the program.  Fills an
 * engine through engine_packet() with FLOWS flows among HOSTS hosts (by
 * default 100 000 and 50 000: half clients, half servers, three packets a
 * flow over 50 s of packet time, names for a tenth of the servers), then
 * times FRAMES renders of every main pane (collect, sort, render into
 * lines; no terminal) at 200x60 and prints the CPU milliseconds per
 * frame.  Exit 1 if --max-ms is given and the frame costs more.
 *
 *   uibench [-f FLOWS] [-H HOSTS] [-n FRAMES] [-w W] [-h H] [--max-ms MS]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "pkt.h"
#include "ui-line.h"
#include "ui.h"

#define SEC	1000000000ull
#define T0	(1700000000ull * SEC)

int main(int, char **);

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
v4(uint8_t out[16], uint8_t a, uint8_t b, uint32_t i)
{
	memset(out, 0, 16);
	out[0] = a;
	out[1] = b;
	out[2] = (uint8_t)(i >> 8);
	out[3] = (uint8_t)i;
}

static void
packet(struct engine *e, uint64_t ts, const uint8_t *src, uint16_t sp,
    const uint8_t *dst, uint16_t dp, uint8_t proto, uint8_t flags,
    uint32_t wire)
{
	struct pkt_meta m;

	memset(&m, 0, sizeof m);
	m.ts_ns = ts;
	memcpy(m.src, src, 16);
	memcpy(m.dst, dst, 16);
	m.ip_ver = 4;
	m.proto = proto;
	m.sport = sp;
	m.dport = dp;
	m.flags = PKT_F_L4;
	m.wire_len = m.cap_len = wire;
	m.ip_len = wire - 14;
	m.l4_len = m.ip_len - 20 - (proto == 6 ? 20 : 8);
	m.tcp_flags = flags;
	m.tcp_seq = 1000;
	m.tcp_win = 65535;
	m.linktype = 1;
	m.ethertype = 0x0800;
	m.status = PKT_DECODED;
	engine_packet(e, &m);
}

int
main(int argc, char **argv)
{
	static const uint16_t ports[] = { 443, 80, 53, 22, 8080, 123 };
	struct engine_cfg cfg;
	const char *names[] = { "bench0" };
	struct engine *e;
	struct ui *ui;
	struct ui_opts uo;
	struct pkt_name pn;
	uint8_t c[16], s[16];
	unsigned long flows = 100000, hosts = 50000, frames = 50, i;
	unsigned w = 200, h = 60, nc, ns;
	double max_ms = 0, t, ms;
	uint64_t ts;
	uint16_t dp;
	uint8_t proto;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-f") == 0 && a + 1 < argc)
			flows = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "-H") == 0 && a + 1 < argc)
			hosts = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "-n") == 0 && a + 1 < argc)
			frames = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "-w") == 0 && a + 1 < argc)
			w = (unsigned)strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "-h") == 0 && a + 1 < argc)
			h = (unsigned)strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--max-ms") == 0 && a + 1 < argc)
			max_ms = strtod(argv[++a], NULL);
		else {
			fprintf(stderr, "usage: uibench [-f FLOWS] [-H HOSTS] "
			    "[-n FRAMES] [-w W] [-h H] [--max-ms MS]\n");
			return 2;
		}
	}
	if (hosts < 2 || flows == 0 || frames == 0) {
		fprintf(stderr, "uibench: need 2+ hosts, 1+ flows, 1+ frames\n");
		return 2;
	}
	nc = (unsigned)(hosts / 2);
	ns = (unsigned)(hosts - nc);

	memset(&cfg, 0, sizeof cfg);
	cfg.keep_rates = 1;
	cfg.n_sources = 1;
	cfg.source_names = names;
	e = engine_create(&cfg);
	/* Flow i: client i % nc, server (i * 7919) % ns, a distinct client
	 * port per round over the clients, so every 5-tuple is new. */
	t = cpu_ms();
	for (i = 0; i < flows; i++) {
		ts = T0 + i * (50 * SEC) / flows;
		v4(c, 10, (uint8_t)(i % nc >> 16), (uint32_t)(i % nc));
		v4(s, 172, (uint8_t)(16 + ((i * 7919) % ns >> 16)),
		    (uint32_t)((i * 7919) % ns));
		dp = ports[i % 6];
		proto = dp == 53 || dp == 123 ? 17 : 6;
		packet(e, ts, c, (uint16_t)(20000 + i / nc), s, dp, proto,
		    PKT_TCP_SYN, 60);
		packet(e, ts + 1000000, s, dp, c, (uint16_t)(20000 + i / nc),
		    proto, PKT_TCP_SYN | PKT_TCP_ACK, 60);
		packet(e, ts + 2000000, c, (uint16_t)(20000 + i / nc), s, dp,
		    proto, PKT_TCP_ACK | PKT_TCP_PSH, 1000 + (uint32_t)(i % 500));
	}
	for (i = 0; i < ns / 10; i++) {
		memset(&pn, 0, sizeof pn);
		pn.ts_ns = T0 + 50 * SEC;
		pn.kind = PKT_NAME_DNS;
		pn.ip_ver = 4;
		v4(pn.addr, 172, (uint8_t)(16 + (i >> 16)), (uint32_t)i);
		snprintf(pn.name, sizeof pn.name, "server-%lu.example.com", i);
		engine_name(e, &pn);
	}
	printf("uibench: filled %zu flows, %zu hosts in %.0f ms\n",
	    engine_flow_count(e), engine_host_count(e), cpu_ms() - t);

	ui_line_set_ascii(0);
	memset(&uo, 0, sizeof uo);
	uo.bits = 1;
	uo.names = 1;
	ui = ui_create(&uo, e);
	ui_set_size(ui, w, h);
	ui_render(ui);	/* warm-up: allocations */
	t = cpu_ms();
	for (i = 0; i < frames; i++)
		ui_render(ui);
	ms = (cpu_ms() - t) / (double)frames;
	printf("uibench: %ux%u, %zu flows, %zu hosts: %.3f ms CPU per frame "
	    "(collect + sort + render of every pane, mean of %lu)\n", w, h,
	    engine_flow_count(e), engine_host_count(e), ms, frames);
	ui_free(ui);
	engine_free(e);
	if (max_ms > 0 && ms > max_ms) {
		printf("uibench: over the %.1f ms target\n", max_ms);
		return 1;
	}
	return 0;
}
