#!/bin/sh
# bench-live.sh: CPU per packet of a live capture on loopback.
#
#   bench-live.sh [RATE [SECONDS [PORT]]]     (root; defaults 100000 5 9999)
#
# Starts `wiretop export -i lo -f "udp port PORT"` (the filter keeps other
# loopback traffic out), lets lo-send send RATE datagrams a second for
# SECONDS, and reads wiretop's CPU time from /proc/PID/task/*/schedstat
# (ns, every thread) before and after.  Prints one line:
#   live-lo: RATE pps: N packets, D drops, X ns CPU/packet (U% of a core)
# Exit 1 if wiretop lost packets (drops, or fewer than lo-send sent).
# Environment: WIRETOP (the binary), WT_TOOLS (where lo-send is).

rate=${1:-100000}
secs=${2:-5}
port=${3:-9999}
wiretop=${WIRETOP:-src/wiretop}
losend=${WT_TOOLS:-tests/tools}/lo-send
[ "$(id -u)" = 0 ] || { echo "bench-live.sh: needs root"; exit 77; }
[ -x "$wiretop" ] && [ -x "$losend" ] ||
    { echo "bench-live.sh: needs $wiretop and $losend"; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wt-bench-live.XXXXXX") || exit 99
chmod 1777 "$tmp"
trap 'rm -rf "$tmp"' EXIT

# cpu PID: ns of CPU used by every thread of PID so far
cpu() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null |
	    awk '{ s += $1 } END { printf "%.0f\n", s }'
}

count=$((rate * secs))
"$wiretop" export -i lo -f "udp port $port" --duration $((secs + 30)) \
    --what summary --format json -o "$tmp/out.json" 2>"$tmp/err" &
pid=$!
sleep 1
c0=$(cpu $pid)
"$losend" -r "$rate" -n "$count" -p "$port" >"$tmp/send" || true
sleep 0.5
c1=$(cpu $pid)
kill -INT $pid
wait $pid
python3 - "$tmp/out.json" "$count" "$c0" "$c1" "$rate" "$secs" \
    "$(cat "$tmp/send")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want, c0, c1, rate, secs = (int(x) for x in sys.argv[2:7])
sent = int(sys.argv[7].split()[1])
words = sys.argv[7].split()
srate = words[5].lstrip("(") if len(words) > 5 else "?"
took = float(words[3]) if len(words) > 3 else secs
n = d["packets"]
drops = sum(s["kernel_drops"] + s["if_drops"] + s["ring_drops"]
            for s in d["sources"])
ns = (c1 - c0) / n if n else 0
print("live-lo: %d pps (sender reached %s): %d packets (sent %d), %d drops, "
      "%.0f ns CPU/packet (%.1f%% of a core)" % (rate, srate, n, sent, drops,
      ns, 100.0 * (c1 - c0) / (took * 1e9)))
sys.exit(0 if drops == 0 and n >= sent else 1)
PY
