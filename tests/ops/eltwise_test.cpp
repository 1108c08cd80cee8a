// ops/eltwise.hpp: binary ops with NumPy broadcasting against a plain multi-index loop in double.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/eltwise_test_support.hpp"
#include "tinynn/ops/eltwise.hpp"

using namespace tinynn;
using namespace eltwise_test;
using ops::BinaryOp;

namespace {

double reference_op(BinaryOp op, double a, double b) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return a / b;
    case BinaryOp::min: return std::isnan(a) || std::isnan(b) ? std::nan("") : std::min(a, b);
    case BinaryOp::max: return std::isnan(a) || std::isnan(b) ? std::nan("") : std::max(a, b);
    case BinaryOp::pow: return std::pow(a, b);
    case BinaryOp::prelu: return a < 0 ? a * b : a;
  }
  return 0;
}

// The broadcast reference: output index -> input index with broadcast dims pinned to 0.
std::vector<float> reference(BinaryOp op, const DynShape& sa, const std::vector<float>& a, const DynShape& sb,
                             const std::vector<float>& b, const DynShape& out, const ops::ActivationParams& act) {
  std::vector<float> y(out.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    const auto index = unravel(i, out);
    auto pick = [&](const DynShape& s) {
      std::vector<std::int64_t> k(s.rank());
      for (std::size_t d = 0; d < s.rank(); ++d) {
        k[d] = s[d] == 1 ? 0 : index[d + out.rank() - s.rank()];
      }
      return ravel(k, s);
    };
    y[i] = ops::apply_activation(act, static_cast<float>(reference_op(op, a[pick(sa)], b[pick(sb)])));
  }
  return y;
}

const BinaryOp all_ops[] = {BinaryOp::add, BinaryOp::sub, BinaryOp::mul, BinaryOp::div,
                            BinaryOp::min, BinaryOp::max, BinaryOp::pow, BinaryOp::prelu};

void check_case(const DynShape& sa, const DynShape& sb, BinaryOp op, const ops::ActivationParams& act = {}) {
  ops::binary::Params p{op, act, sa, sb, {}};
  REQUIRE(ops::binary::prepare(p).ok());
  const bool positive = op == BinaryOp::pow;  // pow of negative bases is NaN for most exponents
  auto a = random_floats(sa.size(), positive ? 0.1f : -3.0f, 3.0f);
  auto b = random_floats(sb.size(), positive ? -2.0f : -3.0f, 3.0f);
  if (op == BinaryOp::div) {
    for (float& v : b) v = v < 0 ? v - 0.5f : v + 0.5f;
  }
  const auto want = reference(op, sa, a, sb, b, p.output, act);
  for (auto id : runnable_backends()) {
    std::vector<float> y(p.output.size(), -7.0f);
    ops::binary::run(id, p, a.data(), b.data(), y.data());
    // Exact on IEEE operations; pow goes through exp/log on SIMD backends (see their math.hpp).
    const float rel = op == BinaryOp::pow ? 4e-6f : 1e-7f;
    check_close(y, want, 0.0f, rel,
                std::string(backend::name_of(id)) + " op " + std::to_string(static_cast<int>(op)) + " " +
                    std::string(sa.str().view()) + " x " + std::string(sb.str().view()));
  }
}

}  // namespace

TEST_CASE("binary: broadcast_shapes follows NumPy and names the bad dimension") {
  CHECK(*ops::broadcast_shapes(DynShape{2, 1, 4}, DynShape{3, 1}) == DynShape{2, 3, 4});
  CHECK(*ops::broadcast_shapes(DynShape{}, DynShape{5}) == DynShape{5});
  CHECK(*ops::broadcast_shapes(DynShape{0, 3}, DynShape{1, 3}) == DynShape{0, 3});
  auto bad = ops::broadcast_shapes(DynShape{2, 3}, DynShape{4});
  REQUIRE(!bad);
  CHECK(std::string(bad.status().message()).find("[2, 3] and [4] do not broadcast") != std::string::npos);
}

TEST_CASE("binary: every op on randomized broadcast shapes, every backend, against a plain loop") {
  for (int trial = 0; trial < 60; ++trial) {
    const auto rank = static_cast<std::size_t>(random_int(0, 5));
    DynShape out;
    for (std::size_t d = 0; d < rank; ++d) (void)out.push_back(random_int(1, trial < 50 ? 9 : 40));
    auto derive = [&] {
      DynShape s;
      const auto drop = static_cast<std::size_t>(random_int(0, static_cast<std::int64_t>(rank)));
      for (std::size_t d = drop; d < rank; ++d) (void)s.push_back(random_int(0, 2) == 0 ? 1 : out[d]);
      return s;
    };
    const DynShape sa = derive(), sb = derive();
    for (BinaryOp op : all_ops) check_case(sa, sb, op);
  }
}

TEST_CASE("binary: edge shapes - scalars, 1-element, empty, lengths around the vector width") {
  for (std::int64_t n : {1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100}) {
    for (BinaryOp op : all_ops) {
      check_case(DynShape{n}, DynShape{n}, op);
      check_case(DynShape{n}, DynShape{}, op);
      check_case(DynShape{1}, DynShape{3, n}, op);
      check_case(DynShape{n, 1}, DynShape{1, n}, op);
    }
  }
  check_case(DynShape{0}, DynShape{1}, BinaryOp::add);
  check_case(DynShape{2, 0, 3}, DynShape{3}, BinaryOp::mul);
  check_case(DynShape{}, DynShape{}, BinaryOp::sub);
}

TEST_CASE("binary: fused activations") {
  for (auto act : {ops::ActivationParams::relu(), ops::ActivationParams::relu6(), ops::ActivationParams::clip(-1, 1),
                   ops::ActivationParams::leaky_relu(0.1f)}) {
    check_case(DynShape{2, 5, 19}, DynShape{19}, BinaryOp::add, act);
    check_case(DynShape{37}, DynShape{37}, BinaryOp::mul, act);
  }
}

TEST_CASE("binary: NaN and infinities propagate as in NumPy; in place") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  std::vector<float> a = {nan,  1.0f, nan,   -inf, inf, 2.0f, -0.0f, 5.0f, nan,
                          1.0f, 3.0f, -2.0f, 0.0f, inf, 4.0f, 1.0f,  9.0f};
  std::vector<float> b = {1.0f, nan,   nan,  1.0f,  -inf, inf, 0.0f, -inf, 2.0f,
                          nan,  -3.0f, 2.0f, -0.0f, inf,  nan, 1.0f, 2.0f};
  const DynShape s{static_cast<std::int64_t>(a.size())};
  for (BinaryOp op : {BinaryOp::add, BinaryOp::mul, BinaryOp::min, BinaryOp::max, BinaryOp::div}) {
    ops::binary::Params p{op, {}, s, s, {}};
    REQUIRE(ops::binary::prepare(p).ok());
    std::vector<float> want(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) want[i] = static_cast<float>(reference_op(op, a[i], b[i]));
    for (auto id : runnable_backends()) {
      std::vector<float> y = a;  // in place: out aliases a
      ops::binary::run(id, p, y.data(), b.data(), y.data());
      check_close(y, want, 0.0f, 0.0f, std::string(backend::name_of(id)) + " special values");
    }
  }
}
