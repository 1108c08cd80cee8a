// The program every tinynn firmware image runs (and its host build, for the expected output):
// a static network with constexpr weights (folded and packed at compile time, so they sit in
// .rodata = flash), a constexpr input, one inference on the scalar backend, the outputs printed.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime.hpp"
#include "tinynn/nn.hpp"

namespace fw {

/// Every float of a Trained aggregate (nested std::arrays of floats) drawn from an LCG, at compile time.
template <class Trained>
constexpr Trained random_trained(std::uint32_t seed, float scale) {
  static_assert(sizeof(Trained) % sizeof(float) == 0);
  std::array<float, sizeof(Trained) / sizeof(float)> values{};
  Lcg lcg{seed};
  for (auto& v : values) v = lcg.next(scale);
  return std::bit_cast<Trained>(values);
}

template <class Net>
constexpr tinynn::Tensor<tinynn::f32, typename Net::input_shape> random_input(std::uint32_t seed) {
  tinynn::Tensor<tinynn::f32, typename Net::input_shape> x{};
  Lcg lcg{seed};
  for (auto& v : x.storage) v = lcg.next(1.0f);
  return x;
}

#if !defined(__arm__)
/// Host build: compares the "out <i> <value>" lines of a firmware's output with `values`.
int compare_with_firmware(const char* path, const float* values, std::size_t count);
#endif

/// Runs Net once and prints its figures and outputs. Returns the process exit code. On the host,
/// `--compare <firmware output>` also checks a firmware run's outputs against this build's.
template <class Net>
int run_network([[maybe_unused]] int argc, [[maybe_unused]] char** argv, const char* name,
                const typename Net::Params& params,
                const tinynn::Tensor<tinynn::f32, typename Net::input_shape>& input) {
  using Backend = tinynn::backend::scalar;
  static typename Net::template ArenaFor<Backend> arena;  // .bss: the network's only RAM
  write_text("tinynn firmware: ");
  write_text(name);
  write_text("\n");
  print_value("arena_bytes", Net::template arena_bytes_for<Backend>);
  print_value("param_bytes", Net::param_bytes);
  print_value("macs", Net::macs);
  const auto y = Net::template run<Backend>(params, input, arena);
  print_outputs(y.data(), Net::output_shape::size);
  std::size_t best = 0;
  for (std::size_t i = 1; i < Net::output_shape::size; ++i) best = y[i] > y[best] ? i : best;
  print_value("predicted", best);
  print_value("stack_bytes", stack_high_water());
#if !defined(__arm__)
  if (argc == 3 && argv[1] == std::string_view("--compare")) {
    return compare_with_firmware(argv[2], y.data(), Net::output_shape::size);
  }
#endif
  return 0;
}

}  // namespace fw

/// Defined by each firmware program (simplenet.cpp, dscnn.cpp); called by main().
int fw_program(int argc, char** argv);
