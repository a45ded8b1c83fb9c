/*
 * decode-dhcp.c: client host names from DHCP messages (RFC 2131; options
 * RFC 2132).
 *
 * Part of the decoder: runs in a capture thread, never allocates, and
 * never changes the packet's status.  A DHCP message (from a client or a
 * server) that carries a Host Name option (12) yields one PKT_NAME_DHCP
 * record: the name, the client hardware address (when it is a 6-byte
 * Ethernet address) and the client's IPv4 address, taken from yiaddr,
 * else ciaddr, else the Requested IP Address option (50); with none of
 * those ip_ver is 0.  The option walk is bounded by the message length.
 */
#include "config.h"

#include "decode-int.h"

#include <string.h>

#define DHCP_MAGIC		0x63825363u
#define DHCP_OPT_PAD		0
#define DHCP_OPT_HOSTNAME	12
#define DHCP_OPT_REQUESTED_IP	50
#define DHCP_OPT_END		255

/*
 * BOOTP/DHCP message (RFC 2131 section 2):
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+---------------+---------------+
 * |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
 * +---------------+---------------+---------------+---------------+
 * |                            xid (4)                            |
 * +-------------------------------+-------------------------------+
 * |           secs (2)            |           flags (2)           |
 * +-------------------------------+-------------------------------+
 * |                          ciaddr  (4)                          |
 * |                          yiaddr  (4)                          |
 * |                          siaddr  (4)                          |
 * |                          giaddr  (4)                          |
 * +---------------------------------------------------------------+
 * |                          chaddr  (16)                         |
 * |                          sname   (64)                         |
 * |                          file    (128)                        |
 * +---------------------------------------------------------------+
 * |  magic cookie 99.130.83.99 (4) | options: code (1) len (1) data
 * +---------------------------------------------------------------+
 */
void
decode_dhcp(struct decode_ctx *ctx, struct pktbuf *pb)
{
	struct pktbuf b = *pb;
	struct pkt_name *n;
	uint8_t op, htype, hlen, code, len;
	uint8_t ciaddr[4], yiaddr[4], reqip[4] = { 0 }, chaddr[6];
	const uint8_t *addr;
	char host[PKT_NAME_MAX], opt[255];
	size_t hostlen = 0;
	static const uint8_t zero[4];

	op = pktbuf_u8(&b);
	htype = pktbuf_u8(&b);
	hlen = pktbuf_u8(&b);
	pktbuf_skip(&b, 9);
	pktbuf_bytes(&b, ciaddr, 4);
	pktbuf_bytes(&b, yiaddr, 4);
	pktbuf_skip(&b, 8);
	pktbuf_bytes(&b, chaddr, 6);
	pktbuf_skip(&b, 10 + 64 + 128);
	if (pktbuf_be32(&b) != DHCP_MAGIC || (b.flags & PKTBUF_TRUNCATED))
		return;
	if (op != 1 && op != 2)
		return;

	while (pktbuf_left(&b) > 0) {
		code = pktbuf_u8(&b);
		if (code == DHCP_OPT_END)
			break;
		if (code == DHCP_OPT_PAD)
			continue;
		len = pktbuf_u8(&b);
		if (b.flags & PKTBUF_TRUNCATED)
			break;
		if (code == DHCP_OPT_HOSTNAME) {
			/* A cut option must not clobber an earlier one. */
			if (!pktbuf_bytes(&b, opt, len))
				break;
			/* Some clients count a terminating NUL. */
			while (len > 0 && opt[len - 1] == '\0')
				len--;
			if (memchr(opt, '\0', len) != NULL)
				return;
			memcpy(host, opt, len);
			host[len] = '\0';
			hostlen = len;
		} else if (code == DHCP_OPT_REQUESTED_IP && len == 4) {
			if (!pktbuf_bytes(&b, reqip, 4))
				break;
		} else if (!pktbuf_skip(&b, len))
			break;
	}
	if (hostlen == 0)
		return;
	if ((n = decode_name_add(ctx, PKT_NAME_DHCP)) == NULL)
		return;
	if (memcmp(yiaddr, zero, 4) != 0)
		addr = yiaddr;
	else if (memcmp(ciaddr, zero, 4) != 0)
		addr = ciaddr;
	else if (memcmp(reqip, zero, 4) != 0)
		addr = reqip;
	else
		addr = NULL;
	if (addr != NULL) {
		n->ip_ver = 4;
		memcpy(n->addr, addr, 4);
	}
	if (htype == 1 && hlen == 6)
		memcpy(n->mac, chaddr, 6);
	memcpy(n->name, host, hostlen + 1);
}
