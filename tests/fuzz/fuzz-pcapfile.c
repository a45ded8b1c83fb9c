/*
 * fuzz-pcapfile.c: libFuzzer target for the pcap/pcapng reader.
 *
 * Reads the input as a capture file held in memory (pcapfile_open_mem,
 * the same parser as mapped files) to its end, decoding every packet as
 * the capture thread would (every tunnel opened), and checks the
 * reader's promises: every packet lies inside the input and the counters
 * add up.  Single-threaded;
 * no state survives between inputs.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "decode.h"
#include "pcapfile.h"
#include "pkt.h"

#define FUZZ_MAX_PACKETS 100000	/* bound the work per input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt_name nv[DECODE_MAX_NAMES];
	struct decode_names dn;
	struct pcapfile_stats st;
	struct pcapfile_pkt pk;
	struct pcapfile *pf;
	struct pkt_meta m, in[PKT_MAX_TUNNELS];
	char *cause = NULL;
	unsigned k, nin;
	uint64_t n = 0;

	pf = pcapfile_open_mem(data, size, "fuzz", &cause);
	if (pf == NULL) {
		if (cause == NULL)
			abort();	/* an error must say why */
		free(cause);
		return 0;
	}
	while (n < FUZZ_MAX_PACKETS &&
	    pcapfile_next(pf, &pk, &cause) == 1) {
		/* the packet must lie inside the input */
		if (pk.data < data || pk.caplen > size ||
		    (size_t)(pk.data - data) > size - pk.caplen)
			abort();
		dn.v = nv;
		dn.max = DECODE_MAX_NAMES;
		dn.n = 0;
		nin = decode_frame(&m, in, PKT_MAX_TUNNELS, &dn, pk.linktype,
		    pk.data, pk.caplen, pk.wirelen, pk.ts_ns);
		if (dn.n > DECODE_MAX_NAMES || nin > PKT_MAX_TUNNELS)
			abort();
		for (k = 0; k < nin; k++)
			if (in[k].layer != k + 1 || in[k].ts_ns != m.ts_ns)
				abort();
		n++;
	}
	pcapfile_stats(pf, &st);
	if (st.packets != n)
		abort();
	free(cause);
	pcapfile_close(pf);
	return 0;
}
