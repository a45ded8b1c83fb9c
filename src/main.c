/*
 * main.c: the command line.
 *
 * Main thread, before any other thread exists: first give up the
 * binary's file capabilities unless the user is in the capture group
 * (proc_capture_rights), then find the mode in the mode
 * table, parse the command line, load the configuration files (defaults
 * < system file < user file < -c FILE < command line), block
 * asynchronous signals (every thread created later inherits the mask;
 * the modes read signals from a signalfd) and run the mode.  A mode is
 * one row of main_modes: its name, its line in --help, its entry point
 * and the groups of options that mean something to it; an option from
 * another group is a usage error naming the mode.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"
#include "mode.h"
#include "out.h"
#include "proc.h"
#include "xmalloc.h"

int main(int, char **);

enum {
	OPT_LOG = 256,
	OPT_MAX_FLOWS,
	OPT_MAX_HOSTS,
	OPT_SPEED,
	OPT_FRAMES,
	OPT_THEME,
	OPT_BITS,
	OPT_BYTES,
	OPT_NO_NAMES,
	OPT_WHAT,
	OPT_FORMAT,
	OPT_DURATION,
	OPT_SHOW_CONFIG,
	OPT_MAN_CONFIG,
	OPT_DB,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_DAEMONIZE,
	OPT_PIDFILE,
	OPT_BEFORE,
	OPT_METRICS_LISTEN,
	OPT_IPFIX,
	OPT_RESOLVE,
};

/* Groups of options; a mode lists the groups that apply to it. */
#define MAIN_OPT_CAPTURE	0x1u	/* sources, tables, --speed, -u */
#define MAIN_OPT_SCREEN		0x2u	/* the interactive screen */
#define MAIN_OPT_EXPORT		0x4u	/* export's output */
#define MAIN_OPT_REPORT		0x40u	/* report's output (--format, -o) */
#define MAIN_OPT_DB		0x8u	/* the history database (--db) */
#define MAIN_OPT_DAEMON		0x80u	/* --daemonize, --pidfile */
#define MAIN_OPT_DBADMIN	0x100u	/* wiretop db (--before) */
#define MAIN_OPT_IPFIX		0x200u	/* --ipfix: export and the daemon */

struct main_mode {
	const char *name;	/* the command word */
	const char *help;	/* its lines in --help */
	int (*run)(struct wt_opts *);
	unsigned groups;	/* MAIN_OPT_* that apply */
};

static const struct main_mode main_modes[] = {
	{ "tui",
	  "  (none)                   interactive screen on live capture, or on a\n"
	  "                           capture file replayed on its own timestamps (-r)\n",
	  mode_tui, MAIN_OPT_CAPTURE | MAIN_OPT_SCREEN | MAIN_OPT_DB },
	{ "export",
	  "  export                   write flows, hosts, alerts or a summary as\n"
	  "                           CSV, JSON or NDJSON, from a capture file or\n"
	  "                           live capture\n",
	  mode_export, MAIN_OPT_CAPTURE | MAIN_OPT_EXPORT | MAIN_OPT_DB |
	  MAIN_OPT_IPFIX },
	{ "report",
	  "  report                   one report of capture files (-r) or of the\n"
	  "                           history database (--db, the default): totals,\n"
	  "                           peak rate, traffic over time, top talkers and\n"
	  "                           services, TCP health, drops, alerts; --format\n"
	  "                           text (default), json or html (inline SVG)\n",
	  mode_report, MAIN_OPT_CAPTURE | MAIN_OPT_REPORT | MAIN_OPT_DB },
	{ "daemon",
	  "  daemon                   headless: capture into the history database\n"
	  "                           (--db), log alerts and diagnostics to syslog\n"
	  "                           or --log; stays in the foreground unless\n"
	  "                           --daemonize; TERM/INT flush and exit, HUP\n"
	  "                           reloads the configuration, USR1 logs\n"
	  "                           statistics\n",
	  mode_daemon, MAIN_OPT_CAPTURE | MAIN_OPT_DB | MAIN_OPT_DAEMON |
	  MAIN_OPT_IPFIX },
	{ "import",
	  "  import FILE...           read capture files and flow logs (Zeek\n"
	  "                           conn.log TSV or JSON, wiretop CSV or NDJSON\n"
	  "                           flows) into the history database (--db), on\n"
	  "                           their own timestamps\n",
	  mode_import, MAIN_OPT_CAPTURE | MAIN_OPT_DB },
	{ "db",
	  "  db check|vacuum|purge    check the history database, compact it, or\n"
	  "                           delete what is older than --before T\n"
	  "  db sql QUERY             run a read-only SQL query on the history\n"
	  "                           database (flows, host_hour, host_day as\n"
	  "                           tables)\n",
	  mode_db, MAIN_OPT_DB | MAIN_OPT_DBADMIN },
	{ "view",
	  "  view                     the daemon's screen, read from its history\n"
	  "                           database (--db): no capture, no privilege;\n"
	  "                           anyone in the database's group may watch\n",
	  mode_view, MAIN_OPT_SCREEN | MAIN_OPT_DB },
};
#define MAIN_NMODES (sizeof main_modes / sizeof main_modes[0])

static const char main_shortopts[] = "i:r:f:s:B:pF:c:d:o:u:hV";

static const struct option main_longopts[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "read", required_argument, NULL, 'r' },
	{ "filter", required_argument, NULL, 'f' },
	{ "snaplen", required_argument, NULL, 's' },
	{ "buffer-size", required_argument, NULL, 'B' },
	{ "no-promiscuous", no_argument, NULL, 'p' },
	{ "local-net", required_argument, NULL, 'F' },
	{ "config", required_argument, NULL, 'c' },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "user", required_argument, NULL, 'u' },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "max-hosts", required_argument, NULL, OPT_MAX_HOSTS },
	{ "resolve", required_argument, NULL, OPT_RESOLVE },
	{ "speed", required_argument, NULL, OPT_SPEED },
	{ "delay", required_argument, NULL, 'd' },
	{ "frames", required_argument, NULL, OPT_FRAMES },
	{ "theme", required_argument, NULL, OPT_THEME },
	{ "bits", no_argument, NULL, OPT_BITS },
	{ "bytes", no_argument, NULL, OPT_BYTES },
	{ "no-names", no_argument, NULL, OPT_NO_NAMES },
	{ "what", required_argument, NULL, OPT_WHAT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "db", required_argument, NULL, OPT_DB },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "daemonize", no_argument, NULL, OPT_DAEMONIZE },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "before", required_argument, NULL, OPT_BEFORE },
	{ "metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN },
	{ "ipfix", required_argument, NULL, OPT_IPFIX },
	{ "show-config", no_argument, NULL, OPT_SHOW_CONFIG },
	{ "man-config", no_argument, NULL, OPT_MAN_CONFIG },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
main_usage(FILE *f)
{
	size_t i;

	fputs(
"Usage: wiretop [COMMAND] [OPTIONS]\n"
"Network monitor for the terminal: who talks, over what, how fast.\n"
"\n"
"Commands:\n", f);
	for (i = 0; i < MAIN_NMODES; i++)
		fputs(main_modes[i].help, f);
	fputs(
"\n"
"Sources:\n"
"  -i, --interface IFACE    capture on IFACE (repeatable; \"any\" for all)\n"
"  -r, --read FILE          read a pcap or pcapng file (repeatable; - = stdin)\n"
"  -f, --filter EXPR        BPF capture filter, see pcap-filter(7)\n"
"  -s, --snaplen BYTES      bytes captured of each packet (64-262144)\n"
"  -B, --buffer-size KIB    kernel capture buffer per interface\n"
"  -p, --no-promiscuous     do not put interfaces in promiscuous mode\n"
"  -F, --local-net CIDR     a local network (repeatable); decides in/out\n"
"      --max-flows N        flow table size (least recently active evicted)\n"
"      --max-hosts N        host table size\n"
"      --resolve MODE       host names: passive (default; DNS answers,\n"
"                           DHCP, TLS SNI seen), reverse (also PTR\n"
"                           lookups of the hosts on screen) or off\n"
"      --speed N|max        replay pace of -r files: N times the original,\n"
"                           or as fast as possible (default: 1 on the\n"
"                           screen, max for export)\n"
"  -u, --user USER          user to run as once the capture is open\n"
"                           (default: wiretop if it exists, else nobody;\n"
"                           root keeps root, with a warning)\n"
"\n"
"Screen:\n"
"  -d, --delay SECONDS      refresh interval (default 1)\n"
"      --frames N           quit after N screen updates\n"
"      --theme NAME         dark, light or mono (NO_COLOR forces mono)\n"
"      --bits, --bytes      show rates in bits (default) or bytes per second\n"
"      --no-names           show addresses, not learned names\n"
"\n"
"Export:\n"
"      --what WHAT          flows (default), hosts, summary or alerts;\n"
"                           with --db: flows, hosts, services, samples or\n"
"                           alerts\n", f);
	/* the formats come from the one registry (out.c) */
	fprintf(f, "      --format FMT         %s (the first is the default);\n"
	    "                           report: text (default), json or html\n",
	    out_format_names());
	fputs(
"  -o, --output FILE        write to FILE instead of standard output\n"
"      --duration SECONDS   live export: stop after SECONDS (default: on\n"
"                           SIGINT or SIGTERM)\n"
"      --since T, --until T export --db: from T (needed), until T (default:\n"
"                           the newest data); ISO 8601 (UTC unless an\n"
"                           offset is given) or an age before the newest\n"
"                           data stored: 90s, 15m, 1h, 7d, 2w; report:\n"
"                           the period reported (--db default: the last\n"
"                           24 h stored; -r: ages before the last packet)\n"
"\n"
"History:\n"
"      --db PATH            the history database (default: the\n"
"                           history_db setting, else " WT_DAEMON_DB "\n"
"                           for the daemon and root; other users:\n"
"                           $XDG_STATE_HOME/wiretop/history.db, or\n"
"                           " WT_DAEMON_DB " when only that exists)\n"
"                           view and the screen's t key (history ranges):\n"
"                           --db, else " WT_DAEMON_DB " if it\n"
"                           is there, else $XDG_STATE_HOME/wiretop/history.db\n"
"      --before T           db purge: delete everything older than T\n"
"\n"
"Daemon:\n"
"      --daemonize          detach from the terminal (default: stay in the\n"
"                           foreground, as systemd wants)\n"
"      --pidfile FILE       write the process id to FILE, locked while the\n"
"                           daemon runs\n"
"      --metrics-listen ADDR:PORT  serve Prometheus metrics at /metrics\n"
"                           on ADDR:PORT (:PORT is 127.0.0.1:PORT; any\n"
"                           other address must be written out)\n"
"\n"
"IPFIX (export, daemon):\n"
"      --ipfix HOST:PORT    send every flow record as IPFIX to a collector,\n"
"                           over UDP (default port 4739), or over TCP with\n"
"                           tcp://HOST:PORT; --format ipfix -o FILE writes\n"
"                           an IPFIX file\n"
"\n"
"General:\n"
"  -c, --config FILE        read FILE after " WT_SYSTEM_CONFIG "\n"
"                           and ~/.config/wiretop/wiretop.conf\n"
"      --log FILE           write diagnostics to FILE\n"
"      --show-config        print the settings in effect and exit\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Exit status: 0 ok, 1 runtime failure, 2 usage or configuration error,\n"
"3 capture or permission problem, 4 history database problem.\n"
"See wiretop(8) and wiretop.conf(5).\n", f);
}

static void
main_bad(const char *opt, const char *why)
{
	log_stderr("%s: %s (try --help)", opt, why);
}

/* Long name of an option, for messages. */
static const char *
main_optname(int c)
{
	static char buf[8];
	const struct option *lo;

	for (lo = main_longopts; lo->name != NULL; lo++) {
		if (lo->val == c) {
			static char name[40];

			snprintf(name, sizeof name, "--%s", lo->name);
			return name;
		}
	}
	snprintf(buf, sizeof buf, "-%c", c);
	return buf;
}

/* Apply one command-line option; 0 ok, -1 usage error (printed). */
static int
main_apply(struct wt_opts *o, int c, char *arg)
{
	const char *setting = NULL;
	char *cause = NULL, *end, *why;
	enum out_format fmt;
	double d;

	switch (c) {
	case 'i':
		if (o->n_ifaces + o->n_files == WT_MAX_SOURCES) {
			main_bad("-i", "too many sources");
			return -1;
		}
		o->ifaces[o->n_ifaces++] = arg;
		return 0;
	case 'r':
		if (o->n_ifaces + o->n_files == WT_MAX_SOURCES) {
			main_bad("-r", "too many sources");
			return -1;
		}
		o->files[o->n_files++] = arg;
		return 0;
	case 'f':
		o->filter = arg;
		return 0;
	case 's':
		setting = "snaplen";
		break;
	case 'B':
		setting = "buffer_size";
		break;
	case 'p':
		o->promisc = 0;
		return 0;
	case 'F':
		if (o->n_local_nets == sizeof o->local_nets /
		    sizeof o->local_nets[0]) {
			main_bad("-F", "too many networks");
			return -1;
		}
		if (engine_net_parse(arg, &o->local_nets[o->n_local_nets]) !=
		    0) {
			main_bad("-F", "expected a network in CIDR form "
			    "(192.0.2.0/24, 2001:db8::/32)");
			return -1;
		}
		o->n_local_nets++;
		return 0;
	case 'c':
		return 0;	/* loaded before the command line */
	case 'u':
		setting = "user";
		break;
	case OPT_LOG:
		o->log_path = arg;
		return 0;
	case OPT_MAX_FLOWS:
		setting = "max_flows";
		break;
	case OPT_MAX_HOSTS:
		setting = "max_hosts";
		break;
	case OPT_RESOLVE:
		setting = "resolve";
		break;
	case OPT_SPEED:
		o->speed_given = 1;
		if (strcmp(arg, "max") == 0) {
			o->speed = 0;
			return 0;
		}
		d = strtod(arg, &end);
		if (*arg == '\0' || *end != '\0' || !isfinite(d) || d < 0.01 ||
		    d > 10000) {
			main_bad("--speed", "expected a factor from 0.01 to "
			    "10000, or max");
			return -1;
		}
		o->speed = d;
		return 0;
	case 'd':
		setting = "delay";
		break;
	case OPT_FRAMES:
		d = strtod(arg, &end);
		if (*arg == '\0' || *end != '\0' || d < 1 || d > 1e9 ||
		    d != floor(d)) {
			main_bad("--frames", "expected a whole number from 1");
			return -1;
		}
		o->frames = (long)d;
		return 0;
	case OPT_THEME:
		setting = "theme";
		break;
	case OPT_BITS:
		o->bits = 1;
		return 0;
	case OPT_BYTES:
		o->bits = 0;
		return 0;
	case OPT_NO_NAMES:
		o->names = 0;
		return 0;
	case OPT_WHAT:
		if (strcmp(arg, "flows") != 0 && strcmp(arg, "hosts") != 0 &&
		    strcmp(arg, "summary") != 0 &&
		    strcmp(arg, "services") != 0 &&
		    strcmp(arg, "samples") != 0 &&
		    strcmp(arg, "alerts") != 0) {
			main_bad("--what", "expected flows, hosts, summary, "
			    "alerts, services or samples");
			return -1;
		}
		o->what = arg;
		return 0;
	case OPT_FORMAT:
		if (strcmp(o->mode, "report") == 0) {
			if (strcmp(arg, "text") != 0 &&
			    strcmp(arg, "json") != 0 &&
			    strcmp(arg, "html") != 0) {
				main_bad("--format", "expected text, json or "
				    "html");
				return -1;
			}
			o->format = arg;
			return 0;
		}
		if (out_format_parse(arg, &fmt) != 0) {
			xasprintf(&why, "expected %s", out_format_names());
			main_bad("--format", why);
			free(why);
			return -1;
		}
		o->format = arg;
		return 0;
	case 'o':
		o->output = arg;
		return 0;
	case OPT_DURATION:
		d = strtod(arg, &end);
		if (*arg == '\0' || *end != '\0' || !isfinite(d) || d <= 0 ||
		    d > 1e7) {
			main_bad("--duration", "expected a number of seconds");
			return -1;
		}
		o->duration = d;
		return 0;
	case OPT_DB:
		o->db_path = arg;
		return 0;
	case OPT_SINCE:
		o->since = arg;
		return 0;
	case OPT_UNTIL:
		o->until = arg;
		return 0;
	case OPT_DAEMONIZE:
		o->daemonize = 1;
		return 0;
	case OPT_PIDFILE:
		setting = "pid_file";
		break;
	case OPT_BEFORE:
		o->before = arg;
		return 0;
	case OPT_METRICS_LISTEN:
		setting = "metrics_listen";
		break;
	case OPT_IPFIX:
		o->ipfix_given = 1;
		setting = "ipfix_collector";
		break;
	default:
		return 0;
	}
	if (cfg_set(o, setting, arg, &cause) != 0) {
		main_bad(main_optname(c), cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* The group an option belongs to; 0 for options every mode takes. */
static unsigned
main_opt_group(int c)
{
	switch (c) {
	case 'i': case 'r': case 'f': case 's': case 'B': case 'p': case 'F':
	case 'u': case OPT_MAX_FLOWS: case OPT_MAX_HOSTS: case OPT_SPEED:
	case OPT_RESOLVE:
		return MAIN_OPT_CAPTURE;
	case 'd': case OPT_FRAMES: case OPT_THEME: case OPT_BITS:
	case OPT_BYTES: case OPT_NO_NAMES:
		return MAIN_OPT_SCREEN;
	case OPT_FORMAT: case 'o':
		return MAIN_OPT_EXPORT | MAIN_OPT_REPORT;
	case OPT_WHAT: case OPT_DURATION:
		return MAIN_OPT_EXPORT;
	case OPT_SINCE: case OPT_UNTIL:
		return MAIN_OPT_EXPORT | MAIN_OPT_REPORT;
	case OPT_BEFORE:
		return MAIN_OPT_DBADMIN;
	case OPT_DB:
		return MAIN_OPT_DB;
	case OPT_DAEMONIZE: case OPT_PIDFILE: case OPT_METRICS_LISTEN:
		return MAIN_OPT_DAEMON;
	case OPT_IPFIX:
		return MAIN_OPT_IPFIX;
	default:
		return 0;
	}
}

/* The mode called name, or NULL. */
static const struct main_mode *
main_mode_find(const char *name)
{
	size_t i;

	for (i = 0; i < MAIN_NMODES; i++)
		if (strcmp(main_modes[i].name, name) == 0)
			return &main_modes[i];
	return NULL;
}

struct main_opt {
	int c;
	char *arg;
};

/* What main() read, kept for mode_reload(). */
static struct main_opt *main_seen;
static int main_nseen;
static const char *main_mode_name;

/* The command line over the configuration in o: sources on the command
 * line replace the files' interface list (`export -r trace.pcap` reads
 * that file only, even with an interface set in wiretop.conf).  0, or -1
 * after a usage line. */
static int
main_apply_all(struct wt_opts *o, const struct main_opt *seen, int nseen)
{
	int i;

	for (i = 0; i < nseen; i++) {
		if (seen[i].c == 'i' || seen[i].c == 'r') {
			o->n_ifaces = 0;
			break;
		}
	}
	for (i = 0; i < nseen; i++)
		if (main_apply(o, seen[i].c, seen[i].arg) != 0)
			return -1;
	return 0;
}

int
mode_reload(const struct wt_opts *cur, struct wt_opts *o, char **cause)
{
	struct wt_opts n;
	unsigned i;

	/* the files read at the start, again: the user's own file may
	 * be out of reach of the user the daemon became */
	cfg_defaults(&n);
	n.mode = main_mode_name;
	for (i = 0; i < cur->n_config_files; i++)
		if (cfg_load_file(&n, cur->config_files[i], 1, cause) != 0)
			return -1;
	if (main_apply_all(&n, main_seen, main_nseen) != 0) {
		*cause = xstrdup("the command line no longer applies");
		return -1;
	}
	*o = n;
	return 0;
}

int
main(int argc, char **argv)
{
	const struct main_mode *mode = &main_modes[0];
	struct main_opt *seen;
	struct wt_opts opts;
	const char *config = NULL;
	char *cause = NULL;
	int c, nseen = 0, show = 0, man = 0, rc, i;
	size_t m;

	/* Before an option or a file is read: the binary's file
	 * capabilities are for the capture group only (proc-priv.c). */
	if (proc_capture_rights(&cause) != 0) {
		log_stderr("%s", cause);
		free(cause);
		return WT_EXIT_CAPTURE;
	}
	cfg_defaults(&opts);
	if (argc > 1 && argv[1][0] != '-') {
		if ((mode = main_mode_find(argv[1])) == NULL) {
			char *cmds = xstrdup(""), *t;

			for (m = 1; m < MAIN_NMODES; m++) {
				xasprintf(&t, "%s %s", cmds, main_modes[m].name);
				free(cmds);
				cmds = t;
			}
			log_stderr("%s: unknown command (commands:%s; none "
			    "for the screen)", argv[1], cmds);
			free(cmds);
			return WT_EXIT_USAGE;
		}
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	opts.mode = mode->name;

	/* First pass: collect, so that -c is loaded before the rest. */
	seen = xcalloc((size_t)argc + 1, sizeof *seen);
	opterr = 0;
	while ((c = getopt_long(argc, argv, main_shortopts, main_longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'h':
			main_usage(stdout);
			free(seen);
			return WT_EXIT_OK;
		case 'V':
			printf("wiretop %s\n", PACKAGE_VERSION);
			free(seen);
			return WT_EXIT_OK;
		case '?':
			if (optopt >= 256)	/* a long option's value */
				log_stderr("%s: needs a value "
				    "(try --help)", main_optname(optopt));
			else if (optopt != 0)
				log_stderr("-%c: %s (try "
				    "--help)", optopt, strchr(main_shortopts,
				    optopt) ? "needs a value" :
				    "unknown option");
			else {
				log_stderr("%s: unknown option or missing "
				    "value (try --help)", argv[optind - 1]);
			}
			free(seen);
			return WT_EXIT_USAGE;
		case 'c':
			config = optarg;
			break;
		case OPT_SHOW_CONFIG:
			show = 1;
			break;
		case OPT_MAN_CONFIG:
			man = 1;
			break;
		default:
			seen[nseen].c = c;
			seen[nseen].arg = optarg;
			nseen++;
			break;
		}
	}
	/* import takes its files as arguments: they are -r sources */
	while (mode->run == mode_import && optind < argc) {
		seen[nseen].c = 'r';
		seen[nseen].arg = argv[optind++];
		nseen++;
	}
	/* db takes its action as an argument */
	if (mode->run == mode_db && optind < argc)
		opts.db_action = argv[optind++];
	if (mode->run == mode_db && opts.db_action != NULL &&
	    strcmp(opts.db_action, "sql") == 0 && optind < argc)
		opts.db_sql = argv[optind++];
	if (optind < argc) {
		log_stderr("%s: unexpected argument (try --help)",
		    argv[optind]);
		free(seen);
		return WT_EXIT_USAGE;
	}
	if (man) {
		cfg_man(stdout);
		free(seen);
		return WT_EXIT_OK;
	}

	if (cfg_load_all(&opts, config, &cause) != 0) {
		log_stderr("%s", cause);
		free(cause);
		free(seen);
		cfg_done();
		return WT_EXIT_USAGE;
	}
	for (i = 0; i < nseen; i++) {
		if (main_opt_group(seen[i].c) != 0 &&
		    (main_opt_group(seen[i].c) & mode->groups) == 0) {
			log_stderr("%s: does not apply to "
			    "'wiretop%s%s' (try --help)",
			    main_optname(seen[i].c), mode == &main_modes[0] ?
			    "" : " ", mode == &main_modes[0] ? "" :
			    mode->name);
			free(seen);
			cfg_done();
			return WT_EXIT_USAGE;
		}
		/* report reads files or the history, never an interface */
		if (mode->run == mode_report && seen[i].c == 'i') {
			log_stderr("-i: report reads capture files (-r) or "
			    "the history database (--db); live capture is not "
			    "reported");
			free(seen);
			cfg_done();
			return WT_EXIT_USAGE;
		}
	}
	if (main_apply_all(&opts, seen, nseen) != 0) {
		free(seen);
		cfg_done();
		return WT_EXIT_USAGE;
	}
	main_seen = seen;
	main_nseen = nseen;
	main_mode_name = mode->name;
	if (show) {
		free(seen);
		cfg_show(&opts, stdout);
		cfg_done();
		return WT_EXIT_OK;
	}

	proc_block_signals();
	proc_fatal_init();
	rc = mode->run(&opts);
	log_close();
	cfg_done();
	free(seen);
	if (rc == WT_EXIT_PIPE)
		proc_die_of_sigpipe();
	return rc;
}
