/* staleline/modules.h: where Staleline looks for modules by name -- drivers, devices and
 * workloads alike -- in this order, each directory once:
 *   1. the directories in the environment variable (colon-separated), e.g.
 *      STALELINE_DRIVER_PATH;
 *   2. next to the running executable: <bin>/../lib/staleline/<kind> (an installed tree) and
 *      <bin>/../lib/<kind> (a build tree);
 *   3. the build tree Staleline was built in (build_dir, may be NULL). */
#ifndef STALELINE_MODULES_H
#define STALELINE_MODULES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SL_MODULE_DIR_MAX 4096

/* Fills dirs[0..n) (each a NUL-terminated path, at most SL_MODULE_DIR_MAX bytes) and returns n
 * (at most cap). kind: "drivers", "devices" or "workloads". */
size_t sl_module_search_path(const char* kind, const char* env_var, const char* build_dir,
                             char (*dirs)[SL_MODULE_DIR_MAX], size_t cap);

#ifdef __cplusplus
}
#endif
#endif
