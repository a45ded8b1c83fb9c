#!/bin/sh
# tshark-compare.sh: wiretop's flows agree with tshark's conversations.
#
# For every capture in $WT_CORPUS/real that tshark decodes, rebuild the
# conversations from tshark's per-frame fields (exact frame lengths, never
# the rounded -z conv tables) and compare with wiretop's exported flows
# summed per unordered 5-tuple (proto, {addr:port, addr:port}) and per
# unordered address pair: packets (orig_pkts + resp_pkts) and wire bytes
# (orig_wire_bytes + resp_wire_bytes) must be EQUAL.  Expected values come
# from tshark only, never from wiretop's output.
#
# Since issue 7 a flow record is what Zeek's conn.log calls a connection
# (wiretop.conf(5), doc/); the rules below follow that behaviour.  wiretop
# runs with -c a file setting tunnel_depth = 2 and vlan_key = no (the
# defaults), so a user's wiretop.conf cannot change what is compared.
# Where the two count differently by design, a named rule is applied, in
# the open (each is counted per capture; a rule that matched no frame in
# the whole corpus is reported at the end, as a SKIP line):
#  layers     tshark is run with -E occurrence=a, so a frame gives every IP
#             layer (ip/ipv6 in frame.protocols order; the k-th IP layer's
#             fields are that layer's occurrence of ip.* or ipv6.*, its
#             transport the tcp/udp/sctp/icmp/icmpv6 right after it, its
#             IPv6 extension headers the ipv6.* tokens in between).
#             Layer 0 (the wire) is compared with wiretop's flows WITHOUT
#             tunnel_parents (as before issue 7); layer k >= 1 (inside the
#             k-th tunnel) with the flows WITH tunnel_parents.  Each
#             layer's 5-tuple counts the frame and its frame.len (wiretop:
#             each flow's wire bytes are the frames that carried it); the
#             summary's packets count each frame once (= tshark's frame
#             count).  For inner flows the tunnel kind (wiretop's
#             `tunnel`) and the parents (the 5-tuples of the flows named in
#             tunnel_parents = tshark's layer k-1 of the same frames) must
#             be equal too.  Counted: frames with more than one IP layer.
#             (real/ holds only Teredo; the other kinds and nesting were
#             checked by hand on pcapgen's tunnel fixtures.)
#  tunnel     the tunnels wiretop opens, as tshark names what lies between
#             two IP layers: nothing (IP-in-IP, 6in4: ip), gre, teredo,
#             vxlan, geneve, gtp (wiretop gtpu).
#  teredo-heur  wiretop recognises Teredo by content on any UDP port, as
#             Zeek does; tshark only on 3544 unless its heuristic is on,
#             so tshark runs with --enable-heuristic teredo_udp (tshark
#             has no teredo.* preference in -G currentprefs; the heuristic
#             is listed by -G heuristic-decodes, off by default).  Counted:
#             Teredo layers on a port other than 3544.
#  depth      layers inside more than tunnel_depth (default 2) tunnels are
#             not opened by wiretop: they are dropped from tshark's side.
#  other-tunnel  an IP layer reached through something wiretop does not
#             open (L2TP, ESP, ...): dropped with everything inside it.
#  icmp-err   ICMP errors quote an inner IP header: an IP layer right after
#             icmp/icmpv6 is a quote, not a flow (nor anything inside it).
#  icmp       ICMP and ICMPv6 flows are keyed as Zeek keys them, from
#             tshark's icmp.type/icmp.code and icmpv6.type/icmpv6.code:
#             ports = (type, counterpart type) for the request/reply types
#             of Zeek's ICMP4_counterpart/ICMP6_counterpart (v4 8/0, 13/14,
#             15/16, 10/9, 17/18; v6 128/129, 133/134, 135/136, 130/131,
#             139/140, 144/145), (type, code) for one-way types; so each
#             (address pair, type/counterpart) is its own flow.  wiretop's
#             proto column says "icmp" for ICMPv6 too (Zeek's name): it is
#             read as 58 when the addresses are IPv6.
#  records    a 5-tuple may give several records over time (TCP close +
#             5 s, new SYN, unanswered SYN; DNS 10 s; UDP/other 60 s idle);
#             tshark's conversations have no lifetimes, so a 5-tuple's
#             records are SUMMED before the comparison.  They must not
#             overlap in time (ts .. ts+duration): two records of one
#             5-tuple alive at once would be a split key (a VLAN, say).
#  vlan       the flow key has no VLAN by default (vlan_key = no), as
#             tshark's conversations: nothing is summed over VLANs any
#             more; a split shows as overlapping records (rule records).
#             Counted: frames with an 802.1Q tag.
#  frag       non-first IPv4/IPv6 fragments carry no ports (tshark runs with
#             reassembly off, so each frame is seen on its own); a later
#             fragment is counted to its first fragment's 5-tuple, found by
#             (src, dst, id[, proto]); without a first fragment in the file
#             it keeps ports 0.
#  noport     protocols without ports (IGMP, GRE, ...) are keyed by
#             (proto, address pair); ports compared for TCP, UDP, SCTP
#             (and ICMP's type/counterpart, rule icmp).
#  non-ip     frames without an IP layer (ARP, EAPOL, LLDP...) are not flows.
# Community ID v1 (tshark's communityid dissector, enabled for the run) is
# compared per TCP/UDP/SCTP/ICMP/ICMPv6 5-tuple: the set of IDs tshark
# gives the frames must equal the set wiretop gives the flows (rule
# cid-plain: only frames with one IP layer and no fragmentation, where
# both hash the same header by definition; rule cid-malformed: on a
# frame tshark marks malformed its communityid post-dissector hashes what
# the aborted dissection left (zeek_rawip6-mldv2.pcap frames 3 and 5, an
# MLDv2 report whose record count overruns the frame: proto 64, the hop
# limit, and no ports), so there the ID is computed here from tshark's
# address, protocol and port fields by the spec's algorithm).
# A file whose link type wiretop does not decode (not in decode.h's
# decode_linktypes, as tests/tools/linktypes prints it) would be a named
# skip; every link type in real/ is meant to be decoded.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init tshark-compare
wt_need_wiretop
wt_need_corpus real
wt_need_tool python3 tshark
# The link types wiretop decodes: decode.h's table, printed by a tool.
"${WT_TOOLS:-$WT_BUILDDIR/tests/tools}/linktypes" >"$WT_TMP/linktypes" ||
    wt_hard "tests/tools/linktypes failed (make check builds it)"

python3 - "$WIRETOP" "$WT_CORPUS/real" "$WT_TMP" <<'EOF'
import base64, hashlib, ipaddress, json, os, struct, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

wiretop, real, tmp = sys.argv[1], sys.argv[2], sys.argv[3]
JOBS = max(2, min(4, os.cpu_count() or 2))
SHOW = 5                         # differing tuples printed per file
TUNNEL_DEPTH = 2                 # wiretop's default tunnel_depth (rule depth)
PORTED = {6, 17, 132}            # rule noport: TCP, UDP, SCTP
ICMP = {1, 58}                   # rule icmp: keyed by type/counterpart
KEYED = PORTED | ICMP
TRANSPORT = {"tcp": 6, "udp": 17, "sctp": 132, "icmp": 1, "icmpv6": 58}
# The names wiretop's proto column may use (IANA keywords, lower case;
# IP-in-IP as "ipip"), with their IANA numbers; a number is read as is.
PROTO_NAMES = {"hopopt": 0, "icmp": 1, "igmp": 2, "ipip": 4, "tcp": 6,
    "udp": 17, "ipv6": 41, "ipv6-route": 43, "ipv6-frag": 44, "rsvp": 46,
    "gre": 47, "esp": 50, "ah": 51, "icmp6": 58, "ipv6-icmp": 58,
    "ipv6-nonxt": 59, "ipv6-opts": 60, "eigrp": 88, "ospf": 89,
    "pim": 103, "vrrp": 112, "l2tp": 115, "sctp": 132, "udplite": 136}
# IPv6 extension headers as frame.protocols names them; each has a .nxt
IPV6_EXT = ("ipv6.hopopts", "ipv6.routing", "ipv6.dstopts",
    "ipv6.fraghdr")
# rule tunnel: what tshark shows between two IP layers -> wiretop's name
TUNNELS = {"gre": "gre", "teredo": "teredo", "vxlan": "vxlan",
    "geneve": "geneve", "gtp": "gtpu"}
# rule icmp: Zeek's ICMP4_counterpart / ICMP6_counterpart
ICMP4_PAIR = {8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10,
    17: 18, 18: 17}
ICMP6_PAIR = {128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135,
    130: 131, 131: 130, 139: 140, 140: 139, 144: 145, 145: 144}
RULES = ("layers", "tunnel", "teredo-heur", "depth", "other-tunnel",
    "icmp-err", "icmp", "records", "vlan", "frag", "frag-orphan",
    "noport", "non-ip", "cid-malformed")
# The settings the rules assume, whatever the user's wiretop.conf says
# (read after /etc/wiretop/wiretop.conf and ~/.config/wiretop/...).
CONF = os.path.join(tmp, "wiretop.conf")
with open(CONF, "w") as f:
    f.write("[wiretop]\ntunnel_depth = %d\nvlan_key = no\n" % TUNNEL_DEPTH)
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
    "sctp.srcport", "sctp.dstport", "icmp.type", "icmp.code",
    "icmpv6.type", "icmpv6.code", "communityid", "_ws.malformed"]

def ival(s, default=0):
    if s in ("", None):
        return default
    s = s.strip()
    if s in ("True", "true"):
        return 1
    if s in ("False", "false"):
        return 0
    return int(s, 0)

def icmp_ports(proto, t, c):
    """Rule icmp: Zeek's ports for an ICMP message of type t, code c."""
    pairs = ICMP4_PAIR if proto == 1 else ICMP6_PAIR
    return t, pairs.get(t, c)

def community_id(proto, a, ap, b, bp):
    """Community ID v1, seed 0, computed from tshark's fields as the spec
    (github.com/corelight/community-id-spec) defines it (rule
    cid-malformed); ICMP ports are Zeek's and the spec's (rule icmp)."""
    x, y = (a.packed, ap), (b.packed, bp)
    if proto not in KEYED:
        x, y = (x[0], None), (y[0], None)
    one_way = proto in ICMP and ap not in (ICMP4_PAIR if proto == 1
        else ICMP6_PAIR)
    if not one_way and y < x:
        x, y = y, x
    h = struct.pack("!H", 0) + x[0] + y[0] + struct.pack("!BB", proto, 0)
    if proto in KEYED:
        h += struct.pack("!HH", x[1], y[1])
    return "1:" + base64.b64encode(hashlib.sha1(h).digest()).decode()

def canon(proto, a, ap, b, bp):
    if proto not in KEYED:
        ap = bp = 0
    x, y = (a.version, int(a), ap), (b.version, int(b), bp)
    return (proto,) + ((x, y) if x <= y else (y, x))

def pair(a, b):
    x, y = (a.version, int(a)), (b.version, int(b))
    return (x, y) if x <= y else (y, x)

def add(d, k, n):
    v = d.setdefault(k, [0, 0]); v[0] += 1; v[1] += n

def split_layers(protocols):
    """rule layers: frame.protocols cut at each ip/ipv6 token.  Each
    layer: version token, its occurrence index, the extension headers
    and transport right after it (with their occurrence indices), and
    the other tokens up to the next IP layer ('via')."""
    seen, layers, cur = {}, [], None
    for t in protocols.split(":"):
        i = seen.get(t, 0); seen[t] = i + 1
        if t in ("ip", "ipv6"):
            cur = {"v": t, "i": i, "ext": [], "tr": None, "via": [],
                "head": True}
            layers.append(cur)
        elif cur is None:
            continue
        elif cur["head"] and t in IPV6_EXT and cur["v"] == "ipv6":
            cur["ext"].append((t, i))
        elif cur["head"] and t in TRANSPORT:
            cur["tr"] = (t, i); cur["head"] = False
        else:
            cur["head"] = False; cur["via"].append(t)
    return layers

def tshark_side(path):
    """Conversations from tshark's per-frame fields, rules applied."""
    cmd = ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE",
        "-o", "ipv6.defragment:FALSE", "--enable-protocol", "communityid",
        "--enable-heuristic", "teredo_udp",         # rule teredo-heur
        "-T", "fields", "-E", "separator=/t", "-E", "aggregator=,",
        "-E", "occurrence=a"]                       # rule layers
    for f in FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip().split("\n")[-1]
    # [0] layer 0 (the wire), [1] inner layers; parents/kinds: inner only
    flows, pairs, frags, cids = ({}, {}), ({}, {}), {}, {}
    parents, kinds = {}, {}
    counts = {"frames": 0}
    counts.update((r, 0) for r in RULES)
    for line in p.stdout.split("\n"):
        if not line:
            continue
        col = line.split("\t")
        r = {f: (col[j].split(",") if j < len(col) and col[j] else [])
            for j, f in enumerate(FIELDS)}
        def g(f, i=0):
            v = r[f]
            return v[i] if i < len(v) else ""
        counts["frames"] += 1
        n = ival(g("frame.len"))
        layers = split_layers(g("frame.protocols"))
        if len(layers) > 1:
            counts["layers"] += 1               # rule layers
        if "vlan" in g("frame.protocols").split(":"):
            counts["vlan"] += 1                 # rule vlan
        if not layers:                          # rule non-ip
            counts["non-ip"] += 1
            continue
        prev = None                             # layer k-1's key
        for k, L in enumerate(layers):
            kind = None
            if k > 0:
                up = layers[k - 1]
                if up["tr"] and up["tr"][0] in ("icmp", "icmpv6"):
                    counts["icmp-err"] += 1     # rule icmp-err
                    break
                via = [t for t in up["via"] if t in TUNNELS]
                if up["tr"] is None and not up["via"]:
                    kind = "ip"
                elif via:
                    kind = TUNNELS[via[0]]
                else:
                    counts["other-tunnel"] += 1     # rule other-tunnel
                    break
                if k > TUNNEL_DEPTH:
                    counts["depth"] += 1        # rule depth
                    break
                counts["tunnel"] += 1           # rule tunnel
                if kind == "teredo" and 3544 not in ports:
                    counts["teredo-heur"] += 1  # rule teredo-heur
            i = L["i"]
            later = False
            if L["v"] == "ip":
                src = ipaddress.ip_address(g("ip.src", i))
                dst = ipaddress.ip_address(g("ip.dst", i))
                proto = ival(g("ip.proto", i))
                fkey = (4, src, dst, ival(g("ip.id", i)), proto)
                off = ival(g("ip.frag_offset", i))
                mf = ival(g("ip.flags.mf", i))
                isfrag, later = (off > 0 or mf), off > 0
            else:
                src = ipaddress.ip_address(g("ipv6.src", i))
                dst = ipaddress.ip_address(g("ipv6.dst", i))
                proto = ival(g("ipv6.nxt", i))
                isfrag = False
                for e, ei in L["ext"]:
                    proto = ival(g(e + ".nxt", ei), proto)
                    if e == "ipv6.fraghdr":
                        isfrag = True
                        later = ival(g("ipv6.fraghdr.offset", ei)) > 0
                        fkey = (6, src, dst,
                            ival(g("ipv6.fraghdr.ident", ei)))
            sp = dp = 0
            tr = L["tr"]
            if later:                           # rule frag
                counts["frag"] += 1
                if fkey in frags:
                    sp, dp = frags[fkey]
                else:
                    counts["frag-orphan"] += 1
            elif tr is not None and TRANSPORT[tr[0]] == proto:
                name, ti = tr
                if proto in ICMP:               # rule icmp
                    counts["icmp"] += 1
                    sp, dp = icmp_ports(proto, ival(g(name + ".type", ti)),
                        ival(g(name + ".code", ti)))
                else:
                    sp = ival(g(name + ".srcport", ti))
                    dp = ival(g(name + ".dstport", ti))
                if isfrag:
                    frags[fkey] = (sp, dp)
            elif proto not in KEYED:
                counts["noport"] += 1           # rule noport
            ports = (sp, dp)
            key = canon(proto, src, sp, dst, dp)
            inner = 1 if k > 0 else 0
            add(flows[inner], key, n)
            add(pairs[inner], pair(src, dst), n)
            if inner:
                parents.setdefault(key, set()).add(prev)
                kinds.setdefault(key, set()).add(kind)
            if proto in KEYED and len(layers) == 1 and not isfrag and \
                    g("communityid"):           # rule cid-plain
                cid = g("communityid")
                if r["_ws.malformed"]:          # rule cid-malformed
                    counts["cid-malformed"] += 1
                    cid = community_id(proto, src, sp, dst, dp)
                cids.setdefault(key, set()).add(cid)
            prev = key
    return (flows, pairs, counts, cids, parents, kinds), None

def wiretop_side(path):
    def run(what):
        out = os.path.join(tmp, "%s.%s.json" % (os.path.basename(path),
            what))
        p = subprocess.run([wiretop, "export", "-c", CONF, "-r", path,
            "--what", what, "--format", "json", "-o", out],
            capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("wiretop export --what %s: exit %d: %s" %
                (what, p.returncode, p.stderr.strip()))
        with open(out, "rb") as f:
            doc = json.loads(f.read().decode("utf-8"))
        os.unlink(out)
        return doc
    summary = run("summary")
    numbers = {p["proto"]: p["number"] for p in summary["protocols"]}
    numbers.update(PROTO_NAMES)
    flows, pairs, cids = ({}, {}), ({}, {}), {}
    parents, kinds, keys, spans = {}, {}, {}, {}
    recs = run("flows")["flows"]
    for fl in recs:
        pr = fl["proto"]
        proto = numbers[pr] if pr in numbers else int(pr)
        a = ipaddress.ip_address(fl["id.orig_h"])
        b = ipaddress.ip_address(fl["id.resp_h"])
        if proto == 1 and a.version == 6:       # rule icmp: Zeek's name
            proto = 58
        k = canon(proto, a, fl["id.orig_p"], b, fl["id.resp_p"])
        keys[fl["uid"]] = k
        fl["_key"], fl["_pair"] = k, pair(a, b)
    for fl in recs:
        k = fl["_key"]
        pk = fl["orig_pkts"] + fl["resp_pkts"]
        by = fl["orig_wire_bytes"] + fl["resp_wire_bytes"]
        tp = fl.get("tunnel_parents") or []
        inner = 1 if tp else 0
        # rule records: a 5-tuple's records are summed
        v = flows[inner].setdefault(k, [0, 0]); v[0] += pk; v[1] += by
        v = pairs[inner].setdefault(fl["_pair"], [0, 0])
        v[0] += pk; v[1] += by
        spans.setdefault((inner, k), []).append((fl["ts"],
            fl["ts"] + (fl["duration"] or 0), fl["uid"]))
        if inner:
            parents.setdefault(k, set()).update(keys.get(u, ("uid", u))
                for u in tp)
            kinds.setdefault(k, set()).add(fl.get("tunnel"))
        cids.setdefault(k, set()).add(fl["community_id"])
    overlaps = []                               # rule records
    for (inner, k), s in sorted(spans.items(), key=repr):
        s.sort()
        for x, y in zip(s, s[1:]):
            if y[0] < x[1] - 1e-6:
                overlaps.append("%s: records %s (%.6f..%.6f) and %s "
                    "(%.6f..%.6f) overlap" % (fmt_key(k), x[2], x[0], x[1],
                    y[2], y[0], y[1]))
    extra = len(recs) - len(spans)             # records summed into others
    return flows, pairs, summary, cids, parents, kinds, overlaps, extra

def fmt_key(k):
    if not isinstance(k, tuple):
        return str(k)
    if k[0] == "uid":
        return "unknown uid %s" % k[1]
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

def setdiff(ts, wt, show=lambda s: sorted(s, key=repr)):
    return ["%s: tshark %s, wiretop %s" % (fmt_key(k),
        show(ts.get(k, set())), show(wt.get(k, set())))
        for k in sorted(set(ts) | set(wt), key=repr)
        if ts.get(k, set()) != wt.get(k, set())]

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
            "(named skip: unsupported-linktype)" % lts], {}
    ts, err = tshark_side(path)
    if ts is None:
        return name, "SKIP", ["tshark cannot decode it: %s" % err], {}
    tflows, tpairs, counts, tcids, tparents, tkinds = ts
    try:
        (wflows, wpairs, summary, wcids, wparents, wkinds,
            overlaps, extra) = wiretop_side(path)
    except (RuntimeError, ValueError, KeyError) as e:
        return name, "FAIL", [str(e)], {}
    msgs = []
    def report(what, d, total):
        if d:
            msgs.append("%d of %d %s differ" % (len(d), total, what))
            msgs.extend("  " + x for x in d[:SHOW])
    for i, layer in ((0, "outer"), (1, "inner")):
        report(layer + " 5-tuples", diff(tflows[i], wflows[i]),
            len(set(tflows[i]) | set(wflows[i])))
        report(layer + " address pairs", diff(tpairs[i], wpairs[i]),
            len(set(tpairs[i]) | set(wpairs[i])))
    report("inner flows' tunnel_parents", setdiff(tparents, wparents,
        lambda s: sorted(fmt_key(x) for x in s)),
        len(set(tparents) | set(wparents)))
    report("inner flows' tunnel kinds", setdiff(tkinds, wkinds,
        lambda s: sorted(map(str, s))), len(set(tkinds) | set(wkinds)))
    d = ["%s: tshark %s, wiretop %s" % (fmt_key(k), sorted(v),
        sorted(wcids.get(k, ()))) for k, v in sorted(tcids.items(),
        key=repr) if wcids.get(k, set()) != v]
    report("community IDs", d, len(tcids))
    if overlaps:                                # rule records
        msgs.append("%d pairs of records of one 5-tuple overlap in time" %
            len(overlaps))
        msgs.extend("  " + x for x in overlaps[:SHOW])
    if summary["packets"] != counts["frames"]:
        msgs.append("wiretop read %d packets, tshark %d frames" %
            (summary["packets"], counts["frames"]))
    counts["records"] = extra
    info = "%d frames, %d+%d flows (outer+inner), %d address pairs, " \
        "%d community IDs (rules: %s)" % (counts["frames"],
        len(tflows[0]), len(tflows[1]), len(tpairs[0]) + len(tpairs[1]),
        len(tcids), ", ".join("%s %d" % (r, counts[r]) for r in RULES
        if counts[r]))
    return name, "FAIL" if msgs else "PASS", [info] + msgs, counts

LT = linktypes()
files = sorted(os.path.join(real, f) for f in os.listdir(real)
    if f.endswith((".pcap", ".pcapng")))
res = {"PASS": 0, "FAIL": 0, "SKIP": 0}
used = dict((r, 0) for r in RULES)
with ThreadPoolExecutor(JOBS) as ex:
    for name, verdict, msgs, counts in ex.map(compare, files):
        res[verdict] += 1
        tap = {"PASS": "ok - %s: %s", "FAIL": "not ok - %s: %s",
            "SKIP": "ok - %s # SKIP %s"}[verdict]
        print(tap % (name, msgs[0]))
        for m in msgs[1:]:
            print("    " + m)
        for r in RULES:
            used[r] += counts.get(r, 0)
# A rule that no frame needed is said so (it may be obsolete).
for r in RULES:
    if used[r]:
        print("ok - rule %s: %d times in the corpus" % (r, used[r]))
    else:
        print("ok - rule %s # SKIP matched nothing in the corpus" % r)
print("# tshark-compare: %d passed, %d failed, %d skipped" % (res["PASS"],
    res["FAIL"], res["SKIP"]))
sys.exit(1 if res["FAIL"] else 0)
EOF
