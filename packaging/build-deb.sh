#!/bin/sh
# build-deb.sh: build wiretop's Debian package (.deb) from this source
# tree, laid out as Debian expects:
#   1. `make dist` makes wiretop-VERSION.tar.gz (in a scratch build
#      directory; a source tree without configure gets ./autogen.sh
#      first), unless --tarball names one;
#   2. it becomes wiretop_VERSION.orig.tar.gz, is unpacked, and its
#      packaging/debian becomes debian/;
#   3. dpkg-buildpackage -us -uc -b builds the binary package.
# The .deb (with its .buildinfo and .changes) goes to OUTDIR, ./build-deb
# unless given.
#
#   packaging/build-deb.sh [--tarball wiretop-VERSION.tar.gz] [OUTDIR]
#
# Needs, on Debian 12: packaging/install-deps.sh --pkg (the build
# dependencies, debhelper, lintian, rpm).  dpkg-buildpackage names any
# Build-Depends still missing.  Runs as any user (Rules-Requires-Root:
# no).  DEB_BUILD_OPTIONS passes through (nocheck leaves the package
# build's tests out, parallel=N builds with N jobs).
set -eu

usage() {
	echo "usage: $0 [--tarball FILE] [OUTDIR]" >&2
	exit 2
}

src=$(cd "$(dirname "$0")/.." && pwd)
tarball=
out=
while [ $# -gt 0 ]; do
	case $1 in
	--tarball) [ $# -ge 2 ] || usage; tarball=$2; shift 2 ;;
	--tarball=*) tarball=${1#--tarball=}; shift ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) [ -z "$out" ] || usage; out=$1; shift ;;
	esac
done
out=${out:-build-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

for t in dpkg-buildpackage dh; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "build-deb: $t not found: run packaging/install-deps.sh --pkg as root" >&2
		exit 1
	}
done

work=$(mktemp -d "${TMPDIR:-/tmp}/wiretop-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'rm -rf "$work"; exit 130' INT TERM

if [ -z "$tarball" ]; then
	tarball=$(sh "$src/packaging/dist-tarball.sh" "$work" build-deb) || exit 1
fi
[ -f "$tarball" ] || { echo "build-deb: no tarball $tarball" >&2; exit 1; }

# wiretop-0.1.0.tar.gz -> 0.1.0, which debian/changelog must name
base=$(basename "$tarball" .tar.gz)
version=${base#wiretop-}
case $version in
"" | */* | "$base") echo "build-deb: $tarball is not wiretop-VERSION.tar.gz" >&2; exit 1 ;;
esac
cp "$tarball" "$work/wiretop_$version.orig.tar.gz"
tar -xzf "$work/wiretop_$version.orig.tar.gz" -C "$work"
tree=$work/wiretop-$version
[ -d "$tree/packaging/debian" ] || {
	echo "build-deb: $tarball has no packaging/debian" >&2
	exit 1
}
cp -R "$tree/packaging/debian" "$tree/debian"
deb_version=$(cd "$tree" && dpkg-parsechangelog -S Version)
case $deb_version in
"$version"-*) ;;
*)	echo "build-deb: debian/changelog is at $deb_version, the source at $version:" >&2
	echo "build-deb: add an entry to packaging/debian/changelog" >&2
	exit 1 ;;
esac

(cd "$tree" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed (the last 40 lines above)" >&2
	exit 1
}
cp "$work/build.log" "$out/wiretop_${deb_version}_build.log"
for f in "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes; do
	[ -f "$f" ] && cp "$f" "$out/"
done
ls "$out"/wiretop_"$deb_version"_*.deb
