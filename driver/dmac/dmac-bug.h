/* dmac-bug.h: the injection points of the bug catalogue (testbench/bugs/README.md).
 *
 * Each catalogue variant is this driver built from the same sources with one define,
 * DMAC_BUG_<NAME>=1 (testbench/bugs/CMakeLists.txt). DMAC_BUG(NAME) is that define, and 0 in
 * every other build, so the reference driver compiles to exactly the correct code and each
 * variant differs from it in the one source line marked "bug-catalogue: NAME". An unknown name
 * in DMAC_BUG() does not compile. */
#ifndef DMAC_BUG_H_
#define DMAC_BUG_H_

#define DMAC_BUG(name) (DMAC_BUG_##name)

#ifndef DMAC_BUG_MISSING_CLEAN
#define DMAC_BUG_MISSING_CLEAN 0
#endif
#ifndef DMAC_BUG_MISSING_INVALIDATE
#define DMAC_BUG_MISSING_INVALIDATE 0
#endif
#ifndef DMAC_BUG_INVALIDATE_BEFORE_ONLY
#define DMAC_BUG_INVALIDATE_BEFORE_ONLY 0
#endif
#ifndef DMAC_BUG_INVALIDATE_DISCARDS_DIRTY
#define DMAC_BUG_INVALIDATE_DISCARDS_DIRTY 0
#endif
#ifndef DMAC_BUG_DIRTY_EVICT_OVER_DMA
#define DMAC_BUG_DIRTY_EVICT_OVER_DMA 0
#endif
#ifndef DMAC_BUG_SHARED_CACHE_LINE
#define DMAC_BUG_SHARED_CACHE_LINE 0
#endif
#ifndef DMAC_BUG_UNPIN_IN_FLIGHT
#define DMAC_BUG_UNPIN_IN_FLIGHT 0
#endif
#ifndef DMAC_BUG_WRONG_PERMISSION
#define DMAC_BUG_WRONG_PERMISSION 0
#endif
#ifndef DMAC_BUG_CPU_ADDRESS
#define DMAC_BUG_CPU_ADDRESS 0
#endif
#ifndef DMAC_BUG_NO_BUS_MASTER
#define DMAC_BUG_NO_BUS_MASTER 0
#endif
#ifndef DMAC_BUG_LEAKED_PIN
#define DMAC_BUG_LEAKED_PIN 0
#endif
#ifndef DMAC_BUG_DESCRIPTOR_NOT_CLEANED
#define DMAC_BUG_DESCRIPTOR_NOT_CLEANED 0
#endif

#if DMAC_BUG_MISSING_CLEAN + DMAC_BUG_MISSING_INVALIDATE + DMAC_BUG_INVALIDATE_BEFORE_ONLY +          \
        DMAC_BUG_INVALIDATE_DISCARDS_DIRTY + DMAC_BUG_DIRTY_EVICT_OVER_DMA + DMAC_BUG_SHARED_CACHE_LINE + \
        DMAC_BUG_UNPIN_IN_FLIGHT + DMAC_BUG_WRONG_PERMISSION + DMAC_BUG_CPU_ADDRESS +                 \
        DMAC_BUG_NO_BUS_MASTER + DMAC_BUG_LEAKED_PIN + DMAC_BUG_DESCRIPTOR_NOT_CLEANED >              \
    1
#error "a catalogue variant has exactly one bug"
#endif

#endif /* DMAC_BUG_H_ */
