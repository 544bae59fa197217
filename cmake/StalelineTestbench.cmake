# staleline_add_testbench(NAME SOURCES file.c ... [LIBS ...] [TIMEOUT seconds])
#   A CUnit testbench (staleline/testbench.h) as an executable; every case it lists
#   (`NAME --list`, read after each build) becomes a CTest test of its own, NAME.CASE, run
#   with STALELINE pointing at the staleline binary (the source tree's or the installed one).

set(STALELINE_TESTBENCH_DISCOVER ${CMAKE_CURRENT_LIST_DIR}/StalelineTestbenchDiscover.cmake CACHE INTERNAL "")

function(staleline_add_testbench name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_SOURCES)
    message(FATAL_ERROR "staleline_add_testbench(${name}): no SOURCES")
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE Staleline::testbench ${T_LIBS})
  if(TARGET staleline_cli)
    set(bin $<TARGET_FILE:staleline_cli>)
  else()
    set(bin ${STALELINE_EXECUTABLE})
  endif()
  set(script ${CMAKE_CURRENT_BINARY_DIR}/${name}_cases.cmake)
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -DTB=$<TARGET_FILE:${name}> -DNAME=${name} -DOUT=${script}
            -DSTALELINE=${bin} -DTIMEOUT=${T_TIMEOUT} -P ${STALELINE_TESTBENCH_DISCOVER}
    BYPRODUCTS ${script} VERBATIM)
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${script})
endfunction()
