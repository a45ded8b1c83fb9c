/*
 * test-decode.c: unit tests for the packet decoder (src/decode*.c).
 *
 * Every fixture is built here byte by byte (a few helpers write the
 * headers in network byte order), and every expected value is one the
 * fixture wrote, so a test fails if the decoder reads a field from the
 * wrong place.  Each fixture is then decoded at every truncation length
 * 0..len, from a heap copy of exactly that many bytes (so the sanitizer
 * build catches any read past the capture), and the status must be
 * TRUNCATED below the length of the headers the fixture needs and the
 * full-length status from there on; IP addresses must be set as soon as
 * the fixed IP header is there.  Finally every packet of every capture
 * in $WT_CORPUS/real and $WT_CORPUS/tcpdump that libpcap can open is
 * decoded whole and cut, looking for crashes and broken invariants.
 *
 * With WT_WRITE_SEEDS=DIR in the environment, every fixture is also
 * written to DIR in the fuzz-decode input format (one byte picking the
 * link type, then the packet) to seed tests/fuzz/corpus/decode.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wt-check.h"

#include "decode.h"
#include "pkt.h"

#define TS	1700000000123456789ull

static const uint8_t A4[4] = { 192, 0, 2, 1 };
static const uint8_t B4[4] = { 198, 51, 100, 2 };
static const uint8_t C4[4] = { 203, 0, 113, 9 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0x01 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0x02 };
static const uint8_t ZERO16[16];
/* A Teredo address (2001:0::/32, RFC 4380 section 4). */
static const uint8_t T6[16] = { 0x20, 0x01, 0, 0, 0x0d, 0x5d, 0xa5, 0x99,
    0x38, 0x90, 0xf3, 0xfd, 0x52, 0x26, 0x27, 0x7a };

/* ------------------------------------------------------------------ */
/* Fixture builder. */

struct fx {
	const char *name;
	uint32_t lt;		/* link type */
	uint8_t b[2048];
	size_t n;		/* bytes written */
	size_t ip_end;		/* end of the outermost fixed IP header */
	int ip_ver;		/* of the outermost IP header */
	size_t hdr_end;		/* bytes the headers we need take */
};

static void
fx_init(struct fx *f, const char *name, uint32_t lt)
{
	memset(f, 0, sizeof *f);
	f->name = name;
	f->lt = lt;
}

static size_t
put8(struct fx *f, unsigned v)
{
	ck_assert_uint_lt(f->n, sizeof f->b);
	f->b[f->n] = (uint8_t)v;
	return f->n++;
}

static size_t
put16(struct fx *f, unsigned v)
{
	size_t off = put8(f, (v >> 8) & 0xff);

	put8(f, v & 0xff);
	return off;
}

static size_t
put32(struct fx *f, uint32_t v)
{
	size_t off = put16(f, v >> 16);

	put16(f, v & 0xffff);
	return off;
}

static size_t
putle16(struct fx *f, unsigned v)
{
	size_t off = put8(f, v & 0xff);

	put8(f, (v >> 8) & 0xff);
	return off;
}

static size_t
putle32(struct fx *f, uint32_t v)
{
	size_t off = putle16(f, v & 0xffff);

	putle16(f, v >> 16);
	return off;
}

static size_t
putn(struct fx *f, const void *p, size_t n)
{
	size_t off = f->n;

	ck_assert_uint_le(n, sizeof f->b - f->n);
	memcpy(f->b + f->n, p, n);
	f->n += n;
	return off;
}

static size_t
putz(struct fx *f, size_t n)
{
	size_t off = f->n;

	while (n-- > 0)
		put8(f, 0);
	return off;
}

static void
set16(struct fx *f, size_t off, unsigned v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static void
setle16(struct fx *f, size_t off, unsigned v)
{
	f->b[off] = (uint8_t)v;
	f->b[off + 1] = (uint8_t)(v >> 8);
}

/* Mark the end of the headers the decoder needs. */
static void
hdr(struct fx *f)
{
	f->hdr_end = f->n;
}

static void
eth(struct fx *f, unsigned type)
{
	static const uint8_t d[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t s[6] = { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };

	putn(f, d, 6);
	putn(f, s, 6);
	put16(f, type);
}

static void
vlan(struct fx *f, unsigned tci, unsigned type)
{
	put16(f, tci);
	put16(f, type);
}

/* IPv4 header A4 -> B4 with optlen bytes of options (a Router Alert,
 * then NOPs); the total length is set by ipv4_end(). */
static size_t
ipv4x(struct fx *f, unsigned proto, unsigned id, unsigned frag, unsigned ttl,
    size_t optlen, const uint8_t *src, const uint8_t *dst)
{
	size_t off, i;

	off = put8(f, 0x40 | (unsigned)(5 + optlen / 4));
	put8(f, 0);
	put16(f, 0);
	put16(f, id);
	put16(f, frag);
	put8(f, ttl);
	put8(f, proto);
	put16(f, 0);
	putn(f, src, 4);
	putn(f, dst, 4);
	if (f->ip_end == 0) {
		f->ip_end = f->n;
		f->ip_ver = 4;
	}
	for (i = 0; i < optlen; i++) {
		static const uint8_t ra[4] = { 0x94, 0x04, 0x00, 0x00 };

		put8(f, i < 4 ? ra[i] : 0x01);
	}
	return off;
}

static size_t
ipv4(struct fx *f, unsigned proto)
{
	return ipv4x(f, proto, 0x1234, 0x4000, 64, 0, A4, B4);
}

static void
ipv4_end(struct fx *f, size_t off)
{
	set16(f, off + 2, (unsigned)(f->n - off));
}

/* IPv6 header A6 -> B6; the payload length is set by ipv6_end(). */
static size_t
ipv6x(struct fx *f, unsigned nxt, unsigned hlim)
{
	size_t off;

	off = put32(f, 0x60012345);
	put16(f, 0);
	put8(f, nxt);
	put8(f, hlim);
	putn(f, A6, 16);
	putn(f, B6, 16);
	if (f->ip_end == 0) {
		f->ip_end = f->n;
		f->ip_ver = 6;
	}
	return off;
}

static size_t
ipv6(struct fx *f, unsigned nxt)
{
	return ipv6x(f, nxt, 64);
}

static void
ipv6_end(struct fx *f, size_t off)
{
	set16(f, off + 4, (unsigned)(f->n - off - 40));
}

/* IPv6 header src -> dst (not the A6/B6 of ipv6()); ipv6_end() sets the
 * payload length. */
static size_t
ipv6a(struct fx *f, unsigned nxt, const uint8_t *src, const uint8_t *dst)
{
	size_t off = put32(f, 0x60000000);

	put16(f, 0);
	put8(f, nxt);
	put8(f, 32);
	putn(f, src, 16);
	putn(f, dst, 16);
	return off;
}

/* TCP header with optwords 4-byte words of options (MSS, then NOPs). */
static void
tcp(struct fx *f, unsigned sport, unsigned dport, uint32_t seq, uint32_t ack,
    unsigned flags, unsigned win, unsigned optwords)
{
	unsigned i;

	put16(f, sport);
	put16(f, dport);
	put32(f, seq);
	put32(f, ack);
	put16(f, (5 + optwords) << 12 | flags);
	put16(f, win);
	put16(f, 0xbeef);
	put16(f, 0);
	for (i = 0; i < optwords; i++) {
		if (i == 0)
			put32(f, 0x020405b4);
		else
			put32(f, 0x01010101);
	}
}

static size_t
udp(struct fx *f, unsigned sport, unsigned dport)
{
	size_t off = put16(f, sport);

	put16(f, dport);
	put16(f, 0);
	put16(f, 0);
	return off;
}

static void
udp_end(struct fx *f, size_t off)
{
	set16(f, off + 4, (unsigned)(f->n - off));
}

/* Pad an Ethernet frame to the 60-byte minimum. */
static void
eth_pad(struct fx *f)
{
	while (f->n < 60)
		put8(f, 0);
}

/* A DNS header (RFC 1035 section 4.1.1): id, flags, then the question,
 * answer, authority and additional counts. */
static void
dns_hdr(struct fx *f, unsigned id, unsigned flags, unsigned qd, unsigned an,
    unsigned ns, unsigned ar)
{
	put16(f, id);
	put16(f, flags);
	put16(f, qd);
	put16(f, an);
	put16(f, ns);
	put16(f, ar);
}

/* A DNS name in label form (no compression). */
static void
dnsname(struct fx *f, const char *s)
{
	const char *dot;
	size_t len;

	while (*s != '\0') {
		dot = strchr(s, '.');
		len = dot != NULL ? (size_t)(dot - s) : strlen(s);
		put8(f, (unsigned)len);
		putn(f, s, len);
		s += len;
		if (*s == '.')
			s++;
	}
	put8(f, 0);
}

/* ------------------------------------------------------------------ */
/* Decoding helpers. */

struct names {
	struct pkt_name v[DECODE_MAX_NAMES];
	struct decode_names dn;
};

static struct decode_names *
names_init(struct names *nm, unsigned max)
{
	memset(nm, 0, sizeof *nm);
	nm->dn.v = nm->v;
	nm->dn.max = max;
	return &nm->dn;
}

/* Decode the first len bytes of f from a heap copy of exactly that size
 * (wire length: the whole fixture). */
static enum pkt_status
dec(const struct fx *f, size_t len, struct pkt_meta *m,
    struct decode_names *dn)
{
	enum pkt_status st;
	uint8_t *copy;

	copy = malloc(len > 0 ? len : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, f->b, len);
	st = decode_packet(m, dn, f->lt, len > 0 ? copy : NULL,
	    (uint32_t)len, (uint32_t)f->n, TS);
	free(copy);
	return st;
}

static void
check_names_sane(const struct decode_names *dn)
{
	unsigned i;
	size_t len;

	ck_assert_uint_le(dn->n, dn->max);
	for (i = 0; i < dn->n; i++) {
		len = strnlen(dn->v[i].name, PKT_NAME_MAX);
		ck_assert_uint_lt(len, PKT_NAME_MAX);
		ck_assert_uint_gt(len, 0);
		ck_assert(dn->v[i].kind >= PKT_NAME_DNS &&
		    dn->v[i].kind <= PKT_NAME_DNS_LONG);
		ck_assert(dn->v[i].ip_ver == 0 || dn->v[i].ip_ver == 4 ||
		    dn->v[i].ip_ver == 6);
		ck_assert_uint_eq(dn->v[i].ts_ns, TS);
	}
}

/* Write f as a fuzz seed if WT_WRITE_SEEDS names a directory. */
static void
write_seed(const struct fx *f)
{
	const char *dir = getenv("WT_WRITE_SEEDS");
	char path[4096];
	uint8_t idx = 0xff;
	size_t i;
	int fd;

	if (dir == NULL || f->name == NULL)
		return;
	for (i = 0; i < decode_nlinktypes; i++)
		if (decode_linktypes[i].linktype == f->lt)
			idx = (uint8_t)i;
	if (idx == 0xff)
		return;
	if ((size_t)snprintf(path, sizeof path, "%s/%s.bin", dir,
	    f->name) >= sizeof path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return;
	if (write(fd, &idx, 1) != 1 || write(fd, f->b, f->n) != (ssize_t)f->n)
		perror(path);
	close(fd);
}

/*
 * Decode f whole into m (names into dn if not NULL) and check the status
 * is want, then at every shorter length: TRUNCATED below hdr_end, want
 * from there, addresses set from ip_end on.
 */
static void
check_fx(struct fx *f, enum pkt_status want, struct pkt_meta *m,
    struct decode_names *dn)
{
	struct pkt_meta t;
	struct names nm;
	enum pkt_status st;
	size_t len;

	write_seed(f);
	st = dec(f, f->n, m, dn);
	ck_assert_msg(st == want, "%s: status %d, want %d", f->name, st, want);
	ck_assert_uint_eq(m->status, st);
	ck_assert_uint_eq(m->ts_ns, TS);
	ck_assert_uint_eq(m->wire_len, f->n);
	ck_assert_uint_eq(m->cap_len, f->n);
	ck_assert_uint_eq(m->linktype, f->lt);
	ck_assert_uint_eq(m->source, 0);
	ck_assert_uint_eq(m->ifindex, 0);
	if (dn != NULL)
		check_names_sane(dn);

	for (len = 0; len <= f->n; len++) {
		st = dec(f, len, &t, names_init(&nm, DECODE_MAX_NAMES));
		check_names_sane(&nm.dn);
		ck_assert_uint_eq(t.cap_len, len);
		ck_assert_uint_eq(t.wire_len, f->n);
		if (len < f->hdr_end)
			ck_assert_msg(st == PKT_TRUNCATED,
			    "%s: cut at %zu of %zu (headers %zu): status %d",
			    f->name, len, f->n, f->hdr_end, st);
		else
			ck_assert_msg(st == want,
			    "%s: cut at %zu of %zu (headers %zu): status %d, "
			    "want %d", f->name, len, f->n, f->hdr_end, st,
			    want);
		if (f->ip_end != 0 && len >= f->ip_end) {
			ck_assert_msg(t.ip_ver == f->ip_ver,
			    "%s: cut at %zu: ip_ver %u", f->name, len,
			    t.ip_ver);
			ck_assert_mem_eq(t.src, m->src, 16);
			ck_assert_mem_eq(t.dst, m->dst, 16);
		} else if (f->ip_end != 0)
			ck_assert_uint_eq(t.ip_ver, 0);
	}
}

/* Check the fields of an IPv4 A4 -> B4 packet. */
static void
check_v4(const struct pkt_meta *m, unsigned proto, unsigned ip_len)
{
	ck_assert_uint_eq(m->ip_ver, 4);
	ck_assert_uint_eq(m->ethertype, 0x0800);
	ck_assert_mem_eq(m->src, A4, 4);
	ck_assert_mem_eq(m->dst, B4, 4);
	ck_assert_mem_eq(m->src + 4, ZERO16, 12);
	ck_assert_mem_eq(m->dst + 4, ZERO16, 12);
	ck_assert_uint_eq(m->proto, proto);
	ck_assert_uint_eq(m->ip_len, ip_len);
}

/* Check the fields of an IPv6 A6 -> B6 packet. */
static void
check_v6(const struct pkt_meta *m, unsigned proto, unsigned ip_len)
{
	ck_assert_uint_eq(m->ip_ver, 6);
	ck_assert_uint_eq(m->ethertype, 0x86dd);
	ck_assert_mem_eq(m->src, A6, 16);
	ck_assert_mem_eq(m->dst, B6, 16);
	ck_assert_uint_eq(m->proto, proto);
	ck_assert_uint_eq(m->ip_len, ip_len);
}

static void
check_ports(const struct pkt_meta *m, unsigned sport, unsigned dport,
    unsigned l4_len)
{
	ck_assert(m->flags & PKT_F_L4);
	ck_assert_uint_eq(m->sport, sport);
	ck_assert_uint_eq(m->dport, dport);
	ck_assert_uint_eq(m->l4_len, l4_len);
}

/* Append a UDP datagram 5000 -> 6000 with a 4-byte payload in IPv4. */
static void
v4_udp(struct fx *f)
{
	size_t ip, u;

	ip = ipv4(f, 17);
	u = udp(f, 5000, 6000);
	hdr(f);
	putn(f, "abcd", 4);
	udp_end(f, u);
	ipv4_end(f, ip);
}

/* The same in IPv6. */
static void
v6_udp(struct fx *f)
{
	size_t ip, u;

	ip = ipv6(f, 17);
	u = udp(f, 5000, 6000);
	hdr(f);
	putn(f, "abcd", 4);
	udp_end(f, u);
	ipv6_end(f, ip);
}

/* ------------------------------------------------------------------ */
/* Link layers. */

START_TEST(test_ether_ipv4_tcp_opts)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip;

	fx_init(&f, "ether-ipv4-tcp-opts", DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4x(&f, 6, 0x1234, 0x4000, 57, 0, A4, B4);
	tcp(&f, 40000, 443, 0x01020304, 0x05060708, 0x12, 29200, 2);
	hdr(&f);
	putn(&f, "payload!", 8);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);

	check_v4(&m, 6, 20 + 28 + 8);
	check_ports(&m, 40000, 443, 8);
	ck_assert_uint_eq(m.ttl, 57);
	ck_assert_uint_eq(m.tcp_seq, 0x01020304);
	ck_assert_uint_eq(m.tcp_ack, 0x05060708);
	ck_assert_uint_eq(m.tcp_flags, PKT_TCP_SYN | PKT_TCP_ACK);
	ck_assert_uint_eq(m.tcp_win, 29200);
	ck_assert_uint_eq(m.flags, PKT_F_L4 | PKT_F_TCP_OPTS);
	ck_assert_uint_eq(m.vlan, 0);
	ck_assert_uint_eq(m.frag_id, 0);
}
END_TEST

START_TEST(test_ether_tcp_all_flags)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip;

	fx_init(&f, "ether-ipv4-tcp-flags", DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4(&f, 6);
	tcp(&f, 1, 2, 0xffffffff, 0, 0xff, 0, 0);
	hdr(&f);
	ipv4_end(&f, ip);
	eth_pad(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 6, 40);
	check_ports(&m, 1, 2, 0);
	ck_assert_uint_eq(m.tcp_flags, 0xff);
	ck_assert_uint_eq(m.tcp_seq, 0xffffffff);
	ck_assert_uint_eq(m.flags, PKT_F_L4);
}
END_TEST

START_TEST(test_vlan)
{
	struct fx f;
	struct pkt_meta m;

	fx_init(&f, "ether-vlan-udp", DECODE_LT_ETHERNET);
	eth(&f, 0x8100);
	vlan(&f, 0x2064, 0x0800);	/* PCP 1, VLAN 100 */
	v4_udp(&f);
	eth_pad(&f);			/* padding is not payload */
	ck_assert_uint_eq(f.n, 60);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 17, 32);
	check_ports(&m, 5000, 6000, 4);
	ck_assert_uint_eq(m.vlan, 100);
	ck_assert_uint_eq(m.inner_vlan, 0);
}
END_TEST

START_TEST(test_qinq)
{
	struct fx f;
	struct pkt_meta m;

	/* 802.1ad S-tag 200 outside an 802.1Q C-tag 300. */
	fx_init(&f, "ether-qinq-ipv6-udp", DECODE_LT_ETHERNET);
	eth(&f, 0x88a8);
	vlan(&f, 0xe0c8, 0x8100);	/* PCP 7, VLAN 200 */
	vlan(&f, 0x012c, 0x86dd);	/* VLAN 300 */
	v6_udp(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 17, 40 + 12);
	check_ports(&m, 5000, 6000, 4);
	ck_assert_uint_eq(m.vlan, 200);
	ck_assert_uint_eq(m.inner_vlan, 300);
	ck_assert_uint_eq(m.ttl, 64);

	/* Old-style 0x9100 outer tag. */
	fx_init(&f, "ether-qinq9100", DECODE_LT_ETHERNET);
	eth(&f, 0x9100);
	vlan(&f, 0x0fff, 0x8100);
	vlan(&f, 0x0001, 0x0800);
	v4_udp(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	ck_assert_uint_eq(m.vlan, 4095);
	ck_assert_uint_eq(m.inner_vlan, 1);
	check_ports(&m, 5000, 6000, 4);
}
END_TEST

START_TEST(test_mpls)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip;

	fx_init(&f, "ether-mpls-ipv4-tcp", DECODE_LT_ETHERNET);
	eth(&f, 0x8847);
	put32(&f, 1000u << 12 | 64);		/* label 1000, S=0 */
	put32(&f, 2000u << 12 | 0x100 | 63);	/* label 2000, S=1 */
	ip = ipv4(&f, 6);
	tcp(&f, 23, 1025, 7, 8, 0x18, 512, 0);
	hdr(&f);
	putn(&f, "login:", 6);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 6, 46);
	check_ports(&m, 23, 1025, 6);
	ck_assert_uint_eq(m.tcp_flags, PKT_TCP_PSH | PKT_TCP_ACK);

	/* MPLS over a VLAN, IPv6 below one label. */
	fx_init(&f, "ether-vlan-mpls-ipv6", DECODE_LT_ETHERNET);
	eth(&f, 0x8100);
	vlan(&f, 7, 0x8847);
	put32(&f, 16u << 12 | 0x100 | 1);
	v6_udp(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 17, 52);
	ck_assert_uint_eq(m.vlan, 7);

	/* A pseudowire control word (first nibble 0) is not IP. */
	fx_init(&f, "ether-mpls-pw", DECODE_LT_ETHERNET);
	eth(&f, 0x8847);
	put32(&f, 16u << 12 | 0x100 | 1);
	hdr(&f);
	f.hdr_end++;			/* the nibble must be there */
	put32(&f, 0);
	putz(&f, 30);
	check_fx(&f, PKT_UNSUPPORTED, &m, NULL);
}
END_TEST

START_TEST(test_pppoe)
{
	struct fx f;
	struct pkt_meta m;
	size_t len, ip;

	fx_init(&f, "ether-pppoe-ipv6-icmp6", DECODE_LT_ETHERNET);
	eth(&f, 0x8864);
	put8(&f, 0x11);
	put8(&f, 0);
	put16(&f, 0x0001);
	len = put16(&f, 0);
	put16(&f, 0x0057);
	ip = ipv6(&f, 58);
	put8(&f, 128);			/* echo request */
	put8(&f, 0);
	put16(&f, 0);
	hdr(&f);
	put16(&f, 0x4242);
	put16(&f, 1);
	ipv6_end(&f, ip);
	set16(&f, len, (unsigned)(f.n - len - 2));
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 58, 48);
	check_ports(&m, 128, 0, 0);	/* ICMP payload after its 8-byte header */
	ck_assert_uint_eq(m.icmp_type, 128);
	ck_assert_uint_eq(m.icmp_code, 0);

	/* PPP LCP inside PPPoE: not a network protocol we decode. */
	fx_init(&f, "ether-pppoe-lcp", DECODE_LT_ETHERNET);
	eth(&f, 0x8864);
	put8(&f, 0x11);
	put8(&f, 0);
	put16(&f, 0x0001);
	put16(&f, 6);
	put16(&f, 0xc021);
	hdr(&f);
	put32(&f, 0x01010004);
	check_fx(&f, PKT_UNSUPPORTED, &m, NULL);
}
END_TEST

START_TEST(test_sll)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip;

	fx_init(&f, "sll-ipv4-icmp", DECODE_LT_LINUX_SLL);
	put16(&f, 4);			/* outgoing */
	put16(&f, 1);			/* ARPHRD_ETHER */
	put16(&f, 6);
	putn(&f, "\x02\x00\x00\x00\x00\x01\x00\x00", 8);
	put16(&f, 0x0800);
	ip = ipv4(&f, 1);
	put8(&f, 3);			/* destination unreachable */
	put8(&f, 3);			/* port unreachable */
	put16(&f, 0);
	hdr(&f);
	put32(&f, 0);
	putz(&f, 28);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 1, 20 + 36);
	check_ports(&m, 3, 3, 28);
	ck_assert_uint_eq(m.icmp_type, 3);
	ck_assert_uint_eq(m.icmp_code, 3);

	/* SLL with an 802.1Q tag put back by libpcap. */
	fx_init(&f, "sll-vlan-ipv4", DECODE_LT_LINUX_SLL);
	put16(&f, 0);
	put16(&f, 1);
	put16(&f, 6);
	putz(&f, 8);
	put16(&f, 0x8100);
	vlan(&f, 42, 0x0800);
	v4_udp(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	ck_assert_uint_eq(m.vlan, 42);
	check_ports(&m, 5000, 6000, 4);

	/* Protocol 4: an 802.2 LLC frame follows; here LLC/SNAP IPv4. */
	fx_init(&f, "sll-llc-snap-ipv4", DECODE_LT_LINUX_SLL);
	put16(&f, 0);
	put16(&f, 1);
	put16(&f, 6);
	putz(&f, 8);
	put16(&f, 0x0004);
	putn(&f, "\xaa\xaa\x03\x00\x00\x00", 6);
	put16(&f, 0x0800);
	v4_udp(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 17, 32);
	check_ports(&m, 5000, 6000, 4);

	/* A netlink capture: the protocol is a netlink family. */
	fx_init(&f, "sll-netlink", DECODE_LT_LINUX_SLL);
	put16(&f, 4);
	put16(&f, 824);
	put16(&f, 0);
	putz(&f, 8);
	put16(&f, 0x0000);
	hdr(&f);
	putz(&f, 20);
	check_fx(&f, PKT_UNSUPPORTED, &m, NULL);
}
END_TEST

START_TEST(test_sll2)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip;

	fx_init(&f, "sll2-ipv6-tcp", DECODE_LT_LINUX_SLL2);
	put16(&f, 0x86dd);
	put16(&f, 0);
	put32(&f, 3);			/* ifindex */
	put16(&f, 1);			/* ARPHRD_ETHER */
	put8(&f, 0);			/* to us */
	put8(&f, 6);
	putn(&f, "\x02\x00\x00\x00\x00\x02\x00\x00", 8);
	ip = ipv6(&f, 6);
	tcp(&f, 443, 51000, 100, 200, 0x11, 1000, 0);
	hdr(&f);
	ipv6_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 6, 60);
	check_ports(&m, 443, 51000, 0);
	ck_assert_uint_eq(m.tcp_flags, PKT_TCP_FIN | PKT_TCP_ACK);
	ck_assert_uint_eq(m.linktype, 276);

	fx_init(&f, "sll2-arp", DECODE_LT_LINUX_SLL2);
	put16(&f, 0x0806);
	put16(&f, 0);
	put32(&f, 3);
	put16(&f, 1);
	put8(&f, 1);
	put8(&f, 6);
	putz(&f, 8);
	put32(&f, 0x00010800);
	put32(&f, 0x06040002);
	putz(&f, 20);
	hdr(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	ck_assert_uint_eq(m.flags, PKT_F_ARP);
	ck_assert_uint_eq(m.ethertype, 0x0806);
	ck_assert_uint_eq(m.ip_ver, 0);
}
END_TEST

START_TEST(test_raw)
{
	static const uint32_t v4lt[] = { 101, 12, 14, 228 };
	static const uint32_t v6lt[] = { 101, 12, 229 };
	static const char *v4n[] = { "raw101-ipv4", "raw12-ipv4", "raw14-ipv4",
	    "ipv4-udp" };
	static const char *v6n[] = { "raw101-ipv6", "raw12-ipv6", "ipv6-udp" };
	struct fx f;
	struct pkt_meta m;
	size_t i;

	for (i = 0; i < 4; i++) {
		fx_init(&f, v4n[i], v4lt[i]);
		v4_udp(&f);
		check_fx(&f, PKT_DECODED, &m, NULL);
		check_v4(&m, 17, 32);
		check_ports(&m, 5000, 6000, 4);
	}
	for (i = 0; i < 3; i++) {
		fx_init(&f, v6n[i], v6lt[i]);
		v6_udp(&f);
		check_fx(&f, PKT_DECODED, &m, NULL);
		check_v6(&m, 17, 52);
		check_ports(&m, 5000, 6000, 4);
	}

	/* Wrong version for the link type, or no IP version at all. */
	fx_init(&f, NULL, DECODE_LT_IPV4);
	v6_udp(&f);
	f.ip_end = 0;
	f.hdr_end = 1;
	check_fx(&f, PKT_INVALID, &m, NULL);
	ck_assert_uint_eq(m.ip_ver, 0);
	fx_init(&f, NULL, DECODE_LT_IPV6);
	v4_udp(&f);
	f.ip_end = 0;
	f.hdr_end = 1;
	check_fx(&f, PKT_INVALID, &m, NULL);
	fx_init(&f, NULL, DECODE_LT_RAW);
	put8(&f, 0x55);
	putz(&f, 30);
	f.hdr_end = 1;
	check_fx(&f, PKT_INVALID, &m, NULL);
}
END_TEST

START_TEST(test_null_loop)
{
	static const struct {
		const char *name;
		uint32_t lt;
		uint8_t fam[4];
		int v;
	} c[] = {
		{ "null-le-inet", 0, { 2, 0, 0, 0 }, 4 },
		{ "null-be-inet", 0, { 0, 0, 0, 2 }, 4 },
		{ "null-le-inet6-linux", 0, { 10, 0, 0, 0 }, 6 },
		{ "null-le-inet6-bsd", 0, { 24, 0, 0, 0 }, 6 },
		{ "null-le-inet6-freebsd", 0, { 28, 0, 0, 0 }, 6 },
		{ "null-be-inet6-darwin", 0, { 0, 0, 0, 30 }, 6 },
		{ "loop-inet", 108, { 0, 0, 0, 2 }, 4 },
		{ "loop-inet6", 108, { 0, 0, 0, 24 }, 6 },
	};
	struct fx f;
	struct pkt_meta m;
	size_t i;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		fx_init(&f, c[i].name, c[i].lt);
		putn(&f, c[i].fam, 4);
		if (c[i].v == 4) {
			v4_udp(&f);
			check_fx(&f, PKT_DECODED, &m, NULL);
			check_v4(&m, 17, 32);
		} else {
			v6_udp(&f);
			check_fx(&f, PKT_DECODED, &m, NULL);
			check_v6(&m, 17, 52);
		}
		check_ports(&m, 5000, 6000, 4);
	}

	/* Unknown family (AF_APPLETALK); LOOP reads big endian only. */
	fx_init(&f, "null-appletalk", DECODE_LT_NULL);
	putle32(&f, 16);
	hdr(&f);
	putz(&f, 20);
	check_fx(&f, PKT_UNSUPPORTED, &m, NULL);
	fx_init(&f, NULL, DECODE_LT_LOOP);
	putle32(&f, 2);
	hdr(&f);
	v4_udp(&f);
	f.ip_end = 0;
	f.hdr_end = 4;
	check_fx(&f, PKT_UNSUPPORTED, &m, NULL);
}
END_TEST

START_TEST(test_ppp)
{
	struct fx f;
	struct pkt_meta m;

	fx_init(&f, "ppp-hdlc-ipv4", DECODE_LT_PPP);
	put16(&f, 0xff03);
	put16(&f, 0x0021);
	v4_udp(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 17, 32);
	check_ports(&m, 5000, 6000, 4);

	fx_init(&f, "ppp-ipv6", DECODE_LT_PPP);
	put16(&f, 0x0057);
	v6_udp(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 17, 52);

	/* Protocol field compression: one byte 0x21. */
	fx_init(&f, "ppp-pfc-ipv4", DECODE_LT_PPP);
	put16(&f, 0xff03);
	put8(&f, 0x21);
	v4_udp(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 17, 32);

	fx_init(&f, "ppp-lcp", DECODE_LT_PPP);
	put16(&f, 0xff03);
	put16(&f, 0xc021);
	hdr(&f);
	put32(&f, 0x01010004);
	check_fx(&f, PKT_UNSUPPORTED, &m, NULL);

	/* 0xff not followed by 0x03. */
	fx_init(&f, NULL, DECODE_LT_PPP);
	put16(&f, 0xff00);
	putz(&f, 10);
	f.hdr_end = 2;
	check_fx(&f, PKT_INVALID, &m, NULL);
}
END_TEST

/* NFLOG header and TLVs before the payload, in either byte order. */
static void
nflog_head(struct fx *f, unsigned fam, int be)
{
	size_t (*p16)(struct fx *, unsigned) = be ? put16 : putle16;

	put8(f, fam);
	put8(f, 0);
	put16(f, 0);			/* resource id, big endian */
	p16(f, 8);			/* NFULA_PACKET_HDR */
	p16(f, 1);
	put16(f, fam == 2 ? 0x0800 : 0x86dd);
	put8(f, 3);
	put8(f, 0);
	p16(f, 4 + 5);			/* NFULA_PREFIX "test\0", padded */
	p16(f, 10);
	putn(f, "test", 5);
	putz(f, 3);
}

START_TEST(test_nflog)
{
	struct fx f;
	struct pkt_meta m;
	size_t tlv, ip;

	fx_init(&f, "nflog-ipv4-tcp", DECODE_LT_NFLOG);
	nflog_head(&f, 2, 0);
	tlv = putle16(&f, 0);
	putle16(&f, 9);			/* NFULA_PAYLOAD */
	ip = ipv4(&f, 6);
	tcp(&f, 80, 34000, 1, 2, 0x10, 65535, 0);
	hdr(&f);
	putn(&f, "HTTP/1.1 200 OK\r\n", 17);
	ipv4_end(&f, ip);
	setle16(&f, tlv, (unsigned)(f.n - tlv));
	putz(&f, 3);			/* TLV padding */
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 6, 57);
	check_ports(&m, 80, 34000, 17);

	/* Big-endian TLVs (a capture from a big-endian host), IPv6. */
	fx_init(&f, "nflog-be-ipv6", DECODE_LT_NFLOG);
	nflog_head(&f, 10, 1);
	tlv = put16(&f, 0);
	put16(&f, 9);
	v6_udp(&f);
	set16(&f, tlv, (unsigned)(f.n - tlv));
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 17, 52);
	check_ports(&m, 5000, 6000, 4);

	/* No payload TLV: a whole record with no packet. */
	fx_init(&f, "nflog-nopayload", DECODE_LT_NFLOG);
	nflog_head(&f, 2, 0);
	hdr(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	ck_assert_uint_eq(m.ip_ver, 0);

	/* A TLV length below its own header. */
	fx_init(&f, NULL, DECODE_LT_NFLOG);
	put32(&f, 0x02000000);
	putle16(&f, 3);
	putle16(&f, 1);
	putz(&f, 8);
	f.hdr_end = 8;
	check_fx(&f, PKT_INVALID, &m, NULL);
}
END_TEST

/* An 802.11 QoS data frame from the AP (FromDS), LLC/SNAP to type. */
static void
wlan_qos_data(struct fx *f, unsigned type, int pad)
{
	put8(f, 0x88);			/* type data, subtype QoS data */
	put8(f, 0x02);			/* FromDS */
	put16(f, 0);
	putn(f, "\x00\x11\x22\x33\x44\x55", 6);
	putn(f, "\x66\x77\x88\x99\xaa\xbb", 6);
	putn(f, "\x66\x77\x88\x99\xaa\xbb", 6);
	put16(f, 0x1000);
	putle16(f, 0x0005);		/* QoS: TID 5 */
	if (pad)
		put16(f, 0);
	putn(f, "\xaa\xaa\x03\x00\x00\x00", 6);
	put16(f, type);
}

START_TEST(test_radiotap)
{
	struct fx f;
	struct pkt_meta m;

	/* present: TSFT (8 bytes at offset 8), Flags (1), Rate (1). */
	fx_init(&f, "radiotap-ipv4-udp", DECODE_LT_IEEE802_11_RADIOTAP);
	put8(&f, 0);
	put8(&f, 0);
	putle16(&f, 18);
	putle32(&f, 0x00000007);
	putz(&f, 8);
	put8(&f, 0x00);
	put8(&f, 2);
	wlan_qos_data(&f, 0x0800, 0);
	v4_udp(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 17, 32);
	check_ports(&m, 5000, 6000, 4);

	/* Two present words (so TSFT is aligned from 12 to 16), Flags with
	 * DATAPAD: 2 bytes after the 26-byte QoS header. */
	fx_init(&f, "radiotap-datapad-ipv6", DECODE_LT_IEEE802_11_RADIOTAP);
	put8(&f, 0);
	put8(&f, 0);
	putle16(&f, 25);
	putle32(&f, 0x80000003);
	putle32(&f, 0);
	putz(&f, 4);			/* alignment */
	putz(&f, 8);			/* TSFT */
	put8(&f, 0x20);			/* Flags: DATAPAD */
	wlan_qos_data(&f, 0x86dd, 1);
	v6_udp(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 17, 52);
	check_ports(&m, 5000, 6000, 4);

	/* A radiotap length shorter than its own fields. */
	fx_init(&f, NULL, DECODE_LT_IEEE802_11_RADIOTAP);
	put8(&f, 0);
	put8(&f, 0);
	putle16(&f, 8);
	putle32(&f, 0x00000003);
	hdr(&f);
	putz(&f, 40);
	check_fx(&f, PKT_INVALID, &m, NULL);

	/* Version 1 does not exist. */
	fx_init(&f, NULL, DECODE_LT_IEEE802_11_RADIOTAP);
	put8(&f, 1);
	put8(&f, 0);
	putle16(&f, 8);
	hdr(&f);
	putz(&f, 30);
	check_fx(&f, PKT_INVALID, &m, NULL);
}
END_TEST

START_TEST(test_80211)
{
	struct fx f;
	struct pkt_meta m;

	/* Data to the AP (ToDS), no QoS: 24-byte header. */
	fx_init(&f, "wlan-data-ipv6", DECODE_LT_IEEE802_11);
	put8(&f, 0x08);
	put8(&f, 0x01);
	putz(&f, 22);
	putn(&f, "\xaa\xaa\x03\x00\x00\x00", 6);
	put16(&f, 0x86dd);
	v6_udp(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 17, 52);
	check_ports(&m, 5000, 6000, 4);

	/* WDS: ToDS and FromDS, four addresses (30 bytes), then ARP. */
	fx_init(&f, "wlan-wds-arp", DECODE_LT_IEEE802_11);
	put8(&f, 0x08);
	put8(&f, 0x03);
	putz(&f, 28);
	putn(&f, "\xaa\xaa\x03\x00\x00\x00", 6);
	put16(&f, 0x0806);
	put32(&f, 0x00010800);
	put32(&f, 0x06040001);
	putz(&f, 20);
	hdr(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	ck_assert_uint_eq(m.flags, PKT_F_ARP);
	ck_assert_uint_eq(m.ethertype, 0x0806);

	/* A beacon: whole, valid, no network layer. */
	fx_init(&f, "wlan-beacon", DECODE_LT_IEEE802_11);
	put8(&f, 0x80);
	put8(&f, 0x00);
	hdr(&f);
	putz(&f, 22);
	putz(&f, 12);
	put16(&f, 0x0004);
	putn(&f, "wifi", 4);
	check_fx(&f, PKT_DECODED, &m, NULL);
	ck_assert_uint_eq(m.ip_ver, 0);
	ck_assert_uint_eq(m.ethertype, 0);

	/* Null data (no body). */
	fx_init(&f, "wlan-null", DECODE_LT_IEEE802_11);
	put8(&f, 0x48);
	put8(&f, 0x01);
	putz(&f, 22);
	hdr(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	ck_assert_uint_eq(m.ip_ver, 0);

	/* Protected data: we cannot see the network layer. */
	fx_init(&f, "wlan-protected", DECODE_LT_IEEE802_11);
	put8(&f, 0x08);
	put8(&f, 0x41);
	putz(&f, 22);
	hdr(&f);
	putz(&f, 40);
	check_fx(&f, PKT_UNSUPPORTED, &m, NULL);

	/* EAPOL over LLC/SNAP: not IP. */
	fx_init(&f, "wlan-eapol", DECODE_LT_IEEE802_11);
	put8(&f, 0x08);
	put8(&f, 0x02);
	putz(&f, 22);
	putn(&f, "\xaa\xaa\x03\x00\x00\x00", 6);
	put16(&f, 0x888e);
	hdr(&f);
	putz(&f, 20);
	check_fx(&f, PKT_UNSUPPORTED, &m, NULL);
	ck_assert_uint_eq(m.ethertype, 0x888e);

	/* Protocol version 1 is invalid. */
	fx_init(&f, NULL, DECODE_LT_IEEE802_11);
	put8(&f, 0x09);
	put8(&f, 0x00);
	hdr(&f);
	putz(&f, 30);
	check_fx(&f, PKT_INVALID, &m, NULL);
}
END_TEST

START_TEST(test_arp_nonip)
{
	struct fx f;
	struct pkt_meta m;

	fx_init(&f, "ether-arp", DECODE_LT_ETHERNET);
	eth(&f, 0x0806);
	put32(&f, 0x00010800);		/* Ethernet, IPv4 */
	put32(&f, 0x06040001);		/* hlen 6, plen 4, request */
	putn(&f, "\x66\x77\x88\x99\xaa\xbb", 6);
	putn(&f, A4, 4);
	putz(&f, 6);
	putn(&f, B4, 4);
	hdr(&f);
	eth_pad(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	ck_assert_uint_eq(f.hdr_end, 42);
	ck_assert_uint_eq(m.flags, PKT_F_ARP);
	ck_assert_uint_eq(m.ethertype, 0x0806);
	ck_assert_uint_eq(m.ip_ver, 0);
	ck_assert_mem_eq(m.src, ZERO16, 16);
	ck_assert_uint_eq(m.ip_len, 0);

	fx_init(&f, "ether-lldp", DECODE_LT_ETHERNET);
	eth(&f, 0x88cc);
	hdr(&f);
	putz(&f, 46);
	check_fx(&f, PKT_UNSUPPORTED, &m, NULL);
	ck_assert_uint_eq(m.ethertype, 0x88cc);
	ck_assert_uint_eq(m.ip_ver, 0);

	/* 802.3 length 38, LLC 42 42 03: spanning tree. */
	fx_init(&f, "ether-stp", DECODE_LT_ETHERNET);
	eth(&f, 38);
	put8(&f, 0x42);
	put8(&f, 0x42);
	put8(&f, 0x03);
	hdr(&f);
	putz(&f, 35);
	putz(&f, 8);			/* padding */
	check_fx(&f, PKT_UNSUPPORTED, &m, NULL);
	ck_assert_uint_eq(m.ethertype, 0);

	/* 802.3 with LLC/SNAP carrying IPv4 (RFC 1042). */
	fx_init(&f, "ether-8023-snap-ipv4", DECODE_LT_ETHERNET);
	eth(&f, 8 + 32);
	putn(&f, "\xaa\xaa\x03\x00\x00\x00", 6);
	put16(&f, 0x0800);
	v4_udp(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 17, 32);
	check_ports(&m, 5000, 6000, 4);

	/* Unknown link types are unsupported whatever the bytes. */
	fx_init(&f, NULL, 147);
	v4_udp(&f);
	f.ip_end = 0;
	f.hdr_end = 0;
	check_fx(&f, PKT_UNSUPPORTED, &m, NULL);
	ck_assert_uint_eq(m.ip_ver, 0);
	ck_assert_int_eq(decode_packet(&m, NULL, 0x30000084u, f.b,
	    (uint32_t)f.n, (uint32_t)f.n, TS), PKT_UNSUPPORTED);
}
END_TEST

START_TEST(test_linktype_names)
{
	ck_assert_str_eq(decode_linktype_name(1), "EN10MB");
	ck_assert_str_eq(decode_linktype_name(276), "LINUX_SLL2");
	ck_assert_str_eq(decode_linktype_name(113), "LINUX_SLL");
	ck_assert_str_eq(decode_linktype_name(101), "RAW");
	ck_assert_str_eq(decode_linktype_name(0), "NULL");
	ck_assert_ptr_null(decode_linktype_name(147));
	ck_assert_int_eq(decode_linktype_supported(127), 1);
	ck_assert_int_eq(decode_linktype_supported(239), 1);
	ck_assert_int_eq(decode_linktype_supported(12), 1);
	ck_assert_int_eq(decode_linktype_supported(2), 0);
	ck_assert_int_eq(decode_linktype_supported(283), 0);
}
END_TEST

/* decode.h's table of link types is what decode_packet dispatches on: an
 * empty frame of a listed type is cut short (its decoder ran), of any
 * other type unsupported; the list is ascending without repeats. */
START_TEST(test_linktype_table)
{
	struct pkt_meta m;
	uint32_t lt;
	unsigned i, listed = 0;

	ck_assert_uint_ge(decode_nlinktypes, 14);
	for (i = 1; i < decode_nlinktypes; i++)
		ck_assert_uint_lt(decode_linktypes[i - 1].linktype,
		    decode_linktypes[i].linktype);
	for (lt = 0; lt < 1024; lt++) {
		enum pkt_status st = decode_packet(&m, NULL, lt, NULL, 0, 0,
		    TS);

		if (decode_linktype_supported(lt)) {
			listed++;
			ck_assert_msg(st != PKT_UNSUPPORTED,
			    "link type %u is listed but not decoded", lt);
			ck_assert_ptr_nonnull(decode_linktype_name(lt));
		} else {
			ck_assert_msg(st == PKT_UNSUPPORTED,
			    "link type %u is decoded but not listed", lt);
		}
	}
	ck_assert_uint_eq(listed, decode_nlinktypes);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Network layer. */

START_TEST(test_ipv4_options)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip, u;

	fx_init(&f, "ether-ipv4-options", DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4x(&f, 17, 1, 0, 1, 8, A4, B4);
	u = udp(&f, 5000, 6000);
	hdr(&f);
	putn(&f, "abcd", 4);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 17, 40);
	check_ports(&m, 5000, 6000, 4);
	ck_assert_uint_eq(m.ttl, 1);
	ck_assert_uint_eq(m.flags, PKT_F_L4);
}
END_TEST

START_TEST(test_ipv4_fragments)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip, i;

	/* First fragment: MF, offset 0; UDP says 1008 bytes in all. */
	fx_init(&f, "ether-ipv4-frag-first", DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4x(&f, 17, 0xbeef, 0x2000, 64, 0, A4, B4);
	put16(&f, 5353);
	put16(&f, 5353);
	put16(&f, 1008);
	put16(&f, 0);
	hdr(&f);
	for (i = 0; i < 16; i++)
		put8(&f, (unsigned)i);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 17, 44);
	check_ports(&m, 5353, 5353, 16);
	ck_assert_uint_eq(m.flags, PKT_F_L4 | PKT_F_FRAG);
	ck_assert_uint_eq(m.frag_id, 0xbeef);

	/* Last fragment at offset 185 * 8: no transport header. */
	fx_init(&f, "ether-ipv4-frag-later", DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4x(&f, 17, 0xbeef, 185, 64, 0, A4, B4);
	hdr(&f);
	put16(&f, 5000);		/* looks like ports, is data */
	put16(&f, 6000);
	putz(&f, 16);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 17, 40);
	ck_assert_uint_eq(m.flags, PKT_F_FRAG | PKT_F_FRAG_LATER);
	ck_assert_uint_eq(m.frag_id, 0xbeef);
	ck_assert_uint_eq(m.sport, 0);
	ck_assert_uint_eq(m.dport, 0);
	ck_assert_uint_eq(m.l4_len, 20);

	/* A middle fragment (MF and an offset) is a later one too. */
	fx_init(&f, "ether-ipv4-frag-middle", DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4x(&f, 6, 7, 0x2000 | 1, 64, 0, A4, B4);
	hdr(&f);
	putz(&f, 8);
	ipv4_end(&f, ip);
	eth_pad(&f);
	check_fx(&f, PKT_DECODED, &m, NULL);
	ck_assert_uint_eq(m.flags, PKT_F_FRAG | PKT_F_FRAG_LATER);
	ck_assert_uint_eq(m.frag_id, 7);
	ck_assert_uint_eq(m.l4_len, 8);
}
END_TEST

START_TEST(test_ipv6_ext)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip, u;

	/* Hop-by-hop (8), destination options (16), fragment (first,
	 * M=1), UDP. */
	fx_init(&f, "ipv6-ext-frag-first", DECODE_LT_ETHERNET);
	eth(&f, 0x86dd);
	ip = ipv6x(&f, 0, 255);
	put8(&f, 60);
	put8(&f, 0);
	putn(&f, "\x01\x04\x00\x00\x00\x00", 6);
	put8(&f, 44);
	put8(&f, 1);
	put8(&f, 0x01);
	put8(&f, 12);
	putz(&f, 12);
	put8(&f, 17);
	put8(&f, 0);
	put16(&f, 0 << 3 | 1);
	put32(&f, 0xdeadbeef);
	u = udp(&f, 53, 40000);
	hdr(&f);
	putz(&f, 24);
	set16(&f, u + 4, 1400);
	ipv6_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 17, 40 + 8 + 16 + 8 + 8 + 24);
	check_ports(&m, 53, 40000, 24);
	ck_assert_uint_eq(m.ttl, 255);
	ck_assert_uint_eq(m.flags, PKT_F_L4 | PKT_F_FRAG);
	ck_assert_uint_eq(m.frag_id, 0xdeadbeef);

	/* Routing header, then a later fragment of TCP. */
	fx_init(&f, "ipv6-ext-frag-later", DECODE_LT_RAW);
	ip = ipv6(&f, 43);
	put8(&f, 44);
	put8(&f, 0);
	putz(&f, 6);
	put8(&f, 6);
	put8(&f, 0);
	put16(&f, 100 << 3);
	put32(&f, 0x01020304);
	hdr(&f);
	putz(&f, 24);
	ipv6_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 6, 40 + 16 + 24);
	ck_assert_uint_eq(m.flags, PKT_F_FRAG | PKT_F_FRAG_LATER);
	ck_assert_uint_eq(m.frag_id, 0x01020304);
	ck_assert_uint_eq(m.l4_len, 24);
	ck_assert_uint_eq(m.sport, 0);

	/* AH ((len + 2) * 4 = 24 bytes), then TCP. */
	fx_init(&f, "ipv6-ah-tcp", DECODE_LT_RAW);
	ip = ipv6(&f, 51);
	put8(&f, 6);
	put8(&f, 4);
	putz(&f, 22);
	tcp(&f, 179, 30000, 1, 1, 0x10, 16384, 0);
	hdr(&f);
	ipv6_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 6, 40 + 24 + 20);
	check_ports(&m, 179, 30000, 0);

	/* An atomic fragment (offset 0, M=0) is whole. */
	fx_init(&f, "ipv6-atomic-frag", DECODE_LT_RAW);
	ip = ipv6(&f, 44);
	put8(&f, 17);
	put8(&f, 0);
	put16(&f, 0);
	put32(&f, 99);
	u = udp(&f, 1, 2);
	hdr(&f);
	udp_end(&f, u);
	ipv6_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_ports(&m, 1, 2, 0);
	ck_assert_uint_eq(m.flags, PKT_F_L4);

	/* No next header. */
	fx_init(&f, "ipv6-nonxt", DECODE_LT_RAW);
	ip = ipv6(&f, 59);
	hdr(&f);
	ipv6_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 59, 40);
	ck_assert_uint_eq(m.flags, 0);
}
END_TEST

START_TEST(test_ipv6_ext_limits)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip, u;
	int i;

	/* Eight extension headers are fine ... */
	fx_init(&f, "ipv6-8-ext", DECODE_LT_RAW);
	ip = ipv6(&f, 60);
	for (i = 0; i < 8; i++) {
		put8(&f, i < 7 ? 60 : 17);
		put8(&f, 0);
		putz(&f, 6);
	}
	u = udp(&f, 7, 9);
	hdr(&f);
	udp_end(&f, u);
	ipv6_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_ports(&m, 7, 9, 0);

	/* ... a ninth is one too many. */
	fx_init(&f, "ipv6-9-ext", DECODE_LT_RAW);
	ip = ipv6(&f, 60);
	for (i = 0; i < 9; i++) {
		put8(&f, i < 8 ? 60 : 17);
		put8(&f, 0);
		putz(&f, 6);
	}
	f.hdr_end = 40 + 8 * 8;
	u = udp(&f, 7, 9);
	udp_end(&f, u);
	ipv6_end(&f, ip);
	check_fx(&f, PKT_INVALID, &m, NULL);
	ck_assert_uint_eq(m.ip_ver, 6);

	/* An extension header longer than the payload length. */
	fx_init(&f, NULL, DECODE_LT_RAW);
	ip = ipv6(&f, 0);
	put8(&f, 17);
	put8(&f, 10);			/* 88 bytes */
	f.hdr_end = f.n;
	putz(&f, 14);
	ipv6_end(&f, ip);
	putz(&f, 80);			/* captured, beyond the payload */
	check_fx(&f, PKT_INVALID, &m, NULL);
}
END_TEST

START_TEST(test_invalid)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip, u;

	/* IHL 4. */
	fx_init(&f, NULL, DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	put8(&f, 0x44);
	hdr(&f);
	putz(&f, 40);
	check_fx(&f, PKT_INVALID, &m, NULL);
	ck_assert_uint_eq(m.ip_ver, 0);

	/* Total length 19, below the header length. */
	fx_init(&f, NULL, DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4(&f, 17);
	f.ip_end = 0;
	set16(&f, ip + 2, 19);
	f.hdr_end = ip + 12;
	putz(&f, 20);
	check_fx(&f, PKT_INVALID, &m, NULL);
	ck_assert_uint_eq(m.ip_ver, 0);

	/* Options longer than the total length. */
	fx_init(&f, NULL, DECODE_LT_RAW);
	ip = ipv4x(&f, 17, 1, 0, 1, 8, A4, B4);
	f.ip_end = 0;
	set16(&f, ip + 2, 24);
	f.hdr_end = 12;
	putz(&f, 20);
	check_fx(&f, PKT_INVALID, &m, NULL);

	/* TCP data offset 4. */
	fx_init(&f, "tcp-doff4", DECODE_LT_RAW);
	ip = ipv4(&f, 6);
	tcp(&f, 1, 2, 3, 4, 0x02, 5, 0);
	hdr(&f);
	f.b[f.n - 8] = 0x40;
	putz(&f, 8);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_INVALID, &m, NULL);
	check_v4(&m, 6, 48);
	ck_assert_uint_eq(m.flags & PKT_F_L4, 0);

	/* TCP data offset 15 (60 bytes) in a 30-byte IP payload. */
	fx_init(&f, NULL, DECODE_LT_RAW);
	ip = ipv4(&f, 6);
	tcp(&f, 1, 2, 3, 4, 0x02, 5, 0);
	hdr(&f);
	f.b[f.n - 8] = 0xf0;
	putz(&f, 10);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_INVALID, &m, NULL);

	/* An IP payload too short for a TCP header at all. */
	fx_init(&f, NULL, DECODE_LT_RAW);
	ip = ipv4(&f, 6);
	hdr(&f);
	putz(&f, 12);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_INVALID, &m, NULL);

	/* UDP length 7. */
	fx_init(&f, NULL, DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 1, 2);
	hdr(&f);
	putz(&f, 4);
	set16(&f, u + 4, 7);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_INVALID, &m, NULL);

	/* UDP length beyond the IP payload. */
	fx_init(&f, "udp-len-overrun", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 1, 2);
	hdr(&f);
	putz(&f, 4);
	set16(&f, u + 4, 13);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_INVALID, &m, NULL);
	ck_assert_uint_eq(m.flags & PKT_F_L4, 0);
}
END_TEST

START_TEST(test_tso)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip;

	/* Total length 0, as a sender with segmentation offload captures
	 * its own segments: the length comes from the wire. */
	fx_init(&f, "ipv4-tso", DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4(&f, 6);
	tcp(&f, 22, 50000, 1, 2, 0x18, 300, 0);
	hdr(&f);
	putz(&f, 100);
	set16(&f, ip + 2, 0);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 6, 140);
	check_ports(&m, 22, 50000, 100);

	/* The same for IPv6: payload length 0. */
	fx_init(&f, "ipv6-tso", DECODE_LT_LINUX_SLL2);
	put16(&f, 0x86dd);
	putz(&f, 18);
	ip = ipv6(&f, 6);
	tcp(&f, 22, 50000, 1, 2, 0x18, 300, 0);
	hdr(&f);
	putz(&f, 200);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 6, 260);
	check_ports(&m, 22, 50000, 200);
	(void)ip;
}
END_TEST

/* ------------------------------------------------------------------ */
/* Transport layer. */

START_TEST(test_sctp_gre_tunnels)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip, inner, u;

	fx_init(&f, "ipv4-sctp", DECODE_LT_RAW);
	ip = ipv4(&f, 132);
	put16(&f, 2905);
	put16(&f, 3868);
	put32(&f, 0x11223344);
	put32(&f, 0);
	hdr(&f);
	put32(&f, 0x00030010);		/* DATA chunk, 16 bytes */
	putz(&f, 12);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 132, 48);
	check_ports(&m, 2905, 3868, 16);

	/* GRE carrying IPv4 C4 -> A4: the outer addresses stay. */
	fx_init(&f, "ipv4-gre", DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4(&f, 47);
	hdr(&f);
	put16(&f, 0);
	put16(&f, 0x0800);
	inner = ipv4x(&f, 17, 1, 0, 9, 0, C4, A4);
	u = udp(&f, 1, 2);
	udp_end(&f, u);
	ipv4_end(&f, inner);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 47, 20 + 4 + 28);
	/* decode_packet() recognises tunnels but opens none. */
	ck_assert_uint_eq(m.flags, PKT_F_TUNNEL | PKT_F_TUN_SKIP);
	ck_assert_uint_eq(m.tunnel, PKT_TUN_GRE);
	ck_assert_uint_eq(m.layer, 0);
	ck_assert_uint_eq(m.l4_len, 32);
	ck_assert_uint_eq(m.sport, 0);

	/* 6in4. */
	fx_init(&f, "ipv4-6in4", DECODE_LT_RAW);
	ip = ipv4(&f, 41);
	hdr(&f);
	u = ipv6(&f, 59);
	ipv6_end(&f, u);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 41, 60);
	ck_assert_uint_eq(m.flags, PKT_F_TUNNEL | PKT_F_TUN_SKIP);
	ck_assert_uint_eq(m.tunnel, PKT_TUN_IP);

	/* Teredo: IPv6 in UDP 3544 (a bubble: no next header, no
	 * payload, from a Teredo address), recognised by content. */
	fx_init(&f, "ipv4-teredo", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 3544, 51000);
	hdr(&f);
	inner = ipv6a(&f, 59, T6, B6);
	ipv6_end(&f, inner);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 17, 68);
	check_ports(&m, 3544, 51000, 40);
	ck_assert_uint_eq(m.flags, PKT_F_L4 | PKT_F_TUNNEL | PKT_F_TUN_SKIP);
	ck_assert_uint_eq(m.tunnel, PKT_TUN_TEREDO);

	/* Any other protocol counts by number: OSPF. */
	fx_init(&f, "ipv4-ospf", DECODE_LT_RAW);
	ip = ipv4(&f, 89);
	hdr(&f);
	putz(&f, 24);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 89, 44);
	ck_assert_uint_eq(m.l4_len, 24);
	ck_assert_uint_eq(m.flags, 0);
}
END_TEST

START_TEST(test_icmp)
{
	struct fx f;
	struct pkt_meta m;
	size_t ip;

	fx_init(&f, "ipv4-icmp-echo", DECODE_LT_RAW);
	ip = ipv4(&f, 1);
	put8(&f, 8);
	put8(&f, 0);
	put16(&f, 0);
	hdr(&f);
	put16(&f, 1);
	put16(&f, 2);
	putz(&f, 56);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v4(&m, 1, 84);
	check_ports(&m, 8, 0, 56);
	ck_assert_uint_eq(m.icmp_type, 8);

	/* ICMPv6 neighbour solicitation. */
	fx_init(&f, "ipv6-icmp6-ns", DECODE_LT_RAW);
	ip = ipv6x(&f, 58, 255);
	put8(&f, 135);
	put8(&f, 0);
	put16(&f, 0);
	hdr(&f);
	put32(&f, 0);
	putn(&f, B6, 16);
	ipv6_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_v6(&m, 58, 64);
	check_ports(&m, 135, 0, 16);
	ck_assert_uint_eq(m.icmp_type, 135);
	ck_assert_uint_eq(m.ttl, 255);

	/* Time exceeded, code 1. */
	fx_init(&f, "ipv4-icmp-timex", DECODE_LT_RAW);
	ip = ipv4(&f, 1);
	put8(&f, 11);
	put8(&f, 1);
	put16(&f, 0);
	hdr(&f);
	put32(&f, 0);
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, NULL);
	check_ports(&m, 11, 1, 0);
	ck_assert_uint_eq(m.icmp_code, 1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Payload names. */

/* An Ethernet/IPv4/UDP frame from port sport to dport, payload by fn. */
static size_t
udp_frame(struct fx *f, const char *name, unsigned sport, unsigned dport,
    size_t *ip, size_t *u)
{
	fx_init(f, name, DECODE_LT_ETHERNET);
	eth(f, 0x0800);
	*ip = ipv4(f, 17);
	*u = udp(f, sport, dport);
	hdr(f);
	return f->n;
}

static void
udp_frame_end(struct fx *f, size_t ip, size_t u)
{
	udp_end(f, u);
	ipv4_end(f, ip);
}

/* A DNS response with one question (at offset 12) and one A answer
 * whose owner name the caller writes. */
static size_t
dns_head(struct fx *f, const char *name, unsigned an, size_t *ip, size_t *u)
{
	size_t d = udp_frame(f, name, 53, 1024, ip, u);

	put16(f, 0xabcd);
	put16(f, 0x8180);
	put16(f, 1);
	put16(f, an);
	put32(f, 0);
	dnsname(f, "a.b");
	put32(f, 0x00010001);
	return d;
}

static void
dns_a(struct fx *f, unsigned last)
{
	put32(f, 0x00010001);
	put32(f, 1);
	put16(f, 4);
	put32(f, 0x0a000000 | last);
}

START_TEST(test_dns_answer)
{
	static const uint8_t a1[4] = { 93, 184, 216, 34 };
	static const uint8_t a2[16] = { 0x26, 0x06, 0x28, 0x00, 0x02, 0x20,
	    0, 1, 0x2, 0x48, 0x18, 0x93, 0x25, 0xc8, 0x19, 0x46 };
	struct fx f;
	struct pkt_meta m;
	struct names nm;
	size_t ip, u, d, q, cname;

	/* www.example.com: CNAME cdn.example.com (compressed into the
	 * question), A and AAAA for cdn.example.com (compressed into the
	 * CNAME's data), and a TXT record to skip. */
	d = udp_frame(&f, "dns-answer", 53, 33333, &ip, &u);
	dns_hdr(&f, 0x1234, 0x8180, 1, 4, 0, 0);
	q = f.n - d;
	dnsname(&f, "www.example.com");
	put16(&f, 1);
	put16(&f, 1);
	put16(&f, 0xc000 | (unsigned)q);
	put16(&f, 5);			/* CNAME */
	put16(&f, 1);
	put32(&f, 300);
	put16(&f, 6);
	cname = f.n - d;
	put8(&f, 3);
	putn(&f, "cdn", 3);
	put16(&f, 0xc000 | (unsigned)(q + 4));	/* -> example.com */
	put16(&f, 0xc000 | (unsigned)cname);
	put16(&f, 16);			/* TXT */
	put16(&f, 1);
	put32(&f, 300);
	put16(&f, 3);
	putn(&f, "\x02hi", 3);
	put16(&f, 0xc000 | (unsigned)cname);
	put16(&f, 1);			/* A */
	put16(&f, 1);
	put32(&f, 60);
	put16(&f, 4);
	putn(&f, a1, 4);
	put16(&f, 0xc000 | (unsigned)cname);
	put16(&f, 28);			/* AAAA */
	put16(&f, 1);
	put32(&f, 60);
	put16(&f, 16);
	putn(&f, a2, 16);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	check_ports(&m, 53, 33333, f.n - d);
	ck_assert_uint_eq(nm.dn.n, 2);
	ck_assert_uint_eq(nm.v[0].kind, PKT_NAME_DNS);
	ck_assert_uint_eq(nm.v[0].ip_ver, 4);
	ck_assert_mem_eq(nm.v[0].addr, a1, 4);
	ck_assert_mem_eq(nm.v[0].addr + 4, ZERO16, 12);
	ck_assert_str_eq(nm.v[0].name, "www.example.com");
	ck_assert_mem_eq(nm.v[0].mac, ZERO16, 6);
	ck_assert_uint_eq(nm.v[1].kind, PKT_NAME_DNS);
	ck_assert_uint_eq(nm.v[1].ip_ver, 6);
	ck_assert_mem_eq(nm.v[1].addr, a2, 16);
	ck_assert_str_eq(nm.v[1].name, "www.example.com");

	/* Room for one record only; no names wanted at all. */
	dec(&f, f.n, &m, names_init(&nm, 1));
	ck_assert_uint_eq(nm.dn.n, 1);
	ck_assert_mem_eq(nm.v[0].addr, a1, 4);
	ck_assert_int_eq(dec(&f, f.n, &m, NULL), PKT_DECODED);

	/* Names already in the array stay; new ones are appended. */
	names_init(&nm, DECODE_MAX_NAMES);
	nm.dn.n = DECODE_MAX_NAMES - 1;
	dec(&f, f.n, &m, &nm.dn);
	ck_assert_uint_eq(nm.dn.n, DECODE_MAX_NAMES);
	ck_assert_str_eq(nm.v[DECODE_MAX_NAMES - 1].name, "www.example.com");

	/* The same message is a query when QR is clear: no names. */
	set16(&f, d + 2, 0x0100);
	dec(&f, f.n, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);
}
END_TEST

START_TEST(test_dns_tcp_mdns)
{
	static const uint8_t a1[4] = { 10, 1, 2, 3 };
	struct fx f;
	struct pkt_meta m;
	struct names nm;
	size_t ip, d, len;

	/* DNS over TCP: a 2-byte length, then the message. */
	fx_init(&f, "dns-tcp", DECODE_LT_RAW);
	ip = ipv4(&f, 6);
	tcp(&f, 53, 41000, 1, 1, 0x18, 100, 0);
	hdr(&f);
	len = put16(&f, 0);
	d = f.n;
	dns_hdr(&f, 1, 0x8400, 1, 1, 0, 0);
	dnsname(&f, "intranet.corp");
	put32(&f, 0x00010001);
	put16(&f, 0xc00c);
	put32(&f, 0x00010001);
	put32(&f, 10);
	put16(&f, 4);
	putn(&f, a1, 4);
	set16(&f, len, (unsigned)(f.n - d));
	ipv4_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 1);
	ck_assert_str_eq(nm.v[0].name, "intranet.corp");
	ck_assert_mem_eq(nm.v[0].addr, a1, 4);

	/* The same, with the IP total length ending 4 bytes early (inside
	 * the address): what follows is an Ethernet trailer, not payload,
	 * so there is no name and l4_len counts 4 bytes less. */
	f.lt = DECODE_LT_RAW;
	f.name = "dns-tcp-trailer";
	set16(&f, ip + 2, (unsigned)(f.n - ip - 4));
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);
	ck_assert_uint_eq(m.l4_len, f.n - 40 - 4);

	/* DNS over TCP over IPv6, whole, then with the payload length 4
	 * bytes short. */
	fx_init(&f, "dns-tcp-ipv6", DECODE_LT_RAW);
	ip = ipv6(&f, 6);
	tcp(&f, 53, 41000, 1, 1, 0x18, 100, 0);
	hdr(&f);
	len = put16(&f, 0);
	d = f.n;
	dns_hdr(&f, 1, 0x8400, 1, 1, 0, 0);
	dnsname(&f, "v6.corp");
	put32(&f, 0x001c0001);
	put16(&f, 0xc00c);
	put32(&f, 0x001c0001);
	put32(&f, 10);
	put16(&f, 16);
	putn(&f, B6, 16);
	set16(&f, len, (unsigned)(f.n - d));
	ipv6_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 1);
	ck_assert_str_eq(nm.v[0].name, "v6.corp");
	ck_assert_uint_eq(nm.v[0].ip_ver, 6);
	ck_assert_mem_eq(nm.v[0].addr, B6, 16);
	f.name = NULL;
	set16(&f, ip + 4, (unsigned)(f.n - ip - 40 - 4));
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);
	ck_assert_uint_eq(m.ip_len, f.n - 4);
	ck_assert_uint_eq(m.l4_len, f.n - 60 - 4);

	/* DNS over UDP whose UDP length is 4 bytes shorter than the IP
	 * payload: the rest is not DNS. */
	d = dns_head(&f, "dns-udp-short", 1, &ip, &len);
	put16(&f, 0xc00c);
	dns_a(&f, 1);
	udp_frame_end(&f, ip, len);
	set16(&f, len + 4, (unsigned)(f.n - len - 4));
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);
	ck_assert_uint_eq(m.l4_len, f.n - len - 8 - 4);

	/* mDNS announcement over IPv6: no question, so the owner name;
	 * class with the cache-flush bit. */
	fx_init(&f, "mdns-ipv6", DECODE_LT_RAW);
	ip = ipv6(&f, 17);
	d = udp(&f, 5353, 5353);
	hdr(&f);
	dns_hdr(&f, 0, 0x8400, 0, 2, 0, 0);
	dnsname(&f, "_ipp._tcp.local");
	put16(&f, 12);			/* PTR */
	put16(&f, 1);
	put32(&f, 4500);
	put16(&f, 10);
	put8(&f, 7);
	putn(&f, "printer", 7);
	put16(&f, 0xc000 | 22);		/* -> "local" at 22 */
	dnsname(&f, "printer.local");
	put16(&f, 28);
	put16(&f, 0x8001);
	put32(&f, 120);
	put16(&f, 16);
	putn(&f, A6, 16);
	udp_end(&f, d);
	ipv6_end(&f, ip);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 1);
	ck_assert_str_eq(nm.v[0].name, "printer.local");
	ck_assert_uint_eq(nm.v[0].ip_ver, 6);
	ck_assert_mem_eq(nm.v[0].addr, A6, 16);

	/* Answer, authority and additional sections: the answer takes the
	 * query name, the glue record in the additional section its owner;
	 * the NS record is skipped. */
	d = udp_frame(&f, "dns-glue", 53, 2000, &ip, &len);
	dns_hdr(&f, 9, 0x8180, 1, 1, 1, 1);
	dnsname(&f, "www.x");		/* at 12; "x" at 16 */
	put32(&f, 0x00010001);
	put16(&f, 0xc00c);
	put32(&f, 0x00010001);
	put32(&f, 60);
	put16(&f, 4);
	putn(&f, a1, 4);
	put16(&f, 0xc000 | 16);
	put16(&f, 2);			/* NS ns1.x */
	put16(&f, 1);
	put32(&f, 60);
	put16(&f, 6);
	put8(&f, 3);
	putn(&f, "ns1", 3);
	put16(&f, 0xc000 | 16);
	dnsname(&f, "ns1.x");
	put32(&f, 0x00010001);
	put32(&f, 60);
	put16(&f, 4);
	putn(&f, C4, 4);
	udp_frame_end(&f, ip, len);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 2);
	ck_assert_str_eq(nm.v[0].name, "www.x");
	ck_assert_mem_eq(nm.v[0].addr, a1, 4);
	ck_assert_str_eq(nm.v[1].name, "ns1.x");
	ck_assert_mem_eq(nm.v[1].addr, C4, 4);
	(void)d;
}
END_TEST

START_TEST(test_dns_hostile)
{
	struct fx f;
	struct pkt_meta m;
	struct names nm;
	size_t ip, u, d, here;
	int i;

	/* A pointer to itself. */
	d = dns_head(&f, "dns-selfloop", 1, &ip, &u);
	here = f.n - d;
	put16(&f, 0xc000 | (unsigned)here);
	dns_a(&f, 1);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);

	/* A label, then a pointer back to that label: a -> a -> ... */
	d = dns_head(&f, "dns-labelloop", 1, &ip, &u);
	here = f.n - d;
	put8(&f, 1);
	put8(&f, 'x');
	put16(&f, 0xc000 | (unsigned)here);
	dns_a(&f, 1);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);

	/* A forward pointer (to the next answer's owner, which points
	 * back to this one). */
	d = dns_head(&f, "dns-pingpong", 2, &ip, &u);
	here = f.n - d;
	put16(&f, 0xc000 | (unsigned)(here + 16));
	dns_a(&f, 1);
	put16(&f, 0xc000 | (unsigned)here);
	dns_a(&f, 2);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);

	/* A pointer past the end of the message. */
	d = dns_head(&f, "dns-ptr-out", 1, &ip, &u);
	put16(&f, 0xffff);
	dns_a(&f, 1);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);

	/* A reserved label type (0x40) and a NUL inside a label. */
	d = dns_head(&f, "dns-badlabel", 2, &ip, &u);
	put8(&f, 0x41);
	put8(&f, 'q');
	put8(&f, 0);
	dns_a(&f, 1);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);
	d = dns_head(&f, NULL, 1, &ip, &u);
	put8(&f, 3);
	putn(&f, "a\0b", 3);
	put8(&f, 0);
	dns_a(&f, 1);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);

	/* A good answer, then a looping one: the first counts. */
	d = dns_head(&f, "dns-good-then-loop", 2, &ip, &u);
	put16(&f, 0xc00c);
	dns_a(&f, 7);
	here = f.n - d;
	put16(&f, 0xc000 | (unsigned)here);
	dns_a(&f, 8);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 1);
	ck_assert_str_eq(nm.v[0].name, "a.b");
	ck_assert_mem_eq(nm.v[0].addr, "\x0a\x00\x00\x07", 4);

	/* More answers than records fit: DECODE_MAX_NAMES of them. */
	d = dns_head(&f, "dns-many-answers", 12, &ip, &u);
	for (i = 0; i < 12; i++) {
		put16(&f, 0xc00c);
		dns_a(&f, (unsigned)i);
	}
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, DECODE_MAX_NAMES);
	ck_assert_mem_eq(nm.v[7].addr, "\x0a\x00\x00\x07", 4);
	(void)d;
}
END_TEST

START_TEST(test_dns_jump_limit)
{
	struct fx f;
	struct pkt_meta m;
	struct names nm;
	size_t ip, u, d, first, last;
	unsigned links, i;

	/*
	 * The question "deep.example" at offset 12; a TXT answer whose data
	 * is a chain of two-byte names, each a pointer to the one before
	 * (the first to the question); then an A answer whose owner points
	 * to the last link.  Reading that owner takes 1 + links jumps: 32
	 * are allowed, 33 are not.
	 */
	for (links = 31; links <= 32; links++) {
		d = udp_frame(&f, links == 31 ? "dns-32-jumps" :
		    "dns-33-jumps", 53, 1024, &ip, &u);
		dns_hdr(&f, 1, 0x8180, 1, 2, 0, 0);
		first = f.n - d;
		dnsname(&f, "deep.example");
		put32(&f, 0x00010001);
		put16(&f, 0xc000 | (unsigned)first);
		put16(&f, 16);
		put16(&f, 1);
		put32(&f, 1);
		put16(&f, 2 * links);
		last = first;
		for (i = 0; i < links; i++) {
			size_t here = f.n - d;

			put16(&f, 0xc000 | (unsigned)last);
			last = here;
		}
		put16(&f, 0xc000 | (unsigned)last);
		dns_a(&f, 5);
		udp_frame_end(&f, ip, u);
		check_fx(&f, PKT_DECODED, &m,
		    names_init(&nm, DECODE_MAX_NAMES));
		ck_assert_msg(nm.dn.n == (links == 31 ? 1u : 0u),
		    "%u jumps: %u names", links + 1, nm.dn.n);
		if (links == 31) {
			ck_assert_str_eq(nm.v[0].name, "deep.example");
			ck_assert_mem_eq(nm.v[0].addr, "\x0a\x00\x00\x05", 4);
		}
	}
}
END_TEST

/* Write a name of four labels of 63, 63, 63 and last bytes. */
static void
long_name(char *name, size_t last)
{
	size_t o = 0, i, j;

	for (i = 0; i < 4; i++) {
		for (j = 0; j < (i < 3 ? 63 : last); j++)
			name[o++] = (char)('a' + i);
		name[o++] = '.';
	}
	name[--o] = '\0';
}

START_TEST(test_dns_name_length)
{
	struct fx f;
	struct pkt_meta m;
	struct names nm;
	char name[300];
	size_t ip, u, last;

	/* 63+63+63+61 with dots: 253 characters, the maximum; with 62,
	 * 254 characters: refused. */
	for (last = 61; last <= 62; last++) {
		long_name(name, last);
		ck_assert_uint_eq(strlen(name), 192 + last);
		udp_frame(&f, last == 61 ? "dns-253" : "dns-254", 53, 1024,
		    &ip, &u);
		dns_hdr(&f, 1, 0x8180, 1, 1, 0, 0);
		dnsname(&f, name);
		put32(&f, 0x00010001);
		put16(&f, 0xc00c);
		dns_a(&f, 1);
		udp_frame_end(&f, ip, u);
		check_fx(&f, PKT_DECODED, &m,
		    names_init(&nm, DECODE_MAX_NAMES));
		if (last == 61) {
			/* a long query name for dns_anomaly (to the client,
			 * the destination B4), then the answer's name */
			ck_assert_uint_eq(nm.dn.n, 2);
			ck_assert_int_eq(nm.v[0].kind, PKT_NAME_DNS_LONG);
			ck_assert_str_eq(nm.v[0].name, name);
			ck_assert_mem_eq(nm.v[0].addr, B4, 4);
			ck_assert_int_eq(nm.v[1].kind, PKT_NAME_DNS);
			ck_assert_str_eq(nm.v[1].name, name);
		} else
			ck_assert_uint_eq(nm.dn.n, 0);
	}
}
END_TEST

/* An NXDOMAIN answer gives a PKT_NAME_DNS_NX record for its client (the
 * destination, B4) with the query name; a short name with an answer gives
 * only the answer's name; a query gives nothing. */
START_TEST(test_dns_nx)
{
	struct fx f;
	struct pkt_meta m;
	struct names nm;
	size_t ip, u;
	unsigned flags;

	for (flags = 0x8183; flags != 0; flags = flags == 0x8183 ? 0x0100 : 0) {
		udp_frame(&f, flags == 0x8183 ? "dns-nx" : "dns-query", 53,
		    1024, &ip, &u);
		put16(&f, 0xabcd);
		put16(&f, flags);
		put16(&f, 1);
		put16(&f, 0);
		put32(&f, 0);
		dnsname(&f, "nosuch.example");
		put32(&f, 0x00010001);
		udp_frame_end(&f, ip, u);
		check_fx(&f, PKT_DECODED, &m,
		    names_init(&nm, DECODE_MAX_NAMES));
		if (flags == 0x8183) {
			ck_assert_uint_eq(nm.dn.n, 1);
			ck_assert_int_eq(nm.v[0].kind, PKT_NAME_DNS_NX);
			ck_assert_str_eq(nm.v[0].name, "nosuch.example");
			ck_assert_int_eq(nm.v[0].ip_ver, 4);
			ck_assert_mem_eq(nm.v[0].addr, B4, 4);
		} else
			ck_assert_uint_eq(nm.dn.n, 0);
	}
}
END_TEST

/* A DHCP message from the client hardware address 02:00:00:aa:bb:cc. */
static void
dhcp_msg(struct fx *f, unsigned op, const uint8_t *ciaddr,
    const uint8_t *yiaddr)
{
	put8(f, op);
	put8(f, 1);
	put8(f, 6);
	put8(f, 0);
	put32(f, 0x3903f326);
	put16(f, 0);
	put16(f, 0x8000);
	putn(f, ciaddr, 4);
	putn(f, yiaddr, 4);
	putz(f, 8);
	putn(f, "\x02\x00\x00\xaa\xbb\xcc", 6);
	putz(f, 10 + 64 + 128);
	put32(f, 0x63825363);
}

START_TEST(test_dhcp)
{
	static const uint8_t req[4] = { 192, 168, 1, 77 };
	static const uint8_t yi[4] = { 192, 168, 1, 78 };
	static const uint8_t ci[4] = { 192, 168, 1, 79 };
	struct fx f;
	struct pkt_meta m;
	struct names nm;
	size_t ip, u;

	/* DHCPREQUEST: no address yet, Requested IP option. */
	udp_frame(&f, "dhcp-request", 68, 67, &ip, &u);
	dhcp_msg(&f, 1, ZERO16, ZERO16);
	putn(&f, "\x35\x01\x03", 3);	/* message type REQUEST */
	putn(&f, "\x00\x00", 2);	/* pads */
	put8(&f, 50);
	put8(&f, 4);
	putn(&f, req, 4);
	put8(&f, 12);
	put8(&f, 6);
	putn(&f, "laptop", 6);
	put8(&f, 255);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	check_ports(&m, 68, 67, f.n - u - 8);
	ck_assert_uint_eq(nm.dn.n, 1);
	ck_assert_uint_eq(nm.v[0].kind, PKT_NAME_DHCP);
	ck_assert_str_eq(nm.v[0].name, "laptop");
	ck_assert_uint_eq(nm.v[0].ip_ver, 4);
	ck_assert_mem_eq(nm.v[0].addr, req, 4);
	ck_assert_mem_eq(nm.v[0].mac, "\x02\x00\x00\xaa\xbb\xcc", 6);

	/* DHCPACK: yiaddr wins over ciaddr; a counted trailing NUL. */
	udp_frame(&f, "dhcp-ack", 67, 68, &ip, &u);
	dhcp_msg(&f, 2, ci, yi);
	put8(&f, 12);
	put8(&f, 5);
	putn(&f, "desk\0", 5);
	put8(&f, 255);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 1);
	ck_assert_str_eq(nm.v[0].name, "desk");
	ck_assert_mem_eq(nm.v[0].addr, yi, 4);

	/* DHCPINFORM: ciaddr. */
	udp_frame(&f, "dhcp-inform", 68, 67, &ip, &u);
	dhcp_msg(&f, 1, ci, ZERO16);
	put8(&f, 12);
	put8(&f, 2);
	putn(&f, "pc", 2);
	udp_frame_end(&f, ip, u);	/* no END option: still fine */
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 1);
	ck_assert_str_eq(nm.v[0].name, "pc");
	ck_assert_mem_eq(nm.v[0].addr, ci, 4);

	/* DHCPDISCOVER: no address known at all. */
	udp_frame(&f, "dhcp-discover", 68, 67, &ip, &u);
	dhcp_msg(&f, 1, ZERO16, ZERO16);
	put8(&f, 12);
	put8(&f, 3);
	putn(&f, "tv1", 3);
	put8(&f, 255);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 1);
	ck_assert_uint_eq(nm.v[0].ip_ver, 0);
	ck_assert_mem_eq(nm.v[0].addr, ZERO16, 16);
	ck_assert_mem_eq(nm.v[0].mac, "\x02\x00\x00\xaa\xbb\xcc", 6);

	/* Two host name options: the last one counts, and cutting the
	 * second (every truncation length) never leaves an empty name. */
	udp_frame(&f, "dhcp-two-hostnames", 68, 67, &ip, &u);
	dhcp_msg(&f, 1, ZERO16, ZERO16);
	put16(&f, 0x0c05);
	putn(&f, "first", 5);
	put16(&f, 0x0c06);
	putn(&f, "second", 6);
	put8(&f, 255);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 1);
	ck_assert_str_eq(nm.v[0].name, "second");
	dec(&f, f.n - 4, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 1);
	ck_assert_str_eq(nm.v[0].name, "first");

	/* No host name option; a bad magic cookie. */
	udp_frame(&f, NULL, 68, 67, &ip, &u);
	dhcp_msg(&f, 1, ZERO16, ZERO16);
	putn(&f, "\x35\x01\x01\xff", 4);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);
	udp_frame(&f, NULL, 68, 67, &ip, &u);
	dhcp_msg(&f, 1, ZERO16, ZERO16);
	f.b[f.n - 1] = 0x64;
	putn(&f, "\x0c\x02pc\xff", 5);
	udp_frame_end(&f, ip, u);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);
}
END_TEST

/* A TLS ClientHello in one TCP segment A4:50000 -> B4:443, with a
 * server_name extension for sni (after a supported_versions one). */
static void
tls_hello(struct fx *f, const char *name, const char *sni, unsigned hstype)
{
	size_t ip, rec, hs, ext, sn;

	fx_init(f, name, DECODE_LT_ETHERNET);
	eth(f, 0x0800);
	ip = ipv4(f, 6);
	tcp(f, 50000, 443, 1, 1, 0x18, 502, 0);
	hdr(f);
	rec = f->n;
	put8(f, 22);
	put16(f, 0x0301);
	put16(f, 0);
	hs = f->n;
	put8(f, hstype);
	put8(f, 0);
	put16(f, 0);
	put16(f, 0x0303);
	putz(f, 32);			/* random */
	put8(f, 32);			/* session id */
	putz(f, 32);
	put16(f, 4);
	put32(f, 0x13011302);
	put8(f, 1);
	put8(f, 0);
	ext = put16(f, 0);
	put16(f, 0x002b);		/* supported_versions */
	put16(f, 3);
	put8(f, 2);
	put16(f, 0x0304);
	put16(f, 0x0000);		/* server_name */
	sn = put16(f, 0);
	put16(f, (unsigned)strlen(sni) + 3);
	put8(f, 0);
	put16(f, (unsigned)strlen(sni));
	putn(f, sni, strlen(sni));
	set16(f, sn, (unsigned)(f->n - sn - 2));
	put16(f, 0x0017);		/* extended_master_secret */
	put16(f, 0);
	set16(f, ext, (unsigned)(f->n - ext - 2));
	set16(f, hs + 2, (unsigned)(f->n - hs - 4));
	set16(f, rec + 3, (unsigned)(f->n - rec - 5));
	ipv4_end(f, ip);
}

START_TEST(test_tls_sni)
{
	struct fx f;
	struct pkt_meta m;
	struct names nm;

	tls_hello(&f, "tls-sni", "www.example.org", 1);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 1);
	ck_assert_uint_eq(nm.v[0].kind, PKT_NAME_SNI);
	ck_assert_str_eq(nm.v[0].name, "www.example.org");
	ck_assert_uint_eq(nm.v[0].ip_ver, 4);
	ck_assert_mem_eq(nm.v[0].addr, B4, 4);

	/* The same bytes as a ServerHello (type 2): nothing. */
	tls_hello(&f, NULL, "www.example.org", 2);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);

	/* The ClientHello cut in the middle of the name (the rest would
	 * be in the next segment): nothing, and the packet is fine. */
	tls_hello(&f, NULL, "www.example.org", 1);
	f.n -= 12;
	ipv4_end(&f, 14);
	check_fx(&f, PKT_DECODED, &m, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(nm.dn.n, 0);
}
END_TEST

START_TEST(test_names_null)
{
	struct fx f;
	struct pkt_meta m;
	struct decode_names dn = { NULL, 8, 0 };

	tls_hello(&f, NULL, "a.example", 1);
	ck_assert_int_eq(dec(&f, f.n, &m, NULL), PKT_DECODED);
	ck_assert_int_eq(dec(&f, f.n, &m, &dn), PKT_DECODED);
	ck_assert_uint_eq(dn.n, 0);
	ck_assert_int_eq(decode_packet(&m, NULL, 1, NULL, 0, 0, 0),
	    PKT_TRUNCATED);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Tunnels: decode_frame() and its layered records. */

static const uint8_t D4[4] = { 10, 1, 2, 3 };
static const uint8_t E4[4] = { 10, 4, 5, 6 };
static const uint8_t C6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0x0c };
static const uint8_t D6[16] = { 0xfd, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0x0d };

/* The invariants of every record, whatever its bytes. */
static void
check_meta_sane(const struct pkt_meta *m, uint32_t caplen)
{
	ck_assert_uint_lt(m->status, PKT_STATUS_COUNT);
	ck_assert(m->ip_ver == 0 || m->ip_ver == 4 || m->ip_ver == 6);
	ck_assert_uint_eq(m->cap_len, caplen);
	if (m->ip_ver == 0)
		ck_assert_uint_eq(m->flags & PKT_F_L4, 0);
	if (m->flags & PKT_F_FRAG_LATER)
		ck_assert_uint_eq(m->flags & PKT_F_L4, 0);
	if (m->flags & PKT_F_ARP)
		ck_assert_uint_eq(m->ip_ver, 0);
	if (m->ip_ver == 4)
		ck_assert_mem_eq(m->src + 4, ZERO16, 12);
}

/* Records of one frame: the wire in m, the rest in in[]. */
struct frame {
	struct pkt_meta m;
	struct pkt_meta in[PKT_MAX_TUNNELS];
	unsigned n;
};

/* Record k of fr (0: the wire). */
static const struct pkt_meta *
rec(const struct frame *fr, unsigned k)
{
	return k == 0 ? &fr->m : &fr->in[k - 1];
}

/* The invariants every decoded frame keeps, whatever its bytes. */
static void
check_frame_sane(const struct frame *fr, unsigned depth, uint32_t caplen,
    uint32_t wirelen)
{
	const struct pkt_meta *r;
	unsigned k;

	ck_assert_uint_le(fr->n, depth);
	for (k = 0; k <= fr->n; k++) {
		r = rec(fr, k);
		check_meta_sane(r, caplen);
		ck_assert_uint_eq(r->layer, k);
		ck_assert_uint_eq(r->ts_ns, TS);
		ck_assert_uint_eq(r->wire_len, fr->m.wire_len);
		ck_assert_uint_eq(r->linktype, fr->m.linktype);
		ck_assert_uint_lt(r->tunnel, PKT_TUN_COUNT);
		if (k < fr->n) {
			/* carries the next layer: opened, so whole */
			ck_assert_uint_eq(r->flags & (PKT_F_MORE |
			    PKT_F_TUNNEL | PKT_F_TUN_SKIP),
			    PKT_F_MORE | PKT_F_TUNNEL);
			ck_assert_uint_eq(r->status, PKT_DECODED);
			ck_assert_uint_ne(r->tunnel, PKT_TUN_NONE);
		} else {
			ck_assert_uint_eq(r->flags & PKT_F_MORE, 0);
			if (r->flags & PKT_F_TUNNEL)
				ck_assert(r->flags & PKT_F_TUN_SKIP);
		}
		if (r->flags & PKT_F_TUN_SKIP)
			ck_assert(r->flags & PKT_F_TUNNEL);
		if ((r->flags & PKT_F_TUNNEL) == 0 && k == 0)
			ck_assert_uint_eq(r->tunnel, PKT_TUN_NONE);
		if (k > 0) {
			ck_assert_uint_ne(r->ip_ver, 0);
			ck_assert(r->status == PKT_DECODED ||
			    r->status == PKT_TRUNCATED);
			if (!(r->flags & PKT_F_TUNNEL))
				ck_assert_uint_eq(r->tunnel,
				    rec(fr, k - 1)->tunnel);
		}
	}
	(void)wirelen;
}

/* Decode the first len bytes of f (from a heap copy of that size) at
 * the given depth. */
static unsigned
decf(const struct fx *f, size_t len, struct frame *fr, unsigned depth,
    struct decode_names *dn)
{
	uint8_t *copy;

	copy = malloc(len > 0 ? len : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, f->b, len);
	memset(fr, 0xa5, sizeof *fr);
	fr->n = decode_frame(&fr->m, fr->in, depth, dn, f->lt,
	    len > 0 ? copy : NULL, (uint32_t)len, (uint32_t)f->n, TS);
	free(copy);
	check_frame_sane(fr, depth < PKT_MAX_TUNNELS ? depth :
	    PKT_MAX_TUNNELS, (uint32_t)len, (uint32_t)f->n);
	if (dn != NULL)
		check_names_sane(dn);
	return fr->n;
}

/* Decode f whole at depth (want nrec inner records), and at every
 * shorter length and depth for the invariants; write it as a seed. */
static void
check_tun(struct fx *f, unsigned depth, unsigned nrec, struct frame *fr,
    struct decode_names *dn)
{
	struct frame t;
	struct names nm;
	size_t len;
	unsigned d;

	write_seed(f);
	ck_assert_msg(decf(f, f->n, fr, depth, dn) == nrec,
	    "%s: %u inner records, want %u", f->name, fr->n, nrec);
	for (d = 0; d <= PKT_MAX_TUNNELS + 1; d++)
		for (len = 0; len <= f->n; len++)
			decf(f, len, &t, d, names_init(&nm, DECODE_MAX_NAMES));
	/* depth 0 is decode_packet() */
	decf(f, f->n, &t, 0, NULL);
	{
		struct pkt_meta m;

		ck_assert_int_eq(dec(f, f->n, &m, NULL), t.m.status);
		ck_assert_mem_eq(&m, &t.m, sizeof m);
	}
}

/* An inner IPv4 D4 -> E4 UDP 1000 -> 2000 datagram with 6 bytes. */
static void
inner_v4_udp(struct fx *f)
{
	size_t ip, u;

	ip = ipv4x(f, 17, 7, 0, 33, 0, D4, E4);
	u = udp(f, 1000, 2000);
	putn(f, "inside", 6);
	udp_end(f, u);
	ipv4_end(f, ip);
}

static void
check_inner_v4_udp(const struct pkt_meta *r, unsigned layer,
    unsigned tunnel)
{
	ck_assert_uint_eq(r->layer, layer);
	ck_assert_uint_eq(r->tunnel, tunnel);
	ck_assert_uint_eq(r->status, PKT_DECODED);
	ck_assert_uint_eq(r->ip_ver, 4);
	ck_assert_mem_eq(r->src, D4, 4);
	ck_assert_mem_eq(r->dst, E4, 4);
	ck_assert_uint_eq(r->proto, 17);
	ck_assert_uint_eq(r->ttl, 33);
	ck_assert_uint_eq(r->ip_len, 20 + 8 + 6);
	check_ports(r, 1000, 2000, 6);
	ck_assert_uint_eq(r->flags, PKT_F_L4);
}

START_TEST(test_tun_ipip)
{
	struct frame fr;
	struct fx f;
	size_t ip, ip2, u;

	/* IPv4 A4 -> B4 carrying IPv4 D4 -> E4 (protocol 4). */
	fx_init(&f, "tun-ipip", DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4(&f, 4);
	inner_v4_udp(&f);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	check_v4(&fr.m, 4, 20 + 34);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_IP);
	ck_assert_uint_eq(fr.m.l4_len, 34);
	ck_assert_uint_eq(fr.m.status, PKT_DECODED);
	check_inner_v4_udp(&fr.in[0], 1, PKT_TUN_IP);
	ck_assert_uint_eq(fr.in[0].wire_len, f.n);
	ck_assert_uint_eq(fr.in[0].cap_len, f.n);
	ck_assert_uint_eq(fr.in[0].ethertype, 0x0800);
	ck_assert_uint_eq(fr.in[0].vlan, 0);
	/* depth 0: recognised, not opened */
	ck_assert_uint_eq(decf(&f, f.n, &fr, 0, NULL), 0);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_TUN_SKIP);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_IP);

	/* Cut in the inner UDP header, after the inner addresses: the
	 * inner layer is still a record, TRUNCATED. */
	ck_assert_uint_eq(decf(&f, 14 + 20 + 20 + 2, &fr, 2, NULL), 1);
	ck_assert_uint_eq(fr.m.status, PKT_DECODED);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.in[0].status, PKT_TRUNCATED);
	ck_assert_mem_eq(fr.in[0].src, D4, 4);
	ck_assert_mem_eq(fr.in[0].dst, E4, 4);
	ck_assert_uint_eq(fr.in[0].ip_len, 34);
	ck_assert_uint_eq(fr.in[0].flags & PKT_F_L4, 0);
	/* Cut inside the inner addresses: no inner record. */
	ck_assert_uint_eq(decf(&f, 14 + 20 + 16, &fr, 2, NULL), 0);
	ck_assert_uint_eq(fr.m.status, PKT_DECODED);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_TUN_SKIP);

	/* Protocol 4 with an IPv6 packet inside is not IP-in-IP: the
	 * inner header is invalid, so the tunnel is left closed. */
	fx_init(&f, "tun-ipip-bad", DECODE_LT_RAW);
	ip = ipv4(&f, 4);
	ip2 = ipv6a(&f, 59, C6, D6);
	ipv6_end(&f, ip2);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_TUN_SKIP);
	ck_assert_uint_eq(fr.m.status, PKT_DECODED);

	/* 6in4: IPv4 carrying IPv6 C6 -> D6, UDP 1000 -> 53. */
	fx_init(&f, "tun-6in4", DECODE_LT_RAW);
	ip = ipv4(&f, 41);
	ip2 = ipv6a(&f, 17, C6, D6);
	u = udp(&f, 1000, 53);
	putz(&f, 12);
	udp_end(&f, u);
	ipv6_end(&f, ip2);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	check_v4(&fr.m, 41, 20 + 40 + 20);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_IP);
	ck_assert_uint_eq(fr.in[0].ip_ver, 6);
	ck_assert_mem_eq(fr.in[0].src, C6, 16);
	ck_assert_mem_eq(fr.in[0].dst, D6, 16);
	ck_assert_uint_eq(fr.in[0].ip_len, 60);
	ck_assert_uint_eq(fr.in[0].tunnel, PKT_TUN_IP);
	check_ports(&fr.in[0], 1000, 53, 12);

	/* IPv6 in IPv6 (next header 41). */
	fx_init(&f, "tun-6in6", DECODE_LT_RAW);
	ip = ipv6(&f, 41);
	ip2 = ipv6a(&f, 58, C6, D6);
	put32(&f, 0x80000000);		/* echo request */
	put32(&f, 0x00010002);
	ipv6_end(&f, ip2);
	ipv6_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	check_v6(&fr.m, 41, 40 + 48);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.in[0].ip_ver, 6);
	ck_assert_mem_eq(fr.in[0].src, C6, 16);
	ck_assert_uint_eq(fr.in[0].proto, 58);
	ck_assert_uint_eq(fr.in[0].ip_len, 48);
	check_ports(&fr.in[0], 128, 0, 0);

	/* A later fragment of IP-in-IP is marked, never opened. */
	fx_init(&f, "tun-ipip-frag", DECODE_LT_RAW);
	ip = ipv4x(&f, 4, 9, 0x0010, 64, 0, A4, B4);
	putz(&f, 16);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_FRAG | PKT_F_FRAG_LATER |
	    PKT_F_TUNNEL | PKT_F_TUN_SKIP);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_IP);
}
END_TEST

START_TEST(test_tun_gre)
{
	struct frame fr;
	struct fx f;
	size_t ip, ip2;

	/* GRE with key and sequence number (RFC 2890) carrying IPv4. */
	fx_init(&f, "tun-gre-key-seq", DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4(&f, 47);
	put16(&f, 0x3000);		/* K, S, version 0 */
	put16(&f, 0x0800);
	put32(&f, 0xdeadbeef);		/* key */
	put32(&f, 42);			/* sequence number */
	inner_v4_udp(&f);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	check_v4(&fr.m, 47, 20 + 12 + 34);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_GRE);
	ck_assert_uint_eq(fr.m.l4_len, 12 + 34);
	check_inner_v4_udp(&fr.in[0], 1, PKT_TUN_GRE);
	/* cut in the GRE key: recognised, not opened */
	ck_assert_uint_eq(decf(&f, 14 + 20 + 6, &fr, 2, NULL), 0);
	ck_assert_uint_eq(fr.m.status, PKT_DECODED);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_TUN_SKIP);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_GRE);

	/* GRE with a checksum carrying transparent Ethernet (0x6558) with
	 * an 802.1ad S-tag 30 and a C-tag 40, then IPv4. */
	fx_init(&f, "tun-gre-teb", DECODE_LT_RAW);
	ip = ipv4(&f, 47);
	put16(&f, 0x8000);		/* C */
	put16(&f, 0x6558);
	put32(&f, 0x12340000);		/* checksum, reserved1 */
	eth(&f, 0x88a8);
	vlan(&f, 30, 0x8100);
	vlan(&f, 40, 0x0800);
	inner_v4_udp(&f);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	ck_assert_uint_eq(fr.m.vlan, 0);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_GRE);
	check_inner_v4_udp(&fr.in[0], 1, PKT_TUN_GRE);
	ck_assert_uint_eq(fr.in[0].vlan, 30);
	ck_assert_uint_eq(fr.in[0].inner_vlan, 40);

	/* Enhanced GRE (version 1, PPTP) is not opened. */
	fx_init(&f, "tun-gre-pptp", DECODE_LT_RAW);
	ip = ipv4(&f, 47);
	put16(&f, 0x3001);
	put16(&f, 0x880b);
	put16(&f, 34);			/* payload length */
	put16(&f, 7);			/* call id */
	put32(&f, 1);
	ip2 = f.n;
	inner_v4_udp(&f);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_TUN_SKIP);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_GRE);
	ck_assert_uint_eq(fr.m.l4_len, 12 + 34);
	(void)ip2;

	/* ERSPAN type II (0x88be with S): an 8-byte header, then the
	 * mirrored Ethernet frame; opened as GRE, as Zeek does. */
	fx_init(&f, "tun-gre-erspan2", DECODE_LT_RAW);
	ip = ipv4(&f, 47);
	put16(&f, 0x1000);		/* S */
	put16(&f, 0x88be);
	put32(&f, 1);			/* sequence number */
	put32(&f, 0x10640001);		/* ver 1, VLAN 100, session 1 */
	put32(&f, 0);
	eth(&f, 0x0800);
	inner_v4_udp(&f);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_GRE);
	ck_assert_uint_eq(fr.m.l4_len, 8 + 8 + 14 + 34);
	check_inner_v4_udp(&fr.in[0], 1, PKT_TUN_GRE);
	/* header only, no frame: recognised, not opened */
	ck_assert_uint_eq(decf(&f, 20 + 16, &fr, 2, NULL), 0);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_TUN_SKIP);

	/* ERSPAN type I (0x88be, no S): the frame right after GRE. */
	fx_init(&f, "tun-gre-erspan1", DECODE_LT_RAW);
	ip = ipv4(&f, 47);
	put16(&f, 0x0000);
	put16(&f, 0x88be);
	eth(&f, 0x0800);
	inner_v4_udp(&f);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	ck_assert_uint_eq(fr.m.l4_len, 4 + 14 + 34);
	check_inner_v4_udp(&fr.in[0], 1, PKT_TUN_GRE);

	/* ERSPAN type III (0x22eb): 12 bytes whose last bit (O) adds an
	 * 8-byte platform subheader, then the frame. */
	fx_init(&f, "tun-gre-erspan3", DECODE_LT_RAW);
	ip = ipv4(&f, 47);
	put16(&f, 0x0000);
	put16(&f, 0x22eb);
	put32(&f, 0x20000001);		/* ver 2, session 1 */
	put32(&f, 0x12345678);		/* timestamp */
	put32(&f, 0x00000001);		/* SGT, flags: O */
	putz(&f, 8);			/* platform subheader */
	eth(&f, 0x0800);
	inner_v4_udp(&f);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	ck_assert_uint_eq(fr.m.l4_len, 4 + 12 + 8 + 14 + 34);
	check_inner_v4_udp(&fr.in[0], 1, PKT_TUN_GRE);
}
END_TEST

/* The IPv6 packet inside the Teredo tests: C6 -> D6, UDP 53 -> 1024,
 * a DNS answer www.example -> 10.0.0.7 (header 12, question 13 + 4,
 * answer 16: 45 bytes). */
static void
teredo_inner(struct fx *f)
{
	size_t ip, u;

	ip = ipv6a(f, 17, C6, D6);
	u = udp(f, 53, 1024);
	dns_hdr(f, 1, 0x8180, 1, 1, 0, 0);
	dnsname(f, "www.example");
	put32(f, 0x00010001);
	put16(f, 0xc00c);
	put32(f, 0x00010001);
	put32(f, 60);
	put16(f, 4);
	put32(f, 0x0a000007);
	udp_end(f, u);
	ipv6_end(f, ip);
}

static void
check_teredo_inner(const struct frame *fr, const struct names *nm)
{
	ck_assert_uint_eq(fr->in[0].layer, 1);
	ck_assert_uint_eq(fr->in[0].tunnel, PKT_TUN_TEREDO);
	ck_assert_uint_eq(fr->in[0].ip_ver, 6);
	ck_assert_mem_eq(fr->in[0].src, C6, 16);
	ck_assert_mem_eq(fr->in[0].dst, D6, 16);
	ck_assert_uint_eq(fr->in[0].ip_len, 40 + 8 + 45);
	check_ports(&fr->in[0], 53, 1024, 45);
	/* the name inside the tunnel is learned */
	ck_assert_uint_eq(nm->dn.n, 1);
	ck_assert_str_eq(nm->v[0].name, "www.example");
	ck_assert_uint_eq(nm->v[0].ip_ver, 4);
	ck_assert_uint_eq(nm->v[0].addr[3], 7);
}

START_TEST(test_tun_teredo)
{
	struct frame fr;
	struct names nm;
	struct fx f;
	size_t ip, u, i;

	/* Teredo on port 3544 with an origin indication. */
	fx_init(&f, "tun-teredo-origin", DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4(&f, 17);
	u = udp(&f, 3544, 40000);
	put16(&f, 0x0000);
	put16(&f, 40000 ^ 0xffff);
	put32(&f, 0x0a000001 ^ 0xffffffff);
	teredo_inner(&f);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, names_init(&nm, DECODE_MAX_NAMES));
	check_v4(&fr.m, 17, 20 + 8 + 8 + 93);
	check_ports(&fr.m, 3544, 40000, 8 + 93);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4 | PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_TEREDO);
	check_teredo_inner(&fr, &nm);
	/* depth 0: no names from inside */
	ck_assert_uint_eq(decf(&f, f.n, &fr, 0,
	    names_init(&nm, DECODE_MAX_NAMES)), 0);
	ck_assert_uint_eq(nm.dn.n, 0);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4 | PKT_F_TUNNEL |
	    PKT_F_TUN_SKIP);

	/* On any port, with an authentication header (client id 2 bytes,
	 * auth value 3 bytes, nonce, confirmation) and an origin. */
	fx_init(&f, "tun-teredo-auth", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 5555, 6666);
	put16(&f, 0x0001);
	put8(&f, 2);
	put8(&f, 3);
	putn(&f, "idabc", 5);
	put32(&f, 0x01020304);		/* nonce */
	put32(&f, 0x05060708);
	put8(&f, 0);			/* confirmation */
	put16(&f, 0x0000);
	put16(&f, 1234 ^ 0xffff);
	put32(&f, 0xffffffff);
	teredo_inner(&f);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, names_init(&nm, DECODE_MAX_NAMES));
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_TEREDO);
	check_ports(&fr.m, 5555, 6666, 4 + 5 + 9 + 8 + 93);
	check_teredo_inner(&fr, &nm);

	/* No headers: IPv6 from a Teredo address to D6 (TCP SYN), on an
	 * ordinary port pair. */
	fx_init(&f, "tun-teredo-plain", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 61000, 443);
	i = ipv6a(&f, 6, T6, D6);
	tcp(&f, 50000, 80, 1, 0, PKT_TCP_SYN, 8192, 0);
	ipv6_end(&f, i);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_TEREDO);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4 | PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_mem_eq(fr.in[0].src, T6, 16);
	ck_assert_mem_eq(fr.in[0].dst, D6, 16);
	ck_assert_uint_eq(fr.in[0].ip_len, 60);
	ck_assert_uint_eq(fr.in[0].tcp_flags, PKT_TCP_SYN);
	check_ports(&fr.in[0], 50000, 80, 0);

	/* The same without a Teredo address (what a QUIC short header
	 * can look like): not Teredo. */
	fx_init(&f, "tun-teredo-junk-noprefix", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 61000, 443);
	i = ipv6a(&f, 6, C6, D6);
	tcp(&f, 50000, 80, 1, 0, PKT_TCP_SYN, 8192, 0);
	ipv6_end(&f, i);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_NONE);

	/* Teredo-looking junk: an IPv6 version nibble but a payload
	 * length that does not match the datagram (one byte too many). */
	fx_init(&f, "tun-teredo-junk-len", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 3544, 40000);
	teredo_inner(&f);
	put8(&f, 0);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_NONE);

	/* Junk: an origin indication followed by no IPv6 header. */
	fx_init(&f, "tun-teredo-junk-origin", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 3544, 40000);
	put16(&f, 0x0000);
	putz(&f, 6);
	for (i = 0; i < 40; i++)
		put8(&f, 0x55);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4);

	/* Junk: 39 bytes, too short for an IPv6 header. */
	fx_init(&f, "tun-teredo-junk-short", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 3544, 40000);
	put32(&f, 0x60000000);
	put16(&f, 0);
	putz(&f, 33);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4);

	/* A Teredo bubble whose IPv6 header is not valid IPv6 inside
	 * (right length, but the decoder calls it invalid: version 6 with
	 * a hop-by-hop header longer than the packet): recognised, not
	 * opened. */
	fx_init(&f, "tun-teredo-badinner", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 3544, 40000);
	i = ipv6a(&f, 0, T6, D6);
	put8(&f, 59);
	put8(&f, 4);			/* 40 bytes claimed, 8 there */
	putz(&f, 6);
	ipv6_end(&f, i);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4 | PKT_F_TUNNEL |
	    PKT_F_TUN_SKIP);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_TEREDO);
}
END_TEST

/* A VXLAN header with the I flag and VNI 0x123456. */
static void
vxlan_hdr(struct fx *f, unsigned flags)
{
	put32(f, (uint32_t)flags << 24);
	put32(f, 0x12345600);
}

START_TEST(test_tun_vxlan)
{
	struct frame fr;
	struct fx f;
	size_t ip, u;

	/* VLAN 10 outside; VXLAN to 4789; Ethernet with VLAN 77 inside. */
	fx_init(&f, "tun-vxlan", DECODE_LT_ETHERNET);
	eth(&f, 0x8100);
	vlan(&f, 10, 0x0800);
	ip = ipv4(&f, 17);
	u = udp(&f, 49152, 4789);
	vxlan_hdr(&f, 0x08);
	eth(&f, 0x8100);
	vlan(&f, 77, 0x0800);
	inner_v4_udp(&f);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	check_v4(&fr.m, 17, 20 + 8 + 8 + 18 + 34);
	check_ports(&fr.m, 49152, 4789, 8 + 18 + 34);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4 | PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_VXLAN);
	ck_assert_uint_eq(fr.m.vlan, 10);
	ck_assert_uint_eq(fr.m.inner_vlan, 0);
	check_inner_v4_udp(&fr.in[0], 1, PKT_TUN_VXLAN);
	ck_assert_uint_eq(fr.in[0].vlan, 77);
	ck_assert_uint_eq(fr.in[0].inner_vlan, 0);
	/* Cut in the inner Ethernet header: not opened. */
	ck_assert_uint_eq(decf(&f, 18 + 28 + 8 + 10, &fr, 2, NULL), 0);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4 | PKT_F_TUNNEL |
	    PKT_F_TUN_SKIP);

	/* No I flag: not VXLAN, whatever the port. */
	fx_init(&f, "tun-vxlan-noflag", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 49152, 4789);
	vxlan_hdr(&f, 0x00);
	eth(&f, 0x0800);
	inner_v4_udp(&f);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_NONE);

	/* ARP inside VXLAN: whole, but no IP: not opened. */
	fx_init(&f, "tun-vxlan-arp", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 49152, 4789);
	vxlan_hdr(&f, 0x08);
	eth(&f, 0x0806);
	put32(&f, 0x00010800);
	put32(&f, 0x06040001);
	putz(&f, 20);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4 | PKT_F_TUNNEL |
	    PKT_F_TUN_SKIP);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_VXLAN);
}
END_TEST

START_TEST(test_tun_geneve)
{
	struct frame fr;
	struct fx f;
	size_t ip, ip2, u;

	/* GENEVE with 8 bytes of options carrying IPv6 (0x86dd). */
	fx_init(&f, "tun-geneve-ip6", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 33000, 6081);
	put16(&f, 0x0200);		/* version 0, options 2 words */
	put16(&f, 0x86dd);
	put32(&f, 0x00abcd00);
	put32(&f, 0x01020100);		/* one option, 4 bytes of data */
	put32(&f, 0);
	ip2 = ipv6a(&f, 58, C6, D6);
	put32(&f, 0x81000000);		/* echo reply */
	put32(&f, 0);
	ipv6_end(&f, ip2);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	check_ports(&fr.m, 33000, 6081, 16 + 48);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4 | PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_GENEVE);
	ck_assert_uint_eq(fr.in[0].tunnel, PKT_TUN_GENEVE);
	ck_assert_uint_eq(fr.in[0].ip_ver, 6);
	ck_assert_mem_eq(fr.in[0].src, C6, 16);
	ck_assert_uint_eq(fr.in[0].ip_len, 48);
	check_ports(&fr.in[0], 129, 0, 0);

	/* GENEVE carrying Ethernet (0x6558). */
	fx_init(&f, "tun-geneve-eth", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 33000, 6081);
	put16(&f, 0x0000);
	put16(&f, 0x6558);
	put32(&f, 0x00abcd00);
	eth(&f, 0x0800);
	inner_v4_udp(&f);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	check_inner_v4_udp(&fr.in[0], 1, PKT_TUN_GENEVE);

	/* Version 1 is not GENEVE. */
	fx_init(&f, "tun-geneve-v1", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 33000, 6081);
	put16(&f, 0x4000);
	put16(&f, 0x6558);
	put32(&f, 0);
	eth(&f, 0x0800);
	inner_v4_udp(&f);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4);
}
END_TEST

START_TEST(test_tun_gtpu)
{
	struct frame fr;
	struct fx f;
	size_t ip, u, g;

	/* A G-PDU with the E flag: sequence, N-PDU, next extension type
	 * 0x85 (PDU session container, 4 bytes), then IPv4. */
	fx_init(&f, "tun-gtpu-ext", DECODE_LT_ETHERNET);
	eth(&f, 0x0800);
	ip = ipv4(&f, 17);
	u = udp(&f, 2152, 2152);
	put8(&f, 0x34);			/* version 1, PT, E */
	put8(&f, 255);
	g = put16(&f, 0);
	put32(&f, 0x0000abcd);		/* TEID */
	put16(&f, 0);			/* sequence */
	put8(&f, 0);			/* N-PDU */
	put8(&f, 0x85);
	put8(&f, 1);			/* 4 bytes */
	put8(&f, 0x10);
	put8(&f, 0x09);			/* QFI */
	put8(&f, 0);			/* no next extension */
	inner_v4_udp(&f);
	set16(&f, g, (unsigned)(f.n - g - 6));
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 1, &fr, NULL);
	check_ports(&fr.m, 2152, 2152, 8 + 8 + 34);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4 | PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_GTPU);
	check_inner_v4_udp(&fr.in[0], 1, PKT_TUN_GTPU);

	/* An extension header of length 0 is invalid: not opened. */
	f.b[14 + 28 + 12] = 0;
	ck_assert_uint_eq(decf(&f, f.n, &fr, 2, NULL), 0);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4 | PKT_F_TUNNEL |
	    PKT_F_TUN_SKIP);

	/* An echo request (type 1) on 2152 is GTP-U but carries nothing. */
	fx_init(&f, "tun-gtpu-echo", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 40000, 2152);
	put8(&f, 0x32);			/* version 1, PT, S */
	put8(&f, 1);
	put16(&f, 4);
	put32(&f, 0);
	put32(&f, 0x00070000);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4 | PKT_F_TUNNEL |
	    PKT_F_TUN_SKIP);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_GTPU);

	/* GTP' (PT clear) on 2152 is not GTP-U. */
	fx_init(&f, "tun-gtpu-prime", DECODE_LT_RAW);
	ip = ipv4(&f, 17);
	u = udp(&f, 40000, 2152);
	put8(&f, 0x20);
	put8(&f, 255);
	put16(&f, 0);
	put32(&f, 0);
	udp_end(&f, u);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 0, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_L4);
}
END_TEST

START_TEST(test_tun_depth)
{
	struct frame fr;
	struct fx f;
	size_t ip, ip2, ips[PKT_MAX_TUNNELS + 1];
	unsigned i;

	/* IPv4 A4 -> B4, GRE, IPv4 C4 -> A4, IP-in-IP, IPv4 D4 -> E4. */
	fx_init(&f, "tun-gre-ipip", DECODE_LT_RAW);
	ip = ipv4(&f, 47);
	put16(&f, 0);
	put16(&f, 0x0800);
	ip2 = ipv4x(&f, 4, 1, 0, 9, 0, C4, A4);
	inner_v4_udp(&f);
	ipv4_end(&f, ip2);
	ipv4_end(&f, ip);
	check_tun(&f, 2, 2, &fr, NULL);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.m.tunnel, PKT_TUN_GRE);
	ck_assert_uint_eq(fr.in[0].flags, PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.in[0].layer, 1);
	ck_assert_uint_eq(fr.in[0].tunnel, PKT_TUN_IP);	/* it carries */
	ck_assert_mem_eq(fr.in[0].src, C4, 4);
	ck_assert_uint_eq(fr.in[0].ip_len, 54);
	ck_assert_uint_eq(fr.in[0].proto, 4);
	check_inner_v4_udp(&fr.in[1], 2, PKT_TUN_IP);

	/* depth 1: the second tunnel stays closed */
	ck_assert_uint_eq(decf(&f, f.n, &fr, 1, NULL), 1);
	ck_assert_uint_eq(fr.m.flags, PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.in[0].flags, PKT_F_TUNNEL | PKT_F_TUN_SKIP);
	ck_assert_uint_eq(fr.in[0].tunnel, PKT_TUN_IP);
	ck_assert_mem_eq(fr.in[0].src, C4, 4);

	/* PKT_MAX_TUNNELS + 1 tunnels nested: at most PKT_MAX_TUNNELS
	 * open, whatever the depth asked. */
	fx_init(&f, "tun-ipip-deep", DECODE_LT_RAW);
	for (i = 0; i <= PKT_MAX_TUNNELS; i++)
		ips[i] = ipv4x(&f, 4, i, 0, 64 - i, 0, A4, B4);
	inner_v4_udp(&f);
	for (i = PKT_MAX_TUNNELS + 1; i-- > 0;)
		ipv4_end(&f, ips[i]);
	check_tun(&f, PKT_MAX_TUNNELS + 5, PKT_MAX_TUNNELS, &fr, NULL);
	for (i = 0; i < PKT_MAX_TUNNELS; i++)
		ck_assert_uint_eq(rec(&fr, i)->flags,
		    PKT_F_TUNNEL | PKT_F_MORE);
	ck_assert_uint_eq(fr.in[PKT_MAX_TUNNELS - 1].flags,
	    PKT_F_TUNNEL | PKT_F_TUN_SKIP);
	ck_assert_uint_eq(fr.in[PKT_MAX_TUNNELS - 1].ttl,
	    64 - PKT_MAX_TUNNELS);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The public corpus. */

static int
has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

struct corpus_count {
	unsigned long files, skipped, packets, inner;
	unsigned long st[PKT_STATUS_COUNT];
};

static void
corpus_file(const char *path, struct corpus_count *c)
{
	static const uint32_t cuts[] = { 1, 4, 14, 16, 18, 20, 24, 34, 38,
	    40, 54, 60, 64 };
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct pkt_meta m;
	struct frame fr;
	struct names nm;
	uint8_t *copy;
	pcap_t *p;
	uint32_t lt, len;
	size_t i;
	int r;

	if ((p = pcap_open_offline(path, err)) == NULL) {
		c->skipped++;
		return;
	}
	c->files++;
	lt = (uint32_t)pcap_datalink(p);
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		c->packets++;
		copy = malloc(h->caplen > 0 ? h->caplen : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, data, h->caplen);
		decode_packet(&m, names_init(&nm, DECODE_MAX_NAMES), lt, copy,
		    h->caplen, h->len, TS);
		check_meta_sane(&m, h->caplen);
		check_names_sane(&nm.dn);
		c->st[m.status]++;
		/* every tunnel opened: the same outer record (but for its
		 * MORE flag), sane inner ones */
		fr.n = decode_frame(&fr.m, fr.in, PKT_MAX_TUNNELS,
		    names_init(&nm, DECODE_MAX_NAMES), lt, copy, h->caplen,
		    h->len, TS);
		check_frame_sane(&fr, PKT_MAX_TUNNELS, h->caplen, h->len);
		check_names_sane(&nm.dn);
		fr.m.flags = (uint8_t)(fr.m.flags & ~PKT_F_MORE);
		if (fr.n > 0)
			fr.m.flags |= PKT_F_TUN_SKIP;
		ck_assert_mem_eq(&fr.m, &m, sizeof m);
		c->inner += fr.n;
		free(copy);
		for (i = 0; i <= sizeof cuts / sizeof cuts[0]; i++) {
			len = i < sizeof cuts / sizeof cuts[0] ? cuts[i] :
			    h->caplen / 2;
			if (len >= h->caplen)
				continue;
			copy = malloc(len);
			ck_assert_ptr_nonnull(copy);
			memcpy(copy, data, len);
			decode_packet(&m, names_init(&nm, DECODE_MAX_NAMES),
			    lt, copy, len, h->len, TS);
			check_meta_sane(&m, len);
			check_names_sane(&nm.dn);
			fr.n = decode_frame(&fr.m, fr.in, PKT_MAX_TUNNELS,
			    names_init(&nm, DECODE_MAX_NAMES), lt, copy, len,
			    h->len, TS);
			check_frame_sane(&fr, PKT_MAX_TUNNELS, len, h->len);
			check_names_sane(&nm.dn);
			free(copy);
		}
	}
	pcap_close(p);
}

static void
corpus_dir(const char *sub, struct corpus_count *c)
{
	const char *root = getenv("WT_CORPUS");
	char dir[4096], path[4096];
	struct dirent *de;
	DIR *d;

	if ((size_t)snprintf(dir, sizeof dir, "%s/%s", root, sub) >=
	    sizeof dir)
		return;
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!has_suffix(de->d_name, ".pcap") &&
		    !has_suffix(de->d_name, ".pcapng"))
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir,
		    de->d_name) >= sizeof path)
			continue;
		corpus_file(path, c);
	}
	closedir(d);
}

START_TEST(test_corpus)
{
	const char *root = getenv("WT_CORPUS");
	struct corpus_count real, td;
	DIR *d;

	if (root == NULL || (d = opendir(root)) == NULL)
		WT_MISSING("test_corpus: WT_CORPUS is not set or missing");
	closedir(d);
	memset(&real, 0, sizeof real);
	memset(&td, 0, sizeof td);
	corpus_dir("real", &real);
	corpus_dir("tcpdump", &td);
	printf("corpus real: %lu files (%lu not opened), %lu packets: "
	    "%lu decoded, %lu truncated, %lu invalid, %lu unsupported; "
	    "%lu tunnelled layers\n",
	    real.files, real.skipped, real.packets, real.st[PKT_DECODED],
	    real.st[PKT_TRUNCATED], real.st[PKT_INVALID],
	    real.st[PKT_UNSUPPORTED], real.inner);
	printf("corpus tcpdump: %lu files (%lu not opened), %lu packets: "
	    "%lu decoded, %lu truncated, %lu invalid, %lu unsupported; "
	    "%lu tunnelled layers\n",
	    td.files, td.skipped, td.packets, td.st[PKT_DECODED],
	    td.st[PKT_TRUNCATED], td.st[PKT_INVALID],
	    td.st[PKT_UNSUPPORTED], td.inner);
	ck_assert_uint_gt(real.packets, 10000);
	ck_assert_uint_gt(td.files, 500);
	/* Everyday traffic: nothing in it is malformed. */
	ck_assert_uint_eq(real.st[PKT_INVALID], 0);
}
END_TEST

static Suite *
decode_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc;

	tc = tcase_create("link");
	tcase_add_test(tc, test_ether_ipv4_tcp_opts);
	tcase_add_test(tc, test_ether_tcp_all_flags);
	tcase_add_test(tc, test_vlan);
	tcase_add_test(tc, test_qinq);
	tcase_add_test(tc, test_mpls);
	tcase_add_test(tc, test_pppoe);
	tcase_add_test(tc, test_sll);
	tcase_add_test(tc, test_sll2);
	tcase_add_test(tc, test_raw);
	tcase_add_test(tc, test_null_loop);
	tcase_add_test(tc, test_ppp);
	tcase_add_test(tc, test_nflog);
	tcase_add_test(tc, test_radiotap);
	tcase_add_test(tc, test_80211);
	tcase_add_test(tc, test_arp_nonip);
	tcase_add_test(tc, test_linktype_names);
	tcase_add_test(tc, test_linktype_table);
	suite_add_tcase(s, tc);

	tc = tcase_create("ip");
	tcase_add_test(tc, test_ipv4_options);
	tcase_add_test(tc, test_ipv4_fragments);
	tcase_add_test(tc, test_ipv6_ext);
	tcase_add_test(tc, test_ipv6_ext_limits);
	tcase_add_test(tc, test_invalid);
	tcase_add_test(tc, test_tso);
	suite_add_tcase(s, tc);

	tc = tcase_create("l4");
	tcase_add_test(tc, test_sctp_gre_tunnels);
	tcase_add_test(tc, test_icmp);
	suite_add_tcase(s, tc);

	tc = tcase_create("tunnels");
	tcase_add_test(tc, test_tun_ipip);
	tcase_add_test(tc, test_tun_gre);
	tcase_add_test(tc, test_tun_teredo);
	tcase_add_test(tc, test_tun_vxlan);
	tcase_add_test(tc, test_tun_geneve);
	tcase_add_test(tc, test_tun_gtpu);
	tcase_add_test(tc, test_tun_depth);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_dns_answer);
	tcase_add_test(tc, test_dns_tcp_mdns);
	tcase_add_test(tc, test_dns_hostile);
	tcase_add_test(tc, test_dns_jump_limit);
	tcase_add_test(tc, test_dns_name_length);
	tcase_add_test(tc, test_dns_nx);
	tcase_add_test(tc, test_dhcp);
	tcase_add_test(tc, test_tls_sni);
	tcase_add_test(tc, test_names_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("corpus");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_corpus);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(decode_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
