#!/bin/sh
# Install the Debian packages wiretop needs to build (and, with --test,
# to run its test suite and benchmarks; with --pkg, to build its .deb
# and .rpm: packaging/build-deb.sh, packaging/build-rpm.sh).  Run as root
# on Debian 12 or a derivative.  Installs only what is missing.
#   install-deps.sh [--test] [--pkg]      (--test includes --pkg)
set -e

build="build-essential autoconf automake pkg-config libpcap-dev
libncurses-dev libsqlite3-dev libmaxminddb-dev libmaxminddb0 nettle-dev
libmicrohttpd-dev libfixbuf-dev"
# tshark brings wireshark-common (capinfos, mergecap), named here because
# the tests call those directly; ncurses-base has the terminfo entries
# tui.sh runs under; libtsan2 is gcc's ThreadSanitizer runtime;
# libcap2-bin (setcap, getpcaps) and procps for the privilege tests;
# chromium renders the HTML report (tests/report/html.sh); systemd
# brings systemd-analyze and systemd-sysusers (tests/daemon/systemd.sh,
# which runs nothing under it); util-linux has setpriv and mount;
# libmaxmind-db-writer-perl builds the GeoIP tests' own databases;
# nfdump (nfcapd) and pmacct (nfacctd) are the IPFIX collectors of
# tests/ipfix, libfixbuf-tools has ipfixDump, which reads IPFIX files;
# nmap and hping3 make the real scan and flood of
# tests/alerts/real-scan.sh (inside a network namespace); prometheus
# (prometheus and promtool) scrapes /metrics in tests/metrics.
test="check python3 tshark wireshark-common tcpdump tmux iproute2 time
valgrind clang libclang-rt-14-dev ncurses-base libtsan2 libcap2-bin procps
chromium systemd util-linux libmaxmind-db-writer-perl nmap hping3 prometheus
nfdump pmacct libfixbuf-tools"

# debhelper (dh, with autoreconf) for the .deb and lintian to check it,
# Debian's rpm for rpmbuild; check is a Build-Depends (the package builds
# run the unit tests).  tests/packaging/ needs them too.
pkg="debhelper lintian rpm check"

want="$build"
for a in "$@"; do
	case $a in
	--test) want="$want $test $pkg" ;;
	--pkg) want="$want $pkg" ;;
	*) echo "usage: install-deps.sh [--test] [--pkg]" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: run as root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections 2>/dev/null || true
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
