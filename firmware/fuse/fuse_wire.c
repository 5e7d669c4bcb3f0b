/* Local errno values (the build's libc) to the Linux values the guest expects. */
#include "fuse_wire.h"

#include <errno.h>

int fuse_wire_errno(int err)
{
	switch (err) {
	case 0: return 0;
	case EPERM: return 1;
	case ENOENT: return 2;
	case EIO: return 5;
	case ENXIO: return 6;
	case E2BIG: return 7;
	case EBADF: return 9;
	case ENOMEM: return 12;
	case EACCES: return 13;
	case EFAULT: return 14;
	case EBUSY: return 16;
	case EEXIST: return 17;
	case EXDEV: return 18;
	case ENODEV: return 19;
	case ENOTDIR: return 20;
	case EISDIR: return 21;
	case EINVAL: return 22;
	case ENFILE: return 23;
	case EMFILE: return 24;
	case EFBIG: return 27;
	case ENOSPC: return 28;
	case ESPIPE: return 29;
	case EROFS: return 30;
	case EMLINK: return 31;
	case ERANGE: return 34;
	case ENAMETOOLONG: return 36;
	case ENOSYS: return 38;
	case ENOTEMPTY: return 39;
	case ELOOP: return 40;
	case ENODATA: return 61;
	case EOVERFLOW: return 75;
	case EOPNOTSUPP: return 95;
	case ESTALE: return 116;
#ifdef EUCLEAN
	case EUCLEAN: return 117;
#endif
	default: return 5;	/* EIO for anything without a Linux counterpart here */
	}
}
