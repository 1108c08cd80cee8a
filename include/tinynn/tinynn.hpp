// tinynn — umbrella header: everything a user needs with one #include.
#pragma once

#include "tinynn/arena.hpp"
#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/config.hpp"
#include "tinynn/dtype.hpp"
#include "tinynn/ops/conv2d.hpp"
#include "tinynn/ops/depthwise_conv2d.hpp"
#include "tinynn/ops/fully_connected.hpp"
#include "tinynn/ops/gemm.hpp"
#include "tinynn/quant.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"
#include "tinynn/tensor.hpp"
