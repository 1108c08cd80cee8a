// Elementwise family throughput per backend (Gelem/s and GB/s), with Eigen 3.4's vectorised
// array functions (compiled for this TU's ISA) as the baseline where Eigen has the function.
//   ./build/release/bench/bench_eltwise --benchmark_filter=unary
// GCC 12 reports -Wmaybe-uninitialized inside its own avx512fintrin.h when Eigen's AVX-512 packet
// math is compiled with -march=native (the intrinsics start from _mm512_undefined_*).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <random>
#include <vector>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/ops/activation.hpp"
#include "tinynn/ops/eltwise.hpp"
#include "tinynn/ops/pool.hpp"
#include "tinynn/ops/softmax.hpp"

using namespace tinynn;
using backend::BackendId;

namespace {

std::vector<float> random_floats(std::size_t n) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

bool skip_unavailable(benchmark::State& state, BackendId id) {
  if (backend_available(id)) return false;
  state.SkipWithError("backend not available on this CPU");
  return true;
}

void report(benchmark::State& state, std::size_t elements, std::size_t bytes_per_element) {
  state.counters["Gelem/s"] = benchmark::Counter(
      static_cast<double>(elements) * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(elements * bytes_per_element) * state.iterations());
}

constexpr std::size_t unary_n = 1 << 16;  // 256 KiB in, 256 KiB out: L2-resident

void unary(benchmark::State& state, ops::UnaryOp kind, BackendId id) {
  if (skip_unavailable(state, id)) return;
  const auto x = random_floats(unary_n);
  std::vector<float> y(unary_n);
  const auto p = ops::UnaryParams::of(kind);
  for (auto _ : state) {
    ops::unary::run(id, p, x.data(), y.data(), unary_n);
    benchmark::DoNotOptimize(y.data());
  }
  report(state, unary_n, 8);
}

void unary_eigen(benchmark::State& state, ops::UnaryOp kind) {
  const auto x = random_floats(unary_n);
  std::vector<float> y(unary_n);
  Eigen::Map<const Eigen::ArrayXf> in(x.data(), static_cast<Eigen::Index>(unary_n));
  Eigen::Map<Eigen::ArrayXf> out(y.data(), static_cast<Eigen::Index>(unary_n));
  for (auto _ : state) {
    switch (kind) {
      case ops::UnaryOp::exp: out = in.exp(); break;
      case ops::UnaryOp::tanh: out = in.tanh(); break;
      case ops::UnaryOp::sigmoid: out = in.logistic(); break;
      case ops::UnaryOp::log: out = in.abs().log(); break;
      default: out = in.max(0.0f); break;
    }
    benchmark::DoNotOptimize(y.data());
  }
  report(state, unary_n, 8);
}

void binary_add_bias(benchmark::State& state, BackendId id) {
  if (skip_unavailable(state, id)) return;
  ops::binary::Params p{ops::BinaryOp::add, ops::ActivationParams::relu(), DynShape{1, 56, 56, 64}, DynShape{64}, {}};
  if (!ops::binary::prepare(p).ok()) return;
  const auto a = random_floats(p.a.size()), b = random_floats(64);
  std::vector<float> y(p.output.size());
  for (auto _ : state) {
    ops::binary::run(id, p, a.data(), b.data(), y.data());
    benchmark::DoNotOptimize(y.data());
  }
  report(state, p.output.size(), 8);
}

void maxpool_3x3_s2(benchmark::State& state, BackendId id) {
  if (skip_unavailable(state, id)) return;
  ops::pool2d::Params p;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  p.padding = {1, 1, 1, 1};
  p.input = DynShape{1, 112, 112, 64};  // ResNet-18's stem pooling
  if (!ops::pool2d::prepare(p).ok()) return;
  const auto x = random_floats(p.input.size());
  std::vector<float> y(p.output.size());
  for (auto _ : state) {
    ops::pool2d::run(id, p, x.data(), y.data());
    benchmark::DoNotOptimize(y.data());
  }
  report(state, p.input.size(), 4);
}

void softmax_1000(benchmark::State& state, BackendId id) {
  if (skip_unavailable(state, id)) return;
  ops::softmax::Params p;
  p.shape = DynShape{64, 1000};  // ImageNet classifier heads
  if (!ops::softmax::prepare(p).ok()) return;
  const auto x = random_floats(p.shape.size());
  std::vector<float> y(p.shape.size());
  for (auto _ : state) {
    ops::softmax::run(id, p, x.data(), y.data());
    benchmark::DoNotOptimize(y.data());
  }
  report(state, p.shape.size(), 8);
}

void register_all() {
  const BackendId ids[] = {BackendId::scalar, BackendId::avx2, BackendId::avx512, BackendId::neon, BackendId::sve};
  const std::pair<const char*, ops::UnaryOp> kinds[] = {
      {"relu", ops::UnaryOp::relu}, {"exp", ops::UnaryOp::exp},           {"sigmoid", ops::UnaryOp::sigmoid},
      {"tanh", ops::UnaryOp::tanh}, {"gelu_erf", ops::UnaryOp::gelu_erf}, {"log", ops::UnaryOp::log}};
  for (auto id : ids) {
    if (!backend_available(id)) continue;
    const std::string b(backend::name_of(id));
    for (auto [name, kind] : kinds) {
      benchmark::RegisterBenchmark(("unary/" + std::string(name) + "/" + b).c_str(), unary, kind, id);
    }
    benchmark::RegisterBenchmark(("binary/add_bias_relu_56x56x64/" + b).c_str(), binary_add_bias, id);
    benchmark::RegisterBenchmark(("pool/max3x3s2_112x112x64/" + b).c_str(), maxpool_3x3_s2, id);
    benchmark::RegisterBenchmark(("softmax/64x1000/" + b).c_str(), softmax_1000, id);
  }
  for (auto [name, kind] : kinds) {
    if (kind != ops::UnaryOp::gelu_erf) {
      benchmark::RegisterBenchmark(("unary/" + std::string(name) + "/eigen").c_str(), unary_eigen, kind);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
