#!/bin/sh
# export-escape.sh: names captured from packets are escaped in every
# export format (doc/wiretop.8, "Escaping of captured strings").
#
# tests/pcap/escape/names.txt is built into a capture whose DNS answers
# name 192.0.2.N with strings carrying C0 controls, DEL, C1 controls (as
# UTF-8 and as a raw byte), bidirectional controls, a line separator,
# spreadsheet formulas, a comma, a quote and a backslash.  flows, hosts
# and the summary are exported as CSV, JSON and NDJSON, and each output
# must hold no byte below 0x20 but the line ends, no DEL, no C1,
# bidirectional or line-separator code point; be strict UTF-8; parse
# with python3's csv (strict) or json (strict, no duplicate keys) module.
# Each host's name must come back exactly as the fixture wrote it (bytes
# that are not UTF-8 as U+FFFD): in JSON directly, in CSV after removing
# the formula quote and undoing the \\, \xNN and \uNNNN escapes; a CSV
# cell of a name that starts with = + - @ TAB CR or ' starts with a '.
# The expected names are read from the fixture text, not from wiretop.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init export-escape
wt_need_wiretop
wt_need_tool python3

wt_need_pcapgen
fixture=$WT_SRCDIR/tests/pcap/escape/names.txt
"$pcapgen" -o "$WT_TMP/names.pcap" "$fixture" >/dev/null ||
    wt_hard "pcapgen failed on $fixture"

cat >"$WT_TMP/check.py" <<'EOF'
import csv, io, json, re, sys

fixture, what, fmt, path = sys.argv[1:5]

# Code points no export may carry: C1 controls, bidirectional controls,
# the line and paragraph separators.
BAD = set(range(0x80, 0xa0)) | {0x61c, 0x200e, 0x200f, 0x2028, 0x2029} | \
    set(range(0x202a, 0x202f)) | set(range(0x2066, 0x206a))
FORMULA = "=+-@\t\r'"

class Bad(Exception):
    pass

def expected_names():
    """192.0.2.N -> name (str), from the fixture's dns lines."""
    names = {}
    for line in open(fixture, encoding="ascii"):
        if line.startswith("#") or " dns " not in line:
            continue
        m = re.search(r" name=(\S+) a=(\S+)", line)
        if not m:
            continue
        raw = re.sub(rb"\\x([0-9a-fA-F]{2})",
            lambda x: bytes([int(x.group(1), 16)]), m.group(1).encode())
        # Invalid UTF-8 becomes U+FFFD per maximal subpart, as Python's
        # decoder does (Unicode 15, 3.9).
        names[m.group(2)] = raw.decode("utf-8", errors="replace")
    if len(names) < 10:
        raise Bad("fixture has only %d names" % len(names))
    return names

def check_text(data):
    for i, b in enumerate(data):
        if (b < 0x20 and b != 0x0a) or b == 0x7f:
            raise Bad("byte 0x%02x at offset %d" % (b, i))
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise Bad("not UTF-8: %s" % e)
    for i, c in enumerate(text):
        if ord(c) in BAD:
            raise Bad("U+%04X at character %d" % (ord(c), i))
    return text

def unescape_csv(cell):
    out, i = [], 0
    while i < len(cell):
        c = cell[i]
        if c != "\\":
            out.append(c)
            i += 1
        elif cell.startswith("\\\\", i):
            out.append("\\")
            i += 2
        elif re.match(r"\\x[0-9a-f]{2}", cell[i:i + 4]):
            out.append(chr(int(cell[i + 2:i + 4], 16)))
            i += 4
        elif re.match(r"\\u[0-9a-f]{4}", cell[i:i + 6]):
            out.append(chr(int(cell[i + 2:i + 6], 16)))
            i += 6
        else:
            raise Bad("lone backslash in %r" % cell)
    return "".join(out)

def no_dups(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise Bad("duplicate key %r" % k)
        d[k] = v
    return d

def loads(s):
    return json.loads(s, object_pairs_hook=no_dups, strict=True)

try:
    text = check_text(open(path, "rb").read())
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        head, rows = rows[0], rows[1:]
        if any(len(r) != len(head) for r in rows):
            raise Bad("a row has the wrong number of cells")
        recs = [dict(zip(head, r)) for r in rows]
        for r in recs:
            for k, v in r.items():
                if v[:1] in ("=", "+", "-", "@") and k != "value":
                    raise Bad("%s cell %r starts a formula" % (k, v))
    elif fmt == "json":
        doc = loads(text)
        recs = doc.get(what, []) if what != "summary" else [doc]
    else:
        recs = [loads(line) for line in text.split("\n")[:-1]]
    if what == "hosts":
        want = expected_names()
        got = {r["addr"]: r["name"] for r in recs}
        for addr, name in want.items():
            if addr not in got:
                raise Bad("no host %s" % addr)
            v = got[addr]
            if fmt == "csv":
                starts = name[:1] in tuple(FORMULA)
                if starts != v.startswith("'"):
                    raise Bad("%s: cell %r, formula quote expected: %s" %
                        (addr, v, starts))
                v = unescape_csv(v[1:] if starts else v)
            if v != name:
                raise Bad("%s: name %r, expected %r" % (addr, v, name))
        print("%d names" % len(want))
    else:
        # flows and the summary must hold something to check at all
        if not recs:
            raise Bad("no %s record" % what)
        print("%d records" % len(recs))
except (Bad, csv.Error, ValueError, KeyError, IndexError) as e:
    print("INVALID: %s" % e)
    sys.exit(1)
EOF

for what in hosts flows summary; do
	for fmt in csv json ndjson; do
		o=$WT_TMP/$what.$fmt
		if ! "$WIRETOP" export -r "$WT_TMP/names.pcap" --what $what \
		    --format $fmt -o "$o" 2>"$WT_TMP/err"; then
			wt_fail "$what $fmt: $(head -n 2 "$WT_TMP/err")"
			continue
		fi
		if res=$(python3 "$WT_TMP/check.py" "$fixture" $what $fmt \
		    "$o"); then
			wt_pass "$what $fmt: $res"
		else
			wt_fail "$what $fmt: $res"
		fi
	done
done

# The check itself must fail on what it is there to catch: a raw ESC in
# a CSV and a cell that starts a formula.
printf 'addr,name\n192.0.2.1,\033]0;t\n' >"$WT_TMP/raw.csv"
if python3 "$WT_TMP/check.py" "$fixture" flows csv "$WT_TMP/raw.csv" \
    >/dev/null; then
	wt_fail "the checker accepts a raw ESC"
else
	wt_pass
fi
printf 'addr,name\n192.0.2.7,=1+2\n' >"$WT_TMP/formula.csv"
if python3 "$WT_TMP/check.py" "$fixture" flows csv "$WT_TMP/formula.csv" \
    >/dev/null; then
	wt_fail "the checker accepts a formula cell"
else
	wt_pass
fi

wt_finish
