#!/bin/sh
# priv.sh: the privilege drop (DESIGN section 10).
#
# Started as root, a live export on lo must, while it runs, show in
# /proc/PID/status the uid and gid of the user it was told to become
# (default: wiretop where that user exists, else nobody; the expected ids
# come from getent/id, not from wiretop), no capability in any set
# (effective, permitted, inheritable, ambient, bounding) and NoNewPrivs 1.
# The same holds for a capture file source (a FIFO held open, so the run
# lasts).  -u root keeps uid 0 and says so in one line.  An unknown user
# is one line and exit 3, for export and the daemon alike.  A user other
# than root running a binary with file capabilities keeps its uid; not
# in the capture group, it cannot capture (and still reads files); in
# it, it captures and then loses the capabilities.  Needs root: skipped
# otherwise, failed under CI=true.
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init priv
wt_need_wiretop
HOME=$WT_TMP XDG_CONFIG_HOME=$WT_TMP/.config
export HOME XDG_CONFIG_HOME

[ "$(id -u)" = 0 ] || wt_missing "needs root"
ip link show lo >/dev/null 2>&1 || wt_missing "no loopback interface"

if getent passwd wiretop >/dev/null 2>&1; then
	want_user=wiretop
else
	want_user=nobody
fi
want_uid=$(id -u "$want_user")
want_gid=$(id -g "$want_user")
wt_log "expected user after the drop: $want_user ($want_uid:$want_gid)"

# status_field PID NAME: the first value of a /proc/PID/status line
status_field() {
	awk -v k="$2:" '$1 == k { print $2; exit }' "/proc/$1/status" 2>/dev/null
}

# wait_field PID NAME VALUE: wait (at most 10 s) until the status line
# NAME of PID starts with VALUE
wait_field() {
	_i=0
	while [ $_i -lt 100 ]; do
		[ "$(status_field "$1" "$2")" = "$3" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
wait_uid() {
	wait_field "$1" Uid "$2"
}

# check_dropped WHAT PID UID GID HOW: every id and capability set as
# expected once the capabilities are gone; HOW: "user" (started as root:
# the groups of the expected user, an empty bounding set too) or "-"
check_dropped() {
	_w=$1 _p=$2 _u=$3 _g=$4
	if ! wait_uid "$_p" "$_u" ||
	    ! wait_field "$_p" CapPrm 0000000000000000; then
		wt_fail "$_w: never dropped (Uid: $(status_field "$_p" Uid)," \
		    "CapPrm: $(status_field "$_p" CapPrm))"
		return
	fi
	_st=/proc/$_p/status
	_ids=$(awk '$1 == "Uid:" || $1 == "Gid:" { print $2, $3, $4, $5 }' "$_st")
	if [ "$_ids" = "$_u $_u $_u $_u
$_g $_g $_g $_g" ]; then
		wt_pass "$_w: real, effective, saved and fs uid $_u and gid $_g"
	else
		wt_fail "$_w: ids are '$_ids', want uid $_u gid $_g everywhere"
	fi
	# Emptying the bounding set needs CAP_SETPCAP, which a user other
	# than root does not have; no_new_privs makes it moot there.
	_sets="CapInh CapPrm CapEff CapAmb"
	[ "$5" = user ] && _sets="$_sets CapBnd"
	for _c in $_sets; do
		_v=$(status_field "$_p" $_c)
		if [ "$_v" = 0000000000000000 ]; then
			wt_pass
		else
			wt_fail "$_w: $_c is $_v, want 0000000000000000"
		fi
	done
	_v=$(status_field "$_p" NoNewPrivs)
	[ "$_v" = 1 ] && wt_pass || wt_fail "$_w: NoNewPrivs is '$_v', want 1"
	_grp=$(awk '$1 == "Groups:" { $1 = ""; print }' "$_st" | tr -s ' ' '\n' |
	    grep -v '^$' | sort -n | tr '\n' ' ')
	_want=$(id -G "$want_user" | tr ' ' '\n' | sort -n | tr '\n' ' ')
	if [ "$5" = user ]; then
		[ "$_grp" = "$_want" ] && wt_pass ||
		    wt_fail "$_w: groups '$_grp', want those of $want_user: '$_want'"
	fi
}

# 1. live export on lo, default user
"$WIRETOP" export -i lo --duration 3 -o "$WT_TMP/live.csv" \
    2>"$WT_TMP/live.err" &
pid=$!
check_dropped "live export" $pid "$want_uid" "$want_gid" user
wait $pid
rc=$?
[ $rc = 0 ] && [ ! -s "$WT_TMP/live.err" ] && head -n 1 "$WT_TMP/live.csv" |
    grep -q '^ts,uid,' && wt_pass "live export: exit 0, output written" ||
    wt_fail "live export: exit $rc: $(head -n 2 "$WT_TMP/live.err")"

# 2. a file source: a FIFO kept open by a silent writer
mkfifo "$WT_TMP/fifo"
"$WT_TOOLS/pcapgen" -o "$WT_TMP/one.pcap" "$WT_SRCDIR/tests/pcap/basic-tcp.txt" ||
    wt_hard "pcapgen failed"
( cat "$WT_TMP/one.pcap"; exec sleep 30 ) >"$WT_TMP/fifo" &
writer=$!
"$WIRETOP" export -r "$WT_TMP/fifo" -o /dev/null 2>"$WT_TMP/file.err" &
pid=$!
check_dropped "file export" $pid "$want_uid" "$want_gid" user
kill $writer 2>/dev/null
wait $writer 2>/dev/null
wait $pid

# 3. -u USER by name: the user given is the user taken
if [ "$want_user" != nobody ]; then
	other=nobody
else
	other=daemon
fi
if id -u "$other" >/dev/null 2>&1; then
	"$WIRETOP" export -u "$other" -i lo --duration 2 -o /dev/null \
	    2>"$WT_TMP/u.err" &
	pid=$!
	if wait_uid $pid "$(id -u "$other")"; then
		wt_pass "-u $other: runs as $other"
	else
		wt_fail "-u $other: Uid $(status_field $pid Uid)"
	fi
	wait $pid
fi

# 4. -u root keeps root and warns in one line
"$WIRETOP" export -u root -i lo --duration 2 -o /dev/null \
    --log "$WT_TMP/root.log" 2>"$WT_TMP/root.err" &
pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q 'root' "$WT_TMP/root.log" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
u=$(status_field $pid Uid)
wait $pid
rc=$?
[ "$u" = 0 ] && wt_pass "-u root: uid 0" || wt_fail "-u root: Uid '$u'"
if [ $rc = 0 ] && [ "$(wc -l <"$WT_TMP/root.err")" = 1 ] &&
    grep -q 'root' "$WT_TMP/root.err"; then
	wt_pass "-u root: one warning line"
else
	wt_fail "-u root: exit $rc, stderr: $(cat "$WT_TMP/root.err")"
fi

# 5. an unknown user is one line, exit 3, and nothing is captured
"$WIRETOP" export -u no-such-user-wt -i lo --duration 1 -o /dev/null \
    2>"$WT_TMP/nouser.err"
rc=$?
if [ $rc = 3 ] && [ "$(wc -l <"$WT_TMP/nouser.err")" = 1 ] &&
    grep -q 'no-such-user-wt' "$WT_TMP/nouser.err"; then
	wt_pass "-u unknown user: exit 3, one line naming it"
else
	wt_fail "-u unknown user: exit $rc: $(cat "$WT_TMP/nouser.err")"
fi

# 5b. the same for the daemon (-u, user = in a file, --daemonize): the
# database's directory is made for that user first, which is where the
# unknown user is met; still the privilege drop's exit status
printf '[wiretop]\nuser = no-such-user-wt\n' >"$WT_TMP/nouser.conf"
for how in "-u no-such-user-wt" "-c $WT_TMP/nouser.conf" \
    "-u no-such-user-wt --daemonize"; do
	# shellcheck disable=SC2086
	timeout 10 "$WIRETOP" daemon $how -i lo --db "$WT_TMP/nouser/h.db" \
	    2>"$WT_TMP/nouser.err"
	rc=$?
	if [ $rc = 3 ] && [ "$(wc -l <"$WT_TMP/nouser.err")" = 1 ] &&
	    grep -q 'no-such-user-wt' "$WT_TMP/nouser.err"; then
		wt_pass "daemon $how: exit 3, one line naming the user"
	else
		wt_fail "daemon $how: exit $rc (want 3): $(cat "$WT_TMP/nouser.err")"
	fi
done

# 6. file capabilities: a user other than root keeps them only in the
# capture group (configure --with-capture-group, config.h), and only
# until the capture is open.  Not in it: no capture (exit 3, one line
# naming the group and how to join it), files are still read.  In it
# (where the group exists here: deb.sh makes it with the package): the
# capture works and the capabilities go once it is open.  Given as
# ambient capabilities (systemd's way) they are kept whatever the group:
# tests/daemon/systemd.sh.
group=$(sed -n 's/^#define WT_CAPTURE_GROUP "\(.*\)"$/\1/p' \
    "${WT_BUILDDIR:-.}/config.h" 2>/dev/null)
group=${group:-wiretop}
if command -v setcap >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1
then
	cp "$WIRETOP" "$WT_TMP/wiretop-caps"
	chmod 755 "$WT_TMP/wiretop-caps"
	chmod 644 "$WT_TMP/one.pcap"
	if setcap cap_net_raw,cap_net_admin+ep "$WT_TMP/wiretop-caps" 2>/dev/null
	then
		nobody_gid=$(id -g nobody)
		gid=$(getent group "$group" | cut -d: -f3)
		if [ -n "$gid" ] && [ "$gid" = "$nobody_gid" ]; then
			wt_hard "nobody's group is the capture group $group"
		fi
		setpriv --reuid=nobody --regid="$nobody_gid" --clear-groups \
		    "$WT_TMP/wiretop-caps" export -i lo --duration 1 \
		    -o /dev/null 2>"$WT_TMP/nomember.err"
		rc=$?
		if [ $rc = 3 ] && [ "$(wc -l <"$WT_TMP/nomember.err")" = 1 ] &&
		    grep -q "permission denied.* group $group[ ,].*adduser nobody $group" \
		    "$WT_TMP/nomember.err"; then
			wt_pass "file capabilities, not in group $group: no capture, exit 3, one line naming the group"
		else
			wt_fail "file capabilities, not in group $group: exit $rc (want 3): $(cat "$WT_TMP/nomember.err")"
		fi
		setpriv --reuid=nobody --regid="$nobody_gid" --clear-groups \
		    "$WT_TMP/wiretop-caps" export -r "$WT_TMP/one.pcap" \
		    >"$WT_TMP/nomember.csv" 2>"$WT_TMP/nomember-r.err"
		rc=$?
		n=$(($(wc -l <"$WT_TMP/nomember.csv") - 1))
		wt_check "file capabilities, not in group $group: export -r still reads a file (exit $rc, $n flow; $(cat "$WT_TMP/nomember-r.err"))" \
		    eval '[ $rc = 0 ] && [ $n = 1 ]'
		if [ -n "$gid" ]; then
			setpriv --reuid=nobody --regid="$nobody_gid" \
			    --groups="$gid" "$WT_TMP/wiretop-caps" export \
			    -i lo --duration 3 -o /dev/null \
			    2>"$WT_TMP/caps.err" &
			pid=$!
			# there at exec; gone once the capture is open
			check_dropped "file capabilities, in group $group" \
			    $pid "$(id -u nobody)" "$nobody_gid" -
			wait $pid
			rc=$?
			[ $rc = 0 ] && wt_pass "file capabilities, in group $group: live capture worked" ||
			    wt_fail "file capabilities, in group $group: exit $rc: $(cat "$WT_TMP/caps.err")"
		else
			wt_log "no group $group here: a member's capture is tested by tests/packaging/deb.sh"
		fi
	else
		wt_log "setcap failed here (filesystem without xattrs?): not tested"
	fi
fi

wt_finish
