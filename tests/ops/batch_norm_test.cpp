// ops/batch_norm.hpp: inference batch norm against its formula in double, and folding into a
// preceding layer's weights checked by running the layer (a plain dense loop) both ways.
#include <cmath>

#include "ops/eltwise_test_support.hpp"
#include "tinynn/ops/batch_norm.hpp"

using namespace tinynn;
using namespace eltwise_test;

TEST_CASE("batch_norm: y = (x - mean)/sqrt(var + eps)*gamma + beta over the channel axis") {
  for (std::int64_t c : {1, 3, 8, 17, 64}) {
    const DynShape s{2, 3, 5, c};
    const auto x = random_floats(s.size());
    const auto gamma = random_floats(static_cast<std::size_t>(c)), beta = random_floats(static_cast<std::size_t>(c)),
               mean = random_floats(static_cast<std::size_t>(c)),
               var = random_floats(static_cast<std::size_t>(c), 0.1f, 2.0f);
    const ops::batch_norm::Weights w{gamma.data(), beta.data(), mean.data(), var.data(), 1e-3f};
    std::vector<float> scale(static_cast<std::size_t>(c)), shift(static_cast<std::size_t>(c));
    REQUIRE(ops::batch_norm::affine(w, static_cast<std::size_t>(c), scale.data(), shift.data()).ok());
    ops::batch_norm::Params p{s, ops::ActivationParams::relu()};
    REQUIRE(ops::batch_norm::prepare(p).ok());
    std::vector<float> want(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::size_t k = i % static_cast<std::size_t>(c);
      const double v = (x[i] - double{mean[k]}) / std::sqrt(double{var[k]} + 1e-3) * gamma[k] + beta[k];
      want[i] = static_cast<float>(v > 0 ? v : 0);
    }
    for (auto id : runnable_backends()) {
      std::vector<float> y(x.size());
      ops::batch_norm::run(id, p, x.data(), scale.data(), shift.data(), y.data());
      check_close(y, want, 1e-5f, 1e-5f, std::string(backend::name_of(id)) + " batch_norm");
    }
  }
}

TEST_CASE("batch_norm: folding into [out, in] and [in, out] weights gives the same layer") {
  const std::size_t in = 7, out = 5;
  const auto x = random_floats(in);
  const auto gamma = random_floats(out), beta = random_floats(out), mean = random_floats(out),
             var = random_floats(out, 0.2f, 3.0f);
  const ops::batch_norm::Weights w{gamma.data(), beta.data(), mean.data(), var.data(), 1e-5f};
  const auto weights = random_floats(in * out);  // [out, in]
  const auto bias = random_floats(out);
  std::vector<double> want(out);
  for (std::size_t o = 0; o < out; ++o) {
    double z = bias[o];
    for (std::size_t i = 0; i < in; ++i) z += double{weights[o * in + i]} * x[i];
    want[o] = (z - mean[o]) / std::sqrt(double{var[o]} + 1e-5) * gamma[o] + beta[o];
  }
  // [out, in]: outer 1, inner `in`.
  auto folded = weights;
  auto folded_bias = bias;
  REQUIRE(ops::batch_norm::fold(w, out, folded.data(), 1, in, folded_bias.data()).ok());
  for (std::size_t o = 0; o < out; ++o) {
    double z = folded_bias[o];
    for (std::size_t i = 0; i < in; ++i) z += double{folded[o * in + i]} * x[i];
    CHECK(z == doctest::Approx(want[o]).epsilon(1e-5));
  }
  // [in, out]: outer `in`, inner 1.
  std::vector<float> transposed(in * out);
  for (std::size_t o = 0; o < out; ++o)
    for (std::size_t i = 0; i < in; ++i) transposed[i * out + o] = weights[o * in + i];
  folded_bias = bias;
  REQUIRE(ops::batch_norm::fold(w, out, transposed.data(), in, 1, folded_bias.data()).ok());
  for (std::size_t o = 0; o < out; ++o) {
    double z = folded_bias[o];
    for (std::size_t i = 0; i < in; ++i) z += double{transposed[i * out + o]} * x[i];
    CHECK(z == doctest::Approx(want[o]).epsilon(1e-5));
  }
  // A negative variance is a model error.
  std::vector<float> bad_var(out, -1.0f);
  const ops::batch_norm::Weights bad{gamma.data(), beta.data(), mean.data(), bad_var.data(), 1e-5f};
  CHECK(!ops::batch_norm::fold(bad, out, folded.data(), 1, in, folded_bias.data()).ok());
}
