#!/bin/sh
# errors.sh: what the history database refuses, and how it is created.
#   - a new database: mode 0600, WAL, schema_version 1, wiretop's
#     application id;
#   - random bytes, another program's SQLite file, a wiretop database of a
#     newer schema: one line on stderr, exit status 4, for import and
#     export --db, and the file is left as it was;
#   - a directory the user cannot write: one clear line, a non-zero exit,
#     no crash.
# Needs python3 with its sqlite3 module (CI=true: required).
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init store-errors
wt_need_wiretop
wt_need_sqlite3
wt_need_pcapgen
cap=$WT_TMP/basic-tcp.pcap
"$pcapgen" -o "$cap" "$WT_SRCDIR/tests/pcap/basic-tcp.txt" ||
    wt_hard "pcapgen failed"

sql() {
	python3 -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1])
for r in c.execute(sys.argv[2]): print("|".join(map(str, r)))
c.commit()' "$@"
}

# A new database, in a directory import creates.
db=$WT_TMP/new/sub/history.db
"$WIRETOP" import --db "$db" "$cap" 2>"$WT_TMP/err"
wt_check "import into a new database: exit 0" [ $? -eq 0 ]
mode=$(stat -c %a "$db")
wt_check "the new database is owner-only (0600, got $mode)" [ "$mode" = 600 ]
mode=$(stat -c %a "$WT_TMP/new/sub")
wt_check "its new directory is owner-only (0700, got $mode)" [ "$mode" = 700 ]
got=$(sql "$db" "pragma journal_mode")
wt_check "journal_mode is wal (got $got)" [ "$got" = wal ]
got=$(sql "$db" "select version from schema_version")
wt_check "schema_version is 3 (got $got)" [ "$got" = 3 ]
got=$(sql "$db" "pragma integrity_check")
wt_check "integrity_check: $got" [ "$got" = ok ]

# refused DESC FILE: import and export --db both exit 4 with one line,
# and FILE is unchanged.
refused() {
	_sum=$(cksum <"$2")
	for _how in import export; do
		if [ $_how = import ]; then
			"$WIRETOP" import --db "$2" "$cap" >/dev/null \
			    2>"$WT_TMP/err"
		else
			"$WIRETOP" export --db "$2" --since 1d >/dev/null \
			    2>"$WT_TMP/err"
		fi
		_rc=$?
		if [ $_rc -eq 4 ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ] &&
		    [ "$(cksum <"$2")" = "$_sum" ]; then
			wt_pass "$1: $_how: exit 4, one line: $(cat "$WT_TMP/err")"
		else
			wt_fail "$1: $_how: exit $_rc: $(cat "$WT_TMP/err")"
		fi
	done
}

head -c 65536 /dev/urandom >"$WT_TMP/random.db"
chmod 666 "$WT_TMP/random.db"
refused "random bytes" "$WT_TMP/random.db"

sql "$WT_TMP/foreign.db" "create table moz_places (id integer primary key, url text)" >/dev/null
chmod 666 "$WT_TMP/foreign.db"
refused "another program's SQLite file" "$WT_TMP/foreign.db"

cp "$db" "$WT_TMP/newer.db"
sql "$WT_TMP/newer.db" "update schema_version set version = 99" >/dev/null
sql "$WT_TMP/newer.db" "pragma wal_checkpoint(truncate)" >/dev/null
chmod 666 "$WT_TMP/newer.db"
refused "a newer schema" "$WT_TMP/newer.db"

# Another writer holds the write lock for 4 s (longer than the 2 s busy
# timeout): the batch is kept and retried, the import ends complete.
"$pcapgen" -o "$WT_TMP/icmp.pcap" "$WT_SRCDIR/tests/pcap/icmp-echo.txt" ||
    wt_hard "pcapgen failed"
python3 -c 'import sqlite3,sys,time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("begin immediate"); open(sys.argv[2], "w").close()
time.sleep(4); c.execute("commit")' "$db" "$WT_TMP/locked" &
lockpid=$!
i=0
while [ ! -e "$WT_TMP/locked" ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
"$WIRETOP" import --log "$WT_TMP/log" --db "$db" "$WT_TMP/icmp.pcap" \
    2>"$WT_TMP/err"
rc=$?
wait $lockpid
want=$("$WIRETOP" export -r "$WT_TMP/icmp.pcap" --format ndjson | wc -l)
got=$(wt_sql "$db" "select count(*) from flows where proto = 'icmp'")
done=$(sql "$db" "select count(*) from imported_files where complete = 1")
[ $rc -eq 0 ] && [ "$got" -eq "$want" ] && [ "$done" -eq 2 ]
wt_check "a writer holding the lock 4 s: import waits and completes (rc $rc, icmp flows $got of $want, $done files complete): $(cat "$WT_TMP/err")" \
    [ $? -eq 0 ]
grep -q "history paused" "$WT_TMP/log" && grep -q "history resumed" "$WT_TMP/log"
wt_check "the log says history paused, then resumed" [ $? -eq 0 ]

# A directory the user wiretop runs as cannot write (root drops to nobody
# before the database is opened; 0555 stops both).
mkdir "$WT_TMP/ro"
chmod 555 "$WT_TMP/ro"
"$WIRETOP" import --db "$WT_TMP/ro/history.db" "$cap" 2>"$WT_TMP/err"
rc=$?
[ $rc -ne 0 ] && [ $rc -lt 128 ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ] &&
    grep -q "ro/history.db" "$WT_TMP/err"
wt_check "a read-only directory: exit $rc, one line: $(cat "$WT_TMP/err")" \
    [ $? -eq 0 ]
wt_check "nothing was created there" [ ! -e "$WT_TMP/ro/history.db" ]
wt_finish
