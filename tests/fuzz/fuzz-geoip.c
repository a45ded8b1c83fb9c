/*
 * fuzz-geoip.c: libFuzzer target for the GeoIP reader (geoip.c over
 * libmaxminddb).
 *
 * Hands the input to geoip_open() as both the country and the ASN
 * database (a memfd, opened through its /proc/self/fd path as a file on
 * disk is), then looks up a fixed set of IPv4 and IPv6 addresses and 64
 * taken from the input.  The reader's promises: no crash or sanitizer
 * report whatever the file; a notice is one line without a control
 * byte; a country code is two letters A-Z or nothing; a name is at most
 * GEOIP_NAME_MAX bytes.  Single-threaded; geoip_free() frees what a run
 * kept.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "geoip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libmaxminddb 1.7.1 (Debian 12) leaks its metadata's data list when
 * MMDB_open() fails on some damaged metadata (fixed upstream in
 * libmaxminddb pull request 356): not wiretop's memory, so LeakSanitizer
 * is told to let the library's allocations be. */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libmaxminddb.so\n";
}

static void
fuzz_check(struct geoip *g, uint8_t ver, const uint8_t a[16])
{
	struct geoip_info i;

	geoip_lookup(g, ver, a, &i);
	if (i.cc[0] != '\0' && (i.cc[0] < 'A' || i.cc[0] > 'Z' ||
	    i.cc[1] < 'A' || i.cc[1] > 'Z'))
		abort();
	if (strlen(geoip_str(g, i.org)) > GEOIP_NAME_MAX ||
	    strlen(geoip_str(g, i.city)) > GEOIP_NAME_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "1.1.1.1", "81.2.69.142",
	    "203.0.113.7", "1.128.0.1", "2001:218::1", "2001:db8:1::5",
	    "::1.2.3.4", "255.255.255.254", "ffff::" };
	struct geoip *g;
	const char *n, *c;
	char path[64];
	uint8_t a[16];
	size_t k;
	int fd;

	fd = memfd_create("fuzz.mmdb", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	g = geoip_create(path, path);
	geoip_open(g);
	if ((n = geoip_notice(g)) != NULL) {
		for (c = n; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
	}
	for (k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
		memset(a, 0, sizeof a);
		if (strchr(fixed[k], ':') != NULL) {
			if (inet_pton(AF_INET6, fixed[k], a) == 1)
				fuzz_check(g, 6, a);
		} else if (inet_pton(AF_INET, fixed[k], a) == 1)
			fuzz_check(g, 4, a);
	}
	/* addresses from the input: its first bytes, as it walks its own
	 * tree */
	for (k = 0; k < 64 && size >= 16; k++) {
		memcpy(a, data + (k * 7) % (size - 15), 16);
		fuzz_check(g, (k & 1) ? 6 : 4, a);
	}
	geoip_free(g);
	close(fd);
	return 0;
}
