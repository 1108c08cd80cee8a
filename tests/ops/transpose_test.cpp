// ops/transpose.hpp: random permutations (and the NHWC<->NCHW fast paths) against index arithmetic.
#include <algorithm>
#include <numeric>

#include "ops/eltwise_test_support.hpp"
#include "tinynn/ops/transpose.hpp"

using namespace tinynn;
using namespace eltwise_test;

namespace {
void check(const DynShape& s, const std::vector<std::int64_t>& perm) {
  ops::transpose::Params p;
  p.input = s;
  REQUIRE(ops::transpose::prepare(p, perm).ok());
  const auto x = random_floats(s.size());
  std::vector<float> y(s.size());
  ops::transpose::run(p, x.data(), y.data());
  for (std::size_t i = 0; i < y.size(); ++i) {
    const auto out_index = unravel(i, p.output);
    std::vector<std::int64_t> in_index(s.rank());
    for (std::size_t k = 0; k < s.rank(); ++k) in_index[p.perm[k]] = out_index[k];
    REQUIRE(y[i] == x[ravel(in_index, s)]);
  }
}
}  // namespace

TEST_CASE("transpose: random shapes and permutations") {
  for (int trial = 0; trial < 200; ++trial) {
    const auto rank = static_cast<std::size_t>(random_int(0, 6));
    DynShape s;
    for (std::size_t d = 0; d < rank; ++d) (void)s.push_back(random_int(trial < 190 ? 1 : 0, 6));
    std::vector<std::int64_t> perm(rank);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng());
    check(s, perm);
  }
}

TEST_CASE("transpose: NHWC <-> NCHW with sizes around the tile, and reversal by default") {
  for (std::int64_t c : {1, 3, 16, 17, 40}) {
    for (std::int64_t hw : {1, 5, 16, 33}) {
      check(DynShape{2, hw, hw + 1, c}, {0, 3, 1, 2});
      check(DynShape{2, c, hw, hw + 1}, {0, 2, 3, 1});
    }
  }
  ops::transpose::Params p;
  p.input = DynShape{2, 3, 4};
  REQUIRE(ops::transpose::prepare(p, {}).ok());
  CHECK(p.output == DynShape{4, 3, 2});
  const std::int64_t repeated[] = {0, 0, 1};
  CHECK(!ops::transpose::prepare(p, repeated).ok());
}
