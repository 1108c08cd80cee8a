// Depthwise Conv2D against a plain double-precision loop, on every runnable backend: 3x3 and 5x5 at
// strides 1 and 2 (the fast paths: row sliding, pixel-major, fused activations), other kernels, dilation,
// multipliers 1..3, channel counts below/at/above the vector widths, SAME and explicit padding, batch, 1-pixel images.
#include "tinynn/ops/depthwise_conv2d.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "ops/kernels_testing.hpp"

using namespace tinynn;
using namespace kernels_testing;

namespace {

void check_depthwise(const ops::depthwise_conv2d::Params& p, BackendId id, std::mt19937& rng) {
  REQUIRE(ops::depthwise_conv2d::prepare(p).ok());
  const std::int64_t oh = ops::depthwise_conv2d::output_h(p), ow = ops::depthwise_conv2d::output_w(p);
  const std::int64_t out_c = ops::depthwise_conv2d::out_channels(p);
  const std::vector<float> input = random_floats(static_cast<std::size_t>(p.batch * p.in_h * p.in_w * p.channels), rng);
  const std::vector<float> weights = random_floats(static_cast<std::size_t>(p.kernel_h * p.kernel_w * out_c), rng);
  const std::vector<float> bias = random_floats(static_cast<std::size_t>(out_c), rng);
  std::vector<float> packed(ops::depthwise_conv2d::packed_weights_size(p));
  ops::depthwise_conv2d::pack_weights(p, weights.data(), bias.data(), packed.data());
  std::vector<float> out(static_cast<std::size_t>(p.batch * oh * ow * out_c) + 1, 12345.0f);
  ops::depthwise_conv2d::run(id, p, input.data(), packed.data(), out.data());

  const ops::Padding2D pad = ops::depthwise_conv2d::effective_padding(p);
  int bad = 0;
  for (std::int64_t b = 0; b < p.batch; ++b)
    for (std::int64_t oy = 0; oy < oh; ++oy)
      for (std::int64_t ox = 0; ox < ow; ++ox)
        for (std::int64_t o = 0; o < out_c; ++o) {
          const std::int64_t c = o / p.multiplier;
          double sum = bias[o], magnitude = std::fabs(bias[o]);
          for (std::int64_t ky = 0; ky < p.kernel_h; ++ky)
            for (std::int64_t kx = 0; kx < p.kernel_w; ++kx) {
              const std::int64_t iy = oy * p.stride_h - pad.top + ky * p.dilation_h;
              const std::int64_t ix = ox * p.stride_w - pad.left + kx * p.dilation_w;
              if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) continue;
              const double x = input[((b * p.in_h + iy) * p.in_w + ix) * p.channels + c];
              const double w = weights[(ky * p.kernel_w + kx) * out_c + o];
              sum += x * w;
              magnitude += std::fabs(x * w);
            }
          const double want = activate(p.activation, sum);
          const float got = out[((b * oh + oy) * ow + ox) * out_c + o];
          if (!close(got, want, magnitude, p.kernel_h * p.kernel_w) && bad++ < 5) {
            FAIL_CHECK("at b=" << b << " y=" << oy << " x=" << ox << " o=" << o << ": got " << got << " want " << want);
          }
        }
  CHECK(out.back() == 12345.0f);
  CHECK(bad == 0);
}

ops::depthwise_conv2d::Params make(std::int64_t batch, std::int64_t h, std::int64_t w, std::int64_t channels,
                                   int multiplier, int k, int stride, int dilation, ops::PaddingMode mode,
                                   ops::Padding2D pad = {}) {
  ops::depthwise_conv2d::Params p;
  p.batch = batch;
  p.in_h = h;
  p.in_w = w;
  p.channels = channels;
  p.multiplier = multiplier;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dilation;
  p.padding_mode = mode;
  p.padding = pad;
  return p;
}

}  // namespace

TEST_CASE("depthwise_conv2d: every runnable backend matches a direct loop") {
  std::mt19937 rng(5);
  std::vector<ops::depthwise_conv2d::Params> cases;
  const std::int64_t channel_counts[] = {1, 3, 4, 8, 15, 16, 17, 32, 33, 48};
  int index = 0;
  for (int k : {3, 5}) {
    for (int stride : {1, 2}) {
      for (std::int64_t channels : channel_counts) {
        ++index;
        const auto mode = index % 3 == 0
                              ? ops::PaddingMode::explicit_padding
                              : (index % 3 == 1 ? ops::PaddingMode::same_upper : ops::PaddingMode::same_lower);
        cases.push_back(make(1 + index % 2, 5 + index % 7, 4 + index % 9, channels, 1, k, stride, 1, mode,
                             {index % 2, (index + 1) % 3, 1, index % 2}));
      }
    }
  }
  cases.push_back(make(1, 9, 9, 5, 2, 3, 1, 1, ops::PaddingMode::same_upper));
  cases.push_back(make(1, 9, 9, 7, 3, 3, 2, 1, ops::PaddingMode::same_upper));
  cases.push_back(make(2, 10, 9, 16, 1, 3, 1, 2, ops::PaddingMode::same_upper));
  cases.push_back(make(1, 8, 8, 9, 1, 2, 1, 1, ops::PaddingMode::explicit_padding));
  cases.push_back(make(1, 8, 8, 9, 1, 7, 3, 1, ops::PaddingMode::same_upper));
  cases.push_back(make(1, 1, 1, 1, 1, 1, 1, 1, ops::PaddingMode::explicit_padding));
  cases.push_back(make(1, 1, 1, 20, 1, 3, 1, 1, ops::PaddingMode::same_upper));
  cases.push_back(make(1, 112, 3, 32, 1, 3, 1, 1, ops::PaddingMode::same_upper));
  // >= 128 channels at stride 1: the pixel-major SIMD variant (64-channel steps plus a masked tail).
  cases.push_back(make(1, 12, 11, 130, 1, 3, 1, 1, ops::PaddingMode::same_upper));
  cases.push_back(make(2, 13, 12, 192, 1, 5, 1, 1, ops::PaddingMode::explicit_padding, {1, 2, 2, 0}));
  cases.push_back(make(1, 12, 14, 136, 1, 3, 1, 2, ops::PaddingMode::same_upper));
  // Row sliding (3x3/5x5, stride 1/2): widths giving full tiles, half tiles and single-pixel
  // remainders between the border pixels, vertical strides unlike the horizontal one, wide padding.
  for (int k : {3, 5}) {
    for (int stride : {1, 2}) {
      for (std::int64_t w : {13, 21, 30, 37}) {
        ++index;
        const std::int64_t channels = index % 3 == 0 ? 8 : (index % 3 == 1 ? 20 : 35);
        ops::depthwise_conv2d::Params p =
            make(1, 6 + index % 5, w, channels, 1, k, stride, 1, ops::PaddingMode::explicit_padding,
                 {index % 3, index % 4, (index + 1) % 3, (index + 2) % 4});
        p.stride_h = 1 + index % 2;
        cases.push_back(p);
      }
    }
  }
  // Channel multipliers > 1 (vectorised by permute / TBL): output blocks straddling input channels,
  // input-channel tails shorter than a vector, any kernel, stride, dilation.
  for (int multiplier : {2, 3, 4, 5, 8}) {
    for (std::int64_t channels : {1, 3, 7, 12, 33}) {
      ++index;
      const int k = index % 3 == 0 ? 3 : (index % 3 == 1 ? 5 : 2);
      cases.push_back(make(1 + index % 2, 5 + index % 4, 6 + index % 5, channels, multiplier, k, 1 + index % 2,
                           1 + (index % 4 == 0 ? 1 : 0), ops::PaddingMode::same_upper));
    }
  }
#if TINYNN_HAS_X86_KERNELS  // (slow under qemu, and only AVX-512 has that variant)
  // Large stride-1 images (> 1 Mi floats of input) take the pixel-major AVX-512 variant.
  cases.push_back(make(1, 65, 64, 64, 1, 3, 1, 1, ops::PaddingMode::same_upper));
  cases.push_back(make(1, 40, 37, 181, 1, 5, 1, 1, ops::PaddingMode::same_upper));
#endif
  for (std::size_t i = 0; i < cases.size(); ++i) {
    cases[i].activation = activations[i % std::size(activations)];
  }
  for (BackendId id : runnable_backends()) {
    CAPTURE(backend::name_of(id));
    for (std::size_t i = 0; i < cases.size(); ++i) {
      CAPTURE(i);
      check_depthwise(cases[i], id, rng);
    }
  }
}

TEST_CASE("depthwise_conv2d: prepare names the problem") {
  ops::depthwise_conv2d::Params p = make(1, 8, 8, 6, 0, 3, 1, 1, ops::PaddingMode::explicit_padding);
  const Status s = ops::depthwise_conv2d::prepare(p);
  REQUIRE_FALSE(s.ok());
  CHECK(std::string(s.message()).find("multiplier=0") != std::string::npos);
  p = make(1, 2, 2, 1, 1, 5, 1, 1, ops::PaddingMode::explicit_padding);
  CHECK_FALSE(ops::depthwise_conv2d::prepare(p).ok());
}
