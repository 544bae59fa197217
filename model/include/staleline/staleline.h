/* Staleline C API: build and run a simulated platform from C.
 * One header per part; this one includes them all. */
#ifndef STALELINE_H
#define STALELINE_H
#include "staleline/cache.h"
#include "staleline/checker.h"
#include "staleline/config.h"
#include "staleline/dma_engine.h"
#include "staleline/iommu.h"
#include "staleline/memory.h"
#include "staleline/pci.h"
#include "staleline/platform.h"
#endif
