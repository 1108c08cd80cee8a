// tinynn — static networks: a network is a C++ type (../shared/DESIGN.md "Static networks").
//   layers (nn/layers.hpp), combinators (nn/combinators.hpp), the network facade and compile-time
//   arena plan (nn/network.hpp, nn/plan.hpp). One include for all of it.
#pragma once

#include "tinynn/nn/combinators.hpp"
#include "tinynn/nn/layer.hpp"
#include "tinynn/nn/layers.hpp"
#include "tinynn/nn/network.hpp"
#include "tinynn/nn/plan.hpp"
#include "tinynn/nn/zoo.hpp"
