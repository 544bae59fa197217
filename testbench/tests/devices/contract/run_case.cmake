# cmake -DSTALELINE_SOURCE_DIR=... -DWORK_DIR=... -DCASE=... [-DGENERATOR=...] [-DCXX=...] -P run_case.cmake
# Configures and builds the project beside this script (CMakeLists.txt) for CASE in a fresh
# WORK_DIR and checks the outcome:
#   missing_port  configure passes, build fails, the only missing port named is s_axil_wstrb
#   bar0_size     configure fails naming BAR0_SIZE and the value given
#   ok            both pass (the project itself is sound, so the failures above are the checks)
foreach(v STALELINE_SOURCE_DIR WORK_DIR CASE)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_case.cmake: -D${v}=... is required")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})
set(gen "")
if(GENERATOR)
  set(gen -G ${GENERATOR})
endif()
set(cxx "")
if(CXX)
  set(cxx -DCMAKE_CXX_COMPILER=${CXX})
endif()

execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR} -B ${WORK_DIR} ${gen} ${cxx}
          -DSTALELINE_SOURCE_DIR=${STALELINE_SOURCE_DIR} -DCASE=${CASE}
  RESULT_VARIABLE conf_rc OUTPUT_VARIABLE conf_out ERROR_VARIABLE conf_out)
set(build_rc "not run")
set(build_out "")
if(conf_rc EQUAL 0)
  execute_process(
    COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR} -j2
    RESULT_VARIABLE build_rc OUTPUT_VARIABLE build_out ERROR_VARIABLE build_out)
endif()
set(all "${conf_out}\n${build_out}")
# CMake wraps its messages: compare with runs of white space made one space.
string(REGEX REPLACE "[ \t\r\n]+" " " flat "${all}")

function(fail why)
  message("${all}")
  message(FATAL_ERROR "contract case ${CASE}: ${why}")
endfunction()

if(CASE STREQUAL "missing_port")
  if(NOT conf_rc EQUAL 0)
    fail("configure failed (rc ${conf_rc}); it should pass and the build fail")
  endif()
  if(build_rc EQUAL 0)
    fail("the build passed without s_axil_wstrb")
  endif()
  if(NOT flat MATCHES "the top module has no port 's_axil_wstrb'")
    fail("the build failed without naming s_axil_wstrb")
  endif()
  # Only that port: the rest of the top is complete.
  string(REGEX MATCHALL "has no port '[a-z_]+'" named "${flat}")
  list(REMOVE_DUPLICATES named)
  if(NOT named STREQUAL "has no port 's_axil_wstrb'")
    fail("other ports named as missing: ${named}")
  endif()
  message(STATUS "missing_port: build failed: the top module has no port 's_axil_wstrb'")
elseif(CASE STREQUAL "bar0_size")
  if(conf_rc EQUAL 0)
    fail("configure passed with BAR0_SIZE 5000")
  endif()
  if(NOT flat MATCHES "staleline_add_device\\(tiny\\): BAR0_SIZE must be a power of two >= 4096, got 5000")
    fail("configure failed without naming BAR0_SIZE")
  endif()
  message(STATUS "bar0_size: configure failed: BAR0_SIZE must be a power of two >= 4096, got 5000")
elseif(CASE STREQUAL "ok")
  if(NOT conf_rc EQUAL 0 OR NOT build_rc EQUAL 0)
    fail("configure rc ${conf_rc}, build rc ${build_rc}")
  endif()
  if(NOT EXISTS ${WORK_DIR}/lib/devices/tiny.so)
    fail("no lib/devices/tiny.so")
  endif()
  message(STATUS "ok: lib/devices/tiny.so built")
else()
  message(FATAL_ERROR "unknown CASE '${CASE}'")
endif()
