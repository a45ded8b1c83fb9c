/*
 * benchgen.c: deterministic synthetic captures for make bench.
 *
 * A benchmark tool (single-threaded, not part of the program).  Everything
 * derives from a fixed seed through splitmix64, so the same arguments give
 * the same file, byte for byte.
 *
 * Default mode: PACKETS packets over FLOWS flows, in about 60 s of packet
 * time.  10% of the flows are DNS lookups (a query and an answer with a
 * real A/AAAA record), 20% UDP exchanges, 70% TCP connections (SYN,
 * SYN-ACK, ACK, data both ways, FIN both ways).  The packets beyond each
 * flow's minimum (TCP 5, UDP 2, DNS 2) are shared out with Zipf
 * popularity (s = 1: the flow of rank r gets a share proportional to
 * 1/r); a TCP handshake's packets are a round trip (1..50 ms) apart.
 * 80% IPv4, 20% IPv6; 10% of the flows carry an 802.1Q tag.  Data
 * frames are 35% full size (1514), 10% 576..1375 and 55% 66..129 bytes,
 * zero-filled.  Each flow starts at a random time and spreads its packets
 * evenly over its lifetime; a heap merges the flows in time order.
 *
 * --concurrent: every flow is opened before any is closed: a round of
 * SYNs for all flows, then SYN-ACKs, ACKs, data rounds and FINs, so all
 * FLOWS flows are live at once (within 30 s, under the TCP timeouts).
 *
 * --short: every flow is a UDP request and its answer, two packets and
 * nothing more (PACKETS defaults to, and must be, 2 x FLOWS): the flow
 * record path (finalise, format, write) dominates the cost.
 *
 * Output: pcap, microsecond timestamps, little-endian, Ethernet.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE_SEC	1700000000ull
#define SPAN_NS		(60ull * 1000000000ull)
#define OUTBUF		(8u << 20)

enum ftype { F_TCP, F_UDP, F_DNS };

/* Per flow state, 48 bytes. */
struct flow {
	uint64_t next_ns;	/* time of its next packet */
	uint64_t gap_ns;	/* between its packets */
	uint64_t rtt_ns;	/* TCP: between the handshake's packets */
	uint32_t count;		/* packets in total */
	uint32_t sent;		/* packets written so far */
	uint32_t seq_c;		/* client's next sequence number */
	uint32_t seq_s;
	uint32_t id;		/* flow index (the attributes derive from it) */
	uint32_t pad;
};

/* What a flow is, derived from its index. */
struct attr {
	enum ftype type;
	int v6;
	uint16_t vlan;		/* 0 = untagged */
	uint8_t caddr[16], saddr[16];
	uint16_t cport, sport;
};

static uint64_t seed = 0x77697265746f70ull;	/* "wiretop" */
static uint8_t *obuf;
static size_t olen;
static FILE *out;
static uint64_t n_written, bytes_written;
static int concurrent;
static int shortflows;	/* --short: two-packet UDP exchanges only */

static void
fail(const char *msg)
{
	fprintf(stderr, "benchgen: %s%s%s\n", msg, errno ? ": " : "",
	    errno ? strerror(errno) : "");
	exit(1);
}

/* splitmix64 (Steele, Lea, Flood 2014) as a hash of (seed, a, b). */
static uint64_t
mix(uint64_t a, uint64_t b)
{
	uint64_t z = seed + a * 0x9e3779b97f4a7c15ull +
	    b * 0xbf58476d1ce4e5b9ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void
flush_out(void)
{
	if (olen > 0 && fwrite(obuf, 1, olen, out) != olen)
		fail("write error");
	olen = 0;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
get_attr(uint32_t id, struct attr *a)
{
	uint64_t h = mix(id, 1);
	uint32_t client = id % 50000 + 1;
	uint32_t server = (uint32_t)(mix(id, 2) % 20000);
	static const uint16_t ports[8] = { 443, 443, 443, 80, 22, 8080, 993,
	    5432 };

	memset(a, 0, sizeof *a);
	if (concurrent)
		a->type = F_TCP;
	else if (shortflows)
		a->type = F_UDP;
	else if (h % 10 == 0)
		a->type = F_DNS;
	else if (h % 10 < 3)
		a->type = F_UDP;
	else
		a->type = F_TCP;
	a->v6 = (h >> 8) % 5 == 0;
	a->vlan = (h >> 16) % 10 == 0 ? (uint16_t)(100 + (h >> 24) % 8) : 0;
	a->cport = (uint16_t)(20000 + id / 50000);
	if (a->type == F_DNS)
		a->sport = 53;
	else if (a->type == F_UDP)
		a->sport = (uint16_t)(5000 + (h >> 32) % 64);
	else
		a->sport = ports[(h >> 40) % 8];
	if (!a->v6) {
		a->caddr[0] = 10;
		a->caddr[1] = (uint8_t)(client >> 16);
		a->caddr[2] = (uint8_t)(client >> 8);
		a->caddr[3] = (uint8_t)client;
		a->saddr[0] = (uint8_t)(45 + server % 70);
		a->saddr[1] = (uint8_t)(server >> 8);
		a->saddr[2] = (uint8_t)server;
		a->saddr[3] = 1;
		if (a->type == F_DNS) {
			memcpy(a->saddr, "\x0a\x00\x00\x35", 4);
		}
	} else {
		a->caddr[0] = 0xfd;
		a->caddr[13] = (uint8_t)(client >> 16);
		a->caddr[14] = (uint8_t)(client >> 8);
		a->caddr[15] = (uint8_t)client;
		a->saddr[0] = 0x20;
		a->saddr[1] = 0x01;
		a->saddr[2] = 0x0d;
		a->saddr[3] = 0xb8;
		a->saddr[14] = (uint8_t)(server >> 8);
		a->saddr[15] = (uint8_t)server;
		if (a->type == F_DNS) {
			memset(a->saddr + 4, 0, 12);
			a->saddr[15] = 0x35;
		}
	}
}

/* Frame size of a data packet. */
static unsigned
data_size(uint64_t h)
{
	unsigned r = (unsigned)(h % 100);

	if (concurrent)
		return 66 + (unsigned)((h >> 8) % 500);
	if (r < 35)
		return 1514;
	if (r < 45)
		return 576 + (unsigned)((h >> 8) % 800);
	return 66 + (unsigned)((h >> 8) % 64);
}

/* Append one packet: Ethernet [802.1Q] IPv4|IPv6 TCP|UDP payload;
 * returns the payload length. */
static size_t
emit(uint64_t t_ns, const struct attr *a, int from_client, uint8_t flags,
    uint32_t seq, uint32_t ack, unsigned frame_target, const uint8_t *app,
    size_t app_len)
{
	uint8_t *rec, *p, *l4;
	const uint8_t *src = from_client ? a->caddr : a->saddr;
	const uint8_t *dst = from_client ? a->saddr : a->caddr;
	size_t hdr, l4h = a->type == F_TCP ? 20 : 8, payload, frame;
	uint64_t us = t_ns / 1000;

	hdr = 14 + (a->vlan ? 4 : 0) + (a->v6 ? 40 : 20);
	if (app != NULL)
		payload = app_len;
	else if (frame_target > hdr + l4h)
		payload = frame_target - hdr - l4h;
	else
		payload = 0;
	frame = hdr + l4h + payload;
	if (OUTBUF - olen < frame + 16)
		flush_out();
	rec = obuf + olen;
	le32(rec, (uint32_t)(BASE_SEC + us / 1000000));
	le32(rec + 4, (uint32_t)(us % 1000000));
	le32(rec + 8, (uint32_t)frame);
	le32(rec + 12, (uint32_t)frame);
	p = rec + 16;
	memset(p, 0, frame);

	/* Ethernet: locally administered MACs from the addresses */
	p[0] = 0x02;
	memcpy(p + 2, dst + (a->v6 ? 12 : 0), 4);
	p[6] = 0x02;
	memcpy(p + 8, src + (a->v6 ? 12 : 0), 4);
	p += 12;
	if (a->vlan) {
		put16(p, 0x8100);
		put16(p + 2, a->vlan);
		p += 4;
	}
	put16(p, a->v6 ? 0x86dd : 0x0800);
	p += 2;
	if (!a->v6) {
		uint32_t sum = 0;
		int i;

		p[0] = 0x45;
		put16(p + 2, (uint16_t)(20 + l4h + payload));
		put16(p + 4, (uint16_t)n_written);
		p[8] = 64;
		p[9] = a->type == F_TCP ? 6 : 17;
		memcpy(p + 12, src, 4);
		memcpy(p + 16, dst, 4);
		for (i = 0; i < 20; i += 2)
			sum += (uint32_t)p[i] << 8 | p[i + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		put16(p + 10, (uint16_t)~sum);
		l4 = p + 20;
	} else {
		p[0] = 0x60;
		put16(p + 4, (uint16_t)(l4h + payload));
		p[6] = a->type == F_TCP ? 6 : 17;
		p[7] = 64;
		memcpy(p + 8, src, 16);
		memcpy(p + 24, dst, 16);
		l4 = p + 40;
	}
	put16(l4, from_client ? a->cport : a->sport);
	put16(l4 + 2, from_client ? a->sport : a->cport);
	if (a->type == F_TCP) {
		put32(l4 + 4, seq);
		put32(l4 + 8, ack);
		l4[12] = 5 << 4;
		l4[13] = flags;
		put16(l4 + 14, 64240);
	} else {
		put16(l4 + 4, (uint16_t)(8 + payload));
	}
	if (app != NULL)
		memcpy(l4 + l4h, app, app_len);
	olen += 16 + frame;
	n_written++;
	bytes_written += frame;
	return payload;
}

/* A DNS query (answer = 0) or response for host<id>.example.com. */
static size_t
dns_msg(const struct attr *a, uint32_t id, int answer, uint8_t *m)
{
	char label[16];
	size_t n = 12, l;

	memset(m, 0, 12);
	put16(m, (uint16_t)id);
	put16(m + 2, answer ? 0x8180 : 0x0100);
	put16(m + 4, 1);
	put16(m + 6, answer ? 1 : 0);
	l = (size_t)snprintf(label, sizeof label, "host%" PRIu32, id);
	m[n++] = (uint8_t)l;
	memcpy(m + n, label, l);
	n += l;
	memcpy(m + n, "\x07" "example" "\x03" "com", 12);
	n += 12;
	m[n++] = 0;
	put16(m + n, a->v6 ? 28 : 1);
	put16(m + n + 2, 1);
	n += 4;
	if (answer) {
		/* the answer names a server address of the flow's family */
		put16(m + n, 0xc00c);
		put16(m + n + 2, a->v6 ? 28 : 1);
		put16(m + n + 4, 1);
		put32(m + n + 6, 300);
		put16(m + n + 10, a->v6 ? 16 : 4);
		n += 12;
		if (a->v6) {
			memcpy(m + n, "\x20\x01\x0d\xb8", 4);
			memset(m + n + 4, 0, 12);
			m[n + 14] = (uint8_t)(id >> 8);
			m[n + 15] = (uint8_t)id;
			n += 16;
		} else {
			m[n] = (uint8_t)(45 + id % 70);
			m[n + 1] = (uint8_t)(id >> 8);
			m[n + 2] = (uint8_t)id;
			m[n + 3] = 1;
			n += 4;
		}
	}
	return n;
}

/* Packet number f->sent of flow f. */
static void
flow_packet(struct flow *f, uint64_t t_ns)
{
	struct attr a;
	uint32_t i = f->sent, c = f->count;
	uint64_t h = mix(f->id, 1000 + i);

	get_attr(f->id, &a);
	if (a.type == F_DNS) {
		uint8_t m[128];
		size_t n = dns_msg(&a, f->id, i == 1, m);

		emit(t_ns, &a, i == 0, 0, 0, 0, 0, m, n);
	} else if (a.type == F_UDP) {
		emit(t_ns, &a, i % 2 == 0, 0, 0, 0,
		    60 + (unsigned)(h % 1140), NULL, 0);
	} else if (i == 0) {
		emit(t_ns, &a, 1, 0x02, f->seq_c++, 0, 0, NULL, 0);
	} else if (i == 1) {
		emit(t_ns, &a, 0, 0x12, f->seq_s++, f->seq_c, 0, NULL, 0);
	} else if (i == 2) {
		emit(t_ns, &a, 1, 0x10, f->seq_c, f->seq_s, 0, NULL, 0);
	} else if (i == c - 2) {
		emit(t_ns, &a, 1, 0x11, f->seq_c++, f->seq_s, 0, NULL, 0);
	} else if (i == c - 1) {
		emit(t_ns, &a, 0, 0x11, f->seq_s++, f->seq_c, 0, NULL, 0);
	} else {
		int up = concurrent ? (i % 2 == 1) : (h >> 48) % 100 < 35;
		uint32_t len;

		len = (uint32_t)emit(t_ns, &a, up, 0x18,
		    up ? f->seq_c : f->seq_s, up ? f->seq_s : f->seq_c,
		    data_size(h), NULL, 0);
		if (up)
			f->seq_c += len;
		else
			f->seq_s += len;
	}
	f->sent++;
}

/* ---- a binary min-heap of flows keyed by (next_ns, id) ------------- */

static struct flow *flows;
static uint32_t *heap;
static size_t nheap;

static int
before(uint32_t x, uint32_t y)
{
	const struct flow *a = &flows[x], *b = &flows[y];

	return a->next_ns < b->next_ns ||
	    (a->next_ns == b->next_ns && a->id < b->id);
}

static void
heap_down(size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		uint32_t t;

		if (l < nheap && before(heap[l], heap[m]))
			m = l;
		if (l + 1 < nheap && before(heap[l + 1], heap[m]))
			m = l + 1;
		if (m == i)
			return;
		t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
}

static void
run_zipf(uint64_t npackets, uint32_t nflows)
{
	uint64_t base = 0, rest, given = 0;
	double hsum = 0;
	uint32_t i, r, nz = 0;
	uint32_t *ranked;

	flows = calloc(nflows, sizeof *flows);
	heap = calloc(nflows, sizeof *heap);
	ranked = calloc(nflows, sizeof *ranked);
	if (flows == NULL || heap == NULL || ranked == NULL)
		fail("out of memory");
	for (i = 0; i < nflows; i++) {
		struct attr a;

		get_attr(i, &a);
		flows[i].id = i;
		flows[i].count = a.type == F_TCP ? 5 : 2;
		flows[i].seq_c = (uint32_t)mix(i, 3);
		flows[i].seq_s = (uint32_t)mix(i, 4);
		base += flows[i].count;
		if (a.type != F_DNS)
			ranked[nz++] = i;
	}
	if (npackets < base) {
		errno = 0;
		fail("too few packets for that many flows");
	}
	/* Zipf shares, s = 1: rank r (1-based) gets rest / (r H) */
	rest = npackets - base;
	if (nz == 0 && rest > 0) {
		errno = 0;
		fail("no TCP or UDP flows to give the extra packets to");
	}
	for (r = 1; r <= nz; r++)
		hsum += 1.0 / r;
	/* rank order: a fixed shuffle of the non-DNS flows */
	for (r = nz; r > 1; r--) {
		uint32_t j = (uint32_t)(mix(r, 5) % r), t = ranked[r - 1];

		ranked[r - 1] = ranked[j];
		ranked[j] = t;
	}
	for (r = 0; r < nz; r++) {
		uint64_t s = (uint64_t)((double)rest / ((r + 1) * hsum));

		flows[ranked[r]].count += (uint32_t)s;
		given += s;
	}
	for (r = 0; given < rest; r = (r + 1) % nz, given++)
		flows[ranked[r]].count++;
	free(ranked);

	for (i = 0; i < nflows; i++) {
		struct flow *f = &flows[i];
		uint64_t start = mix(i, 6) % (SPAN_NS / 10 * 8);
		uint64_t life = SPAN_NS - start;
		uint64_t u = 200 + mix(i, 7) % 801;	/* 20%..100% */

		if (f->count == 2)
			life = life * u / 1000 / 8;	/* short exchanges */
		else
			life = life * u / 1000;
		f->next_ns = start;
		f->gap_ns = life / f->count;
		/* A handshake takes a round trip (1..50 ms), not a share of
		 * the flow's life: a SYN answered seconds later is an
		 * attempt that ended (Zeek's tcp_attempt_delay, 5 s). */
		f->rtt_ns = (1 + mix(i, 8) % 50) * 1000000ull;
		heap[i] = i;
	}
	nheap = nflows;
	for (i = nflows / 2 + 1; i-- > 0;)
		heap_down(i);
	while (nheap > 0) {
		struct flow *f = &flows[heap[0]];

		flow_packet(f, f->next_ns);
		if (f->sent == f->count) {
			heap[0] = heap[--nheap];
		} else {
			struct attr a;

			get_attr(f->id, &a);
			f->next_ns += a.type != F_DNS && a.type != F_UDP &&
			    f->sent < 3 ? f->rtt_ns : f->gap_ns;
		}
		heap_down(0);
	}
	free(heap);
	free(flows);
}

/* All flows open at once: round k sends packet k of every flow. */
static void
run_concurrent(uint64_t npackets, uint32_t nflows)
{
	uint64_t per = npackets / nflows, t = 0, step;
	uint32_t i, k;

	if (per < 3) {
		errno = 0;
		fail("--concurrent needs at least 3 packets per flow");
	}
	flows = calloc(nflows, sizeof *flows);
	if (flows == NULL)
		fail("out of memory");
	/* per packet 1-5 us: the whole file spans well under 60 s */
	step = 30ull * 1000000000ull / ((uint64_t)nflows * per);
	if (step == 0)
		step = 1;
	for (i = 0; i < nflows; i++) {
		flows[i].id = i;
		/* fewer than 5 packets: no FINs, the flows stay open */
		flows[i].count = per >= 5 ? (uint32_t)per : (uint32_t)per + 2;
		flows[i].seq_c = (uint32_t)mix(i, 3);
		flows[i].seq_s = (uint32_t)mix(i, 4);
	}
	for (k = 0; k < per; k++) {
		for (i = 0; i < nflows; i++) {
			flow_packet(&flows[i], t);
			t += step;
		}
	}
	free(flows);
}

static void
usage(void)
{
	fprintf(stderr, "usage: benchgen -o FILE -n PACKETS -f FLOWS "
	    "[--concurrent | --short] [--seed N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "concurrent", no_argument, NULL, 'c' },
		{ "short", no_argument, NULL, 'S' },
		{ "seed", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = NULL;
	uint64_t npackets = 0;
	unsigned long long v;
	uint32_t nflows = 0;
	uint8_t hdr[24];
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "o:n:f:s:", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'o':
			path = optarg;
			break;
		case 'n':
		case 'f':
		case 's':
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg)
				usage();
			if (c == 'n')
				npackets = v;
			else if (c == 's')
				seed = v;
			else if (v > 50000000ull)
				usage();
			else
				nflows = (uint32_t)v;
			break;
		case 'c':
			concurrent = 1;
			break;
		case 'S':
			shortflows = 1;
			break;
		default:
			usage();
		}
	}
	if (path == NULL || nflows == 0 || optind != argc ||
	    (concurrent && shortflows))
		usage();
	if (npackets == 0)
		npackets = concurrent ? 7ull * nflows : shortflows ?
		    2ull * nflows : 25ull * nflows;
	if (shortflows && npackets != 2ull * nflows)
		usage();
	if ((out = fopen(path, "wb")) == NULL)
		fail(path);
	if ((obuf = malloc(OUTBUF)) == NULL)
		fail("out of memory");

	/* pcap file header: magic, 2.4, zone, sigfigs, snaplen, Ethernet */
	memset(hdr, 0, sizeof hdr);
	le32(hdr, 0xa1b2c3d4);
	hdr[4] = 2;
	hdr[6] = 4;
	le32(hdr + 16, 65535);
	le32(hdr + 20, 1);
	memcpy(obuf, hdr, sizeof hdr);
	olen = sizeof hdr;

	if (concurrent)
		run_concurrent(npackets, nflows);
	else
		run_zipf(npackets, nflows);
	flush_out();
	if (fclose(out) != 0)
		fail("write error");
	free(obuf);
	fprintf(stderr, "benchgen: %s: %" PRIu64 " packets, %" PRIu64
	    " bytes, %" PRIu32 " flows%s\n", path, n_written, bytes_written,
	    nflows, concurrent ? " (all concurrent)" : shortflows ?
	    " (two packets each)" : "");
	return 0;
}
