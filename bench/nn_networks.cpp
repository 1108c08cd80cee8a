// Latency of the reference static networks (nn/zoo.hpp) per backend, random weights.
// Counters: MACs, parameter and arena bytes, GFLOP/s, and the ratio to ONNX Runtime 1.30 at one
// thread on the same machine (issue 4: 0.026 ms SimpLeNet-v1, 0.16 ms CIFAR-10 CNN, 0.047 ms DS-CNN;
// target <= 0.25).
//   build/release/bench/bench_nn_networks --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <ctime>
#include <memory>
#include <random>
#include <span>
#include <string>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/nn.hpp"

namespace {

using namespace tinynn;
namespace zoo = tinynn::nn::zoo;

template <class Net>
struct Model {
  std::unique_ptr<typename Net::Params> params = std::make_unique<typename Net::Params>();
  Tensor<f32, typename Net::input_shape> x;
  Model() {
    auto trained = std::make_unique<typename Net::Trained>();
    std::mt19937 engine(7);
    std::uniform_real_distribution<float> dist(-0.2f, 0.2f);
    std::span<float> all(reinterpret_cast<float*>(trained.get()), sizeof(typename Net::Trained) / sizeof(float));
    for (float& v : all) v = dist(engine);
    for (float& v : x.storage) v = dist(engine) * 5.0f;
    // (Negative BatchNorm variances fold to a zero scale: harmless for timing.)
    Net::fold_into(*trained, *params);
  }
};

template <class Net, class Backend>
void run_network(benchmark::State& state, double onnxruntime_ms) {
  if constexpr (!std::is_same_v<Backend, backend::scalar>) {
    if (!backend_available(backend::id_of<Backend>)) {
      state.SkipWithError("the CPU lacks this backend");
      return;
    }
  }
  static Model<Net> model;
  auto arena = std::make_unique<typename Net::template ArenaFor<Backend>>();
  const std::clock_t start = std::clock();  // CPU time: the machine is shared, wall time is noisy
  for (auto _ : state) {
    auto y = Net::template run<Backend>(*model.params, model.x, *arena);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  const double cpu_ms_per_run =
      static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC * 1e3 / static_cast<double>(state.iterations());
  state.counters["MACs"] = static_cast<double>(Net::macs);
  state.counters["param_bytes"] = static_cast<double>(Net::param_bytes);
  state.counters["arena_bytes"] = static_cast<double>(Net::template arena_bytes_for<Backend>);
  state.counters["GFLOPs"] =
      benchmark::Counter(2.0 * static_cast<double>(Net::macs), benchmark::Counter::kIsIterationInvariantRate);
  if (onnxruntime_ms > 0) state.counters["x_onnxruntime"] = cpu_ms_per_run / onnxruntime_ms;
}

template <class Net>
void register_network(const char* name, double onnxruntime_ms) {
  auto add = [&](const char* backend, auto tag) {
    using B = decltype(tag);
    benchmark::RegisterBenchmark((std::string(name) + "/" + backend).c_str(), [onnxruntime_ms](benchmark::State& s) {
      run_network<Net, B>(s, onnxruntime_ms);
    })->Unit(benchmark::kMicrosecond);
  };
  add("scalar", backend::scalar{});
#if TINYNN_HAS_X86_KERNELS
  add("avx2", backend::avx2{});
  add("avx512", backend::avx512{});
#endif
  if constexpr (!std::is_same_v<backend::native, backend::scalar>) add("native", backend::native{});
}

}  // namespace

int main(int argc, char** argv) {
  register_network<zoo::SimpLeNetV1>("SimpLeNet-v1", 0.026);
  register_network<zoo::Cifar10Cnn>("CIFAR10-CNN", 0.16);
  register_network<zoo::DsCnnKws>("DS-CNN-KWS", 0.047);
  register_network<zoo::MobileNetV2_035_96>("MobileNetV2-0.35-96", 0.0);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
