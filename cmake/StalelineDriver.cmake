# Building drivers for Staleline and linking the driver shim into executables.
#
# staleline_add_driver(NAME SOURCES src.c ... [UNINSTRUMENTED] [INCLUDES dir ...] [DEFINES X=1 ...])
#   Builds the driver as a loadable module: build/lib/drivers/NAME.so, from C sources written
#   against driver/include (Zircon/DDK headers), with GCC or clang (CMAKE_C_COMPILER; see
#   docs/writing-a-driver.md, "Compilers"). Every source is compiled with
#     -fsanitize=thread   (compile time only, never at link) so the compiler calls the shim's
#                         __tsan_readN/__tsan_writeN/__tsan_func_entry/exit/atomic hooks around
#                         the driver's memory accesses: the cache model sees its plain loads
#                         and stores;
#     -include staleline/driver_prelude.h   memcpy/memset/memmove -> the shim's observed
#                         wrappers, and STALELINE_DRIVER so hw/reg.h does MMIO through the shim;
#     -g -O2 -fno-optimize-sibling-calls   source locations for findings (no tail calls: return
#                         addresses stay in driver code).
#   UNINSTRUMENTED leaves out -fsanitize=thread (for the checker's conservative mode): plain
#   accesses are then invisible, everything else is the same.
#   The module is linked with undefined symbols (resolved at dlopen from the executable that
#   loads it, see staleline_use_shim) and -Bsymbolic (its own __zircon_driver_rec__ wins).
#   clang, instrumented: also -mllvm -tsan-instrument-read-before-write=1 (the read of x |= 1
#   too, as GCC) and --wrap=memcpy,memset,memmove (clang's instrumentation calls the library
#   functions for the copies it generates; the shim's __wrap_* observe them).
#   In a STALELINE_SANITIZE build the module is compiled without ASan/UBSan: GCC refuses
#   -fsanitize=thread together with them, and the module must not need the ASan runtime.
#
# staleline_add_workload(NAME SOURCES src.c ... [INCLUDES dir ...] [DEFINES X=1 ...])
#   A workload module (staleline/workload.h, exporting staleline_workload()) in
#   build/lib/workloads/NAME.so, loaded by `staleline run --workload NAME`. Built exactly as a
#   driver is (the same instrumentation and source-location rules): its plain loads and
#   stores of driver buffers, and its memcpy, go through the cache model as the CPU's.
#
# staleline_use_shim(TARGET)
#   Links the whole shim (and its core) into executable TARGET and exports its symbols
#   (ENABLE_EXPORTS), so that driver modules loaded by TARGET resolve zx_*, device_*, pci
#   protocol helpers, thrd_*/mtx_*/cnd_* and the instrumentation hooks to the shim.

set(STALELINE_DRIVER_DIR ${CMAKE_BINARY_DIR}/lib/drivers CACHE INTERNAL "Where staleline_add_driver puts driver modules")
# The driver API headers: the source tree's, or an installed Staleline's (StalelineConfig.cmake
# sets this before including this file).
if(NOT STALELINE_DRIVER_INCLUDE_DIR)
  set(STALELINE_DRIVER_INCLUDE_DIR ${CMAKE_CURRENT_LIST_DIR}/../driver/include CACHE INTERNAL "")
endif()
set(STALELINE_WORKLOAD_DIR ${CMAKE_BINARY_DIR}/lib/workloads CACHE INTERNAL "Where staleline_add_workload puts workload modules")

function(staleline_add_driver name)
  cmake_parse_arguments(D "UNINSTRUMENTED" "" "SOURCES;INCLUDES;DEFINES" ${ARGN})
  if(NOT D_SOURCES)
    message(FATAL_ERROR "staleline_add_driver(${name}): no SOURCES")
  endif()
  add_library(${name} MODULE ${D_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY ${STALELINE_DRIVER_DIR}
    C_STANDARD 11
    C_VISIBILITY_PRESET default)
  target_include_directories(${name} PRIVATE ${STALELINE_DRIVER_INCLUDE_DIR} ${D_INCLUDES})
  if(D_DEFINES)
    target_compile_definitions(${name} PRIVATE ${D_DEFINES})
  endif()
  # Replace the directory-wide options (ASan/UBSan in sanitizer builds) with the driver's own.
  # -fno-optimize-sibling-calls: a tail call (writel -> sl_mmio_write32 in an uninstrumented
  # build) would hand the shim a return address in the driver's caller; findings need the
  # driver's own line.
  set(opts -g -O2 -Wall -Wextra -Wno-unused-parameter -fno-omit-frame-pointer -fno-optimize-sibling-calls
      "SHELL:-include staleline/driver_prelude.h")
  set(link_opts "LINKER:-Bsymbolic")
  if(NOT D_UNINSTRUMENTED)
    list(APPEND opts -fsanitize=thread)
    # GCC reports aggregate copies as __tsan_read_range/write_range; clang (14) calls memcpy,
    # memset and memmove for them, which must reach the shim's observed copies. clang also
    # drops the read of a read-modify-write (x |= 1: a race detector needs only the write);
    # the cache model needs the read (a stale line read by the CPU).
    if(CMAKE_C_COMPILER_ID MATCHES "Clang")
      list(APPEND opts "SHELL:-mllvm -tsan-instrument-read-before-write=1")
      list(APPEND link_opts "LINKER:--wrap=memcpy,--wrap=memset,--wrap=memmove")
    endif()
  endif()
  set_property(TARGET ${name} PROPERTY COMPILE_OPTIONS ${opts})
  set_property(TARGET ${name} PROPERTY LINK_OPTIONS ${link_opts})
endfunction()

function(staleline_use_shim target)
  target_link_libraries(${target} PRIVATE
    "$<LINK_LIBRARY:WHOLE_ARCHIVE,staleline_shim>"
    "$<LINK_LIBRARY:WHOLE_ARCHIVE,staleline_shim_core>")
  set_target_properties(${target} PROPERTIES ENABLE_EXPORTS ON)
endfunction()

function(staleline_add_workload name)
  staleline_add_driver(${name} ${ARGN})
  set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${STALELINE_WORKLOAD_DIR})
endfunction()
