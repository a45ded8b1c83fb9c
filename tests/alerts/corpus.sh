#!/bin/sh
# corpus.sh: with default settings, every detector on, the real captures
# of the corpus ($WT_CORPUS/real) raise no alert above info.
#
# One exception, explained: zeek_vlan-mpls-mixed.pcap carries a telnet
# session (TCP port 23 between 10.1.2.1 and 10.34.0.1: tcpdump, when
# installed, must see it too), and telnet is denied by policy_deny's
# default: exactly that policy warning is expected there, nothing else
# above info.  (new_peer raises info alerts on the captures that run
# past its learning period, or whose clock jumps: allowed, being info.)

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init alerts-corpus
wt_need_wiretop
wt_need_corpus real

n=0
for f in $(wt_captures "$WT_CORPUS/real"); do
	b=$(basename "$f")
	if ! WIRETOP_NO_DEFAULT_CONFIG=1 "$WIRETOP" export -r "$f" \
	    --what alerts --format csv -o "$WT_TMP/a.csv" 2>"$WT_TMP/err"; then
		# a capture wiretop cannot read is corpus-robust.sh's concern
		grep -q 'cannot\|not a\|unsupported' "$WT_TMP/err" && continue
		wt_fail "$b: export failed: $(head -1 "$WT_TMP/err")"
		continue
	fi
	n=$((n + 1))
	# kind,severity,subject,peer,port of every alert above info
	loud=$(awk -F, 'NR > 1 && $5 != "info" { print $4 "," $5 "," $7 "," $9 "," $10 }' \
	    "$WT_TMP/a.csv")
	case $b in
	zeek_vlan-mpls-mixed.pcap)
		want="policy,warning,10.1.2.1,10.34.0.1,23"
		if command -v tcpdump >/dev/null 2>&1; then
			# (under MPLS a BPF port filter sees nothing: read
			# the decoded lines)
			t=$(tcpdump -nr "$f" 2>/dev/null |
			    grep -c 'IP 10\.1\.2\.1\.[0-9]* > 10\.34\.0\.1\.23: ')
			wt_check "$b: tcpdump sees the telnet session ($t packets)" \
			    [ "$t" -gt 0 ]
		fi
		wt_check "$b: only the telnet policy alert above info (got: $loud)" \
		    [ "$loud" = "$want" ]
		;;
	*)
		wt_check "$b: nothing above info (got: $loud)" [ -z "$loud" ]
		;;
	esac
done
wt_check "captures read ($n)" [ "$n" -ge 20 ]
wt_finish
