#!/bin/sh
# range.sh: the t key's history ranges in the real TUI (tmux).
#
# tests/tui/hours.txt (three days of UDP, runs in hours 0, 66 and 72) is
# imported into a fresh database with `wiretop import`; the screen then
# replays the same file with --db naming that database, and t cycles
# live / 1 h / 24 h / 7 d / 30 d.  For each range the talkers pane must
# be titled "Top talkers — last R (history)" and list exactly the hosts,
# with exactly the bytes, that awk computes from the fixture text: a run
# of N frames of len + 42 bytes counts for its sender and its receiver in
# the hour it starts, and a range covers the hours from the one holding
# (newest second - range) on, the newest second being the last frame's
# (as export --db --since counts).  After 30 d, t is live again.
# The hosts compared are 10.1.*: a DNS answer between two 10.2 hosts
# gives 10.1.0.9 a hostile name (terminal escapes), which must show as
# text ("?.?.evil.example") without reaching the terminal: the pane's
# title is not changed and the screen is not cleared.
# wiretop view on that database (no daemon ever wrote a snapshot) says it
# waits for the daemon, and t there shows the same 1 h.
# Also: without a database t says so in the status line and stays live.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init range
wt_need_wiretop
wt_need_pcapgen
wt_need_tool tmux awk
. "$WT_SRCDIR/tests/tui/viewlib.sh"
trap vl_cleanup EXIT
trap 'vl_cleanup; exit 130' INT TERM HUP PIPE
cd "$WT_TMP" || wt_hard "cd $WT_TMP"
HOME=$WT_TMP
XDG_STATE_HOME=$WT_TMP/state
export HOME XDG_STATE_HOME

FIX=$WT_SRCDIR/tests/tui/hours.txt
"$pcapgen" -o "$WT_TMP/hours.pcap" "$FIX" || wt_hard "pcapgen hours.txt"
DB=$WT_TMP/hours.db
# -u root: as root wiretop would drop to nobody, who may not write here
U=
[ "$(id -u)" = 0 ] && U="-u root"
"$WIRETOP" import $U --db "$DB" "$WT_TMP/hours.pcap" > "$WT_TMP/import.out" \
    2>&1 || { cat "$WT_TMP/import.out"; wt_hard "wiretop import failed"; }

# expected SECS: "host bytes" lines of the range, sorted, from the
# fixture text alone
expected() {
	awk -v secs="$1" '
	/^base / { base = $2 }
	$2 == "udp" {
		t = $1; src = $3; dst = $5; len = 0; rep = 1; dt = 0
		for (i = 6; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "len") len = kv[2]
			if (kv[1] == "rep") rep = kv[2]
			if (kv[1] == "dt") dt = kv[2]
		}
		sub(/:.*/, "", src); sub(/:.*/, "", dst)
		n++; ts[n] = base + t; s[n] = src; d[n] = dst
		b[n] = rep * (len + 42)
		last = base + t + (rep - 1) * dt
		if (last > newest) newest = last
	}
	END {
		t0 = newest - secs
		unit = secs > 7 * 86400 ? 86400 : 3600
		from = t0 - t0 % unit
		for (i = 1; i <= n; i++) {
			h = ts[i] - ts[i] % unit
			if (h < from) continue
			tot[s[i]] += b[i]; tot[d[i]] += b[i]
		}
		for (a in tot) if (a ~ /^10\.1\./) print a, tot[a]
	}' "$FIX" | sort
}

# shown: "host bytes" of the talkers pane (bytes: the exact column, the
# last but one), sorted
shown() {
	vl_talkers | awk '/^10\.1\./ {print $1, $(NF - 1)}' | sort
}

# same_as FILE: the pane shows exactly the rows in FILE
same_as() {
	shown > "$WT_TMP/shown"
	cmp -s "$WT_TMP/shown" "$1"
}

vl_start 140 45 "'$WIRETOP' $U -r '$WT_TMP/hours.pcap' --speed max --db '$DB'"
vl_wait "finished" || { vl_show; wt_hard "the screen did not start"; }

for r in "3600 1 h" "86400 24 h" "604800 7 d" "2592000 30 d"; do
	set -- $r
	expected "$1" > "$WT_TMP/expected.$1"
	vl_key t
	# an em dash in UTF-8, a hyphen in ASCII mode
	if vl_eventually grep -Eq "Top talkers (—|-) last $2 $3 \(history\)" \
	    "$WT_TMP/screen"; then
		wt_pass "t: the title says \"last $2 $3 (history)\""
	else
		vl_show
		wt_fail "t: the title says \"last $2 $3 (history)\""
	fi
	if vl_eventually same_as "$WT_TMP/expected.$1"; then
		wt_pass "last $2 $3: hosts and bytes as the fixture defines ($(wc -l < "$WT_TMP/expected.$1") hosts)"
	else
		vl_show
		echo "expected:"; cat "$WT_TMP/expected.$1"
		echo "shown:"; cat "$WT_TMP/shown"
		wt_fail "last $2 $3: hosts and bytes as the fixture defines"
	fi
done
# the hostile name, as text
if grep -q "^10\.1\.0\.9 .*?\.?\.evil\.example" "$WT_TMP/screen" &&
    [ "$($VL_T display -p -t wt '#{pane_title}')" != pwned ] &&
    grep -q "^host " "$WT_TMP/screen"; then
	wt_pass "a hostile learned name shows as text, no escape reaches the terminal"
else
	vl_show
	wt_fail "a hostile learned name shows as text, no escape reaches the terminal"
fi
# the ranges differ, or the test proves little
if ! cmp -s "$WT_TMP/expected.3600" "$WT_TMP/expected.86400" &&
    ! cmp -s "$WT_TMP/expected.86400" "$WT_TMP/expected.604800"; then
	wt_pass "the fixture's 1 h, 24 h and 7 d ranges hold different hosts"
else
	wt_fail "the fixture's 1 h, 24 h and 7 d ranges hold different hosts"
fi
if vl_wait "services: bytes in the range"; then
	wt_pass "the services pane shows the range"
else
	vl_show
	wt_fail "the services pane shows the range"
fi
vl_key t
if vl_wait "time range: live" && ! grep -q "(history)" "$WT_TMP/screen"
then
	wt_pass "after 30 d, t is live again"
else
	vl_show
	wt_fail "after 30 d, t is live again"
fi
vl_key q
if vl_eventually vl_exited_ok; then
	wt_pass "q quits with status 0"
else
	vl_show
	wt_fail "q quits with status 0"
fi

# wiretop view on a database no daemon wrote (an import): it waits for
# the daemon, and t shows the history there too
vl_start 140 45 "'$WIRETOP' view --db '$DB'"
if vl_wait "waiting for the daemon"; then
	wt_pass "view on a database without a snapshot says it waits for the daemon"
else
	vl_show
	wt_fail "view on a database without a snapshot says it waits for the daemon"
fi
vl_key t
if vl_eventually same_as "$WT_TMP/expected.3600"; then
	wt_pass "t in view: last 1 h as the fixture defines"
else
	vl_show
	wt_fail "t in view: last 1 h as the fixture defines"
fi
vl_key q

# no database: a message, and the screen stays live
vl_start 140 45 "'$WIRETOP' $U -r '$WT_TMP/hours.pcap' --speed max --db '$WT_TMP/none.db'"
vl_wait "finished" || { vl_show; wt_hard "the screen did not start"; }
vl_key t
if vl_wait "history: " && grep -q "no history database" "$WT_TMP/screen" &&
    ! grep -q "(history)" "$WT_TMP/screen"; then
	wt_pass "without a database t says so and stays live"
else
	vl_show
	wt_fail "without a database t says so and stays live"
fi
vl_key q

wt_finish
