# Toolchain for tinynn's bare-metal Cortex-M firmware (Debian gcc-arm-none-eabi + newlib-nano),
# run under qemu-system-arm with semihosting (../shared/EMBEDDED.md section A).
#   -DCM_BOARD=an386 (Cortex-M4) | an500 (Cortex-M7) | an547 (Cortex-M55)
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)  # compiler checks do not link firmware
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CM_BOARD)

if(NOT CM_BOARD)
  set(CM_BOARD an386)
endif()
if(CM_BOARD STREQUAL "an386")
  set(_cpu "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard")
  set(_machine mps2-an386)
elseif(CM_BOARD STREQUAL "an500")
  set(_cpu "-mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard")
  set(_machine mps2-an500)
elseif(CM_BOARD STREQUAL "an547")
  set(_cpu "-mcpu=cortex-m55 -mfloat-abi=hard")
  set(_machine mps3-an547)
else()
  message(FATAL_ERROR "CM_BOARD must be an386, an500 or an547 (got '${CM_BOARD}')")
endif()
set(TINYNN_QEMU_MACHINE ${_machine})

set(CMAKE_C_FLAGS_INIT "${_cpu} -mthumb -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "${_cpu} -mthumb -fno-exceptions -fno-rtti -fno-threadsafe-statics -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles -nostdlib -Wl,--gc-sections")
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-system-arm -M ${_machine} -nographic -monitor none -serial none
    -semihosting-config enable=on,target=native -kernel)
