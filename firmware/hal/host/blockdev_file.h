/*
 * Host block-device backends: an image file, and a fault-injecting wrapper
 * that tests put in front of any blockdev to fail a given write or to emulate
 * a power cut (every write after the Nth is silently dropped).
 */
#ifndef BLOCKDEV_FILE_H
#define BLOCKDEV_FILE_H

#include "blockdev.h"

struct blockdev_file {
	struct blockdev bd;
	int fd;
	int rdonly;
};

/* Opens path (read-only when rdonly). Returns 0 or -errno. */
int blockdev_file_open(struct blockdev_file *f, const char *path, int rdonly);
void blockdev_file_close(struct blockdev_file *f);

struct blockdev_fault {
	struct blockdev bd;
	struct blockdev *lower;
	long writes;		/* write calls seen so far */
	long fail_write;	/* the write call with this number (1-based) returns -EIO; 0 = never */
	long cut_after;		/* writes after this many are dropped (power cut); 0 = never */
	long flushes;
	long fua_writes;	/* of the writes, those with FUA (write_fua) */
	long sectors_written;
	int cut;		/* set once the cut happened */
};

/* Wraps lower; fail_write and cut_after are 1-based write-call counts, 0 = off. */
void blockdev_fault_init(struct blockdev_fault *f, struct blockdev *lower,
			 long fail_write, long cut_after);

#endif
