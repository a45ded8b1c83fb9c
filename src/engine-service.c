/*
 * engine-service.c: names for IP protocols and TCP/UDP ports.
 *
 * A built-in table of well-known ports answers first; /etc/services is
 * the fallback, read once on the first miss (under pthread_once, so any
 * thread may ask) into two arrays indexed by port that live until exit.
 * Returned strings are static or owned by those arrays: never freed.
 */
#include "config.h"
#include "engine.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "xmalloc.h"

#define SVC_TCP	0x1
#define SVC_UDP	0x2
#define SVC_ANY	(SVC_TCP | SVC_UDP)

struct svc_entry {
	uint16_t port;
	uint8_t protos;
	const char *name;
};

/* Sorted by port, then protocol mask (the lookup scans the port's run). */
static const struct svc_entry svc_builtin[] = {
	{ 20, SVC_TCP, "ftp-data" },
	{ 21, SVC_TCP, "ftp" },
	{ 22, SVC_TCP, "ssh" },
	{ 23, SVC_TCP, "telnet" },
	{ 25, SVC_TCP, "smtp" },
	{ 53, SVC_ANY, "dns" },
	{ 67, SVC_UDP, "dhcp" },
	{ 68, SVC_UDP, "dhcp" },
	{ 69, SVC_UDP, "tftp" },
	{ 80, SVC_TCP, "http" },
	{ 88, SVC_ANY, "kerberos" },
	{ 110, SVC_TCP, "pop3" },
	{ 123, SVC_UDP, "ntp" },
	{ 137, SVC_ANY, "netbios" },
	{ 138, SVC_ANY, "netbios" },
	{ 139, SVC_ANY, "netbios" },
	{ 143, SVC_TCP, "imap" },
	{ 161, SVC_ANY, "snmp" },
	{ 162, SVC_ANY, "snmp" },
	{ 179, SVC_TCP, "bgp" },
	{ 389, SVC_ANY, "ldap" },
	{ 443, SVC_TCP, "https" },
	{ 443, SVC_UDP, "quic" },
	{ 445, SVC_TCP, "smb" },
	{ 465, SVC_TCP, "smtps" },
	{ 514, SVC_UDP, "syslog" },
	{ 587, SVC_TCP, "submission" },
	{ 636, SVC_TCP, "ldaps" },
	{ 853, SVC_ANY, "dot" },
	{ 993, SVC_TCP, "imaps" },
	{ 995, SVC_TCP, "pop3s" },
	{ 1194, SVC_ANY, "openvpn" },
	{ 1433, SVC_TCP, "mssql" },
	{ 1883, SVC_TCP, "mqtt" },
	{ 1900, SVC_UDP, "ssdp" },
	{ 3306, SVC_TCP, "mysql" },
	{ 3389, SVC_ANY, "rdp" },
	{ 3544, SVC_UDP, "teredo" },
	{ 5060, SVC_ANY, "sip" },
	{ 5353, SVC_UDP, "mdns" },
	{ 5355, SVC_ANY, "llmnr" },
	{ 5432, SVC_TCP, "postgresql" },
	{ 5900, SVC_TCP, "vnc" },
	{ 6379, SVC_TCP, "redis" },
	{ 8080, SVC_TCP, "http-alt" },
	{ 8443, SVC_TCP, "https-alt" },
	{ 9200, SVC_TCP, "elasticsearch" },
	{ 11211, SVC_ANY, "memcached" },
	{ 27017, SVC_TCP, "mongodb" },
};

static pthread_once_t svc_once = PTHREAD_ONCE_INIT;
static char **svc_file[2];	/* [0] tcp, [1] udp: 65536 names each */

#ifndef SERVICES_PATH
#define SERVICES_PATH "/etc/services"
#endif

/* Read /etc/services: "name port/proto [aliases] [# comment]". */
static void
svc_load(void)
{
	FILE *f;
	char line[512];

	svc_file[0] = xcalloc(65536, sizeof *svc_file[0]);
	svc_file[1] = xcalloc(65536, sizeof *svc_file[1]);
	if ((f = fopen(SERVICES_PATH, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		char *name, *pp, *slash, *end, *save = NULL;
		unsigned long port;
		int which;

		if ((end = strchr(line, '#')) != NULL)
			*end = '\0';
		if ((name = strtok_r(line, " \t\r\n", &save)) == NULL ||
		    (pp = strtok_r(NULL, " \t\r\n", &save)) == NULL)
			continue;
		if ((slash = strchr(pp, '/')) == NULL)
			continue;
		*slash = '\0';
		if (!isdigit((unsigned char)pp[0]))
			continue;
		port = strtoul(pp, &end, 10);
		if (*end != '\0' || port > 65535)
			continue;
		if (strcmp(slash + 1, "tcp") == 0)
			which = 0;
		else if (strcmp(slash + 1, "udp") == 0)
			which = 1;
		else
			continue;
		if (svc_file[which][port] == NULL)
			svc_file[which][port] = xstrdup(name);
	}
	fclose(f);
}

/* Name the service of a TCP or UDP port, or NULL. */
const char *
service_name(uint8_t proto, uint16_t port)
{
	uint8_t mask;
	size_t lo = 0, hi = sizeof svc_builtin / sizeof svc_builtin[0];

	if (proto == 6)
		mask = SVC_TCP;
	else if (proto == 17)
		mask = SVC_UDP;
	else
		return NULL;
	if (port == 0)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (svc_builtin[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < sizeof svc_builtin / sizeof svc_builtin[0] &&
	    svc_builtin[lo].port == port; lo++) {
		if (svc_builtin[lo].protos & mask)
			return svc_builtin[lo].name;
	}
	pthread_once(&svc_once, svc_load);
	return svc_file[mask == SVC_TCP ? 0 : 1][port];
}

/* Name an IP protocol number, or NULL. */
const char *
proto_name(uint8_t proto)
{
	switch (proto) {
	case 0:
		return "hopopt";
	case 1:
		return "icmp";
	case 2:
		return "igmp";
	case 4:
		return "ipip";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 41:
		return "ipv6";
	case 43:
		return "ipv6-route";
	case 44:
		return "ipv6-frag";
	case 46:
		return "rsvp";
	case 47:
		return "gre";
	case 50:
		return "esp";
	case 51:
		return "ah";
	case 58:
		return "icmp6";
	case 59:
		return "ipv6-nonxt";
	case 60:
		return "ipv6-opts";
	case 88:
		return "eigrp";
	case 89:
		return "ospf";
	case 103:
		return "pim";
	case 112:
		return "vrrp";
	case 115:
		return "l2tp";
	case 132:
		return "sctp";
	case 136:
		return "udplite";
	default:
		return NULL;
	}
}

/* Name a flow's service from its responder's port, else its originator's. */
const char *
flow_service(const struct flow *f)
{
	struct flow_ep o, r;
	const char *s;

	if (f->key.proto != 6 && f->key.proto != 17)
		return NULL;
	flow_endpoints(f, &o, &r);
	if ((s = service_name(f->key.proto, r.port)) != NULL)
		return s;
	return service_name(f->key.proto, o.port);
}
