/*
 * lo-send.c: a bounded UDP sender at a fixed rate, for the live benchmark.
 *
 * A benchmark tool (single-threaded, not part of the program).  Sends
 * COUNT datagrams of SIZE bytes to ADDR:PORT (default 127.0.0.1:9999) at
 * RATE per second, in slices of 1 ms
 * (sendmmsg of the datagrams due in that slice), and never for longer
 * than twice the planned time plus a second.  Prints what it sent:
 * "sent N in S s (R pps)".  When ADDR is local, a socket bound to it
 * and never read absorbs the datagrams, so no ICMP port unreachable
 * doubles the traffic.  Only loopback or an address the caller owns
 * (a veth in a namespace it made) is a sane target.
 *
 *   lo-send [-r RATE] [-n COUNT] [-s SIZE] [-p PORT] [ADDR]
 */
#define _GNU_SOURCE
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LO_SEND_SLICE_NS	1000000ull
#define LO_SEND_BURST		1024

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	static struct mmsghdr msgs[LO_SEND_BURST];
	static struct iovec iov[LO_SEND_BURST];
	static char payload[65536];
	struct sockaddr_in sa;
	struct timespec ts;
	uint64_t rate = 100000, count = 300000, sent = 0, due, t0, t, limit;
	unsigned size = 64, port = 9999, i, k;
	const char *addr = "127.0.0.1";
	int c, fd, sink, r;

	while ((c = getopt(argc, argv, "r:n:s:p:")) != -1) {
		switch (c) {
		case 'r':
			rate = strtoull(optarg, NULL, 10);
			break;
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 's':
			size = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			port = (unsigned)strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: lo-send [-r RATE] [-n COUNT] "
			    "[-s SIZE] [-p PORT] [ADDR]\n");
			return 2;
		}
	}
	if (optind < argc)
		addr = argv[optind];
	if (rate == 0 || size > sizeof payload || port > 65535) {
		fprintf(stderr, "lo-send: bad rate, size or port\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "lo-send: %s: not an IPv4 address\n", addr);
		return 2;
	}
	sink = socket(AF_INET, SOCK_DGRAM, 0);
	if (sink != -1 && bind(sink, (struct sockaddr *)&sa, sizeof sa) == -1) {
		close(sink);
		sink = -1;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		perror("lo-send");
		return 1;
	}
	for (i = 0; i < LO_SEND_BURST; i++) {
		iov[i].iov_base = payload;
		iov[i].iov_len = size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	t0 = now_ns();
	limit = t0 + 2 * (count * 1000000000ull / rate) + 1000000000ull;
	while (sent < count) {
		t = now_ns();
		if (t > limit)
			break;
		/* datagrams due by now */
		due = (t - t0) * rate / 1000000000ull + 1;
		if (due > count)
			due = count;
		while (sent < due) {
			k = due - sent > LO_SEND_BURST ? LO_SEND_BURST :
			    (unsigned)(due - sent);
			r = sendmmsg(fd, msgs, k, 0);
			if (r <= 0)
				break;	/* ECONNREFUSED from an ICMP: go on */
			sent += (unsigned)r;
		}
		t += LO_SEND_SLICE_NS;
		ts.tv_sec = (time_t)(t / 1000000000ull);
		ts.tv_nsec = (long)(t % 1000000000ull);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	t = now_ns() - t0;
	printf("sent %llu in %.3f s (%.0f pps)\n", (unsigned long long)sent,
	    (double)t / 1e9, (double)sent * 1e9 / (double)(t ? t : 1));
	close(fd);
	if (sink != -1)
		close(sink);
	return sent == count ? 0 : 1;
}
