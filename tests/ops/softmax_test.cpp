// ops/softmax.hpp: softmax / log-softmax over any axis against a double-precision plain loop.
#include <cmath>
#include <limits>

#include "ops/eltwise_test_support.hpp"
#include "tinynn/ops/softmax.hpp"

using namespace tinynn;
using namespace eltwise_test;

namespace {

std::vector<float> reference(const DynShape& s, std::size_t outer, std::size_t n, std::size_t inner,
                             const std::vector<float>& x, bool log) {
  std::vector<float> y(s.size());
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t j = 0; j < inner; ++j) {
      auto at = [&](std::size_t i) { return (o * n + i) * inner + j; };
      double m = -std::numeric_limits<double>::infinity();
      for (std::size_t i = 0; i < n; ++i) m = std::max(m, double{x[at(i)]});
      double sum = 0;
      for (std::size_t i = 0; i < n; ++i) sum += std::exp(x[at(i)] - m);
      for (std::size_t i = 0; i < n; ++i)
        y[at(i)] = static_cast<float>(log ? x[at(i)] - m - std::log(sum) : std::exp(x[at(i)] - m) / sum);
    }
  return y;
}

}  // namespace

TEST_CASE("softmax: random shapes and axes, softmax and log-softmax, every backend") {
  for (int trial = 0; trial < 80; ++trial) {
    DynShape s;
    const auto rank = static_cast<std::size_t>(random_int(1, 4));
    for (std::size_t d = 0; d < rank; ++d) (void)s.push_back(random_int(trial < 70 ? 1 : 0, 21));
    const bool log = trial % 2 == 1;
    ops::softmax::Params p;
    p.axis = random_int(-static_cast<std::int64_t>(rank), static_cast<std::int64_t>(rank) - 1);
    p.log = log;
    p.flatten_from_axis = trial % 5 == 0;
    p.shape = s;
    REQUIRE(ops::softmax::prepare(p).ok());
    // Large logits: stability is part of the contract.
    const auto x = random_floats(s.size(), -60.0f, 60.0f);
    const auto want = reference(s, p.outer, p.n, p.inner, x, log);
    for (auto id : runnable_backends()) {
      std::vector<float> y(s.size());
      ops::softmax::run(id, p, x.data(), y.data());
      // log-softmax: x - max is rounded to float, one ulp of up to 120 here is 7.6e-6.
      check_close(y, want, log ? 8e-6f : 1e-6f, 2e-6f,
                  std::string(backend::name_of(id)) + " softmax " + std::string(s.str().view()));
    }
  }
}

TEST_CASE("softmax: last-axis lengths around the vector width, huge and -inf logits, in place") {
  const float inf = std::numeric_limits<float>::infinity();
  for (std::int64_t n : {1, 2, 3, 7, 8, 9, 16, 17, 31, 33, 100, 1000}) {
    ops::softmax::Params p;
    p.shape = DynShape{3, n};
    REQUIRE(ops::softmax::prepare(p).ok());
    auto x = random_floats(p.shape.size(), -5.0f, 5.0f);
    x[0] = 1e30f;
    x[static_cast<std::size_t>(n)] = -inf;
    for (bool log : {false, true}) {
      p.log = log;
      const auto want = reference(p.shape, p.outer, p.n, p.inner, x, log);
      for (auto id : runnable_backends()) {
        std::vector<float> y = x;
        ops::softmax::run(id, p, y.data(), y.data());
        check_close(y, want, 1e-6f, 2e-6f, std::string(backend::name_of(id)) + " n=" + std::to_string(n));
      }
    }
  }
}

TEST_CASE("softmax: bad axis names the shape") {
  ops::softmax::Params p;
  p.shape = DynShape{2, 3};
  p.axis = 2;
  auto s = ops::softmax::prepare(p);
  REQUIRE(!s.ok());
  CHECK(std::string(s.message()).find("[2, 3]") != std::string::npos);
}
