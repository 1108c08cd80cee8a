// ops/reduce.hpp: every reduction over random axis sets, keepdims or not, against a double loop.
#include <cmath>
#include <limits>

#include "ops/eltwise_test_support.hpp"
#include "tinynn/ops/reduce.hpp"

using namespace tinynn;
using namespace eltwise_test;
using ops::ReduceOp;

namespace {

std::vector<float> reference(ReduceOp op, const DynShape& s, std::uint32_t mask, const std::vector<float>& x) {
  // Output index (over the kept axes, keepdims layout) of every input element.
  DynShape kept;
  for (std::size_t d = 0; d < s.rank(); ++d) (void)kept.push_back((mask >> d) & 1 ? 1 : s[d]);
  std::vector<double> acc(kept.size(), op == ReduceOp::max    ? -INFINITY
                                       : op == ReduceOp::min  ? INFINITY
                                       : op == ReduceOp::prod ? 1.0
                                                              : 0.0);
  std::vector<std::size_t> count(kept.size(), 0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto index = unravel(i, s);
    for (std::size_t d = 0; d < s.rank(); ++d) {
      if ((mask >> d) & 1) index[d] = 0;
    }
    const std::size_t o = ravel(index, kept);
    const double v = x[i];
    double& a = acc[o];
    switch (op) {
      case ReduceOp::sum:
      case ReduceOp::mean: a += v; break;
      case ReduceOp::max: a = std::max(a, v); break;
      case ReduceOp::min: a = std::min(a, v); break;
      case ReduceOp::prod: a *= v; break;
      case ReduceOp::sum_square:
      case ReduceOp::l2: a += v * v; break;
      case ReduceOp::l1: a += std::fabs(v); break;
    }
    ++count[o];
  }
  std::vector<float> y(kept.size());
  for (std::size_t o = 0; o < y.size(); ++o) {
    double v = acc[o];
    if (op == ReduceOp::mean) v = count[o] ? v / double(count[o]) : NAN;
    if (op == ReduceOp::l2) v = std::sqrt(v);
    y[o] = static_cast<float>(v);
  }
  return y;
}

}  // namespace

TEST_CASE("reduce: random shapes, axis sets and ops, keepdims both ways") {
  const ReduceOp ops_list[] = {ReduceOp::sum,  ReduceOp::mean, ReduceOp::max,        ReduceOp::min,
                               ReduceOp::prod, ReduceOp::l1,   ReduceOp::sum_square, ReduceOp::l2};
  for (int trial = 0; trial < 120; ++trial) {
    DynShape s;
    const auto rank = static_cast<std::size_t>(random_int(0, 5));
    for (std::size_t d = 0; d < rank; ++d) (void)s.push_back(random_int(trial < 110 ? 1 : 0, 7));
    std::vector<std::int64_t> axes;
    for (std::size_t d = 0; d < rank; ++d) {
      if (random_int(0, 1))
        axes.push_back(random_int(0, 1) ? static_cast<std::int64_t>(d)
                                        : static_cast<std::int64_t>(d) - static_cast<std::int64_t>(rank));
    }
    const ReduceOp op = ops_list[trial % 8];
    ops::reduce::Params p;
    p.op = op;
    p.keepdims = trial % 3 != 0;
    p.input = s;
    REQUIRE(ops::reduce::prepare(p, axes).ok());
    // prod stays well conditioned with factors near 1
    const auto x = op == ReduceOp::prod ? random_floats(s.size(), 0.8f, 1.2f) : random_floats(s.size());
    const auto want = reference(op, s, p.axes_mask, x);
    REQUIRE(p.output.size() == want.size());
    for (auto id : runnable_backends()) {
      std::vector<float> y(p.output.size());
      ops::reduce::run(id, p, x.data(), y.data());
      check_close(
          y, want, 2e-5f, 2e-5f,
          std::string(backend::name_of(id)) + " reduce " + std::to_string(int(op)) + " " + std::string(s.str().view()));
    }
  }
}

TEST_CASE("reduce: output shapes, empty axes, noop, errors") {
  ops::reduce::Params p;
  p.input = DynShape{2, 3, 4};
  p.keepdims = false;
  const std::int64_t axes[] = {-1, 0};
  REQUIRE(ops::reduce::prepare(p, axes).ok());
  CHECK(p.output == DynShape{3});
  p.keepdims = true;
  REQUIRE(ops::reduce::prepare(p, {}).ok());
  CHECK(p.output == DynShape{1, 1, 1});
  REQUIRE(ops::reduce::prepare(p, {}, true).ok());
  CHECK(p.output == DynShape{2, 3, 4});
  const std::int64_t repeated[] = {1, -2};
  CHECK(!ops::reduce::prepare(p, repeated).ok());
  const std::int64_t out_of_range[] = {3};
  CHECK(!ops::reduce::prepare(p, out_of_range).ok());
}
