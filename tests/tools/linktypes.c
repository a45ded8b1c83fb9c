/*
 * linktypes.c: print the link types wiretop decodes, one per line as
 * "NUMBER<TAB>NAME", from decode.h's decode_linktypes, for the test
 * scripts (tests/pcap/tshark-compare.sh) to read instead of keeping a
 * copy.  A test tool, single-threaded, not part of the program.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "decode.h"

int
main(void)
{
	unsigned i;

	for (i = 0; i < decode_nlinktypes; i++)
		printf("%u\t%s\n", (unsigned)decode_linktypes[i].linktype,
		    decode_linktypes[i].name);
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
