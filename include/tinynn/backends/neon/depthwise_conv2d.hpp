// tinynn — neon depthwise Conv2D kernels (not yet written: the scalar kernel serves this tag meanwhile).
#pragma once

#include "tinynn/backends/scalar/depthwise_conv2d.hpp"
