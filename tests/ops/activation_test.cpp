// ops/activation.hpp: every unary op against std:: functions evaluated in double; every backend
// against that reference within the tolerance its math.hpp states; dense sweeps with edge values.
#include <cmath>
#include <cstring>
#include <limits>

#include "ops/eltwise_test_support.hpp"
#include "tinynn/ops/activation.hpp"

using namespace tinynn;
using namespace eltwise_test;
using ops::UnaryOp;
using ops::UnaryParams;

namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

double reference(const UnaryParams& p, double x) {
  switch (p.kind) {
    case UnaryOp::identity: return x;
    case UnaryOp::relu: return std::isnan(x) ? x : std::max(x, 0.0);
    case UnaryOp::relu6: return std::isnan(x) ? x : std::min(std::max(x, 0.0), 6.0);
    case UnaryOp::clip: return std::isnan(x) ? x : std::min(std::max(x, double{p.alpha}), double{p.beta});
    case UnaryOp::leaky_relu: return x >= 0 ? x : p.alpha * x;
    case UnaryOp::elu: return x > 0 ? x : p.alpha * std::expm1(x);
    case UnaryOp::selu: return p.beta * (x > 0 ? x : p.alpha * std::expm1(x));
    case UnaryOp::sigmoid: return sigmoid(x);
    case UnaryOp::tanh: return std::tanh(x);
    case UnaryOp::hard_sigmoid: return std::isnan(x) ? x : std::min(std::max(p.alpha * x + p.beta, 0.0), 1.0);
    case UnaryOp::hard_swish: return std::isnan(x) ? x : x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
    case UnaryOp::silu: return x * sigmoid(x);
    // 1 + erf(z) = erfc(-z) and 1 + tanh(u) = 2 sigmoid(2u): the left forms cancel even in double.
    case UnaryOp::gelu_erf: return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
    case UnaryOp::gelu_tanh: return x * sigmoid(2.0 * std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x));
    case UnaryOp::erf: return std::erf(x);
    case UnaryOp::exp: return std::exp(x);
    case UnaryOp::log: return std::log(x);
    case UnaryOp::sqrt: return std::sqrt(x);
    case UnaryOp::abs: return std::fabs(x);
    case UnaryOp::neg: return -x;
    case UnaryOp::reciprocal: return 1.0 / x;
    case UnaryOp::softplus: return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
  return 0;
}

const UnaryParams all_params[] = {
    UnaryParams::of(UnaryOp::identity),
    UnaryParams::of(UnaryOp::relu),
    UnaryParams::of(UnaryOp::relu6),
    UnaryParams::clip(-0.5f, 2.0f),
    UnaryParams::leaky_relu(0.2f),
    UnaryParams::elu(0.7f),
    UnaryParams::selu(),
    UnaryParams::of(UnaryOp::sigmoid),
    UnaryParams::of(UnaryOp::tanh),
    UnaryParams::hard_sigmoid(),
    UnaryParams::of(UnaryOp::hard_swish),
    UnaryParams::of(UnaryOp::silu),
    UnaryParams::of(UnaryOp::gelu_erf),
    UnaryParams::of(UnaryOp::gelu_tanh),
    UnaryParams::of(UnaryOp::erf),
    UnaryParams::of(UnaryOp::exp),
    UnaryParams::of(UnaryOp::log),
    UnaryParams::of(UnaryOp::sqrt),
    UnaryParams::of(UnaryOp::abs),
    UnaryParams::of(UnaryOp::neg),
    UnaryParams::of(UnaryOp::reciprocal),
    UnaryParams::of(UnaryOp::softplus),
};

// Accuracy every backend must meet against the double reference, as |got - want| <= abs + rel*|want|.
// Scalar uses the C library (<= 2 ulp); vectorised backends state theirs in backends/<isa>/math.hpp:
// exp/log/sigmoid/tanh/erf and what is built on them <= 4 ulp-ish relative error, or 2e-7 absolute near 0.
struct Tolerance {
  float abs, rel;
};
Tolerance tolerance_of(UnaryOp op) {
  switch (op) {
    case UnaryOp::identity:
    case UnaryOp::relu:
    case UnaryOp::relu6:
    case UnaryOp::clip:
    case UnaryOp::abs:
    case UnaryOp::neg:
    case UnaryOp::leaky_relu: return {0.0f, 0.0f};
    case UnaryOp::sqrt:
    case UnaryOp::reciprocal: return {0.0f, 2.5e-7f};
    // alpha*x + beta and x + 3 cancel near their zeros: absolute error about one ulp of beta / 3.
    case UnaryOp::hard_sigmoid: return {1.2e-7f, 2.5e-7f};
    case UnaryOp::hard_swish: return {2.5e-7f, 4e-7f};
    default: return {2e-7f, 5e-7f};
  }
}

std::vector<float> sweep() {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> v = {0.0f,
                          -0.0f,
                          1e-45f,
                          -1e-45f,
                          1e-39f,
                          -1e-39f,
                          std::numeric_limits<float>::min(),
                          inf,
                          -inf,
                          std::numeric_limits<float>::quiet_NaN(),
                          std::numeric_limits<float>::max(),
                          -std::numeric_limits<float>::max(),
                          88.72f,
                          88.73f,
                          89.0f,
                          -87.3f,
                          -103.0f,
                          -104.0f,
                          9.0f,
                          -9.0f,
                          10.0f,
                          -10.0f,
                          3.0f,
                          -3.0f,
                          6.0f,
                          0.5f,
                          -0.5f,
                          1e-4f,
                          -1e-4f,
                          1e-8f};
  for (float x = -20.0f; x <= 20.0f; x += 0.00731f) v.push_back(x);  // dense over the interesting range
  for (float x = 1e-6f; x < 1e30f; x *= 1.37f) {
    v.push_back(x);
    v.push_back(-x);
  }
  return v;
}

}  // namespace

TEST_CASE("unary: prepare validates parameters") {
  CHECK(ops::unary::prepare(UnaryParams::clip(0, 6)).ok());
  CHECK(!ops::unary::prepare(UnaryParams::clip(6, 0)).ok());
  CHECK(!ops::unary::prepare(UnaryParams::leaky_relu(std::nanf(""))).ok());
}

TEST_CASE("unary: every op, every backend, dense sweep with edge values against double") {
  const auto x = sweep();
  for (const UnaryParams& p : all_params) {
    const Tolerance tol = tolerance_of(p.kind);
    std::vector<float> want(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) want[i] = static_cast<float>(reference(p, x[i]));
    for (auto id : runnable_backends()) {
      std::vector<float> y(x.size());
      ops::unary::run(id, p, x.data(), y.data(), x.size());
      check_close(y, want, tol.abs, tol.rel,
                  std::string(backend::name_of(id)) + " unary op " + std::to_string(static_cast<int>(p.kind)));
    }
  }
}

TEST_CASE("unary: lengths around the vector width, 1 element, empty, in place") {
  for (std::size_t n : {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 65, 257}) {
    const auto x = random_floats(n, -8.0f, 8.0f);
    for (const UnaryParams& p : all_params) {
      std::vector<float> want(n);
      for (std::size_t i = 0; i < n; ++i) want[i] = static_cast<float>(reference(p, x[i]));
      const Tolerance tol = tolerance_of(p.kind);
      for (auto id : runnable_backends()) {
        std::vector<float> y(n + 1, 42.0f);
        ops::unary::run(id, p, x.data(), y.data(), n);
        CHECK(y[n] == 42.0f);  // nothing written past the end
        y.resize(n);
        check_close(y, want, tol.abs, tol.rel, std::string(backend::name_of(id)) + " n=" + std::to_string(n));
        std::vector<float> z = x;
        ops::unary::run(id, p, z.data(), z.data(), n);
        check_close(z, want, tol.abs, tol.rel, std::string(backend::name_of(id)) + " in place");
      }
    }
  }
}

namespace {
// Distance in units in the last place of the float nearest to `want` (normal range).
double ulp_error(float got, double want) {
  if (std::isnan(want) || std::isinf(want))
    return (std::isnan(got) == std::isnan(want) && (std::isnan(want) || got == want)) ? 0 : 1e9;
  const float nearest = static_cast<float>(want);
  if (std::fabs(want) < std::numeric_limits<float>::min())
    return std::fabs(got - want) <= 1e-44 ? 0 : std::fabs(got - want) / 1.4e-45;
  const double ulp = std::nextafter(std::fabs(nearest), std::numeric_limits<float>::infinity()) - std::fabs(nearest);
  return std::fabs(double{got} - want) / ulp;
}
}  // namespace

TEST_CASE("unary: stated accuracy of the transcendental functions, in ulp, on every backend") {
  // The bounds stated in backends/<isa>/math.hpp; scalar is the C library.
  struct Stated {
    UnaryParams p;
    double max_ulp;
    float min_x = -1e30f;  // below it only the absolute tolerance of the sweep tests applies
  };
  const Stated stated[] = {
      {UnaryParams::of(UnaryOp::exp), 1},
      {UnaryParams::of(UnaryOp::log), 2},
      {UnaryParams::of(UnaryOp::sigmoid), 3},
      {UnaryParams::of(UnaryOp::tanh), 3},
      {UnaryParams::of(UnaryOp::erf), 3},
      {UnaryParams::of(UnaryOp::silu), 3},
      {UnaryParams::elu(1.0f), 2},
      {UnaryParams::of(UnaryOp::softplus), 4},
      // GELU's negative tail is ill-conditioned in float itself: the rounding of x/sqrt(2) (or of u)
      // is amplified by ~x^2 (or 2|u|) in the result; libm-based scalar code shows the same.
      {UnaryParams::of(UnaryOp::gelu_tanh), 16, -3.0f},
      {UnaryParams::of(UnaryOp::gelu_erf), 16, -3.0f},
  };
  std::vector<float> x;
  // ~26k points: dense enough to find the worst cases seen with 10x more, cheap under qemu at 512-bit SVE
  for (float v = -30.0f; v <= 30.0f; v += 0.00231f) x.push_back(v);
  for (float v = 1e-30f; v < 3e38f; v *= 1.0123f) x.push_back(v);
  for (const Stated& s : stated) {
    for (auto id : runnable_backends()) {
      std::vector<float> y(x.size());
      ops::unary::run(id, s.p, x.data(), y.data(), x.size());
      double worst = 0;
      float worst_x = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (x[i] < s.min_x) continue;
        const double want = reference(s.p, x[i]);
        if (std::fabs(want) < 1e-30 && s.p.kind != UnaryOp::exp) continue;  // tiny tails: absolute tolerance elsewhere
        const double e = ulp_error(y[i], want);
        if (e > worst) {
          worst = e;
          worst_x = x[i];
        }
      }
      MESSAGE(std::string(backend::name_of(id))
              << " op " << static_cast<int>(s.p.kind) << ": max " << worst << " ulp at x = " << worst_x);
      CHECK(worst <= s.max_ulp);
    }
  }
}
