#!/bin/sh
# zeek-compare.sh: wiretop's flow records against Zeek's own conn.log,
# connection by connection.
#
# $WT_CORPUS/zeek-baselines/ holds the conn.log Zeek's regression suite
# wrote for some captures of $WT_CORPUS/real (SOURCES.tsv names them, the
# Zeek command and any extra wiretop arguments).  For each row:
#   1. wiretop export -r CAPTURE --format ndjson --what flows;
#   2. Zeek's TSV is parsed (#fields header; "-" unset: zero for counts and
#      duration, none for service and tunnel_parents; "(empty)" an empty set);
#   3. connections are paired on (proto, {orig_h:orig_p, resp_h:resp_p})
#      with addresses normalised (ICMP: on proto and the address pair, the
#      type/code "ports" are compared as fields).  Zeek's timestamps are
#      masked and its rows are not in time order, so records sharing one
#      key are paired by best agreement (orientation, history, conn_state,
#      packets, bytes, duration), not by position;
#   4. per pair: orientation (a pair found on the reversed key), conn_state,
#      history, orig/resp_pkts, orig/resp_ip_bytes, orig/resp_bytes (payload),
#      duration to the microsecond, service, id.orig_p/id.resp_p and proto
#      for ICMP, and tunnel_parents by structure: Zeek's uids never match
#      wiretop's, so an inner flow's parents must be the wiretop uids of the
#      flows paired with the Zeek rows whose uids Zeek lists.  Counts are
#      compared in Zeek's orientation (wiretop's swapped when reversed);
#      history is compared as written.  A Zeek row without a partner is
#      "only-zeek", a wiretop record without one "only-wiretop".
# Expected values are Zeek's, never wiretop's.
#
# Every difference must be covered by a named rule (RULES: name, capture,
# the exact connections, the fields, the reason).  A difference covered
# by none fails its capture; a rule whose (connection, field) no longer
# differs fails the stale check, so the table stays exact.  One TAP check per capture, one for stale entries.
#
# A connection is named "<proto> <orig>:<port> > <resp>:<port> <history>"
# in Zeek's orientation with Zeek's history ("-" when empty), suffixed
# " #2", " #3" when Zeek has two rows with one name; a record only wiretop
# has is named the same way from wiretop's record, prefixed "wiretop ".
#
# WT_ZEEK_DUMP=1 also prints the uncovered differences as rule entries
# (Python) on stderr, to name and explain.
# Needs python3; the corpus and python3 are required under CI=true.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init zeek-compare
wt_need_wiretop
wt_need_corpus real zeek-baselines
wt_need_tool python3

python3 - "$WIRETOP" "$WT_CORPUS" <<'EOF'
import ipaddress, itertools, json, os, shlex, subprocess, sys
from decimal import Decimal

wiretop, corpus = sys.argv[1], sys.argv[2]
base = os.path.join(corpus, "zeek-baselines")
real = os.path.join(corpus, "real")
DUMP = os.environ.get("WT_ZEEK_DUMP", "") not in ("", "0")

# Named rules: differences that stay, with their reason.  Each entry:
# (name, capture, [connection, ...], [field, ...], reason).  It covers a
# difference when the capture, the connection and the field are all equal;
# every (connection, field) it lists must still differ.
RULES = [
    ('non-transport-ip', 'zeek_teredo.pcap',
     ['wiretop ipv6-nonxt [2001:0:4137:9e50:8000:f12a:b9c8:2815]:0 > [2001:4860:0:2001::68]:0 -',
      'wiretop ipv6-nonxt [fe80::708d:fe83:4114:a512]:0 > [2001:0:4137:9e50:8000:f12a:b9c8:2815]:0 -'],
     ['only-wiretop'],
     "wiretop records every IP protocol as a flow (here Teredo bubbles: IPv6 with no next header); Zeek's conn.log has only TCP, UDP and ICMP"),
    ('service-bare-mode', 'zeek_vlan-mpls-mixed.pcap',
     ['tcp 10.1.2.1:11001 > 10.34.0.1:23 SADF'],
     ['service'],
     'the -b run loads only conn+http, so Zeek has no analyzer for port 23; wiretop names the port'),
    ('service-partial', 'zeek_wikipedia.pcap',
     ['tcp 141.142.220.118:35634 > 208.80.152.2:80 DdA'],
     ['service'],
     "Zeek's HTTP analyzer ignores a connection seen from mid-stream (HTTP.cc returns early on IsPartial()); wiretop names its port's service since payload flowed"),
    ('service-port-only', 'zeek_teredo.pcap',
     ['udp 192.168.2.16:138 > 192.168.2.255:138 D'],
     ['service'],
     "Zeek has no NetBIOS datagram analyzer; wiretop names port 138's service since payload flowed"),
    ('starttls', 'zeek_null-pop3-starttls.pcap',
     ['tcp 192.168.4.149:54775 > 192.168.4.149:110 ShAadDfFr'],
     ['service'],
     'Zeek lists every analyzer that confirmed (POP3, then SSL after STARTTLS); wiretop names one service per flow, by port'),
    ('zeek-unset-bytes', 'zeek_80211-radiotap.pcap',
     ['udp [fe80::a667:6ff:fef7:ec54]:5353 > [ff02::fb]:5353 D'],
     ['orig_bytes'],
     "Zeek's conn/main.zeek sets orig_bytes/resp_bytes only when the duration is above 0, so a one-packet connection logs '-'; wiretop writes the payload it counted"),
    ('zeek-unset-bytes', 'zeek_80211-wlanmon.pcap',
     ['udp [fe80::a667:6ff:fef7:ec54]:5353 > [ff02::fb]:5353 D'],
     ['orig_bytes'],
     "Zeek's conn/main.zeek sets orig_bytes/resp_bytes only when the duration is above 0, so a one-packet connection logs '-'; wiretop writes the payload it counted"),
    ('zeek-unset-bytes', 'zeek_dhcp.pcap',
     ['udp 128.2.6.152:67 > 255.255.255.255:68 D'],
     ['orig_bytes'],
     "Zeek's conn/main.zeek sets orig_bytes/resp_bytes only when the duration is above 0, so a one-packet connection logs '-'; wiretop writes the payload it counted"),
    ('zeek-unset-bytes', 'zeek_dhcp.pcap',
     ['udp 128.2.6.189:68 > 128.2.6.152:67 ^d',
      'udp 128.2.6.97:68 > 128.2.6.152:67 ^d'],
     ['resp_bytes'],
     "Zeek's conn/main.zeek sets orig_bytes/resp_bytes only when the duration is above 0, so a one-packet connection logs '-'; wiretop writes the payload it counted"),
    ('zeek-unset-bytes', 'zeek_teredo.pcap',
     ['icmp [fe80::8000:f227:bec8:61af]:134 > [fe80::8000:ffff:ffff:fffd]:133 -',
      'icmp [fe80::8000:ffff:ffff:fffd]:133 > [ff02::2]:134 -',
      'udp 0.0.0.0:68 > 255.255.255.255:67 D'],
     ['orig_bytes'],
     "Zeek's conn/main.zeek sets orig_bytes/resp_bytes only when the duration is above 0, so a one-packet connection logs '-'; wiretop writes the payload it counted"),
    ('zeek-unset-bytes', 'zeek_teredo.pcap',
     ['udp 192.168.2.16:3797 > 65.55.158.81:3544 ^d'],
     ['resp_bytes'],
     "Zeek's conn/main.zeek sets orig_bytes/resp_bytes only when the duration is above 0, so a one-packet connection logs '-'; wiretop writes the payload it counted"),
    ('teredo-confirm', 'zeek_teredo.pcap',
     ['udp 192.168.2.16:3797 > 65.55.158.81:3544 ^d'],
     ['service'],
     "Zeek names Teredo only once both directions carried it (Tunnel::delay_teredo_confirmation); wiretop names the Teredo it decoded, here from the server only"),
    ('zeek-unset-bytes', 'zeek_wikipedia.pcap',
     ['udp 141.142.220.202:5353 > 224.0.0.251:5353 D',
      'udp 141.142.220.238:56641 > 141.142.220.255:137 D',
      'udp 141.142.220.44:5353 > 224.0.0.251:5353 D',
      'udp 141.142.220.50:5353 > 224.0.0.251:5353 D',
      'udp [fe80::217:f2ff:fed7:cf65]:5353 > [ff02::fb]:5353 D'],
     ['orig_bytes'],
     "Zeek's conn/main.zeek sets orig_bytes/resp_bytes only when the duration is above 0, so a one-packet connection logs '-'; wiretop writes the payload it counted"),
]


ZERO = {"orig_bytes", "resp_bytes", "orig_pkts", "resp_pkts",
    "orig_ip_bytes", "resp_ip_bytes"}
SWAP = [("orig_pkts", "resp_pkts"), ("orig_ip_bytes", "resp_ip_bytes"),
    ("orig_bytes", "resp_bytes")]
FIELDS = ["proto", "id.orig_p", "id.resp_p", "conn_state", "history",
    "orig_pkts", "resp_pkts", "orig_ip_bytes", "resp_ip_bytes",
    "orig_bytes", "resp_bytes", "duration", "service", "tunnel_parents"]
ICMP = {"icmp", "icmp6", "ipv6-icmp"}

def norm_proto(p):
    return "icmp" if p in ICMP else p

def addr(s):
    return ipaddress.ip_address(s)

def ep(a, p):
    return ("[%s]:%s" if a.version == 6 else "%s:%s") % (a, p)

def usec(v):
    """Duration as whole microseconds (Zeek writes 6 decimals)."""
    if v in (None, "-", ""):
        return 0
    return int((Decimal(str(v)) * 1000000).to_integral_value())

def zeek_rows(path):
    fields, rows, unset, empty = None, [], "-", "(empty)"
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                head = line.split("\t")
                if head[0] == "#fields":
                    fields = head[1:]
                elif head[0] == "#unset_field":
                    unset = head[1]
                elif head[0] == "#empty_field":
                    empty = head[1]
                continue
            if not line:
                continue
            if fields is None:
                raise ValueError("%s: a row before #fields" % path)
            v = dict(zip(fields, line.split("\t")))
            r = {"uid": v["uid"], "proto": v["proto"],
                "orig_h": addr(v["id.orig_h"]), "id.orig_p": int(v["id.orig_p"]),
                "resp_h": addr(v["id.resp_h"]), "id.resp_p": int(v["id.resp_p"]),
                "conn_state": v["conn_state"],
                "history": "" if v["history"] == unset else v["history"],
                "duration": usec(None if v["duration"] == unset else v["duration"]),
                "service": frozenset() if v["service"] in (unset, empty)
                    else frozenset(v["service"].split(",")),
                "tunnel_parents": frozenset() if v["tunnel_parents"] in
                    (unset, empty) else frozenset(v["tunnel_parents"].split(","))}
            for k in ZERO:                # "-": unset (None)
                r[k] = None if v[k] == unset else int(v[k])
            rows.append(r)
    return rows

def wiretop_rows(capture, extra):
    cmd = [wiretop, "export", "-r", os.path.join(real, capture),
        "--format", "ndjson", "--what", "flows"]
    if os.geteuid() == 0:
        cmd += ["-u", "root"]     # keep root: no drop to a user who may
                                  # not read the corpus
    cmd += shlex.split(extra)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
            p.stderr.strip()))
    rows = []
    for line in p.stdout.split("\n"):
        if not line.strip():
            continue
        fl = json.loads(line)
        tp = fl.get("tunnel_parents") or []
        if isinstance(tp, str):
            tp = [x for x in tp.split(",") if x]
        svc = fl.get("service")
        r = {"uid": fl["uid"], "proto": fl["proto"],
            "orig_h": addr(fl["id.orig_h"]), "id.orig_p": fl["id.orig_p"],
            "resp_h": addr(fl["id.resp_h"]), "id.resp_p": fl["id.resp_p"],
            "conn_state": fl.get("conn_state") or "",
            "history": fl.get("history") or "",
            "duration": usec(fl.get("duration")),
            "service": frozenset(svc.split(",")) if svc else frozenset(),
            "tunnel_parents": frozenset(tp)}
        for k in ZERO:
            r[k] = fl.get(k) or 0
        rows.append(r)
    return rows

def ukey(r):
    """Unordered pairing key; ICMP pairs on addresses only."""
    pr = norm_proto(r["proto"])
    a, b = (r["orig_h"].version, int(r["orig_h"])), \
        (r["resp_h"].version, int(r["resp_h"]))
    if pr != "icmp":
        a, b = a + (r["id.orig_p"],), b + (r["id.resp_p"],)
    return (pr,) + ((a, b) if a <= b else (b, a))

def reversed_(z, w):
    """True when wiretop's record runs the other way from Zeek's row."""
    if (z["orig_h"], z["resp_h"]) != (w["orig_h"], w["resp_h"]):
        return True
    if norm_proto(z["proto"]) == "icmp":
        return False
    return (z["id.orig_p"], z["id.resp_p"]) != (w["id.orig_p"], w["id.resp_p"])

def aligned(z, w):
    """wiretop's record with its counts in Zeek's orientation."""
    a = dict(w)
    if reversed_(z, w):
        for x, y in SWAP:
            a[x], a[y] = w[y], w[x]
    return a

def same(f, zv, wv):
    """Zeek's value zv equals wiretop's wv ("-" counts as 0 or null)."""
    if f in ZERO and zv is None:
        return wv in (None, 0)
    return zv == wv

def score(z, w):
    """Agreement of a Zeek row and a wiretop record, for pairing only:
    what was on the wire (counts, history in Zeek's orientation) weighs
    most."""
    a, rev = aligned(z, w), reversed_(z, w)
    h = a["history"].swapcase() if rev else a["history"]
    s = 0 if rev else 1
    s += 2 * (h.lstrip("^") == z["history"].lstrip("^"))
    s += (a["conn_state"] == z["conn_state"]) + (a["duration"] == z["duration"])
    s += sum(2 * same(k, z[k], a[k]) for k in ZERO)
    return s

def pair(zs, ws):
    """Pairs (zeek, wiretop) of one key with the best total agreement."""
    zi, wi = list(range(len(zs))), list(range(len(ws)))
    if len(zi) <= len(wi):
        small, big, flip = zi, wi, False
    else:
        small, big, flip = wi, zi, True
    best, bestp = None, None
    if len(big) <= 7:
        for perm in itertools.permutations(big, len(small)):
            pp = [(b, s) if flip else (s, b) for s, b in zip(small, perm)]
            t = sum(score(zs[i], ws[j]) for i, j in pp)
            if best is None or t > best:
                best, bestp = t, pp
    else:                                   # greedy on big groups
        cand = sorted(((score(zs[i], ws[j]), i, j) for i in zi for j in wi),
            key=lambda c: (-c[0], c[1], c[2]))
        used_z, used_w, bestp = set(), set(), []
        for _, i, j in cand:
            if i not in used_z and j not in used_w:
                used_z.add(i); used_w.add(j); bestp.append((i, j))
    return bestp

def name(r, prefix=""):
    return "%s%s %s > %s %s" % (prefix, norm_proto(r["proto"]),
        ep(r["orig_h"], r["id.orig_p"]), ep(r["resp_h"], r["id.resp_p"]),
        r["history"] or "-")

def show(field, r):
    v = r[field]
    if field == "duration":
        return "%d.%06d" % divmod(v, 1000000)
    if v is None:
        return "-"
    if isinstance(v, frozenset):
        return ",".join(sorted(v)) or "-"
    return str(v) if v != "" else "-"

def compare(capture, extra):
    zrows = zeek_rows(os.path.join(base, capture.rsplit(".", 1)[0] +
        ".conn.log"))
    wrows = wiretop_rows(capture, extra)
    names, seen = {}, {}
    for z in zrows:
        n = name(z)
        seen[n] = seen.get(n, 0) + 1
        names[id(z)] = n if seen[n] == 1 else "%s #%d" % (n, seen[n])
    groups = {}
    for z in zrows:
        groups.setdefault(ukey(z), ([], []))[0].append(z)
    for w in wrows:
        groups.setdefault(ukey(w), ([], []))[1].append(w)
    match, diffs = {}, []          # zeek uid -> wiretop record
    pairs = []
    for k in sorted(groups, key=repr):
        zs, ws = groups[k]
        pp = pair(zs, ws)
        pz = {i for i, _ in pp}
        pw = {j for _, j in pp}
        for i, j in pp:
            match[zs[i]["uid"]] = ws[j]
            pairs.append((zs[i], ws[j]))
        for i, z in enumerate(zs):
            if i not in pz:
                diffs.append((names[id(z)], "only-zeek",
                    "%s pkts %s/%s %s" % (z["conn_state"], show("orig_pkts",
                    z), show("resp_pkts", z), show("service", z)), "-"))
        for j, w in enumerate(ws):
            if j not in pw:
                n = name(w, "wiretop ")
                diffs.append((n, "only-wiretop", "-", "%s pkts %d/%d %s" % (
                    w["conn_state"], w["orig_pkts"], w["resp_pkts"],
                    show("service", w))))
    for z, w in pairs:
        n, a = names[id(z)], aligned(z, w)
        if reversed_(z, w):
            diffs.append((n, "orientation", "%s > %s" % (
                ep(z["orig_h"], z["id.orig_p"]), ep(z["resp_h"], z["id.resp_p"])),
                "%s > %s" % (ep(w["orig_h"], w["id.orig_p"]),
                ep(w["resp_h"], w["id.resp_p"]))))
        # tunnel_parents by structure: the wiretop uids of Zeek's parents
        exp = set()
        for u in z["tunnel_parents"]:
            exp.add(match[u]["uid"] if u in match else "(unpaired zeek %s)" % u)
        zz = dict(z, tunnel_parents=frozenset(exp))
        zz["proto"] = z["proto"]
        for f in FIELDS:
            if f in ("id.orig_p", "id.resp_p", "proto") and \
                    norm_proto(z["proto"]) != "icmp":
                continue
            if f == "proto" and z["proto"] == a["proto"]:
                continue
            if not same(f, zz[f], a[f]):
                diffs.append((n, f, show(f, zz), show(f, a)))
    return diffs, len(zrows), len(wrows), len(pairs)

def cover(capture, d, table):
    for e in table:
        if e[1] == capture and d[0] in e[2] and d[1] in e[3]:
            return e
    return None

rows = []
with open(os.path.join(base, "SOURCES.tsv")) as f:
    head = f.readline().rstrip("\n").split("\t")
    for line in f:
        if line.strip():
            rows.append(dict(zip(head, line.rstrip("\n").split("\t"))))
used = set()                       # (table, index, conn, field)
fails = 0
for row in rows:
    cap = row["capture"]
    try:
        diffs, nz, nw, np = compare(cap, row.get("wiretop_extra_args", ""))
    except (OSError, RuntimeError, ValueError, KeyError) as e:
        print("not ok - %s: %s" % (cap, str(e).replace("#", "\\#")))
        fails += 1
        continue
    bad, lines, nrule = [], [], 0
    for d in diffs:
        tag = None
        e = cover(cap, d, RULES)
        if e is not None:
            used.add((RULES.index(e), d[0], d[1]))
            tag = "rule %s" % e[0]
            nrule += 1
        if tag is None:
            bad.append(d)
            tag = "NOT COVERED"
        lines.append("%s | %s: zeek %s, wiretop %s  [%s]" % (d[0], d[1], d[2],
            d[3], tag))
    verdict = "not ok" if bad else "ok"
    fails += bool(bad)
    print("%s - %s: zeek %d rows, wiretop %d records, %d paired; %d "
        "differences (%d by rule, %d not covered)" % (verdict, cap,
        nz, nw, np, len(diffs), nrule, len(bad)))
    for l in lines:
        print("    " + l)
    if DUMP and bad:
        by = {}
        for d in bad:
            by.setdefault(d[0], []).append(d[1])
        for conn, fl in by.items():
            sys.stderr.write('    ("?", "%s",\n     ["%s"],\n     %r, ""),\n'
                % (cap, conn, fl))
stale = []
for i, e in enumerate(RULES):
    for conn in e[2]:
        for fld in e[3]:
            if (i, conn, fld) not in used:
                stale.append("rule %s: %s | %s | %s no longer differs" %
                    (e[0], e[1], conn, fld))
if stale:
    fails += 1
    print("not ok - stale rules: %d (connection, field) entries match no "
        "difference; remove them" % len(stale))
    for s in stale:
        print("    " + s)
else:
    print("ok - no stale rule (%d rules)" % len(RULES))
sys.exit(1 if fails else 0)
EOF
