/*
 * The card's file service: the ext4 filesystem on the SSD behind the FUSE
 * server, as the request loop (main.c) sees it.
 *
 * The storage comes from card_storage(), which the SSD driver provides (the
 * NVMe host driver behind the root port); without it, or when the image is
 * refused at mount, the service is "down": the server runs with no
 * filesystem (FUSE_INIT negotiated as usual so that the guest sees a device,
 * EIO for every request that needs the filesystem, ENOSYS for unknown ones),
 * and the reason is printed on the console once.
 *
 * SSD errors while serving: a failed read answers that request EIO and
 * nothing else changes. A failed write or flush (a media error, a command
 * that timed out twice, a controller in fatal status) leaves the
 * filesystem's memory and the SSD apart: from then on it writes nothing
 * (requests that would write answer EROFS or EIO, reads go on) and the last
 * commit on the SSD stays as it was. The driver's next device reset (an
 * unbind and rebind, a reboot of the guest) ends the session and recovers:
 * NVMe controller reset, the mount dropped without writing, the filesystem
 * mounted again with its journal replayed, so every byte whose FSYNC was
 * answered is there. A filesystem that then mounts only read-only, or not
 * at all, is served so (or down) with the reason on the console; the next
 * reset tries again. Each step is printed on the console.
 */
#ifndef CARD_FS_SERVICE_H
#define CARD_FS_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "blockdev.h"

struct fuse_server;

/* The SSD as a block device, or NULL when the card has none (storage.c). */
struct blockdev *card_storage(void);
/* Resets the SSD's controller (storage.c): 0, -ENODEV without an SSD, or the
 * driver's error. */
int card_storage_reset(void);

/* Mounts the filesystem and binds the FUSE server; 0 or -errno (the service
 * then answers as described above). */
int card_fs_start(void);
/* The FUSE server the request loop dispatches to (bound to the filesystem
 * when the service is up, to none when it is down). */
struct fuse_server *card_fs_server(void);
/* Everything durable (before a reset or a power-off). */
int card_fs_sync(void);
/* The driver reset the device: the FUSE session is over (nodes, handles,
 * locks and waiters dropped), everything is made durable; after an SSD
 * error, the recovery described above. */
void card_fs_reset(void);
/* Between requests: says on the console what the SSD's driver met since the
 * last call (errors, timeouts, controller resets) and what follows. */
void card_fs_poll(void);

#endif /* CARD_FS_SERVICE_H */
