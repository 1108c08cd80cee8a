// Quantized conv2d, depthwise conv2d and fully connected against plain 64-bit loops written here:
// the input is padded explicitly with its zero point (so padding handling is checked independently),
// accumulated in int64 and requantized with the 128-bit reference. Every backend the CPU runs must
// give the same integers as scalar.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "int8/reference.hpp"
#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/ops/quantized/conv2d.hpp"
#include "tinynn/ops/quantized/depthwise_conv2d.hpp"
#include "tinynn/ops/quantized/fully_connected.hpp"

using namespace tinynn;
using namespace tinynn::ops::quantized;
namespace ref = int8_reference;

namespace {

struct Case {
  int n, h, w, c, oc, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, mult;
};

Case random_case(std::mt19937& rng, bool depthwise) {
  Case k{};
  k.n = ref::random_int(rng, 1, 2);
  k.h = ref::random_int(rng, 1, 9);
  k.w = ref::random_int(rng, 1, 9);
  k.c = ref::random_int(rng, 1, depthwise ? 20 : 40);
  k.mult = depthwise ? ref::random_int(rng, 1, 3) : 1;
  k.oc = depthwise ? k.c * k.mult : ref::random_int(rng, 1, 40);
  k.kh = ref::random_int(rng, 1, 4);
  k.kw = ref::random_int(rng, 1, 4);
  k.sh = ref::random_int(rng, 1, 3);
  k.sw = ref::random_int(rng, 1, 3);
  k.dh = ref::random_int(rng, 1, 2);
  k.dw = ref::random_int(rng, 1, 2);
  k.pt = ref::random_int(rng, 0, 2);
  k.pl = ref::random_int(rng, 0, 2);
  k.pb = ref::random_int(rng, 0, 2);
  k.pr = ref::random_int(rng, 0, 2);
  return k;
}

int out_size(int in, int pad_a, int pad_b, int k, int s, int d) {
  const int span = in + pad_a + pad_b - ((k - 1) * d + 1);
  return span < 0 ? 0 : span / s + 1;
}

// The reference: explicit zero-point padding, int64 accumulation, 128-bit requantization.
template <class T, class W>
std::vector<T> reference_conv(const Case& k, bool depthwise, const std::vector<T>& in, const std::vector<W>& filter,
                              const std::vector<std::int32_t>& bias, int in_zp, int w_zp, int out_zp,
                              const std::vector<QuantizedMultiplier>& m, QuantizedRange range, Rounding rounding) {
  const int ph = k.h + k.pt + k.pb, pw = k.w + k.pl + k.pr;
  std::vector<std::int64_t> padded(static_cast<std::size_t>(k.n) * ph * pw * k.c, in_zp);
  for (int n = 0; n < k.n; ++n)
    for (int y = 0; y < k.h; ++y)
      for (int x = 0; x < k.w; ++x)
        for (int c = 0; c < k.c; ++c)
          padded[((static_cast<std::size_t>(n) * ph + y + k.pt) * pw + x + k.pl) * k.c + c] =
              in[((static_cast<std::size_t>(n) * k.h + y) * k.w + x) * k.c + c];
  const int oh = out_size(k.h, k.pt, k.pb, k.kh, k.sh, k.dh), ow = out_size(k.w, k.pl, k.pr, k.kw, k.sw, k.dw);
  std::vector<T> out(static_cast<std::size_t>(k.n) * oh * ow * k.oc);
  for (int n = 0; n < k.n; ++n)
    for (int y = 0; y < oh; ++y)
      for (int x = 0; x < ow; ++x)
        for (int o = 0; o < k.oc; ++o) {
          std::int64_t acc = bias.empty() ? 0 : bias[o];
          for (int ky = 0; ky < k.kh; ++ky)
            for (int kx = 0; kx < k.kw; ++kx) {
              const int iy = y * k.sh + ky * k.dh, ix = x * k.sw + kx * k.dw;
              if (depthwise) {
                const int c = o / k.mult;
                const std::int64_t v = padded[((static_cast<std::size_t>(n) * ph + iy) * pw + ix) * k.c + c] - in_zp;
                acc += v * (filter[(static_cast<std::size_t>(ky) * k.kw + kx) * k.oc + o] - w_zp);
              } else {
                for (int c = 0; c < k.c; ++c) {
                  const std::int64_t v = padded[((static_cast<std::size_t>(n) * ph + iy) * pw + ix) * k.c + c] - in_zp;
                  acc += v * (filter[((static_cast<std::size_t>(o) * k.kh + ky) * k.kw + kx) * k.c + c] - w_zp);
                }
              }
            }
          const QuantizedMultiplier q = m.size() == 1 ? m[0] : m[o];
          const std::int32_t r = rounding == Rounding::double_rounding
                                     ? ref::requantize_double(acc, q.multiplier, q.shift)
                                     : ref::requantize_single(acc, q.multiplier, q.shift);
          out[((static_cast<std::size_t>(n) * oh + y) * ow + x) * k.oc + o] =
              static_cast<T>(ref::clamp(static_cast<std::int64_t>(r) + out_zp, range.min, range.max));
        }
  return out;
}

template <class T, class W>
void check_conv(bool depthwise, int cases, unsigned seed) {
  std::mt19937 rng(seed);
  int checked = 0;
  for (int t = 0; t < cases; ++t) {
    const Case k = random_case(rng, depthwise);
    const int oh = out_size(k.h, k.pt, k.pb, k.kh, k.sh, k.dh), ow = out_size(k.w, k.pl, k.pr, k.kw, k.sw, k.dw);
    const bool legacy = std::is_same_v<T, std::uint8_t>;
    const int in_zp = ref::random_int(rng, legacy ? 0 : -128, legacy ? 255 : 127);
    const int w_zp = legacy ? ref::random_int(rng, 0, 255) : 0;
    const int out_zp = ref::random_int(rng, legacy ? 0 : -128, legacy ? 255 : 127);
    const auto in = ref::random_vector<T>(rng, static_cast<std::size_t>(k.n) * k.h * k.w * k.c);
    const std::size_t filter_size =
        depthwise ? static_cast<std::size_t>(k.kh) * k.kw * k.oc : static_cast<std::size_t>(k.oc) * k.kh * k.kw * k.c;
    const auto filter = ref::random_vector<W>(rng, filter_size, legacy ? 0 : -127, legacy ? 255 : 127);
    std::vector<std::int32_t> bias;
    if (t % 4 != 0) {
      bias.resize(static_cast<std::size_t>(k.oc));
      for (auto& b : bias) b = ref::random_int(rng, -20000, 20000);
    }
    const bool per_channel = !legacy && t % 2 == 0;
    std::vector<QuantizedMultiplier> m(per_channel ? k.oc : 1);
    const Rounding rounding = t % 3 == 2 ? Rounding::single_rounding : Rounding::double_rounding;
    for (auto& q : m) q = quantize_multiplier(ref::random_real(rng, 0.00005, 0.01), rounding);
    QuantizedRange range{quantized_min<T>, quantized_max<T>};
    if (t % 5 == 1) range = activation_range<T>(FusedActivation::relu6, 0.05f, out_zp);
    const OutputStage stage{m.data(), per_channel, out_zp, range, rounding};
    const auto expected = reference_conv<T, W>(k, depthwise, in, filter, bias, in_zp, w_zp, out_zp, m, range, rounding);
    std::vector<T> out(expected.size(), T{7});
    const std::int32_t* b = bias.empty() ? nullptr : bias.data();
    if (depthwise) {
      DepthwiseConv2DParams p{k.n,   k.h,  k.w,  k.c,  oh,   ow,   k.mult,
                              k.kh,  k.kw, k.sh, k.sw, k.dh, k.dw, {k.pt, k.pl, k.pb, k.pr},
                              in_zp, w_zp, stage};
      REQUIRE(prepare(p).ok());
      depthwise_conv2d(backend::scalar{}, p, in.data(), filter.data(), b, out.data());
    } else {
      Conv2DParams p{k.n,   k.h,  k.w,  k.c, oh, ow, k.oc, k.kh, k.kw, k.sh, k.sw, k.dh, k.dw, {k.pt, k.pl, k.pb, k.pr},
                     in_zp, w_zp, stage};
      REQUIRE(prepare(p).ok());
      conv2d(backend::scalar{}, p, in.data(), filter.data(), b, out.data());
    }
    REQUIRE(out == expected);
    checked += static_cast<int>(out.size());
  }
  MESSAGE(cases, " random shapes, ", checked, " outputs bit-exact");
}

}  // namespace

TEST_CASE("quantized conv2d int8 per-channel/per-tensor matches the reference loops") {
  check_conv<std::int8_t, std::int8_t>(false, 300, 11);
}
TEST_CASE("quantized conv2d uint8 (asymmetric weights) matches the reference loops") {
  check_conv<std::uint8_t, std::uint8_t>(false, 150, 12);
}
TEST_CASE("quantized depthwise conv2d int8 matches the reference loops") {
  check_conv<std::int8_t, std::int8_t>(true, 300, 13);
}
TEST_CASE("quantized depthwise conv2d uint8 matches the reference loops") {
  check_conv<std::uint8_t, std::uint8_t>(true, 150, 14);
}

TEST_CASE("quantized fully connected matches the reference loop (int8 per-channel, uint8)") {
  std::mt19937 rng(15);
  for (int t = 0; t < 200; ++t) {
    const int batch = ref::random_int(rng, 1, 3), depth = ref::random_int(rng, 1, 300),
              units = ref::random_int(rng, 1, 40);
    const int in_zp = ref::random_int(rng, -128, 127), out_zp = ref::random_int(rng, -128, 127);
    const auto in = ref::random_vector<std::int8_t>(rng, static_cast<std::size_t>(batch) * depth);
    const auto w = ref::random_vector<std::int8_t>(rng, static_cast<std::size_t>(units) * depth, -127, 127);
    std::vector<std::int32_t> bias(static_cast<std::size_t>(units));
    for (auto& b : bias) b = ref::random_int(rng, -50000, 50000);
    const bool per_channel = t % 2 == 0;
    std::vector<QuantizedMultiplier> m(per_channel ? units : 1);
    for (auto& q : m) q = quantize_multiplier(ref::random_real(rng, 0.00001, 0.005));
    const QuantizedRange range =
        activation_range<std::int8_t>(t % 3 ? FusedActivation::none : FusedActivation::relu, 0.1f, out_zp);
    FullyConnectedParams p{batch, depth, units, in_zp, 0, OutputStage{m.data(), per_channel, out_zp, range}};
    REQUIRE(prepare(p).ok());
    std::vector<std::int8_t> out(static_cast<std::size_t>(batch) * units);
    fully_connected(backend::scalar{}, p, in.data(), w.data(), bias.data(), out.data());
    for (int b = 0; b < batch; ++b)
      for (int o = 0; o < units; ++o) {
        std::int64_t acc = bias[o];
        for (int k = 0; k < depth; ++k)
          acc += (static_cast<std::int64_t>(in[static_cast<std::size_t>(b) * depth + k]) - in_zp) *
                 w[static_cast<std::size_t>(o) * depth + k];
        const QuantizedMultiplier q = m[per_channel ? o : 0];
        const std::int32_t expected =
            ref::clamp(static_cast<std::int64_t>(ref::requantize_double(acc, q.multiplier, q.shift)) + out_zp,
                       range.min, range.max);
        REQUIRE(out[static_cast<std::size_t>(b) * units + o] == expected);
      }
  }
}

TEST_CASE("quantized conv2d: prepare rejects bad geometry") {
  QuantizedMultiplier m{1 << 30, 0};
  Conv2DParams p{1, 4, 4, 3, 4, 4, 2, 3, 3, 0, 1, 1, 1, {}, 0, 0, OutputStage{&m}};
  const auto status = prepare(p);
  CHECK_FALSE(status.ok());
  CHECK(std::string(status.message()).find("stride") != std::string::npos);
}
