#!/bin/sh
# listen.sh: where /metrics listens, and what it answers.
#
# metrics_listen (--metrics-listen) takes ADDRESS:PORT with a numeric
# address, [ADDRESS]:PORT for IPv6, or :PORT (and PORT) for 127.0.0.1:
# listening on anything but loopback needs the address written out.
# Malformed values are usage errors (exit 2), from the command line or a
# file (file:line: key: ...); the option belongs to the daemon only.  The
# socket is bound where the value says (ss(8) shows it, and a connection
# to another loopback address is refused), before the privilege drop (a
# port below 1024 works for a daemon that runs as nobody), and an
# address in use stops the daemon at its start (exit 1).  Only GET and
# HEAD /metrics are served: other paths are 404, other methods 405 with
# Allow: GET, HEAD.
# Needs root (capture on lo, a port below 1024), python3 and ss.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init metrics-listen
wt_need_wiretop
wt_need_tool python3
wt_need_tool ss
[ "$(id -u)" -eq 0 ] || wt_missing "needs root to capture on lo"
wt_need_sqlite3
. "$WT_SRCDIR/tests/metrics/lib.sh"
HOLDER=
cleanup() {
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null
	vl_cleanup
}
trap cleanup EXIT

# ---- the values ---------------------------------------------------------
for bad in localhost:9796 0.0.0.0 ::1:9796 127.0.0.1:0 :70000 '[::1]' \
    127.0.0.1: 1.2.3:80 '[127.0.0.1]:80' 9796x '' ; do
	[ -z "$bad" ] && continue
	"$WIRETOP" daemon --metrics-listen "$bad" --show-config \
	    >/dev/null 2>"$WT_TMP/err"
	rc=$?
	wt_check "--metrics-listen '$bad' is refused (exit 2, got $rc)" \
	    sh -c "[ $rc -eq 2 ] && grep -q 'metrics-listen: expected ADDRESS:PORT' '$WT_TMP/err'"
done
for good in :9796 9796 127.0.0.1:9796 0.0.0.0:9796 '[::1]:9796' '[::]:9796'; do
	wt_check "--metrics-listen '$good' is taken" sh -c \
	    "'$WIRETOP' daemon --metrics-listen '$good' --show-config |
	    grep -qxF 'metrics_listen = $good'"
done
printf '[wiretop]\nmetrics_listen = localhost:1\n' > "$WT_TMP/bad.conf"
"$WIRETOP" --show-config -c "$WT_TMP/bad.conf" >/dev/null 2>"$WT_TMP/err"
rc=$?
wt_check "a bad metrics_listen in a file is file:line: key (exit 2, got $rc)" \
    sh -c "[ $rc -eq 2 ] && grep -q 'bad.conf:2: metrics_listen: expected' '$WT_TMP/err'"
printf '[wiretop]\nmetrics_top_hosts = 1001\n' > "$WT_TMP/bad.conf"
wt_check "metrics_top_hosts above 1000 is refused" sh -c \
    "! '$WIRETOP' --show-config -c '$WT_TMP/bad.conf' >/dev/null 2>&1"
"$WIRETOP" export -r /dev/null --metrics-listen :9796 >/dev/null 2>&1
rc=$?
wt_check "--metrics-listen is for the daemon only (export: exit 2, got $rc)" [ $rc -eq 2 ]

# ---- where it binds -----------------------------------------------------
# bound ADDR: what ss shows listening on the metrics port is ADDR:PORT
bound() {
	[ "$(ss -Hltn "sport = :$MT_MPORT" | awk '{print $4}')" = "$1:$MT_MPORT" ]
}
# status ADDR: the status of GET http://ADDR:PORT/metrics (0: refused)
status() {
	$MT_PY status "http://$1:$MT_MPORT/metrics"
}
start_on() {
	vl_daemon "$WT_TMP/h.db" "$MT_PORT" --metrics-listen "$1" || {
		cat "$WT_TMP/daemon.out" "$WT_TMP/daemon.log" 2>/dev/null
		wt_hard "the daemon did not start with --metrics-listen $1"
	}
}

start_on ":$MT_MPORT"
wt_check ":PORT listens on 127.0.0.1 only (ss)" bound 127.0.0.1
wt_check ":PORT: 127.0.0.1 answers 200" [ "$(status 127.0.0.1)" = 200 ]
wt_check ":PORT: 127.0.0.2 is refused" [ "$(status 127.0.0.2)" = 0 ]
wt_check "the log names the endpoint" \
    grep -q "metrics: serving /metrics on :$MT_MPORT" "$WT_TMP/daemon.log"

# the answers: methods and paths
python3 - "$MT_MPORT" > "$WT_TMP/answers" <<'PY'
import http.client, sys
port = int(sys.argv[1])
for method, path in (("GET", "/metrics"), ("HEAD", "/metrics"),
                     ("GET", "/metrics?x=1"), ("GET", "/"),
                     ("GET", "/metricsx"), ("POST", "/metrics"),
                     ("PUT", "/metrics"), ("DELETE", "/metrics")):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request(method, path, body=b"x" if method in ("POST", "PUT") else None)
    r = c.getresponse()
    body = r.read()
    print(method, path, r.status, len(body), r.getheader("Allow", "-"),
          r.getheader("Content-Type", "-").replace(" ", ""))
    c.close()
PY
ans() {
	grep -q "^$1 $2 $3" "$WT_TMP/answers" || {
		sed 's/^/    /' "$WT_TMP/answers"
		return 1
	}
}
wt_check "GET /metrics: 200, the text format 0.0.4" \
    sh -c "grep '^GET /metrics 200 ' '$WT_TMP/answers' | grep -q 'text/plain;version=0.0.4;charset=utf-8\$'"
wt_check "HEAD /metrics: 200, no body" ans HEAD /metrics "200 0 "
wt_check "GET /metrics?x=1: 200" ans GET '/metrics?x=1' 200
wt_check "GET /: 404" ans GET / 404
wt_check "GET /metricsx: 404" ans GET /metricsx 404
for m in POST PUT DELETE; do
	wt_check "$m /metrics: 405, Allow: GET, HEAD" \
	    sh -c "grep '^$m /metrics 405 ' '$WT_TMP/answers' | grep -q ' GET,HEAD ' ||
	    grep '^$m /metrics 405 ' '$WT_TMP/answers' | grep -q ' GET, HEAD '"
done
vl_daemon_stop

start_on "127.0.0.2:$MT_MPORT"
wt_check "127.0.0.2:PORT listens there (ss)" bound 127.0.0.2
wt_check "127.0.0.2:PORT: 127.0.0.2 answers 200" [ "$(status 127.0.0.2)" = 200 ]
wt_check "127.0.0.2:PORT: 127.0.0.1 is refused" [ "$(status 127.0.0.1)" = 0 ]
vl_daemon_stop

if ip -6 addr show dev lo 2>/dev/null | grep -q 'inet6 ::1/128'; then
	start_on "[::1]:$MT_MPORT"
	wt_check "[::1]:PORT listens there (ss)" bound '[::1]'
	wt_check "[::1]:PORT: ::1 answers 200" [ "$(status '[::1]')" = 200 ]
	wt_check "[::1]:PORT: 127.0.0.1 is refused" [ "$(status 127.0.0.1)" = 0 ]
	vl_daemon_stop
else
	wt_log "no ::1 on lo: the IPv6 address is not tried"
fi

# ---- an address in use ---------------------------------------------------
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
print("ready", flush=True); time.sleep(60)' "$MT_MPORT" > "$WT_TMP/holder" &
HOLDER=$!
i=0
while ! grep -q ready "$WT_TMP/holder" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
"$WIRETOP" daemon -i lo -f "udp and port $MT_PORT" -u root \
    --db "$WT_TMP/busy.db" --log "$WT_TMP/busy.log" \
    --metrics-listen "127.0.0.1:$MT_MPORT" >/dev/null 2>"$WT_TMP/err"
rc=$?
wt_check "an address in use stops the daemon at its start (exit 1, got $rc)" \
    sh -c "[ $rc -eq 1 ] && grep -q 'metrics_listen 127.0.0.1:$MT_MPORT: Address already in use' '$WT_TMP/err'"
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
HOLDER=

# ---- a port below 1024, bound before the drop to nobody -------------------
low=
p=$((600 + $$ % 300))
while [ $p -lt 1000 ]; do
	if [ -z "$(ss -Hltn "sport = :$p")" ]; then
		low=$p
		break
	fi
	p=$((p + 1))
done
if [ -n "$low" ] && id nobody >/dev/null 2>&1; then
	"$WIRETOP" daemon -i lo -f "udp and port $MT_PORT" -u nobody \
	    --db "$WT_TMP/nobody/h.db" --log "$WT_TMP/nobody.log" \
	    --metrics-listen "127.0.0.1:$low" > "$WT_TMP/nobody.out" 2>&1 &
	VL_DAEMON=$!
	i=0
	while [ $i -lt 100 ] && ! $MT_PY answers "http://127.0.0.1:$low/metrics" 1; do
		kill -0 "$VL_DAEMON" 2>/dev/null || break
		sleep 0.2
		i=$((i + 1))
	done
	wt_check "port $low (below 1024) answers from a daemon run as nobody" \
	    $MT_PY answers "http://127.0.0.1:$low/metrics" 2
	uid=$(awk '/^Uid:/{print $3}' "/proc/$VL_DAEMON/status" 2>/dev/null)
	wt_check "that daemon runs as nobody (uid $uid)" \
	    [ "$uid" = "$(id -u nobody)" ]
	mt_stop_clean
else
	wt_log "no free port below 1024 or no user nobody: not tried"
fi
wt_finish
