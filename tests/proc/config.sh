#!/bin/sh
# config.sh: the configuration files.
#
#   '#' and ';' start comments at the start of a line and after a space
#   (inline), not inside a word; a value of 5000 bytes is read whole;
#   --show-config names every file it read (and only those); a NUL byte,
#   a directory and a FIFO as a configuration file are one line and exit
#   2, and a FIFO never blocks; control bytes from a file are never
#   echoed raw to the terminal, nor are those of a value given on the
#   command line (-r, -i, --db, a command word), in any message on
#   stderr; the system file is the one the man page names.  Expected
#   values are the ones written into the files here.
. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init config
wt_need_wiretop
HOME=$WT_TMP XDG_CONFIG_HOME=$WT_TMP/xdg
export HOME XDG_CONFIG_HOME
unset WIRETOP_NO_DEFAULT_CONFIG
ESC=$(printf '\033')

# show ARGS...: --show-config with a time limit; rc, $WT_TMP/out, err
show() {
	timeout 5 "$WIRETOP" "$@" --show-config </dev/null >"$WT_TMP/out" \
	    2>"$WT_TMP/err"
	rc=$?
}

# value KEY: the value --show-config printed for KEY
value() {
	sed -n "s/^$1 = //p" "$WT_TMP/out"
}

# one_line_error WHAT: exit 2 and exactly one line on stderr
one_line_error() {
	if [ "$rc" = 2 ] && [ "$(wc -l <"$WT_TMP/err")" = 1 ]; then
		wt_pass "$1: exit 2, one line"
	else
		wt_fail "$1: exit $rc, stderr: $(cat "$WT_TMP/err")"
	fi
}

# 1. inline comments
cat >"$WT_TMP/c1.conf" <<'EOF'
# a comment line
; another comment line
[wiretop]   # a comment after the section
filter = not port 22	# no ssh
theme = mono ; quiet colours
log_file = /var/log/a#b;c.log
max_names = 4096#not a comment: an error if it were read as one
EOF
show -c "$WT_TMP/c1.conf"
if [ $rc = 2 ] && grep -q 'max_names' "$WT_TMP/err"; then
	wt_pass "'#' inside a value is part of the value (4096#not... is bad)"
else
	wt_fail "max_names = 4096#...: exit $rc (want 2): $(cat "$WT_TMP/err")"
fi
sed -i 's/^max_names = .*/max_names = 4096 #now a comment/' "$WT_TMP/c1.conf"
show -c "$WT_TMP/c1.conf"
[ $rc = 0 ] || wt_fail "c1.conf: exit $rc: $(cat "$WT_TMP/err")"
for kv in "filter=not port 22" "theme=mono" "log_file=/var/log/a#b;c.log" \
    "max_names=4096"; do
	k=${kv%%=*} v=${kv#*=}
	got=$(value "$k")
	[ "$got" = "$v" ] && wt_pass "$k = '$v'" ||
	    wt_fail "$k: '$got', want '$v'"
done

# 2. a value of any length (a 5000-byte BPF filter)
long=$(awk 'BEGIN { s = "not port 1"; for (i = 2; i <= 600; i++)
	s = s " and not port " i; print s }')
printf '[wiretop]\nfilter = %s\ntheme = light\n' "$long" >"$WT_TMP/long.conf"
show -c "$WT_TMP/long.conf"
got=$(value filter)
if [ $rc = 0 ] && [ "$got" = "$long" ] && [ "$(value theme)" = light ]; then
	wt_pass "a ${#long}-byte value is read whole, the next line too"
else
	wt_fail "long value: exit $rc, ${#got} of ${#long} bytes"
fi

# 3. --show-config names the files it read
mkdir -p "$XDG_CONFIG_HOME/wiretop"
printf '[wiretop]\ntheme = light\n' >"$XDG_CONFIG_HOME/wiretop/wiretop.conf"
show -c "$WT_TMP/c1.conf"
if grep -q -x "# file read: $XDG_CONFIG_HOME/wiretop/wiretop.conf" \
    "$WT_TMP/out" && grep -q -x "# file read: $WT_TMP/c1.conf" "$WT_TMP/out"
then
	wt_pass "--show-config names the user file and -c"
else
	wt_fail "--show-config: $(grep '^#' "$WT_TMP/out")"
fi
rm -r "$XDG_CONFIG_HOME"
WIRETOP_NO_DEFAULT_CONFIG=1 show
if grep -q -x '# files read: none' "$WT_TMP/out" &&
    ! grep -q '^# file read:' "$WT_TMP/out"; then
	wt_pass "--show-config with no file: says none"
else
	wt_fail "--show-config, no file: $(grep '^#' "$WT_TMP/out")"
fi

# 4. the system file is the one wiretop.8 and wiretop.conf.5 name
sysconf=$(sed -n '/^\.SH FILES/,/^\.SH/{s/^\.I \(\/.*wiretop\.conf\)$/\1/p}' \
    "$WT_SRCDIR/doc/wiretop.8" | head -n 1)
[ "$sysconf" = /etc/wiretop/wiretop.conf ] ||
    wt_fail "wiretop.8 FILES names '$sysconf'"
if [ "$(id -u)" = 0 ] && [ ! -e "$(dirname "$sysconf")" ]; then
	# a setting equal to its default: harmless to anything else running
	mkdir "$(dirname "$sysconf")" &&
	    printf '[wiretop]\nmax_names = 65536\n' >"$sysconf"
	show
	rm -f "$sysconf"
	rmdir "$(dirname "$sysconf")"
	if grep -q -x "# file read: $sysconf" "$WT_TMP/out"; then
		wt_pass "the system file read is $sysconf"
	else
		wt_fail "$sysconf not read: $(grep '^#' "$WT_TMP/out")"
	fi
elif strings "$WIRETOP" | grep -q -x "$sysconf"; then
	wt_pass "the binary names $sysconf (not root: not read for real)"
else
	wt_fail "the binary does not name $sysconf"
fi

# 5. a NUL byte, a directory, a FIFO: one line, exit 2, no hang
printf '[wiretop]\ntheme = mono\0\n' >"$WT_TMP/nul.conf"
show -c "$WT_TMP/nul.conf"
one_line_error "NUL byte"
grep -q "nul.conf:2:" "$WT_TMP/err" || wt_fail "NUL: no file:line: $(cat "$WT_TMP/err")"
mkdir "$WT_TMP/dir.conf"
show -c "$WT_TMP/dir.conf"
one_line_error "a directory"
mkfifo "$WT_TMP/fifo.conf"
t0=$(date +%s)
show -c "$WT_TMP/fifo.conf"
one_line_error "a FIFO"
[ $(($(date +%s) - t0)) -lt 3 ] && [ $rc != 124 ] && wt_pass "FIFO: no wait" ||
    wt_fail "FIFO: waited (exit $rc)"
show -c /dev/zero
one_line_error "a device"

# 6. raw bytes are escaped in messages
printf '[wiretop]\ntheme = \033]0;pwned\007\n' >"$WT_TMP/esc1.conf"
printf '[wiretop]\n\033[2Jkey = 1\n' >"$WT_TMP/esc2.conf"
printf '[\033[31mred]\n' >"$WT_TMP/esc3.conf"
printf '[wiretop]\nlocal_networks = 10.0.0.0/8,\033[2J\n' >"$WT_TMP/esc4.conf"
for f in esc1 esc2 esc3 esc4; do
	show -c "$WT_TMP/$f.conf"
	if [ $rc = 2 ] && ! grep -q "$ESC" "$WT_TMP/err" &&
	    ! grep -q "$(printf '\007')" "$WT_TMP/err" &&
	    { [ $f = esc1 ] || grep -q 'x1b' "$WT_TMP/err"; }; then
		wt_pass "$f: no control byte echoed raw"
	else
		wt_fail "$f: exit $rc: $(od -c "$WT_TMP/err" | head -n 3)"
	fi
done
# ... and in --show-config's values (a value may hold them legally)
printf '[wiretop]\nfilter = host \033[2J\n' >"$WT_TMP/esc5.conf"
show -c "$WT_TMP/esc5.conf"
if ! grep -q "$ESC" "$WT_TMP/out" && grep -q 'filter = host \\x1b\[2J' \
    "$WT_TMP/out"; then
	wt_pass "--show-config escapes control bytes in values"
else
	wt_fail "--show-config: $(grep filter "$WT_TMP/out" | od -c | head -n 2)"
fi

# ... C1 (U+009B, the 8-bit CSI), bidi (U+202E) and invalid UTF-8 too,
# while other UTF-8 is kept
printf '[wiretop]\nfilter = a\302\233b \342\200\256c \377d caf\303\251\n' \
    >"$WT_TMP/esc6.conf"
show -c "$WT_TMP/esc6.conf"
if grep -q -F 'filter = a\u{009b}b \u{202e}c \xffd caf' "$WT_TMP/out" &&
    ! grep -q "$(printf '\302\233')" "$WT_TMP/out" &&
    ! grep -q "$(printf '\342\200\256')" "$WT_TMP/out" &&
    grep -q "caf$(printf '\303\251')" "$WT_TMP/out"; then
	wt_pass "--show-config escapes C1, bidi and invalid UTF-8, keeps UTF-8"
else
	wt_fail "C1/bidi: $(grep filter "$WT_TMP/out" | od -c | head -n 3)"
fi

# 7. a missing -c file and an unknown key: one line with file:line
show -c "$WT_TMP/none.conf"
one_line_error "missing -c file"
printf '[wiretop]\n\nbogus = 1\n' >"$WT_TMP/bad.conf"
show -c "$WT_TMP/bad.conf"
grep -q "bad.conf:3: bogus: unknown setting" "$WT_TMP/err" &&
    wt_pass "unknown key: file:3: key" || wt_fail "unknown key: $(cat "$WT_TMP/err")"

# 8. interface = in a file applies only when the command line names no
# source: -r FILE reads that file alone (an interface that does not exist
# makes a run that still opens it fail at once, instead of capturing)
printf '[wiretop]\ninterface = wt-noif0\n' >"$WT_TMP/if.conf"
"${WT_TOOLS:-tests/tools}/pcapgen" -o "$WT_TMP/basic.pcap" \
    "$WT_SRCDIR/tests/pcap/basic-tcp.txt" || wt_hard "pcapgen failed"
show -c "$WT_TMP/if.conf"
[ "$(value interface)" = wt-noif0 ] &&
    wt_pass "interface from the file without -i/-r" ||
    wt_fail "interface without -i/-r: '$(value interface)'"
show -c "$WT_TMP/if.conf" -r "$WT_TMP/basic.pcap"
[ "$rc" = 0 ] && [ -z "$(value interface)" ] &&
    wt_pass "-r replaces the file's interface list" ||
    wt_fail "-r with interface in the file: exit $rc, '$(value interface)'"
timeout 10 "$WIRETOP" export -c "$WT_TMP/if.conf" -r "$WT_TMP/basic.pcap" \
    -o - </dev/null >"$WT_TMP/out" 2>"$WT_TMP/err"
rc=$?
[ "$rc" = 0 ] && [ ! -s "$WT_TMP/err" ] && [ "$(wc -l <"$WT_TMP/out")" = 2 ] &&
    wt_pass "export -r with interface in the file: the file only" ||
    wt_fail "export -r with interface in the file: exit $rc, $(cat "$WT_TMP/err")"

# 9. --show-config reads back as written: a backslash is a value's own
# byte (pcap-filter(7) uses it), not the start of an escape
printf '[wiretop]\nfilter = ether proto \\ip\n' >"$WT_TMP/bs.conf"
show -c "$WT_TMP/bs.conf"
[ "$(value filter)" = 'ether proto \ip' ] &&
    wt_pass "--show-config keeps a backslash as it is" ||
    wt_fail "--show-config filter: '$(value filter)'"
sed -n 's/^filter = /filter = /p' "$WT_TMP/out" >"$WT_TMP/back.conf"
show -c "$WT_TMP/back.conf"
[ "$(value filter)" = 'ether proto \ip' ] &&
    wt_pass "--show-config output read back gives the same filter" ||
    wt_fail "read back: '$(value filter)'"

# 10. every message on stderr escapes what it quotes from a file or the
# command line (the message of the capture, of the privilege drop, of a
# path): ESC, BEL, C1 (U+009B) and bidi (U+202E) never reach the
# terminal raw, and what cfg.c escaped already is not escaped twice
C1=$(printf '\302\233') RLO=$(printf '\342\200\256') BEL=$(printf '\007')
# err_escaped DESC WANT: $WT_TMP/err holds WANT (fixed string), one line,
# and no raw ESC, BEL, C1 or bidi control
err_escaped() {
	if [ "$rc" != 0 ] && [ "$(wc -l <"$WT_TMP/err")" = 1 ] &&
	    grep -q -F -- "$2" "$WT_TMP/err" &&
	    ! grep -q -e "$ESC" -e "$BEL" -e "$C1" -e "$RLO" "$WT_TMP/err"
	then
		wt_pass "$1: escaped on stderr"
	else
		wt_fail "$1: exit $rc: $(od -c "$WT_TMP/err" | head -n 4)"
	fi
}
# run ARGS...: wiretop with a time limit; rc, $WT_TMP/out, err
run() {
	timeout 10 "$WIRETOP" "$@" </dev/null >"$WT_TMP/out" 2>"$WT_TMP/err"
	rc=$?
}
printf '[wiretop]\ninterface = wt-ev\033]0;pwned\007il\n' >"$WT_TMP/ci.conf"
run export -c "$WT_TMP/ci.conf" -o /dev/null
err_escaped "interface from a file" 'wt-ev\x1b]0;pwned\x07il'
run export -r "$WT_TMP/no${ESC}[2Jfile" -o /dev/null
err_escaped "-r path" "no\\x1b[2Jfile"
run export -i "wt-e${ESC}[31mth${C1}9${RLO}" -o /dev/null
err_escaped "-i name" 'wt-e\x1b[31mth\u{009b}9\u{202e}'
run export --db "$WT_TMP/no${ESC}[2J.db" --since 1h -o /dev/null
err_escaped "--db path" "no\\x1b[2J.db"
run "wt${ESC}[2J"
err_escaped "command word" 'wt\x1b[2J: unknown command'
run export -r "$WT_TMP/basic.pcap" "x${RLO}y"
err_escaped "an extra argument" 'x\u{202e}y: unexpected argument'
show -c "$WT_TMP/esc4.conf"
err_escaped "a message cfg.c escaped already" "not '\\x1b[2J'"
if [ "$(id -u)" = 0 ]; then
	printf '[wiretop]\nuser = u\033[2J\n' >"$WT_TMP/cu.conf"
	run export -c "$WT_TMP/cu.conf" -r "$WT_TMP/basic.pcap" -o /dev/null
	err_escaped "user from a file" 'user u\x1b[2J: no such user'
fi

wt_finish
