// Conv2D against a plain double-precision loop over the unpacked OHWI weights, on every runnable
// backend: kernel sizes 1..5, strides, dilations, explicit and SAME padding, groups, batch, channel
// counts below/at/above the panel width, pointwise (GEMM in place) and 1-pixel cases.
#include "tinynn/ops/conv2d.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "ops/kernels_testing.hpp"

using namespace tinynn;
using namespace kernels_testing;

namespace {

void check_conv(const ops::conv2d::Params& p, BackendId id, std::mt19937& rng) {
  REQUIRE(ops::conv2d::prepare(p).ok());
  const std::int64_t oh = ops::conv2d::output_h(p), ow = ops::conv2d::output_w(p);
  const std::int64_t cin = p.in_c / p.groups, cout = p.out_c / p.groups;
  const std::vector<float> input = random_floats(static_cast<std::size_t>(p.batch * p.in_h * p.in_w * p.in_c), rng);
  const std::vector<float> weights =
      random_floats(static_cast<std::size_t>(p.out_c * p.kernel_h * p.kernel_w * cin), rng);
  const std::vector<float> bias = random_floats(static_cast<std::size_t>(p.out_c), rng);
  std::vector<float> packed(ops::conv2d::packed_weights_size(p));
  ops::conv2d::pack_weights(p, weights.data(), bias.data(), packed.data());
  std::vector<float> out(static_cast<std::size_t>(p.batch * oh * ow * p.out_c) + 1, 12345.0f);
  std::vector<float> scratch(ops::conv2d::scratch_size(p, id) + 1);
  ops::conv2d::run(id, p, input.data(), packed.data(), out.data(), scratch.data());

  const ops::Padding2D pad = ops::conv2d::effective_padding(p);
  int bad = 0;
  for (std::int64_t b = 0; b < p.batch; ++b)
    for (std::int64_t oy = 0; oy < oh; ++oy)
      for (std::int64_t ox = 0; ox < ow; ++ox)
        for (std::int64_t o = 0; o < p.out_c; ++o) {
          const std::int64_t g = o / cout;
          double sum = bias[o], magnitude = std::fabs(bias[o]);
          for (std::int64_t ky = 0; ky < p.kernel_h; ++ky)
            for (std::int64_t kx = 0; kx < p.kernel_w; ++kx) {
              const std::int64_t iy = oy * p.stride_h - pad.top + ky * p.dilation_h;
              const std::int64_t ix = ox * p.stride_w - pad.left + kx * p.dilation_w;
              if (iy < 0 || iy >= p.in_h || ix < 0 || ix >= p.in_w) continue;
              for (std::int64_t c = 0; c < cin; ++c) {
                const double x = input[((b * p.in_h + iy) * p.in_w + ix) * p.in_c + g * cin + c];
                const double w = weights[((o * p.kernel_h + ky) * p.kernel_w + kx) * cin + c];
                sum += x * w;
                magnitude += std::fabs(x * w);
              }
            }
          const double want = activate(p.activation, sum);
          const float got = out[((b * oh + oy) * ow + ox) * p.out_c + o];
          if (!close(got, want, magnitude, p.kernel_h * p.kernel_w * cin) && bad++ < 5) {
            FAIL_CHECK("at b=" << b << " y=" << oy << " x=" << ox << " o=" << o << ": got " << got << " want " << want);
          }
        }
  CHECK(out.back() == 12345.0f);
  CHECK(bad == 0);
}

ops::conv2d::Params make(std::int64_t batch, std::int64_t h, std::int64_t w, std::int64_t cin, std::int64_t cout, int k,
                         int stride, int dilation, int groups, ops::PaddingMode mode, ops::Padding2D pad = {}) {
  ops::conv2d::Params p;
  p.batch = batch;
  p.in_h = h;
  p.in_w = w;
  p.in_c = cin;
  p.out_c = cout;
  p.kernel_h = k;
  p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dilation;
  p.groups = groups;
  p.padding_mode = mode;
  p.padding = pad;
  return p;
}

}  // namespace

TEST_CASE("conv2d: every runnable backend matches a direct loop") {
  std::mt19937 rng(3);
  std::vector<ops::conv2d::Params> cases = {
      make(1, 5, 7, 3, 8, 1, 1, 1, 1, ops::PaddingMode::explicit_padding),  // pointwise: GEMM in place
      make(2, 6, 5, 17, 33, 1, 1, 1, 1, ops::PaddingMode::explicit_padding),
      make(1, 9, 8, 5, 16, 1, 2, 1, 1, ops::PaddingMode::explicit_padding),  // strided 1x1: gathered
      make(1, 8, 8, 3, 16, 3, 1, 1, 1, ops::PaddingMode::same_upper),
      make(1, 9, 7, 4, 17, 3, 2, 1, 1, ops::PaddingMode::same_upper),
      make(1, 9, 7, 4, 15, 3, 2, 1, 1, ops::PaddingMode::same_lower),
      make(2, 7, 7, 6, 12, 3, 1, 2, 3, ops::PaddingMode::explicit_padding, {2, 1, 0, 2}),
      make(1, 11, 10, 2, 5, 5, 2, 1, 1, ops::PaddingMode::explicit_padding, {2, 2, 2, 2}),
      make(1, 6, 6, 8, 8, 3, 1, 1, 8, ops::PaddingMode::same_upper),  // groups == channels
      make(1, 4, 4, 40, 70, 2, 1, 1, 2, ops::PaddingMode::explicit_padding, {0, 0, 1, 1}),
      make(1, 1, 1, 1, 1, 1, 1, 1, 1, ops::PaddingMode::explicit_padding),
      make(1, 3, 3, 300, 20, 3, 1, 1, 1, ops::PaddingMode::same_upper),  // K = 2700 > kc: K blocking
      make(1, 12, 12, 3, 32, 3, 2, 1, 1, ops::PaddingMode::same_upper),
  };
  cases[6].activation = ops::ActivationParams::relu6();
  cases[7].activation = ops::ActivationParams::leaky_relu(0.2f);
  cases[8].activation = ops::ActivationParams::relu();
  cases[9].activation = {ops::Activation::hard_swish};
  cases[11].activation = ops::ActivationParams::clip(-0.3f, 0.3f);
  for (BackendId id : runnable_backends()) {
    CAPTURE(backend::name_of(id));
    for (std::size_t i = 0; i < cases.size(); ++i) {
      CAPTURE(i);
      check_conv(cases[i], id, rng);
    }
  }
}

TEST_CASE("conv2d: randomized parameters on every runnable backend") {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> pick(0, 1 << 20);
  const std::vector<BackendId> ids = runnable_backends();
  for (int trial = 0; trial < 40; ++trial) {
    const int groups = 1 + pick(rng) % 3;
    const int k = 1 + pick(rng) % 5;
    ops::conv2d::Params p =
        make(1 + pick(rng) % 2, 1 + pick(rng) % 12, 1 + pick(rng) % 12, groups * (1 + pick(rng) % 9),
             groups * (1 + pick(rng) % 21), k, 1 + pick(rng) % 3, 1 + pick(rng) % 2, groups,
             pick(rng) % 2 ? ops::PaddingMode::same_upper : ops::PaddingMode::explicit_padding,
             {pick(rng) % 3, pick(rng) % 3, pick(rng) % 3, pick(rng) % 3});
    p.kernel_w = 1 + pick(rng) % 5;
    p.activation = activations[static_cast<std::size_t>(trial) % std::size(activations)];
    if (!ops::conv2d::prepare(p).ok()) continue;  // kernel larger than the padded input
    CAPTURE(trial);
    for (BackendId id : ids) check_conv(p, id, rng);
  }
}

// The direct path (ops/detail/conv_direct.hpp): few input/output channels, small images, 1-4 output
// pixels (dense layers). Covers both pixel-vector sources (stride-phase planes and transposed im2col),
// every chunk width 1..8 and its pixel-vector count, channel tails, strides, dilations, padding, activations.
TEST_CASE("conv2d: direct path sweep on every runnable backend") {
  std::mt19937 rng(29);
  const std::vector<BackendId> ids = runnable_backends();
  int direct = 0;
  auto run_case = [&](ops::conv2d::Params p) {
    if (!ops::conv2d::prepare(p).ok()) return;
    if (ops::conv2d::uses_direct(p)) ++direct;
    for (BackendId id : ids) {
      CAPTURE(backend::name_of(id));
      check_conv(p, id, rng);
    }
  };
  int n = 0;
  for (int cin : {1, 2, 3, 5, 8}) {
    for (int cout : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 16, 17, 33}) {
      const int k = 1 + (cin + cout) % 5;
      const int stride = 1 + (cout % 3 == 0 ? 1 : 0);
      ops::conv2d::Params p = make(1 + cout % 2, 7 + (cin * 5 + cout) % 23, 5 + (cin * 3 + cout * 7) % 26, cin, cout, k,
                                   stride, 1 + (cout % 5 == 4 ? 1 : 0), 1,
                                   cout % 2 ? ops::PaddingMode::same_upper : ops::PaddingMode::explicit_padding,
                                   {cin % 3, cout % 3, (cin + 1) % 3, cout % 2});
      p.kernel_w = 1 + (cin * 7 + cout) % 5;
      p.activation = activations[static_cast<std::size_t>(n++) % std::size(activations)];
      CAPTURE(cin);
      CAPTURE(cout);
      run_case(p);
    }
  }
  // The reference networks' layers: SimpLeNet, DS-CNN's 10x4/2 first layer, CIFAR's first layer.
  ops::conv2d::Params simple1 = make(1, 28, 28, 1, 3, 5, 1, 1, 1, ops::PaddingMode::same_upper);
  simple1.activation = ops::ActivationParams::relu();
  run_case(simple1);
  run_case(make(1, 14, 14, 3, 6, 5, 1, 1, 1, ops::PaddingMode::same_upper));
  ops::conv2d::Params kws = make(1, 49, 10, 1, 64, 10, 2, 1, 1, ops::PaddingMode::explicit_padding, {5, 1, 5, 1});
  kws.kernel_w = 4;
  run_case(kws);
  run_case(make(1, 32, 32, 3, 32, 5, 1, 1, 1, ops::PaddingMode::same_upper));
  // Dense layers as 1-pixel convolutions ([K] -> [N]), with channel tails on every vector width.
  for (int cout : {1, 3, 10, 12, 17, 40, 70, 100}) run_case(make(1, 1, 1, 294 + cout, cout, 1, 1, 1, 1, {}));
  run_case(make(3, 1, 1, 64, 12, 1, 1, 1, 1, {}));
  run_case(make(1, 2, 2, 7, 9, 2, 1, 1, 1, ops::PaddingMode::explicit_padding, {1, 1, 0, 0}));
  MESSAGE(direct << " cases took the direct path");
  CHECK(direct >= 70);
}

TEST_CASE("conv2d: prepare names the problem") {
  ops::conv2d::Params p = make(1, 8, 8, 6, 4, 3, 1, 1, 4, ops::PaddingMode::explicit_padding);
  const Status s = ops::conv2d::prepare(p);
  REQUIRE_FALSE(s.ok());
  CHECK(std::string(s.message()).find("groups=4") != std::string::npos);
  p = make(1, 2, 2, 1, 1, 5, 1, 1, 1, ops::PaddingMode::explicit_padding);
  CHECK_FALSE(ops::conv2d::prepare(p).ok());
  p = make(1, 2, 2, 1, 1, 3, 0, 1, 1, ops::PaddingMode::explicit_padding);
  CHECK_FALSE(ops::conv2d::prepare(p).ok());
  p = make(1, 2, 2, 1, 1, 5, 1, 1, 1, ops::PaddingMode::same_upper);
  CHECK(ops::conv2d::prepare(p).ok());
  CHECK(ops::conv2d::output_h(p) == 2);
}
