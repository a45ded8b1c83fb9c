/*
 * decode-tls.c: the server name a TLS client asks for (SNI, RFC 6066
 * section 3) from a ClientHello (RFC 8446 section 4.1.2; TLS 1.0-1.2
 * use the same layout).
 *
 * Part of the decoder: runs in a capture thread, never allocates, and
 * never changes the packet's status.  Only a TCP segment that starts with
 * a handshake record is looked at, and only what this one segment holds:
 * there is no reassembly, so a ClientHello whose server_name extension
 * falls into a later segment yields nothing.  The record gives one
 * PKT_NAME_SNI with the address the segment is sent to.
 */
#include "config.h"

#include "decode-int.h"

#include <string.h>

#define TLS_CONTENT_HANDSHAKE	22
#define TLS_HS_CLIENT_HELLO	1
#define TLS_EXT_SERVER_NAME	0
#define TLS_SNI_HOST_NAME	0
#define TLS_SNI_MAX		253

/*
 * TLSPlaintext record, then the Handshake header and the ClientHello:
 *
 * +---------+-----------------+-----------------+
 * | type 22 | version (2)     | length (2)      |          record
 * +---------+-----------------+-----------------+
 * | type 1  | length (3)                        |          handshake
 * +---------+-----------------------------------+
 * | legacy_version (2) | random (32)            |
 * | session_id: len (1) + bytes                 |
 * | cipher_suites: len (2) + bytes              |
 * | compression_methods: len (1) + bytes        |
 * | extensions: len (2), then each: type (2), len (2), data
 * +---------------------------------------------+
 * server_name extension data: list len (2), then entries of
 * name_type (1) and HostName: len (2) + bytes.
 */
void
decode_tls(struct decode_ctx *ctx, struct pktbuf *pb)
{
	struct pktbuf b = *pb, e;
	struct pkt_name *n;
	uint32_t hlen;
	uint16_t len, etype;
	uint8_t type, nt;
	char host[TLS_SNI_MAX];

	type = pktbuf_u8(&b);
	if (pktbuf_u8(&b) != 3 || type != TLS_CONTENT_HANDSHAKE)
		return;
	pktbuf_skip(&b, 1);
	len = pktbuf_be16(&b);
	if (b.flags & PKTBUF_TRUNCATED)
		return;
	pktbuf_limit(&b, len);
	type = pktbuf_u8(&b);
	hlen = (uint32_t)pktbuf_u8(&b) << 16;
	hlen |= pktbuf_be16(&b);
	if ((b.flags & PKTBUF_TRUNCATED) || type != TLS_HS_CLIENT_HELLO)
		return;
	pktbuf_limit(&b, hlen);
	pktbuf_skip(&b, 2 + 32);
	pktbuf_skip(&b, pktbuf_u8(&b));
	pktbuf_skip(&b, pktbuf_be16(&b));
	pktbuf_skip(&b, pktbuf_u8(&b));
	len = pktbuf_be16(&b);
	if (b.flags & PKTBUF_TRUNCATED)
		return;
	pktbuf_limit(&b, len);

	while (pktbuf_left(&b) >= 4) {
		etype = pktbuf_be16(&b);
		len = pktbuf_be16(&b);
		if (etype != TLS_EXT_SERVER_NAME) {
			if (!pktbuf_skip(&b, len))
				return;
			continue;
		}
		e = b;
		pktbuf_limit(&e, len);
		pktbuf_limit(&e, pktbuf_be16(&e));
		while (pktbuf_left(&e) >= 3) {
			nt = pktbuf_u8(&e);
			len = pktbuf_be16(&e);
			if (nt != TLS_SNI_HOST_NAME) {
				if (!pktbuf_skip(&e, len))
					return;
				continue;
			}
			if (len == 0 || len > TLS_SNI_MAX ||
			    !pktbuf_bytes(&e, host, len) ||
			    memchr(host, '\0', len) != NULL)
				return;
			if ((n = decode_name_add(ctx, PKT_NAME_SNI)) == NULL)
				return;
			n->ip_ver = ctx->m->ip_ver;
			memcpy(n->addr, ctx->m->dst, sizeof n->addr);
			memcpy(n->name, host, len);
			n->name[len] = '\0';
			return;
		}
		return;
	}
}
