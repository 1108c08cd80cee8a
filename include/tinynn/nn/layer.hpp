// tinynn — what a static-network layer is. A layer is a type (Conv2D<16, 3, 3, Same, ReLU>);
// binding it to an input spec (dtype + compile-time shape) gives a "bound layer" with everything a
// network needs to know before it runs:
//
//   template <class In> struct Layer::bind {
//     using input = In;  using output = Spec<dtype, Shape<...>>;   // shape errors: static_assert
//     using Params = ...;   // what run() reads: weights packed for ops/ (an aggregate; constexpr-able,
//                           // so it can live in flash)
//     using Trained = ...;  // what a trainer exports: plain weights, BatchNorm statistics
//     static constexpr void fold_into(const Trained&, Params&);     // packing, folding: compile time
//     static constexpr std::size_t param_count, macs, step_count;
//     template <class Backend, std::size_t N>                       // appends its steps to the graph
//     static constexpr std::size_t describe(Graph<N>&, std::size_t input_buffer);  // -> output buffer
//     template <class Top, std::size_t Step, class Backend, ...>    // Top::plan<Backend> has the offsets
//     static output_element* run(const Params&, std::byte* arena, const input_element* in);
//   };
//
// Layers with one kernel call derive their describe()/run() from SingleStep (below); combinators
// (Sequential, Add, Residual, Concat) compose them. New dtypes (nn/quantized.hpp) add layers with
// the same protocol.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

#include "tinynn/dtype.hpp"
#include "tinynn/nn/plan.hpp"
#include "tinynn/ops/common.hpp"
#include "tinynn/shape.hpp"

namespace tinynn::nn {

/// The type of a tensor flowing between layers: a dtype tag and a compile-time shape (no batch axis).
template <DTypeTag T, StaticShape S>
struct Spec {
  using dtype = T;
  using shape = S;
  using element = typename T::value_type;
  static constexpr std::size_t rank = S::rank;
  static constexpr std::size_t size = S::size;
  static constexpr std::size_t bytes = S::size * sizeof(element);
};

/// A layer's parameters when it has none.
struct NoParams {
  friend constexpr bool operator==(const NoParams&, const NoParams&) = default;
};

template <class P>
inline constexpr bool has_params_v = !std::is_empty_v<P>;

namespace detail {

template <class T>
struct is_spec : std::false_type {};
template <DTypeTag T, StaticShape S>
struct is_spec<Spec<T, S>> : std::true_type {};

template <class T, template <std::size_t...> class Tmpl>
struct is_instance_of_sizes : std::false_type {};
template <template <std::size_t...> class Tmpl, std::size_t... V>
struct is_instance_of_sizes<Tmpl<V...>, Tmpl> : std::true_type {};

/// Dimension I of S, or Fallback when S has no dimension I (keeps errors to the one static_assert).
template <class S, std::size_t I, std::size_t Fallback = 1>
inline constexpr std::size_t dim_or = [] {
  if constexpr (I < S::rank) {
    return S::dims[I];
  } else {
    return Fallback;
  }
}();

template <class S>
inline constexpr std::size_t last_dim = S::rank == 0 ? 1 : S::dims[S::rank == 0 ? 0 : S::rank - 1];

/// 1/sqrt(x) for constexpr BatchNorm folding (std::sqrt is not constexpr in C++20): Newton iterations.
constexpr float constexpr_rsqrt(float x) noexcept {
  if (!(x > 0.0f)) return 0.0f;
  double guess = 1.0;
  double v = static_cast<double>(x);
  // Scale into [0.25, 4) so that a fixed number of iterations converges.
  double scale = 1.0;
  while (v > 4.0) {
    v /= 4.0;
    scale /= 2.0;
  }
  while (v < 0.25) {
    v *= 4.0;
    scale *= 2.0;
  }
  for (int i = 0; i < 40; ++i) guess = guess * (1.5 - 0.5 * v * guess * guess);
  return static_cast<float>(guess * scale);
}

}  // namespace detail

template <class T>
concept TensorSpec = detail::is_spec<T>::value;

/// A layer's compile-time facts for an input shape (dtype f32 unless given):
///   nn::output_shape<nn::Conv2D<8, 3, 3, nn::Same>, Shape<28, 28, 1>>  is  Shape<28, 28, 8>
template <class Layer, StaticShape In, DTypeTag T = f32>
using output_shape = typename Layer::template bind<Spec<T, In>>::output::shape;
template <class Layer, StaticShape In, DTypeTag T = f32>
inline constexpr std::size_t param_count = Layer::template bind<Spec<T, In>>::param_count;
template <class Layer, StaticShape In, DTypeTag T = f32>
inline constexpr std::size_t mac_count = Layer::template bind<Spec<T, In>>::macs;
/// The arena a layer (or block) needs on its own for backend B: its output plus its steps' scratch,
/// planned like a network whose input lives outside the arena.
template <class Layer, StaticShape In, class Backend, DTypeTag T = f32>
inline constexpr std::size_t arena_need = [] {
  using bound = typename Layer::template bind<Spec<T, In>>;
  Graph<bound::step_count> graph{};
  graph.input_bytes = Spec<T, In>::bytes;
  graph.output_buffer = bound::template describe<Backend>(graph, 0);
  return plan_arena(graph).arena_bytes;
}();

/// A type that can be bound to input spec In.
template <class L, class In>
concept LayerFor = TensorSpec<In> && requires {
  typename L::template bind<In>::output;
  typename L::template bind<In>::Params;
};

// ---------------------------------------------------------------------------------------------
// Layer options: padding, stride, dilation, fused activation. Passed in any order after the
// layer's sizes: Conv2D<64, 10, 4, Same, ReLU, Stride<2, 2>>.

/// Pad so that output = ceil(input / stride) (TensorFlow/ONNX SAME_UPPER).
struct Same {};
/// No padding.
struct Valid {};
/// Explicit zero padding of the spatial dimensions.
template <std::size_t Top, std::size_t Left, std::size_t Bottom = Top, std::size_t Right = Left>
struct Padding {};
template <std::size_t H, std::size_t W = H>
struct Stride {};
template <std::size_t H, std::size_t W = H>
struct Dilation {};

/// Pooling option: output sizes round up (Caffe / PyTorch ceil_mode); the last window may hang over.
struct CeilMode {};

/// The fused-activation option "none" (the default). The standalone activations are in nn/layers.hpp.
struct NoActivation {
  static constexpr ops::ActivationParams params = ops::ActivationParams::none();
};

namespace detail {

template <class T>
    struct is_activation_tag : std::bool_constant < requires {
  { T::params } -> std::convertible_to<ops::ActivationParams>;
} > {};

template <class T>
struct is_padding : std::false_type {};
template <>
struct is_padding<Same> : std::true_type {};
template <>
struct is_padding<Valid> : std::true_type {};
template <std::size_t T, std::size_t L, std::size_t B, std::size_t R>
struct is_padding<Padding<T, L, B, R>> : std::true_type {};

template <class T>
struct is_ceil_mode : std::bool_constant<std::is_same_v<T, CeilMode>> {};
template <class T>
struct is_stride : std::false_type {};
template <std::size_t H, std::size_t W>
struct is_stride<Stride<H, W>> : std::true_type {};
template <class T>
struct is_dilation : std::false_type {};
template <std::size_t H, std::size_t W>
struct is_dilation<Dilation<H, W>> : std::true_type {};

template <template <class> class Pred, class Default, class... Options>
struct find_option {
  using type = Default;
};
template <template <class> class Pred, class Default, class First, class... Rest>
struct find_option<Pred, Default, First, Rest...> {
  using type = std::conditional_t<Pred<First>::value, First, typename find_option<Pred, Default, Rest...>::type>;
};

template <class T>
struct stride_values;
template <std::size_t H, std::size_t W>
struct stride_values<Stride<H, W>> {
  static constexpr std::size_t h = H, w = W;
};
template <std::size_t H, std::size_t W>
struct stride_values<Dilation<H, W>> {
  static constexpr std::size_t h = H, w = W;
};

/// Resolved padding of one spatial axis.
struct AxisPadding {
  std::size_t before = 0, after = 0;
};

template <class P>
struct padding_values;
template <>
struct padding_values<Valid> {
  static constexpr AxisPadding axis(std::size_t, std::size_t, std::size_t, std::size_t, bool) noexcept { return {}; }
};
template <>
struct padding_values<Same> {
  static constexpr AxisPadding axis(std::size_t input, std::size_t kernel, std::size_t stride, std::size_t dilation,
                                    bool) noexcept {
    const ops::SamePadding p =
        ops::same_padding(static_cast<std::int64_t>(input), static_cast<std::int64_t>(kernel),
                          static_cast<std::int64_t>(stride), static_cast<std::int64_t>(dilation));
    return {static_cast<std::size_t>(p.before), static_cast<std::size_t>(p.after)};
  }
};
template <std::size_t T, std::size_t L, std::size_t B, std::size_t R>
struct padding_values<Padding<T, L, B, R>> {
  static constexpr AxisPadding axis(std::size_t, std::size_t, std::size_t, std::size_t, bool height) noexcept {
    return height ? AxisPadding{T, B} : AxisPadding{L, R};
  }
};

/// The options of a windowed layer (conv, depthwise, pooling), resolved with defaults.
template <class DefaultPadding, class DefaultStride, class... Options>
struct WindowOptions {
  static constexpr bool all_known =
      ((is_padding<Options>::value || is_stride<Options>::value || is_dilation<Options>::value ||
        is_activation_tag<Options>::value || is_ceil_mode<Options>::value) &&
       ...);
  static constexpr bool ceil_mode = (is_ceil_mode<Options>::value || ...);
  using padding = typename find_option<is_padding, DefaultPadding, Options...>::type;
  using stride = typename find_option<is_stride, DefaultStride, Options...>::type;
  using dilation = typename find_option<is_dilation, Dilation<1, 1>, Options...>::type;
  using activation = typename find_option<is_activation_tag, NoActivation, Options...>::type;
  static constexpr std::size_t stride_h = stride_values<stride>::h, stride_w = stride_values<stride>::w;
  static constexpr std::size_t dilation_h = stride_values<dilation>::h, dilation_w = stride_values<dilation>::w;
};

/// Output size of a window along one axis; 0 when the window does not fit.
constexpr std::size_t window_out(std::size_t input, std::size_t kernel, std::size_t stride, std::size_t dilation,
                                 AxisPadding pad, bool ceil_mode = false) noexcept {
  return static_cast<std::size_t>(
      ops::window_output_size(static_cast<std::int64_t>(input), static_cast<std::int64_t>(kernel),
                              static_cast<std::int64_t>(stride), static_cast<std::int64_t>(dilation),
                              static_cast<std::int64_t>(pad.before), static_cast<std::int64_t>(pad.after), ceil_mode));
}

/// The geometry of a 2-D window over an [H, W, C] input.
template <class Opts, std::size_t KH, std::size_t KW, std::size_t H, std::size_t W>
struct Window {
  static constexpr AxisPadding pad_h =
      padding_values<typename Opts::padding>::axis(H, KH, Opts::stride_h, Opts::dilation_h, true);
  static constexpr AxisPadding pad_w =
      padding_values<typename Opts::padding>::axis(W, KW, Opts::stride_w, Opts::dilation_w, false);
  static constexpr std::size_t out_h = window_out(H, KH, Opts::stride_h, Opts::dilation_h, pad_h, Opts::ceil_mode);
  static constexpr std::size_t out_w = window_out(W, KW, Opts::stride_w, Opts::dilation_w, pad_w, Opts::ceil_mode);
  using padded = Shape<H + pad_h.before + pad_h.after, W + pad_w.before + pad_w.after>;
  using dilated_kernel = Shape<(KH - 1) * Opts::dilation_h + 1, (KW - 1) * Opts::dilation_w + 1>;
  static constexpr ops::Padding2D padding = {
      static_cast<std::int32_t>(pad_h.before), static_cast<std::int32_t>(pad_w.before),
      static_cast<std::int32_t>(pad_h.after), static_cast<std::int32_t>(pad_w.after)};
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Parameter packs: the Params/Trained aggregate of a combinator holds one slot per child that has
// parameters, addressed by the child's index: params.get<2>(). The slots are bases, so the pack is
// an aggregate and can be constexpr: Net::Params p{conv1, conv2, dense}.

template <std::size_t I, class P>
struct Slot {
  P value;
};

template <class... Slots>
struct ParamPack : Slots... {
 private:
  template <std::size_t I, class P>
  static constexpr const P& pick(const Slot<I, P>& slot) noexcept {
    return slot.value;
  }
  template <std::size_t I, class P>
  static constexpr P& pick(Slot<I, P>& slot) noexcept {
    return slot.value;
  }
  template <std::size_t I, class P>
  static std::true_type probe(const Slot<I, P>*);
  template <std::size_t I>
  static std::false_type probe(const void*);

 public:
  /// Whether child I has a slot (it has parameters).
  template <std::size_t I>
  static constexpr bool has = decltype(probe<I>(static_cast<const ParamPack*>(nullptr)))::value;

  /// The parameters of child I (a compile error if child I has none).
  template <std::size_t I>
  constexpr const auto& get() const noexcept {
    static_assert(has<I>,
                  "tinynn::nn: this layer has no parameter slot (layers without weights, and a BatchNorm folded "
                  "into the layer before it, have none)");
    if constexpr (has<I>) {
      return pick<I>(*this);
    } else {
      return *this;
    }
  }
  template <std::size_t I>
  constexpr auto& get() noexcept {
    static_assert(has<I>,
                  "tinynn::nn: this layer has no parameter slot (layers without weights, and a BatchNorm folded "
                  "into the layer before it, have none)");
    if constexpr (has<I>) {
      return pick<I>(*this);
    } else {
      return *this;
    }
  }
};

namespace detail {

template <class... Packs>
struct concat_packs {
  using type = ParamPack<>;
};
template <class... A>
struct concat_packs<ParamPack<A...>> {
  using type = ParamPack<A...>;
};
template <class... A, class... B, class... Rest>
struct concat_packs<ParamPack<A...>, ParamPack<B...>, Rest...> {
  using type = typename concat_packs<ParamPack<A..., B...>, Rest...>::type;
};

/// ParamPack of Slot<I, Ps[I]> for every I where Keep[I] and Ps[I] is not empty; NoParams if none is.
template <class Types, class Keep, class Indices = std::make_index_sequence<std::tuple_size_v<Types>>>
struct make_pack;
template <class... Ps, bool... Keep, std::size_t... I>
struct make_pack<std::tuple<Ps...>, std::integer_sequence<bool, Keep...>, std::index_sequence<I...>> {
  using pack =
      typename concat_packs<std::conditional_t<Keep && has_params_v<Ps>, ParamPack<Slot<I, Ps>>, ParamPack<>>...>::type;
  using type = std::conditional_t<std::is_same_v<pack, ParamPack<>>, NoParams, pack>;
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// SingleStep: describe()/run() of a layer that is one kernel call. The derived bound layer provides
//   template <class Backend> static constexpr std::size_t scratch_bytes;  static constexpr bool in_place;
//   template <class Backend> static void compute(const Params&, const in_element*, out_element*,
//                                                std::byte* scratch, ops::ActivationParams, Backend);
// and has `input`, `output`, `Params`, `activation` (the fused activation; None if none).

template <class Derived>
struct SingleStep {
  static constexpr std::size_t step_count = 1;

  template <class Backend, std::size_t N>
  static constexpr std::size_t describe(Graph<N>& graph, std::size_t input_buffer) {
    StepInfo step{};
    step.inputs[0] = input_buffer;
    step.input_count = 1;
    step.output_bytes = Derived::output::bytes;
    step.scratch_bytes = Derived::template scratch_bytes<Backend>;
    step.in_place = Derived::in_place;
    return graph.add(step);
  }

  template <class Top, std::size_t Step, class Backend, class P, class Element>
  static auto* run(const P& params, std::byte* arena, const Element* in) {
    constexpr auto& plan = Top::template plan<Backend>;
    auto* out = reinterpret_cast<typename Derived::output::element*>(arena + plan.offset[Step + 1]);
    std::byte* scratch = nullptr;
    if constexpr (Derived::template scratch_bytes < Backend >> 0) scratch = arena + plan.scratch_offset[Step];
    Derived::compute(params, in, out, scratch, Derived::activation::params, Backend{});
    return out;
  }
};

/// A layer that only renames its input (Flatten, Reshape, Identity, Input): no step, no memory.
template <class Derived>
struct AliasStep {
  static constexpr std::size_t step_count = 0;
  static constexpr std::size_t macs = 0;
  static constexpr std::size_t param_count = 0;
  using Params = NoParams;
  using Trained = NoParams;
  static constexpr void fold_into(const Trained&, Params&) noexcept {}

  template <class Backend, std::size_t N>
  static constexpr std::size_t describe(Graph<N>&, std::size_t input_buffer) {
    return input_buffer;
  }
  template <class Top, std::size_t Step, class Backend, class Element>
  static auto* run(const Params&, std::byte*, const Element* in) {
    // The output names the same storage; constness is restored by the caller's view.
    return const_cast<typename Derived::output::element*>(in);
  }
};

/// Identity layer (a Residual's default shortcut).
struct Identity {
  template <class In>
  struct bind : AliasStep<bind<In>> {
    using input = In;
    using output = In;
  };
};

}  // namespace tinynn::nn
