/*
 * proc-priv.c: the privilege drop and opening files without privileges.
 *
 * Main thread, once, after the capture handles are open and before any
 * other thread exists (capabilities and the bounding set are per thread,
 * so a drop made later would leave the capture threads privileged).
 * As root: clear the ambient and bounding sets while CAP_SETPCAP is still
 * there, take the user's groups, gid and uid, then clear the effective,
 * permitted and inheritable sets and set no_new_privs, so neither this
 * process nor anything it executes can get a privilege back.  As another
 * user (file capabilities, or none): the same without the identity
 * change.  Raw system calls rather than libcap-ng: they are a dozen lines
 * and keep the build free of a dependency for one function.
 *
 * Before that, first thing in main (proc_capture_rights): a user other
 * than root who got capabilities from the binary's file capabilities
 * keeps them only as a member of the capture group (WT_CAPTURE_GROUP,
 * configure --with-capture-group), as Debian's wireshark restricts
 * dumpcap; anyone else loses them before an option or a file is read,
 * and a live capture then fails saying what is missing.
 *
 * Files the user names (-o, --log) are opened after the drop, with
 * O_NOFOLLOW and mode 0640 at most, so a symlink planted where the file
 * goes can never redirect the write.
 */
#include "config.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "xmalloc.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT			47
#define PR_CAP_AMBIENT_IS_SET		1
#define PR_CAP_AMBIENT_CLEAR_ALL	4
#endif

/* Name of the user the process runs as, for messages. */
static char proc_user_name[64];

/* The highest capability number the kernel knows. */
static int
proc_cap_last(void)
{
	FILE *f;
	int last = CAP_LAST_CAP;

	if ((f = fopen("/proc/sys/kernel/cap_last_cap", "re")) != NULL) {
		if (fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	return last;
}

/* The calling thread's capability sets through capget (get) or capset
 * (set d); -1 on error. */
static int
proc_caps(int set, struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h;

	memset(&h, 0, sizeof h);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	if (!set)
		memset(d, 0, 2 * sizeof *d);
	return (int)syscall(set ? SYS_capset : SYS_capget, &h, d);
}

/* 1 if cap is in the calling thread's effective set. */
static int
proc_cap_effective(int cap)
{
	struct __user_cap_data_struct d[2];

	if (proc_caps(0, d) != 0)
		return 0;
	return (d[cap / 32].effective & (1u << (cap % 32))) != 0;
}

/* Clear the effective, permitted and inheritable sets. */
static int
proc_cap_clear(void)
{
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof d);
	return proc_caps(1, d);
}

/* 1 if any capability set of the calling thread is not empty. */
static int
proc_cap_any(void)
{
	struct __user_cap_data_struct d[2];
	int i;

	if (proc_caps(0, d) != 0)
		return 1;
	for (i = 0; i < 2; i++)
		if (d[i].effective | d[i].permitted | d[i].inheritable)
			return 1;
	return 0;
}

/* Why proc_capture_rights() took the capabilities away: 0 it did not,
 * 1 not a member of the capture group, 2 no such group. */
static int proc_capture_refused;

/* 1 if the real gid or a supplementary group is gid. */
static int
proc_in_group(gid_t gid)
{
	gid_t *list;
	int n, i, in = 0;

	if (getgid() == gid)
		return 1;
	if ((n = getgroups(0, NULL)) <= 0)
		return 0;
	list = xcalloc((size_t)n, sizeof *list);
	n = getgroups(n, list);
	for (i = 0; i < n && !in; i++)
		in = list[i] == gid;
	free(list);
	return in;
}

int
proc_capture_rights(char **cause)
{
	struct __user_cap_data_struct d[2];
	struct group *gr;
	int cap, last, granted = 1;

	if (getuid() == 0 || proc_caps(0, d) != 0)
		return 0;
	if ((d[0].permitted | d[1].permitted) == 0)
		return 0;
	/* Capabilities that are all ambient were given by whoever started
	 * wiretop and held them (systemd's AmbientCapabilities=, setpriv):
	 * exec clears the ambient set of a binary with file capabilities,
	 * so these did not come from the file. */
	last = proc_cap_last();
	for (cap = 0; cap <= last && granted; cap++)
		if ((d[cap / 32].permitted & (1u << (cap % 32))) != 0 &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0,
		    0) != 1)
			granted = 0;
	if (granted)
		return 0;
	if ((gr = getgrnam(WT_CAPTURE_GROUP)) != NULL &&
	    proc_in_group(gr->gr_gid))
		return 0;
	proc_capture_refused = gr != NULL ? 1 : 2;
	if ((prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
	    errno != EINVAL) || proc_cap_clear() != 0 || proc_cap_any()) {
		xasprintf(cause, "giving up the file capabilities (not in "
		    "group %s): %s", WT_CAPTURE_GROUP, strerror(errno));
		return -1;
	}
	return 0;
}

char *
proc_capture_hint(void)
{
	char *hint;

	if (proc_capture_refused == 0)
		return NULL;
	if (proc_capture_refused == 1)
		xasprintf(&hint, "capture needs membership of group %s (as "
		    "root: adduser %s %s, then log in again) or root",
		    WT_CAPTURE_GROUP, proc_user(), WT_CAPTURE_GROUP);
	else
		xasprintf(&hint, "capture needs membership of group %s, which "
		    "does not exist (as root: addgroup --system %s; adduser "
		    "%s %s, then log in again) or root", WT_CAPTURE_GROUP,
		    WT_CAPTURE_GROUP, proc_user(), WT_CAPTURE_GROUP);
	return hint;
}

/* Resolve the user setting: NULL or "" means wiretop where that system
 * user exists, else nobody. */
static struct passwd *
proc_user_lookup(const char *user, char **cause)
{
	struct passwd *pw;
	char *end;
	unsigned long id;

	if (user == NULL || *user == '\0') {
		if ((pw = getpwnam("wiretop")) != NULL)
			return pw;
		user = "nobody";
	}
	errno = 0;
	if ((pw = getpwnam(user)) != NULL)
		return pw;
	id = strtoul(user, &end, 10);
	if (*user >= '0' && *user <= '9' && *end == '\0' && id < 0xffffffffu &&
	    (pw = getpwuid((uid_t)id)) != NULL)
		return pw;
	if (errno != 0)
		xasprintf(cause, "user %s: %s", user, strerror(errno));
	else
		xasprintf(cause, "user %s: no such user (set 'user' in "
		    "wiretop.conf or -u USER)", user);
	return NULL;
}

int
proc_drop_target(const char *user, uid_t *uid, gid_t *gid, char **cause)
{
	struct passwd *pw;

	if (geteuid() != 0 && getuid() != 0)
		return 0;
	if (user != NULL && strcmp(user, "root") == 0)
		return 0;
	if ((pw = proc_user_lookup(user, cause)) == NULL)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 1;
}

int
proc_drop(const char *user, int *stayed_root, char **cause)
{
	struct passwd *pw;
	uid_t uid;
	gid_t gid;
	int cap, last;

	*stayed_root = 0;
	if (geteuid() == 0 && user != NULL && strcmp(user, "root") == 0) {
		*stayed_root = 1;
		snprintf(proc_user_name, sizeof proc_user_name, "root");
		return 0;
	}

	/* Nothing executed later may ever gain a capability back. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 &&
	    errno != EINVAL) {
		xasprintf(cause, "clearing ambient capabilities: %s",
		    strerror(errno));
		return -1;
	}
	if (proc_cap_effective(CAP_SETPCAP)) {
		last = proc_cap_last();
		for (cap = 0; cap <= last; cap++) {
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
			    errno != EINVAL) {
				xasprintf(cause, "clearing the capability "
				    "bounding set: %s", strerror(errno));
				return -1;
			}
		}
	}

	if (geteuid() == 0 || getuid() == 0) {
		if ((pw = proc_user_lookup(user, cause)) == NULL)
			return -1;
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		snprintf(proc_user_name, sizeof proc_user_name, "%s",
		    pw->pw_name);
		if (uid == 0) {
			xasprintf(cause, "user %s has uid 0: to keep root, "
			    "set user = root", pw->pw_name);
			return -1;
		}
		if (initgroups(pw->pw_name, gid) != 0 &&
		    setgroups(1, &gid) != 0) {
			xasprintf(cause, "setgroups: %s", strerror(errno));
			return -1;
		}
		if (setresgid(gid, gid, gid) != 0) {
			xasprintf(cause, "setgid %lu: %s", (unsigned long)gid,
			    strerror(errno));
			return -1;
		}
		if (setresuid(uid, uid, uid) != 0) {
			xasprintf(cause, "setuid %lu: %s", (unsigned long)uid,
			    strerror(errno));
			return -1;
		}
		/* As tcpdump and OpenSSH check: root must be gone for good. */
		if (setuid(0) == 0 || seteuid(0) == 0) {
			xasprintf(cause, "could still become root after "
			    "dropping to %s", pw->pw_name);
			return -1;
		}
	} else
		(void)proc_user();	/* names the user for messages */

	if (proc_cap_clear() != 0 || proc_cap_any()) {
		xasprintf(cause, "clearing capabilities: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		xasprintf(cause, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}

const char *
proc_user(void)
{
	struct passwd *pw;

	if (proc_user_name[0] == '\0') {
		if ((pw = getpwuid(geteuid())) != NULL)
			snprintf(proc_user_name, sizeof proc_user_name, "%s",
			    pw->pw_name);
		else
			snprintf(proc_user_name, sizeof proc_user_name,
			    "uid %lu", (unsigned long)geteuid());
	}
	return proc_user_name;
}

/* 1 if a signal that ends the run (INT, TERM, QUIT, HUP) is pending: they
 * are blocked in every thread and read later from the signalfd. */
static int
proc_stop_pending(void)
{
	sigset_t set;

	if (sigpending(&set) != 0)
		return 0;
	return sigismember(&set, SIGINT) == 1 ||
	    sigismember(&set, SIGTERM) == 1 ||
	    sigismember(&set, SIGQUIT) == 1 || sigismember(&set, SIGHUP) == 1;
}

int
proc_open_write(const char *path, int append, char **cause)
{
	struct timespec pause = { 0, 50 * 1000000L };
	struct stat st;
	int fd, flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    (append ? O_APPEND : 0);

	/* A FIFO with no reader yet: a blocking open would wait where no
	 * signal can end it (they are blocked); wait here instead, and give
	 * up when one that ends the run is pending. */
	while ((fd = open(path, flags | O_NONBLOCK, 0640)) == -1 &&
	    errno == ENXIO) {
		if (lstat(path, &st) != 0 || !S_ISFIFO(st.st_mode)) {
			errno = ENXIO;	/* a socket, a device without one */
			break;
		}
		if (proc_stop_pending()) {
			xasprintf(cause, "%s: interrupted while waiting for "
			    "a reader of the FIFO", path);
			return -1;
		}
		nanosleep(&pause, NULL);
	}
	if (fd != -1 && ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1)) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (fd == -1) {
		if (errno == ELOOP && (strncmp(path, "/dev/", 5) == 0 ||
		    strncmp(path, "/proc/", 6) == 0))
			xasprintf(cause, "%s: is a symbolic link, not "
			    "followed (for standard output use -o -)", path);
		else if (errno == ELOOP)
			xasprintf(cause, "%s: is a symbolic link (not "
			    "followed: name the file it points to)", path);
		else
			xasprintf(cause, "%s: %s (running as %s)", path,
			    strerror(errno), proc_user());
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* Truncate only a regular file (a device or FIFO has nothing to
	 * cut), and only once it is known not to be a link's target. */
	if (S_ISREG(st.st_mode) && !append && ftruncate(fd, 0) != 0) {
		xasprintf(cause, "%s: %s (running as %s)", path,
		    strerror(errno), proc_user());
		close(fd);
		return -1;
	}
	return fd;
}
