// tinynn — a static network: a Sequential whose first layer is an Input.
//
//   using Net = nn::Sequential<nn::Input<f32, 28, 28, 1>, nn::Conv2D<3, 5, 5, nn::Same, nn::ReLU>, ...>;
//   Net::output_shape, Net::param_count, Net::macs         compile-time figures
//   Net::Trained  --Net::fold()-->  Net::Params            packing + BatchNorm folding (constexpr)
//   Net::Arena arena;  Net::arena_bytes                     the only RAM the network touches (exact)
//   auto y = Net::run(params, x, arena);                    backend::native by default
//
// The arena is planned at compile time per backend (scratch needs differ: the scalar backend needs
// none): Net::ArenaFor<B>, Net::arena_bytes_for<B>; Net::Arena is ArenaFor<backend::native>.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "tinynn/backends/tags.hpp"
#include "tinynn/nn/layer.hpp"
#include "tinynn/nn/plan.hpp"
#include "tinynn/tensor.hpp"

namespace tinynn::nn {

/// The compile-time facts and run() of a network whose top layer, bound to its input, is Root.
template <class Root>
struct Network {
  using root = Root;
  using input_spec = typename Root::input;
  using output_spec = typename Root::output;
  using input_shape = typename input_spec::shape;
  using output_shape = typename output_spec::shape;
  using input_dtype = typename input_spec::dtype;
  using output_dtype = typename output_spec::dtype;
  using Params = typename Root::Params;
  using Trained = typename Root::Trained;

  /// The bound layer I of the network's top Sequential (its Params/Trained types, output, ...):
  ///   constexpr Net::layer<1>::Trained conv1 = {{/* OHWI weights */}, {/* bias */}};
  ///   constexpr Net::Trained trained = {conv1, conv2, dense};   // one value per layer with parameters
  template <std::size_t I>
  using layer = typename Root::template at<I>;

  static constexpr std::size_t param_count = Root::param_count;
  static constexpr std::size_t param_bytes = sizeof(Params);
  static constexpr std::size_t macs = Root::macs;
  static constexpr std::size_t step_count = Root::step_count;

  template <class Backend>
  static constexpr Graph<step_count> graph = [] {
    Graph<step_count> g{};
    g.input_bytes = input_spec::bytes;
    g.output_buffer = Root::template describe<Backend>(g, 0);
    return g;
  }();
  template <class Backend>
  static constexpr Plan<step_count> plan = plan_arena(graph<Backend>);

  template <class Backend>
  static constexpr std::size_t arena_bytes_for = plan<Backend>.arena_bytes;
  static constexpr std::size_t arena_bytes = arena_bytes_for<backend::native>;

  /// The memory a run on Backend uses for every intermediate tensor and scratch buffer.
  template <class Backend>
  struct ArenaFor {
    static_assert(plan<Backend>.valid, "tinynn::nn: internal error: the arena plan overlaps live buffers");
    alignas(tensor_alignment) std::byte bytes[arena_bytes_for<Backend> > 0 ? arena_bytes_for<Backend> : 1];
  };
  using Arena = ArenaFor<backend::native>;

  /// Trained parameters -> run-time parameters (weights packed for ops/, BatchNorm folded). constexpr:
  ///   static constexpr Net::Params params = Net::fold(trained);   // weights in .rodata / flash
  static constexpr Params fold(const Trained& trained) {
    // A local copy: GCC 12 cannot compare the address of a member of a constant-evaluated temporary
    // with nullptr (which the packers do for the optional bias).
    const Trained local = trained;
    Params p{};
    Root::fold_into(local, p);
    return p;
  }
  /// Same, into existing storage (large networks at run time: no Params-sized temporary on the stack).
  static constexpr void fold_into(const Trained& trained, Params& params) { Root::fold_into(trained, params); }

  /// Runs the network on x; the result is a view into the arena, valid until its next use.
  template <backend::Backend B = backend::native>
  static TensorView<const output_dtype, output_shape> run(const Params& params,
                                                          TensorView<const input_dtype, input_shape> x,
                                                          ArenaFor<B>& arena, B = {}) noexcept {
    backend::require_compilable<B>();
    const auto* out = Root::template run<Network, 0, B>(params, arena.bytes, x.data());
    return TensorView<const output_dtype, output_shape>(out);
  }
  /// Same, in memory the caller places (a linker section, a shared buffer): at least arena_bytes_for<B>
  /// bytes, aligned to tensor_alignment (debug-asserted).
  template <backend::Backend B = backend::native>
  static TensorView<const output_dtype, output_shape> run(const Params& params,
                                                          TensorView<const input_dtype, input_shape> x,
                                                          std::span<std::byte> arena, B = {}) noexcept {
    backend::require_compilable<B>();
    TINYNN_ASSERT(arena.size() >= arena_bytes_for<B>);
    TINYNN_ASSERT(reinterpret_cast<std::uintptr_t>(arena.data()) % tensor_alignment == 0);
    const auto* out = Root::template run<Network, 0, B>(params, arena.data(), x.data());
    return TensorView<const output_dtype, output_shape>(out);
  }
  template <backend::Backend B = backend::native>
  static TensorView<const output_dtype, output_shape> run(const Params& params,
                                                          const Tensor<input_dtype, input_shape>& x, ArenaFor<B>& arena,
                                                          B b = {}) noexcept {
    return run<B>(params, x.view(), arena, b);
  }
};

}  // namespace tinynn::nn
