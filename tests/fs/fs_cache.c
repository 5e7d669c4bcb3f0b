/* The in-core caches (inode attributes, "has no xattrs", names) against a
 * fresh mount: random metadata operations on one mount, whose answers come
 * from the caches, and every few steps the same questions to a mount of a
 * copy of the image just synced, which starts with empty caches. And an
 * inode whose checksum was damaged on disk is still refused when first
 * loaded. */
#define _GNU_SOURCE
#include "cases.h"

#include <errno.h>
#include <stdlib.h>

#define NDIRS 3
#define NNAMES 10
#define STEPS 360
#define CHECK_EVERY 6
#define MAX_SEEN 512

static uint64_t dirs[NDIRS];
static uint64_t seen[MAX_SEEN];
static unsigned nseen;

static void see(uint64_t ino)
{
	for (unsigned i = 0; i < nseen; i++)
		if (seen[i] == ino)
			return;
	if (nseen < MAX_SEEN)
		seen[nseen++] = ino;
}

static const char *pname(unsigned i)
{
	static char b[4][64];
	static unsigned k;

	k = (k + 1) & 3;
	/* short names (cached) and one past the name cache's limit */
	if (i == NNAMES - 1)
		snprintf(b[k], sizeof(b[k]), "a-name-longer-than-the-name-cache-keeps-%u", i);
	else
		snprintf(b[k], sizeof(b[k]), "n%u", i);
	return b[k];
}

/* A random existing entry of a random directory: its inode, 0 if none. */
static uint64_t pick(struct vfs *fs, unsigned *d, const char **name, struct vfs_attr *a)
{
	*d = rnd() % NDIRS;
	*name = pname(rnd() % NNAMES);
	return vfs_lookup(fs, dirs[*d], *name, strlen(*name), a) ? 0 : a->ino;
}

static int same_attr(const struct vfs_attr *x, const struct vfs_attr *y)
{
	return x->ino == y->ino && x->size == y->size && x->blocks == y->blocks && x->atime == y->atime &&
	       x->mtime == y->mtime && x->ctime == y->ctime && x->atimensec == y->atimensec &&
	       x->mtimensec == y->mtimensec && x->ctimensec == y->ctimensec && x->mode == y->mode &&
	       x->nlink == y->nlink && x->uid == y->uid && x->gid == y->gid && x->rdev == y->rdev &&
	       x->blksize == y->blksize && x->generation == y->generation;
}

static const char *const xnames[] = { "security.capability", "user.a", "trusted.t", "security.selinux" };

/* Every name of every directory, and the xattrs of what they name: the
 * caching mount and a fresh one of the synced copy agree. Returns the
 * number of answers compared, or -1 after a failed check. */
static long compare(struct vfs *a, int step)
{
	static struct blockdev_file bf;
	char copy[600];
	struct vfs *b = NULL;
	long n = 0;
	int err;

	/* unlinked inodes go as the FUSE server's FORGET makes them go */
	for (unsigned i = 0; i < nseen; i++)
		vfs_evict(a, seen[i]);
	if (vfs_sync(a))
		return -1;
	snprintf(copy, sizeof(copy), "%s/copy.img", workdir);
	if (run("cp %s %s", cur_img, copy) || blockdev_file_open(&bf, copy, 0))
		return -1;
	err = vfs_mount(&b, &bf.bd, 0);
	if (err) {
		fprintf(stderr, "  step %d: fresh mount: %d %s\n", step, err, vfs_last_error(NULL));
		blockdev_file_close(&bf);
		return -1;
	}
	for (unsigned d = 0; d < NDIRS; d++) {
		for (unsigned i = 0; i < NNAMES; i++) {
			const char *nm = pname(i);
			struct vfs_attr x, y;
			int ex = vfs_lookup(a, dirs[d], nm, strlen(nm), &x);
			int ey = vfs_lookup(b, dirs[d], nm, strlen(nm), &y);

			n++;
			if (ex != ey || (!ex && !same_attr(&x, &y))) {
				fprintf(stderr, "  step %d: lookup dir %u %s: %d ino %llu mode %o nlink %u size %llu "
					"vs fresh %d ino %llu mode %o nlink %u size %llu\n", step, d, nm, ex,
					(unsigned long long)x.ino, x.mode, x.nlink, (unsigned long long)x.size, ey,
					(unsigned long long)y.ino, y.mode, y.nlink, (unsigned long long)y.size);
				n = -1;
				goto out;
			}
			if (ex)
				continue;
			ex = vfs_getattr(a, x.ino, &x);
			ey = vfs_getattr(b, y.ino, &y);
			n++;
			if (ex || ey || !same_attr(&x, &y)) {
				fprintf(stderr, "  step %d: getattr %llu: %d vs %d, ctime %llu.%u vs %llu.%u\n", step,
					(unsigned long long)x.ino, ex, ey, (unsigned long long)x.ctime, x.ctimensec,
					(unsigned long long)y.ctime, y.ctimensec);
				n = -1;
				goto out;
			}
			for (unsigned k = 0; k < sizeof(xnames) / sizeof(xnames[0]); k++) {
				char vx[64], vy[64];
				long lx = vfs_getxattr(a, x.ino, xnames[k], vx, sizeof(vx));
				long ly = vfs_getxattr(b, y.ino, xnames[k], vy, sizeof(vy));

				n++;
				if (lx != ly || (lx > 0 && memcmp(vx, vy, (size_t)lx))) {
					fprintf(stderr, "  step %d: getxattr %llu %s: %ld vs fresh %ld\n", step,
						(unsigned long long)x.ino, xnames[k], lx, ly);
					n = -1;
					goto out;
				}
			}
			{
				char lx[256], ly[256];
				long sx = vfs_listxattr(a, x.ino, lx, sizeof(lx));
				long sy = vfs_listxattr(b, y.ino, ly, sizeof(ly));

				n++;
				if (sx != sy || (sx > 0 && memcmp(lx, ly, (size_t)sx))) {
					fprintf(stderr, "  step %d: listxattr %llu: %ld vs fresh %ld\n", step,
						(unsigned long long)x.ino, sx, sy);
					n = -1;
					goto out;
				}
			}
		}
	}
out:
	vfs_unmount(b);
	blockdev_file_close(&bf);
	return n;
}

/* One random metadata operation; its result does not matter, only that the
 * caches follow it. Lookups and getattrs in between fill them. */
static void step_once(struct vfs *fs)
{
	unsigned d, d2;
	const char *nm, *nm2;
	struct vfs_attr a, a2;
	uint64_t ino = pick(fs, &d, &nm, &a);
	struct vfs_setattr sa;
	unsigned op = rnd() % 16;

	memset(&sa, 0, sizeof(sa));
	if (ino) {
		see(ino);
		vfs_getattr(fs, ino, &a2);
		vfs_getxattr(fs, ino, "security.capability", NULL, 0);
	}
	switch (op) {
	case 0:
	case 1:
		if (!vfs_mknod(fs, dirs[d], nm, strlen(nm), 0100644, 0, 1000, 1000, &a))
			see(a.ino);
		break;
	case 2:
		if (!vfs_mkdir(fs, dirs[d], nm, strlen(nm), 040755, 1000, 1000, &a))
			see(a.ino);
		break;
	case 3:
		if (ino && (a.mode & 0170000) == 040000)
			vfs_rmdir(fs, dirs[d], nm, strlen(nm));
		else
			vfs_unlink(fs, dirs[d], nm, strlen(nm));
		break;
	case 4:
		if (ino) {
			d2 = rnd() % NDIRS;
			nm2 = pname(rnd() % NNAMES);
			vfs_link(fs, ino, dirs[d2], nm2, strlen(nm2), &a2);
		}
		break;
	case 5:
	case 6: {
		static const unsigned flags[] = { 0, VFS_RENAME_NOREPLACE, VFS_RENAME_EXCHANGE, 0 };

		d2 = rnd() % NDIRS;
		nm2 = pname(rnd() % NNAMES);
		vfs_rename(fs, dirs[d], nm, strlen(nm), dirs[d2], nm2, strlen(nm2), flags[rnd() % 4]);
		break;
	}
	case 7:
		sa.valid = VFS_SET_MODE;
		sa.mode = rnd() & 07777;
		break;
	case 8:
		sa.valid = VFS_SET_UID | VFS_SET_GID;
		sa.uid = rnd() % 70000;
		sa.gid = rnd() % 3;
		break;
	case 9:
		sa.valid = VFS_SET_ATIME | VFS_SET_MTIME;
		sa.atime = 1600000000 + rnd() % 1000;
		sa.mtime = 1700000000 + rnd() % 1000;
		sa.atimensec = rnd() % 1000000000;
		sa.mtimensec = rnd() % 1000000000;
		break;
	case 10:
		sa.valid = VFS_SET_SIZE;
		sa.size = rnd() % 20000;
		break;
	case 11:
		if (ino) {
			char buf[3000];

			memset(buf, (int)rnd(), sizeof(buf));
			vfs_write(fs, ino, rnd() % 30000, buf, 1 + rnd() % sizeof(buf));
		}
		break;
	case 12:
	case 13:
		if (ino) {
			char val[40];
			size_t vl = 1 + rnd() % (small_inode ? 8 : sizeof(val));

			memset(val, 'a' + (int)(rnd() % 26), sizeof(val));
			vfs_setxattr(fs, ino, xnames[rnd() % 3], val, vl, 0);
		}
		break;
	case 14:
		if (ino)
			vfs_removexattr(fs, ino, xnames[rnd() % 3]);
		break;
	case 15:
		if (ino)
			vfs_evict(fs, ino);
		break;
	}
	if (sa.valid && ino)
		vfs_setattr(fs, ino, &sa, &a2);
}

void t_metacache(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	long compared = 0;

	rnd_state = 0x5eed1e55u;
	nseen = 0;
	CHECK(make_image(variant_opts, "8M") == 0, "mke2fs");
	OK(mount_img(&fs));
	dirs[0] = vfs_root(fs);
	OK(vfs_mkdir(fs, dirs[0], NAME("d1"), 040755, 0, 0, &a));
	dirs[1] = a.ino;
	OK(vfs_mkdir(fs, dirs[0], NAME("d2"), 040755, 0, 0, &a));
	dirs[2] = a.ino;
	for (int s = 1; s <= STEPS; s++) {
		step_once(fs);
		if (s % CHECK_EVERY == 0) {
			long n = compare(fs, s);

			CHECK(n >= 0, "step %d: the caching mount and a fresh one disagree", s);
			compared += n;
		}
	}
	printf("  metacache: %d operations, %ld answers compared with a fresh mount\n", STEPS, compared);
	CHECK(compared >= 2000, "only %ld answers compared", compared);
	OK(umount_img(fs));
	CHECK(fsck_clean(), "e2fsck");

	/* A damaged inode checksum: refused at its first load. */
	{
		char out[4096], *p;
		unsigned long blk, off;
		uint32_t bs;
		int err;

		if (strstr(variant_opts, "^metadata_csum"))
			return;
		CHECK(make_image(variant_opts, "8M") == 0, "mke2fs");
		OK(mount_img(&fs));
		OK(vfs_mknod(fs, vfs_root(fs), NAME("victim"), 0100600, 0, 0, 0, &a));
		OK(umount_img(fs));
		debugfs_out("imap /victim", out, sizeof(out));
		p = strstr(out, "located at block ");
		CHECK(p && sscanf(p, "located at block %lu, offset 0x%lx", &blk, &off) == 2, "imap: %s", out);
		debugfs_out("stats", out, sizeof(out));
		bs = (uint32_t)atoi(strstr(out, "Block size:") + 11);
		/* the low byte of i_uid: the checksum no longer matches */
		CHECK(run("printf '\\x5a' | dd of=%s bs=1 seek=%lu conv=notrunc 2>/dev/null", cur_img,
			  blk * bs + off + 2) == 0, "dd");
		OK(mount_img(&fs));
		err = vfs_lookup(fs, vfs_root(fs), NAME("victim"), &a);
		CHECK(err == -EUCLEAN, "lookup of the damaged inode: %d", err);
		CHECK(strstr(vfs_last_error(fs), "inode checksum"), "message: %s", vfs_last_error(fs));
		err = vfs_lookup(fs, vfs_root(fs), NAME("victim"), &a);
		CHECK(err != 0, "asked again: still refused (%d)", err);
		umount_img(fs);
	}
}
