#!/bin/sh
# view-group.sh: the database's group decides who may watch (root only).
#
# A system group and two unprivileged users are made for the test (and
# removed on exit): one in the group, one not.  The database directory
# is 0750 and the database 0640, both in the group, as db_group makes
# them (made by hand here; the daemon keeps the file's mode, and SQLite
# gives the -wal and -shm files the database's mode and owner).  While
# `wiretop daemon -i lo` writes it:
#   - the member runs `wiretop view` (in tmux, through runuser) and sees
#     the host the test sent the most bytes from (127.78.1.1: 2000
#     datagrams, against 500 from 127.78.2.1) as the top talker, with no
#     write access to the directory or the -shm file;
#   - the other user gets one line on stderr, "permission denied (ask to
#     be added to group G)" naming the real group, and exit status 4;
#   - after the daemon stops (its -wal and -shm files gone, which a
#     reader may not create) the member still opens the database.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init view-group
wt_need_wiretop
wt_need_tool tmux python3 runuser groupadd useradd userdel groupdel
[ "$(id -u)" = 0 ] || wt_missing "needs root (users, groups, capture)"
. "$WT_SRCDIR/tests/tui/viewlib.sh"

G=wtv$$
U1=wtvin$$
U2=wtvout$$
vl_users "$G" "$U1" "$U2"

PORT=$((20000 + ($$ + 7) % 20000))
DIR=$WT_TMP/lib/wiretop
DB=$DIR/history.db
mkdir -p "$DIR"
chmod 0755 "$WT_TMP/lib"
chgrp "$G" "$DIR" && chmod 0750 "$DIR" || wt_hard "chmod $DIR"
: > "$DB"
chgrp "$G" "$DB" && chmod 0640 "$DB" || wt_hard "chmod $DB"

vl_daemon "$DB" "$PORT" || {
	cat "$WT_TMP/daemon.out" "$WT_TMP/daemon.log" 2>/dev/null
	wt_hard "wiretop daemon did not write a snapshot"
}
# what the member may do: read, not write
if runuser -u "$U1" -- test -r "$DB" &&
    ! runuser -u "$U1" -- test -w "$DIR" &&
    ! runuser -u "$U1" -- test -w "$DB-shm"; then
	wt_pass "the member may read the database, not write it, its -shm or the directory"
else
	ls -la "$DIR"
	wt_fail "the member may read the database, not write it, its -shm or the directory"
fi

vl_start 140 45 "runuser -u $U1 -- '$WIRETOP' view --db '$DB'"
vl_send 127.78.1.1 127.78.1.2 2000 1000 "$PORT"
vl_send 127.78.2.1 127.78.2.2 500 1000 "$PORT"
if vl_eventually vl_first_is 127.78.1.1; then
	wt_pass "a member of $G sees the daemon's top talker (127.78.1.1)"
else
	vl_show
	cat "$WT_TMP/exit" 2>/dev/null
	wt_fail "a member of $G sees the daemon's top talker (127.78.1.1)"
fi
if grep -q "wiretop view" "$WT_TMP/screen" &&
    ! grep -q "daemon not writing" "$WT_TMP/screen"; then
	wt_pass "the member's header shows a fresh snapshot"
else
	vl_show
	wt_fail "the member's header shows a fresh snapshot"
fi

runuser -u "$U2" -- "$WIRETOP" view --db "$DB" > "$WT_TMP/o" 2> "$WT_TMP/e" \
    < /dev/null
rc=$?
if [ $rc -eq 4 ] && [ "$(wc -l < "$WT_TMP/e")" -eq 1 ] &&
    grep -q "^wiretop: view: $DB: permission denied (ask to be added to group $G)\$" \
    "$WT_TMP/e"; then
	wt_pass "a user outside $G: one line naming the group, exit 4"
else
	cat "$WT_TMP/e"
	wt_fail "a user outside $G: one line naming the group, exit 4 (exit $rc)"
fi

vl_key q
if vl_eventually vl_exited_ok; then
	wt_pass "the member's view quits with status 0"
else
	vl_show
	wt_fail "the member's view quits with status 0"
fi

# the daemon gone: no -wal or -shm, and the member cannot create them
vl_daemon_stop
if [ ! -e "$DB-wal" ] && [ ! -e "$DB-shm" ]; then
	vl_start 140 45 "runuser -u $U1 -- '$WIRETOP' view --db '$DB'"
	if vl_wait "daemon not writing since" &&
	    vl_eventually vl_first_is 127.78.1.1; then
		wt_pass "with the daemon stopped the member still reads the last snapshot"
	else
		vl_show
		wt_fail "with the daemon stopped the member still reads the last snapshot"
	fi
else
	wt_log "the daemon left its -wal or -shm file: the immutable open is not exercised"
fi

wt_finish
