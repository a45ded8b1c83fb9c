#!/bin/sh
# age.sh: learned names age out (name_max_age, packet time) unless they
# are learned again, and resolve = off learns none.  The fixture
# (age.txt) names 192.0.2.10 old.example at t=0.005 and 192.0.2.20
# kept.example at t=0.015 and again at t=3000.005; the last packets are
# at t=4000, where the hosts export is taken.  Expected names, by the
# fixture's times:
#   name_max_age 0 (never)   both names
#   3600 (the default)       old.example gone (4000 - 0.005 > 3600),
#                            kept.example kept (4000 - 3000.005 < 3600)
#   4000                     both (old.example is 3999.995 s old)
#   3999                     old.example gone (3999.995 > 3999)
#   100                      both gone
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init names-age
wt_need_wiretop
wt_need_pcapgen
export WIRETOP_NO_DEFAULT_CONFIG=1

"$pcapgen" -o "$WT_TMP/age.pcap" "$WT_SRCDIR/tests/names/age.txt" ||
    wt_hard "pcapgen failed on age.txt"

# names AGE|-: "addr=name" of the two named hosts, from a hosts export
# with name_max_age = AGE (-: the default); extra options after it.
names() {
	_age=$1
	shift
	: >"$WT_TMP/c.conf"
	[ "$_age" != - ] && printf 'name_max_age = %s\n' "$_age" \
	    >"$WT_TMP/c.conf"
	"$WIRETOP" export -c "$WT_TMP/c.conf" -r "$WT_TMP/age.pcap" \
	    --what hosts --log "$WT_TMP/log" "$@" 2>"$WT_TMP/err" |
	    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["addr"] ~ /^192\.0\.2\./ { printf "%s=%s ", $c["addr"], $c["name"] }'
}

expect() {
	got=$(names "$@")
	[ "$got" = "$want " ] && wt_pass "$desc: $want" ||
	    wt_fail "$desc: want '$want', got '$got' ($(cat "$WT_TMP/err"))"
}

desc="never (0)" want="192.0.2.10=old.example 192.0.2.20=kept.example" \
    expect 0
desc="default (3600)" want="192.0.2.10= 192.0.2.20=kept.example" expect -
wt_check "the log counts 3 names learned, 1 aged out" \
    grep -q "names: 3 learned, 1 aged out" "$WT_TMP/log"
desc="4000: just young enough" \
    want="192.0.2.10=old.example 192.0.2.20=kept.example" expect 4000
desc="3999: just too old" want="192.0.2.10= 192.0.2.20=kept.example" \
    expect 3999
desc="100: both too old" want="192.0.2.10= 192.0.2.20=" expect 100
desc="resolve = off: no names" want="192.0.2.10= 192.0.2.20=" \
    expect 0 --resolve off
desc="resolve = reverse on a file: the passive names, no lookup" \
    want="192.0.2.10=old.example 192.0.2.20=kept.example" \
    expect 0 --resolve reverse
wt_check "resolve = reverse on a file: no lookup asked" \
    grep -q "reverse DNS: 0 asked" "$WT_TMP/log"
wt_finish
