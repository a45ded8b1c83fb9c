#!/bin/sh
# export-overflow.sh: the summary shows host-table overflow.
#
# A capture in which 10.0.0.1 sends one UDP datagram a second to each of
# 300 other addresses, read with --max-hosts 256 (the smallest table):
# 301 hosts do not fit.  Each remote's flow ends 60 s after its datagram
# (the UDP inactive timeout), which makes the remote idle and so
# evictable; 10.0.0.1 always has a live flow and stays.  The first 255
# remotes fill the table, and each of the last 45 evicts the least
# recently active idle host: hosts 256, hosts_evicted 45,
# hosts_untracked 0, in CSV, JSON and NDJSON alike.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init export-overflow
wt_need_wiretop
wt_need_tool python3

wt_need_pcapgen

{
	echo "linktype ether"
	i=1
	while [ $i -le 300 ]; do
		echo "$i.000 udp 10.0.0.1:40000 >" \
		    "198.18.$((i / 256)).$((i % 256)):9 len=10"
		i=$((i + 1))
	done
} >"$WT_TMP/overflow.txt"
"$pcapgen" -o "$WT_TMP/overflow.pcap" "$WT_TMP/overflow.txt" >/dev/null ||
    wt_hard "pcapgen failed"

for fmt in csv json ndjson; do
	if ! "$WIRETOP" export -r "$WT_TMP/overflow.pcap" --max-hosts 256 \
	    --what summary --format $fmt -o "$WT_TMP/s.$fmt" 2>"$WT_TMP/err"
	then
		wt_fail "$fmt: $(head -n 2 "$WT_TMP/err")"
		continue
	fi
	got=$(python3 - "$fmt" "$WT_TMP/s.$fmt" <<'EOF'
import csv, json, sys
fmt, path = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
if fmt == "csv":
    rows = list(csv.DictReader(text.splitlines(), strict=True))
    d = {(r["section"], r["key"]): r["value"] for r in rows}
    v = [d[("total", k)] for k in ("hosts", "hosts_evicted",
        "hosts_untracked")]
else:
    o = json.loads(text.split("\n")[0] if fmt == "ndjson" else text)
    v = [o[k] for k in ("hosts", "hosts_evicted", "hosts_untracked")]
    if not all(type(x) is int for x in v):
        raise SystemExit("not integers: %r" % v)
print(" ".join(str(x) for x in v))
EOF
)
	if [ "$got" = "256 45 0" ]; then
		wt_pass
	else
		wt_fail "$fmt: hosts, evicted, untracked '$got'," \
		    "expected '256 45 0'"
	fi
done

wt_finish
