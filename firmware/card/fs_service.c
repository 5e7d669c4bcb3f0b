/*
 * The card's file service: see fs_service.h. The FUSE server's tables and
 * the ext4 block cache are large; they live in card memory (the .ddr
 * sections, placed by the card's linker script and zeroed here, because a
 * board's DDR holds garbage at power-up).
 */
#include "fs_service.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/fuse.h>

#include "fuse_server.h"
#include "rt.h"
#include "vfs.h"

/* Linux errno values on the wire (picolibc numbers some differently). */
#define WIRE_EIO 5

static struct fuse_server srv __attribute__((section(".ddr_bss")));
static struct vfs *fs;
static int up;

extern char __ddr_bss_start[], __ddr_bss_end[];

struct blockdev * __attribute__((weak)) card_storage(void)
{
	return NULL;
}

/* The card has no real-time clock: times are the timer's uptime on top of
 * a fixed epoch (times only order events; utimensat from the guest sets
 * exact ones). */
static uint64_t epoch_base;

static void card_clock(uint64_t *sec, uint32_t *nsec)
{
	uint64_t us = timer_now() / TIMER_TICKS_PER_US;

	*sec = epoch_base + us / 1000000u;
	*nsec = (uint32_t)(us % 1000000u) * 1000u;
}

int card_fs_start(void)
{
	struct blockdev *bd = card_storage();
	int err;

	memset(__ddr_bss_start, 0, (size_t)(__ddr_bss_end - __ddr_bss_start));
	if (!bd) {
		printf("card: no SSD: file service down (every request but INIT gets EIO)\n");
		return -ENODEV;
	}
	epoch_base = 1767225600u;	/* 2026-01-01 UTC */
	vfs_set_clock(card_clock);
	err = vfs_mount(&fs, bd, 0);
	if (err) {
		printf("card: SSD image refused: %s: file service down\n", vfs_last_error(fs));
		return err;
	}
	fuse_server_init(&srv, fs);
	up = 1;
	printf("card: ext4 mounted from the SSD (%lu MiB), file service up\n",
	       (unsigned long)(bd->nsectors >> 11));
	return 0;
}

/* Service down: there is no server to negotiate INIT, so its reply is built
 * here (so the guest sees a device); everything else gets EIO. */
static long answer_down(const struct fuse_in_header *in, size_t in_len, void *out, size_t cap)
{
	struct fuse_out_header o = { .len = sizeof(o), .unique = in->unique };

	if (cap < sizeof(o))
		return -EINVAL;
	if (in->opcode == FUSE_FORGET || in->opcode == FUSE_BATCH_FORGET || in->opcode == FUSE_INTERRUPT)
		return 0;
	if (in->opcode == FUSE_INIT && in_len >= sizeof(*in) + 8 && in->len == in_len &&
	    cap >= sizeof(o) + sizeof(struct fuse_init_out)) {
		const struct fuse_init_in *ii = (const void *)(in + 1);
		struct fuse_init_out io = { .major = FUSE_KERNEL_VERSION };

		io.minor = ii->minor < FUSE_KERNEL_MINOR_VERSION ? ii->minor : FUSE_KERNEL_MINOR_VERSION;
		io.max_write = 4096;
		io.max_pages = 1;
		io.time_gran = 1;
		o.len += sizeof(io);
		memcpy((uint8_t *)out + sizeof(o), &io, sizeof(io));
	} else {
		o.error = -WIRE_EIO;
	}
	memcpy(out, &o, sizeof(o));
	return o.len;
}

long card_fs_dispatch(const void *in, size_t in_len, void *out, size_t out_cap)
{
	if (in_len < sizeof(struct fuse_in_header))
		return -EINVAL;
	if (!up)
		return answer_down(in, in_len, out, out_cap);
	return fuse_dispatch(&srv, in, in_len, out, out_cap);
}

long card_fs_pending(uint64_t *unique, void *out, size_t out_cap)
{
	if (!up)
		return 0;
	return fuse_server_pending_reply(&srv, unique, out, out_cap);
}

int card_fs_sync(void)
{
	return up ? vfs_sync(fs) : 0;
}

void card_fs_reset(void)
{
	if (!up)
		return;
	fuse_server_reset(&srv);
	vfs_sync(fs);
}
