#!/bin/sh
# flush.sh: a live export hands each flow record to a pipe as the flow
# ends, not when the run ends (root only).
#
# One TCP connection (10.201.1.1 -> 10.201.1.2:8081, three-way handshake,
# 1000 bytes, FIN both ways) on a veth pair; with the default close
# timeout of 5 s its record is final about 5 s after the last FIN.  The
# export runs for 16 s and writes NDJSON into a pipe whose reader notes
# when each line arrives: the record must arrive before 12 s, while
# wiretop is still running (buffered output would arrive at 16 s).
# Environment (set by make check): WIRETOP, WT_SRCDIR.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init flush
wt_need_wiretop
. "$WT_SRCDIR/tests/live/netns.sh"
wt_netns_up

wt_ns_py - <<'PY' &
import socket
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("10.201.1.2", 8081))
l.listen(1)
l.settimeout(15)
c, _ = l.accept()
n = 0
while n < 1000:
    b = c.recv(4096)
    if not b:
        break
    n += len(b)
c.close()
PY
server=$!
n0=$(wt_packet_sockets)
{ "$WIRETOP" export -i "$WT_IF1" -f 'tcp port 8081' --duration 16 \
    --format ndjson 2>flush.err; echo "exit $?" >flush.rc; } |
    python3 -c 'import sys, time
t0 = time.monotonic()
for line in sys.stdin:
    print("%.1f %s" % (time.monotonic() - t0, line.rstrip()))
    sys.stdout.flush()' >lines &
reader=$!
wt_wait_capture "$n0" 1
python3 - <<'PY'
import socket, time
for i in range(50):
    try:
        s = socket.create_connection(("10.201.1.2", 8081), timeout=5)
        break
    except OSError:
        time.sleep(0.1)
s.sendall(b"x" * 1000)
s.shutdown(socket.SHUT_WR)
s.recv(10)
s.close()
PY
wait $server
wait $reader
wt_check "export: $(cat flush.rc 2>/dev/null) (want exit 0)" \
    [ "$(cat flush.rc 2>/dev/null)" = "exit 0" ]
rec=$(grep '"id.resp_p":8081' lines | head -n 1)
t=${rec%% *}
if [ -n "$rec" ] && [ "$(python3 -c "print(int($t < 12))")" = 1 ]; then
	wt_pass "the flow record reached the pipe at ${t}s, before the end"
else
	wt_fail "the flow record reached the pipe at '${t}' (want < 12 s): $(cat lines)"
fi
case $rec in
*'"conn_state":"SF"'*) wt_pass "the record is a whole connection (SF)" ;;
*) wt_fail "record: $rec" ;;
esac
wt_finish
