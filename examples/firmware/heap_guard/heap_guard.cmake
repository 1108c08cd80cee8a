cmake_minimum_required(VERSION 3.25)
# Links a firmware image that calls malloc with the firmware link line; it must fail with the
# linker script's message. Proves the "no heap" guarantee is enforced, not assumed.
if(NOT COMPILER)
  message("skipped: arm-none-eabi-g++ not found")
  return()
endif()
execute_process(COMMAND ${COMPILER} -mthumb -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -std=c++20 -O2
                        -fno-exceptions -fno-rtti -ffunction-sections -fdata-sections -nostartfiles -nostdlib
                        -Wl,--gc-sections -L${FIRMWARE_DIR}/ld -Tan386.ld ${FIRMWARE_DIR}/heap_guard/uses_malloc.cpp
                        ${FIRMWARE_DIR}/startup.cpp -I${FIRMWARE_DIR} -Wl,--start-group -lc_nano -lm -lgcc
                        -Wl,--end-group -o ${WORK_DIR}/uses_malloc.elf
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(result EQUAL 0)
  message(FATAL_ERROR "a firmware calling malloc linked: the heap guard in ld/sections.ld does not work")
endif()
string(FIND "${out}${err}" "heap allocator linked into firmware" where)
if(where EQUAL -1)
  message(FATAL_ERROR "the link failed, but not with the heap guard's message:\n${err}")
endif()
message(STATUS "link refused as intended: heap allocator linked into firmware")
