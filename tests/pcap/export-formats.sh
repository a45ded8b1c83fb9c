#!/bin/sh
# export-formats.sh: `wiretop export` output is valid in every format.
#
# On several real captures ($WT_CORPUS/real), export flows, hosts and the
# summary as CSV, JSON and NDJSON and check them with strict parsers:
# python3 json (duplicate keys, NaN and Infinity rejected, strict UTF-8)
# and the csv module with strict=True; headers equal the documented
# column lists; every row has the header's column count; schema names are
# present; the three formats agree with each other (the summary's host
# overflow counts too); the summary's packet total equals capinfos'
# count.  Also: -o /dev/full and a full stdout fail with exit 1 and
# exactly one line on stderr.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init export-formats
wt_need_wiretop
wt_need_corpus real
wt_need_tool python3 capinfos

R=$WT_CORPUS/real
FILES="zeek_http-get.pcap zeek_icmp6.pcap zeek_mdns.pcap zeek_dhcp.pcap
zeek_vlan-icmp-dot1q.pcap zeek_ipv6-fragmented-dns.pcap ndpi_1kxun.pcap
ndpi_sites.pcapng zeek_sll2-tls-openjdk.pcap zeek_arp.pcap"

cat >"$WT_TMP/check.py" <<'EOF'
import csv, hashlib, io, json, sys

FLOW_COLS = ("ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,service,"
    "duration,orig_bytes,resp_bytes,conn_state,history,orig_pkts,"
    "orig_ip_bytes,resp_pkts,resp_ip_bytes,orig_wire_bytes,resp_wire_bytes,"
    "vlan,inner_vlan,return_vlan,tunnel_parents,tunnel,community_id,rtt_ms,"
    "retrans,orig_cc,resp_cc,orig_asn,resp_asn,schema").split(",")
HOST_COLS = ("addr,ip_version,name,local,bytes_in,bytes_out,pkts_in,"
    "pkts_out,peers,first_seen,last_seen,cc,asn,as_org,city,"
    "schema").split(",")
SUMMARY_COLS = ["section", "key", "value", "schema"]
SCHEMA = {"flows": "wiretop.flows/2", "hosts": "wiretop.hosts/1",
    "summary": "wiretop.summary/1"}
# JSON types per column: int, num (int or float), str, bool; None allowed
# where the column may be empty.
FLOW_TYPES = {"ts": "num", "uid": "str", "id.orig_h": "str",
    "id.orig_p": "int", "id.resp_h": "str", "id.resp_p": "int",
    "proto": "str", "service": "str?", "duration": "num",
    "orig_bytes": "int", "resp_bytes": "int", "conn_state": "str",
    "history": "str?", "orig_pkts": "int", "orig_ip_bytes": "int",
    "resp_pkts": "int", "resp_ip_bytes": "int", "orig_wire_bytes": "int",
    "resp_wire_bytes": "int", "vlan": "int?", "inner_vlan": "int?",
    "return_vlan": "int?", "tunnel_parents": "strlist?", "tunnel": "str?",
    "community_id": "str?",
    "rtt_ms": "num?", "retrans": "int", "orig_cc": "str?",
    "resp_cc": "str?", "orig_asn": "int?", "resp_asn": "int?",
    "schema": "str"}
HOST_TYPES = {"addr": "str", "ip_version": "int", "name": "str?",
    "local": "bool", "bytes_in": "int", "bytes_out": "int",
    "pkts_in": "int", "pkts_out": "int", "peers": "int",
    "first_seen": "num", "last_seen": "num", "cc": "str?", "asn": "int?",
    "as_org": "str?", "city": "str?", "schema": "str"}

class Bad(Exception):
    pass

def no_dups(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise Bad("duplicate key %r" % k)
        d[k] = v
    return d

def no_const(name):
    raise Bad("non-JSON constant %s" % name)

def loads(text):
    return json.loads(text, object_pairs_hook=no_dups,
        parse_constant=no_const)

def typecheck(obj, types, where):
    if list(obj.keys()) != list(types.keys()):
        raise Bad("%s: keys %s, expected %s" % (where, list(obj.keys()),
            list(types.keys())))
    for k, t in types.items():
        v = obj[k]
        opt = t.endswith("?")
        t = t.rstrip("?")
        if v is None:
            if not opt:
                raise Bad("%s: %s is null" % (where, k))
            continue
        ok = {"int": lambda x: type(x) is int,
              "num": lambda x: type(x) in (int, float),
              "str": lambda x: type(x) is str,
              "strlist": lambda x: type(x) is list and len(x) > 0 and
                  all(type(y) is str for y in x),
              "bool": lambda x: type(x) is bool}[t](v)
        if not ok:
            raise Bad("%s: %s=%r is not %s" % (where, k, v, t))

def read_text(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        return data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise Bad("not UTF-8: %s" % e)

def parse_csv(text, cols):
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    if not rows:
        raise Bad("empty CSV")
    if rows[0] != cols:
        raise Bad("header %s, expected %s" % (rows[0], cols))
    for i, r in enumerate(rows[1:], 2):
        if len(r) != len(cols):
            raise Bad("row %d has %d fields, header %d" % (i, len(r),
                len(cols)))
        if r[-1] != SCHEMA_NOW:
            raise Bad("row %d: schema %r" % (i, r[-1]))
    return [dict(zip(cols, r)) for r in rows[1:]]

def parse_json(text, what):
    if not text.endswith("\n"):
        raise Bad("no final newline")
    doc = loads(text)
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA[what]:
        raise Bad("top-level schema missing or wrong")
    if what == "summary":
        return doc
    if list(doc.keys()) != ["schema", what]:
        raise Bad("top-level keys %s" % list(doc.keys()))
    if not isinstance(doc[what], list):
        raise Bad("%s is not a list" % what)
    return doc[what]

def parse_ndjson(text, what):
    if text and not text.endswith("\n"):
        raise Bad("no final newline")
    out = []
    for i, line in enumerate(text.split("\n")[:-1], 1):
        if not line.strip():
            raise Bad("blank line %d" % i)
        o = loads(line)
        if not isinstance(o, dict) or o.get("schema") != SCHEMA[what]:
            raise Bad("line %d: schema missing or wrong" % i)
        out.append(o)
    return out

def num(s):
    return float(s) if s != "" else None

what, fmt, path = sys.argv[1], sys.argv[2], sys.argv[3]
SCHEMA_NOW = SCHEMA[what]
try:
    text = read_text(path)
    if fmt == "csv":
        cols = {"flows": FLOW_COLS, "hosts": HOST_COLS,
            "summary": SUMMARY_COLS}[what]
        recs = parse_csv(text, cols)
    elif fmt == "json":
        recs = parse_json(text, what)
    else:
        recs = parse_ndjson(text, what)
        if what == "summary":
            if len(recs) != 1:
                raise Bad("summary NDJSON has %d lines" % len(recs))
            recs = recs[0]
    # Normalised facts, compared across formats by the shell.
    if what == "flows":
        if fmt != "csv":
            for i, o in enumerate(recs):
                typecheck(o, FLOW_TYPES, "flow %d" % i)
        pk = sum(int(r["orig_pkts"]) + int(r["resp_pkts"]) for r in recs)
        wb = sum(int(r["orig_wire_bytes"]) + int(r["resp_wire_bytes"])
            for r in recs)
        uids = sorted(str(r["uid"]) for r in recs)
        print("records=%d pkts=%d wire=%d uids=%s" % (len(recs), pk, wb,
            hashlib.sha1("\n".join(uids).encode()).hexdigest()[:12]))
    elif what == "hosts":
        if fmt != "csv":
            for i, o in enumerate(recs):
                typecheck(o, HOST_TYPES, "host %d" % i)
        tot = [int(r["bytes_in"]) + int(r["bytes_out"]) for r in recs]
        if tot != sorted(tot, reverse=True):
            raise Bad("hosts not sorted by bytes descending")
        addrs = [r["addr"] for r in recs]
        if len(set(addrs)) != len(addrs):
            raise Bad("a host address appears twice")
        print("records=%d bytes=%d" % (len(recs), sum(tot)))
    else:
        if fmt == "csv":
            d = {(r["section"], r["key"]): r["value"] for r in recs}
            if len(d) != len(recs):
                raise Bad("summary CSV repeats a section,key")
            packets = int(d[("total", "packets")])
            hosts = int(d[("total", "hosts")])
            overflow = (int(d[("total", "hosts_evicted")]),
                int(d[("total", "hosts_untracked")]))
            frec = int(d[("flows", "records")])
            spk = int(d[("source", "0.packets")])
        else:
            for k in ("packets", "bytes", "ip_packets", "non_ip_packets",
                    "hosts", "hosts_evicted", "hosts_untracked", "names"):
                if type(recs[k]) is not int:
                    raise Bad("summary %s is not an integer" % k)
            dec = recs["decode"]
            if sorted(dec) != ["decoded", "invalid", "truncated",
                    "unsupported"]:
                raise Bad("decode keys %s" % sorted(dec))
            if sum(dec.values()) != recs["packets"]:
                raise Bad("decode counts %s do not add up to %d" %
                    (dec, recs["packets"]))
            if recs["ip_packets"] + recs["non_ip_packets"] != \
                    recs["packets"]:
                raise Bad("ip + non-ip != packets")
            ppk = sum(p["packets"] for p in recs["protocols"])
            if ppk != recs["ip_packets"]:
                raise Bad("protocol packets %d != ip_packets %d" %
                    (ppk, recs["ip_packets"]))
            packets = recs["packets"]
            hosts = recs["hosts"]
            overflow = (recs["hosts_evicted"], recs["hosts_untracked"])
            frec = recs["flows"]["records"]
            spk = recs["sources"][0]["packets"]
            if len(recs["sources"]) != 1:
                raise Bad("%d sources for one file" % len(recs["sources"]))
        print("packets=%d hosts=%d flowrecords=%d srcpackets=%d "
            "overflow=%d/%d" % (packets, hosts, frec, spk, overflow[0],
            overflow[1]))
except (Bad, csv.Error, ValueError, KeyError, TypeError) as e:
    print("INVALID: %s" % e)
    sys.exit(1)
EOF

for f in $FILES; do
	F=$R/$f
	[ -f "$F" ] || { wt_fail "$f: not in the corpus"; continue; }
	want=$(capinfos -c -M -T -r "$F" 2>/dev/null | cut -f2)
	rm -f "$WT_TMP"/facts.*
	for what in flows hosts summary; do
		for fmt in csv json ndjson; do
			o=$WT_TMP/$what.$fmt
			"$WIRETOP" export -r "$F" --what $what --format $fmt \
			    -o "$o" 2>"$WT_TMP/err"
			rc=$?
			if [ $rc -ne 0 ]; then
				wt_fail "$f $what $fmt: exit $rc: $(head -n 3 "$WT_TMP/err")"
				continue
			fi
			if wt_sanitizer_report "$WT_TMP/err"; then
				wt_fail "$f $what $fmt: sanitizer report"
				continue
			fi
			if ! python3 "$WT_TMP/check.py" $what $fmt "$o" \
			    >"$WT_TMP/facts.$what.$fmt"; then
				wt_fail "$f $what $fmt: $(cat "$WT_TMP/facts.$what.$fmt")"
				continue
			fi
			wt_pass
		done
		# The three formats say the same thing.
		a=$(cat "$WT_TMP/facts.$what.csv" 2>/dev/null)
		for fmt in json ndjson; do
			b=$(cat "$WT_TMP/facts.$what.$fmt" 2>/dev/null)
			if [ -n "$a" ] && [ "$a" != "$b" ]; then
				wt_fail "$f $what: csv says '$a', $fmt says '$b'"
			fi
		done
	done
	# Cross-checks between what=flows/hosts/summary and capinfos.
	s=$(cat "$WT_TMP/facts.summary.json" 2>/dev/null)
	fl=$(cat "$WT_TMP/facts.flows.json" 2>/dev/null)
	ho=$(cat "$WT_TMP/facts.hosts.json" 2>/dev/null)
	pk=$(echo "$s" | sed -n 's/^packets=\([0-9]*\) .*/\1/p')
	spk=$(echo "$s" | sed -n 's/.*srcpackets=\([0-9]*\).*/\1/p')
	if [ "$pk" != "$want" ] || [ "$spk" != "$want" ]; then
		wt_fail "$f: summary packets $pk (source $spk), capinfos $want"
	else
		wt_pass
	fi
	nh=$(echo "$s" | sed -n 's/.*hosts=\([0-9]*\).*/\1/p')
	nhr=$(echo "$ho" | sed -n 's/^records=\([0-9]*\).*/\1/p')
	[ "$nh" = "$nhr" ] ||
	    wt_fail "$f: summary says $nh hosts, hosts export has $nhr rows"
	nf=$(echo "$s" | sed -n 's/.*flowrecords=\([0-9]*\).*/\1/p')
	nfr=$(echo "$fl" | sed -n 's/^records=\([0-9]*\).*/\1/p')
	[ "$nf" = "$nfr" ] ||
	    wt_fail "$f: summary says $nf flow records, flows export has $nfr"
done

# Same bytes on stdout as with -o.
F=$R/zeek_http-get.pcap
"$WIRETOP" export -r "$F" --format json >"$WT_TMP/stdout.json" 2>/dev/null
"$WIRETOP" export -r "$F" --format json -o "$WT_TMP/o.json" 2>/dev/null
if cmp -s "$WT_TMP/stdout.json" "$WT_TMP/o.json"; then
	wt_pass
else
	wt_fail "stdout and -o differ for the same export"
fi

# A full disk is an error: exit 1, exactly one line on stderr.
full_check() {
	desc=$1
	shift
	"$@" 2>"$WT_TMP/err"
	rc=$?
	n=$(wc -l <"$WT_TMP/err")
	if [ $rc -ne 1 ] || [ "$n" -ne 1 ] ||
	    ! grep -q "^wiretop: $desc: No space left on device\$" \
	    "$WT_TMP/err"; then
		wt_fail "write to full $desc: exit $rc, stderr: $(head -n 3 "$WT_TMP/err")"
	else
		wt_pass
	fi
}
if [ -w /dev/full ]; then
	for fmt in csv json ndjson; do
		full_check /dev/full "$WIRETOP" export -r "$R/ndpi_1kxun.pcap" \
		    --format $fmt -o /dev/full
		full_check /dev/full "$WIRETOP" export -r "$F" --what summary \
		    --format $fmt -o /dev/full
	done
	full_check stdout sh -c '"$0" export -r "$1" >/dev/full' "$WIRETOP" \
	    "$R/ndpi_1kxun.pcap"
else
	wt_log "no /dev/full: full-disk checks not run"
fi

# An output that cannot be opened: exit 1, one line.
"$WIRETOP" export -r "$F" -o "$WT_TMP/no/such/dir/out.csv" 2>"$WT_TMP/err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ] &&
    grep -q '^wiretop: ' "$WT_TMP/err"; then
	wt_pass
else
	wt_fail "unopenable -o: exit $rc, stderr: $(cat "$WT_TMP/err")"
fi

# A capture cut inside its 10th record: read to the last whole packet,
# output written, then one warning line, exit 0.  The count comes from
# how the cut file is built (whole records before the cut).
T=$WT_TMP/cut.pcap
n=$(python3 - "$F" "$T" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
le = data[:4] == b"\xd4\xc3\xb2\xa1"
assert le or data[:4] == b"\xa1\xb2\xc3\xd4", "not a pcap"
off, whole = 24, 0
while whole < 9:
    incl = struct.unpack("<I" if le else ">I", data[off + 8:off + 12])[0]
    off += 16 + incl
    whole += 1
incl = struct.unpack("<I" if le else ">I", data[off + 8:off + 12])[0]
open(sys.argv[2], "wb").write(data[:off + 16 + incl // 2])
print(whole)
EOF
)
"$WIRETOP" export -r "$T" --what summary --format json >"$WT_TMP/cut.json" \
    2>"$WT_TMP/err"
rc=$?
got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"])' \
    "$WT_TMP/cut.json" 2>/dev/null)
if [ $rc -eq 0 ] && [ "$got" = "$n" ] && [ "$(wc -l <"$WT_TMP/err")" -eq 1 ] &&
    [ "$(cat "$WT_TMP/err")" = "wiretop: $T: truncated after $n packets" ]
then
	wt_pass
else
	wt_fail "truncated capture: exit $rc, $got packets (want $n), stderr: $(cat "$WT_TMP/err")"
fi

# Not a capture at all, and an empty file: a clean error (exit 1 or 3,
# one line on stderr), no output document claiming success.
printf 'this is not a capture file\n' >"$WT_TMP/text.pcap"
: >"$WT_TMP/empty.pcap"
for bad in text.pcap empty.pcap; do
	"$WIRETOP" export -r "$WT_TMP/$bad" --what summary --format json \
	    >/dev/null 2>"$WT_TMP/err"
	rc=$?
	if { [ $rc -eq 1 ] || [ $rc -eq 3 ]; } &&
	    [ "$(wc -l <"$WT_TMP/err")" -eq 1 ] &&
	    grep -q '^wiretop: ' "$WT_TMP/err"; then
		wt_pass
	else
		wt_fail "$bad: exit $rc, stderr: $(cat "$WT_TMP/err")"
	fi
done

# -r - reads standard input.
want=$(capinfos -c -M -T -r "$R/zeek_smtp.pcap" | cut -f2)
got=$("$WIRETOP" export -r - --what summary --format json \
    <"$R/zeek_smtp.pcap" 2>/dev/null | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["packets"])' 2>/dev/null)
if [ "$got" = "$want" ]; then
	wt_pass
else
	wt_fail "-r - (stdin): $got packets, capinfos $want"
fi

# Live export on loopback for --duration (root only): five 100-byte UDP
# datagrams to a port nobody else uses make one flow with exactly those
# counts.
if [ "$(id -u)" -eq 0 ] && [ -d /sys/class/net/lo ]; then
	port=$((20000 + $$ % 20000))
	"$WIRETOP" export -i lo -f "udp port $port" --duration 3 \
	    --format json -o "$WT_TMP/live.json" 2>"$WT_TMP/err" &
	pid=$!
	sleep 1
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    s.sendto(b"x" * 100, ("127.0.0.1", int(sys.argv[1])))
    time.sleep(0.05)' "$port"
	wait $pid
	rc=$?
	res=$(python3 - "$WT_TMP/live.json" "$port" <<'EOF' 2>&1
import json, sys
doc = json.load(open(sys.argv[1]))
fl = [f for f in doc["flows"] if f["id.resp_p"] == int(sys.argv[2])]
print(" ".join("%s/%s/%s" % (f["proto"], f["orig_pkts"], f["orig_bytes"])
    for f in fl))
EOF
)
	if [ $rc -eq 0 ] && [ "$res" = "udp/5/500" ]; then
		wt_pass
	elif [ $rc -eq 3 ]; then
		wt_log "live capture on lo not possible here: $(cat "$WT_TMP/err")"
	else
		wt_fail "live export on lo: exit $rc, flows '$res' (want udp/5/500), stderr: $(cat "$WT_TMP/err")"
	fi
else
	wt_log "not root: live export not tested"
fi

wt_finish
