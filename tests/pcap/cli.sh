#!/bin/sh
# cli.sh: wiretop's command-line behaviour.
#
#   --help lists every documented option and exits 0; -V/--version print
#   the version of config.h; usage errors (unknown option, bad values,
#   unknown command, export-only options outside export) exit 2 with one
#   line on stderr; a missing file or a file that is not a capture exits
#   non-zero with one line naming the file; a configuration file with an
#   unknown key or a bad value stops with "FILE:LINE: key: ..." and exit 2.
# Every command that is expected to fail would, if wrongly accepted, run a
# quick export of a small fixture (never the screen or a live capture),
# and every run has a time limit.
# Environment (set by make check): WIRETOP, WT_TOOLS, WT_SRCDIR,
# WT_BUILDDIR.

set -u

srcdir=${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${WT_BUILDDIR:-.}
wiretop=${WIRETOP:-src/wiretop}
pcapgen=${WT_TOOLS:-tests/tools}/pcapgen

if [ ! -x "$wiretop" ] || [ ! -x "$pcapgen" ]; then
	echo "cli.sh: needs $wiretop and $pcapgen (make check builds them)"
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wt-cli.XXXXXX") || exit 99
chmod 1777 "$tmp"	# wiretop drops to nobody before it opens -o
trap 'rm -rf "$tmp"' EXIT INT TERM
# no user configuration file may change the results
HOME=$tmp
XDG_CONFIG_HOME=$tmp/.config
export HOME XDG_CONFIG_HOME
unset NO_COLOR

pass=0
fail=0
pcap=$tmp/basic.pcap
"$pcapgen" -o "$pcap" "$srcdir/tests/pcap/basic-tcp.txt" || exit 99

ok()
{
	echo "ok   $*"
	pass=$((pass + 1))
}

bad()
{
	echo "FAIL $*"
	fail=$((fail + 1))
}

# run ARGS...: run wiretop with a time limit; sets rc, stdout in
# $tmp/out, stderr in $tmp/err, nerr = lines on stderr.
run()
{
	timeout 20 "$wiretop" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	nerr=$(wc -l <"$tmp/err" | tr -d ' ')
}

show_err()
{
	sed 's/^/    stderr: /' "$tmp/err" | head -n 5
}

# usage_error DESCRIPTION ARGS...: expect exit 2 and one line on stderr.
usage_error()
{
	what=$1
	shift
	run "$@"
	if [ "$rc" = 2 ] && [ "$nerr" = 1 ]; then
		ok "$what: exit 2, one line"
	else
		bad "$what: exit $rc, $nerr lines on stderr (want 2, 1)"
		show_err
	fi
}

# ---- help and version -----------------------------------------------
run --help
if [ "$rc" = 0 ] && [ -s "$tmp/out" ]; then
	ok "--help: exit 0"
else
	bad "--help: exit $rc"
fi
cat "$tmp/out" "$tmp/err" >"$tmp/help"
missing=
for opt in -i -r -f -s -B -p -F -c -d -o -h -V --log --max-flows \
    --max-hosts --speed --delay --frames --theme --bits --bytes \
    --no-names --duration --what --format --help --version; do
	# the option as a word of its own, not a prefix of a longer one
	if ! grep -q -E -e "(^|[^-[:alnum:]])$opt([^-[:alnum:]]|\$)" \
	    "$tmp/help"; then
		missing="$missing $opt"
	fi
done
for word in export csv json ndjson flows hosts summary; do
	grep -q -w -e "$word" "$tmp/help" || missing="$missing $word"
done
if [ -z "$missing" ]; then
	ok "--help lists every option"
else
	bad "--help does not mention:$missing"
fi
run -h
if [ "$rc" = 0 ] && cmp -s "$tmp/out" "$tmp/help"; then
	ok "-h: same as --help"
else
	bad "-h: exit $rc or different from --help"
fi

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' \
    "$builddir/config.h" 2>/dev/null)
if [ -z "$version" ]; then
	version=$(sed -n 's/^AC_INIT(\[wiretop\], \[\([^]]*\)\].*/\1/p' \
	    "$srcdir/configure.ac")
fi
for v in -V --version; do
	run "$v"
	if [ "$rc" = 0 ] && head -n 1 "$tmp/out" | grep -q "wiretop" &&
	    head -n 1 "$tmp/out" | grep -q -F "$version"; then
		ok "$v: prints wiretop $version"
	else
		bad "$v: exit $rc, output '$(head -n 1 "$tmp/out")'," \
		    "expected the version $version"
	fi
done

# ---- usage errors ---------------------------------------------------
e="export -r $pcap -o /dev/null"
# shellcheck disable=SC2086
{
usage_error "unknown long option" $e --no-such-option
usage_error "unknown short option" $e -Q
usage_error "missing value" $e --max-flows
usage_error "--speed abc" $e --speed abc
usage_error "--speed -2" $e --speed -2
usage_error "--speed 0" $e --speed 0
usage_error "--max-flows -1" $e --max-flows -1
usage_error "--max-flows abc" $e --max-flows abc
usage_error "--max-flows 12abc" $e --max-flows 12abc
usage_error "--max-hosts huge" $e --max-hosts 99999999999999999999999
usage_error "--max-hosts -5" $e --max-hosts -5
usage_error "-s abc" $e -s abc
usage_error "-B -1" $e -B -1
usage_error "-d abc" $e -d abc
usage_error "--frames abc" $e --frames abc
usage_error "--frames 0" $e --frames 0
usage_error "--theme neon" $e --theme neon
usage_error "--duration abc" $e --duration abc
usage_error "-F bad network" $e -F 10.0.0.0/33
usage_error "-F not an address" $e -F banana
usage_error "--format xml" $e --format xml
usage_error "--what foo" $e --what foo
usage_error "--what missing value" $e --what
usage_error "stray argument" $e stray
}
usage_error "unknown command" frobnicate -r "$pcap"
usage_error "--what outside export" -r "$pcap" --what flows --frames 1
usage_error "--format outside export" -r "$pcap" --format csv --frames 1

# ---- files ----------------------------------------------------------
missing_file=$tmp/no-such-file.pcap
run export -r "$missing_file" -o /dev/null
if [ "$rc" != 0 ] && [ "$nerr" = 1 ] &&
    grep -q -F "$missing_file" "$tmp/err"; then
	ok "-r missing file: exit $rc, one line naming the file"
else
	bad "-r missing file: exit $rc, $nerr lines on stderr" \
	    "(want non-zero, one line naming $missing_file)"
	show_err
fi
if [ "$rc" != 3 ]; then
	echo "    note: exit $rc for a missing file (3 = capture/file problem)"
fi

printf 'root:x:0:0:root:/root:/bin/sh\nnot a capture file\n' \
    >"$tmp/passwd"
for f in "$tmp/passwd" /dev/null; do
	run export -r "$f" -o /dev/null
	if [ "$rc" != 0 ] && [ "$nerr" = 1 ] && grep -q -F "$f" "$tmp/err"
	then
		ok "-r non-capture $f: exit $rc, one line naming the file"
	else
		bad "-r non-capture $f: exit $rc, $nerr lines on stderr" \
		    "(want non-zero, one line naming the file)"
		show_err
	fi
done

# a capture file: export works and writes to -o only
run export -r "$pcap" -o "$tmp/flows.csv"
if [ "$rc" = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] &&
    head -n 1 "$tmp/flows.csv" | grep -q '^ts,uid,' &&
    [ "$(wc -l <"$tmp/flows.csv")" = 2 ]; then
	ok "export -r FILE -o OUT: header and one flow in OUT, nothing else"
else
	bad "export -r FILE -o OUT: exit $rc, or unexpected output"
	show_err
fi
# export reads a file as fast as it can: no pacing on packet time
printf '0.000 udp 10.0.0.1:1 > 10.0.0.2:2 len=10 rep=61 dt=0.5\n' |
    "$pcapgen" -o "$tmp/slow.pcap" - || exit 99
start=$(date +%s)
run export -r "$tmp/slow.pcap" -o /dev/null
elapsed=$(($(date +%s) - start))
if [ "$rc" = 0 ] && [ "$elapsed" -lt 10 ]; then
	ok "export of a 30 s capture is not paced (${elapsed} s)"
else
	bad "export of a 30 s capture: exit $rc after ${elapsed} s" \
	    "(export must not replay at the original speed)"
fi
# standard input
timeout 20 "$wiretop" export -r - --what summary --format json \
    <"$pcap" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 0 ] && grep -q '"packets": *11[,}]' "$tmp/out"; then
	ok "export -r - reads standard input (11 packets)"
else
	bad "export -r -: exit $rc, or not 11 packets"
	show_err
fi

# ---- configuration files --------------------------------------------
conf=$tmp/wiretop.conf
printf '# test configuration\n[wiretop]\nmax_flows = 5000\nno_such_key = 1\n' \
    >"$conf"
run $e -c "$conf"
if [ "$rc" = 2 ] && [ "$nerr" = 1 ] &&
    grep -q -F "$conf:4: no_such_key: " "$tmp/err"; then
	ok "config unknown key: exit 2, \"$conf:4: no_such_key: ...\""
else
	bad "config unknown key: exit $rc, $nerr lines (want 2 and" \
	    "\"$conf:4: no_such_key: ...\")"
	show_err
fi
printf '[wiretop]\n\nmax_flows = lots\n' >"$conf"
run $e -c "$conf"
if [ "$rc" = 2 ] && [ "$nerr" = 1 ] &&
    grep -q -F "$conf:3: max_flows: " "$tmp/err"; then
	ok "config bad value: exit 2, \"$conf:3: max_flows: ...\""
else
	bad "config bad value: exit $rc, $nerr lines (want 2 and" \
	    "\"$conf:3: max_flows: ...\")"
	show_err
fi
printf '[wiretop]\nmax_flows = 5000\n' >"$conf"
run $e -c "$conf"
if [ "$rc" = 0 ]; then
	ok "config valid file: exit 0"
else
	bad "config valid file: exit $rc"
	show_err
fi
run $e -c "$tmp/no-such.conf"
if [ "$rc" = 2 ] && [ "$nerr" = 1 ] &&
    grep -q -F "$tmp/no-such.conf" "$tmp/err"; then
	ok "-c missing file: exit 2, one line naming the file"
else
	bad "-c missing file: exit $rc, $nerr lines (want 2, one line)"
	show_err
fi

# A capture of a link type wiretop does not decode (147, LINKTYPE_USER0,
# 2 packets built here byte by byte): exit 0, both packets counted as
# unsupported in the summary, and one line saying so.
python3 - "$tmp/user0.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 147))
    for i in range(2):
        f.write(struct.pack("<IIII", 1700000000 + i, 0, 20, 20) + bytes(20))
PY
run export -r "$tmp/user0.pcap" --what summary --format json
if [ "$rc" = 0 ] && [ "$nerr" = 1 ] &&
    grep -q -E "^wiretop: .*user0.pcap: link type 147 .*is not supported: 2 packets counted as unsupported$" "$tmp/err" &&
    grep -q '"unsupported":2' "$tmp/out"; then
	ok "unsupported link type: exit 0, counted, one line"
else
	bad "unsupported link type: exit $rc, $nerr lines (want 0 and one" \
	    "line naming link type 147)"
	show_err
fi

# A filter that cannot apply to a stream's link type (known only once the
# header is read, in the capture thread): the 2 raw-IP packets of
# link-raw.txt are left out as filtered, and the end of the run says so.
"$pcapgen" -o "$tmp/raw.pcap" "$srcdir/tests/pcap/link-raw.txt" || exit 99
cat "$tmp/raw.pcap" | timeout 20 "$wiretop" export -r - \
    -f 'ether src 00:11:22:33:44:55' --what summary --format json \
    >"$tmp/out" 2>"$tmp/err"
rc=$?
nerr=$(wc -l <"$tmp/err" | tr -d ' ')
if [ "$rc" = 0 ] && [ "$nerr" = 1 ] &&
    grep -q -E "filter does not apply to link type 101 .*: 2 packets left out as filtered$" "$tmp/err" &&
    grep -q '"filtered":2' "$tmp/out"; then
	ok "filter not applicable to a stream's link type: one line, counted"
else
	bad "filter on a raw-IP stream: exit $rc, $nerr lines"
	show_err
fi

# --duration with capture files alone: a usage error, one line
run export -r "$pcap" --duration 5
if [ "$rc" = 2 ] && [ "$nerr" = 1 ] && grep -q -- "--duration" "$tmp/err"; then
	ok "--duration with -r only: exit 2, one line"
else
	bad "--duration with -r only: exit $rc, $nerr lines"
	show_err
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
