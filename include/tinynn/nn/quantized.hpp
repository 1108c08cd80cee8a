// tinynn — int8 static-network layers (TFLite quantization: activations asymmetric int8 per tensor,
// weights symmetric int8 per output channel, int32 bias with scale input_scale * weight_scale).
// Start a network with nn::Input<qi8, ...>; the quantization of every activation is data, not type:
// each layer's Trained carries its input and output QuantParams, and fold() turns them (constexpr,
// so at compile time for constexpr weights) into fixed-point multipliers and integer activation
// ranges in Params. run() calls the scalar int8 kernels of ops/quantized/ (the Cortex-M path; they
// are bit-exact with every SIMD backend), whatever backend the network is run with.
//
//   using Net = nn::Sequential<nn::Input<qi8, 32, 32, 3>, nn::QConv2D<32, 5, 5, nn::Same, nn::ReLU>,
//                              nn::QMaxPool2D<3, 3, nn::Stride<2>, nn::CeilMode>, nn::Flatten, nn::QDense<10>>;
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "tinynn/dtype.hpp"
#include "tinynn/nn/combinators.hpp"
#include "tinynn/nn/layer.hpp"
#include "tinynn/nn/layers.hpp"
#include "tinynn/ops/quantized/conv2d.hpp"
#include "tinynn/ops/quantized/depthwise_conv2d.hpp"
#include "tinynn/ops/quantized/fully_connected.hpp"
#include "tinynn/ops/quantized/pool.hpp"
#include "tinynn/ops/quantized/requantize.hpp"
#include "tinynn/ops/quantized/softmax.hpp"
#include "tinynn/quant.hpp"

namespace tinynn::nn {

namespace check {
template <class Input>
struct QConv2D_input {
  static_assert(Input::rank == 3, "tinynn::nn::QConv2D/QDepthwiseConv2D/QPool: the input must have shape [H, W, C]");
};
template <class Input>
struct QDense_input {
  static_assert(Input::rank == 1, "tinynn::nn::QDense: the input must have shape [K] (add nn::Flatten before QDense)");
};
}  // namespace check

namespace detail {

template <class In>
inline constexpr bool is_qi8 = std::is_same_v<typename In::dtype, qi8>;

/// The integer range of a fused activation option (ReLU, ReLU6, none) for an output quantization.
template <class Activation>
constexpr ops::quantized::QuantizedRange quantized_range(QuantParams output) noexcept {
  namespace q = ops::quantized;
  constexpr ops::Activation kind = Activation::params.kind;
  static_assert(kind == ops::Activation::none || kind == ops::Activation::relu || kind == ops::Activation::relu6,
                "tinynn::nn: int8 layers fuse no activation, ReLU or ReLU6 (others: a lookup-table layer)");
  const q::FusedActivation fused = kind == ops::Activation::relu    ? q::FusedActivation::relu
                                   : kind == ops::Activation::relu6 ? q::FusedActivation::relu6
                                                                    : q::FusedActivation::none;
  return q::activation_range<std::int8_t>(fused, output.scale, output.zero_point);
}

/// Per-channel multipliers input_scale * weight_scale[c] / output_scale.
template <std::size_t N>
constexpr void channel_multipliers(const std::array<float, N>& weight_scales, QuantParams input, QuantParams output,
                                   std::array<ops::quantized::QuantizedMultiplier, N>& out) noexcept {
  for (std::size_t c = 0; c < N; ++c) {
    out[c] = ops::quantized::quantize_multiplier(
        static_cast<double>(input.scale) * static_cast<double>(weight_scales[c]) / static_cast<double>(output.scale));
  }
}

/// Everything an int8 layer without parameters declares.
template <class In, class Out>
struct QuantizedNoParams {
  using input = In;
  using output = Out;
  using activation = NoActivation;
  using Params = NoParams;
  using Trained = NoParams;
  static constexpr void fold_into(const Trained&, Params&) noexcept {}
  static constexpr std::size_t param_count = 0;
  static constexpr std::size_t macs = 0;
  static constexpr bool foldable = false;
  template <class Backend>
  static constexpr std::size_t scratch_bytes = 0;
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// QConv2D<Filters, KH, KW, options...> (options as Conv2D: padding, Stride, Dilation, ReLU/ReLU6).

template <std::size_t Filters, std::size_t KH, std::size_t KW, class... Options>
struct QConv2D {
  using options = detail::WindowOptions<Valid, Stride<1, 1>, Options...>;
  static_assert(options::all_known, "tinynn::nn::QConv2D: unknown option");

  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_qi8<In>, "tinynn::nn::QConv2D: the input dtype must be qi8 (float: nn::Conv2D)");
    static_assert(sizeof(check::QConv2D_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    using window = detail::Window<options, KH, KW, H, W>;
    using input = In;
    using output = Spec<qi8, Shape<window::out_h, window::out_w, Filters>>;
    using activation = NoActivation;  // the fused activation is an integer range in Params
    static constexpr std::size_t kernel_h = KH, kernel_w = KW;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;

    struct Trained {
      std::array<std::int8_t, Filters * KH * KW * C> weights;  // OHWI, symmetric
      std::array<std::int32_t, Filters> bias;                  // scale input.scale * weight_scales[f]
      std::array<float, Filters> weight_scales;
      QuantParams input, output;
    };
    struct Params {
      std::array<std::int8_t, Filters * KH * KW * C> weights;
      std::array<std::int32_t, Filters> bias;
      std::array<ops::quantized::QuantizedMultiplier, Filters> multipliers;
      std::int32_t input_zero_point, output_zero_point;
      ops::quantized::QuantizedRange range;
    };
    static constexpr std::size_t param_count = Filters * KH * KW * C + Filters;
    static constexpr std::size_t macs = window::out_h * window::out_w * Filters * KH * KW * C;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    static constexpr void fold_into(const Trained& t, Params& p) {
      p.weights = t.weights;
      p.bias = t.bias;
      detail::channel_multipliers(t.weight_scales, t.input, t.output, p.multipliers);
      p.input_zero_point = t.input.zero_point;
      p.output_zero_point = t.output.zero_point;
      p.range = detail::quantized_range<typename options::activation>(t.output);
    }

    template <class Backend>
    static void compute(const Params& p, const std::int8_t* in, std::int8_t* out, std::byte*,
                        const ops::ActivationParams&, Backend) noexcept {
      const ops::quantized::Conv2DParams op{1,
                                            H,
                                            W,
                                            C,
                                            window::out_h,
                                            window::out_w,
                                            Filters,
                                            KH,
                                            KW,
                                            options::stride_h,
                                            options::stride_w,
                                            options::dilation_h,
                                            options::dilation_w,
                                            window::padding,
                                            p.input_zero_point,
                                            0,
                                            {p.multipliers.data(), true, p.output_zero_point, p.range}};
      ops::quantized::conv2d(backend::scalar{}, op, in, p.weights.data(), p.bias.data(), out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// QDepthwiseConv2D<KH, KW, options...> (multiplier 1). Weights [KH][KW][C].

template <std::size_t KH, std::size_t KW, class... Options>
struct QDepthwiseConv2D {
  using options = detail::WindowOptions<Valid, Stride<1, 1>, Options...>;
  static_assert(options::all_known, "tinynn::nn::QDepthwiseConv2D: unknown option");

  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_qi8<In>, "tinynn::nn::QDepthwiseConv2D: the input dtype must be qi8");
    static_assert(sizeof(check::QConv2D_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    using window = detail::Window<options, KH, KW, H, W>;
    using input = In;
    using output = Spec<qi8, Shape<window::out_h, window::out_w, C>>;
    using activation = NoActivation;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;

    struct Trained {
      std::array<std::int8_t, KH * KW * C> weights;
      std::array<std::int32_t, C> bias;
      std::array<float, C> weight_scales;
      QuantParams input, output;
    };
    struct Params {
      std::array<std::int8_t, KH * KW * C> weights;
      std::array<std::int32_t, C> bias;
      std::array<ops::quantized::QuantizedMultiplier, C> multipliers;
      std::int32_t input_zero_point, output_zero_point;
      ops::quantized::QuantizedRange range;
    };
    static constexpr std::size_t param_count = KH * KW * C + C;
    static constexpr std::size_t macs = window::out_h * window::out_w * C * KH * KW;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    static constexpr void fold_into(const Trained& t, Params& p) {
      p.weights = t.weights;
      p.bias = t.bias;
      detail::channel_multipliers(t.weight_scales, t.input, t.output, p.multipliers);
      p.input_zero_point = t.input.zero_point;
      p.output_zero_point = t.output.zero_point;
      p.range = detail::quantized_range<typename options::activation>(t.output);
    }

    template <class Backend>
    static void compute(const Params& p, const std::int8_t* in, std::int8_t* out, std::byte*,
                        const ops::ActivationParams&, Backend) noexcept {
      const ops::quantized::DepthwiseConv2DParams op{1,
                                                     H,
                                                     W,
                                                     C,
                                                     window::out_h,
                                                     window::out_w,
                                                     1,
                                                     KH,
                                                     KW,
                                                     options::stride_h,
                                                     options::stride_w,
                                                     options::dilation_h,
                                                     options::dilation_w,
                                                     window::padding,
                                                     p.input_zero_point,
                                                     0,
                                                     {p.multipliers.data(), true, p.output_zero_point, p.range}};
      ops::quantized::depthwise_conv2d(backend::scalar{}, op, in, p.weights.data(), p.bias.data(), out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// QDense<Units, activation>: [K] -> [Units]. Weights [Units][K].

template <std::size_t Units, class Activation = NoActivation>
struct QDense {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_qi8<In>, "tinynn::nn::QDense: the input dtype must be qi8");
    static_assert(sizeof(check::QDense_input<S>) > 0);
    static constexpr std::size_t K = In::size;
    using input = In;
    using output = Spec<qi8, Shape<Units>>;
    using activation = NoActivation;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;

    struct Trained {
      std::array<std::int8_t, Units * K> weights;
      std::array<std::int32_t, Units> bias;
      std::array<float, Units> weight_scales;
      QuantParams input, output;
    };
    struct Params {
      std::array<std::int8_t, Units * K> weights;
      std::array<std::int32_t, Units> bias;
      std::array<ops::quantized::QuantizedMultiplier, Units> multipliers;
      std::int32_t input_zero_point, output_zero_point;
      ops::quantized::QuantizedRange range;
    };
    static constexpr std::size_t param_count = Units * K + Units;
    static constexpr std::size_t macs = Units * K;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    static constexpr void fold_into(const Trained& t, Params& p) {
      p.weights = t.weights;
      p.bias = t.bias;
      detail::channel_multipliers(t.weight_scales, t.input, t.output, p.multipliers);
      p.input_zero_point = t.input.zero_point;
      p.output_zero_point = t.output.zero_point;
      p.range = detail::quantized_range<Activation>(t.output);
    }

    template <class Backend>
    static void compute(const Params& p, const std::int8_t* in, std::int8_t* out, std::byte*,
                        const ops::ActivationParams&, Backend) noexcept {
      const ops::quantized::FullyConnectedParams op{
          1, K, Units, p.input_zero_point, 0, {p.multipliers.data(), true, p.output_zero_point, p.range}};
      ops::quantized::fully_connected(backend::scalar{}, op, in, p.weights.data(), p.bias.data(), out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// QMaxPool2D / QAvgPool2D<KH, KW, options...> (stride defaults to the kernel; input and output share
// quantization, as in TFLite), QGlobalAvgPool ([H, W, C] -> [C]).

namespace detail {
template <bool Max, std::size_t KH, std::size_t KW, class... Options>
struct QPool2D {
  using options = WindowOptions<Valid, Stride<KH, KW>, Options...>;
  static_assert(options::all_known, "tinynn::nn::QMaxPool2D/QAvgPool2D: unknown option");
  static_assert(std::is_same_v<typename options::activation, NoActivation>,
                "tinynn::nn::QMaxPool2D/QAvgPool2D: int8 pooling fuses no activation");

  template <class In>
  struct bind
      : SingleStep<bind<In>>,
        QuantizedNoParams<
            In, Spec<qi8,
                     Shape<Window<options, KH, KW, dim_or<typename In::shape, 0>, dim_or<typename In::shape, 1>>::out_h,
                           Window<options, KH, KW, dim_or<typename In::shape, 0>, dim_or<typename In::shape, 1>>::out_w,
                           dim_or<typename In::shape, 2>>>> {
    using S = typename In::shape;
    static_assert(is_qi8<In>, "tinynn::nn::QMaxPool2D/QAvgPool2D: the input dtype must be qi8");
    static_assert(sizeof(check::QConv2D_input<S>) > 0);
    static constexpr std::size_t H = dim_or<S, 0>, W = dim_or<S, 1>, C = dim_or<S, 2>;
    using window = Window<options, KH, KW, H, W>;
    static constexpr bool in_place = false;

    template <class Backend>
    static void compute(const NoParams&, const std::int8_t* in, std::int8_t* out, std::byte*,
                        const ops::ActivationParams&, Backend) noexcept {
      const ops::quantized::Pool2DParams p{
          1, H, W, C, window::out_h, window::out_w, KH, KW, options::stride_h, options::stride_w, window::padding, {}};
      if constexpr (Max) {
        ops::quantized::max_pool2d(backend::scalar{}, p, in, out);
      } else {
        ops::quantized::average_pool2d(backend::scalar{}, p, in, out);
      }
    }
  };
};
}  // namespace detail

template <std::size_t KH, std::size_t KW = KH, class... Options>
struct QMaxPool2D : detail::QPool2D<true, KH, KW, Options...> {};
template <std::size_t KH, std::size_t KW = KH, class... Options>
struct QAvgPool2D : detail::QPool2D<false, KH, KW, Options...> {};

struct QGlobalAvgPool {
  template <class In>
  struct bind : SingleStep<bind<In>>,
                detail::QuantizedNoParams<In, Spec<qi8, Shape<detail::dim_or<typename In::shape, 2>>>> {
    using S = typename In::shape;
    static_assert(detail::is_qi8<In>, "tinynn::nn::QGlobalAvgPool: the input dtype must be qi8");
    static_assert(sizeof(check::QConv2D_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    static constexpr bool in_place = false;

    template <class Backend>
    static void compute(const NoParams&, const std::int8_t* in, std::int8_t* out, std::byte*,
                        const ops::ActivationParams&, Backend) noexcept {
      const ops::quantized::Pool2DParams p{1, H, W, C, 1, 1, H, W, 1, 1, {}, {}};
      ops::quantized::average_pool2d(backend::scalar{}, p, in, out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// QSoftmax: over the last axis; output quantization fixed by TFLite at scale 1/256, zero point -128.

struct QSoftmax {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    static_assert(detail::is_qi8<In>, "tinynn::nn::QSoftmax: the input dtype must be qi8");
    static constexpr std::size_t C = detail::last_dim<typename In::shape>, rows = In::size / C;
    using input = In;
    using output = In;
    using activation = NoActivation;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;
    struct Trained {
      QuantParams input;
      float beta = 1.0f;
    };
    using Params = ops::quantized::SoftmaxParams;
    static constexpr std::size_t param_count = 0;
    static constexpr std::size_t macs = 0;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;
    static constexpr void fold_into(const Trained& t, Params& p) {
      p = ops::quantized::softmax_params(rows, C, t.beta, t.input.scale);
    }
    template <class Backend>
    static void compute(const Params& p, const std::int8_t* in, std::int8_t* out, std::byte*,
                        const ops::ActivationParams&, Backend) noexcept {
      ops::quantized::softmax(backend::scalar{}, p, in, out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// QConvPool<QConv2D<...>, QMaxPool2D<...>>: the convolution and the max pool after it as one step
// that never holds the whole convolution output: conv rows are computed into a window of
// pool-kernel-height rows (scratch), pooled, and the window slides. Same integers as the two
// layers run one after the other; the activation RAM drops from conv output + pool output to pool
// output + a few conv rows (how the CIFAR-10 int8 network stays far below CMSIS-NN's 40 KB).

template <class Conv, class Pool>
struct QConvPool {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    using conv = typename Conv::template bind<In>;
    using pool = typename Pool::template bind<typename conv::output>;
    static_assert(Pool::template bind<typename conv::output>::window::pad_h.before == 0,
                  "tinynn::nn::QConvPool: the pool must not pad the top (Valid or CeilMode pools)");
    using input = In;
    using output = typename pool::output;
    using activation = NoActivation;
    using Params = typename conv::Params;
    using Trained = typename conv::Trained;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;
    static constexpr std::size_t param_count = conv::param_count;
    static constexpr std::size_t macs = conv::macs;
    static constexpr std::size_t conv_row = conv::window::out_w * conv::output::shape::dims[2];
    static constexpr std::size_t pool_rows = pool::window::dilated_kernel::dims[0];
    template <class Backend>
    static constexpr std::size_t scratch_bytes = pool_rows* conv_row;
    static constexpr void fold_into(const Trained& t, Params& p) { conv::fold_into(t, p); }

    template <class Backend>
    static void compute(const Params& p, const std::int8_t* in, std::int8_t* out, std::byte* scratch,
                        const ops::ActivationParams&, Backend) noexcept {
      namespace q = ops::quantized;
      auto* rows = reinterpret_cast<std::int8_t*>(scratch);
      constexpr std::size_t H = conv::window::out_h, F = conv::output::shape::dims[2];
      constexpr std::size_t stride = Pool::options::stride_h;
      q::Conv2DParams one_row{1,
                              conv::H,
                              conv::W,
                              conv::C,
                              1,
                              conv::window::out_w,
                              F,
                              static_cast<std::int32_t>(conv::kernel_h),
                              static_cast<std::int32_t>(conv::kernel_w),
                              Conv::options::stride_h,
                              Conv::options::stride_w,
                              Conv::options::dilation_h,
                              Conv::options::dilation_w,
                              conv::window::padding,
                              p.input_zero_point,
                              0,
                              {p.multipliers.data(), true, p.output_zero_point, p.range}};
      std::size_t base = 0, count = 0;  // the window holds conv rows [base, base + count)
      for (std::size_t r = 0; r < pool::window::out_h; ++r) {
        const std::size_t first = r * stride;
        const std::size_t last = first + pool_rows < H ? first + pool_rows : H;
        if (first > base) {  // slide: keep the rows still needed
          const std::size_t drop = first - base < count ? first - base : count;
          std::memmove(rows, rows + drop * conv_row, (count - drop) * conv_row);
          count -= drop;
          base = first;
        }
        for (std::size_t y = base + count; y < last; ++y, ++count) {
          one_row.padding.top = conv::window::padding.top - static_cast<std::int32_t>(y * Conv::options::stride_h);
          q::conv2d(backend::scalar{}, one_row, in, p.weights.data(), p.bias.data(), rows + count * conv_row);
        }
        const q::Pool2DParams pooled{1,
                                     static_cast<std::int32_t>(last - first),
                                     conv::window::out_w,
                                     F,
                                     1,
                                     pool::window::out_w,
                                     pool::window::dilated_kernel::dims[0],
                                     pool::window::dilated_kernel::dims[1],
                                     1,
                                     Pool::options::stride_w,
                                     {0, pool::window::padding.left, 0, pool::window::padding.right},
                                     {}};
        q::max_pool2d(backend::scalar{}, pooled, rows, out + r * pool::window::out_w * F);
      }
    }
  };
};

/// The output quantization of QSoftmax (TFLite's fixed choice).
inline constexpr QuantParams softmax_output_quant{1.0f / 256.0f, -128};

namespace zoo {

/// The CMSIS-NN CIFAR-10 example CNN in int8 (zoo::Cifar10Cnn's architecture).
using Cifar10CnnInt8 =
    Sequential<Input<qi8, 32, 32, 3>, QConv2D<32, 5, 5, Same, ReLU>, QMaxPool2D<3, 3, Stride<2>, CeilMode>,
               QConv2D<32, 5, 5, Same, ReLU>, QMaxPool2D<3, 3, Stride<2>, CeilMode>, QConv2D<64, 5, 5, Same, ReLU>,
               QMaxPool2D<3, 3, Stride<2>, CeilMode>, Flatten, QDense<10>>;

/// The same network with each conv + pool fused into one step (QConvPool): same integers, less RAM.
using Cifar10CnnInt8Fused =
    Sequential<Input<qi8, 32, 32, 3>, QConvPool<QConv2D<32, 5, 5, Same, ReLU>, QMaxPool2D<3, 3, Stride<2>, CeilMode>>,
               QConvPool<QConv2D<32, 5, 5, Same, ReLU>, QMaxPool2D<3, 3, Stride<2>, CeilMode>>,
               QConvPool<QConv2D<64, 5, 5, Same, ReLU>, QMaxPool2D<3, 3, Stride<2>, CeilMode>>, Flatten, QDense<10>>;

/// One int8 DS-CNN stage (BatchNorm folded into the weights): depthwise 3x3 + ReLU, pointwise 1x1 + ReLU.
template <std::size_t C>
using DsCnnStageInt8 = Sequential<QDepthwiseConv2D<3, 3, Same, ReLU>, QConv2D<C, 1, 1, ReLU>>;

/// The "Hello Edge" DS-CNN keyword spotter in int8 (zoo::DsCnnKws's architecture).
using DsCnnKwsInt8 =
    Sequential<Input<qi8, 49, 10, 1>, QConv2D<64, 10, 4, Padding<5, 1>, Stride<2>, ReLU>, DsCnnStageInt8<64>,
               DsCnnStageInt8<64>, DsCnnStageInt8<64>, DsCnnStageInt8<64>, QGlobalAvgPool, QDense<12>>;

}  // namespace zoo

}  // namespace tinynn::nn
