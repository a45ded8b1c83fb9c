#!/bin/sh
# report.sh: report -r lists the alerts the detectors raised, in text,
# JSON and HTML.
#
# tests/alerts/port-scan.txt raises two port_scan alerts (203.0.113.10
# at 10.05 s and 203.0.113.9 at 10.2 s after the fixture's base time
# 1700000000, both severity warning = 3); the report lists them oldest
# first.  With alerts = no the report says capture files were not
# checked.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init alerts-report
wt_need_wiretop
wt_need_pcapgen
wt_need_tool python3

"$pcapgen" -o "$WT_TMP/scan.pcap" "$WT_SRCDIR/tests/alerts/port-scan.txt" \
    >/dev/null || wt_hard "pcapgen failed"
export WIRETOP_NO_DEFAULT_CONFIG=1

"$WIRETOP" report -r "$WT_TMP/scan.pcap" >"$WT_TMP/r.txt" ||
    wt_fail "report (text) failed"
sed -n '/^Alerts/,$p' "$WT_TMP/r.txt" >"$WT_TMP/alerts.txt"
wt_check "text: two port scans, oldest first" sh -c "
    sed -n 2p '$WT_TMP/alerts.txt' | grep -q 'severity 3  port_scan  (active)  203.0.113.10: port scan' &&
    sed -n 3p '$WT_TMP/alerts.txt' | grep -q 'severity 3  port_scan  (active)  203.0.113.9: port scan' &&
    [ \$(wc -l < '$WT_TMP/alerts.txt') -eq 3 ]"

"$WIRETOP" report -r "$WT_TMP/scan.pcap" --format json >"$WT_TMP/r.json" ||
    wt_fail "report (json) failed"
wt_check "json: checked, total 2, the two subjects" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["alerts"]
assert a["checked"] is True and a["total"] == 2, a
assert [x["subject"] for x in a["list"]] == ["203.0.113.10", "203.0.113.9"], a
assert all(x["kind"] == "port_scan" and x["severity"] == 3 for x in a["list"]), a
' "$WT_TMP/r.json"

"$WIRETOP" report -r "$WT_TMP/scan.pcap" --format html >"$WT_TMP/r.html" ||
    wt_fail "report (html) failed"
wt_check "html: two alert rows" [ "$(grep -c '<td class="l">port_scan</td>' "$WT_TMP/r.html")" -eq 2 ]

# tests/alerts/dns-anomaly.txt asks for a name holding ESC [31m, quotes,
# <script> and a newline byte (10.0.0.10): its alert's message carries
# the name's first bytes, which every format must escape.
"$pcapgen" -o "$WT_TMP/dns.pcap" "$WT_SRCDIR/tests/alerts/dns-anomaly.txt" \
    >/dev/null || wt_hard "pcapgen failed"
for fmt in text json html; do
	"$WIRETOP" report -r "$WT_TMP/dns.pcap" --format $fmt \
	    >"$WT_TMP/h.$fmt" || wt_fail "report ($fmt) of dns-anomaly failed"
done
wt_check "text: the hostile name's alert is there, without a raw ESC" \
    sh -c "grep -q 'severity 3  dns_anomaly  (active)  10.0.0.10: DNS' '$WT_TMP/h.text' &&
    ! grep -q \"\$(printf '\\033')\" '$WT_TMP/h.text'"
wt_check "html: <script> only as &lt;script&gt;" sh -c "
    ! grep -q '<script>' '$WT_TMP/h.html' &&
    grep -q '&lt;script&gt;alert(&quot;x&quot;)' '$WT_TMP/h.html'"
wt_check "json: valid, the message holds the name as text" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["alerts"]["list"]
m = [x["message"] for x in a if x["subject"] == "10.0.0.10"]
assert len(m) == 1 and "<script>alert(\"x\")" in m[0] and "\x1b" not in m[0], m
' "$WT_TMP/h.json"

printf 'alerts = no\n' >"$WT_TMP/off.conf"
"$WIRETOP" report -c "$WT_TMP/off.conf" -r "$WT_TMP/scan.pcap" \
    >"$WT_TMP/off.txt" || wt_fail "report with alerts = no failed"
wt_check "alerts = no: not checked" grep -q 'capture files are not checked' \
    "$WT_TMP/off.txt"
wt_finish
