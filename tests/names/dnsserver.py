#!/usr/bin/env python3
"""dnsserver.py: a tiny DNS server for the reverse DNS tests.

Usage: dnsserver.py LOG ADDR=NAME|ADDR=slow ...

Listens on UDP 127.0.0.1:53 (inside the test's own network namespace),
answers a PTR query for ADDR (an IPv4 address) with NAME (Python escapes
such as \\x1b give raw bytes; dots separate labels), never answers one
for an address marked slow (the client waits as if the server slept
longer than the test), and answers everything else NXDOMAIN.  Every
query is appended to LOG as one line "QNAME QTYPE" as it arrives, so
the test can count the queries that reached it.  Prints "ready" once
listening."""
import socket
import struct
import sys


def qname(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return b".".join(labels), off
        labels.append(msg[off:off + n])
        off += n


def encode(name):
    out = b""
    for label in name.split(b"."):
        if label:
            out += bytes([len(label)]) + label
    return out + b"\0"


def main():
    log = open(sys.argv[1], "a", buffering=1)
    table = {}
    for arg in sys.argv[2:]:
        addr, name = arg.split("=", 1)
        rev = ".".join(reversed(addr.split("."))) + ".in-addr.arpa"
        table[rev.encode()] = (None if name == "slow" else
                               name.encode("latin-1").decode(
                                   "unicode_escape").encode("latin-1"))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 53))
    print("ready", flush=True)
    while True:
        msg, peer = s.recvfrom(4096)
        if len(msg) < 12:
            continue
        qid, flags, qd = struct.unpack("!HHH", msg[:6])
        try:
            name, off = qname(msg, 12)
            qtype, qclass = struct.unpack("!HH", msg[off:off + 4])
        except (IndexError, struct.error):
            continue
        log.write("%s %d\n" % (name.decode("latin-1"), qtype))
        question = msg[12:off + 4]
        key = name.lower()
        if qtype == 12 and key in table:
            if table[key] is None:
                continue        # slow: no answer, ever
            rdata = encode(table[key])
            answer = (b"\xc0\x0c" + struct.pack("!HHIH", 12, 1, 60,
                                                len(rdata)) + rdata)
            hdr = struct.pack("!HHHHHH", qid, 0x8180 | (flags & 0x0100),
                              1, 1, 0, 0)
            s.sendto(hdr + question + answer, peer)
        else:
            hdr = struct.pack("!HHHHHH", qid, 0x8183 | (flags & 0x0100),
                              1, 0, 0, 0)
            s.sendto(hdr + question, peer)


main()
