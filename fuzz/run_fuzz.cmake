# Runs one libFuzzer target for a bounded time on a seed corpus.
#   cmake -DFUZZER=path -DNAME=onnx_fuzz -DWORK=dir -DSECONDS=n [-DONNX_DATA=dir] [-DMODELS_DIR=dir] -P run_fuzz.cmake
# Seeds: onnx_* targets get the libonnx-testdata models (and tests/data/*.onnx), tflite_* targets
# ../shared/models/tflite/*.tflite. Crashes are written to WORK/NAME-crashes/ and fail the test.
set(seeds ${WORK}/${NAME}-seeds)
set(corpus ${WORK}/${NAME}-corpus)
set(crashes ${WORK}/${NAME}-crashes)
file(REMOVE_RECURSE ${seeds})
file(MAKE_DIRECTORY ${seeds} ${corpus} ${crashes})
set(sources "")
if(NAME MATCHES "^onnx" AND ONNX_DATA AND IS_DIRECTORY ${ONNX_DATA})
  file(GLOB sources ${ONNX_DATA}/node/*/model.onnx ${ONNX_DATA}/simple/*/model.onnx ${SOURCE_DIR}/tests/data/*.onnx
       ${SOURCE_DIR}/fuzz/regressions/*.onnx)
elseif(NAME MATCHES "^tflite" AND MODELS_DIR AND IS_DIRECTORY ${MODELS_DIR}/tflite)
  file(GLOB sources ${MODELS_DIR}/tflite/*.tflite ${SOURCE_DIR}/fuzz/regressions/*.tflite)
endif()
set(index 0)
foreach(source ${sources})
  file(SIZE ${source} size)
  if(size LESS 200000)
    configure_file(${source} ${seeds}/seed_${index} COPYONLY)
    math(EXPR index "${index} + 1")
  endif()
endforeach()
message(STATUS "${NAME}: ${index} seeds, ${SECONDS} s")
execute_process(COMMAND ${FUZZER} -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=10 -max_len=262144
                        -print_final_stats=1 -artifact_prefix=${crashes}/ ${corpus} ${seeds}
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(LENGTH "${err}" length)
if(length GREATER 6000)
  math(EXPR start "${length} - 6000")
  string(SUBSTRING "${err}" ${start} 6000 err)
endif()
message("${err}")
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${NAME} found a problem (exit ${status}); the input is in ${crashes}")
endif()
