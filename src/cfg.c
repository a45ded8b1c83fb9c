/*
 * cfg.c: the settings table and the INI configuration (inih).
 *
 * Main thread only, before any other thread exists.  Every setting is one
 * row of cfg_table: its name in the file, type, range, default and help.
 * The same rows parse the file, validate command-line values that set the
 * same things, print --show-config and write the reference section of
 * wiretop.conf(5).  Files are read in order: WT_SYSTEM_CONFIG
 * (/etc/wiretop/wiretop.conf whatever the prefix, as the man pages say),
 * $XDG_CONFIG_HOME (or ~/.config)/wiretop/wiretop.conf, then -c FILE;
 * the command line is applied last.
 *
 * The INI reader is here rather than in inih: Debian's inih cuts lines
 * at 200 bytes and knows only ';' as an inline comment, while settings
 * such as filter may be of any length and '#' is the comment sign of
 * the sample file.  A file is checked before it is read (a FIFO or a
 * device would hang or never end), read whole (at most CFG_MAX_FILE),
 * and rejected if it holds a NUL byte.  Bytes from a file are never
 * echoed raw in a message: cfg_escape() shows control bytes as \xNN.
 */
#include "config.h"
#include "cfg.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alert-int.h"
#include "engine.h"
#include "fmt.h"
#include "geoip.h"
#include "ipfix.h"
#include "metrics.h"
#include "mode.h"
#include "pkt.h"
#include "xmalloc.h"

enum cfg_type {
	CFG_BOOL,		/* int: yes/no, true/false, on/off, 1/0 */
	CFG_INT,		/* int */
	CFG_U32,		/* uint32_t */
	CFG_MSEC,		/* int milliseconds, given in seconds */
	CFG_STRING,		/* const char * */
	CFG_ENUM,		/* const char *, one of choices */
	CFG_NETS,		/* local_nets[] */
	CFG_IFACES,		/* ifaces[] */
	CFG_DETECTORS,		/* const char *, a detector list */
	CFG_DOUBLE,		/* double */
	CFG_ALERTLIST,		/* const char *, checked by the detector
				   that reads it (alert_setting_check) */
	CFG_LISTEN,		/* const char *, an address and port
				   (metrics_listen_parse) */
};

struct cfg_setting {
	const char *name;
	enum cfg_type type;
	size_t offset;		/* into struct wt_opts */
	double min, max;	/* numeric range, inclusive */
	const char *def;	/* default, as written in the file */
	const char *choices;	/* CFG_ENUM: "a|b|c" */
	const char *unit;
	const char *help;
};

#define O(f) offsetof(struct wt_opts, f)

static const struct cfg_setting cfg_table[] = {
	{ "interface", CFG_IFACES, O(ifaces), 0, 0, "", NULL, NULL,
	  "Interfaces to capture on, comma-separated (\"any\" for all), "
	  "when the command line names no source (-i or -r). "
	  "Empty: the first interface that is up and not loopback." },
	{ "filter", CFG_STRING, O(filter), 0, 0, "", NULL, NULL,
	  "BPF capture filter (pcap-filter(7)). Empty: everything." },
	{ "snaplen", CFG_INT, O(snaplen), 64, 262144, "262144", NULL, "bytes",
	  "Bytes captured of each packet (live capture)." },
	{ "buffer_size", CFG_INT, O(buffer_kb), 256, 4194304, "32768", NULL,
	  "KiB", "Kernel capture buffer per interface." },
	{ "promiscuous", CFG_BOOL, O(promisc), 0, 1, "yes", NULL, NULL,
	  "Put interfaces in promiscuous mode." },
	{ "tunnel_depth", CFG_INT, O(tunnel_depth), 0, PKT_MAX_TUNNELS, "2",
	  NULL, "tunnels", "Tunnels opened in one packet (IP-in-IP, GRE, "
	  "Teredo, VXLAN, GENEVE, GTP-U): each layer opened counts as a flow "
	  "of its own. 0: count tunnels by their outer headers only." },
	{ "local_networks", CFG_NETS, 0, 0, 0, "", NULL, NULL,
	  "Networks that are \"local\" (comma-separated CIDR). A packet "
	  "from a local address is sent (tx), any other received (rx). "
	  "Empty: the capture interfaces' own networks; for capture files, "
	  "RFC 1918, 100.64.0.0/10, link-local, loopback and fc00::/7." },
	{ "max_flows", CFG_U32, O(ecfg.max_flows), 1024, 100000000, "2097152",
	  NULL, "flows", "Size of the flow table; on pressure the least "
	  "recently active flows are evicted (counted)." },
	{ "max_hosts", CFG_U32, O(ecfg.max_hosts), 256, 50000000, "262144",
	  NULL, "hosts", "Size of the host table." },
	{ "max_names", CFG_U32, O(ecfg.max_names), 256, 10000000, "65536",
	  NULL, "names", "Size of the learned-names table." },
	{ "name_max_age", CFG_U32, O(ecfg.name_max_age_s), 0, 31536000,
	  "3600", NULL, "seconds", "A learned name that is not learned "
	  "again for this long (packet time) is forgotten. 0: never." },
	{ "resolve", CFG_ENUM, O(ecfg.resolve), 0, 0, "passive",
	  "passive|reverse|off", NULL, "Where host names come from. "
	  "passive: DNS answers, DHCP host names and TLS SNI seen on the "
	  "wire, without sending a packet. reverse: those first, then a "
	  "reverse DNS (PTR) lookup, through the system resolver "
	  "(nsswitch.conf), for each host shown on the screen (or in the "
	  "daemon's live snapshot for wiretop view) that has no passive "
	  "name; lookups run on their own threads, so a slow name server "
	  "never stalls the screen or the capture. export and report never "
	  "look names up. off: no names at all." },
	{ "resolve_lookups", CFG_U32, O(ecfg.resolve_cfg.lookups), 1, 64,
	  "4", NULL, "lookups", "resolve = reverse: lookups in flight at "
	  "most (each one a resolver thread)." },
	{ "resolve_queue", CFG_U32, O(ecfg.resolve_cfg.queue), 1, 65536,
	  "256", NULL, "requests", "resolve = reverse: lookups waiting at "
	  "most; when the queue is full a request is dropped (counted in "
	  "the log's statistics) and asked again later." },
	{ "resolve_ttl", CFG_U32, O(ecfg.resolve_cfg.ttl_s), 1, 604800,
	  "3600", NULL, "seconds", "resolve = reverse: how long a name "
	  "found is reused without a new lookup (the cache holds 8192 "
	  "addresses)." },
	{ "resolve_negative_ttl", CFG_U32,
	  O(ecfg.resolve_cfg.negative_ttl_s), 1, 86400, "300", NULL,
	  "seconds", "resolve = reverse: how long an address without a "
	  "name (or whose lookup failed) is not asked again." },
	{ "tcp_timeout", CFG_U32, O(ecfg.tcp_timeout_s), 1, 86400, "300",
	  NULL, "seconds", "Inactive timeout of TCP flows." },
	{ "udp_timeout", CFG_U32, O(ecfg.udp_timeout_s), 1, 86400, "60",
	  NULL, "seconds", "Inactive timeout of UDP flows." },
	{ "other_timeout", CFG_U32, O(ecfg.other_timeout_s), 1, 86400, "60",
	  NULL, "seconds", "Inactive timeout of ICMP and other flows." },
	{ "close_timeout", CFG_U32, O(ecfg.close_timeout_s), 1, 3600, "5",
	  NULL, "seconds", "How long a TCP flow stays once its close is "
	  "complete (a RST, FIN both ways, or a FIN its peer never answered), "
	  "as Zeek's tcp_close_delay: a later packet starts a new record." },
	{ "dns_timeout", CFG_U32, O(ecfg.dns_timeout_s), 2, 1800, "10",
	  NULL, "seconds", "Inactive timeout of UDP DNS sessions (ports 53, "
	  "137, 5353, 5355), as Zeek's dns_session_timeout." },
	{ "vlan_key", CFG_BOOL, O(ecfg.vlan_key), 0, 1, "no", NULL, NULL,
	  "Put the outer VLAN into the flow key, for networks whose VLANs "
	  "reuse addresses (no: one connection is one flow whatever VLANs "
	  "its packets travel on, as Zeek)." },
	{ "active_timeout", CFG_U32, O(ecfg.active_timeout_s), 10, 604800,
	  "1800", NULL, "seconds", "Long flows are reported (as partial "
	  "records) this often." },
	{ "retention_seconds", CFG_U32, O(keep_seconds), 60, 31536000,
	  "172800", NULL, "seconds", "History: how long per-second interface "
	  "samples are kept, counted back from the newest packet time stored "
	  "(not the wall clock)." },
	{ "retention_minutes", CFG_U32, O(keep_minutes), 60, 315360000,
	  "2592000", NULL, "seconds", "History: how long per-minute rollups "
	  "are kept." },
	{ "retention_hours", CFG_U32, O(keep_hours), 60, 3153600000u,
	  "63072000", NULL, "seconds", "History: how long per-hour rollups, "
	  "the per-hour and per-day host and service totals, learned names "
	  "(by when they were last seen) and alerts are kept." },
	{ "retention_flows", CFG_U32, O(keep_flows), 60, 315360000,
	  "604800", NULL, "seconds", "History: how long flow records are "
	  "kept." },
	{ "history_db", CFG_STRING, O(db_path), 0, 0, "", NULL, NULL,
	  "The history database (SQLite). Empty: " WT_DAEMON_DB
	  " for the daemon and for root, "
	  "$XDG_STATE_HOME/wiretop/history.db (~/.local/state/wiretop/"
	  "history.db) for other users. --db overrides it." },
	{ "db_group", CFG_STRING, O(db_group), 0, 0, "", NULL, NULL,
	  "A group whose members may read the history database (wiretop "
	  "view, export --db, report --db) without capture rights: the "
	  "database's directory is then made mode 0750 and its files 0640 in "
	  "that group. The user wiretop writes the database as must be a "
	  "member of the group (the wiretop user's own group, wiretop, is "
	  "the usual choice). Empty: owner-only (0700 and 0600)." },
	{ "pid_file", CFG_STRING, O(pidfile), 0, 0, "", NULL, NULL,
	  "The daemon writes its process id to this file and holds a lock "
	  "on it while it runs, so a second daemon with the same file "
	  "refuses to start. Empty: no file (--pidfile sets it)." },
	{ "delay", CFG_MSEC, O(delay_ms), 0.05, 60, "1", NULL, "seconds",
	  "Screen refresh interval." },
	{ "theme", CFG_ENUM, O(theme), 0, 0, "dark", "dark|light|mono", NULL,
	  "Colour theme. NO_COLOR in the environment forces mono." },
	{ "bits", CFG_BOOL, O(bits), 0, 1, "yes", NULL, NULL,
	  "Show rates in bits per second (no: bytes per second)." },
	{ "show_names", CFG_BOOL, O(names), 0, 1, "yes", NULL, NULL,
	  "Show names learned from DNS answers, DHCP and TLS SNI instead of "
	  "addresses." },
	{ "alerts", CFG_BOOL, O(alert.enabled), 0, 1, "yes", NULL, NULL,
	  "Run the alert detectors named by alert_detectors on the packets "
	  "wiretop sees (the TUI, the daemon, export and report on capture "
	  "files). Alerts are de-duplicated, shown in the alerts pane, "
	  "logged by the daemon, written to the history database and passed "
	  "to alert_command." },
	{ "alert_detectors", CFG_DETECTORS, O(alert.detectors), 0, 0, "all",
	  NULL, NULL, "The detectors that run, comma-separated: port_scan, "
	  "host_scan, syn_flood, large_packet, bandwidth, rate_anomaly, geo, "
	  "new_peer, policy, dns_anomaly, capture; all, or none." },
	{ "alert_cooldown", CFG_U32, O(alert.cooldown_s), 1, 86400, "300",
	  NULL, "seconds", "De-duplication: while an alert is not resolved, "
	  "its condition seen again (same kind, subject, peer and port) "
	  "counts into it instead of raising a new alert; an alert whose "
	  "condition has not been seen for this long (packet time) is "
	  "resolved." },
	{ "alert_repeat", CFG_U32, O(alert.repeat_s), 0, 604800, "3600", NULL,
	  "seconds", "Escalation: an alert still active and not acknowledged "
	  "is notified again (daemon log, alert_command) this often. 0: "
	  "never." },
	{ "alert_keep", CFG_U32, O(alert.keep), 16, 1000000, "1024", NULL,
	  "alerts", "Alerts kept in memory for the alerts pane and export "
	  "(the history database keeps every one)." },
	{ "alert_command", CFG_STRING, O(alert.command), 0, 0, "", NULL, NULL,
	  "A program to run for each new alert and each escalation: an "
	  "absolute path, then arguments, separated by spaces and taken "
	  "literally (no shell, no quoting, no expansion). The alert is in "
	  "the environment: WIRETOP_ALERT_ID, _UID, _EVENT (new or repeat), "
	  "_KIND, _SEVERITY, _STATE, _TIME, _COUNT, _SUBJECT, _PEER, _PORT, "
	  "_MESSAGE, _VALUE, _THRESHOLD and _COMMUNITY_ID, with control "
	  "characters escaped as \\xNN; besides them only PATH and LC_ALL. "
	  "Standard input and output are /dev/null. It runs as the user "
	  "wiretop dropped to, never as root (with user = root it is not "
	  "run). Failures, kills and runs refused by the limits are logged. "
	  "Empty: none." },
	{ "alert_command_rate", CFG_U32, O(alert.command_rate), 1, 600, "6",
	  NULL, "runs a minute", "alert_command runs at most this often (and "
	  "at most 4 at once); alerts beyond it are not passed on (logged)." },
	{ "alert_command_timeout", CFG_U32, O(alert.command_timeout_s), 1,
	  3600, "10", NULL, "seconds", "alert_command is killed (its process "
	  "group) after this long." },
	{ "port_scan_ports", CFG_U32, O(alert.port_scan_ports), 2, 65535,
	  "100", NULL, "ports", "port_scan: one source's probes (TCP SYNs "
	  "without a SYN-ACK back, UDP datagrams without a reply) to more "
	  "than this many distinct ports of one host within "
	  "port_scan_window." },
	{ "port_scan_window", CFG_U32, O(alert.port_scan_window_s), 1, 3600,
	  "60", NULL, "seconds", "port_scan: the window, opened by a "
	  "source's first probe to a host." },
	{ "host_scan_hosts", CFG_U32, O(alert.host_scan_hosts), 2, 10000000,
	  "100", NULL, "hosts", "host_scan: one source's unanswered probes to "
	  "more than this many hosts on the same port within "
	  "host_scan_window." },
	{ "host_scan_window", CFG_U32, O(alert.host_scan_window_s), 1, 3600,
	  "60", NULL, "seconds", "host_scan: the window." },
	{ "syn_flood_rate", CFG_U32, O(alert.syn_flood_rate), 1, 100000000,
	  "500", NULL, "SYNs a second", "syn_flood: more new half-open "
	  "connections (SYNs) to one host and port in one second." },
	{ "syn_flood_ratio", CFG_U32, O(alert.syn_flood_ratio), 2, 1000000,
	  "10", NULL, "SYNs per SYN-ACK", "syn_flood: a second with at least "
	  "syn_flood_min SYNs to one host and port, and more than this many "
	  "SYNs for each SYN-ACK it sent back." },
	{ "syn_flood_min", CFG_U32, O(alert.syn_flood_min), 1, 100000000,
	  "100", NULL, "SYNs", "syn_flood: the SYNs a second needs before "
	  "its ratio counts." },
	{ "large_packet_bytes", CFG_U32, O(alert.large_packet_bytes), 64,
	  1000000, "1600", NULL, "bytes", "large_packet: packets longer on "
	  "the wire than this." },
	{ "large_packet_tcp", CFG_BOOL, O(alert.large_packet_tcp), 0, 1, "no",
	  NULL, NULL, "large_packet: judge TCP too. Off by default: on a "
	  "host capture, segmentation offload hands libpcap merged TCP "
	  "segments much larger than the MTU." },
	{ "bandwidth_rx", CFG_U32, O(alert.bw_iface_rx_kbit), 0, 4000000000u,
	  "0", NULL, "kbit/s", "bandwidth: an interface receiving faster "
	  "than this for longer than bandwidth_duration. 0: not judged." },
	{ "bandwidth_tx", CFG_U32, O(alert.bw_iface_tx_kbit), 0, 4000000000u,
	  "0", NULL, "kbit/s", "bandwidth: an interface sending faster than "
	  "this for longer than bandwidth_duration. 0: not judged." },
	{ "bandwidth_host", CFG_U32, O(alert.bw_host_kbit), 0, 4000000000u,
	  "0", NULL, "kbit/s", "bandwidth: a host receiving or sending "
	  "faster than this for longer than bandwidth_duration. 0: not "
	  "judged." },
	{ "bandwidth_duration", CFG_U32, O(alert.bw_duration_s), 1, 86400,
	  "10", NULL, "seconds", "bandwidth: how long a rate must stay over "
	  "its bound." },
	{ "rate_anomaly_sigma", CFG_U32, O(alert.rate_sigma), 2, 1000, "6",
	  NULL, "standard deviations", "rate_anomaly: an interface's or a "
	  "host's rx or tx rate of one second further than this from its "
	  "baseline (an exponentially weighted mean and variance over about "
	  "5 minutes)." },
	{ "rate_anomaly_warmup", CFG_U32, O(alert.rate_warmup_s), 10, 604800,
	  "600", NULL, "seconds", "rate_anomaly: seconds of baseline before "
	  "anything is judged." },
	{ "rate_anomaly_min", CFG_U32, O(alert.rate_min_kbit), 0,
	  4000000000u, "1000", NULL, "kbit/s", "rate_anomaly: seconds whose "
	  "rate and baseline are both below this are not judged." },
	{ "rate_anomaly_hosts", CFG_U32, O(alert.rate_hosts), 0, 1048576,
	  "1024", NULL, "hosts", "rate_anomaly: at most this many hosts have "
	  "a baseline, the busiest: each second, a host busier than twice "
	  "the baseline of the quietest host tracked takes its place (and "
	  "starts its own warm-up); a host the host table forgets loses "
	  "its baseline. 0: hosts are not judged, only interfaces." },
	{ "new_peer_learn", CFG_U32, O(alert.new_peer_learn_s), 0, 31536000,
	  "86400", NULL, "seconds", "new_peer: the learning period, from the "
	  "first flow (packet time): external addresses seen in it are "
	  "known; after it, a local host's first flow with an address not "
	  "known is an info alert." },
	{ "policy_deny", CFG_ALERTLIST, O(alert.policy_deny), 0, 0, "tcp/23",
	  NULL, NULL, "policy: traffic not allowed anywhere: tcp/PORT, "
	  "udp/PORT or ip/PROTOCOL items, comma-separated." },
	{ "policy_deny_external", CFG_ALERTLIST, O(alert.policy_deny_external),
	  0, 0, "tcp/139,tcp/445,tcp/3389,udp/3389", NULL, NULL,
	  "policy: traffic not allowed across the local boundary (one end "
	  "in local_networks, the other not), as policy_deny. The default "
	  "names SMB and RDP." },
	{ "geo_deny_countries", CFG_ALERTLIST, O(alert.geo_deny_countries), 0, 0,
	  "", NULL, NULL, "geo: traffic with these countries (ISO 3166 "
	  "codes, comma-separated) is an alert. Needs GeoIP." },
	{ "geo_allow_countries", CFG_ALERTLIST, O(alert.geo_allow_countries), 0,
	  0, "", NULL, NULL, "geo: traffic with a country GeoIP knows and "
	  "this list does not name is an alert. Empty: any country." },
	{ "dns_nx_count", CFG_U32, O(alert.dns_nx_count), 1, 10000000, "100",
	  NULL, "answers", "dns_anomaly: a client that gets more NXDOMAIN "
	  "answers within dns_nx_window (a burst: a bot trying generated "
	  "domains, a misconfiguration)." },
	{ "dns_nx_window", CFG_U32, O(alert.dns_nx_window_s), 1, 86400, "60",
	  NULL, "seconds", "dns_anomaly: the window of dns_nx_count, opened "
	  "by a client's first NXDOMAIN answer." },
	{ "dns_max_name", CFG_U32, O(alert.dns_max_name), 40, 253, "100",
	  NULL, "bytes", "dns_anomaly: a query name longer than this is an "
	  "alert (DNS tunnels fill names up)." },
	{ "dns_max_entropy", CFG_DOUBLE, O(alert.dns_max_entropy), 1, 8,
	  "4", NULL, "bits per character", "dns_anomaly: a query name of 40 "
	  "bytes or more whose longest label has 32 bytes or more and a "
	  "Shannon entropy above this is an alert (random-looking: encoded "
	  "data)." },
	{ "geo_deny_asns", CFG_ALERTLIST, O(alert.geo_deny_asns), 0, 0, "", NULL,
	  NULL, "geo: traffic with these autonomous systems (numbers, "
	  "comma-separated) is an alert. Needs GeoIP." },
	{ "geoip_country_db", CFG_STRING, O(geoip_country_db), 0, 0,
	  GEOIP_DEFAULT_COUNTRY, NULL, NULL,
	  "GeoIP: the country or city database (MaxMind DB format: "
	  "GeoLite2 or GeoIP2 Country or City), or a comma-separated list "
	  "of them, of which the first that exists is used. The default is "
	  "where Debian's geoipupdate puts GeoLite2 City and Country "
	  "(DatabaseDirectory /var/lib/GeoIP). Each remote host is looked "
	  "up once, when it is first seen; private, local and special "
	  "addresses never are. The file is opened again when it changes "
	  "on disk (checked every few seconds by the screen and the "
	  "daemon) and, in the daemon, on HUP. Missing, unreadable or "
	  "damaged: one notice, the country shows as -- and everything "
	  "else runs on (the default files missing is no notice, only the "
	  "screen's \"GeoIP: off (no database)\"). Empty: no country "
	  "lookups." },
	{ "geoip_asn_db", CFG_STRING, O(geoip_asn_db), 0, 0,
	  GEOIP_DEFAULT_ASN, NULL, NULL,
	  "GeoIP: the autonomous system database (GeoLite2 ASN or GeoIP2 "
	  "ISP), for the AS number and organisation of each remote host, "
	  "looked up and opened again as geoip_country_db. Empty: no ASN "
	  "lookups." },
	{ "ipfix_collector", CFG_STRING, O(ipfix), 0, 0, "", NULL, NULL,
	  "The daemon sends every flow record as IPFIX (RFC 7011) to this "
	  "collector: HOST:PORT or udp://HOST:PORT over UDP, "
	  "tcp://HOST:PORT over TCP, an IPv6 address in [ ]; the port "
	  "defaults to 4739. wiretop export sends only when --ipfix is on "
	  "its command line. Records the collector cannot take are counted "
	  "(the daemon's USR1 statistics). Empty: none." },
	{ "ipfix_template_refresh", CFG_U32, O(ipfix_refresh_s), 0, 86400,
	  "60", NULL, "seconds", "IPFIX over UDP: the templates are sent "
	  "again this often (RFC 7011, 8.4), so a collector started later "
	  "learns them. 0: not by time." },
	{ "ipfix_template_refresh_messages", CFG_U32, O(ipfix_refresh_msgs), 0,
	  1000000, "0", NULL, "messages", "IPFIX over UDP: the templates are "
	  "also sent again after this many messages. 0: not by count." },
	{ "log_file", CFG_STRING, O(log_path), 0, 0, "", NULL, NULL,
	  "Write diagnostics to this file (the screen is never written "
	  "to while the TUI runs). It is opened after the privilege drop, "
	  "as the user of the user setting, never through a symbolic link, "
	  "and created with mode 0640." },
	{ "user", CFG_STRING, O(user), 0, 0, "", NULL, NULL,
	  "The user wiretop runs as once the capture is open, when started "
	  "as root: its groups, gid and uid are taken, every capability is "
	  "cleared and no_new_privs is set. Empty: wiretop if that system "
	  "user exists, else nobody. root keeps root (with a warning). A "
	  "user other than root who starts wiretop keeps their identity "
	  "and loses any file capabilities." },
	{ "metrics_listen", CFG_LISTEN, O(metrics_listen), 0, 0, "", NULL,
	  NULL, "The daemon serves its counters for Prometheus at /metrics "
	  "on this address and port: ADDRESS:PORT with a numeric address "
	  "(127.0.0.1:9796, [::1]:9796), or :PORT for 127.0.0.1. Any address "
	  "but loopback must be written out (0.0.0.0:9796 for every IPv4 "
	  "interface, [::]:9796 for every interface). Plain HTTP, no "
	  "authentication: expose it only where the network is trusted. "
	  "The socket is bound before the privilege drop (a port below 1024 "
	  "works). --metrics-listen sets it. Empty: no endpoint." },
	{ "metrics_top_hosts", CFG_U32, O(metrics_top_hosts), 0,
	  METRICS_MAX_TOP_HOSTS, "0", NULL, "hosts", "/metrics: the busiest "
	  "hosts (wire bytes in and out) get their own counters, labelled by "
	  "address, so a Prometheus series exists only for them. 0: no host "
	  "labels." },
};

#define CFG_MAX_FILE	(1024 * 1024)	/* bytes: a bigger file is refused */

#define CFG_N (sizeof cfg_table / sizeof cfg_table[0])

/* Strings the configuration owns, freed by cfg_done(). */
static char **cfg_strings;
static size_t cfg_nstrings;

static const char *
cfg_keep(const char *s)
{
	char *d = xstrdup(s);

	cfg_strings = xreallocarray(cfg_strings, cfg_nstrings + 1,
	    sizeof *cfg_strings);
	cfg_strings[cfg_nstrings++] = d;
	return d;
}

void
cfg_done(void)
{
	size_t i;

	for (i = 0; i < cfg_nstrings; i++)
		free(cfg_strings[i]);
	free(cfg_strings);
	cfg_strings = NULL;
	cfg_nstrings = 0;
}

static const struct cfg_setting *
cfg_find(const char *name)
{
	size_t i;

	for (i = 0; i < CFG_N; i++) {
		if (strcmp(cfg_table[i].name, name) == 0)
			return &cfg_table[i];
	}
	return NULL;
}

static int
cfg_parse_bool(const char *v, int *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static int
cfg_parse_number(const char *v, double *out, int integer)
{
	char *end;
	double d;

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v == '\0')
		return -1;
	errno = 0;
	if (integer) {
		long long ll;

		if (*v == '+')
			v++;
		if (*v < '0' || *v > '9') {
			if (*v != '-')
				return -1;
		}
		ll = strtoll(v, &end, 10);
		d = (double)ll;
	} else
		d = strtod(v, &end);
	if (errno != 0 || *end != '\0' || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

static int
cfg_apply(struct wt_opts *o, const struct cfg_setting *s, const char *v,
    char **cause)
{
	char *p = (char *)o + s->offset, *copy, *tok, *save;
	double d;
	int b;

	switch (s->type) {
	case CFG_BOOL:
		if (cfg_parse_bool(v, &b) != 0) {
			*cause = xstrdup("expected yes or no");
			return -1;
		}
		*(int *)(void *)p = b;
		return 0;
	case CFG_INT:
	case CFG_U32:
	case CFG_MSEC:
		if (cfg_parse_number(v, &d, s->type != CFG_MSEC) != 0 ||
		    d < s->min || d > s->max) {
			if (s->type == CFG_MSEC)
				xasprintf(cause, "expected a number of seconds "
				    "from %g to %g", s->min, s->max);
			else
				xasprintf(cause, "expected an integer from "
				    "%.0f to %.0f", s->min, s->max);
			return -1;
		}
		if (s->type == CFG_INT)
			*(int *)(void *)p = (int)d;
		else if (s->type == CFG_U32)
			*(uint32_t *)(void *)p = (uint32_t)d;
		else
			*(int *)(void *)p = (int)lround(d * 1000);
		return 0;
	case CFG_STRING:
		if (s->offset == O(ipfix) && *v != '\0') {
			enum ipfix_transport tr;
			char *host;
			uint16_t port;

			if (ipfix_parse_target(v, &tr, &host, &port, cause) !=
			    0)
				return -1;
			free(host);
		}
		*(const char **)(void *)p = *v == '\0' ? NULL : cfg_keep(v);
		return 0;
	case CFG_DOUBLE:
		if (cfg_parse_number(v, &d, 0) != 0 || d < s->min ||
		    d > s->max) {
			xasprintf(cause, "expected a number from %g to %g",
			    s->min, s->max);
			return -1;
		}
		*(double *)(void *)p = d;
		return 0;
	case CFG_ALERTLIST:
		if (*v != '\0' && alert_setting_check(s->name, v, cause) != 0)
			return -1;
		*(const char **)(void *)p = *v == '\0' ? NULL : cfg_keep(v);
		return 0;
	case CFG_LISTEN:
		if (*v != '\0' && metrics_listen_parse(v, NULL, NULL, cause) !=
		    0)
			return -1;
		*(const char **)(void *)p = *v == '\0' ? NULL : cfg_keep(v);
		return 0;
	case CFG_DETECTORS: {
		unsigned mask;

		if (alert_detectors_parse(v, &mask, cause) != 0)
			return -1;
		*(const char **)(void *)p = cfg_keep(v);
		return 0;
	}
	case CFG_ENUM: {
		const char *c = s->choices;
		size_t n = strlen(v);

		while (c != NULL && *c != '\0') {
			const char *bar = strchr(c, '|');
			size_t len = bar ? (size_t)(bar - c) : strlen(c);

			if (len == n && strncmp(c, v, n) == 0) {
				*(const char **)(void *)p = cfg_keep(v);
				return 0;
			}
			c = bar ? bar + 1 : NULL;
		}
		xasprintf(cause, "expected one of %s", s->choices);
		return -1;
	}
	case CFG_NETS:
		o->n_local_nets = 0;
		copy = xstrdup(v);
		for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
		    tok = strtok_r(NULL, ", \t", &save)) {
			if (o->n_local_nets == sizeof o->local_nets /
			    sizeof o->local_nets[0]) {
				xasprintf(cause, "at most %zu networks",
				    sizeof o->local_nets /
				    sizeof o->local_nets[0]);
				free(copy);
				return -1;
			}
			if (engine_net_parse(tok,
			    &o->local_nets[o->n_local_nets]) != 0) {
				xasprintf(cause, "expected networks in CIDR "
				    "form (192.0.2.0/24, 2001:db8::/32), not "
				    "'%s'", tok);
				free(copy);
				return -1;
			}
			o->n_local_nets++;
		}
		free(copy);
		return 0;
	case CFG_IFACES:
		o->n_ifaces = 0;
		copy = xstrdup(v);
		for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
		    tok = strtok_r(NULL, ", \t", &save)) {
			if (o->n_ifaces == WT_MAX_SOURCES) {
				xasprintf(cause, "at most %d interfaces",
				    WT_MAX_SOURCES);
				free(copy);
				return -1;
			}
			o->ifaces[o->n_ifaces++] = cfg_keep(tok);
		}
		free(copy);
		return 0;
	}
	*cause = xstrdup("internal error: unknown setting type");
	return -1;
}

int
cfg_set(struct wt_opts *o, const char *name, const char *value, char **cause)
{
	const struct cfg_setting *s = cfg_find(name);

	if (s == NULL) {
		*cause = xstrdup("unknown setting");
		return -1;
	}
	return cfg_apply(o, s, value, cause);
}

void
cfg_defaults(struct wt_opts *o)
{
	char *cause = NULL;
	size_t i;

	memset(o, 0, sizeof *o);
	for (i = 0; i < CFG_N; i++) {
		if (cfg_apply(o, &cfg_table[i], cfg_table[i].def, &cause) != 0)
			fatalx("default of %s: %s", cfg_table[i].name, cause);
	}
	o->speed = 1;
	o->frames = 0;
	o->what = "flows";
	o->format = "csv";
}

void
cfg_print_escaped(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char e[FMT_ESC_MAX];

	while (*p != '\0') {
		p += fmt_escape_one(p, e);
		fputs(e, f);
	}
}

/* A copy of s, at most max input bytes, escaped for a message (owned). */
static char *
cfg_escape(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	char *d = xmalloc(max * FMT_ESC_MAX + 4), *o = d;
	size_t used = 0, n;

	while (*p != '\0') {
		if (used >= max) {
			memcpy(o, "...", 3);
			o += 3;
			break;
		}
		n = fmt_escape_one(p, o);
		o += strlen(o);
		p += n;
		used += n;
	}
	*o = '\0';
	return d;
}

/* Trim spaces and tabs at both ends, in place. */
static char *
cfg_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Parse one file's text (NUL-terminated, no NUL inside). */
static int
cfg_parse(struct wt_opts *o, const char *path, char *text, char **cause)
{
	const struct cfg_setting *s;
	char *line, *next, *p, *eq, *key, *value, *why = NULL, *e1, *e2;
	int n = 0;

	for (line = text; line != NULL; line = next) {
		n++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (n == 1 && (unsigned char)line[0] == 0xef &&
		    (unsigned char)line[1] == 0xbb &&
		    (unsigned char)line[2] == 0xbf)
			line += 3;	/* UTF-8 byte order mark */
		/* A comment starts with # or ; at the start of the line or
		 * after a space or tab, as in the sample file. */
		for (p = line; *p != '\0'; p++) {
			if ((*p == '#' || *p == ';') && (p == line ||
			    p[-1] == ' ' || p[-1] == '\t')) {
				*p = '\0';
				break;
			}
		}
		p = cfg_trim(line);
		if (*p == '\0')
			continue;
		if (*p == '[') {
			key = strchr(p, ']');
			if (key == NULL || key[1] != '\0') {
				xasprintf(cause, "%s:%d: syntax error (expected "
				    "[section])", path, n);
				return -1;
			}
			*key = '\0';
			key = cfg_trim(p + 1);
			if (strcmp(key, "wiretop") != 0) {
				e1 = cfg_escape(key, 64);
				xasprintf(cause, "%s:%d: [%s]: unknown section "
				    "(expected [wiretop])", path, n, e1);
				free(e1);
				return -1;
			}
			continue;
		}
		if ((eq = strchr(p, '=')) == NULL) {
			xasprintf(cause, "%s:%d: syntax error (expected key = "
			    "value or [section])", path, n);
			return -1;
		}
		*eq = '\0';
		key = cfg_trim(p);
		value = cfg_trim(eq + 1);
		if (*key == '\0') {
			xasprintf(cause, "%s:%d: syntax error (expected key = "
			    "value or [section])", path, n);
			return -1;
		}
		if ((s = cfg_find(key)) == NULL) {
			e1 = cfg_escape(key, 64);
			xasprintf(cause, "%s:%d: %s: unknown setting", path, n,
			    e1);
			free(e1);
			return -1;
		}
		if (cfg_apply(o, s, value, &why) != 0) {
			/* why may quote the value: escape it as a whole. */
			e2 = cfg_escape(why, 256);
			xasprintf(cause, "%s:%d: %s: %s", path, n, s->name, e2);
			free(e2);
			free(why);
			return -1;
		}
	}
	return 0;
}

int
cfg_load_file(struct wt_opts *o, const char *path, int must_exist,
    char **cause)
{
	struct stat st;
	char *text, *e;
	size_t len = 0;
	ssize_t r;
	int fd, rc;

	/* Look before opening: a FIFO would block the open, a device or
	 * a directory is not a configuration. */
	if (stat(path, &st) != 0) {
		if (!must_exist && errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		xasprintf(cause, "%s: is a directory, not a configuration "
		    "file", path);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s: not a regular file (a FIFO, socket or "
		    "device is not read as a configuration)", path);
		return -1;
	}
	if (st.st_size > CFG_MAX_FILE) {
		xasprintf(cause, "%s: larger than %d bytes", path,
		    CFG_MAX_FILE);
		return -1;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		xasprintf(cause, "%s: %s", path, fd == -1 ? strerror(errno) :
		    "changed while it was opened");
		if (fd != -1)
			close(fd);
		return -1;
	}
	text = xmalloc(CFG_MAX_FILE + 1);
	while (len < CFG_MAX_FILE) {
		r = read(fd, text + len, CFG_MAX_FILE - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			xasprintf(cause, "%s: %s", path, strerror(errno));
			free(text);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	text[len] = '\0';
	if ((e = memchr(text, '\0', len)) != NULL) {
		unsigned line = 1;
		char *q;

		for (q = text; q < e; q++)
			line += *q == '\n';
		xasprintf(cause, "%s:%u: holds a NUL byte (not a text file)",
		    path, line);
		free(text);
		return -1;
	}
	rc = cfg_parse(o, path, text, cause);
	free(text);
	if (rc == 0 && o->n_config_files < sizeof o->config_files /
	    sizeof o->config_files[0])
		o->config_files[o->n_config_files++] = cfg_keep(path);
	return rc;
}

int
cfg_load_all(struct wt_opts *o, const char *path, char **cause)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *user = NULL;
	int rc;

	if (getenv("WIRETOP_NO_DEFAULT_CONFIG") == NULL) {
		if (cfg_load_file(o, WT_SYSTEM_CONFIG, 0, cause) != 0)
			return -1;
		if (xdg != NULL && *xdg != '\0')
			xasprintf(&user, "%s/wiretop/wiretop.conf", xdg);
		else if (home != NULL && *home != '\0')
			xasprintf(&user, "%s/.config/wiretop/wiretop.conf",
			    home);
		if (user != NULL) {
			rc = cfg_load_file(o, user, 0, cause);
			free(user);
			if (rc != 0)
				return -1;
		}
	}
	if (path != NULL)
		return cfg_load_file(o, path, 1, cause);
	return 0;
}

static void
cfg_value(const struct wt_opts *o, const struct cfg_setting *s, FILE *f)
{
	const char *p = (const char *)o + s->offset;
	char buf[64];
	const char *str;
	unsigned i;

	switch (s->type) {
	case CFG_BOOL:
		fputs(*(const int *)(const void *)p ? "yes" : "no", f);
		break;
	case CFG_INT:
		fprintf(f, "%d", *(const int *)(const void *)p);
		break;
	case CFG_U32:
		fprintf(f, "%u", *(const uint32_t *)(const void *)p);
		break;
	case CFG_MSEC:
		fprintf(f, "%g", *(const int *)(const void *)p / 1000.0);
		break;
	case CFG_DOUBLE:
		fprintf(f, "%g", *(const double *)(const void *)p);
		break;
	case CFG_STRING:
	case CFG_ENUM:
	case CFG_DETECTORS:
	case CFG_ALERTLIST:
	case CFG_LISTEN:
		str = *(const char *const *)(const void *)p;
		cfg_print_escaped(f, str != NULL ? str : "");
		break;
	case CFG_NETS:
		for (i = 0; i < o->n_local_nets; i++) {
			const struct engine_net *n = &o->local_nets[i];

			fprintf(f, "%s%s/%u", i ? "," : "",
			    fmt_addr(n->ip_ver, n->addr, buf, sizeof buf),
			    n->plen);
		}
		break;
	case CFG_IFACES:
		for (i = 0; i < o->n_ifaces; i++) {
			fputs(i ? "," : "", f);
			cfg_print_escaped(f, o->ifaces[i]);
		}
		break;
	}
}

void
cfg_show(const struct wt_opts *o, FILE *f)
{
	size_t i;

	fputs("# wiretop settings in effect (defaults, files, command line)\n",
	    f);
	if (o->n_config_files == 0)
		fputs("# files read: none\n", f);
	for (i = 0; i < o->n_config_files; i++) {
		fputs("# file read: ", f);
		cfg_print_escaped(f, o->config_files[i]);
		fputc('\n', f);
	}
	fputs("[wiretop]\n", f);
	for (i = 0; i < CFG_N; i++) {
		fprintf(f, "%s = ", cfg_table[i].name);
		cfg_value(o, &cfg_table[i], f);
		fputc('\n', f);
	}
}

/* Write s for troff: escape backslashes and leading dots/quotes. */
static void
cfg_man_text(const char *s, FILE *f)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

void
cfg_man(FILE *f)
{
	const struct cfg_setting *s;
	size_t i;

	for (i = 0; i < CFG_N; i++) {
		s = &cfg_table[i];
		fprintf(f, ".TP\n.B %s\n", s->name);
		cfg_man_text(s->help, f);
		fputc('\n', f);
		switch (s->type) {
		case CFG_BOOL:
			fputs("Yes or no.", f);
			break;
		case CFG_INT:
		case CFG_U32:
			fprintf(f, "An integer from %.0f to %.0f%s%s.", s->min,
			    s->max, s->unit ? " " : "", s->unit ? s->unit : "");
			break;
		case CFG_MSEC:
			fprintf(f, "A number of seconds from %g to %g.",
			    s->min, s->max);
			break;
		case CFG_DOUBLE:
			fprintf(f, "A number from %g to %g%s%s.", s->min,
			    s->max, s->unit ? " " : "", s->unit ? s->unit : "");
			break;
		case CFG_ENUM:
			fputs("One of ", f);
			cfg_man_text(s->choices, f);
			fputc('.', f);
			break;
		default:
			break;
		}
		if (*s->def != '\0') {
			fputs(" Default: ", f);
			cfg_man_text(s->def, f);
			fputc('.', f);
		}
		fputc('\n', f);
	}
}
