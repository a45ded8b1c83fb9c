#!/bin/sh
# edges.sh: the history at its edges, each case built here so that what
# the database must hold is known from how it was built:
#   - packets in the epoch's first second have their samples (second 0
#     is a second like any other);
#   - a protocol with a long name ("ipv6-nonxt", next header 59) keeps
#     it in the database, and a CSV export --db of it imports again;
#   - a time the history cannot keep (after 2^53 us, 2255-06-05): a flow
#     log's line is malformed (line number), a capture's flows are
#     counted, not stored, and the database stays readable;
#   - -o naming the database read (report --db, export --db) is refused
#     and the database is untouched;
#   - an import interrupted (SIGINT) writes what it read: its flows hold
#     every packet its samples count;
#   - --until before --since, and a day a month does not have, are
#     refused by export --db (exit 2);
#   - db sql runs no query that writes (VACUUM INTO makes no file);
#   - a reader in the database's group (directory 0750, file 0640, no
#     write access) reads it with report, export --db and db sql.
# Needs python3 (with sqlite3); under CI=true a missing one fails.
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init store-edges
wt_need_wiretop
wt_need_sqlite3
WIRETOP_NO_DEFAULT_CONFIG=1
export WIRETOP_NO_DEFAULT_CONFIG
T=$WT_TMP

# mk.py: pcap and pcapng files of UDP frames (Ethernet, IPv4 or IPv6).
cat >"$T/mk.py" <<'PY'
import struct, sys

def eth(payload, v6=False):
    return (b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01" +
            (b"\x86\xdd" if v6 else b"\x08\x00") + payload)

def udp4(i, n=100):
    l = 8 + n
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + l, i & 0xffff, 0, 64,
                     17, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return eth(ip + struct.pack(">HHHH", 40000 + i % 20000, 9999, l, 0) +
               b"x" * n)

def nonxt6(n=40):
    # IPv6, next header 59 (no next header), n bytes after the header
    ip = struct.pack(">IHBB16s16s", 6 << 28, n, 59, 64,
                     bytes([0x20, 1, 0xd, 0xb8] + [0] * 11 + [1]),
                     bytes([0x20, 1, 0xd, 0xb8] + [0] * 11 + [2]))
    return eth(ip + b"\0" * n, v6=True)

def pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for t, p in frames:
            s = int(t)
            f.write(struct.pack("<IIII", s, int(round((t - s) * 1e6)),
                                len(p), len(p)) + p)

def blk(t, body):
    body += b"\0" * ((4 - len(body) % 4) % 4)
    return struct.pack("<II", t, 12 + len(body)) + body + \
        struct.pack("<I", 12 + len(body))

def pcapng(path, frames):
    with open(path, "wb") as f:
        f.write(blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(blk(1, struct.pack("<HHI", 1, 0, 65535)))
        for us, p in frames:
            f.write(blk(6, struct.pack("<IIIII", 0, us >> 32,
                                       us & 0xffffffff, len(p), len(p)) + p))

kind, path = sys.argv[1], sys.argv[2]
if kind == "zero":	# 5 frames of 142 bytes at 0.2 .. 0.6 s
    pcap(path, [(0.2 + i * 0.1, udp4(i)) for i in range(5)])
elif kind == "nonxt":	# 3 frames of 94 bytes
    pcap(path, [(1700000000 + i, nonxt6()) for i in range(3)])
elif kind == "late":	# 2 frames in 2023, 2 in 2286
    pcapng(path, [(1700000000 * 10**6, udp4(1)),
                  (1700000001 * 10**6, udp4(2)),
                  (10**10 * 10**6, udp4(3)),
                  ((10**10 + 1) * 10**6, udp4(4))])
PY

# --- second 0 -----------------------------------------------------------
python3 "$T/mk.py" zero "$T/zero.pcap" || wt_hard "mk.py zero failed"
"$WIRETOP" import -u root --db "$T/zero.db" "$T/zero.pcap" 2>"$T/err"
rc=$?
got=$(wt_sql "$T/zero.db" "select ts, rx_pkts + tx_pkts, rx_bytes + tx_bytes from samples_sec")
{ [ $rc -eq 0 ] && [ "$got" = "0|5|710" ]; }
ok=$?
wt_check "packets in second 0: their sample is stored (rc $rc, got '$got', want 0|5|710)" [ $ok -eq 0 ]

# --- a long protocol name ------------------------------------------------
python3 "$T/mk.py" nonxt "$T/nonxt.pcap" || wt_hard "mk.py nonxt failed"
"$WIRETOP" import -u root --db "$T/nonxt.db" "$T/nonxt.pcap" 2>"$T/err"
"$WIRETOP" export -r "$T/nonxt.pcap" -u root -o "$T/nonxt-r.csv" 2>/dev/null
"$WIRETOP" export --db "$T/nonxt.db" --since 1970-01-01 -o "$T/nonxt-db.csv"
p_r=$(awk -F, 'NR == 2 { print $7 }' "$T/nonxt-r.csv")
p_db=$(awk -F, 'NR == 2 { print $7 }' "$T/nonxt-db.csv")
{ [ "$p_r" = ipv6-nonxt ] && [ "$p_db" = ipv6-nonxt ]; }
ok=$?
wt_check "protocol 59 named ipv6-nonxt from the file and from the database (-r '$p_r', --db '$p_db')" [ $ok -eq 0 ]
svc=$(wt_sql "$T/nonxt.db" "select service from service_hour")
wt_check "its service total is ipv6-nonxt/0 (got '$svc')" [ "$svc" = ipv6-nonxt/0 ]
"$WIRETOP" import -u root --db "$T/nonxt2.db" "$T/nonxt-db.csv" 2>"$T/err"
rc=$?
n=$(wt_sql "$T/nonxt2.db" "select count(*) from flows")
{ [ $rc -eq 0 ] && [ "$n" = 1 ] && ! grep -q "malformed line:" "$T/err"; }
ok=$?
wt_check "export --db's CSV of it imports again (rc $rc, $n flows: $(tail -1 "$T/err"))" [ $ok -eq 0 ]

# --- times past 2255 -----------------------------------------------------
"$WIRETOP" export -r "$T/zero.pcap" -u root -o "$T/late.csv" 2>/dev/null
# the second record 9999999999 s (2286), the others kept
awk -F, 'BEGIN { OFS = "," } NR == 3 { $1 = "9999999999.000000" } { print }' \
    "$T/late.csv" >"$T/late2.csv"
"$WIRETOP" import -u root --db "$T/late.db" "$T/late2.csv" 2>"$T/err"
rc=$?
n=$("$WIRETOP" export --db "$T/late.db" --since 1970-01-01 | wc -l)
rc2=$?
{ [ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ "$n" -eq 5 ] && grep -q 'late2.csv:3: malformed line: ts: ends after 2255-06-05' "$T/err"; }
ok=$?
wt_check "a flow log record after 2255: malformed line 3, the other 4 imported, readable (rc $rc/$rc2, $n lines: $(grep malformed "$T/err"))" [ $ok -eq 0 ]
python3 "$T/mk.py" late "$T/late.pcapng" || wt_hard "mk.py late failed"
"$WIRETOP" import -u root --db "$T/late-ng.db" "$T/late.pcapng" 2>"$T/err"
rc=$?
"$WIRETOP" db --db "$T/late-ng.db" check >"$T/out" 2>&1
rc2=$?
{ [ $rc -eq 0 ] && [ $rc2 -eq 0 ] && grep -q '2 flow records not stored: they end after 2255-06-05' "$T/err"; }
ok=$?
wt_check "a capture's flows after 2255: 2 counted, not stored; the database checks ok (rc $rc/$rc2)" [ $ok -eq 0 ]

# --- -o naming the database ----------------------------------------------
cp "$T/zero.db" "$T/o.db"
sum0=$(cksum <"$T/o.db")
"$WIRETOP" report --db "$T/o.db" -o "$T/o.db" 2>"$T/err"
rc=$?
"$WIRETOP" export --db "$T/o.db" --since 1970-01-01 -o "$T/o.db" 2>>"$T/err"
rc2=$?
{ [ $rc -eq 2 ] && [ $rc2 -eq 2 ] && [ "$(cksum <"$T/o.db")" = "$sum0" ] && [ "$(grep -c 'is the history database read' "$T/err")" -eq 2 ]; }
ok=$?
wt_check "report/export --db -o the database: refused, exit 2, untouched (rc $rc/$rc2: $(head -1 "$T/err"))" [ $ok -eq 0 ]

# --- an interrupted import -----------------------------------------------
# 1.2 M frames, 600 000 two-frame UDP flows over about 60 s: each one
# still open (UDP timeout 60 s) when the import is stopped part way.
if "$WT_TOOLS/benchgen" -o "$T/big.pcap" -n 1200000 -f 600000 --short \
    >/dev/null 2>&1; then
	cat >"$T/int.py" <<'PY'
import os, signal, subprocess, sys, time
wt, db, cap = sys.argv[1:4]
size = os.path.getsize(cap)
p = subprocess.Popen([wt, "import", "-u", "root", "--db", db, cap],
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
# once it has read a third of the file (its identity hash reads the
# first and last 4 MiB and samples between: more than that)
while p.poll() is None:
    try:
        rchar = int(open("/proc/%d/io" % p.pid).read().split()[1])
    except (OSError, ValueError, IndexError):
        rchar = 0
    if rchar > size // 3:
        p.send_signal(signal.SIGINT)
        break
    time.sleep(0.002)
err = p.communicate()[1].decode()
print(p.returncode)
sys.stderr.write(err)
PY
	rc=$(python3 "$T/int.py" "$WIRETOP" "$T/int.db" "$T/big.pcap" 2>"$T/err")
	s=$(wt_sql "$T/int.db" "select sum(rx_pkts + tx_pkts) from samples_sec")
	f=$(wt_sql "$T/int.db" "select sum(orig_pkts + resp_pkts) from flows")
	{ [ "$rc" = 1 ] && [ -n "$s" ] && [ "$s" -gt 0 ] && [ "$s" -lt 1200000 ] && [ "$f" = "$s" ] && grep -q 'import interrupted' "$T/err"; }
	ok=$?
	wt_check "import interrupted part way: exit 1, its flows hold every packet of its samples ($f of $s of 1200000): $(tail -1 "$T/err")" [ $ok -eq 0 ]
	rm -f "$T/big.pcap"
else
	wt_fail "benchgen could not make the capture to interrupt"
fi

# --- times given to export --db -------------------------------------------
"$WIRETOP" export --db "$T/zero.db" --since 1970-01-02 --until 1970-01-01 \
    >/dev/null 2>"$T/err"
rc=$?
{ [ $rc -eq 2 ] && grep -q 'must be later than --since' "$T/err"; }
ok=$?
wt_check "export --db --until before --since: exit 2 (got $rc: $(cat "$T/err"))" [ $ok -eq 0 ]
"$WIRETOP" export --db "$T/zero.db" --since 2013-02-30 >/dev/null 2>&1
rc=$?
"$WIRETOP" export --db "$T/zero.db" --since 2013-02-29 >/dev/null 2>&1
rc2=$?
"$WIRETOP" export --db "$T/zero.db" --since 2012-02-29 >/dev/null 2>&1
rc3=$?
{ [ $rc -eq 2 ] && [ $rc2 -eq 2 ] && [ $rc3 -eq 0 ]; }
ok=$?
wt_check "--since 2013-02-30 and 2013-02-29 refused, 2012-02-29 taken (rc $rc $rc2 $rc3)" [ $ok -eq 0 ]

# --- db sql writes nothing --------------------------------------------------
"$WIRETOP" db --db "$T/zero.db" sql "VACUUM INTO '$T/copy.db'" 2>"$T/err"
rc=$?
{ [ $rc -eq 2 ] && [ ! -e "$T/copy.db" ]; }
ok=$?
wt_check "db sql VACUUM INTO: refused, exit 2, no file made (rc $rc: $(cat "$T/err"))" [ $ok -eq 0 ]

# --- a reader in the database's group ---------------------------------------
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	g=$T/grp
	mkdir "$g" && cp "$T/zero.db" "$g/h.db" &&
	    chgrp -R nogroup "$g" && chmod 750 "$g" && chmod 640 "$g/h.db" ||
	    wt_hard "cannot make the group directory"
	as_member() {
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		    env WIRETOP_NO_DEFAULT_CONFIG=1 "$WIRETOP" "$@"
	}
	as_member report --db "$g/h.db" --since 1970-01-01 --format json \
	    >"$T/rep.json" 2>"$T/err"
	rc=$?
	n=$(as_member export --db "$g/h.db" --since 1970-01-01 --what samples \
	    2>>"$T/err" | wc -l)
	q=$(as_member db --db "$g/h.db" sql "select count(*) from samples_sec" \
	    2>>"$T/err")
	{ [ $rc -eq 0 ] && grep -q '"packets":5' "$T/rep.json" && [ "$n" -eq 2 ] && [ "$q" = 1 ]; }
	ok=$?
	wt_check "a group member (no write access) reads it: report rc $rc, export $n lines, sql '$q' ($(head -1 "$T/err"))" [ $ok -eq 0 ]
else
	wt_missing "needs root and setpriv for the group reader"
fi

wt_finish
