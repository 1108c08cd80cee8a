// int8 kernels vs float32 kernels on the same shapes, single thread: the conv-as-GEMM shapes of the
// float GEMM bench (as fully connected: M rows, N outputs, K depth) and ResNet-18's 3x3 convolutions.
// Counters: GOP/s (2 ops per multiply-add), ratio_to_f32 (int8 GOP/s / float32 GFLOP/s of tinynn's
// float kernel on the same shape, same backend), frac_vnni_peak (of this machine's vpdpbusd peak,
// measured in-process). Run: build/release/bench/bench_int8 [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/ops/conv2d.hpp"
#include "tinynn/ops/fully_connected.hpp"
#include "tinynn/ops/quantized/conv2d.hpp"
#include "tinynn/ops/quantized/fully_connected.hpp"

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>
#endif

namespace {

using namespace tinynn;
namespace q = tinynn::ops::quantized;

struct GemmShape {
  std::int32_t m, n, k;
};
// The float bench's conv-as-GEMM shapes (bench/common.hpp conv_gemm_shapes).
constexpr GemmShape gemm_shapes[] = {{12544, 32, 27}, {3136, 64, 576}, {784, 128, 1152}, {196, 256, 2304},
                                     {49, 512, 4608}, {1, 1000, 1280}, {1, 10, 294}};
struct ConvShape {
  std::int32_t h, w, cin, cout, stride;
};
constexpr ConvShape resnet18_conv3x3[] = {
    {56, 56, 64, 64, 1}, {28, 28, 128, 128, 1}, {14, 14, 256, 256, 1}, {7, 7, 512, 512, 1}};

#if TINYNN_HAS_X86_KERNELS
// 12 independent accumulators: enough to cover the latency at 2 vpdpbusd per cycle, and few enough
// that g++ keeps the array in registers (with 24 it kept them on the stack and the loop measured
// a store-forwarding bound, ~0.4 of the real peak).
constexpr int peak_accumulators = 12;

TINYNN_TARGET_AVX512VNNI __attribute__((noinline)) int vnni_loop(std::int64_t iterations) {
  __m512i acc[peak_accumulators];
#pragma GCC unroll 12
  for (int i = 0; i < peak_accumulators; ++i) acc[i] = _mm512_set1_epi32(i);
  const __m512i a = _mm512_set1_epi32(0x01010101), b = _mm512_set1_epi32(0x02020202);
  for (std::int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < peak_accumulators; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
  }
  __m512i sum = acc[0];
#pragma GCC unroll 12
  for (int i = 1; i < peak_accumulators; ++i) sum = _mm512_add_epi32(sum, acc[i]);
  alignas(64) std::int32_t lanes[16];
  _mm512_store_si512(lanes, sum);
  return lanes[0] + lanes[15];
}
#endif

double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

/// GOP/s of a register-only vpdpbusd loop (64 multiply-adds per instruction), best of 15.
double vnni_peak_gops() {
#if TINYNN_HAS_X86_KERNELS
  if (!cpu_features().avx512_vnni) return 0.0;
  double best = 0;
  {
    for (int r = 0; r < 15; ++r) {
      const std::int64_t iterations = 4000000;
      // Thread CPU time, as Google Benchmark's rates use: robust on a shared machine.
      const double t0 = thread_seconds();
      benchmark::DoNotOptimize(vnni_loop(iterations));
      const double s = thread_seconds() - t0;
      best = std::max(best, static_cast<double>(iterations) * peak_accumulators * 64 * 2 / s / 1e9);
    }
    std::printf("measured single-thread vpdpbusd (zmm) peak: %.1f GOP/s (thread CPU time)\n", best);
  }
  return best;
#else
  return 0.0;
#endif
}

template <class T>
std::vector<T> random_values(std::size_t n, int lo, int hi) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(d(rng));
  return v;
}

void bench_fc(benchmark::State& state, GemmShape s, bool int8) {
  const backend::BackendId id = runtime_backend();
  const double ops = 2.0 * s.m * s.n * s.k;
  if (int8) {
    const auto x = random_values<std::int8_t>(static_cast<std::size_t>(s.m) * s.k, -128, 127);
    const auto w = random_values<std::int8_t>(static_cast<std::size_t>(s.n) * s.k, -127, 127);
    std::vector<std::int32_t> bias(static_cast<std::size_t>(s.n), 100), sums(static_cast<std::size_t>(s.n));
    std::vector<q::QuantizedMultiplier> m(static_cast<std::size_t>(s.n), q::quantize_multiplier(0.001));
    const q::FullyConnectedParams p{s.m, s.k, s.n, 3, 0, q::OutputStage{m.data(), true, -5, {-128, 127}}};
    std::vector<std::int8_t> packed(q::packed_weights_bytes(s.n, s.k)), y(static_cast<std::size_t>(s.m) * s.n);
    const auto pw = q::pack_weights(w.data(), s.n, s.k, packed.data(), sums.data());
    std::vector<std::byte> scratch(q::fully_connected_gemm_scratch_bytes(p));
    for (auto _ : state) {
      q::fully_connected(id, p, x.data(), pw, bias.data(), y.data(), scratch.data());
      benchmark::ClobberMemory();
    }
  } else {
    std::vector<float> x(static_cast<std::size_t>(s.m) * s.k, 0.5f), w(static_cast<std::size_t>(s.n) * s.k, 0.25f),
        bias(static_cast<std::size_t>(s.n), 0.0f), y(static_cast<std::size_t>(s.m) * s.n);
    ops::fully_connected::Params p;
    p.batch = s.m;
    p.in_features = s.k;
    p.out_features = s.n;
    std::vector<float> packed(ops::fully_connected::packed_weights_size(p)),
        scratch(ops::fully_connected::scratch_size(p, id) + 1);
    ops::fully_connected::pack_weights(p, w.data(), bias.data(), packed.data());
    for (auto _ : state) {
      ops::fully_connected::run(id, p, x.data(), packed.data(), y.data(), scratch.data());
      benchmark::ClobberMemory();
    }
  }
  state.counters["GOPs"] = benchmark::Counter(ops, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(int8 ? q::gemm_isa(id) : backend::name_of(id).data()));
}

void bench_conv(benchmark::State& state, ConvShape s, bool int8) {
  const backend::BackendId id = runtime_backend();
  const double ops = 2.0 * s.h * s.w * s.cout * 9.0 * s.cin / (s.stride * s.stride);
  if (int8) {
    const auto x = random_values<std::int8_t>(static_cast<std::size_t>(s.h) * s.w * s.cin, -128, 127);
    const auto w = random_values<std::int8_t>(static_cast<std::size_t>(s.cout) * 9 * s.cin, -127, 127);
    std::vector<std::int32_t> bias(static_cast<std::size_t>(s.cout), 100), sums(static_cast<std::size_t>(s.cout));
    std::vector<q::QuantizedMultiplier> m(static_cast<std::size_t>(s.cout), q::quantize_multiplier(0.001));
    const std::int32_t oh = (s.h - 1) / s.stride + 1, ow = (s.w - 1) / s.stride + 1;
    const q::Conv2DParams p{1,
                            s.h,
                            s.w,
                            s.cin,
                            oh,
                            ow,
                            s.cout,
                            3,
                            3,
                            s.stride,
                            s.stride,
                            1,
                            1,
                            {1, 1, 1, 1},
                            3,
                            0,
                            q::OutputStage{m.data(), true, -5, {-128, 127}}};
    std::vector<std::int8_t> packed(q::packed_weights_bytes(s.cout, 9 * s.cin)),
        y(static_cast<std::size_t>(oh) * ow * s.cout);
    const auto pw = q::pack_conv2d_weights(p, w.data(), packed.data(), sums.data());
    std::vector<std::byte> scratch(q::conv2d_gemm_scratch_bytes(p));
    for (auto _ : state) {
      q::conv2d(id, p, x.data(), pw, bias.data(), y.data(), scratch.data());
      benchmark::ClobberMemory();
    }
  } else {
    ops::conv2d::Params p;
    p.in_h = s.h;
    p.in_w = s.w;
    p.in_c = s.cin;
    p.out_c = s.cout;
    p.kernel_h = p.kernel_w = 3;
    p.stride_h = p.stride_w = s.stride;
    p.padding = {1, 1, 1, 1};
    std::vector<float> x(static_cast<std::size_t>(s.h) * s.w * s.cin, 0.5f),
        w(static_cast<std::size_t>(s.cout) * 9 * s.cin, 0.25f);
    std::vector<float> packed(ops::conv2d::packed_weights_size(p)), scratch(ops::conv2d::scratch_size(p, id) + 1),
        y(static_cast<std::size_t>(ops::conv2d::output_h(p) * ops::conv2d::output_w(p) * s.cout));
    ops::conv2d::pack_weights(p, w.data(), nullptr, packed.data());
    for (auto _ : state) {
      ops::conv2d::run(id, p, x.data(), packed.data(), y.data(), scratch.data());
      benchmark::ClobberMemory();
    }
  }
  state.counters["GOPs"] = benchmark::Counter(ops, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(int8 ? q::gemm_isa(id) : backend::name_of(id).data()));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const double peak_before = vnni_peak_gops();
  for (const GemmShape& s : gemm_shapes) {
    char shape[96];
    std::snprintf(shape, sizeof shape, "M%d_N%d_K%d", s.m, s.n, s.k);
    for (const char* kind : {"gemm_f32/", "gemm_int8/"}) {
      std::string name(kind);
      name.append(shape);
      benchmark::RegisterBenchmark(name.c_str(), bench_fc, s, kind[5] == 'i')->Unit(benchmark::kMicrosecond);
    }
  }
  for (const ConvShape& s : resnet18_conv3x3) {
    char shape[96];
    std::snprintf(shape, sizeof shape, "%dx%dx%d_to_%d", s.h, s.w, s.cin, s.cout);
    for (const char* kind : {"conv3x3_f32/", "conv3x3_int8/"}) {
      std::string name(kind);
      name.append(shape);
      benchmark::RegisterBenchmark(name.c_str(), bench_conv, s, kind[8] == 'i')->Unit(benchmark::kMicrosecond);
    }
  }
  // Ratios int8 / f32, and the fraction of the vpdpbusd peak, measured before and after the runs
  // (the best of both: the machine is shared), as a table after the runs.
  struct Reporter : benchmark::ConsoleReporter {
    std::map<std::string, double> f32;
    std::vector<std::pair<std::string, double>> int8;  // name, GOP/s
    void ReportRuns(const std::vector<Run>& runs) override {
      for (const Run& r : runs) {
        const std::string name = r.benchmark_name();
        const std::string kind = name.substr(0, name.find('_')), shape = name.substr(name.find('/') + 1);
        const double gops = r.counters.at("GOPs") / 1e9;
        if (name.find("_f32/") != std::string::npos) {
          f32[kind + "/" + shape] = gops;
        } else {
          int8.emplace_back(name, gops);
        }
      }
      ConsoleReporter::ReportRuns(runs);
    }
  } reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const double peak = std::max(peak_before, vnni_peak_gops());
  std::printf("\nint8 vs float32 (same process, same shapes); vpdpbusd peak %.1f GOP/s\n", peak);
  for (const auto& [name, gops] : reporter.int8) {
    const std::string key = name.substr(0, name.find('_')) + "/" + name.substr(name.find('/') + 1);
    const auto f = reporter.f32.find(key);
    std::printf("  %-36s int8 %7.1f GOP/s  f32 %7.1f GFLOP/s  ratio_to_f32 %5.2fx  frac_vnni_peak %.2f\n", name.c_str(),
                gops, f != reporter.f32.end() ? f->second : 0.0,
                f != reporter.f32.end() && f->second > 0 ? gops / f->second : 0.0, peak > 0 ? gops / peak : 0.0);
  }
  benchmark::Shutdown();
  return 0;
}
