#!/bin/sh
# html.sh: the HTML report is one self-contained file that escapes what it
# took from packets, and its charts are drawn by a browser.
#
# tests/report/hostile.txt (names with tags, quotes, an entity and a
# terminal escape) and tests/pcap/dns-escape.txt (a name with ESC [ 2 J)
# are reported as HTML; python3's html.parser checks that the file loads
# and runs nothing (tests/report/htmlcheck.py), and that every name comes back
# as text.  A name with the line and paragraph separators (U+2028,
# U+2029) and U+202E is escaped alike in the text and HTML reports
# (\u{2028}, \u{2029}, \u{202e}: no raw separator) and whole in JSON.
# Then headless Chromium renders it (--dump-dom) and the DOM it
# built must hold the traffic chart's paths, one point per bucket of the
# JSON report, and one bar per top talker and per top service.  Chromium
# (Debian package chromium) is required under CI.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init report-html
wt_need_wiretop
wt_need_tool python3

wt_need_pcapgen
py=$WT_SRCDIR/tests/report/htmlcheck.py

# tap FILE NAME: the check lines of FILE as TAP checks named NAME
tap() {
	while IFS= read -r line; do
		case $line in
		"ok - "*) wt_pass "$2: ${line#ok - }" ;;
		*) wt_fail "$2: ${line#not ok - }" ;;
		esac
	done <"$1"
}

for fx in report/hostile pcap/dns-escape pcap/talkers; do
	n=${fx#*/}
	"$pcapgen" -o "$WT_TMP/$n.pcap" "$WT_SRCDIR/tests/$fx.txt" \
	    >/dev/null || wt_hard "pcapgen failed on $fx.txt"
	"$WIRETOP" report -r "$WT_TMP/$n.pcap" --format html \
	    -o "$WT_TMP/$n.html" 2>"$WT_TMP/err" &&
	    "$WIRETOP" report -r "$WT_TMP/$n.pcap" --format json \
	    -o "$WT_TMP/$n.json" 2>>"$WT_TMP/err" ||
	    { wt_fail "$n: report failed: $(cat "$WT_TMP/err")"; continue; }
	case $n in
	hostile)
		set -- '<script>alert(1)</script>.a.example' \
		    "\"q\"'s&amp;<b>.b.example" \
		    "$(printf '\033[2Jx.c.example')" \
		    '<img src=http:x>.d.example' ;;
	dns-escape)
		set -- "$(printf '\033[2J.evil.example')" ;;
	*)
		set -- ;;
	esac
	python3 "$py" static "$WT_TMP/$n.html" "$WT_TMP/$n.json" "$@" \
	    >"$WT_TMP/out" 2>&1
	tap "$WT_TMP/out" "$n"
done

# the same names in the text and JSON reports: no control byte in either,
# the text has them escaped as the screen does, JSON gives them back whole
"$WIRETOP" report -r "$WT_TMP/hostile.pcap" >"$WT_TMP/hostile.text" ||
    wt_fail "hostile: text report failed"
wt_check "hostile: text and JSON reports hold no control byte, names escaped" \
    python3 -c '
import json, sys
t = open(sys.argv[1], "rb").read()
j = open(sys.argv[2], "rb").read()
bad = [c for c in t + j if (c < 0x20 and c != 10) or c == 0x7f]
names = {h["name"] for h in json.loads(j)["top_talkers"]}
sys.exit(bool(bad) or "\x1b[2Jx.c.example" not in names or
    b"\\x1b[2Jx.c.example" not in t or
    b"<script>alert(1)</script>.a.example" not in t)' \
    "$WT_TMP/hostile.text" "$WT_TMP/hostile.json"

# U+2028 and U+2029 are escaped as U+202E is, in text and HTML; JSON gives
# the name back whole (the name is the one written into the fixture here)
{
	echo "linktype ether"
	printf '%s\n' '0.000 dns 10.0.0.53:53 > 10.0.0.1:41001 name=a\xe2\x80\xa8b\xe2\x80\xa9c\xe2\x80\xaed.e.example a=198.51.100.1'
	echo '0.100 udp 10.0.0.1:40001 > 198.51.100.1:9 len=100'
} >"$WT_TMP/sep.txt"
"$pcapgen" -o "$WT_TMP/sep.pcap" "$WT_TMP/sep.txt" >/dev/null ||
    wt_hard "pcapgen failed on sep.txt"
for fmt in text html json; do
	"$WIRETOP" report -r "$WT_TMP/sep.pcap" --format $fmt \
	    -o "$WT_TMP/sep.$fmt" 2>"$WT_TMP/err" ||
	    wt_fail "sep: report --format $fmt: $(cat "$WT_TMP/err")"
done
wt_check "U+2028, U+2029: escaped as U+202E in text and HTML, whole in JSON" \
    python3 -c '
import json, sys
t, h = (open(f, "rb").read() for f in sys.argv[1:3])
j = json.load(open(sys.argv[3]))
esc = b"a\\u{2028}b\\u{2029}c\\u{202e}d.e.example"
raw = [b"\xe2\x80\xa8", b"\xe2\x80\xa9", b"\xe2\x80\xae"]
sys.exit(esc not in t or esc not in h or any(r in t + h for r in raw) or
    "a\u2028b\u2029c\u202ed.e.example" not in
    [x["name"] for x in j["top_talkers"]])' \
    "$WT_TMP/sep.text" "$WT_TMP/sep.html" "$WT_TMP/sep.json"

# Chromium: Debian's binary is chromium (chromium-browser elsewhere)
chr=
for c in chromium chromium-browser google-chrome; do
	command -v "$c" >/dev/null 2>&1 && { chr=$c; break; }
done
if [ -z "$chr" ]; then
	wt_missing "chromium not installed (packaging/install-deps.sh --test)"
fi
for n in hostile talkers; do
	# its own profile and no network; the page may not load anything
	# anyway (its Content-Security-Policy)
	HOME=$WT_TMP timeout 120 "$chr" --headless --no-sandbox \
	    --disable-gpu --no-first-run --user-data-dir="$WT_TMP/chr-$n" \
	    --dump-dom "file://$WT_TMP/$n.html" >"$WT_TMP/$n.dom" \
	    2>"$WT_TMP/$n.chr.err"
	if [ ! -s "$WT_TMP/$n.dom" ]; then
		wt_fail "$n: chromium rendered nothing: $(tail -3 "$WT_TMP/$n.chr.err")"
		continue
	fi
	python3 "$py" dom "$WT_TMP/$n.dom" "$WT_TMP/$n.json" >"$WT_TMP/out" 2>&1
	tap "$WT_TMP/out" "$n (chromium)"
done
HOME=$WT_TMP timeout 120 "$chr" --headless --no-sandbox --disable-gpu \
    --no-first-run --user-data-dir="$WT_TMP/chr-shot" \
    --window-size=1000,1400 --screenshot="$WT_TMP/shot.png" \
    "file://$WT_TMP/talkers.html" >/dev/null 2>&1
wt_check "chromium takes a screenshot of the page" \
    python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); sys.exit(not (d[:8] == b"\x89PNG\r\n\x1a\n" and len(d) > 10000))' "$WT_TMP/shot.png"
wt_finish
