/*
 * ctl.h: the daemon's control socket (ctl.c): viewers ask the daemon to
 * acknowledge its alerts.
 */
#ifndef WIRETOP_CTL_H
#define WIRETOP_CTL_H

#include <stddef.h>

struct ctl;

/* A request's handler: req is one line without control bytes, user the
 * connection's user as the kernel names it; write one reply line. */
typedef void (*ctl_fn)(void *arg, const char *req, const char *user,
	    char *reply, size_t n);

/* The socket of the daemon writing db: "db.sock" (owned). */
char		*ctl_path(const char *db);
/* Listen at path, 0660 in group gid (gid 0: 0600).  NULL + cause. */
struct ctl	*ctl_listen(const char *path, long gid, char **cause);
/* Stop listening and remove the socket. */
void		 ctl_close(struct ctl *);
/* The listening descriptor, to poll (-1 for NULL). */
int		 ctl_fd(const struct ctl *);
/* Accept what connected and answer the requests that came; never
 * blocks. */
void		 ctl_serve(struct ctl *, ctl_fn, void *arg);
/* Send one request and read the reply, waiting at most timeout_ms.  0,
 * or -1 + cause. */
int		 ctl_request(const char *path, const char *req, char *reply,
		    size_t n, int timeout_ms, char **cause);

#endif
