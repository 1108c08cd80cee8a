// tinynn — combinators of static-network layers:
//   Sequential<L...>        the layers one after another. Conv2D/DepthwiseConv2D/Dense followed by
//                           BatchNorm and/or an activation become one kernel call (the BatchNorm is
//                           folded into the weights by fold(), the activation into the epilogue).
//   Add<Branches...>        the elementwise sum of the branches, each applied to the same input.
//   Residual<Block, Short>  Block(x) + Short(x), Short = Identity by default (projection: a conv).
//   Concat<Branches...>     the branches' outputs side by side on the last (channel) axis.
// Each is itself a layer, so they nest. A Sequential whose first layer is an Input is a network
// (nn/network.hpp adds Params, Arena, arena_bytes, run()).
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>

#include "tinynn/nn/layer.hpp"
#include "tinynn/nn/layers.hpp"
#include "tinynn/nn/network.hpp"
#include "tinynn/ops/concat.hpp"
#include "tinynn/ops/eltwise.hpp"

namespace tinynn::nn {

namespace detail {

template <class B>
inline constexpr bool folds_batch_norm = requires {
  requires B::foldable;
};
template <class B>
inline constexpr bool is_batch_norm_layer = requires {
  requires B::is_batch_norm;
};
template <class B>
inline constexpr bool is_activation_layer = requires {
  requires B::is_activation;
};
template <class B>
inline constexpr bool accepts_activation = folds_batch_norm<B> || requires {
  requires B::accepts_activation;
};

/// A producer (conv/depthwise/dense/add) run with activation Act fused into its epilogue.
template <class Producer, class Act>
struct WithActivation : SingleStep<WithActivation<Producer, Act>> {
  using input = typename Producer::input;
  using output = typename Producer::output;
  using Params = typename Producer::Params;
  using activation = Act;
  static constexpr bool in_place = Producer::in_place;
  template <class Backend>
  static constexpr std::size_t scratch_bytes = Producer::template scratch_bytes<Backend>;
  template <class Backend>
  static void compute(const Params& p, const typename input::element* in, typename output::element* out,
                      std::byte* scratch, const ops::ActivationParams& act, Backend b) noexcept {
    Producer::compute(p, in, out, scratch, act, b);
  }
};

template <class Bound, class Act>
struct with_activation {
  using type = WithActivation<Bound, Act>;
};
template <class Bound, class Act>
requires requires { typename Bound::template with_activation<Act>; }
struct with_activation<Bound, Act> {
  using type = typename Bound::template with_activation<Act>;
};

template <class Done, class In, class... Ls>
struct bind_all_impl;
template <class... Done, class In>
struct bind_all_impl<std::tuple<Done...>, In> {
  using type = std::tuple<Done...>;
};
template <class... Done, class In, class First, class... Rest>
struct bind_all_impl<std::tuple<Done...>, In, First, Rest...> {
  using head = typename First::template bind<In>;
  using type = typename bind_all_impl<std::tuple<Done..., head>, typename head::output, Rest...>::type;
};
/// std::tuple of the layers, each bound to the previous one's output.
template <class In, class... Ls>
using bind_all = bind_all_impl<std::tuple<>, In, Ls...>;

inline constexpr NoParams no_params{};

/// Slot I of a pack, or an empty NoParams when the pack has no slot I.
template <std::size_t I, class Pack>
constexpr decltype(auto) slot_or_empty(const Pack& pack) noexcept {
  if constexpr (requires { requires Pack::template has<I>; }) {
    return pack.template get<I>();
  } else {
    return (no_params);
  }
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------

namespace detail {

template <class In, class... Layers>
struct SequentialBound {
  static_assert(sizeof...(Layers) > 0, "tinynn::nn::Sequential: give at least one layer");
  struct body {
    using bounds = typename detail::bind_all<In, Layers...>::type;
    static constexpr std::size_t n = sizeof...(Layers);
    template <std::size_t I>
    using at = std::tuple_element_t<I, bounds>;
    using input = In;
    using output = typename at<n - 1>::output;

    struct FusionInfo {
      std::array<std::size_t, n> unit_start{};  // unit u begins at layer unit_start[u]
      std::size_t unit_count = 0;
      std::array<std::size_t, n> batch_norm_of{};  // for a unit start: its folded BatchNorm's index, or n
      std::array<std::size_t, n> activation_of{};  // for a unit start: its fused activation's index, or n
      std::array<bool, n> folded_away{};           // a BatchNorm folded into the layer before it
    };
    // Fusion: a producer, then an optional BatchNorm (folded into its weights), then an optional
    // activation (fused into its epilogue), become one unit: one kernel call.
    static constexpr FusionInfo info = []<std::size_t... I>(std::index_sequence<I...>) {
      FusionInfo r{};
      constexpr std::array<bool, n> folds = {detail::folds_batch_norm<at<I>>...};
      constexpr std::array<bool, n> takes_act = {detail::accepts_activation<at<I>>...};
      constexpr std::array<bool, n> is_bn = {detail::is_batch_norm_layer<at<I>>...};
      constexpr std::array<bool, n> is_act = {detail::is_activation_layer<at<I>>...};
      for (std::size_t i = 0; i < n;) {
        std::size_t len = 1;
        r.batch_norm_of[i] = n;
        r.activation_of[i] = n;
        if (folds[i] && i + 1 < n && is_bn[i + 1]) {
          r.batch_norm_of[i] = i + 1;
          r.folded_away[i + 1] = true;
          ++len;
        }
        if (takes_act[i] && i + len < n && is_act[i + len]) {
          r.activation_of[i] = i + len;
          ++len;
        }
        r.unit_start[r.unit_count++] = i;
        i += len;
      }
      return r;
    }
    (std::make_index_sequence<n>{});

    template <std::size_t I>
    static constexpr auto unit_type() {
      if constexpr (info.activation_of[I] < n) {
        using act = typename at<(info.activation_of[I] < n ? info.activation_of[I] : 0)>::tag;
        return std::type_identity<typename detail::with_activation<at<I>, act>::type>{};
      } else if constexpr (info.batch_norm_of[I] < n) {
        return std::type_identity<typename detail::with_activation<at<I>, NoActivation>::type>{};
      } else {
        return std::type_identity<at<I>>{};
      }
    }
    /// The layer (or fused layer) that unit u runs.
    template <std::size_t U>
    using unit = typename decltype(unit_type<info.unit_start[U]>())::type;

    template <class Seq>
    struct packs;
    template <std::size_t... I>
    struct packs<std::index_sequence<I...>> {
      using params = typename detail::make_pack<std::tuple<typename at<I>::Params...>,
                                                std::integer_sequence<bool, !info.folded_away[I]...>>::type;
      using trained = typename detail::make_pack<std::tuple<typename at<I>::Trained...>,
                                                 std::integer_sequence<bool, (I >= 0)...>>::type;
      static constexpr std::size_t param_count = ((info.folded_away[I] ? 0 : at<I>::param_count) + ... + 0);
      static constexpr std::size_t macs = ((info.folded_away[I] ? 0 : at<I>::macs) + ... + 0);
    };
    using all = packs<std::make_index_sequence<n>>;

    /// Run-time parameters: one slot per layer with parameters, addressed by the layer's index.
    using Params = typename all::params;
    /// Parameters as trained (BatchNorm statistics, unpacked weights); fold() turns them into Params.
    using Trained = typename all::trained;
    static constexpr std::size_t param_count = all::param_count;
    static constexpr std::size_t macs = all::macs;
    static constexpr std::size_t step_count = []<std::size_t... U>(std::index_sequence<U...>) {
      return (unit<U>::step_count + ... + 0);
    }
    (std::make_index_sequence<info.unit_count>{});

    template <std::size_t I>
    static constexpr void fold_layer(const Trained& t, Params& p) {
      if constexpr (!info.folded_away[I] && has_params_v<typename at<I>::Params>) {
        if constexpr (info.batch_norm_of[I] < n) {
          using bn = at<(info.batch_norm_of[I] < n ? info.batch_norm_of[I] : 0)>;
          typename bn::Params affine{};
          bn::fold_into(t.template get<info.batch_norm_of[I]>(), affine);
          at<I>::fold_into(t.template get<I>(), affine.scale.data(), affine.shift.data(), p.template get<I>());
        } else {
          at<I>::fold_into(t.template get<I>(), p.template get<I>());
        }
      }
    }
    static constexpr void fold_into(const Trained& t, Params& p) {
      [&]<std::size_t... I>(std::index_sequence<I...>) { (fold_layer<I>(t, p), ...); }
      (std::make_index_sequence<n>{});
    }

    template <class Backend, std::size_t N>
    static constexpr std::size_t describe(Graph<N>& graph, std::size_t buffer) {
      [&]<std::size_t... U>(std::index_sequence<U...>) {
        ((buffer = unit<U>::template describe<Backend>(graph, buffer)), ...);
      }
      (std::make_index_sequence<info.unit_count>{});
      return buffer;
    }

    template <class Top, std::size_t Step, class Backend, std::size_t U = 0>
    static auto* run(const Params& p, std::byte* arena, const typename unit<U>::input::element* in) {
      auto* out = unit<U>::template run<Top, Step, Backend>(detail::slot_or_empty<info.unit_start[U]>(p), arena, in);
      if constexpr (U + 1 < info.unit_count) {
        return run<Top, Step + unit<U>::step_count, Backend, U + 1>(p, arena, out);
      } else {
        return out;
      }
    }
  };
};

template <class... Layers>
struct network_base {};
template <class First, class... Rest>
requires is_input<First>::value struct network_base<First, Rest...>
    : Network<typename SequentialBound<typename First::spec, First, Rest...>::body> {
};

}  // namespace detail

/// Layers one after another. With an Input first, it is a network (nn/network.hpp: Net::run, ...).
template <class... Layers>
struct Sequential : detail::network_base<Layers...> {
  template <class In>
  using bind = typename detail::SequentialBound<In, Layers...>::body;
};

namespace check {
template <class FirstBranchOutput, class OtherBranchOutput>
struct Add_branch_outputs {
  static_assert(std::is_same_v<FirstBranchOutput, OtherBranchOutput>,
                "tinynn::nn::Add: the branches' output shapes differ");
};
template <class BlockOutput, class ShortcutOutput>
struct Residual_block_output_vs_shortcut_output {
  static_assert(std::is_same_v<BlockOutput, ShortcutOutput>,
                "tinynn::nn::Residual: the block's output shape differs from the shortcut's (use a projection "
                "shortcut, e.g. Residual<Block, Conv2D<C, 1, 1, Stride<S>>>)");
};
template <class A, class B>
inline constexpr bool same_but_last = [] {
  if constexpr (A::rank != B::rank || A::rank == 0) {
    return false;
  } else {
    for (std::size_t d = 0; d + 1 < A::rank; ++d) {
      if (A::dims[d] != B::dims[d]) return false;
    }
    return true;
  }
}();
template <class FirstBranchOutput, class OtherBranchOutput>
struct Concat_branch_outputs {
  static_assert(same_but_last<FirstBranchOutput, OtherBranchOutput>,
                "tinynn::nn::Concat: the branches' outputs differ in a dimension other than the last (channels)");
};
}  // namespace check

namespace detail {

/// Shared machinery of Add and Concat: branches applied to the same input, then one joining step.
template <class Derived, class In, class... Branches>
struct Join {
  using bounds = std::tuple<typename Branches::template bind<In>...>;
  static constexpr std::size_t k = sizeof...(Branches);
  static_assert(k >= 1 && k <= max_step_inputs, "tinynn::nn::Add/Concat: between 1 and 8 branches");
  template <std::size_t I>
  using at = std::tuple_element_t<I, bounds>;
  using input = In;

  template <class Seq>
  struct packs;
  template <std::size_t... I>
  struct packs<std::index_sequence<I...>> {
    using params =
        typename make_pack<std::tuple<typename at<I>::Params...>, std::integer_sequence<bool, (I >= 0)...>>::type;
    using trained =
        typename make_pack<std::tuple<typename at<I>::Trained...>, std::integer_sequence<bool, (I >= 0)...>>::type;
    static constexpr std::size_t param_count = (at<I>::param_count + ... + 0);
    static constexpr std::size_t macs = (at<I>::macs + ... + 0);
    static constexpr std::size_t branch_steps = (at<I>::step_count + ... + 0);
  };
  using all = packs<std::make_index_sequence<k>>;
  using Params = typename all::params;
  using Trained = typename all::trained;
  static constexpr std::size_t param_count = all::param_count;
  static constexpr std::size_t step_count = all::branch_steps + 1;

  template <std::size_t I>
  static constexpr std::size_t steps_before = [] {
    std::size_t s = 0;
    [&]<std::size_t... J>(std::index_sequence<J...>) { ((s += J < I ? at<J>::step_count : 0), ...); }
    (std::make_index_sequence<k>{});
    return s;
  }();

  static constexpr void fold_into(const Trained& t, Params& p) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      auto one = [&]<std::size_t J>(std::integral_constant<std::size_t, J>) {
        if constexpr (has_params_v<typename at<J>::Params>) at<J>::fold_into(t.template get<J>(), p.template get<J>());
      };
      (one(std::integral_constant<std::size_t, I>{}), ...);
    }
    (std::make_index_sequence<k>{});
  }

  template <class Backend, std::size_t N>
  static constexpr std::size_t describe(Graph<N>& graph, std::size_t input_buffer) {
    StepInfo step{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((step.inputs[I] = at<I>::template describe<Backend>(graph, input_buffer)), ...);
    }
    (std::make_index_sequence<k>{});
    step.input_count = k;
    step.output_bytes = Derived::output::bytes;
    step.in_place = Derived::in_place;
    return graph.add(step);
  }

  template <class Top, std::size_t Step, class Backend>
  static auto* run(const Params& p, std::byte* arena, const typename In::element* in) {
    using element = typename Derived::output::element;
    std::array<const element*, k> branch_out{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((branch_out[I] = at<I>::template run<Top, Step + steps_before<I>, Backend>(slot_or_empty<I>(p), arena, in)),
       ...);
    }
    (std::make_index_sequence<k>{});
    constexpr std::size_t join_step = Step + all::branch_steps;
    auto* out = reinterpret_cast<element*>(arena + Top::template plan<Backend>.offset[join_step + 1]);
    Derived::join(branch_out, out, Backend{});
    return out;
  }
};

}  // namespace detail

/// The elementwise sum of the branches (all must have the same output shape); Act fused after.
template <class... Branches>
struct Add {
  template <class In, class Act = NoActivation>
  struct bound : detail::Join<bound<In, Act>, In, Branches...> {
    using base = detail::Join<bound<In, Act>, In, Branches...>;
    using first_output = typename base::template at<0>::output;
    static_assert((sizeof(check::Add_branch_outputs<typename first_output::shape,
                                                    typename Branches::template bind<In>::output::shape>) +
                   ...) > 0);
    static_assert(base::k >= 2, "tinynn::nn::Add: give at least two branches");
    using output = first_output;
    static constexpr bool in_place = true;
    static constexpr bool accepts_activation = std::is_same_v<Act, NoActivation>;
    static constexpr std::size_t macs = base::all::macs + output::size * (base::k - 1);
    template <class A>
    using with_activation = bound<In, A>;

    template <class Backend>
    static void join(const std::array<const typename output::element*, base::k>& parts, typename output::element* out,
                     Backend) noexcept {
      ops::binary::Params p;
      p.op = ops::BinaryOp::add;
      p.a = p.b = p.output = DynShape{static_cast<std::int64_t>(output::size)};
      const typename output::element* acc = parts[0];
      for (std::size_t i = 1; i < base::k; ++i) {
        p.activation = i + 1 == base::k ? Act::params : ops::ActivationParams{};
        ops::binary::run<Backend>(p, acc, parts[i], out);
        acc = out;
      }
    }
  };
  template <class In>
  using bind = bound<In>;
};

/// Block(x) + Shortcut(x): MobileNetV2's inverted residual (identity), ResNet's basic block
/// (identity or a 1x1 projection). Params: get<0>() is the block's, get<1>() the shortcut's.
template <class Block, class Shortcut = Identity>
struct Residual {
  template <class In, class Act = NoActivation>
  struct bound : Add<Block, Shortcut>::template bound<In, Act> {
    static_assert(
        sizeof(check::Residual_block_output_vs_shortcut_output<typename Block::template bind<In>::output::shape,
                                                               typename Shortcut::template bind<In>::output::shape>) >
        0);
    template <class A>
    using with_activation = bound<In, A>;
  };
  template <class In>
  using bind = bound<In>;
};

/// The branches' outputs concatenated on the last axis (channels); all other dimensions must agree.
template <class... Branches>
struct Concat {
  template <class In>
  struct bind : detail::Join<bind<In>, In, Branches...> {
    using base = detail::Join<bind<In>, In, Branches...>;
    using first = typename base::template at<0>::output;
    static_assert((sizeof(check::Concat_branch_outputs<typename first::shape,
                                                       typename Branches::template bind<In>::output::shape>) +
                   ...) > 0);
    static constexpr std::size_t channels =
        (detail::last_dim<typename Branches::template bind<In>::output::shape> + ...);
    template <class S, std::size_t C>
    struct replace_last;
    template <std::size_t... D, std::size_t C>
    struct replace_last<Shape<D...>, C> {
      static constexpr std::array<std::size_t, sizeof...(D)> dims = {D...};
      template <std::size_t... I>
      static auto make(std::index_sequence<I...>) -> Shape<(I + 1 == sizeof...(D) ? C : dims[I])...>;
      using type = decltype(make(std::make_index_sequence<sizeof...(D)>{}));
    };
    using output = Spec<typename first::dtype, typename replace_last<typename first::shape, channels>::type>;
    static constexpr bool in_place = false;
    static constexpr std::size_t macs = base::all::macs;

    template <class Backend>
    static void join(const std::array<const typename output::element*, base::k>& parts, typename output::element* out,
                     Backend) noexcept {
      std::array<DynShape, base::k> shapes{};
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((shapes[I] = DynShape::of(typename base::template at<I>::output::shape{})), ...);
      }
      (std::make_index_sequence<base::k>{});
      ops::concat::Params p;
      p.axis = static_cast<std::int64_t>(output::rank - 1);
      p.output = DynShape::of(typename output::shape{});
      ops::concat::run<typename output::element>(p, std::span<const typename output::element* const>(parts),
                                                 std::span<const DynShape>(shapes), out);
    }
  };
};

}  // namespace tinynn::nn
