// tinynn demo (scripts/demo.sh): runs real networks and prints their predictions and the time per
// inference. Sections:
//   1. Static network: SimpLeNet-v1 as a C++ type, weights folded and packed at compile time.
//   2. (reserved) A model loaded from a file at run time (runtime graphs).
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "tinynn/tinynn.hpp"

namespace {

using namespace tinynn;

/// Median wall time of `runs` calls of f, in microseconds.
template <class F>
double median_us(int runs, F&& f) {
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(runs));
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    f();
    times.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  std::nth_element(times.begin(), times.begin() + runs / 2, times.end());
  return times[static_cast<std::size_t>(runs / 2)];
}

// ================================================================================================
// 1. Static network: SimpLeNet-v1 (28x28x1 -> 10 classes). The network is a type; its weights are
//    constexpr (here deterministic pseudo-random values, the way codegen emits trained ones), folded
//    and packed for the kernels by the compiler, so they live in .rodata; the arena is the only RAM.
// ================================================================================================

using SimpLeNet = nn::zoo::SimpLeNetV1;

constexpr SimpLeNet::Trained simplenet_weights() {
  SimpLeNet::Trained t{};
  std::uint32_t state = 2024;
  auto next = [&state](float scale) {
    state = state * 1664525u + 1013904223u;
    return (static_cast<float>(state >> 8) / 16777216.0f * 2.0f - 1.0f) * scale;
  };
  for (auto& w : t.get<1>().weights) w = next(0.4f);
  for (auto& w : t.get<3>().weights) w = next(0.25f);
  for (auto& w : t.get<6>().weights) w = next(0.1f);
  for (auto& b : t.get<1>().bias) b = next(0.1f);
  for (auto& b : t.get<3>().bias) b = next(0.1f);
  for (auto& b : t.get<6>().bias) b = next(0.1f);
  return t;
}
constexpr SimpLeNet::Params simplenet_params = SimpLeNet::fold(simplenet_weights());

/// A 28x28 test pattern: a ring (shape 0), a vertical bar (1) or a diagonal (2), with a little noise.
Tensor<f32, Shape<28, 28, 1>> pattern(int shape) {
  Tensor<f32, Shape<28, 28, 1>> image;
  for (int y = 0; y < 28; ++y) {
    for (int x = 0; x < 28; ++x) {
      const float dy = static_cast<float>(y) - 13.5f, dx = static_cast<float>(x) - 13.5f;
      float v = 0.0f;
      if (shape == 0) v = std::fabs(std::sqrt(dx * dx + dy * dy) - 8.0f) < 2.0f ? 1.0f : 0.0f;
      if (shape == 1) v = std::fabs(dx) < 2.0f && std::fabs(dy) < 10.0f ? 1.0f : 0.0f;
      if (shape == 2) v = std::fabs(dx - dy) < 2.0f && std::fabs(dx) < 10.0f ? 1.0f : 0.0f;
      image(y, x, 0) = v + 0.05f * std::sin(static_cast<float>(y * 28 + x));
    }
  }
  return image;
}

template <class Backend>
void run_static_network(const char* backend_name) {
  static typename SimpLeNet::template ArenaFor<Backend> arena;
  const char* names[] = {"ring", "bar", "diagonal"};
  for (int shape = 0; shape < 3; ++shape) {
    const auto image = pattern(shape);
    const auto logits = SimpLeNet::run<Backend>(simplenet_params, image, arena);
    // Softmax on the host side of the demo, to print a probability.
    float top = logits[0];
    for (std::size_t i = 1; i < 10; ++i) top = std::max(top, logits[i]);
    double sum = 0;
    for (std::size_t i = 0; i < 10; ++i) sum += std::exp(logits[i] - top);
    std::size_t best = 0;
    for (std::size_t i = 1; i < 10; ++i) best = logits[i] > logits[best] ? i : best;
    std::printf("  [%s] %-8s -> class %zu (p = %.3f)\n", backend_name, names[shape], best, 1.0 / sum);
  }
  const auto image = pattern(0);
  const double us = median_us(2000, [&] {
    const auto y = SimpLeNet::run<Backend>(simplenet_params, image, arena);
    asm volatile("" : : "r"(y.data()) : "memory");
  });
  std::printf("  [%s] time per inference: %.2f us (median of 2000), arena %zu bytes\n", backend_name, us,
              SimpLeNet::template arena_bytes_for<Backend>);
}

void static_network_section() {
  std::printf("1. static network: SimpLeNet-v1 (28x28x1 -> 10), weights constexpr (deterministic, untrained)\n");
  std::printf("   %zu parameters (%zu bytes packed in .rodata), %zu MACs, %zu kernel calls\n", SimpLeNet::param_count,
              SimpLeNet::param_bytes, SimpLeNet::macs, SimpLeNet::step_count);
  run_static_network<backend::scalar>("scalar");
  if constexpr (!std::is_same_v<backend::native, backend::scalar>) run_static_network<backend::native>("native");
}

// ================================================================================================
// 2. (reserved for the runtime-graph demo: a bundled model loaded from a file)
// ================================================================================================

}  // namespace

int main() {
  std::printf("tinynn demo\n");
  static_network_section();
  return 0;
}
