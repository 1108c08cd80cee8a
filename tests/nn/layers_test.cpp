// Static-network layers and combinators against the plain-loop reference (tests/nn/reference.hpp),
// the compile-time arena planner on hand-made graphs, and constexpr parameters.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "reference.hpp"
#include "tinynn/nn.hpp"
#include "tinynn/nn/zoo.hpp"

namespace {

using namespace tinynn;
namespace ref = tinynn_test;
namespace zoo = tinynn::nn::zoo;

template <class Trained>
void fill_trained(Trained& trained, ref::Random& random, float scale) {
  std::span<float> all(reinterpret_cast<float*>(&trained), sizeof(Trained) / sizeof(float));
  random.fill(all, scale);
}
template <class BN>
void randomize_batch_norm(BN& bn, ref::Random& random) {
  random.fill_positive(bn.gamma, 0.5f, 1.5f);
  random.fill(bn.beta, 0.5f);
  random.fill(bn.mean, 0.5f);
  random.fill_positive(bn.variance, 0.5f, 2.0f);
}

/// Runs Net (clean and NaN-poisoned arena) on the scalar and native backends against `expected`.
template <class Net>
void check(const typename Net::Params& params, const Tensor<f32, typename Net::input_shape>& x,
           const ref::Tensor& expected) {
  REQUIRE(expected.size() == Net::output_shape::size);
  auto run = [&](auto backend_tag) {
    using B = decltype(backend_tag);
    auto arena = std::make_unique<typename Net::template ArenaFor<B>>();
    std::memset(arena->bytes, 0, sizeof arena->bytes);
    const auto clean = Net::template run<B>(params, x, *arena);
    INFO("backend ", B::name());
    CHECK(ref::max_error(clean.span(), expected) < 1e-4);
    std::memset(arena->bytes, 0xFF, sizeof arena->bytes);
    const auto poisoned = Net::template run<B>(params, x, *arena);
    CHECK(ref::max_error(poisoned.span(), expected) < 1e-4);
  };
  run(backend::scalar{});
  run(backend::native{});
}

ref::Tensor input_of(const auto& x) { return ref::Tensor(x.storage.begin(), x.storage.end()); }

}  // namespace

TEST_CASE("SqueezeNet fire module: Concat of a 1x1 and a 3x3 expansion") {
  using Net = nn::Sequential<nn::Input<f32, 8, 8, 4>, zoo::FireModule<3, 4, 5>>;
  static_assert(std::is_same_v<Net::output_shape, Shape<8, 8, 9>>);
  static_assert(Net::step_count == 4);  // squeeze, expand1, expand3, concat
  static_assert(Net::param_count == (3 * 4 + 3) + (4 * 3 + 4) + (5 * 9 * 3 + 5));
  auto t = std::make_unique<Net::Trained>();
  ref::Random random(10);
  fill_trained(*t, random, 0.4f);
  auto p = std::make_unique<Net::Params>();
  Net::fold_into(*t, *p);
  Tensor<f32, Shape<8, 8, 4>> x;
  random.fill(x.storage);

  const auto& fire = t->get<1>();
  ref::Geometry g{8, 8, 4};
  auto s = ref::conv2d(input_of(x), g, {3, 1, 1}, fire.get<0>().weights, fire.get<0>().bias, ref::Act::relu);
  ref::Geometry g1 = g, g3 = g;
  auto e1 = ref::conv2d(s, g1, {4, 1, 1}, fire.get<1>().get<0>().weights, fire.get<1>().get<0>().bias, ref::Act::relu);
  auto e3 = ref::conv2d(s, g3, {5, 3, 3, 1, 1, 1, 1, 1, 1}, fire.get<1>().get<1>().weights, fire.get<1>().get<1>().bias,
                        ref::Act::relu);
  check<Net>(*p, x, ref::concat_channels(e1, 4, e3, 5));
}

TEST_CASE("ResNet basic blocks: identity and strided projection shortcut, BatchNorm folded, ReLU fused") {
  using Net = nn::Sequential<nn::Input<f32, 8, 8, 8>, zoo::ResNetBasicBlock<8, 8, 1>, zoo::ResNetBasicBlock<8, 16, 2>>;
  static_assert(std::is_same_v<Net::output_shape, Shape<4, 4, 16>>);
  // Block 1: conv, conv, add(+ReLU). Block 2: conv, conv, projection conv, add(+ReLU). No BatchNorm step.
  static_assert(Net::step_count == 3 + 4);
  auto t = std::make_unique<Net::Trained>();
  ref::Random random(11);
  fill_trained(*t, random, 0.3f);
  auto& b1 = t->get<1>().get<0>().get<0>();  // block 1: Sequential<Residual<body>, ReLU> -> body
  auto& b2 = t->get<2>().get<0>().get<0>();
  auto& s2 = t->get<2>().get<0>().get<1>();  // block 2's projection shortcut
  randomize_batch_norm(b1.get<1>(), random);
  randomize_batch_norm(b1.get<4>(), random);
  randomize_batch_norm(b2.get<1>(), random);
  randomize_batch_norm(b2.get<4>(), random);
  randomize_batch_norm(s2.get<1>(), random);
  auto p = std::make_unique<Net::Params>();
  Net::fold_into(*t, *p);
  Tensor<f32, Shape<8, 8, 8>> x;
  random.fill(x.storage);

  auto bn = [](const ref::Tensor& v, std::size_t c, const auto& s, ref::Act a) {
    return ref::batch_norm(v, c, s.gamma, s.beta, s.mean, s.variance, 1e-5, a);
  };
  auto body = [&](const ref::Tensor& v, ref::Geometry& g, const auto& b, std::size_t out, std::size_t stride) {
    const std::size_t pad_before = stride == 1 ? 1 : 0, pad_after = 1;  // SAME for 3x3 on even sizes
    auto a = ref::conv2d(v, g, {out, 3, 3, stride, stride, pad_before, pad_before, pad_after, pad_after},
                         b.template get<0>().weights, b.template get<0>().bias, ref::Act::none);
    a = bn(a, out, b.template get<1>(), ref::Act::relu);
    a = ref::conv2d(a, g, {out, 3, 3, 1, 1, 1, 1, 1, 1}, b.template get<3>().weights, b.template get<3>().bias,
                    ref::Act::none);
    return bn(a, out, b.template get<4>(), ref::Act::none);
  };
  ref::Geometry g{8, 8, 8};
  const ref::Tensor x0 = input_of(x);
  auto y1 = ref::add(body(x0, g, b1, 8, 1), x0, ref::Act::relu);
  ref::Geometry gs = g;
  auto shortcut = ref::conv2d(y1, gs, {16, 1, 1, 2, 2}, s2.get<0>().weights, s2.get<0>().bias, ref::Act::none);
  shortcut = bn(shortcut, 16, s2.get<1>(), ref::Act::none);
  auto y2 = ref::add(body(y1, g, b2, 16, 2), shortcut, ref::Act::relu);
  check<Net>(*p, x, y2);
}

TEST_CASE("MobileNetV2 inverted residual: the sum runs in place, the block input stays alive") {
  using Net = nn::Sequential<nn::Input<f32, 6, 6, 8>, zoo::InvertedResidual<8, 8, 6, 1>, nn::Softmax>;
  using plan = decltype(Net::plan<backend::scalar>);
  constexpr auto& pl = Net::plan<backend::scalar>;
  static_assert(Net::step_count == 5);    // expand, depthwise, project, add, softmax
  static_assert(pl.in_place_steps == 2);  // add onto the projection's buffer, softmax onto the sum
  // Peak: the two 6x6x48 expansion buffers (depthwise in -> out); the input lives outside the arena.
  static_assert(Net::arena_bytes_for<backend::scalar> == 2 * 6 * 6 * 48 * 4);
  static_assert(plan::buffers == 6);
  auto t = std::make_unique<Net::Trained>();
  ref::Random random(12);
  fill_trained(*t, random, 0.3f);
  auto p = std::make_unique<Net::Params>();
  Net::fold_into(*t, *p);
  Tensor<f32, Shape<6, 6, 8>> x;
  random.fill(x.storage);

  const auto& body = t->get<1>().get<0>();
  ref::Geometry g{6, 6, 8};
  const ref::Tensor x0 = input_of(x);
  auto a = ref::conv2d(x0, g, {48, 1, 1}, body.get<0>().weights, body.get<0>().bias, ref::Act::relu6);
  a = ref::depthwise(a, g, {48, 3, 3, 1, 1, 1, 1, 1, 1}, body.get<1>().weights, body.get<1>().bias, ref::Act::relu6);
  a = ref::conv2d(a, g, {8, 1, 1}, body.get<2>().weights, body.get<2>().bias, ref::Act::none);
  a = ref::add(a, x0);
  ref::Tensor expected(a.size());
  for (std::size_t pixel = 0; pixel < 36; ++pixel) {
    const ref::Tensor row(a.begin() + static_cast<std::ptrdiff_t>(pixel * 8),
                          a.begin() + static_cast<std::ptrdiff_t>(pixel * 8 + 8));
    const auto s = ref::softmax(row);
    std::copy(s.begin(), s.end(), expected.begin() + static_cast<std::ptrdiff_t>(pixel * 8));
  }
  check<Net>(*p, x, expected);
}

TEST_CASE("Pad, AvgPool2D, standalone BatchNorm and ReLU6 (in place), Reshape, Dense on [T, K], Add of 3 branches") {
  using Net =
      nn::Sequential<nn::Input<f32, 6, 6, 3>, nn::Pad<1, 2, 0, 1>, nn::AvgPool2D<2, 2>, nn::BatchNorm<>, nn::ReLU6,
                     nn::Reshape<3, 12>, nn::Dense<5>, nn::Add<nn::Identity, nn::Dense<5, nn::ReLU>, nn::Dense<5>>>;
  static_assert(std::is_same_v<Net::output_shape, Shape<3, 5>>);
  static_assert(Net::plan<backend::scalar>.in_place_steps == 3);  // BatchNorm, ReLU6, Add
  auto t = std::make_unique<Net::Trained>();
  ref::Random random(13);
  fill_trained(*t, random, 0.5f);
  randomize_batch_norm(t->get<3>(), random);
  auto p = std::make_unique<Net::Params>();
  Net::fold_into(*t, *p);
  Tensor<f32, Shape<6, 6, 3>> x;
  random.fill(x.storage);

  // Pad: 6x6 -> 7x9 (top 1, left 2, bottom 0, right 1), zeros outside.
  ref::Tensor padded(7 * 9 * 3, 0.0f);
  for (std::size_t y = 0; y < 6; ++y) {
    for (std::size_t xx = 0; xx < 6; ++xx) {
      for (std::size_t c = 0; c < 3; ++c) padded[((y + 1) * 9 + xx + 2) * 3 + c] = x(y, xx, c);
    }
  }
  ref::Geometry g{7, 9, 3};
  auto a = ref::pool(padded, g, 2, 2, true);  // 3x4x3
  REQUIRE(a.size() == 36);
  const auto& bn = t->get<3>();
  a = ref::batch_norm(a, 3, bn.gamma, bn.beta, bn.mean, bn.variance, 1e-5, ref::Act::relu6);
  ref::Tensor d(15);
  for (std::size_t row = 0; row < 3; ++row) {
    const ref::Tensor in(a.begin() + static_cast<std::ptrdiff_t>(row * 12),
                         a.begin() + static_cast<std::ptrdiff_t>(row * 12 + 12));
    const auto out = ref::dense(in, 5, t->get<6>().weights, t->get<6>().bias, ref::Act::none);
    std::copy(out.begin(), out.end(), d.begin() + static_cast<std::ptrdiff_t>(row * 5));
  }
  ref::Tensor expected(15);
  const auto& branches = t->get<7>();
  for (std::size_t row = 0; row < 3; ++row) {
    const ref::Tensor in(d.begin() + static_cast<std::ptrdiff_t>(row * 5),
                         d.begin() + static_cast<std::ptrdiff_t>(row * 5 + 5));
    const auto b1 = ref::dense(in, 5, branches.get<1>().weights, branches.get<1>().bias, ref::Act::relu);
    const auto b2 = ref::dense(in, 5, branches.get<2>().weights, branches.get<2>().bias, ref::Act::none);
    for (std::size_t i = 0; i < 5; ++i) expected[row * 5 + i] = in[i] + b1[i] + b2[i];
  }
  check<Net>(*p, x, expected);
}

TEST_CASE("standalone activations and Flatten of the network input") {
  using Net = nn::Sequential<nn::Input<f32, 2, 3, 4>, nn::Flatten, nn::LeakyReLU<100>, nn::Tanh, nn::Sigmoid,
                             nn::HardSwish, nn::Clip<-1, 1>>;
  static_assert(std::is_same_v<Net::output_shape, Shape<24>>);
  // The first activation cannot overwrite the caller's input; the rest run in place on its output.
  static_assert(Net::arena_bytes_for<backend::scalar> == 24 * 4);
  Tensor<f32, Shape<2, 3, 4>> x;
  ref::Random random(14);
  random.fill(x.storage, 4.0f);
  ref::Tensor expected(24);
  for (std::size_t i = 0; i < 24; ++i) {
    double v = x[i];
    v = v >= 0 ? v : 0.1 * v;
    v = std::tanh(v);
    v = 1 / (1 + std::exp(-v));
    v = v * std::clamp(v + 3, 0.0, 6.0) / 6;
    expected[i] = static_cast<float>(std::clamp(v, -1.0, 1.0));
  }
  const Net::Params params{};
  check<Net>(params, x, expected);
}

namespace {

/// Depthwise convolution with channel multiplier, stride, dilation and explicit padding (plain loops).
ref::Tensor depthwise_general(const ref::Tensor& x, std::size_t h, std::size_t w, std::size_t c, std::size_t m,
                              std::size_t k, std::size_t stride, std::size_t dilation, std::size_t pad_top,
                              std::size_t pad_left, std::size_t oh, std::size_t ow, std::span<const float> weights,
                              std::span<const float> bias) {
  ref::Tensor y(oh * ow * c * m);
  for (std::size_t oy = 0; oy < oh; ++oy)
    for (std::size_t ox = 0; ox < ow; ++ox)
      for (std::size_t ch = 0; ch < c * m; ++ch) {
        double acc = bias[ch];
        for (std::size_t ky = 0; ky < k; ++ky)
          for (std::size_t kx = 0; kx < k; ++kx) {
            const auto iy =
                static_cast<std::ptrdiff_t>(oy * stride + ky * dilation) - static_cast<std::ptrdiff_t>(pad_top);
            const auto ix =
                static_cast<std::ptrdiff_t>(ox * stride + kx * dilation) - static_cast<std::ptrdiff_t>(pad_left);
            if (iy < 0 || ix < 0 || iy >= static_cast<std::ptrdiff_t>(h) || ix >= static_cast<std::ptrdiff_t>(w))
              continue;
            acc +=
                static_cast<double>(x[(static_cast<std::size_t>(iy) * w + static_cast<std::size_t>(ix)) * c + ch / m]) *
                weights[(ky * k + kx) * c * m + ch];
          }
        y[(oy * ow + ox) * c * m + ch] = static_cast<float>(acc);
      }
  return y;
}

}  // namespace

TEST_CASE("window options reach the kernels: Multiplier, Dilation, Stride, explicit Padding, LeakyReLU fused") {
  using Net = nn::Sequential<nn::Input<f32, 9, 8, 3>,
                             nn::DepthwiseConv2D<3, 3, nn::Multiplier<2>, nn::Dilation<2>, nn::Padding<1, 2, 0, 1>>,
                             nn::Conv2D<4, 3, 3, nn::Stride<2, 1>, nn::Padding<1, 0>, nn::LeakyReLU<200>>>;
  // Depthwise: H 9+1+0-5 = 5 -> 6 rows, W 8+2+1-5 = 6 -> 7 columns, 6 channels. Conv: rows (6+2-3)/2+1 = 3, cols 5.
  static_assert(std::is_same_v<Net::output_shape, Shape<3, 5, 4>>);
  auto t = std::make_unique<Net::Trained>();
  ref::Random random(15);
  fill_trained(*t, random, 0.5f);
  auto p = std::make_unique<Net::Params>();
  Net::fold_into(*t, *p);
  Tensor<f32, Shape<9, 8, 3>> x;
  random.fill(x.storage);

  auto a = depthwise_general(input_of(x), 9, 8, 3, 2, 3, 1, 2, 1, 2, 6, 7, t->get<1>().weights, t->get<1>().bias);
  ref::Geometry g{6, 7, 6};
  a = ref::conv2d(a, g, {4, 3, 3, 2, 1, 1, 0, 1, 0}, t->get<2>().weights, t->get<2>().bias, ref::Act::none);
  REQUIRE(g.h == 3);
  REQUIRE(g.w == 5);
  for (float& v : a) v = v >= 0 ? v : 0.2f * v;
  check<Net>(*p, x, a);
}

namespace {

// Constexpr parameters: the whole Trained -> Params fold (packing included) at compile time.
using Tiny = nn::Sequential<nn::Input<f32, 4, 4, 2>, nn::Conv2D<3, 3, 3, nn::Same>, nn::BatchNorm<>, nn::ReLU,
                            nn::GlobalAvgPool, nn::Dense<2>>;
constexpr Tiny::Trained tiny_trained() {
  Tiny::Trained t{};
  for (std::size_t i = 0; i < t.get<1>().weights.size(); ++i)
    t.get<1>().weights[i] = static_cast<float>(i % 7) * 0.1f - 0.3f;
  for (std::size_t c = 0; c < 3; ++c) {
    t.get<1>().bias[c] = 0.1f * static_cast<float>(c);
    t.get<2>().gamma[c] = 1.0f + 0.25f * static_cast<float>(c);
    t.get<2>().beta[c] = 0.5f - 0.25f * static_cast<float>(c);
    t.get<2>().mean[c] = 0.2f;
    t.get<2>().variance[c] = 0.5f + static_cast<float>(c);
  }
  for (std::size_t i = 0; i < t.get<5>().weights.size(); ++i)
    t.get<5>().weights[i] = static_cast<float>(i) * 0.2f - 0.5f;
  return t;
}
constexpr Tiny::Params tiny_params = Tiny::fold(tiny_trained());

}  // namespace

// The form codegen emits: one constexpr value per layer with parameters, then the network's aggregate.
using Small = nn::Sequential<nn::Input<f32, 3>, nn::Dense<2, nn::ReLU>, nn::Dense<1>>;
constexpr Small::layer<1>::Trained small_hidden = {{1, 0, 0, 0, 1, -1}, {0.5f, 0.0f}};
constexpr Small::layer<2>::Trained small_out = {{2, -3}, {0.25f}};
constexpr Small::Trained small_trained = {{small_hidden}, {small_out}};
constexpr Small::Params small_params = Small::fold(small_trained);

TEST_CASE("codegen form: Net::Trained from per-layer constexpr values") {
  Small::Arena arena;
  Tensor<f32, Shape<3>> x;
  x.storage = {1.0f, 4.0f, 2.0f};
  // hidden = relu([1 + 0.5, 4 - 2]) = [1.5, 2]; out = 2 * 1.5 - 3 * 2 + 0.25 = -2.75
  CHECK(Small::run(small_params, x, arena)[0] == doctest::Approx(-2.75));
}

TEST_CASE("Params are a constexpr aggregate: folding and packing run at compile time") {
  static_assert(std::is_aggregate_v<Tiny::Params>);
  static_assert(!Tiny::Params::has<2>);  // the BatchNorm is folded away: no run-time slot
  static_assert(Tiny::step_count == 3);
  static_assert(Tiny::param_count == 3 * 9 * 2 + 3 + 2 * 3 + 2);
  auto runtime = std::make_unique<Tiny::Params>();
  const auto trained = tiny_trained();
  Tiny::fold_into(trained, *runtime);
  // The same folding code at run time: equal up to floating-point contraction (a compiler may fuse
  // bias * scale + shift into one FMA at run time but not in constant evaluation), so compare the
  // parameters as floats with a few ulp of room rather than byte for byte.
  static_assert(sizeof(Tiny::Params) % sizeof(float) == 0);
  std::array<float, sizeof(Tiny::Params) / sizeof(float)> folded_now{}, folded_constexpr{};
  std::memcpy(folded_now.data(), runtime.get(), sizeof(Tiny::Params));
  std::memcpy(folded_constexpr.data(), &tiny_params, sizeof(Tiny::Params));
  std::size_t differing = 0;
  for (std::size_t i = 0; i < folded_now.size(); ++i)
    if (!(std::fabs(folded_now[i] - folded_constexpr[i]) <= 1e-6f * (1.0f + std::fabs(folded_constexpr[i]))))
      ++differing;
  CHECK(differing == 0);

  Tensor<f32, Shape<4, 4, 2>> x;
  for (std::size_t i = 0; i < x.size; ++i) x[i] = static_cast<float>(i % 5) * 0.3f - 0.6f;
  ref::Geometry g{4, 4, 2};
  auto a = ref::conv2d(input_of(x), g, {3, 3, 3, 1, 1, 1, 1, 1, 1}, trained.get<1>().weights, trained.get<1>().bias,
                       ref::Act::none);
  const auto& bn = trained.get<2>();
  a = ref::batch_norm(a, 3, bn.gamma, bn.beta, bn.mean, bn.variance, 1e-5, ref::Act::relu);
  a = ref::global_average(a, g);
  a = ref::dense(a, 2, trained.get<5>().weights, trained.get<5>().bias, ref::Act::none);
  check<Tiny>(tiny_params, x, a);
}

// ---- per-layer compile-time facts ----

static_assert(std::is_same_v<nn::output_shape<nn::Conv2D<8, 3, 3, nn::Same>, Shape<28, 28, 1>>, Shape<28, 28, 8>>);
static_assert(std::is_same_v<nn::output_shape<nn::Conv2D<8, 3, 3, nn::Stride<2>>, Shape<28, 28, 1>>, Shape<13, 13, 8>>);
static_assert(std::is_same_v<nn::output_shape<nn::MaxPool2D<3, 3, nn::Stride<2>, nn::CeilMode>, Shape<32, 32, 4>>,
                             Shape<16, 16, 4>>);
static_assert(
    std::is_same_v<nn::output_shape<nn::DepthwiseConv2D<3, 3, nn::Multiplier<2>>, Shape<5, 5, 3>>, Shape<3, 3, 6>>);
static_assert(std::is_same_v<nn::output_shape<nn::Dense<4>, Shape<7, 3>>, Shape<7, 4>>);
static_assert(std::is_same_v<nn::output_shape<nn::GlobalAvgPool, Shape<5, 5, 3>>, Shape<3>>);
static_assert(nn::param_count<nn::Conv2D<8, 3, 3>, Shape<10, 10, 2>> == 8 * 3 * 3 * 2 + 8);
static_assert(nn::mac_count<nn::Conv2D<8, 3, 3>, Shape<10, 10, 2>> == 8 * 8 * 8 * 3 * 3 * 2);
static_assert(nn::mac_count<nn::DepthwiseConv2D<3, 3, nn::Same>, Shape<10, 10, 4>> == 10 * 10 * 4 * 9);
// A lone layer needs its output. A fire module: both expansions (192 B each) are alive with the concat
// output (384 B); the squeeze output (128 B) dies before the concat and reuses the concat output's space.
static_assert(nn::arena_need<nn::Conv2D<8, 1, 1>, Shape<4, 4, 2>, backend::scalar> == 4 * 4 * 8 * 4);
static_assert(nn::arena_need<zoo::FireModule<2, 3, 3>, Shape<4, 4, 4>, backend::scalar> == 192 + 192 + 384);

// ---- the planner on hand-made graphs ----

namespace {

constexpr nn::StepInfo step(std::initializer_list<std::size_t> inputs, std::size_t bytes, bool in_place = false,
                            std::size_t scratch = 0) {
  nn::StepInfo s{};
  for (std::size_t b : inputs) s.inputs[s.input_count++] = b;
  s.output_bytes = bytes;
  s.in_place = in_place;
  s.scratch_bytes = scratch;
  return s;
}

template <std::size_t N>
constexpr nn::Graph<N> graph(std::initializer_list<nn::StepInfo> steps, std::size_t input_bytes = 100) {
  nn::Graph<N> g{};
  g.input_bytes = input_bytes;
  for (const auto& s : steps) g.output_buffer = g.add(s);
  return g;
}

// A chain reuses memory: buffer 3 takes buffer 1's place (buffer 1 died at step 1).
constexpr auto chain = nn::plan_arena(graph<3>({step({0}, 100), step({1}, 100), step({2}, 100)}));
static_assert(chain.valid && chain.arena_bytes == 128 + 100 && chain.offset[3] == chain.offset[1]);

// A skip connection keeps buffer 1 alive until the join (step 3), which then runs in place on it.
constexpr auto skip =
    nn::plan_arena(graph<4>({step({0}, 100), step({1}, 100), step({2}, 100), step({1, 3}, 100, true)}));
static_assert(skip.valid && skip.in_place_steps == 1 && skip.storage[4] == 1 && skip.offset[4] == skip.offset[1]);
static_assert(skip.arena_bytes == 128 + 128 + 100);  // three distinct blocks
static_assert(skip.offset[1] != skip.offset[3] && skip.offset[2] != skip.offset[3]);

// In place is refused when the input is still needed later, or is the caller's input.
constexpr auto refused = nn::plan_arena(graph<3>({step({0}, 100, true), step({1}, 100, true), step({1, 2}, 100)}));
static_assert(refused.valid && refused.in_place_steps == 0);

// Scratch lives for its step only, and may reuse a dead buffer's memory.
constexpr auto scratch = nn::plan_arena(graph<3>({step({0}, 64), step({1}, 64, false, 1000), step({2}, 64)}));
static_assert(scratch.valid && scratch.arena_bytes == 1024 + 64 + 64);  // scratch, then buffers 1 and 2 above it

}  // namespace

TEST_CASE("arena planner: figures of the hand-made graphs") {
  // The static_asserts above are the test; these lines keep the figures visible in the log.
  MESSAGE("chain ", chain.arena_bytes, ", skip ", skip.arena_bytes, ", scratch ", scratch.arena_bytes);
  CHECK(chain.no_reuse_bytes == 3 * 128);
}

TEST_CASE("arena planner: random graphs, checked by simulating every step on tagged memory") {
  // An independent check of the plan: run the steps in order on a byte map of owners (which buffer
  // last wrote each byte). A step writes its scratch, then its output; every input it reads must still
  // hold that input's bytes afterwards (unless the output took the input's place, in place). At the end
  // the network output must be intact. Alignment, bounds and the figures are checked too.
  constexpr std::size_t N = 40;
  std::mt19937 engine(99);
  for (int trial = 0; trial < 300; ++trial) {
    nn::Graph<N> graph{};
    graph.input_bytes = 1 + engine() % 500;
    const std::size_t steps = 1 + engine() % N;
    for (std::size_t s = 0; s < steps; ++s) {
      nn::StepInfo step{};
      step.input_count = 1 + engine() % 3;
      for (std::size_t i = 0; i < step.input_count; ++i) {
        // Mostly the previous buffer (chains), sometimes an older one (skips, branches).
        step.inputs[i] = engine() % 3 == 0 ? engine() % (s + 1) : s;
      }
      step.output_bytes = engine() % 4 == 0 ? graph.bytes_of(step.inputs[0]) : 1 + engine() % 700;
      step.in_place = engine() % 2 == 0;
      step.scratch_bytes = engine() % 5 == 0 ? 1 + engine() % 300 : 0;
      graph.output_buffer = graph.add(step);
    }
    const auto plan = nn::plan_arena(graph);
    INFO("trial ", trial);
    REQUIRE(plan.valid);
    REQUIRE(plan.arena_bytes <= plan.no_reuse_bytes);

    constexpr int free_byte = -1, scratch_owner = -2;
    std::vector<int> owner(plan.arena_bytes, free_byte);
    auto check_region = [&](std::size_t buffer, int expected) {
      const std::size_t offset = plan.offset[buffer], bytes = graph.bytes_of(buffer);
      REQUIRE(offset % tensor_alignment == 0);
      REQUIRE(offset + bytes <= plan.arena_bytes);
      std::size_t wrong = 0;
      for (std::size_t b = offset; b < offset + bytes; ++b) wrong += owner[b] != expected;
      REQUIRE(wrong == 0);
    };
    auto write = [&](std::size_t offset, std::size_t bytes, int tag) {
      REQUIRE(offset + bytes <= plan.arena_bytes);
      for (std::size_t b = offset; b < offset + bytes; ++b) owner[b] = tag;
    };
    for (std::size_t s = 0; s < steps; ++s) {
      const nn::StepInfo& step = graph.steps[s];
      const std::size_t out = s + 1;
      if (step.scratch_bytes > 0) write(plan.scratch_offset[s], step.scratch_bytes, scratch_owner);
      write(plan.offset[out], step.output_bytes, static_cast<int>(out));
      if (step.scratch_bytes > 0) {  // the output must not land on the scratch the kernel is using
        std::size_t clobbered = 0;
        for (std::size_t b = plan.scratch_offset[s]; b < plan.scratch_offset[s] + step.scratch_bytes; ++b) {
          clobbered += owner[b] != scratch_owner;
        }
        REQUIRE(clobbered == 0);
      }
      for (std::size_t i = 0; i < step.input_count; ++i) {
        const std::size_t in = step.inputs[i];
        if (in == 0) continue;  // the caller's input, outside the arena
        const bool merged = plan.storage[out] == plan.storage[in];
        if (merged) {
          REQUIRE(step.in_place);
          REQUIRE(graph.bytes_of(in) == step.output_bytes);
        }
        check_region(in, merged ? static_cast<int>(out) : static_cast<int>(in));
      }
    }
    if (graph.output_buffer != 0) check_region(graph.output_buffer, static_cast<int>(graph.output_buffer));
  }
}
