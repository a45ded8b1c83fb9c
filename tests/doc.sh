#!/bin/sh
# The man pages are in step with the program: every long option of
# --help is documented in wiretop.8, and the settings reference in
# wiretop.conf.5 is exactly what the settings table prints.
. "$WT_SRCDIR/tests/lib.sh" 2>/dev/null || true
fail=0
man8="$WT_SRCDIR/doc/wiretop.8"
man5="$WT_SRCDIR/doc/wiretop.conf.5"

for opt in $("$WIRETOP" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
	if ! grep -q -- "$esc" "$man8"; then
		echo "doc: $opt is in --help but not in wiretop.8"
		fail=1
	fi
done

tmp=$(mktemp)
"$WIRETOP" --man-config > "$tmp"
awk '/^\.\\" BEGIN SETTINGS/{on=1; next} /^\.\\" END SETTINGS/{on=0} on' "$man5" |
	diff -u "$tmp" - > /dev/null || {
	echo "doc: wiretop.conf.5 settings differ from 'wiretop --man-config':"
	awk '/^\.\\" BEGIN SETTINGS/{on=1; next} /^\.\\" END SETTINGS/{on=0} on' "$man5" |
		diff -u "$tmp" - | head -20
	fail=1
}
rm -f "$tmp"

# Every setting in the example configuration is a real setting.
for key in $(sed -n 's/^# *\([a-z_]*\) = .*/\1/p' "$WT_SRCDIR/conf/wiretop.conf"); do
	grep -q "^\.B $key\$" "$man5" || { echo "doc: conf/wiretop.conf: $key not in wiretop.conf.5"; fail=1; }
done
[ $fail -eq 0 ] && echo "doc: man pages in step with --help and the settings table"
exit $fail
