# tests/metrics/lib.sh: helpers of the /metrics tests (sourced after
# tests/lib.sh and wt_init): the daemon on lo (tests/tui/viewlib.sh's
# vl_daemon, capturing only the test's UDP port), its metrics port, and
# polling reads of one sample.
#
# Ports: the capture port MT_PORT and the metrics port MT_MPORT (TCP,
# outside the capture filter) come from the shell's pid.

. "$WT_SRCDIR/tests/tui/viewlib.sh"
MT_PY="python3 $WT_SRCDIR/tests/metrics/attack.py"
MT_PORT=$((20000 + $$ % 20000))
MT_MPORT=$((MT_PORT + 1))
MT_URL="http://127.0.0.1:$MT_MPORT/metrics"
export WIRETOP_NO_DEFAULT_CONFIG=1

# mt_value NAME [LABELS]: the sample's value now (nothing if absent).
mt_value() {
	$MT_PY value "$MT_URL" "$@" 2>/dev/null
}

# mt_wait_value NAME LABELS WANT [SECS]: poll (0.2 s) until the sample
# is WANT, for SECS seconds (default 15); the last value read is in
# $MT_LAST.
mt_wait_value() {
	_i=0
	_n=$((${4:-15} * 5))
	while [ $_i -lt $_n ]; do
		MT_LAST=$(mt_value "$1" "$2")
		[ "$MT_LAST" = "$3" ] && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

# mt_rss PID: VmRSS of PID in KiB.
mt_rss() {
	awk '/^VmRSS:/{print $2}' "/proc/$1/status"
}

# mt_start [ARGS...]: the daemon with /metrics on MT_MPORT; hard error if
# it does not start.
mt_start() {
	vl_daemon "$WT_TMP/h.db" "$MT_PORT" \
	    --metrics-listen "127.0.0.1:$MT_MPORT" "$@" || {
		cat "$WT_TMP/daemon.out" "$WT_TMP/daemon.log" 2>/dev/null
		wt_hard "the daemon did not start"
	}
}

# mt_stop_clean: TERM; passes if the daemon exits with 0 within 30 s.
mt_stop_clean() {
	kill -TERM "$VL_DAEMON"
	_i=0
	while kill -0 "$VL_DAEMON" 2>/dev/null && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$VL_DAEMON" 2>/dev/null; then
		wt_fail "the daemon exits on TERM within 30 s"
		kill -KILL "$VL_DAEMON"
		wait "$VL_DAEMON" 2>/dev/null
	else
		wait "$VL_DAEMON"
		wt_check "the daemon exits 0 on TERM" [ $? -eq 0 ]
	fi
	VL_DAEMON=
}
