// The static reference networks with the weights of the ONNX exports in ../shared/models/onnx
// (PyTorch 1.13, opset 13), checked against PyTorch's own outputs for the bundled inputs. The weights
// are read with the library's ONNX importer (initializers of Conv/Gemm nodes, in node order);
// NCHW/OIHW data are permuted to tinynn's NHWC/OHWI here. Skipped when the models folder is absent.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "reference.hpp"
#include "tinynn/formats/onnx.hpp"
#include "tinynn/graph/ir.hpp"
#include "tinynn/nn.hpp"

namespace {

using namespace tinynn;
namespace zoo = tinynn::nn::zoo;

std::string models_dir() {
  const char* dir = std::getenv("TINYNN_MODELS_DIR");
  return dir != nullptr ? std::string(dir) + "/onnx/" : std::string("../shared/models/onnx/");
}

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Initializer {
  std::vector<std::int64_t> dims;
  std::vector<float> values;
};

struct OnnxModel {
  std::map<std::string, Initializer> initializers;
  std::vector<std::pair<std::string, std::vector<std::string>>> nodes;  // op type, inputs
  /// (weight, bias) of every Conv and Gemm node, in order.
  std::vector<std::pair<const Initializer*, const Initializer*>> layers() const {
    std::vector<std::pair<const Initializer*, const Initializer*>> out;
    for (const auto& [op, inputs] : nodes) {
      if ((op == "Conv" || op == "Gemm") && inputs.size() == 3) {
        out.emplace_back(&initializers.at(inputs[1]), &initializers.at(inputs[2]));
      }
    }
    return out;
  }
};

/// The Conv/Gemm nodes and float initializers of a model, read with the library's ONNX importer
/// (formats/onnx.hpp: no graph passes run at import, so the weights are the file's own).
OnnxModel load_onnx(const std::vector<std::uint8_t>& bytes) {
  OnnxModel model;
  auto imported = formats::onnx::import_model(std::span<const std::uint8_t>(bytes.data(), bytes.size()), nullptr);
  REQUIRE_MESSAGE(imported.ok(), imported.error().message());
  const graph::Graph& g = imported.value();
  for (const graph::Value& v : g.values) {
    if (!v.constant || v.dtype != DType::f32 || v.data == nullptr) continue;
    Initializer tensor;
    for (std::size_t i = 0; i < v.shape.rank(); ++i) tensor.dims.push_back(v.shape[i]);
    tensor.values.resize(v.shape.size());
    std::memcpy(tensor.values.data(), v.data, tensor.values.size() * sizeof(float));
    model.initializers[v.name] = std::move(tensor);
  }
  for (const graph::Node& n : g.nodes) {
    std::vector<std::string> inputs;
    for (int i : n.inputs) inputs.push_back(i >= 0 ? g.values[static_cast<std::size_t>(i)].name : std::string());
    model.nodes.emplace_back(n.op_type, inputs);
  }
  return model;
}

/// The float32 data of a little-endian .npy file (header skipped).
std::vector<float> load_npy(const std::string& path) {
  const auto bytes = read_file(path);
  if (bytes.size() < 10) return {};
  const std::size_t header = bytes[8] | (static_cast<std::size_t>(bytes[9]) << 8);
  std::vector<float> values((bytes.size() - 10 - header) / 4);
  std::memcpy(values.data(), bytes.data() + 10 + header, values.size() * 4);
  return values;
}

// ---- OIHW / NCHW -> OHWI / NHWC ----

template <std::size_t N>
void conv_weights(const Initializer& w, std::array<float, N>& out) {
  const auto o = static_cast<std::size_t>(w.dims[0]), i = static_cast<std::size_t>(w.dims[1]),
             h = static_cast<std::size_t>(w.dims[2]), k = static_cast<std::size_t>(w.dims[3]);
  REQUIRE(o * i * h * k == N);
  for (std::size_t a = 0; a < o; ++a)
    for (std::size_t b = 0; b < i; ++b)
      for (std::size_t y = 0; y < h; ++y)
        for (std::size_t x = 0; x < k; ++x)
          out[((a * h + y) * k + x) * i + b] = w.values[((a * i + b) * h + y) * k + x];
}
/// Depthwise [C][1][KH][KW] -> [KH][KW][C].
template <std::size_t N>
void depthwise_weights(const Initializer& w, std::array<float, N>& out) {
  const auto c = static_cast<std::size_t>(w.dims[0]), h = static_cast<std::size_t>(w.dims[2]),
             k = static_cast<std::size_t>(w.dims[3]);
  REQUIRE(c * h * k == N);
  for (std::size_t ch = 0; ch < c; ++ch)
    for (std::size_t y = 0; y < h; ++y)
      for (std::size_t x = 0; x < k; ++x) out[(y * k + x) * c + ch] = w.values[(ch * h + y) * k + x];
}
/// Gemm [N][C*H*W] after an NCHW Flatten -> [N][H*W*C] after tinynn's NHWC Flatten.
template <std::size_t Count>
void dense_weights(const Initializer& w, std::size_t c, std::size_t h, std::size_t wd, std::array<float, Count>& out) {
  const auto n = static_cast<std::size_t>(w.dims[0]);
  REQUIRE(n * c * h * wd == Count);
  for (std::size_t u = 0; u < n; ++u)
    for (std::size_t ch = 0; ch < c; ++ch)
      for (std::size_t y = 0; y < h; ++y)
        for (std::size_t x = 0; x < wd; ++x)
          out[u * h * wd * c + (y * wd + x) * c + ch] = w.values[u * c * h * wd + (ch * h + y) * wd + x];
}
template <std::size_t N>
void copy(const Initializer& v, std::array<float, N>& out) {
  REQUIRE(v.values.size() == N);
  std::copy(v.values.begin(), v.values.end(), out.begin());
}

template <class Net>
bool load_case(const std::string& name, OnnxModel& model, Tensor<f32, typename Net::input_shape>& x,
               std::vector<float>& expected) {
  const auto bytes = read_file(models_dir() + name + ".onnx");
  if (bytes.empty()) {
    MESSAGE("skipped: " << models_dir() << name << ".onnx is absent (set TINYNN_MODELS_DIR)");
    return false;
  }
  model = load_onnx(bytes);
  const auto input = load_npy(models_dir() + name + ".input_0.npy");
  expected = load_npy(models_dir() + name + ".torch_output_0.npy");
  using S = typename Net::input_shape;
  constexpr std::size_t H = S::dims[0], W = S::dims[1], C = S::dims[2];
  REQUIRE(input.size() == H * W * C);
  for (std::size_t c = 0; c < C; ++c)
    for (std::size_t y = 0; y < H; ++y)
      for (std::size_t w = 0; w < W; ++w) x(y, w, c) = input[(c * H + y) * W + w];
  return true;
}

template <class Net>
void check_against_torch(const typename Net::Trained& trained, const Tensor<f32, typename Net::input_shape>& x,
                         const std::vector<float>& expected) {
  auto params = std::make_unique<typename Net::Params>();
  Net::fold_into(trained, *params);
  REQUIRE(expected.size() == Net::output_shape::size);
  auto run = [&](auto tag) {
    using B = decltype(tag);
    auto arena = std::make_unique<typename Net::template ArenaFor<B>>();
    const auto y = Net::template run<B>(*params, x, *arena);
    INFO("backend ", B::name());
    CHECK(tinynn_test::max_error(y.span(), tinynn_test::Tensor(expected.begin(), expected.end())) < 1e-4);
  };
  run(backend::scalar{});
  run(backend::native{});
}

}  // namespace

TEST_CASE("SimpLeNet-v1 with the ONNX export's weights reproduces PyTorch") {
  using Net = zoo::SimpLeNetV1;
  OnnxModel model;
  Tensor<f32, Net::input_shape> x;
  std::vector<float> expected;
  if (!load_case<Net>("simplenet_v1", model, x, expected)) return;
  const auto layers = model.layers();
  REQUIRE(layers.size() == 3);
  auto t = std::make_unique<Net::Trained>();
  conv_weights(*layers[0].first, t->get<1>().weights);
  copy(*layers[0].second, t->get<1>().bias);
  conv_weights(*layers[1].first, t->get<3>().weights);
  copy(*layers[1].second, t->get<3>().bias);
  dense_weights(*layers[2].first, 6, 7, 7, t->get<6>().weights);
  copy(*layers[2].second, t->get<6>().bias);
  check_against_torch<Net>(*t, x, expected);
}

TEST_CASE("CMSIS-NN CIFAR-10 CNN with the ONNX export's weights reproduces PyTorch (ceil-mode pools)") {
  using Net = zoo::Cifar10Cnn;
  OnnxModel model;
  Tensor<f32, Net::input_shape> x;
  std::vector<float> expected;
  if (!load_case<Net>("cifar10_cnn", model, x, expected)) return;
  const auto layers = model.layers();
  REQUIRE(layers.size() == 4);
  auto t = std::make_unique<Net::Trained>();
  conv_weights(*layers[0].first, t->get<1>().weights);
  copy(*layers[0].second, t->get<1>().bias);
  conv_weights(*layers[1].first, t->get<3>().weights);
  copy(*layers[1].second, t->get<3>().bias);
  conv_weights(*layers[2].first, t->get<5>().weights);
  copy(*layers[2].second, t->get<5>().bias);
  dense_weights(*layers[3].first, 64, 4, 4, t->get<8>().weights);
  copy(*layers[3].second, t->get<8>().bias);
  check_against_torch<Net>(*t, x, expected);
}

TEST_CASE("DS-CNN with the ONNX export's (BatchNorm-folded) weights reproduces PyTorch") {
  using Net = zoo::DsCnnKws;
  OnnxModel model;
  Tensor<f32, Net::input_shape> x;
  std::vector<float> expected;
  if (!load_case<Net>("kws_dscnn_s", model, x, expected)) return;
  const auto layers = model.layers();
  REQUIRE(layers.size() == 10);
  auto t = std::make_unique<Net::Trained>();
  // The export folded BatchNorm already: make tinynn's BatchNorm layers the identity.
  auto identity = [](auto& bn) {
    bn.gamma.fill(1.0f);
    bn.beta.fill(0.0f);
    bn.mean.fill(0.0f);
    bn.variance.fill(1.0f - 1e-5f);
  };
  conv_weights(*layers[0].first, t->get<1>().weights);
  copy(*layers[0].second, t->get<1>().bias);
  identity(t->get<2>());
  auto stage = [&](auto& s, std::size_t k) {
    depthwise_weights(*layers[k].first, s.template get<0>().weights);
    copy(*layers[k].second, s.template get<0>().bias);
    identity(s.template get<1>());
    conv_weights(*layers[k + 1].first, s.template get<3>().weights);
    copy(*layers[k + 1].second, s.template get<3>().bias);
    identity(s.template get<4>());
  };
  stage(t->get<4>(), 1);
  stage(t->get<5>(), 3);
  stage(t->get<6>(), 5);
  stage(t->get<7>(), 7);
  dense_weights(*layers[9].first, 64, 1, 1, t->get<9>().weights);
  copy(*layers[9].second, t->get<9>().bias);
  check_against_torch<Net>(*t, x, expected);
}
