#!/usr/bin/env python3
"""ipfix.py: the IPFIX tests' independent reader (RFC 7011), written from
the RFC, not from wiretop's code.

  ipfix.py parse FILE [--udp]   check every message of FILE (an IPFIX file,
                                a TCP stream, or with --udp one message per
                                datagram, each prefixed by a 2-byte length)
                                and print one line per data record
  ipfix.py csv FILE             the same lines from wiretop's CSV export
  ipfix.py tcp PORT OUT         accept one TCP connection on 127.0.0.1:PORT,
                                write what it sends to OUT until it closes
                                (OUT.ready exists once it listens)
  ipfix.py udp PORT OUT SECS    receive datagrams on 127.0.0.1:PORT for
                                SECS seconds after the first, into OUT

A line: proto src sport dst dport pkts octets rpkts roctets vlan start_ms
end_ms (ICMP ports as 0).  Structure errors go to stderr, exit 1.
"""
import socket
import struct
import sys
import time

REV = 29305
# (enterprise, id) -> name, for the elements the lines use
NAMES = {
    (0, 1): "octetDeltaCount", (0, 2): "packetDeltaCount",
    (0, 4): "protocolIdentifier", (0, 6): "tcpControlBits",
    (0, 7): "sourceTransportPort", (0, 8): "sourceIPv4Address",
    (0, 10): "ingressInterface", (0, 11): "destinationTransportPort",
    (0, 12): "destinationIPv4Address", (0, 27): "sourceIPv6Address",
    (0, 28): "destinationIPv6Address", (0, 32): "icmpTypeCodeIPv4",
    (0, 58): "vlanId", (0, 136): "flowEndReason",
    (0, 139): "icmpTypeCodeIPv6", (0, 152): "flowStartMilliseconds",
    (0, 153): "flowEndMilliseconds", (0, 239): "biflowDirection",
    (0, 245): "dot1qCustomerVlanId",
    (REV, 1): "reverseOctetDeltaCount", (REV, 2): "reversePacketDeltaCount",
    (REV, 6): "reverseTcpControlBits", (REV, 58): "reverseVlanId",
}


class Bad(Exception):
    pass


def decode(msgs):
    """Check the messages (a list of bytes objects, one message each) and
    return (records, stats): records are dicts of element name -> value."""
    templates = {}
    records = []
    stats = {"messages": 0, "template_sets": 0, "data_sets": 0}
    expect_seq = None
    for m in msgs:
        if len(m) < 16:
            raise Bad("message shorter than its 16-byte header")
        ver, length, _extime, seq, _dom = struct.unpack("!HHIII", m[:16])
        if ver != 10:
            raise Bad("version %d, not 10" % ver)
        if length != len(m):
            raise Bad("message length %d, %d bytes" % (length, len(m)))
        # RFC 7011 3.1: the sequence number counts data records sent
        # before this message (a gap means messages were lost)
        if expect_seq is not None and seq < expect_seq:
            raise Bad("sequence number went back: %d < %d"
                      % (seq, expect_seq))
        stats["messages"] += 1
        ndata = 0
        off = 16
        while off < length:
            if length - off < 4:
                raise Bad("set header cut short")
            sid, slen = struct.unpack("!HH", m[off:off + 4])
            if slen < 4 or off + slen > length:
                raise Bad("set length %d out of the message" % slen)
            body = m[off + 4:off + slen]
            if slen == 4:
                raise Bad("empty set (RFC 7011 3.3.1: one record or more)")
            if sid == 2:
                stats["template_sets"] += 1
                p = 0
                while len(body) - p >= 4:
                    tid, count = struct.unpack("!HH", body[p:p + 4])
                    p += 4
                    if tid < 256:
                        raise Bad("template id %d below 256" % tid)
                    fields = []
                    for _ in range(count):
                        if len(body) - p < 4:
                            raise Bad("template record cut short")
                        eid, flen = struct.unpack("!HH", body[p:p + 4])
                        p += 4
                        ent = 0
                        if eid & 0x8000:
                            ent, = struct.unpack("!I", body[p:p + 4])
                            p += 4
                            eid &= 0x7fff
                        fields.append((ent, eid, flen))
                    templates[tid] = fields
                if any(body[p:]):
                    raise Bad("template set padding is not zero")
            elif sid == 3:
                stats["template_sets"] += 1
            elif sid >= 256:
                stats["data_sets"] += 1
                if sid not in templates:
                    raise Bad("data set %d before its template" % sid)
                fields = templates[sid]
                rlen = sum(f[2] for f in fields)
                if 65535 in [f[2] for f in fields]:
                    raise Bad("variable-length fields not expected")
                p = 0
                while len(body) - p >= rlen:
                    rec = {}
                    for ent, eid, flen in fields:
                        raw = body[p:p + flen]
                        p += flen
                        name = NAMES.get((ent, eid), "%d/%d" % (ent, eid))
                        if "Address" in name:
                            fam = socket.AF_INET if flen == 4 else \
                                socket.AF_INET6
                            rec[name] = socket.inet_ntop(fam, raw)
                        else:
                            rec[name] = int.from_bytes(raw, "big")
                    records.append(rec)
                    ndata += 1
                if any(body[p:]):
                    raise Bad("data set padding is not zero")
            else:
                raise Bad("set id %d is reserved" % sid)
            off += slen
        expect_seq = seq + ndata
    return records, stats


def line(proto, src, sport, dst, dport, pkts, octets, rpkts, roctets, vlan,
         start, end):
    return " ".join(str(v) for v in (proto, src, sport, dst, dport, pkts,
                                     octets, rpkts, roctets, vlan, start,
                                     end))


def rec_line(r):
    src = r.get("sourceIPv4Address", r.get("sourceIPv6Address"))
    dst = r.get("destinationIPv4Address", r.get("destinationIPv6Address"))
    return line(r["protocolIdentifier"], src, r["sourceTransportPort"], dst,
                r["destinationTransportPort"], r["packetDeltaCount"],
                r["octetDeltaCount"], r["reversePacketDeltaCount"],
                r["reverseOctetDeltaCount"], r["vlanId"],
                r["flowStartMilliseconds"], r["flowEndMilliseconds"])


def split_stream(data):
    msgs = []
    off = 0
    while off < len(data):
        if len(data) - off < 4:
            raise Bad("stream ends inside a message header")
        length, = struct.unpack("!H", data[off + 2:off + 4])
        if length < 16 or off + length > len(data):
            raise Bad("message length %d at offset %d runs past the end"
                      % (length, off))
        msgs.append(data[off:off + length])
        off += length
    return msgs


def split_udp(data):
    msgs = []
    off = 0
    while off < len(data):
        n, = struct.unpack("!H", data[off:off + 2])
        msgs.append(data[off + 2:off + 2 + n])
        off += 2 + n
    return msgs


PROTO = {"tcp": 6, "udp": 17, "icmp": 1}


def csv_lines(path):
    import csv
    out = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            proto = PROTO.get(row["proto"], row["proto"])
            if proto == 1 and ":" in row["id.orig_h"]:
                proto = 58
            ports = (0, 0) if proto in (1, 58) else \
                (row["id.orig_p"], row["id.resp_p"])
            ts = row["ts"].split(".")
            start = int(ts[0]) * 1000 + int(ts[1][:3])
            dur = row["duration"].split(".")
            end_us = int(ts[0]) * 1000000 + int(ts[1]) + \
                int(dur[0]) * 1000000 + int(dur[1])
            out.append(line(proto, row["id.orig_h"], ports[0],
                            row["id.resp_h"], ports[1], row["orig_pkts"],
                            row["orig_ip_bytes"], row["resp_pkts"],
                            row["resp_ip_bytes"], row["vlan"] or 0, start,
                            end_us // 1000))
    return out


def main():
    cmd = sys.argv[1]
    if cmd == "parse":
        data = open(sys.argv[2], "rb").read()
        try:
            msgs = split_udp(data) if "--udp" in sys.argv else \
                split_stream(data)
            recs, st = decode(msgs)
        except Bad as e:
            print("ipfix.py: %s: %s" % (sys.argv[2], e), file=sys.stderr)
            return 1
        for r in recs:
            print(rec_line(r))
        print("messages %d template_sets %d data_sets %d records %d" % (
            st["messages"], st["template_sets"], st["data_sets"],
            len(recs)), file=sys.stderr)
        return 0
    if cmd == "fields":
        data = open(sys.argv[2], "rb").read()
        recs, _ = decode(split_stream(data))
        keys = sys.argv[3].split(",")
        for r in recs:
            print(" ".join(str(r.get(k, "-")) for k in keys))
        return 0
    if cmd == "csv":
        for ln in csv_lines(sys.argv[2]):
            print(ln)
        return 0
    if cmd == "tcp":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", int(sys.argv[2])))
        s.listen(1)
        open(sys.argv[3] + ".ready", "w").close()
        s.settimeout(60)
        c, _ = s.accept()
        c.settimeout(60)
        with open(sys.argv[3], "wb") as f:
            while True:
                b = c.recv(65536)
                if not b:
                    break
                f.write(b)
        return 0
    if cmd == "udp":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        s.bind(("127.0.0.1", int(sys.argv[2])))
        open(sys.argv[3] + ".ready", "w").close()
        s.settimeout(60)
        end = None
        with open(sys.argv[3], "wb") as f:
            while end is None or time.time() < end:
                try:
                    b = s.recv(65536)
                except socket.timeout:
                    break
                if end is None:
                    end = time.time() + float(sys.argv[4])
                    s.settimeout(float(sys.argv[4]))
                f.write(struct.pack("!H", len(b)) + b)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
