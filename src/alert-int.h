/*
 * alert-int.h: what the alert core shares with alert_command (alert-cmd.c)
 * and cfg.c.  Private to alert*.c and cfg.c.
 */
#ifndef WIRETOP_ALERT_INT_H
#define WIRETOP_ALERT_INT_H

#include "alert.h"

struct alert_cmd;

/* Check one list setting of the detectors (policy_deny,
 * policy_deny_external, geo_deny_countries, geo_allow_countries,
 * geo_deny_asns) as the detector will read it; -1 + cause (what was
 * expected) if it is invalid. */
int	 alert_setting_check(const char *name, const char *value,
	    char **cause);
/* The kind mask of a detector list ("all", "none", names); -1 + cause. */
int	 alert_detectors_parse(const char *list, unsigned *mask, char **cause);

/* alert_command: NULL + cause if the command is not an absolute path to
 * an executable file. */
struct alert_cmd *alert_cmd_create(const struct alert_cfg *, char **cause);
/* Kill what still runs after its time limit, wait for the rest. */
void	 alert_cmd_free(struct alert_cmd *);
/* The subscriber: runs the command for NEW and REPEAT events. */
void	 alert_cmd_event(void *arg, const struct alert *, enum alert_event);
/* Reap children, kill those past the time limit, log failures. */
void	 alert_cmd_poll(struct alert_cmd *);
/* Runs started, refused by the rate limit, failed (for tests, logs). */
void	 alert_cmd_stats(const struct alert_cmd *, uint64_t *ran,
	    uint64_t *limited, uint64_t *failed);

/*
 * A fixed-size set-associative table for detectors: no allocation after
 * creation, O(1) per lookup.  Each entry starts with struct alert_tab_hdr,
 * then klen key bytes, then the detector's fields (esz bytes in all).  A
 * full bucket gives up its least recently used entry (hdr.ts oldest):
 * under pressure a detector forgets, it never grows.
 */
#define ALERT_TAB_WAYS	4

struct alert_tab_hdr {
	uint64_t ts;		/* packet time of the last use, ns */
	uint32_t hash;
	uint32_t used;
};

struct alert_tab {
	unsigned char *e;	/* owned: nb * ALERT_TAB_WAYS entries */
	size_t esz;		/* entry size, header included */
	size_t klen;		/* key bytes after the header */
	uint32_t mask;		/* buckets - 1 */
};

/* Room for at least n entries (rounded up to a power of two). */
void	 alert_tab_init(struct alert_tab *, size_t n, size_t esz,
	    size_t klen);
void	 alert_tab_done(struct alert_tab *);
/* The entry with that key, or NULL. */
void	*alert_tab_find(const struct alert_tab *, const void *key,
	    uint32_t hash);
/* The entry with that key, or a new zeroed one (*created = 1) that took
 * the place of the bucket's least recently used entry.  ts is stored. */
void	*alert_tab_get(struct alert_tab *, const void *key, uint32_t hash,
	    uint64_t ts, int *created);

#endif
