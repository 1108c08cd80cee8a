// tinynn — static networks: a network is a C++ type (../shared/DESIGN.md "Static networks").
//
//   using Net = nn::Sequential<nn::Input<f32, 49, 10, 1>,
//                              nn::Conv2D<64, 10, 4, nn::Padding<5, 1>, nn::Stride<2>>, nn::BatchNorm<>, nn::ReLU,
//                              nn::DepthwiseConv2D<3, 3, nn::Same>, nn::BatchNorm<>, nn::ReLU,
//                              nn::GlobalAvgPool, nn::Dense<12>>;
//   constexpr Net::Params params = Net::fold(trained);  // packs weights, folds BatchNorm: at compile time
//   Net::Arena arena;                                   // Net::arena_bytes: exact, planned at compile time
//   auto scores = Net::run(params, x, arena);           // one ops/ call per step; Net::run<backend::scalar>
//
// Layers (nn/layers.hpp): Input, Conv2D, DepthwiseConv2D, Dense, MaxPool2D, AvgPool2D, GlobalAvgPool,
// BatchNorm, Flatten, Reshape, Softmax, Pad, ReLU, ReLU6, Clip, LeakyReLU, Sigmoid, Tanh, HardSwish; options
// Same/Valid/Padding<>, Stride<>, Dilation<>, Multiplier<>, CeilMode, a fused activation.
// Combinators (nn/combinators.hpp): Sequential (fuses conv/dense + BatchNorm + activation into one step), Add,
// Residual, Concat. Facade and arena planner: nn/network.hpp, nn/plan.hpp. Blocks and reference networks:
// nn/zoo.hpp. int8 layers: nn/quantized.hpp. How to add a layer: nn/layer.hpp.
#pragma once

#include "tinynn/nn/combinators.hpp"
#include "tinynn/nn/layer.hpp"
#include "tinynn/nn/layers.hpp"
#include "tinynn/nn/network.hpp"
#include "tinynn/nn/plan.hpp"
#include "tinynn/nn/zoo.hpp"
