// CheckerBridge: tells the platform's coherency checker (model/checker) what only the shim
// sees of the driver: CPU accesses with the code address of the load or store, the cache
// operations it asks for, pins, unpins and quarantines with their physical and device
// ranges, MMIO writes (doorbells), and VMO pages changing owner.
//
// connect_checker() pairs the runtime with the process's checker when both exist; it runs when
// the runtime attaches and when a checker is created, so either may come first. The bridge
// goes away with the checker.
#pragma once

namespace staleline::zx {

class ShimRuntime;

void connect_checker(ShimRuntime& rt);

}  // namespace staleline::zx
