// ops/pad.hpp: constant/reflect/edge/wrap padding (and negative-pad cropping) against numpy.pad's
// definitions written as index maps.
#include "tinynn/ops/pad.hpp"
#include "ops/eltwise_test_support.hpp"

using namespace tinynn;
using namespace eltwise_test;
using ops::PadMode;

namespace {
// numpy.pad semantics, one axis: returns -1 for the constant.
std::int64_t source(std::int64_t i, std::int64_t n, PadMode mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PadMode::constant: return -1;
    case PadMode::edge: return i < 0 ? 0 : n - 1;
    case PadMode::wrap:
      while (i < 0) i += n;
      return i % n;
    case PadMode::reflect:
      if (n == 1) return 0;
      for (;;) {  // bounce between the ends
        if (i < 0)
          i = -i;
        else if (i >= n)
          i = 2 * (n - 1) - i;
        else
          return i;
      }
  }
  return -1;
}
}  // namespace

TEST_CASE("pad: random pads in every mode, int and float data") {
  for (int trial = 0; trial < 200; ++trial) {
    const auto mode = static_cast<PadMode>(trial % 4);
    DynShape s;
    const auto rank = static_cast<std::size_t>(random_int(1, 4));
    for (std::size_t d = 0; d < rank; ++d) (void)s.push_back(random_int(mode == PadMode::constant ? 0 : 1, 6));
    std::vector<std::int64_t> pads(2 * rank);
    for (std::size_t d = 0; d < rank; ++d) {
      pads[d] = random_int(mode == PadMode::constant ? -1 : 0, 7);
      pads[d + rank] = random_int(mode == PadMode::constant ? -1 : 0, 7);
      if (s[d] + pads[d] + pads[d + rank] < 0) pads[d] = pads[d + rank] = 0;
    }
    ops::pad::Params p;
    p.mode = mode;
    p.input = s;
    REQUIRE(ops::pad::prepare(p, pads).ok());
    const auto x = random_floats(s.size());
    std::vector<float> y(p.output.size());
    ops::pad::run(p, x.data(), y.data(), 0.25f);
    for (std::size_t i = 0; i < y.size(); ++i) {
      auto index = unravel(i, p.output);
      bool constant = false;
      for (std::size_t d = 0; d < rank; ++d) {
        index[d] = source(index[d] - pads[d], s[d], mode);
        constant = constant || index[d] < 0;
      }
      REQUIRE(y[i] == (constant ? 0.25f : x[ravel(index, s)]));
    }
  }
}

TEST_CASE("pad: axes subset, int8, errors") {
  ops::pad::Params p;
  p.input = DynShape{1, 2, 2, 1};
  const std::int64_t pads[] = {1, 0, 0, 1}, axes[] = {1, 2};  // H before 1, W after 1
  REQUIRE(ops::pad::prepare(p, pads, axes).ok());
  CHECK(p.output == DynShape{1, 3, 3, 1});
  const std::int8_t x[] = {1, 2, 3, 4};
  std::int8_t y[9];
  ops::pad::run(p, x, y, std::int8_t{-5});
  const std::int8_t want[] = {-5, -5, -5, 1, 2, -5, 3, 4, -5};
  for (int i = 0; i < 9; ++i) CHECK(y[i] == want[i]);
  const std::int64_t short_pads[] = {1, 1};
  CHECK(!ops::pad::prepare(p, short_pads).ok());
  p.input = DynShape{0, 3};
  p.mode = PadMode::reflect;
  const std::int64_t pad_empty[] = {1, 0, 1, 0};
  CHECK(!ops::pad::prepare(p, pad_empty).ok());
}
