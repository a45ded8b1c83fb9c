#!/bin/sh
# corpus-robust.sh: no capture in the corpus crashes, hangs or misbehaves.
#
# Every *.pcap/*.pcapng in $WT_CORPUS/tcpdump (many deliberately
# malformed), real/ and pcapng-suite/ is read with
# `wiretop export -r F --what summary` under a 10 s timeout.  It must exit
# 0 (stderr may only carry "wiretop: F: truncated after N packets" and
# "wiretop: F: link type N (NAME) is not supported: M packets counted as
# unsupported"), or
# end with a clean error: exit 1 or 3 and exactly one line on stderr
# starting "wiretop: ".  A signal, a timeout, another exit code or any
# sanitizer report fails.  Files run in parallel; each is one TAP check.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init corpus-robust
wt_need_wiretop
wt_need_corpus
wt_need_tool python3

python3 - "$WIRETOP" "$WT_CORPUS" <<'EOF'
import os, re, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor

wiretop, corpus = sys.argv[1], sys.argv[2]
TIMEOUT = 10
JOBS = max(2, min(4, os.cpu_count() or 2))
SAN = re.compile(r"ERROR: (Address|Leak|Memory|Thread)Sanitizer|"
    r"runtime error:|SUMMARY: (Address|Undefined|Leak)Sanitizer")

files = []
for d in ("tcpdump", "real", "pcapng-suite"):
    for root, _, names in os.walk(os.path.join(corpus, d)):
        files += [os.path.join(root, n) for n in names
            if n.endswith((".pcap", ".pcapng"))]
files.sort()
if not files:
    print("not ok - no captures under %s" % corpus)
    sys.exit(1)

def run(f):
    t0 = time.monotonic()
    try:
        p = subprocess.run([wiretop, "export", "-r", f, "--what",
            "summary"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f, None, b"", TIMEOUT
    return f, p.returncode, p.stderr, time.monotonic() - t0

def verdict(f, rc, se):
    err = se.decode("utf-8", "replace")
    lines = [l for l in err.split("\n") if l]
    if rc is None:
        return "timeout after %d s" % TIMEOUT
    if SAN.search(err):
        m = SAN.search(err)
        i = err.rfind("\n", 0, m.start()) + 1
        return "sanitizer: " + err[i:].split("\n")[0]
    if rc < 0:
        return "killed by signal %d" % -rc
    if rc == 0:
        # The two warnings a readable file may give (wiretop(8)).
        trunc = re.compile(r"^wiretop: .*: truncated after \d+ packets$")
        lt = re.compile(r"^wiretop: .*: link type \d+( \([^)]*\))? is not "
                        r"supported: \d+ packets counted as unsupported$")
        bad = [l for l in lines if not trunc.match(l) and not lt.match(l)]
        if bad:
            return "exit 0 but stderr says: %s" % bad[:2]
        return None
    if rc in (1, 3):
        if len(lines) != 1 or not lines[0].startswith("wiretop: "):
            return "exit %d with %d stderr lines: %s" % (rc, len(lines),
                lines[:3])
        return None
    return "exit %d: %s" % (rc, lines[:2])

t0 = time.monotonic()
failed = 0
codes = {}
slow = []
with ThreadPoolExecutor(JOBS) as ex:
    for f, rc, se, secs in ex.map(run, files):
        codes[rc] = codes.get(rc, 0) + 1
        if secs > 2:
            slow.append((secs, os.path.relpath(f, corpus)))
        v = verdict(f, rc, se)
        if v:
            failed += 1
            print("not ok - %s: %s" % (os.path.relpath(f, corpus), v))
        else:
            print("ok - %s" % os.path.relpath(f, corpus))
for secs, rel in sorted(slow, reverse=True)[:5]:
    print("# slow: %s: %.1f s" % (rel, secs))
print("# corpus-robust: %d files in %.0f s: %d failed (exit codes: %s)" % (
    len(files), time.monotonic() - t0, failed,
    ", ".join("%s: %d" % ("timeout" if k is None else k, v)
        for k, v in sorted(codes.items(), key=lambda kv: str(kv[0])))))
sys.exit(1 if failed else 0)
EOF
