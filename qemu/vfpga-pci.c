/*
 * vfpga-pci: the vfpga card's PCI function, answered by its RTL simulation.
 *
 *   -chardev socket,id=ID,path=SOCK -device vfpga-pci,chardev=ID[,timeout=MS]
 *   with guest RAM a shared memfd:
 *   -object memory-backend-memfd,id=mem,size=...,share=on -machine q35,memory-backend=mem
 *
 * The device has no register of its own. Every configuration-space access
 * and every access to BAR0/BAR2 of the guest is forwarded over SOCK to
 * `vfpga-sim --cosim SOCK`, which plays it into the Verilator model of the
 * card and returns what the RTL answered. QEMU keeps a shadow of the config
 * header only to know where the guest put the BARs (its own BAR, command and
 * interrupt-line bookkeeping): the guest's writes reach both, the guest's
 * reads come from the RTL alone. The BAR sizes are read from the RTL at
 * realize time (the usual all-ones probe, restored afterwards).
 *
 * The card's DMA does not pass through QEMU: the guest RAM's file descriptors
 * and guest-physical layout are sent to the simulator (MEM_TABLE, redone when
 * the layout changes), which maps them into its root-complex model. The
 * card's MSI-X writes, which the RTL builds from its own MSI-X table, come
 * back as (address, data) and are written into the device's bus-master
 * address space as any PCI device's memory write (that is how an MSI reaches
 * the APIC); INTx level changes go to pci_set_irq.
 *
 * If the simulator dies, stalls or says something malformed, the device logs
 * it once and from then on reads return all-ones and writes are dropped (what
 * a host sees of a card that fell off the bus); no access waits longer than
 * `timeout` milliseconds.
 *
 * Protocol: vfpga-cosim-proto.h (include/cosim_proto.h in the vfpga tree)
 * and vfpga's docs/cosim-protocol.md. Built into Debian's QEMU by vfpga's
 * qemu/build.sh.
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qemu/main-loop.h"
#include "qapi/error.h"
#include "hw/boards.h"
#include "hw/pci/pci.h"
#include "hw/pci/msi.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "chardev/char-fe.h"
#include "chardev/char-socket.h"
#include "exec/memory.h"
#include "exec/address-spaces.h"
#include "io/channel.h"
#include "qom/object.h"

#include <poll.h>

#include "vfpga-cosim-proto.h"

#define TYPE_VFPGA_PCI "vfpga-pci"
OBJECT_DECLARE_SIMPLE_TYPE(VfpgaPciState, VFPGA_PCI)

#define VFPGA_NBARS 6
#define VFPGA_RXBUF (64 * 1024)
#define VFPGA_DEFAULT_TIMEOUT_MS 10000

typedef struct VfpgaBar {
    struct VfpgaPciState *s;
    int index;
    uint64_t size;
    bool is64;
    MemoryRegion mr;
    char name[24];
} VfpgaBar;

struct VfpgaPciState {
    PCIDevice parent_obj;

    CharBackend chr;
    uint32_t timeout_ms;
    bool trace;

    bool dead;                  /* the simulator is gone: all-ones */
    bool in_call;               /* a request is waiting for its reply */
    uint32_t seq;
    uint8_t rx[VFPGA_RXBUF];
    size_t rxlen;

    VfpgaBar bar[VFPGA_NBARS];
    MemoryListener listener;
    bool listening;
    struct vfc_mem_table table;     /* last table sent */
    int table_fds[VFC_MAX_FDS];

    uint64_t msis, calls;
};

static void vfpga_die(VfpgaPciState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* The simulator is unusable from now on: say why, once. */
static void vfpga_die(VfpgaPciState *s, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (s->dead) {
        return;
    }
    s->dead = true;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("vfpga-pci: %s; the card is gone: its config and BAR reads return "
                 "all-ones, writes are dropped", msg);
    g_free(msg);
}

static int vfpga_send(VfpgaPciState *s, uint16_t type, uint32_t seq,
                      const void *payload, uint32_t len)
{
    uint8_t buf[sizeof(struct vfc_hdr) + VFC_MAX_PAYLOAD];
    struct vfc_hdr h = { .type = type, .len = len, .seq = seq };

    assert(len <= VFC_MAX_PAYLOAD);
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), payload, len);
    if (qemu_chr_fe_write_all(&s->chr, buf, sizeof(h) + len) != (int)(sizeof(h) + len)) {
        vfpga_die(s, "cannot send to the simulator (%s)", strerror(errno));
        return -EIO;
    }
    return 0;
}

/* An MSI or INTx message from the card. */
static void vfpga_async(VfpgaPciState *s, const struct vfc_hdr *h, const uint8_t *p)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    if (h->type == VFC_MSI) {
        struct vfc_msi m;
        MSIMessage msg;

        memcpy(&m, p, sizeof(m));
        msg.address = m.addr;
        msg.data = m.data;
        s->msis++;
        if (s->trace) {
            info_report("vfpga-pci: MSI 0x%" PRIx64 " <- 0x%08x", m.addr, m.data);
        }
        /* The card's memory write, as any bus master's: reaches the APIC at
         * 0xfee00000 (or memory, if the guest put another address there). */
        msi_send_message(pdev, msg);
    } else if (h->type == VFC_INTX) {
        struct vfc_intx m;

        memcpy(&m, p, sizeof(m));
        pci_set_irq(pdev, m.level ? 1 : 0);
    }
}

/*
 * Takes every complete message in the receive buffer: MSI/INTx are
 * delivered; the reply to `seq` (if any is awaited) is copied to *reply and 1
 * returned.
 * A malformed message kills the connection (-EPROTO).
 */
static int vfpga_take(VfpgaPciState *s, uint32_t seq, uint16_t want, void *reply,
                      uint32_t rlen, int32_t *err)
{
    size_t at = 0;
    int ret = 0;

    while (!s->dead && s->rxlen - at >= sizeof(struct vfc_hdr)) {
        struct vfc_hdr h;
        const uint8_t *p;
        uint32_t need;

        memcpy(&h, s->rx + at, sizeof(h));
        if (h.len > VFC_MAX_PAYLOAD) {
            vfpga_die(s, "malformed message from the simulator (type 0x%04x, length %u)",
                      h.type, h.len);
            return -EPROTO;
        }
        if (s->rxlen - at < sizeof(h) + h.len) {
            break;
        }
        p = s->rx + at + sizeof(h);
        at += sizeof(h) + h.len;
        need = vfc_payload_len(h.type);
        if (!need || need != h.len) {
            vfpga_die(s, "malformed message from the simulator (type 0x%04x, length %u, "
                      "expected %u)", h.type, h.len, need);
            return -EPROTO;
        }
        if (h.type == VFC_MSI || h.type == VFC_INTX) {
            vfpga_async(s, &h, p);
        } else if (h.type == VFC_ERROR) {
            struct vfc_error e;

            memcpy(&e, p, sizeof(e));
            e.text[sizeof(e.text) - 1] = 0;
            error_report("vfpga-pci: the simulator refused request %u (type 0x%04x): %s",
                         h.seq, e.type, e.text);
            if (s->in_call && h.seq == seq && !ret) {
                *err = e.status ? e.status : -EPROTO;
                ret = 1;
            }
        } else if (s->in_call && h.seq == seq && h.type == want && !ret) {
            memcpy(reply, p, rlen);
            *err = 0;
            ret = 1;
        } else {
            warn_report("vfpga-pci: unexpected message from the simulator (type 0x%04x, seq %u)",
                        h.type, h.seq);
        }
        /* Go on after the reply: an MSI that came in the same read must be
         * delivered now, as no later socket event may ever come for it
         * (the guest would wait for that interrupt for good). */
    }
    memmove(s->rx, s->rx + at, s->rxlen - at);
    s->rxlen -= at;
    return ret;
}

/* Chardev callbacks: messages that arrive while no request is in flight. */
static int vfpga_can_read(void *opaque)
{
    VfpgaPciState *s = opaque;

    return s->dead ? 0 : (int)(sizeof(s->rx) - s->rxlen);
}

static void vfpga_read(void *opaque, const uint8_t *buf, int size)
{
    VfpgaPciState *s = opaque;
    int32_t err;

    if (s->dead || size <= 0 || (size_t)size > sizeof(s->rx) - s->rxlen) {
        return;
    }
    memcpy(s->rx + s->rxlen, buf, size);
    s->rxlen += size;
    vfpga_take(s, 0, 0, NULL, 0, &err);
}

static void vfpga_event(void *opaque, QEMUChrEvent event)
{
    VfpgaPciState *s = opaque;

    if (event == CHR_EVENT_CLOSED) {
        vfpga_die(s, "the simulator closed the connection");
    }
}

/*
 * One request and its reply. Runs with the BQL held (MMIO, config space,
 * memory listener), so the chardev's own read callback cannot run meanwhile:
 * we read the socket ourselves, with a deadline.
 */
static int vfpga_call(VfpgaPciState *s, uint16_t type, const void *req, uint32_t len,
                      void *reply, uint32_t rlen)
{
    Chardev *chr = qemu_chr_fe_get_driver(&s->chr);
    SocketChardev *sc = SOCKET_CHARDEV(chr);
    int64_t deadline;
    uint32_t seq;
    int32_t err = -EIO;
    int ret;

    if (s->dead) {
        return -ENODEV;
    }
    if (!sc->ioc || !sc->sioc) {
        vfpga_die(s, "the simulator's socket is not connected");
        return -ENODEV;
    }
    seq = ++s->seq;
    if (!seq) {
        seq = s->seq = 1;
    }
    if (vfpga_send(s, type, seq, req, len)) {
        return -EIO;
    }
    s->calls++;
    s->in_call = true;
    deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + s->timeout_ms;
    for (;;) {
        struct pollfd pfd = { .fd = sc->sioc->fd, .events = POLLIN };
        int64_t left;
        ssize_t n;

        ret = vfpga_take(s, seq, type | VFC_REPLY, reply, rlen, &err);
        if (ret) {
            break;
        }
        left = deadline - qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
        if (left <= 0) {
            vfpga_die(s, "the simulator did not answer request %u (type 0x%04x) within %u ms",
                      seq, type, s->timeout_ms);
            ret = -ETIMEDOUT;
            break;
        }
        n = poll(&pfd, 1, (int)MIN(left, 1000));
        if (n < 0 && errno != EINTR) {
            vfpga_die(s, "poll on the simulator's socket: %s", strerror(errno));
            ret = -EIO;
            break;
        }
        if (n <= 0) {
            continue;
        }
        n = qio_channel_read(sc->ioc, (char *)s->rx + s->rxlen, sizeof(s->rx) - s->rxlen, NULL);
        if (n == QIO_CHANNEL_ERR_BLOCK) {
            continue;
        }
        if (n <= 0) {
            vfpga_die(s, "the simulator closed the connection");
            ret = -EIO;
            break;
        }
        s->rxlen += n;
    }
    s->in_call = false;
    if (ret == 1) {
        return err;
    }
    return ret;
}

/* --- configuration space -------------------------------------------------- */

static int vfpga_cfg_read(VfpgaPciState *s, uint32_t off, unsigned size, uint32_t *val)
{
    struct vfc_cfg req = { .off = off, .size = size };
    struct vfc_value rep;
    int ret = vfpga_call(s, VFC_CFG_READ, &req, sizeof(req), &rep, sizeof(rep));

    if (!ret && rep.status) {
        ret = rep.status;
    }
    *val = ret ? 0xffffffffu : (uint32_t)rep.value;
    return ret;
}

static int vfpga_cfg_write(VfpgaPciState *s, uint32_t off, unsigned size, uint32_t val)
{
    struct vfc_cfg req = { .off = off, .size = size, .value = val };
    struct vfc_status rep;
    int ret = vfpga_call(s, VFC_CFG_WRITE, &req, sizeof(req), &rep, sizeof(rep));

    return ret ? ret : rep.status;
}

static uint32_t vfpga_config_read(PCIDevice *pdev, uint32_t addr, int len)
{
    VfpgaPciState *s = VFPGA_PCI(pdev);
    uint32_t v = 0, b;

    if (addr & (len - 1)) {
        /* An unaligned access: byte by byte, as the TLPs would split it. */
        for (int i = 0; i < len; i++) {
            vfpga_cfg_read(s, addr + i, 1, &b);
            v |= (b & 0xff) << (8 * i);
        }
    } else {
        vfpga_cfg_read(s, addr, len, &v);
    }
    if (s->trace) {
        info_report("vfpga-pci: cfg read  0x%03x/%d -> 0x%x", addr, len, v);
    }
    return len == 4 ? v : v & ((1u << (8 * len)) - 1);
}

static void vfpga_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val, int len)
{
    VfpgaPciState *s = VFPGA_PCI(pdev);

    if (s->trace) {
        info_report("vfpga-pci: cfg write 0x%03x/%d <- 0x%x", addr, len, val);
    }
    if (addr & (len - 1)) {
        for (int i = 0; i < len; i++) {
            vfpga_cfg_write(s, addr + i, 1, (val >> (8 * i)) & 0xff);
        }
    } else {
        vfpga_cfg_write(s, addr, len, val);
    }
    /* QEMU's shadow: BAR placement, memory/bus-master enable, INTx disable. */
    pci_default_write_config(pdev, addr, val, len);
}

/* --- BARs ------------------------------------------------------------------- */

static int vfpga_mem(VfpgaBar *b, bool write, hwaddr off, unsigned size, uint64_t *val)
{
    VfpgaPciState *s = b->s;
    pcibus_t base = pci_get_bar_addr(PCI_DEVICE(s), b->index);
    struct vfc_mem req = { .addr = base + off, .size = size, .bar = b->index };
    int ret;

    if (base == PCI_BAR_UNMAPPED) {
        return -ENXIO;
    }
    if (write) {
        struct vfc_status rep;

        req.value = *val;
        ret = vfpga_call(s, VFC_MEM_WRITE, &req, sizeof(req), &rep, sizeof(rep));
        return ret ? ret : rep.status;
    } else {
        struct vfc_value rep;

        ret = vfpga_call(s, VFC_MEM_READ, &req, sizeof(req), &rep, sizeof(rep));
        if (!ret) {
            ret = rep.status;
        }
        *val = ret ? ~0ull : rep.value;
        return ret;
    }
}

static uint64_t vfpga_bar_read(void *opaque, hwaddr off, unsigned size)
{
    VfpgaBar *b = opaque;
    uint64_t v = 0, part;

    if (off & (size - 1)) {
        for (unsigned i = 0; i < size; i++) {
            vfpga_mem(b, false, off + i, 1, &part);
            v |= (part & 0xff) << (8 * i);
        }
    } else {
        vfpga_mem(b, false, off, size, &v);
    }
    if (size < 8) {
        v &= (1ull << (8 * size)) - 1;
    }
    if (b->s->trace) {
        info_report("vfpga-pci: BAR%d read  0x%" HWADDR_PRIx "/%u -> 0x%" PRIx64,
                    b->index, off, size, v);
    }
    return v;
}

static void vfpga_bar_write(void *opaque, hwaddr off, uint64_t val, unsigned size)
{
    VfpgaBar *b = opaque;

    if (b->s->trace) {
        info_report("vfpga-pci: BAR%d write 0x%" HWADDR_PRIx "/%u <- 0x%" PRIx64,
                    b->index, off, size, val);
    }
    if (off & (size - 1)) {
        for (unsigned i = 0; i < size; i++) {
            uint64_t part = (val >> (8 * i)) & 0xff;

            vfpga_mem(b, true, off + i, 1, &part);
        }
    } else {
        vfpga_mem(b, true, off, size, &val);
    }
}

static const MemoryRegionOps vfpga_bar_ops = {
    .read = vfpga_bar_read,
    .write = vfpga_bar_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
    .impl = { .min_access_size = 1, .max_access_size = 8, .unaligned = true },
};

/* --- guest RAM for the card's DMA ------------------------------------------ */

typedef struct VfpgaTableBuild {
    struct vfc_mem_table t;
    int fds[VFC_MAX_FDS];
    bool overflow;
} VfpgaTableBuild;

static bool vfpga_collect(Int128 start, Int128 len, const MemoryRegion *mr,
                          hwaddr offset_in_region, void *opaque)
{
    VfpgaTableBuild *tb = opaque;
    MemoryRegion *m = (MemoryRegion *)mr;
    struct vfc_region *last;
    uint64_t gpa, size;
    unsigned fi;
    int fd;

    if (!memory_region_is_ram(m) || (fd = memory_region_get_fd(m)) < 0) {
        return false;
    }
    gpa = int128_get64(start);
    size = int128_get64(len);
    for (fi = 0; fi < tb->t.nfds && tb->fds[fi] != fd; fi++) {
    }
    if (fi == tb->t.nfds) {
        if (fi == VFC_MAX_FDS) {
            tb->overflow = true;
            return false;
        }
        tb->fds[tb->t.nfds++] = fd;
    }
    last = tb->t.nregions ? &tb->t.r[tb->t.nregions - 1] : NULL;
    if (last && last->fd == fi && last->gpa + last->size == gpa &&
        last->offset + last->size == offset_in_region) {
        last->size += size;
        return false;
    }
    if (tb->t.nregions == VFC_MAX_REGIONS) {
        tb->overflow = true;
        return false;
    }
    tb->t.r[tb->t.nregions].gpa = gpa;
    tb->t.r[tb->t.nregions].size = size;
    tb->t.r[tb->t.nregions].offset = offset_in_region;
    tb->t.r[tb->t.nregions].fd = fi;
    tb->t.nregions++;
    return false;
}

/* The guest-physical layout of fd-backed RAM, sent whenever it changed. */
static void vfpga_send_table(VfpgaPciState *s)
{
    VfpgaTableBuild tb;
    struct vfc_status rep;
    FlatView *fv;
    int ret;

    if (s->dead) {
        return;
    }
    memset(&tb, 0, sizeof(tb));
    WITH_RCU_READ_LOCK_GUARD() {
        fv = address_space_to_flatview(&address_space_memory);
        flatview_for_each_range(fv, vfpga_collect, &tb);
    }
    if (tb.overflow) {
        warn_report("vfpga-pci: guest RAM has more than %u ranges or %u files; the card's DMA "
                    "sees the first ones only", VFC_MAX_REGIONS, VFC_MAX_FDS);
    }
    if (!memcmp(&tb.t, &s->table, sizeof(tb.t)) &&
        !memcmp(tb.fds, s->table_fds, sizeof(tb.fds))) {
        return;
    }
    if (tb.t.nfds && qemu_chr_fe_set_msgfds(&s->chr, tb.fds, tb.t.nfds) < 0) {
        vfpga_die(s, "the chardev cannot pass file descriptors (use a unix socket)");
        return;
    }
    ret = vfpga_call(s, VFC_MEM_TABLE, &tb.t, vfc_table_len(tb.t.nregions), &rep, sizeof(rep));
    if (!ret && rep.status) {
        error_report("vfpga-pci: the simulator refused the guest RAM table (%d): the card's "
                     "DMA cannot reach guest memory", rep.status);
    }
    s->table = tb.t;
    memcpy(s->table_fds, tb.fds, sizeof(tb.fds));
}

static void vfpga_mem_commit(MemoryListener *l)
{
    vfpga_send_table(container_of(l, VfpgaPciState, listener));
}

/* --- device ----------------------------------------------------------------- */

static void vfpga_realize(PCIDevice *pdev, Error **errp)
{
    VfpgaPciState *s = VFPGA_PCI(pdev);
    MachineState *ms = MACHINE(qdev_get_machine());
    Chardev *chr = qemu_chr_fe_get_driver(&s->chr);
    struct vfc_hello hello = { .version = VFC_VERSION }, rep;
    uint32_t id, cls, sub, pin;

    if (!chr || !object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_SOCKET)) {
        error_setg(errp, "vfpga-pci: chardev=ID must name a -chardev socket,path=SOCK "
                   "(vfpga-sim --cosim SOCK listens there)");
        return;
    }
    if (!qemu_chr_fe_backend_open(&s->chr)) {
        error_setg(errp, "vfpga-pci: the chardev is not connected to the simulator");
        return;
    }
    if (!ms->ram || memory_region_get_fd(ms->ram) < 0 || !qemu_ram_is_shared(ms->ram->ram_block)) {
        error_setg(errp, "vfpga-pci: the card's DMA needs guest RAM in a shared file: "
                   "-object memory-backend-memfd,id=mem,size=...,share=on "
                   "-machine memory-backend=mem");
        return;
    }
    qemu_chr_fe_set_handlers(&s->chr, vfpga_can_read, vfpga_read, vfpga_event, NULL, s,
                             NULL, true);

    if (vfpga_call(s, VFC_HELLO, &hello, sizeof(hello), &rep, sizeof(rep))) {
        error_setg(errp, "vfpga-pci: no answer from the simulator (is vfpga-sim --cosim running?)");
        return;
    }
    if (rep.version != VFC_VERSION) {
        error_setg(errp, "vfpga-pci: the simulator speaks protocol %u, this device %u",
                   rep.version, VFC_VERSION);
        return;
    }

    /* QEMU's shadow header: identity and interrupt pin as the RTL has them. */
    if (vfpga_cfg_read(s, PCI_VENDOR_ID, 4, &id) || vfpga_cfg_read(s, PCI_CLASS_REVISION, 4, &cls) ||
        vfpga_cfg_read(s, PCI_SUBSYSTEM_VENDOR_ID, 4, &sub) ||
        vfpga_cfg_read(s, PCI_INTERRUPT_PIN, 1, &pin)) {
        error_setg(errp, "vfpga-pci: the card's configuration space does not answer");
        return;
    }
    if ((id & 0xffff) == 0xffff) {
        error_setg(errp, "vfpga-pci: the card reads as absent (vendor 0xffff)");
        return;
    }
    pci_set_long(pdev->config + PCI_VENDOR_ID, id);
    pci_set_long(pdev->config + PCI_CLASS_REVISION, cls);
    pci_set_long(pdev->config + PCI_SUBSYSTEM_VENDOR_ID, sub);
    pci_config_set_interrupt_pin(pdev->config, pin & 0xff);

    /* BAR sizes and types, probed as firmware does, then restored. */
    for (int i = 0; i < VFPGA_NBARS; i++) {
        uint32_t off = PCI_BASE_ADDRESS_0 + 4 * i, orig, lo, hi = 0xffffffffu, orig_hi = 0;
        uint8_t type;
        bool is64;
        uint64_t mask;

        if (vfpga_cfg_read(s, off, 4, &orig) || vfpga_cfg_write(s, off, 4, 0xffffffffu) ||
            vfpga_cfg_read(s, off, 4, &lo) || vfpga_cfg_write(s, off, 4, orig)) {
            error_setg(errp, "vfpga-pci: BAR%d does not answer", i);
            return;
        }
        if (!lo || (lo & PCI_BASE_ADDRESS_SPACE_IO)) {
            continue;   /* unimplemented; the card has no I/O BAR */
        }
        is64 = (lo & PCI_BASE_ADDRESS_MEM_TYPE_MASK) == PCI_BASE_ADDRESS_MEM_TYPE_64;
        if (is64 && i + 1 < VFPGA_NBARS &&
            (vfpga_cfg_read(s, off + 4, 4, &orig_hi) || vfpga_cfg_write(s, off + 4, 4, 0xffffffffu) ||
             vfpga_cfg_read(s, off + 4, 4, &hi) || vfpga_cfg_write(s, off + 4, 4, orig_hi))) {
            error_setg(errp, "vfpga-pci: BAR%d does not answer", i + 1);
            return;
        }
        mask = (is64 ? (uint64_t)hi << 32 : 0xffffffff00000000ull) | (lo & ~0xfu);
        s->bar[i].s = s;
        s->bar[i].index = i;
        s->bar[i].size = ~mask + 1;
        s->bar[i].is64 = is64;
        type = lo & 0xf;
        snprintf(s->bar[i].name, sizeof(s->bar[i].name), "vfpga-bar%d", i);
        memory_region_init_io(&s->bar[i].mr, OBJECT(s), &vfpga_bar_ops, &s->bar[i],
                              s->bar[i].name, s->bar[i].size);
        pci_register_bar(pdev, i, type, &s->bar[i].mr);
        info_report("vfpga-pci: BAR%d: %" PRIu64 " KiB%s%s", i, s->bar[i].size / 1024,
                    is64 ? ", 64-bit" : "", (type & PCI_BASE_ADDRESS_MEM_PREFETCH) ? ", prefetchable" : "");
        if (is64) {
            i++;
        }
    }

    /* Guest RAM for the card's DMA, now and whenever the layout changes. */
    s->listener = (MemoryListener) {
        .name = "vfpga-pci",
        .commit = vfpga_mem_commit,
        .priority = 10,
    };
    memory_listener_register(&s->listener, &address_space_memory);
    s->listening = true;
    vfpga_send_table(s);
    if (s->dead) {
        error_setg(errp, "vfpga-pci: the simulator went away during set-up");
        return;
    }
}

static void vfpga_exit(PCIDevice *pdev)
{
    VfpgaPciState *s = VFPGA_PCI(pdev);

    if (s->listening) {
        memory_listener_unregister(&s->listener);
        s->listening = false;
    }
    qemu_chr_fe_deinit(&s->chr, false);
}

/*
 * System reset: the card's decoders and bus mastering off and its BARs
 * cleared, as after PERST#, so that QEMU's shadow (cleared by the PCI core)
 * and the RTL agree. The card's internal state is its own business (the
 * driver resets the virtio function when it probes).
 */
static void vfpga_reset(DeviceState *dev)
{
    VfpgaPciState *s = VFPGA_PCI(dev);

    if (s->dead) {
        return;
    }
    vfpga_cfg_write(s, PCI_COMMAND, 2, 0);
    for (int i = 0; i < VFPGA_NBARS; i++) {
        if (s->bar[i].size) {
            vfpga_cfg_write(s, PCI_BASE_ADDRESS_0 + 4 * i, 4, 0);
            if (s->bar[i].is64) {
                vfpga_cfg_write(s, PCI_BASE_ADDRESS_0 + 4 * (i + 1), 4, 0);
            }
        }
    }
}

static Property vfpga_properties[] = {
    DEFINE_PROP_CHR("chardev", VfpgaPciState, chr),
    DEFINE_PROP_UINT32("timeout", VfpgaPciState, timeout_ms, VFPGA_DEFAULT_TIMEOUT_MS),
    DEFINE_PROP_BOOL("trace", VfpgaPciState, trace, false),
    DEFINE_PROP_END_OF_LIST(),
};

static void vfpga_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = vfpga_realize;
    k->exit = vfpga_exit;
    k->config_read = vfpga_config_read;
    k->config_write = vfpga_config_write;
    /* Placeholders: realize copies the card's own identity over them. */
    k->vendor_id = 0x1af4;
    k->device_id = 0x105a;
    k->class_id = PCI_CLASS_STORAGE_OTHER;
    dc->desc = "vfpga card (RTL co-simulation via vfpga-sim --cosim)";
    dc->reset = vfpga_reset;
    set_bit(DEVICE_CATEGORY_STORAGE, dc->categories);
    device_class_set_props(dc, vfpga_properties);
}

static const TypeInfo vfpga_info = {
    .name = TYPE_VFPGA_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(VfpgaPciState),
    .class_init = vfpga_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_PCIE_DEVICE },
        { }
    },
};

static void vfpga_register_types(void)
{
    type_register_static(&vfpga_info);
}

type_init(vfpga_register_types)
