// tinynn — umbrella header: everything a user needs with one #include.
#pragma once

#include "tinynn/arena.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/config.hpp"
#include "tinynn/dtype.hpp"
#include "tinynn/quant.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"
#include "tinynn/tensor.hpp"
