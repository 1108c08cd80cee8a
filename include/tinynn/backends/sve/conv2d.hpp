// tinynn — sve Conv2D kernels: convolutions run as implicit GEMM (ops/conv2d.hpp) on this backend's
// GEMM micro-kernel (backends/sve/gemm.hpp); no convolution-specific kernel is needed here yet.
#pragma once

#include "tinynn/backends/scalar/conv2d.hpp"
#include "tinynn/backends/sve/gemm.hpp"
