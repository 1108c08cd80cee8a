// TFLite UNIDIRECTIONAL_SEQUENCE_LSTM (float) against a double-precision loop written here from
// the formulas, over random sizes with and without CIFG, peepholes, projection and clipping.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "tinynn/ops/quantized/lstm.hpp"

using namespace tinynn;
using namespace tinynn::ops::quantized;

TEST_CASE("TFLite sequence LSTM matches a double-precision reference (CIFG, peephole, projection, clips)") {
  std::mt19937 rng(31);
  std::uniform_real_distribution<float> dist(-0.6f, 0.6f);
  auto random = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = dist(rng);
    return v;
  };
  for (int t = 0; t < 60; ++t) {
    LstmParams p;
    p.batch = 1 + static_cast<int>(rng() % 3);
    p.time = 1 + static_cast<int>(rng() % 6);
    p.input = 1 + static_cast<int>(rng() % 9);
    p.units = 1 + static_cast<int>(rng() % 8);
    const bool projection = t % 3 == 1, cifg = t % 4 == 2, peephole = t % 2 == 1;
    p.output = projection ? 1 + static_cast<int>(rng() % 5) : p.units;
    p.time_major = t % 5 == 3;
    p.cell_clip = t % 3 == 0 ? 0.3f : 0.0f;
    p.proj_clip = projection && t % 2 ? 0.2f : 0.0f;
    const auto U = static_cast<std::size_t>(p.units), I = static_cast<std::size_t>(p.input),
               O = static_cast<std::size_t>(p.output);
    std::vector<std::vector<float>> wi(4), wr(4), b(4), ph(3);
    LstmWeights w;
    for (int g = 0; g < 4; ++g) {
      wi[g] = random(U * I);
      wr[g] = random(U * O);
      b[g] = random(U);
      w.input_to_gate[g] = (cifg && g == 0) ? nullptr : wi[g].data();
      w.recurrent_to_gate[g] = (cifg && g == 0) ? nullptr : wr[g].data();
      w.bias[g] = (cifg && g == 0) ? nullptr : b[g].data();
    }
    for (int k = 0; k < 3; ++k) {
      ph[k] = random(U);
      w.peephole[k] = peephole && !(cifg && k == 0) ? ph[k].data() : nullptr;
    }
    const auto proj = random(O * U), proj_b = random(O);
    if (projection) {
      w.projection = proj.data();
      w.projection_bias = proj_b.data();
    }
    REQUIRE(prepare(p, w).ok());
    const auto B = static_cast<std::size_t>(p.batch), T = static_cast<std::size_t>(p.time);
    const auto x = random(B * T * I);
    std::vector<float> h(B * O, 0.0f), c(B * U, 0.0f), y(B * T * O), scratch(lstm_scratch_size(p));
    lstm(backend::scalar{}, p, w, x.data(), h.data(), c.data(), y.data(), scratch.data());
    // Reference in double.
    std::vector<double> rh(B * O, 0.0), rc(B * U, 0.0);
    auto sig = [](double v) { return 1.0 / (1.0 + std::exp(-v)); };
    auto clip = [](double v, double lim) { return lim > 0 ? std::min(std::max(v, -lim), lim) : v; };
    double max_err = 0;
    for (std::size_t tt = 0; tt < T; ++tt) {
      for (std::size_t bb = 0; bb < B; ++bb) {
        const std::size_t row = p.time_major ? tt * B + bb : bb * T + tt;
        std::vector<double> gate[4], hid(U);
        for (int g = 0; g < 4; ++g) {
          gate[g].assign(U, 0.0);
          if (!w.input_to_gate[g]) continue;
          for (std::size_t u = 0; u < U; ++u) {
            double acc = b[g][u];
            for (std::size_t k = 0; k < I; ++k) acc += double(wi[g][u * I + k]) * x[row * I + k];
            for (std::size_t k = 0; k < O; ++k) acc += double(wr[g][u * O + k]) * rh[bb * O + k];
            gate[g][u] = acc;
          }
        }
        for (std::size_t u = 0; u < U; ++u) {
          double& cell = rc[bb * U + u];
          const double f = sig(gate[1][u] + (w.peephole[1] ? ph[1][u] * cell : 0.0));
          const double i = cifg ? 1.0 - f : sig(gate[0][u] + (w.peephole[0] ? ph[0][u] * cell : 0.0));
          cell = clip(f * cell + i * std::tanh(gate[2][u]), p.cell_clip);
          const double o = sig(gate[3][u] + (w.peephole[2] ? ph[2][u] * cell : 0.0));
          hid[u] = o * std::tanh(cell);
        }
        for (std::size_t k = 0; k < O; ++k) {
          double v = hid[k < U ? k : 0];
          if (projection) {
            v = proj_b[k];
            for (std::size_t u = 0; u < U; ++u) v += double(proj[k * U + u]) * hid[u];
            v = clip(v, p.proj_clip);
          }
          rh[bb * O + k] = v;
          max_err = std::max(max_err, std::fabs(v - y[row * O + k]));
        }
      }
    }
    REQUIRE(max_err < 2e-5);
  }
}
