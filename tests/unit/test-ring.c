/*
 * test-ring.c: unit tests for the SPSC ring (src/ring.c).
 *
 * Single-thread semantics (capacity rounding, full, wrap-around, peek
 * contiguity, wakeup arming), then two threads: ten million sequence
 * numbers with backpressure (order and no loss), and a dropping producer
 * (what arrives is in order; arrived + dropped == sent).
 */
#include "config.h"

#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "xmalloc.h"

static struct ring *
mkring(size_t slot, size_t n)
{
	struct ring *r;
	char *cause = NULL;

	r = ring_create(slot, n, &cause);
	ck_assert_msg(r != NULL, "ring_create: %s", cause ? cause : "?");
	return r;
}

static int
fd_readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

START_TEST(test_capacity)
{
	struct ring *r;

	r = mkring(8, 5);
	ck_assert_uint_eq(ring_capacity(r), 8);
	ring_free(r);
	r = mkring(8, 0);
	ck_assert_uint_eq(ring_capacity(r), 2);
	ring_free(r);
	r = mkring(8, 1024);
	ck_assert_uint_eq(ring_capacity(r), 1024);
	ring_free(r);
	/* slots are padded to 8 bytes */
	r = mkring(5, 4);
	ck_assert_uint_eq(ring_slot_size(r), 8);
	ring_free(r);
	ring_free(NULL);
}
END_TEST

START_TEST(test_full_and_publish)
{
	struct ring *r = mkring(sizeof(uint64_t), 4);
	uint64_t v, *slot;
	void *first;
	size_t n;

	for (v = 1; v <= 4; v++) {
		slot = ring_reserve(r);
		ck_assert_ptr_nonnull(slot);
		*slot = v;
		ring_commit(r);
	}
	ck_assert_ptr_null(ring_reserve(r));
	v = 99;
	ck_assert_int_eq(ring_push(r, &v), 0);
	/* nothing is visible before publish */
	ck_assert_uint_eq(ring_count(r), 0);
	ck_assert_uint_eq(ring_peek(r, &first, 10), 0);
	ring_publish(r);
	ck_assert_uint_eq(ring_count(r), 4);
	n = ring_peek(r, &first, 10);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(((uint64_t *)first)[0], 1);
	ck_assert_uint_eq(((uint64_t *)first)[3], 4);
	/* max limits the count */
	ck_assert_uint_eq(ring_peek(r, &first, 3), 3);
	ring_release(r, 1);
	ck_assert_uint_eq(ring_count(r), 3);
	/* one slot free again */
	v = 5;
	ck_assert_int_eq(ring_push(r, &v), 1);
	ck_assert_int_eq(ring_push(r, &v), 0);
	ring_free(r);
}
END_TEST

START_TEST(test_reserve_at)
{
	struct ring *r = mkring(sizeof(uint64_t), 4);
	uint64_t v, *slot;
	void *first;
	size_t n, i;

	/* a group of 3 fits in 4 free slots, a group of 5 never */
	ck_assert_ptr_eq(ring_reserve_at(r, 0), ring_reserve(r));
	ck_assert_ptr_nonnull(ring_reserve_at(r, 3));
	ck_assert_ptr_null(ring_reserve_at(r, 4));
	ck_assert_ptr_null(ring_reserve_at(r, (size_t)-1));
	ck_assert_int_eq(ring_wait_room(r, 4, 0), 1);
	ck_assert_int_eq(ring_wait_room(r, 5, 0), 0);
	/* tail at 3: the group 10, 11, 12 wraps */
	for (v = 1; v <= 3; v++)
		ck_assert_int_eq(ring_push(r, &v), 1);
	ring_publish(r);
	ck_assert_uint_eq(ring_peek(r, &first, 10), 3);
	ring_release(r, 3);
	for (i = 0; i < 3; i++) {
		slot = ring_reserve_at(r, i);
		ck_assert_ptr_nonnull(slot);
		*slot = 10 + i;
	}
	/* nothing is committed yet: the ring still has 4 free slots */
	ck_assert_ptr_nonnull(ring_reserve_at(r, 3));
	for (i = 0; i < 3; i++)
		ring_commit(r);
	ck_assert_ptr_nonnull(ring_reserve_at(r, 0));
	ck_assert_ptr_null(ring_reserve_at(r, 1));
	ck_assert_int_eq(ring_wait_room(r, 2, 0), 0);
	ring_publish(r);
	n = ring_peek(r, &first, 10);
	ck_assert_uint_eq(n, 1);		/* slot 3, then the wrap */
	ck_assert_uint_eq(((uint64_t *)first)[0], 10);
	ring_release(r, n);
	n = ring_peek(r, &first, 10);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(((uint64_t *)first)[0], 11);
	ck_assert_uint_eq(((uint64_t *)first)[1], 12);
	ring_release(r, n);
	ring_free(r);
}
END_TEST

START_TEST(test_wrap_contiguity)
{
	struct ring *r = mkring(sizeof(uint64_t), 4);
	uint64_t v, *p;
	void *first;
	size_t n;

	for (v = 1; v <= 4; v++)
		ck_assert_int_eq(ring_push(r, &v), 1);
	ring_publish(r);
	ring_release(r, 2);			/* tail at index 2 */
	for (v = 5; v <= 6; v++)		/* land in slots 0 and 1 */
		ck_assert_int_eq(ring_push(r, &v), 1);
	ring_publish(r);
	ck_assert_uint_eq(ring_count(r), 4);
	/* only the run up to the end of the array is contiguous */
	n = ring_peek(r, &first, 100);
	ck_assert_uint_eq(n, 2);
	p = first;
	ck_assert_uint_eq(p[0], 3);
	ck_assert_uint_eq(p[1], 4);
	ring_release(r, n);
	n = ring_peek(r, &first, 100);
	ck_assert_uint_eq(n, 2);
	p = first;
	ck_assert_uint_eq(p[0], 5);
	ck_assert_uint_eq(p[1], 6);
	ring_release(r, n);
	ck_assert_uint_eq(ring_count(r), 0);
	ck_assert_uint_eq(ring_peek(r, &first, 100), 0);
	ring_free(r);
}
END_TEST

START_TEST(test_odd_record_size)
{
	struct ring *r = mkring(13, 8);
	uint8_t rec[13], *p;
	void *first;
	int i;

	for (i = 0; i < 8; i++) {
		memset(rec, i + 1, sizeof rec);
		ck_assert_int_eq(ring_push(r, rec), 1);
	}
	ring_publish(r);
	ck_assert_uint_eq(ring_peek(r, &first, 8), 8);
	p = first;
	for (i = 0; i < 8; i++) {
		ck_assert_uint_eq(p[i * ring_slot_size(r)], i + 1);
		ck_assert_uint_eq(p[i * ring_slot_size(r) + 12], i + 1);
	}
	ring_free(r);
}
END_TEST

START_TEST(test_arm_wakeup)
{
	struct ring *r = mkring(sizeof(uint64_t), 8);
	uint64_t v = 7;

	/* empty: arming says sleep, fd not readable */
	ck_assert_int_eq(ring_arm(r), 0);
	ck_assert_int_eq(fd_readable(ring_fd(r)), 0);
	/* a publish while armed makes the fd readable */
	ck_assert_int_eq(ring_push(r, &v), 1);
	ring_publish(r);
	ck_assert_int_eq(fd_readable(ring_fd(r)), 1);
	ring_clear_fd(r);
	ck_assert_int_eq(fd_readable(ring_fd(r)), 0);
	/* non-empty: arming says do not sleep */
	ck_assert_int_eq(ring_arm(r), 1);
	/* not armed: a publish does not signal */
	ring_release(r, 1);
	ck_assert_int_eq(ring_push(r, &v), 1);
	ring_publish(r);
	ck_assert_int_eq(fd_readable(ring_fd(r)), 0);
	ring_free(r);
}
END_TEST

/* Wake-ups: a publish with nothing new does not wake; with a wake batch
 * of 4 the fourth new record does; ring_wake wakes whatever is new. */
START_TEST(test_wake_batch)
{
	struct ring *r = mkring(sizeof(uint64_t), 16);
	uint64_t v = 7;
	int i;

	/* nothing new since the last wake: an armed consumer sleeps on */
	ck_assert_int_eq(ring_arm(r), 0);
	ring_publish(r);
	ck_assert_int_eq(fd_readable(ring_fd(r)), 0);
	/* but ring_wake wakes it (a source that ended says so) */
	ring_wake(r);
	ck_assert_int_eq(fd_readable(ring_fd(r)), 1);
	ring_clear_fd(r);

	ring_set_wake_batch(r, 4);
	/* the consumer goes to sleep on the empty ring; only the fourth
	 * record published wakes it */
	ck_assert_int_eq(ring_arm(r), 0);
	for (i = 1; i <= 4; i++) {
		ck_assert_int_eq(ring_push(r, &v), 1);
		ring_publish(r);
		ck_assert_uint_eq(ring_unwoken(r), i < 4 ? (unsigned)i : 0);
		ck_assert_int_eq(fd_readable(ring_fd(r)), i == 4);
	}
	ring_clear_fd(r);
	ring_release(r, 4);
	/* one record waits; the producer's deadline wakes the consumer */
	ck_assert_int_eq(ring_arm(r), 0);
	ck_assert_int_eq(ring_push(r, &v), 1);
	ring_publish(r);
	ck_assert_int_eq(fd_readable(ring_fd(r)), 0);
	ck_assert_uint_eq(ring_unwoken(r), 1);
	ring_wake(r);
	ck_assert_int_eq(fd_readable(ring_fd(r)), 1);
	ck_assert_uint_eq(ring_unwoken(r), 0);
	ring_free(r);
}
END_TEST

START_TEST(test_wait_space)
{
	struct ring *r = mkring(sizeof(uint64_t), 2);
	uint64_t v = 1;

	ck_assert_int_eq(ring_wait_space(r, 0), 1);
	ck_assert_int_eq(ring_push(r, &v), 1);
	ck_assert_int_eq(ring_push(r, &v), 1);
	/* full and nobody consumes: times out */
	ck_assert_int_eq(ring_wait_space(r, 10), 0);
	/* wait_space published what was committed */
	ck_assert_uint_eq(ring_count(r), 2);
	ring_release(r, 1);
	ck_assert_int_eq(ring_wait_space(r, 10), 1);
	ring_free(r);
}
END_TEST

/* ---- two threads ------------------------------------------------------ */

#define SEQ_TOTAL	10000000ull
#define SEQ_BATCH	64

struct seq_arg {
	struct ring *r;
	uint64_t total;
	uint64_t drops;		/* drop mode */
	int drop;		/* 1: never wait, count drops */
};

static void *
seq_producer(void *arg)
{
	struct seq_arg *a = arg;
	uint64_t i, *slot;
	unsigned batch = 0;

	for (i = 1; i <= a->total; i++) {
		while ((slot = ring_reserve(a->r)) == NULL) {
			if (a->drop)
				break;
			ring_wait_space(a->r, 100);
		}
		if (slot == NULL) {
			a->drops++;
			continue;
		}
		*slot = i;
		ring_commit(a->r);
		if (++batch == SEQ_BATCH) {
			ring_publish(a->r);
			batch = 0;
		}
	}
	ring_publish(a->r);
	return NULL;
}

/* Consume until got + drops reaches total; returns records received and
 * fails the test on a sequence error. */
static uint64_t
seq_consume(struct seq_arg *a, int lossless, int *done)
{
	struct pollfd pfd;
	uint64_t got = 0, last = 0, *p;
	void *first;
	size_t n, i;

	for (;;) {
		n = ring_peek(a->r, &first, 4096);
		if (n == 0) {
			if (__atomic_load_n(done, __ATOMIC_ACQUIRE) &&
			    ring_count(a->r) == 0)
				break;
			if (ring_arm(a->r))
				continue;
			pfd.fd = ring_fd(a->r);
			pfd.events = POLLIN;
			poll(&pfd, 1, 50);
			ring_clear_fd(a->r);
			continue;
		}
		p = first;
		/* plain tests: a ck_assert per record is too slow */
		for (i = 0; i < n; i++) {
			if (lossless ? p[i] != last + 1 : p[i] <= last)
				ck_abort_msg("record %llu after %llu",
				    (unsigned long long)p[i],
				    (unsigned long long)last);
			last = p[i];
		}
		got += n;
		ring_release(a->r, n);
	}
	return got;
}

struct seq_thread {
	struct seq_arg a;
	int done;
};

static void *
seq_thread_main(void *arg)
{
	struct seq_thread *t = arg;

	seq_producer(&t->a);
	__atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

START_TEST(test_two_threads_backpressure)
{
	struct seq_thread t;
	pthread_t th;
	uint64_t got;

	memset(&t, 0, sizeof t);
	t.a.r = mkring(sizeof(uint64_t), 1024);
	t.a.total = SEQ_TOTAL;
	ck_assert_int_eq(pthread_create(&th, NULL, seq_thread_main, &t), 0);
	got = seq_consume(&t.a, 1, &t.done);
	pthread_join(th, NULL);
	ck_assert_uint_eq(got, SEQ_TOTAL);
	ck_assert_uint_eq(t.a.drops, 0);
	ring_free(t.a.r);
}
END_TEST

START_TEST(test_two_threads_drop)
{
	struct seq_thread t;
	pthread_t th;
	uint64_t got;

	memset(&t, 0, sizeof t);
	t.a.r = mkring(sizeof(uint64_t), 256);
	t.a.total = 2000000;
	t.a.drop = 1;
	ck_assert_int_eq(pthread_create(&th, NULL, seq_thread_main, &t), 0);
	got = seq_consume(&t.a, 0, &t.done);
	pthread_join(th, NULL);
	ck_assert_uint_eq(got + t.a.drops, 2000000);
	ck_assert_uint_gt(got, 0);
	ring_free(t.a.r);
}
END_TEST

START_TEST(test_drop_single)
{
	struct ring *r = mkring(sizeof(uint64_t), 16);
	struct seq_arg a = { .r = r, .total = 100, .drop = 1 };
	void *first;
	uint64_t *p;
	size_t n;

	/* nobody consumes: exactly the capacity arrives, in order */
	seq_producer(&a);
	ck_assert_uint_eq(a.drops, 100 - 16);
	n = ring_peek(r, &first, 100);
	ck_assert_uint_eq(n, 16);
	p = first;
	ck_assert_uint_eq(p[0], 1);
	ck_assert_uint_eq(p[15], 16);
	ring_free(r);
}
END_TEST

static Suite *
ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("single");
	TCase *tt = tcase_create("threads");

	tcase_add_test(tc, test_capacity);
	tcase_add_test(tc, test_full_and_publish);
	tcase_add_test(tc, test_wrap_contiguity);
	tcase_add_test(tc, test_reserve_at);
	tcase_add_test(tc, test_odd_record_size);
	tcase_add_test(tc, test_arm_wakeup);
	tcase_add_test(tc, test_wake_batch);
	tcase_add_test(tc, test_wait_space);
	tcase_add_test(tc, test_drop_single);
	suite_add_tcase(s, tc);
	tcase_set_timeout(tt, 120);
	tcase_add_test(tt, test_two_threads_backpressure);
	tcase_add_test(tt, test_two_threads_drop);
	suite_add_tcase(s, tt);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ring_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
