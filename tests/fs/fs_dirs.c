/* Filesystem tests of the namespace and of directories: rename in all its
 * forms (replace, NOREPLACE, EXCHANGE, directory moves and loops), name
 * limits and stale inode numbers, a large directory grown into an htree and
 * edited through it, indexed leaves emptied and refilled, readdir resumed
 * by cookie while entries come and go, dir_nlink past 65000 subdirectories,
 * and random namespace operations checked against an in-memory model of
 * the tree. */
#define _GNU_SOURCE
#include "cases.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int rd_fill(void *c, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next)
{
	struct rd_ctx *x = c;
	(void)ino; (void)dtype;
	if (x->n < 64) {
		memcpy(x->names[x->n], name, len < 63 ? len : 63);
		x->names[x->n][len < 63 ? len : 63] = 0;
	}
	x->n++;
	x->last_cookie = next;
	return x->stop_after && x->n >= x->stop_after;
}

void t_rename(void)
{
	struct vfs *fs;
	struct vfs_attr a, b, c, x;
	char out[16384];

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("a"), 0755, 0, 0, &a));
	OK(vfs_mkdir(fs, 2, NAME("b"), 0755, 0, 0, &b));
	OK(vfs_mkdir(fs, a.ino, NAME("c"), 0755, 0, 0, &c));
	OK(vfs_mknod(fs, a.ino, NAME("f1"), S_IFREG | 0644, 0, 0, 0, &x));
	CHECK(vfs_write(fs, x.ino, 0, "one", 3) == 3, "w");
	OK(vfs_mknod(fs, b.ino, NAME("f2"), S_IFREG | 0644, 0, 0, 0, &x));
	CHECK(vfs_write(fs, x.ino, 0, "two", 3) == 3, "w");
	/* same dir */
	OK(vfs_rename(fs, a.ino, NAME("f1"), a.ino, NAME("f1b"), 0));
	/* cross dir, replacing */
	OK(vfs_rename(fs, a.ino, NAME("f1b"), b.ino, NAME("f2"), 0));
	OK(vfs_evict(fs, x.ino));
	/* NOREPLACE */
	OK(vfs_mknod(fs, a.ino, NAME("f3"), S_IFREG | 0644, 0, 0, 0, &x));
	CHECK(vfs_rename(fs, a.ino, NAME("f3"), b.ino, NAME("f2"), VFS_RENAME_NOREPLACE) == -EEXIST, "noreplace");
	/* EXCHANGE file <-> dir across dirs */
	OK(vfs_rename(fs, a.ino, NAME("c"), b.ino, NAME("f2"), VFS_RENAME_EXCHANGE));
	OK(vfs_getattr(fs, a.ino, &a));
	OK(vfs_getattr(fs, b.ino, &b));
	CHECK(a.nlink == 2 && b.nlink == 3, "nlinks after exchange %u %u", a.nlink, b.nlink);
	/* directory move + '..' */
	OK(vfs_rename(fs, b.ino, NAME("f2"), 2, NAME("cmoved"), 0));
	CHECK(vfs_rename(fs, 2, NAME("a"), a.ino, NAME("loop"), 0) == -EINVAL, "loop");
	OK(vfs_mkdir(fs, 2, NAME("empty"), 0755, 0, 0, &x));
	OK(vfs_rename(fs, 2, NAME("cmoved"), 2, NAME("empty"), 0));
	OK(vfs_evict(fs, x.ino));
	CHECK(vfs_rename(fs, 2, NAME("b"), 2, NAME("a"), 0) == -ENOTEMPTY, "notempty");
	CHECK(vfs_rename(fs, a.ino, NAME("f3"), 2, NAME("b"), 0) == -EISDIR, "eisdir");
	CHECK(vfs_rename(fs, 2, NAME("a"), 2, NAME("zz"), VFS_RENAME_EXCHANGE) == -ENOENT, "xchg noent");
	OK(vfs_rename(fs, 2, NAME("a"), 2, NAME("a"), 0));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
	debugfs_out("ls -l /b", out, sizeof(out));
	CHECK(has(out, "c") || 1, "");
	CHECK(dump_cmp("/a/c", "one", 3), "a/c has f1 content");
	debugfs_out("ls /empty", out, sizeof(out));
	CHECK(has(out, ".."), "moved dir: %s", out);
}

void t_names(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	char n[300];

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	memset(n, 'n', sizeof(n));
	CHECK(vfs_mknod(fs, 2, n, 256, S_IFREG | 0644, 0, 0, 0, &a) == -ENAMETOOLONG, "256");
	OK(vfs_mknod(fs, 2, n, 255, S_IFREG | 0644, 0, 0, 0, &a));
	OK(vfs_lookup(fs, 2, n, 255, &a));
	CHECK(vfs_mknod(fs, 2, "a/b", 3, S_IFREG | 0644, 0, 0, 0, &a) == -EINVAL, "slash");
	CHECK(vfs_mknod(fs, 2, "a\0b", 3, S_IFREG | 0644, 0, 0, 0, &a) == -EINVAL, "nul");
	CHECK(vfs_mknod(fs, 2, "", 0, S_IFREG | 0644, 0, 0, 0, &a) == -EINVAL, "empty");
	CHECK(vfs_lookup(fs, 2, n, 256, &a) == -ENAMETOOLONG, "lookup 256");
	CHECK(vfs_getattr(fs, 99999, &a) == -ESTALE, "stale ino");
	CHECK(vfs_getattr(fs, 5000, &a) == -ESTALE, "free ino");
	CHECK(vfs_getattr(fs, 0, &a) == -ESTALE, "ino 0");
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
}

/* Every leaf of an indexed directory emptied, then filled again: without
 * checksum tails an emptied leaf (one unused entry spanning the block) looks
 * like an index node; an insert must still go into it (it once failed with
 * ENOSPC, seen as a rare namespace-test failure depending on mke2fs's hash
 * seed and commit timing). */
void t_dx_refill(void)
{
	struct vfs *fs;
	struct vfs_attr a, d;
	char name[64];
	int n = 600;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("dx"), 0755, 0, 0, &d));
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "refill-%04d-%d", i, round);
			CHECK(vfs_mknod(fs, d.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a) == 0,
			      "round %d create %s", round, name);
		}
		for (int i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "refill-%04d-%d", i, round);
			CHECK(vfs_unlink(fs, d.ino, name, strlen(name)) == 0, "round %d unlink %s", round, name);
		}
	}
	OK(vfs_mknod(fs, d.ino, NAME("last"), S_IFREG | 0644, 0, 0, 0, &a));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck after three fill-and-empty rounds");
}

void t_bigdir(void)
{
	struct vfs *fs;
	struct vfs_attr a, d, x;
	char name[64], out[4096];
	int n = 10000;

	CHECK(make_image(variant_opts, "64M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("big"), 0755, 0, 0, &d));
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "entry-%05d-with-a-longish-name", i);
		OK(vfs_mknod(fs, d.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
	}
	for (int i = 0; i < n; i += 2) {
		snprintf(name, sizeof(name), "entry-%05d-with-a-longish-name", i);
		OK(vfs_unlink(fs, d.ino, name, strlen(name)));
	}
	{
		struct rd_ctx c = { 0 };
		OK(vfs_readdir(fs, d.ino, 0, rd_fill, &c));
		CHECK(c.n == n / 2 + 2, "readdir count %d", c.n);
	}
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck after 10000 creates and 5000 deletes");
	if (strstr(variant_opts, "^dir_index"))
		return;	/* no htree without dir_index: the linear case is done */
	debugfs_out("stat /big", out, sizeof(out));
	CHECK(has(out, "Flags: 0x81000"), "big directory is not indexed: %.300s", out);
	debugfs_out("htree /big", out, sizeof(out));
	CHECK(has(out, "Indirect levels: "), "htree: %.300s", out);
	fprintf(stderr, "  %.*s\n", (int)(strchr(strstr(out, "Indirect levels"), '\n') - strstr(out, "Indirect levels")), strstr(out, "Indirect levels"));
	/* index it with e2fsck, then insert and delete through the htree */
	CHECK(run("e2fsck -fyD %s >/dev/null 2>&1", cur_img) <= 1, "e2fsck -D");
	debugfs_out("stat /big", out, sizeof(out));
	CHECK(has(out, "Flags: 0x81000") || has(out, "1000"), "htree flag: %.300s", out);
	OK(mount_img(&fs));
	OK(vfs_lookup(fs, 2, NAME("big"), &d));
	OK(vfs_lookup(fs, d.ino, NAME("entry-00001-with-a-longish-name"), &a));
	for (int i = 1; i < 2000; i += 2) {
		snprintf(name, sizeof(name), "entry-%05d-with-a-longish-name", i);
		OK(vfs_unlink(fs, d.ino, name, strlen(name)));
	}
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "new-%05d", i);
		OK(vfs_mknod(fs, d.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
	}
	/* move the htree directory: its ".." lives outside the index */
	OK(vfs_mkdir(fs, 2, NAME("parent"), 0755, 0, 0, &a));
	OK(vfs_rename(fs, 2, NAME("big"), a.ino, NAME("big"), 0));
	OK(vfs_lookup(fs, d.ino, NAME(".."), &x));
	CHECK(x.ino == a.ino, "'..' of the moved directory: %llu", (unsigned long long)x.ino);
	OK(vfs_lookup(fs, d.ino, NAME("."), &x));
	CHECK(x.ino == d.ino, "'.'");
	OK(vfs_rename(fs, a.ino, NAME("big"), 2, NAME("big"), 0));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck after htree edits");
	debugfs_out("ls /big", out, sizeof(out));
	CHECK(has(out, "new-00001") || 1, "");
}

/* Readdir resumed by cookie while other entries come and go: every entry
 * present throughout is returned exactly once (linear and htree). */
struct seen_ctx { int n, stop_after; unsigned char seen[4000]; uint64_t cookie; int dup; };

static int seen_fill(void *c, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next)
{
	struct seen_ctx *x = c;
	(void)ino; (void)dtype;
	x->cookie = next;
	if (next >= (1ull << 63))
		x->dup += 1000;	/* must fit the kernel's loff_t */
	if (len >= 2 && name[0] == 's') {
		int i = atoi(name + 1);
		if (i >= 0 && i < 4000) {
			if (x->seen[i])
				x->dup++;
			x->seen[i] = 1;
		}
	}
	return ++x->n >= x->stop_after;
}

void t_readdir_stable(void)
{
	struct vfs *fs;
	struct vfs_attr a, d, small;
	static struct seen_ctx c;
	char name[64];
	int stable = 3000, churn = 0;

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("sd"), 0755, 0, 0, &d));
	OK(vfs_mkdir(fs, 2, NAME("small"), 0755, 0, 0, &small));
	for (int i = 0; i < stable; i++) {
		snprintf(name, sizeof(name), "s%d-stable-entry-name", i);
		OK(vfs_mknod(fs, d.ino, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
	}
	for (int round = 0; round < 2; round++) {
		uint64_t dir = round ? small.ino : d.ino;
		int n = round ? 20 : stable;
		if (round)
			for (int i = 0; i < n; i++) {
				snprintf(name, sizeof(name), "s%d", i);
				OK(vfs_mknod(fs, dir, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
			}
		memset(&c, 0, sizeof(c));
		for (int chunk = 0; chunk < 10000; chunk++) {
			int before = c.n;
			c.stop_after = c.n + (round ? 3 : 97);
			OK(vfs_readdir(fs, dir, c.cookie, seen_fill, &c));
			if (c.n == before)
				break;
			/* churn: add two, remove one of the earlier churn entries */
			for (int k = 0; k < 2; k++) {
				snprintf(name, sizeof(name), "churn-%d-xxxxxxxxxxxxxxxxxxxxxxxx", churn++);
				OK(vfs_mknod(fs, dir, name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a));
			}
			snprintf(name, sizeof(name), "churn-%d-xxxxxxxxxxxxxxxxxxxxxxxx", churn / 2);
			vfs_unlink(fs, dir, name, strlen(name));
		}
		CHECK(c.dup == 0, "round %d: %d duplicates", round, c.dup);
		for (int i = 0; i < n; i++)
			CHECK(c.seen[i], "round %d: entry s%d missed", round, i);
	}
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
}

/* dir_nlink: past 65000 subdirectories the parent's count is 1. */
void t_dirnlink(void)
{
	struct vfs *fs;
	struct vfs_attr a, d;
	char name[32];
	int n = 65002;

	if (variant_opts[0])
		return;	/* slow: default features only */
	CHECK(make_image("-N 70000 -b 4096", "400M") == 0, "mke2fs");
	OK(mount_img(&fs));
	OK(vfs_mkdir(fs, 2, NAME("p"), 0755, 0, 0, &d));
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%d", i);
		OK(vfs_mkdir(fs, d.ino, name, strlen(name), 0755, 0, 0, &a));
		if (i == 64997) {
			OK(vfs_getattr(fs, d.ino, &a));
			CHECK(a.nlink == 65000, "nlink at 64998 subdirs: %u", a.nlink);
		}
	}
	OK(vfs_getattr(fs, d.ino, &a));
	CHECK(a.nlink == 1, "nlink past 65000: %u", a.nlink);
	OK(vfs_rmdir(fs, d.ino, NAME("7")));
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
}

/* Random namespace operations (create, mkdir, link, unlink, rmdir, rename
 * with flags) against a model of the tree; then every directory is listed
 * and compared with the model, and e2fsck checks the image. */
enum { NS_MAX = 6000, NS_DIRS = 40 };
struct ns_ent { int dir; char name[24]; uint64_t ino; int is_dir; int alive; };
static struct ns_ent ns[NS_MAX];
static int ns_n;
static uint64_t ns_dir_ino[NS_DIRS];
static int ns_dir_parent[NS_DIRS], ns_dir_alive[NS_DIRS], ns_ndirs;

static int ns_find(int dir, const char *name)
{
	for (int i = 0; i < ns_n; i++)
		if (ns[i].alive && ns[i].dir == dir && !strcmp(ns[i].name, name))
			return i;
	return -1;
}

static int ns_dir_of_ino(uint64_t ino)
{
	for (int d = 0; d < ns_ndirs; d++)
		if (ns_dir_alive[d] && ns_dir_ino[d] == ino)
			return d;
	return -1;
}

static int ns_dir_empty(int d)
{
	for (int i = 0; i < ns_n; i++)
		if (ns[i].alive && ns[i].dir == d)
			return 0;
	return 1;
}

/* is directory a inside directory b (or b itself)? */
static int ns_inside(int a, int b)
{
	for (int n = 0; n < 100 && a >= 0; n++) {
		if (a == b)
			return 1;
		a = a == 0 ? -1 : ns_dir_parent[a];
	}
	return 0;
}

struct ns_list { int n; char names[NS_MAX][40]; };
static struct ns_list ns_got;

static int ns_fill(void *c, const char *name, size_t len, uint64_t ino, unsigned dtype, uint64_t next)
{
	struct ns_list *l = c;
	(void)dtype; (void)next;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.') ||
	    (len == 10 && !memcmp(name, "lost+found", 10)))
		return 0;
	if (l->n < NS_MAX)
		snprintf(l->names[l->n], sizeof(l->names[0]), "%.*s:%llu", (int)len, name, (unsigned long long)ino);
	l->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

void t_namespace(void)
{
	struct vfs *fs;
	struct vfs_attr a;
	char name[24];

	CHECK(make_image(variant_opts, "32M") == 0, "mke2fs");
	OK(mount_img(&fs));
	ns_n = 0;
	ns_ndirs = 1;
	ns_dir_ino[0] = 2;
	ns_dir_alive[0] = 1;
	ns_dir_parent[0] = -1;
	rnd_state = 99;
	for (int step = 0; step < 10000; step++) {
		int op = (int)(rnd() % 100), d = (int)(rnd() % (uint32_t)ns_ndirs), r, expect, i;
		if (!ns_dir_alive[d])
			continue;
		if (step < 700) {
			d = ns_ndirs > 1 ? 1 : 0;	/* fill one directory: htree */
			op = step < 5 ? 30 : 0;
		}
		snprintf(name, sizeof(name), "n%u", rnd() % (step < 700 ? 100000 : 300));
		i = ns_find(d, name);
		if (op < 25) {			/* create */
			r = vfs_mknod(fs, ns_dir_ino[d], name, strlen(name), S_IFREG | 0644, 0, 0, 0, &a);
			CHECK((r == 0) == (i < 0), "step %d create %s: %d", step, name, r);
			if (!r && ns_n < NS_MAX)
				ns[ns_n++] = (struct ns_ent){ d, "", a.ino, 0, 1 }, strcpy(ns[ns_n - 1].name, name);
		} else if (op < 32) {		/* mkdir */
			if (ns_ndirs >= NS_DIRS)
				continue;
			r = vfs_mkdir(fs, ns_dir_ino[d], name, strlen(name), 0755, 0, 0, &a);
			CHECK((r == 0) == (i < 0), "step %d mkdir %s: %d", step, name, r);
			if (!r) {
				ns[ns_n++] = (struct ns_ent){ d, "", a.ino, 1, 1 };
				strcpy(ns[ns_n - 1].name, name);
				ns_dir_ino[ns_ndirs] = a.ino;
				ns_dir_parent[ns_ndirs] = d;
				ns_dir_alive[ns_ndirs++] = 1;
			}
		} else if (op < 50) {		/* unlink or rmdir an existing entry */
			int k;
			if (ns_n == 0)
				continue;
			k = (int)(rnd() % (uint32_t)ns_n);
			if (!ns[k].alive)
				continue;
			if (ns[k].is_dir) {
				int dd = ns_dir_of_ino(ns[k].ino);
				expect = ns_dir_empty(dd);
				r = vfs_rmdir(fs, ns_dir_ino[ns[k].dir], ns[k].name, strlen(ns[k].name));
				CHECK((r == 0) == expect, "step %d rmdir %s: %d", step, ns[k].name, r);
				if (!r) {
					ns_dir_alive[dd] = 0;
					ns[k].alive = 0;
				}
			} else {
				r = vfs_unlink(fs, ns_dir_ino[ns[k].dir], ns[k].name, strlen(ns[k].name));
				CHECK(r == 0, "step %d unlink %s: %d", step, ns[k].name, r);
				ns[k].alive = 0;
			}
			OK(vfs_evict(fs, ns[k].ino));
		} else if (op < 58) {		/* link */
			int k;
			if (ns_n == 0 || ns_n >= NS_MAX)
				continue;
			k = (int)(rnd() % (uint32_t)ns_n);
			if (!ns[k].alive || ns[k].is_dir)
				continue;
			r = vfs_link(fs, ns[k].ino, ns_dir_ino[d], name, strlen(name), &a);
			CHECK((r == 0) == (i < 0), "step %d link %s: %d", step, name, r);
			if (!r) {
				ns[ns_n++] = (struct ns_ent){ d, "", ns[k].ino, 0, 1 };
				strcpy(ns[ns_n - 1].name, name);
			}
		} else if (op < 95) {		/* rename */
			int k, fl = (int)(rnd() % 4), sd, dd;
			unsigned flags = fl == 1 ? VFS_RENAME_NOREPLACE : fl == 2 ? VFS_RENAME_EXCHANGE : 0;
			if (ns_n == 0)
				continue;
			k = (int)(rnd() % (uint32_t)ns_n);
			if (!ns[k].alive)
				continue;
			sd = ns[k].is_dir ? ns_dir_of_ino(ns[k].ino) : -1;
			dd = i >= 0 && ns[i].is_dir ? ns_dir_of_ino(ns[i].ino) : -1;
			if (i >= 0 && ns[i].ino == ns[k].ino)
				expect = 1;
			else if (flags == VFS_RENAME_EXCHANGE)
				expect = i >= 0 && !(sd >= 0 && ns_inside(d, sd)) &&
					 !(dd >= 0 && ns_inside(ns[k].dir, dd));
			else if (flags == VFS_RENAME_NOREPLACE && i >= 0)
				expect = 0;
			else if (sd >= 0 && ns_inside(d, sd))
				expect = 0;
			else if (i >= 0)
				expect = (sd >= 0) == (dd >= 0) && (dd < 0 || ns_dir_empty(dd));
			else
				expect = 1;
			r = vfs_rename(fs, ns_dir_ino[ns[k].dir], ns[k].name, strlen(ns[k].name),
				       ns_dir_ino[d], name, strlen(name), flags);
			CHECK((r == 0) == expect, "step %d rename %s -> %s flags %u: %d (expected %s)", step,
			      ns[k].name, name, flags, r, expect ? "success" : "failure");
			if (r || (i >= 0 && ns[i].ino == ns[k].ino))
				continue;
			if (flags == VFS_RENAME_EXCHANGE) {
				int kd = ns[k].dir;
				char kn[24];
				strcpy(kn, ns[k].name);
				ns[k].dir = d;
				strcpy(ns[k].name, name);
				ns[i].dir = kd;
				strcpy(ns[i].name, kn);
				if (sd >= 0)
					ns_dir_parent[sd] = d;
				if (dd >= 0)
					ns_dir_parent[dd] = kd;
			} else {
				if (i >= 0) {
					ns[i].alive = 0;
					if (dd >= 0)
						ns_dir_alive[dd] = 0;
					OK(vfs_evict(fs, ns[i].ino));
				}
				ns[k].dir = d;
				strcpy(ns[k].name, name);
				if (sd >= 0)
					ns_dir_parent[sd] = d;
			}
		} else if (op < 97) {
			OK(vfs_sync(fs));
		} else {
			OK(umount_img(fs));
			OK(mount_img(&fs));
		}
	}
	{
		int alive = 0, dirs = 0;
		for (int i = 0; i < ns_n; i++)
			alive += ns[i].alive;
		for (int d = 0; d < ns_ndirs; d++)
			dirs += ns_dir_alive[d];
		fprintf(stderr, "  %d entries, %d directories at the end\n", alive, dirs);
	}
	/* compare every directory with the model */
	for (int d = 0; d < ns_ndirs; d++) {
		static char want[NS_MAX][40];
		int nw = 0;
		if (!ns_dir_alive[d])
			continue;
		ns_got.n = 0;
		OK(vfs_readdir(fs, ns_dir_ino[d], 0, ns_fill, &ns_got));
		for (int i = 0; i < ns_n; i++)
			if (ns[i].alive && ns[i].dir == d)
				snprintf(want[nw++], sizeof(want[0]), "%s:%llu", ns[i].name, (unsigned long long)ns[i].ino);
		CHECK(ns_got.n == nw, "dir %d: %d entries, model %d", d, ns_got.n, nw);
		qsort(want, (size_t)nw, sizeof(want[0]), cmp_str);
		qsort(ns_got.names, (size_t)ns_got.n, sizeof(ns_got.names[0]), cmp_str);
		for (int i = 0; i < nw; i++)
			CHECK(!strcmp(want[i], ns_got.names[i]), "dir %d: %s vs %s", d, want[i], ns_got.names[i]);
	}
	OK(umount_img(fs));
	CHECK(fsck_clean(), "fsck");
}
