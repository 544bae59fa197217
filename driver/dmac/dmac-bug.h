/* dmac-bug.h: the injection points of the bug catalogue (testbench/bugs/README.md).
 *
 * Each catalogue variant is this driver built from the same sources with one define,
 * DMAC_BUG_SELECTED=DMAC_BUG_ID_<ID> (testbench/bugs/CMakeLists.txt). DMAC_BUG(ID) is true in
 * that variant only and a constant false in every other build, so the reference driver
 * compiles to exactly the correct code and each variant differs from it in the one source line
 * marked "bug-catalogue: name". The ids come from the catalogue's one list,
 * testbench/bugs/catalogue.def: an id not in it does not compile, and a build selects at most
 * one bug by construction. */
#ifndef DMAC_BUG_H_
#define DMAC_BUG_H_

enum dmac_bug_id {
  DMAC_BUG_ID_NONE = 0,
#define DMAC_BUG_ROW(id, ID, ...) DMAC_BUG_ID_##ID,
#include "../../testbench/bugs/catalogue.def"
#undef DMAC_BUG_ROW
};

#ifndef DMAC_BUG_SELECTED
#define DMAC_BUG_SELECTED DMAC_BUG_ID_NONE
#endif

#define DMAC_BUG(ID) (DMAC_BUG_SELECTED == DMAC_BUG_ID_##ID)

#endif /* DMAC_BUG_H_ */
