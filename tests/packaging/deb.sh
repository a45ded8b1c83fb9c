#!/bin/sh
# deb.sh: the Debian package, built, checked, installed on this machine
# and removed again (root only; make check runs it after every other
# test, since an installed package gives the tests running beside it a
# wiretop user and /etc/wiretop/wiretop.conf).
#   - packaging/build-deb.sh builds it from this build's `make dist`
#     tarball (so the tarball is checked to hold what the package needs),
#     without the package build's tests (nocheck: they are make check's
#     unit tests; rpm.sh runs the spec's %check, the same list);
#   - lintian reports no error (E:);
#   - dpkg -i installs it: wiretop --version, and wiretop export -r of the
#     basic-tcp fixture (pcapgen) gives the one flow its description
#     makes (7 + 4 packets, 600 + 500 payload bytes);
#   - /etc/wiretop/wiretop.conf is a conffile, the sample, and the one
#     the installed binary reads; the man pages are the sources'; the
#     units run /usr/sbin/wiretop and are not enabled; the wiretop system
#     user exists (sysusers.d) and owns /var/lib/wiretop (0750);
#   - the binary has cap_net_admin,cap_net_raw=ep where the file system
#     takes them (else postinst's note is checked), and they are for the
#     wiretop group only: a throwaway user in it captures on lo with the
#     binary (and not with a copy, which has no capabilities); one not in
#     it cannot (exit 3, one line naming the group) and still reads a
#     capture file (-r).  Both users are deleted again;
#   - wiretop.service, end to end (that section says how): the
#     installed conffile edited as an administrator would, the unit run
#     as systemd runs it; nfcapd and Prometheus show the sensor;
#   - dpkg -r removes the binary, the units and the man pages but keeps
#     the (changed) conffile and the history; dpkg -P removes those, and
#     no file named *wiretop* is left in /etc, /usr or /var that was not
#     there before.  The wiretop user stays (Debian leaves system users);
#     this test deletes it (and checks it did) if it made it.
# The machine is left as found, on failure too (EXIT trap).  A machine
# with wiretop installed, or with its paths taken, is not touched (skip;
# a failure under CI).
# Environment (set by make check): WT_SRCDIR, WT_BUILDDIR, WT_TOOLS.
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init deb
[ "$(id -u)" = 0 ] || wt_skip "needs root (installs the package)"
wt_need_tool dpkg-buildpackage dh lintian flock setpriv
wt_need_pcapgen
: "${WT_BUILDDIR:?WT_BUILDDIR is not set}"
t0=$(date +%s)

# ---- the machine as found -----------------------------------------------
st=$(dpkg-query -W -f='${db:Status-Abbrev}' wiretop 2>/dev/null)
[ -z "$st" ] || wt_missing "a wiretop package is on this machine ($st): not touching it"
for p in /usr/sbin/wiretop /etc/wiretop /var/lib/wiretop \
    /lib/systemd/system/wiretop.service /usr/lib/sysusers.d/wiretop.conf; do
	[ ! -e "$p" ] || wt_missing "$p exists already: not touching it"
done
for u in wt-deb-nomember wt-deb-member; do
	! getent passwd $u >/dev/null && ! getent group $u >/dev/null ||
	    wt_missing "user or group $u exists already: not touching it"
done
had_user=no had_group=no
getent passwd wiretop >/dev/null && had_user=yes
getent group wiretop >/dev/null && had_group=yes
# names with "wiretop" in /etc, /usr, /var (not temporary folders)
names() {
	find /etc /usr /var -xdev \( -path /var/tmp -o -path /var/cache \
	    -o -path /var/log \) -prune -o -name '*wiretop*' -print 2>/dev/null |
	    LC_ALL=C sort
}
names >"$WT_TMP/names.before"

# forget_user: delete the wiretop user and group if this test made them.
# userdel refuses while a process runs as the user (a wiretop started as
# root elsewhere on the machine drops to it while it exists): retry for
# 10 s.  False if one is still there.
forget_user() {
	_i=0
	while [ $had_user = no ] && getent passwd wiretop >/dev/null; do
		userdel wiretop 2>"$WT_TMP/userdel.err" && break
		_i=$((_i + 1))
		[ $_i -lt 10 ] || break
		sleep 1
	done
	[ $had_group = no ] && getent group wiretop >/dev/null &&
	    groupdel wiretop 2>>"$WT_TMP/userdel.err"
	{ [ $had_user = yes ] || ! getent passwd wiretop >/dev/null; } &&
	    { [ $had_group = yes ] || ! getent group wiretop >/dev/null; }
}
# the throwaway users of the capture check, not in the wiretop group
# and in it
nomember=wt-deb-nomember member=wt-deb-member
forget_testers() {
	for _u in $nomember $member; do
		[ -z "$(cat "$WT_TMP/made.$_u" 2>/dev/null)" ] && continue
		getent passwd $_u >/dev/null && userdel $_u 2>>"$WT_TMP/userdel.err"
		getent group $_u >/dev/null && groupdel $_u 2>>"$WT_TMP/userdel.err"
		rm -f "$WT_TMP/made.$_u"
	done
	! getent passwd $nomember >/dev/null && ! getent passwd $member >/dev/null
}
cleanup() {
	forget_testers ||
	    echo "deb: could not delete the test users: $(cat "$WT_TMP/userdel.err")" >&2
	if [ -n "$(dpkg-query -W -f='${db:Status-Abbrev}' wiretop 2>/dev/null)" ]; then
		dpkg --purge wiretop >/dev/null 2>&1 ||
		    dpkg --purge --force-all wiretop >/dev/null 2>&1
	fi
	forget_user ||
	    echo "deb: could not delete the wiretop user/group: $(cat "$WT_TMP/userdel.err")" >&2
	rm -rf "$WT_TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# ---- build -------------------------------------------------------------
# make dist in this build tree (tests/packaging/dist.sh)
. "$WT_SRCDIR/tests/packaging/dist.sh"
pkg_dist

(
	unset MAKEFLAGS MFLAGS MAKELEVEL
	DEB_BUILD_OPTIONS="nocheck parallel=2" nice -n 10 \
	    "$WT_SRCDIR/packaging/build-deb.sh" --tarball "$WT_TMP/$tgz" \
	    "$WT_TMP/out"
) >"$WT_TMP/build.out" 2>&1
rc=$?
deb=$(ls "$WT_TMP"/out/wiretop_"$version"-*_*.deb 2>/dev/null | head -n 1)
if [ $rc != 0 ] || [ -z "$deb" ]; then
	wt_fail "build-deb.sh: exit $rc: $(tail -n 15 "$WT_TMP/build.out")"
	wt_finish
fi
wt_pass "build-deb.sh built $(basename "$deb") ($(($(date +%s) - t0)) s)"

# ---- lintian -----------------------------------------------------------
lintian "$deb" >"$WT_TMP/lintian.out" 2>"$WT_TMP/lintian.err"
rc=$?
sed 's/^/lintian: /' "$WT_TMP/lintian.out"
if [ $rc = 0 ] && ! grep -q '^E:' "$WT_TMP/lintian.out"; then
	wt_pass "lintian: no errors ($(grep -c '^W:' "$WT_TMP/lintian.out") warnings)"
else
	wt_fail "lintian: exit $rc: $(grep '^E:' "$WT_TMP/lintian.out") $(cat "$WT_TMP/lintian.err")"
fi

# ---- install -----------------------------------------------------------
dpkg -i "$deb" >"$WT_TMP/install.out" 2>&1
rc=$?
sed 's/^/dpkg -i: /' "$WT_TMP/install.out"
st=$(dpkg-query -W -f='${db:Status-Abbrev}' wiretop 2>/dev/null)
if [ $rc = 0 ] && [ "$st" = "ii " ]; then
	wt_pass "dpkg -i: installed"
else
	wt_fail "dpkg -i: exit $rc, status '$st'"
	wt_finish
fi

bin=/usr/sbin/wiretop
out=$("$bin" --version 2>&1)
wt_check "wiretop --version: '$out' (want wiretop $version)" \
    [ "$out" = "wiretop $version" ]

"$pcapgen" -o "$WT_TMP/basic-tcp.pcap" "$WT_SRCDIR/tests/pcap/basic-tcp.txt" ||
    wt_hard "pcapgen failed"
"$bin" export -r "$WT_TMP/basic-tcp.pcap" >"$WT_TMP/flows.csv" 2>"$WT_TMP/export.err"
rc=$?
got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { print $c["id.orig_h"], $c["id.resp_p"], $c["orig_pkts"], $c["resp_pkts"],
      $c["orig_bytes"], $c["resp_bytes"] }' "$WT_TMP/flows.csv")
wt_check "export -r basic-tcp: exit $rc, flows '$got' (want 10.0.0.1 80 7 4 600 500; $(cat "$WT_TMP/export.err"))" \
    [ $rc = 0 ] && [ "$got" = "10.0.0.1 80 7 4 600 500" ]

# ---- the conffile ------------------------------------------------------
conf=/etc/wiretop/wiretop.conf
dpkg-query -W -f='${Conffiles}\n' wiretop | grep -q "^ $conf " &&
    wt_pass "$conf is a conffile" ||
    wt_fail "conffiles: $(dpkg-query -W -f='${Conffiles}' wiretop)"
wt_check "$conf is the sample conf/wiretop.conf" \
    cmp -s "$conf" "$WT_SRCDIR/conf/wiretop.conf"
HOME=$WT_TMP XDG_CONFIG_HOME=$WT_TMP/.config "$bin" --show-config >"$WT_TMP/show.out" 2>&1
grep -q "^# file read: $conf\$" "$WT_TMP/show.out" &&
    wt_pass "the installed binary reads $conf" ||
    wt_fail "--show-config: $(head -n 3 "$WT_TMP/show.out")"

# ---- man pages ---------------------------------------------------------
for m in man8/wiretop.8 man5/wiretop.conf.5; do
	f=/usr/share/man/$m.gz
	if [ -f "$f" ] && zcat "$f" | cmp -s - "$WT_SRCDIR/doc/${m#*/}"; then
		wt_pass "$f is doc/${m#*/}"
	else
		wt_fail "$f is missing or not doc/${m#*/}"
	fi
done

# ---- units, the user, the state directory ------------------------------
for u in wiretop.service wiretop-report.service wiretop-report.timer; do
	[ -f "/lib/systemd/system/$u" ] && wt_pass "/lib/systemd/system/$u" ||
	    wt_fail "/lib/systemd/system/$u is missing"
done
for u in wiretop.service wiretop-report.service; do
	x=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "/lib/systemd/system/$u")
	wt_check "$u runs $x (want $bin)" [ "$x" = "$bin" ]
done
en=$(find /etc/systemd/system -name 'wiretop*' 2>/dev/null)
wt_check "no unit enabled on install ($en)" [ -z "$en" ]
wt_check "/usr/lib/sysusers.d/wiretop.conf is packaging/systemd/wiretop.sysusers" \
    cmp -s /usr/lib/sysusers.d/wiretop.conf \
    "$WT_SRCDIR/packaging/systemd/wiretop.sysusers"
pw=$(getent passwd wiretop)
uid=$(echo "$pw" | cut -d: -f3)
case $pw in
wiretop:*:*:*:*:/var/lib/wiretop:/usr/sbin/nologin)
	wt_check "the wiretop user: a system uid ($pw)" [ "$uid" -lt 1000 ] ;;
*)	wt_fail "the wiretop user: '$pw'" ;;
esac
sd=$(stat -c '%U:%G %a' /var/lib/wiretop 2>&1)
wt_check "/var/lib/wiretop: $sd (want wiretop:wiretop 750)" \
    [ "$sd" = "wiretop:wiretop 750" ]

# ---- capabilities ------------------------------------------------------
# Does this file system take file capabilities?  A probe beside the
# binary (the same file system), removed at once.
probe=$(mktemp /usr/sbin/.wt-capprobe.XXXXXX) || wt_hard "mktemp in /usr/sbin"
if setcap cap_net_raw+ep "$probe" 2>/dev/null && getcap "$probe" | grep -q cap_net_raw; then
	fscaps=yes
else
	fscaps=no
fi
rm -f "$probe"
caps=$(getcap "$bin" 2>&1)
if [ $fscaps = yes ]; then
	wt_check "getcap: '$caps' (want $bin cap_net_admin,cap_net_raw=ep)" \
	    [ "$caps" = "$bin cap_net_admin,cap_net_raw=ep" ]
	# Capture rights for the wiretop group only: a member captures on
	# lo for a second with the package's binary, and not with a copy
	# (no capabilities); a user not in the group cannot, is told why,
	# and still reads a capture file.  As login would start them
	# (setpriv --init-groups: their groups from /etc/group).
	useradd --system -M -U -s /bin/sh $nomember 2>"$WT_TMP/useradd.err" &&
	    echo made >"$WT_TMP/made.$nomember" &&
	    useradd --system -M -U -G wiretop -s /bin/sh $member \
	    2>>"$WT_TMP/useradd.err" && echo made >"$WT_TMP/made.$member" ||
	    wt_hard "useradd: $(cat "$WT_TMP/useradd.err")"
	as() {
		_as=$1
		shift
		HOME=$WT_TMP setpriv --reuid=$_as --regid=$_as --init-groups \
		    --inh-caps=-all "$@"
	}
	cp "$bin" "$WT_TMP/wiretop-nocaps"
	chmod 755 "$WT_TMP/wiretop-nocaps"
	chmod 644 "$WT_TMP/basic-tcp.pcap"
	for b in "$bin" "$WT_TMP/wiretop-nocaps"; do
		as $member "$b" export -i lo --duration 1 \
		    >"$WT_TMP/cap.out" 2>&1
		echo $? >>"$WT_TMP/cap.rc"
		sed "s|^|as $member, $b: |" "$WT_TMP/cap.out"
	done
	rcs=$(tr '\n' ' ' <"$WT_TMP/cap.rc")
	case $rcs in
	"0 0 ") wt_fail "the copy without capabilities captured too (exit status $rcs)" ;;
	"0 "*) wt_pass "$member (group wiretop) captures on lo with $bin, not with a copy ($rcs)" ;;
	*) wt_fail "$member (group wiretop) could not capture on lo with $bin (exit status $rcs)" ;;
	esac
	as $nomember "$bin" export -i lo --duration 1 >"$WT_TMP/nocap.out" \
	    2>"$WT_TMP/nocap.err"
	rc=$?
	sed "s|^|as $nomember, $bin: |" "$WT_TMP/nocap.err"
	if [ $rc = 3 ] && [ ! -s "$WT_TMP/nocap.out" ] &&
	    [ "$(wc -l <"$WT_TMP/nocap.err")" = 1 ] &&
	    grep -q "^wiretop: lo: permission denied .*membership of group wiretop .*adduser $nomember wiretop" \
	    "$WT_TMP/nocap.err"; then
		wt_pass "$nomember (not in group wiretop) cannot capture: exit 3, one line naming the group"
	else
		wt_fail "$nomember (not in group wiretop) on lo: exit $rc (want 3): $(cat "$WT_TMP/nocap.err")"
	fi
	as $nomember "$bin" export -r "$WT_TMP/basic-tcp.pcap" \
	    >"$WT_TMP/nocap.csv" 2>"$WT_TMP/nocap-r.err"
	rc=$?
	got=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    { print $c["orig_pkts"], $c["resp_pkts"] }' "$WT_TMP/nocap.csv")
	wt_check "$nomember still reads a capture file: exit $rc, packets '$got' (want 7 4; $(cat "$WT_TMP/nocap-r.err"))" \
	    [ $rc = 0 ] && [ "$got" = "7 4" ]
	forget_testers && wt_pass "the test users $nomember and $member deleted" ||
	    wt_fail "could not delete $nomember, $member: $(cat "$WT_TMP/userdel.err")"
else
	grep -q "could not set capture capabilities" "$WT_TMP/install.out" &&
	    wt_pass "no file capabilities here: postinst says so" ||
	    wt_fail "no file capabilities here, and postinst did not say so"
fi

# ---- wiretop.service, end to end ---------------------------------------
# What a network team does after installing: three settings in the
# installed /etc/wiretop/wiretop.conf (the interface, its nfcapd, the
# metrics address), start wiretop.service; its nfcapd and its
# Prometheus then show the sensor, with no glue.  No systemd runs as
# PID 1 here, so the unit is started the way systemd starts it, read
# from the installed file: ExecStart= as written, User= and Group= with
# the user's groups (initgroups), AmbientCapabilities= (inheritable and
# ambient), CapabilityBoundingSet=, NoNewPrivileges=, UMask=,
# StateDirectory= (made, owned by User:Group, StateDirectoryMode=), "/"
# as working directory, systemd's environment; stopped with SIGTERM.
# Not simulated: the unit's namespaces and filters (ProtectSystem=,
# PrivateTmp=, RestrictAddressFamilies=, ...; tests/daemon/systemd.sh
# rates them with systemd-analyze security).  The interface is a veth
# in a namespace made here (tests/live/netns.sh); 50 UDP datagrams of
# 100 bytes from 10.201.0.2:40000 to 10.201.0.1:9999 are one flow:
#   - systemd-analyze verify passes on the installed unit;
#   - Prometheus (started here on loopback, the README's scrape config)
#     reads wiretop_source_receive_packets_total of the sensor (job
#     wiretop, its instance, source = the interface) >= 50 (ARP too);
#   - after SIGTERM (exit 0), nfdump reads the flow from nfcapd's file
#     with 50 packets and 50 * 128 = 6400 IP bytes.
svc_tools=
for t in ip python3 nfcapd nfdump prometheus systemd-analyze; do
	command -v $t >/dev/null 2>&1 || svc_tools="$svc_tools $t"
done
unit=/lib/systemd/system/wiretop.service
if [ -n "$svc_tools" ]; then
	if wt_ci; then
		wt_fail "wiretop.service end to end: missing$svc_tools (required when CI=$CI)"
	else
		wt_log "wiretop.service end to end not tested: missing$svc_tools (packaging/install-deps.sh --test)"
	fi
else
	# systemd-analyze verify needs no running systemd: the installed
	# unit, its binary and man pages as installed
	systemd-analyze verify "$unit" >"$WT_TMP/verify.out" 2>&1
	rc=$?
	wt_check "systemd-analyze verify $unit: exit $rc ($(cat "$WT_TMP/verify.out"))" \
	    [ $rc = 0 ]

	# the unit's settings (the last one of each, as systemd reads them)
	key() {
		sed -n "s/^$1=//p" "$unit" | tail -n 1
	}
	svc_exec=$(key ExecStart)
	svc_user=$(key User)
	svc_group=$(key Group)
	svc_amb=$(key AmbientCapabilities)
	svc_bnd=$(key CapabilityBoundingSet)
	svc_nnp=$(key NoNewPrivileges)
	svc_umask=$(key UMask)
	svc_state=$(key StateDirectory)
	svc_smode=$(key StateDirectoryMode)
	# CAP_NET_RAW CAP_NET_ADMIN -> -all,+net_raw,+net_admin
	capl() {
		printf '%s' "-all"
		for _c in $1; do
			printf ',+%s' "$(echo "${_c#CAP_}" | tr 'A-Z' 'a-z')"
		done
	}
	# this simulation takes plain ExecStart= lines only: no prefix,
	# quotes, variables or specifiers
	case $svc_exec in
	/*[\"\'\$%\\]* | "") wt_hard "ExecStart= this test cannot run as systemd would: '$svc_exec'" ;;
	/*) ;;
	*) wt_hard "ExecStart= this test cannot run as systemd would: '$svc_exec'" ;;
	esac
	[ -n "$svc_user" ] && [ -n "$svc_group" ] ||
	    wt_hard "no User= or Group= in $unit"

	# the network, and the collectors on loopback
	. "$WT_SRCDIR/tests/live/netns.sh"
	wt_netns_up
	trap 'wt_netns_down; cleanup' EXIT
	trap 'wt_netns_down; cleanup; exit 130' HUP INT PIPE TERM
	nfport=$(wt_free_port udp)
	mport=$(wt_free_port tcp)
	pport=$(wt_free_port tcp)
	nfd=$WT_TMP/nfcapd
	mkdir -p "$nfd" "$WT_TMP/prom"
	nfcapd -w "$nfd" -b 127.0.0.1 -p "$nfport" -t 3600 -P "$nfd/pid" \
	    >"$nfd/log" 2>&1 &
	WT_PIDS="$WT_PIDS $!"
	wt_wait_log "$nfd/log" Startup || wt_hard "nfcapd: $(cat "$nfd/log")"
	# the README's scrape config, a 1 s interval
	cat >"$WT_TMP/prom/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: wiretop
    static_configs: [{targets: ['127.0.0.1:$mport']}]
YML
	prometheus --config.file="$WT_TMP/prom/prometheus.yml" \
	    --storage.tsdb.path="$WT_TMP/prom/data" \
	    --web.listen-address="127.0.0.1:$pport" >"$WT_TMP/prom/log" 2>&1 &
	prom=$!
	WT_PIDS="$WT_PIDS $prom"

	# the administrator's edits
	sed -i -e "s|^# interface = .*|interface = $WT_IF0|" \
	    -e "s|^# ipfix_collector = .*|ipfix_collector = 127.0.0.1:$nfport|" \
	    -e "s|^# metrics_listen = .*|metrics_listen = 127.0.0.1:$mport|" \
	    "$conf"
	set -- $(grep -c -e "^interface = $WT_IF0\$" \
	    -e "^ipfix_collector = 127.0.0.1:$nfport\$" \
	    -e "^metrics_listen = 127.0.0.1:$mport\$" "$conf")
	[ "$1" = 3 ] || wt_hard "editing $conf: the sample's lines have changed"

	# systemctl start wiretop.service
	state=/var/lib/$svc_state
	mkdir -p "$state"
	chown "$svc_user:$svc_group" "$state"
	chmod "${svc_smode:-0755}" "$state"
	nnp=
	[ "$svc_nnp" = yes ] && nnp=--no-new-privs
	n0=$(wt_packet_sockets)
	home=$(getent passwd "$svc_user" | cut -d: -f6)
	shell=$(getent passwd "$svc_user" | cut -d: -f7)
	(
		cd / && umask "${svc_umask:-0022}" &&
		exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		    HOME="$home" USER="$svc_user" LOGNAME="$svc_user" \
		    SHELL="$shell" INVOCATION_ID=0123456789abcdef0123456789abcdef \
		    setpriv --reuid="$svc_user" --regid="$svc_group" --init-groups \
		    --inh-caps="$(capl "$svc_amb")" \
		    --ambient-caps="$(capl "$svc_amb")" \
		    --bounding-set="$(capl "$svc_bnd")" $nnp $svc_exec
	) >"$WT_TMP/svc.out" 2>"$WT_TMP/svc.err" &
	svc=$!
	WT_PIDS="$WT_PIDS $svc"
	wt_wait_capture "$n0" 1
	u=$(awk '$1 == "Uid:" { print $2 }' "/proc/$svc/status" 2>/dev/null)
	wt_check "wiretop.service runs as $svc_user (uid $u) and captures on $WT_IF0 ($(cat "$WT_TMP/svc.err"))" \
	    [ "$u" = "$(id -u "$svc_user")" ]

	# promql EXPR: the first result's labels and value, or nothing
	promql() {
		python3 - "http://127.0.0.1:$pport/api/v1/query" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
url = sys.argv[1] + "?" + urllib.parse.urlencode({"query": sys.argv[2]})
try:
    with urllib.request.urlopen(url, timeout=5) as r:
        res = json.load(r)["data"]["result"]
    if res:
        m = res[0]["metric"]
        print(",".join("%s=%s" % (k, m[k]) for k in sorted(m)), res[0]["value"][1])
except Exception:
    pass
PY
	}
	# wait_promql EXPR: poll (0.5 s, 60 s) until EXPR has a result
	wait_promql() {
		_i=0
		while [ $_i -lt 120 ]; do
			got=$(promql "$1")
			[ -n "$got" ] && return 0
			kill -0 "$prom" 2>/dev/null || return 1
			sleep 0.5
			_i=$((_i + 1))
		done
		return 1
	}
	sensor="job=\"wiretop\",instance=\"127.0.0.1:$mport\""
	wait_promql "up{$sensor} == 1"
	wt_check "Prometheus scrapes the sensor: up{$sensor} ($got)" \
	    [ -n "$got" ]
	wt_ns_flow 50 5
	q="wiretop_source_receive_packets_total{$sensor,source=\"$WT_IF0\"}"
	wait_promql "$q >= 50"
	wt_check "Prometheus: $q >= 50 (read: ${got:-nothing; now $(promql "$q")})" \
	    [ -n "$got" ]

	# systemctl stop wiretop.service: SIGTERM
	kill -TERM $svc
	wt_wait_gone $svc 300
	wait $svc
	rc=$?
	wt_check "wiretop.service stops on SIGTERM: exit $rc ($(cat "$WT_TMP/svc.err"))" \
	    [ $rc = 0 ]
	# nfcapd writes its file when it stops
	sleep 1
	wt_stop_pidfile "$nfd/pid"
	f=$(ls "$nfd"/nfcapd.2* 2>/dev/null | head -n 1)
	# nfdump's csv: sa,da,sp,dp,pr are fields 4-8, ipkt,ibyt 12,13
	got=$( [ -n "$f" ] && nfdump -q -r "$f" -o csv 2>"$WT_TMP/nfdump.err" |
	    awk -F, '$1 ~ /^[0-9]/ { p = $8; gsub(/ /, "", p)
		if ($4 == "10.201.0.2" && $5 == "10.201.0.1" && $6 == 40000 &&
		    $7 == 9999 && p == "UDP") print $12, $13 }')
	wt_check "nfdump reads the sensor's flow: packets and bytes '$got' (want 50 6400; ${f:-no file}: $(cat "$WT_TMP/nfdump.err" 2>/dev/null))" \
	    [ "$got" = "50 6400" ]
	kill $prom 2>/dev/null
	wait $prom 2>/dev/null
fi

# ---- remove, purge -----------------------------------------------------
echo "# changed by the administrator" >>"$conf"
echo "history" >/var/lib/wiretop/history.db
dpkg -r wiretop >"$WT_TMP/remove.out" 2>&1
rc=$?
st=$(dpkg-query -W -f='${db:Status-Abbrev}' wiretop 2>/dev/null)
wt_check "dpkg -r: exit $rc, status '$st' (want rc)" [ $rc = 0 ] && [ "$st" = "rc " ]
left=
for p in "$bin" /usr/share/man/man8/wiretop.8.gz \
    /usr/share/man/man5/wiretop.conf.5.gz /lib/systemd/system/wiretop.service \
    /usr/lib/sysusers.d/wiretop.conf; do
	[ -e "$p" ] && left="$left $p"
done
wt_check "dpkg -r removes the binary, man pages, units, sysusers entry ($left)" \
    [ -z "$left" ]
wt_check "dpkg -r keeps the changed conffile and the history" \
    eval 'grep -q "^# changed by" "$conf" && [ -f /var/lib/wiretop/history.db ]'
dpkg -P wiretop >"$WT_TMP/purge.out" 2>&1
rc=$?
st=$(dpkg-query -W -f='${db:Status-Abbrev}' wiretop 2>/dev/null)
wt_check "dpkg -P: exit $rc, the package gone ($st)" [ $rc = 0 ] && [ -z "$st" ]
names >"$WT_TMP/names.after"
extra=$(comm -13 "$WT_TMP/names.before" "$WT_TMP/names.after" | tr '\n' ' ')
wt_check "after purge, nothing named *wiretop* left in /etc /usr /var ($extra)" \
    [ -z "$extra" ]
getent passwd wiretop >/dev/null &&
    wt_pass "purge keeps the wiretop user (Debian leaves system users)" ||
    wt_fail "purge removed the wiretop user"
if forget_user; then
	wt_pass "the machine as found: the wiretop user and group (had: $had_user, $had_group)"
else
	wt_fail "could not delete the wiretop user/group this test made: $(cat "$WT_TMP/userdel.err")"
fi
wt_log "build, install, remove: $(($(date +%s) - t0)) s"
wt_finish
