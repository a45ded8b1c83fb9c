#!/bin/sh
# fixtures.sh: build every fixture of tests/pcap/*.txt with pcapgen and
# check wiretop's export against the values worked out by hand in
# tests/pcap/expected/ (see expected/README).
#
# For each fixture (and, for the small ones, its pcapng twin built with
# pcapgen -n):
#   1. the built file is checked with tshark, so the generator is verified
#      by an independent tool: packets and wire bytes in total; per
#      direction (source, destination) of every IP layer, packets, wire
#      bytes and IP bytes; TCP retransmissions; DNS answers; the vlan,
#      inner_vlan and return_vlan cells.  Tunnels: every layer wiretop opens
#      is a flow carrying the whole frame's wire bytes, so tshark's IP
#      layers are walked along frame.protocols (outermost first; an IP
#      header quoted by ICMP is not a layer) and each layer counts the
#      frame once for its (source, destination); layers past tunnel_depth
#      + 1 (default 2 + 1) are left out, as wiretop leaves them closed.
#      VLAN is not part of this key (nor of wiretop's flow key) unless the
#      fixture's config sets vlan_key = yes; without it the vlan cells are
#      checked against the tags of each flow's first packets instead.
#   2. wiretop export --what flows / hosts / summary is compared with the
#      expected files (with --speed max, though export should never pace
#      a file: cli.sh checks that default).
# Settings: expected/NAME.conf, when present, is passed with -c.  A
# variant runs the same capture with other settings: expected/NAME+VAR.conf
# with its own expected/NAME+VAR.flows, .summary (and .hosts); it is one
# more TAP check, "NAME+VAR".
# Environment (set by make check): WIRETOP, WT_TOOLS, WT_SRCDIR.
# WT_FIXTURE=NAME runs one fixture only (with its variants and pcapng
# twin).  Needs python3; tshark optional outside CI (without it the
# generator cross-check is left out), required under CI=true.  Each
# fixture, variant and pcapng twin is one TAP check.

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
import csv, ipaddress, json, re, subprocess, sys
from decimal import Decimal

# Columns every flow export has; the issue-7 columns (inner_vlan,
# return_vlan, tunnel_parents, tunnel) are checked when an expected file
# names them, and their absence from the export is then an error.
BASE_COLUMNS = ("ts,uid,id.orig_h,id.orig_p,id.resp_h,id.resp_p,proto,"
    "service,duration,orig_bytes,resp_bytes,conn_state,history,orig_pkts,"
    "orig_ip_bytes,resp_pkts,resp_ip_bytes,orig_wire_bytes,resp_wire_bytes,"
    "vlan,community_id,rtt_ms,retrans,schema").split(",")
KEY = ["id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "vlan"]
SUMMED = {"orig_pkts", "orig_bytes", "orig_ip_bytes", "orig_wire_bytes",
    "resp_pkts", "resp_bytes", "resp_ip_bytes", "resp_wire_bytes",
    "retrans"}
# columns of an expected .flows file that are not export columns
META = {"records", "record"}
errors = []

def err(msg):
    errors.append(msg)

def norm_addr(a):
    try:
        return ipaddress.ip_address(a).compressed
    except ValueError:
        return a

def norm(col, v):
    v = (v or "").strip()
    if col in ("id.orig_h", "id.resp_h", "addr"):
        return norm_addr(v)
    if col in ("vlan", "inner_vlan", "return_vlan") and v == "0":
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

def uid_set(cell):
    """The uids of a tunnel_parents cell (CSV: comma-joined)."""
    return {u.strip(" []\"'") for u in cell.split(",") if u.strip(" []\"'")}

REF = re.compile(r"^@(\w+):(\[[^\]]+\]|[^:>\[\]]+)(?::(\d+))?>"
                 r"(\[[^\]]+\]|[^:>\[\]]+)(?::(\d+))?$")

def resolve(ref, recs):
    """@PROTO:ORIG[:PORT]>RESP[:PORT] -> the uids of the records of that
    flow (as oriented in the export); a bare word is a literal uid."""
    if not ref.startswith("@"):
        return {ref}
    m = REF.match(ref)
    if m is None:
        err("tunnel_parents: bad reference %r (want "
            "@proto:orig[:port]>resp[:port], IPv6 in brackets)" % ref)
        return None
    proto, oh, op, rh, rp = m.groups()
    oh, rh = norm_addr(oh.strip("[]")), norm_addr(rh.strip("[]"))
    uids = {r["uid"] for r in recs if r["proto"] == proto and
            r["id.orig_h"] == oh and r["id.resp_h"] == rh and
            (op is None or int(r["id.orig_p"] or 0) == int(op)) and
            (rp is None or int(r["id.resp_p"] or 0) == int(rp))}
    if not uids:
        err("tunnel_parents: %s names no flow in the export" % ref)
        return None
    return uids

def parents_ok(desc, want, got, recs):
    if want == "*":
        return
    if want == "":
        if got:
            err("flow %s: tunnel_parents is %r, expected none" %
                (desc, ",".join(sorted(got))))
        return
    union = set()
    for ref in want.split():
        uids = resolve(ref, recs)
        if uids is None:
            continue
        union |= uids
        if not uids & got:
            err("flow %s: tunnel_parents %r does not name %s (uids %s)" %
                (desc, ",".join(sorted(got)), ref,
                 ",".join(sorted(uids))))
    extra = got - union
    if union and extra:
        err("flow %s: tunnel_parents names %s, not expected" %
            (desc, ",".join(sorted(extra))))

def flows(expected_path, actual_path):
    with open(actual_path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        err("flows: empty output (no header)")
        return
    header = rows[0]
    missing = [c for c in BASE_COLUMNS if c not in header]
    if missing or len(set(header)) != len(header):
        err("flows: header is %s" % ",".join(header))
        return
    exp = read_expected(expected_path)
    absent = [c for c in (exp[0].keys() if exp else ())
              if c not in header and c not in META]
    if absent:
        err("flows: the export has no column %s (%s checks it)" %
            (", ".join(absent), expected_path.split("/")[-1]))
        return
    recs = []
    for r in rows[1:]:
        if len(r) != len(header):
            err("flows: row with %d fields: %s" % (len(r), r))
            return
        d = {c: norm(c, v) for c, v in zip(header, r)}
        if d["schema"] != "wiretop.flows/2":
            err("flows: schema %r" % d["schema"])
        recs.append(d)
    groups = {}
    order = []
    for d in sorted(recs, key=lambda d: Decimal(d["ts"])):
        k = tuple(d[c] for c in KEY)
        end = Decimal(d["ts"]) + Decimal(d["duration"] or "0")
        g = groups.get(k)
        if g is None:
            g = dict(d)
            for c in SUMMED:
                g[c] = 0
            g["_end"] = end
            g["_recs"] = []
            g["_parents"] = set()
            groups[k] = g
            order.append(k)
        for c in SUMMED:
            g[c] += int(d[c] or 0)
        g["_recs"].append(d)
        g["_end"] = max(g["_end"], end)
        g["_parents"] |= uid_set(d.get("tunnel_parents", ""))
        for c in ("conn_state", "history", "rtt_ms", "service"):
            if d[c] != "":
                g[c] = d[c]
    for g in groups.values():
        g["duration"] = "%.6f" % (g["_end"] - Decimal(g["ts"]))
        for c in SUMMED:
            g[c] = str(g[c])
        g["records"] = str(len(g["_recs"]))
    matched = set()
    for e in exp:
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
        target = g
        nrec = e.get("record", "")
        if nrec not in ("", "*"):
            # one record of the flow (1-based, in time order) rather than
            # the sum of its records
            if int(nrec) > len(g["_recs"]):
                err("flow %s: no record %s (%d records)" %
                    (desc, nrec, len(g["_recs"])))
                continue
            target = g["_recs"][int(nrec) - 1]
            desc += " record " + nrec
        for c, want in e.items():
            if c in KEY or c == "record":
                continue
            if c == "tunnel_parents":
                got = (g["_parents"] if target is g else
                       uid_set(target.get("tunnel_parents", "")))
                parents_ok(desc, want, got, recs)
                continue
            if c == "records":
                target_c = g["records"]
            else:
                target_c = target[c]
            if not same(c, want, target_c):
                err("flow %s: %s is %r, expected %r" %
                    (desc, c, target_c, want))
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
        if got is None:
            err("summary: no %s in the export, expected %d" % (k, v))
        elif got != v:
            err("summary: %s is %r, expected %d" % (k, got, v))

def tshark_fields(pcap, fields, occurrence="f"):
    cmd = ["tshark", "-n", "-r", pcap, "-T", "fields", "-E",
           "occurrence=" + occurrence, "-E", "aggregator=,",
           "-E", "separator=|"]
    for f in fields:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    return [l.split("|") for l in p.stdout.splitlines()]

LAYER_FIELDS = ["frame.len", "frame.protocols", "vlan.id", "ieee8021ad.id",
    "ip.src", "ip.dst", "ip.len", "ipv6.src", "ipv6.dst", "ipv6.plen",
    "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
    "tcp.analysis.retransmission"]

def tshark_layers(pcap, depth):
    """Per frame: (wire length, retransmission flag, layers), a layer being
    the dict src dst sport dport iplen tags of one IP header, outermost
    first, walked along frame.protocols.  An IP header after ICMP is a
    quoted packet, not a layer; layers past depth + 1 are left out, as
    wiretop leaves tunnels past tunnel_depth closed."""
    frames = []
    for r in tshark_fields(pcap, LAYER_FIELDS, "a"):
        col = dict(zip(LAYER_FIELDS, r))
        lists = {f: (col.get(f) or "").split(",") for f in LAYER_FIELDS}
        idx = {}

        def take(f):
            i = idx.get(f, 0)
            idx[f] = i + 1
            v = lists[f]
            return v[i] if i < len(v) else ""
        layers, tags = [], []
        for tok in (col.get("frame.protocols") or "").split(":"):
            if tok == "vlan":
                tags.append(take("vlan.id"))
            elif tok == "ieee8021ad":
                tags.append(take("ieee8021ad.id"))
            elif tok in ("ip", "ipv6"):
                if tok == "ip":
                    src, dst = take("ip.src"), take("ip.dst")
                    iplen = take("ip.len")
                else:
                    src, dst = take("ipv6.src"), take("ipv6.dst")
                    plen = take("ipv6.plen")
                    iplen = str(int(plen) + 40) if plen.isdigit() else ""
                if not (src and dst):
                    break       # cut short by the snap length
                layers.append({"src": norm_addr(src), "dst": norm_addr(dst),
                               "sport": "", "dport": "", "iplen": iplen,
                               "tags": tags})
                tags = []
            elif tok in ("tcp", "udp") and layers and \
                    layers[-1]["sport"] == "":
                layers[-1]["sport"] = take(tok + ".srcport")
                layers[-1]["dport"] = take(tok + ".dstport")
            elif tok in ("icmp", "icmpv6"):
                break
        frames.append((int(col["frame.len"]),
                       bool(col.get("tcp.analysis.retransmission")),
                       layers[:depth + 1]))
    return frames

def read_conf(path):
    """The two settings gen needs from a fixture's config file."""
    conf = {"vlan_key": False, "tunnel_depth": 2}
    if path in (None, "", "-"):
        return conf
    for line in open(path):
        m = re.match(r"\s*(\w+)\s*=\s*(\S+)", line)
        if m and m.group(1) == "vlan_key":
            conf["vlan_key"] = m.group(2).lower() in ("yes", "true", "1",
                                                      "on")
        elif m and m.group(1) == "tunnel_depth":
            conf["tunnel_depth"] = int(m.group(2))
    return conf

def gen(pcap, name, expdir, conf_path="-"):
    """Check the generated file against the expected values with tshark."""
    conf = read_conf(conf_path)
    summ = read_summary("%s/%s.summary" % (expdir, name))
    frames = tshark_layers(pcap, conf["tunnel_depth"])
    if "packets" not in summ or "bytes" not in summ:
        err("expected/%s.summary needs packets= and bytes=" % name)
        return
    if len(frames) != summ["packets"]:
        err("tshark: %d packets, expected %d" % (len(frames),
                                                 summ["packets"]))
    total = sum(f[0] for f in frames)
    if total != summ["bytes"]:
        err("tshark: %d bytes, expected %d" % (total, summ["bytes"]))

    def key(src, dst, vlan):
        return (src, dst, vlan) if conf["vlan_key"] else (src, dst)
    per = {}
    retrans = 0
    for wire, rt, layers in frames:
        for l in layers:
            k = key(l["src"], l["dst"], l["tags"][0] if l["tags"] else "")
            p, b, i = per.get(k, (0, 0, 0))
            per[k] = (p + 1, b + wire,
                      i + int(l["iplen"]) if l["iplen"].isdigit() else None)
        if rt:
            retrans += 1
    # the expected side: rows of one record ("record" column) count only
    # when no row sums the flow
    rows = read_expected("%s/%s.flows" % (expdir, name))
    whole = {tuple(e[c] for c in KEY) for e in rows
             if e.get("record", "") in ("", "*")}
    exp, ipexp = {}, {}
    exp_retrans = 0
    for e in rows:
        if e.get("record", "") not in ("", "*") and \
                tuple(e[c] for c in KEY) in whole:
            continue
        o, s, v = norm_addr(e["id.orig_h"]), norm_addr(e["id.resp_h"]), \
            norm("vlan", e["vlan"])
        for k, pk, bk, ik in ((key(o, s, v), "orig_pkts", "orig_wire_bytes",
                               "orig_ip_bytes"),
                              (key(s, o, v), "resp_pkts", "resp_wire_bytes",
                               "resp_ip_bytes")):
            if int(e[pk]) == 0:
                continue
            p, b = exp.get(k, (0, 0))
            exp[k] = (p + int(e[pk]), b + int(e[bk]))
            ip = ipexp.get(k, 0)
            ipexp[k] = ip + int(e[ik]) if ip is not None and \
                e[ik].isdigit() else None
        if e["retrans"] not in ("*", ""):
            exp_retrans += int(e["retrans"])
    got = {k: v[:2] for k, v in per.items()}
    for k in sorted(set(got) | set(exp)):
        desc = "%s -> %s" % (k[0], k[1])
        if conf["vlan_key"]:
            desc += " vlan %s" % (k[2] or "-")
        if got.get(k) != exp.get(k):
            err("tshark: %s: (packets, wire bytes) %s, expected %s" %
                (desc, got.get(k), exp.get(k)))
        elif ipexp.get(k) is not None and per[k][2] is not None and \
                per[k][2] != ipexp[k]:
            err("tshark: %s: IP bytes %d, expected %d" %
                (desc, per[k][2], ipexp[k]))
    if retrans != exp_retrans:
        err("tshark: %d retransmissions, expected %d" %
            (retrans, exp_retrans))
    if not conf["vlan_key"]:
        vlans(frames, rows)
    dns(pcap, name, expdir)

def vlans(frames, rows):
    """vlan / inner_vlan: the tags of the originator's first packet (of the
    first packet if the originator sent none); return_vlan: the outer tag of
    the responder's first packet when it differs."""
    for e in rows:
        if e.get("record", "") not in ("", "*", "1"):
            continue
        o, s = norm_addr(e["id.orig_h"]), norm_addr(e["id.resp_h"])
        ports = e["proto"] in ("tcp", "udp") and \
            e["id.orig_p"].isdigit() and e["id.resp_p"].isdigit()

        def first(a, ap, b, bp):
            for _, _, layers in frames:
                for l in layers:
                    if l["src"] == a and l["dst"] == b and (not ports or (
                            l["sport"] == ap and l["dport"] == bp)):
                        return l["tags"]
            return None
        op = str(int(e["id.orig_p"])) if ports else ""
        rp = str(int(e["id.resp_p"])) if ports else ""
        ot = first(o, op, s, rp)
        rt = first(s, rp, o, op)
        t = ot if ot is not None else rt
        if t is None:
            continue
        want = {"vlan": t[0] if t else "",
                "inner_vlan": t[1] if len(t) > 1 else ""}
        r0 = rt[0] if rt else ""
        want["return_vlan"] = r0 if rt is not None and r0 != want["vlan"] \
            else ""
        for c, w in want.items():
            if c in e and e[c] != "*" and norm(c, e[c]) != norm(c, w):
                err("tshark: flow %s %s %s: %s is %r in the capture, "
                    "expected %r" % (o, s, e["proto"], c, w, e[c]))

def dns(pcap, name, expdir):
    answers = []
    for r in tshark_fields(pcap, ["dns.a", "dns.aaaa", "dns.qry.name"]):
        if r[0] or r[1]:
            answers.append((norm_addr(r[0] or r[1]), r[2]))
    try:
        hexp = read_expected("%s/%s.hosts" % (expdir, name))
    except FileNotFoundError:
        hexp = []
    for h in hexp:
        if h["name"] in ("", "*"):
            continue
        want = h["name"].lstrip("~")
        a = norm_addr(h["addr"])
        if not any(a == da and want in dn for da, dn in answers):
            err("tshark: no DNS answer %s for %s" % (want, a))

cmd = sys.argv[1]
{"flows": flows, "hosts": hosts, "summary": summary, "gen": gen}[cmd](
    *sys.argv[2:])
for e in errors:
    print("    " + e)
sys.exit(1 if errors else 0)
PYEOF

# check_one NAME FILE LABEL: run every check on one built capture, with
# the expectations and settings of NAME (NAME+VAR for a variant).
check_one()
{
	ck_name=$1 ck_file=$2 ck_label=$3
	ok=1
	out=$tmp/out
	conf=-
	[ -f "$expdir/$ck_name.conf" ] && conf=$expdir/$ck_name.conf

	if [ "$have_tshark" = 1 ] &&
	    ! python3 "$tmp/check.py" gen "$ck_file" "$ck_name" "$expdir" "$conf"
	then
		echo "    (the generator or the expected files are wrong)"
		ok=0
	fi

	ntrunc=$(sed -n 's/^truncated=//p' "$expdir/$ck_name.summary")
	for what in flows hosts summary; do
		exp=$expdir/$ck_name.$what
		[ -f "$exp" ] || continue
		fmt=csv
		[ "$what" = summary ] && fmt=json
		if [ "$conf" = - ]; then
			set -- export
		else
			set -- export -c "$conf"
		fi
		"$wiretop" "$@" -r "$ck_file" --what "$what" --format "$fmt" \
		    --speed max -o "$out.$what" 2>"$out.err"
		rc=$?
		if [ "$rc" != 0 ]; then
			echo "    export --what $what: exit status $rc"
			sed 's/^/    stderr: /' "$out.err"
			ok=0
			continue
		fi
		if [ -n "$ntrunc" ]; then
			msg="wiretop: $ck_file: truncated after $ntrunc packets"
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
		wt_pass "$ck_label"
	else
		wt_fail "$ck_label"
	fi
}

# check_all NAME FILE LABEL: NAME's own expectations, then its variants.
check_all()
{
	check_one "$1" "$2" "$3"
	for vexp in "$expdir/$1+"*.flows; do
		[ -f "$vexp" ] || continue
		vname=$(basename "$vexp" .flows)
		if [ ! -f "$expdir/$vname.summary" ]; then
			wt_fail "$vname: no expected/$vname.summary"
			continue
		fi
		check_one "$vname" "$2" "$vname${3#"$1"}"
	done
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
	check_all "$name" "$tmp/$name.pcap" "$name"
	rm -f "$tmp/$name.pcap"
	# the pcapng twin: the same packets through the pcapng reader
	case $name in
	talkers|truncated*|pcapng*) continue ;;
	esac
	if ! "$pcapgen" -n -o "$tmp/$name.pcapng" "$desc"; then
		wt_fail "$name (pcapng): pcapgen -n failed"
		continue
	fi
	check_all "$name" "$tmp/$name.pcapng" "$name (pcapng)"
	rm -f "$tmp/$name.pcapng"
done

wt_finish
