#include "PinRegistry.h"

#include <utility>

namespace staleline::zx {

PinRegistry::~PinRegistry() {
    if (auto fn = std::move(on_destroy_)) fn();
}

std::shared_ptr<PinRecord> PinRegistry::add(PinRecord r) {
    r.perms = 0;
    if (r.device_perms & (ZX_BTI_PERM_READ | ZX_BTI_PERM_EXECUTE)) r.perms |= kPinDeviceRead;
    if (r.device_perms & ZX_BTI_PERM_WRITE) r.perms |= kPinDeviceWrite;
    auto rec = std::make_shared<PinRecord>(std::move(r));
    PinTable::add(rec);
    return rec;
}

}  // namespace staleline::zx
