// tinynn — reference architectures as static networks, and the building blocks they are made of.
// Each block is a few lines of combinators; the networks are the ones tinynn is measured on
// (tests, bench, firmware). Weights are not included: they are Params values (tests use random
// ones, codegen writes trained ones).
#pragma once

#include <cstddef>
#include <type_traits>

#include "tinynn/dtype.hpp"
#include "tinynn/nn/combinators.hpp"
#include "tinynn/nn/layers.hpp"

namespace tinynn::nn::zoo {

// ---- building blocks ----

/// MobileNetV2 inverted residual: 1x1 expansion (skipped when Expand == 1), 3x3 depthwise with
/// stride S, 1x1 linear projection; an identity shortcut when the shape is kept.
template <std::size_t In, std::size_t Out, std::size_t Expand, std::size_t S>
using InvertedResidualBody = std::conditional_t<
    Expand == 1, Sequential<DepthwiseConv2D<3, 3, Same, Stride<S>, ReLU6>, Conv2D<Out, 1, 1>>,
    Sequential<Conv2D<In * Expand, 1, 1, ReLU6>, DepthwiseConv2D<3, 3, Same, Stride<S>, ReLU6>, Conv2D<Out, 1, 1>>>;
template <std::size_t In, std::size_t Out, std::size_t Expand, std::size_t S>
using InvertedResidual = std::conditional_t<S == 1 && In == Out, Residual<InvertedResidualBody<In, Out, Expand, S>>,
                                            InvertedResidualBody<In, Out, Expand, S>>;

/// ResNet basic block: two 3x3 convolutions with BatchNorm, a shortcut (a strided 1x1 projection
/// with BatchNorm when the shape changes), ReLU after the sum.
template <std::size_t In, std::size_t Out, std::size_t S = 1>
using ResNetBasicBlock = Sequential<
    Residual<Sequential<Conv2D<Out, 3, 3, Same, Stride<S>>, BatchNorm<>, ReLU, Conv2D<Out, 3, 3, Same>, BatchNorm<>>,
             std::conditional_t<S == 1 && In == Out, Identity, Sequential<Conv2D<Out, 1, 1, Stride<S>>, BatchNorm<>>>>,
    ReLU>;

/// SqueezeNet fire module: 1x1 squeeze, then 1x1 and 3x3 expansions side by side.
template <std::size_t Squeeze, std::size_t Expand1, std::size_t Expand3>
using FireModule =
    Sequential<Conv2D<Squeeze, 1, 1, ReLU>, Concat<Conv2D<Expand1, 1, 1, ReLU>, Conv2D<Expand3, 3, 3, Same, ReLU>>>;

// ---- reference networks ----

/// SimpLeNet-v1 (MNIST, 28x28x1).
using SimpLeNetV1 = Sequential<Input<f32, 28, 28, 1>, Conv2D<3, 5, 5, Same, ReLU>, MaxPool2D<2, 2>,
                               Conv2D<6, 5, 5, Same, ReLU>, MaxPool2D<2, 2>, Flatten, Dense<10>>;

/// The CMSIS-NN CIFAR-10 example CNN (32x32x3; its 3x3/2 max pools round up, as in Caffe).
using Cifar10Cnn = Sequential<Input<f32, 32, 32, 3>, Conv2D<32, 5, 5, Same, ReLU>, MaxPool2D<3, 3, Stride<2>, CeilMode>,
                              Conv2D<32, 5, 5, Same, ReLU>, MaxPool2D<3, 3, Stride<2>, CeilMode>,
                              Conv2D<64, 5, 5, Same, ReLU>, MaxPool2D<3, 3, Stride<2>, CeilMode>, Flatten, Dense<10>>;

/// One DS-CNN stage: depthwise 3x3 + BatchNorm + ReLU, pointwise 1x1 + BatchNorm + ReLU.
template <std::size_t C>
using DsCnnStage = Sequential<DepthwiseConv2D<3, 3, Same>, BatchNorm<>, ReLU, Conv2D<C, 1, 1>, BatchNorm<>, ReLU>;

/// "Hello Edge" DS-CNN (small) keyword spotter: 49 MFCC frames x 10 coefficients, 12 classes.
/// The first convolution is padded (5, 1) as in the ONNX export in ../shared/models.
using DsCnnKws = Sequential<Input<f32, 49, 10, 1>, Conv2D<64, 10, 4, Padding<5, 1>, Stride<2>>, BatchNorm<>, ReLU,
                            DsCnnStage<64>, DsCnnStage<64>, DsCnnStage<64>, DsCnnStage<64>, GlobalAvgPool, Dense<12>>;

/// MobileNetV2 at width 0.35 on 96x96x3 (Keras' smallest ImageNet variant; BatchNorm already
/// folded into the convolutions' weights, ReLU6, 1280 final features, 1000 classes).
using MobileNetV2_035_96 = Sequential<
    Input<f32, 96, 96, 3>, Conv2D<16, 3, 3, Same, Stride<2>, ReLU6>,                                // 48x48x16
    InvertedResidual<16, 8, 1, 1>,                                                                  //
    InvertedResidual<8, 8, 6, 2>, InvertedResidual<8, 8, 6, 1>,                                     // 24x24x8
    InvertedResidual<8, 16, 6, 2>, InvertedResidual<16, 16, 6, 1>, InvertedResidual<16, 16, 6, 1>,  // 12x12x16
    InvertedResidual<16, 24, 6, 2>, InvertedResidual<24, 24, 6, 1>, InvertedResidual<24, 24, 6, 1>,
    InvertedResidual<24, 24, 6, 1>,                                                                  // 6x6x24
    InvertedResidual<24, 32, 6, 1>, InvertedResidual<32, 32, 6, 1>, InvertedResidual<32, 32, 6, 1>,  // 6x6x32
    InvertedResidual<32, 56, 6, 2>, InvertedResidual<56, 56, 6, 1>, InvertedResidual<56, 56, 6, 1>,  // 3x3x56
    InvertedResidual<56, 112, 6, 1>,                                                                 // 3x3x112
    Conv2D<1280, 1, 1, ReLU6>, GlobalAvgPool, Dense<1000>>;

}  // namespace tinynn::nn::zoo
