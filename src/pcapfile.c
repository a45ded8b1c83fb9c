/*
 * pcapfile.c: wiretop's own reader for pcap and pcapng capture files.
 *
 * Owned by the capture thread of one file source (one reader, one
 * thread; no locks).  A regular file replayed at a pace is memory-mapped
 * and packets are handed out as pointers into the map (its pages are read
 * when their packets are due); one read as fast as possible
 * (PCAPFILE_BUFFERED: export, import, report), stdin and pipes are read
 * into a growing buffer that always holds at least the current record
 * whole.  A regular file is read as it was when opened: its size then is
 * where it ends, and one that ends sooner shrank while it was read (the
 * map faults there, the buffer sees the end early; both say so).
 *
 * Invariants: pos <= len; every byte read from a record lies in
 * [base + pos, base + len) and is checked against len before it is read
 * (bounds as n <= len - pos, never pointer arithmetic past the end).  A
 * returned packet's data stays valid until the next pcapfile_next(),
 * which may move the stream buffer.  Timestamps are converted to ns since
 * the epoch, saturating instead of wrapping on absurd resolutions.
 *
 * Formats: classic pcap (tcpdump.org/manpages/pcap-savefile.5, magic
 * a1b2c3d4 for us and a1b23c4d for ns, either byte order, and the
 * "modified" a1b2cd34 variant with 24-byte record headers) and pcapng
 * (draft-ietf-opsawg-pcapng): sections in either byte order, interfaces
 * with if_tsresol and if_tsoffset, EPB, SPB and the obsolete PB; other
 * blocks are skipped and counted.
 */
#include "config.h"
#include "pcapfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmalloc.h"

#define PCAPFILE_MAX_CAPLEN	(256u << 20)	/* beyond this: corrupt */
#define PCAPFILE_MAX_BLOCK	(PCAPFILE_MAX_CAPLEN + (1u << 20))
#define PCAPFILE_MAX_IFS	65536u		/* interfaces per section */
#define PCAPFILE_RESYNC_SPAN	(1u << 20)	/* bytes scanned for a block */
#define PCAPFILE_BUF_INIT	(256u << 10)	/* read buffer (streams and
						   buffered files): a
						   core's L2 holds it */
#define PCAPFILE_READ_MIN	(64u << 10)
#define PCAPFILE_POLL_MS	100	/* stream: re-check cancel this often */

#define PCAP_MAGIC_US		0xa1b2c3d4u
#define PCAP_MAGIC_NS		0xa1b23c4du
#define PCAP_MAGIC_MOD		0xa1b2cd34u	/* Kuznetzov's patched libpcap */
#define PCAP_LINKTYPE_MASK	0x03ffffffu	/* upper bits: FCS length */

#define PCAPNG_SHB		0x0a0d0d0au
#define PCAPNG_IDB		0x00000001u
#define PCAPNG_PB		0x00000002u	/* obsolete packet block */
#define PCAPNG_SPB		0x00000003u
#define PCAPNG_NRB		0x00000004u
#define PCAPNG_ISB		0x00000005u
#define PCAPNG_EPB		0x00000006u
#define PCAPNG_BOM		0x1a2b3c4du	/* byte-order magic */

#define PCAPNG_OPT_END		0
#define PCAPNG_OPT_TSRESOL	9
#define PCAPNG_OPT_TSOFFSET	14

#define NS_PER_SEC		1000000000ull

/* How an interface's raw timestamp units become ns. */
enum pcapfile_tsmode {
	PCAPFILE_TS_MUL,	/* ns = ts * factor (saturating) */
	PCAPFILE_TS_DIV,	/* ns = ts / factor */
	PCAPFILE_TS_SHIFT,	/* ns = ts * 1e9 / 2^shift */
};

#define PCAPFILE_RELEASE_CHUNK	(8u << 20)	/* bytes (pcapfile_next) */
#define PCAPFILE_PAGE		4096u	/* a multiple of it is safe */

struct pcapfile_iface {
	uint32_t linktype;
	uint32_t snaplen;
	enum pcapfile_tsmode tsmode;
	uint64_t tsfactor;
	unsigned tsshift;
	int64_t tsoffset;	/* seconds added to every timestamp */
};

struct pcapfile {
	char *path;		/* for messages; owned */
	int fd;
	int own_fd;		/* close fd at the end (not stdin) */
	int mapped;		/* base is an mmap of the whole file */
	int regular;		/* buffered: a regular file, of size0 bytes
				   when it was opened */
	uint64_t size0;
	int shrunk;		/* buffered: it ended before size0 */
	int borrowed;		/* base is the caller's memory */
	const uint8_t *base;	/* map, or buf */
	size_t len;		/* valid bytes at base */
	size_t pos;		/* offset of the next record in base */
	size_t released;	/* map: bytes before this were given back */
	uint64_t off_base;	/* file offset of base[0] */
	uint8_t *buf;		/* read buffer; owned */
	size_t bufsize;
	int eof;		/* read(): returned 0 or failed */
	int rderr;		/* errno of a failed read(), else 0 */
	int started;		/* the file header has been read */
	char *start_err;	/* stream: why the header was bad; owned */
	int interrupted;	/* stream: cancel said stop while waiting */
	int (*cancel)(void *);	/* stream: nonzero = stop waiting */
	void *cancel_arg;

	int format;		/* PCAPFILE_FMT_* */
	int swap;		/* current section/file is not host order */

	/* classic pcap */
	uint32_t linktype;
	uint32_t snaplen;
	unsigned hdrlen;	/* record header bytes: 16 or 24 */
	uint32_t tsmul;		/* 1000 (us) or 1 (ns) */
	int lenswap;		/* 1: caplen and len swapped (< 2.3, 543.0);
				   2: swapped if caplen > len (2.3) */

	/* pcapng: interfaces of the current section */
	struct pcapfile_iface *ifs;	/* owned */
	unsigned nifs;
	unsigned ifcap;
	int have_first;		/* first_linktype is known */
	uint32_t first_linktype;

	struct pcapfile_stats st;
};

static inline uint32_t
pcapfile_bswap32(uint32_t v)
{
	return ((v & 0xffu) << 24) | ((v & 0xff00u) << 8) |
	    ((v >> 8) & 0xff00u) | (v >> 24);
}

static inline uint32_t
pcapfile_rd32(const uint8_t *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return swap ? pcapfile_bswap32(v) : v;
}

static inline uint16_t
pcapfile_rd16(const uint8_t *p, int swap)
{
	uint16_t v;

	memcpy(&v, p, sizeof v);
	return swap ? (uint16_t)((v >> 8) | (v << 8)) : v;
}

static inline uint64_t
pcapfile_rd64(const uint8_t *p, int swap)
{
	uint64_t hi, lo;
	uint64_t v;

	memcpy(&v, p, sizeof v);
	if (!swap)
		return v;
	lo = pcapfile_bswap32((uint32_t)v);
	hi = pcapfile_bswap32((uint32_t)(v >> 32));
	return (lo << 32) | hi;
}

static const char *
pcapfile_display(const char *path)
{
	return strcmp(path, "-") == 0 ? "stdin" : path;
}

/* Stream mode: wait until the input is readable, or the cancel
 * callback says stop (then the input ends here, not truncated).  A pipe
 * or FIFO can stay silent for ever; read() would not see a stop. */
static int
pcapfile_wait(struct pcapfile *pf)
{
	struct pollfd pfd;
	int r;

	for (;;) {
		if (pf->cancel(pf->cancel_arg)) {
			pf->interrupted = 1;
			pf->eof = 1;
			return 0;
		}
		pfd.fd = pf->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, PCAPFILE_POLL_MS);
		if (r > 0 || (r < 0 && errno != EINTR))
			return 1;	/* read() says what it is */
	}
}

/* A stream or a buffered file: make n bytes from pos available, reading
 * more input. */
static int
pcapfile_read_more(struct pcapfile *pf, size_t n)
{
	size_t want;
	ssize_t r;

	if (pf->pos > 0) {
		memmove(pf->buf, pf->buf + pf->pos, pf->len - pf->pos);
		pf->off_base += pf->pos;
		pf->len -= pf->pos;
		pf->pos = 0;
	}
	if (n > pf->bufsize) {
		want = pf->bufsize;
		while (want < n)
			want *= 2;
		pf->buf = xreallocarray(pf->buf, 1, want);
		pf->bufsize = want;
	}
	pf->base = pf->buf;
	while (pf->len < n) {
		/* (a regular file is always readable) */
		if (pf->cancel != NULL && !pf->regular && !pcapfile_wait(pf))
			return 0;
		want = pf->bufsize - pf->len;
		/* a regular file as it was when opened */
		if (pf->regular && want > pf->size0 - (pf->off_base + pf->len))
			want = (size_t)(pf->size0 - (pf->off_base + pf->len));
		r = want > 0 ? read(pf->fd, pf->buf + pf->len, want) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			pf->rderr = errno;
		if (r <= 0) {
			pf->eof = 1;
			if (r == 0 && pf->regular &&
			    pf->off_base + pf->len < pf->size0)
				pf->shrunk = 1;
			return 0;
		}
		pf->len += (size_t)r;
	}
	return 1;
}

/* Return 1 if n bytes starting at pos are available. */
static inline int
pcapfile_fill(struct pcapfile *pf, size_t n)
{
	if (n <= pf->len - pf->pos)
		return 1;
	if (pf->mapped || pf->borrowed || pf->eof)
		return 0;
	return pcapfile_read_more(pf, n);
}

/* Bytes available from pos without reading more. */
static inline size_t
pcapfile_left(const struct pcapfile *pf)
{
	return pf->len - pf->pos;
}

/* End of input: 0, with truncated set if a partial record is left. */
static int
pcapfile_end(struct pcapfile *pf, char **cause)
{
	if (pf->shrunk) {
		/* as a mapped file's reader says it (capture.c) */
		xasprintf(cause, "%s: truncated while being read at offset "
		    "%llu", pcapfile_display(pf->path),
		    (unsigned long long)(pf->off_base + pf->pos));
		return -1;
	}
	if (pf->rderr != 0) {
		xasprintf(cause, "%s: read error: %s",
		    pcapfile_display(pf->path), strerror(pf->rderr));
		return -1;
	}
	if (pcapfile_left(pf) != 0 && !pf->interrupted)
		pf->st.truncated = 1;
	return 0;
}

/* Saturating a * b for the timestamp conversions. */
static inline uint64_t
pcapfile_mul_sat(uint64_t a, uint64_t b)
{
	if (b != 0 && a > UINT64_MAX / b)
		return UINT64_MAX;
	return a * b;
}

static inline uint64_t
pcapfile_add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Convert an interface's raw timestamp to ns since the epoch. */
static inline uint64_t
pcapfile_ts_ns(const struct pcapfile_iface *ifc, uint64_t ts)
{
	uint64_t ns, sec, frac, off;
	unsigned sh;

	switch (ifc->tsmode) {
	case PCAPFILE_TS_MUL:
		ns = pcapfile_mul_sat(ts, ifc->tsfactor);
		break;
	case PCAPFILE_TS_DIV:
		ns = ts / ifc->tsfactor;
		break;
	default:
		sh = ifc->tsshift;
		if (sh >= 64) {
			sec = 0;
			frac = ts;
		} else {
			sec = ts >> sh;
			frac = ts & ((UINT64_C(1) << sh) - 1);
		}
		/* keep frac below 2^30 so frac * 1e9 fits 64 bits */
		if (sh > 30) {
			frac = sh - 30 >= 64 ? 0 : frac >> (sh - 30);
			sh = 30;
		}
		ns = pcapfile_add_sat(pcapfile_mul_sat(sec, NS_PER_SEC),
		    (frac * NS_PER_SEC) >> sh);
		break;
	}
	if (ifc->tsoffset != 0) {
		if (ifc->tsoffset > 0) {
			off = pcapfile_mul_sat((uint64_t)ifc->tsoffset,
			    NS_PER_SEC);
			ns = pcapfile_add_sat(ns, off);
		} else {
			off = pcapfile_mul_sat((uint64_t)-(ifc->tsoffset + 1) +
			    1, NS_PER_SEC);
			ns = ns > off ? ns - off : 0;
		}
	}
	return ns;
}

/* Set an interface's timestamp conversion from if_tsresol. */
static void
pcapfile_set_tsresol(struct pcapfile_iface *ifc, uint8_t resol)
{
	unsigned v = resol & 0x7f, i;
	uint64_t f = 1;

	if (resol & 0x80) {
		ifc->tsmode = PCAPFILE_TS_SHIFT;
		ifc->tsshift = v;
		return;
	}
	if (v <= 9) {
		for (i = v; i < 9; i++)
			f *= 10;
		ifc->tsmode = PCAPFILE_TS_MUL;
		ifc->tsfactor = f;
		return;
	}
	if (v - 9 > 19) {
		/* 10^20 does not fit: every timestamp is below 1 ns */
		ifc->tsmode = PCAPFILE_TS_MUL;
		ifc->tsfactor = 0;
		return;
	}
	for (i = 9; i < v; i++)
		f *= 10;
	ifc->tsmode = PCAPFILE_TS_DIV;
	ifc->tsfactor = f;
}

/* ---- classic pcap ---------------------------------------------------- */

static int
pcapfile_open_pcap(struct pcapfile *pf, uint32_t magic, char **cause)
{
	const uint8_t *h;
	uint16_t major, minor;

	if (magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS ||
	    magic == PCAP_MAGIC_MOD)
		pf->swap = 0;
	else
		pf->swap = 1;
	magic = pcapfile_rd32(pf->base, pf->swap);
	if (!pcapfile_fill(pf, 24)) {
		xasprintf(cause, "%s: truncated pcap file header",
		    pcapfile_display(pf->path));
		return -1;
	}
	h = pf->base + pf->pos;
	major = pcapfile_rd16(h + 4, pf->swap);
	minor = pcapfile_rd16(h + 6, pf->swap);
	if (major != 2 && !(major == 543 && minor == 0)) {
		xasprintf(cause, "%s: pcap version %u.x not supported",
		    pcapfile_display(pf->path), major);
		return -1;
	}
	if (major == 2 && minor > 4) {
		xasprintf(cause, "%s: pcap version %u.%u not supported",
		    pcapfile_display(pf->path), major, minor);
		return -1;
	}
	/* as libpcap: old writers swapped caplen and len */
	if (major == 543 || minor < 3)
		pf->lenswap = 1;
	else if (minor == 3)
		pf->lenswap = 2;
	pf->snaplen = pcapfile_rd32(h + 16, pf->swap);
	pf->linktype = pcapfile_rd32(h + 20, pf->swap) & PCAP_LINKTYPE_MASK;
	pf->hdrlen = magic == PCAP_MAGIC_MOD ? 24 : 16;
	pf->tsmul = magic == PCAP_MAGIC_NS ? 1 : 1000;
	pf->format = magic == PCAP_MAGIC_NS ? PCAPFILE_FMT_PCAP_NS :
	    PCAPFILE_FMT_PCAP;
	pf->pos += 24;
	return 0;
}

/*
 * Ask for the next record while this one is being decoded.  The map is
 * read once, front to back, from the page cache: every record is a cache
 * miss, and the hardware prefetcher stops at each page boundary.  Its
 * header and the first bytes the decoder reads share these lines.
 */
static inline void
pcapfile_prefetch(const struct pcapfile *pf)
{
	const uint8_t *p = pf->base + pf->pos;

	if (pf->len - pf->pos >= 192) {
		__builtin_prefetch(p);
		__builtin_prefetch(p + 64);
		__builtin_prefetch(p + 128);
	}
}

static int
pcapfile_next_pcap(struct pcapfile *pf, struct pcapfile_pkt *out,
    char **cause)
{
	const uint8_t *h;
	uint32_t sec, frac, caplen, wirelen, t;
	size_t hl = pf->hdrlen;

	if (!pcapfile_fill(pf, hl))
		return pcapfile_end(pf, cause);
	h = pf->base + pf->pos;
	sec = pcapfile_rd32(h, pf->swap);
	frac = pcapfile_rd32(h + 4, pf->swap);
	caplen = pcapfile_rd32(h + 8, pf->swap);
	wirelen = pcapfile_rd32(h + 12, pf->swap);
	if (pf->lenswap != 0 && (pf->lenswap == 1 || caplen > wirelen)) {
		t = caplen;
		caplen = wirelen;
		wirelen = t;
	}
	if (caplen > PCAPFILE_MAX_CAPLEN) {
		/* no way to find the next record: stop here */
		pf->st.bad_records++;
		xasprintf(cause, "%s: offset %llu: packet capture length %u "
		    "is not plausible (corrupt file)",
		    pcapfile_display(pf->path),
		    (unsigned long long)(pf->off_base + pf->pos), caplen);
		return -1;
	}
	if (!pcapfile_fill(pf, hl + caplen))
		return pcapfile_end(pf, cause);
	h = pf->base + pf->pos;
	out->data = h + hl;
	out->caplen = caplen;
	out->wirelen = wirelen;
	out->ts_ns = (uint64_t)sec * NS_PER_SEC + (uint64_t)frac * pf->tsmul;
	out->linktype = pf->linktype;
	out->ifindex = 0;
	out->snaplen = pf->snaplen;
	pf->pos += hl + caplen;
	pf->st.packets++;
	pf->st.bytes += wirelen;
	pcapfile_prefetch(pf);
	return 1;
}

/* ---- pcapng ---------------------------------------------------------- */

/* Does a block of this type exist in the spec (used to resynchronise)? */
static int
pcapng_known_type(uint32_t type)
{
	switch (type) {
	case PCAPNG_SHB:
	case PCAPNG_IDB:
	case PCAPNG_PB:
	case PCAPNG_SPB:
	case PCAPNG_NRB:
	case PCAPNG_ISB:
	case PCAPNG_EPB:
	case 0x00000007u:	/* IRIG timestamp */
	case 0x00000008u:	/* ARINC 429 */
	case 0x00000009u:	/* systemd journal export */
	case 0x0000000au:	/* decryption secrets */
	case 0x00000badu:	/* custom, may be copied */
	case 0x40000badu:	/* custom, do not copy */
		return 1;
	}
	return 0;
}

/*
 * Check the block at pos + off: a plausible length (>= 12, multiple of 4,
 * not absurd), all of it present, and a trailer equal to the leader.
 * Returns its length, 0 if it is not a valid block, or (size_t)-1 if the
 * input ended inside it.  *swapp gets the block's byte order (an SHB
 * carries its own).
 */
static size_t
pcapng_check_block(struct pcapfile *pf, size_t off, int *swapp)
{
	const uint8_t *p;
	uint32_t type, blen, bom;
	int swap = pf->swap;

	if (!pcapfile_fill(pf, off + 12))
		return (size_t)-1;
	p = pf->base + pf->pos + off;
	memcpy(&type, p, sizeof type);	/* SHB type reads alike both ways */
	if (type == PCAPNG_SHB) {
		memcpy(&bom, p + 8, sizeof bom);
		if (bom == PCAPNG_BOM)
			swap = 0;
		else if (bom == pcapfile_bswap32(PCAPNG_BOM))
			swap = 1;
		else
			return 0;
	}
	blen = pcapfile_rd32(p + 4, swap);
	if (blen < 12 || (blen & 3) != 0 || blen > PCAPFILE_MAX_BLOCK)
		return 0;
	if (!pcapfile_fill(pf, off + blen))
		return (size_t)-1;
	p = pf->base + pf->pos + off;
	if (pcapfile_rd32(p + blen - 4, swap) != blen)
		return 0;
	*swapp = swap;
	return blen;
}

/*
 * The block at pos is malformed: look for the next valid block of a known
 * type within PCAPFILE_RESYNC_SPAN bytes and continue there, or give up.
 * Returns 1 if resynchronised (or at a clean end of input), -1 if not.
 */
static int
pcapng_resync(struct pcapfile *pf, uint32_t blen, char **cause)
{
	const uint8_t *p;
	size_t off, r;
	uint32_t type;
	int swap;

	pf->st.bad_records++;
	for (off = 4; off <= PCAPFILE_RESYNC_SPAN; off += 4) {
		if (!pcapfile_fill(pf, off + 12)) {
			/* the input ends before another block could: the
			 * damage was the last thing in it */
			if (pf->rderr != 0)
				return pcapfile_end(pf, cause);
			pf->pos = pf->len;
			pf->st.truncated = 1;
			return 1;
		}
		p = pf->base + pf->pos + off;
		type = pcapfile_rd32(p, pf->swap);
		if (!pcapng_known_type(type) &&
		    !pcapng_known_type(pcapfile_bswap32(type)))
			continue;
		r = pcapng_check_block(pf, off, &swap);
		if (r == 0 || r == (size_t)-1)
			continue;
		pf->pos += off;
		return 1;
	}
	xasprintf(cause, "%s: offset %llu: corrupt pcapng block (length %u)",
	    pcapfile_display(pf->path),
	    (unsigned long long)(pf->off_base + pf->pos), blen);
	return -1;
}

/* Parse an IDB body (after type/length, before the trailer). */
static void
pcapng_read_idb(struct pcapfile *pf, const uint8_t *b, size_t n)
{
	struct pcapfile_iface *ifc;
	const uint8_t *o;
	size_t left, olen, padded;
	uint16_t code;

	pf->st.interfaces++;
	if (pf->nifs >= PCAPFILE_MAX_IFS) {
		pf->st.bad_records++;
		return;
	}
	if (pf->nifs == pf->ifcap) {
		pf->ifcap = pf->ifcap ? pf->ifcap * 2 : 4;
		pf->ifs = xreallocarray(pf->ifs, pf->ifcap, sizeof *pf->ifs);
	}
	ifc = &pf->ifs[pf->nifs++];
	memset(ifc, 0, sizeof *ifc);
	ifc->linktype = pcapfile_rd16(b, pf->swap);
	ifc->snaplen = pcapfile_rd32(b + 4, pf->swap);
	pcapfile_set_tsresol(ifc, 6);
	if (!pf->have_first) {
		pf->have_first = 1;
		pf->first_linktype = ifc->linktype;
	}

	/* options: code, length, value padded to 32 bits */
	o = b + 8;
	left = n - 8;
	while (left >= 4) {
		code = pcapfile_rd16(o, pf->swap);
		olen = pcapfile_rd16(o + 2, pf->swap);
		if (code == PCAPNG_OPT_END)
			break;
		padded = (olen + 3) & ~(size_t)3;
		if (padded > left - 4)
			break;		/* malformed options: keep defaults */
		if (code == PCAPNG_OPT_TSRESOL && olen >= 1)
			pcapfile_set_tsresol(ifc, o[4]);
		else if (code == PCAPNG_OPT_TSOFFSET && olen >= 8)
			ifc->tsoffset = (int64_t)pcapfile_rd64(o + 4,
			    pf->swap);
		o += 4 + padded;
		left -= 4 + padded;
	}
}

/*
 * Read blocks until a packet.  With prime set, stop without consuming at
 * the first packet block or after the first IDB (used by open so the
 * first link type is known).  Returns 1 (packet), 0 (end), -1 (error),
 * 2 (primed).
 */
static int
pcapng_next(struct pcapfile *pf, struct pcapfile_pkt *out, char **cause,
    int prime)
{
	const struct pcapfile_iface *ifc;
	const uint8_t *p;
	uint32_t type, blen, ifid, caplen, wirelen;
	uint64_t ts;
	size_t area, r;
	int swap;

	for (;;) {
		r = pcapng_check_block(pf, 0, &swap);
		if (r == (size_t)-1)
			return pcapfile_end(pf, cause);
		if (r == 0) {
			/* the length field, for the message only */
			if (pcapng_resync(pf, pcapfile_rd32(pf->base + pf->pos +
			    4, pf->swap), cause) < 0)
				return -1;
			continue;
		}
		blen = (uint32_t)r;
		p = pf->base + pf->pos;
		type = pcapfile_rd32(p, swap);
		if (prime && (type == PCAPNG_EPB || type == PCAPNG_SPB ||
		    type == PCAPNG_PB))
			return 2;

		switch (type) {
		case PCAPNG_EPB:
		case PCAPNG_PB:
			if (blen < 32)
				goto bad;
			if (type == PCAPNG_EPB)
				ifid = pcapfile_rd32(p + 8, swap);
			else
				ifid = pcapfile_rd16(p + 8, swap);
			if (ifid >= pf->nifs)
				goto bad;
			ifc = &pf->ifs[ifid];
			ts = (uint64_t)pcapfile_rd32(p + 12, swap) << 32 |
			    pcapfile_rd32(p + 16, swap);
			caplen = pcapfile_rd32(p + 20, swap);
			wirelen = pcapfile_rd32(p + 24, swap);
			if (caplen > blen - 32)
				goto bad;
			out->data = p + 28;
			break;
		case PCAPNG_SPB:
			if (blen < 16 || pf->nifs == 0)
				goto bad;
			ifid = 0;
			ifc = &pf->ifs[0];
			ts = 0;
			wirelen = pcapfile_rd32(p + 8, swap);
			caplen = wirelen;
			if (ifc->snaplen != 0 && caplen > ifc->snaplen)
				caplen = ifc->snaplen;
			area = blen - 16;
			if (caplen > area)
				caplen = (uint32_t)area;
			out->data = p + 12;
			break;
		case PCAPNG_SHB:
			if (blen < 28) {
				xasprintf(cause, "%s: offset %llu: corrupt "
				    "pcapng section header",
				    pcapfile_display(pf->path),
				    (unsigned long long)(pf->off_base +
				    pf->pos));
				return -1;
			}
			if (pcapfile_rd16(p + 12, swap) != 1) {
				xasprintf(cause, "%s: pcapng version %u.%u "
				    "not supported",
				    pcapfile_display(pf->path),
				    pcapfile_rd16(p + 12, swap),
				    pcapfile_rd16(p + 14, swap));
				return -1;
			}
			pf->swap = swap;
			pf->nifs = 0;
			pf->st.sections++;
			pf->pos += blen;
			continue;
		case PCAPNG_IDB:
			if (blen < 20)
				goto bad;
			pcapng_read_idb(pf, p + 8, blen - 12);
			pf->pos += blen;
			if (prime)
				return 2;
			continue;
		default:
			pf->st.blocks_skipped++;
			pf->pos += blen;
			continue;
		}

		out->caplen = caplen;
		out->wirelen = wirelen;
		out->ts_ns = pcapfile_ts_ns(ifc, ts);
		out->linktype = ifc->linktype;
		out->ifindex = ifid;
		out->snaplen = ifc->snaplen;
		pf->pos += blen;
		pf->st.packets++;
		pf->st.bytes += wirelen;
		return 1;
bad:
		pf->st.bad_records++;
		pf->pos += blen;
	}
}

/* ---- public ---------------------------------------------------------- */

/* Read the file header (and, for pcapng, up to the first interface). */
static int
pcapfile_start(struct pcapfile *pf, char **cause)
{
	const char *name = pcapfile_display(pf->path);
	uint32_t magic;

	if (!pcapfile_fill(pf, 4)) {
		if (pf->rderr != 0)
			xasprintf(cause, "%s: read error: %s", name,
			    strerror(pf->rderr));
		else if (pcapfile_left(pf) == 0)
			xasprintf(cause, "%s: empty file", name);
		else
			xasprintf(cause, "%s: not a pcap or pcapng file", name);
		return -1;
	}
	memcpy(&magic, pf->base, sizeof magic);
	switch (magic) {
	case PCAP_MAGIC_US:
	case PCAP_MAGIC_NS:
	case PCAP_MAGIC_MOD:
	case 0xd4c3b2a1u:
	case 0x4d3cb2a1u:
	case 0x34cdb2a1u:
		return pcapfile_open_pcap(pf, magic, cause);
	case PCAPNG_SHB:
		break;
	default:
		xasprintf(cause, "%s: not a pcap or pcapng file", name);
		return -1;
	}

	pf->format = PCAPFILE_FMT_PCAPNG;
	if (!pcapfile_fill(pf, 12)) {
		xasprintf(cause, "%s: truncated pcapng section header", name);
		return -1;
	}
	memcpy(&magic, pf->base + 8, sizeof magic);
	if (magic != PCAPNG_BOM && magic != pcapfile_bswap32(PCAPNG_BOM)) {
		xasprintf(cause, "%s: not a pcap or pcapng file (bad pcapng "
		    "byte-order magic)", name);
		return -1;
	}
	/* read the SHB and the blocks up to the first IDB or packet */
	if (pcapng_next(pf, NULL, cause, 1) < 0)
		return -1;
	if (pf->st.sections == 0) {
		xasprintf(cause, "%s: truncated or corrupt pcapng section "
		    "header", name);
		return -1;
	}
	return 0;
}

/* Open path ("-" for stdin) and read its header. */
struct pcapfile *
pcapfile_open(const char *path, char **cause)
{
	return pcapfile_open_flags(path, 0, cause);
}

struct pcapfile *
pcapfile_open_flags(const char *path, int flags, char **cause)
{
	struct pcapfile *pf;
	struct stat sb;
	void *map;
	int fl;

	pf = xcalloc(1, sizeof *pf);
	pf->path = xstrdup(path);
	pf->fd = -1;
	if (strcmp(path, "-") == 0)
		pf->fd = STDIN_FILENO;
	else {
		/* O_NONBLOCK: opening a FIFO that has no writer yet would
		 * block here, where no signal can end the wait; the reader
		 * thread polls for the writer instead (pcapfile_wait). */
		pf->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (pf->fd == -1) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			goto fail;
		}
		pf->own_fd = 1;
		if ((fl = fcntl(pf->fd, F_GETFL)) == -1 ||
		    fcntl(pf->fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			goto fail;
		}
	}
	if (fstat(pf->fd, &sb) == -1) {
		xasprintf(cause, "%s: %s", pcapfile_display(path),
		    strerror(errno));
		goto fail;
	}
	if (S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "%s: is a directory", path);
		goto fail;
	}
	/* Mapped only when it is replayed at a pace: read through once as
	 * fast as possible, a file costs its reader thread about a fifth
	 * less CPU read into a buffer the size of a core's L2 (no page
	 * faults, no unmapping with its TLB flushes on the other threads'
	 * CPUs, no cache misses on the records: read() brings them in),
	 * CPU the engine and the store share with it (doc/architecture.md,
	 * "Where the time and memory go"). */
	if (S_ISREG(sb.st_mode) && sb.st_size > 0 &&
	    !(flags & PCAPFILE_BUFFERED) &&
	    (uint64_t)sb.st_size <= SIZE_MAX) {
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE,
		    pf->fd, 0);
		if (map != MAP_FAILED) {
			madvise(map, (size_t)sb.st_size, MADV_SEQUENTIAL);
			pf->mapped = 1;
			pf->base = map;
			pf->len = (size_t)sb.st_size;
		}
	}
	if (!pf->mapped) {
		/* A stream's header is read by the first pcapfile_next (or
		 * pcapfile_linktype), in the thread that can be stopped
		 * while the writer is silent; a regular file's now. */
		pf->bufsize = PCAPFILE_BUF_INIT;
		pf->buf = xmalloc(pf->bufsize);
		pf->base = pf->buf;
		if (!S_ISREG(sb.st_mode))
			return pf;
		pf->regular = 1;
		pf->size0 = (uint64_t)sb.st_size;
		(void)posix_fadvise(pf->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	pf->started = 1;
	if (pcapfile_start(pf, cause) != 0)
		goto fail;
	return pf;

fail:
	pcapfile_close(pf);
	return NULL;
}

/* Read a capture held in memory (borrowed until pcapfile_close). */
struct pcapfile *
pcapfile_open_mem(const void *data, size_t len, const char *name,
    char **cause)
{
	struct pcapfile *pf;

	pf = xcalloc(1, sizeof *pf);
	pf->path = xstrdup(name != NULL ? name : "(memory)");
	pf->fd = -1;
	pf->borrowed = 1;
	pf->base = data;
	pf->len = data != NULL ? len : 0;
	pf->started = 1;
	if (pcapfile_start(pf, cause) != 0) {
		pcapfile_close(pf);
		return NULL;
	}
	return pf;
}

/* Let a stream's reads give up when cancel(arg) returns nonzero. */
void
pcapfile_set_cancel(struct pcapfile *pf, int (*cancel)(void *), void *arg)
{
	pf->cancel = cancel;
	pf->cancel_arg = arg;
}

/* 1 if the input is a stream whose header has not been read yet. */
int
pcapfile_pending(struct pcapfile *pf)
{
	return !pf->started;
}

/* 1 if the input ended because the cancel callback said stop. */
int
pcapfile_interrupted(struct pcapfile *pf)
{
	return pf->interrupted;
}

/* Read a stream's header (once); -1 if it is bad (start_err says why). */
static int
pcapfile_begin(struct pcapfile *pf)
{
	if (!pf->started) {
		pf->started = 1;
		if (pcapfile_start(pf, &pf->start_err) != 0 &&
		    pf->start_err == NULL)
			pf->start_err = xstrdup("cannot read the file header");
	}
	return pf->start_err != NULL ? -1 : 0;
}

/* Read the next packet (1), or report the end (0) or an error (-1). */
int
pcapfile_next(struct pcapfile *pf, struct pcapfile_pkt *out, char **cause)
{
	/* Give back the pages of records already handed out (their data is
	 * only valid until this call), so that reading a big file does not
	 * grow the resident set by the file's size: the pages stay in the
	 * page cache, only this process's mapping of them goes.  Every
	 * PCAPFILE_RELEASE_CHUNK, not every MiB: each call makes the kernel
	 * stop the CPUs the other threads run on to flush their TLBs, and
	 * wait for them (an interrupt each; in a VM, exits to the host).  At
	 * every MiB that was a fifth of this thread's kernel time on a 3 GB
	 * capture, and interrupted the engine 2 850 times. */
	if (pf->mapped && pf->pos - pf->released >= PCAPFILE_RELEASE_CHUNK) {
		size_t upto = pf->pos & ~(size_t)(PCAPFILE_PAGE - 1);

		madvise((void *)(uintptr_t)(pf->base + pf->released),
		    upto - pf->released, MADV_DONTNEED);
		pf->released = upto;
	}
	if (!pf->started && pcapfile_begin(pf) != 0) {
		if (pf->interrupted)
			return 0;
		*cause = xstrdup(pf->start_err);
		return -1;
	}
	if (pf->format == PCAPFILE_FMT_PCAPNG)
		return pcapng_next(pf, out, cause, 0);
	return pcapfile_next_pcap(pf, out, cause);
}

/* The mapped range of the input, if it is mapped. */
int
pcapfile_map(struct pcapfile *pf, const void **base, size_t *len)
{
	if (!pf->mapped)
		return 0;
	*base = pf->base;
	*len = pf->len;
	return 1;
}

/* File offset of the next record. */
uint64_t
pcapfile_offset(struct pcapfile *pf)
{
	return pf->off_base + pf->pos;
}

/* Link type of the file (pcap) or of its first interface (pcapng). */
uint32_t
pcapfile_linktype(struct pcapfile *pf)
{
	if (!pf->started && pcapfile_begin(pf) != 0)
		return 0;
	if (pf->format == PCAPFILE_FMT_PCAPNG)
		return pf->have_first ? pf->first_linktype : 0;
	return pf->linktype;
}

/* Copy the reader's counters. */
void
pcapfile_stats(struct pcapfile *pf, struct pcapfile_stats *st)
{
	*st = pf->st;
	st->format = pf->format;
}

/* Unmap or free the input and the reader. */
void
pcapfile_close(struct pcapfile *pf)
{
	if (pf == NULL)
		return;
	if (pf->mapped)
		munmap((void *)(uintptr_t)pf->base, pf->len);
	if (pf->own_fd && pf->fd >= 0)
		close(pf->fd);
	free(pf->buf);
	free(pf->start_err);
	free(pf->ifs);
	free(pf->path);
	free(pf);
}
