// ops/slice.hpp: ONNX Slice (clamping, negative indices, negative steps) against a plain loop that
// walks the ONNX definition (range(start, end, step) per axis, as Python slicing does).
#include <algorithm>
#include <climits>

#include "ops/eltwise_test_support.hpp"
#include "tinynn/ops/slice.hpp"

using namespace tinynn;
using namespace eltwise_test;

namespace {
// The indices ONNX Slice visits on an axis of length dim, as its specification words it (and ONNX
// Runtime implements it): negative values count from the end, then starts clamp to [0, dim] ([0,
// dim-1] for negative steps) and ends to [0, dim] ([-1, dim-1]). Note: this differs from numpy
// slicing when start < -dim with a negative step (numpy visits nothing there).
std::vector<std::int64_t> spec_range(std::int64_t start, std::int64_t end, std::int64_t step, std::int64_t dim) {
  if (dim == 0) return {};
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp<std::int64_t>(start, 0, dim);
    end = std::clamp<std::int64_t>(end, 0, dim);
  } else {
    start = std::clamp<std::int64_t>(start, 0, dim - 1);
    end = std::clamp<std::int64_t>(end, -1, dim - 1);
  }
  std::vector<std::int64_t> out;
  for (std::int64_t i = start; step > 0 ? i < end : i > end; i += step) out.push_back(i);
  return out;
}
}  // namespace

TEST_CASE("slice: random starts/ends/steps incl. negative and out-of-range, on random axes") {
  for (int trial = 0; trial < 200; ++trial) {
    DynShape s;
    const auto rank = static_cast<std::size_t>(random_int(1, 4));
    for (std::size_t d = 0; d < rank; ++d) (void)s.push_back(random_int(0, 7));
    std::vector<std::int64_t> starts, ends, axes, steps;
    std::vector<std::vector<std::int64_t>> visit(rank);
    for (std::size_t d = 0; d < rank; ++d) {
      visit[d].resize(static_cast<std::size_t>(s[d]));
      for (std::int64_t i = 0; i < s[d]; ++i) visit[d][static_cast<std::size_t>(i)] = i;
    }
    for (std::size_t d = 0; d < rank; ++d) {
      if (random_int(0, 3) == 0) continue;  // axis not sliced
      std::int64_t start = random_int(-9, 9), end = random_int(-9, 9), step = random_int(-3, 3);
      if (step == 0) step = 1;
      if (random_int(0, 5) == 0) end = step > 0 ? INT64_MAX : INT64_MIN;
      starts.push_back(start);
      ends.push_back(end);
      axes.push_back(random_int(0, 1) ? static_cast<std::int64_t>(d)
                                      : static_cast<std::int64_t>(d) - static_cast<std::int64_t>(rank));
      steps.push_back(step);
      visit[d] = spec_range(start, end, step, s[d]);
    }
    ops::slice::Params p;
    p.input = s;
    REQUIRE(ops::slice::prepare(p, starts, ends, axes, steps).ok());
    DynShape want_shape;
    for (auto& v : visit) (void)want_shape.push_back(static_cast<std::int64_t>(v.size()));
    INFO("input " << s.str().view() << " got " << p.output.str().view() << " want " << want_shape.str().view());
    for (std::size_t k = 0; k < starts.size(); ++k)
      INFO(k << ": " << starts[k] << ":" << ends[k] << ":" << steps[k] << " axis " << axes[k]);
    REQUIRE(p.output == want_shape);
    const auto x = random_floats(s.size());
    std::vector<float> y(p.output.size());
    ops::slice::run(p, x.data(), y.data());
    for (std::size_t i = 0; i < y.size(); ++i) {
      auto index = unravel(i, p.output);
      for (std::size_t d = 0; d < rank; ++d) index[d] = visit[d][static_cast<std::size_t>(index[d])];
      REQUIRE(y[i] == x[ravel(index, s)]);
    }
  }
}

TEST_CASE("slice: errors") {
  ops::slice::Params p;
  p.input = DynShape{4, 4};
  const std::int64_t one[] = {0}, two[] = {0, 1}, zero_step[] = {0}, bad_axis[] = {2};
  CHECK(!ops::slice::prepare(p, one, two).ok());
  CHECK(!ops::slice::prepare(p, one, one, {}, zero_step).ok());
  CHECK(!ops::slice::prepare(p, one, one, bad_axis).ok());
}
