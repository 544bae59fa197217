/* zircon/device/block.h: what a block device is (block_info_t) and its ioctl numbers, as in
 * Zircon's public headers of late 2018. The fdio wrappers (ioctl_block_get_info() ...) are
 * client-side and not provided. */
#ifndef SYSROOT_ZIRCON_DEVICE_BLOCK_H_
#define SYSROOT_ZIRCON_DEVICE_BLOCK_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/device/ioctl.h>
#include <zircon/types.h>

#define IOCTL_BLOCK_GET_INFO IOCTL(IOCTL_KIND_DEFAULT, IOCTL_FAMILY_BLOCK, 1)
#define IOCTL_BLOCK_GET_TYPE_GUID IOCTL(IOCTL_KIND_DEFAULT, IOCTL_FAMILY_BLOCK, 2)
#define IOCTL_BLOCK_GET_PARTITION_GUID IOCTL(IOCTL_KIND_DEFAULT, IOCTL_FAMILY_BLOCK, 3)
#define IOCTL_BLOCK_GET_NAME IOCTL(IOCTL_KIND_DEFAULT, IOCTL_FAMILY_BLOCK, 4)
#define IOCTL_BLOCK_RR_PART IOCTL(IOCTL_KIND_DEFAULT, IOCTL_FAMILY_BLOCK, 5)
#define IOCTL_BLOCK_GET_FIFOS IOCTL(IOCTL_KIND_GET_HANDLE, IOCTL_FAMILY_BLOCK, 6)
#define IOCTL_BLOCK_ATTACH_VMO IOCTL(IOCTL_KIND_SET_HANDLE, IOCTL_FAMILY_BLOCK, 7)
#define IOCTL_BLOCK_FIFO_CLOSE IOCTL(IOCTL_KIND_DEFAULT, IOCTL_FAMILY_BLOCK, 10)
#define IOCTL_BLOCK_GET_STATS IOCTL(IOCTL_KIND_DEFAULT, IOCTL_FAMILY_BLOCK, 18)

#define BLOCK_FLAG_READONLY 0x00000001
#define BLOCK_FLAG_REMOVABLE 0x00000002
#define BLOCK_FLAG_BOOTPART 0x00000004 /* the device carries a boot-data partition map */

#define BLOCK_MAX_TRANSFER_UNBOUNDED 0xFFFFFFFF

typedef struct {
    uint64_t block_count;       /* blocks on the device */
    uint32_t block_size;        /* bytes per block */
    uint32_t max_transfer_size; /* bytes per operation at most, or BLOCK_MAX_TRANSFER_UNBOUNDED */
    uint32_t flags;             /* BLOCK_FLAG_* */
    uint32_t reserved;
} block_info_t;

typedef struct {
    size_t total_ops;
    size_t total_blocks;
    size_t total_reads;
    size_t total_blocks_read;
    size_t total_writes;
    size_t total_blocks_written;
} block_stats_t;

typedef uint16_t vmoid_t;
#define VMOID_INVALID 0

#endif /* SYSROOT_ZIRCON_DEVICE_BLOCK_H_ */
