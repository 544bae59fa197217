// The built-in device kind of the reference DMA engine (DmaEngineKind.cpp).
#pragma once

#include "staleline/device.h"

namespace staleline {
const sl_device_kind_t* dma_engine_kind();
}
