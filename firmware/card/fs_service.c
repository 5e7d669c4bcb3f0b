/*
 * The card's file service: see fs_service.h. The FUSE server's tables and
 * the ext4 block cache are large; they live in card memory (the .ddr
 * sections, placed by the card's linker script and zeroed here, because a
 * board's DDR holds garbage at power-up).
 *
 * The DAX window (BAR2, docs/dax.md) is attached to the server with its
 * hooks on the DAX registers; its tables (about 4 MiB for 1 GiB) come from
 * the card memory arena and are initialised by the server itself.
 */
#include "fs_service.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/fuse.h>

#include "fuse_dax.h"
#include "fuse_server.h"
#include "hostmem.h"
#include "nvme_blockdev.h"
#include "nvme_card.h"
#include "rt.h"
#include "vfs.h"

static struct fuse_server srv __attribute__((section(".ddr.fuse")));
static struct vfs *fs;
static int up;
static struct fuse_dax *dax;
static struct blockdev *bdev;
/* The filesystem in memory and on the SSD went apart (a write or flush
 * failed), or the last recovery did not get it back read-write: the next
 * reset recovers (fs_service.h). */
static int recover_next;
static int rdonly;		/* mounted read-only by a recovery */

#define DAX_REG(r) (SOC_DAX_BASE + SOC_DAX_##r)

/* The FUSE server's page states are the window's DAX.ST_CMD codes. */
_Static_assert(FUSE_DAX_UNMAPPED == SOC_DAX_STATE_UNMAPPED, "DAX state UNMAPPED");
_Static_assert(FUSE_DAX_RO == SOC_DAX_STATE_RO, "DAX state RO");
_Static_assert(FUSE_DAX_RW == SOC_DAX_STATE_RW, "DAX state RW");

/* The window's hooks (docs/dax.md): a state operation is done when STATUS
 * says so; a DIRTY word is read and cleared in one access. */
static void card_dax_set_state(void *hw, uint32_t first, uint32_t count, uint32_t state)
{
	(void)hw;
	mmio_write32(DAX_REG(ST_FIRST), first);
	mmio_write32(DAX_REG(ST_COUNT), count);
	mmio_write32(DAX_REG(ST_CMD), SOC_FIELD_PREP(SOC_DAX_ST_CMD_STATE, state));
	while (mmio_read32(DAX_REG(STATUS)) & SOC_DAX_STATUS_BUSY_MASK)
		;
}

static uint32_t card_dax_take_dirty(void *hw, uint32_t word)
{
	(void)hw;
	return mmio_read32(DAX_REG(DIRTY) + SOC_DAX_DIRTY_STRIDE * word);
}

/* A page moved inside the window (to the offset the guest asked for): by
 * the DMA block's copy engine (rtl/dma/dma_copy.sv), the core only if it
 * refuses. */
static void card_dax_copy_page(void *hw, void *dst, const void *src, uint32_t len)
{
	(void)hw;
	if (card_copy(dst, src, len))
		memcpy(dst, src, len);
}

static void card_dax_attach(void)
{
	struct fuse_dax_window win = {
		.mem = (uint8_t *)SOC_DAXWIN_BASE,
		.size = (uint64_t)mmio_read32(DAX_REG(PAGES)) * FUSE_DAX_PAGE_SIZE,
		.set_state = card_dax_set_state,
		.take_dirty = card_dax_take_dirty,
		.copy_page = card_dax_copy_page,
	};
	int err;

	if (win.size / FUSE_DAX_PAGE_SIZE > FUSE_DAX_MAX_PAGES)
		win.size = (uint64_t)FUSE_DAX_MAX_PAGES * FUSE_DAX_PAGE_SIZE;
	if (!dax)
		dax = card_ddr_alloc(sizeof(*dax), 8);
	err = dax ? fuse_server_attach_dax(&srv, dax, &win) : -ENOMEM;
	if (err)
		printf("card: DAX window not attached (%d)\n", err);
	else
		printf("card: DAX window %lu MiB\n", (unsigned long)(win.size >> 20));
}

/* The page cache of file data: CARD_PCACHE_BYTES of DDR (card_config.h), so
 * the SSD reads straight into its frames. Taken once; every start drops
 * what it held (the mount does too). */
static void card_pcache_attach(void)
{
	static void *mem;
	struct vfs_pcache_stats st;

	if (!mem)
		mem = card_ddr_alloc(CARD_PCACHE_BYTES, 4096);
	vfs_pcache_setup(mem, mem ? CARD_PCACHE_BYTES : 0);
	/* a WRITE's blocks go from DMABUF into frames by the copy engine
	 * (write-back: the soft core would take ~3 000 cycles per 4 KiB) */
	vfs_pcache_set_write_copy(card_copy);
	vfs_pcache_get_stats(&st);
	printf("card: page cache %lu frames (%lu MiB of DDR)\n", (unsigned long)st.frames,
	       (unsigned long)(CARD_PCACHE_BYTES >> 20));
}

/* The page cache's figures on the console (end of a session). */
static void card_pcache_report(void)
{
	struct vfs_pcache_stats st;

	vfs_pcache_get_stats(&st);
	printf("card: page cache: %lu hits, %lu misses, %lu SSD reads of %lu blocks (%lu read ahead), "
	       "%lu evictions, %lu READs by reference; %lu blocks written into it, %lu written back in %lu SSD "
	       "writes (%lu to make room), %lu dirty now\n",
	       (unsigned long)st.hits, (unsigned long)st.misses, (unsigned long)st.fills,
	       (unsigned long)st.filled, (unsigned long)st.readahead, (unsigned long)st.evictions,
	       (unsigned long)st.ref_reads, (unsigned long)st.dirtied, (unsigned long)st.written,
	       (unsigned long)st.wb_writes, (unsigned long)st.wb_reclaims, (unsigned long)st.dirty);
}

/* The .ddr output section: every object the card keeps in DDR (the server
 * here, the ext4 pools), then __ddr_free. */
extern char __ddr_start[], __ddr_free[];

/* The card's clock (TIME, rtl/virtio/vfs_time.sv): the last time the host
 * (or this firmware) set, advanced by every tick of the timer since. A read
 * of SEC_LO takes the snapshot SEC_HI and NSEC return. */
#define TIME_REG(r) (SOC_TIME_BASE + SOC_TIME_##r)

static void card_clock(uint64_t *sec, uint32_t *nsec)
{
	uint32_t lo = mmio_read32(TIME_REG(SEC_LO));

	*sec = lo | (uint64_t)mmio_read32(TIME_REG(SEC_HI)) << 32;
	*nsec = mmio_read32(TIME_REG(NSEC));
}

/* vfs_mount's floor: the newest time the image holds. A clock behind it (never
 * set by the host, or set earlier than a previous run stamped) starts there;
 * the clock itself refuses to go back, so a host time set meanwhile wins. */
static void card_clock_floor(uint64_t sec, uint32_t nsec)
{
	uint64_t now;
	uint32_t now_ns;
	uint32_t st = mmio_read32(TIME_REG(STATUS));

	card_clock(&now, &now_ns);
	if (!(st & SOC_TIME_STATUS_HOST_SET_MASK))
		printf("card: time never set by the host: the clock starts from the image's newest time\n");
	if (now > sec || (now == sec && now_ns >= nsec))
		return;
	mmio_write32(TIME_REG(SEC_LO), (uint32_t)sec);
	mmio_write32(TIME_REG(SEC_HI), (uint32_t)(sec >> 32));
	mmio_write32(TIME_REG(NSEC), nsec);
	/* seconds printed in 32 bits: picolibc's integer printf, and fine until 2106 */
	printf("card: clock %lu.%09lu behind the image's newest time: starts at %lu.%09lu\n",
	       (unsigned long)now, (unsigned long)now_ns, (unsigned long)sec, (unsigned long)nsec);
}

/* Mounts the SSD's filesystem and binds the server to it. After an error
 * (recovering) a filesystem that refuses read-write is tried read-only; when
 * neither works the service is down. 0, or the mount's error. */
static int card_fs_mount(int recovering)
{
	int err = vfs_mount(&fs, bdev, 0);

	if (err && recovering) {
		printf("card: SSD filesystem refused read-write after the error (%d)%s%s\n", err,
		       *vfs_last_error(NULL) ? ": " : "", vfs_last_error(NULL));
		if (!vfs_mount(&fs, bdev, VFS_MOUNT_RDONLY)) {
			printf("card: SSD filesystem mounted READ-ONLY: it cannot be trusted for writes; "
			       "the next device reset tries read-write again\n");
			fuse_server_init(&srv, fs);
			card_dax_attach();
			up = 1;
			rdonly = 1;
			return 0;
		}
	}
	if (err) {
		if (recovering)
			printf("card: SSD filesystem refused read-only too: %s: file service down\n",
			       vfs_last_error(NULL));
		else
			printf("card: SSD image refused: %s: file service down\n", vfs_last_error(NULL));
		fuse_server_init(&srv, NULL);
		return err;
	}
	fuse_server_init(&srv, fs);
	card_dax_attach();
	up = 1;
	rdonly = 0;
	return 0;
}

int card_fs_start(void)
{
	int err;

	/* DDR holds garbage at power-up on a board: clear the objects there
	 * before anything (the NVMe arena comes after __ddr_free). */
	memset(__ddr_start, 0, (size_t)(__ddr_free - __ddr_start));
	bdev = card_storage();
	if (!bdev) {
		printf("card: no SSD: file service down (every request but INIT gets EIO)\n");
		fuse_server_init(&srv, NULL);
		return -ENODEV;
	}
	card_pcache_attach();
	vfs_set_clock(card_clock);
	vfs_set_clock_floor(card_clock_floor);
	err = card_fs_mount(0);
	if (err)
		return err;
	printf("card: ext4 mounted from the SSD (%lu MiB), file service up\n",
	       (unsigned long)(bdev->nsectors >> 11));
	return 0;
}

struct fuse_server *card_fs_server(void)
{
	return &srv;
}

int card_fs_sync(void)
{
	return up ? vfs_sync(fs) : 0;
}

/*
 * After an SSD error (fs_service.h): what memory holds is dropped without a
 * write (the unmount of a filesystem in error writes nothing), the
 * controller is reset, and the mount replays the journal, so the SSD's last
 * commit, which every answered FSYNC reached, is what is served.
 */
static void card_fs_recover(void)
{
	int err;

	printf("card: recovering the SSD: unmount without writing, controller reset, "
	       "mount again from the last commit\n");
	if (fs) {
		vfs_unmount(fs);
		fs = NULL;
	}
	up = 0;
	fuse_server_init(&srv, NULL);
	recover_next = 1;
	err = card_storage_reset();
	if (err) {
		printf("card: SSD controller did not come back (%d): file service down until the next reset\n",
		       err);
		return;
	}
	err = card_fs_mount(1);
	if (err) {
		printf("card: file service down until the next reset\n");
		return;
	}
	if (!rdonly) {
		recover_next = 0;
		printf("card: SSD recovered: ext4 mounted again read-write (journal replayed), file service up\n");
	}
}

void card_fs_reset(void)
{
	if (up) {
		int err;

		fuse_server_reset(&srv);
		err = vfs_checkpoint(fs);
		if (err) {
			printf("card: write-back at the device reset failed (%d)%s%s\n", err,
			       *vfs_last_error(fs) ? ": " : "", vfs_last_error(fs));
			recover_next = 1;
		}
		card_pcache_report();
	}
	if (recover_next && bdev)
		card_fs_recover();
}

/* At most this many SSD error reports on the console (then a last one
 * saying so): a file whose blocks fail reads may be asked for again and
 * again. */
#define SSD_REPORTS 16

void card_fs_poll(void)
{
	static unsigned reported, last_calls, last_resets;
	const struct nvme_blockdev_stats *st;

	if (!bdev)
		return;
	st = nvme_blockdev_stats();
	if (st->failed_calls == last_calls && st->resets == last_resets)
		return;
	last_calls = st->failed_calls;
	last_resets = st->resets;
	if (reported > SSD_REPORTS)
		return;
	if (reported++ == SSD_REPORTS) {
		printf("card: SSD: more errors, no longer reported\n");
		return;
	}
	printf("card: SSD: %u failed calls (%u error status, %u timeouts, %u retried after a reset and done, "
	       "%u controller fatal), %u controller resets (%u failed); a failed write stops the filesystem's "
	       "writes until the next device reset, which recovers it\n",
	       st->failed_calls, st->status_errors, st->timeouts, st->retried_ok, st->fatal, st->resets,
	       st->reset_failures);
}
