/*
 * pktbuf.h: the one bounds-checked reader every decoder reads packets with.
 *
 * A short read returns 0 (or leaves the output zeroed) and sets the sticky
 * PKTBUF_TRUNCATED flag; a decoder checks the flag once at the end of a
 * layer.  Bounds are tested as n <= (size_t)(end - p), never p + n <= end,
 * because forming a pointer past the end is undefined behaviour.
 */
#ifndef WIRETOP_PKTBUF_H
#define WIRETOP_PKTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PKTBUF_TRUNCATED 0x1

struct pktbuf {
	const uint8_t *p;	/* next byte to read (borrowed) */
	const uint8_t *end;	/* one past the last captured byte */
	unsigned flags;		/* PKTBUF_* (sticky) */
};

static inline void
pktbuf_init(struct pktbuf *b, const uint8_t *p, size_t len)
{
	b->p = p;
	b->end = p + len;
	b->flags = 0;
}

static inline size_t
pktbuf_left(const struct pktbuf *b)
{
	return (size_t)(b->end - b->p);
}

static inline int
pktbuf_has(struct pktbuf *b, size_t n)
{
	if (n <= pktbuf_left(b))
		return 1;
	b->flags |= PKTBUF_TRUNCATED;
	return 0;
}

static inline uint8_t
pktbuf_u8(struct pktbuf *b)
{
	if (!pktbuf_has(b, 1))
		return 0;
	return *b->p++;
}

static inline uint16_t
pktbuf_be16(struct pktbuf *b)
{
	uint16_t v;

	if (!pktbuf_has(b, 2))
		return 0;
	v = (uint16_t)((b->p[0] << 8) | b->p[1]);
	b->p += 2;
	return v;
}

static inline uint16_t
pktbuf_le16(struct pktbuf *b)
{
	uint16_t v;

	if (!pktbuf_has(b, 2))
		return 0;
	v = (uint16_t)((b->p[1] << 8) | b->p[0]);
	b->p += 2;
	return v;
}

static inline uint32_t
pktbuf_be32(struct pktbuf *b)
{
	uint32_t v;

	if (!pktbuf_has(b, 4))
		return 0;
	v = ((uint32_t)b->p[0] << 24) | ((uint32_t)b->p[1] << 16) |
	    ((uint32_t)b->p[2] << 8) | b->p[3];
	b->p += 4;
	return v;
}

static inline uint32_t
pktbuf_le32(struct pktbuf *b)
{
	uint32_t v;

	if (!pktbuf_has(b, 4))
		return 0;
	v = ((uint32_t)b->p[3] << 24) | ((uint32_t)b->p[2] << 16) |
	    ((uint32_t)b->p[1] << 8) | b->p[0];
	b->p += 4;
	return v;
}

/* Copy n bytes out; on a short read the output is zeroed. */
static inline int
pktbuf_bytes(struct pktbuf *b, void *out, size_t n)
{
	if (!pktbuf_has(b, n)) {
		memset(out, 0, n);
		return 0;
	}
	memcpy(out, b->p, n);
	b->p += n;
	return 1;
}

static inline int
pktbuf_skip(struct pktbuf *b, size_t n)
{
	if (!pktbuf_has(b, n)) {
		b->p = b->end;
		return 0;
	}
	b->p += n;
	return 1;
}

/* Narrow the buffer to at most n bytes from here (a length field says the
 * layer is shorter than what was captured); never widens it. */
static inline void
pktbuf_limit(struct pktbuf *b, size_t n)
{
	if (n < pktbuf_left(b))
		b->end = b->p + n;
}

#endif
