/*
 * ring.h: single-producer single-consumer ring of fixed-size slots.
 */
#ifndef WIRETOP_RING_H
#define WIRETOP_RING_H

#include <stddef.h>
#include <stdint.h>

#define RING_DEFAULT_SLOTS	(1u << 14)	/* file sources */
#define RING_LIVE_SLOTS		(1u << 16)	/* live sources */
#define RING_NAME_SLOTS		(1u << 10)

struct ring;

/* Create a ring of nslots (rounded up to a power of two) slots of
 * slot_size bytes. Returns NULL and fills cause on failure. */
struct ring	*ring_create(size_t slot_size, size_t nslots, char **cause);
void		 ring_free(struct ring *);

/* Producer: pointer to the next free slot, or NULL when the ring is full.
 * Fill it, then ring_commit(); records become visible at ring_publish(). */
void		*ring_reserve(struct ring *);
/* Producer: the free slot i places after the one ring_reserve() returns
 * (i = 0: that one), or NULL when fewer than i + 1 slots are free; lets
 * a producer fill a group of records before committing any of them (one
 * ring_commit() each, in order). */
void		*ring_reserve_at(struct ring *, size_t i);
void		 ring_commit(struct ring *);
void		 ring_publish(struct ring *);
/* Producer: wake the consumer if it sleeps, even if nothing is new
 * (ring_publish wakes it only after wake_batch new records). */
void		 ring_wake(struct ring *);
/* Producer: records published since the last wake. */
size_t		 ring_unwoken(struct ring *);
/* Producer: records a publish waits for before it wakes the consumer
 * (default 1; at most the capacity).  The producer then owes a
 * ring_wake() when they have waited long enough. */
void		 ring_set_wake_batch(struct ring *, size_t n);
/* Producer: copy one record in and commit; 0 if full. */
int		 ring_push(struct ring *, const void *rec);
/* Producer: wait until there is room or timeout_ms passes (backpressure
 * for file sources); returns 1 if there is room. */
int		 ring_wait_space(struct ring *, int timeout_ms);
/* Producer: the same for n free slots (a group of records). */
int		 ring_wait_room(struct ring *, size_t n, int timeout_ms);

/* Consumer: pointer to up to max contiguous readable records; returns the
 * count (0 if empty). Release them with ring_release(). */
size_t		 ring_peek(struct ring *, void **first, size_t max);
void		 ring_release(struct ring *, size_t n);
/* Consumer: records waiting. */
size_t		 ring_count(struct ring *);
/* Consumer: arm the wakeup; returns 1 if the ring is non-empty already
 * (do not sleep), else the producer will signal ring_fd() on publish. */
int		 ring_arm(struct ring *);
/* Consumer: fd that becomes readable when the producer published while
 * the consumer was armed. Drain it with ring_clear_fd(). */
int		 ring_fd(struct ring *);
void		 ring_clear_fd(struct ring *);
size_t		 ring_slot_size(struct ring *);
size_t		 ring_capacity(struct ring *);

#endif
