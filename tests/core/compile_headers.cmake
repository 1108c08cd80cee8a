cmake_minimum_required(VERSION 3.25)
# Compiles every header on its own with -Wall -Wextra -Wpedantic -Werror (self-contained, warning-free).
string(REPLACE ":" ";" HEADERS "${HEADERS}")
set(failed "")
foreach(header ${HEADERS})
  execute_process(COMMAND ${COMPILER} -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I${INCLUDE_DIR}
                          -x c++ -include ${header} /dev/null
                  RESULT_VARIABLE result ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    list(APPEND failed ${header})
    message("${header}:\n${err}")
  endif()
endforeach()
if(failed)
  message(FATAL_ERROR "headers that do not compile on their own: ${failed}")
endif()
list(LENGTH HEADERS count)
message(STATUS "${count} headers compile on their own with ${COMPILER}")
