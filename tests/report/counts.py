#!/usr/bin/env python3
# counts.py: check a wiretop report (JSON and text) of one capture
# against tshark's reading of the same capture.  Usage:
#   counts.py CAPTURE REPORT.json REPORT.txt
# tshark gives, per frame: its time, its wire length and the addresses of
# its IP layers.  Worked out here, independently of wiretop:
# - totals: frames and wire bytes (capinfos' counts);
# - the peak second: frames and bytes per second of packet time (the
#   epoch second, as tshark -z io,stat,1 bins them for a capture starting
#   on a whole second), the first second with the most;
# - top talkers: wire bytes per host, each frame counted once for each
#   address of its innermost IP layer (tshark's endpoint statistics on
#   captures without tunnels), ordered by bytes, then address.
# - with --tcp: TCP segments, retransmissions (tcp.analysis.retransmission)
#   and the handshake RTT per stream (tcp.analysis.initial_rtt: SYN to the
#   handshake's ACK), median and p95 by nearest rank, and the maximum;
# - with --services PORT=NAME,...: top services, each frame once by the
#   well-known port of its flow (the lower of its ports that the list
#   names), else "other PROTO".
# Prints one "ok - ..." or "not ok - ..." line per check.
import ipaddress, json, subprocess, sys
from collections import defaultdict

cap, js, txt = sys.argv[1:4]
opts = sys.argv[4:]
out = subprocess.run(
    ["tshark", "-n", "-r", cap, "-T", "fields", "-E", "separator=/t",
     "-e", "frame.time_epoch", "-e", "frame.len", "-e", "ip.src",
     "-e", "ip.dst", "-e", "ipv6.src", "-e", "ipv6.dst"],
    check=True, capture_output=True, text=True).stdout
pkts = byts = 0
sec_b = defaultdict(int)
sec_p = defaultdict(int)
host = defaultdict(int)
for line in out.splitlines():
    f = line.split("\t")
    t, n = f[0], int(f[1])
    s = int(t.split(".")[0])
    pkts += 1
    byts += n
    sec_b[s] += n
    sec_p[s] += 1
    # innermost layer: the last address of ip or ipv6 (an ICMP error
    # quotes a header: such captures are not used here)
    src = (f[2] or f[4]).split(",")
    dst = (f[3] or f[5]).split(",")
    if src[0] and dst[0]:
        a, b = src[-1], dst[-1]
        host[a] += n
        if b != a:
            host[b] += n

r = json.load(open(js))
fails = 0


def check(desc, ok):
    global fails
    print(("ok - " if ok else "not ok - ") + desc)
    if not ok:
        fails += 1


def iso(s):
    import datetime
    return datetime.datetime.fromtimestamp(s, datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")


check("schema", r["schema"] == "wiretop.report/1")
check("packets %d = tshark %d" % (r["totals"]["packets"], pkts),
      r["totals"]["packets"] == pkts)
check("bytes %d = tshark %d" % (r["totals"]["bytes"], byts),
      r["totals"]["bytes"] == byts)
pb = min(sec_b, key=lambda s: (-sec_b[s], s))
pp = min(sec_p, key=lambda s: (-sec_p[s], s))
check("peak bytes/s %d at %s = tshark %d at %s" % (
    r["peak"]["bytes_per_sec"], r["peak"]["bytes_time"], sec_b[pb], iso(pb)),
    r["peak"]["bytes_per_sec"] == sec_b[pb] and
    r["peak"]["bytes_time"] == iso(pb))
check("peak packets/s %d at %s = tshark %d at %s" % (
    r["peak"]["packets_per_sec"], r["peak"]["packets_time"], sec_p[pp],
    iso(pp)), r["peak"]["packets_per_sec"] == sec_p[pp] and
    r["peak"]["packets_time"] == iso(pp))
tb = r["traffic"]["buckets"]
check("series sums to the totals and has at most 300 points",
      sum(b["bytes"] for b in tb) == byts and
      sum(b["packets"] for b in tb) == pkts and 0 < len(tb) <= 300)
step = r["traffic"]["bucket_seconds"]
want = defaultdict(int)
for s, n in sec_b.items():
    want[s // step * step] += n
got = {int(__import__("calendar").timegm(__import__("time").strptime(
    b["time"], "%Y-%m-%dT%H:%M:%SZ"))): b["bytes"] for b in tb}
check("every %d s bucket's bytes equal tshark's" % step,
      all(got.get(s, 0) == n for s, n in want.items()) and
      all(n == want.get(s, 0) for s, n in got.items()))


def key(a):
    ip = ipaddress.ip_address(a)
    return (-host[a], ip.version, ip.packed)


top = sorted(host, key=key)[:len(r["top_talkers"])]
check("%d hosts with traffic = tshark's %d" % (r["totals"]["hosts"],
      len(host)), r["totals"]["hosts"] == len(host))
mine = [(t["address"], t["bytes"]) for t in r["top_talkers"]]
theirs = [(str(ipaddress.ip_address(a)), host[a]) for a in top]
check("top talkers (order, bytes) = tshark endpoints: %s" % theirs,
      mine == theirs and len(mine) == min(10, len(host)))
text = open(txt, encoding="utf-8", errors="replace").read()
check("text holds the totals, the peaks and each talker's bytes",
      ("packets      %d\n" % pkts) in text and
      ("bytes        %d " % byts) in text and
      ("bytes/s      %d " % sec_b[pb]) in text and
      ("packets/s    %d at %s" % (sec_p[pp], iso(pp))) in text and
      all((" %d " % b) in text and a in text for a, b in theirs))

if "--tcp" in opts:
    tl = subprocess.run(
        ["tshark", "-n", "-r", cap, "-Y", "tcp", "-T", "fields",
         "-E", "separator=/t", "-e", "tcp.stream",
         "-e", "tcp.analysis.initial_rtt",
         "-e", "tcp.analysis.retransmission"],
        check=True, capture_output=True, text=True).stdout.splitlines()
    rtt = {}
    retr = 0
    for line in tl:
        f = line.split("\t")
        if f[1] and f[0] not in rtt:
            rtt[f[0]] = round(float(f[1]) * 1e6)
        if f[2]:
            retr += 1
    t = r["tcp"]
    check("TCP segments %d = tshark %d" % (t["segments"], len(tl)),
          t["segments"] == len(tl))
    check("retransmitted %d = tshark %d" % (t["retransmitted"], retr),
          t["retransmitted"] == retr)
    v = sorted(rtt.values())
    rank = lambda q: v[max(0, -(-len(v) * q // 100) - 1)] / 1e6
    want = (len(v), rank(50), rank(95), v[-1] / 1e6) if v else \
        (0, None, None, None)
    have = (t["flows_with_rtt"], t["rtt_median"], t["rtt_p95"],
            t["rtt_max"])
    check("RTT flows, median, p95, max %s = tshark %s" % (have, want),
          have[0] == want[0] and all(
              (a is None and b is None) or
              (a is not None and b is not None and abs(a - b) < 2e-6)
              for a, b in zip(have[1:], want[1:])))
for o in opts:
    if not o.startswith("--services="):
        continue
    ports = {int(k): n for k, n in
             (x.split("=") for x in o[11:].split(","))}
    sl = subprocess.run(
        ["tshark", "-n", "-r", cap, "-Y", "ip or ipv6", "-T", "fields",
         "-E", "separator=/t", "-e", "frame.len", "-e", "ip.proto",
         "-e", "ipv6.nxt", "-e", "tcp.srcport", "-e", "tcp.dstport",
         "-e", "udp.srcport", "-e", "udp.dstport"],
        check=True, capture_output=True, text=True).stdout.splitlines()
    svc = defaultdict(int)
    pn = {"1": "icmp", "6": "tcp", "17": "udp", "58": "ipv6-icmp"}
    for line in sl:
        f = line.split("\t")
        proto = f[1] or f[2]
        pp = sorted(int(x) for x in f[3:7] if x)
        name = next((ports[x] for x in pp if x in ports), None)
        svc[name or "other " + pn.get(proto, proto)] += int(f[0])
    want = sorted(svc.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    have = [(v["service"] or "other " + v["proto"], v["bytes"])
            for v in r["top_services"]]
    check("top services %s = tshark by port %s" % (have, want),
          have == want)
    check("text lists each service's bytes",
          all((" %d " % b) in text and n in text for n, b in want))
sys.exit(1 if fails else 0)
