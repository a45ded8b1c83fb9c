#!/bin/sh
# corpus-counts.sh: wiretop reads exactly as many packets as capinfos.
#
# For every *.pcap/*.pcapng in $WT_CORPUS/real, tcpdump and pcapng-suite,
# `wiretop export -r F --what summary --format json` must report a packet
# total equal to capinfos' count: the `packets` column of INDEX.tsv for
# real/ and tcpdump/ (capinfos 4.0.17), capinfos run now for
# pcapng-suite/.  Files capinfos cannot read ('-' in INDEX.tsv) are exempt
# from the count but must still end cleanly (exit 0, or 1/3 with one line
# on stderr).  A difference is only accepted through a named rule below,
# applied in the open and counted in the totals.  Each file is one TAP
# check (an exempt one is a SKIP).

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init corpus-counts
wt_need_wiretop
wt_need_corpus
wt_need_tool python3 capinfos

python3 - "$WIRETOP" "$WT_CORPUS" <<'EOF'
import json, os, subprocess, sys
from concurrent.futures import ThreadPoolExecutor

wiretop, corpus = sys.argv[1], sys.argv[2]
JOBS = max(2, min(4, os.cpu_count() or 2))
SAN = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")

def captures(d):
    out = []
    for root, _, names in os.walk(os.path.join(corpus, d)):
        out += [os.path.join(root, n) for n in names
            if n.endswith((".pcap", ".pcapng"))]
    return sorted(out)

def index(d):
    want = {}
    path = os.path.join(corpus, d, "INDEX.tsv")
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        col = head.index("packets")
        for line in f:
            r = line.rstrip("\n").split("\t")
            want[os.path.join(corpus, d, r[0])] = \
                None if r[col] == "-" else int(r[col])
    return want

# Expected counts, with where each came from.
want = {}
for d in ("real", "tcpdump"):
    if os.path.isdir(os.path.join(corpus, d)):
        want.update(index(d))
suite = captures("pcapng-suite") if os.path.isdir(
    os.path.join(corpus, "pcapng-suite")) else []
if suite:
    p = subprocess.run(["capinfos", "-c", "-M", "-T", "-r"] + suite,
        capture_output=True, text=True)
    got = {}
    for line in p.stdout.splitlines():
        name, _, n = line.rpartition("\t")
        got[name] = int(n) if n.isdigit() else None
    for f in suite:
        want[f] = got.get(f)

files = []
for d in ("real", "tcpdump"):
    files += captures(d)
files += suite

# Named rules: a difference between wiretop and capinfos is accepted only
# if one of these explains it.  Each returns a reason or None.
RULES = []

def run(f):
    try:
        p = subprocess.run([wiretop, "export", "-r", f, "--what", "summary",
            "--format", "json"], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return f, None, "timeout", b"", b""
    return f, p.returncode, None, p.stdout, p.stderr

def no_dups(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key " + k)
        d[k] = v
    return d

ok = exempt = failed = 0
ruled = {}
with ThreadPoolExecutor(JOBS) as ex:
    for f, rc, err, out, se in ex.map(run, files):
        rel = os.path.relpath(f, corpus)
        exp = want.get(f, "missing")
        stderr = se.decode("utf-8", "replace")
        lines = [l for l in stderr.split("\n") if l]
        if err:
            print("not ok - %s: %s" % (rel, err)); failed += 1; continue
        if any(s in stderr for s in SAN):
            print("not ok - %s: sanitizer report: %s" % (rel, lines[:2]))
            failed += 1; continue
        if rc < 0 or rc > 3 or rc == 2:
            print("not ok - %s: exit %d %s" % (rel, rc, lines[:2]))
            failed += 1; continue
        if exp == "missing":
            print("not ok - %s: not in INDEX.tsv / capinfos" % rel)
            failed += 1; continue
        if exp is None:
            # capinfos cannot read it: only a clean ending is required.
            if rc != 0 and (len(lines) != 1 or
                    not lines[0].startswith("wiretop: ")):
                print("not ok - %s: unclean error: exit %d %s" % (rel, rc,
                    lines[:3]))
                failed += 1
            else:
                exempt += 1
                print("ok - %s # SKIP capinfos cannot read it; it ends "
                    "cleanly" % rel)
            continue
        if rc != 0:
            print("not ok - %s: exit %d (capinfos reads %d packets): %s" %
                (rel, rc, exp, lines[:2]))
            failed += 1; continue
        try:
            doc = json.loads(out, object_pairs_hook=no_dups)
            n = doc["packets"]
            src = doc["sources"][0]["packets"]
        except (ValueError, KeyError, IndexError, TypeError) as e:
            print("not ok - %s: bad summary JSON: %s" % (rel, e))
            failed += 1; continue
        if n == exp and src == exp:
            print("ok - %s: %d packets" % (rel, n))
            ok += 1; continue
        why = None
        for name, rule in RULES:
            why = rule(f, exp, doc)
            if why:
                ruled[name] = ruled.get(name, 0) + 1
                break
        if why:
            print("ok - %s: rule: %s" % (rel, why)); ok += 1
        else:
            print("not ok - %s: wiretop %d packets (source %d), capinfos %d" %
                (rel, n, src, exp))
            failed += 1

print("# corpus-counts: %d files: %d equal, %d exempt (capinfos cannot "
    "read them), %d failed%s" % (len(files), ok, exempt, failed,
    "".join("; rule %s: %d" % kv for kv in sorted(ruled.items()))))
sys.exit(1 if failed else 0)
EOF
