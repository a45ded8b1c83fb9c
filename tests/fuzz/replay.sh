#!/bin/sh
# replay.sh: run the fuzz targets' seed corpora and every kept crash
# input through the plain replay drivers (tests/fuzz/replay.c), so that
# make check (and the sanitizer build) exercise them without libFuzzer.
# Environment (set by make check): WT_BUILDDIR, WT_SRCDIR.
# Each target is one TAP check: it fails if its driver exits non-zero (a
# crash, a sanitizer report, an unreadable input).  Nothing to replay at
# all skips (fails under CI=true).

: "${WT_BUILDDIR:?WT_BUILDDIR is not set}"
: "${WT_SRCDIR:?WT_SRCDIR is not set}"
. "$WT_SRCDIR/tests/lib.sh"
wt_init replay

fuzz=$WT_SRCDIR/tests/fuzz
crash=$WT_SRCDIR/tests/pcap/crash
ran=0

# replay TARGET DIR-OR-FILE...: skip arguments that do not exist.
replay() {
	target=$1
	shift
	drv=$WT_BUILDDIR/tests/fuzz/replay-$target
	args=
	for a in "$@"; do
		[ -e "$a" ] && args="$args $a"
	done
	[ -n "$args" ] || return 0
	if [ ! -x "$drv" ]; then
		wt_fail "replay-$target: $drv is missing"
		return 0
	fi
	wt_log "replay-$target:$args"
	# shellcheck disable=SC2086
	wt_check "replay-$target: seeds and kept crash inputs" "$drv" $args
	ran=1
}

# The decoder takes any bytes, so it replays every kept crash input;
# the file reader only its own (pcapfile-*).
replay decode "$fuzz/corpus/decode" "$crash"
set --
for f in "$crash"/pcapfile-*; do
	[ -e "$f" ] && set -- "$@" "$f"
done
replay pcapfile "$fuzz/corpus/pcapfile" "$@"
# the configuration reader: its seed files
replay config "$fuzz/corpus/config"
# the flow log reader (import): its seed logs
replay flowlog "$fuzz/corpus/flowlog"
# the history store's segments (a database file's packed rows)
replay seg "$fuzz/corpus/seg"
# the GeoIP reader: the tests' own databases (tests/geoip/mkdb.pl)
replay geoip "$fuzz/corpus/geoip"

[ "$ran" -eq 1 ] || wt_missing "no fuzz corpus or crash input to replay"
wt_finish
