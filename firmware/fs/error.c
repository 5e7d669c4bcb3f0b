/*
 * The error reporter: a failure's reason as text in fs->err (or, before a
 * mount exists, in the last-mount slot vfs_last_error(NULL) reads), and the
 * "corrupt, write nothing more" state. It calls nothing else in the
 * filesystem, so every unit, the block cache first, may report through it.
 */
#include <stdarg.h>

#include "ext4.h"

/* The reason a mount failed, for vfs_last_error(NULL); each mount's own
 * reason is copied here too. */
static char mount_err[160];

/* A tiny formatter: no libc printf on the card. */
static void fmt_append(char *buf, size_t size, size_t *pos, const char *s)
{
	while (*s && *pos + 1 < size)
		buf[(*pos)++] = *s++;
	buf[*pos] = 0;
}

static void fmt_u64(char *buf, size_t size, size_t *pos, uint64_t v, unsigned base)
{
	char tmp[24];
	int n = 0;

	do {
		unsigned d = (unsigned)(v % base);
		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	while (n && *pos + 1 < size)
		buf[(*pos)++] = tmp[--n];
	buf[*pos] = 0;
}

static void vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t pos = 0;

	buf[0] = 0;
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			char c[2] = { *fmt, 0 };
			fmt_append(buf, size, &pos, c);
			continue;
		}
		fmt++;
		switch (*fmt) {
		case 's': fmt_append(buf, size, &pos, va_arg(ap, const char *)); break;
		case 'u': fmt_u64(buf, size, &pos, va_arg(ap, unsigned), 10); break;
		case 'x': fmt_u64(buf, size, &pos, va_arg(ap, unsigned), 16); break;
		case 'L': fmt_u64(buf, size, &pos, va_arg(ap, unsigned long long), 10); break;
		default: fmt_append(buf, size, &pos, "?"); break;
		}
	}
}

/* Records a human-readable reason (%s %u %x, %L = unsigned long long) and returns err. */
int ext4_error(struct vfs *fs, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vformat(fs ? fs->err : mount_err, sizeof(mount_err), fmt, ap);
	va_end(ap);
	if (fs)
		memcpy(mount_err, fs->err, sizeof(mount_err));
	return err;
}

/* Corruption found: from now on nothing more is written (as ext4's
 * errors=remount-ro); the last committed state stays on disk. */
int ext4_corrupt(struct vfs *fs, const char *what, uint64_t where)
{
	if (fs)
		fs->broken = 1;
	return ext4_error(fs, -EUCLEAN, "corrupt filesystem: %s (%L)", what,
			  (unsigned long long)where);
}

const char *vfs_last_error(const struct vfs *fs)
{
	return fs ? fs->err : mount_err;
}
