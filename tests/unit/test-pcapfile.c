/*
 * test-pcapfile.c: unit tests for the capture file reader (src/pcapfile.c)
 * and the capture sources (src/capture.c).
 *
 * Fixtures are byte images written here field by field, so every
 * expected value is computed from how the fixture was built: pcap in
 * both byte orders and both resolutions, pcapng with several sections of
 * different byte order, odd timestamp resolutions, every packet block
 * type, skipped and malformed blocks, and every truncation length.  Then
 * the public corpus ($WT_CORPUS): packet counts against the pcapng-suite
 * block counts and capinfos' INDEX.tsv (and libpcap itself where capinfos
 * could not read a file).  The capture tests run a file source through
 * its thread and ring (backpressure, filter, pacing, pause) and, as
 * root, a live capture on the loopback interface.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "pcapfile.h"
#include "pkt.h"
#include "ring.h"
#include "xmalloc.h"

/* ---- a byte-image builder ---------------------------------------------- */

#define MAXMARK 128

struct img {
	uint8_t *p;
	size_t n, cap;
	int be;			/* write multi-byte fields big-endian */
	size_t blk;		/* start of the open pcapng block */
	/* where records end: every record/block, and packets only */
	size_t bounds[MAXMARK];
	unsigned nbounds;
	size_t pkts[MAXMARK];
	unsigned npkts;
};

static void
img_put(struct img *im, const void *d, size_t n)
{
	if (im->n + n > im->cap) {
		im->cap = (im->n + n) * 2 + 64;
		im->p = xreallocarray(im->p, 1, im->cap);
	}
	memcpy(im->p + im->n, d, n);
	im->n += n;
}

static void
img_u8(struct img *im, uint8_t v)
{
	img_put(im, &v, 1);
}

/* An n-byte integer in the image's byte order. */
static void
img_uint(struct img *im, uint64_t v, int n)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < n; i++)
		b[im->be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
	img_put(im, b, (size_t)n);
}

static void
img_u16(struct img *im, uint16_t v)
{
	img_uint(im, v, 2);
}

static void
img_u32(struct img *im, uint32_t v)
{
	img_uint(im, v, 4);
}

static void
img_u64(struct img *im, uint64_t v)
{
	img_uint(im, v, 8);
}

static void
img_pad4(struct img *im)
{
	while (im->n % 4 != 0)
		img_u8(im, 0);
}

/* Marks are only kept for small images (the truncation tests). */
static void
img_bound(struct img *im)
{
	if (im->nbounds < MAXMARK)
		im->bounds[im->nbounds] = im->n;
	im->nbounds++;
}

static void
img_pkt(struct img *im)
{
	if (im->npkts < MAXMARK)
		im->pkts[im->npkts] = im->n;
	im->npkts++;
}

static void
img_free(struct img *im)
{
	free(im->p);
	memset(im, 0, sizeof *im);
}

/* classic pcap file header */
static void
pcap_hdr(struct img *im, uint32_t magic, uint16_t major, uint16_t minor,
    uint32_t snaplen, uint32_t linktype)
{
	img_u32(im, magic);
	img_u16(im, major);
	img_u16(im, minor);
	img_u32(im, 0);		/* thiszone */
	img_u32(im, 0);		/* sigfigs */
	img_u32(im, snaplen);
	img_u32(im, linktype);
	img_bound(im);
}

static void
pcap_rec(struct img *im, uint32_t sec, uint32_t frac, uint32_t caplen,
    uint32_t len, const void *data)
{
	img_u32(im, sec);
	img_u32(im, frac);
	img_u32(im, caplen);
	img_u32(im, len);
	img_put(im, data, caplen);
	img_bound(im);
	img_pkt(im);
}

/* pcapng block: begin writes type and a length placeholder */
static void
ng_begin(struct img *im, uint32_t type)
{
	im->blk = im->n;
	img_u32(im, type);
	img_u32(im, 0);
}

static void
ng_end(struct img *im, int is_packet)
{
	uint32_t len;
	size_t at;
	int i;

	img_pad4(im);
	len = (uint32_t)(im->n + 4 - im->blk);
	img_u32(im, len);
	at = im->blk + 4;
	for (i = 0; i < 4; i++)
		im->p[at + (size_t)(im->be ? 3 - i : i)] =
		    (uint8_t)(len >> (8 * i));
	img_bound(im);
	if (is_packet)
		img_pkt(im);
}

static void
ng_opt(struct img *im, uint16_t code, const void *v, uint16_t len)
{
	img_u16(im, code);
	img_u16(im, len);
	img_put(im, v, len);
	img_pad4(im);
}

static void
ng_opt_end(struct img *im)
{
	img_u32(im, 0);
}

static void
ng_shb(struct img *im, int be, uint16_t major)
{
	im->be = be;
	ng_begin(im, 0x0a0d0d0a);
	img_u32(im, 0x1a2b3c4d);
	img_u16(im, major);
	img_u16(im, 0);
	img_u64(im, UINT64_MAX);	/* section length unknown */
	ng_opt(im, 4, "wt", 2);		/* shb_userappl */
	ng_opt_end(im);
	ng_end(im, 0);
}

/* IDB; tsresol < 0: no option; tsoffset_set: add if_tsoffset */
static void
ng_idb(struct img *im, uint16_t linktype, uint32_t snaplen, int tsresol,
    int tsoffset_set, int64_t tsoffset)
{
	uint8_t r;
	uint8_t o[8];
	int i;

	ng_begin(im, 1);
	img_u16(im, linktype);
	img_u16(im, 0);
	img_u32(im, snaplen);
	if (tsresol >= 0) {
		r = (uint8_t)tsresol;
		ng_opt(im, 9, &r, 1);
	}
	if (tsoffset_set) {
		for (i = 0; i < 8; i++)
			o[im->be ? 7 - i : i] =
			    (uint8_t)((uint64_t)tsoffset >> (8 * i));
		ng_opt(im, 14, o, 8);
	}
	ng_opt_end(im);
	ng_end(im, 0);
}

static void
ng_epb(struct img *im, uint32_t ifid, uint64_t ts, uint32_t caplen,
    uint32_t len, const void *data, int good)
{
	uint32_t flags = 1;

	ng_begin(im, 6);
	img_u32(im, ifid);
	img_u32(im, (uint32_t)(ts >> 32));
	img_u32(im, (uint32_t)ts);
	img_u32(im, caplen);
	img_u32(im, len);
	img_put(im, data, caplen);
	img_pad4(im);
	ng_opt(im, 2, &flags, 4);	/* epb_flags */
	ng_opt_end(im);
	ng_end(im, good);
}

static void
ng_spb(struct img *im, uint32_t len, const void *data, uint32_t stored)
{
	ng_begin(im, 3);
	img_u32(im, len);
	img_put(im, data, stored);
	ng_end(im, 1);
}

static void
ng_pb(struct img *im, uint16_t ifid, uint64_t ts, uint32_t caplen,
    uint32_t len, const void *data)
{
	ng_begin(im, 2);
	img_u16(im, ifid);
	img_u16(im, 0);		/* drops count */
	img_u32(im, (uint32_t)(ts >> 32));
	img_u32(im, (uint32_t)ts);
	img_u32(im, caplen);
	img_u32(im, len);
	img_put(im, data, caplen);
	ng_end(im, 1);
}

static void
ng_other(struct img *im, uint32_t type, size_t body)
{
	size_t i;

	ng_begin(im, type);
	for (i = 0; i < body; i++)
		img_u8(im, (uint8_t)(0x40 + i));
	ng_end(im, 0);
}

/* ---- reading helpers ---------------------------------------------------- */

struct want {
	uint64_t ts_ns;
	uint32_t caplen, wirelen, linktype, ifindex;
	const char *data;	/* first caplen bytes, or NULL */
};

struct got {
	int r;			/* last pcapfile_next result */
	unsigned n;
	struct pcapfile_pkt p[MAXMARK];
	uint8_t data[MAXMARK][16];	/* first bytes of each packet */
	struct pcapfile_stats st;
	char *cause;
};

static void
read_all(struct pcapfile *pf, struct got *g)
{
	struct pcapfile_pkt pk;
	size_t k;

	memset(g, 0, sizeof *g);
	while ((g->r = pcapfile_next(pf, &pk, &g->cause)) == 1) {
		if (g->n < MAXMARK) {
			g->p[g->n] = pk;
			k = pk.caplen < 16 ? pk.caplen : 16;
			memcpy(g->data[g->n], pk.data, k);
		}
		g->n++;
	}
	pcapfile_stats(pf, &g->st);
}

static char tmpdir[] = "/tmp/wt-test-pcapfile.XXXXXX";
static int tmpdir_made;

static const char *
tmp_write(const void *d, size_t n)
{
	static char path[256];
	FILE *f;

	ck_assert(tmpdir_made);
	snprintf(path, sizeof path, "%s/f.pcap", tmpdir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	if (n > 0)
		ck_assert_uint_eq(fwrite(d, 1, n, f), n);
	fclose(f);
	return path;
}

static void
tmp_cleanup(void)
{
	char path[256];

	if (!tmpdir_made)
		return;
	snprintf(path, sizeof path, "%s/f.pcap", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

/* Open a file image through a real file (the mmap path). */
static struct pcapfile *
open_file(const struct img *im, size_t n, char **cause)
{
	return pcapfile_open(tmp_write(im->p, n), cause);
}

/* Open a file image through a pipe on stdin (the stream path); a child
 * writes it in small pieces.  Call pipe_reap() after reading. */
static pid_t pipe_child;

static struct pcapfile *
open_pipe(const uint8_t *d, size_t n, size_t chunk, char **cause)
{
	int fds[2];
	size_t off, k;
	ssize_t w;

	ck_assert_int_eq(pipe(fds), 0);
	pipe_child = fork();
	ck_assert_int_ne(pipe_child, -1);
	if (pipe_child == 0) {
		close(fds[0]);
		for (off = 0; off < n; off += k) {
			k = n - off < chunk ? n - off : chunk;
			w = write(fds[1], d + off, k);
			if (w <= 0)
				_exit(1);
			k = (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	if (fds[0] != STDIN_FILENO) {
		ck_assert_int_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
		close(fds[0]);
	}
	return pcapfile_open("-", cause);
}

static void
pipe_reap(void)
{
	int status, fd;

	/* leave fd 0 taken, so nothing else lands on it */
	fd = open("/dev/null", O_RDONLY);
	if (fd > STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	waitpid(pipe_child, &status, 0);
}

static void
check_pkts(const struct got *g, const struct want *w, unsigned n)
{
	unsigned i;

	ck_assert_uint_eq(g->n, n);
	for (i = 0; i < n; i++) {
		ck_assert_msg(g->p[i].ts_ns == w[i].ts_ns,
		    "packet %u: ts %llu, want %llu", i,
		    (unsigned long long)g->p[i].ts_ns,
		    (unsigned long long)w[i].ts_ns);
		ck_assert_uint_eq(g->p[i].caplen, w[i].caplen);
		ck_assert_uint_eq(g->p[i].wirelen, w[i].wirelen);
		ck_assert_uint_eq(g->p[i].linktype, w[i].linktype);
		ck_assert_uint_eq(g->p[i].ifindex, w[i].ifindex);
		if (w[i].data != NULL)
			ck_assert_mem_eq(g->data[i], w[i].data,
			    w[i].caplen < 16 ? w[i].caplen : 16);
	}
}

/* ---- classic pcap --------------------------------------------------------- */

static void
build_pcap(struct img *im, int be, uint32_t magic)
{
	memset(im, 0, sizeof *im);
	im->be = be;
	/* link type 1 with FCS bits set above bit 26 */
	pcap_hdr(im, magic, 2, 4, 0, 0x10000001);
	pcap_rec(im, 1000, 1, 5, 60, "\x01\x02\x03\x04\x05");
	pcap_rec(im, 1, 999999, 3, 3, "abc");
	pcap_rec(im, 0xffffffffu, 0, 0, 0, "");
}

static const struct want pcap_us_want[] = {
	{ 1000000001000ull, 5, 60, 1, 0, "\x01\x02\x03\x04\x05" },
	{ 1999999000ull, 3, 3, 1, 0, "abc" },
	{ 4294967295000000000ull, 0, 0, 1, 0, NULL },
};

static const struct want pcap_ns_want[] = {
	{ 1000000000001ull, 5, 60, 1, 0, "\x01\x02\x03\x04\x05" },
	{ 1000999999ull, 3, 3, 1, 0, "abc" },
	{ 4294967295000000000ull, 0, 0, 1, 0, NULL },
};

START_TEST(test_pcap_orders)
{
	static const struct {
		int be;
		uint32_t magic;
		const struct want *w;
		int fmt;
	} v[] = {
		{ 0, 0xa1b2c3d4, pcap_us_want, PCAPFILE_FMT_PCAP },
		{ 1, 0xa1b2c3d4, pcap_us_want, PCAPFILE_FMT_PCAP },
		{ 0, 0xa1b23c4d, pcap_ns_want, PCAPFILE_FMT_PCAP_NS },
		{ 1, 0xa1b23c4d, pcap_ns_want, PCAPFILE_FMT_PCAP_NS },
	};
	struct pcapfile *pf;
	struct img im;
	struct got g;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		build_pcap(&im, v[i].be, v[i].magic);
		pf = open_file(&im, im.n, &cause);
		ck_assert_msg(pf != NULL, "%s", cause);
		ck_assert_uint_eq(pcapfile_linktype(pf), 1);
		read_all(pf, &g);
		ck_assert_int_eq(g.r, 0);
		check_pkts(&g, v[i].w, 3);
		ck_assert_int_eq(g.st.format, v[i].fmt);
		ck_assert_uint_eq(g.st.packets, 3);
		ck_assert_uint_eq(g.st.bytes, 63);
		ck_assert_int_eq(g.st.truncated, 0);
		pcapfile_close(pf);

		/* the same through memory and through a pipe */
		pf = pcapfile_open_mem(im.p, im.n, "mem", &cause);
		ck_assert_ptr_nonnull(pf);
		read_all(pf, &g);
		check_pkts(&g, v[i].w, 3);
		pcapfile_close(pf);
		pf = open_pipe(im.p, im.n, 7, &cause);
		ck_assert_msg(pf != NULL, "%s", cause);
		read_all(pf, &g);
		ck_assert_int_eq(g.r, 0);
		check_pkts(&g, v[i].w, 3);
		pcapfile_close(pf);
		pipe_reap();
		img_free(&im);
	}
}
END_TEST

START_TEST(test_pcap_variants)
{
	struct pcapfile *pf;
	struct img im;
	struct got g;
	char *cause = NULL;
	static const struct want modw[] = {
		{ 2000003000ull, 2, 2, 101, 0, "xy" },
	};
	static const struct want oldw[] = {
		{ 7000000000ull, 4, 60, 1, 0, "abcd" },
	};

	/* Kuznetzov's modified pcap: 8 more bytes per record header */
	memset(&im, 0, sizeof im);
	pcap_hdr(&im, 0xa1b2cd34, 2, 4, 65535, 101);
	img_u32(&im, 2);
	img_u32(&im, 3);
	img_u32(&im, 2);
	img_u32(&im, 2);
	img_u32(&im, 0x11111111);	/* ifindex, protocol, type, pad */
	img_u32(&im, 0x22222222);
	img_put(&im, "xy", 2);
	pf = pcapfile_open_mem(im.p, im.n, "mod", &cause);
	ck_assert_msg(pf != NULL, "%s", cause);
	read_all(pf, &g);
	check_pkts(&g, modw, 1);
	ck_assert_int_eq(g.st.truncated, 0);
	pcapfile_close(pf);
	img_free(&im);

	/* version 2.2: caplen and len are stored swapped (as libpcap) */
	memset(&im, 0, sizeof im);
	im.be = 1;
	pcap_hdr(&im, 0xa1b2c3d4, 2, 2, 65535, 1);
	img_u32(&im, 7);
	img_u32(&im, 0);
	img_u32(&im, 60);	/* really len */
	img_u32(&im, 4);	/* really caplen */
	img_put(&im, "abcd", 4);
	pf = pcapfile_open_mem(im.p, im.n, "old", &cause);
	ck_assert_msg(pf != NULL, "%s", cause);
	read_all(pf, &g);
	check_pkts(&g, oldw, 1);
	pcapfile_close(pf);
	img_free(&im);
}
END_TEST

START_TEST(test_pcap_errors)
{
	struct pcapfile *pf;
	struct img im;
	struct got g;
	char *cause = NULL;

	/* not a capture */
	pf = pcapfile_open_mem("hello, world!\n", 14, "x.txt", &cause);
	ck_assert_ptr_null(pf);
	ck_assert_ptr_nonnull(strstr(cause, "x.txt: not a pcap or pcapng "
	    "file"));
	free(cause);
	cause = NULL;
	/* empty file, via the file path */
	pf = pcapfile_open(tmp_write("", 0), &cause);
	ck_assert_ptr_null(pf);
	ck_assert_ptr_nonnull(strstr(cause, "empty"));
	free(cause);
	cause = NULL;
	/* missing file and a directory */
	pf = pcapfile_open("/nonexistent/wt.pcap", &cause);
	ck_assert_ptr_null(pf);
	ck_assert_ptr_nonnull(strstr(cause, "/nonexistent/wt.pcap: "));
	free(cause);
	cause = NULL;
	pf = pcapfile_open("/", &cause);
	ck_assert_ptr_null(pf);
	ck_assert_ptr_nonnull(strstr(cause, "directory"));
	free(cause);
	cause = NULL;

	/* version 3.0 */
	memset(&im, 0, sizeof im);
	pcap_hdr(&im, 0xa1b2c3d4, 3, 0, 65535, 1);
	pf = pcapfile_open_mem(im.p, im.n, "v3", &cause);
	ck_assert_ptr_null(pf);
	ck_assert_str_eq(cause, "v3: pcap version 3.x not supported");
	free(cause);
	cause = NULL;
	img_free(&im);

	/* absurd capture length: packets before it, then a clean error */
	memset(&im, 0, sizeof im);
	pcap_hdr(&im, 0xa1b2c3d4, 2, 4, 65535, 1);
	pcap_rec(&im, 1, 0, 3, 3, "abc");
	img_u32(&im, 2);
	img_u32(&im, 0);
	img_u32(&im, 0x7fffffff);
	img_u32(&im, 0x7fffffff);
	img_put(&im, "0123456789abcdef", 16);
	pf = pcapfile_open_mem(im.p, im.n, "big", &cause);
	ck_assert_ptr_nonnull(pf);
	read_all(pf, &g);
	ck_assert_int_eq(g.r, -1);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_ptr_nonnull(g.cause);
	ck_assert_ptr_null(strchr(g.cause, '\n'));
	ck_assert_ptr_nonnull(strstr(g.cause, "big: "));
	ck_assert_uint_eq(g.st.bad_records, 1);
	free(g.cause);
	pcapfile_close(pf);
	img_free(&im);
}
END_TEST

/* Every prefix of an image: never more than the whole packets before the
 * cut, truncated exactly when the cut is inside a record. */
static void
check_truncations(const struct img *im, size_t hdrlen, int via_file)
{
	struct pcapfile *pf;
	struct got g;
	char *cause;
	unsigned want, i;
	int on_bound;
	size_t len;

	ck_assert_uint_le(im->nbounds, MAXMARK);
	ck_assert_uint_le(im->npkts, MAXMARK);
	for (len = 0; len <= im->n; len++) {
		cause = NULL;
		if (via_file)
			pf = open_file(im, len, &cause);
		else
			pf = pcapfile_open_mem(im->p, len, "cut", &cause);
		if (len < hdrlen) {
			ck_assert_msg(pf == NULL, "opened a %zu-byte prefix",
			    len);
			ck_assert_ptr_nonnull(cause);
			ck_assert_ptr_null(strchr(cause, '\n'));
			free(cause);
			continue;
		}
		ck_assert_msg(pf != NULL, "len %zu: %s", len, cause);
		read_all(pf, &g);
		want = 0;
		for (i = 0; i < im->npkts; i++)
			want += im->pkts[i] <= len;
		on_bound = 0;
		for (i = 0; i < im->nbounds; i++)
			on_bound |= im->bounds[i] == len;
		ck_assert_msg(g.r == 0, "len %zu: r %d (%s)", len, g.r,
		    g.cause ? g.cause : "");
		ck_assert_msg(g.n == want, "len %zu: %u packets, want %u",
		    len, g.n, want);
		ck_assert_msg(g.st.truncated == !on_bound,
		    "len %zu: truncated %d", len, g.st.truncated);
		pcapfile_close(pf);
	}
}

START_TEST(test_pcap_truncated)
{
	struct img im;

	build_pcap(&im, 1, 0xa1b2c3d4);
	check_truncations(&im, 24, 1);
	check_truncations(&im, 24, 0);
	img_free(&im);
}
END_TEST

static uint64_t mono_ns(void);

/* Counts the checks; says stop on the fourth. */
static int
cancel_on_fourth(void *arg)
{
	int *n = arg;

	return ++*n >= 4;
}

/* Make fd 0 the read end of a pipe; returns the write end. */
static int
stdin_pipe(void)
{
	int fds[2];

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	return fds[1];
}

/* A silent stream: opening does not wait for it, and a read gives up
 * when the cancel callback says so (checked every 100 ms), without
 * calling the input truncated.  A stream that is not a capture is an
 * error of the first read. */
START_TEST(test_stream_cancel)
{
	struct pcapfile_stats st;
	struct pcapfile_pkt pk;
	struct pcapfile *pf;
	char *cause = NULL;
	uint64_t t0, ms;
	int w, calls = 0;

	w = stdin_pipe();
	pf = pcapfile_open("-", &cause);
	ck_assert_msg(pf != NULL, "%s", cause);
	pcapfile_set_cancel(pf, cancel_on_fourth, &calls);
	t0 = mono_ns();
	ck_assert_int_eq(pcapfile_next(pf, &pk, &cause), 0);
	ms = (mono_ns() - t0) / 1000000;
	ck_assert_int_eq(calls, 4);
	ck_assert_int_eq(pcapfile_interrupted(pf), 1);
	ck_assert_msg(ms >= 250 && ms < 2000, "gave up after %llu ms",
	    (unsigned long long)ms);
	pcapfile_stats(pf, &st);
	ck_assert_int_eq(st.truncated, 0);
	pcapfile_close(pf);
	close(w);

	w = stdin_pipe();
	ck_assert_int_eq(write(w, "hello, world!\n", 14), 14);
	close(w);
	pf = pcapfile_open("-", &cause);
	ck_assert_msg(pf != NULL, "%s", cause);
	ck_assert_int_eq(pcapfile_pending(pf), 1);
	ck_assert_int_eq(pcapfile_next(pf, &pk, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "stdin: not a pcap or pcapng "
	    "file"));
	free(cause);
	pcapfile_close(pf);
	/* leave fd 0 taken, so nothing else lands on it */
	w = open("/dev/null", O_RDONLY);
	ck_assert_int_eq(dup2(w, STDIN_FILENO), STDIN_FILENO);
	close(w);
}
END_TEST

/* A packet larger than the stream reader's first buffer. */
START_TEST(test_pcap_stream_big)
{
	struct pcapfile *pf;
	struct img im;
	char *cause = NULL;
	uint8_t *big;
	size_t bl = 600000, i;

	big = xmalloc(bl);
	for (i = 0; i < bl; i++)
		big[i] = (uint8_t)(i * 7);
	memset(&im, 0, sizeof im);
	pcap_hdr(&im, 0xa1b2c3d4, 2, 4, 0, 1);
	pcap_rec(&im, 1, 0, 100, 100, big);
	pcap_rec(&im, 2, 0, (uint32_t)bl, (uint32_t)bl, big);
	pcap_rec(&im, 3, 0, 10, 10, big + 5);
	pf = open_pipe(im.p, im.n, 65536, &cause);
	ck_assert_msg(pf != NULL, "%s", cause);
	{
		struct pcapfile_pkt pk;

		ck_assert_int_eq(pcapfile_next(pf, &pk, &cause), 1);
		ck_assert_uint_eq(pk.caplen, 100);
		ck_assert_int_eq(pcapfile_next(pf, &pk, &cause), 1);
		ck_assert_uint_eq(pk.caplen, bl);
		ck_assert_mem_eq(pk.data, big, bl);
		ck_assert_int_eq(pcapfile_next(pf, &pk, &cause), 1);
		ck_assert_mem_eq(pk.data, big + 5, 10);
		ck_assert_uint_eq(pk.ts_ns, 3000000000ull);
		ck_assert_int_eq(pcapfile_next(pf, &pk, &cause), 0);
	}
	pcapfile_close(pf);
	pipe_reap();
	img_free(&im);
	free(big);
}
END_TEST

/* A regular file read through the buffer is read as it was when it was
 * opened: one that shrinks meanwhile ends with the mapped reader's words
 * at the offset of the record cut (the records before it were read), one
 * that grows ends where it ended then.  The file is bigger than the
 * buffer (256 KiB), so the cut lands after the first read. */
START_TEST(test_pcap_buffered_size)
{
	struct pcapfile_pkt pk;
	struct pcapfile_stats st;
	struct pcapfile *pf;
	struct img im;
	uint8_t rec[1000];
	char *cause = NULL, want[128];
	const char *path;
	unsigned k, n;
	int r, fd;

	memset(rec, 0x5a, sizeof rec);
	memset(&im, 0, sizeof im);
	pcap_hdr(&im, 0xa1b2c3d4, 2, 4, 0, 1);
	/* 24 + 600 x (16 + 1000) bytes */
	for (k = 0; k < 600; k++)
		pcap_rec(&im, k, 0, sizeof rec, sizeof rec, rec);
	ck_assert_uint_eq(im.n, 24 + 600 * 1016);

	/* shrinks to 400 000 bytes: 393 whole records (to 399 312), the
	 * 394th cut */
	path = tmp_write(im.p, im.n);
	pf = pcapfile_open_flags(path, PCAPFILE_BUFFERED, &cause);
	ck_assert_msg(pf != NULL, "%s", cause);
	ck_assert_int_eq(truncate(path, 400000), 0);
	for (n = 0; (r = pcapfile_next(pf, &pk, &cause)) == 1; n++)
		ck_assert_mem_eq(pk.data, rec, sizeof rec);
	ck_assert_int_eq(r, -1);
	ck_assert_uint_eq(n, 393);
	snprintf(want, sizeof want, "%s: truncated while being read at "
	    "offset 399312", path);
	ck_assert_str_eq(cause, want);
	free(cause);
	cause = NULL;
	pcapfile_close(pf);

	/* grows by 10 records after it was opened: 600 read, not 610 */
	path = tmp_write(im.p, im.n);
	pf = pcapfile_open_flags(path, PCAPFILE_BUFFERED, &cause);
	ck_assert_msg(pf != NULL, "%s", cause);
	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ne(fd, -1);
	for (k = 0; k < 10; k++)
		ck_assert_int_eq(write(fd, im.p + 24, 1016), 1016);
	close(fd);
	for (n = 0; (r = pcapfile_next(pf, &pk, &cause)) == 1; n++)
		;
	ck_assert_int_eq(r, 0);
	ck_assert_uint_eq(n, 600);
	pcapfile_stats(pf, &st);
	ck_assert_int_eq(st.truncated, 0);
	pcapfile_close(pf);
	img_free(&im);
}
END_TEST

/* ---- pcapng --------------------------------------------------------------- */

/* Three sections: LE, BE, LE.  Expected values are in ng_want. */
static void
build_pcapng(struct img *im)
{
	memset(im, 0, sizeof *im);
	/* section 1, little-endian */
	ng_shb(im, 0, 1);
	ng_idb(im, 1, 0, 9, 0, 0);			/* if 0: ns */
	ng_epb(im, 0, 1234567890123456789ull, 5, 100, "ABCDE", 1);
	ng_idb(im, 101, 4, 0x80 | 10, 0, 0);	/* if 1: 2^-10 s */
	ng_epb(im, 1, 3 * 1024 + 512, 4, 4, "wxyz", 1);
	ng_spb(im, 6, "simple\0\0", 8);		/* if 0, snaplen 0 */
	ng_other(im, 4, 12);			/* NRB */
	ng_other(im, 0x00000bad, 8);		/* custom */
	ng_pb(im, 1, 1024, 3, 3, "old");
	ng_epb(im, 7, 0, 2, 2, "no", 0);		/* unknown interface */
	ng_other(im, 5, 20);			/* ISB */
	/* section 2, big-endian: interfaces start again */
	ng_shb(im, 1, 1);
	ng_idb(im, 113, 4, -1, 1, 100);		/* us, +100 s */
	ng_epb(im, 0, 1500000, 4, 50, "sll!", 1);
	ng_spb(im, 10, "0123456789\0\0", 12);	/* snaplen 4 */
	ng_idb(im, 1, 0, 3, 1, -1);		/* ms, -1 s */
	ng_epb(im, 1, 2500, 1, 1, "m", 1);
	/* section 3, little-endian again */
	ng_shb(im, 0, 1);
	ng_epb(im, 0, 0, 1, 1, "z", 0);		/* no interface yet */
	ng_idb(im, 228, 0, 12, 0, 0);		/* ps */
	ng_epb(im, 0, 5000000000123ull, 0, 0, "", 1);
}

static const struct want ng_want[] = {
	{ 1234567890123456789ull, 5, 100, 1, 0, "ABCDE" },
	{ 3500000000ull, 4, 4, 101, 1, "wxyz" },
	{ 0, 6, 6, 1, 0, "simple" },
	{ 1000000000ull, 3, 3, 101, 1, "old" },
	{ 101500000000ull, 4, 50, 113, 0, "sll!" },
	{ 100000000000ull, 4, 10, 113, 0, "0123" },
	{ 1500000000ull, 1, 1, 1, 1, "m" },
	{ 5000000000ull, 0, 0, 228, 0, NULL },
};

START_TEST(test_pcapng_sections)
{
	struct pcapfile *pf;
	struct img im;
	struct got g;
	char *cause = NULL;
	int pass;

	build_pcapng(&im);
	for (pass = 0; pass < 3; pass++) {
		if (pass == 0)
			pf = open_file(&im, im.n, &cause);
		else if (pass == 1)
			pf = pcapfile_open_mem(im.p, im.n, "ng", &cause);
		else
			pf = open_pipe(im.p, im.n, 5, &cause);
		ck_assert_msg(pf != NULL, "%s", cause);
		ck_assert_uint_eq(pcapfile_linktype(pf), 1);
		read_all(pf, &g);
		ck_assert_msg(g.r == 0, "%s", g.cause ? g.cause : "");
		check_pkts(&g, ng_want, 8);
		/* SPB in section 2 has no timestamp; the snaplen is if 0's */
		ck_assert_uint_eq(g.p[5].snaplen, 4);
		ck_assert_int_eq(g.st.format, PCAPFILE_FMT_PCAPNG);
		ck_assert_uint_eq(g.st.packets, 8);
		ck_assert_uint_eq(g.st.bytes, 100 + 4 + 6 + 3 + 50 + 10 + 1);
		ck_assert_uint_eq(g.st.sections, 3);
		ck_assert_uint_eq(g.st.interfaces, 5);
		ck_assert_uint_eq(g.st.blocks_skipped, 3);
		ck_assert_uint_eq(g.st.bad_records, 2);
		ck_assert_int_eq(g.st.truncated, 0);
		pcapfile_close(pf);
		if (pass == 2)
			pipe_reap();
	}
	img_free(&im);
}
END_TEST

START_TEST(test_pcapng_truncated)
{
	struct img im;

	build_pcapng(&im);
	/* the first SHB is the header a file must have */
	check_truncations(&im, im.bounds[0], 0);
	check_truncations(&im, im.bounds[0], 1);
	img_free(&im);
}
END_TEST

/* if_tsresol values and the ns each gives for a raw timestamp */
START_TEST(test_pcapng_tsresol)
{
	static const struct {
		int resol;
		uint64_t ts, ns;
	} v[] = {
		{ -1, 1, 1000 },			/* default: us */
		{ 6, 123456, 123456000 },
		{ 0, 7, 7000000000ull },
		{ 9, 7, 7 },
		{ 10, 75, 7 },
		{ 12, 5000000000123ull, 5000000000ull },
		{ 19, 10000000000000000000ull, 1000000000ull },
		{ 25, 10000000000000000000ull, 1000 },
		{ 127, UINT64_MAX, 0 },
		{ 0, 1ull << 62, UINT64_MAX },		/* saturates */
		{ 0x80, 3, 3000000000ull },		/* 2^0 */
		{ 0x81, 3, 1500000000ull },		/* 2^-1 */
		{ 0x80 | 30, (1ull << 30) + (1ull << 29), 1500000000ull },
		{ 0x80 | 32, 0x180000000ull, 1500000000ull },
		{ 0x80 | 64, 1ull << 63, 500000000ull },
		{ 0x80 | 127, UINT64_MAX, 0 },
	};
	struct pcapfile *pf;
	struct img im;
	struct got g;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		memset(&im, 0, sizeof im);
		ng_shb(&im, (int)(i & 1), 1);
		ng_idb(&im, 1, 0, v[i].resol, 0, 0);
		ng_epb(&im, 0, v[i].ts, 1, 1, "a", 1);
		pf = pcapfile_open_mem(im.p, im.n, "ts", &cause);
		ck_assert_ptr_nonnull(pf);
		read_all(pf, &g);
		ck_assert_uint_eq(g.n, 1);
		ck_assert_msg(g.p[0].ts_ns == v[i].ns,
		    "resol %#x ts %llu: got %llu want %llu", v[i].resol,
		    (unsigned long long)v[i].ts,
		    (unsigned long long)g.p[0].ts_ns,
		    (unsigned long long)v[i].ns);
		pcapfile_close(pf);
		img_free(&im);
	}
}
END_TEST

START_TEST(test_pcapng_resync)
{
	struct pcapfile *pf;
	struct img im;
	struct got g;
	char *cause = NULL;
	size_t at, i;

	/* a bad trailer in the middle: that block is skipped */
	memset(&im, 0, sizeof im);
	ng_shb(&im, 0, 1);
	ng_idb(&im, 1, 0, -1, 0, 0);
	ng_epb(&im, 0, 1, 1, 1, "a", 1);
	ng_epb(&im, 0, 2, 1, 1, "b", 1);
	im.p[im.n - 4] ^= 0x40;
	ng_epb(&im, 0, 3, 1, 1, "c", 1);
	pf = pcapfile_open_mem(im.p, im.n, "rs", &cause);
	ck_assert_ptr_nonnull(pf);
	read_all(pf, &g);
	ck_assert_int_eq(g.r, 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_uint_eq(g.data[0][0], 'a');
	ck_assert_uint_eq(g.data[1][0], 'c');
	ck_assert_uint_eq(g.st.bad_records, 1);
	ck_assert_int_eq(g.st.truncated, 0);
	pcapfile_close(pf);
	img_free(&im);

	/* a length that is not a multiple of 4, then junk, then a block */
	memset(&im, 0, sizeof im);
	ng_shb(&im, 1, 1);
	ng_idb(&im, 1, 0, -1, 0, 0);
	ng_epb(&im, 0, 1, 1, 1, "a", 1);
	img_u32(&im, 6);
	img_u32(&im, 13);
	for (i = 0; i < 20; i++)
		img_u8(&im, 0);
	ng_epb(&im, 0, 3, 1, 1, "c", 1);
	pf = pcapfile_open_mem(im.p, im.n, "rs", &cause);
	ck_assert_ptr_nonnull(pf);
	read_all(pf, &g);
	ck_assert_int_eq(g.r, 0);
	ck_assert_uint_eq(g.n, 2);
	ck_assert_uint_eq(g.data[1][0], 'c');
	ck_assert_uint_eq(g.st.bad_records, 1);
	pcapfile_close(pf);
	img_free(&im);

	/* garbage to the end: the packets before it, truncated */
	memset(&im, 0, sizeof im);
	ng_shb(&im, 0, 1);
	ng_idb(&im, 1, 0, -1, 0, 0);
	ng_epb(&im, 0, 1, 1, 1, "a", 1);
	for (i = 0; i < 40; i++)
		img_u8(&im, 0xff);
	pf = pcapfile_open_mem(im.p, im.n, "rs", &cause);
	ck_assert_ptr_nonnull(pf);
	read_all(pf, &g);
	ck_assert_int_eq(g.r, 0);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_int_eq(g.st.truncated, 1);
	ck_assert_uint_eq(g.st.bad_records, 1);
	pcapfile_close(pf);
	img_free(&im);

	/* more garbage than the resync window: a one-line error */
	memset(&im, 0, sizeof im);
	ng_shb(&im, 0, 1);
	ng_idb(&im, 1, 0, -1, 0, 0);
	ng_epb(&im, 0, 1, 1, 1, "a", 1);
	at = im.n;
	for (i = 0; i < (3u << 19); i++)
		img_u8(&im, 0);
	ng_epb(&im, 0, 3, 1, 1, "c", 1);
	pf = pcapfile_open_mem(im.p, im.n, "rs", &cause);
	ck_assert_ptr_nonnull(pf);
	read_all(pf, &g);
	ck_assert_int_eq(g.r, -1);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_ptr_nonnull(g.cause);
	ck_assert_ptr_null(strchr(g.cause, '\n'));
	ck_assert_msg(strstr(g.cause, "corrupt") != NULL, "%s", g.cause);
	(void)at;
	free(g.cause);
	pcapfile_close(pf);
	img_free(&im);
}
END_TEST

START_TEST(test_pcapng_errors)
{
	struct pcapfile *pf;
	struct img im;
	struct got g;
	char *cause = NULL;

	/* unsupported major version */
	memset(&im, 0, sizeof im);
	ng_shb(&im, 0, 2);
	pf = pcapfile_open_mem(im.p, im.n, "v2", &cause);
	ck_assert_ptr_null(pf);
	ck_assert_str_eq(cause, "v2: pcapng version 2.0 not supported");
	free(cause);
	cause = NULL;
	img_free(&im);

	/* bad byte-order magic */
	memset(&im, 0, sizeof im);
	ng_shb(&im, 0, 1);
	im.p[8] ^= 0xff;
	pf = pcapfile_open_mem(im.p, im.n, "bom", &cause);
	ck_assert_ptr_null(pf);
	ck_assert_ptr_nonnull(strstr(cause, "not a pcap or pcapng file"));
	free(cause);
	cause = NULL;
	img_free(&im);

	/* a later section of a version we do not know */
	memset(&im, 0, sizeof im);
	ng_shb(&im, 0, 1);
	ng_idb(&im, 1, 0, -1, 0, 0);
	ng_epb(&im, 0, 1, 1, 1, "a", 1);
	ng_shb(&im, 1, 3);
	ng_idb(&im, 1, 0, -1, 0, 0);
	ng_epb(&im, 0, 1, 1, 1, "b", 1);
	pf = pcapfile_open_mem(im.p, im.n, "v3", &cause);
	ck_assert_ptr_nonnull(pf);
	read_all(pf, &g);
	ck_assert_int_eq(g.r, -1);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_str_eq(g.cause, "v3: pcapng version 3.0 not supported");
	free(g.cause);
	pcapfile_close(pf);
	img_free(&im);

	/* EPB whose capture length runs past its block: a bad record */
	memset(&im, 0, sizeof im);
	ng_shb(&im, 0, 1);
	ng_idb(&im, 1, 0, -1, 0, 0);
	ng_epb(&im, 0, 1, 4, 4, "abcd", 0);
	im.p[im.blk + 20] = 200;		/* caplen 200 */
	ng_epb(&im, 0, 2, 1, 1, "b", 1);
	pf = pcapfile_open_mem(im.p, im.n, "cl", &cause);
	ck_assert_ptr_nonnull(pf);
	read_all(pf, &g);
	ck_assert_int_eq(g.r, 0);
	ck_assert_uint_eq(g.n, 1);
	ck_assert_uint_eq(g.data[0][0], 'b');
	ck_assert_uint_eq(g.st.bad_records, 1);
	pcapfile_close(pf);
	img_free(&im);
}
END_TEST

/* ---- the corpus ------------------------------------------------------------ */

static const char *
corpus_dir(void)
{
	const char *c = getenv("WT_CORPUS");
	struct stat sb;

	if (c == NULL || *c == '\0' || stat(c, &sb) != 0 ||
	    !S_ISDIR(sb.st_mode))
		return NULL;
	return c;
}

struct count {
	int open_ok;
	int r, truncated;
	uint64_t packets, min_ts, max_ts, sum;
	char *cause;
};

/* Read a file to its end through the mmap path, from a heap copy of
 * exactly its size through the memory path (so ASan sees any over-read),
 * and through the buffered path (PCAPFILE_BUFFERED); all must agree. */
static void
count_file(const char *path, struct count *c)
{
	struct pcapfile_pkt pk;
	struct pcapfile_stats st;
	struct pcapfile *pf;
	uint64_t sum = 0, n = 0;
	uint8_t *copy = NULL;
	char *cause = NULL;
	FILE *f;
	long len;
	uint32_t i;
	int r;

	memset(c, 0, sizeof *c);
	c->min_ts = UINT64_MAX;
	pf = pcapfile_open(path, &c->cause);
	if (pf == NULL)
		return;
	c->open_ok = 1;
	while ((c->r = pcapfile_next(pf, &pk, &c->cause)) == 1) {
		c->packets++;
		if (pk.ts_ns < c->min_ts)
			c->min_ts = pk.ts_ns;
		if (pk.ts_ns > c->max_ts)
			c->max_ts = pk.ts_ns;
		for (i = 0; i < pk.caplen; i++)
			c->sum += pk.data[i];
	}
	pcapfile_stats(pf, &st);
	c->truncated = st.truncated;
	pcapfile_close(pf);

	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	copy = xmalloc((size_t)len + 1);
	ck_assert_uint_eq(fread(copy, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	pf = pcapfile_open_mem(copy, (size_t)len, path, &cause);
	ck_assert_ptr_nonnull(pf);
	while (pcapfile_next(pf, &pk, &cause) == 1) {
		n++;
		for (i = 0; i < pk.caplen; i++)
			sum += pk.data[i];
	}
	free(cause);
	cause = NULL;
	pcapfile_close(pf);
	free(copy);
	ck_assert_msg(n == c->packets && sum == c->sum,
	    "%s: mmap and memory paths differ", path);

	/* and through the buffer of a file read as fast as possible */
	n = sum = 0;
	pf = pcapfile_open_flags(path, PCAPFILE_BUFFERED, &cause);
	ck_assert_msg(pf != NULL, "%s: %s", path, cause);
	while ((r = pcapfile_next(pf, &pk, &cause)) == 1) {
		n++;
		for (i = 0; i < pk.caplen; i++)
			sum += pk.data[i];
	}
	pcapfile_stats(pf, &st);
	ck_assert_msg(n == c->packets && sum == c->sum && r == c->r,
	    "%s: mmap and buffered paths differ (%llu packets, %d; %s)",
	    path, (unsigned long long)n, r, cause ? cause : "-");
	ck_assert_int_eq(st.truncated, c->truncated);
	free(cause);
	pcapfile_close(pf);
}

/* Packets libpcap itself reads from a file (an independent reader). */
static long
libpcap_count(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	long n = 0;

	if ((p = pcap_open_offline(path, errbuf)) == NULL)
		return -1;
	while (pcap_next_ex(p, &h, &d) == 1)
		n++;
	pcap_close(p);
	return n;
}

/* Expected packets of a pcapng-suite file from its .txt block counts. */
static long
suite_expected(const char *txt)
{
	char line[256], name[16];
	long n = 0, v;
	int in_counts = 0;
	FILE *f;

	if ((f = fopen(txt, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "Block counts:", 13) == 0) {
			in_counts = 1;
			continue;
		}
		if (!in_counts)
			continue;
		if (line[0] != '\t')
			break;
		if (sscanf(line, " %15[A-Z]: %ld", name, &v) != 2)
			continue;
		if (strcmp(name, "EPB") == 0 || strcmp(name, "SPB") == 0 ||
		    strcmp(name, "PB") == 0 || strcmp(name, "OPB") == 0)
			n += v;
	}
	fclose(f);
	return n;
}

START_TEST(test_corpus_pcapng_suite)
{
	static const char *const sub[] = {
		"output_le/basic", "output_le/advanced", "output_le/difficult",
		"output_be/basic", "output_be/advanced", "output_be/difficult",
	};
	char dir[1024], path[2048], txt[2048];
	const char *cdir = corpus_dir();
	struct dirent *de;
	struct count c;
	unsigned files = 0;
	size_t i, l;
	long want;
	DIR *d;

	if (cdir == NULL) {
		fprintf(stderr, "SKIP corpus: WT_CORPUS not set\n");
		return;
	}
	for (i = 0; i < sizeof sub / sizeof sub[0]; i++) {
		snprintf(dir, sizeof dir, "%s/pcapng-suite/%s", cdir, sub[i]);
		d = opendir(dir);
		ck_assert_msg(d != NULL, "%s: cannot open", dir);
		while ((de = readdir(d)) != NULL) {
			l = strlen(de->d_name);
			if (l < 8 || strcmp(de->d_name + l - 7, ".pcapng") != 0)
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			snprintf(txt, sizeof txt, "%s/%.*s.txt", dir,
			    (int)(l - 7), de->d_name);
			want = suite_expected(txt);
			ck_assert_msg(want >= 0, "%s: no block counts", txt);
			count_file(path, &c);
			ck_assert_msg(c.open_ok, "%s: %s", path, c.cause);
			ck_assert_msg(c.r == 0, "%s: %s", path, c.cause);
			ck_assert_msg(c.packets == (uint64_t)want,
			    "%s: %llu packets, want %ld", path,
			    (unsigned long long)c.packets, want);
			free(c.cause);
			files++;
		}
		closedir(d);
	}
	ck_assert_uint_eq(files, 48);
}
END_TEST

/* Parse "1506883716.995391962" to ns. */
static uint64_t
parse_epoch_ns(const char *s)
{
	uint64_t sec = 0, frac = 0;
	int digits = 0;

	while (*s >= '0' && *s <= '9')
		sec = sec * 10 + (uint64_t)(*s++ - '0');
	if (*s == '.')
		s++;
	while (*s >= '0' && *s <= '9' && digits < 9) {
		frac = frac * 10 + (uint64_t)(*s++ - '0');
		digits++;
	}
	while (digits++ < 9)
		frac *= 10;
	return sec * 1000000000ull + frac;
}

/* Count every capture of an INDEX.tsv folder against its packets column;
 * for real/, also the earliest and latest timestamps. */
static void
check_index(const char *folder, int check_ts)
{
	char path[2048], line[4096], *f[16], *s;
	int col_file = -1, col_pkts = -1, col_first = -1, col_last = -1;
	const char *cdir = corpus_dir();
	unsigned files = 0, nf, i;
	struct count c;
	long lp;
	FILE *idx;

	if (cdir == NULL) {
		fprintf(stderr, "SKIP corpus: WT_CORPUS not set\n");
		return;
	}
	snprintf(path, sizeof path, "%s/%s/INDEX.tsv", cdir, folder);
	idx = fopen(path, "r");
	ck_assert_msg(idx != NULL, "%s: cannot open", path);
	while (fgets(line, sizeof line, idx) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		nf = 0;
		for (s = line; nf < 16; ) {
			f[nf++] = s;
			if ((s = strchr(s, '\t')) == NULL)
				break;
			*s++ = '\0';
		}
		if (col_file < 0) {
			for (i = 0; i < nf; i++) {
				if (strcmp(f[i], "file") == 0)
					col_file = (int)i;
				else if (strcmp(f[i], "packets") == 0)
					col_pkts = (int)i;
				else if (strcmp(f[i], "first_ts_epoch") == 0)
					col_first = (int)i;
				else if (strcmp(f[i], "last_ts_epoch") == 0)
					col_last = (int)i;
			}
			ck_assert(col_file >= 0 && col_pkts >= 0);
			continue;
		}
		if ((int)nf <= col_pkts)
			continue;
		snprintf(path, sizeof path, "%s/%s/%s", cdir, folder,
		    f[col_file]);
		count_file(path, &c);
		files++;
		if (strcmp(f[col_pkts], "-") == 0) {
			/* capinfos could not read it (an unknown link type):
			 * it must read cleanly, as libpcap reads it */
			lp = libpcap_count(path);
			ck_assert_msg(c.open_ok || lp < 0, "%s: %s", path,
			    c.cause);
			if (c.open_ok && lp >= 0)
				ck_assert_msg(c.packets == (uint64_t)lp,
				    "%s: %llu packets, libpcap %ld", path,
				    (unsigned long long)c.packets, lp);
			free(c.cause);
			continue;
		}
		ck_assert_msg(c.open_ok, "%s: %s", path, c.cause);
		ck_assert_msg(c.packets == strtoull(f[col_pkts], NULL, 10),
		    "%s: %llu packets, capinfos says %s (%s)", path,
		    (unsigned long long)c.packets, f[col_pkts],
		    c.cause ? c.cause : "no error");
		if (check_ts && col_first >= 0 && col_last >= 0 &&
		    (int)nf > col_last && c.packets > 0) {
			ck_assert_msg(c.min_ts == parse_epoch_ns(f[col_first]),
			    "%s: first ts %llu, capinfos %s", path,
			    (unsigned long long)c.min_ts, f[col_first]);
			ck_assert_msg(c.max_ts == parse_epoch_ns(f[col_last]),
			    "%s: last ts %llu, capinfos %s", path,
			    (unsigned long long)c.max_ts, f[col_last]);
		}
		free(c.cause);
	}
	fclose(idx);
	ck_assert_uint_gt(files, 10);
}

START_TEST(test_corpus_real)
{
	check_index("real", 1);
}
END_TEST

START_TEST(test_corpus_tcpdump)
{
	check_index("tcpdump", 0);
}
END_TEST

/* ---- capture sources ------------------------------------------------------- */

/* An Ethernet + IPv4 + UDP (proto 17) or TCP (6) frame, 54/58 bytes. */
static size_t
mkframe(uint8_t *b, int udp, uint16_t sport, uint16_t dport)
{
	size_t l4 = udp ? 8 : 20, n = 14 + 20 + l4;

	memset(b, 0, n);
	memset(b, 0x02, 12);
	b[12] = 0x08;			/* IPv4 */
	b[14] = 0x45;
	b[16] = (uint8_t)((20 + l4) >> 8);
	b[17] = (uint8_t)(20 + l4);
	b[22] = 64;
	b[23] = udp ? 17 : 6;
	b[26] = 10; b[29] = 1;		/* 10.0.0.1 */
	b[30] = 10; b[33] = 2;		/* 10.0.0.2 */
	b[34] = (uint8_t)(sport >> 8);
	b[35] = (uint8_t)sport;
	b[36] = (uint8_t)(dport >> 8);
	b[37] = (uint8_t)dport;
	if (udp) {
		b[39] = 8;
	} else {
		b[46] = 0x50;		/* data offset 5 */
		b[47] = 0x10;		/* ACK */
	}
	return n;
}

/* A pcap of n frames, every third one TCP, at ts = start + i * step. */
static const char *
write_frames(unsigned n, uint64_t start_ns, uint64_t step_ns)
{
	struct img im;
	uint8_t fr[64];
	uint64_t t;
	size_t fl;
	unsigned i;
	const char *path;

	memset(&im, 0, sizeof im);
	pcap_hdr(&im, 0xa1b23c4d, 2, 4, 65535, 1);
	for (i = 0; i < n; i++) {
		fl = mkframe(fr, i % 3 != 0, (uint16_t)(1000 + i % 60000),
		    53);
		t = start_ns + i * step_ns;
		pcap_rec(&im, (uint32_t)(t / 1000000000ull),
		    (uint32_t)(t % 1000000000ull), (uint32_t)fl,
		    (uint32_t)fl, fr);
	}
	path = tmp_write(im.p, im.n);
	img_free(&im);
	return path;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Drain a source until it has finished; returns the records seen and
 * checks packet times never go backwards (the file's are increasing).
 * slow: pause now and then so the ring fills up. */
static uint64_t
drain_all(struct capture *c, int slow, uint64_t *last_ts)
{
	struct ring *r = capture_ring(c);
	struct ring *nr = capture_name_ring(c);
	struct pkt_meta *m;
	uint64_t got = 0, prev = 0, t0 = mono_ns();
	void *first;
	size_t n, i;
	int fin;

	for (;;) {
		fin = capture_finished(c);
		n = ring_peek(r, &first, 256);
		if (n == 0) {
			while ((n = ring_peek(nr, &first, 256)) != 0)
				ring_release(nr, n);
			if (fin)
				break;
			ck_assert_msg(mono_ns() - t0 < 30000000000ull,
			    "capture never finished");
			sleep_ms(1);
			continue;
		}
		m = first;
		for (i = 0; i < n; i++) {
			ck_assert_uint_ge(m[i].ts_ns, prev);
			prev = m[i].ts_ns;
		}
		got += n;
		ring_release(r, n);
		if (slow && got % 512 < n)
			sleep_ms(2);
	}
	if (last_ts != NULL)
		*last_ts = prev;
	return got;
}

static struct capture *
open_file_source(const char *path, const char *filter, double speed,
    unsigned slots)
{
	struct capture_opts o;
	struct capture *c;
	char *cause = NULL;

	memset(&o, 0, sizeof o);
	o.kind = CAPTURE_FILE;
	o.name = path;
	o.filter = filter;
	o.speed = speed;
	o.ring_slots = slots;
	c = capture_open(&o, 3, &cause);
	ck_assert_msg(c != NULL, "capture_open: %s", cause);
	return c;
}

START_TEST(test_capture_file_backpressure)
{
	struct capture_stats st;
	struct capture *c;
	char *cause = NULL;
	uint64_t got, last;

	/* 5000 packets through an 8-slot ring: none may be lost */
	c = open_file_source(write_frames(5000, 1000000000ull, 1000), NULL,
	    0, 8);
	ck_assert_uint_eq(capture_kind(c), CAPTURE_FILE);
	ck_assert_uint_eq(capture_linktype(c), 1);
	ck_assert_uint_eq(ring_capacity(capture_ring(c)), 8);
	ck_assert_int_eq(capture_finished(c), 0);
	ck_assert_int_eq(capture_start(c, &cause), 0);
	got = drain_all(c, 1, &last);
	ck_assert_uint_eq(got, 5000);
	ck_assert_uint_eq(last, 1000000000ull + 4999 * 1000);
	capture_get_stats(c, &st);
	ck_assert_int_eq(st.state, CAPTURE_STATE_FINISHED);
	ck_assert_uint_eq(st.packets, 5000);
	ck_assert_uint_eq(st.bytes, 1667 * 54 + 3333 * 42);
	ck_assert_uint_eq(st.ring_drops, 0);
	ck_assert_uint_eq(st.filtered, 0);
	ck_assert_uint_eq(st.last_ts_ns, last);
	ck_assert_uint_eq(st.status[0] + st.status[1] + st.status[2] +
	    st.status[3], 5000);
	ck_assert_int_eq(st.truncated, 0);
	capture_stop(c);
	capture_free(c);
}
END_TEST

START_TEST(test_capture_file_filter)
{
	struct capture_stats st;
	struct capture *c;
	char *cause = NULL;
	const char *path;

	path = write_frames(300, 1000000000ull, 1000);
	/* every third frame is TCP: libpcap's BPF keeps 200 UDP ones */
	c = open_file_source(path, "udp", 0, 0);
	ck_assert_int_eq(capture_start(c, &cause), 0);
	ck_assert_uint_eq(drain_all(c, 0, NULL), 200);
	capture_get_stats(c, &st);
	ck_assert_uint_eq(st.filtered, 100);
	capture_free(c);

	/* a filter set before the start replaces the one from open */
	c = open_file_source(path, "udp", 0, 0);
	ck_assert_int_eq(capture_set_filter(c, "tcp", &cause), 0);
	ck_assert_int_eq(capture_start(c, &cause), 0);
	ck_assert_uint_eq(drain_all(c, 0, NULL), 100);
	capture_get_stats(c, &st);
	ck_assert_uint_eq(st.filtered, 200);
	/* errors come back synchronously, one line */
	ck_assert_int_eq(capture_set_filter(c, "udp and and", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "filter"));
	ck_assert_ptr_null(strchr(cause, '\n'));
	free(cause);
	cause = NULL;
	capture_free(c);

	/* a bad filter fails the open */
	{
		struct capture_opts o;

		memset(&o, 0, sizeof o);
		o.kind = CAPTURE_FILE;
		o.name = path;
		o.filter = "port notaport";
		ck_assert_ptr_null(capture_open(&o, 0, &cause));
		ck_assert_ptr_nonnull(strstr(cause, "filter"));
		free(cause);
		cause = NULL;
		o.filter = NULL;
		o.name = "/nonexistent/x.pcap";
		ck_assert_ptr_null(capture_open(&o, 0, &cause));
		ck_assert_ptr_nonnull(strstr(cause, "/nonexistent/x.pcap"));
		free(cause);
	}
}
END_TEST

START_TEST(test_capture_file_pacing)
{
	struct capture *c;
	char *cause = NULL;
	uint64_t t0, dt;

	/* 4 packets 0.5 s apart at 10x: about 150 ms */
	c = open_file_source(write_frames(4, 1000000000ull, 500000000ull),
	    NULL, 10, 0);
	ck_assert(capture_get_speed(c) == 10);
	t0 = mono_ns();
	ck_assert_int_eq(capture_start(c, &cause), 0);
	ck_assert_uint_eq(drain_all(c, 0, NULL), 4);
	dt = mono_ns() - t0;
	ck_assert_msg(dt >= 140000000ull && dt < 1500000000ull,
	    "10x replay of 1.5 s took %llu ns", (unsigned long long)dt);
	capture_free(c);

	/* an hour-long gap at 1x sleeps at most a second */
	c = open_file_source(write_frames(2, 1000000000ull,
	    3600000000000ull), NULL, 1, 0);
	t0 = mono_ns();
	ck_assert_int_eq(capture_start(c, &cause), 0);
	ck_assert_uint_eq(drain_all(c, 0, NULL), 2);
	dt = mono_ns() - t0;
	ck_assert_msg(dt >= 900000000ull && dt < 3000000000ull,
	    "1 h gap took %llu ns", (unsigned long long)dt);
	capture_free(c);

	/* speed max: 2000 packets 1 s apart, at once */
	c = open_file_source(write_frames(2000, 0, 1000000000ull), NULL, 1,
	    0);
	capture_set_speed(c, 0);
	ck_assert(capture_get_speed(c) == 0);
	t0 = mono_ns();
	ck_assert_int_eq(capture_start(c, &cause), 0);
	ck_assert_uint_eq(drain_all(c, 0, NULL), 2000);
	dt = mono_ns() - t0;
	ck_assert_msg(dt < 3000000000ull, "max speed took %llu ns",
	    (unsigned long long)dt);
	capture_free(c);
}
END_TEST

START_TEST(test_capture_file_pause_stop)
{
	struct capture_stats st;
	struct capture *c;
	char *cause = NULL;
	int i;

	c = open_file_source(write_frames(1000, 0, 1000), NULL, 0, 0);
	capture_set_paused(c, 1);
	ck_assert_int_eq(capture_start(c, &cause), 0);
	for (i = 0; i < 200; i++) {
		capture_get_stats(c, &st);
		if (st.state == CAPTURE_STATE_PAUSED)
			break;
		sleep_ms(10);
	}
	ck_assert_int_eq(st.state, CAPTURE_STATE_PAUSED);
	sleep_ms(50);
	ck_assert_uint_eq(ring_count(capture_ring(c)), 0);
	ck_assert_int_eq(capture_finished(c), 0);
	capture_set_paused(c, 0);
	ck_assert_uint_eq(drain_all(c, 0, NULL), 1000);
	capture_free(c);

	/* stop in the middle of a slow replay: joins promptly */
	c = open_file_source(write_frames(100, 0, 1000000000ull), NULL, 1, 0);
	ck_assert_int_eq(capture_start(c, &cause), 0);
	sleep_ms(100);
	capture_stop(c);
	ck_assert_int_eq(capture_finished(c), 1);
	capture_get_stats(c, &st);
	ck_assert_uint_lt(st.packets, 100);
	capture_free(c);
}
END_TEST

START_TEST(test_capture_file_failed)
{
	struct capture_stats st;
	struct capture *c;
	struct img im;
	char *cause = NULL;

	/* one packet, then an absurd record: FAILED with the reason */
	memset(&im, 0, sizeof im);
	pcap_hdr(&im, 0xa1b2c3d4, 2, 4, 65535, 1);
	pcap_rec(&im, 1, 0, 3, 3, "abc");
	img_u32(&im, 2);
	img_u32(&im, 0);
	img_u32(&im, 0x7fffffff);
	img_u32(&im, 0x7fffffff);
	c = open_file_source(tmp_write(im.p, im.n), NULL, 0, 0);
	img_free(&im);
	ck_assert_int_eq(capture_start(c, &cause), 0);
	ck_assert_uint_eq(drain_all(c, 0, NULL), 1);
	capture_get_stats(c, &st);
	ck_assert_int_eq(st.state, CAPTURE_STATE_FAILED);
	ck_assert_msg(strstr(st.error, "corrupt") != NULL, "%s", st.error);
	ck_assert_uint_eq(st.bad_records, 1);
	capture_free(c);
}
END_TEST

START_TEST(test_capture_live_lo)
{
	struct capture_opts o;
	struct capture_stats st;
	struct sockaddr_in sa;
	struct capture *c;
	struct pkt_meta *m;
	socklen_t sl = sizeof sa;
	char *cause = NULL, filter[64], **nets = NULL;
	uint16_t port, sport;
	unsigned nn = 0, i, match = 0, seen = 0;
	int rx, tx, found = 0;
	void *first;
	uint64_t t0;
	size_t n, k;

	if (geteuid() != 0 || if_nametoindex("lo") == 0) {
		fprintf(stderr, "SKIP live capture: not root or no lo\n");
		return;
	}
	/* the loopback's own network */
	ck_assert_int_ge(capture_interface_networks("lo", &nets, &nn), 1);
	for (i = 0; i < nn; i++) {
		found |= strcmp(nets[i], "127.0.0.1/8") == 0;
		free(nets[i]);
	}
	free(nets);
	ck_assert_msg(found, "lo has no 127.0.0.1/8");

	/* a receiver on a free high port */
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(rx, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(rx, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(getsockname(rx, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin_port);
	snprintf(filter, sizeof filter, "udp port %u", port);

	memset(&o, 0, sizeof o);
	o.kind = CAPTURE_LIVE;
	o.name = "lo";
	o.filter = filter;
	o.buffer_kb = 2048;
	c = capture_open(&o, 1, &cause);
	if (c == NULL && strstr(cause, "permission") != NULL) {
		/* root without CAP_NET_RAW, e.g. in a container */
		fprintf(stderr, "SKIP live capture: %s\n", cause);
		free(cause);
		close(rx);
		return;
	}
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_uint_eq(capture_linktype(c), 1);	/* lo is Ethernet */
	ck_assert_int_eq(capture_start(c, &cause), 0);

	tx = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(tx, 0);
	ck_assert_int_eq(connect(tx, (struct sockaddr *)&sa, sizeof sa), 0);
	sl = sizeof sa;
	ck_assert_int_eq(getsockname(tx, (struct sockaddr *)&sa, &sl), 0);
	sport = ntohs(sa.sin_port);
	for (i = 0; i < 50; i++)
		ck_assert_int_eq(send(tx, "wiretop", 7, 0), 7);

	t0 = mono_ns();
	while (seen < 50 && mono_ns() - t0 < 5000000000ull) {
		n = ring_peek(capture_ring(c), &first, 64);
		if (n == 0) {
			sleep_ms(10);
			continue;
		}
		m = first;
		for (k = 0; k < n; k++) {
			seen++;
			if (m[k].sport == sport && m[k].dport == port &&
			    m[k].proto == 17 && m[k].ip_ver == 4 &&
			    m[k].wire_len == 14 + 20 + 8 + 7)
				match++;
		}
		ring_release(capture_ring(c), n);
	}
	capture_stop(c);
	ck_assert_int_eq(capture_finished(c), 1);
	capture_get_stats(c, &st);
	ck_assert_uint_ge(st.packets, 50);
	ck_assert_uint_eq(st.ring_drops, 0);
	ck_assert_msg(match >= 50, "%u of %u packets matched", match, seen);

	/* a new filter compiles; a bad one is refused at once */
	ck_assert_int_eq(capture_set_filter(c, "tcp", &cause), 0);
	ck_assert_int_eq(capture_set_filter(c, "tcp and", &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "filter"));
	free(cause);
	cause = NULL;
	capture_free(c);
	close(tx);
	close(rx);

	/* an interface that does not exist */
	o.name = "wt-no-such0";
	o.filter = NULL;
	ck_assert_ptr_null(capture_open(&o, 0, &cause));
	ck_assert_msg(strstr(cause, "no such device") != NULL, "%s", cause);
	free(cause);
}
END_TEST

START_TEST(test_capture_default_interface)
{
	char *cause = NULL, *name;

	/* environment-dependent: a name, or NULL with a reason */
	name = capture_default_interface(&cause);
	if (name != NULL) {
		ck_assert_str_ne(name, "lo");
		ck_assert_str_ne(name, "any");
		free(name);
	} else {
		ck_assert_ptr_nonnull(cause);
		free(cause);
	}
}
END_TEST

static Suite *
pcapfile_suite(void)
{
	Suite *s = suite_create("pcapfile");
	TCase *tp = tcase_create("pcap");
	TCase *tn = tcase_create("pcapng");
	TCase *tc = tcase_create("corpus");
	TCase *ts = tcase_create("capture");

	tcase_add_test(tp, test_pcap_orders);
	tcase_add_test(tp, test_pcap_variants);
	tcase_add_test(tp, test_pcap_errors);
	tcase_add_test(tp, test_pcap_truncated);
	tcase_add_test(tp, test_pcap_stream_big);
	tcase_add_test(tp, test_pcap_buffered_size);
	tcase_add_test(tp, test_stream_cancel);
	suite_add_tcase(s, tp);
	tcase_add_test(tn, test_pcapng_sections);
	tcase_add_test(tn, test_pcapng_truncated);
	tcase_add_test(tn, test_pcapng_tsresol);
	tcase_add_test(tn, test_pcapng_resync);
	tcase_add_test(tn, test_pcapng_errors);
	suite_add_tcase(s, tn);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_corpus_pcapng_suite);
	tcase_add_test(tc, test_corpus_real);
	tcase_add_test(tc, test_corpus_tcpdump);
	suite_add_tcase(s, tc);
	tcase_set_timeout(ts, 60);
	tcase_add_test(ts, test_capture_file_backpressure);
	tcase_add_test(ts, test_capture_file_filter);
	tcase_add_test(ts, test_capture_file_pacing);
	tcase_add_test(ts, test_capture_file_pause_stop);
	tcase_add_test(ts, test_capture_file_failed);
	tcase_add_test(ts, test_capture_live_lo);
	tcase_add_test(ts, test_capture_default_interface);
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pcapfile_suite());
	int failed;

	/* made here, before check forks a child per test */
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	tmpdir_made = 1;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tmp_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
