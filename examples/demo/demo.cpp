// tinynn demo (scripts/demo.sh): runs real networks and prints their predictions and the time per
// inference. Sections:
//   1. Static network: SimpLeNet-v1 as a C++ type with trained weights folded and packed at compile time.
//   2. Runtime graph: the bundled ONNX model tests/data/tiny_cnn.onnx loaded, compiled and run, checked
//      against its stored reference output; then, where ../shared/models is present, real models.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "simplenet_digits.hpp"
#include "tinynn/formats/npy.hpp"
#include "tinynn/runtime.hpp"
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
// 2. Runtime graph: a model file loaded at run time (format found by content), compiled once
//    (shape inference, folding, fusion, NHWC layout, one planned arena), run, and compared with the
//    reference output stored beside it.
// ================================================================================================

/// Loads `model_path`, runs it on `input_path`, compares with `reference_path`; false on any error.
bool run_model_file(const std::string& model_path, const std::string& input_path, const std::string& reference_path) {
  const auto load_start = std::chrono::steady_clock::now();
  auto model = tinynn::load(model_path);
  if (!model) {
    std::printf("   %s\n", model.error().message());
    return false;
  }
  auto session = model->compile({.threads = 1});
  if (!session) {
    std::printf("   %s\n", session.error().message());
    return false;
  }
  const double create_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - load_start).count();
  auto input = formats::npy::load(input_path);
  auto reference = formats::npy::load(reference_path);
  if (!input || !reference) {
    std::printf("   %s\n", (!input ? input.error() : reference.error()).message());
    return false;
  }
  const TensorRef inputs[] = {input->ref()};
  if (auto status = session->run_positional(inputs); !status) {
    std::printf("   %s\n", status.message());
    return false;
  }
  const TensorRef out = session->output(0);
  const float* got = out.data_as<const float>();
  const auto* want = reinterpret_cast<const float*>(reference->data.data());
  if (out.dtype != DType::f32 || out.size() != reference->shape.size()) {
    std::printf("   output has %zu values, the reference %zu\n", out.size(), reference->shape.size());
    return false;
  }
  double max_error = 0, max_magnitude = 0;
  for (std::size_t k = 0; k < out.size(); ++k) {
    max_error = std::max(max_error, static_cast<double>(std::fabs(got[k] - want[k])));
    max_magnitude = std::max(max_magnitude, static_cast<double>(std::fabs(want[k])));
  }
  const double ms = median_us(50, [&] { (void)session->run_positional(inputs); }) / 1000.0;
  const std::string name = model_path.substr(model_path.find_last_of('/') + 1);
  std::printf(
      "   %-20s output %s top-1 %zu (reference %zu), max |error| %.2e of max %.2e, %.3f ms per inference, "
      "load+compile %.1f ms, arena %zu bytes\n",
      name.c_str(), out.shape.str().view().data(), argmax(got, out.size()), argmax(want, out.size()), max_error,
      max_magnitude, ms, create_ms, session->arena_bytes());
  return max_error <= 1e-4 * std::max(max_magnitude, 1.0);
}

bool runtime_graph_section() {
  std::printf("2. runtime graph: models loaded from files\n");
  const std::string data = std::string(TINYNN_SOURCE_DIR) + "/tests/data/";
  bool ok = run_model_file(data + "tiny_cnn.onnx", data + "tiny_cnn.input_0.npy", data + "tiny_cnn.output_0.npy");
  const std::string models = std::string(TINYNN_MODELS_DIR) + "/onnx/";
  if (!formats::npy::load(models + "simplenet_v1.input_0.npy")) {
    std::printf("   (%s is absent: the shared real-model examples are skipped)\n", models.c_str());
    return ok;
  }
  for (const char* name : {"simplenet_v1", "kws_dscnn_s", "kws_gru", "mobilenet_v2", "resnet18"}) {
    ok &=
        run_model_file(models + name + ".onnx", models + name + ".input_0.npy", models + name + ".torch_output_0.npy");
  }
  return ok;
}

}  // namespace

int main() {
  std::printf("tinynn demo\n");
  static_network_section();
  const bool graphs_ok = runtime_graph_section();
  return graphs_ok ? 0 : 1;
}
