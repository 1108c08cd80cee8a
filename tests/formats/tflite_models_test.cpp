// Every shared TFLite model with a reference output, imported (formats/tflite.hpp), compiled and run
// through the runtime graph, compared with each reference it has (SOURCES.md: Arm NN, LiteRT,
// numpy). Float: max |diff| <= 1e-4 of the output's max magnitude. int8/uint8: within the model's
// LSB tolerance below and the same top-1 for classifiers; the exact distribution of differences is
// printed per model and reference. Skipped (reported) where TINYNN_MODELS_DIR is absent.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "int8/reference.hpp"
#include "tinynn/formats/load.hpp"
#include "tinynn/formats/npy.hpp"
#include "tinynn/formats/tflite.hpp"
#include "tinynn/graph/op/tensor.hpp"
#include "tinynn/graph/session.hpp"

using namespace tinynn;

namespace {

std::filesystem::path models_dir() {
  const char* env = std::getenv("TINYNN_MODELS_DIR");
  return env ? std::filesystem::path(env) / "tflite" : std::filesystem::path();
}

struct Expectation {
  const char* model;
  double lsb_tolerance;                  // integer outputs: max |diff| allowed against every reference
  bool classifier;                       // same top-1 as every reference
  const char* skip_reference = nullptr;  // a reference computed differently (see SOURCES.md)
  double pixel_agreement = 1.0;          // int64 label maps: fraction of equal labels required
};

// Tolerances: the two engines themselves differ by up to 7 LSB on mobilenet_v2 and by 1 LSB on
// several others (SOURCES.md); tinynn follows TFLite's reference integer arithmetic (double rounding).
constexpr Expectation expectations[] = {
    {"hello_world_float", 0, false},
    {"trained_lstm", 0, true},  // numpy float LSTM reference only
    {"hello_world_int8", 1, false},
    {"micro_speech_quantized", 1, true},
    {"person_detect", 1, true},
    {"simple_add_model", 1, false},
    {"mobilenet_v2_quantized_1x3x224x224", 12, true},
    {"kws_ref_model_float32", 0, true, "litert"},  // LiteRT runs hybrid kernels (quantized activations)
    {"kws_ref_model", 1, true},
    {"vww_96_float", 0, true},
    {"vww_96_int8", 1, true},
    {"pretrainedResnet", 0, true},
    {"pretrainedResnet_quant", 1, true},
    {"ad01_fp32", 0, false},
    {"ad01_int8", 1, false},
    {"str_ww_ref_model", 1, true},
    {"mobilenet_v1_0.25_128_quant", 8, true},
    {"split_concat", 0, false},
    {"deeplabv3_mnv2_dm05_pascal_quant", 0, false, nullptr, 0.985},
};

/// A .npy file through the library's reader (formats/npy.hpp), or nothing when it is absent.
std::optional<formats::npy::Array> read_npy(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  auto array = formats::npy::load(path.string());
  if (!array) return std::nullopt;
  return std::move(*array);
}

double element(const TensorRef& t, std::size_t i) { return graph::op::load_as_double(t.dtype, t.data, i); }

/// Compares output `o` of model `e` with one reference: float within 1e-4 of the largest magnitude,
/// integers within the model's LSB tolerance (label maps: the agreeing fraction), classifiers the same
/// top-1; prints the distribution of differences.
void compare_with_reference(const Expectation& e, std::size_t o, const std::string& which, const TensorRef& mine,
                            const TensorRef& reference) {
  REQUIRE(reference.size() == mine.size());
  const bool is_float = reference.dtype == DType::f32;
  double max_diff = 0, max_ref = 0;
  std::size_t top_mine = 0, top_ref = 0, equal = 0;
  std::map<long, std::size_t> histogram;
  for (std::size_t i = 0; i < reference.size(); ++i) {
    const double m = element(mine, i), r = element(reference, i);
    const double d = std::fabs(m - r);
    max_diff = std::max(max_diff, d);
    max_ref = std::max(max_ref, std::fabs(r));
    if (!is_float) ++histogram[std::lround(d)];
    equal += d == 0;
    if (m > element(mine, top_mine)) top_mine = i;
    if (r > element(reference, top_ref)) top_ref = i;
  }
  std::string distribution;
  for (auto [lsb, count] : histogram) distribution += " " + std::to_string(lsb) + "LSB:" + std::to_string(count);
  MESSAGE(std::string(e.model), " output ", o, " vs ", which, ": max|diff| ", max_diff, " (max|ref| ", max_ref, ")",
          is_float ? std::string() : ", |diff| histogram" + distribution);
  if (is_float) {
    CHECK(max_diff <= 1e-4 * max_ref);
  } else if (reference.dtype == DType::i64) {
    CHECK(static_cast<double>(equal) >= e.pixel_agreement * static_cast<double>(reference.size()));
  } else {
    CHECK(max_diff <= e.lsb_tolerance);
  }
  if (e.classifier) CHECK(top_mine == top_ref);
}

std::shared_ptr<std::vector<std::uint8_t>> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::make_shared<std::vector<std::uint8_t>>(std::istreambuf_iterator<char>(in),
                                                     std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("tflite models: outputs match the Arm NN / LiteRT / numpy references") {
  const auto dir = models_dir();
  if (dir.empty() || !std::filesystem::exists(dir)) {
    MESSAGE("skipped: TINYNN_MODELS_DIR/tflite not found");
    return;
  }
  for (const Expectation& e : expectations) {
    const std::string base = (dir / e.model).string();
    INFO("model ", std::string(e.model));
    const auto bytes = read_bytes(base + ".tflite");
    auto graph = formats::tflite::import(*bytes, std::string(e.model) + ".tflite", bytes);
    REQUIRE_MESSAGE(graph.ok(), graph.error().message());
    auto session = compile(*graph, {});
    REQUIRE_MESSAGE(session.ok(), session.error().message());
    std::vector<formats::npy::Array> inputs;
    std::vector<TensorRef> refs;
    for (std::size_t i = 0; i < session->input_count(); ++i) {
      auto input = read_npy(base + ".input_" + std::to_string(i) + ".npy");
      REQUIRE(input);
      const TensorInfo& info = session->input_info(i);
      REQUIRE(input->shape.size() * dtype_size(input->dtype) == info.shape.size() * dtype_size(info.dtype));
      inputs.push_back(std::move(*input));
      refs.emplace_back(info.dtype, info.shape, inputs.back().data.data());
    }
    const Status run = session->run_positional(refs);
    REQUIRE_MESSAGE(run.ok(), run.message());
    int compared = 0;
    for (std::size_t o = 0; o < session->output_count(); ++o) {
      for (const char* which : {"armnn", "litert", "numpy"}) {
        if (e.skip_reference && std::string(which) == e.skip_reference) continue;
        const auto reference = read_npy(base + "." + which + "_output_" + std::to_string(o) + ".npy");
        if (!reference) continue;
        compare_with_reference(e, o, which, session->output(o), reference->ref());
        ++compared;
      }
    }
    CHECK(compared > 0);
  }
}

TEST_CASE("tflite models: unsupported operators are all listed in one error") {
  const auto dir = models_dir();
  if (dir.empty() || !std::filesystem::exists(dir / "audio_preprocessor_int8.tflite")) {
    MESSAGE("skipped: TINYNN_MODELS_DIR/tflite not found");
    return;
  }
  const auto bytes = read_bytes(dir / "audio_preprocessor_int8.tflite");
  auto graph = formats::tflite::import(*bytes, "audio_preprocessor_int8.tflite", bytes);
  REQUIRE_FALSE(graph.ok());
  const std::string message = graph.error().message();
  MESSAGE(message);
  for (const char* name :
       {"CUSTOM:SignalWindow", "CUSTOM:SignalFftAutoScale", "CUSTOM:SignalRfft", "CUSTOM:SignalEnergy",
        "CUSTOM:SignalFilterBank ", "CUSTOM:SignalFilterBankSquareRoot", "CUSTOM:SignalFilterBankSpectralSubtraction",
        "CUSTOM:SignalPCAN", "CUSTOM:SignalFilterBankLog"}) {
    CHECK_MESSAGE(message.find(name) != std::string::npos, name);
  }
  CHECK(message.find("audio_preprocessor_int8.tflite") == 0);
}

TEST_CASE("tflite models: person_detect's per-channel biases with quantized_dimension 3 run (as in TFLite Micro)") {
  const auto dir = models_dir();
  if (dir.empty() || !std::filesystem::exists(dir / "person_detect.tflite")) {
    MESSAGE("skipped: TINYNN_MODELS_DIR/tflite not found");
    return;
  }
  const auto bytes = read_bytes(dir / "person_detect.tflite");
  auto graph = formats::tflite::import(*bytes, "person_detect.tflite", bytes);
  REQUIRE(graph.ok());
  int per_channel_biases = 0;
  for (const auto& v : graph->values) {
    if (v.dtype == DType::i32 && v.channel_quant && v.shape.rank() == 1) {
      CHECK(v.channel_quant->axis == 0);
      ++per_channel_biases;
    }
  }
  CHECK(per_channel_biases > 0);
  auto session = compile(*graph, {});
  REQUIRE_MESSAGE(session.ok(), session.error().message());
  // person.bmp's pixels as int8 (the stored input) give "person"; the model's own upstream check.
  const auto input = read_npy(dir / "person_detect.input_0.npy");
  REQUIRE(input);
  REQUIRE(session
              ->run_positional(
                  std::vector<TensorRef>{TensorRef(DType::qi8, session->input_info(0).shape, input->data.data())})
              .ok());
  const auto* scores = static_cast<const std::int8_t*>(session->output(0).data);
  CHECK(scores[1] > scores[0]);
}

TEST_CASE("tflite models: tinynn::load() detects TFLite by content (also from memory, under any name)") {
  const auto dir = models_dir();
  if (dir.empty() || !std::filesystem::exists(dir / "person_detect.tflite")) {
    MESSAGE("skipped: TINYNN_MODELS_DIR/tflite not found");
    return;
  }
  auto model = load((dir / "person_detect.tflite").string());
  REQUIRE_MESSAGE(model.ok(), model.error().message());
  auto session = model->compile();
  REQUIRE(session.ok());
  const auto input = read_npy(dir / "person_detect.input_0.npy");
  REQUIRE(input);
  REQUIRE(session
              ->run_positional(
                  std::vector<TensorRef>{TensorRef(DType::qi8, session->input_info(0).shape, input->data.data())})
              .ok());
  const auto* scores = static_cast<const std::int8_t*>(session->output(0).data);
  CHECK(scores[0] == -113);  // both references (SOURCES.md)
  CHECK(scores[1] == 113);
  const auto bytes = read_bytes(dir / "hello_world_int8.tflite");
  auto from_memory = load_from_memory(*bytes, bytes, "model.onnx");  // the name does not decide the format
  REQUIRE_MESSAGE(from_memory.ok(), from_memory.error().message());
  CHECK(from_memory->graph().nodes.size() == 3);
  CHECK(from_memory->graph().nodes[0].domain == "tflite");
}

// Inputs the TFLite fuzz target (fuzz/tflite_fuzz.cpp: import + compile + run) once crashed on, as
// byte patches of shared models: both reached a left shift >= 32 in multiply_by_quantized_multiplier
// (hostile scales; defined since a6079de). They must import, compile and run, or fail with a
// message; under the asan preset any undefined behaviour fails the test.
TEST_CASE("tflite fuzz regressions: patched shared models run or fail cleanly") {
  const auto dir = models_dir();
  if (dir.empty() || !std::filesystem::exists(dir)) {
    MESSAGE("skipped: TINYNN_MODELS_DIR/tflite not found");
    return;
  }
  struct Patch {
    std::size_t at;
    std::uint8_t value;
  };
  struct Case {
    const char* model;
    std::vector<Patch> patches;
  };
  const Case cases[] = {
      {"hello_world_int8",
       {{1569, 0x43}, {1570, 0x4f}, {1571, 0x4e}, {1572, 0x56}, {1573, 0x5f}, {1574, 0x32}, {1575, 0x44}}},
      {"kws_ref_model",
       {{16337, 0x0e},
        {16338, 0xd5},
        {20485, 0x17},
        {30996, 0xf4},
        {30997, 0x5b},
        {30998, 0x0c},
        {30999, 0x58},
        {31000, 0xff},
        {31001, 0x7f},
        {31002, 0x00},
        {31003, 0x00},
        {31364, 0x38},
        {31690, 0x04}}},
  };
  for (const Case& c : cases) {
    INFO("model ", std::string(c.model));
    const auto bytes = read_bytes(dir / (std::string(c.model) + ".tflite"));
    for (const Patch& p : c.patches) {
      REQUIRE(p.at < bytes->size());
      (*bytes)[p.at] = p.value;
    }
    auto graph = formats::tflite::import(*bytes, c.model, bytes);
    if (!graph) {
      CHECK(!std::string(graph.error().message()).empty());
      continue;
    }
    CompileOptions options;
    options.max_arena_bytes = std::size_t{64} << 20;
    auto session = compile(*graph, options);
    if (!session) {
      CHECK(!std::string(session.error().message()).empty());
      continue;
    }
    std::vector<std::vector<std::uint8_t>> inputs(session->input_count());
    std::vector<TensorRef> refs;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const auto& info = session->input_info(i);
      inputs[i].assign(info.shape.size() * dtype_size(info.dtype), 0);
      refs.emplace_back(info.dtype, info.shape, inputs[i].data());
    }
    CHECK(session->run_positional(refs).ok());
  }
}

namespace {

/// TFLite's int8 FULLY_CONNECTED written out with 128-bit requantization (tests/int8/reference.hpp).
std::vector<std::int32_t> reference_fully_connected(const formats::tflite::Model& m,
                                                    const formats::tflite::Operator& op,
                                                    const std::vector<std::int32_t>& x, bool single) {
  const auto& in = m.tensors[static_cast<std::size_t>(op.inputs[0])];
  const auto& w = m.tensors[static_cast<std::size_t>(op.inputs[1])];
  const auto& out = m.tensors[static_cast<std::size_t>(op.outputs[0])];
  const auto units = static_cast<std::size_t>(w.shape[0]), depth = static_cast<std::size_t>(w.shape[1]);
  const auto* weights = reinterpret_cast<const std::int8_t*>(w.data.data());
  std::vector<std::int32_t> bias(units, 0);
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) {
    std::memcpy(bias.data(), m.tensors[static_cast<std::size_t>(op.inputs[2])].data.data(), units * 4);
  }
  std::int32_t multiplier = 0;
  int shift = 0;
  int8_reference::quantize_multiplier(static_cast<double>(in.scales[0]) * w.scales[0] / out.scales[0], multiplier,
                                      shift);
  const auto out_zp = static_cast<std::int32_t>(out.zero_points[0]),
             in_zp = static_cast<std::int32_t>(in.zero_points[0]);
  const std::int32_t lo = op.options.activation == formats::tflite::Activation::relu ? std::max(-128, out_zp) : -128;
  std::vector<std::int32_t> y(units);
  for (std::size_t u = 0; u < units; ++u) {
    std::int64_t acc = bias[u];
    for (std::size_t k = 0; k < depth; ++k) acc += std::int64_t{x[k] - in_zp} * weights[u * depth + k];
    const std::int32_t r = single ? int8_reference::requantize_single(acc, multiplier, shift)
                                  : int8_reference::requantize_double(acc, multiplier, shift);
    y[u] = int8_reference::clamp(std::int64_t{r} + out_zp, lo, 127);
  }
  return y;
}

}  // namespace

TEST_CASE(
    "tflite import option: single or double rounding, each equal to its reference (hello_world_int8, all inputs)") {
  const auto dir = models_dir();
  if (dir.empty() || !std::filesystem::exists(dir / "hello_world_int8.tflite")) {
    MESSAGE("skipped: TINYNN_MODELS_DIR/tflite not found");
    return;
  }
  const auto bytes = read_bytes(dir / "hello_world_int8.tflite");
  auto model = formats::tflite::parse(*bytes, "hello_world_int8.tflite");
  REQUIRE(model.ok());
  REQUIRE(model->operators.size() == 3);
  int differ = 0;
  for (const bool single : {false, true}) {
    formats::tflite::ImportOptions options;
    options.rounding = single ? ops::quantized::Rounding::single_rounding : ops::quantized::Rounding::double_rounding;
    auto graph = formats::tflite::import(*bytes, "hello_world_int8.tflite", bytes, options);
    REQUIRE(graph.ok());
    auto session = compile(*graph, {});
    REQUIRE(session.ok());
    for (int value = -128; value <= 127; ++value) {
      std::int8_t x = static_cast<std::int8_t>(value);
      REQUIRE(session->run_positional(std::vector<TensorRef>{TensorRef(DType::qi8, session->input_info(0).shape, &x)})
                  .ok());
      const int got = *static_cast<const std::int8_t*>(session->output(0).data);
      std::vector<std::int32_t> h = {value};
      for (const auto& op : model->operators) h = reference_fully_connected(*model, op, h, single);
      CHECK(got == h[0]);
      if (single) {
        std::vector<std::int32_t> d = {value};
        for (const auto& op : model->operators) d = reference_fully_connected(*model, op, d, false);
        differ += d[0] != h[0];
      }
    }
  }
  MESSAGE("hello_world_int8: single and double rounding differ on ", differ, " of 256 inputs");
}

TEST_CASE("tflite integer LSTM models run; trained_lstm_int8 agrees with its float twin") {
  const auto dir = models_dir();
  if (dir.empty() || !std::filesystem::exists(dir / "trained_lstm_int8.tflite")) {
    MESSAGE("skipped: TINYNN_MODELS_DIR/tflite not found");
    return;
  }
  auto run_model = [&](const std::string& name) -> std::vector<double> {
    const auto bytes = read_bytes(dir / (name + ".tflite"));
    auto graph = formats::tflite::import(*bytes, name + ".tflite", bytes);
    REQUIRE_MESSAGE(graph.ok(), graph.error().message());
    auto session = compile(*graph, {});
    REQUIRE_MESSAGE(session.ok(), session.error().message());
    const auto input = read_npy(dir / (name + ".input_0.npy"));
    REQUIRE(input);
    const TensorInfo& info = session->input_info(0);
    REQUIRE(input->shape.size() * dtype_size(input->dtype) == info.shape.size() * dtype_size(info.dtype));
    REQUIRE(
        session->run_positional(std::vector<TensorRef>{TensorRef(info.dtype, info.shape, input->data.data())}).ok());
    const TensorRef out = session->output(0);
    const QuantParams q = graph->values[static_cast<std::size_t>(graph->outputs[0])].quant;
    std::vector<double> y(out.size());
    for (std::size_t i = 0; i < y.size(); ++i) {
      switch (out.dtype) {
        case DType::f32: y[i] = static_cast<const float*>(out.data)[i]; break;
        case DType::u8: y[i] = q.scale * (static_cast<const std::uint8_t*>(out.data)[i] - q.zero_point); break;
        default: y[i] = q.scale * (static_cast<const std::int8_t*>(out.data)[i] - q.zero_point); break;
      }
    }
    return y;
  };
  auto argmax = [](const std::vector<double>& v) {
    return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
  };
  // trained_lstm_int8 vs trained_lstm (same MNIST digit, the float model's numpy reference).
  const auto q = run_model("trained_lstm_int8");
  const auto float_reference = read_npy(dir / "trained_lstm.numpy_output_0.npy");
  REQUIRE(float_reference);
  REQUIRE(float_reference->ref().size() == q.size());
  std::map<long, int> histogram;
  double max_diff = 0;
  std::vector<double> f(q.size());
  for (std::size_t i = 0; i < q.size(); ++i) {
    f[i] = element(float_reference->ref(), i);
    const double d = std::fabs(q[i] - f[i]);
    max_diff = std::max(max_diff, d);
    ++histogram[std::lround(d * 256.0)];  // output scale 1/256
  }
  std::string distribution;
  for (auto [lsb, count] : histogram) distribution += " " + std::to_string(lsb) + "LSB:" + std::to_string(count);
  MESSAGE("trained_lstm_int8 (dequantized) vs trained_lstm float: max|diff| ", max_diff,
          ", in output LSB:", distribution, "; top-1 ", argmax(q), " vs ", argmax(f));
  CHECK(argmax(q) == argmax(f));
  CHECK(max_diff <= 0.05);
  // keras_lstm_mnist_ptq (uint8 in/out around an int8 LSTM): the stored input is an MNIST nine.
  const auto mnist = run_model("keras_lstm_mnist_ptq");
  MESSAGE("keras_lstm_mnist_ptq: top-1 ", argmax(mnist), " (p = ", mnist[argmax(mnist)], ")");
  CHECK(argmax(mnist) == 9);
  // micro_speech_lstm and dtln: no reference; they run and give valid outputs.
  const auto speech = run_model("micro_speech_lstm");
  double sum = 0;
  for (double v : speech) sum += v;
  MESSAGE("micro_speech_lstm: top-1 ", argmax(speech), ", probabilities sum to ", sum);
  CHECK(std::fabs(sum - 1.0) < 0.05);
  const auto mask = run_model("dtln_noise_suppression");
  const auto [lo, hi] = std::minmax_element(mask.begin(), mask.end());
  MESSAGE("dtln_noise_suppression: ", mask.size(), " mask values in [", *lo, ", ", *hi, "]");
  CHECK(*lo >= 0.0);
  CHECK(*hi <= 1.0);
}
