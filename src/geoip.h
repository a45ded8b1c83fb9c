/*
 * geoip.h: country, city and autonomous system of an address, from
 * MaxMind DB files (libmaxminddb), looked up once per host and cached.
 */
#ifndef WIRETOP_GEOIP_H
#define WIRETOP_GEOIP_H

#include <stdint.h>

#define GEOIP_NAME_MAX	128	/* bytes kept of a database's name */

/* What is known of an address.  16 bytes, kept in every host. */
struct geoip_info {
	char cc[2];		/* ISO 3166-1 alpha-2 (A-Z only); cc[0] == 0:
				   unknown */
	uint8_t state;		/* GEOIP_* */
	uint8_t gen;		/* geoip generation it was looked up in */
	uint32_t asn;		/* autonomous system number, 0: unknown */
	uint32_t org;		/* geoip_str() id of the AS organisation,
				   0: none */
	uint32_t city;		/* geoip_str() id of the city (English
				   name), 0: none */
};

enum geoip_state {
	GEOIP_NONE = 0,		/* not looked up: no database open */
	GEOIP_PRIVATE,		/* a private, local or special address:
				   never looked up */
	GEOIP_LOOKED,		/* looked up (fields may be unknown) */
};

/* The default files: where geoipupdate puts GeoLite2 on Debian.  The
 * country setting is a list: the first file that exists is used. */
#define GEOIP_DEFAULT_COUNTRY	"/var/lib/GeoIP/GeoLite2-City.mmdb," \
	"/var/lib/GeoIP/GeoLite2-Country.mmdb"
#define GEOIP_DEFAULT_ASN	"/var/lib/GeoIP/GeoLite2-ASN.mmdb"

struct geoip;

/* A handle for a country (or city) database and an ASN database; either
 * setting may be NULL or "" (not used).  Nothing is opened yet. */
struct geoip	*geoip_create(const char *country_db, const char *asn_db);
void		 geoip_free(struct geoip *);
/* Use other settings (HUP); the files are opened by the next
 * geoip_open(). */
void		 geoip_set_paths(struct geoip *, const char *country_db,
		    const char *asn_db);
/* Open (or open again) both files.  Returns the number of databases
 * open.  A problem worth telling the user is one line in
 * geoip_notice(); a database that is simply absent from its default
 * place is not a problem (geoip_status() says "off"). */
int		 geoip_open(struct geoip *);
/* If a file changed on disk (replaced, rewritten) since it was opened,
 * or appeared, open both again; at most once every few seconds of wall
 * clock.  1 if the databases were opened again. */
int		 geoip_check(struct geoip *);
/* Look an address up (ip_ver 4 or 6; addr as in struct pkt_meta). */
void		 geoip_lookup(struct geoip *, uint8_t ip_ver,
		    const uint8_t addr[16], struct geoip_info *);
/* 1 if the address is private, local or special (no lookup). */
int		 geoip_special(uint8_t ip_ver, const uint8_t addr[16]);
/* A string by id (borrowed, valid until geoip_free), "" for 0. */
const char	*geoip_str(const struct geoip *, uint32_t id);
/* The country code of i as a string ("--" if unknown) into buf[3]. */
const char	*geoip_cc(const struct geoip_info *, char buf[3]);
/* One line for the status bar: "GeoIP: off (no database)", "GeoIP:
 * country, ASN" ... (borrowed). */
const char	*geoip_status(const struct geoip *);
/* The last problem found (one line, borrowed), or NULL. */
const char	*geoip_notice(const struct geoip *);
/* 1 if at least one database is open. */
int		 geoip_active(const struct geoip *);
/* Incremented whenever the databases are opened again. */
uint8_t		 geoip_generation(const struct geoip *);
/* Lookup errors (a database damaged past what its open checks found). */
uint64_t	 geoip_errors(const struct geoip *);

#endif
