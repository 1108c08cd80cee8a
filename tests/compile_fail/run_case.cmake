cmake_minimum_required(VERSION 3.25)
# Compiles SOURCE (expected to fail) and checks the compiler printed EXPECTED.
execute_process(COMMAND ${COMPILER} -std=c++20 -fsyntax-only -I${INCLUDE_DIR} ${SOURCE}
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must fail with: ${EXPECTED}")
endif()
string(FIND "${out}${err}" "${EXPECTED}" where)
if(where EQUAL -1)
  message(FATAL_ERROR "${SOURCE} failed to compile, but without the intended message '${EXPECTED}'. Compiler said:\n${err}")
endif()
message(STATUS "failed as intended: ${EXPECTED}")
