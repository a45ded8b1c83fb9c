#!/usr/bin/env python3
"""tests/metrics/attack.py: the HTTP clients of the /metrics tests, on
loopback only.

  attack.py get URL                 body on stdout; exit 0 on 200
  attack.py status URL [METHOD]     the status code (0: no answer)
  attack.py answers URL SECS        exit 0 if GET answers 200 within SECS
  attack.py value URL NAME [LABELS] the sample NAME{LABELS} (LABELS as
                                    written in the text, e.g.
                                    'source="lo"'); exit 1 if absent
  attack.py hold SRC... -- HOST PORT N SECS
                                    N connections spread over the source
                                    addresses SRC (127.x.y.z), opened at
                                    once and kept, silent, for SECS s;
                                    prints how many connected
  attack.py slowloris SRC[,SRC...] HOST PORT N SECS
                                    N connections spread over the source
                                    addresses SRC, each sending a
                                    request's headers one byte a second for
                                    SECS s; prints how many were still open
                                    at the end (not closed by the server)
  attack.py big SRC HOST PORT url|header BYTES
                                    one request with a BYTES-long URL or
                                    header; prints the status line's code,
                                    or "closed" if the server closed first

Every socket has a timeout: nothing here waits forever.
"""
import resource
import select
import socket
import sys
import time
import urllib.error
import urllib.request


def fetch(url, method="GET", timeout=5):
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (OSError, urllib.error.URLError):
        return 0, b""


def sample(text, name, labels):
    want = name + ("{" + labels + "}" if labels else "")
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        key, _, val = line.rpartition(" ")
        if key == want:
            return val
    return None


def nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n, hard), hard))


def hold(srcs, host, port, n, secs):
    nofile(n + 64)
    socks = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind((srcs[i % len(srcs)], 0))
        s.connect_ex((host, port))
        socks.append(s)
    # wait (bounded) for the handshakes; a full backlog leaves some
    # pending, which is part of the attack
    end = time.time() + 3
    pending = list(socks)
    connected = 0
    while pending and time.time() < end:
        _, w, _ = select.select([], pending[:500], [], 0.2)
        for s in w:
            pending.remove(s)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                connected += 1
    print(connected, flush=True)
    time.sleep(secs)
    for s in socks:
        s.close()


def slowloris(srcs, host, port, n, secs):
    nofile(n + 64)
    socks = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(2)
        s.bind((srcs[i % len(srcs)], 0))
        try:
            s.connect((host, port))
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        except OSError:
            s.close()
    trickle = b"X-Slow: " + b"a" * 4096
    for i in range(secs):
        time.sleep(1)
        # a connection the server closed reads as the end of the stream
        if socks:
            r, _, _ = select.select(socks, [], [], 0)
            for s in r:
                try:
                    gone = s.recv(4096, socket.MSG_DONTWAIT) == b""
                except BlockingIOError:
                    gone = False
                except OSError:
                    gone = True
                if gone:
                    socks.remove(s)
                    s.close()
        for s in list(socks):
            try:
                s.send(trickle[i % len(trickle):i % len(trickle) + 1])
            except OSError:
                socks.remove(s)
                s.close()
    print(len(socks), flush=True)
    for s in socks:
        s.close()


def big(src, host, port, where, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(10)
    s.bind((src, 0))
    s.connect((host, port))
    if where == "url":
        req = b"GET /metrics?" + b"a" * size + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    else:
        req = (b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " +
               b"a" * size + b"\r\n\r\n")
    try:
        s.sendall(req)
    except OSError:
        pass            # the server answered and closed mid-request
    try:
        data = s.recv(4096)
    except OSError:
        data = b""
    s.close()
    if data.startswith(b"HTTP/1."):
        print(data.split(b" ")[1].decode())
    else:
        print("closed")


def main(argv):
    cmd = argv[1]
    if cmd == "get":
        st, body = fetch(argv[2])
        sys.stdout.write(body.decode("utf-8", "replace"))
        return 0 if st == 200 else 1
    if cmd == "status":
        print(fetch(argv[2], argv[3] if len(argv) > 3 else "GET")[0])
        return 0
    if cmd == "answers":
        return 0 if fetch(argv[2], timeout=float(argv[3]))[0] == 200 else 1
    if cmd == "value":
        st, body = fetch(argv[2])
        if st != 200:
            return 1
        v = sample(body.decode("utf-8", "replace"), argv[3],
                   argv[4] if len(argv) > 4 else "")
        if v is None:
            return 1
        print(v)
        return 0
    if cmd == "hold":
        i = argv.index("--")
        hold(argv[2:i], argv[i + 1], int(argv[i + 2]), int(argv[i + 3]),
             float(argv[i + 4]))
        return 0
    if cmd == "slowloris":
        slowloris(argv[2].split(","), argv[3], int(argv[4]), int(argv[5]),
                  int(argv[6]))
        return 0
    if cmd == "big":
        big(argv[2], argv[3], int(argv[4]), argv[5], int(argv[6]))
        return 0
    print("attack.py: unknown command " + cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
