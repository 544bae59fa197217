# cmake -DTB=<testbench> -DNAME=<name> -DOUT=<file> -DSTALELINE=<binary> -DTIMEOUT=<s> -P this
# Writes the CTest entries of every case the testbench lists.
execute_process(COMMAND ${TB} --list OUTPUT_VARIABLE cases RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${TB} --list failed (${rc})")
endif()
string(REPLACE "\n" ";" cases "${cases}")
set(text "")
foreach(c ${cases})
  if(c STREQUAL "")
    continue()
  endif()
  string(APPEND text "add_test(\"${NAME}.${c}\" \"${TB}\" \"${c}\")\n"
                     "set_tests_properties(\"${NAME}.${c}\" PROPERTIES TIMEOUT ${TIMEOUT} ENVIRONMENT \"STALELINE=${STALELINE}\")\n")
endforeach()
file(WRITE ${OUT} "${text}")
