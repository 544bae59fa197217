/* staleline/device.h: the C API for device models.
 *
 * A device kind is what sits in a PCI slot: its PCI identity, its BAR, its interrupt
 * capabilities and a model. A device module (a shared object, loaded like a driver with
 * `--device NAME` or `--device PATH.so`) exports one function,
 *
 *     const sl_device_kind_t* staleline_device_kind(void);
 *
 * returning a static description (a module built for ABI 2, without `bars`, still loads: its
 * BAR0 is the 64-bit memory BAR of bar0_size bytes). Two forms of model exist:
 *   - behavioural (this header): C callbacks for register accesses, plus the services below
 *     (DMA through the PCI host and the IOMMU with the device's requester id, the INTx line,
 *     MSI, MSI-X, timed callbacks, busy/idle, statistics, per-device parameters);
 *   - RTL: the user's Verilog top, built by staleline_add_device() (cmake/StalelineDevice.cmake)
 *     against the port contract of docs/devices.md; that function generates the module and
 *     fills `rtl` below. A behavioural model and its RTL can share one driver and workload.
 *
 * Threading and time. A model runs inside the simulation, single-threaded:
 *   - read/write are called when the CPU's access reaches the device (after the PCIe hop).
 *     They must not block: no DMA from them. Schedule work with sl_dev_schedule().
 *   - a scheduled callback runs on the device's own simulated thread, in time order. It may
 *     do DMA (sl_dev_dma_read/write block that thread for the transaction's simulated time,
 *     which comes from the PCI host, the IOMMU and DRAM) and sl_dev_wait_ns().
 * Everything is deterministic: the same seed gives the same calls at the same times. */
#ifndef STALELINE_DEVICE_H
#define STALELINE_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SL_DEVICE_ABI_VERSION 3u

/* The platform's side of one device instance (opaque). */
typedef struct sl_dev sl_dev_t;

/* Result of a DMA: what the PCI host, the IOMMU and memory answered. */
typedef enum {
    SL_DMA_OK = 0,
    SL_DMA_FAULT = 1,        /* IOMMU fault (unmapped page, wrong permission) or no memory there */
    SL_DMA_MASTER_ABORT = 2, /* bus mastering is off in the command register */
    SL_DMA_MISUSE = 3,       /* called outside a scheduled callback (from read/write) */
} sl_dma_status_t;

typedef struct sl_dev_ops {
    /* Create the model's state; `dev` stays valid until destroy. NULL: the device cannot be
     * built (sl_dev_fail() said why). */
    void* (*create)(sl_dev_t* dev);
    /* A CPU read of `size` bytes (1, 2, 4 or 8) at byte `offset` of memory BAR `bar`; the
     * value is returned in the low bytes. As PCIe carries it with byte enables, an access of
     * 1, 2 or 4 bytes may start at any offset that keeps it inside one naturally aligned dword
     * (a 2-byte read at 0x45 is legal: bytes 0x45 and 0x46); an 8-byte access is qword
     * aligned. A driver access that crosses a dword (or qword) is split by the platform into
     * such pieces, each one call, and reported as `misaligned-mmio`. */
    uint64_t (*read)(void* ctx, unsigned bar, uint64_t offset, unsigned size);
    void (*write)(void* ctx, unsigned bar, uint64_t offset, unsigned size, uint64_t value);
    /* Free the state. */
    void (*destroy)(void* ctx);
} sl_dev_ops_t;

/* A per-device parameter: set as `--device KIND,key=value`, read with sl_dev_param(). */
typedef struct sl_dev_param_decl {
    const char* key;        /* e.g. "rx_delay_ns" */
    uint64_t default_value;
    uint64_t min, max;      /* inclusive bounds */
    const char* doc;
} sl_dev_param_decl_t;

/* A base address register (ABI 3). */
typedef enum {
    SL_BAR_NONE = 0,  /* not implemented: the register reads as zero */
    SL_BAR_MEM64 = 1, /* 64-bit memory BAR: takes this register and the next (which is NONE) */
    SL_BAR_MEM32 = 2, /* 32-bit memory BAR */
    SL_BAR_IO = 3,    /* I/O BAR: declared in config space and sized by firmware, never decoded
                       * (the platform has no I/O port space); pci_map_bar refuses it */
} sl_bar_type_t;

typedef struct sl_bar_decl {
    uint8_t type;  /* sl_bar_type_t */
    uint64_t size; /* bytes, a power of two: memory 4096..128M, I/O 4..256 */
} sl_bar_decl_t;

typedef struct sl_device_kind {
    uint32_t abi_version;   /* SL_DEVICE_ABI_VERSION */
    const char* name;       /* the kind's name, e.g. "lnic-model" */
    const char* summary;    /* one line for --list-devices */
    /* PCI identity (drivers bind on vendor/device id). */
    uint16_t vendor_id, device_id;
    uint32_t class_code;    /* base << 16 | sub << 8 | interface */
    uint8_t revision;
    uint64_t bar0_size;     /* bytes: a power of two, >= 4096; 0 when `bars` is used */
    bool msi;               /* has an MSI capability (one vector) */
    uint8_t interrupt_pin;  /* 1 = INTA, 0 = no legacy interrupt */
    uint32_t clock_mhz;     /* RTL kinds: default clock (0: the platform's rtl.clock_mhz) */
    const sl_dev_param_decl_t* params; /* NULL or terminated by an entry with key NULL */
    /* Behavioural kinds. */
    const sl_dev_ops_t* ops;
    /* RTL kinds: set by the module staleline_add_device() generates (an opaque factory). */
    const void* rtl;
    /* MSI-X (ABI 2): the number of table entries, 0 (no MSI-X capability) to 8, and the byte
     * offset in BAR0 of the table (16 bytes per entry, a multiple of 8); the pending-bit array
     * follows the table. The PCI host serves both: register accesses there never reach the
     * model. */
    uint8_t msix_vectors;
    uint32_t msix_table_offset;
    /* BARs 0..5 (ABI 3). All SL_BAR_NONE (as when omitted from an initialiser): BAR0 is a
     * 64-bit memory BAR of bar0_size bytes and there is no other. Otherwise these are the
     * function's BARs, bar0_size is 0, and register accesses reach read/write with the index
     * of the memory BAR they hit. MSI-X needs BAR0 to be a memory BAR; RTL kinds decode BAR0
     * only. */
    sl_bar_decl_t bars[6];
} sl_device_kind_t;

typedef const sl_device_kind_t* (*sl_device_kind_fn)(void);
#define SL_DEVICE_ENTRY "staleline_device_kind"

/* ---- services for behavioural models ---- */

/* Instance name ("nic0") and its parameter (declared in the kind; the default if not set). */
const char* sl_dev_name(const sl_dev_t* dev);
uint64_t sl_dev_param(const sl_dev_t* dev, const char* key);
/* Simulated time of the calling context, in ns. */
uint64_t sl_dev_now_ns(const sl_dev_t* dev);

/* Run fn(ctx, arg) on the device's thread `delay_ns` from now (callbacks due at the same time
 * run in the order scheduled). */
void sl_dev_schedule(sl_dev_t* dev, uint64_t delay_ns, void (*fn)(void* ctx, void* arg), void* arg);
/* From a scheduled callback: let simulated time pass on the device's thread. */
void sl_dev_wait_ns(sl_dev_t* dev, uint64_t ns);

/* From a scheduled callback: a device read or write of `len` bytes at device (bus) address
 * `addr`, through the PCI host (bus-master check, requester id) and the IOMMU. Blocks the
 * device's thread for the transaction's time. A read that fails leaves buf zeroed. */
sl_dma_status_t sl_dev_dma_read(sl_dev_t* dev, uint64_t addr, void* buf, size_t len);
sl_dma_status_t sl_dev_dma_write(sl_dev_t* dev, uint64_t addr, const void* buf, size_t len);

/* What a DMA is for. The timeline names the burst after it and the latency breakdown
 * (docs/timeline.md) counts its time as descriptor fetch or status write-back instead of
 * memory. It changes nothing else: the same bytes move at the same times. */
typedef enum {
    SL_DMA_FOR_DATA = 0,       /* payload (what sl_dev_dma_read/write are) */
    SL_DMA_FOR_DESCRIPTOR = 1, /* reading descriptors the driver wrote (a ring entry, a command) */
    SL_DMA_FOR_STATUS = 2,     /* writing completion status back (a descriptor's status, a CQ entry) */
} sl_dma_purpose_t;
/* sl_dev_dma_read/write, labelled with their purpose (an unknown value: data). */
sl_dma_status_t sl_dev_dma_read_for(sl_dev_t* dev, sl_dma_purpose_t purpose, uint64_t addr, void* buf, size_t len);
sl_dma_status_t sl_dev_dma_write_for(sl_dev_t* dev, sl_dma_purpose_t purpose, uint64_t addr, const void* buf,
                                     size_t len);

/* The legacy interrupt line (INTx), level. Ignored while MSI is enabled or the command
 * register's interrupt-disable bit is set (the PCI host applies both rules). */
void sl_dev_set_irq(sl_dev_t* dev, bool level);
/* Signal MSI vector 0 if the driver enabled MSI: the device's memory write of the message
 * data to the message address (from a scheduled callback, like DMA). Returns false (and sends
 * nothing) when MSI is not enabled. */
bool sl_dev_msi(sl_dev_t* dev);
bool sl_dev_msi_enabled(const sl_dev_t* dev);
/* Signal MSI-X table entry `vector` (from a scheduled callback): the device's memory write of
 * the entry's data to its address. While the function or the entry is masked the entry's
 * pending bit is set instead, and the PCI host sends the message when the driver unmasks it.
 * Returns true when the message was sent or held pending; false when MSI-X is not enabled,
 * `vector` is not an entry of the table, the call is not from a scheduled callback, or the
 * write failed. While MSI-X is enabled sl_dev_set_irq does not assert INTx. */
bool sl_dev_msix(sl_dev_t* dev, unsigned vector);
bool sl_dev_msix_enabled(const sl_dev_t* dev);

/* The device has work in flight (busy) or none (idle). The coherency checker subscribes:
 * an unpin while a device is busy is `unpin-in-flight`. */
void sl_dev_set_busy(sl_dev_t* dev, bool busy);

/* Add `delta` to the device's counter `name` (created at 0 on first use; reported under the
 * instance's name in the statistics). `name` must be a string literal or outlive the run. */
void sl_dev_count(sl_dev_t* dev, const char* name, uint64_t delta);

/* From create(): the device cannot be built; `why` is reported with the instance name. */
void sl_dev_fail(sl_dev_t* dev, const char* why);

#ifdef __cplusplus
}
#endif
#endif
