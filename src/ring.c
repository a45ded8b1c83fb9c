/*
 * ring.c: lock-free single-producer single-consumer ring.
 *
 * The producer is a capture thread, the consumer the main thread.  Head
 * (written by the producer) and tail (written by the consumer) live on
 * separate cache lines; each side keeps a private cached copy of the
 * other's index so it touches the shared line only when it must.  Slots
 * are published in batches with a release store and read after an acquire
 * load.  Wakeups go through two eventfds, written only when the other side
 * said it is about to sleep, so the hot path makes no system call.  A
 * publish wakes the consumer only when something new was published since
 * the last wake (a live source asks for wake_batch records, and wakes
 * the consumer itself when they wait too long: ring_unwoken/ring_wake).
 */
#include "config.h"
#include "ring.h"

#include <errno.h>
#include <poll.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "xmalloc.h"

#define RING_CACHELINE 64

struct ring {
	/* read-only after create */
	uint8_t *slots;
	size_t slot_size;	/* stride, rounded up to 8 */
	size_t rec_size;	/* bytes a record really has */
	size_t mask;
	int data_fd;		/* consumer sleeps on this */
	int space_fd;		/* producer sleeps on this */

	alignas(RING_CACHELINE) _Atomic size_t head;	/* producer writes */
	_Atomic int cons_sleeping;

	alignas(RING_CACHELINE) _Atomic size_t tail;	/* consumer writes */
	_Atomic int prod_sleeping;

	alignas(RING_CACHELINE) size_t p_head;	/* producer private */
	size_t p_tail_cache;
	size_t p_woken;		/* head at the last wake check */
	size_t wake_batch;	/* records published before a wake */

	alignas(RING_CACHELINE) size_t c_tail;	/* consumer private */
	size_t c_head_cache;
};

struct ring *
ring_create(size_t slot_size, size_t nslots, char **cause)
{
	struct ring *r;
	size_t n = 2;

	while (n < nslots)
		n <<= 1;
	r = aligned_alloc(RING_CACHELINE, sizeof *r);
	if (r == NULL) {
		*cause = xstrdup("out of memory for ring");
		return NULL;
	}
	memset(r, 0, sizeof *r);
	r->rec_size = slot_size;
	r->slot_size = (slot_size + 7) & ~(size_t)7;
	r->mask = n - 1;
	r->wake_batch = 1;
	r->slots = xcalloc(n, r->slot_size);
	r->data_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r->space_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->data_fd == -1 || r->space_fd == -1) {
		xasprintf(cause, "eventfd: %s", strerror(errno));
		ring_free(r);
		return NULL;
	}
	return r;
}

void
ring_free(struct ring *r)
{
	if (r == NULL)
		return;
	if (r->data_fd >= 0)
		close(r->data_fd);
	if (r->space_fd >= 0)
		close(r->space_fd);
	free(r->slots);
	free(r);
}

static void
ring_kick(int fd)
{
	uint64_t one = 1;
	ssize_t n;

	n = write(fd, &one, sizeof one);
	(void)n;		/* EAGAIN: counter already non-zero */
}

static void
ring_drain_fd(int fd)
{
	uint64_t v;
	ssize_t n;

	n = read(fd, &v, sizeof v);
	(void)n;
}

void *
ring_reserve(struct ring *r)
{
	if (r->p_head - r->p_tail_cache > r->mask) {
		r->p_tail_cache = atomic_load_explicit(&r->tail,
		    memory_order_acquire);
		if (r->p_head - r->p_tail_cache > r->mask)
			return NULL;
	}
	return r->slots + (r->p_head & r->mask) * r->slot_size;
}

void *
ring_reserve_at(struct ring *r, size_t i)
{
	if (i > r->mask)
		return NULL;
	if (r->p_head + i - r->p_tail_cache > r->mask) {
		r->p_tail_cache = atomic_load_explicit(&r->tail,
		    memory_order_acquire);
		if (r->p_head + i - r->p_tail_cache > r->mask)
			return NULL;
	}
	return r->slots + ((r->p_head + i) & r->mask) * r->slot_size;
}

void
ring_commit(struct ring *r)
{
	r->p_head++;
}

void
ring_publish(struct ring *r)
{
	atomic_store_explicit(&r->head, r->p_head, memory_order_release);
	if (r->p_head - r->p_woken >= r->wake_batch)
		ring_wake(r);
}

void
ring_wake(struct ring *r)
{
	r->p_woken = r->p_head;
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&r->cons_sleeping, memory_order_relaxed) &&
	    atomic_exchange(&r->cons_sleeping, 0))
		ring_kick(r->data_fd);
}

size_t
ring_unwoken(struct ring *r)
{
	return r->p_head - r->p_woken;
}

void
ring_set_wake_batch(struct ring *r, size_t n)
{
	r->wake_batch = n == 0 ? 1 : n > r->mask + 1 ? r->mask + 1 : n;
}

int
ring_push(struct ring *r, const void *rec)
{
	void *slot = ring_reserve(r);

	if (slot == NULL)
		return 0;
	memcpy(slot, rec, r->rec_size);
	ring_commit(r);
	return 1;
}

int
ring_wait_space(struct ring *r, int timeout_ms)
{
	return ring_wait_room(r, 1, timeout_ms);
}

int
ring_wait_room(struct ring *r, size_t n, int timeout_ms)
{
	struct pollfd pfd;

	if (n == 0 || ring_reserve_at(r, n - 1) != NULL)
		return 1;
	ring_publish(r);
	ring_wake(r);		/* a full ring is worth a wake-up */
	atomic_store(&r->prod_sleeping, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (ring_reserve_at(r, n - 1) != NULL) {
		atomic_store(&r->prod_sleeping, 0);
		return 1;
	}
	pfd.fd = r->space_fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	poll(&pfd, 1, timeout_ms);
	ring_drain_fd(r->space_fd);
	atomic_store(&r->prod_sleeping, 0);
	return ring_reserve_at(r, n - 1) != NULL;
}

size_t
ring_peek(struct ring *r, void **first, size_t max)
{
	size_t avail, idx, contig;

	if (r->c_head_cache == r->c_tail)
		r->c_head_cache = atomic_load_explicit(&r->head,
		    memory_order_acquire);
	avail = r->c_head_cache - r->c_tail;
	if (avail == 0)
		return 0;
	idx = r->c_tail & r->mask;
	contig = r->mask + 1 - idx;
	if (avail > contig)
		avail = contig;
	if (avail > max)
		avail = max;
	*first = r->slots + idx * r->slot_size;
	return avail;
}

void
ring_release(struct ring *r, size_t n)
{
	r->c_tail += n;
	atomic_store_explicit(&r->tail, r->c_tail, memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load_explicit(&r->prod_sleeping, memory_order_relaxed) &&
	    atomic_exchange(&r->prod_sleeping, 0))
		ring_kick(r->space_fd);
}

size_t
ring_count(struct ring *r)
{
	r->c_head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
	return r->c_head_cache - r->c_tail;
}

int
ring_arm(struct ring *r)
{
	atomic_store(&r->cons_sleeping, 1);
	atomic_thread_fence(memory_order_seq_cst);
	if (ring_count(r) != 0) {
		atomic_store(&r->cons_sleeping, 0);
		return 1;
	}
	return 0;
}

int
ring_fd(struct ring *r)
{
	return r->data_fd;
}

void
ring_clear_fd(struct ring *r)
{
	ring_drain_fd(r->data_fd);
}

size_t
ring_slot_size(struct ring *r)
{
	return r->slot_size;
}

size_t
ring_capacity(struct ring *r)
{
	return r->mask + 1;
}
