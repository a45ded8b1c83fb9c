# tests/live/netns.sh: a network namespace with two veth pairs, for the
# live tests (sourced; POSIX sh; needs root and ip(8)).
#
#   wt_netns_up: namespace $WT_NS; in the root namespace wta0 10.201.0.1/24
#   and wta1 10.201.1.1/24, their peers wtb0 10.201.0.2 and wtb1
#   10.201.1.2 inside $WT_NS.  Removed on exit.  Interface names carry
#   the shell's pid so that two runs do not collide.  The test then runs
#   in $WT_TMP with HOME there.
#   wt_ns_py ARGS...: run python3 inside the namespace.
#   WT_LINKS: more interfaces of the root namespace that the test made,
#   and WT_PIDS: processes it started in the background (space-separated
#   lists): removed and killed on exit, before the rest.
# Traffic never leaves these pairs.  One such test runs at a time.

WT_NS=wtcap$$
WT_IF0=wta0$$
WT_IF1=wta1$$
WT_LINKS=
WT_PIDS=

wt_netns_down() {
	for _p in $WT_PIDS; do
		kill "$_p" 2>/dev/null
	done
	for _l in $WT_LINKS; do
		ip link del "$_l" 2>/dev/null
	done
	ip link del "$WT_IF0" 2>/dev/null
	ip link del "$WT_IF1" 2>/dev/null
	ip netns del "$WT_NS" 2>/dev/null
}

wt_netns_up() {
	[ "$(id -u)" = 0 ] || wt_missing "needs root (network namespaces)"
	wt_need_tool ip python3 flock
	# make check runs tests in parallel, and every user of this file
	# puts the same networks in the root namespace: one at a time (the
	# lock goes with the shell)
	exec 9>"${TMPDIR:-/tmp}/wiretop-netns.lock" &&
	    flock -w 300 9 || wt_hard "cannot take the network test lock"
	trap 'wt_netns_down; rm -rf "$WT_TMP"' EXIT
	trap 'wt_netns_down; rm -rf "$WT_TMP"; exit 130' HUP INT PIPE TERM
	ip netns add "$WT_NS" 2>/dev/null ||
	    wt_missing "cannot create a network namespace"
	ip link add "$WT_IF0" type veth peer name wtb0 netns "$WT_NS" &&
	ip link add "$WT_IF1" type veth peer name wtb1 netns "$WT_NS" &&
	ip addr add 10.201.0.1/24 dev "$WT_IF0" &&
	ip addr add 10.201.1.1/24 dev "$WT_IF1" &&
	ip link set "$WT_IF0" up && ip link set "$WT_IF1" up &&
	ip -n "$WT_NS" addr add 10.201.0.2/24 dev wtb0 &&
	ip -n "$WT_NS" addr add 10.201.1.2/24 dev wtb1 &&
	ip -n "$WT_NS" link set wtb0 up &&
	ip -n "$WT_NS" link set wtb1 up &&
	ip -n "$WT_NS" link set lo up || wt_hard "cannot set up the veth pairs"
	# the test runs in its temporary directory, with no user
	# configuration file that could change the results
	cd "$WT_TMP" || wt_hard "cd $WT_TMP"
	HOME=$WT_TMP
	export HOME
}

# wt_packet_sockets: packet sockets open now on this test's interfaces
# (or on all of them, "any"): not those other tests open on lo meanwhile.
wt_packet_sockets() {
	_i0=$(cat "/sys/class/net/$WT_IF0/ifindex" 2>/dev/null || echo -1)
	_i1=$(cat "/sys/class/net/$WT_IF1/ifindex" 2>/dev/null || echo -1)
	awk -v a="$_i0" -v b="$_i1" 'NR > 1 && ($5 == a || $5 == b ||
	    $5 == 0) { n++ } END { print n + 0 }' /proc/net/packet
}

# wt_wait_capture BEFORE N: wait (at most 10 s) until N more packet
# sockets than BEFORE are open (wiretop's handles), then 0.5 s for
# their rings and filters.
wt_wait_capture() {
	_i=0
	while [ $_i -lt 100 ] &&
	    [ "$(wt_packet_sockets)" -lt $(($1 + $2)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(wt_packet_sockets)" -ge $(($1 + $2)) ] ||
	    wt_fail "the capture did not open its $2 socket(s) in 10 s"
	sleep 0.5
}

wt_ns_py() {
	ip netns exec "$WT_NS" python3 "$@"
}

# wt_ns_flow N MS: one UDP flow from inside the namespace, N datagrams
# of 100 bytes from 10.201.0.2:40000 to 10.201.0.1:9999, MS milliseconds
# apart.
wt_ns_flow() {
	wt_ns_py - "$@" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.201.0.2", 40000))
for i in range(int(sys.argv[1])):
    s.sendto(b"d" * 100, ("10.201.0.1", 9999))
    time.sleep(int(sys.argv[2]) / 1000.0)
PY
}

# wt_ns_send N MS ADDR...: from inside the namespace, N rounds of one
# 32-byte UDP datagram to port 9999 of each ADDR, MS milliseconds apart;
# a send that fails (its interface was deleted) is skipped.
wt_ns_send() {
	wt_ns_py - "$@" <<'PY'
import socket, sys, time
n, gap = int(sys.argv[1]), int(sys.argv[2]) / 1000.0
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    for a in sys.argv[3:]:
        try:
            s.sendto(b"x" * 32, (a, 9999))
        except OSError:
            pass        # its interface was deleted
    time.sleep(gap)
PY
}
