// SGEMM: tinynn (packed B prepared once, as graphs and static networks do) against Eigen 3.4 in the
// same process, on square sizes and the conv-as-GEMM shapes of real networks. Counters: GFLOPs,
// peak_frac (of the FMA peak measured in-process, bench/common.hpp), x_eigen (Eigen time / ours).
//   taskset -c 1 build/release/bench/bench_gemm --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
// Eigen 3.4's AVX-512 GEMM kernel trips GCC 12's -Wmaybe-uninitialized (_mm512_undefined_* inside
// its packet loads) when inlined at -O3 -march=native; the warning is about Eigen, not this file.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Core>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "common.hpp"
#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/ops/gemm.hpp"

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

std::vector<float> random_vector(std::size_t n) {
  std::mt19937 rng(static_cast<unsigned>(n));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

/// Eigen's seconds per SGEMM of this shape (cached: measured once per shape).
double eigen_seconds(std::int64_t m, std::int64_t n, std::int64_t k) {
  static std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, double> cache;
  const auto key = std::make_tuple(m, n, k);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  RowMatrix a = RowMatrix::Random(m, k), b = RowMatrix::Random(k, n), c(m, n);
  const double seconds = bench::time_best([&] {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  });
  cache[key] = seconds;
  return seconds;
}

void bench_eigen(benchmark::State& state, std::int64_t m, std::int64_t n, std::int64_t k) {
  RowMatrix a = RowMatrix::Random(m, k), b = RowMatrix::Random(k, n), c(m, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  bench::report(state, 2.0 * m * n * k, bench::fma_peak().best());
}

void bench_tinynn(benchmark::State& state, tinynn::backend::BackendId id, std::int64_t m, std::int64_t n,
                  std::int64_t k) {
  if (!tinynn::backend_available(id)) {
    state.SkipWithError("backend not available on this CPU");
    return;
  }
  tinynn::ops::gemm::Params p;
  p.m = m;
  p.n = n;
  p.k = k;
  const std::vector<float> a = random_vector(static_cast<std::size_t>(m * k));
  const std::vector<float> b = random_vector(static_cast<std::size_t>(k * n));
  std::vector<float> packed(tinynn::ops::gemm::packed_weights_size(p));
  tinynn::ops::gemm::pack_weights(p, b.data(), tinynn::ops::gemm::WeightLayout::kn, nullptr, packed.data());
  std::vector<float> scratch(tinynn::ops::gemm::scratch_size(p, id) + 1);
  std::vector<float> c(static_cast<std::size_t>(m * n));
  const double baseline = eigen_seconds(m, n, k);
  for (auto _ : state) {
    tinynn::ops::gemm::run(id, p, a.data(), packed.data(), c.data(), scratch.data());
    benchmark::DoNotOptimize(c.data());
  }
  const double peak = id == tinynn::backend::BackendId::avx2 ? bench::fma_peak().avx2 : bench::fma_peak().best();
  bench::report(state, 2.0 * m * n * k, peak, baseline);
}

void register_shape(const std::string& label, std::int64_t m, std::int64_t n, std::int64_t k) {
  using tinynn::backend::BackendId;
  const std::string shape = label + "/M" + std::to_string(m) + "_N" + std::to_string(n) + "_K" + std::to_string(k);
  benchmark::RegisterBenchmark(("eigen/" + shape).c_str(), bench_eigen, m, n, k)->Unit(benchmark::kMicrosecond);
  for (BackendId id : {BackendId::avx512, BackendId::avx2}) {
    benchmark::RegisterBenchmark(("tinynn_" + std::string(tinynn::backend::name_of(id)) + "/" + shape).c_str(),
                                 bench_tinynn, id, m, n, k)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  (void)bench::fma_peak();
  for (std::int64_t s : bench::square_sizes) register_shape("square", s, s, s);
  for (const bench::GemmShape& s : bench::conv_gemm_shapes) register_shape("conv", s.m, s.n, s.k);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
