/*
 * decode-dns.c: names from DNS responses (RFC 1035; mDNS RFC 6762 and
 * LLMNR RFC 4795 use the same message format).
 *
 * Part of the decoder: runs in a capture thread, never allocates, and
 * never changes the packet's status (a bad DNS message just yields no
 * names).  Every A or AAAA record of a standard query response gives one
 * PKT_NAME_DNS record with the address and a name: for the answer
 * section the query name (so a CNAME chain maps the address to the name
 * the client asked for), else (no question, as in mDNS announcements, or
 * the authority and additional sections: glue, mDNS host records) the
 * record's owner name.  For the dns_anomaly detector, an NXDOMAIN answer
 * gives a PKT_NAME_DNS_NX record and an answer to a query name of at
 * least PKT_DNS_LONG bytes a PKT_NAME_DNS_LONG record, each with the
 * client's address (the packet's destination) and the query name.  Work per packet is bounded: at most
 * DNS_MAX_QUESTIONS questions and DNS_MAX_RECORDS records are read, a name may take at most
 * DNS_MAX_JUMPS compression pointers, and every pointer must point before
 * the start of the labels it continues, so pointers cannot loop.
 */
#include "config.h"

#include "decode-int.h"

#include <string.h>

#define DNS_NAME_MAX		253	/* text form, without the NUL */
#define DNS_MAX_JUMPS		32
#define DNS_MAX_QUESTIONS	4
#define DNS_MAX_RECORDS		64

#define DNS_TYPE_A		1
#define DNS_TYPE_AAAA		28
#define DNS_CLASS_IN		1

/*
 * Read the domain name at b into out (dotted text, NUL-terminated, at
 * most DNS_NAME_MAX bytes) and leave b after the name as it is written
 * at that place.  msg/msglen is the whole DNS message, which compression
 * pointers are relative to (RFC 1035 section 4.1.4):
 *
 * label:    +--+--+--+--+--+--+--+--+---------------
 *           | 0  0|  length (1..63) | length bytes
 *           +--+--+--+--+--+--+--+--+---------------
 * pointer:  +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *           | 1  1|              offset (14 bits)             |
 *           +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *
 * Returns 0, or -1 if the name is cut, too long, holds a NUL byte, uses
 * a reserved label type, takes too many jumps or a pointer that does not
 * point strictly before the labels it continues.
 */
static int
dns_name(const uint8_t *msg, size_t msglen, struct pktbuf *b, char *out)
{
	struct pktbuf c = *b;
	size_t o = 0, start = (size_t)(b->p - msg);
	unsigned jumps = 0;
	size_t ptr;
	uint8_t len;
	int jumped = 0;

	for (;;) {
		len = pktbuf_u8(&c);
		if (c.flags & PKTBUF_TRUNCATED)
			return -1;
		if ((len & 0xc0) == 0xc0) {
			ptr = (size_t)(len & 0x3f) << 8;
			ptr |= pktbuf_u8(&c);
			if (c.flags & PKTBUF_TRUNCATED)
				return -1;
			if (ptr >= start || ++jumps > DNS_MAX_JUMPS)
				return -1;
			if (!jumped) {
				b->p = c.p;
				jumped = 1;
			}
			start = ptr;
			pktbuf_init(&c, msg + ptr, msglen - ptr);
			continue;
		}
		if (len & 0xc0)
			return -1;
		if (len == 0)
			break;
		if (o + (o != 0) + len > DNS_NAME_MAX)
			return -1;
		if (o != 0)
			out[o++] = '.';
		if (!pktbuf_bytes(&c, out + o, len))
			return -1;
		if (memchr(out + o, '\0', len) != NULL)
			return -1;
		o += len;
	}
	out[o] = '\0';
	if (!jumped)
		b->p = c.p;
	return 0;
}

/*
 * Extract A/AAAA answers from a DNS response.  Header (RFC 1035 4.1.1):
 *
 *                                 1  1  1  1  1  1
 *   0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |                      ID                       |
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |QR|   Opcode  |AA|TC|RD|RA|   Z    |   RCODE   |
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |           QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT  |
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * Question: QNAME, QTYPE (2), QCLASS (2).
 * Answer:   NAME, TYPE (2), CLASS (2), TTL (4), RDLENGTH (2), RDATA.
 * Over TCP (RFC 1035 4.2.2) the message has a 2-byte length in front.
 * mDNS sets the top bit of CLASS (cache flush), so it is masked off.
 */
void
decode_dns(struct decode_ctx *ctx, struct pktbuf *pb, int tcp)
{
	struct pktbuf b = *pb;
	struct pkt_name *n;
	const uint8_t *msg;
	size_t msglen;
	char qname[DNS_NAME_MAX + 1], owner[DNS_NAME_MAX + 1];
	uint8_t addr[16];
	uint16_t flags, qd, an, ns, ar, type, cls, rdlen;
	unsigned i, total;
	const char *name;

	if (tcp) {
		rdlen = pktbuf_be16(&b);
		if (b.flags & PKTBUF_TRUNCATED)
			return;
		pktbuf_limit(&b, rdlen);
	}
	msg = b.p;
	msglen = pktbuf_left(&b);
	pktbuf_skip(&b, 2);
	flags = pktbuf_be16(&b);
	qd = pktbuf_be16(&b);
	an = pktbuf_be16(&b);
	ns = pktbuf_be16(&b);
	ar = pktbuf_be16(&b);
	if (b.flags & PKTBUF_TRUNCATED)
		return;
	/* A response (QR) to a standard query (opcode 0). */
	if ((flags & 0xf800) != 0x8000 || qd > DNS_MAX_QUESTIONS)
		return;

	qname[0] = '\0';
	for (i = 0; i < qd; i++) {
		if (dns_name(msg, msglen, &b, i == 0 ? qname : owner) < 0)
			return;
		if (!pktbuf_skip(&b, 4))
			return;
	}
	/* For the dns_anomaly detector: an NXDOMAIN answer, or a long
	 * query name, with the client it goes to (the packet's
	 * destination). */
	if (qname[0] != '\0' && (ctx->m->ip_ver == 4 || ctx->m->ip_ver == 6) &&
	    ((flags & 0xf) == 3 || strlen(qname) >= PKT_DNS_LONG)) {
		if ((n = decode_name_add(ctx, (flags & 0xf) == 3 ?
		    PKT_NAME_DNS_NX : PKT_NAME_DNS_LONG)) == NULL)
			return;
		n->ip_ver = ctx->m->ip_ver;
		memcpy(n->addr, ctx->m->dst, 16);
		memcpy(n->name, qname, strlen(qname) + 1);
	}
	total = (unsigned)an + ns + ar;
	if (total > DNS_MAX_RECORDS)
		total = DNS_MAX_RECORDS;
	for (i = 0; i < total; i++) {
		if (dns_name(msg, msglen, &b, owner) < 0)
			return;
		type = pktbuf_be16(&b);
		cls = pktbuf_be16(&b);
		pktbuf_skip(&b, 4);
		rdlen = pktbuf_be16(&b);
		if (b.flags & PKTBUF_TRUNCATED)
			return;
		if ((cls & 0x7fff) != DNS_CLASS_IN ||
		    !((type == DNS_TYPE_A && rdlen == 4) ||
		    (type == DNS_TYPE_AAAA && rdlen == 16))) {
			if (!pktbuf_skip(&b, rdlen))
				return;
			continue;
		}
		if (!pktbuf_bytes(&b, addr, rdlen))
			return;
		/* Answers name what the client asked for; other records
		 * (glue, mDNS host records) name their owner. */
		name = i < an && qname[0] != '\0' ? qname : owner;
		if (name[0] == '\0')
			continue;
		if ((n = decode_name_add(ctx, PKT_NAME_DNS)) == NULL)
			return;
		n->ip_ver = type == DNS_TYPE_A ? 4 : 6;
		memcpy(n->addr, addr, rdlen);
		memcpy(n->name, name, strlen(name) + 1);
	}
}
