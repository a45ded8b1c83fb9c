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

/* Add bytes to second sec, advancing the ring if sec is newer. */
void
rate_add(struct rate *r, uint64_t sec, uint32_t bytes)
{
	uint32_t *b;

	if (sec > r->head_sec) {
		if (sec - r->head_sec >= RATE_SLOTS)
			memset(r->bytes, 0, sizeof r->bytes);
		else {
			uint64_t s;

			for (s = r->head_sec + 1; s <= sec; s++)
				r->bytes[s % RATE_SLOTS] = 0;
		}
		r->head_sec = sec;
	} else if (r->head_sec - sec >= RATE_SLOTS)
		return;
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
	uint64_t wlo = rate_window_lo(r->head_sec, RATE_SLOTS);
	unsigned i;

	for (i = 0; i < n; i++) {
		uint64_t back = (uint64_t)n - i;	/* seconds before now */
		uint64_t s;

		out[i] = 0;
		if (now_sec < back)
			continue;
		s = now_sec - back;
		if (s >= wlo && s <= r->head_sec)
			out[i] = r->bytes[s % RATE_SLOTS];
	}
}

/* Add bytes and packets to second sec of a history ring. */
void
rate_hist_add(struct rate_hist *r, uint64_t sec, uint32_t bytes,
    uint32_t pkts)
{
	unsigned i;

	if (sec > r->head_sec) {
		if (sec - r->head_sec >= RATE_HIST_SLOTS) {
			memset(r->bytes, 0, sizeof r->bytes);
			memset(r->pkts, 0, sizeof r->pkts);
		} else {
			uint64_t s;

			for (s = r->head_sec + 1; s <= sec; s++) {
				r->bytes[s % RATE_HIST_SLOTS] = 0;
				r->pkts[s % RATE_HIST_SLOTS] = 0;
			}
		}
		r->head_sec = sec;
	} else if (r->head_sec - sec >= RATE_HIST_SLOTS)
		return;
	i = (unsigned)(sec % RATE_HIST_SLOTS);
	r->bytes[i] += bytes;
	r->pkts[i] = (UINT32_MAX - r->pkts[i] < pkts) ? UINT32_MAX :
	    r->pkts[i] + pkts;
}

/* Average bytes per second over secs complete seconds. */
double
rate_hist_avg(const struct rate_hist *r, uint64_t now_sec, unsigned secs)
{
	uint64_t lo, hi, s, sum = 0;

	if (!rate_span(r->head_sec, RATE_HIST_SLOTS, now_sec, secs, &lo, &hi))
		return 0;
	for (s = lo; s <= hi; s++)
		sum += r->bytes[s % RATE_HIST_SLOTS];
	return (double)sum / secs;
}

/* Average packets per second over secs complete seconds. */
double
rate_hist_pps(const struct rate_hist *r, uint64_t now_sec, unsigned secs)
{
	uint64_t lo, hi, s, sum = 0;

	if (!rate_span(r->head_sec, RATE_HIST_SLOTS, now_sec, secs, &lo, &hi))
		return 0;
	for (s = lo; s <= hi; s++)
		sum += r->pkts[s % RATE_HIST_SLOTS];
	return (double)sum / secs;
}

/* Copy the bytes of the last n complete seconds, oldest first. */
void
rate_hist_series(const struct rate_hist *r, uint64_t now_sec, uint64_t *out,
    unsigned n)
{
	uint64_t wlo = rate_window_lo(r->head_sec, RATE_HIST_SLOTS);
	unsigned i;

	for (i = 0; i < n; i++) {
		uint64_t back = (uint64_t)n - i;
		uint64_t s;

		out[i] = 0;
		if (now_sec < back)
			continue;
		s = now_sec - back;
		if (s >= wlo && s <= r->head_sec)
			out[i] = r->bytes[s % RATE_HIST_SLOTS];
	}
}
