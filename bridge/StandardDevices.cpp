// The library's composition root for devices: which kinds are built in and how module kinds
// of each form are made. DeviceKinds (model/device) knows no form; this file, in bridge/
// because the RTL form lives here, tells it.
#include "bridge/DmaEngineKind.h"
#include "bridge/RtlPciDevice.h"
#include "device/BehaviouralDevice.h"
#include "device/DeviceKinds.h"
#include "pci/ScratchDevice.h"

namespace staleline {

void register_standard_devices(DeviceKinds& kinds) {
    kinds.set_forms(&RtlPciDevice::make, &BehaviouralDevice::make);
    kinds.add_builtin(dma_engine_kind(), &RtlPciDevice::make);
    kinds.add_builtin(ScratchDevice::device_kind(), &ScratchDevice::make);
}

}  // namespace staleline
