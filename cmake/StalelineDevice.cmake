# Building devices for Staleline: the user's Verilog (staleline_add_device) or a behavioural
# C model (staleline_add_device_model), each as a device module in build/lib/devices that
# `staleline run --device NAME` loads. The port contract and a worked example: docs/devices.md.
#
# staleline_add_device(NAME TOP module SOURCES file.v ...
#                      VENDOR_ID 0x1234 DEVICE_ID 0x5678 [BAR0_SIZE 4096] [CLOCK_MHZ 250]
#                      [CLASS_CODE 0x020000] [REVISION 1] [NO_MSI] [NO_INTX] [SUMMARY "text"]
#                      [MSIX_VECTORS n MSIX_TABLE_OFFSET off] [BURST_PURPOSE header.h]
#                      [INCLUDES dir ...] [PARAMETERS NAME=VALUE ...] [VERILATOR_ARGS ...])
#   Verilates TOP (its own prefix, V<NAME>, and its own copy of the Verilator runtime, hidden
#   inside the module so that several Verilated devices live in one process), instantiates the
#   generic pin-level core (bridge/RtlCoreT.h) for it -- which checks the port contract at
#   compile time and names any missing port -- and exports the device kind NAME with the PCI
#   identity given. PARAMETERS override Verilog parameters of TOP (-GNAME=VALUE). MSIX_VECTORS
#   gives the function an MSI-X capability with its table at MSIX_TABLE_OFFSET of BAR0 (served
#   by the PCI host, never by the RTL); with MSI-X on, a rising edge of `irq` signals entry 0.
#
#   The RTL decodes BAR0 only (one AXI4-Lite port): BAR0_SIZE is the whole register space.
#   BURST_PURPOSE names a header that specialises staleline::RtlBurstPurpose<SL_RTL_TOP> (the
#   macro names the Verilated top's class, V<NAME>) to say which bursts are descriptor fetches
#   and status write-backs (the timeline, the latency breakdown); without it every burst is data.
#
# staleline_add_device_model(NAME SOURCES file.c ... [INCLUDES dir ...] [DEFINES X=1 ...])
#   A behavioural model in C against staleline/device.h, exporting staleline_device_kind();
#   the model declares its BARs (0..5, memory or I/O) in the kind itself (docs/devices.md).
#
# Both make the CMake target NAME-device (so a driver may be called NAME too), whose file is
# lib/devices/NAME.so.

set(STALELINE_DEVICE_DIR ${CMAKE_BINARY_DIR}/lib/devices CACHE INTERNAL "Where device modules go")
set(STALELINE_DEVICE_ENTRY_IN ${CMAKE_CURRENT_LIST_DIR}/device_entry.cpp.in CACHE INTERNAL "")
set(STALELINE_DEVICE_EXPORTS ${CMAKE_CURRENT_LIST_DIR}/device_exports.map CACHE INTERNAL "")
# Headers a device module sees: staleline/device.h and the bridge's pin-level core.
# (the source tree's, or an installed Staleline's: StalelineConfig.cmake sets them first)
if(NOT STALELINE_DEVICE_INCLUDE_DIRS)
  set(STALELINE_DEVICE_INCLUDE_DIRS ${CMAKE_CURRENT_LIST_DIR}/.. ${CMAKE_CURRENT_LIST_DIR}/../model/include CACHE INTERNAL "")
endif()

function(_staleline_device_module target name)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${name}
    LIBRARY_OUTPUT_DIRECTORY ${STALELINE_DEVICE_DIR})
  target_include_directories(${target} PRIVATE ${STALELINE_DEVICE_INCLUDE_DIRS})
  # Only staleline_device_kind() is seen from outside; everything else (the Verilator runtime
  # above all) binds inside the module.
  target_link_options(${target} PRIVATE "LINKER:--version-script=${STALELINE_DEVICE_EXPORTS}" "LINKER:-Bsymbolic")
endfunction()

function(staleline_add_device name)
  if(NOT COMMAND verilate)
    message(FATAL_ERROR "staleline_add_device(${name}): Verilator's CMake package was not found (apt-get install verilator)")
  endif()
  cmake_parse_arguments(D "NO_MSI;NO_INTX" "TOP;VENDOR_ID;DEVICE_ID;BAR0_SIZE;CLOCK_MHZ;CLASS_CODE;REVISION;SUMMARY;MSIX_VECTORS;MSIX_TABLE_OFFSET;BURST_PURPOSE"
                        "SOURCES;INCLUDES;PARAMETERS;VERILATOR_ARGS" ${ARGN})
  foreach(req TOP SOURCES VENDOR_ID DEVICE_ID)
    if(NOT D_${req})
      message(FATAL_ERROR "staleline_add_device(${name}): ${req} is required (docs/devices.md)")
    endif()
  endforeach()
  if(NOT D_BAR0_SIZE)
    set(D_BAR0_SIZE 4096)
  endif()
  math(EXPR bar "${D_BAR0_SIZE}")
  math(EXPR low "${bar} & (${bar} - 1)")
  if(bar LESS 4096 OR NOT low EQUAL 0)
    message(FATAL_ERROR "staleline_add_device(${name}): BAR0_SIZE must be a power of two >= 4096, got ${D_BAR0_SIZE}")
  endif()
  foreach(opt CLOCK_MHZ CLASS_CODE MSIX_VECTORS MSIX_TABLE_OFFSET)
    if(NOT D_${opt})
      set(D_${opt} 0)
    endif()
  endforeach()
  if(NOT D_REVISION)
    set(D_REVISION 1)
  endif()
  if(NOT D_SUMMARY)
    set(D_SUMMARY "Verilog device ${D_TOP}")
  endif()
  set(SL_MSI true)
  if(D_NO_MSI)
    set(SL_MSI false)
  endif()
  set(SL_INTX 1)
  if(D_NO_INTX)
    set(SL_INTX 0)
  endif()
  string(MAKE_C_IDENTIFIER "${name}" cname)
  set(SL_PREFIX V${cname})
  set(SL_NAME ${name})
  set(SL_SUMMARY "${D_SUMMARY}")
  set(SL_VENDOR_ID ${D_VENDOR_ID})
  set(SL_DEVICE_ID ${D_DEVICE_ID})
  set(SL_CLASS_CODE ${D_CLASS_CODE})
  set(SL_REVISION ${D_REVISION})
  set(SL_BAR0_SIZE ${bar})
  set(SL_CLOCK_MHZ ${D_CLOCK_MHZ})
  set(SL_MSIX_VECTORS ${D_MSIX_VECTORS})
  set(SL_MSIX_TABLE_OFFSET ${D_MSIX_TABLE_OFFSET})
  # What the device's bursts are for (descriptor fetch, status write-back), for the timeline and
  # the latency breakdown: a header specialising staleline::RtlBurstPurpose for the Verilated
  # top (docs/devices.md); without one, every burst is data.
  set(SL_BURST_PURPOSE_INCLUDE "")
  if(D_BURST_PURPOSE)
    get_filename_component(purpose "${D_BURST_PURPOSE}" ABSOLUTE)
    if(NOT EXISTS "${purpose}")
      message(FATAL_ERROR "staleline_add_device(${name}): BURST_PURPOSE ${D_BURST_PURPOSE} does not exist")
    endif()
    set(SL_BURST_PURPOSE_INCLUDE "#define SL_RTL_TOP ${SL_PREFIX}  // the Verilated top's class, for the header\n#include \"${purpose}\"  // BURST_PURPOSE")
  endif()
  set(entry ${CMAKE_CURRENT_BINARY_DIR}/${name}_device_entry.cpp)
  configure_file(${STALELINE_DEVICE_ENTRY_IN} ${entry} @ONLY)

  set(target ${name}-device)
  add_library(${target} MODULE ${entry})
  set(gparams "")
  foreach(p ${D_PARAMETERS})
    list(APPEND gparams -G${p})
  endforeach()
  verilate(${target}
    SOURCES ${D_SOURCES}
    TOP_MODULE ${D_TOP}
    PREFIX ${SL_PREFIX}
    TRACE
    INCLUDE_DIRS ${D_INCLUDES}
    VERILATOR_ARGS -O3 -Wno-fatal ${gparams} ${D_VERILATOR_ARGS})
  _staleline_device_module(${target} ${name})
  # The Verilated model and its runtime stay private to the module (the entry point says
  # which symbol is public).
  set_target_properties(${target} PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_compile_definitions(${target} PRIVATE VL_TIME_CONTEXT)
  # Generated code is not ours to warn about; UBSan's alignment check trips on Verilator's
  # trace buffer by design (rtl/CMakeLists.txt).
  target_compile_options(${target} PRIVATE -w)
  if(STALELINE_SANITIZE)
    target_compile_options(${target} PRIVATE -fno-sanitize=alignment)
  endif()
  target_link_libraries(${target} PRIVATE Threads::Threads m)
endfunction()

function(staleline_add_device_model name)
  cmake_parse_arguments(D "" "" "SOURCES;INCLUDES;DEFINES" ${ARGN})
  if(NOT D_SOURCES)
    message(FATAL_ERROR "staleline_add_device_model(${name}): no SOURCES")
  endif()
  set(target ${name}-device)
  add_library(${target} MODULE ${D_SOURCES})
  set_target_properties(${target} PROPERTIES C_STANDARD 11)
  _staleline_device_module(${target} ${name})
  target_include_directories(${target} PRIVATE ${D_INCLUDES})
  if(D_DEFINES)
    target_compile_definitions(${target} PRIVATE ${D_DEFINES})
  endif()
endfunction()
