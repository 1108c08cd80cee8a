// int8 firmware programs (static networks of nn/quantized.hpp): random int8 weights with plausible
// scales, drawn at compile time, one inference, the int8 outputs printed as numbers (the host build
// compares them with the firmware's; integers, so the comparison is exact).
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "app.hpp"
#include "tinynn/nn/quantized.hpp"

namespace fw {

struct IntLcg {
  std::uint32_t state;
  constexpr std::int32_t next(std::int32_t lo, std::int32_t hi) {
    state = state * 1664525u + 1013904223u;
    return lo + static_cast<std::int32_t>((state >> 8) % static_cast<std::uint32_t>(hi - lo + 1));
  }
};

/// Random Trained values of one quantized layer: weights in [-127, 127], biases of a few hundred
/// LSB, per-channel weight scales around 0.01/sqrt(depth) so that activations stay in range.
template <class T>
constexpr void random_quantized(T& t, std::uint32_t seed, tinynn::QuantParams input, tinynn::QuantParams output) {
  IntLcg lcg{seed};
  for (auto& w : t.weights) w = static_cast<std::int8_t>(lcg.next(-127, 127));
  for (auto& b : t.bias) b = lcg.next(-300, 600);
  const std::size_t depth = t.weights.size() / t.bias.size();
  double root = 1.0;  // sqrt(depth) by Newton (constexpr)
  for (int i = 0; i < 30; ++i) root = 0.5 * (root + static_cast<double>(depth) / root);
  for (std::size_t c = 0; c < t.weight_scales.size(); ++c) {
    t.weight_scales[c] = static_cast<float>(0.012 / root * (1.0 + 0.05 * static_cast<double>(lcg.next(0, 8))));
  }
  t.input = input;
  t.output = output;
}

template <class Net>
constexpr tinynn::Tensor<tinynn::qi8, typename Net::input_shape> random_int8_input(std::uint32_t seed) {
  tinynn::Tensor<tinynn::qi8, typename Net::input_shape> x{};
  IntLcg lcg{seed};
  for (auto& v : x.storage) v = static_cast<std::int8_t>(lcg.next(-128, 127));
  return x;
}

template <class Net>
int run_int8_network([[maybe_unused]] int argc, [[maybe_unused]] char** argv, const char* name,
                     const typename Net::Params& params,
                     const tinynn::Tensor<tinynn::qi8, typename Net::input_shape>& input) {
  using Backend = tinynn::backend::scalar;
  static typename Net::template ArenaFor<Backend> arena;  // .bss: the network's only RAM
  write_text("tinynn firmware: ");
  write_text(name);
  write_text("\n");
  print_value("arena_bytes", Net::template arena_bytes_for<Backend>);
  print_value("param_bytes", Net::param_bytes);
  print_value("macs", Net::macs);
  const auto y = Net::template run<Backend>(params, input, arena);
  std::array<float, Net::output_shape::size> values{};
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(y[i]);
  print_outputs(values.data(), values.size());
  print_value("stack_bytes", stack_high_water());
#if !defined(__arm__)
  if (argc == 3 && argv[1] == std::string_view("--compare")) {
    return compare_with_firmware(argv[2], values.data(), values.size());
  }
#endif
  return 0;
}

}  // namespace fw
