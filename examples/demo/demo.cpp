// tinynn demo: a small fixed network over tinynn's core types, its predictions and the time per
// inference. (Later issues replace this with a static network from nn/ and a model loaded from disk.)
#include <chrono>
#include <cmath>
#include <cstdio>

#include "tinynn/tinynn.hpp"

namespace {

using namespace tinynn;

constexpr std::size_t kIn = 16, kHidden = 32, kOut = 4;

// Deterministic weights computed at compile time: the data a static network keeps in flash.
struct Weights {
  Tensor<f32, Shape<kHidden, kIn>> w1;
  Tensor<f32, Shape<kHidden>> b1;
  Tensor<f32, Shape<kOut, kHidden>> w2;
  Tensor<f32, Shape<kOut>> b2;
};

constexpr Weights make_weights() {
  Weights w{};
  std::uint32_t state = 12345;
  auto next = [&state] {
    state = state * 1664525u + 1013904223u;
    return static_cast<float>(static_cast<int>(state >> 9) % 2001 - 1000) / 4000.0f;
  };
  for (auto& v : w.w1.storage) v = next();
  for (auto& v : w.b1.storage) v = next();
  for (auto& v : w.w2.storage) v = next();
  for (auto& v : w.b2.storage) v = next();
  return w;
}

constexpr Weights weights = make_weights();

void run(const Tensor<f32, Shape<kIn>>& x, Tensor<f32, Shape<kOut>>& y) {
  Tensor<f32, Shape<kHidden>> h;
  for (std::size_t o = 0; o < kHidden; ++o) {
    float acc = weights.b1[o];
    for (std::size_t i = 0; i < kIn; ++i) acc += weights.w1(o, i) * x[i];
    h[o] = acc > 0.0f ? acc : 0.0f;
  }
  for (std::size_t o = 0; o < kOut; ++o) {
    float acc = weights.b2[o];
    for (std::size_t i = 0; i < kHidden; ++i) acc += weights.w2(o, i) * h[i];
    y[o] = acc;
  }
}

}  // namespace

int main() {
  Tensor<f32, Shape<kIn>> x;
  for (std::size_t i = 0; i < kIn; ++i) x[i] = std::sin(static_cast<float>(i));
  Tensor<f32, Shape<kOut>> y;
  run(x, y);
  std::printf("tinynn demo: dense %zu -> relu %zu -> dense %zu (weights constexpr, %zu bytes)\n", kIn, kHidden, kOut,
              sizeof(Weights));
  std::size_t best = 0;
  for (std::size_t o = 0; o < kOut; ++o) {
    std::printf("  output[%zu] = %+.6f\n", o, static_cast<double>(y[o]));
    if (y[o] > y[best]) best = o;
  }
  std::printf("  prediction: class %zu\n", best);

  constexpr int runs = 100000;
  const auto start = std::chrono::steady_clock::now();
  float sink = 0.0f;
  for (int r = 0; r < runs; ++r) {
    x[0] = static_cast<float>(r & 1);
    run(x, y);
    sink += y[0];
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("  time per inference: %.3f us (%d runs, checksum %.3f)\n", seconds / runs * 1e6, runs,
              static_cast<double>(sink));
  return 0;
}
