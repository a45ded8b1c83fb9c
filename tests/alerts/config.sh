#!/bin/sh
# config.sh: the alert settings are checked when the configuration is
# read: a bad value stops with "file:line: key: what was expected" and
# exit status 2, before anything runs; good values show in --show-config.

. "${WT_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
wt_init alerts-config
wt_need_wiretop
export WIRETOP_NO_DEFAULT_CONFIG=1

# bad KEY VALUE EXPECTED: line 2 of a file sets KEY = VALUE; exit 2 and
# a message with file:2: KEY: and EXPECTED.
bad() {
	printf '[wiretop]\n%s = %s\n' "$1" "$2" >"$WT_TMP/c.conf"
	"$WIRETOP" -c "$WT_TMP/c.conf" --show-config >/dev/null \
	    2>"$WT_TMP/err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -qF "$WT_TMP/c.conf:2: $1: " "$WT_TMP/err" &&
	    grep -qF -- "$3" "$WT_TMP/err"; then
		wt_pass "$1 = $2 is refused"
	else
		wt_fail "$1 = $2 is refused (exit $rc: $(cat "$WT_TMP/err"))"
	fi
}
bad alert_detectors "port_scan,bogus" "no such detector"
bad policy_deny "tcp/23,foo" "expected tcp/PORT, udp/PORT or ip/PROTOCOL"
bad policy_deny_external "tcp/70000" "expected tcp/PORT"
bad geo_deny_countries "kp" "country codes in capitals"
bad geo_allow_countries "DEU" "country codes in capitals"
bad geo_deny_asns "ASx" "AS numbers"
bad port_scan_ports 1 "expected an integer from 2 to 65535"
bad dns_max_entropy 9 "expected a number from 1 to 8"
bad alert_command_rate 0 "expected an integer from 1 to 600"

cat >"$WT_TMP/good.conf" <<'EOF2'
alert_detectors = port_scan, dns_anomaly
policy_deny = udp/69,ip/47
geo_deny_countries = KP,IR
geo_deny_asns = AS64496,64511
dns_max_entropy = 3.75
EOF2
if "$WIRETOP" -c "$WT_TMP/good.conf" --show-config >"$WT_TMP/show" \
    2>"$WT_TMP/err"; then
	wt_check "good values are shown as set" sh -c "
	    grep -qx 'alert_detectors = port_scan, dns_anomaly' '$WT_TMP/show' &&
	    grep -qx 'policy_deny = udp/69,ip/47' '$WT_TMP/show' &&
	    grep -qx 'geo_deny_countries = KP,IR' '$WT_TMP/show' &&
	    grep -qx 'geo_deny_asns = AS64496,64511' '$WT_TMP/show' &&
	    grep -qx 'dns_max_entropy = 3.75' '$WT_TMP/show'"
else
	wt_fail "good values are accepted: $(cat "$WT_TMP/err")"
fi
wt_finish
