/*
 * engine-service.c: names for IP protocols and TCP/UDP ports.
 *
 * A built-in table of well-known ports answers first; /etc/services is
 * the fallback.  Both are laid once (under pthread_once, so any thread
 * may ask) into two arrays indexed by port that live until exit, the
 * built-in names over the file's, so a lookup is one load (it is on the
 * path of every flow record).  Returned strings are static or owned by
 * those arrays: never freed.
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
	{ 137, SVC_TCP, "netbios" },
	{ 137, SVC_UDP, "dns" },	/* NetBIOS name service: DNS on the
					   wire, Zeek's name */
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
	{ 514, SVC_ANY, "syslog" },	/* TCP too, as Zeek (rsh is gone) */
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
	{ 5353, SVC_UDP, "dns" },	/* mDNS and LLMNR are DNS messages: */
	{ 5355, SVC_ANY, "dns" },	/* Zeek's DNS analyzer names them */
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
static const char **svc_port[2];	/* [0] tcp, [1] udp: 65536 names each */

#ifndef SERVICES_PATH
#define SERVICES_PATH "/etc/services"
#endif

/* Ports named in a services(5) file, the first name of each. */
static void
svc_load_file(FILE *f)
{
	char line[512];

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
		if (*end != '\0' || port == 0 || port > 65535)
			continue;
		if (strcmp(slash + 1, "tcp") == 0)
			which = 0;
		else if (strcmp(slash + 1, "udp") == 0)
			which = 1;
		else
			continue;
		if (svc_port[which][port] == NULL)
			svc_port[which][port] = xstrdup(name);
	}
}

/* Lay out the built-in table, then the ports /etc/services ("name
 * port/proto [aliases] [# comment]") names that it does not. */
static void
svc_load(void)
{
	FILE *f;
	size_t i;

	svc_port[0] = xcalloc(65536, sizeof *svc_port[0]);
	svc_port[1] = xcalloc(65536, sizeof *svc_port[1]);
	/* the first built-in entry of a port and protocol wins; the file
	 * only fills the ports left */
	for (i = sizeof svc_builtin / sizeof svc_builtin[0]; i-- > 0; ) {
		if (svc_builtin[i].protos & SVC_TCP)
			svc_port[0][svc_builtin[i].port] = svc_builtin[i].name;
		if (svc_builtin[i].protos & SVC_UDP)
			svc_port[1][svc_builtin[i].port] = svc_builtin[i].name;
	}
	if ((f = fopen(SERVICES_PATH, "re")) != NULL) {
		svc_load_file(f);
		fclose(f);
	}
}

/* Name the service of a TCP or UDP port, or NULL. */
const char *
service_name(uint8_t proto, uint16_t port)
{
	if (proto != 6 && proto != 17)
		return NULL;
	pthread_once(&svc_once, svc_load);
	return svc_port[proto == 6 ? 0 : 1][port];
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
	uint16_t rp, op;
	const char *s;

	if (flow_service_known(f, &s))
		return s;
	rp = f->orig_is_a ? f->key.bp : f->key.ap;
	op = f->orig_is_a ? f->key.ap : f->key.bp;
	if ((s = service_name(f->key.proto, rp)) != NULL)
		return s;
	return service_name(f->key.proto, op);
}

/* Whether a flow's service is decided before its ports are looked at:
 * 1 with *name set (NULL: none) if so, 0 if the ports name it. */
int
flow_service_known(const struct flow *f, const char **name)
{
	unsigned dirs, kind;

	*name = NULL;
	if (f->key.proto != 6 && f->key.proto != 17)
		return 1;
	/* What the decoder saw beats the port: a UDP flow that carried a
	 * tunnel is that tunnel, on whatever port. */
	if ((kind = engine_flow_carried(f, &dirs)) != PKT_TUN_NONE &&
	    f->key.proto == 17) {
		*name = flow_tunnel_name(kind);
		return 1;
	}
	/* Nothing carried, nothing to name: a SYN, a RST or an empty
	 * datagram to port 80 is not HTTP (Zeek logs "-" too). */
	return f->dir[0].bytes == 0 && f->dir[1].bytes == 0;
}

/* Name of an enum pkt_tunnel, NULL for none. */
const char *
flow_tunnel_name(unsigned kind)
{
	static const char *const names[PKT_TUN_COUNT] = {
		[PKT_TUN_IP] = "ip",
		[PKT_TUN_GRE] = "gre",
		[PKT_TUN_TEREDO] = "teredo",
		[PKT_TUN_VXLAN] = "vxlan",
		[PKT_TUN_GENEVE] = "geneve",
		[PKT_TUN_GTPU] = "gtpu",
	};

	return kind < PKT_TUN_COUNT ? names[kind] : NULL;
}
