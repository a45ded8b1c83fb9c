#!/bin/sh
# bench-alerts.sh: make bench, section 8: every alert detector and GeoIP
# on.  Every line with a target says what it is compared with, the target
# and PASS or FAIL; run by bench.sh, or alone (same environment).
#
# "On": alerts = yes, alert_detectors = all, the bounds that are off by
# default set (bandwidth_rx, bandwidth_tx, bandwidth_host, geo_deny_*) so
# that every detector's path runs, and a country (City) and an ASN
# database.  "Off": alerts = no, no GeoIP database.  Neither reads a
# user's configuration (WIRETOP_NO_DEFAULT_CONFIG).
#
# a. Offline ratio: `wiretop export --what summary` of the Zipf capture
#    (the throughput benchmark's, BENCH_PACKETS/BENCH_FLOWS) on and off,
#    each against the read floor (tests/tools/floor.c), best of 5 wall
#    times after a warm-up, the three runs taken in turn.  Target: the on
#    ratio at most 1.10 x the off ratio.  The CPU times are printed too.
# b. The same two exports of a small Zipf capture (benchgen -n 500000 -f
#    20000) under callgrind: instructions of every thread, on / off (the
#    stable figure on a shared machine).  Target: <= 1.10.
# The GeoIP databases are built with tests/geoip/mkdb.pl (Debian's
# libmaxmind-db-writer-perl) for the networks benchgen's servers are in:
# a /16 for each of 45.0.0.0 to 114.255.0.0 (17 920 networks, 20
# countries, 977 city names, 1000 AS numbers and organisations) and
# 2001:db8::/32, so every remote host is found and its record decoded;
# the section checks that hosts got a country.  Without the perl module:
# MaxMind's test databases in $WT_CORPUS/mmdb (GeoIP2-City-Test,
# GeoLite2-ASN-Test), which hold none of benchgen's addresses (cheaper
# lookups: the lines say so).
# Environment: WIRETOP, WT_TOOLS, BENCH_OUT, BENCH_PACKETS, BENCH_FLOWS
# (as bench.sh), WT_CORPUS (the shared corpus).
wiretop=${WIRETOP:-src/wiretop}
tools=${WT_TOOLS:-tests/tools}
packets=${BENCH_PACKETS:-5000000}
flows=${BENCH_FLOWS:-200000}
outdir=${BENCH_OUT:-bench-out}
corpus=${WT_CORPUS:-}
here=$(cd "$(dirname "$0")" && pwd)
TIME=/usr/bin/time
zipf=$outdir/zipf-$packets-$flows.pcap
small=$outdir/zipf-500000-20000.pcap
failed=0
export WIRETOP_NO_DEFAULT_CONFIG=1
. "$(dirname "$0")/benchlib.sh"

if [ ! -f "$zipf" ]; then
	echo "bench-alerts: $zipf is missing (make bench generates it)"
	exit 2
fi
mkdir -p "$outdir" && chmod 1777 "$outdir" 2>/dev/null

echo
echo "== alerts and GeoIP: every detector on vs off"
echo "load: $(uptime)"

# --- the GeoIP databases ----------------------------------------------------
cdb=$outdir/bench-geo-country.mmdb
adb=$outdir/bench-geo-asn.mmdb
geo_note=
if perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
	# rebuilt when mkdb.pl changes (or this script: its networks)
	stamp="$(cksum <"$here/../geoip/mkdb.pl") $(cksum <"$0")"
	if [ ! -f "$cdb" ] || [ ! -f "$adb" ] || [ ! -f "$cdb.stamp" ] ||
	    [ "$(cat "$cdb.stamp")" != "$stamp" ]; then
		awk 'BEGIN {
			split("US DE FR GB JP CN BR IN RU NL SE CA AU KR IT ES " \
			    "PL CH SG ZA", cc, " ")
			n = 0
			for (a = 45; a <= 114; a++)
				for (b = 0; b < 256; b++) {
					printf "%d.%d.0.0/16\t%s\tCity %d\t%d\tOrg %d\n",
					    a, b, cc[n % 20 + 1], n % 977,
					    64512 + n % 1000, n % 1000
					n++
				}
			printf "2001:db8::/32\tJP\tTokyo\t64504\tIPv6 Org\n"
		}' >"$outdir/bench-geo.txt"
		perl "$here/../geoip/mkdb.pl" country "$outdir/bench-geo.txt" \
		    "$cdb" && perl "$here/../geoip/mkdb.pl" asn \
		    "$outdir/bench-geo.txt" "$adb" || {
			echo "bench-alerts: FAIL: cannot build the GeoIP databases"
			rm -f "$cdb" "$adb"
			exit 1
		}
		echo "$stamp" >"$cdb.stamp"
	fi
	geo_note="GeoIP: benchgen's networks (built)"
elif [ -n "$corpus" ] && [ -f "$corpus/mmdb/GeoIP2-City-Test.mmdb" ]; then
	cdb=$corpus/mmdb/GeoIP2-City-Test.mmdb
	adb=$corpus/mmdb/GeoLite2-ASN-Test.mmdb
	geo_note="GeoIP: MaxMind's test databases (no libmaxmind-db-writer-perl: benchgen's addresses are not in them, lookups miss)"
else
	echo "bench-alerts: FAIL: no GeoIP database: libmaxmind-db-writer-perl" \
	    "is not installed and there is no corpus at '${corpus:-unset}'"
	exit 1
fi
echo "$geo_note"
cat >"$outdir/alerts-on.conf" <<EOF
alerts = yes
alert_detectors = all
bandwidth_rx = 100000000
bandwidth_tx = 100000000
bandwidth_host = 100000000
geo_deny_countries = KP
geo_deny_asns = 64496
geoip_country_db = $cdb
geoip_asn_db = $adb
EOF
printf 'alerts = no\ngeoip_country_db =\ngeoip_asn_db =\n' \
    >"$outdir/alerts-off.conf"

# time_once NAME CMD...: run CMD once; sets t (wall s) and cpu (user +
# system s).  A failing run
# counts as a failure of the benchmark; so does anything on stderr (a
# GeoIP notice: the run is not what it claims).
time_once()
{
	_name=$1
	shift
	t=
	if ! "$TIME" -o "$outdir/time.out" -f "%e %U %S" "$@" \
	    >"$outdir/run.out" 2>"$outdir/run.err"; then
		echo "bench-alerts: FAIL: $_name exited with an error:"
		tail -n 5 "$outdir/run.err"
		failed=1
		return 1
	fi
	if [ -s "$outdir/run.err" ]; then
		echo "bench-alerts: FAIL: $_name said:"
		tail -n 5 "$outdir/run.err"
		failed=1
		return 1
	fi
	read -r t _u _s <"$outdir/time.out"
	# shellcheck disable=SC2034 # read through eval below
	cpu=$(awk -v u="$_u" -v s="$_s" 'BEGIN { print u + s }')
	return 0
}

# lower A B: the lower of two times (B empty: A).
lower()
{
	awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'
}

# --- the small capture: GeoIP really finds hosts --------------------------
small_capture "$small" "$tools"
if ! "$wiretop" export -c "$outdir/alerts-on.conf" -r "$small" --speed max \
    --what hosts --format csv -o - \
    >"$outdir/hosts.csv" 2>"$outdir/run.err"; then
	echo "bench-alerts: FAIL: export --what hosts with alerts on:"
	tail -n 3 "$outdir/run.err"
	failed=1
fi
found=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cc") c = i
	next } c && $c != "" { n++ } END { print n + 0 }' "$outdir/hosts.csv")
total=$(awk 'END { print NR - 1 }' "$outdir/hosts.csv")
echo "hosts with a country (small capture): $found of $total"
if [ "${geo_note#*built}" != "$geo_note" ] && [ "$found" -eq 0 ]; then
	echo "bench-alerts: FAIL: GeoIP on found no host's country"
	failed=1
fi

# --- a. the offline ratio ----------------------------------------------------
# The floor, off and on in turn, a warm-up round and 5 timed rounds, so
# that a change of load on a shared machine falls on all three alike;
# the lowest wall time of each counts.  The lowest CPU time (user +
# system: both threads) of each is printed beside, without a target: it
# moves less with the load than the wall time does.
ok=1
floor_s='' off_s='' on_s='' off_c='' on_c=''
r=0
while [ $r -lt 6 ] && [ "$ok" = 1 ]; do
	time_once floor "$tools/floor" "$zipf" || ok=0
	[ $r -gt 0 ] && [ "$ok" = 1 ] && floor_s=$(lower "$t" "$floor_s")
	for c in off on; do
		[ "$ok" = 1 ] || break
		time_once "$c" "$wiretop" export -c "$outdir/alerts-$c.conf" \
		    -r "$zipf" --speed max --what summary --format json \
		    -o /dev/null || ok=0
		if [ $r -gt 0 ] && [ "$ok" = 1 ]; then
			eval "_b=\$${c}_s _d=\$${c}_c"
			eval "${c}_s=\$(lower \"\$t\" \"\$_b\")"
			eval "${c}_c=\$(lower \"\$cpu\" \"\$_d\")"
		fi
	done
	r=$((r + 1))
done
if [ "$ok" = 1 ]; then
	ro=$(div "$off_s" "$floor_s")
	rn=$(div "$on_s" "$floor_s")
	echo "floor $floor_s s, off $off_s s ($ro x floor), on $on_s s ($rn x floor)"
	verdict "alerts+GeoIP on: ratio to the floor vs off" \
	    "$(div "$rn" "$ro")" "x" 1.10 \
	    "(on $rn x floor, off $ro x floor, $packets/$flows)"
	echo "CPU time (lowest): off $off_c s, on $on_c s: $(div "$on_c" \
	    "$off_c") x (no target)"
else
	echo "alerts+GeoIP on: ratio to the floor vs off: FAIL (a run failed)"
fi

# --- b. instructions on the small capture --------------------------------------
# cg_instr CONF: instructions of every thread (callgrind's "Collected").
cg_instr()
{
	callgrind_ir "$outdir/cg.err" "$wiretop" export \
	    -c "$outdir/alerts-$1.conf" -r "$small" --speed max \
	    --what summary --format json -o /dev/null
}
cg_verdict "alerts+GeoIP on: instructions vs off" on off
rm -f "$outdir/time.out" "$outdir/run.out" "$outdir/run.err" \
    "$outdir/cg.err" "$outdir/hosts.csv"
exit "$failed"
