# tests/packaging/dist.sh: sourced by deb.sh and rpm.sh after
# tests/lib.sh.  pkg_dist: `make dist` in this build tree ($WT_BUILDDIR),
# one package test at a time (a lock on the build directory), the
# tarball moved (or, if one was there before, copied) to $WT_TMP, so
# distclean leaves nothing behind; sets tgz to its name.
pkg_dist() {
	version=$(sed -n 's/^PACKAGE_VERSION = //p' "$WT_BUILDDIR/Makefile")
	[ -n "$version" ] || wt_hard "no PACKAGE_VERSION in $WT_BUILDDIR/Makefile"
	tgz=wiretop-$version.tar.gz
	(
		cd "$WT_BUILDDIR" || exit 1
		unset MAKEFLAGS MFLAGS MAKELEVEL
		flock 9 || exit 1
		had=no
		[ -f "$tgz" ] && had=yes
		make dist >"$WT_TMP/dist.log" 2>&1 || exit 1
		if [ $had = yes ]; then cp "$tgz" "$WT_TMP/"; else mv "$tgz" "$WT_TMP/"; fi
	) 9<"$WT_BUILDDIR" || wt_hard "make dist failed: $(tail -n 5 "$WT_TMP/dist.log")"
}
