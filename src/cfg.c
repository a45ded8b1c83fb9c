/*
 * cfg.c: the settings table and the INI configuration (inih).
 *
 * Main thread only, before any other thread exists.  Every setting is one
 * row of cfg_table: its name in the file, type, range, default and help.
 * The same rows parse the file, validate command-line values that set the
 * same things, print --show-config and write the reference section of
 * wiretop.conf(5).  Files are read in order: SYSCONFDIR/wiretop/
 * wiretop.conf, $XDG_CONFIG_HOME (or ~/.config)/wiretop/wiretop.conf,
 * then -c FILE; the command line is applied last.
 */
#include "config.h"
#include "cfg.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fmt.h"
#include "mode.h"
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
	  "Interfaces to capture on, comma-separated (\"any\" for all). "
	  "Empty: the first interface that is up and not loopback." },
	{ "filter", CFG_STRING, O(filter), 0, 0, "", NULL, NULL,
	  "BPF capture filter (pcap-filter(7)). Empty: everything." },
	{ "snaplen", CFG_INT, O(snaplen), 64, 262144, "262144", NULL, "bytes",
	  "Bytes captured of each packet (live capture)." },
	{ "buffer_size", CFG_INT, O(buffer_kb), 256, 4194304, "32768", NULL,
	  "KiB", "Kernel capture buffer per interface." },
	{ "promiscuous", CFG_BOOL, O(promisc), 0, 1, "yes", NULL, NULL,
	  "Put interfaces in promiscuous mode." },
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
	{ "tcp_timeout", CFG_U32, O(ecfg.tcp_timeout_s), 1, 86400, "300",
	  NULL, "seconds", "Inactive timeout of TCP flows." },
	{ "udp_timeout", CFG_U32, O(ecfg.udp_timeout_s), 1, 86400, "60",
	  NULL, "seconds", "Inactive timeout of UDP flows." },
	{ "other_timeout", CFG_U32, O(ecfg.other_timeout_s), 1, 86400, "60",
	  NULL, "seconds", "Inactive timeout of ICMP and other flows." },
	{ "close_timeout", CFG_U32, O(ecfg.close_timeout_s), 1, 3600, "5",
	  NULL, "seconds", "How long a TCP flow stays after FIN or RST." },
	{ "active_timeout", CFG_U32, O(ecfg.active_timeout_s), 10, 604800,
	  "1800", NULL, "seconds", "Long flows are reported (as partial "
	  "records) this often." },
	{ "delay", CFG_MSEC, O(delay_ms), 0.05, 60, "1", NULL, "seconds",
	  "Screen refresh interval." },
	{ "theme", CFG_ENUM, O(theme), 0, 0, "dark", "dark|light|mono", NULL,
	  "Colour theme. NO_COLOR in the environment forces mono." },
	{ "bits", CFG_BOOL, O(bits), 0, 1, "yes", NULL, NULL,
	  "Show rates in bits per second (no: bytes per second)." },
	{ "show_names", CFG_BOOL, O(names), 0, 1, "yes", NULL, NULL,
	  "Show names learned from DNS answers, DHCP and TLS SNI instead of "
	  "addresses." },
	{ "log_file", CFG_STRING, O(log_path), 0, 0, "", NULL, NULL,
	  "Write diagnostics to this file (the screen is never written "
	  "to while the TUI runs)." },
};

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
		*(const char **)(void *)p = *v == '\0' ? NULL : cfg_keep(v);
		return 0;
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

struct cfg_ctx {
	struct wt_opts *o;
	char *cause;		/* first error, without file:line */
};

static int
cfg_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct cfg_ctx *ctx = user;
	const struct cfg_setting *s;
	char *why = NULL;

	if (ctx->cause != NULL)
		return 1;
	if (*section != '\0' && strcmp(section, "wiretop") != 0) {
		xasprintf(&ctx->cause, "[%s]: unknown section (expected "
		    "[wiretop])", section);
		return 0;
	}
	if ((s = cfg_find(name)) == NULL) {
		xasprintf(&ctx->cause, "%s: unknown setting", name);
		return 0;
	}
	if (cfg_apply(ctx->o, s, value, &why) != 0) {
		xasprintf(&ctx->cause, "%s: %s", name, why);
		free(why);
		return 0;
	}
	return 1;
}

int
cfg_load_file(struct wt_opts *o, const char *path, int must_exist,
    char **cause)
{
	struct cfg_ctx ctx = { o, NULL };
	FILE *f;
	int line;

	if ((f = fopen(path, "r")) == NULL) {
		if (!must_exist && errno == ENOENT)
			return 0;
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	line = ini_parse_file(f, cfg_handler, &ctx);
	fclose(f);
	if (line == 0)
		return 0;
	if (line > 0 && ctx.cause != NULL)
		xasprintf(cause, "%s:%d: %s", path, line, ctx.cause);
	else if (line > 0)
		xasprintf(cause, "%s:%d: syntax error (expected key = value "
		    "or [section])", path, line);
	else
		xasprintf(cause, "%s: cannot be read", path);
	free(ctx.cause);
	return -1;
}

int
cfg_load_all(struct wt_opts *o, const char *path, char **cause)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *user = NULL;
	int rc;

	if (getenv("WIRETOP_NO_DEFAULT_CONFIG") == NULL) {
		if (cfg_load_file(o, SYSCONFDIR "/wiretop/wiretop.conf", 0,
		    cause) != 0)
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
	case CFG_STRING:
	case CFG_ENUM:
		str = *(const char *const *)(const void *)p;
		fputs(str != NULL ? str : "", f);
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
		for (i = 0; i < o->n_ifaces; i++)
			fprintf(f, "%s%s", i ? "," : "", o->ifaces[i]);
		break;
	}
}

void
cfg_show(const struct wt_opts *o, FILE *f)
{
	size_t i;

	fputs("# wiretop settings in effect (defaults, files, command line)\n"
	    "[wiretop]\n", f);
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
