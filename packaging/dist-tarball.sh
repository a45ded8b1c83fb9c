#!/bin/sh
# dist-tarball.sh WORKDIR NAME: `make dist` of this source tree in a
# scratch build directory WORKDIR/dist (./autogen.sh first where
# configure is missing); prints the wiretop-VERSION.tar.gz it made.  On
# failure the last lines of the configure and make logs go to stderr
# after "NAME: configure or make dist failed", and the exit status is 1.
# Used by build-deb.sh and build-rpm.sh.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
work=$1
name=$2
[ -x "$src/configure" ] || (cd "$src" && ./autogen.sh) >&2
mkdir "$work/dist"
(cd "$work/dist" && "$src/configure" >configure.log 2>&1 &&
    make dist >dist.log 2>&1) || {
	echo "$name: configure or make dist failed:" >&2
	tail -n 20 "$work/dist/configure.log" "$work/dist/dist.log" 2>/dev/null >&2
	exit 1
}
ls "$work"/dist/wiretop-*.tar.gz
