/*
 * pcapgen.c: build a pcap or pcapng fixture from a text description.
 *
 * A test tool (single-threaded, not part of the program): fixtures live in
 * the repository as readable text (tests/pcap/NAME.txt) and are built into
 * capture files at test time, so every expected value can be derived by
 * hand from the text.  The format, one item a line, '#' starts a comment:
 *
 *   base SECONDS             epoch of time 0 (default 1700000000)
 *   linktype ether|raw|null|sll|sll2 [snaplen N]
 *                            one per interface (pcapng may have several)
 *   format pcap|pcapng       (or -n on the command line)
 *   nsec                     nanosecond timestamps
 *   truncate N               cut N bytes off the end of the file
 *
 *   TIME KIND SRC > DST [FLAGS] [key=value ...]
 *
 * TIME is seconds after base ("0.010").  KIND is tcp, udp, icmp, icmp6,
 * dns (a UDP DNS message), arp, or ip (proto=N).  SRC and DST are
 * 10.0.0.1:80, [2001:db8::1]:443, or a bare address.  FLAGS (tcp) is a
 * word of S A F R P U E C letters, "." for none.  Keys:
 *   len=N      payload bytes (zero filled)
 *   seq=N ack=N win=N   TCP; without seq/ack the tool tracks sequence
 *              numbers per direction (ISN 1000, 2000, ...), ack = the
 *              peer's next sequence number when the A flag is set
 *   retrans    TCP: resend the previous data segment of this direction
 *   vlan=N     802.1Q tag (repeat for QinQ; the outer one first)
 *   snap=N     captured length of this packet (wire length unchanged)
 *   ttl=N id=N IPv4 TTL (IPv6 hop limit) and IPv4 id / fragment id
 *   type=N code=N  ICMP / ICMPv6 (default echo request)
 *   frag=N     fragment the IP payload into pieces of N bytes (N % 8 == 0)
 *   name=S a=ADDR aaaa=ADDR qr=0|1 rcode=N  DNS (S may use \xHH escapes)
 *   rep=N dt=S  emit N copies, dt seconds apart (sequence numbers advance)
 *   dstep=N sstep=N astep=N sastep=N  with rep: copy k goes to
 *              destination port dport + k*dstep, from source port
 *              sport + k*sstep, to the destination address + k*astep and
 *              from the source address + k*sastep (added to the last 16
 *              bits of the address), so one line describes a scan
 *   if=N       pcapng interface
 *   tun=KIND[,OPT...]:OUTERSRC>OUTERDST
 *              carry the packet in a tunnel; repeat to nest, the outermost
 *              first.  OUTERSRC/OUTERDST are endpoints as above (the port
 *              is optional; UDP kinds use the defaults below).  KIND:
 *     ipip     IPv4 or IPv6 inside IPv4 or IPv6 (RFC 2003 / RFC 4213):
 *              outer protocol 4 when the inner packet is IPv4, 41 (6in4,
 *              6in6) when IPv6
 *     gre      GRE (RFC 2784, RFC 2890), protocol 47, inner ethertype
 *              0x0800/0x86dd; OPT key=N seq=N add those fields
 *     gre-eth  GRE carrying Ethernet (ethertype 0x6558, transparent
 *              Ethernet bridging); OPT key=N seq=N vlan=N
 *     teredo   UDP (RFC 4380), outer IPv4, inner IPv6, default ports
 *              50000 > 3544; OPT origin adds the origin indication
 *              (8 bytes: 0x0000, the outer destination's port and address
 *              obfuscated by XOR with all ones)
 *     vxlan    UDP (RFC 7348), default ports 50000 > 4789, 8-byte header
 *              (flags 0x08, VNI), inner Ethernet; OPT vni=N (default 1)
 *              vlan=N
 *     geneve   UDP (RFC 8926), default ports 50000 > 6081, 8-byte header
 *              without options, protocol 0x6558 and inner Ethernet; OPT
 *              vni=N (default 1) vlan=N, ip (protocol 0x0800/0x86dd, the
 *              IP packet directly)
 *     gtpu     UDP (3GPP TS 29.281), default ports 2152 > 2152, 8-byte
 *              G-PDU header (flags 0x30, type 255, length, TEID), inner
 *              IP; OPT teid=N (default 1)
 *              Inner Ethernet headers take their MAC addresses from the
 *              inner IP addresses like the outer one; vlan=N (repeatable)
 *              tags the inner Ethernet header.  A tunnelled packet cannot
 *              use frag=; vlan= tags the outermost (wire) Ethernet header.
 *              Header sizes: IPv4 20, IPv6 40, GRE 4 (+4 key, +4 seq),
 *              UDP 8, VXLAN 8, GENEVE 8, GTP-U 8, Teredo origin 8,
 *              inner Ethernet 14 (+4 per tag).
 *
 * All packets are sorted by time (stably) before TCP numbers are assigned
 * and the file is written, so rep lines interleave like real traffic.
 * Frames are exactly as long as their headers plus payload (no Ethernet
 * padding, no FCS); IPv4, TCP, UDP and ICMP checksums are correct at every
 * layer (tunnel UDP checksums too: RFC 7348 allows 0 for VXLAN, but a
 * computed one checks more).  TCP sequence numbers are tracked per
 * direction of the (innermost) 5-tuple, whatever the VLAN or tunnel, so a
 * connection split across VLANs or tunnels stays one connection.
 * Output is little-endian.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_IFACES	8
#define MAX_ANSWERS	16
#define MAX_VLANS	4
#define MAX_TUNS	4
#define MAX_FRAME	(65535 + 256)
#define NAME_MAX_LEN	256

enum kind { K_TCP, K_UDP, K_ICMP, K_ICMP6, K_DNS, K_ARP, K_IP };

struct addr {
	int ver;		/* 4 or 6 */
	uint8_t b[16];
};

struct answer {
	struct addr a;
};

enum tun_kind { T_IPIP, T_GRE, T_GRE_ETH, T_TEREDO, T_VXLAN, T_GENEVE,
    T_GTPU };

/* One tunnel layer around a packet (tun=). */
struct tun {
	enum tun_kind kind;
	struct addr src, dst;	/* outer IP addresses */
	uint16_t sport, dport;	/* UDP kinds */
	int has_key, has_seq;	/* GRE */
	uint32_t key, seq;
	uint32_t vni;		/* VXLAN, GENEVE */
	uint32_t teid;		/* GTP-U */
	int origin;		/* Teredo origin indication */
	int ip;			/* GENEVE: IP inside, no Ethernet */
	uint16_t vlans[MAX_VLANS];	/* inner Ethernet tags */
	int nvlans;
};

/* One parsed packet line. */
struct spec {
	int line;
	enum kind kind;
	uint64_t t_ns;		/* relative to base */
	struct addr src, dst;
	uint16_t sport, dport;
	uint8_t tcp_flags;
	int has_seq, has_ack, retrans;
	uint32_t seq, ack;
	uint16_t win;
	long len;		/* -1: not given */
	uint16_t vlans[MAX_VLANS];
	int nvlans;
	long snap;		/* -1: none */
	uint8_t ttl;
	long ipid;		/* -1: automatic */
	uint8_t icmp_type, icmp_code;
	unsigned frag;		/* 0: no fragmentation */
	uint8_t ip_proto;	/* K_IP */
	char name[NAME_MAX_LEN];
	size_t name_len;
	struct answer answers[MAX_ANSWERS];
	int nanswers;
	int qr;
	int rcode;
	long rep;
	uint64_t dt_ns;
	unsigned dstep, sstep, astep, sastep;	/* per copy (rep) */
	int iface;
	struct tun tuns[MAX_TUNS];	/* outermost first */
	int ntuns;
};

/* One packet to emit: a spec and which copy of it. */
struct ev {
	uint64_t t_ns;
	const struct spec *spec;
	long copy;
	size_t order;		/* tie breaker: input order */
};

/* TCP sequence state of one direction. */
struct tcpdir {
	struct addr src, dst;
	uint16_t sport, dport;
	int init;		/* next is set */
	uint32_t next;
	uint32_t last_seq;
	long last_len;
};

struct iface {
	uint16_t linktype;
	uint32_t snaplen;
};

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static const char *input_name = "<stdin>";
static int cur_line;

static struct iface ifaces[MAX_IFACES];
static int nifaces;
static int pcapng;
static int nsec;
static uint64_t base_s = 1700000000;
static long truncate_bytes;

static struct spec *specs;
static size_t nspecs, cap_specs;
static struct tcpdir *dirs;
static size_t ndirs, cap_dirs;
static uint16_t next_ipid = 1;

static void die(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	if (cur_line > 0)
		fprintf(stderr, "pcapgen: %s:%d: ", input_name, cur_line);
	else
		fprintf(stderr, "pcapgen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	if (n > SIZE_MAX / size)
		die("out of memory");
	p = realloc(p, n * size);
	if (p == NULL)
		die("out of memory");
	*cap = n;
	return p;
}

static void
buf_put(struct buf *b, const void *data, size_t n)
{
	b->p = grow(b->p, &b->cap, b->len + n, 1);
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void
buf_le16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	buf_put(b, x, 2);
}

static void
buf_le32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24) };

	buf_put(b, x, 4);
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

/* ---- parsing ------------------------------------------------------- */

static unsigned long
parse_ulong(const char *s, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		die("%s: not a number: %s", what, s);
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || *end != '\0' || v > max)
		die("%s: bad value: %s", what, s);
	return v;
}

/* "1.25" seconds into ns without floating point. */
static uint64_t
parse_time(const char *s)
{
	uint64_t sec = 0, frac = 0;
	int digits = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		die("bad time: %s", s);
	while (isdigit((unsigned char)*p)) {
		sec = sec * 10 + (uint64_t)(*p - '0');
		if (sec > 1000000000ull)
			die("time too large: %s", s);
		p++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (digits == 9)
				die("more than 9 decimals: %s", s);
			frac = frac * 10 + (uint64_t)(*p - '0');
			digits++;
			p++;
		}
	}
	if (*p != '\0')
		die("bad time: %s", s);
	while (digits++ < 9)
		frac *= 10;
	return sec * 1000000000ull + frac;
}

static void
parse_ip(const char *s, struct addr *a)
{
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->ver = 4;
		memset(a->b + 4, 0, 12);
	} else if (inet_pton(AF_INET6, s, a->b) == 1)
		a->ver = 6;
	else
		die("bad address: %s", s);
}

/* 10.0.0.1:80, [2001:db8::1]:443, 10.0.0.1, 2001:db8::1, [2001:db8::1] */
static void
parse_endpoint(const char *s, struct addr *a, uint16_t *port, int want_port)
{
	char tmp[128];
	const char *colon = NULL, *portstr = NULL;
	size_t n;

	if (strlen(s) >= sizeof tmp)
		die("bad endpoint: %s", s);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL)
			die("bad endpoint: %s", s);
		n = (size_t)(close - s - 1);
		memcpy(tmp, s + 1, n);
		tmp[n] = '\0';
		if (close[1] == ':')
			portstr = close + 2;
		else if (close[1] != '\0')
			die("bad endpoint: %s", s);
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			n = (size_t)(colon - s);
			memcpy(tmp, s, n);
			tmp[n] = '\0';
			portstr = colon + 1;
		} else
			strcpy(tmp, s);
	}
	parse_ip(tmp, a);
	*port = 0;
	if (portstr != NULL)
		*port = (uint16_t)parse_ulong(portstr, 65535, "port");
	else if (want_port)
		die("missing port: %s", s);
}

static uint8_t
parse_flags(const char *s)
{
	uint8_t f = 0;

	if (strcmp(s, ".") == 0)
		return 0;
	for (; *s != '\0'; s++) {
		switch (*s) {
		case 'F': f |= 0x01; break;
		case 'S': f |= 0x02; break;
		case 'R': f |= 0x04; break;
		case 'P': f |= 0x08; break;
		case 'A': f |= 0x10; break;
		case 'U': f |= 0x20; break;
		case 'E': f |= 0x40; break;
		case 'C': f |= 0x80; break;
		default:
			die("bad TCP flag '%c'", *s);
		}
	}
	return f;
}

/* Decode \xHH and \\ escapes; returns the length. */
static size_t
unescape(const char *s, char *out, size_t outsz)
{
	size_t n = 0;

	while (*s != '\0') {
		int c = (unsigned char)*s++;

		if (c == '\\') {
			if (*s == '\\') {
				s++;
			} else if (*s == 'x' && isxdigit((unsigned char)s[1]) &&
			    isxdigit((unsigned char)s[2])) {
				char hex[3] = { s[1], s[2], '\0' };

				c = (int)strtoul(hex, NULL, 16);
				s += 3;
			} else
				die("bad escape in %s", s - 1);
		}
		if (n + 1 >= outsz)
			die("name too long");
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n;
}

static int
parse_linktype(const char *s)
{
	if (strcmp(s, "ether") == 0)
		return 1;
	if (strcmp(s, "raw") == 0)
		return 101;
	if (strcmp(s, "null") == 0)
		return 0;
	if (strcmp(s, "sll") == 0)
		return 113;
	if (strcmp(s, "sll2") == 0)
		return 276;
	die("unknown link type: %s", s);
}

static void
parse_directive(char **tok, int ntok)
{
	if (strcmp(tok[0], "base") == 0 && ntok == 2) {
		base_s = parse_ulong(tok[1], 4000000000ul, "base");
	} else if (strcmp(tok[0], "linktype") == 0 &&
	    (ntok == 2 || (ntok == 4 && strcmp(tok[2], "snaplen") == 0))) {
		if (nifaces == MAX_IFACES)
			die("too many interfaces");
		ifaces[nifaces].linktype = (uint16_t)parse_linktype(tok[1]);
		ifaces[nifaces].snaplen = ntok == 4 ?
		    (uint32_t)parse_ulong(tok[3], 262144, "snaplen") : 262144;
		nifaces++;
	} else if (strcmp(tok[0], "format") == 0 && ntok == 2) {
		if (strcmp(tok[1], "pcapng") == 0)
			pcapng = 1;
		else if (strcmp(tok[1], "pcap") == 0)
			pcapng = 0;
		else
			die("unknown format: %s", tok[1]);
	} else if (strcmp(tok[0], "nsec") == 0 && ntok == 1) {
		nsec = 1;
	} else if (strcmp(tok[0], "truncate") == 0 && ntok == 2) {
		truncate_bytes = (long)parse_ulong(tok[1], 1000000, "truncate");
	} else
		die("unknown directive: %s", tok[0]);
}

/* tun=KIND[,OPT...]:SRC>DST (see the header comment). */
static void
parse_tun(char *v, struct spec *sp)
{
	struct tun *t;
	char *colon, *gt, *opt, *next;
	int udp;

	if (sp->ntuns == MAX_TUNS)
		die("too many tun= layers");
	t = &sp->tuns[sp->ntuns++];
	memset(t, 0, sizeof *t);
	t->vni = 1;
	t->teid = 1;
	if ((colon = strchr(v, ':')) == NULL ||
	    (gt = strchr(colon + 1, '>')) == NULL)
		die("expected tun=KIND[,OPT...]:SRC>DST");
	*colon = '\0';
	*gt = '\0';
	if ((next = strchr(v, ',')) != NULL)
		*next++ = '\0';
	if (strcmp(v, "ipip") == 0)
		t->kind = T_IPIP;
	else if (strcmp(v, "gre") == 0)
		t->kind = T_GRE;
	else if (strcmp(v, "gre-eth") == 0)
		t->kind = T_GRE_ETH;
	else if (strcmp(v, "teredo") == 0)
		t->kind = T_TEREDO;
	else if (strcmp(v, "vxlan") == 0)
		t->kind = T_VXLAN;
	else if (strcmp(v, "geneve") == 0)
		t->kind = T_GENEVE;
	else if (strcmp(v, "gtpu") == 0)
		t->kind = T_GTPU;
	else
		die("unknown tunnel kind: %s", v);
	for (opt = next; opt != NULL; opt = next) {
		char *val;

		if ((next = strchr(opt, ',')) != NULL)
			*next++ = '\0';
		if ((val = strchr(opt, '=')) != NULL)
			*val++ = '\0';
		if (val == NULL && strcmp(opt, "origin") == 0 &&
		    t->kind == T_TEREDO)
			t->origin = 1;
		else if (val == NULL && strcmp(opt, "ip") == 0 &&
		    t->kind == T_GENEVE)
			t->ip = 1;
		else if (val != NULL && strcmp(opt, "key") == 0 &&
		    (t->kind == T_GRE || t->kind == T_GRE_ETH)) {
			t->key = (uint32_t)parse_ulong(val, UINT32_MAX, opt);
			t->has_key = 1;
		} else if (val != NULL && strcmp(opt, "seq") == 0 &&
		    (t->kind == T_GRE || t->kind == T_GRE_ETH)) {
			t->seq = (uint32_t)parse_ulong(val, UINT32_MAX, opt);
			t->has_seq = 1;
		} else if (val != NULL && strcmp(opt, "vni") == 0 &&
		    (t->kind == T_VXLAN || t->kind == T_GENEVE))
			t->vni = (uint32_t)parse_ulong(val, 0xffffff, opt);
		else if (val != NULL && strcmp(opt, "teid") == 0 &&
		    t->kind == T_GTPU)
			t->teid = (uint32_t)parse_ulong(val, UINT32_MAX, opt);
		else if (val != NULL && strcmp(opt, "vlan") == 0 &&
		    (t->kind == T_GRE_ETH || t->kind == T_VXLAN ||
		    t->kind == T_GENEVE)) {
			if (t->nvlans == MAX_VLANS)
				die("too many vlan tags");
			t->vlans[t->nvlans++] =
			    (uint16_t)parse_ulong(val, 4095, opt);
		} else
			die("unknown option for tun=%s: %s", v, opt);
	}
	parse_endpoint(colon + 1, &t->src, &t->sport, 0);
	parse_endpoint(gt + 1, &t->dst, &t->dport, 0);
	if (t->src.ver != t->dst.ver)
		die("tunnel source and destination differ in IP version");
	udp = t->kind == T_TEREDO || t->kind == T_VXLAN ||
	    t->kind == T_GENEVE || t->kind == T_GTPU;
	if (!udp && (t->sport != 0 || t->dport != 0))
		die("tun=%s takes no ports", v);
	if (t->kind == T_TEREDO && t->src.ver != 4)
		die("teredo needs outer IPv4");
	if (t->sport == 0)
		t->sport = t->kind == T_GTPU ? 2152 : 50000;
	if (t->dport == 0)
		t->dport = t->kind == T_TEREDO ? 3544 : t->kind == T_VXLAN ?
		    4789 : t->kind == T_GENEVE ? 6081 : 2152;
}

static enum kind
parse_kind(const char *s, struct spec *sp)
{
	if (strcmp(s, "tcp") == 0)
		return K_TCP;
	if (strcmp(s, "udp") == 0)
		return K_UDP;
	if (strcmp(s, "icmp") == 0)
		return K_ICMP;
	if (strcmp(s, "icmp6") == 0)
		return K_ICMP6;
	if (strcmp(s, "dns") == 0)
		return K_DNS;
	if (strcmp(s, "arp") == 0)
		return K_ARP;
	if (strcmp(s, "ip") == 0)
		return K_IP;
	if (strcmp(s, "gre") == 0) {
		sp->ip_proto = 47;
		return K_IP;
	}
	if (strcmp(s, "sctp") == 0) {
		sp->ip_proto = 132;
		return K_IP;
	}
	die("unknown packet kind: %s", s);
}

static void
parse_packet(char **tok, int ntok)
{
	struct spec *sp;
	int i, want_port;

	if (ntok < 5 || strcmp(tok[3], ">") != 0)
		die("expected: TIME KIND SRC > DST [options]");
	specs = grow(specs, &cap_specs, nspecs + 1, sizeof *specs);
	sp = &specs[nspecs++];
	memset(sp, 0, sizeof *sp);
	sp->line = cur_line;
	sp->t_ns = parse_time(tok[0]);
	sp->kind = parse_kind(tok[1], sp);
	sp->len = -1;
	sp->snap = -1;
	sp->ipid = -1;
	sp->ttl = 64;
	sp->win = 64240;
	sp->qr = 1;
	sp->rep = 1;
	want_port = sp->kind == K_TCP || sp->kind == K_UDP ||
	    sp->kind == K_DNS;
	parse_endpoint(tok[2], &sp->src, &sp->sport, want_port);
	parse_endpoint(tok[4], &sp->dst, &sp->dport, want_port);
	if (sp->src.ver != sp->dst.ver)
		die("source and destination differ in IP version");
	if (sp->kind == K_ICMP && sp->src.ver != 4)
		die("icmp needs IPv4 (use icmp6)");
	if (sp->kind == K_ICMP6 && sp->src.ver != 6)
		die("icmp6 needs IPv6");
	if (sp->kind == K_ARP && sp->src.ver != 4)
		die("arp needs IPv4");
	sp->icmp_type = sp->kind == K_ICMP6 ? 128 : 8;

	for (i = 5; i < ntok; i++) {
		char *k = tok[i], *v = strchr(k, '=');

		if (v == NULL) {
			if (strcmp(k, "retrans") == 0 && sp->kind == K_TCP)
				sp->retrans = 1;
			else if (sp->kind == K_TCP)
				sp->tcp_flags = parse_flags(k);
			else
				die("unknown option: %s", k);
			continue;
		}
		*v++ = '\0';
		if (strcmp(k, "len") == 0)
			sp->len = (long)parse_ulong(v, 65000, k);
		else if (strcmp(k, "seq") == 0) {
			sp->seq = (uint32_t)parse_ulong(v, UINT32_MAX, k);
			sp->has_seq = 1;
		} else if (strcmp(k, "ack") == 0) {
			sp->ack = (uint32_t)parse_ulong(v, UINT32_MAX, k);
			sp->has_ack = 1;
		} else if (strcmp(k, "win") == 0)
			sp->win = (uint16_t)parse_ulong(v, 65535, k);
		else if (strcmp(k, "flags") == 0 && sp->kind == K_TCP)
			sp->tcp_flags = parse_flags(v);
		else if (strcmp(k, "vlan") == 0) {
			if (sp->nvlans == MAX_VLANS)
				die("too many vlan tags");
			sp->vlans[sp->nvlans++] =
			    (uint16_t)parse_ulong(v, 4095, k);
		} else if (strcmp(k, "snap") == 0)
			sp->snap = (long)parse_ulong(v, MAX_FRAME, k);
		else if (strcmp(k, "ttl") == 0)
			sp->ttl = (uint8_t)parse_ulong(v, 255, k);
		else if (strcmp(k, "id") == 0)
			sp->ipid = (long)parse_ulong(v, UINT32_MAX, k);
		else if (strcmp(k, "type") == 0)
			sp->icmp_type = (uint8_t)parse_ulong(v, 255, k);
		else if (strcmp(k, "code") == 0)
			sp->icmp_code = (uint8_t)parse_ulong(v, 255, k);
		else if (strcmp(k, "frag") == 0) {
			sp->frag = (unsigned)parse_ulong(v, 65000, k);
			if (sp->frag == 0 || sp->frag % 8 != 0)
				die("frag must be a positive multiple of 8");
		} else if (strcmp(k, "proto") == 0 && sp->kind == K_IP)
			sp->ip_proto = (uint8_t)parse_ulong(v, 255, k);
		else if (strcmp(k, "name") == 0 && sp->kind == K_DNS)
			sp->name_len = unescape(v, sp->name, sizeof sp->name);
		else if ((strcmp(k, "a") == 0 || strcmp(k, "aaaa") == 0) &&
		    sp->kind == K_DNS) {
			struct addr *a;

			if (sp->nanswers == MAX_ANSWERS)
				die("too many answers");
			a = &sp->answers[sp->nanswers++].a;
			parse_ip(v, a);
			if ((k[1] == '\0') != (a->ver == 4))
				die("%s= needs an IPv%d address", k,
				    k[1] == '\0' ? 4 : 6);
		} else if (strcmp(k, "qr") == 0 && sp->kind == K_DNS)
			sp->qr = (int)parse_ulong(v, 1, k);
		else if (strcmp(k, "rcode") == 0 && sp->kind == K_DNS)
			sp->rcode = (int)parse_ulong(v, 15, k);
		else if (strcmp(k, "rep") == 0)
			sp->rep = (long)parse_ulong(v, 10000000, k);
		else if (strcmp(k, "dt") == 0)
			sp->dt_ns = parse_time(v);
		else if (strcmp(k, "dstep") == 0)
			sp->dstep = (unsigned)parse_ulong(v, 65535, k);
		else if (strcmp(k, "sstep") == 0)
			sp->sstep = (unsigned)parse_ulong(v, 65535, k);
		else if (strcmp(k, "astep") == 0)
			sp->astep = (unsigned)parse_ulong(v, 65535, k);
		else if (strcmp(k, "sastep") == 0)
			sp->sastep = (unsigned)parse_ulong(v, 65535, k);
		else if (strcmp(k, "if") == 0)
			sp->iface = (int)parse_ulong(v, MAX_IFACES - 1, k);
		else if (strcmp(k, "tun") == 0)
			parse_tun(v, sp);
		else
			die("unknown option: %s", k);
	}
	if (sp->rep < 1)
		die("rep must be at least 1");
	if (sp->kind == K_DNS && sp->name_len == 0)
		die("dns needs name=");
	if (sp->kind == K_IP && sp->ip_proto == 0)
		die("ip needs proto=N");
	if (sp->kind == K_ARP && (sp->frag || sp->len >= 0))
		die("arp takes no len= or frag=");
	if (sp->ntuns > 0 && (sp->frag || sp->kind == K_ARP))
		die("tun= takes no frag= and no arp");
	for (i = 0; i < sp->ntuns; i++) {
		const struct tun *t = &sp->tuns[i];
		int inner = i + 1 < sp->ntuns ? sp->tuns[i + 1].src.ver :
		    sp->src.ver;

		if (t->kind == T_TEREDO && inner != 6)
			die("teredo carries IPv6 only");
	}
}

static void
parse_input(FILE *f)
{
	char line[4096];
	char *tok[64];

	cur_line = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		char *p, *hash;
		int ntok = 0;

		cur_line++;
		if (strchr(line, '\n') == NULL && !feof(f))
			die("line too long");
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		for (p = strtok(line, " \t\r\n"); p != NULL;
		    p = strtok(NULL, " \t\r\n")) {
			if (ntok == 64)
				die("too many words");
			tok[ntok++] = p;
		}
		if (ntok == 0)
			continue;
		if (isdigit((unsigned char)tok[0][0]))
			parse_packet(tok, ntok);
		else
			parse_directive(tok, ntok);
	}
	if (ferror(f))
		die("read error");
	cur_line = 0;
	if (nifaces == 0) {
		ifaces[0].linktype = 1;
		ifaces[0].snaplen = 262144;
		nifaces = 1;
	}
	if (!pcapng && nifaces > 1)
		die("several linktype lines need format pcapng");
}

/* ---- building packets ---------------------------------------------- */

static uint32_t
sum_bytes(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Checksum over the pseudo-header (RFC 793 / RFC 8200 8.1) and data. */
static uint16_t
l4_checksum_addr(const struct addr *src, const struct addr *dst, uint8_t proto,
    const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	uint8_t ph[8];
	size_t alen = src->ver == 4 ? 4 : 16;

	sum = sum_bytes(sum, src->b, alen);
	sum = sum_bytes(sum, dst->b, alen);
	put32(ph, (uint32_t)n);
	ph[4] = ph[5] = ph[6] = 0;
	ph[7] = proto;
	sum = sum_bytes(sum, ph, 8);
	return fold(sum_bytes(sum, p, n));
}

static uint16_t
l4_checksum(const struct spec *sp, uint8_t proto, const uint8_t *p, size_t n)
{
	return l4_checksum_addr(&sp->src, &sp->dst, proto, p, n);
}

static struct tcpdir *
tcpdir_find(const struct spec *sp, int reverse)
{
	const struct addr *s = reverse ? &sp->dst : &sp->src;
	const struct addr *d = reverse ? &sp->src : &sp->dst;
	uint16_t spt = reverse ? sp->dport : sp->sport;
	uint16_t dpt = reverse ? sp->sport : sp->dport;
	size_t i;

	for (i = 0; i < ndirs; i++) {
		struct tcpdir *t = &dirs[i];

		if (t->sport == spt && t->dport == dpt &&
		    memcmp(&t->src, s, sizeof *s) == 0 &&
		    memcmp(&t->dst, d, sizeof *d) == 0)
			return t;
	}
	return NULL;
}

static struct tcpdir *
tcpdir_get(const struct spec *sp)
{
	struct tcpdir *t = tcpdir_find(sp, 0);

	if (t != NULL)
		return t;
	dirs = grow(dirs, &cap_dirs, ndirs + 1, sizeof *dirs);
	t = &dirs[ndirs++];
	memset(t, 0, sizeof *t);
	t->src = sp->src;
	t->dst = sp->dst;
	t->sport = sp->sport;
	t->dport = sp->dport;
	t->next = (uint32_t)(1000 * ndirs);
	t->last_seq = t->next;
	t->last_len = 0;
	return t;
}

/* TCP header (RFC 9293 3.1) and payload into l4; returns its length.
 *   0..1 sport  2..3 dport  4..7 seq  8..11 ack  12 offset<<4
 *   13 flags  14..15 window  16..17 checksum  18..19 urgent */
static size_t
build_tcp(const struct spec *sp, const struct ev *e, uint8_t *l4)
{
	struct tcpdir *t = tcpdir_get(sp), *peer;
	uint32_t seq, ack = 0, end;
	long len = sp->len < 0 ? 0 : sp->len;

	if (sp->retrans) {
		seq = t->last_seq;
		if (sp->len < 0)
			len = t->last_len;
	} else if (sp->has_seq && e->copy == 0)
		seq = sp->seq;
	else
		seq = t->next;
	if (sp->has_ack)
		ack = sp->ack;
	else if (sp->tcp_flags & 0x10) {
		peer = tcpdir_find(sp, 1);
		ack = peer != NULL ? peer->next : 0;
	}
	end = seq + (uint32_t)len + ((sp->tcp_flags & 0x02) ? 1 : 0) +
	    ((sp->tcp_flags & 0x01) ? 1 : 0);
	if (!sp->retrans && (!t->init || (int32_t)(end - t->next) > 0))
		t->next = end;
	t->init = 1;
	if (len > 0 && !sp->retrans) {
		t->last_seq = seq;
		t->last_len = len;
	}

	memset(l4, 0, 20 + (size_t)len);
	put16(l4, sp->sport);
	put16(l4 + 2, sp->dport);
	put32(l4 + 4, seq);
	put32(l4 + 8, ack);
	l4[12] = 5 << 4;
	l4[13] = sp->tcp_flags;
	put16(l4 + 14, sp->win);
	put16(l4 + 16, l4_checksum(sp, 6, l4, 20 + (size_t)len));
	return 20 + (size_t)len;
}

/* A DNS name in wire form (RFC 1035 3.1). */
static size_t
dns_name(const struct spec *sp, uint8_t *out)
{
	size_t n = 0, start = 0, i;

	for (i = 0; i <= sp->name_len; i++) {
		if (i == sp->name_len || sp->name[i] == '.') {
			size_t l = i - start;

			if (l > 63)
				die("DNS label longer than 63");
			if (l > 0) {
				out[n++] = (uint8_t)l;
				memcpy(out + n, sp->name + start, l);
				n += l;
			}
			start = i + 1;
		}
	}
	out[n++] = 0;
	return n;
}

/* DNS message (RFC 1035 4.1): header, one question, answers that point
 * back at the question name (0xc00c). */
static size_t
build_dns(const struct spec *sp, uint8_t *p)
{
	size_t n = 12;
	int i, qtype;

	memset(p, 0, 12);
	put16(p, 0x1234);
	put16(p + 2, (uint16_t)(sp->qr ? 0x8180 | sp->rcode : 0x0100));
	put16(p + 4, 1);
	put16(p + 6, (uint16_t)(sp->qr ? sp->nanswers : 0));
	n += dns_name(sp, p + n);
	qtype = sp->nanswers > 0 && sp->answers[0].a.ver == 6 ? 28 : 1;
	put16(p + n, (uint16_t)qtype);
	put16(p + n + 2, 1);
	n += 4;
	for (i = 0; sp->qr && i < sp->nanswers; i++) {
		const struct addr *a = &sp->answers[i].a;
		size_t alen = a->ver == 4 ? 4 : 16;

		put16(p + n, 0xc00c);
		put16(p + n + 2, a->ver == 4 ? 1 : 28);
		put16(p + n + 4, 1);
		put32(p + n + 6, 300);
		put16(p + n + 10, (uint16_t)alen);
		memcpy(p + n + 12, a->b, alen);
		n += 12 + alen;
	}
	return n;
}

/* The transport segment (header + payload); returns its length. */
static size_t
build_l4(const struct spec *sp, const struct ev *e, uint8_t *l4,
    uint8_t *proto)
{
	size_t len = sp->len < 0 ? 0 : (size_t)sp->len, n;

	switch (sp->kind) {
	case K_TCP:
		*proto = 6;
		return build_tcp(sp, e, l4);
	case K_UDP:
	case K_DNS:
		/* UDP (RFC 768): sport dport length checksum */
		*proto = 17;
		if (sp->kind == K_DNS)
			n = 8 + build_dns(sp, l4 + 8);
		else {
			memset(l4 + 8, 0, len);
			n = 8 + len;
		}
		put16(l4, sp->sport);
		put16(l4 + 2, sp->dport);
		put16(l4 + 4, (uint16_t)n);
		put16(l4 + 6, 0);
		put16(l4 + 6, l4_checksum(sp, 17, l4, n));
		if (l4[6] == 0 && l4[7] == 0)
			put16(l4 + 6, 0xffff);
		return n;
	case K_ICMP:
	case K_ICMP6:
		/* ICMP echo (RFC 792, RFC 4443): type code cksum id seq */
		*proto = sp->kind == K_ICMP ? 1 : 58;
		memset(l4, 0, 8 + len);
		l4[0] = sp->icmp_type;
		l4[1] = sp->icmp_code;
		put16(l4 + 4, 0x4242);
		put16(l4 + 6, (uint16_t)(e->copy + 1));
		n = 8 + len;
		if (sp->kind == K_ICMP)
			put16(l4 + 2, fold(sum_bytes(0, l4, n)));
		else
			put16(l4 + 2, l4_checksum(sp, 58, l4, n));
		return n;
	case K_IP:
		*proto = sp->ip_proto;
		memset(l4, 0, len);
		return len;
	case K_ARP:
		break;
	}
	die("internal error");
}

/* IPv4 header (RFC 791):
 *   0 ver/ihl  1 tos  2..3 total length  4..5 id  6..7 flags/offset
 *   8 ttl  9 protocol  10..11 checksum  12..15 src  16..19 dst */
static size_t
build_ip4(const struct addr *src, const struct addr *dst, uint8_t ttl,
    uint8_t *p, uint8_t proto, uint16_t id, size_t off, int more,
    const uint8_t *data, size_t n)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (uint16_t)(20 + n));
	put16(p + 4, id);
	put16(p + 6, (uint16_t)((more ? 0x2000 : 0) | (off / 8)));
	p[8] = ttl;
	p[9] = proto;
	memcpy(p + 12, src->b, 4);
	memcpy(p + 16, dst->b, 4);
	put16(p + 10, fold(sum_bytes(0, p, 20)));
	memcpy(p + 20, data, n);
	return 20 + n;
}

/* IPv6 header (RFC 8200): ver/class/label, payload length, next header,
 * hop limit, src, dst; a fragment header (44) when fragmenting. */
static size_t
build_ip6(const struct addr *src, const struct addr *dst, uint8_t ttl,
    uint8_t *p, uint8_t proto, int frag, uint32_t id, size_t off, int more,
    const uint8_t *data, size_t n)
{
	size_t h = 40;

	memset(p, 0, 48);
	p[0] = 0x60;
	put16(p + 4, (uint16_t)(n + (frag ? 8 : 0)));
	p[6] = frag ? 44 : proto;
	p[7] = ttl;
	memcpy(p + 8, src->b, 16);
	memcpy(p + 24, dst->b, 16);
	if (frag) {
		p[40] = proto;
		put16(p + 42, (uint16_t)(off | (more ? 1 : 0)));
		put32(p + 44, id);
		h = 48;
	}
	memcpy(p + h, data, n);
	return h + n;
}

static void
mac_of(const struct addr *a, uint8_t mac[6])
{
	const uint8_t *b = a->ver == 4 ? a->b : a->b + 12;

	mac[0] = 0x02;
	mac[1] = 0x00;
	memcpy(mac + 2, b, 4);
}

/* Ethernet II header with 802.1Q / 802.1ad tags (the outer one 802.1ad
 * when there are several); returns its length. */
static size_t
build_eth(uint8_t *p, const uint8_t smac[6], const uint8_t dmac[6],
    const uint16_t *vlans, int nvlans, uint16_t ethertype)
{
	size_t n = 12;
	int i;

	memcpy(p, dmac, 6);
	memcpy(p + 6, smac, 6);
	for (i = 0; i < nvlans; i++) {
		put16(p + n, (i == 0 && nvlans > 1) ? 0x88a8 : 0x8100);
		put16(p + n + 2, vlans[i]);
		n += 4;
	}
	put16(p + n, ethertype);
	return n + 2;
}

/* Link header for a network-layer packet from src to dst (the outermost
 * addresses); returns its length. */
static size_t
build_link(const struct spec *sp, uint16_t linktype, uint8_t *p,
    uint16_t ethertype, const struct addr *src, const struct addr *dst)
{
	uint8_t smac[6], dmac[6];

	mac_of(src, smac);
	if (sp->kind == K_ARP)
		memset(dmac, 0xff, 6);
	else
		mac_of(dst, dmac);
	if (sp->nvlans > 0 && linktype != 1)
		die("vlan= needs linktype ether");
	switch (linktype) {
	case 1:
		return build_eth(p, smac, dmac, sp->vlans, sp->nvlans,
		    ethertype);
	case 101:	/* raw IP */
		if (sp->kind == K_ARP)
			die("arp needs a link layer");
		return 0;
	case 0:		/* BSD loopback: AF in the writer's byte order (LE) */
		if (sp->kind == K_ARP)
			die("arp needs a link layer");
		p[0] = ethertype == 0x0800 ? 2 : 24;
		p[1] = p[2] = p[3] = 0;
		return 4;
	case 113:	/* Linux cooked v1: type hatype halen addr[8] proto */
		memset(p, 0, 16);
		put16(p, 0);	/* sent to us */
		put16(p + 2, 1);
		put16(p + 4, 6);
		memcpy(p + 6, smac, 6);
		put16(p + 14, ethertype);
		return 16;
	case 276:	/* Linux cooked v2: proto rsv ifindex hatype type
			 * halen addr[8] */
		memset(p, 0, 20);
		put16(p, ethertype);
		put32(p + 4, 1);
		put16(p + 8, 1);
		p[10] = 0;
		p[11] = 6;
		memcpy(p + 12, smac, 6);
		return 20;
	}
	die("unsupported link type %u", linktype);
}

/* The addresses of the IP packet at p (its version nibble says which). */
static void
ip_addrs(const uint8_t *p, struct addr *src, struct addr *dst)
{
	memset(src, 0, sizeof *src);
	memset(dst, 0, sizeof *dst);
	if (p[0] >> 4 == 4) {
		src->ver = dst->ver = 4;
		memcpy(src->b, p + 12, 4);
		memcpy(dst->b, p + 16, 4);
	} else {
		src->ver = dst->ver = 6;
		memcpy(src->b, p + 8, 16);
		memcpy(dst->b, p + 24, 16);
	}
}

/* Wrap the IP packet in[0..n) in tunnel t: the outer IP packet goes to out;
 * returns its length. */
static size_t
wrap_tun(const struct tun *t, const uint8_t *in, size_t n, uint8_t *out)
{
	static uint8_t pay[MAX_FRAME + 1024];
	uint16_t iptype = in[0] >> 4 == 4 ? 0x0800 : 0x86dd;
	uint8_t proto = 17, smac[6], dmac[6];
	struct addr isrc, idst;
	size_t h = 8;		/* UDP kinds: the UDP header comes first */
	int eth = 0, udp = 1, i;

	memset(pay, 0, 64);
	switch (t->kind) {
	case T_IPIP:
		proto = in[0] >> 4 == 4 ? 4 : 41;
		udp = 0;
		h = 0;
		break;
	case T_GRE:
	case T_GRE_ETH:
		/* GRE (RFC 2784, RFC 2890):
		 *   0..1 C . K S reserved0(9) version(3)   2..3 protocol type
		 *   [key (4)] [sequence number (4)] */
		proto = 47;
		udp = 0;
		put16(pay, (uint16_t)((t->has_key ? 0x2000 : 0) |
		    (t->has_seq ? 0x1000 : 0)));
		put16(pay + 2, t->kind == T_GRE_ETH ? 0x6558 : iptype);
		h = 4;
		if (t->has_key) {
			put32(pay + h, t->key);
			h += 4;
		}
		if (t->has_seq) {
			put32(pay + h, t->seq);
			h += 4;
		}
		eth = t->kind == T_GRE_ETH;
		break;
	case T_TEREDO:
		/* Teredo (RFC 4380 5.1.1) origin indication:
		 *   0..1 0x0000  2..3 port ^ 0xffff  4..7 IPv4 ^ 0xffffffff */
		if (t->origin) {
			put16(pay + h + 2, (uint16_t)~t->dport);
			for (i = 0; i < 4; i++)
				pay[h + 4 + i] = (uint8_t)~t->dst.b[i];
			h += 8;
		}
		break;
	case T_VXLAN:
		/* VXLAN (RFC 7348 5):
		 *   0 flags (I = 0x08)  1..3 reserved  4..6 VNI  7 reserved */
		pay[h] = 0x08;
		put32(pay + h + 4, t->vni << 8);
		h += 8;
		eth = 1;
		break;
	case T_GENEVE:
		/* GENEVE (RFC 8926 3.4), no options:
		 *   0 ver(2) opt len(6)  1 O C reserved(6)  2..3 protocol type
		 *   4..6 VNI  7 reserved */
		put16(pay + h + 2, t->ip ? iptype : 0x6558);
		put32(pay + h + 4, t->vni << 8);
		h += 8;
		eth = !t->ip;
		break;
	case T_GTPU:
		/* GTP-U (3GPP TS 29.281 5.1), no optional fields:
		 *   0 flags (version 1, PT 1: 0x30)  1 message type (255 G-PDU)
		 *   2..3 length of what follows these 8 bytes  4..7 TEID */
		pay[h] = 0x30;
		pay[h + 1] = 0xff;
		put16(pay + h + 2, (uint16_t)n);
		put32(pay + h + 4, t->teid);
		h += 8;
		break;
	}
	if (eth) {
		ip_addrs(in, &isrc, &idst);
		mac_of(&isrc, smac);
		mac_of(&idst, dmac);
		h += build_eth(pay + h, smac, dmac, t->vlans, t->nvlans, iptype);
	}
	if (n > 65535 - 40 - h)
		die("tunnelled packet too long");
	memcpy(pay + h, in, n);
	n += h;
	if (udp) {
		/* UDP (RFC 768) with its checksum */
		put16(pay, t->sport);
		put16(pay + 2, t->dport);
		put16(pay + 4, (uint16_t)n);
		put16(pay + 6, l4_checksum_addr(&t->src, &t->dst, 17, pay, n));
		if (pay[6] == 0 && pay[7] == 0)
			put16(pay + 6, 0xffff);
	}
	if (t->src.ver == 4)
		return build_ip4(&t->src, &t->dst, 64, out, proto,
		    next_ipid++, 0, 0, pay, n);
	return build_ip6(&t->src, &t->dst, 64, out, proto, 0, 0, 0, 0, pay,
	    n);
}

/* ---- writing ------------------------------------------------------- */

static struct buf out;

static void
write_header(void)
{
	int i;

	if (!pcapng) {
		/* pcap (draft-ietf-opsawg-pcap): magic, 2.4, zone, sigfigs,
		 * snaplen, linktype */
		buf_le32(&out, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
		buf_le16(&out, 2);
		buf_le16(&out, 4);
		buf_le32(&out, 0);
		buf_le32(&out, 0);
		buf_le32(&out, ifaces[0].snaplen);
		buf_le32(&out, ifaces[0].linktype);
		return;
	}
	/* pcapng SHB: type, length, BOM, 1.0, section length -1, length */
	buf_le32(&out, 0x0a0d0d0a);
	buf_le32(&out, 28);
	buf_le32(&out, 0x1a2b3c4d);
	buf_le16(&out, 1);
	buf_le16(&out, 0);
	buf_le32(&out, 0xffffffff);
	buf_le32(&out, 0xffffffff);
	buf_le32(&out, 28);
	for (i = 0; i < nifaces; i++) {
		/* IDB: linktype, reserved, snaplen, options */
		uint32_t len = 20 + (nsec ? 8 : 0) + 4;

		buf_le32(&out, 1);
		buf_le32(&out, len);
		buf_le16(&out, ifaces[i].linktype);
		buf_le16(&out, 0);
		buf_le32(&out, ifaces[i].snaplen);
		if (nsec) {
			uint8_t pad[3] = { 0, 0, 0 };
			uint8_t res = 9;

			buf_le16(&out, 9);	/* if_tsresol */
			buf_le16(&out, 1);
			buf_put(&out, &res, 1);
			buf_put(&out, pad, 3);
		}
		buf_le16(&out, 0);	/* opt_endofopt */
		buf_le16(&out, 0);
		buf_le32(&out, len);
	}
}

static void
write_record(const struct spec *sp, uint64_t t_ns, const uint8_t *frame,
    size_t wire)
{
	uint64_t ts = base_s * 1000000000ull + t_ns;
	size_t cap = wire;
	const struct iface *ifc = &ifaces[sp->iface];

	if (sp->snap >= 0 && (size_t)sp->snap < cap)
		cap = (size_t)sp->snap;
	if (ifc->snaplen < cap)
		cap = ifc->snaplen;
	if (!pcapng) {
		uint64_t sec = ts / 1000000000ull;
		uint64_t frac = ts % 1000000000ull;

		buf_le32(&out, (uint32_t)sec);
		buf_le32(&out, (uint32_t)(nsec ? frac : frac / 1000));
		buf_le32(&out, (uint32_t)cap);
		buf_le32(&out, (uint32_t)wire);
		buf_put(&out, frame, cap);
	} else {
		/* EPB: iface, ts high, ts low, caplen, origlen, data, pad */
		uint64_t units = nsec ? ts : ts / 1000;
		size_t padded = (cap + 3) & ~(size_t)3;
		uint32_t len = (uint32_t)(32 + padded);
		uint8_t zero[4] = { 0, 0, 0, 0 };

		buf_le32(&out, 6);
		buf_le32(&out, len);
		buf_le32(&out, (uint32_t)sp->iface);
		buf_le32(&out, (uint32_t)(units >> 32));
		buf_le32(&out, (uint32_t)units);
		buf_le32(&out, (uint32_t)cap);
		buf_le32(&out, (uint32_t)wire);
		buf_put(&out, frame, cap);
		buf_put(&out, zero, padded - cap);
		buf_le32(&out, len);
	}
}

static uint8_t l4buf[MAX_FRAME], frame[MAX_FRAME + 1024];

static void
emit(const struct ev *e)
{
	struct spec stepped;
	const struct spec *sp = e->spec;
	uint16_t linktype = ifaces[sp->iface].linktype;
	uint16_t ethertype;
	uint8_t proto = 0;
	size_t l4len, hl, off, chunk;
	uint32_t id;

	cur_line = sp->line;
	if (sp->dstep || sp->sstep || sp->astep || sp->sastep) {
		/* a scan: this copy's ports and address */
		unsigned k = (unsigned)e->copy, lo;
		int last = sp->dst.ver == 4 ? 3 : 15;

		stepped = *sp;
		stepped.dport = (uint16_t)(sp->dport + k * sp->dstep);
		stepped.sport = (uint16_t)(sp->sport + k * sp->sstep);
		lo = ((unsigned)sp->dst.b[last - 1] << 8 | sp->dst.b[last]) +
		    k * sp->astep;
		stepped.dst.b[last - 1] = (uint8_t)(lo >> 8);
		stepped.dst.b[last] = (uint8_t)lo;
		lo = ((unsigned)sp->src.b[last - 1] << 8 | sp->src.b[last]) +
		    k * sp->sastep;
		stepped.src.b[last - 1] = (uint8_t)(lo >> 8);
		stepped.src.b[last] = (uint8_t)lo;
		sp = &stepped;
	}
	if (sp->iface >= nifaces)
		die("no interface %d (add linktype lines)", sp->iface);
	if (sp->kind == K_ARP) {
		/* ARP request (RFC 826) for Ethernet/IPv4 */
		uint8_t *a;

		hl = build_link(sp, linktype, frame, 0x0806, &sp->src,
		    &sp->dst);
		a = frame + hl;
		put16(a, 1);
		put16(a + 2, 0x0800);
		a[4] = 6;
		a[5] = 4;
		put16(a + 6, 1);
		mac_of(&sp->src, a + 8);
		memcpy(a + 14, sp->src.b, 4);
		memset(a + 18, 0, 6);
		memcpy(a + 24, sp->dst.b, 4);
		write_record(sp, e->t_ns, frame, hl + 28);
		return;
	}
	l4len = build_l4(sp, e, l4buf, &proto);
	if (sp->src.ver == 4 && l4len + 20 > 65535)
		die("IPv4 packet too long");
	if (sp->ipid >= 0)
		id = (uint32_t)sp->ipid + (uint32_t)e->copy;
	else
		id = next_ipid++;
	if (sp->ntuns > 0) {
		/* the inner packet, then each tunnel around it, the
		 * innermost first */
		static uint8_t tb[2][MAX_FRAME + 1024];
		const struct tun *outer = &sp->tuns[0];
		int i, cur = 0;
		size_t n;

		if (sp->src.ver == 4)
			n = build_ip4(&sp->src, &sp->dst, sp->ttl, tb[0], proto,
			    (uint16_t)id, 0, 0, l4buf, l4len);
		else
			n = build_ip6(&sp->src, &sp->dst, sp->ttl, tb[0], proto,
			    0, id, 0, 0, l4buf, l4len);
		for (i = sp->ntuns - 1; i >= 0; i--) {
			n = wrap_tun(&sp->tuns[i], tb[cur], n, tb[!cur]);
			cur = !cur;
		}
		ethertype = outer->src.ver == 4 ? 0x0800 : 0x86dd;
		hl = build_link(sp, linktype, frame, ethertype, &outer->src,
		    &outer->dst);
		memcpy(frame + hl, tb[cur], n);
		write_record(sp, e->t_ns, frame, hl + n);
		return;
	}
	ethertype = sp->src.ver == 4 ? 0x0800 : 0x86dd;
	hl = build_link(sp, linktype, frame, ethertype, &sp->src, &sp->dst);
	if (sp->frag == 0 || sp->frag >= l4len) {
		size_t n;

		if (sp->src.ver == 4)
			n = build_ip4(&sp->src, &sp->dst, sp->ttl, frame + hl,
			    proto, (uint16_t)id, 0, 0, l4buf, l4len);
		else
			n = build_ip6(&sp->src, &sp->dst, sp->ttl, frame + hl,
			    proto, 0, id, 0, 0, l4buf, l4len);
		write_record(sp, e->t_ns, frame, hl + n);
		return;
	}
	for (off = 0; off < l4len; off += chunk) {
		int more;
		size_t n;

		chunk = l4len - off < sp->frag ? l4len - off : sp->frag;
		more = off + chunk < l4len;
		if (sp->src.ver == 4)
			n = build_ip4(&sp->src, &sp->dst, sp->ttl, frame + hl,
			    proto, (uint16_t)id, off, more, l4buf + off, chunk);
		else
			n = build_ip6(&sp->src, &sp->dst, sp->ttl, frame + hl,
			    proto, 1, id, off, more, l4buf + off, chunk);
		write_record(sp, e->t_ns, frame, hl + n);
	}
}

static int
ev_cmp(const void *x, const void *y)
{
	const struct ev *a = x, *b = y;

	if (a->t_ns != b->t_ns)
		return a->t_ns < b->t_ns ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pcapgen [-n] [-o OUT] [DESCRIPTION]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *outpath = NULL;
	struct ev *evs = NULL;
	size_t nevs = 0, cap_evs = 0, i, len;
	FILE *f = stdin;
	int c, force_ng = 0;

	while ((c = getopt(argc, argv, "no:h")) != -1) {
		switch (c) {
		case 'n':
			force_ng = 1;
			break;
		case 'o':
			outpath = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind > 1)
		usage();
	if (argc - optind == 1 && strcmp(argv[optind], "-") != 0) {
		input_name = argv[optind];
		if ((f = fopen(input_name, "r")) == NULL)
			die("%s: %s", input_name, strerror(errno));
	}
	parse_input(f);
	if (f != stdin)
		fclose(f);
	if (force_ng)
		pcapng = 1;

	for (i = 0; i < nspecs; i++) {
		long k;

		for (k = 0; k < specs[i].rep; k++) {
			evs = grow(evs, &cap_evs, nevs + 1, sizeof *evs);
			evs[nevs].t_ns = specs[i].t_ns +
			    (uint64_t)k * specs[i].dt_ns;
			evs[nevs].spec = &specs[i];
			evs[nevs].copy = k;
			evs[nevs].order = nevs;
			nevs++;
		}
	}
	qsort(evs, nevs, sizeof *evs, ev_cmp);

	write_header();
	for (i = 0; i < nevs; i++)
		emit(&evs[i]);
	cur_line = 0;

	len = out.len;
	if ((size_t)truncate_bytes > len)
		die("truncate larger than the file");
	len -= (size_t)truncate_bytes;
	if (outpath != NULL && strcmp(outpath, "-") != 0) {
		if ((f = fopen(outpath, "wb")) == NULL)
			die("%s: %s", outpath, strerror(errno));
	} else
		f = stdout;
	if (fwrite(out.p, 1, len, f) != len || fflush(f) != 0)
		die("write error");
	if (f != stdout && fclose(f) != 0)
		die("write error");
	free(out.p);
	free(evs);
	free(specs);
	free(dirs);
	return 0;
}
