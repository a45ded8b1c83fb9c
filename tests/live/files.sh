#!/bin/sh
# files.sh: several file sources, as the capture layer must handle them.
#
#   - Two -r files are merged by packet time: the export of a.pcap and
#     b.pcap is byte-identical on every run and equal to the export of one
#     file holding both (built by pcapgen from the two descriptions put
#     together: pcapgen sorts stably, so at equal times a's packet comes
#     first, which is wiretop's tie rule: the lower source index first).
#     A tie decides a flow's originator, so a wrong tie rule shows.
#   - The same file given twice is read once, with one warning line.
#   - A record whose original length is below its captured length, or
#     above 1 MiB, is counted as invalid (the man page names the bound).
#   - export stops on TERM while its FIFO source is silent, within a
#     second, with valid output.
# Environment (set by make check): WIRETOP, WT_TOOLS, WT_SRCDIR.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init files
wt_need_wiretop
wt_need_tool python3
wt_need_pcapgen
cd "$WT_TMP" || wt_hard "cd $WT_TMP"
# a run as root drops to an unprivileged user before it opens -o files
HOME=$WT_TMP
export HOME

# ---- merge by packet time ------------------------------------------
# 2 x 20000 interleaved DNS queries (enough to fill the 16k-slot rings,
# so the two reader threads race), answers that name the same address
# differently (the later name must win), and ties at equal times.
cat >a.txt <<'T'
linktype ether
0.000 dns 10.0.0.1:5000 > 10.0.0.2:53 name=q.example rep=20000 dt=0.001
0.2500 dns 10.0.0.2:53 > 10.0.0.1:5000 qr=1 name=first.example a=10.9.9.9
1.0000 udp 10.0.5.5:7 > 10.0.5.6:9 len=10
3.0000 dns 10.0.0.2:53 > 10.0.0.1:5000 qr=1 name=third.example a=10.9.9.8
25.000 udp 10.0.0.1:6000 > 10.9.9.9:7 len=1
25.000 udp 10.0.0.1:6000 > 10.9.9.8:7 len=1
T
cat >b.txt <<'T'
linktype ether
0.0005 dns 10.0.0.3:5000 > 10.0.0.2:53 name=r.example rep=20000 dt=0.001
1.0000 udp 10.0.5.6:9 > 10.0.5.5:7 len=20
2.0000 dns 10.0.0.2:53 > 10.0.0.3:5000 qr=1 name=second.example a=10.9.9.9
3.0000 dns 10.0.0.2:53 > 10.0.0.3:5000 qr=1 name=fourth.example a=10.9.9.8
T
{ cat a.txt; grep -v '^linktype' b.txt; } >ab.txt
"$pcapgen" -o a.pcap a.txt && "$pcapgen" -o b.pcap b.txt &&
    "$pcapgen" -o ab.pcap ab.txt || wt_hard "pcapgen failed"

for what in flows hosts; do
	"$WIRETOP" export -r ab.pcap --what $what >want.$what 2>/dev/null ||
	    wt_hard "export of the merged file failed"
	i=0
	bad=0
	while [ $i -lt 10 ]; do
		"$WIRETOP" export -r a.pcap -r b.pcap --what $what \
		    >got.$what 2>err || bad=$((bad + 1))
		cmp -s want.$what got.$what || bad=$((bad + 1))
		i=$((i + 1))
	done
	if [ $bad -eq 0 ]; then
		wt_pass "-r a -r b --what $what: 10 runs equal the merged file"
	else
		wt_fail "-r a -r b --what $what: $bad of 10 runs differ from" \
		    "the merged file"
		diff want.$what got.$what | head -n 5
	fi
done
# the tie: 10.0.5.5:7 sent first (a is source 0), so it is the originator
wt_check "tie at 1.000: a's packet first (originator 10.0.5.5)" \
    grep -q '^[^,]*,[^,]*,10\.0\.5\.5,7,10\.0\.5\.6,9,' want.flows
# 10.9.9.9 was named first.example then second.example (in b): last wins
wt_check "names merged by time: 10.9.9.9 is second.example" \
    grep -q '^10\.9\.9\.9,4,second\.example,' want.hosts
wt_check "names merged by time: 10.9.9.8 is fourth.example" \
    grep -q '^10\.9\.9\.8,4,fourth\.example,' want.hosts

# ---- the same file twice --------------------------------------------
# a.txt describes 20000 + 1 + 1 + 1 + 2 = 20005 packets; given as a.pcap,
# ./a.pcap and through a symbolic link it is still read once.
ln -s a.pcap link.pcap
"$WIRETOP" export -r a.pcap -r ./a.pcap -r link.pcap --what summary \
    >dup.csv 2>dup.err
rc=$?
n=$(grep -c '^total,packets,' dup.csv)
pk=$(sed -n 's/^total,packets,\([0-9]*\),.*/\1/p' dup.csv)
nsrc=$(grep -c '^source,[0-9]*\.packets,' dup.csv)
if [ $rc -eq 0 ] && [ "$n" = 1 ] && [ "$pk" = 20005 ] && [ "$nsrc" = 1 ]; then
	wt_pass "-r a.pcap -r ./a.pcap -r link: one source, 20005 packets"
else
	wt_fail "-r a.pcap -r ./a.pcap -r link: exit $rc, packets '$pk'," \
	    "$nsrc sources (want 0, 20005, 1)"
fi
if [ "$(wc -l <dup.err)" -eq 2 ] &&
    [ "$(grep -c 'same file as a.pcap: read once' dup.err)" -eq 2 ]; then
	wt_pass "one warning line per repeated file"
else
	wt_fail "warnings for repeated files: $(cat dup.err)"
fi

# ---- a silent FIFO does not hold export up -----------------------------
# The writer keeps the FIFO open and says nothing (first case), sends
# basic-tcp (one TCP connection) and then nothing, or never opens the
# FIFO at all (opening it must not block where no signal can end the
# wait): TERM must end export within a second, with valid CSV (the
# header, plus that one flow).
"$pcapgen" -o basic.pcap "$WT_SRCDIR/tests/pcap/basic-tcp.txt" ||
    wt_hard "pcapgen basic-tcp"
for feed in none basic nowriter; do
	rm -f fifo fifo.csv
	mkfifo fifo || wt_hard "mkfifo"
	chmod 666 fifo	# opened by root, written by anyone
	if [ $feed = none ]; then
		(exec 3>fifo; exec sleep 30) >/dev/null 2>&1 &
	elif [ $feed = basic ]; then
		(cat basic.pcap; exec sleep 30) >fifo 2>/dev/null &
	else
		sleep 30 &
	fi
	writer=$!
	"$WIRETOP" export -r fifo -o fifo.csv 2>fifo.err &
	pid=$!
	sleep 1
	t0=$(date +%s%N)
	kill -TERM $pid
	i=0	# a run that ignores TERM is killed after 5 s, and fails
	while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	kill -KILL $pid 2>/dev/null
	wait $pid
	rc=$?
	kill $writer 2>/dev/null
	wait $writer 2>/dev/null
	ms=$(( (t1 - t0) / 1000000 ))
	rows=$(grep -c '' fifo.csv 2>/dev/null)
	want=1
	[ $feed = basic ] && want=2
	if [ $rc -lt 128 ] && [ $ms -lt 1000 ] && [ "$rows" = $want ] &&
	    head -n 1 fifo.csv | grep -q '^ts,uid,' &&
	    { [ $feed != basic ] ||
	    grep -q ',10\.0\.0\.1,40000,10\.0\.0\.2,80,tcp,' fifo.csv; }
	then
		wt_pass "TERM on export of a silent FIFO ($feed): ${ms} ms," \
		    "$rows CSV lines"
	else
		wt_fail "TERM on export of a silent FIFO ($feed): exit $rc," \
		    "${ms} ms, $rows lines (want < 1000 ms, $want lines)"
	fi
done

# ---- implausible record lengths -------------------------------------
# Five records of one 60-byte Ethernet/IPv4/UDP frame, original lengths
# 60 (fine), 40 (below the captured 60), 0xffffffff, 1 MiB (the bound:
# fine) and 1 MiB + 1: 2 decoded, 3 invalid; the invalid ones count
# their 60 captured bytes: 60 + 60 + 60 + 1048576 + 60 = 1048816.
python3 - <<'PY' || wt_hard "cannot build len.pcap"
import struct
eth = b'\x02' * 6 + b'\x04' * 6 + b'\x08\x00'
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 46, 1, 0, 64, 17, 0,
                 bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
f = eth + ip + struct.pack('!HHHH', 1000, 2000, 26, 0) + bytes(18)
out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1)
for i, wire in enumerate([60, 40, 0xffffffff, 1 << 20, (1 << 20) + 1]):
    out += struct.pack('<IIII', 1700000000 + i, 0, len(f), wire) + f
open('len.pcap', 'wb').write(out)
PY
got=$("$WIRETOP" export -r len.pcap --what summary --format json |
    python3 -c 'import json, sys
d = json.load(sys.stdin)
print(d["packets"], d["decode"]["decoded"], d["decode"]["invalid"],
      d["bytes"])')
if [ "$got" = "5 2 3 1048816" ]; then
	wt_pass "bad original lengths: 3 invalid, 60 bytes each"
else
	wt_fail "bad original lengths: packets decoded invalid bytes" \
	    "= $got, want 5 2 3 1048816"
fi

wt_finish
