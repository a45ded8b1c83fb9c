#!/bin/sh
# tunnel.sh: kernel tunnels over a veth pair, captured on the underlay
# (root only).
#
# Over the veth pair of netns.sh (10.201.0.1 here, 10.201.0.2 in the
# test namespace) ip(8) makes a tunnel of each kind on both sides:
#
#   kind    device                       overlay        inner flows name
#   vxlan   vxlan id 42, dstport 4789    10.202.0.x/24  tunnel "vxlan"
#   gre     gre (no key, no checksum)    10.203.0.x/24  tunnel "gre"
#   geneve  geneve id 7 (port 6081)      10.204.0.x/24  tunnel "geneve"
#   ipip    ipip                         10.205.0.x/24  tunnel "ip"
#
# A kind the kernel cannot create (not built, no module, no modprobe) is
# left out with a line saying so, under CI too: it is the kernel's
# configuration, not a broken install.  Over each overlay, N UDP
# datagrams of P bytes go from 10.20x.0.1:40001 to a server at
# 10.20x.0.2:7777 that answers each with R bytes, and the namespace pings
# 10.20x.0.1 K times (56 bytes of payload); every request waits for its
# answer.  The tunnel devices have fixed MAC addresses, permanent
# neighbour entries and no IPv6, so that no ARP, ND or MLD rides the
# overlays.
#
# Three live exports (flows, hosts, summary) and tcpdump capture the
# underlay at once.  Expectations come from what was sent (counts, and
# frame sizes from the header sizes below) and from tshark's reading of
# tcpdump's capture (which frames carried which tunnel, between which
# outer endpoints), never from wiretop's output:
#   - each kind's UDP and ICMP inner flows: one record each, the sent
#     packets and bytes each way, tunnel = the kind, tunnel_parents = the
#     uids of the outer flows whose frames carried them (as tshark saw
#     the outer endpoints); no other inner flow than tshark saw;
#   - the outer flows (UDP 4789/6081 between the underlay addresses, or
#     proto gre/ipip): the tunnel frames tshark counted, service
#     vxlan/geneve for UDP carriers;
#   - hosts: the overlay addresses carry their frames' wire bytes (each
#     frame counts once, at the innermost layer); an underlay address
#     counts only frames with no tunnel opened (ARP is not IP and counts
#     for no host; the tunnel devices send nothing else), so with no
#     such frame it is not listed at all;
#   - summary: tunnels.frames = the tunnelled frames sent (and tshark's
#     count), tunnels.skipped = tshark's tunnels with no IP inside (0),
#     no packet counted under gre or ipip, udp and icmp as tshark's
#     innermost layers.
# Environment (set by make check): WIRETOP, WT_SRCDIR.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init tunnel
wt_need_wiretop
. "$WT_SRCDIR/tests/live/netns.sh"
wt_need_tool tcpdump tshark
wt_netns_up

N=20		# UDP datagrams each way, per tunnel
P=100		# request payload, bytes
R=300		# answer payload, bytes
K=3		# pings each way, per tunnel (56 bytes of payload)

# ip-link arguments of a KIND device on SIDE 1 (here, 10.201.0.1) or 2
# (the namespace): tun_args KIND SIDE
tun_args() {
	if [ "$2" = 1 ]; then
		_l=10.201.0.1 _r=10.201.0.2
	else
		_l=10.201.0.2 _r=10.201.0.1
	fi
	case $1 in
	vxlan) echo "vxlan id 42 dstport 4789 local $_l remote $_r" ;;
	gre) echo "gre local $_l remote $_r ttl 64" ;;
	geneve) echo "geneve id 7 remote $_r" ;;
	ipip) echo "ipip local $_l remote $_r ttl 64" ;;
	esac
}

# no IPv6 on a device (no link-local address, ND or MLD): noipv6 DEV
# [NETNS]; a kernel without IPv6 has nothing to turn off
noipv6() {
	_f=/proc/sys/net/ipv6/conf/$1/disable_ipv6
	if [ -n "${2:-}" ]; then
		ip netns exec "$2" sh -c "[ ! -e $_f ] || echo 1 >$_f"
	else
		[ ! -e "$_f" ] || echo 1 >"$_f"
	fi
}

# make KIND's devices on both sides, overlay NET.1 here and NET.2 in the
# namespace: tun_up KIND NET; 1 if the kernel cannot make KIND
tun_up() {
	_k=$1 _net=$2
	_dev=wt$_k$$
	_peer=t$_k
	case $_k in
	vxlan) _mod=vxlan ;;
	gre) _mod=ip_gre ;;
	geneve) _mod=geneve ;;
	ipip) _mod=ipip ;;
	esac
	# Ethernet overlays: fixed MAC addresses (02:57:54:0x:00:0s for
	# 10.20x.0.s), for the permanent neighbour entries below
	_mac1= _mac2=
	_x=${_net#10.20}
	case $_k in
	vxlan | geneve)
		_mac1="address 02:57:54:0${_x%%.*}:00:01"
		_mac2="address 02:57:54:0${_x%%.*}:00:02" ;;
	esac
	# ask the namespace first: what the kernel can make
	if ! _e=$(ip -n "$WT_NS" link add "$_peer" $_mac2 \
	    type $(tun_args "$_k" 2) 2>&1); then
		# maybe a module not loaded yet
		if ! command -v modprobe >/dev/null 2>&1; then
			_e="$_e; no modprobe"
		elif ! _m=$(modprobe "$_mod" 2>&1); then
			_e="$_e; modprobe $_mod: $_m"
		elif ! _e=$(ip -n "$WT_NS" link add "$_peer" $_mac2 \
		    type $(tun_args "$_k" 2) 2>&1); then
			_e="after modprobe $_mod: $_e"
		fi
		if ! ip -n "$WT_NS" link show "$_peer" >/dev/null 2>&1; then
			wt_log "the kernel cannot create $_k here ($_e):" \
			    "$_k not tested"
			return 1
		fi
	fi
	noipv6 "$_peer" "$WT_NS"
	# (only a device made here is ours to remove)
	ip link add "$_dev" $_mac1 type $(tun_args "$_k" 1) ||
	    wt_hard "cannot make $_dev ($_k) though the namespace could"
	WT_LINKS="$WT_LINKS $_dev"
	noipv6 "$_dev" &&
	ip addr add "$_net.1/24" dev "$_dev" &&
	ip -n "$WT_NS" addr add "$_net.2/24" dev "$_peer" &&
	ip link set "$_dev" up &&
	ip -n "$WT_NS" link set "$_peer" up ||
	    wt_hard "cannot set up the $_k tunnel"
	if [ -n "$_mac1" ]; then
		ip neigh replace "$_net.2" lladdr "${_mac2#address }" \
		    dev "$_dev" nud permanent &&
		ip -n "$WT_NS" neigh replace "$_net.1" \
		    lladdr "${_mac1#address }" dev "$_peer" nud permanent ||
		    wt_hard "cannot set the $_k neighbours"
	fi
	return 0
}

kinds=
for kn in vxlan:10.202.0 gre:10.203.0 geneve:10.204.0 ipip:10.205.0; do
	tun_up "${kn%%:*}" "${kn#*:}" && kinds="$kinds $kn"
done
[ -n "$kinds" ] || wt_skip "the kernel can create none of the tunnels"
wt_log "tunnels tested:$kinds"

# the UDP server: answers each datagram on 7777 with R bytes; it writes
# its pid in "ready" once bound (ip netns exec may run it as a child, so
# $! is not always its pid)
rm -f ready
wt_ns_py - "$R" <<'PY' &
import os, socket, sys
r = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 7777))
s.settimeout(60)
with open("ready.tmp", "w") as f:
    f.write("%d\n" % os.getpid())
os.rename("ready.tmp", "ready")
try:
    while True:
        b, a = s.recvfrom(65536)
        s.sendto(b"r" * r, a)
except socket.timeout:
    pass
PY
server=$!
WT_PIDS="$WT_PIDS $server"
i=0
while [ ! -s ready ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s ready ] || wt_hard "the UDP server did not start"
spid=$(cat ready)
WT_PIDS="$WT_PIDS $spid"

n0=$(wt_packet_sockets)
tcpdump -i "$WT_IF0" -n -U --immediate-mode -s 2048 -B 16384 -w tun.pcap \
    2>tcpdump.err &
tcpd=$!
# (in immediate mode libpcap's ring holds buffer / snaplen frames: with
# the default snap length a 2 MiB buffer is 8 frames, which a busy
# machine overruns; 2 KiB slots in 16 MiB hold 8192)
WT_PIDS="$WT_PIDS $tcpd"
for w in flows hosts summary; do
	"$WIRETOP" export -i "$WT_IF0" -u root --format ndjson --what $w \
	    -o $w.json 2>$w.err &
	eval "pid_$w=\$!"
	WT_PIDS="$WT_PIDS $!"
done
wt_wait_capture "$n0" 4
# A packet socket is listed before libpcap has bound and activated it:
# tcpdump says "listening on" once it captures (the reference must not
# miss the first frames).
i=0
while ! grep -q 'listening on' tcpdump.err 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
grep -q 'listening on' tcpdump.err || wt_hard "tcpdump did not start"

# N requests from NET.1:40001 to NET.2:7777 each, one at a time; prints
# the answers received per net
python3 - "$N" "$P" $kinds >udp.out <<'PY'
import socket, sys
n, p = int(sys.argv[1]), int(sys.argv[2])
for kn in sys.argv[3:]:
    net = kn.split(":")[1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((net + ".1", 40001))
    s.settimeout(3)
    got = 0
    for i in range(n):
        s.sendto(b"q" * p, (net + ".2", 7777))
        try:
            s.recv(65536)
            got += 1
        except socket.timeout:
            pass
    s.close()
    print(kn, got)
PY
# K echo requests from the namespace to each NET.1, one at a time
wt_ns_py - "$K" $kinds >ping.out <<'PY'
import socket, struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
k = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(3)
for kn in sys.argv[2:]:
    dst = kn.split(":")[1] + ".1"
    got = 0
    for seq in range(k):
        h = struct.pack("!BBHHH", 8, 0, 0, 0x5754, seq) + b"p" * 56
        s.sendto(h[:2] + struct.pack("!H", csum(h)) + h[4:], (dst, 0))
        try:
            while True:
                b, a = s.recvfrom(65536)
                ihl = (b[0] & 15) * 4
                if a[0] == dst and b[ihl] == 0 and struct.unpack(
                        "!HH", b[ihl + 4:ihl + 8]) == (0x5754, seq):
                    got += 1
                    break
        except socket.timeout:
            pass
    print(kn, got)
PY
kill "$spid" 2>/dev/null
wait "$server"

# Every answer came back through this end of the veth pair, so every
# frame has reached the packet sockets; what is left is the kernel
# handing over the last ring block (wiretop's read timeout is 100 ms,
# tcpdump runs in immediate mode): wait until tcpdump has written the
# tunnelled frames, then give wiretop 1 s (no output of a live export
# says how far it has read).
want=0
for kn in $kinds; do
	want=$((want + 2 * N + 2 * K))
done
i=0
while [ "$(tcpdump -r tun.pcap -n 'ip and (ip[9] = 4 or ip[9] = 47 or
    udp port 4789 or udp port 6081)' 2>/dev/null | wc -l)" -lt $want ] &&
    [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 1
for w in flows hosts summary; do
	eval "kill -TERM \$pid_$w"
done
kill -INT "$tcpd"
wait "$tcpd"
for w in flows hosts summary; do
	eval "wait \$pid_$w"
	rc=$?
	# -u root: the warning that says so is all stderr may hold
	if [ "$rc" = 0 ] && ! grep -v 'warning: still running as root' \
	    $w.err >/dev/null; then
		wt_pass "export --what $w: exit 0"
	else
		wt_fail "export --what $w: exit $rc (want 0): $(cat $w.err)"
	fi
done
WT_PIDS=		# all ended and waited for

tshark -r tun.pcap -n -T fields -E occurrence=a -E aggregator=, \
    -E separator=/t -e frame.len -e frame.protocols -e ip.src -e ip.dst \
    -e ip.proto -e udp.srcport -e udp.dstport >frames.tsv 2>tshark.err ||
    wt_hard "tshark cannot read the capture: $(cat tshark.err)"

python3 - "$N" "$P" "$R" "$K" $kinds >results <<'PY'
import json, sys

n, p, r, k = (int(a) for a in sys.argv[1:5])
kinds = [a.split(":") for a in sys.argv[5:]]
ICMP = 8 + 56                   # echo header and payload
# bytes of a frame outside its inner IP packet, per kind
OVER = {
    "vxlan": 14 + 20 + 8 + 8 + 14,      # eth, IP, UDP, VXLAN, eth
    "geneve": 14 + 20 + 8 + 8 + 14,     # eth, IP, UDP, GENEVE (no options), eth
    "gre": 14 + 20 + 4,                 # eth, IP, GRE (no key, csum, seq)
    "ipip": 14 + 20,                    # eth, IP
}
NAME = {"vxlan": "vxlan", "geneve": "geneve", "gre": "gre", "ipip": "ip"}


def res(ok, msg):
    print(("ok - " if ok else "not ok - ") + msg)


def answers(path):
    try:
        return dict(l.split() for l in open(path))
    except (OSError, ValueError):
        return {}


udp_got, ping_got = answers("udp.out"), answers("ping.out")


def classify(protos):
    """(tunnel, opened, index of the counted IP layer) of one frame from
    tshark's frame.protocols: the innermost IP layer when an IP packet
    is inside a tunnel (what wiretop opens), else the first."""
    ips = [i for i, x in enumerate(protos) if x in ("ip", "ipv6")]
    if not ips:
        return None, False, None
    o = ips[0]
    nxt = protos[o + 1:o + 3]
    if nxt[:1] == ["udp"] and nxt[1:] in (["vxlan"], ["geneve"]):
        kind, i = nxt[1], o + 3
    elif nxt[:1] == ["gre"]:
        kind, i = "gre", o + 2
    elif nxt[:1] in (["ip"], ["ipv6"]):
        kind, i = "ipip", o + 1
    else:
        return None, False, o
    while i < len(protos) and protos[i] in ("eth", "ethertype"):
        i += 1
    if i < len(protos) and protos[i] in ("ip", "ipv6"):
        return kind, True, i
    return kind, False, o


def split(v):
    return v.split(",") if v else []


frames = []
for line in open("frames.tsv"):
    f = line.rstrip("\n").split("\t")
    f += [""] * (7 - len(f))
    protos = f[1].split(":")
    kind, opened, ci = classify(protos)
    src, dst, pr = split(f[2]), split(f[3]), split(f[4])
    sp, dp = split(f[5]), split(f[6])
    fr = {"len": int(f[0]), "kind": kind, "opened": opened}
    # transport of the counted layer
    tr = [x for x in protos[ci + 1:] if not x.startswith("ipv6.")] \
        if ci is not None else []
    fr["l4"] = tr[0] if tr else None
    if src:
        fr["outer"] = (src[0], dst[0], int(pr[0]))
        if kind in ("vxlan", "geneve"):
            fr["okey"] = ("udp", frozenset([(src[0], int(sp[0])),
                                            (dst[0], int(dp[0]))]))
        elif kind == "gre":
            fr["okey"] = ("gre", frozenset([src[0], dst[0]]))
        elif kind == "ipip":
            fr["okey"] = ("ipip", frozenset([src[0], dst[0]]))
        if opened and len(src) >= 2:
            ip = int(pr[1])
            if ip == 17:
                fr["ikey"] = ("udp", frozenset([(src[1], int(sp[-1])),
                                                (dst[1], int(dp[-1]))]))
            else:
                fr["ikey"] = (ip, frozenset([src[1], dst[1]]))
            fr["inner"] = (src[1], dst[1])
    frames.append(fr)


def load(path):
    out = []
    try:
        for l in open(path):
            if l.strip():
                out.append(json.loads(l))
    except (OSError, ValueError) as e:
        res(False, "%s: %s" % (path, e))
    return out


flows, hosts = load("flows.json"), load("hosts.json")
summ = load("summary.json")
summ = summ[0] if summ else {}
PROTO = {"udp": 17, "icmp": 1, "gre": 47, "ipip": 4}


def fkey(f):
    pr = f["proto"]
    if pr in ("tcp", "udp"):
        return (pr, frozenset([(f["id.orig_h"], f["id.orig_p"]),
                               (f["id.resp_h"], f["id.resp_p"])]))
    if pr in ("gre", "ipip"):
        return (pr, frozenset([f["id.orig_h"], f["id.resp_h"]]))
    return (PROTO.get(pr, pr), frozenset([f["id.orig_h"], f["id.resp_h"]]))


byk = {}
for f in flows:
    byk.setdefault(fkey(f), []).append(f)
hostby = {h["addr"]: h for h in hosts}

opened_total = 0
for kind, net in kinds:
    a1, a2 = net + ".1", net + ".2"
    ov = OVER[kind]
    tag = "%s (%s.x)" % (kind, net)
    ok_u = udp_got.get(kind + ":" + net) == str(n)
    ok_p = ping_got.get(kind + ":" + net) == str(k)
    res(ok_u and ok_p, "%s: every request answered (UDP %s of %d, "
        "ping %s of %d)" % (tag, udp_got.get(kind + ":" + net), n,
                            ping_got.get(kind + ":" + net), k))
    mine = [fr for fr in frames if fr["kind"] == kind and
            fr.get("inner") and set(fr["inner"]) <= {a1, a2}]
    opened_total += 2 * n + 2 * k
    # tshark saw what was sent, and nothing else, inside this tunnel
    ikeys = {}
    for fr in mine:
        ikeys.setdefault(fr["ikey"], []).append(fr)
    ukey = ("udp", frozenset([(a1, 40001), (a2, 7777)]))
    ckey = (1, frozenset([a1, a2]))
    res(set(ikeys) == {ukey, ckey} and len(ikeys[ukey]) == 2 * n and
        len(ikeys[ckey]) == 2 * k and
        sum(fr["len"] for fr in mine) ==
        n * (p + r + 56 + 2 * ov) + 2 * k * (20 + ICMP + ov),
        "%s: tshark finds the %d frames sent inside it, of the sizes "
        "sent (it finds %d in %d inner flows)" %
        (tag, 2 * n + 2 * k, len(mine), len(ikeys)))
    # inner flow records
    want = {
        ukey: dict(proto="udp", o=(a1, 40001), r=(a2, 7777),
                   op=n, rp=n, ob=n * p, rb=n * r,
                   ow=n * (p + 28 + ov), rw=n * (r + 28 + ov)),
        ckey: dict(proto="icmp", o=(a2, 8), r=(a1, 0), op=k, rp=k,
                   ob=None, rb=None,
                   ow=k * (20 + ICMP + ov), rw=k * (20 + ICMP + ov)),
    }
    for key, w in want.items():
        what = "%s: inner %s flow %s:%s -> %s:%s" % (
            tag, w["proto"], w["o"][0], w["o"][1], w["r"][0], w["r"][1])
        recs = byk.get(key, [])
        if len(recs) != 1:
            res(False, "%s: %d records (want 1)" % (what, len(recs)))
            continue
        f = recs[0]
        got = (f["proto"], (f["id.orig_h"], f["id.orig_p"]),
               (f["id.resp_h"], f["id.resp_p"]), f["orig_pkts"],
               f["resp_pkts"], f["orig_wire_bytes"], f["resp_wire_bytes"])
        exp = (w["proto"], w["o"], w["r"], w["op"], w["rp"], w["ow"],
               w["rw"])
        if w["ob"] is not None:
            got += (f["orig_bytes"], f["resp_bytes"])
            exp += (w["ob"], w["rb"])
        res(got == exp, "%s: proto, ends, packets and wire bytes each "
            "way (and payload for UDP) %s (want %s)" % (what, got, exp))
        res(f["tunnel"] == NAME[kind], "%s: tunnel %r (want %r)" %
            (what, f["tunnel"], NAME[kind]))
        # the parents: the outer flows of the frames that carried it
        okeys = {fr["okey"] for fr in ikeys.get(key, [])}
        puids = set()
        for ok in okeys:
            for o in byk.get(ok, []):
                puids.add(o["uid"])
        tp = f["tunnel_parents"] or []
        res(len(okeys) > 0 and set(tp) == puids and len(tp) == len(puids),
            "%s: tunnel_parents %s (want the uids of the %d outer flows "
            "that carried it: %s)" % (what, sorted(tp), len(okeys),
                                      sorted(puids)))
    others = [fkey(f) for f in flows if f["id.orig_h"] in (a1, a2) or
              f["id.resp_h"] in (a1, a2)]
    res(sorted(map(str, others)) == sorted(map(str, ikeys)),
        "%s: no other flow with the overlay addresses (%d records, "
        "tshark %d)" % (tag, len(others), len(ikeys)))
    # outer flow records: those tshark saw for this tunnel
    okeys = {}
    for fr in frames:
        if fr["kind"] == kind and "okey" in fr:
            okeys.setdefault(fr["okey"], []).append(fr)
    for ok, frs in sorted(okeys.items(), key=str):
        recs = byk.get(ok, [])
        what = "%s: outer flow %s" % (tag, sorted(ok[1]))
        if len(recs) != 1:
            res(False, "%s: %d records (want 1)" % (what, len(recs)))
            continue
        f = recs[0]
        got = (f["proto"], f["orig_pkts"] + f["resp_pkts"],
               f["orig_wire_bytes"] + f["resp_wire_bytes"],
               f["tunnel"], f["tunnel_parents"])
        exp = (ok[0], len(frs), sum(fr["len"] for fr in frs), None, None)
        if ok[0] == "udp":
            got += (f["service"],)
            exp += (kind,)
        res(got == exp, "%s: proto, packets, wire bytes, no tunnel of "
            "its own%s %s (want %s, from tshark)" % (
                what, ", service" if ok[0] == "udp" else "", got, exp))
    # the overlay hosts carry the whole frames
    for a, po, bo, pi, bi in (
            (a1, n + k, n * (p + 28 + ov) + k * (20 + ICMP + ov),
             n + k, n * (r + 28 + ov) + k * (20 + ICMP + ov)),
            (a2, n + k, n * (r + 28 + ov) + k * (20 + ICMP + ov),
             n + k, n * (p + 28 + ov) + k * (20 + ICMP + ov))):
        h = hostby.get(a)
        exp = (po, bo, pi, bi, 1)
        got = (h["pkts_out"], h["bytes_out"], h["pkts_in"], h["bytes_in"],
               h["peers"]) if h else None
        res(got == exp, "%s: host %s pkts_out, bytes_out, pkts_in, "
            "bytes_in, peers %s (want %s)" % (tag, a, got, exp))

# underlay addresses: only frames with no tunnel opened count for them
for a in ("10.201.0.1", "10.201.0.2"):
    frs = [fr for fr in frames if not fr["opened"] and "outer" in fr and
           a in fr["outer"][:2]]
    h = hostby.get(a)
    if not frs:
        res(h is None, "underlay host %s: tshark finds no untunnelled IP "
            "frame of it, so it is not listed (got %s)" % (a, h))
    else:
        b = sum(fr["len"] for fr in frs)
        got = (h["bytes_in"] + h["bytes_out"]) if h else None
        res(got == b, "underlay host %s: %d bytes of %d untunnelled "
            "frames (got %s)" % (a, b, len(frs), got))

# summary
t = summ.get("tunnels", {})
t_open = sum(1 for fr in frames if fr["opened"])
t_skip = sum(1 for fr in frames if fr["kind"] and not fr["opened"])
res(t.get("frames") == opened_total and t_open == opened_total,
    "summary tunnels.frames %s (want the %d frames sent through tunnels; "
    "tshark finds %d)" % (t.get("frames"), opened_total, t_open))
res(t.get("skipped") == t_skip and t.get("parents_dropped") == 0,
    "summary tunnels.skipped %s (tshark: %d tunnels with no IP inside), "
    "parents_dropped %s (want 0)" % (t.get("skipped"), t_skip,
                                     t.get("parents_dropped")))
pp = {x["proto"]: x["packets"] for x in summ.get("protocols", [])}
for pr in ("gre", "ipip"):
    res(pp.get(pr, 0) == 0, "summary: no packet counted as %s (the "
        "innermost layer counts): %s" % (pr, pp.get(pr, 0)))
for pr in ("udp", "icmp"):
    c = sum(1 for fr in frames if fr["l4"] == pr)
    res(pp.get(pr, 0) == c, "summary: %s packets %s (tshark, counting "
        "the innermost layer: %d)" % (pr, pp.get(pr, 0), c))
PY

while IFS= read -r line; do
	case $line in
	"ok - "*) wt_pass "${line#ok - }" ;;
	"not ok - "*) wt_fail "${line#not ok - }" ;;
	*) wt_log "$line" ;;
	esac
done <results
[ -s results ] || wt_fail "the analysis printed nothing"
wt_finish
