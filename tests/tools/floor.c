/*
 * floor.c: the benchmark floor: a bare libpcap read loop.
 *
 * A benchmark tool (single-threaded, not part of the program).  It reads
 * a capture file with pcap_open_offline() and pcap_next_ex() to the end
 * and sums the captured lengths (and one byte of every packet, so the
 * loop touches the data and cannot be optimised away).  Its wall time
 * and peak memory are what "reading the file at all" costs; make bench
 * compares wiretop against it.  Prints "PACKETS packets BYTES bytes".
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, bytes = 0, check = 0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: floor FILE\n");
		return 2;
	}
	errbuf[0] = '\0';
	p = pcap_open_offline(argv[1], errbuf);
	if (p == NULL) {
		fprintf(stderr, "floor: %s\n", errbuf);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen;
		if (h->caplen > 0)
			check += data[h->caplen - 1];
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "floor: %s: %s\n", argv[1], pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("%" PRIu64 " packets %" PRIu64 " bytes (check %" PRIu64 ")\n",
	    packets, bytes, check);
	return 0;
}
