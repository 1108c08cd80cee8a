// tinynn — neon int8 GEMM micro-kernels (not yet written: ops/quantized/gemm.hpp runs the scalar
// kernel on this backend meanwhile, with the same packed weights and the same integers).
#pragma once

#include "tinynn/backends/scalar/quantized_gemm.hpp"
