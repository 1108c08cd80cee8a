cmake_minimum_required(VERSION 3.25)
# Builds and runs the consumer project against tinynn, either installed (find_package) or as a
# subdirectory. Steps fail loudly with the command's output.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "failed (${result}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

set(dir "${WORK_DIR}/${MODE}")
file(REMOVE_RECURSE "${dir}")
if(MODE STREQUAL "find_package")
  # Install from a fresh configure of tinynn itself with nothing but the library.
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${dir}/tinynn-build -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX}
      -DTINYNN_BUILD_TESTS=OFF -DTINYNN_BUILD_BENCH=OFF -DTINYNN_BUILD_EXAMPLES=OFF -DTINYNN_BUILD_TOOLS=OFF)
  run(${CMAKE_COMMAND} --install ${dir}/tinynn-build --prefix ${dir}/prefix)
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer/find_package -B ${dir}/build -G ${GENERATOR}
      -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${dir}/prefix)
else()
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer/add_subdirectory -B ${dir}/build -G ${GENERATOR}
      -DCMAKE_CXX_COMPILER=${CXX} -DTINYNN_SOURCE_DIR=${SOURCE_DIR})
endif()
run(${CMAKE_COMMAND} --build ${dir}/build)
run(${dir}/build/consumer)
message(STATUS "consumer (${MODE}) built and ran")
