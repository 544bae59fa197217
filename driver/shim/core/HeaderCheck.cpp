// Compiles every public driver header as C++ (the C side is compiled by the tests), so a
// header that only works in C fails the build.
#include <ddk/binding.h>
#include <ddk/debug.h>
#include <ddk/device.h>
#include <ddk/driver.h>
#include <ddk/mmio-buffer.h>
#include <ddk/protocol/pci-lib.h>
#include <ddk/protocol/pci.h>
#include <hw/arch_ops.h>
#include <hw/reg.h>
#include <zircon/compiler.h>
#include <zircon/errors.h>
#include <zircon/limits.h>
#include <zircon/process.h>
#include <zircon/rights.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/log.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/pci.h>
#include <zircon/time.h>
#include <zircon/types.h>

// ABI facts drivers and the shim rely on (LP64 host).
static_assert(sizeof(zx_handle_t) == 4, "zx_handle_t is 32 bits");
static_assert(sizeof(zx_paddr_t) == 8, "device addresses are 64 bits");
static_assert(sizeof(zx_info_bti_t) == 32, "zx_info_bti_t is four uint64_t");
static_assert(sizeof(zx_info_handle_basic_t) == 32, "zx_info_handle_basic_t layout");
static_assert(sizeof(zircon_driver_note_payload_t) == 76, "driver note payload layout");
