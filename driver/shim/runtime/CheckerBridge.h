// CheckerBridge: tells the platform's coherency checker (model/checker) what only the shim
// sees of the driver: CPU accesses with the code address of the load or store, the cache
// operations it asks for, MMIO writes (doorbells), VMO pages changing owner, and that a pin
// was made, quarantined or unpinned. The pins themselves the checker reads from the shim's
// PinRegistry (through model/checker/PinView.h): no copy, no id map.
//
// connect_checker() pairs the runtime with the process's checker when both exist; it runs when
// the runtime attaches and when a checker is created, so either may come first. The bridge
// goes away with the checker; the checker stops reading the registry when the runtime goes.
#pragma once

#include "checker/SourceLocation.h"

namespace staleline::zx {

class ShimRuntime;

void connect_checker(ShimRuntime& rt);

// A driver-side event on the calling thread: its code address and the driver's shadow call
// stack that led there (interned), as the checker stores sites.
CodeSite driver_site(const void* pc);

}  // namespace staleline::zx
