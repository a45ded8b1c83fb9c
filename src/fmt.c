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
