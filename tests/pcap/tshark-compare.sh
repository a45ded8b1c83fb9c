#!/bin/sh
# tshark-compare.sh: wiretop's flows agree with tshark's conversations.
#
# For every capture in $WT_CORPUS/real that tshark decodes, rebuild the
# conversations from tshark's per-frame fields (exact frame lengths, never
# the rounded -z conv tables) and compare with wiretop's exported flows
# summed per unordered 5-tuple (proto, {addr:port, addr:port}) and per
# unordered address pair: packets (orig_pkts + resp_pkts) and wire bytes
# (orig_wire_bytes + resp_wire_bytes) must be EQUAL.
#
# Where the two count differently by design, a named rule is applied to
# tshark's side, in the open (see RULES in the script):
#  outer-ip   tshark puts a tunnelled frame in every IP layer's conversation
#             (Teredo, 6in4, GRE, IP-in-IP); wiretop keys a flow on the
#             OUTERMOST IP header and its transport ports.  So only the
#             first IP layer in frame.protocols (ip or ipv6, whichever comes
#             first) is used, with occurrence=f for its fields, and ports
#             only when that layer's own protocol is TCP/UDP/SCTP.
#  icmp-err   ICMP errors quote an inner IP header: outer-ip covers it.
#  frag       non-first IPv4/IPv6 fragments carry no ports (tshark runs with
#             reassembly off, so each frame is seen on its own); a later
#             fragment is counted to its first fragment's 5-tuple, found by
#             (src, dst, id[, proto]); without a first fragment in the file
#             it keeps ports 0.
#  noport     protocols without ports (ICMP, ICMPv6, IGMP, GRE, ...) are keyed
#             by (proto, address pair); ports compared for TCP, UDP, SCTP.
#  non-ip     frames without an IP layer (ARP, EAPOL, LLDP...) are not flows.
#  vlan       wiretop's flow key includes the VLAN id; tshark's conversation
#             does not, so wiretop's flows are summed over VLANs.
# Community ID v1 (tshark's communityid dissector, enabled for the run) is
# compared per TCP/UDP/SCTP 5-tuple: the set of IDs tshark gives the
# frames must equal the set wiretop gives the flows (rule cid-plain: only
# frames with one IP layer and no fragmentation, where both hash the same
# header by definition).
# A file whose link type wiretop does not decode (not in decode.h's
# decode_linktypes, as tests/tools/linktypes prints it) would be a named skip; every link type in real/ is meant to be decoded.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init tshark-compare
wt_need_wiretop
wt_need_corpus real
wt_need_tool python3 tshark
# The link types wiretop decodes: decode.h's table, printed by a tool.
"${WT_TOOLS:-$WT_BUILDDIR/tests/tools}/linktypes" >"$WT_TMP/linktypes" ||
    wt_hard "tests/tools/linktypes failed (make check builds it)"

python3 - "$WIRETOP" "$WT_CORPUS/real" "$WT_TMP" <<'EOF'
import ipaddress, json, os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

wiretop, real, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
JOBS = max(2, min(4, os.cpu_count() or 2))
SHOW = 5                         # differing tuples printed per file
PORTED = {6, 17, 132}            # rule noport: TCP, UDP, SCTP
IPV6_EXT = {0: "ipv6.hopopts.nxt", 43: "ipv6.routing.nxt",
    60: "ipv6.dstopts.nxt", 44: "ipv6.fraghdr.nxt"}
# Link types decode.h says are decoded (decode_linktypes, printed by
# tests/tools/linktypes).
with open(os.path.join(tmp, "linktypes")) as f:
    SUPPORTED_LT = {int(l.split("\t")[0]) for l in f if l.strip()}
if not SUPPORTED_LT:
    print("Bail out! tests/tools/linktypes printed no link type")
    sys.exit(99)

FIELDS = ["frame.number", "frame.len", "frame.protocols",
    "ip.src", "ip.dst", "ip.proto", "ip.id", "ip.flags.mf",
    "ip.frag_offset", "ipv6.src", "ipv6.dst", "ipv6.nxt",
    "ipv6.hopopts.nxt", "ipv6.routing.nxt", "ipv6.dstopts.nxt",
    "ipv6.fraghdr.nxt", "ipv6.fraghdr.offset", "ipv6.fraghdr.ident",
    "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
    "sctp.srcport", "sctp.dstport", "communityid"]

def ival(s, default=0):
    if s in ("", None):
        return default
    s = s.strip()
    if s in ("True", "true"):
        return 1
    if s in ("False", "false"):
        return 0
    return int(s, 0)

def canon(proto, a, ap, b, bp):
    if proto not in PORTED:
        ap = bp = 0
    x, y = (a.version, int(a), ap), (b.version, int(b), bp)
    return (proto,) + ((x, y) if x <= y else (y, x))

def pair(a, b):
    x, y = (a.version, int(a)), (b.version, int(b))
    return (x, y) if x <= y else (y, x)

def tshark_side(path):
    """Conversations from tshark's per-frame fields, rules applied."""
    cmd = ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE",
        "-o", "ipv6.defragment:FALSE", "--enable-protocol", "communityid",
        "-T", "fields", "-E", "separator=/t",
        "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip().split("\n")[-1]
    flows, pairs, frags, cids = {}, {}, {}, {}
    counts = {"frames": 0, "non-ip": 0, "tunnel": 0, "frag": 0,
        "frag-orphan": 0}
    for line in p.stdout.split("\n"):
        if not line:
            continue
        r = dict(zip(FIELDS, line.split("\t")))
        counts["frames"] += 1
        layers = r["frame.protocols"].split(":")
        first = next((l for l in layers if l in ("ip", "ipv6")), None)
        if first is None:                       # rule non-ip
            counts["non-ip"] += 1
            continue
        tunnel = layers.count("ip") + layers.count("ipv6") > 1
        if tunnel:
            counts["tunnel"] += 1               # rule outer-ip
        later = False
        if first == "ip":
            src = ipaddress.ip_address(r["ip.src"])
            dst = ipaddress.ip_address(r["ip.dst"])
            proto = ival(r["ip.proto"])
            fkey = (4, src, dst, ival(r["ip.id"]), proto)
            off, mf = ival(r["ip.frag_offset"]), ival(r["ip.flags.mf"])
            isfrag, later = (off > 0 or mf), off > 0
        else:
            src = ipaddress.ip_address(r["ipv6.src"])
            dst = ipaddress.ip_address(r["ipv6.dst"])
            proto = ival(r["ipv6.nxt"])
            seen = 0
            while proto in IPV6_EXT and seen < 8:
                nxt = r[IPV6_EXT[proto]]
                if nxt == "":
                    break
                proto = ival(nxt)
                seen += 1
            isfrag = r["ipv6.fraghdr.offset"] != ""
            later = isfrag and ival(r["ipv6.fraghdr.offset"]) > 0
            fkey = (6, src, dst, ival(r["ipv6.fraghdr.ident"]))
        # Ports of the outer transport only (rule outer-ip): the first
        # occurrence of tcp/udp/sctp belongs to the outer layer when the
        # outer IP header's protocol is that transport.
        sp = dp = 0
        name = {6: "tcp", 17: "udp", 132: "sctp"}.get(proto)
        if later:                               # rule frag
            counts["frag"] += 1
            if fkey in frags:
                sp, dp = frags[fkey]
            else:
                counts["frag-orphan"] += 1
        elif name is not None:
            sp = ival(r[name + ".srcport"])
            dp = ival(r[name + ".dstport"])
            if isfrag:
                frags[fkey] = (sp, dp)
        n = ival(r["frame.len"])
        k = canon(proto, src, sp, dst, dp)
        v = flows.setdefault(k, [0, 0]); v[0] += 1; v[1] += n
        if proto in PORTED and not tunnel and not isfrag and \
                r["communityid"]:               # rule cid-plain
            cids.setdefault(k, set()).add(r["communityid"])
        k = pair(src, dst)
        v = pairs.setdefault(k, [0, 0]); v[0] += 1; v[1] += n
    return (flows, pairs, counts, cids), None

def wiretop_side(path):
    def run(what):
        out = os.path.join(tmp, "%s.%s.json" % (os.path.basename(path),
            what))
        p = subprocess.run([wiretop, "export", "-r", path, "--what", what,
            "--format", "json", "-o", out], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("wiretop export --what %s: exit %d: %s" %
                (what, p.returncode, p.stderr.strip()))
        with open(out, "rb") as f:
            doc = json.loads(f.read().decode("utf-8"))
        os.unlink(out)
        return doc
    summary = run("summary")
    numbers = {p["proto"]: p["number"] for p in summary["protocols"]}
    flows, pairs, cids = {}, {}, {}
    for fl in run("flows")["flows"]:
        pr = fl["proto"]
        proto = numbers[pr] if pr in numbers else int(pr)
        a = ipaddress.ip_address(fl["id.orig_h"])
        b = ipaddress.ip_address(fl["id.resp_h"])
        pk = fl["orig_pkts"] + fl["resp_pkts"]
        by = fl["orig_wire_bytes"] + fl["resp_wire_bytes"]
        # rule vlan: summed over VLANs (not part of the key)
        k = canon(proto, a, fl["id.orig_p"], b, fl["id.resp_p"])
        v = flows.setdefault(k, [0, 0]); v[0] += pk; v[1] += by
        cids.setdefault(k, set()).add(fl["community_id"])
        k = pair(a, b)
        v = pairs.setdefault(k, [0, 0]); v[0] += pk; v[1] += by
    return flows, pairs, summary, cids

def fmt_key(k):
    def ep(e):
        a = ipaddress.ip_address(e[1])
        if len(e) > 2:
            return ("[%s]:%d" if a.version == 6 else "%s:%d") % (a, e[2])
        return str(a)
    if isinstance(k[0], int) and len(k) == 3:
        return "proto %d %s <-> %s" % (k[0], ep(k[1]), ep(k[2]))
    return "%s <-> %s" % (ep(k[0]), ep(k[1]))

def diff(ts, wt):
    out = []
    for k in sorted(set(ts) | set(wt), key=repr):
        a, b = ts.get(k, [0, 0]), wt.get(k, [0, 0])
        if a != b:
            out.append("%s: tshark %d pkts %d B, wiretop %d pkts %d B" %
                (fmt_key(k), a[0], a[1], b[0], b[1]))
    return out

def linktypes():
    lt = {}
    with open(os.path.join(real, "INDEX.tsv")) as f:
        head = f.readline().rstrip("\n").split("\t")
        c = head.index("linktype_num")
        for line in f:
            r = line.rstrip("\n").split("\t")
            lt[r[0]] = r[c]
    return lt

def compare(path):
    name = os.path.basename(path)
    lts = LT.get(name, "")
    try:
        nums = {int(x) for x in lts.replace(";", ",").split(",") if x}
    except ValueError:
        nums = set()
    if nums and not (nums & SUPPORTED_LT):
        return name, "SKIP", ["link type %s is not decoded by wiretop "
            "(named skip: unsupported-linktype)" % lts]
    ts, err = tshark_side(path)
    if ts is None:
        return name, "SKIP", ["tshark cannot decode it: %s" % err]
    tflows, tpairs, counts, tcids = ts
    try:
        wflows, wpairs, summary, wcids = wiretop_side(path)
    except (RuntimeError, ValueError, KeyError) as e:
        return name, "FAIL", [str(e)]
    msgs = []
    d = diff(tflows, wflows)
    if d:
        msgs.append("%d of %d 5-tuples differ" % (len(d),
            len(set(tflows) | set(wflows))))
        msgs += ["  " + x for x in d[:SHOW]]
    d = diff(tpairs, wpairs)
    if d:
        msgs.append("%d of %d address pairs differ" % (len(d),
            len(set(tpairs) | set(wpairs))))
        msgs += ["  " + x for x in d[:SHOW]]
    d = ["%s: tshark %s, wiretop %s" % (fmt_key(k), sorted(v),
        sorted(wcids.get(k, ()))) for k, v in sorted(tcids.items(),
        key=repr) if wcids.get(k, set()) != v]
    if d:
        msgs.append("%d of %d community IDs differ" % (len(d), len(tcids)))
        msgs += ["  " + x for x in d[:SHOW]]
    if summary["packets"] != counts["frames"]:
        msgs.append("wiretop read %d packets, tshark %d frames" %
            (summary["packets"], counts["frames"]))
    info = "%d frames, %d flows, %d address pairs, %d community IDs " \
        "(rules: non-ip %d, outer-ip %d, frag %d, frag without first %d)" % (
        counts["frames"], len(tflows), len(tpairs), len(tcids),
        counts["non-ip"], counts["tunnel"], counts["frag"],
        counts["frag-orphan"])
    return name, "FAIL" if msgs else "PASS", [info] + msgs

LT = linktypes()
files = sorted(os.path.join(real, f) for f in os.listdir(real)
    if f.endswith((".pcap", ".pcapng")))
res = {"PASS": 0, "FAIL": 0, "SKIP": 0}
with ThreadPoolExecutor(JOBS) as ex:
    for name, verdict, msgs in ex.map(compare, files):
        res[verdict] += 1
        tap = {"PASS": "ok - %s: %s", "FAIL": "not ok - %s: %s",
            "SKIP": "ok - %s # SKIP %s"}[verdict]
        print(tap % (name, msgs[0]))
        for m in msgs[1:]:
            print("    " + m)
print("# tshark-compare: %d passed, %d failed, %d skipped" % (res["PASS"],
    res["FAIL"], res["SKIP"]))
sys.exit(1 if res["FAIL"] else 0)
EOF
