/*
 * fmt.h: formatting of addresses, sizes, rates, durations and times.
 */
#ifndef WIRETOP_FMT_H
#define WIRETOP_FMT_H

#include <stddef.h>
#include <stdint.h>

#define FMT_ADDR_MAX 48

/* Address as text (inet_ntop); returns buf. */
const char *fmt_addr(uint8_t ip_ver, const uint8_t addr[16], char *buf,
	    size_t len);
/* Byte count with a binary unit: "0 B", "1.5 KiB", "12.0 MiB"... */
const char *fmt_size(uint64_t bytes, char *buf, size_t len);
/* Rate: bits per second in SI units ("12.3 Mb/s") if bits, else bytes in
 * binary units ("1.5 MiB/s"); compact forms drop the space and "/s". */
const char *fmt_rate(double bytes_per_sec, int bits, int compact, char *buf,
	    size_t len);
/* Count in at most 5 characters: 999, 9999, 12k, 123k, 1.2M, 3.4G. */
const char *fmt_count(uint64_t n, char *buf, size_t len);
/* Duration in seconds: "0.35s", "12s", "4m05s", "3h12m", "2d04h". */
const char *fmt_duration(double secs, char *buf, size_t len);
/* Packet time as "2026-11-21T06:02:57.123456Z". */
const char *fmt_time_iso(uint64_t ts_ns, char *buf, size_t len);
/* The days of month mon (1-12) of year y (Gregorian), 0 for no month. */
int	fmt_month_days(int y, int mon);
/* Packet time as "06:02:57" (UTC). */
const char *fmt_time_clock(uint64_t ts_ns, char *buf, size_t len);
/*
 * The code points escaped although they are valid UTF-8, by every writer
 * (fmt_escape_one, the exports' out.c, the metrics' labels): the C1
 * controls (a terminal takes U+009B as CSI), the bidirectional controls
 * (they reorder what a reader sees: U+061C, U+200E-U+200F,
 * U+202A-U+202E, U+2066-U+2069) and the line and paragraph separators
 * U+2028-U+2029 (line breaks to many readers and editors).  One list, so
 * that no writer lags behind the others.
 */
static inline int
fmt_cp_unsafe(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e ||
	    cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/* Room fmt_escape_one() needs, NUL included. */
#define FMT_ESC_MAX	16
/* Escape one character of a string that may hold any byte (names from
 * files, the command line or packets) for a terminal or a log: printable
 * ASCII and valid UTF-8 stay; C0, DEL and invalid bytes become \xNN; C1
 * and bidi controls and U+2028-U+2029 \u{XXXX}.  Writes out, returns the
 * bytes of p used. */
size_t	fmt_escape_one(const unsigned char *p, char *out);

#endif
