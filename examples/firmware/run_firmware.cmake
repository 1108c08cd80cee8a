cmake_minimum_required(VERSION 3.25)
# Runs a firmware image under qemu-system-arm (semihosting: its exit code is qemu's) and has the host
# build of the same program compare the printed outputs with its own.
if(NOT QEMU)
  message("skipped: qemu-system-arm not found (Debian: qemu-system-arm)")
  return()
endif()
if(NOT EXISTS ${ELF})
  message("skipped: ${ELF} was not built (see the firmware.build.* test)")
  return()
endif()
execute_process(COMMAND ${QEMU} -M ${MACHINE} -nographic -monitor none -serial none
                        -semihosting-config enable=on,target=native -kernel ${ELF}
                TIMEOUT 60 RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
# qemu writes semihosting output to stderr when stdout is not a terminal: keep both.
file(WRITE ${OUTPUT} "${out}${err}")
message("${out}${err}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "firmware ${ELF} on ${MACHINE} exited with '${result}':\n${err}")
endif()
execute_process(COMMAND ${HOST} --compare ${OUTPUT} RESULT_VARIABLE result OUTPUT_VARIABLE host_out
                ERROR_VARIABLE host_err)
message("${host_out}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "firmware outputs differ from the host build's:\n${host_out}\n${host_err}")
endif()
