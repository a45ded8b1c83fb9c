#!/bin/sh
# detectors.sh: every alert detector on its own fixture.
#
# Each tests/alerts/*.txt fixture is built by pcapgen and says, in "#@"
# lines, the runs to make: "#@run NAME", its settings ("#@config key =
# value", on top of the defaults) and the alerts it must raise
# ("#@expect KIND SUBJECT PEER PORT", "-" for none, "@file" for the
# capture file as given to -r, which names the source; "@corpus" in a
# setting for $WT_CORPUS), and text an alert's message must hold
# ("#@message KIND SUBJECT PORT TEXT...": the rest of the line, a fixed
# string).  Each run exports the
# alerts as JSON and must raise exactly those: the same multiset of
# (kind, subject, peer, port), nothing else.  The expectations are
# worked out in each fixture's comments from how its packets are built.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init detectors
wt_need_wiretop
wt_need_pcapgen
wt_need_tool python3
. "$WT_SRCDIR/tests/alerts/fixture.sh"

n=0
for fx in "$WT_SRCDIR"/tests/alerts/*.txt; do
	name=$(basename "$fx" .txt)
	pcap=$WT_TMP/$name.pcap
	"$pcapgen" -o "$pcap" "$fx" >/dev/null || wt_hard "pcapgen failed on $fx"
	runs=$(fx_runs "$fx")
	[ -n "$runs" ] || wt_hard "$fx has no #@run line"
	for run in $runs; do
		conf=$WT_TMP/$name-$run.conf
		out=$WT_TMP/$name-$run.json
		fx_conf "$fx" "$run" "$conf"
		# settings that name the corpus (GeoIP test databases)
		if ! fx_need_corpus "$fx" "$name/$run"; then
			n=$((n + 1))
			continue
		fi
		if ! WIRETOP_NO_DEFAULT_CONFIG=1 "$WIRETOP" export -c "$conf" \
		    -r "$pcap" --what alerts --format json -o "$out" \
		    2>"$WT_TMP/err"; then
			wt_fail "$name/$run: export failed: $(cat "$WT_TMP/err")"
			continue
		fi
		if msg=$(python3 - "$fx" "$run" "$out" "$pcap" <<'PY'
import json, sys
from wtfixture import expects, messages
fx, run, out, fname = sys.argv[1:5]
want = expects(fx, run, fname)
texts = messages(fx, run, fname)
doc = json.load(open(out))
if doc.get("schema") != "wiretop.alerts/1":
    print("schema is %r" % doc.get("schema")); sys.exit(1)
got = []
for a in doc["alerts"]:
    got.append((a["kind"], a["subject"], a["peer"] or "",
                "" if a["port"] is None else str(a["port"])))
    for f in ("message", "severity", "state", "ts", "value", "threshold"):
        if a.get(f) in (None, ""):
            print("alert %s has no %s" % (a["id"], f)); sys.exit(1)
if sorted(got) != sorted(want):
    print("want %s, got %s" % (sorted(want), sorted(got))); sys.exit(1)
for k, subj, port, text in texts:
    msgs = [a["message"] for a in doc["alerts"] if a["kind"] == k and
            a["subject"] == subj and str(a["port"]) == port]
    if not any(text in m for m in msgs):
        print("%s %s %s: no message with %r (got %s)" % (k, subj, port,
              text, msgs)); sys.exit(1)
print("%d alerts%s" % (len(got), ", %d messages" % len(texts)
                       if texts else ""))
PY
		); then
			wt_pass "$name/$run: $msg"
		else
			wt_fail "$name/$run: $msg"
		fi
		n=$((n + 1))
	done
done
[ "$n" -ge 8 ] || wt_fail "only $n runs found"
wt_finish
