/*
 * geolookup.c: look addresses up with wiretop's GeoIP module (geoip.c),
 * for the tests: they compare its answers with the source data of the
 * databases.
 *
 *   geolookup COUNTRY_DB ASN_DB [ADDR...]   (addresses also one a line on
 *                                           standard input; "" = none)
 *   geolookup -s COUNTRY_DB ASN_DB          scan: 65 536 addresses over
 *                                           the whole IPv4 and IPv6 space
 *
 * Prints one line per address: ADDR TAB state TAB cc TAB asn TAB city
 * TAB org, where state is "none" (no database open), "special" (private,
 * local or special: not looked up) or "looked", a missing field is "-",
 * and the names are printed with bytes outside 0x20-0x7e as \xNN.  The
 * notice, if any, goes to standard error as one line "notice: ...", and
 * the status as "status: ...".  Exit 0, or 2 on a usage error.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geoip.h"

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
put_name(const char *s)
{
	if (*s == '\0') {
		fputs("-", stdout);
		return;
	}
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ||
		    *s == '\\')
			printf("\\x%02x", (unsigned char)*s);
		else
			putchar(*s);
	}
}

static void
one(struct geoip *g, const char *text, uint8_t ver, const uint8_t a[16])
{
	struct geoip_info i;
	char cc[3];

	geoip_lookup(g, ver, a, &i);
	printf("%s\t%s\t%s\t", text, i.state == GEOIP_PRIVATE ? "special" :
	    i.state == GEOIP_LOOKED ? "looked" : "none",
	    i.cc[0] != '\0' ? geoip_cc(&i, cc) : "-");
	if (i.asn != 0)
		printf("%lu", (unsigned long)i.asn);
	else
		fputs("-", stdout);
	putchar('\t');
	put_name(geoip_str(g, i.city));
	putchar('\t');
	put_name(geoip_str(g, i.org));
	putchar('\n');
}

static int
lookup_text(struct geoip *g, const char *s)
{
	uint8_t a[16];

	memset(a, 0, sizeof a);
	if (inet_pton(AF_INET, s, a) == 1)
		one(g, s, 4, a);
	else if (inet_pton(AF_INET6, s, a) == 1)
		one(g, s, 6, a);
	else {
		fprintf(stderr, "geolookup: not an address: %s\n", s);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct geoip *g;
	char line[256], text[64];
	uint8_t a[16];
	uint32_t k, x = 2463534242u;
	int scan = 0, i, rc = 0;
	size_t n;

	if (argc > 1 && strcmp(argv[1], "-s") == 0) {
		scan = 1;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: geolookup [-s] COUNTRY_DB ASN_DB "
		    "[ADDR...]\n");
		return 2;
	}
	g = geoip_create(argv[1], argv[2]);
	geoip_open(g);
	if (geoip_notice(g) != NULL)
		fprintf(stderr, "notice: %s\n", geoip_notice(g));
	fprintf(stderr, "status: %s\n", geoip_status(g));
	if (scan) {
		/* Every /16 of IPv4 once, then pseudo-random IPv6. */
		for (k = 0; k < 65536; k++) {
			memset(a, 0, sizeof a);
			a[0] = (uint8_t)(k >> 8);
			a[1] = (uint8_t)k;
			a[2] = (uint8_t)(k * 7);
			a[3] = 1;
			inet_ntop(AF_INET, a, text, sizeof text);
			one(g, text, 4, a);
		}
		for (k = 0; k < 4096; k++) {
			for (i = 0; i < 16; i++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				a[i] = (uint8_t)x;
			}
			inet_ntop(AF_INET6, a, text, sizeof text);
			one(g, text, 6, a);
		}
		fprintf(stderr, "errors: %llu\n",
		    (unsigned long long)geoip_errors(g));
		geoip_free(g);
		return 0;
	}
	for (i = 3; i < argc; i++)
		if (lookup_text(g, argv[i]) != 0)
			rc = 1;
	if (argc == 3) {
		while (fgets(line, sizeof line, stdin) != NULL) {
			n = strcspn(line, "\r\n");
			line[n] = '\0';
			if (n > 0 && lookup_text(g, line) != 0)
				rc = 1;
		}
	}
	geoip_free(g);
	return rc;
}
