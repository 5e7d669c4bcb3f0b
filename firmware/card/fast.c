/*
 * The READ fast path, the firmware's side: see fast.h and docs/fastpath.md.
 */
#include "fast.h"

#include <stdio.h>

#include <linux/fuse.h>

#include "fuse_wire.h"
#include "rt.h"
#include "vfs.h"
#include "vq.h"

#define FAST_REG(r) (SOC_FAST_BASE + SOC_FAST_##r)
#define PAGE 4096u

_Static_assert(sizeof(struct fuse_in_header) == 40 && sizeof(struct fuse_read_in) == 40,
	       "the fast path reads an 80-byte READ request");

static uint32_t ntags;		/* FAST.TAGS; 0: the fast path is off */
static uint32_t nxnodes;	/* FAST.XNODES; 0: no no-capability table */
static uint64_t seen_gen;	/* page-cache changes the table reflects */
static int armed;

static struct fast_fw_stats {
	uint32_t installs, inval_all, inval_node;
	uint32_t inval_pcache;	/* of inval_all: the page cache changed */
	uint32_t x_installs, x_clears;
	uint32_t kicks;		/* queues handed over with requests waiting */
} fst;

/* Evicted, dropped and dirtied frames so far: when the sum moves, a frame a
 * tag may point at changed (or went) since the last look. Asked before
 * every sleep, after the reply: the sum alone, not the page cache's whole
 * figures (copying those cost about 110 cycles each time). */
static uint64_t pcache_gen(void)
{
	return vfs_pcache_changes();
}

/* The name the fast path matches, with its NUL: 20 bytes after
 * fuse_getxattr_in, a 68-byte request. */
static const char cap_name[] = "security.capability";
_Static_assert(sizeof(struct fuse_in_header) + sizeof(struct fuse_getxattr_in) + sizeof(cap_name) == 68,
	       "the fast path reads a 68-byte GETXATTR request");

static void x_clear(void)
{
	if (!nxnodes)
		return;
	mmio_write32(FAST_REG(XCMD), SOC_FAST_XCMD_CLEAR_MASK);
	fst.x_clears++;
}

static void inval_all(void)
{
	mmio_write32(FAST_REG(INVAL_ALL), 1);	/* one cycle: done at the next access */
	fst.inval_all++;
}

/* Every tag whose node ID's low 32 bits are node's; returns when the scan
 * is over (TAGS + 2 cycles), so no later hit sees the node's old tags. */
static void inval_node(uint64_t node)
{
	while (mmio_read32(FAST_REG(STATUS)) & SOC_FAST_STATUS_INVAL_MASK)
		;
	mmio_write32(FAST_REG(INVAL), (uint32_t)node);
	while (mmio_read32(FAST_REG(STATUS)) & SOC_FAST_STATUS_INVAL_MASK)
		;
	fst.inval_node++;
}

/* The table reflects the page cache as it is now. */
static void sync_pcache(void)
{
	uint64_t gen = pcache_gen();

	if (gen == seen_gen)
		return;
	seen_gen = gen;
	inval_all();
	fst.inval_pcache++;
}

void fast_init(void)
{
	/* The first access to the region: a SoC that did not decode it traps
	 * here, at start-up, with the address in the dump. */
	ntags = mmio_read32(FAST_REG(TAGS));
	nxnodes = mmio_read32(FAST_REG(XNODES));
	mmio_write32(FAST_REG(CTRL), 0);
	inval_all();
	x_clear();
	seen_gen = pcache_gen();
	if (!vq_engine_lendable) {
		printf("FAST: off (rings walked in firmware), %lu tags\n", (unsigned long)ntags);
		ntags = 0;
		nxnodes = 0;
		return;
	}
	printf("FAST: armed, %lu tags, %lu no-capability nodes (READ hits and security.capability "
	       "lookups served while the firmware sleeps)\n", (unsigned long)ntags, (unsigned long)nxnodes);
}

void fast_reset(void)
{
	if (!ntags)
		return;
	inval_all();
	x_clear();
	seen_gen = pcache_gen();
}

void fast_arm(uint32_t qmask)
{
	qmask &= ~1u;		/* hiprio (FORGET, INTERRUPT) stays the firmware's */
	if (!ntags || !qmask)
		return;
	sync_pcache();
	mmio_write32(FAST_REG(CTRL), SOC_FAST_CTRL_ARM_MASK | SOC_FIELD_PREP(SOC_FAST_CTRL_QMASK, qmask));
	armed = 1;
}

int fast_may_take(void)
{
	return ntags && !(mmio_read32(FAST_REG(STATUS)) & SOC_FAST_STATUS_PEND_MASK);
}

void fast_kick(uint32_t kick)
{
	if (!armed || !(kick & ~1u))
		return;
	mmio_write32(FAST_REG(KICK), kick & ~1u);
	fst.kicks++;
}

void fast_disarm(void)
{
	if (!armed)
		return;
	mmio_write32(FAST_REG(CTRL), 0);
	/* a hit in flight writes its used entry first; stolen notifications
	 * not yet served reach VIRTIO.NOTIFY now */
	while (mmio_read32(FAST_REG(STATUS)) & SOC_FAST_STATUS_BUSY_MASK)
		;
	armed = 0;
}

/* Requests that change no file's bytes, size or handles: tags stay. OPEN
 * only without O_TRUNC; FLUSH and FSYNC write dirty frames back, which
 * leaves their bytes as they are, but FSYNC is kept out anyway (a rare
 * request, and the commit behind it is the firmware's biggest change). */
static int leaves_tags(const volatile uint8_t *req, size_t len, uint32_t op)
{
	switch (op) {
	case FUSE_LOOKUP:
	case FUSE_GETATTR:
	case FUSE_READLINK:
	case FUSE_READ:
	case FUSE_STATFS:
	case FUSE_FLUSH:
	case FUSE_GETXATTR:
	case FUSE_LISTXATTR:
	case FUSE_OPENDIR:
	case FUSE_READDIR:
	case FUSE_RELEASEDIR:
	case FUSE_ACCESS:
	case FUSE_READDIRPLUS:
	case FUSE_LSEEK:
	case FUSE_GETLK:
	case FUSE_INTERRUPT:
		return 1;
	case FUSE_OPEN: {
		const volatile struct fuse_open_in *in = (const volatile void *)(req + sizeof(struct fuse_in_header));

		return len >= sizeof(struct fuse_in_header) + sizeof(*in) && !(in->flags & FUSE_O_TRUNC);
	}
	default:
		return 0;
	}
}

void fast_request(const volatile void *req, size_t len)
{
	const volatile struct fuse_in_header *h = req;
	uint32_t op;

	if (!ntags || len < sizeof(*h))
		return;
	op = h->opcode;
	switch (op) {
	case FUSE_SETXATTR:
	case FUSE_REMOVEXATTR:
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INIT:
	case FUSE_DESTROY:
		x_clear();
		break;
	default:
		break;
	}
	if (leaves_tags(req, len, op))
		return;
	/* A handle closed or a node forgotten: that node's tags go (a stale
	 * fh must not hit); its frames, if freed, move the page cache's count
	 * and clear the rest at the next look. */
	if (op == FUSE_RELEASE || op == FUSE_FORGET)
		inval_node(h->nodeid);
	else
		inval_all();
}

static void install(uint64_t node, uint64_t fh, uint64_t page, const void *frame, uint64_t size)
{
	mmio_write32(FAST_REG(TAG_NODE_LO), (uint32_t)node);
	mmio_write32(FAST_REG(TAG_NODE_HI), (uint32_t)(node >> 32));
	mmio_write32(FAST_REG(TAG_FH_LO), (uint32_t)fh);
	mmio_write32(FAST_REG(TAG_FH_HI), (uint32_t)(fh >> 32));
	mmio_write32(FAST_REG(TAG_PAGE), (uint32_t)page);
	mmio_write32(FAST_REG(TAG_FRAME), (uint32_t)(uintptr_t)frame);	/* DMA.LOCAL names it so */
	mmio_write32(FAST_REG(TAG_SIZE_LO), (uint32_t)size);
	mmio_write32(FAST_REG(TAG_SIZE_HI), (uint32_t)(size >> 32));
	mmio_write32(FAST_REG(TAG_CMD), SOC_FAST_TAG_CMD_INSTALL_MASK);
	fst.installs++;
}

/* A page of the file at pos (page aligned) whose bytes lie at p, len of
 * them there: taggable when the piece covers the page, or runs to the end
 * of the file (the fast path cuts there), at a 4 KiB-aligned address (what
 * TAG_FRAME holds), in clean page-cache frames: one 4 KiB block, or four
 * 1 KiB blocks the cache happened to place next to each other. */
static int taggable(const uint8_t *p, uint32_t len, uint64_t pos, uint64_t size)
{
	if (!p || pos >= size || ((uintptr_t)p & (PAGE - 1)))
		return 0;
	if (len < PAGE && pos + len != size)
		return 0;
	return vfs_pcache_range_clean(p, len < PAGE ? len : PAGE);
}

void fast_read_served(const volatile void *req, const struct vfs_seg *seg, unsigned n, uint64_t size)
{
	const volatile struct fuse_in_header *h = req;
	const volatile struct fuse_read_in *in = (const volatile void *)(h + 1);
	uint64_t node, fh, pos;

	if (!ntags || h->opcode != FUSE_READ || size == UINT64_MAX || size >> 44)
		return;		/* TAG_PAGE holds 32 bits of page index */
	/* frames evicted for this very READ: the table is cleared first, so
	 * the tags below are the only ones that name those frames */
	sync_pcache();
	node = h->nodeid;
	fh = in->fh;
	pos = in->offset;
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *p = seg[i].p;
		uint32_t left = seg[i].len;

		while (left) {
			uint32_t in_page = PAGE - (uint32_t)(pos & (PAGE - 1));
			uint32_t step = left < in_page ? left : in_page;

			if (in_page == PAGE && taggable(p, left, pos, size))
				install(node, fh, pos / PAGE, p, size);
			if (p)
				p += step;
			pos += step;
			left -= step;
		}
	}
}

void fast_reply_sent(const volatile void *req, const void *rep, size_t len)
{
	const volatile struct fuse_in_header *h = req;
	const volatile char *name = (const volatile char *)req + sizeof(*h) + sizeof(struct fuse_getxattr_in);
	const struct fuse_out_header *o = rep;

	if (!nxnodes || h->opcode != FUSE_GETXATTR || h->len != 68 || len != sizeof(*o) ||
	    o->error != -61 /* ENODATA on the wire */)
		return;
	for (size_t i = 0; i < sizeof(cap_name); i++)
		if (name[i] != cap_name[i])
			return;
	mmio_write32(FAST_REG(XNODE_LO), (uint32_t)h->nodeid);
	mmio_write32(FAST_REG(XNODE_HI), (uint32_t)(h->nodeid >> 32));
	mmio_write32(FAST_REG(XCMD), SOC_FAST_XCMD_INSTALL_MASK);
	fst.x_installs++;
}

void fast_report(void)
{
	if (!ntags)
		return;
	/* CHAIN counts every request whose readable part is not 80 bytes
	 * (most non-READ requests: the length is checked before the opcode),
	 * OPCODE an 80-byte one that is not a READ: together, "not a READ the
	 * fast path can take"; TAG and SIZE are READs. */
	printf("card: FAST: %lu hits (%lu bytes), handed over: %lu not READ-shaped (opcode), "
	       "%lu not READ-shaped (length or chain), %lu READs without a tag, %lu READs too long, %lu DMA failures; "
	       "%lu tags installed, %lu whole-table (%lu after page-cache changes) and %lu node invalidations; "
	       "GETXATTR security.capability: %lu answered ENODATA, %lu for nodes not entered, %lu nodes entered, "
	       "table emptied %lu times; %lu hand-overs of waiting requests\n",
	       (unsigned long)mmio_read32(FAST_REG(HITS)), (unsigned long)mmio_read32(FAST_REG(HIT_BYTES)),
	       (unsigned long)mmio_read32(FAST_REG(MISS_OPCODE)), (unsigned long)mmio_read32(FAST_REG(MISS_CHAIN)),
	       (unsigned long)mmio_read32(FAST_REG(MISS_TAG)), (unsigned long)mmio_read32(FAST_REG(MISS_SIZE)),
	       (unsigned long)mmio_read32(FAST_REG(MISS_DMA)), (unsigned long)fst.installs,
	       (unsigned long)fst.inval_all, (unsigned long)fst.inval_pcache, (unsigned long)fst.inval_node,
	       (unsigned long)mmio_read32(FAST_REG(XHITS)), (unsigned long)mmio_read32(FAST_REG(MISS_XATTR)),
	       (unsigned long)fst.x_installs, (unsigned long)fst.x_clears, (unsigned long)fst.kicks);
}
