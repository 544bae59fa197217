// Compiles the DDK library headers (io-buffer, block protocols, libsync, listnode, assert,
// hw/pci.h) as C++, and pins the layouts Zircon's drivers of late 2018 were compiled with: a
// driver built against these headers shares these structures with the shim and with its
// clients (LP64 host).
#include <cstddef>

#include <ddk/io-buffer.h>
#include <ddk/protocol/block.h>
#include <hw/pci.h>
#include <lib/sync/completion.h>
#include <sync/completion.h>
#include <zircon/assert.h>
#include <zircon/device/block.h>
#include <zircon/device/ioctl.h>
#include <zircon/listnode.h>

static_assert(sizeof(io_buffer_t) == 64, "io_buffer_t layout");
static_assert(offsetof(io_buffer_t, size) == 16 && offsetof(io_buffer_t, phys_list) == 48, "io_buffer_t fields");
static_assert(sizeof(block_info_t) == 24, "block_info_t layout");
static_assert(sizeof(block_read_write_t) == 32, "block_read_write_t layout");
static_assert(offsetof(block_read_write_t, vmo) == 8 && offsetof(block_read_write_t, offset_dev) == 16 &&
                  offsetof(block_read_write_t, offset_vmo) == 24,
              "block_read_write_t fields");
static_assert(sizeof(block_op_t) == 32, "block_op_t is the read/write form");
static_assert(sizeof(block_impl_protocol_ops_t) == 16, "block_impl_protocol_ops_t: query, queue");
static_assert(sizeof(list_node_t) == 16 && offsetof(list_node_t, next) == 8, "list_node_t is {prev, next}");
static_assert(sizeof(sync_completion_t) == 4, "sync_completion_t is one futex word");
static_assert(sizeof(pci_config_t) == 64, "type-0 configuration header");
static_assert(IOCTL_BLOCK_GET_INFO == 0x1301, "IOCTL(DEFAULT, BLOCK, 1)");
static_assert(IO_BUFFER_FLAGS_MASK == 7, "io_buffer flags");
