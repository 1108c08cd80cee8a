// Shared by tinynn's benchmarks: this machine's single-thread FP32 FMA peak, measured in-process
// (a tight loop over independent accumulators, AVX-512 and AVX2), the counters every kernel
// benchmark reports (GFLOP/s, fraction of peak, ratio to a baseline), and the shapes from real
// networks (one list, used by every bench/*.cpp).
#pragma once

#include <benchmark/benchmark.h>

#include <time.h>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/config.hpp"

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>
#endif

namespace bench {

#if TINYNN_HAS_X86_KERNELS
// 24 independent accumulators: enough to cover FMA latency x ports on every current x86 core.
TINYNN_TARGET_AVX512 __attribute__((noinline)) inline float fma_loop_avx512(std::int64_t iterations) {
  __m512 acc[24];
  for (int i = 0; i < 24; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  const __m512 x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(1e-7f);
  for (std::int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
  }
  __m512 sum = acc[0];
  for (int i = 1; i < 24; ++i) sum = _mm512_add_ps(sum, acc[i]);
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  return lanes[0] + lanes[15];
}
TINYNN_TARGET_AVX2 __attribute__((noinline)) inline float fma_loop_avx2(std::int64_t iterations) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  const __m256 x = _mm256_set1_ps(0.999f), y = _mm256_set1_ps(1e-7f);
  for (std::int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
  }
  __m256 sum = acc[0];
  for (int i = 1; i < 12; ++i) sum = _mm256_add_ps(sum, acc[i]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  return lanes[0] + lanes[7];
}
#endif

/// This thread's CPU seconds: Google Benchmark's rate counters divide by CPU time, so the peak and
/// the Eigen baselines are timed the same way (on a loaded machine wall time would inflate ratios).
inline double thread_seconds() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// GFLOP/s of the FMA loop, best of `repeats` runs of ~50 ms each (FLOPs = 2 per lane per FMA).
template <class Loop>
double measure_peak(Loop loop, double flops_per_iteration, int repeats = 7) {
  double best = 0.0;
  volatile float sink = 0.0f;
  const std::int64_t iterations = 2'000'000;
  for (int r = 0; r < repeats; ++r) {
    const double start = thread_seconds();
    sink = sink + loop(iterations);
    const double seconds = thread_seconds() - start;
    const double gflops = flops_per_iteration * static_cast<double>(iterations) / seconds * 1e-9;
    if (gflops > best) best = gflops;
  }
  return best;
}

struct Peak {
  double avx512 = 0.0, avx2 = 0.0;
  /// The peak of the best ISA this CPU has (what tinynn's runtime dispatch uses).
  [[nodiscard]] double best() const noexcept { return avx512 > 0.0 ? avx512 : avx2; }
};

/// Measured once per process and printed to stderr.
inline const Peak& fma_peak() {
  static const Peak peak = [] {
    Peak p;
#if TINYNN_HAS_X86_KERNELS
    if (tinynn::cpu_features().avx512) p.avx512 = measure_peak(fma_loop_avx512, 24.0 * 16 * 2);
    if (tinynn::cpu_features().avx2) p.avx2 = measure_peak(fma_loop_avx2, 12.0 * 8 * 2);
#endif
    std::fprintf(stderr, "measured single-thread FP32 FMA peak: AVX-512 %.1f GFLOP/s, AVX2 %.1f GFLOP/s\n", p.avx512,
                 p.avx2);
    return p;
  }();
  return peak;
}

/// Sets GFLOP/s (rate), fraction of the measured peak and, when `baseline_seconds` > 0, the
/// speed-up over the baseline (baseline time / our time) on a finished benchmark.
inline void report(benchmark::State& state, double flops_per_iteration, double peak_gflops,
                   double baseline_seconds_per_iteration = 0.0) {
  state.counters["GFLOPs"] = benchmark::Counter(flops_per_iteration * 1e-9 * static_cast<double>(state.iterations()),
                                                benchmark::Counter::kIsRate);
  // Fraction of peak and ratio need the per-iteration time; Google Benchmark gives it only after
  // the run, so they are computed from the same counters: kIsRate divides by the elapsed seconds.
  state.counters["peak_frac"] = benchmark::Counter(
      flops_per_iteration * 1e-9 / peak_gflops * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  if (baseline_seconds_per_iteration > 0.0) {
    state.counters["x_eigen"] = benchmark::Counter(
        baseline_seconds_per_iteration * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  }
}

/// Best CPU seconds per call of `f` (min over several timed batches) — for baselines measured inline.
template <class F>
double time_best(F&& f, double budget_seconds = 0.3) {
  f();  // warm up
  double best = 1e30;
  const double begin = thread_seconds();
  int batch = 1;
  while (thread_seconds() - begin < budget_seconds) {
    const double start = thread_seconds();
    for (int i = 0; i < batch; ++i) f();
    const double per = (thread_seconds() - start) / batch;
    if (per < best) best = per;
    if (per * batch < 0.01) batch *= 2;
  }
  return best;
}

// ---- Shapes from real networks (issue 3) ----
struct GemmShape {
  std::int64_t m, n, k;
};
/// Square SGEMM sizes.
inline constexpr std::int64_t square_sizes[] = {64, 128, 256, 384, 512, 768, 1024};
/// Convolutions as GEMM (M = output pixels, N = output channels, K = kh*kw*cin).
inline constexpr GemmShape conv_gemm_shapes[] = {{12544, 32, 27}, {3136, 64, 576}, {784, 128, 1152}, {196, 256, 2304},
                                                 {49, 512, 4608}, {1, 1000, 1280}, {1, 10, 294}};
struct DepthwiseShape {
  std::int64_t h, w, c;
  int stride;
};
/// MobileNetV2's depthwise 3x3 layers (input size, channels, stride).
inline constexpr DepthwiseShape mobilenet_v2_depthwise[] = {
    {112, 112, 32, 1}, {56, 56, 144, 2}, {28, 28, 192, 1}, {14, 14, 384, 1}, {7, 7, 960, 1}};
struct ConvShape {
  std::int64_t h, w, cin, cout;
  int stride;
};
/// ResNet-18's 3x3 convolutions (input size, channels, stride; padding 1).
inline constexpr ConvShape resnet18_conv3x3[] = {{56, 56, 64, 64, 1},   {56, 56, 64, 128, 2},  {28, 28, 128, 128, 1},
                                                 {28, 28, 128, 256, 2}, {14, 14, 256, 256, 1}, {14, 14, 256, 512, 2},
                                                 {7, 7, 512, 512, 1}};

}  // namespace bench
