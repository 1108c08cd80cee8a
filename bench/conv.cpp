// Convolutions: MobileNetV2's depthwise 3x3 layers (GFLOP/s, fraction of the measured FMA peak and
// bytes/s, since they are memory bound) and ResNet-18's 3x3 convolutions (implicit GEMM; GFLOP/s,
// fraction of peak, and the ratio to Eigen running the same convolution as an im2col GEMM, im2col
// excluded from Eigen's time). Counting: a multiply-add is 2 FLOPs; bytes = input + output + weights.
//   taskset -c 1 build/release/bench/bench_conv --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // Eigen 3.4's AVX-512 kernels under GCC 12 -O3
#include <Eigen/Core>
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common.hpp"
#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/ops/conv2d.hpp"
#include "tinynn/ops/depthwise_conv2d.hpp"

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using tinynn::backend::BackendId;

std::vector<float> random_vector(std::size_t n) {
  std::mt19937 rng(static_cast<unsigned>(n));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

/// 64-byte aligned float buffer (std::vector's allocator only guarantees 16 bytes).
struct AlignedFree {
  void operator()(float* p) const noexcept { std::free(p); }
};
struct AlignedFloats {
  std::unique_ptr<float[], AlignedFree> data_;
  [[nodiscard]] float* data() const noexcept { return data_.get(); }
};
AlignedFloats aligned_random(std::size_t n) {
  const std::vector<float> values = random_vector(n);
  AlignedFloats a{std::unique_ptr<float[], AlignedFree>(
      static_cast<float*>(std::aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64 + 64)))};
  std::copy(values.begin(), values.end(), a.data());
  return a;
}

double peak_for(BackendId id) { return id == BackendId::avx2 ? bench::fma_peak().avx2 : bench::fma_peak().best(); }

void bench_depthwise(benchmark::State& state, BackendId id, bench::DepthwiseShape shape) {
  if (!tinynn::backend_available(id)) {
    state.SkipWithError("backend not available on this CPU");
    return;
  }
  namespace dw = tinynn::ops::depthwise_conv2d;
  dw::Params p;
  p.in_h = shape.h;
  p.in_w = shape.w;
  p.channels = shape.c;
  p.stride_h = p.stride_w = shape.stride;
  p.padding_mode = tinynn::ops::PaddingMode::same_upper;
  p.activation = tinynn::ops::ActivationParams::relu6();
  // Tensors are 64-byte aligned as tinynn's arenas align them (tensor_alignment); a plain
  // std::vector (16-byte aligned) makes every vector load straddle two cache lines.
  const AlignedFloats input = aligned_random(static_cast<std::size_t>(shape.h * shape.w * shape.c));
  const std::vector<float> weights = random_vector(static_cast<std::size_t>(9 * shape.c));
  const std::vector<float> bias = random_vector(static_cast<std::size_t>(shape.c));
  AlignedFloats packed = aligned_random(dw::packed_weights_size(p));
  dw::pack_weights(p, weights.data(), bias.data(), packed.data());
  const std::int64_t out_pixels = dw::output_h(p) * dw::output_w(p);
  AlignedFloats output = aligned_random(static_cast<std::size_t>(out_pixels * shape.c));
  for (auto _ : state) {
    dw::run(id, p, input.data(), packed.data(), output.data());
    benchmark::DoNotOptimize(output.data());
  }
  bench::report(state, 2.0 * 9 * out_pixels * shape.c, peak_for(id));
  // Memory bound: bytes = input + output + weights and bias, per run (bytes_per_second and GBps).
  const auto bytes =
      static_cast<std::int64_t>(sizeof(float)) * (shape.h * shape.w * shape.c + out_pixels * shape.c + 10 * shape.c);
  state.SetBytesProcessed(bytes * static_cast<std::int64_t>(state.iterations()));
  state.counters["GBps"] = benchmark::Counter(
      static_cast<double>(bytes) * 1e-9 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

/// Eigen's seconds for the same convolution as a GEMM [pixels x 9*cin] * [9*cin x cout].
double eigen_conv_seconds(std::int64_t pixels, std::int64_t depth, std::int64_t cout) {
  RowMatrix a = RowMatrix::Random(pixels, depth), b = RowMatrix::Random(depth, cout), c(pixels, cout);
  return bench::time_best([&] {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  });
}

void bench_conv3x3(benchmark::State& state, BackendId id, bench::ConvShape shape) {
  if (!tinynn::backend_available(id)) {
    state.SkipWithError("backend not available on this CPU");
    return;
  }
  namespace conv = tinynn::ops::conv2d;
  conv::Params p;
  p.in_h = shape.h;
  p.in_w = shape.w;
  p.in_c = shape.cin;
  p.out_c = shape.cout;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = shape.stride;
  p.padding = {1, 1, 1, 1};
  p.activation = tinynn::ops::ActivationParams::relu();
  const std::vector<float> input = random_vector(static_cast<std::size_t>(shape.h * shape.w * shape.cin));
  const std::vector<float> weights = random_vector(static_cast<std::size_t>(9 * shape.cin * shape.cout));
  std::vector<float> packed(conv::packed_weights_size(p));
  conv::pack_weights(p, weights.data(), nullptr, packed.data());
  const std::int64_t out_pixels = conv::output_h(p) * conv::output_w(p);
  std::vector<float> output(static_cast<std::size_t>(out_pixels * shape.cout));
  std::vector<float> scratch(conv::scratch_size(p, id) + 1);
  const double baseline = eigen_conv_seconds(out_pixels, 9 * shape.cin, shape.cout);
  for (auto _ : state) {
    conv::run(id, p, input.data(), packed.data(), output.data(), scratch.data());
    benchmark::DoNotOptimize(output.data());
  }
  bench::report(state, 2.0 * 9 * shape.cin * shape.cout * out_pixels, peak_for(id), baseline);
}

std::string depthwise_name(const bench::DepthwiseShape& s) {
  return std::to_string(s.h) + "x" + std::to_string(s.w) + "x" + std::to_string(s.c) + "_s" + std::to_string(s.stride);
}
std::string conv_name(const bench::ConvShape& s) {
  return std::to_string(s.h) + "x" + std::to_string(s.w) + "x" + std::to_string(s.cin) + "_to" +
         std::to_string(s.cout) + "_s" + std::to_string(s.stride);
}

}  // namespace

int main(int argc, char** argv) {
  (void)bench::fma_peak();
  for (BackendId id : {BackendId::avx512, BackendId::avx2, BackendId::scalar}) {
    const std::string backend(tinynn::backend::name_of(id));
    for (const bench::DepthwiseShape& s : bench::mobilenet_v2_depthwise) {
      benchmark::RegisterBenchmark(("depthwise3x3_" + backend + "/mobilenet_v2/" + depthwise_name(s)).c_str(),
                                   bench_depthwise, id, s)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  for (BackendId id : {BackendId::avx512, BackendId::avx2}) {
    const std::string backend(tinynn::backend::name_of(id));
    for (const bench::ConvShape& s : bench::resnet18_conv3x3) {
      benchmark::RegisterBenchmark(("conv3x3_" + backend + "/resnet18/" + conv_name(s)).c_str(), bench_conv3x3, id, s)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
