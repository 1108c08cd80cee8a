// The reference networks as static networks, against an independent reference (tests/nn/reference.hpp:
// double-precision loops written from the operator definitions) with random weights, on the native
// and the scalar backend, with a clean and a poisoned (NaN-filled) arena.
#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>

#include "reference.hpp"
#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/nn.hpp"
#include "tinynn/nn/zoo.hpp"

namespace {

using namespace tinynn;
namespace ref = tinynn_test;
namespace zoo = tinynn::nn::zoo;

/// Fills every float of a Trained aggregate (nested std::arrays of floats only) uniformly.
template <class Trained>
void fill_trained(Trained& trained, ref::Random& random, float scale) {
  static_assert(sizeof(Trained) % sizeof(float) == 0);
  std::span<float> all(reinterpret_cast<float*>(&trained), sizeof(Trained) / sizeof(float));
  random.fill(all, scale);
}

/// BatchNorm statistics that are far from the identity (variance in [0.5, 2]).
template <class BN>
void randomize_batch_norm(BN& bn, ref::Random& random) {
  random.fill_positive(bn.gamma, 0.5f, 1.5f);
  random.fill(bn.beta, 0.5f);
  random.fill(bn.mean, 0.5f);
  random.fill_positive(bn.variance, 0.5f, 2.0f);
}

template <class Net>
struct Fixture {
  std::unique_ptr<typename Net::Trained> trained = std::make_unique<typename Net::Trained>();
  std::unique_ptr<typename Net::Params> params = std::make_unique<typename Net::Params>();
  Tensor<f32, typename Net::input_shape> x;
  ref::Tensor input() const { return ref::Tensor(x.storage.begin(), x.storage.end()); }
};

/// Runs Net on Backend with a clean and a NaN-poisoned arena; both must match `expected`.
template <class Net, class Backend>
void check_backend(const Fixture<Net>& f, const ref::Tensor& expected, double tolerance) {
  auto arena = std::make_unique<typename Net::template ArenaFor<Backend>>();
  std::memset(arena->bytes, 0, sizeof arena->bytes);
  auto y = Net::template run<Backend>(*f.params, f.x, *arena);
  const std::vector<float> clean(y.data(), y.data() + Net::output_shape::size);
  INFO("backend ", Backend::name());
  CHECK(ref::max_error(clean, expected) < tolerance);

  std::memset(arena->bytes, 0xFF, sizeof arena->bytes);  // every float a NaN
  auto z = Net::template run<Backend>(*f.params, f.x, *arena);
  CHECK(ref::max_error(std::span<const float>(z.data(), Net::output_shape::size), expected) < tolerance);
  for (std::size_t i = 0; i < Net::output_shape::size; ++i) REQUIRE(z[i] == clean[i]);

  // arena_bytes is enough: in a caller's buffer of exactly that size, followed by a canary, the
  // bytes past the end stay untouched and the result is the same.
  constexpr std::size_t bytes = Net::template arena_bytes_for<Backend>, canary = 4096;
  auto storage = std::make_unique<std::byte[]>(bytes + canary + tensor_alignment);
  void* base = storage.get();
  std::size_t space = bytes + canary + tensor_alignment;
  auto* aligned = static_cast<std::byte*>(std::align(tensor_alignment, bytes + canary, base, space));
  std::memset(aligned, 0xA5, bytes + canary);
  auto w = Net::template run<Backend>(*f.params, f.x.view(), std::span<std::byte>(aligned, bytes));
  for (std::size_t i = 0; i < Net::output_shape::size; ++i) REQUIRE(w[i] == clean[i]);
  std::size_t touched = 0;
  for (std::size_t i = bytes; i < bytes + canary; ++i) touched += aligned[i] != std::byte{0xA5};
  CHECK(touched == 0);
}

/// Scalar, native, and every x86 backend this CPU runs (their kernels compile into any x86 TU).
template <class Net>
void check_all_backends(const Fixture<Net>& f, const ref::Tensor& expected, double tolerance = 1e-4) {
  check_backend<Net, backend::scalar>(f, expected, tolerance);
  if constexpr (!std::is_same_v<backend::native, backend::scalar>) {
    check_backend<Net, backend::native>(f, expected, tolerance);
  }
#if TINYNN_HAS_X86_KERNELS
  if (backend_available(backend::BackendId::avx2)) {
    check_backend<Net, backend::avx2>(f, expected, tolerance);
  } else {
    MESSAGE("skipped: avx2 (the CPU lacks it)");
  }
  if (backend_available(backend::BackendId::avx512)) {
    check_backend<Net, backend::avx512>(f, expected, tolerance);
  } else {
    MESSAGE("skipped: avx512 (the CPU lacks it)");
  }
#endif
}

template <class Net>
void report(const std::string& name) {
  MESSAGE(name, ": params ", Net::param_count, " (", Net::param_bytes, " bytes packed), MACs ", Net::macs, ", arena ",
          Net::template arena_bytes_for<backend::scalar>, " bytes scalar / ", Net::arena_bytes,
          " native (ping-pong bound ", Net::template plan<backend::scalar>.ping_pong_bytes, ", no reuse ",
          Net::template plan<backend::scalar>.no_reuse_bytes, ")");
}

ref::Conv same(std::size_t filters, std::size_t k, std::size_t in, std::size_t stride = 1) {
  // TensorFlow SAME: output = ceil(in / stride), the odd padding pixel after.
  const std::size_t out = (in + stride - 1) / stride;
  const std::size_t total = (out - 1) * stride + k > in ? (out - 1) * stride + k - in : 0;
  return {filters, k, k, stride, stride, total / 2, total / 2, total - total / 2, total - total / 2};
}

}  // namespace

TEST_CASE("SimpLeNet-v1 matches the reference") {
  using Net = zoo::SimpLeNetV1;
  static_assert(std::is_same_v<Net::output_shape, Shape<10>>);
  static_assert(Net::param_count == 3 * 25 + 3 + 6 * 75 + 6 + 10 * 294 + 10);
  static_assert(Net::macs == 28 * 28 * 3 * 25 + 14 * 14 * 6 * 75 + 294 * 10);
  // Conv1 out (9408 B) + pool1 out (2352 B, at the next 64-byte boundary) is the peak.
  static_assert(Net::arena_bytes_for<backend::scalar> == 9408 + 2352);
  static_assert(Net::arena_bytes_for<backend::scalar> < Net::plan<backend::scalar>.ping_pong_bytes);
  report<Net>("SimpLeNet-v1");

  Fixture<Net> f;
  ref::Random random(1);
  fill_trained(*f.trained, random, 0.3f);
  random.fill(f.x.storage);
  Net::fold_into(*f.trained, *f.params);

  const auto& t = *f.trained;
  ref::Geometry g{28, 28, 1};
  auto a = ref::conv2d(f.input(), g, same(3, 5, 28), t.get<1>().weights, t.get<1>().bias, ref::Act::relu);
  a = ref::pool(a, g, 2, 2, false);
  a = ref::conv2d(a, g, same(6, 5, 14), t.get<3>().weights, t.get<3>().bias, ref::Act::relu);
  a = ref::pool(a, g, 2, 2, false);
  a = ref::dense(a, 10, t.get<6>().weights, t.get<6>().bias, ref::Act::none);
  check_all_backends(f, a);
}

TEST_CASE("CMSIS-NN CIFAR-10 CNN matches the reference") {
  using Net = zoo::Cifar10Cnn;
  static_assert(std::is_same_v<Net::output_shape, Shape<10>>);
  static_assert(Net::param_count == 32 * 75 + 32 + 32 * 800 + 32 + 64 * 800 + 64 + 10 * 1024 + 10);
  static_assert(Net::arena_bytes_for<backend::scalar> < Net::plan<backend::scalar>.ping_pong_bytes);
  report<Net>("CIFAR-10 CNN");

  Fixture<Net> f;
  ref::Random random(2);
  fill_trained(*f.trained, random, 0.1f);
  random.fill(f.x.storage);
  Net::fold_into(*f.trained, *f.params);

  const auto& t = *f.trained;
  ref::Geometry g{32, 32, 3};
  auto a = ref::conv2d(f.input(), g, same(32, 5, 32), t.get<1>().weights, t.get<1>().bias, ref::Act::relu);
  a = ref::pool(a, g, 3, 2, false, 0, 1);  // ceil mode: 32 -> 16
  a = ref::conv2d(a, g, same(32, 5, 16), t.get<3>().weights, t.get<3>().bias, ref::Act::relu);
  a = ref::pool(a, g, 3, 2, false, 0, 1);  // 16 -> 8
  a = ref::conv2d(a, g, same(64, 5, 8), t.get<5>().weights, t.get<5>().bias, ref::Act::relu);
  a = ref::pool(a, g, 3, 2, false, 0, 1);  // 8 -> 4
  CHECK(a.size() == 1024);
  a = ref::dense(a, 10, t.get<8>().weights, t.get<8>().bias, ref::Act::none);
  check_all_backends(f, a);
}

TEST_CASE("DS-CNN keyword spotter (BatchNorm folded at fold time) matches the reference") {
  using Net = zoo::DsCnnKws;
  static_assert(std::is_same_v<Net::output_shape, Shape<12>>);
  // Every BatchNorm and ReLU fused: conv, 4 x (depthwise, pointwise), pool, dense.
  static_assert(Net::step_count == 1 + 8 + 2);
  report<Net>("DS-CNN KWS");

  Fixture<Net> f;
  ref::Random random(3);
  auto& t = *f.trained;
  fill_trained(t, random, 0.5f);  // large enough that the output depends visibly on every layer
  randomize_batch_norm(t.get<2>(), random);
  auto stage_bn = [&](auto& stage) {
    randomize_batch_norm(stage.template get<1>(), random);
    randomize_batch_norm(stage.template get<4>(), random);
  };
  stage_bn(t.get<4>());
  stage_bn(t.get<5>());
  stage_bn(t.get<6>());
  stage_bn(t.get<7>());
  random.fill(f.x.storage);
  Net::fold_into(t, *f.params);

  auto bn = [](const ref::Tensor& x, std::size_t c, const auto& s) {
    return ref::batch_norm(x, c, s.gamma, s.beta, s.mean, s.variance, 1e-5, ref::Act::relu);
  };
  ref::Geometry g{49, 10, 1};
  auto a =
      ref::conv2d(f.input(), g, {64, 10, 4, 2, 2, 5, 1, 5, 1}, t.get<1>().weights, t.get<1>().bias, ref::Act::none);
  CHECK(g.h == 25);
  CHECK(g.w == 5);
  a = bn(a, 64, t.get<2>());
  auto stage = [&](const auto& s) {
    a = ref::depthwise(a, g, same(64, 3, g.h), s.template get<0>().weights, s.template get<0>().bias, ref::Act::none);
    a = bn(a, 64, s.template get<1>());
    a = ref::conv2d(a, g, {64, 1, 1}, s.template get<3>().weights, s.template get<3>().bias, ref::Act::none);
    a = bn(a, 64, s.template get<4>());
  };
  stage(t.get<4>());
  stage(t.get<5>());
  stage(t.get<6>());
  stage(t.get<7>());
  a = ref::global_average(a, g);
  a = ref::dense(a, 12, t.get<9>().weights, t.get<9>().bias, ref::Act::none);
  check_all_backends(f, a);

  // The comparison is sensitive to the folding: with the first BatchNorm's means off by 0.5 it fails.
  auto wrong = std::make_unique<Net::Trained>(t);
  for (float& m : wrong->get<2>().mean) m += 0.5f;
  auto wrong_params = std::make_unique<Net::Params>();
  Net::fold_into(*wrong, *wrong_params);
  auto arena = std::make_unique<Net::ArenaFor<backend::scalar>>();
  auto y = Net::run<backend::scalar>(*wrong_params, f.x, *arena);
  CHECK(ref::max_error(y.span(), a) > 1e-3);
}

namespace {

template <std::size_t In, std::size_t Out, std::size_t Expand, std::size_t S, class Trained>
ref::Tensor inverted_residual(const ref::Tensor& x, ref::Geometry& g, const Trained& trained) {
  constexpr bool residual = S == 1 && In == Out;
  const auto& body = [&]() -> const auto& {
    if constexpr (residual) {
      return trained.template get<0>();
    } else {
      return trained;
    }
  }
  ();
  ref::Tensor a = x;
  constexpr std::size_t dw = Expand == 1 ? 0 : 1;
  if constexpr (Expand != 1) {
    a = ref::conv2d(a, g, {In * Expand, 1, 1}, body.template get<0>().weights, body.template get<0>().bias,
                    ref::Act::relu6);
  }
  a = ref::depthwise(a, g, same(0, 3, g.h, S), body.template get<dw>().weights, body.template get<dw>().bias,
                     ref::Act::relu6);
  a = ref::conv2d(a, g, {Out, 1, 1}, body.template get<dw + 1>().weights, body.template get<dw + 1>().bias,
                  ref::Act::none);
  if constexpr (residual) a = ref::add(a, x);
  return a;
}

}  // namespace

TEST_CASE("MobileNetV2-0.35 (96x96x3) matches the reference") {
  using Net = zoo::MobileNetV2_035_96;
  static_assert(std::is_same_v<Net::output_shape, Shape<1000>>);
  static_assert(Net::arena_bytes_for<backend::scalar> < Net::plan<backend::scalar>.ping_pong_bytes);
  report<Net>("MobileNetV2-0.35-96");

  Fixture<Net> f;
  ref::Random random(4);
  fill_trained(*f.trained, random, 0.15f);
  random.fill(f.x.storage);
  Net::fold_into(*f.trained, *f.params);

  const auto& t = *f.trained;
  ref::Geometry g{96, 96, 3};
  auto a = ref::conv2d(f.input(), g, same(16, 3, 96, 2), t.get<1>().weights, t.get<1>().bias, ref::Act::relu6);
  a = inverted_residual<16, 8, 1, 1>(a, g, t.get<2>());
  a = inverted_residual<8, 8, 6, 2>(a, g, t.get<3>());
  a = inverted_residual<8, 8, 6, 1>(a, g, t.get<4>());
  a = inverted_residual<8, 16, 6, 2>(a, g, t.get<5>());
  a = inverted_residual<16, 16, 6, 1>(a, g, t.get<6>());
  a = inverted_residual<16, 16, 6, 1>(a, g, t.get<7>());
  a = inverted_residual<16, 24, 6, 2>(a, g, t.get<8>());
  a = inverted_residual<24, 24, 6, 1>(a, g, t.get<9>());
  a = inverted_residual<24, 24, 6, 1>(a, g, t.get<10>());
  a = inverted_residual<24, 24, 6, 1>(a, g, t.get<11>());
  a = inverted_residual<24, 32, 6, 1>(a, g, t.get<12>());
  a = inverted_residual<32, 32, 6, 1>(a, g, t.get<13>());
  a = inverted_residual<32, 32, 6, 1>(a, g, t.get<14>());
  a = inverted_residual<32, 56, 6, 2>(a, g, t.get<15>());
  a = inverted_residual<56, 56, 6, 1>(a, g, t.get<16>());
  a = inverted_residual<56, 56, 6, 1>(a, g, t.get<17>());
  a = inverted_residual<56, 112, 6, 1>(a, g, t.get<18>());
  CHECK(g.h == 3);
  a = ref::conv2d(a, g, {1280, 1, 1}, t.get<19>().weights, t.get<19>().bias, ref::Act::relu6);
  a = ref::global_average(a, g);
  a = ref::dense(a, 1000, t.get<21>().weights, t.get<21>().bias, ref::Act::none);
  check_all_backends(f, a, 2e-4);
}
