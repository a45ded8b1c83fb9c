/*
 * ctl.c: the daemon's control socket: how a viewer (wiretop view) asks
 * the daemon to acknowledge one of its alerts.
 *
 * The daemon's main thread listens on a Unix SOCK_SEQPACKET socket beside
 * its database (PATH.sock), mode 0660 in db_group (0600 without one), so
 * whoever may read the database may acknowledge its alerts; nobody else
 * can connect.  Each request is one message ("ack" and an alert's uid in
 * 16 hex digits) and gets one reply line.  The user recorded for an
 * acknowledgement is the one the kernel names for the connection
 * (SO_PEERCRED), never one the client claims.  Everything is
 * non-blocking: at most CTL_PENDING connections wait for their request,
 * each for CTL_WAIT_MS, so a client that connects and says nothing costs
 * the daemon a slot for two seconds and nothing else.
 *
 * The client side (ctl_request) runs on the viewer's main thread and
 * waits for the reply at most the time it is given.
 */
#include "config.h"
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "xmalloc.h"

#define CTL_PENDING	16	/* connections waiting for their request */
#define CTL_WAIT_MS	2000	/* how long one may wait */
#define CTL_MSG_MAX	128	/* a request or a reply, NUL included */

struct ctl_conn {
	int fd;
	int64_t since_ms;
};

struct ctl {
	int fd;
	char *path;			/* owned */
	struct ctl_conn pend[CTL_PENDING];
	unsigned npend;
};

char *
ctl_path(const char *db)
{
	char *p;

	xasprintf(&p, "%s.sock", db);
	return p;
}

static int
ctl_addr(const char *path, struct sockaddr_un *sa, char **cause)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa->sun_path) {
		xasprintf(cause, "%s: the path is too long for a socket (%zu "
		    "bytes at most)", path, sizeof sa->sun_path - 1);
		return -1;
	}
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

struct ctl *
ctl_listen(const char *path, long gid, char **cause)
{
	struct sockaddr_un sa;
	struct stat st;
	struct ctl *c;
	mode_t old;
	int fd;

	if (ctl_addr(path, &sa, cause) != 0)
		return NULL;
	/* a socket an earlier daemon left behind goes; anything else
	 * there is not ours to remove */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			xasprintf(cause, "%s: exists and is not a socket",
			    path);
			return NULL;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "%s: socket: %s", path, strerror(errno));
		return NULL;
	}
	/* made with its final mode: there is no moment where others may
	 * connect */
	old = umask(gid > 0 ? 0117 : 0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		umask(old);
		xasprintf(cause, "%s: bind: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	umask(old);
	if (gid > 0 && chown(path, (uid_t)-1, (gid_t)gid) != 0) {
		xasprintf(cause, "%s: cannot give it to group %ld (db_group): "
		    "%s", path, gid, strerror(errno));
		unlink(path);
		close(fd);
		return NULL;
	}
	if (listen(fd, CTL_PENDING) != 0) {
		xasprintf(cause, "%s: listen: %s", path, strerror(errno));
		unlink(path);
		close(fd);
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->path = xstrdup(path);
	return c;
}

void
ctl_close(struct ctl *c)
{
	unsigned i;

	if (c == NULL)
		return;
	for (i = 0; i < c->npend; i++)
		close(c->pend[i].fd);
	close(c->fd);
	unlink(c->path);
	free(c->path);
	free(c);
}

int
ctl_fd(const struct ctl *c)
{
	return c != NULL ? c->fd : -1;
}

/* The name of the connection's user, from the kernel. */
static void
ctl_peer(int fd, char *user, size_t n)
{
	struct ucred cr;
	socklen_t len = sizeof cr;
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0) {
		snprintf(user, n, "unknown");
		return;
	}
	if (getpwuid_r(cr.uid, &pw, buf, sizeof buf, &res) == 0 &&
	    res != NULL)
		snprintf(user, n, "%s", pw.pw_name);
	else
		snprintf(user, n, "uid %ld", (long)cr.uid);
}

/* Answer one connection's request if it has come: 1 when done with it,
 * 0 while it may still come. */
static int
ctl_answer(struct ctl_conn *k, ctl_fn fn, void *arg)
{
	char req[CTL_MSG_MAX], reply[CTL_MSG_MAX], user[64];
	ssize_t r;
	size_t i;

	r = recv(k->fd, req, sizeof req - 1, MSG_DONTWAIT);
	if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (r <= 0)
		return 1;
	req[r] = '\0';
	if (r > 0 && req[r - 1] == '\n')
		req[--r] = '\0';
	for (i = 0; i < (size_t)r; i++)
		if (req[i] < 0x20 || req[i] == 0x7f)
			break;
	if (i != (size_t)r)
		snprintf(reply, sizeof reply, "error: not a request");
	else {
		ctl_peer(k->fd, user, sizeof user);
		fn(arg, req, user, reply, sizeof reply);
	}
	(void)send(k->fd, reply, strlen(reply), MSG_DONTWAIT | MSG_NOSIGNAL);
	return 1;
}

void
ctl_serve(struct ctl *c, ctl_fn fn, void *arg)
{
	int64_t now;
	unsigned i;
	int fd;

	if (c == NULL)
		return;
	now = (int64_t)proc_mono_ms();
	for (;;) {
		fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1)
			break;
		if (c->npend == CTL_PENDING) {
			/* the oldest waiter gives way */
			close(c->pend[0].fd);
			memmove(&c->pend[0], &c->pend[1],
			    (CTL_PENDING - 1) * sizeof c->pend[0]);
			c->npend--;
		}
		c->pend[c->npend].fd = fd;
		c->pend[c->npend].since_ms = now;
		c->npend++;
	}
	for (i = 0; i < c->npend;) {
		if (ctl_answer(&c->pend[i], fn, arg) ||
		    now - c->pend[i].since_ms > CTL_WAIT_MS) {
			close(c->pend[i].fd);
			c->pend[i] = c->pend[--c->npend];
			continue;
		}
		i++;
	}
}

int
ctl_request(const char *path, const char *req, char *reply, size_t n,
    int timeout_ms, char **cause)
{
	struct sockaddr_un sa;
	struct pollfd pfd;
	ssize_t r;
	int fd;

	if (ctl_addr(path, &sa, cause) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		xasprintf(cause, "%s: %s", path, errno == ENOENT ||
		    errno == ECONNREFUSED ? "no daemon is listening" :
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, timeout_ms) != 1 ||
	    (r = recv(fd, reply, n - 1, 0)) <= 0) {
		xasprintf(cause, "%s: the daemon did not answer", path);
		close(fd);
		return -1;
	}
	reply[r] = '\0';
	close(fd);
	return 0;
}
