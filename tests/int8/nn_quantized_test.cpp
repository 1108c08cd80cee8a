// int8 static networks (nn/quantized.hpp): shapes, compile-time folding (multipliers equal TFLite's
// QuantizeMultiplier computed independently), arena planning, and the network's output equal to the
// same int8 kernels chained by hand layer by layer (the kernels themselves are checked against
// independent reference loops in conv2d_test/ops_test).
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <vector>

#include "int8/reference.hpp"
#include "tinynn/nn.hpp"
#include "tinynn/nn/quantized.hpp"

using namespace tinynn;
namespace q = tinynn::ops::quantized;
namespace ref = int8_reference;

namespace {

using Net = nn::Sequential<nn::Input<qi8, 12, 10, 3>, nn::QConv2D<8, 3, 3, nn::Same, nn::ReLU>,
                           nn::QDepthwiseConv2D<3, 3, nn::Same, nn::Stride<2>, nn::ReLU6>,
                           nn::QMaxPool2D<3, 3, nn::Stride<2>, nn::CeilMode>, nn::QConv2D<6, 1, 1>, nn::QGlobalAvgPool,
                           nn::QDense<5>, nn::QSoftmax>;
static_assert(std::is_same_v<Net::output_shape, Shape<5>>);
static_assert(
    std::is_same_v<nn::output_shape<nn::QConv2D<8, 3, 3, nn::Same>, Shape<12, 10, 3>, qi8>, Shape<12, 10, 8>>);

constexpr QuantParams q_in{0.05f, 3}, q1{0.04f, -100}, q2{0.03f, -128}, q3{0.06f, 10}, q4{0.1f, -5};

template <std::size_t N>
constexpr std::array<std::int8_t, N> weights(std::uint32_t seed) {
  std::array<std::int8_t, N> w{};
  std::uint32_t s = seed;
  for (auto& v : w) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<std::int8_t>(static_cast<std::int32_t>((s >> 24) % 255u) - 127);
  }
  return w;
}
template <std::size_t N>
constexpr std::array<std::int32_t, N> biases(std::uint32_t seed) {
  std::array<std::int32_t, N> b{};
  std::uint32_t s = seed;
  for (auto& v : b) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<std::int32_t>((s >> 16) % 2001u) - 1000;
  }
  return b;
}
template <std::size_t N>
constexpr std::array<float, N> scales(float base) {
  std::array<float, N> a{};
  for (std::size_t i = 0; i < N; ++i) a[i] = base * (1.0f + 0.1f * static_cast<float>(i % 5));
  return a;
}

constexpr Net::Trained trained() {
  Net::Trained t{};
  t.get<1>() = {weights<8 * 9 * 3>(1), biases<8>(2), scales<8>(0.01f), q_in, q1};
  t.get<2>() = {weights<9 * 8>(3), biases<8>(4), scales<8>(0.02f), q1, q2};
  t.get<4>() = {weights<6 * 8>(5), biases<6>(6), scales<6>(0.015f), q2, q3};
  t.get<6>() = {weights<5 * 6>(7), biases<5>(8), scales<5>(0.03f), q3, q4};
  t.get<7>() = {q4, 1.0f};
  return t;
}
constexpr Net::Params params = Net::fold(trained());

}  // namespace

TEST_CASE("int8 static network: folding at compile time gives TFLite's multipliers") {
  const auto& conv = params.get<1>();
  for (std::size_t c = 0; c < 8; ++c) {
    std::int32_t m = 0;
    int shift = 0;
    ref::quantize_multiplier(double(q_in.scale) * double(scales<8>(0.01f)[c]) / double(q1.scale), m, shift);
    CHECK(conv.multipliers[c].multiplier == m);
    CHECK(conv.multipliers[c].shift == shift);
  }
  CHECK(conv.range.min == -100);  // fused ReLU: real 0 = zero point
  CHECK(params.get<2>().range.max ==
        q::activation_range<std::int8_t>(q::FusedActivation::relu6, q2.scale, q2.zero_point).max);
  CHECK(Net::arena_bytes > 0);
  MESSAGE("arena ", Net::arena_bytes, " bytes, ", Net::param_count, " parameters, ", Net::macs, " MACs");
}

TEST_CASE("int8 static network: output equals the int8 kernels chained by hand") {
  std::mt19937 rng(51);
  Tensor<qi8, Shape<12, 10, 3>> x;
  for (auto& v : x.storage) v = static_cast<std::int8_t>(ref::random_int(rng, -128, 127));
  Net::Arena arena;
  const auto y = Net::run(params, x, arena);

  // By hand.
  const auto& p1 = params.get<1>();
  std::vector<std::int8_t> a1(12 * 10 * 8), a2(6 * 5 * 8), a3(3 * 3 * 8), a4(3 * 3 * 6), a5(6), a6(5), a7(5);
  q::conv2d(backend::scalar{},
            q::Conv2DParams{1,
                            12,
                            10,
                            3,
                            12,
                            10,
                            8,
                            3,
                            3,
                            1,
                            1,
                            1,
                            1,
                            {1, 1, 1, 1},
                            p1.input_zero_point,
                            0,
                            {p1.multipliers.data(), true, p1.output_zero_point, p1.range}},
            x.data(), p1.weights.data(), p1.bias.data(), a1.data());
  const auto& p2 = params.get<2>();
  q::depthwise_conv2d(backend::scalar{},
                      q::DepthwiseConv2DParams{1,
                                               12,
                                               10,
                                               8,
                                               6,
                                               5,
                                               1,
                                               3,
                                               3,
                                               2,
                                               2,
                                               1,
                                               1,
                                               {0, 0, 1, 1},
                                               p2.input_zero_point,
                                               0,
                                               {p2.multipliers.data(), true, p2.output_zero_point, p2.range}},
                      a1.data(), p2.weights.data(), p2.bias.data(), a2.data());
  q::max_pool2d(backend::scalar{}, q::Pool2DParams{1, 6, 5, 8, 3, 3, 3, 3, 2, 2, {}, {}}, a2.data(), a3.data());
  const auto& p4 = params.get<4>();
  q::conv2d(backend::scalar{},
            q::Conv2DParams{1,
                            3,
                            3,
                            8,
                            3,
                            3,
                            6,
                            1,
                            1,
                            1,
                            1,
                            1,
                            1,
                            {},
                            p4.input_zero_point,
                            0,
                            {p4.multipliers.data(), true, p4.output_zero_point, p4.range}},
            a3.data(), p4.weights.data(), p4.bias.data(), a4.data());
  q::average_pool2d(backend::scalar{}, q::Pool2DParams{1, 3, 3, 6, 1, 1, 3, 3, 1, 1, {}, {}}, a4.data(), a5.data());
  const auto& p6 = params.get<6>();
  q::fully_connected(
      backend::scalar{},
      q::FullyConnectedParams{
          1, 6, 5, p6.input_zero_point, 0, {p6.multipliers.data(), true, p6.output_zero_point, p6.range}},
      a5.data(), p6.weights.data(), p6.bias.data(), a6.data());
  q::softmax(backend::scalar{}, q::softmax_params(1, 5, 1.0, q4.scale), a6.data(), a7.data());
  for (std::size_t i = 0; i < 5; ++i) CHECK(y[i] == a7[i]);
  int sum = 0;
  for (std::size_t i = 0; i < 5; ++i) sum += y[i] + 128;
  CHECK(sum >= 250);  // probabilities (in 1/256) add up to about 1
  CHECK(sum <= 262);
}

namespace {
template <class T>
void random_layer(T& t, std::mt19937& rng, QuantParams in, QuantParams out) {
  for (auto& w : t.weights) w = static_cast<std::int8_t>(ref::random_int(rng, -127, 127));
  for (auto& b : t.bias) b = ref::random_int(rng, -300, 600);
  for (auto& s : t.weight_scales) s = static_cast<float>(ref::random_real(rng, 0.001, 0.003));
  t.input = in;
  t.output = out;
}
}  // namespace

TEST_CASE("int8 CIFAR-10 CNN: conv+pool fused (QConvPool) gives the same integers in less RAM than CMSIS-NN's 40 KB") {
  using Plain = nn::zoo::Cifar10CnnInt8;
  using Fused = nn::zoo::Cifar10CnnInt8Fused;
  static_assert(std::is_same_v<Plain::output_shape, Fused::output_shape>);
  static Plain::Trained tp;
  static Fused::Trained tf;
  std::mt19937 rng(61);
  constexpr QuantParams in{0.02f, -5}, relu{0.05f, -128}, logits{0.1f, 0};
  random_layer(tp.get<1>(), rng, in, relu);
  random_layer(tp.get<3>(), rng, relu, relu);
  random_layer(tp.get<5>(), rng, relu, relu);
  random_layer(tp.get<8>(), rng, relu, logits);
  tf.get<1>() = tp.get<1>();
  tf.get<2>() = tp.get<3>();
  tf.get<3>() = tp.get<5>();
  tf.get<5>() = tp.get<8>();
  static Plain::Params pp;
  static Fused::Params pf;
  Plain::fold_into(tp, pp);
  Fused::fold_into(tf, pf);
  static Tensor<qi8, Shape<32, 32, 3>> x;
  for (auto& v : x.storage) v = static_cast<std::int8_t>(ref::random_int(rng, -128, 127));
  static Plain::Arena plain_arena;
  static Fused::Arena fused_arena;
  const auto a = Plain::run(pp, x, plain_arena);
  const auto b = Fused::run(pf, x, fused_arena);
  int distinct = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    CHECK(a[i] == b[i]);
    distinct += a[i] != a[0];
  }
  CHECK(distinct > 0);  // not a saturated, constant output
  MESSAGE("CIFAR-10 int8 activation arena: ", Plain::arena_bytes, " bytes unfused, ", Fused::arena_bytes,
          " bytes with conv+pool fused (CMSIS-NN: 40 KB)");
  CHECK(Fused::arena_bytes < 40 * 1024);
  CHECK(Fused::arena_bytes < Plain::arena_bytes);
}
