#!/bin/sh
# rpm.sh: packaging/rpm/wiretop.spec builds (packaging/build-rpm.sh:
# rpmbuild -ba --nodeps from this build's `make dist` tarball, on
# Debian's rpm), and the RPM holds what an install needs:
#   - the version is configure.ac's;
#   - its files: /usr/sbin/wiretop with cap_net_admin,cap_net_raw=ep, the
#     two man pages, /etc/wiretop/wiretop.conf as %config(noreplace), the
#     three systemd units, the sysusers.d entry, /var/lib/wiretop (0750,
#     wiretop);
#   - %pre makes the wiretop user; the units in the payload run
#     /usr/sbin/wiretop, the configuration is the sample, and the binary
#     in it prints its version;
#   - the source RPM holds the tarball and the spec.
# rpm queries use a database in the test's folder (rpm would otherwise
# make ~/.rpmdb).  Installs nothing.
# Environment (set by make check): WT_SRCDIR, WT_BUILDDIR.
set -u
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init rpm
wt_need_tool rpmbuild rpm rpm2archive flock
: "${WT_BUILDDIR:?WT_BUILDDIR is not set}"
t0=$(date +%s)

# make dist in this build tree (tests/packaging/dist.sh)
. "$WT_SRCDIR/tests/packaging/dist.sh"
pkg_dist

(
	unset MAKEFLAGS MFLAGS MAKELEVEL
	# the spec's %check runs Check unit tests: give their timeouts room
	# on a loaded machine
	CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-4}
	export CK_TIMEOUT_MULTIPLIER
	nice -n 10 "$WT_SRCDIR/packaging/build-rpm.sh" --tarball "$WT_TMP/$tgz" \
	    "$WT_TMP/out"
) >"$WT_TMP/build.out" 2>&1
rc=$?
rpmf=$(ls "$WT_TMP"/out/wiretop-"$version"-*.rpm 2>/dev/null | grep -v '\.src\.rpm$' | head -n 1)
srpm=$(ls "$WT_TMP"/out/wiretop-"$version"-*.src.rpm 2>/dev/null | head -n 1)
if [ $rc != 0 ] || [ -z "$rpmf" ] || [ -z "$srpm" ]; then
	wt_fail "build-rpm.sh: exit $rc: $(tail -n 15 "$WT_TMP/build.out")"
	wt_finish
fi
wt_pass "build-rpm.sh built $(basename "$rpmf") and $(basename "$srpm") ($(($(date +%s) - t0)) s)"

q() {
	rpm --dbpath "$WT_TMP/rpmdb" -qp "$@" 2>>"$WT_TMP/rpm.err"
}
v=$(q --qf '%{NAME} %{VERSION}' "$rpmf")
wt_check "name and version: '$v' (want wiretop $version)" [ "$v" = "wiretop $version" ]

q -l --filecaps "$rpmf" >"$WT_TMP/files"
sed 's/^/rpm -qlp: /' "$WT_TMP/files"
for f in /usr/sbin/wiretop /etc/wiretop/wiretop.conf \
    /usr/lib/systemd/system/wiretop.service \
    /usr/lib/systemd/system/wiretop-report.service \
    /usr/lib/systemd/system/wiretop-report.timer \
    /usr/lib/sysusers.d/wiretop.conf /var/lib/wiretop; do
	grep -q "^$f[[:space:]]" "$WT_TMP/files" && wt_pass "the RPM has $f" ||
	    wt_fail "the RPM has no $f"
done
for m in man8/wiretop.8 man5/wiretop.conf.5; do
	grep -Eq "^/usr/share/man/$m(\.gz|\.bz2|\.xz)?[[:space:]]" "$WT_TMP/files" &&
	    wt_pass "the RPM has the man page $m" ||
	    wt_fail "the RPM has no man page $m"
done
c=$(awk '$1 == "/usr/sbin/wiretop" { print $2 }' "$WT_TMP/files")
wt_check "/usr/sbin/wiretop has capabilities '$c' (want cap_net_admin,cap_net_raw=ep)" \
    [ "$c" = "cap_net_admin,cap_net_raw=ep" ]

# %config(noreplace): the flags "c" (config) and "n" (noreplace)
fl=$(q --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpmf" |
    awk '$2 == "/etc/wiretop/wiretop.conf" { print $1 }')
case $fl in
*c*n* | *n*c*) wt_pass "/etc/wiretop/wiretop.conf is %config(noreplace) ($fl)" ;;
*) wt_fail "/etc/wiretop/wiretop.conf has the flags '$fl' (want c and n)" ;;
esac
st=$(q --qf '[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]' "$rpmf" |
    awk '$3 == "/var/lib/wiretop" { print $1, $2 }')
wt_check "/var/lib/wiretop: '$st' (want drwxr-x--- wiretop:wiretop)" \
    [ "$st" = "drwxr-x--- wiretop:wiretop" ]
q --scripts "$rpmf" >"$WT_TMP/scripts"
grep -q "useradd -r -g wiretop" "$WT_TMP/scripts" &&
    wt_pass "%pre makes the wiretop system user" ||
    wt_fail "%pre: $(cat "$WT_TMP/scripts")"

# the payload
mkdir "$WT_TMP/root"
rpm2archive - <"$rpmf" | tar -xzf - -C "$WT_TMP/root" ||
    wt_hard "rpm2archive could not unpack $rpmf"
for u in wiretop.service wiretop-report.service; do
	x=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' \
	    "$WT_TMP/root/usr/lib/systemd/system/$u")
	wt_check "$u runs $x (want /usr/sbin/wiretop)" [ "$x" = /usr/sbin/wiretop ]
done
wt_check "/etc/wiretop/wiretop.conf is the sample conf/wiretop.conf" \
    cmp -s "$WT_TMP/root/etc/wiretop/wiretop.conf" "$WT_SRCDIR/conf/wiretop.conf"
out=$("$WT_TMP/root/usr/sbin/wiretop" --version 2>&1)
wt_check "the RPM's wiretop --version: '$out'" [ "$out" = "wiretop $version" ]

q -l "$srpm" >"$WT_TMP/sfiles"
wt_check "the source RPM holds $tgz and wiretop.spec ($(tr '\n' ' ' <"$WT_TMP/sfiles"))" \
    eval 'grep -qx "$tgz" "$WT_TMP/sfiles" && grep -qx wiretop.spec "$WT_TMP/sfiles"'
wt_log "build and checks: $(($(date +%s) - t0)) s"
wt_finish
