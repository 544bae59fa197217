// CheckerBridge: tells the platform's coherency checker (model/checker) what only the shim
// sees of the driver: CPU accesses with the code address of the load or store, the cache
// operations it asks for, MMIO writes (doorbells), VMO pages changing owner, and that a pin
// was made, quarantined or unpinned. The pins themselves the checker reads from the shim's
// PinRegistry (through model/checker/PinView.h): no copy, no id map.
//
// The runtime makes one when the platform's checker attaches (ShimRuntime::follow_checker,
// whichever of the two comes first) and drops it when the checker goes; the checker stops
// reading the registry when the runtime goes.
#pragma once

#include <memory>

#include "ShimObserver.h"
#include "checker/SourceLocation.h"

namespace staleline {
class CoherencyChecker;
}

namespace staleline::zx {

std::unique_ptr<ShimObserver> make_checker_bridge(CoherencyChecker& c);

// A driver-side event on the calling thread: its code address and the driver's shadow call
// stack that led there (interned), as the checker stores sites.
CodeSite driver_site(const void* pc);

}  // namespace staleline::zx
