/*
 * fuzz-config.c: libFuzzer target for the configuration reader.
 *
 * Hands the input to cfg_load_file() as a configuration file (a memfd,
 * read through its /proc/self/fd path, so the reader's own type and size
 * checks run as for a file on disk), then prints the settings in effect
 * as --show-config does.  The reader's promises: it returns 0, or -1 with
 * a one-line cause that holds no control byte (bytes from the file are
 * escaped).  Single-threaded; cfg_done() frees what a run kept.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cfg.h"
#include "mode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wt_opts o;
	char path[64], *cause = NULL;
	const char *c;
	FILE *null;
	int fd, r;

	fd = memfd_create("fuzz.conf", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	cfg_defaults(&o);
	r = cfg_load_file(&o, path, 1, &cause);
	close(fd);
	if (r != 0) {
		if (cause == NULL)
			abort();	/* an error must say why */
		for (c = cause; *c != '\0'; c++) {
			/* one line, no control byte from the file */
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
		}
		free(cause);
	} else if ((null = fopen("/dev/null", "w")) != NULL) {
		cfg_show(&o, null);
		fclose(null);
	}
	cfg_done();
	return 0;
}
