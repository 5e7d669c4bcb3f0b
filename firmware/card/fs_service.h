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
 */
#ifndef CARD_FS_SERVICE_H
#define CARD_FS_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "blockdev.h"

struct fuse_server;

/* The SSD as a block device, or NULL when the card has none (storage.c). */
struct blockdev *card_storage(void);

/* Mounts the filesystem and binds the FUSE server; 0 or -errno (the service
 * then answers as described above). */
int card_fs_start(void);
/* The FUSE server the request loop dispatches to (bound to the filesystem
 * when the service is up, to none when it is down). */
struct fuse_server *card_fs_server(void);
/* Everything durable (before a reset or a power-off). */
int card_fs_sync(void);
/* The driver reset the device: the FUSE session is over (nodes, handles,
 * locks and waiters dropped), everything is made durable. */
void card_fs_reset(void);

#endif /* CARD_FS_SERVICE_H */
