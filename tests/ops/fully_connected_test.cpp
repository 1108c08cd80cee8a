// Fully connected against Eigen (double), [out][in] weights, on every runnable backend.
#include "tinynn/ops/fully_connected.hpp"

#include <doctest/doctest.h>

#include <Eigen/Core>
#include <random>
#include <vector>

#include "ops/kernels_testing.hpp"

using namespace tinynn;
using namespace kernels_testing;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

TEST_CASE("fully_connected: every runnable backend matches Eigen") {
  std::mt19937 rng(9);
  const std::int64_t shapes[][3] = {{1, 1, 1},    {1, 294, 10}, {1, 1280, 1000}, {3, 17, 33},
                                    {16, 64, 16}, {7, 0, 5},    {0, 4, 4},       {20, 100, 31}};
  for (BackendId id : runnable_backends()) {
    CAPTURE(backend::name_of(id));
    int index = 0;
    for (const auto& shape : shapes) {
      ops::fully_connected::Params p;
      p.batch = shape[0];
      p.in_features = shape[1];
      p.out_features = shape[2];
      p.activation = activations[static_cast<std::size_t>(index++) % std::size(activations)];
      REQUIRE(ops::fully_connected::prepare(p).ok());
      const std::vector<float> x = random_floats(static_cast<std::size_t>(p.batch * p.in_features), rng);
      const std::vector<float> w = random_floats(static_cast<std::size_t>(p.out_features * p.in_features), rng);
      const std::vector<float> bias = random_floats(static_cast<std::size_t>(p.out_features), rng);
      std::vector<float> packed(ops::fully_connected::packed_weights_size(p));
      ops::fully_connected::pack_weights(p, w.data(), bias.data(), packed.data());
      std::vector<float> out(static_cast<std::size_t>(p.batch * p.out_features));
      std::vector<float> scratch(ops::fully_connected::scratch_size(p, id) + 1);
      ops::fully_connected::run(id, p, x.data(), packed.data(), out.data(), scratch.data());
      RowMatrix xm(p.batch, p.in_features), wm(p.out_features, p.in_features);
      for (std::int64_t i = 0; i < xm.size(); ++i) xm.data()[i] = x[static_cast<std::size_t>(i)];
      for (std::int64_t i = 0; i < wm.size(); ++i) wm.data()[i] = w[static_cast<std::size_t>(i)];
      const RowMatrix ref = xm * wm.transpose();
      const RowMatrix mag = xm.cwiseAbs() * wm.cwiseAbs().transpose();
      int bad = 0;
      for (std::int64_t b = 0; b < p.batch; ++b) {
        for (std::int64_t o = 0; o < p.out_features; ++o) {
          const double want = activate(p.activation, ref(b, o) + bias[o]);
          const float got = out[b * p.out_features + o];
          if (!close(got, want, mag(b, o) + 1.0, p.in_features) && bad++ < 5) {
            FAIL_CHECK("shape " << p.batch << "x" << p.in_features << "->" << p.out_features << " at " << b << "," << o
                                << ": got " << got << " want " << want);
          }
        }
      }
      CHECK(bad == 0);
    }
  }
}

TEST_CASE("fully_connected: prepare rejects zero outputs") {
  ops::fully_connected::Params p;
  p.in_features = 3;
  CHECK_FALSE(ops::fully_connected::prepare(p).ok());
}
