/*
 * ipfix.c: flow records as IPFIX (RFC 7011, RFC 5102/7012 elements,
 * RFC 5103 biflows) to a collector over UDP or TCP, or into a file.
 *
 * Main thread only: the engine's flow sink calls ipfix_flow() for every
 * record as the engine emits it (closed, idle or active timeout, evicted,
 * flushed), so active and inactive timeouts are the engine's flow
 * timeouts.  libfixbuf encodes: templates, sets, message headers and
 * sequence numbers.  It writes each finished message into our buffer (its
 * buffer exporter), and this file sends it: a non-blocking UDP socket,
 * a non-blocking TCP socket with a bounded queue, or a stdio stream.  So
 * a collector that is slow, full or gone never blocks the capture: a
 * message the kernel will not take is counted as dropped (its records in
 * ipfix_stats.dropped), never lost silently.  The buffer is in manual
 * mode: a full message comes back as FB_ERROR_EOM, we send it and append
 * again.
 *
 * Two data templates, IPv4 (256) and IPv6 (257), each a biflow: the
 * originator is the source (biflowDirection 1, initiator), the forward
 * counters are the originator's packets and the reverse ones (private
 * enterprise 29305, RFC 5103) the responder's.  Octets are IP-level bytes
 * (header and payload, as RFC 7012 counts them): wiretop's
 * orig_ip_bytes / resp_ip_bytes.  The reverse elements other than the
 * counters come before their forward elements in the templates: nfdump
 * 1.7 reads an unknown reverse element as its forward one, and the later
 * value wins.  TCP flags are those the flow's history letters record
 * (SYN, ACK, FIN, RST in each direction; the engine keeps no other flag
 * per flow).
 *
 * UDP: templates go out first and again every refresh_s seconds or
 * refresh_msgs messages (RFC 7011 section 8.4), and after a message that
 * carried them was dropped.  TCP: templates at the start of each
 * connection; a lost connection is called again every IPFIX_RETRY_MS.
 * Times are ms since the epoch, on the packet clock.
 */
#include "config.h"
#include "ipfix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fixbuf/public.h>

#include "log.h"
#include "proc.h"
#include "xmalloc.h"

#define IPFIX_TID4		256
#define IPFIX_TID6		257
#define IPFIX_ITID4		0x8104	/* internal templates: never on the
					   wire */
#define IPFIX_ITID6		0x8106
#define IPFIX_RETRY_MS		2000	/* TCP: a lost collector is called
					   again this often */
#define IPFIX_QUEUE_MAX		(4u << 20)	/* TCP: bytes queued at most */
#define IPFIX_IDLE_MS		1000	/* a message waits at most this long
					   for more records */
#define IPFIX_PEN_REVERSE	29305	/* RFC 5103 */

/* The records as libfixbuf reads them: no padding, fields in the order
 * of the internal templates below (largest first, the addresses last:
 * all before them is the same for both versions). */
struct ipfix_head {
	uint64_t start_ms, end_ms;
	uint64_t octets, packets, r_octets, r_packets;
	uint32_t ingress;
	uint16_t sport, dport, icmp, flags, r_flags, vlan, r_vlan, ivlan;
	uint8_t proto, reason, bidir, pad;
};
struct ipfix_rec4 {
	struct ipfix_head h;
	uint32_t src, dst;	/* host byte order (libfixbuf swaps) */
};
struct ipfix_rec6 {
	struct ipfix_head h;
	uint8_t src[16], dst[16];
};
_Static_assert(sizeof(struct ipfix_head) == 72, "no padding in head");
_Static_assert(sizeof(struct ipfix_rec4) == 80, "no padding in rec4");
_Static_assert(sizeof(struct ipfix_rec6) == 104, "no padding in rec6");

#define IPFIX_SPEC(n, l) { (char *)(n), (l), 0 }

/* The internal templates of IP version v (addresses of alen bytes): the
 * structs above, field by field. */
#define IPFIX_INTERNAL(v, alen) {					\
	IPFIX_SPEC("flowStartMilliseconds", 8),				\
	IPFIX_SPEC("flowEndMilliseconds", 8),				\
	IPFIX_SPEC("octetDeltaCount", 8),				\
	IPFIX_SPEC("packetDeltaCount", 8),				\
	IPFIX_SPEC("reverseOctetDeltaCount", 8),			\
	IPFIX_SPEC("reversePacketDeltaCount", 8),			\
	IPFIX_SPEC("ingressInterface", 4),				\
	IPFIX_SPEC("sourceTransportPort", 2),				\
	IPFIX_SPEC("destinationTransportPort", 2),			\
	IPFIX_SPEC("icmpTypeCodeIPv" #v, 2),				\
	IPFIX_SPEC("tcpControlBits", 2),				\
	IPFIX_SPEC("reverseTcpControlBits", 2),				\
	IPFIX_SPEC("vlanId", 2),					\
	IPFIX_SPEC("reverseVlanId", 2),					\
	IPFIX_SPEC("dot1qCustomerVlanId", 2),				\
	IPFIX_SPEC("protocolIdentifier", 1),				\
	IPFIX_SPEC("flowEndReason", 1),					\
	IPFIX_SPEC("biflowDirection", 1),				\
	IPFIX_SPEC("paddingOctets", 1),					\
	IPFIX_SPEC("sourceIPv" #v "Address", alen),			\
	IPFIX_SPEC("destinationIPv" #v "Address", alen),		\
	FB_IESPEC_NULL							\
}
static fbInfoElementSpec_t ipfix_int4[] = IPFIX_INTERNAL(4, 4);
static fbInfoElementSpec_t ipfix_int6[] = IPFIX_INTERNAL(6, 16);

/* The templates on the wire (doc/wiretop.8, IPFIX EXPORT): reverse
 * elements other than counters before their forward elements. */
#define IPFIX_EXTERNAL(v, alen) {					\
	IPFIX_SPEC("reverseTcpControlBits", 2),				\
	IPFIX_SPEC("reverseVlanId", 2),					\
	IPFIX_SPEC("flowStartMilliseconds", 8),				\
	IPFIX_SPEC("flowEndMilliseconds", 8),				\
	IPFIX_SPEC("octetDeltaCount", 8),				\
	IPFIX_SPEC("packetDeltaCount", 8),				\
	IPFIX_SPEC("reverseOctetDeltaCount", 8),			\
	IPFIX_SPEC("reversePacketDeltaCount", 8),			\
	IPFIX_SPEC("sourceIPv" #v "Address", alen),			\
	IPFIX_SPEC("destinationIPv" #v "Address", alen),		\
	IPFIX_SPEC("ingressInterface", 4),				\
	IPFIX_SPEC("sourceTransportPort", 2),				\
	IPFIX_SPEC("destinationTransportPort", 2),			\
	IPFIX_SPEC("icmpTypeCodeIPv" #v, 2),				\
	IPFIX_SPEC("tcpControlBits", 2),				\
	IPFIX_SPEC("vlanId", 2),					\
	IPFIX_SPEC("dot1qCustomerVlanId", 2),				\
	IPFIX_SPEC("protocolIdentifier", 1),				\
	IPFIX_SPEC("flowEndReason", 1),					\
	IPFIX_SPEC("biflowDirection", 1),				\
	FB_IESPEC_NULL							\
}
static fbInfoElementSpec_t ipfix_ext4[] = IPFIX_EXTERNAL(4, 4);
static fbInfoElementSpec_t ipfix_ext6[] = IPFIX_EXTERNAL(6, 16);

struct ipfix {
	enum ipfix_transport tr;
	char name[160];			/* "udp 127.0.0.1:4739" */
	struct ipfix_cfg cfg;
	/* libfixbuf */
	fbInfoModel_t *model;		/* owned */
	fBuf_t *fbuf;			/* owned; owns the session and the
					   exporter */
	fbExporter_t *exp;		/* borrowed from fbuf */
	uint8_t *msg;			/* owned: where fbuf puts a message */
	uint16_t mtu;
	int cur_ver;			/* template set on fbuf: 4, 6, 0 */
	int open;			/* a message is being built */
	uint64_t nrec;			/* records in it */
	int tmpl_in_msg;		/* it carries the templates */
	int need_templates;		/* the next message starts with them */
	uint64_t msg_start_ms;		/* monotonic time it was begun */
	/* refresh */
	uint64_t tmpl_ms;		/* monotonic time of the last send */
	uint64_t msgs_since;		/* messages since */
	/* the ingress interface of each engine source */
	uint32_t ifindex[256];
	/* transport */
	FILE *fp;			/* IPFIX_FILE: borrowed */
	int fd;				/* sockets, -1 if none */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	int connected;			/* TCP: the connection is up */
	uint64_t retry_ms;		/* TCP: next call when down */
	uint8_t *q;			/* TCP: bytes waiting, owned */
	size_t qlen, qoff;
	uint64_t *qrec;			/* records of each queued message */
	size_t *qend;			/* end offset of each in q */
	size_t nq, capq;
	int error;			/* file: the first write errno */
	struct ipfix_stats st;
};

static void
ipfix_set_error(struct ipfix *x, const char *what, int err)
{
	snprintf(x->st.last_error, sizeof x->st.last_error, "%s: %s", what,
	    strerror(err));
}

/* Parse the collector's name. */
int
ipfix_parse_target(const char *s, enum ipfix_transport *tr, char **host,
    uint16_t *port, char **cause)
{
	const char *h = s, *p = NULL, *end;
	unsigned long v;
	size_t hl;
	char *e;

	*tr = IPFIX_UDP;
	if (strncmp(s, "udp://", 6) == 0)
		h = s + 6;
	else if (strncmp(s, "tcp://", 6) == 0) {
		*tr = IPFIX_TCP;
		h = s + 6;
	} else if (strstr(s, "://") != NULL) {
		*cause = xstrdup("expected HOST:PORT, udp://HOST:PORT or "
		    "tcp://HOST:PORT");
		return -1;
	}
	if (*h == '[') {
		if ((end = strchr(h, ']')) == NULL) {
			*cause = xstrdup("an IPv6 address in [ ] lacks its ]");
			return -1;
		}
		hl = (size_t)(end - h - 1);
		h++;
		if (end[1] == ':')
			p = end + 2;
		else if (end[1] != '\0') {
			*cause = xstrdup("expected [ADDRESS]:PORT");
			return -1;
		}
	} else {
		end = strrchr(h, ':');
		if (end != NULL && strchr(h, ':') != end) {
			*cause = xstrdup("an IPv6 address goes in [ ]: "
			    "[2001:db8::1]:4739");
			return -1;
		}
		hl = end != NULL ? (size_t)(end - h) : strlen(h);
		p = end != NULL ? end + 1 : NULL;
	}
	if (hl == 0 || hl > 253) {
		*cause = xstrdup("expected a host name or address before the "
		    "port");
		return -1;
	}
	*port = IPFIX_DEFAULT_PORT;
	if (p != NULL) {
		errno = 0;
		v = strtoul(p, &e, 10);
		if (*p < '0' || *p > '9' || *e != '\0' || errno != 0 ||
		    v == 0 || v > 65535) {
			*cause = xstrdup("expected a port from 1 to 65535");
			return -1;
		}
		*port = (uint16_t)v;
	}
	*host = xmalloc(hl + 1);
	memcpy(*host, h, hl);
	(*host)[hl] = '\0';
	return 0;
}

/* Build a template from specs; NULL + cause on error. */
static fbTemplate_t *
ipfix_template(fbInfoModel_t *m, fbInfoElementSpec_t *spec, char **cause)
{
	fbTemplate_t *t = fbTemplateAlloc(m);
	GError *err = NULL;

	if (!fbTemplateAppendSpecArray(t, spec, 0, &err)) {
		xasprintf(cause, "IPFIX template: %s", err->message);
		g_clear_error(&err);
		fbTemplateFreeUnused(t);
		return NULL;
	}
	return t;
}

/* The common part of both kinds of exporter: libfixbuf's model, session,
 * templates and buffer. */
static struct ipfix *
ipfix_create(enum ipfix_transport tr, const struct ipfix_cfg *cfg,
    char **cause)
{
	struct ipfix *x = xcalloc(1, sizeof *x);
	static const struct {
		fbInfoElementSpec_t *spec;
		uint16_t tid;
		int internal;
	} tl[] = {
		{ ipfix_int4, IPFIX_ITID4, 1 }, { ipfix_int6, IPFIX_ITID6, 1 },
		{ ipfix_ext4, IPFIX_TID4, 0 }, { ipfix_ext6, IPFIX_TID6, 0 },
	};
	fbSession_t *s;
	fbTemplate_t *t;
	GError *err = NULL;
	unsigned i, n;

	x->tr = tr;
	x->fd = -1;
	x->cfg = *cfg;
	x->mtu = tr == IPFIX_UDP ? IPFIX_UDP_MTU : IPFIX_MAX_MSG;
	x->msg = xmalloc(IPFIX_MAX_MSG);
	x->model = fbInfoModelAlloc();
	s = fbSessionAlloc(x->model);
	for (i = 0; i < sizeof tl / sizeof tl[0]; i++) {
		if ((t = ipfix_template(x->model, tl[i].spec, cause)) == NULL ||
		    fbSessionAddTemplate(s, tl[i].internal ? TRUE : FALSE,
		    tl[i].tid, t, &err) == 0) {
			if (err != NULL) {
				xasprintf(cause, "IPFIX template: %s",
				    err->message);
				g_clear_error(&err);
			}
			fbSessionFree(s);
			fbInfoModelFree(x->model);
			free(x->msg);
			free(x);
			return NULL;
		}
	}
	x->exp = fbExporterAllocBuffer(x->msg, x->mtu);
	x->fbuf = fBufAllocForExport(s, x->exp);
	fBufSetAutomaticMode(x->fbuf, FALSE);
	x->need_templates = 1;
	x->st.connected = 1;
	/* ingressInterface: a live interface's index, else the source's
	 * place among the sources (1 for the first capture file) */
	n = cfg->engine != NULL ? engine_source_count(cfg->engine) : 0;
	for (i = 0; i < n && i < 256; i++) {
		const char *nm = engine_source(cfg->engine, i)->name;
		unsigned idx = nm[0] != '\0' ? if_nametoindex(nm) : 0;

		x->ifindex[i] = idx != 0 ? idx : i + 1;
	}
	for (; i < 256; i++)
		x->ifindex[i] = i + 1;
	return x;
}

/* TCP: start connecting (non-blocking); 0 when connected or under way. */
static int
ipfix_tcp_connect(struct ipfix *x)
{
	int fd, one = 1;

	if (x->fd >= 0) {
		close(x->fd);
		x->fd = -1;
	}
	x->connected = 0;
	x->st.connected = 0;
	fd = socket(x->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		ipfix_set_error(x, "socket", errno);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&x->addr, x->addrlen) != 0 &&
	    errno != EINPROGRESS) {
		ipfix_set_error(x, "connect", errno);
		close(fd);
		return -1;
	}
	x->fd = fd;
	return 0;
}

/* TCP: is the connection (begun by ipfix_tcp_connect) up?  Waits at most
 * wait_ms.  On success the next message starts with the templates. */
static int
ipfix_tcp_ready(struct ipfix *x, int wait_ms)
{
	struct pollfd pfd;
	socklen_t sl;
	int err = 0;

	if (x->connected)
		return 1;
	if (x->fd < 0)
		return 0;
	pfd.fd = x->fd;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	if (poll(&pfd, 1, wait_ms) <= 0)
		return 0;
	sl = sizeof err;
	if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &err, &sl) != 0 ||
	    err != 0) {
		ipfix_set_error(x, "connect", err != 0 ? err : errno);
		close(x->fd);
		x->fd = -1;
		x->retry_ms = proc_mono_ms() + IPFIX_RETRY_MS;
		return 0;
	}
	x->connected = 1;
	x->st.connected = 1;
	x->need_templates = 1;
	log_info("IPFIX: connected to %s", x->name);
	return 1;
}

/* TCP: the queued messages are lost (the connection went). */
static void
ipfix_tcp_lost(struct ipfix *x, int err)
{
	size_t i;

	if (x->connected)
		log_warn("IPFIX: %s: connection lost (%s); calling again "
		    "every %d s, records counted as dropped meanwhile",
		    x->name, strerror(err), IPFIX_RETRY_MS / 1000);
	ipfix_set_error(x, "send", err);
	for (i = 0; i < x->nq; i++)
		x->st.dropped += x->qrec[i];
	x->nq = 0;
	x->qlen = x->qoff = 0;
	close(x->fd);
	x->fd = -1;
	x->connected = 0;
	x->st.connected = 0;
	x->retry_ms = proc_mono_ms() + IPFIX_RETRY_MS;
}

/* TCP: send what the queue holds, as far as the kernel takes it. */
static void
ipfix_tcp_flush(struct ipfix *x)
{
	ssize_t n;
	size_t k;

	while (x->connected && x->qoff < x->qlen) {
		n = send(x->fd, x->q + x->qoff, x->qlen - x->qoff,
		    MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				ipfix_tcp_lost(x, errno);
			break;
		}
		x->qoff += (size_t)n;
	}
	/* messages fully sent leave the queue */
	for (k = 0; k < x->nq && x->qend[k] <= x->qoff; k++) {
		x->st.sent += x->qrec[k];
		x->st.messages++;
	}
	if (k > 0) {
		memmove(x->qrec, x->qrec + k, (x->nq - k) * sizeof *x->qrec);
		memmove(x->qend, x->qend + k, (x->nq - k) * sizeof *x->qend);
		x->nq -= k;
	}
	if (x->qoff == x->qlen) {
		x->qoff = x->qlen = 0;
		x->nq = 0;
	} else if (x->qoff > IPFIX_QUEUE_MAX / 2) {
		memmove(x->q, x->q + x->qoff, x->qlen - x->qoff);
		for (k = 0; k < x->nq; k++)
			x->qend[k] -= x->qoff;
		x->qlen -= x->qoff;
		x->qoff = 0;
	}
}

/* Hand one finished message (len bytes at x->msg, nrec records) to the
 * transport. */
static void
ipfix_deliver(struct ipfix *x, size_t len, uint64_t nrec, int tmpl)
{
	ssize_t n;

	switch (x->tr) {
	case IPFIX_FILE:
		if (x->error == 0 && fwrite(x->msg, 1, len, x->fp) != len)
			x->error = errno != 0 ? errno : EIO;
		if (x->error != 0) {
			x->st.dropped += nrec;
			return;
		}
		x->st.sent += nrec;
		x->st.messages++;
		return;
	case IPFIX_UDP:
		do
			n = send(x->fd, x->msg, len, MSG_DONTWAIT);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)len) {
			/* EAGAIN, ENOBUFS: the send buffer is full;
			 * ECONNREFUSED: nobody listens there */
			ipfix_set_error(x, "send", n < 0 ? errno : EMSGSIZE);
			x->st.dropped += nrec;
			if (tmpl)
				x->need_templates = 1;
			return;
		}
		x->st.sent += nrec;
		x->st.messages++;
		return;
	case IPFIX_TCP:
		if (!x->connected || x->qlen - x->qoff + len >
		    IPFIX_QUEUE_MAX) {
			x->st.dropped += nrec;
			if (x->connected)
				ipfix_set_error(x, "send", ENOBUFS);
			return;
		}
		if (x->q == NULL)
			x->q = xmalloc(IPFIX_QUEUE_MAX);
		if (x->qlen + len > IPFIX_QUEUE_MAX) {
			memmove(x->q, x->q + x->qoff, x->qlen - x->qoff);
			for (size_t k = 0; k < x->nq; k++)
				x->qend[k] -= x->qoff;
			x->qlen -= x->qoff;
			x->qoff = 0;
		}
		if (x->nq == x->capq) {
			x->capq = x->capq != 0 ? x->capq * 2 : 64;
			x->qrec = xreallocarray(x->qrec, x->capq,
			    sizeof *x->qrec);
			x->qend = xreallocarray(x->qend, x->capq,
			    sizeof *x->qend);
		}
		memcpy(x->q + x->qlen, x->msg, len);
		x->qlen += len;
		x->qrec[x->nq] = nrec;
		x->qend[x->nq++] = x->qlen;
		ipfix_tcp_flush(x);
		return;
	}
}

/* Finish the message being built and send it. */
static void
ipfix_emit(struct ipfix *x)
{
	GError *err = NULL;
	uint64_t now;

	if (!x->open)
		return;
	if (!fBufEmit(x->fbuf, &err)) {
		/* the buffer exporter cannot fail; a message lost here
		 * still counts */
		ipfix_set_error(x, "encode", EIO);
		log_warn("IPFIX: %s", err != NULL ? err->message : "emit");
		g_clear_error(&err);
		x->st.dropped += x->nrec;
	} else
		ipfix_deliver(x, fbExporterGetMsgLen(x->exp), x->nrec,
		    x->tmpl_in_msg);
	x->open = 0;
	x->nrec = 0;
	x->tmpl_in_msg = 0;
	/* UDP: templates again when the refresh is due */
	if (x->tr == IPFIX_UDP) {
		x->msgs_since++;
		now = proc_mono_ms();
		if ((x->cfg.refresh_msgs != 0 &&
		    x->msgs_since >= x->cfg.refresh_msgs) ||
		    (x->cfg.refresh_s != 0 &&
		    now - x->tmpl_ms >= (uint64_t)x->cfg.refresh_s * 1000))
			x->need_templates = 1;
	}
}

/* Send the templates: libfixbuf puts them in a message of their own
 * (in manual mode it first answers FB_ERROR_EOM to close the message
 * being built, then takes them). */
static int
ipfix_put_templates(struct ipfix *x)
{
	GError *err = NULL;
	int i;

	for (i = 0; i < 2; i++) {
		if (fbSessionExportTemplates(fBufGetSession(x->fbuf), &err))
			break;
		if (i == 0 && g_error_matches(err, FB_ERROR_DOMAIN,
		    FB_ERROR_EOM)) {
			g_clear_error(&err);
			ipfix_emit(x);
			continue;
		}
		ipfix_set_error(x, "templates", EIO);
		log_warn("IPFIX: templates: %s", err->message);
		g_clear_error(&err);
		return -1;
	}
	if (!x->open)
		x->msg_start_ms = proc_mono_ms();
	x->open = 1;
	x->tmpl_in_msg = 1;
	x->need_templates = 0;
	x->tmpl_ms = proc_mono_ms();
	x->msgs_since = 0;
	x->st.templates++;
	return 0;
}

/* Select the templates of an IP version. */
static int
ipfix_select(struct ipfix *x, int ver)
{
	GError *err = NULL;

	if (x->cur_ver == ver)
		return 0;
	if (!fBufSetInternalTemplate(x->fbuf, ver == 4 ? IPFIX_ITID4 :
	    IPFIX_ITID6, &err) || !fBufSetExportTemplate(x->fbuf,
	    ver == 4 ? IPFIX_TID4 : IPFIX_TID6, &err)) {
		log_warn("IPFIX: %s", err->message);
		g_clear_error(&err);
		return -1;
	}
	x->cur_ver = ver;
	return 0;
}

/* Append one record, sending messages as they fill. */
static void
ipfix_append(struct ipfix *x, int ver, void *rec, size_t len,
    uint64_t now_s)
{
	GError *err = NULL;
	int i;

	for (i = 0; i < 3; i++) {
		/* a file's messages carry the packet clock: the same
		 * capture, the same file */
		if (!x->open && x->tr == IPFIX_FILE)
			fBufSetExportTime(x->fbuf, (uint32_t)now_s);
		if (x->need_templates && ipfix_put_templates(x) != 0)
			break;
		if (ipfix_select(x, ver) != 0)
			break;
		if (fBufAppend(x->fbuf, rec, len, &err)) {
			if (!x->open)
				x->msg_start_ms = proc_mono_ms();
			x->open = 1;
			x->nrec++;
			return;
		}
		if (!g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM)) {
			log_warn("IPFIX: %s", err->message);
			g_clear_error(&err);
			break;
		}
		g_clear_error(&err);
		ipfix_emit(x);
	}
	ipfix_set_error(x, "encode", EINVAL);
	x->st.dropped++;
}

/* The flags of direction d as the history letters record them: Zeek's
 * S (SYN), H (SYN-ACK), A (ACK), D (data, past the handshake: ACK),
 * F (FIN), R (RST), I (FIN and RST), Q (SYN with FIN or RST); upper
 * case for the originator. */
static uint16_t
ipfix_tcp_flags(const struct flow *f, int d)
{
	uint16_t fl = 0;
	const char *h;
	char c;

	for (h = f->history; *h != '\0'; h++) {
		c = *h;
		if ((c >= 'A' && c <= 'Z') != (d == 0))
			continue;
		switch (c | 0x20) {
		case 's': fl |= PKT_TCP_SYN; break;
		case 'h': fl |= PKT_TCP_SYN | PKT_TCP_ACK; break;
		case 'a': case 'd': fl |= PKT_TCP_ACK; break;
		case 'f': fl |= PKT_TCP_FIN; break;
		case 'r': fl |= PKT_TCP_RST; break;
		case 'i': fl |= PKT_TCP_FIN | PKT_TCP_RST; break;
		case 'q': fl |= PKT_TCP_SYN; break;
		default: break;
		}
	}
	return fl;
}

/* RFC 7012 flowEndReason of an engine's end. */
static uint8_t
ipfix_reason(enum flow_end_reason why)
{
	switch (why) {
	case FLOW_END_IDLE: return 1;		/* idle timeout */
	case FLOW_END_ACTIVE: return 2;		/* active timeout */
	case FLOW_END_CLOSED:
	case FLOW_END_REUSED: return 3;		/* end of flow detected */
	case FLOW_END_FLUSH: return 4;		/* forced end */
	case FLOW_END_EVICTED: return 5;	/* lack of resources */
	}
	return 0;
}

/* 1 for an ICMP type without an answer (its code is in the key). */
static int
ipfix_one_way(uint8_t proto, uint16_t type)
{
	if (proto == 1)
		return !(type == 0 || type == 8 || (type >= 9 && type <= 10) ||
		    (type >= 13 && type <= 18));
	return !((type >= 128 && type <= 131) || (type >= 133 &&
	    type <= 136) || type == 139 || type == 140 || type == 144 ||
	    type == 145);
}

/* The fields both versions share; the flow's ends into o and rp. */
static void
ipfix_fill(struct ipfix_head *h, const struct ipfix *x, const struct flow *f,
    enum flow_end_reason why, struct flow_ep *o, struct flow_ep *rp)
{
	int icmp = f->key.proto == 1 || f->key.proto == 58;
	uint16_t vlan, other;

	flow_endpoints(f, o, rp);
	h->start_ms = f->first_ns / 1000000;
	h->end_ms = f->last_ns / 1000000;
	h->octets = f->dir[0].ip_bytes;
	h->packets = f->dir[0].pkts;
	h->r_octets = f->dir[1].ip_bytes;
	h->r_packets = f->dir[1].pkts;
	h->ingress = x->ifindex[f->source & 0xff];
	h->sport = icmp ? 0 : o->port;
	h->dport = icmp ? 0 : rp->port;
	/* Zeek's ports of ICMP: type, and the counterpart type or the code;
	 * a request/reply pair's code is taken as 0 */
	h->icmp = icmp ? (uint16_t)(o->port << 8 | (rp->port < 256 &&
	    ipfix_one_way(f->key.proto, o->port) ? rp->port : 0)) : 0;
	h->flags = f->key.proto == 6 ? ipfix_tcp_flags(f, 0) : 0;
	h->r_flags = f->key.proto == 6 ? ipfix_tcp_flags(f, 1) : 0;
	h->vlan = f->vlan[0];
	h->r_vlan = f->vlan[1];
	flow_vlans(f, &vlan, &h->ivlan, &other);
	h->proto = f->key.proto;
	h->reason = ipfix_reason(why);
	h->bidir = 1;		/* initiator: the source began it */
	h->pad = 0;
}

/* Hand one flow record on. */
void
ipfix_flow(struct ipfix *x, const struct flow *f, enum flow_end_reason why)
{
	struct flow_ep o, rp;
	uint32_t a;

	x->st.records++;
	if (x->tr == IPFIX_TCP && !x->connected) {
		uint64_t now = proc_mono_ms();

		if (x->fd < 0 && now >= x->retry_ms &&
		    ipfix_tcp_connect(x) != 0)
			x->retry_ms = now + IPFIX_RETRY_MS;
		if (!ipfix_tcp_ready(x, 0)) {
			x->st.dropped++;
			return;
		}
	}
	if (f->key.ip_ver == 4) {
		struct ipfix_rec4 r;

		ipfix_fill(&r.h, x, f, why, &o, &rp);
		memcpy(&a, o.addr, 4);
		r.src = ntohl(a);
		memcpy(&a, rp.addr, 4);
		r.dst = ntohl(a);
		ipfix_append(x, 4, &r, sizeof r, f->last_ns / 1000000000);
	} else {
		struct ipfix_rec6 r;

		ipfix_fill(&r.h, x, f, why, &o, &rp);
		memcpy(r.src, o.addr, 16);
		memcpy(r.dst, rp.addr, 16);
		ipfix_append(x, 6, &r, sizeof r, f->last_ns / 1000000000);
	}
}

/* Idle work. */
void
ipfix_tick(struct ipfix *x)
{
	uint64_t now;

	if (x == NULL)
		return;
	now = proc_mono_ms();
	if (x->tr == IPFIX_TCP) {
		if (!x->connected) {
			if (x->fd < 0 && now >= x->retry_ms &&
			    ipfix_tcp_connect(x) != 0)
				x->retry_ms = now + IPFIX_RETRY_MS;
			ipfix_tcp_ready(x, 0);
		}
		ipfix_tcp_flush(x);
	}
	if (x->open && x->tr != IPFIX_FILE &&
	    now - x->msg_start_ms >= IPFIX_IDLE_MS)
		ipfix_emit(x);
	if (x->tr == IPFIX_UDP && x->cfg.refresh_s != 0 &&
	    now - x->tmpl_ms >= (uint64_t)x->cfg.refresh_s * 1000)
		x->need_templates = 1;
}

/* The last message; TCP: drain the queue. */
int
ipfix_finish(struct ipfix *x, int timeout_ms)
{
	struct pollfd pfd;
	uint64_t end;
	size_t i;

	if (x == NULL)
		return 0;
	ipfix_emit(x);
	if (x->tr == IPFIX_TCP) {
		end = proc_mono_ms() + (uint64_t)timeout_ms;
		while (x->connected && x->qoff < x->qlen &&
		    proc_mono_ms() < end) {
			pfd.fd = x->fd;
			pfd.events = POLLOUT;
			pfd.revents = 0;
			poll(&pfd, 1, 100);
			ipfix_tcp_flush(x);
		}
		for (i = 0; i < x->nq; i++)
			x->st.dropped += x->qrec[i];
		x->nq = 0;
		x->qlen = x->qoff = 0;
	}
	if (x->tr == IPFIX_FILE) {
		if (x->error == 0 && fflush(x->fp) != 0)
			x->error = errno != 0 ? errno : EIO;
		if (x->error != 0) {
			errno = x->error;
			return -1;
		}
	}
	return 0;
}

void
ipfix_free(struct ipfix *x)
{
	if (x == NULL)
		return;
	fBufFree(x->fbuf);
	fbInfoModelFree(x->model);
	if (x->fd >= 0)
		close(x->fd);
	free(x->msg);
	free(x->q);
	free(x->qrec);
	free(x->qend);
	free(x);
}

void
ipfix_get_stats(const struct ipfix *x, struct ipfix_stats *st)
{
	*st = x->st;
}

const char *
ipfix_name(const struct ipfix *x)
{
	return x->name;
}

/* Open an exporter to a collector. */
struct ipfix *
ipfix_open_net(const char *target, const struct ipfix_cfg *cfg,
    char **cause)
{
	struct addrinfo hints, *ai = NULL;
	enum ipfix_transport tr;
	struct ipfix *x;
	char *host = NULL, pbuf[8];
	uint16_t port;
	int rc, sz;

	if (ipfix_parse_target(target, &tr, &host, &port, cause) != 0)
		return NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = tr == IPFIX_TCP ? SOCK_STREAM : SOCK_DGRAM;
	snprintf(pbuf, sizeof pbuf, "%u", (unsigned)port);
	if ((rc = getaddrinfo(host, pbuf, &hints, &ai)) != 0 || ai == NULL) {
		xasprintf(cause, "IPFIX collector %s: %s", host,
		    gai_strerror(rc));
		free(host);
		return NULL;
	}
	if ((x = ipfix_create(tr, cfg, cause)) == NULL) {
		freeaddrinfo(ai);
		free(host);
		return NULL;
	}
	memcpy(&x->addr, ai->ai_addr, ai->ai_addrlen);
	x->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	snprintf(x->name, sizeof x->name, "%s %s%s%s:%u",
	    tr == IPFIX_TCP ? "tcp" : "udp", strchr(host, ':') ? "[" : "",
	    host, strchr(host, ':') ? "]" : "", (unsigned)port);
	free(host);
	if (tr == IPFIX_UDP) {
		x->fd = socket(x->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC,
		    0);
		if (x->fd == -1 || connect(x->fd, (struct sockaddr *)&x->addr,
		    x->addrlen) != 0) {
			xasprintf(cause, "IPFIX collector %s: %s", x->name,
			    strerror(errno));
			ipfix_free(x);
			return NULL;
		}
		/* room for bursts (a flush at the end of a capture) */
		sz = 4 << 20;
		setsockopt(x->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
		x->connected = 1;
		return x;
	}
	x->st.connected = 0;
	if (ipfix_tcp_connect(x) != 0 || !ipfix_tcp_ready(x, 2000)) {
		log_warn("IPFIX: %s: not connected (%s); calling again every "
		    "%d s, records counted as dropped meanwhile", x->name,
		    x->st.last_error[0] != '\0' ? x->st.last_error :
		    "no answer", IPFIX_RETRY_MS / 1000);
		x->retry_ms = proc_mono_ms() + IPFIX_RETRY_MS;
	}
	return x;
}

/* Open an exporter into a stream. */
struct ipfix *
ipfix_open_file(FILE *fp, const struct ipfix_cfg *cfg, char **cause)
{
	struct ipfix *x;

	if ((x = ipfix_create(IPFIX_FILE, cfg, cause)) == NULL)
		return NULL;
	x->fp = fp;
	x->connected = 1;
	snprintf(x->name, sizeof x->name, "file");
	return x;
}

static void
ipfix_sink_flow(void *arg, const struct flow *f, enum flow_end_reason why)
{
	ipfix_flow(arg, f, why);
}

/* An engine sink for x. */
struct engine_sink
ipfix_sink(struct ipfix *x)
{
	struct engine_sink s;

	memset(&s, 0, sizeof s);
	s.name = "ipfix";
	s.arg = x;
	/* a file is the same for the same capture: flushed flows in the
	 * engine's fixed order */
	s.flags = x->tr == IPFIX_FILE ? 0 : ENGINE_SINK_UNORDERED;
	s.flow = ipfix_sink_flow;
	return s;
}
