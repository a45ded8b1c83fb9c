#!/bin/sh
# build-rpm.sh: build wiretop's RPM (and source RPM) with rpmbuild -ba
# from the `make dist` tarball and packaging/rpm/wiretop.spec (the one
# in the tarball).  On Debian (its rpm package) the RPM build
# dependencies cannot be checked, so --nodeps: the Debian packages of
# packaging/install-deps.sh --pkg stand for them.  Elsewhere, --deps
# checks them.
#   1. `make dist` makes wiretop-VERSION.tar.gz in a scratch build
#      directory (./autogen.sh first where configure is missing), unless
#      --tarball names one;
#   2. rpmbuild -ba in a scratch _topdir; the .rpm and .src.rpm go to
#      OUTDIR, ./build-rpm unless given.
#
#   packaging/build-rpm.sh [--tarball FILE] [--deps] [--nocheck] [OUTDIR]
set -eu

usage() {
	echo "usage: $0 [--tarball FILE] [--deps] [--nocheck] [OUTDIR]" >&2
	exit 2
}

src=$(cd "$(dirname "$0")/.." && pwd)
tarball=
out=
nodeps=--nodeps
nocheck=
while [ $# -gt 0 ]; do
	case $1 in
	--tarball) [ $# -ge 2 ] || usage; tarball=$2; shift 2 ;;
	--tarball=*) tarball=${1#--tarball=}; shift ;;
	--deps) nodeps=; shift ;;
	--nocheck) nocheck=--nocheck; shift ;;
	-*) usage ;;
	*) [ -z "$out" ] || usage; out=$1; shift ;;
	esac
done
out=${out:-build-rpm}
mkdir -p "$out"
out=$(cd "$out" && pwd)

command -v rpmbuild >/dev/null 2>&1 || {
	echo "build-rpm: rpmbuild not found: run packaging/install-deps.sh --pkg as root" >&2
	exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/wiretop-rpm.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'rm -rf "$work"; exit 130' INT TERM

if [ -z "$tarball" ]; then
	tarball=$(sh "$src/packaging/dist-tarball.sh" "$work" build-rpm) || exit 1
fi
[ -f "$tarball" ] || { echo "build-rpm: no tarball $tarball" >&2; exit 1; }
base=$(basename "$tarball" .tar.gz)

mkdir -p "$work/top/SOURCES" "$work/top/SPECS"
cp "$tarball" "$work/top/SOURCES/"
tar -xzf "$tarball" -C "$work" "$base/packaging/rpm/wiretop.spec" || {
	echo "build-rpm: $tarball has no packaging/rpm/wiretop.spec" >&2
	exit 1
}
cp "$work/$base/packaging/rpm/wiretop.spec" "$work/top/SPECS/"
spec_version=$(sed -n 's/^Version:[[:space:]]*//p' "$work/top/SPECS/wiretop.spec")
[ "wiretop-$spec_version" = "$base" ] || {
	echo "build-rpm: wiretop.spec is at $spec_version, the tarball is $base:" >&2
	echo "build-rpm: update Version and %changelog in packaging/rpm/wiretop.spec" >&2
	exit 1
}

# shellcheck disable=SC2086
rpmbuild -ba $nodeps $nocheck --define "_topdir $work/top" \
    "$work/top/SPECS/wiretop.spec" >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" >&2
	echo "build-rpm: rpmbuild failed (the last 40 lines above)" >&2
	exit 1
}
cp "$work/build.log" "$out/wiretop-${spec_version}_build.log"
find "$work/top/RPMS" "$work/top/SRPMS" -name '*.rpm' -exec cp {} "$out/" \;
ls "$out"/wiretop-"$spec_version"-*.rpm
