/*
 * engine-rate.c: per-second byte (and packet) rings on packet time.
 *
 * Owned by the main thread, like the engine that embeds them.  A ring
 * keeps the seconds head_sec - SLOTS + 1 .. head_sec; bucket sec % SLOTS
 * holds second sec.  Advancing the head zeroes the buckets it passes
 * over (all of them if it moves by a whole window or more), so a bucket
 * is valid exactly when its second is inside that window.  Adds older
 * than the window are dropped; counts saturate instead of wrapping.
 */
#include "config.h"
#include "engine.h"

#include <string.h>

/* Valid seconds of a ring with head h and n slots: [lo, h]. */
static uint64_t
rate_window_lo(uint64_t head, unsigned slots)
{
	return head >= slots - 1 ? head - (slots - 1) : 0;
}

/* Complete seconds [lo, hi] asked for, clipped to the window; 0 if empty. */
static int
rate_span(uint64_t head, unsigned slots, uint64_t now_sec, unsigned secs,
    uint64_t *lo, uint64_t *hi)
{
	uint64_t wlo = rate_window_lo(head, slots);

	if (secs == 0 || now_sec == 0)
		return 0;
	*hi = now_sec - 1;
	*lo = now_sec >= secs ? now_sec - secs : 0;
	if (*hi > head)
		*hi = head;
	if (*lo < wlo)
		*lo = wlo;
	return *lo <= *hi;
}

const struct rate rate_none;

/* Move a ring's head to sec.  Returns -1 if sec is older than the window,
 * else how many buckets start a new second and must be zeroed (at most
 * slots), the first of them for second *first. */
static long
rate_move(uint64_t *head, unsigned slots, uint64_t sec, uint64_t *first)
{
	uint64_t n;

	if (sec <= *head)
		return *head - sec >= slots ? -1 : 0;
	n = sec - *head;
	if (n > slots)
		n = slots;
	*first = sec - n + 1;
	*head = sec;
	return (long)n;
}

/* The second shown at position i of an n-second series ending before
 * now_sec; 0 if that second is outside the ring's window. */
static int
rate_series_sec(uint64_t head, unsigned slots, uint64_t now_sec, unsigned n,
    unsigned i, uint64_t *sec)
{
	uint64_t back = (uint64_t)n - i;	/* seconds before now */

	if (now_sec < back)
		return 0;
	*sec = now_sec - back;
	return *sec >= rate_window_lo(head, slots) && *sec <= head;
}

/* Add bytes to second sec, advancing the ring if sec is newer. */
void
rate_add(struct rate *r, uint64_t sec, uint32_t bytes)
{
	uint64_t s0 = 0;
	uint32_t *b;
	long k, n;

	if ((n = rate_move(&r->head_sec, RATE_SLOTS, sec, &s0)) < 0)
		return;
	for (k = 0; k < n; k++)
		r->bytes[(s0 + (uint64_t)k) % RATE_SLOTS] = 0;
	b = &r->bytes[sec % RATE_SLOTS];
	*b = (UINT32_MAX - *b < bytes) ? UINT32_MAX : *b + bytes;
}

/* Average bytes per second over the secs complete seconds before now. */
double
rate_avg(const struct rate *r, uint64_t now_sec, unsigned secs)
{
	uint64_t lo, hi, s, sum = 0;

	if (!rate_span(r->head_sec, RATE_SLOTS, now_sec, secs, &lo, &hi))
		return 0;
	for (s = lo; s <= hi; s++)
		sum += r->bytes[s % RATE_SLOTS];
	return (double)sum / secs;
}

/* Copy the last n complete seconds, oldest first. */
void
rate_series(const struct rate *r, uint64_t now_sec, uint32_t *out,
    unsigned n)
{
	uint64_t s;
	unsigned i;

	for (i = 0; i < n; i++)
		out[i] = rate_series_sec(r->head_sec, RATE_SLOTS, now_sec, n, i,
		    &s) ? r->bytes[s % RATE_SLOTS] : 0;
}

/* Add bytes and packets to second sec of a history ring. */
void
rate_hist_add(struct rate_hist *r, uint64_t sec, uint32_t bytes,
    uint32_t pkts)
{
	uint64_t s0 = 0;
	unsigned i;
	long k, n;

	if ((n = rate_move(&r->head_sec, RATE_HIST_SLOTS, sec, &s0)) < 0)
		return;
	for (k = 0; k < n; k++) {
		i = (unsigned)((s0 + (uint64_t)k) % RATE_HIST_SLOTS);
		r->bytes[i] = 0;
		r->pkts[i] = 0;
	}
	i = (unsigned)(sec % RATE_HIST_SLOTS);
	r->bytes[i] += bytes;
	r->pkts[i] = (UINT32_MAX - r->pkts[i] < pkts) ? UINT32_MAX :
	    r->pkts[i] + pkts;
}

/* Per-second average of bytes (or packets) over secs complete seconds. */
static double
rate_hist_mean(const struct rate_hist *r, uint64_t now_sec, unsigned secs,
    int pkts)
{
	uint64_t lo, hi, s, sum = 0;

	if (!rate_span(r->head_sec, RATE_HIST_SLOTS, now_sec, secs, &lo, &hi))
		return 0;
	for (s = lo; s <= hi; s++)
		sum += pkts ? r->pkts[s % RATE_HIST_SLOTS] :
		    r->bytes[s % RATE_HIST_SLOTS];
	return (double)sum / secs;
}

/* Average bytes per second over secs complete seconds. */
double
rate_hist_avg(const struct rate_hist *r, uint64_t now_sec, unsigned secs)
{
	return rate_hist_mean(r, now_sec, secs, 0);
}

/* Average packets per second over secs complete seconds. */
double
rate_hist_pps(const struct rate_hist *r, uint64_t now_sec, unsigned secs)
{
	return rate_hist_mean(r, now_sec, secs, 1);
}

/* Copy the bytes of the last n complete seconds, oldest first. */
void
rate_hist_series(const struct rate_hist *r, uint64_t now_sec, uint64_t *out,
    unsigned n)
{
	uint64_t s;
	unsigned i;

	for (i = 0; i < n; i++)
		out[i] = rate_series_sec(r->head_sec, RATE_HIST_SLOTS, now_sec,
		    n, i, &s) ? r->bytes[s % RATE_HIST_SLOTS] : 0;
}
