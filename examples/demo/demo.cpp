// tinynn demo (scripts/demo.sh): runs real networks and prints their predictions and the time per
// inference. Sections:
//   1. Static network: SimpLeNet-v1 as a C++ type with trained weights folded and packed at compile time.
//   2. (reserved) A model loaded from a file at run time (runtime graphs).
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "simplenet_digits.hpp"
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
// 1. Static network: SimpLeNet-v1 (28x28x1 -> 10 classes) trained on handwritten digits
//    (simplenet_digits.hpp, made by train_simplenet_digits.py). The network is a type; its trained
//    weights are constexpr, folded and packed for the kernels by the compiler (.rodata, i.e. flash on
//    a microcontroller); the arena is the only RAM it uses.
// ================================================================================================

using SimpLeNet = nn::zoo::SimpLeNetV1;

constexpr SimpLeNet::Trained simplenet_trained() {
  namespace w = simplenet_digits;
  SimpLeNet::Trained t{};
  t.get<1>().weights = w::w1;
  t.get<1>().bias = w::b1;
  t.get<3>().weights = w::w2;
  t.get<3>().bias = w::b2;
  t.get<6>().weights = w::w3;
  t.get<6>().bias = w::b3;
  return t;
}
constexpr SimpLeNet::Params simplenet_params = SimpLeNet::fold(simplenet_trained());

constexpr std::size_t digit_count = simplenet_digits::test_labels.size();

/// Held-out digit i as the network's input: 8x8 (0..16) upscaled 3x and padded to 28x28, as in training.
Tensor<f32, Shape<28, 28, 1>> digit(std::size_t i) {
  Tensor<f32, Shape<28, 28, 1>> image;
  for (std::size_t y = 0; y < 28; ++y) {
    for (std::size_t x = 0; x < 28; ++x) {
      const bool inside = y >= 2 && y < 26 && x >= 2 && x < 26;
      image(y, x, 0) =
          inside ? static_cast<float>(simplenet_digits::test_images[i * 64 + (y - 2) / 3 * 8 + (x - 2) / 3]) / 16.0f
                 : 0.0f;
    }
  }
  return image;
}

std::size_t argmax(const float* v, std::size_t n) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < n; ++i) best = v[i] > v[best] ? i : best;
  return best;
}

template <class Backend>
void run_static_network(const char* backend_name) {
  static typename SimpLeNet::template ArenaFor<Backend> arena;
  std::size_t correct = 0;
  for (std::size_t i = 0; i < digit_count; ++i) {
    const auto logits = SimpLeNet::run<Backend>(simplenet_params, digit(i), arena);
    correct += argmax(logits.data(), 10) == simplenet_digits::test_labels[i];
  }
  const auto image = digit(0);
  const double us = median_us(2000, [&] {
    const auto y = SimpLeNet::run<Backend>(simplenet_params, image, arena);
    asm volatile("" : : "r"(y.data()) : "memory");
  });
  std::printf(
      "  [%-6s] accuracy on %zu held-out digits: %.2f%%, time per inference %.2f us (median of 2000), "
      "arena %zu bytes\n",
      backend_name, digit_count, 100.0 * static_cast<double>(correct) / static_cast<double>(digit_count), us,
      SimpLeNet::template arena_bytes_for<Backend>);
}

void static_network_section() {
  std::printf("1. static network: SimpLeNet-v1 (28x28x1 -> 10) trained on handwritten digits\n");
  std::printf("   %zu parameters (%zu bytes packed, constexpr), %zu MACs, %zu kernel calls\n", SimpLeNet::param_count,
              SimpLeNet::param_bytes, SimpLeNet::macs, SimpLeNet::step_count);
  static SimpLeNet::ArenaFor<backend::scalar> arena;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto image = digit(i);
    const auto logits = SimpLeNet::run<backend::scalar>(simplenet_params, image, arena);
    const std::size_t predicted = argmax(logits.data(), 10);
    double sum = 0;
    for (std::size_t k = 0; k < 10; ++k) sum += std::exp(logits[k] - logits[predicted]);
    std::printf("   digit %zu (label %d): predicted %zu, p = %.3f\n", i, simplenet_digits::test_labels[i], predicted,
                1.0 / sum);
    for (std::size_t y = 2; y < 26; y += 3) {
      std::printf("     ");
      for (std::size_t x = 2; x < 26; x += 3)
        std::printf("%s", image(y, x, 0) > 0.5f ? "##" : image(y, x, 0) > 0.2f ? "++" : "  ");
      std::printf("\n");
    }
  }
  run_static_network<backend::scalar>("scalar");
  if constexpr (!std::is_same_v<backend::native, backend::scalar>) run_static_network<backend::native>("native");
  std::printf("   (the numpy training script measured %.2f%% on the same digits)\n",
              100.0 * simplenet_digits::python_test_accuracy);
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
