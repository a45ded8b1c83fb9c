#!/bin/sh
# fixtures.sh: build every fixture of tests/pcap/*.txt with pcapgen and
# check wiretop's export against the values worked out by hand in
# tests/pcap/expected/ (see expected/README).
#
# For each fixture (and, for the small ones, its pcapng twin built with
# pcapgen -n):
#   1. the built file is checked with tshark: packets and wire bytes in
#      total and per (source, destination, VLAN), TCP retransmissions and
#      DNS answers must agree with the expected files, so the generator is
#      verified by an independent tool;
#   2. wiretop export --what flows / hosts / summary is compared with the
#      expected files (with --speed max, though export should never pace
#      a file: cli.sh checks that default).
# Environment (set by make check): WIRETOP, WT_TOOLS, WT_SRCDIR.
# WT_FIXTURE=NAME runs one fixture only.  Needs python3; tshark optional
# outside CI (without it the generator cross-check is left out), required
# under CI=true.  Each fixture (and its pcapng twin) is one TAP check.

set -u

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init fixtures
wt_need_wiretop
srcdir=$WT_SRCDIR
tools=${WT_TOOLS:-tests/tools}
wiretop=$WIRETOP
pcapgen=$tools/pcapgen
fixdir=$srcdir/tests/pcap
expdir=$fixdir/expected
tmp=$WT_TMP

[ -x "$pcapgen" ] || wt_hard "needs $pcapgen (make check builds it)"
wt_need_tool python3
have_tshark=0
if command -v tshark >/dev/null 2>&1; then
	have_tshark=1
elif wt_ci; then
	wt_fail "tshark is not installed (required when CI=$CI)"
else
	wt_log "note: tshark not found, generator cross-check skipped"
fi


cat >"$tmp/check.py" <<'PYEOF'
import csv, ipaddress, json, subprocess, sys
from decimal import Decimal

FLOW_COLUMNS = ("ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,"
    "service,duration,orig_bytes,resp_bytes,conn_state,history,orig_pkts,"
    "orig_ip_bytes,resp_pkts,resp_ip_bytes,orig_wire_bytes,resp_wire_bytes,"
    "vlan,community_id,rtt_ms,retrans,schema").split(",")
KEY = ["id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "vlan"]
SUMMED = {"orig_pkts", "orig_bytes", "orig_ip_bytes", "orig_wire_bytes",
    "resp_pkts", "resp_bytes", "resp_ip_bytes", "resp_wire_bytes",
    "retrans"}
errors = []

def err(msg):
    errors.append(msg)

def norm_addr(a):
    try:
        return ipaddress.ip_address(a).compressed
    except ValueError:
        return a

def norm(col, v):
    v = v.strip()
    if col in ("id.orig_h", "id.resp_h", "addr"):
        return norm_addr(v)
    if col == "vlan" and v == "0":
        return ""
    if col == "local":
        return {"true": "1", "yes": "1", "false": "0", "no": "0"}.get(
            v.lower(), v)
    return v

def read_expected(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))

def same(col, want, got):
    """Compare one expected cell with the actual value."""
    if want == "*":
        return True
    if want.startswith("~"):
        return want[1:] in got
    if want == "" or got == "":
        return want == got
    if col in ("duration", "ts"):
        return abs(Decimal(want) - Decimal(got)) <= Decimal("0.000001")
    if col == "rtt_ms":
        return abs(Decimal(want) - Decimal(got)) <= Decimal("0.001")
    if col in SUMMED or col in ("records", "bytes_in", "bytes_out", "pkts_in",
            "pkts_out", "peers", "ip_version", "id.orig_p", "id.resp_p"):
        try:
            return int(want) == int(got)
        except ValueError:
            return False
    return want == got

def flows(expected_path, actual_path):
    with open(actual_path, newline="") as f:
        rd = csv.reader(f)
        rows = list(rd)
    if not rows:
        err("flows: empty output (no header)")
        return
    if rows[0] != FLOW_COLUMNS:
        err("flows: header is %s" % ",".join(rows[0]))
        return
    groups = {}
    order = []
    for r in rows[1:]:
        if len(r) != len(FLOW_COLUMNS):
            err("flows: row with %d fields: %s" % (len(r), r))
            return
        d = dict(zip(FLOW_COLUMNS, r))
        if d["schema"] != "wiretop.flows/1":
            err("flows: schema %r" % d["schema"])
        k = tuple(norm(c, d[c]) for c in KEY)
        g = groups.get(k)
        if g is None:
            g = {c: norm(c, d[c]) for c in FLOW_COLUMNS}
            for c in SUMMED:
                g[c] = int(d[c] or 0)
            g["_end"] = Decimal(d["ts"]) + Decimal(d["duration"] or "0")
            g["records"] = 1
            groups[k] = g
            order.append(k)
            continue
        for c in SUMMED:
            g[c] += int(d[c] or 0)
        g["records"] += 1
        end = Decimal(d["ts"]) + Decimal(d["duration"] or "0")
        g["_end"] = max(g["_end"], end)
        for c in ("conn_state", "history", "rtt_ms", "service"):
            if d[c] != "":
                g[c] = d[c]
    for g in groups.values():
        g["duration"] = "%.6f" % (g["_end"] - Decimal(g["ts"]))
        for c in SUMMED:
            g[c] = str(g[c])
        g["records"] = str(g["records"])
    matched = set()
    for e in read_expected(expected_path):
        e = {c: norm(c, v) if v != "*" else "*" for c, v in e.items()}
        cands = [k for k in order if all(e[c] == "*" or e[c] == k[i]
                 or (c in ("id.orig_p", "id.resp_p") and e[c].isdigit()
                     and k[i].isdigit() and int(e[c]) == int(k[i]))
                 for i, c in enumerate(KEY))]
        desc = " ".join(e[c] for c in KEY[:5])
        if e.get("vlan"):
            desc += " vlan " + e["vlan"]
        if len(cands) != 1:
            err("flow %s: %d matching flows in the export" %
                (desc, len(cands)))
            continue
        matched.add(cands[0])
        g = groups[cands[0]]
        for c, want in e.items():
            if c in KEY:
                continue
            if not same(c, want, g[c]):
                err("flow %s: %s is %r, expected %r" % (desc, c, g[c], want))
    for k in order:
        if k not in matched:
            err("flow %s: not expected" % " ".join(k))

def hosts(expected_path, actual_path):
    with open(actual_path, newline="") as f:
        rows = list(csv.DictReader(f))
    actual = {}
    for i, r in enumerate(rows):
        if r.get("schema") != "wiretop.hosts/1":
            err("hosts: schema %r" % r.get("schema"))
        r = {c: norm(c, v or "") for c, v in r.items() if c is not None}
        r["rank"] = str(i + 1)
        actual[r["addr"]] = r
    exp = read_expected(expected_path)
    for e in exp:
        a = norm_addr(e["addr"])
        r = actual.get(a)
        if r is None:
            err("host %s: missing from the export" % a)
            continue
        for c, want in e.items():
            if c == "addr":
                continue
            if c not in r:
                err("hosts: no column %s" % c)
                return
            want = norm(c, want) if want != "*" else "*"
            if not same(c, want, r[c]):
                err("host %s: %s is %r, expected %r" % (a, c, r[c], want))
    if len(actual) != len(exp):
        extra = set(actual) - {norm_addr(e["addr"]) for e in exp}
        err("hosts: %d in the export, expected %d (extra: %s)" %
            (len(actual), len(exp), " ".join(sorted(extra))))

def read_summary(path):
    d = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#"):
            k, v = line.split("=", 1)
            d[k] = int(v)
    return d

def summary(expected_path, actual_path):
    with open(actual_path) as f:
        try:
            s = json.load(f)
        except ValueError as e:
            err("summary: not JSON: %s" % e)
            return
    if s.get("schema") != "wiretop.summary/1":
        err("summary: schema %r" % s.get("schema"))
    for k, v in read_summary(expected_path).items():
        if k == "truncated":
            continue
        got = s
        for part in k.split("."):
            got = got.get(part) if isinstance(got, dict) else None
        if got != v:
            err("summary: %s is %r, expected %d" % (k, got, v))

def tshark_fields(pcap, fields, extra=()):
    cmd = ["tshark", "-n", "-r", pcap, "-T", "fields", "-E", "occurrence=f",
           "-E", "separator=|"] + list(extra)
    for f in fields:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    return [l.split("|") for l in p.stdout.splitlines()]

def gen(pcap, name, expdir):
    """Check the generated file against the expected values with tshark."""
    summ = read_summary("%s/%s.summary" % (expdir, name))
    rows = tshark_fields(pcap, ["frame.len", "ieee8021ad.id", "vlan.id",
        "ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
        "tcp.analysis.retransmission", "dns.a", "dns.aaaa",
        "dns.qry.name"])
    if "packets" not in summ or "bytes" not in summ:
        err("expected/%s.summary needs packets= and bytes=" % name)
        return
    if len(rows) != summ["packets"]:
        err("tshark: %d packets, expected %d" % (len(rows), summ["packets"]))
    total = sum(int(r[0]) for r in rows)
    if total != summ["bytes"]:
        err("tshark: %d bytes, expected %d" % (total, summ["bytes"]))
    per = {}
    retrans = 0
    dns = []
    for r in rows:
        vlan = r[1] or r[2]
        src, dst = r[3] or r[4], r[5] or r[6]
        if src and dst:
            k = (norm_addr(src), norm_addr(dst), vlan)
            p, b = per.get(k, (0, 0))
            per[k] = (p + 1, b + int(r[0]))
        if r[7]:
            retrans += 1
        if r[8] or r[9]:
            dns.append((norm_addr(r[8] or r[9]), r[10]))
    exp = {}
    exp_retrans = 0
    for e in read_expected("%s/%s.flows" % (expdir, name)):
        o, s, v = norm_addr(e["id.orig_h"]), norm_addr(e["id.resp_h"]), \
            norm("vlan", e["vlan"])
        for k, pk, bk in (((o, s, v), "orig_pkts", "orig_wire_bytes"),
                          ((s, o, v), "resp_pkts", "resp_wire_bytes")):
            if int(e[pk]) == 0:
                continue
            p, b = exp.get(k, (0, 0))
            exp[k] = (p + int(e[pk]), b + int(e[bk]))
        if e["retrans"] not in ("*", ""):
            exp_retrans += int(e["retrans"])
    if per != exp:
        for k in sorted(set(per) | set(exp)):
            if per.get(k) != exp.get(k):
                err("tshark: %s -> %s vlan %s: (packets, bytes) %s, "
                    "expected %s" % (k[0], k[1], k[2] or "-", per.get(k),
                                     exp.get(k)))
    if retrans != exp_retrans:
        err("tshark: %d retransmissions, expected %d" %
            (retrans, exp_retrans))
    try:
        hexp = read_expected("%s/%s.hosts" % (expdir, name))
    except FileNotFoundError:
        hexp = []
    for h in hexp:
        if h["name"] in ("", "*"):
            continue
        want = h["name"].lstrip("~")
        a = norm_addr(h["addr"])
        if not any(a == da and want in dn for da, dn in dns):
            err("tshark: no DNS answer %s for %s" % (want, a))

cmd = sys.argv[1]
{"flows": flows, "hosts": hosts, "summary": summary, "gen": gen}[cmd](
    *sys.argv[2:])
for e in errors:
    print("    " + e)
sys.exit(1 if errors else 0)
PYEOF

# check_one NAME FILE LABEL: run every check on one built capture.
check_one()
{
	name=$1 file=$2 label=$3
	ok=1
	out=$tmp/out

	if [ "$have_tshark" = 1 ] &&
	    ! python3 "$tmp/check.py" gen "$file" "$name" "$expdir"; then
		echo "    (the generator or the expected files are wrong)"
		ok=0
	fi

	ntrunc=$(sed -n 's/^truncated=//p' "$expdir/$name.summary")
	for what in flows hosts summary; do
		exp=$expdir/$name.$what
		[ -f "$exp" ] || continue
		fmt=csv
		[ "$what" = summary ] && fmt=json
		"$wiretop" export -r "$file" --what "$what" --format "$fmt" \
		    --speed max -o "$out.$what" 2>"$out.err"
		rc=$?
		if [ "$rc" != 0 ]; then
			echo "    export --what $what: exit status $rc"
			sed 's/^/    stderr: /' "$out.err"
			ok=0
			continue
		fi
		if [ -n "$ntrunc" ]; then
			msg="wiretop: $file: truncated after $ntrunc packets"
			if [ "$(wc -l <"$out.err")" != 1 ] ||
			    [ "$(cat "$out.err")" != "$msg" ]; then
				echo "    export --what $what: stderr is not" \
				    "one line \"$msg\":"
				sed 's/^/    stderr: /' "$out.err"
				ok=0
			fi
		elif [ -s "$out.err" ]; then
			echo "    export --what $what: unexpected stderr:"
			sed 's/^/    stderr: /' "$out.err"
			ok=0
		fi
		python3 "$tmp/check.py" "$what" "$exp" "$out.$what" || ok=0
	done
	if [ "$ok" = 1 ]; then
		wt_pass "$label"
	else
		wt_fail "$label"
	fi
}

for desc in "$fixdir"/*.txt; do
	name=$(basename "$desc" .txt)
	if [ -n "${WT_FIXTURE:-}" ] && [ "$WT_FIXTURE" != "$name" ]; then
		continue
	fi
	if [ ! -f "$expdir/$name.flows" ] || [ ! -f "$expdir/$name.summary" ]
	then
		wt_fail "$name: no expected/$name.flows or .summary"
		continue
	fi
	if ! "$pcapgen" -o "$tmp/$name.pcap" "$desc"; then
		wt_fail "$name: pcapgen failed"
		continue
	fi
	check_one "$name" "$tmp/$name.pcap" "$name"
	rm -f "$tmp/$name.pcap"
	# the pcapng twin: the same packets through the pcapng reader
	case $name in
	talkers|truncated*|pcapng*) continue ;;
	esac
	if ! "$pcapgen" -n -o "$tmp/$name.pcapng" "$desc"; then
		wt_fail "$name (pcapng): pcapgen -n failed"
		continue
	fi
	check_one "$name" "$tmp/$name.pcapng" "$name (pcapng)"
	rm -f "$tmp/$name.pcapng"
done

wt_finish
