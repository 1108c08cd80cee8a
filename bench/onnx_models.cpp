// Whole-model benchmarks of runtime graphs: single-thread inference latency and session creation
// (load + compile) of every model in TINYNN_MODELS_DIR/onnx. The ONNX Runtime comparison (same
// models, same machine, one run) is bench/ort_compare.sh.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tinynn/runtime.hpp"

namespace {

void run_model(benchmark::State& state, const std::string& base) {
  auto model = tinynn::load(base + ".onnx");
  if (!model) return state.SkipWithError(model.error().message());
  auto session = model->compile();
  if (!session) return state.SkipWithError(session.error().message());
  auto input = tinynn::formats::npy::load(base + ".input_0.npy");
  if (!input) return state.SkipWithError(input.error().message());
  const tinynn::TensorRef ref = input->ref();
  for (auto _ : state) {
    if (!session->run_positional(std::span<const tinynn::TensorRef>(&ref, 1))) state.SkipWithError("run failed");
  }
  state.counters["arena_bytes"] = static_cast<double>(session->arena_bytes());
}

void create_session(benchmark::State& state, const std::string& base) {
  for (auto _ : state) {
    auto model = tinynn::load(base + ".onnx");
    if (!model) return state.SkipWithError(model.error().message());
    auto session = model->compile();
    benchmark::DoNotOptimize(session);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path folder = std::filesystem::path(TINYNN_MODELS_DIR) / "onnx";
  if (std::filesystem::is_directory(folder)) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      if (entry.path().extension() == ".onnx") names.push_back(entry.path().stem().string());
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string base = (folder / name).string();
      benchmark::RegisterBenchmark(("run/" + name).c_str(), run_model, base)->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark(("create/" + name).c_str(), create_session, base)->Unit(benchmark::kMillisecond);
    }
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
