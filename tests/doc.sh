#!/bin/sh
# The man pages are in step with the program: every long option of
# --help is documented in wiretop.8, and the settings reference in
# wiretop.conf.5 is exactly what the settings table prints.  Each option,
# the settings block and each setting of the example file is one check.
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
wt_init doc
wt_need_wiretop
man8="$WT_SRCDIR/doc/wiretop.8"
man5="$WT_SRCDIR/doc/wiretop.conf.5"

for opt in $("$WIRETOP" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
	wt_check "$opt of --help is in wiretop.8" grep -q -- "$esc" "$man8"
done

"$WIRETOP" --man-config >"$WT_TMP/settings"
awk '/^\.\\" BEGIN SETTINGS/{on=1; next} /^\.\\" END SETTINGS/{on=0} on' \
    "$man5" >"$WT_TMP/man5"
if diff -u "$WT_TMP/settings" "$WT_TMP/man5" >"$WT_TMP/diff"; then
	wt_pass "wiretop.conf.5 settings are 'wiretop --man-config'"
else
	wt_fail "wiretop.conf.5 settings differ from 'wiretop --man-config'"
	head -20 "$WT_TMP/diff" | sed 's/^/    /'
fi

# Every setting in the example configuration is a real setting.
for key in $(sed -n 's/^# *\([a-z_]*\) = .*/\1/p' "$WT_SRCDIR/conf/wiretop.conf"); do
	wt_check "conf/wiretop.conf: $key is in wiretop.conf.5" \
	    grep -q "^\.B $key\$" "$man5"
done
wt_finish
