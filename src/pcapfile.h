/*
 * pcapfile.h: wiretop's own reader for pcap and pcapng capture files.
 *
 * Used by the capture thread of a file source; one reader, one thread.
 */
#ifndef WIRETOP_PCAPFILE_H
#define WIRETOP_PCAPFILE_H

#include <stddef.h>
#include <stdint.h>

struct pcapfile;

/* One packet; data points into the reader's buffer and is valid until the
 * next pcapfile_next() call (borrowed). */
struct pcapfile_pkt {
	const uint8_t *data;
	uint32_t caplen;
	uint32_t wirelen;
	uint64_t ts_ns;		/* ns since the epoch */
	uint32_t linktype;	/* LINKTYPE_* of this packet's interface */
	uint32_t ifindex;	/* pcapng interface id (per section), 0 for pcap */
	uint32_t snaplen;	/* of that interface */
};

struct pcapfile_stats {
	uint64_t packets;	/* returned by pcapfile_next */
	uint64_t bytes;		/* sum of wirelen */
	uint64_t blocks_skipped;	/* pcapng blocks not carrying packets */
	uint64_t bad_records;	/* records skipped as malformed (counted) */
	unsigned sections;	/* pcapng SHBs seen */
	unsigned interfaces;	/* pcapng IDBs seen (all sections) */
	int truncated;		/* file ended inside a record */
	int format;		/* PCAPFILE_FMT_* */
};

#define PCAPFILE_FMT_PCAP	1
#define PCAPFILE_FMT_PCAP_NS	2
#define PCAPFILE_FMT_PCAPNG	3

/* Open path ("-" for stdin) and read its header. NULL + cause on error
 * (unreadable, not a capture file, unsupported version).  The header of
 * a stream (pipe, FIFO, terminal) is read by the first pcapfile_next(),
 * which then reports such errors. */
struct pcapfile	*pcapfile_open(const char *path, char **cause);
/* The same; with PCAPFILE_BUFFERED a regular file is read into a buffer
 * instead of mapped (for a reader that reads it through as fast as it
 * can: see pcapfile.c). */
#define PCAPFILE_BUFFERED	0x1
struct pcapfile	*pcapfile_open_flags(const char *path, int flags,
		    char **cause);
/* The same on a capture held in memory (data borrowed until close; name
 * is used in messages).  Used by the fuzzer and tests. */
struct pcapfile	*pcapfile_open_mem(const void *data, size_t len,
		    const char *name, char **cause);
/* Next packet: 1 = packet in out, 0 = end of file (check truncated),
 * -1 = unrecoverable format error (cause filled; packets before it were
 * returned). */
int		 pcapfile_next(struct pcapfile *, struct pcapfile_pkt *out,
		    char **cause);
/* The mapped bytes of a regular file (1), or 0 when the input is not
 * mapped; a read there faults (SIGBUS) if the file shrinks meanwhile.
 * (A buffered regular file that shrinks ends with pcapfile_next()'s -1
 * and the same words.) */
int		 pcapfile_map(struct pcapfile *, const void **base, size_t *len);
/* File offset of the next record (the one being read, during a read). */
uint64_t	 pcapfile_offset(struct pcapfile *);
/* Streams: give up waiting for input when cancel(arg) returns nonzero
 * (checked every 100 ms); the input then ends as if at a record
 * boundary and pcapfile_interrupted() is 1. */
void		 pcapfile_set_cancel(struct pcapfile *, int (*cancel)(void *),
		    void *arg);
int		 pcapfile_interrupted(struct pcapfile *);
/* 1 while a stream's header has not been read (see pcapfile_open). */
int		 pcapfile_pending(struct pcapfile *);
/* Link type of the first interface (pcap: the file's), for BPF; for a
 * stream this reads its header first (0 if it cannot). */
uint32_t	 pcapfile_linktype(struct pcapfile *);
void		 pcapfile_stats(struct pcapfile *, struct pcapfile_stats *);
void		 pcapfile_close(struct pcapfile *);

#endif
