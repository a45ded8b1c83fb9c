#!/bin/sh
# geoip.sh: the country in the real TUI, driven in tmux: the talkers
# pane's geo column and the host view, with the tests' own databases
# (tests/geoip/geo.txt, built with libmaxmind-db-writer-perl) on
# tests/geoip/flows.txt; and without a database, "--" and the header's
# "GeoIP: off (no database)"; with a missing one, its notice.  Every
# step polls the pane for text (no fixed sleeps); the tmux server is
# private and killed on exit.
set -u
: "${WIRETOP:?}" "${WT_TOOLS:?}" "${WT_SRCDIR:?}"
. "$WT_SRCDIR/tests/lib.sh"
wt_init tui-geoip
wt_need_tool tmux perl
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
    wt_missing "MaxMind::DB::Writer::Tree not installed (libmaxmind-db-writer-perl)"
TIMEOUT=${WT_TUI_TIMEOUT:-60}
NSESS=0
T="tmux -L wtgeo$$-0 -f /dev/null"
cleanup() {
	_n=0
	while [ $_n -le $NSESS ]; do
		tmux -L "wtgeo$$-$_n" kill-server >/dev/null 2>&1
		_n=$((_n + 1))
	done
	rm -rf "$WT_TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

spec=$WT_SRCDIR/tests/geoip/geo.txt
perl "$WT_SRCDIR/tests/geoip/mkdb.pl" country "$spec" "$WT_TMP/c.mmdb" &&
    perl "$WT_SRCDIR/tests/geoip/mkdb.pl" asn "$spec" "$WT_TMP/a.mmdb" ||
    wt_hard "cannot build the test databases"
"$WT_TOOLS/pcapgen" -o "$WT_TMP/flows.pcap" \
    "$WT_SRCDIR/tests/geoip/flows.txt" >/dev/null || wt_hard "pcapgen"
printf 'geoip_country_db = %s\ngeoip_asn_db = %s\n' "$WT_TMP/c.mmdb" \
    "$WT_TMP/a.mmdb" >"$WT_TMP/own.conf"
printf 'geoip_country_db =\ngeoip_asn_db =\n' >"$WT_TMP/off.conf"
printf 'geoip_country_db = %s\ngeoip_asn_db =\n' "$WT_TMP/nope.mmdb" \
    >"$WT_TMP/missing.conf"

snap() {
	$T capture-pane -p -t wt >"$WT_TMP/screen" 2>/dev/null
}
wait_for() {	# wait_for TEXT
	_i=0
	while [ $_i -lt $((TIMEOUT * 10)) ]; do
		snap
		grep -qF -- "$1" "$WT_TMP/screen" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
# The talkers pane's row of host $1, once it shows the text $2.
row_has() {
	_i=0
	while [ $_i -lt $((TIMEOUT * 10)) ]; do
		snap
		awk -v h="$1" '/^host/{f=1; next} f && /Connections/{exit}
		    f && $1 == h {print; exit}' "$WT_TMP/screen" >"$WT_TMP/row"
		grep -qF -- "$2" "$WT_TMP/row" && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
show() {
	sed 's/^/    /' "$WT_TMP/screen"
}
start() {	# start CONF: the TUI on flows.pcap in a fresh 120x40 session
	$T kill-server >/dev/null 2>&1
	NSESS=$((NSESS + 1))
	T="tmux -L wtgeo$$-$NSESS -f /dev/null"
	$T new-session -d -s wt -x 120 -y 40 "env LANG=C.UTF-8 \
	    LC_ALL=C.UTF-8 TERM=screen HOME=$WT_TMP $WIRETOP -c $WT_TMP/$1.conf \
	    -r $WT_TMP/flows.pcap --speed max; exec sleep 600"
	wait_for " finished " && wait_for "F1 help"
}

start own || { wt_fail "the TUI did not finish the replay"; show; }
wt_check "talkers: 203.0.113.7 shows NZ in the geo column" \
    row_has 203.0.113.7 " NZ "
wt_check "talkers: 2001:db8:1::5 shows JP" row_has 2001:db8:1::5 " JP "
wt_check "talkers: the private 10.0.0.5 shows --" row_has 10.0.0.5 " -- "
wt_check "header: no GeoIP notice with working databases" \
    sh -c "! grep -q 'GeoIP' '$WT_TMP/screen'"
# The host view: Enter on the row of 203.0.113.7 (filtered to it).
$T send-keys -t wt / 2 0 3 . 0 Enter
wait_for "203.0.113.7" >/dev/null
$T send-keys -t wt Home Enter
if wait_for "Host 203.0.113.7"; then
	wt_check "host view: geo NZ AS64500" grep -q "geo NZ AS64500" \
	    "$WT_TMP/screen"
	# the escape sequence in the city is shown as one ?, never sent
	wt_check "host view: the hostile city name is sanitised" \
	    grep -qF "city Evil?City" "$WT_TMP/screen"
else
	wt_fail "Enter did not open the host view"
	show
fi

start off || wt_fail "no database: the TUI did not finish"
wt_check "no database: the header says GeoIP: off (no database)" \
    grep -qF "GeoIP: off (no database)" "$WT_TMP/screen"
wt_check "no database: 203.0.113.7 shows --" row_has 203.0.113.7 " -- "

start missing || wt_fail "missing database: the TUI did not finish"
wt_check "missing database: the header has its one notice" \
    grep -qF "GeoIP: country database $WT_TMP/nope.mmdb" "$WT_TMP/screen"
wt_check "missing database: 203.0.113.7 shows --" row_has 203.0.113.7 " -- "
# A database replaced while the screen runs (as geoipupdate does: a new
# file renamed into place) is opened again within a few seconds and every
# host looked up again; one that appears later is opened too.  A 40 s
# capture replayed at its own pace keeps the screen running.
printf '%s\n' 'linktype ether' \
    '0.000 udp 10.0.0.5:5000 > 203.0.113.7:53 len=10 rep=80 dt=0.5' \
    '0.000 udp 10.0.0.5:5001 > 198.51.100.5:53 len=10 rep=80 dt=0.5' \
    >"$WT_TMP/slow.txt"
"$WT_TOOLS/pcapgen" -o "$WT_TMP/slow.pcap" "$WT_TMP/slow.txt" >/dev/null ||
    wt_hard "pcapgen"
sed 's/	NZ	/	AU	/' "$spec" >"$WT_TMP/geo2.txt"
perl "$WT_SRCDIR/tests/geoip/mkdb.pl" country "$WT_TMP/geo2.txt" \
    "$WT_TMP/c2.mmdb" || wt_hard "cannot build the second database"
cp "$WT_TMP/c.mmdb" "$WT_TMP/live.mmdb"
printf 'geoip_country_db = %s\ngeoip_asn_db = %s\n' "$WT_TMP/live.mmdb" \
    "$WT_TMP/later.mmdb" >"$WT_TMP/live.conf"
$T kill-server >/dev/null 2>&1
NSESS=$((NSESS + 1))
T="tmux -L wtgeo$$-$NSESS -f /dev/null"
$T new-session -d -s wt -x 120 -y 40 "env LANG=C.UTF-8 LC_ALL=C.UTF-8 \
    TERM=screen HOME=$WT_TMP $WIRETOP -c $WT_TMP/live.conf \
    -r $WT_TMP/slow.pcap; exec sleep 600"
if row_has 203.0.113.7 " NZ "; then
	wt_check "live: the missing ASN database is the header's notice" \
	    grep -qF "GeoIP: ASN database $WT_TMP/later.mmdb" "$WT_TMP/screen"
	mv "$WT_TMP/c2.mmdb" "$WT_TMP/live.mmdb"
	wt_check "live: a replaced database is opened again: NZ becomes AU" \
	    row_has 203.0.113.7 " AU "
	cp "$WT_TMP/a.mmdb" "$WT_TMP/later.mmdb"
	_i=0
	while [ $_i -lt $((TIMEOUT * 10)) ]; do
		snap
		grep -qF "GeoIP: ASN database" "$WT_TMP/screen" || break
		sleep 0.1
		_i=$((_i + 1))
	done
	wt_check "live: a database that appears is opened (the notice goes)" \
	    sh -c "! grep -qF 'GeoIP: ASN database' '$WT_TMP/screen'"
	# the host view shows the AS the new database gives
	$T send-keys -t wt / 2 0 3 . 0 Enter
	wait_for "203.0.113.7" >/dev/null
	$T send-keys -t wt Home Enter
	wt_check "live: the host view has the AS of the database that appeared" \
	    wait_for "geo AU AS64500"
else
	wt_fail "live: 203.0.113.7 never showed NZ"
	show
fi
wt_finish
