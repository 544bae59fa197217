/* sl-bad-bar: a device module whose BAR0 size is not a power of two; loading it must be a
 * configuration error naming platform.devices (test_devices). */
#include <stddef.h>

#include "staleline/device.h"

static void* create(sl_dev_t* dev) { return dev; }
static uint64_t rd(void* ctx, unsigned bar, uint64_t off, unsigned size) { return 0; }
static void wr(void* ctx, unsigned bar, uint64_t off, unsigned size, uint64_t v) {}
static const sl_dev_ops_t kOps = {create, rd, wr, NULL};
static const sl_device_kind_t kKind = {
    SL_DEVICE_ABI_VERSION, "sl-bad-bar", "test device with a 5000-byte BAR", 0x1b36, 0x5dfd, 0, 1, 5000, true, 1, 0,
    NULL, &kOps, NULL, 0, 0, {{0}},
};
const sl_device_kind_t* staleline_device_kind(void) { return &kKind; }
