/* ddk/protocol/block.h: the block protocols of the DDK (late 2018, the C form generated from
 * ddk.protocol.block): a block_op_t names a VMO range and a device range in blocks, and is
 * queued to the driver, which calls the completion callback once (possibly before queue()
 * returns, possibly from another thread).
 *
 * A block controller driver publishes a device with proto_id ZX_PROTOCOL_BLOCK_IMPL
 * (ddk/driver.h) and a block_impl_protocol_ops_t. The client allocates each operation with
 * the size query() returns (block_op_size): the driver keeps its own state after the
 * block_op_t. offset_vmo and offset_dev count blocks, length counts blocks (0 is invalid). */
#ifndef DDK_PROTOCOL_BLOCK_H_
#define DDK_PROTOCOL_BLOCK_H_

#include <stddef.h>
#include <stdint.h>
#include <zircon/compiler.h>
#include <zircon/device/block.h>
#include <zircon/types.h>

__BEGIN_CDECLS

typedef struct block_read_write block_read_write_t;
typedef struct block_trim block_trim_t;
typedef union block_op block_op_t;
typedef struct block_impl_protocol block_impl_protocol_t;
typedef struct block_protocol block_protocol_t;

typedef void (*block_impl_queue_callback)(void* ctx, zx_status_t status, block_op_t* op);
typedef void (*block_queue_callback)(void* ctx, zx_status_t status, block_op_t* op);

#define BLOCK_OP_READ UINT32_C(0x00000001)
#define BLOCK_OP_WRITE UINT32_C(0x00000002)
#define BLOCK_OP_FLUSH UINT32_C(0x00000003) /* writes queued before it reach the medium */
#define BLOCK_OP_TRIM UINT32_C(0x00000004)
#define BLOCK_OP_MASK UINT32_C(0x000000FF)
#define BLOCK_FL_FORCE_ACCESS UINT32_C(0x00001000)
#define BLOCK_FL_BARRIER_BEFORE UINT32_C(0x00000100)
#define BLOCK_FL_BARRIER_AFTER UINT32_C(0x00000200)

struct block_read_write {
    uint32_t command;    /* BLOCK_OP_READ / BLOCK_OP_WRITE and flags */
    uint32_t extra;      /* free for the driver's use */
    zx_handle_t vmo;     /* the data, in the client's VMO */
    uint32_t length;     /* blocks */
    uint64_t offset_dev; /* device offset, blocks */
    uint64_t offset_vmo; /* VMO offset, blocks */
};

struct block_trim {
    uint32_t command;
};

union block_op {
    uint32_t command; /* every operation starts with it */
    block_read_write_t rw;
    block_trim_t trim;
};

typedef struct block_impl_protocol_ops {
    /* The device's geometry and the bytes each queued operation must have (>= sizeof(block_op_t)). */
    void (*query)(void* ctx, block_info_t* out_info, size_t* out_block_op_size);
    /* Take op; call callback(cookie, status, op) when done. */
    void (*queue)(void* ctx, block_op_t* txn, block_impl_queue_callback callback, void* cookie);
} block_impl_protocol_ops_t;

struct block_impl_protocol {
    block_impl_protocol_ops_t* ops;
    void* ctx;
};

static inline void block_impl_query(const block_impl_protocol_t* proto, block_info_t* out_info,
                                    size_t* out_block_op_size) {
    proto->ops->query(proto->ctx, out_info, out_block_op_size);
}

static inline void block_impl_queue(const block_impl_protocol_t* proto, block_op_t* txn,
                                    block_impl_queue_callback callback, void* cookie) {
    proto->ops->queue(proto->ctx, txn, callback, cookie);
}

/* ZX_PROTOCOL_BLOCK: the same two calls, offered by the block core to its clients. */
typedef struct block_protocol_ops {
    void (*query)(void* ctx, block_info_t* out_info, size_t* out_block_op_size);
    void (*queue)(void* ctx, block_op_t* txn, block_queue_callback callback, void* cookie);
} block_protocol_ops_t;

struct block_protocol {
    block_protocol_ops_t* ops;
    void* ctx;
};

static inline void block_query(const block_protocol_t* proto, block_info_t* out_info, size_t* out_block_op_size) {
    proto->ops->query(proto->ctx, out_info, out_block_op_size);
}

static inline void block_queue(const block_protocol_t* proto, block_op_t* txn, block_queue_callback callback,
                               void* cookie) {
    proto->ops->queue(proto->ctx, txn, callback, cookie);
}

__END_CDECLS

#endif /* DDK_PROTOCOL_BLOCK_H_ */
