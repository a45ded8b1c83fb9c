#!/bin/sh
# direction.sh: rx/tx follow the capture host's own addresses (root only).
#
# A 4 MB TCP download from a peer on the same /24 (10.201.1.2, in a
# network namespace, to 10.201.1.1 on this host) captured on this host's
# end of the veth pair is received traffic: the source's rx bytes hold
# the download, its tx bytes only the client's ACKs.  Both addresses are
# local networks, so only the host's own addresses can tell (as iftop).
# Environment (set by make check): WIRETOP, WT_SRCDIR.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init direction
wt_need_wiretop
. "$WT_SRCDIR/tests/live/netns.sh"
wt_netns_up

size=4000000
wt_ns_py - $size <<'PY' &
import socket, sys
n = int(sys.argv[1])
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("10.201.1.2", 8080))
l.listen(1)
l.settimeout(10)
c, _ = l.accept()
c.sendall(b"d" * n)
c.close()
PY
server=$!
n0=$(wt_packet_sockets)
"$WIRETOP" export -i "$WT_IF1" -f 'tcp port 8080' --duration 4 \
    --what summary --format json -o dir.json 2>dir.err &
pid=$!
wt_wait_capture "$n0" 1
got=$(python3 - $size <<'PY'
import socket, sys, time
for i in range(50):
    try:
        s = socket.create_connection(("10.201.1.2", 8080), timeout=5)
        break
    except OSError:
        time.sleep(0.1)
n = 0
while True:
    b = s.recv(65536)
    if not b:
        break
    n += len(b)
print(n)
PY
)
wait $server
wait $pid
rc=$?
wt_check "the download arrived ($got of $size bytes)" [ "$got" = $size ]
wt_check "export exit $rc (want 0)" [ "$rc" = 0 ]
r=$(python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))["sources"][0]
print(s["rx_bytes"], s["tx_bytes"])' dir.json 2>&1)
rx=${r% *}
tx=${r#* }
if [ "$rx" -ge $size ] 2>/dev/null && [ "$tx" -lt $((size / 10)) ]; then
	wt_pass "download is rx: rx $rx, tx $tx bytes"
else
	wt_fail "download: want rx >= $size and tx < $((size / 10)); got: $r"
fi
wt_finish
