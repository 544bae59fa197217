# staleline_add_test(NAME SOURCES ... [LIBS ...])
# A CUnit test binary built into build/bin and registered with CTest. Tests use
# testbench/tests/sl_test.h, which forks one process per test case.
function(staleline_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE sl_test_runner ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT})
endfunction()
