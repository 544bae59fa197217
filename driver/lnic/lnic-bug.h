/* lnic-bug.h: the injection points of lnic's bug catalogue (testbench/bugs/lnic/README.md).
 *
 * Each variant is this driver built from the same sources with one define, LNIC_BUG_<NAME>=1
 * (testbench/bugs/lnic/CMakeLists.txt). LNIC_BUG(NAME) is that define, 0 in every other
 * build: the reference driver compiles to the correct code, and each variant differs from it
 * in the one line marked "bug-catalogue: lnic-NAME". An unknown name does not compile. */
#ifndef LNIC_BUG_H_
#define LNIC_BUG_H_

#define LNIC_BUG(name) (LNIC_BUG_##name)

#ifndef LNIC_BUG_TX_MISSING_CLEAN
#define LNIC_BUG_TX_MISSING_CLEAN 0
#endif
#ifndef LNIC_BUG_RX_MISSING_INVALIDATE
#define LNIC_BUG_RX_MISSING_INVALIDATE 0
#endif
#ifndef LNIC_BUG_TX_DESC_NOT_CLEANED
#define LNIC_BUG_TX_DESC_NOT_CLEANED 0
#endif
#ifndef LNIC_BUG_RX_DESC_NOT_INVALIDATED
#define LNIC_BUG_RX_DESC_NOT_INVALIDATED 0
#endif

#if LNIC_BUG_TX_MISSING_CLEAN + LNIC_BUG_RX_MISSING_INVALIDATE + LNIC_BUG_TX_DESC_NOT_CLEANED + \
        LNIC_BUG_RX_DESC_NOT_INVALIDATED >                                                    \
    1
#error "a catalogue variant has exactly one bug"
#endif

#endif /* LNIC_BUG_H_ */
