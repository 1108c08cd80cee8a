// The other int8/uint8 kernels against plain references written here: pooling, add/sub/mul with
// broadcasting, softmax (against float softmax: TFLite's fixed point is within 1 LSB of it),
// lookup-table activations, quantize/dequantize/requantize, concat with differing scales, pad, mean.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "int8/reference.hpp"
#include "tinynn/ops/quantized/activation.hpp"
#include "tinynn/ops/quantized/concat.hpp"
#include "tinynn/ops/quantized/elementwise.hpp"
#include "tinynn/ops/quantized/mean.hpp"
#include "tinynn/ops/quantized/pad.hpp"
#include "tinynn/ops/quantized/pool.hpp"
#include "tinynn/ops/quantized/quantize.hpp"
#include "tinynn/ops/quantized/softmax.hpp"

using namespace tinynn;
using namespace tinynn::ops::quantized;
namespace ref = int8_reference;

namespace {
std::int64_t round_away_div(std::int64_t a, std::int64_t d) {
  const std::int64_t m = a < 0 ? -a : a;
  const std::int64_t q = (m + d / 2) / d;
  return a < 0 ? -q : q;
}
}  // namespace

TEST_CASE("quantized max/average pool match the reference loops") {
  std::mt19937 rng(21);
  for (int t = 0; t < 200; ++t) {
    Pool2DParams p;
    p.batch = ref::random_int(rng, 1, 2);
    p.input_height = ref::random_int(rng, 1, 9);
    p.input_width = ref::random_int(rng, 1, 9);
    p.channels = ref::random_int(rng, 1, 17);
    p.kernel_height = ref::random_int(rng, 1, 4);
    p.kernel_width = ref::random_int(rng, 1, 4);
    p.stride_height = ref::random_int(rng, 1, 3);
    p.stride_width = ref::random_int(rng, 1, 3);
    p.padding = {ref::random_int(rng, 0, p.kernel_height - 1), ref::random_int(rng, 0, p.kernel_width - 1), 0, 0};
    p.output_height = (p.input_height + p.padding.top - p.kernel_height) / p.stride_height + 1;
    p.output_width = (p.input_width + p.padding.left - p.kernel_width) / p.stride_width + 1;
    if (p.output_height <= 0 || p.output_width <= 0) continue;
    p.range = t % 3 == 0 ? QuantizedRange{-20, 100} : QuantizedRange{};
    REQUIRE(prepare(p).ok());
    const auto in = ref::random_vector<std::int8_t>(
        rng, static_cast<std::size_t>(p.batch) * p.input_height * p.input_width * p.channels);
    std::vector<std::int8_t> max_out(static_cast<std::size_t>(p.batch) * p.output_height * p.output_width * p.channels);
    std::vector<std::int8_t> avg_out(max_out.size());
    max_pool2d(backend::scalar{}, p, in.data(), max_out.data());
    average_pool2d(backend::scalar{}, p, in.data(), avg_out.data());
    std::size_t i = 0;
    for (int n = 0; n < p.batch; ++n)
      for (int y = 0; y < p.output_height; ++y)
        for (int x = 0; x < p.output_width; ++x)
          for (int c = 0; c < p.channels; ++c, ++i) {
            int best = -1000;
            std::int64_t sum = 0, count = 0;
            for (int ky = 0; ky < p.kernel_height; ++ky)
              for (int kx = 0; kx < p.kernel_width; ++kx) {
                const int iy = y * p.stride_height - p.padding.top + ky, ix = x * p.stride_width - p.padding.left + kx;
                if (iy < 0 || ix < 0 || iy >= p.input_height || ix >= p.input_width) continue;
                const int v =
                    in[((static_cast<std::size_t>(n) * p.input_height + iy) * p.input_width + ix) * p.channels + c];
                best = std::max(best, v);
                sum += v;
                ++count;
              }
            REQUIRE(max_out[i] == ref::clamp(best, p.range.min, p.range.max));
            REQUIRE(avg_out[i] == ref::clamp(round_away_div(sum, count), p.range.min, p.range.max));
          }
  }
}

TEST_CASE("quantized add/sub/mul with broadcasting match TFLite's formulas and the real result") {
  std::mt19937 rng(22);
  for (int t = 0; t < 300; ++t) {
    BinaryParams p;
    p.op = static_cast<BinaryOp>(t % 3);
    p.rank = static_cast<std::size_t>(ref::random_int(rng, 1, 4));
    std::size_t total = 1, na = 1, nb = 1;
    for (std::size_t d = 0; d < p.rank; ++d) {
      p.out_dims[d] = ref::random_int(rng, 1, 5);
      p.a_dims[d] = ref::random_int(rng, 0, 3) == 0 ? 1 : p.out_dims[d];
      p.b_dims[d] = ref::random_int(rng, 0, 3) == 0 ? 1 : p.out_dims[d];
      total *= p.out_dims[d];
      na *= p.a_dims[d];
      nb *= p.b_dims[d];
    }
    const double sa = ref::random_real(rng, 0.01, 0.1), sb = ref::random_real(rng, 0.01, 0.1);
    const double so =
        p.op == BinaryOp::mul ? sa * sb * ref::random_real(rng, 20, 200) : ref::random_real(rng, 0.02, 0.2);
    p.a_zero_point = ref::random_int(rng, -128, 127);
    p.b_zero_point = ref::random_int(rng, -128, 127);
    p.output_zero_point = ref::random_int(rng, -128, 127);
    set_scales(p, sa, sb, so);
    REQUIRE(prepare(p).ok());
    const auto a = ref::random_vector<std::int8_t>(rng, na), b = ref::random_vector<std::int8_t>(rng, nb);
    std::vector<std::int8_t> out(total);
    binary(backend::scalar{}, p, a.data(), b.data(), out.data());
    // Independent index arithmetic for broadcasting.
    for (std::size_t flat = 0; flat < total; ++flat) {
      std::size_t rem = flat, ia = 0, ib = 0, sa_ = 1, sb_ = 1;
      for (std::size_t d = p.rank; d-- > 0;) {
        const std::size_t idx = rem % static_cast<std::size_t>(p.out_dims[d]);
        rem /= static_cast<std::size_t>(p.out_dims[d]);
        ia += (p.a_dims[d] == 1 ? 0 : idx) * sa_;
        ib += (p.b_dims[d] == 1 ? 0 : idx) * sb_;
        sa_ *= static_cast<std::size_t>(p.a_dims[d]);
        sb_ *= static_cast<std::size_t>(p.b_dims[d]);
      }
      const std::int64_t x = a[ia] - p.a_zero_point, y = b[ib] - p.b_zero_point;
      std::int64_t raw = 0;
      double real = 0;
      if (p.op == BinaryOp::mul) {
        raw = ref::requantize_double(x * y, p.output_multiplier.multiplier, p.output_multiplier.shift);
        real = sa * sb * static_cast<double>(x * y) / so;
      } else {
        const std::int64_t u = ref::requantize_double(x << 20, p.a_multiplier.multiplier, p.a_multiplier.shift);
        const std::int64_t v = ref::requantize_double(y << 20, p.b_multiplier.multiplier, p.b_multiplier.shift);
        raw = ref::requantize_double(p.op == BinaryOp::add ? u + v : u - v, p.output_multiplier.multiplier,
                                     p.output_multiplier.shift);
        real = (sa * static_cast<double>(x) + (p.op == BinaryOp::add ? 1 : -1) * sb * static_cast<double>(y)) / so;
      }
      const std::int32_t expected = ref::clamp(raw + p.output_zero_point, -128, 127);
      REQUIRE(out[flat] == expected);
      const double exact = std::clamp(std::round(real) + p.output_zero_point, -128.0, 127.0);
      REQUIRE(std::abs(out[flat] - exact) <= 1.0);
    }
  }
}

TEST_CASE("quantized softmax (TFLite fixed point) is within 1 LSB of float softmax, int8 and uint8") {
  std::mt19937 rng(23);
  int off_by_one = 0, total = 0;
  for (int t = 0; t < 300; ++t) {
    const int rows = ref::random_int(rng, 1, 4), depth = ref::random_int(rng, 1, 300);
    const double scale = ref::random_real(rng, 0.01, 0.3), beta = t % 4 == 0 ? 0.5 : 1.0;
    const SoftmaxParams p = softmax_params(rows, depth, beta, scale);
    const auto in = ref::random_vector<std::int8_t>(rng, static_cast<std::size_t>(rows) * depth);
    std::vector<std::int8_t> out(in.size());
    softmax(backend::scalar{}, p, in.data(), out.data());
    std::vector<std::uint8_t> in_u(in.size()), out_u(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) in_u[i] = static_cast<std::uint8_t>(in[i] + 128);
    softmax(backend::scalar{}, p, in_u.data(), out_u.data());
    for (int r = 0; r < rows; ++r) {
      const std::int8_t* x = in.data() + static_cast<std::size_t>(r) * depth;
      const int max_value = *std::max_element(x, x + depth);
      double sum = 0;
      for (int c = 0; c < depth; ++c) sum += std::exp(beta * scale * (x[c] - max_value));
      for (int c = 0; c < depth; ++c) {
        const double prob = std::exp(beta * scale * (x[c] - max_value)) / sum;
        const double expected = std::clamp(std::round(prob * 256.0) - 128.0, -128.0, 127.0);
        const int got = out[static_cast<std::size_t>(r) * depth + c];
        REQUIRE(std::abs(got - expected) <= 1.0);
        REQUIRE(out_u[static_cast<std::size_t>(r) * depth + c] == got + 128);  // uint8 is int8 shifted
        off_by_one += got != expected;
        ++total;
      }
    }
  }
  MESSAGE("softmax: ", off_by_one, " of ", total, " outputs 1 LSB from float softmax");
  CHECK(prepare_softmax_output<std::int8_t>(1.0f / 256.0f, -128).ok());
  CHECK_FALSE(prepare_softmax_output<std::int8_t>(1.0f / 255.0f, -128).ok());
  // Four equal logits: exactly 1/4 each = 64/256.
  const std::int8_t equal[4] = {5, 5, 5, 5};
  std::int8_t quarter[4] = {};
  softmax(backend::scalar{}, softmax_params(1, 4, 1.0, 0.1), equal, quarter);
  for (std::int8_t q : quarter) CHECK(q == 64 - 128);
}

TEST_CASE("lookup-table logistic/tanh equal the float formula for every input") {
  const auto table = make_lookup_table<std::int8_t>(0.1f, 3, 1.0f / 256.0f, -128, activation_function::logistic);
  std::int8_t in[256], out[256];
  for (int i = 0; i < 256; ++i) in[i] = static_cast<std::int8_t>(i - 128);
  lookup(backend::scalar{}, table, in, out, 256);
  for (int i = 0; i < 256; ++i) {
    const double real = 1.0 / (1.0 + std::exp(-0.1 * (in[i] - 3)));
    CHECK(std::abs(out[i] - std::clamp(std::round(real * 256.0) - 128.0, -128.0, 127.0)) <= 1.0);
  }
  const auto tanh_table = make_lookup_table<std::int8_t>(0.05f, 0, 1.0f / 128.0f, 0, activation_function::tanh);
  lookup(backend::scalar{}, tanh_table, in, out, 256);
  for (int i = 0; i < 256; ++i) {
    CHECK(std::abs(out[i] - std::clamp(std::round(std::tanh(0.05 * in[i]) * 128.0), -128.0, 127.0)) <= 1.0);
  }
}

TEST_CASE("quantize, dequantize and requantize (int8 <-> uint8) match the formulas") {
  std::mt19937 rng(24);
  std::vector<float> x(1000);
  for (auto& v : x) v = static_cast<float>(ref::random_real(rng, -20, 20));
  x[0] = 0.25f;  // exactly half a step below: ties round away from zero
  std::vector<std::int8_t> q(x.size());
  quantize(backend::scalar{}, x.data(), q.data(), x.size(), 0.5f, 3);
  CHECK(q[0] == 4);  // round(0.5) = 1, + 3
  for (std::size_t i = 0; i < x.size(); ++i) {
    CHECK(q[i] == ref::clamp(static_cast<std::int64_t>(std::round(x[i] / 0.5f)) + 3, -128, 127));
  }
  std::vector<float> back(x.size());
  dequantize(backend::scalar{}, q.data(), back.data(), q.size(), 0.5f, 3);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(back[i] == 0.5f * static_cast<float>(q[i] - 3));
  for (int t = 0; t < 50; ++t) {
    const double si = ref::random_real(rng, 0.01, 1), so = ref::random_real(rng, 0.01, 1);
    const int zi = ref::random_int(rng, -128, 127), zo = ref::random_int(rng, 0, 255);
    const RequantizeParams p = requantize_params(si, zi, so, zo);
    std::vector<std::uint8_t> r(q.size());
    requantize(backend::scalar{}, p, q.data(), r.data(), q.size());
    for (std::size_t i = 0; i < q.size(); ++i) {
      const std::int32_t expected = ref::requantize_double(q[i] - zi, p.multiplier.multiplier, p.multiplier.shift) + zo;
      REQUIRE(r[i] == ref::clamp(expected, 0, 255));
    }
  }
}

TEST_CASE("quantized concatenation copies equal quantizations and rescales the others") {
  std::mt19937 rng(25);
  const auto a = ref::random_vector<std::uint8_t>(rng, 2 * 3 * 4, 0, 255);
  const auto b = ref::random_vector<std::uint8_t>(rng, 2 * 3 * 2, 0, 255);
  const ConcatInput<std::uint8_t> inputs[2] = {{a.data(), 3 * 4, 0.5f, 128}, {b.data(), 3 * 2, 0.25f, 100}};
  std::vector<std::uint8_t> out(2 * 3 * 6);
  concatenation(backend::scalar{}, inputs, 2, 2, 0.5f, 128, out.data());
  for (int o = 0; o < 2; ++o) {
    for (int k = 0; k < 12; ++k) CHECK(out[o * 18 + k] == a[o * 12 + k]);
    for (int k = 0; k < 6; ++k) {
      const double real = 0.25 * (b[o * 6 + k] - 100);
      CHECK(out[o * 18 + 12 + k] == ref::clamp(static_cast<std::int64_t>(std::round(real / 0.5)) + 128, 0, 255));
    }
  }
}

TEST_CASE("quantized pad fills the border with the given value") {
  PadParams p;
  p.rank = 4;
  const std::int64_t dims[4] = {1, 3, 2, 5}, before[4] = {0, 1, 2, 0}, after[4] = {1, 0, 1, 2};
  for (int d = 0; d < 4; ++d) {
    p.input_dims[d] = dims[d];
    p.before[d] = before[d];
    p.after[d] = after[d];
  }
  REQUIRE(prepare(p).ok());
  std::vector<std::int8_t> in(30);
  for (int i = 0; i < 30; ++i) in[i] = static_cast<std::int8_t>(i + 1);
  std::vector<std::int8_t> out(2 * 4 * 5 * 7);
  pad(backend::scalar{}, p, in.data(), std::int8_t{-14}, out.data());
  for (int n = 0; n < 2; ++n)
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 5; ++x)
        for (int c = 0; c < 7; ++c) {
          const int iy = y - 1, ix = x - 2;
          const bool inside = n < 1 && iy >= 0 && iy < 3 && ix >= 0 && ix < 2 && c < 5;
          const int expected = inside ? in[(iy * 2 + ix) * 5 + c] : -14;
          REQUIRE(out[((n * 4 + y) * 5 + x) * 7 + c] == expected);
        }
}

TEST_CASE("quantized mean over H and W matches TFLite's integer formula") {
  std::mt19937 rng(26);
  for (int t = 0; t < 50; ++t) {
    MeanParams p;
    p.rank = 4;
    const int h = ref::random_int(rng, 1, 8), w = ref::random_int(rng, 1, 8), c = ref::random_int(rng, 1, 10);
    const std::int64_t dims[4] = {1, h, w, c};
    for (int d = 0; d < 4; ++d) p.input_dims[d] = dims[d];
    p.reduce[1] = p.reduce[2] = true;
    p.input_zero_point = ref::random_int(rng, -128, 127);
    p.output_zero_point = ref::random_int(rng, -128, 127);
    p.multiplier = quantize_multiplier(ref::random_real(rng, 0.3, 3));
    REQUIRE(prepare(p).ok());
    const auto in = ref::random_vector<std::int8_t>(rng, static_cast<std::size_t>(h) * w * c);
    std::vector<std::int8_t> out(static_cast<std::size_t>(c));
    mean(backend::scalar{}, p, in.data(), out.data());
    for (int k = 0; k < c; ++k) {
      std::int64_t sum = 0;
      for (int i = 0; i < h * w; ++i) sum += in[static_cast<std::size_t>(i) * c + k] - p.input_zero_point;
      const std::int64_t scaled = ref::requantize_double(sum, p.multiplier.multiplier, p.multiplier.shift);
      // TFLite divides with C++ truncation after adding/subtracting half the count.
      const std::int64_t n = h * w;
      const std::int64_t q = scaled > 0 ? (scaled + n / 2) / n : (scaled - n / 2) / n;
      REQUIRE(out[static_cast<std::size_t>(k)] == ref::clamp(q + p.output_zero_point, -128, 127));
    }
  }
}
