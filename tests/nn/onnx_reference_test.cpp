// The static reference networks with the weights of the ONNX exports in ../shared/models/onnx
// (PyTorch 1.13, opset 13), checked against PyTorch's own outputs for the bundled inputs. The weights
// are read with a minimal test-only protobuf walk (initializers of Conv/Gemm nodes, in node order);
// NCHW/OIHW data are permuted to tinynn's NHWC/OHWI here. Skipped when the models folder is absent.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "reference.hpp"
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

// ---- a minimal protobuf walk: enough for ModelProto.graph.{node, initializer} ----

struct Reader {
  const std::uint8_t* p;
  const std::uint8_t* end;
  bool ok = true;
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; p < end && shift < 64; shift += 7) {
      const std::uint8_t b = *p++;
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    ok = false;
    return 0;
  }
  /// Calls f(field, wire_type, sub-reader for length-delimited / value for varint) for every field.
  template <class F>
  void fields(F&& f) {
    while (ok && p < end) {
      const std::uint64_t key = varint();
      const auto field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
      if (wire == 0) {
        f(field, Reader{p, p, ok}, varint());
      } else if (wire == 2) {
        const std::uint64_t n = varint();
        if (n > static_cast<std::uint64_t>(end - p)) {
          ok = false;
          return;
        }
        f(field, Reader{p, p + n, true}, 0);
        p += n;
      } else if (wire == 1 || wire == 5) {
        p += wire == 1 ? 8 : 4;
      } else {
        ok = false;
      }
    }
  }
  std::string string() const {
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(end - p));
  }
};

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

OnnxModel load_onnx(const std::vector<std::uint8_t>& bytes) {
  OnnxModel model;
  Reader top{bytes.data(), bytes.data() + bytes.size()};
  top.fields([&](int field, Reader graph, std::uint64_t) {
    if (field != 7) return;
    graph.fields([&](int gfield, Reader sub, std::uint64_t) {
      if (gfield == 1) {  // NodeProto
        std::string op;
        std::vector<std::string> inputs;
        sub.fields([&](int nfield, Reader value, std::uint64_t) {
          if (nfield == 1) inputs.push_back(value.string());
          if (nfield == 4) op = value.string();
        });
        model.nodes.emplace_back(op, inputs);
      } else if (gfield == 5) {  // TensorProto
        Initializer tensor;
        std::string name;
        sub.fields([&](int tfield, Reader value, std::uint64_t number) {
          if (tfield == 1 && value.p == value.end) tensor.dims.push_back(static_cast<std::int64_t>(number));
          if (tfield == 1 && value.p != value.end) {
            while (value.p < value.end) tensor.dims.push_back(static_cast<std::int64_t>(value.varint()));
          }
          if (tfield == 8) name = value.string();
          if (tfield == 9 || tfield == 4) {
            tensor.values.resize(static_cast<std::size_t>(value.end - value.p) / 4);
            std::memcpy(tensor.values.data(), value.p, tensor.values.size() * 4);
          }
        });
        model.initializers[name] = std::move(tensor);
      }
    });
  });
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
