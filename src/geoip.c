/*
 * geoip.c: country, city and autonomous system of addresses, from a
 * country (or city) and an ASN database in MaxMind DB format, read with
 * libmaxminddb.
 *
 * Owned by the main thread (the thread that owns the engine): the engine
 * asks once per host, when the host is made; nothing here runs per
 * packet, and nothing is locked.  A lookup walks the database's search
 * tree (libmaxminddb, memory-mapped file) to a data record; the fields
 * wiretop keeps of a record are decoded once per record and remembered
 * by its offset (a country database has a few hundred records for
 * millions of networks), so most lookups cost the tree walk alone.
 *
 * The files are hostile input.  libmaxminddb checks the metadata and the
 * tree's size on open and bounds every read; on top of that a database
 * must answer a few probe lookups without an error before it is used,
 * lookup errors are counted and a database that keeps failing is closed,
 * and what is kept of its strings is bounded: a country code is two
 * letters A-Z or nothing, names are at most GEOIP_NAME_MAX bytes and
 * interned in one table of at most GEOIP_STRS_MAX strings (the screen
 * and the exports escape them where they go).  A missing, unreadable,
 * truncated or corrupt file gives one notice line (geoip_notice()) and
 * no data: the geo columns show "--" and everything else runs on.
 *
 * Strings keep their ids for the life of the handle, across reopens, so
 * a host's geoip_info never points at freed memory.
 */
#include "config.h"
#include "geoip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"
#include "xmalloc.h"

#define GEOIP_STRS_MAX	(1u << 20)	/* interned strings at most */
#define GEOIP_MEMO_SLOTS (1u << 14)	/* decoded records remembered */
#define GEOIP_ERRORS_MAX	64	/* lookup errors before a close */
#define GEOIP_CHECK_S		5	/* seconds between file checks */

enum { GEOIP_DB_COUNTRY, GEOIP_DB_ASN, GEOIP_NDB };

/* A decoded record: what one data offset gave. */
struct geoip_memo {
	uint32_t off1;		/* data offset + 1; 0: empty slot */
	char cc[2];
	uint32_t num;		/* ASN */
	uint32_t str;		/* city or organisation */
};

struct geoip_db {
	const char *what;	/* "country" or "ASN" */
	char *setting;		/* owned: the setting (country: a list) */
	char *path;		/* owned: the file opened or tried */
	int is_default;		/* the setting is the built-in default */
	int open;
	MMDB_s mmdb;
	struct stat st;		/* of the file when opened */
	int seen;		/* st is valid (the file existed) */
	uint64_t errors;	/* lookup errors since opened */
	struct geoip_memo *memo;	/* owned, GEOIP_MEMO_SLOTS; NULL until
					   the database is first opened */
};

struct geoip_strs {
	char **v;		/* owned: v[id - 1] */
	uint32_t n, cap;
	uint32_t *slots;	/* open addressing: id, 0 = empty */
	uint32_t nslots;
};

struct geoip {
	struct geoip_db db[GEOIP_NDB];
	struct geoip_strs strs;
	uint8_t gen;
	uint64_t errors;
	time_t checked;		/* wall clock of the last file check */
	char status[96];
	char *notice;		/* owned, NULL: nothing to tell */
};

/* ---- strings -------------------------------------------------------- */

static uint32_t
geoip_strhash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void
geoip_strs_grow(struct geoip_strs *t)
{
	uint32_t *ns, nn = t->nslots != 0 ? t->nslots * 2 : 1024, i, j;

	ns = xcalloc(nn, sizeof *ns);
	for (i = 0; i < t->nslots; i++) {
		if (t->slots[i] == 0)
			continue;
		j = geoip_strhash(t->v[t->slots[i] - 1],
		    strlen(t->v[t->slots[i] - 1])) & (nn - 1);
		while (ns[j] != 0)
			j = (j + 1) & (nn - 1);
		ns[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = ns;
	t->nslots = nn;
}

/* The id of a string of n bytes (n > 0); 0 when the table is full. */
static uint32_t
geoip_intern(struct geoip_strs *t, const char *s, size_t n)
{
	uint32_t j, id;
	char *d;

	if (t->n + 1 > t->nslots / 2 && t->n < GEOIP_STRS_MAX)
		geoip_strs_grow(t);
	j = geoip_strhash(s, n) & (t->nslots - 1);
	while ((id = t->slots[j]) != 0) {
		d = t->v[id - 1];
		if (strncmp(d, s, n) == 0 && d[n] == '\0')
			return id;
		j = (j + 1) & (t->nslots - 1);
	}
	if (t->n >= GEOIP_STRS_MAX)
		return 0;
	if (t->n == t->cap) {
		t->cap = t->cap != 0 ? t->cap * 2 : 256;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	t->v[t->n++] = d;
	t->slots[j] = t->n;
	return t->n;
}

/* A string from the database: at most GEOIP_NAME_MAX bytes, without NUL
 * bytes (cut there), interned; 0 if empty or not a string. */
static uint32_t
geoip_name(struct geoip *g, const MMDB_entry_data_s *d)
{
	const char *s, *z;
	size_t n;

	if (!d->has_data || d->type != MMDB_DATA_TYPE_UTF8_STRING)
		return 0;
	s = d->utf8_string;
	n = d->data_size;
	if (n > GEOIP_NAME_MAX)
		n = GEOIP_NAME_MAX;
	if ((z = memchr(s, '\0', n)) != NULL)
		n = (size_t)(z - s);
	return n > 0 ? geoip_intern(&g->strs, s, n) : 0;
}

const char *
geoip_str(const struct geoip *g, uint32_t id)
{
	if (g == NULL || id == 0 || id > g->strs.n)
		return "";
	return g->strs.v[id - 1];
}

/* ---- files ---------------------------------------------------------- */

static void
geoip_db_close(struct geoip_db *db)
{
	if (db->open)
		MMDB_close(&db->mmdb);
	db->open = 0;
	db->errors = 0;
}

/* The file a setting names: the first of its comma-separated list that
 * exists, else the first.  Owned. */
static char *
geoip_pick(const char *setting)
{
	const char *s = setting, *e;
	char *first = NULL, *p;
	struct stat st;

	while (*s != '\0') {
		e = strchr(s, ',');
		if (e == NULL)
			e = s + strlen(s);
		if (e > s) {
			p = xmalloc((size_t)(e - s) + 1);
			memcpy(p, s, (size_t)(e - s));
			p[e - s] = '\0';
			if (stat(p, &st) == 0) {
				free(first);
				return p;
			}
			if (first == NULL)
				first = p;
			else
				free(p);
		}
		s = *e == ',' ? e + 1 : e;
	}
	return first;
}

static int
geoip_probe_one(struct geoip_db *db, const char *ip)
{
	MMDB_lookup_result_s r;
	MMDB_entry_data_s d;
	int gai, me, rc;

	r = MMDB_lookup_string(&db->mmdb, ip, &gai, &me);
	if (gai != 0)
		return 0;
	if (me == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return 0;
	if (me != MMDB_SUCCESS)
		return -1;
	if (!r.found_entry)
		return 0;
	rc = MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL);
	if (rc != MMDB_SUCCESS &&
	    rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return -1;
	rc = MMDB_get_value(&r.entry, &d, "autonomous_system_number", NULL);
	if (rc != MMDB_SUCCESS &&
	    rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return -1;
	return 0;
}

/* A few lookups over the tree: a damaged tree or data section that the
 * open did not catch shows here. */
static int
geoip_probe(struct geoip_db *db)
{
	static const char *const ips[] = { "1.1.1.1", "8.8.8.8",
	    "81.2.69.142", "89.160.20.112", "216.160.83.56", "1.128.0.1",
	    "2001:218::1", "2a02:cf40::1", "2001:4860:4860::8888", "::1.2.3.4",
	    "255.255.255.255", "ffff::1" };
	size_t i;

	for (i = 0; i < sizeof ips / sizeof ips[0]; i++) {
		if (geoip_probe_one(db, ips[i]) != 0)
			return -1;
	}
	return 0;
}

/* Open one database; a cause (owned) when it cannot be used and the
 * user should hear of it. */
static char *
geoip_db_open(struct geoip_db *db)
{
	char *cause = NULL;
	int rc, quiet;

	geoip_db_close(db);
	free(db->path);
	db->path = NULL;
	db->seen = 0;
	if (db->setting == NULL || db->setting[0] == '\0')
		return NULL;
	if ((db->path = geoip_pick(db->setting)) == NULL)
		return NULL;
	if (stat(db->path, &db->st) != 0) {
		quiet = errno == ENOENT && db->is_default;
		if (!quiet)
			xasprintf(&cause, "%s database %s: %s", db->what,
			    db->path, strerror(errno));
		return cause;
	}
	db->seen = 1;
	if (!S_ISREG(db->st.st_mode)) {
		xasprintf(&cause, "%s database %s: not a regular file",
		    db->what, db->path);
		return cause;
	}
	memset(&db->mmdb, 0, sizeof db->mmdb);
	rc = MMDB_open(db->path, MMDB_MODE_MMAP, &db->mmdb);
	if (rc != MMDB_SUCCESS) {
		if (rc == MMDB_IO_ERROR && errno != 0)
			xasprintf(&cause, "%s database %s: %s (%s)", db->what,
			    db->path, MMDB_strerror(rc), strerror(errno));
		else
			xasprintf(&cause, "%s database %s: %s", db->what,
			    db->path, MMDB_strerror(rc));
		return cause;
	}
	db->open = 1;
	if (geoip_probe(db) != 0) {
		geoip_db_close(db);
		xasprintf(&cause, "%s database %s: damaged (a test lookup "
		    "failed)", db->what, db->path);
		return cause;
	}
	/* the memo (256 KiB) only for a database in use */
	if (db->memo == NULL)
		db->memo = xcalloc(GEOIP_MEMO_SLOTS, sizeof *db->memo);
	else
		memset(db->memo, 0, GEOIP_MEMO_SLOTS * sizeof *db->memo);
	/* the type is the file's text: the log escapes control bytes */
	log_info("GeoIP: %s database %s opened (%.64s, built %llu)",
	    db->what, db->path, db->mmdb.metadata.database_type != NULL ?
	    db->mmdb.metadata.database_type : "?", (unsigned long long)
	    db->mmdb.metadata.build_epoch);
	return NULL;
}

static void
geoip_set_status(struct geoip *g)
{
	int c = g->db[GEOIP_DB_COUNTRY].open, a = g->db[GEOIP_DB_ASN].open;

	if (!c && !a)
		snprintf(g->status, sizeof g->status, "GeoIP: off (%s)",
		    g->notice != NULL ? "database unusable" : "no database");
	else
		snprintf(g->status, sizeof g->status, "GeoIP: %s%s%s",
		    c ? "country" : "", c && a ? ", " : "", a ? "ASN" : "");
}

struct geoip *
geoip_create(const char *country_db, const char *asn_db)
{
	struct geoip *g = xcalloc(1, sizeof *g);

	g->db[GEOIP_DB_COUNTRY].what = "country";
	g->db[GEOIP_DB_ASN].what = "ASN";
	geoip_set_paths(g, country_db, asn_db);
	geoip_strs_grow(&g->strs);
	geoip_set_status(g);
	return g;
}

void
geoip_set_paths(struct geoip *g, const char *country_db, const char *asn_db)
{
	struct geoip_db *c = &g->db[GEOIP_DB_COUNTRY];
	struct geoip_db *a = &g->db[GEOIP_DB_ASN];

	free(c->setting);
	free(a->setting);
	c->setting = xstrdup(country_db != NULL ? country_db : "");
	a->setting = xstrdup(asn_db != NULL ? asn_db : "");
	c->is_default = strcmp(c->setting, GEOIP_DEFAULT_COUNTRY) == 0;
	a->is_default = strcmp(a->setting, GEOIP_DEFAULT_ASN) == 0;
}

void
geoip_free(struct geoip *g)
{
	uint32_t i;
	int k;

	if (g == NULL)
		return;
	for (k = 0; k < GEOIP_NDB; k++) {
		geoip_db_close(&g->db[k]);
		free(g->db[k].setting);
		free(g->db[k].path);
		free(g->db[k].memo);
	}
	for (i = 0; i < g->strs.n; i++)
		free(g->strs.v[i]);
	free(g->strs.v);
	free(g->strs.slots);
	free(g->notice);
	free(g);
}

int
geoip_open(struct geoip *g)
{
	char *cause[GEOIP_NDB];
	int k, n = 0;

	free(g->notice);
	g->notice = NULL;
	for (k = 0; k < GEOIP_NDB; k++) {
		cause[k] = geoip_db_open(&g->db[k]);
		n += g->db[k].open;
	}
	if (cause[0] != NULL || cause[1] != NULL) {
		xasprintf(&g->notice, "GeoIP: %s%s%s; %s", cause[0] != NULL ?
		    cause[0] : "", cause[0] != NULL && cause[1] != NULL ?
		    "; " : "", cause[1] != NULL ? cause[1] : "", n == 0 ?
		    "geo columns show --" : cause[0] != NULL ?
		    "countries show --" : "ASNs stay empty");
		log_warn("%s", g->notice);
	} else if (n == 0)
		log_info("GeoIP: off (no database)");
	free(cause[0]);
	free(cause[1]);
	g->gen++;
	g->checked = time(NULL);
	geoip_set_status(g);
	return n;
}

/* 1 if db's file is not the one opened (replaced, rewritten, appeared
 * or gone). */
static int
geoip_db_changed(const struct geoip_db *db)
{
	struct stat st;
	char *p;
	int changed;

	if (db->setting == NULL || db->setting[0] == '\0')
		return 0;
	p = geoip_pick(db->setting);
	if (p == NULL)
		return 0;
	if (db->path == NULL || strcmp(p, db->path) != 0) {
		free(p);
		return 1;
	}
	if (stat(p, &st) != 0)
		changed = 0;	/* gone: keep the mapping we have */
	else
		changed = !db->seen || st.st_ino != db->st.st_ino ||
		    st.st_dev != db->st.st_dev ||
		    st.st_size != db->st.st_size ||
		    st.st_mtim.tv_sec != db->st.st_mtim.tv_sec ||
		    st.st_mtim.tv_nsec != db->st.st_mtim.tv_nsec;
	free(p);
	return changed;
}

int
geoip_check(struct geoip *g)
{
	time_t now = time(NULL);
	int k;

	if (now - g->checked < GEOIP_CHECK_S && now >= g->checked)
		return 0;
	g->checked = now;
	for (k = 0; k < GEOIP_NDB; k++) {
		if (geoip_db_changed(&g->db[k])) {
			log_info("GeoIP: %s database changed on disk: "
			    "opening it again", g->db[k].what);
			geoip_open(g);
			return 1;
		}
	}
	return 0;
}

/* ---- lookups -------------------------------------------------------- */

int
geoip_special(uint8_t ip_ver, const uint8_t a[16])
{
	static const uint8_t zero[16];

	if (ip_ver == 4) {
		return a[0] == 0 || a[0] == 10 || a[0] == 127 ||
		    a[0] >= 224 ||
		    (a[0] == 100 && (a[1] & 0xc0) == 64) ||
		    (a[0] == 169 && a[1] == 254) ||
		    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		    (a[0] == 192 && a[1] == 168);
	}
	if (ip_ver != 6)
		return 1;
	if (memcmp(a, zero, 15) == 0)		/* :: and ::1 */
		return 1;
	return (a[0] & 0xfe) == 0xfc ||		/* fc00::/7 */
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||	/* fe80::/10 */
	    a[0] == 0xff;			/* multicast */
}

/* The memo slot of a data offset in db. */
static struct geoip_memo *
geoip_memo_slot(struct geoip_db *db, uint32_t off)
{
	uint32_t h = off * 2654435761u;

	return &db->memo[(h >> 18) & (GEOIP_MEMO_SLOTS - 1)];
}

/* A lookup error: counted; a database that keeps failing is closed. */
static void
geoip_db_error(struct geoip *g, struct geoip_db *db, int rc)
{
	g->errors++;
	if (++db->errors == 1)
		log_warn("GeoIP: %s database %s: lookup failed: %s", db->what,
		    db->path, MMDB_strerror(rc));
	if (db->errors >= GEOIP_ERRORS_MAX) {
		free(g->notice);
		xasprintf(&g->notice, "GeoIP: %s database %s: %llu lookups "
		    "failed (%s): closed", db->what, db->path,
		    (unsigned long long)db->errors, MMDB_strerror(rc));
		log_error("%s", g->notice);
		geoip_db_close(db);
		geoip_set_status(g);
	}
}

/* Decode the fields kept of the record at e into m. */
static int
geoip_decode(struct geoip *g, int k, MMDB_entry_s *e, struct geoip_memo *m)
{
	MMDB_entry_data_s d;
	int rc;

	memset(m, 0, sizeof *m);
	if (k == GEOIP_DB_COUNTRY) {
		rc = MMDB_get_value(e, &d, "country", "iso_code", NULL);
		if (rc == MMDB_SUCCESS && !d.has_data)
			rc = MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR;
		if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
			rc = MMDB_get_value(e, &d, "registered_country",
			    "iso_code", NULL);
		if (rc == MMDB_SUCCESS && d.has_data &&
		    d.type == MMDB_DATA_TYPE_UTF8_STRING &&
		    d.data_size == 2 &&
		    d.utf8_string[0] >= 'A' && d.utf8_string[0] <= 'Z' &&
		    d.utf8_string[1] >= 'A' && d.utf8_string[1] <= 'Z')
			memcpy(m->cc, d.utf8_string, 2);
		else if (rc != MMDB_SUCCESS &&
		    rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
			return rc;
		rc = MMDB_get_value(e, &d, "city", "names", "en", NULL);
		if (rc == MMDB_SUCCESS)
			m->str = geoip_name(g, &d);
		else if (rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
			return rc;
		return MMDB_SUCCESS;
	}
	rc = MMDB_get_value(e, &d, "autonomous_system_number", NULL);
	if (rc == MMDB_SUCCESS && d.has_data) {
		if (d.type == MMDB_DATA_TYPE_UINT32)
			m->num = d.uint32;
		else if (d.type == MMDB_DATA_TYPE_UINT16)
			m->num = d.uint16;
	} else if (rc != MMDB_SUCCESS &&
	    rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return rc;
	rc = MMDB_get_value(e, &d, "autonomous_system_organization", NULL);
	if (rc == MMDB_SUCCESS)
		m->str = geoip_name(g, &d);
	else if (rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return rc;
	return MMDB_SUCCESS;
}

/* Look up in database k; the record's fields into m (zero if none). */
static void
geoip_db_lookup(struct geoip *g, int k, const struct sockaddr *sa,
    struct geoip_memo *out)
{
	struct geoip_db *db = &g->db[k];
	struct geoip_memo *m, tmp;
	MMDB_lookup_result_s r;
	int me, rc;

	memset(out, 0, sizeof *out);
	if (!db->open)
		return;
	r = MMDB_lookup_sockaddr(&db->mmdb, sa, &me);
	if (me == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
		return;
	if (me != MMDB_SUCCESS) {
		geoip_db_error(g, db, me);
		return;
	}
	if (!r.found_entry)
		return;
	m = geoip_memo_slot(db, r.entry.offset);
	if (m->off1 == r.entry.offset + 1) {
		*out = *m;
		return;
	}
	if ((rc = geoip_decode(g, k, &r.entry, &tmp)) != MMDB_SUCCESS) {
		geoip_db_error(g, db, rc);
		return;
	}
	tmp.off1 = r.entry.offset + 1;
	*m = tmp;
	*out = tmp;
}

void
geoip_lookup(struct geoip *g, uint8_t ip_ver, const uint8_t addr[16],
    struct geoip_info *i)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct geoip_memo m;

	memset(i, 0, sizeof *i);
	if (g == NULL)
		return;
	i->gen = g->gen;
	if (geoip_special(ip_ver, addr)) {
		i->state = GEOIP_PRIVATE;
		return;
	}
	if (!g->db[GEOIP_DB_COUNTRY].open && !g->db[GEOIP_DB_ASN].open)
		return;
	i->state = GEOIP_LOOKED;
	memset(&ss, 0, sizeof ss);
	if (ip_ver == 4) {
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, addr, 4);
	} else {
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, addr, 16);
	}
	geoip_db_lookup(g, GEOIP_DB_COUNTRY, (struct sockaddr *)&ss, &m);
	memcpy(i->cc, m.cc, 2);
	i->city = m.str;
	geoip_db_lookup(g, GEOIP_DB_ASN, (struct sockaddr *)&ss, &m);
	i->asn = m.num;
	i->org = m.str;
}

const char *
geoip_cc(const struct geoip_info *i, char buf[3])
{
	if (i->cc[0] == '\0')
		return "--";
	buf[0] = i->cc[0];
	buf[1] = i->cc[1];
	buf[2] = '\0';
	return buf;
}

const char *
geoip_status(const struct geoip *g)
{
	return g != NULL ? g->status : "GeoIP: off (no database)";
}

const char *
geoip_notice(const struct geoip *g)
{
	return g != NULL ? g->notice : NULL;
}

int
geoip_active(const struct geoip *g)
{
	return g != NULL && (g->db[GEOIP_DB_COUNTRY].open ||
	    g->db[GEOIP_DB_ASN].open);
}

uint8_t
geoip_generation(const struct geoip *g)
{
	return g != NULL ? g->gen : 0;
}

uint64_t
geoip_errors(const struct geoip *g)
{
	return g != NULL ? g->errors : 0;
}
