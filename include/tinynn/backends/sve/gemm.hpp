// tinynn — sve GEMM micro-kernels (not yet written: the scalar kernels serve this tag meanwhile).
#pragma once

#include "tinynn/backends/scalar/gemm.hpp"
