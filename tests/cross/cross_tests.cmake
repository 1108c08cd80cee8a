# aarch64 cross tests (TINYNN_CROSS_TESTS=ON, the `ci` preset): cross-builds every tests/ops/*_test.cpp
# and tests/int8/*_test.cpp with aarch64-linux-gnu-g++ (tests/cross/aarch64, an ExternalProject built
# with the main build), then registers CTest tests in THIS (host) project that run them under
# qemu-aarch64: NEON on a Cortex-A76 model (dotprod, no SVE), SVE at 128, 256, 512 and 2048 bits.
include(ExternalProject)

find_program(TINYNN_AARCH64_CXX aarch64-linux-gnu-g++)
find_program(TINYNN_QEMU_AARCH64 qemu-aarch64)
if(NOT TINYNN_AARCH64_CXX OR NOT TINYNN_QEMU_AARCH64)
  message(WARNING "TINYNN_CROSS_TESTS: aarch64-linux-gnu-g++ or qemu-aarch64 not found; aarch64 tests are not built "
                  "(scripts/bootstrap.sh test installs them)")
  return()
endif()

set(cross_binary_dir ${CMAKE_BINARY_DIR}/aarch64)
ExternalProject_Add(
  tinynn_aarch64_tests
  SOURCE_DIR ${PROJECT_SOURCE_DIR}/tests/cross/aarch64
  BINARY_DIR ${cross_binary_dir}
  CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/aarch64-linux-gnu.cmake
             -DTINYNN_SOURCE_DIR=${PROJECT_SOURCE_DIR} -DCMAKE_BUILD_TYPE=Release -G Ninja
  BUILD_ALWAYS ON
  INSTALL_COMMAND ""
  USES_TERMINAL_BUILD OFF)

file(GLOB cross_test_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/ops/*_test.cpp
     ${PROJECT_SOURCE_DIR}/tests/int8/*_test.cpp)
set(qemu ${TINYNN_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
foreach(source ${cross_test_sources})
  get_filename_component(stem ${source} NAME_WE)
  get_filename_component(area_dir ${source} DIRECTORY)
  get_filename_component(area ${area_dir} NAME)
  set(filter "--source-file=*/${area}/${stem}.cpp")
  add_test(NAME aarch64_neon.${area}.${stem} COMMAND ${qemu} -cpu cortex-a76 ${cross_binary_dir}/tinynn_neon_tests
                                                     ${filter})
  set_tests_properties(aarch64_neon.${area}.${stem} PROPERTIES LABELS "aarch64;neon" TIMEOUT 600)
  foreach(bits 128 256 512 2048)
    math(EXPR bytes "${bits} / 8")
    add_test(NAME aarch64_sve${bits}.${area}.${stem} COMMAND ${qemu} ${cross_binary_dir}/tinynn_sve_tests ${filter})
    set_tests_properties(
      aarch64_sve${bits}.${area}.${stem}
      PROPERTIES LABELS "aarch64;sve" TIMEOUT 600
                 ENVIRONMENT "QEMU_CPU=max,sve-default-vector-length=${bytes};TINYNN_EXPECT_SVE_BITS=${bits}")
  endforeach()
endforeach()
