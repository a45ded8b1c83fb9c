#!/bin/sh
# replay.sh: run the fuzz targets' seed corpora and every kept crash
# input through the plain replay drivers (tests/fuzz/replay.c), so that
# make check (and the sanitizer build) exercise them without libFuzzer.
# Environment (set by make check): WT_BUILDDIR, WT_SRCDIR.
# Fails if a driver exits non-zero (a crash, a sanitizer report, an
# unreadable input); skips (77) when there is nothing to replay.

: "${WT_BUILDDIR:?WT_BUILDDIR is not set}"
: "${WT_SRCDIR:?WT_SRCDIR is not set}"

fuzz=$WT_SRCDIR/tests/fuzz
crash=$WT_SRCDIR/tests/pcap/crash
ran=0
fail=0

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
		echo "replay.sh: $drv is missing" >&2
		fail=1
		return 0
	fi
	echo "replay-$target:$args"
	# shellcheck disable=SC2086
	if ! "$drv" $args; then
		echo "replay.sh: replay-$target failed" >&2
		fail=1
	fi
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

[ "$fail" -eq 0 ] || exit 1
[ "$ran" -eq 1 ] || exit 77
exit 0
