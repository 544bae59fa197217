#include "UserCopy.h"

#include <atomic>
#include <cstring>

namespace staleline::zx {

namespace {
std::atomic<const UserWriter*> g_writer{nullptr};
}  // namespace

void set_user_writer(const UserWriter* writer) { g_writer.store(writer); }

zx_status_t check_user_out(void* dst, size_t len) {
    if (!len) return ZX_OK;
    if (!dst) return ZX_ERR_INVALID_ARGS;
    const UserWriter* w = g_writer.load();
    return w ? w->check(dst, len) : ZX_OK;
}

zx_status_t copy_to_user(void* dst, const void* src, size_t len, const void* pc) {
    zx_status_t st = check_user_out(dst, len);
    if (st != ZX_OK || !len) return st;
    const UserWriter* w = g_writer.load();
    if (w) w->write(dst, src, len, pc);
    else std::memcpy(dst, src, len);
    return ZX_OK;
}

}  // namespace staleline::zx
