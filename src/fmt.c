/*
 * fmt.c: formatting helpers shared by the exporters and the TUI.
 *
 * Pure functions, no state; any thread may call them.  Every function
 * writes into a caller's buffer and returns it.
 */
#include "config.h"
#include "fmt.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

const char *
fmt_addr(uint8_t ip_ver, const uint8_t addr[16], char *buf, size_t len)
{
	if (ip_ver == 4) {
		if (inet_ntop(AF_INET, addr, buf, (socklen_t)len) != NULL)
			return buf;
	} else if (ip_ver == 6) {
		if (inet_ntop(AF_INET6, addr, buf, (socklen_t)len) != NULL)
			return buf;
	}
	snprintf(buf, len, "-");
	return buf;
}

const char *
fmt_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	unsigned u = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" :
	    "%.0f %s", v, units[u]);
	return buf;
}

const char *
fmt_rate(double bps, int bits, int compact, char *buf, size_t len)
{
	static const char *bu[] = { "b", "Kb", "Mb", "Gb", "Tb" };
	static const char *Bu[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = bits ? bps * 8 : bps, base = bits ? 1000 : 1024;
	unsigned u = 0;

	if (!(v > 0))
		v = 0;
	while (v >= base && u < 4) {
		v /= base;
		u++;
	}
	if (compact)
		snprintf(buf, len, u == 0 || v >= 100 ? "%.0f%s" : "%.1f%s", v,
		    bits ? bu[u] : Bu[u]);
	else
		snprintf(buf, len, u == 0 || v >= 100 ? "%.0f %s/s" :
		    "%.1f %s/s", v, bits ? bu[u] : Bu[u]);
	return buf;
}

const char *
fmt_count(uint64_t n, char *buf, size_t len)
{
	if (n < 10000)
		snprintf(buf, len, "%llu", (unsigned long long)n);
	else if (n < 1000000)
		snprintf(buf, len, "%.0fk", n / 1e3);
	else if (n < 1000000000)
		snprintf(buf, len, "%.1fM", n / 1e6);
	else
		snprintf(buf, len, "%.1fG", n / 1e9);
	return buf;
}

const char *
fmt_duration(double secs, char *buf, size_t len)
{
	unsigned long s;

	if (!(secs > 0))
		secs = 0;
	if (secs < 10)
		snprintf(buf, len, "%.2fs", secs);
	else if (secs < 60)
		snprintf(buf, len, "%.0fs", floor(secs));
	else {
		s = (unsigned long)secs;
		if (s < 3600)
			snprintf(buf, len, "%lum%02lus", s / 60, s % 60);
		else if (s < 86400)
			snprintf(buf, len, "%luh%02lum", s / 3600,
			    (s % 3600) / 60);
		else
			snprintf(buf, len, "%lud%02luh", s / 86400,
			    (s % 86400) / 3600);
	}
	return buf;
}

int
fmt_month_days(int y, int mon)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (mon == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return mon >= 1 && mon <= 12 ? d[mon - 1] : 0;
}

const char *
fmt_time_iso(uint64_t ts_ns, char *buf, size_t len)
{
	time_t t = (time_t)(ts_ns / 1000000000u);
	struct tm tm;
	char day[32];

	gmtime_r(&t, &tm);
	strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06luZ", day,
	    (unsigned long)((ts_ns % 1000000000u) / 1000));
	return buf;
}

const char *
fmt_time_clock(uint64_t ts_ns, char *buf, size_t len)
{
	time_t t = (time_t)(ts_ns / 1000000000u);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
	return buf;
}

/* Escape the character at p into out (room for FMT_ESC_MAX bytes, NUL
 * included); returns the bytes of p it covers.  Printable ASCII and valid
 * UTF-8 are copied (the backslash too, so that --show-config reads back
 * as it was written); C0, DEL and bytes that are not valid UTF-8 become
 * \xNN; the C1 controls, the bidi controls (U+061C, U+200E-U+200F,
 * U+202A-U+202E, U+2066-U+2069) and the line and paragraph separators
 * (U+2028-U+2029: a line break to many readers and editors) become
 * \u{XXXX}: the code points the exports escape too (out.c). */
size_t
fmt_escape_one(const unsigned char *p, char *out)
{
	uint32_t cp;
	size_t n, i;

	if (*p < 0x80) {
		if (*p < 0x20 || *p == 0x7f)
			snprintf(out, FMT_ESC_MAX, "\\x%02x", *p);
		else {
			out[0] = (char)*p;
			out[1] = '\0';
		}
		return 1;
	}
	if (*p >= 0xc2 && *p <= 0xdf) {
		n = 2;
		cp = *p & 0x1f;
	} else if (*p >= 0xe0 && *p <= 0xef) {
		n = 3;
		cp = *p & 0x0f;
	} else if (*p >= 0xf0 && *p <= 0xf4) {
		n = 4;
		cp = *p & 0x07;
	} else
		n = 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			n = 0;
			break;
		}
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (n == 0 || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) {
		snprintf(out, FMT_ESC_MAX, "\\x%02x", *p);
		return 1;
	}
	if (fmt_cp_unsafe(cp))
		snprintf(out, FMT_ESC_MAX, "\\u{%04x}", (unsigned)cp);
	else {
		memcpy(out, p, n);
		out[n] = '\0';
	}
	return n;
}
