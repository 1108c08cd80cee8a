// tinynn — static-network layers (float32). Each is a type; bind<Spec<f32, Shape<...>>> gives its
// output shape, Params (what run() reads: weights pre-packed for ops/, constexpr-able), Trained (what
// a trainer exports: plain OHWI / [out][in] weights and bias, BatchNorm statistics), fold() from one
// to the other (constexpr: packing and BatchNorm folding happen at compile time), parameter and MAC
// counts, and a run() that calls ops/. Activations are NHWC; shapes carry no batch axis.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "tinynn/backends/tags.hpp"
#include "tinynn/dtype.hpp"
#include "tinynn/nn/layer.hpp"
#include "tinynn/ops/activation.hpp"
#include "tinynn/ops/batch_norm.hpp"
#include "tinynn/ops/conv2d.hpp"
#include "tinynn/ops/depthwise_conv2d.hpp"
#include "tinynn/ops/detail/pool_fixed.hpp"
#include "tinynn/ops/fully_connected.hpp"
#include "tinynn/ops/pad.hpp"
#include "tinynn/ops/pool.hpp"
#include "tinynn/ops/softmax.hpp"
#include "tinynn/shape.hpp"

namespace tinynn::nn {

namespace detail {

template <class In>
inline constexpr bool is_f32 = std::is_same_v<typename In::dtype, f32>;

// Shape checks. Each is a class template named after the layer and parametrised by the shapes
// involved, holding the static_assert: the compiler's "In instantiation of ..." line then names the
// layer and the shapes, and the message says what is wrong, e.g.
//   In instantiation of 'struct tinynn::nn::check::Conv2D_input<tinynn::Shape<784> >':
//   error: static assertion failed: tinynn::nn::Conv2D: the input must have shape [H, W, C]
}  // namespace detail
namespace check {
template <class Input>
struct Conv2D_input {
  static_assert(Input::rank == 3, "tinynn::nn::Conv2D: the input must have shape [H, W, C]");
};
template <class Kernel, class PaddedInput>
struct Conv2D_kernel_vs_padded_input {
  static_assert(Kernel::dims[0] <= PaddedInput::dims[0] && Kernel::dims[1] <= PaddedInput::dims[1],
                "tinynn::nn::Conv2D: the kernel (dilated) is larger than the padded input");
};
template <class Input>
struct DepthwiseConv2D_input {
  static_assert(Input::rank == 3, "tinynn::nn::DepthwiseConv2D: the input must have shape [H, W, C]");
};
template <class Kernel, class PaddedInput>
struct DepthwiseConv2D_kernel_vs_padded_input {
  static_assert(Kernel::dims[0] <= PaddedInput::dims[0] && Kernel::dims[1] <= PaddedInput::dims[1],
                "tinynn::nn::DepthwiseConv2D: the kernel (dilated) is larger than the padded input");
};
template <class Input>
struct Pool2D_input {
  static_assert(Input::rank == 3, "tinynn::nn::MaxPool2D/AvgPool2D: the input must have shape [H, W, C]");
};
template <class Window, class PaddedInput>
struct Pool2D_window_vs_padded_input {
  static_assert(Window::dims[0] <= PaddedInput::dims[0] && Window::dims[1] <= PaddedInput::dims[1],
                "tinynn::nn::MaxPool2D/AvgPool2D: the window is larger than the padded input");
};
template <class Input>
struct GlobalAvgPool_input {
  static_assert(Input::rank == 3, "tinynn::nn::GlobalAvgPool: the input must have shape [H, W, C]");
};
template <class Input>
struct Pad_input {
  static_assert(Input::rank == 3, "tinynn::nn::Pad: the input must have shape [H, W, C]");
};
template <class Input>
struct Dense_input {
  static_assert(Input::rank == 1 || Input::rank == 2,
                "tinynn::nn::Dense: the input must have shape [K] or [T, K] (add nn::Flatten before Dense)");
};
template <class Input, class Target>
struct Reshape_input_vs_target {
  static_assert(Input::size == Target::size, "tinynn::nn::Reshape: the target shape has a different element count");
};
}  // namespace check
namespace detail {

/// The unary op (ops/activation.hpp) of a fused-activation description.
constexpr ops::UnaryParams unary_of(const ops::ActivationParams& a) noexcept {
  switch (a.kind) {
    case ops::Activation::none: return ops::UnaryParams::of(ops::UnaryOp::identity);
    case ops::Activation::relu: return ops::UnaryParams::of(ops::UnaryOp::relu);
    case ops::Activation::relu6: return ops::UnaryParams::of(ops::UnaryOp::relu6);
    case ops::Activation::clip: return ops::UnaryParams::clip(a.min, a.max);
    case ops::Activation::leaky_relu: return ops::UnaryParams::leaky_relu(a.alpha);
    case ops::Activation::sigmoid: return ops::UnaryParams::of(ops::UnaryOp::sigmoid);
    case ops::Activation::tanh: return ops::UnaryParams::of(ops::UnaryOp::tanh);
    case ops::Activation::hard_swish: return ops::UnaryParams::of(ops::UnaryOp::hard_swish);
  }
  return ops::UnaryParams::of(ops::UnaryOp::identity);
}

}  // namespace detail

namespace detail {
template <class T>
struct is_input : std::false_type {};
}  // namespace detail

/// The network's input: dtype and shape ([H, W, C] for images, [N] or [T, F] for vectors/sequences).
template <DTypeTag T, std::size_t... Dims>
struct Input {
  static_assert(sizeof...(Dims) >= 1, "tinynn::nn::Input: give at least one dimension");
  using spec = Spec<T, Shape<Dims...>>;
  template <class In>
  struct bind : AliasStep<bind<In>> {
    static_assert(std::is_same_v<In, spec>, "tinynn::nn::Input: Input must be the first layer of a network");
    using input = In;
    using output = In;
  };
};

namespace detail {
template <DTypeTag T, std::size_t... Dims>
struct is_input<Input<T, Dims...>> : std::true_type {};
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Conv2D<Filters, KH, KW, options...>: options are a padding (Valid default, Same, Padding<t,l,b,r>),
// Stride<h, w>, Dilation<h, w>, a fused activation. Weights OHWI [Filters][KH][KW][C], bias [Filters].

template <std::size_t Filters, std::size_t KH, std::size_t KW, class... Options>
struct Conv2D {
  using options = detail::WindowOptions<Valid, Stride<1, 1>, Options...>;
  static_assert(options::all_known,
                "tinynn::nn::Conv2D: unknown option (expected Same, Valid, Padding<>, Stride<>, Dilation<>, or an "
                "activation)");
  static_assert(Filters > 0 && KH > 0 && KW > 0, "tinynn::nn::Conv2D: filters and kernel sizes must be positive");

  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_f32<In>, "tinynn::nn::Conv2D: the input dtype must be f32 (int8: nn/quantized.hpp)");
    static_assert(sizeof(check::Conv2D_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    using window = detail::Window<options, KH, KW, H, W>;
    static_assert(
        sizeof(check::Conv2D_kernel_vs_padded_input<typename window::dilated_kernel, typename window::padded>) > 0);
    using input = In;
    using output = Spec<f32, Shape<window::out_h, window::out_w, Filters>>;
    using activation = typename options::activation;
    static constexpr std::size_t out_channels = Filters;
    static constexpr bool foldable = std::is_same_v<activation, NoActivation>;
    static constexpr bool in_place = false;

    static constexpr ops::conv2d::Params op = [] {
      ops::conv2d::Params p;
      p.in_h = H;
      p.in_w = W;
      p.in_c = C;
      p.out_c = Filters;
      p.kernel_h = KH;
      p.kernel_w = KW;
      p.stride_h = options::stride_h;
      p.stride_w = options::stride_w;
      p.dilation_h = options::dilation_h;
      p.dilation_w = options::dilation_w;
      p.padding = window::padding;
      return p;
    }();
    static constexpr ops::conv2d::Params op_params(const ops::ActivationParams& act) noexcept {
      ops::conv2d::Params p = op;
      p.activation = act;
      return p;
    }

    struct Trained {
      std::array<float, Filters * KH * KW * C> weights;  // OHWI
      std::array<float, Filters> bias;
    };
    struct Params {
      std::array<float, ops::conv2d::packed_weights_size(op)> packed;
    };
    static constexpr std::size_t param_count = Filters * KH * KW * C + Filters;
    static constexpr std::size_t macs = window::out_h * window::out_w * Filters * KH * KW * C;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = ops::conv2d::scratch_size<Backend>(op) * sizeof(float);

    static constexpr void fold_into(const Trained& t, Params& p) {
      ops::conv2d::pack_weights(op, t.weights.data(), t.bias.data(), p.packed.data());
    }
    /// Scales output channel f by scale[f] and adds shift[f] (a BatchNorm folded in), then packs.
    static constexpr void fold_into(const Trained& t, const float* scale, const float* shift, Params& p) {
      Trained scaled = t;
      for (std::size_t f = 0; f < Filters; ++f) {
        for (std::size_t k = 0; k < KH * KW * C; ++k) scaled.weights[f * KH * KW * C + k] *= scale[f];
        scaled.bias[f] = t.bias[f] * scale[f] + shift[f];
      }
      fold_into(scaled, p);
    }

    template <class Backend>
    static void compute(const Params& p, const float* in, float* out, std::byte* scratch,
                        const ops::ActivationParams& act, Backend) noexcept {
      ops::conv2d::run<Backend>(op_params(act), in, p.packed.data(), out, reinterpret_cast<float*>(scratch));
    }
  };
};

// ---------------------------------------------------------------------------------------------
// DepthwiseConv2D<KH, KW, options...>: channel multiplier 1 (DepthwiseConv2D<KH, KW, Multiplier<M>>
// for more). Weights [KH][KW][C*M], bias [C*M].

template <std::size_t M>
struct Multiplier {};

namespace detail {
template <class T>
struct is_multiplier : std::false_type {};
template <std::size_t M>
struct is_multiplier<Multiplier<M>> : std::true_type {};
template <class T>
struct multiplier_value : std::integral_constant<std::size_t, 1> {};
template <std::size_t M>
struct multiplier_value<Multiplier<M>> : std::integral_constant<std::size_t, M> {};
template <class T>
struct not_multiplier : std::bool_constant<!is_multiplier<T>::value> {};
}  // namespace detail

template <std::size_t KH, std::size_t KW, class... Options>
struct DepthwiseConv2D {
  static constexpr std::size_t multiplier = detail::multiplier_value<
      typename detail::find_option<detail::is_multiplier, Multiplier<1>, Options...>::type>::value;
  using options =
      detail::WindowOptions<Valid, Stride<1, 1>,
                            std::conditional_t<detail::is_multiplier<Options>::value, NoActivation, Options>...>;
  static_assert(options::all_known,
                "tinynn::nn::DepthwiseConv2D: unknown option (expected Same, Valid, Padding<>, Stride<>, Dilation<>, "
                "Multiplier<>, or an activation)");

  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_f32<In>, "tinynn::nn::DepthwiseConv2D: the input dtype must be f32");
    static_assert(sizeof(check::DepthwiseConv2D_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    static constexpr std::size_t CM = C * multiplier;
    using window = detail::Window<options, KH, KW, H, W>;
    static_assert(sizeof(check::DepthwiseConv2D_kernel_vs_padded_input<typename window::dilated_kernel,
                                                                       typename window::padded>) > 0);
    using input = In;
    using output = Spec<f32, Shape<window::out_h, window::out_w, CM>>;
    using activation = typename options::activation;
    static constexpr std::size_t out_channels = CM;
    static constexpr bool foldable = std::is_same_v<activation, NoActivation>;
    static constexpr bool in_place = false;  // ops/depthwise_conv2d.hpp: output must not alias input

    static constexpr ops::depthwise_conv2d::Params op = [] {
      ops::depthwise_conv2d::Params p;
      p.in_h = H;
      p.in_w = W;
      p.channels = C;
      p.multiplier = multiplier;
      p.kernel_h = KH;
      p.kernel_w = KW;
      p.stride_h = options::stride_h;
      p.stride_w = options::stride_w;
      p.dilation_h = options::dilation_h;
      p.dilation_w = options::dilation_w;
      p.padding = window::padding;
      return p;
    }();
    static constexpr ops::depthwise_conv2d::Params op_params(const ops::ActivationParams& act) noexcept {
      ops::depthwise_conv2d::Params p = op;
      p.activation = act;
      return p;
    }

    struct Trained {
      std::array<float, KH * KW * CM> weights;  // [KH][KW][C*M]
      std::array<float, CM> bias;
    };
    struct Params {
      std::array<float, ops::depthwise_conv2d::packed_weights_size(op)> packed;
    };
    static constexpr std::size_t param_count = KH * KW * CM + CM;
    static constexpr std::size_t macs = window::out_h * window::out_w * CM * KH * KW;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    static constexpr void fold_into(const Trained& t, Params& p) {
      ops::depthwise_conv2d::pack_weights(op, t.weights.data(), t.bias.data(), p.packed.data());
    }
    static constexpr void fold_into(const Trained& t, const float* scale, const float* shift, Params& p) {
      Trained scaled = t;
      for (std::size_t k = 0; k < KH * KW; ++k) {
        for (std::size_t c = 0; c < CM; ++c) scaled.weights[k * CM + c] *= scale[c];
      }
      for (std::size_t c = 0; c < CM; ++c) scaled.bias[c] = t.bias[c] * scale[c] + shift[c];
      fold_into(scaled, p);
    }

    template <class Backend>
    static void compute(const Params& p, const float* in, float* out, std::byte*, const ops::ActivationParams& act,
                        Backend) noexcept {
      ops::depthwise_conv2d::run<Backend>(op_params(act), in, p.packed.data(), out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// Dense<Units, activation>: over the last axis ([K] -> [Units], [T, K] -> [T, Units]).
// Weights [Units][K] (PyTorch Linear / TFLite FULLY_CONNECTED), bias [Units].

template <std::size_t Units, class... Options>
struct Dense {
  using activation_option = typename detail::find_option<detail::is_activation_tag, NoActivation, Options...>::type;
  static_assert((detail::is_activation_tag<Options>::value && ...),
                "tinynn::nn::Dense: unknown option (expected an activation)");

  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_f32<In>, "tinynn::nn::Dense: the input dtype must be f32");
    static_assert(sizeof(check::Dense_input<S>) > 0);
    static constexpr std::size_t K = detail::last_dim<S>;
    static constexpr std::size_t rows = S::size / K;
    using input = In;
    using output = std::conditional_t<S::rank == 2, Spec<f32, Shape<rows, Units>>, Spec<f32, Shape<Units>>>;
    using activation = activation_option;
    static constexpr std::size_t out_channels = Units;
    static constexpr bool foldable = std::is_same_v<activation, NoActivation>;
    static constexpr bool in_place = false;

    // 1-4 rows run as a 1x1 convolution over a 1x1xK image: ops/conv2d's direct path (unpadded [K][Units]
    // weights, channel vectors); more rows as a GEMM over 16-column panels.
    static constexpr bool as_conv = rows <= 4;
    static constexpr ops::fully_connected::Params op = [] {
      ops::fully_connected::Params p;
      p.batch = rows;
      p.in_features = K;
      p.out_features = Units;
      return p;
    }();
    static constexpr ops::conv2d::Params conv_op = [] {
      ops::conv2d::Params p;
      p.batch = rows;
      p.in_h = 1;
      p.in_w = 1;
      p.in_c = K;
      p.out_c = Units;
      return p;
    }();
    static_assert(!as_conv || ops::conv2d::uses_direct(conv_op));
    static constexpr ops::fully_connected::Params op_params(const ops::ActivationParams& act) noexcept {
      ops::fully_connected::Params p = op;
      p.activation = act;
      return p;
    }
    static constexpr ops::conv2d::Params conv_params(const ops::ActivationParams& act) noexcept {
      ops::conv2d::Params p = conv_op;
      p.activation = act;
      return p;
    }

    struct Trained {
      std::array<float, Units * K> weights;  // [Units][K]
      std::array<float, Units> bias;
    };
    struct Params {
      std::array<float,
                 as_conv ? ops::conv2d::packed_weights_size(conv_op) : ops::fully_connected::packed_weights_size(op)>
          packed;
    };
    static constexpr std::size_t param_count = Units * K + Units;
    static constexpr std::size_t macs = rows * Units * K;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = (as_conv ? ops::conv2d::scratch_size<Backend>(conv_op)
                                                          : ops::fully_connected::scratch_size<Backend>(op)) *
                                                 sizeof(float);

    static constexpr void fold_into(const Trained& t, Params& p) {
      if constexpr (as_conv) {
        ops::conv2d::pack_weights(conv_op, t.weights.data(), t.bias.data(), p.packed.data());
      } else {
        ops::fully_connected::pack_weights(op, t.weights.data(), t.bias.data(), p.packed.data());
      }
    }
    static constexpr void fold_into(const Trained& t, const float* scale, const float* shift, Params& p) {
      Trained scaled = t;
      for (std::size_t u = 0; u < Units; ++u) {
        for (std::size_t k = 0; k < K; ++k) scaled.weights[u * K + k] *= scale[u];
        scaled.bias[u] = t.bias[u] * scale[u] + shift[u];
      }
      fold_into(scaled, p);
    }

    template <class Backend>
    static void compute(const Params& p, const float* in, float* out, std::byte* scratch,
                        const ops::ActivationParams& act, Backend) noexcept {
      if constexpr (as_conv) {
        ops::conv2d::run<Backend>(conv_params(act), in, p.packed.data(), out, reinterpret_cast<float*>(scratch));
      } else {
        ops::fully_connected::run<Backend>(op_params(act), in, p.packed.data(), out, reinterpret_cast<float*>(scratch));
      }
    }
  };
};

// ---------------------------------------------------------------------------------------------
// Pooling. MaxPool2D<KH, KW, options...> / AvgPool2D<...>: stride defaults to the kernel size,
// padding to Valid; AvgPool divides by the number of input positions in the window (padding excluded).

namespace detail {

template <ops::PoolKind Kind, std::size_t KH, std::size_t KW, class... Options>
struct Pool2D {
  using options = WindowOptions<Valid, Stride<KH, KW>, Options...>;
  static_assert(options::all_known,
                "tinynn::nn::MaxPool2D/AvgPool2D: unknown option (expected Same, Valid, Padding<>, Stride<>, CeilMode, "
                "or an activation)");

  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(is_f32<In>, "tinynn::nn::MaxPool2D/AvgPool2D: the input dtype must be f32");
    static_assert(sizeof(check::Pool2D_input<S>) > 0);
    static constexpr std::size_t H = dim_or<S, 0>, W = dim_or<S, 1>, C = dim_or<S, 2>;
    using window = Window<options, KH, KW, H, W>;
    static_assert(
        sizeof(check::Pool2D_window_vs_padded_input<typename window::dilated_kernel, typename window::padded>) > 0);
    using input = In;
    using output = Spec<f32, Shape<window::out_h, window::out_w, C>>;
    using activation = typename options::activation;
    using Params = NoParams;
    using Trained = NoParams;
    static constexpr void fold_into(const Trained&, Params&) noexcept {}
    static constexpr std::size_t param_count = 0;
    static constexpr std::size_t macs = 0;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    static ops::pool2d::Params op_params(const ops::ActivationParams& act) noexcept {
      ops::pool2d::Params p;
      p.kind = Kind;
      p.kernel_h = KH;
      p.kernel_w = KW;
      p.stride_h = options::stride_h;
      p.stride_w = options::stride_w;
      p.padding = window::padding;
      p.ceil_mode = options::ceil_mode;
      p.activation = act;
      p.input = DynShape{1, static_cast<std::int64_t>(H), static_cast<std::int64_t>(W), static_cast<std::int64_t>(C)};
      p.output = DynShape{1, static_cast<std::int64_t>(window::out_h), static_cast<std::int64_t>(window::out_w),
                          static_cast<std::int64_t>(C)};
      return p;
    }
    template <class Backend>
    static void compute(const Params&, const float* in, float* out, std::byte*, const ops::ActivationParams& act,
                        Backend) noexcept {
      // Measured (SimpLeNet, CIFAR-10 pools): below 64 channels ops/pool's per-window row calls cost more
      // than the pooling; max pools with no top/left padding use the compile-time-shaped loop, others
      // ops/pool's scalar loop (same results: max exact, sums in the same order).
      if constexpr (Kind == ops::PoolKind::max && C < 64 && window::padding.top == 0 && window::padding.left == 0 &&
                    KH <= 8 && KW <= 8) {
        ops::detail::max_pool_fixed<KH, KW, options::stride_h, options::stride_w, C>(1, H, W, window::out_h,
                                                                                     window::out_w, in, out, act);
      } else if constexpr (C < 64) {
        ops::pool2d::run<backend::scalar>(op_params(act), in, out);
      } else {
        ops::pool2d::run<Backend>(op_params(act), in, out);
      }
    }
  };
};

}  // namespace detail

template <std::size_t KH, std::size_t KW = KH, class... Options>
struct MaxPool2D : detail::Pool2D<ops::PoolKind::max, KH, KW, Options...> {};
template <std::size_t KH, std::size_t KW = KH, class... Options>
struct AvgPool2D : detail::Pool2D<ops::PoolKind::average, KH, KW, Options...> {};

/// [H, W, C] -> [C]: the mean over all positions.
struct GlobalAvgPool {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_f32<In>, "tinynn::nn::GlobalAvgPool: the input dtype must be f32");
    static_assert(sizeof(check::GlobalAvgPool_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    using input = In;
    using output = Spec<f32, Shape<C>>;
    using activation = NoActivation;
    using Params = NoParams;
    using Trained = NoParams;
    static constexpr void fold_into(const Trained&, Params&) noexcept {}
    static constexpr std::size_t param_count = 0;
    static constexpr std::size_t macs = 0;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    template <class Backend>
    static void compute(const Params&, const float* in, float* out, std::byte*, const ops::ActivationParams&,
                        Backend) noexcept {
      ops::pool2d::Params p;
      p.kind = ops::PoolKind::average;
      p.global = true;
      p.kernel_h = H;
      p.kernel_w = W;
      p.input = DynShape{1, static_cast<std::int64_t>(H), static_cast<std::int64_t>(W), static_cast<std::int64_t>(C)};
      p.output = DynShape{1, 1, 1, static_cast<std::int64_t>(C)};
      ops::pool2d::run<Backend>(p, in, out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// Activations as standalone layers (in place). The same tags are the fused options of conv/dense.

namespace detail {
template <class Tag>
struct StandaloneActivation {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    static_assert(is_f32<In>, "tinynn::nn: activation layers take f32 inputs");
    using input = In;
    using output = In;
    using activation = NoActivation;
    using Params = NoParams;
    using Trained = NoParams;
    static constexpr void fold_into(const Trained&, Params&) noexcept {}
    static constexpr std::size_t param_count = 0;
    static constexpr std::size_t macs = 0;
    static constexpr bool foldable = false;
    static constexpr bool in_place = true;
    static constexpr bool is_activation = true;
    using tag = Tag;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    template <class Backend>
    static void compute(const Params&, const float* in, float* out, std::byte*, const ops::ActivationParams&,
                        Backend) noexcept {
      ops::unary::run<Backend>(detail::unary_of(Tag::params), in, out, In::size);
    }
  };
};
}  // namespace detail

struct ReLU : detail::StandaloneActivation<ReLU> {
  static constexpr ops::ActivationParams params = ops::ActivationParams::relu();
};
struct ReLU6 : detail::StandaloneActivation<ReLU6> {
  static constexpr ops::ActivationParams params = ops::ActivationParams::relu6();
};
/// Clamp to [Lo, Hi] (integer bounds cover the clips networks use).
template <int Lo, int Hi>
struct Clip : detail::StandaloneActivation<Clip<Lo, Hi>> {
  static constexpr ops::ActivationParams params =
      ops::ActivationParams::clip(static_cast<float>(Lo), static_cast<float>(Hi));
};
/// Leaky ReLU with slope PerMille / 1000 (LeakyReLU<100>: alpha 0.1).
template <int PerMille = 10>
struct LeakyReLU : detail::StandaloneActivation<LeakyReLU<PerMille>> {
  static constexpr ops::ActivationParams params =
      ops::ActivationParams::leaky_relu(static_cast<float>(PerMille) / 1000.0f);
};
struct Sigmoid : detail::StandaloneActivation<Sigmoid> {
  static constexpr ops::ActivationParams params = {ops::Activation::sigmoid};
};
struct Tanh : detail::StandaloneActivation<Tanh> {
  static constexpr ops::ActivationParams params = {ops::Activation::tanh};
};
struct HardSwish : detail::StandaloneActivation<HardSwish> {
  static constexpr ops::ActivationParams params = {ops::Activation::hard_swish};
};

// ---------------------------------------------------------------------------------------------
// BatchNorm<EpsilonNano>: y = gamma * (x - mean) / sqrt(variance + epsilon) + beta over the last
// axis; epsilon = EpsilonNano * 1e-9 (default 1e-5, PyTorch's; Keras uses 1e-3 = BatchNorm<1000000>).
// Right after a Conv2D / DepthwiseConv2D / Dense without a fused activation, a Sequential folds it
// into that layer's weights in fold() (at compile time for constexpr parameters): it costs nothing
// at run time. Elsewhere it runs as a per-channel affine map, in place.

template <std::uint32_t EpsilonNano = 10000>
struct BatchNorm {
  static constexpr float epsilon = static_cast<float>(EpsilonNano) * 1e-9f;
  template <class In>
  struct bind : SingleStep<bind<In>> {
    static_assert(detail::is_f32<In>, "tinynn::nn::BatchNorm: the input dtype must be f32");
    static constexpr std::size_t C = detail::last_dim<typename In::shape>;
    using input = In;
    using output = In;
    using activation = NoActivation;
    struct Trained {
      std::array<float, C> gamma, beta, mean, variance;
    };
    struct Params {
      std::array<float, C> scale, shift;
    };
    static constexpr std::size_t param_count = 2 * C;
    static constexpr std::size_t macs = In::size;
    static constexpr bool foldable = false;
    static constexpr bool in_place = true;
    static constexpr bool is_batch_norm = true;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    /// scale = gamma / sqrt(variance + epsilon), shift = beta - mean * scale.
    static constexpr void fold_into(const Trained& t, Params& p) {
      for (std::size_t c = 0; c < C; ++c) {
        p.scale[c] = t.gamma[c] * detail::constexpr_rsqrt(t.variance[c] + epsilon);
        p.shift[c] = t.beta[c] - t.mean[c] * p.scale[c];
      }
    }

    template <class Backend>
    static void compute(const Params& p, const float* in, float* out, std::byte*, const ops::ActivationParams& act,
                        Backend) noexcept {
      ops::batch_norm::Params bn;
      bn.shape = DynShape{static_cast<std::int64_t>(In::size / C), static_cast<std::int64_t>(C)};
      bn.activation = act;
      ops::batch_norm::run<Backend>(bn, in, p.scale.data(), p.shift.data(), out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// Softmax over the last axis (in place).

struct Softmax {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    static_assert(detail::is_f32<In>, "tinynn::nn::Softmax: the input dtype must be f32");
    static constexpr std::size_t C = detail::last_dim<typename In::shape>, rows = In::size / C;
    using input = In;
    using output = In;
    using activation = NoActivation;
    using Params = NoParams;
    using Trained = NoParams;
    static constexpr void fold_into(const Trained&, Params&) noexcept {}
    static constexpr std::size_t param_count = 0;
    static constexpr std::size_t macs = 0;
    static constexpr bool foldable = false;
    static constexpr bool in_place = true;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    template <class Backend>
    static void compute(const Params&, const float* in, float* out, std::byte*, const ops::ActivationParams&,
                        Backend) noexcept {
      ops::softmax::Params p;
      p.axis = 1;
      p.shape = DynShape{static_cast<std::int64_t>(rows), static_cast<std::int64_t>(C)};
      p.outer = rows;
      p.n = C;
      p.inner = 1;
      ops::softmax::run<Backend>(p, in, out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// Pad<Top, Left, Bottom, Right>: zero padding of the spatial dimensions of [H, W, C].

template <std::size_t Top, std::size_t Left, std::size_t Bottom = Top, std::size_t Right = Left>
struct Pad {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_f32<In>, "tinynn::nn::Pad: the input dtype must be f32");
    static_assert(sizeof(check::Pad_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    using input = In;
    using output = Spec<f32, Shape<H + Top + Bottom, W + Left + Right, C>>;
    using activation = NoActivation;
    using Params = NoParams;
    using Trained = NoParams;
    static constexpr void fold_into(const Trained&, Params&) noexcept {}
    static constexpr std::size_t param_count = 0;
    static constexpr std::size_t macs = 0;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    template <class Backend>
    static void compute(const Params&, const float* in, float* out, std::byte*, const ops::ActivationParams&,
                        Backend) noexcept {
      ops::pad::Params p;
      p.mode = ops::PadMode::constant;
      p.input = DynShape{static_cast<std::int64_t>(H), static_cast<std::int64_t>(W), static_cast<std::int64_t>(C)};
      p.output = DynShape{static_cast<std::int64_t>(H + Top + Bottom), static_cast<std::int64_t>(W + Left + Right),
                          static_cast<std::int64_t>(C)};
      p.before[0] = Top;
      p.before[1] = Left;
      p.after[0] = Bottom;
      p.after[1] = Right;
      ops::pad::run(p, in, out, 0.0f);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// Flatten and Reshape rename the input's storage (no step, no memory).

struct Flatten {
  template <class In>
  struct bind : AliasStep<bind<In>> {
    using input = In;
    using output = Spec<typename In::dtype, Shape<In::size>>;
  };
};

template <std::size_t... Dims>
struct Reshape {
  template <class In>
  struct bind : AliasStep<bind<In>> {
    static_assert(sizeof(check::Reshape_input_vs_target<typename In::shape, Shape<Dims...>>) > 0);
    using input = In;
    using output = Spec<typename In::dtype, Shape<Dims...>>;
  };
};

}  // namespace tinynn::nn
