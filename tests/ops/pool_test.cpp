// ops/pool.hpp: max/average pooling (padding, dilation, ceil mode, count_include_pad, global)
// against a plain loop over the padded window, on every backend.
#include <algorithm>
#include <limits>

#include "ops/eltwise_test_support.hpp"
#include "tinynn/ops/pool.hpp"

using namespace tinynn;
using namespace eltwise_test;

namespace {

std::vector<float> reference(const ops::pool2d::Params& p, const std::vector<float>& x) {
  const std::int64_t N = p.input[0], H = p.input[1], W = p.input[2], C = p.input[3];
  const std::int64_t OH = p.output[1], OW = p.output[2];
  std::vector<float> y(static_cast<std::size_t>(N * OH * OW * C));
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t oy = 0; oy < OH; ++oy)
      for (std::int64_t ox = 0; ox < OW; ++ox)
        for (std::int64_t c = 0; c < C; ++c) {
          double acc = p.kind == ops::PoolKind::max ? -std::numeric_limits<double>::infinity() : 0.0;
          std::int64_t inside = 0;
          // Window clipped to the padded input (PyTorch/ONNX), then to the input.
          const std::int64_t hs = oy * p.stride_h - p.padding.top, ws = ox * p.stride_w - p.padding.left;
          std::int64_t h_padded = 0, w_padded = 0;
          for (std::int64_t k = 0; k < p.kernel_h; ++k) h_padded += hs + k * p.dilation_h < H + p.padding.bottom;
          for (std::int64_t k = 0; k < p.kernel_w; ++k) w_padded += ws + k * p.dilation_w < W + p.padding.right;
          for (std::int64_t ky = 0; ky < p.kernel_h; ++ky)
            for (std::int64_t kx = 0; kx < p.kernel_w; ++kx) {
              const std::int64_t iy = hs + ky * p.dilation_h, ix = ws + kx * p.dilation_w;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              const double v = x[static_cast<std::size_t>(((n * H + iy) * W + ix) * C + c)];
              acc = p.kind == ops::PoolKind::max ? std::max(acc, v) : acc + v;
              ++inside;
            }
          if (p.kind == ops::PoolKind::average) acc /= double(p.count_include_pad ? h_padded * w_padded : inside);
          y[static_cast<std::size_t>(((n * OH + oy) * OW + ox) * C + c)] =
              ops::apply_activation(p.activation, static_cast<float>(acc));
        }
  return y;
}

void check(ops::pool2d::Params p) {
  REQUIRE(ops::pool2d::prepare(p).ok());
  const auto x = random_floats(p.input.size());
  const auto want = reference(p, x);
  for (auto id : runnable_backends()) {
    std::vector<float> y(p.output.size(), 99.0f);
    ops::pool2d::run(id, p, x.data(), y.data());
    check_close(y, want, 1e-6f, 1e-6f,
                std::string(backend::name_of(id)) + " pool " + std::string(p.input.str().view()));
  }
}

}  // namespace

TEST_CASE("pool2d: randomized windows, strides, dilations, padding, ceil mode") {
  for (int trial = 0; trial < 150; ++trial) {
    ops::pool2d::Params p;
    p.kind = trial % 2 ? ops::PoolKind::max : ops::PoolKind::average;
    p.kernel_h = static_cast<std::int32_t>(random_int(1, 4));
    p.kernel_w = static_cast<std::int32_t>(random_int(1, 4));
    p.stride_h = static_cast<std::int32_t>(random_int(1, 3));
    p.stride_w = static_cast<std::int32_t>(random_int(1, 3));
    if (p.kind == ops::PoolKind::max) {
      p.dilation_h = static_cast<std::int32_t>(random_int(1, 2));
      p.dilation_w = static_cast<std::int32_t>(random_int(1, 2));
    }
    p.padding = {static_cast<std::int32_t>(random_int(0, p.kernel_h - 1)),
                 static_cast<std::int32_t>(random_int(0, p.kernel_w - 1)),
                 static_cast<std::int32_t>(random_int(0, p.kernel_h - 1)),
                 static_cast<std::int32_t>(random_int(0, p.kernel_w - 1))};
    p.ceil_mode = random_int(0, 1) == 1;
    p.count_include_pad = random_int(0, 1) == 1;
    if (trial % 7 == 0) p.activation = ops::ActivationParams::relu6();
    const std::int64_t extent_h = (p.kernel_h - 1) * p.dilation_h + 1, extent_w = (p.kernel_w - 1) * p.dilation_w + 1;
    p.input = DynShape{random_int(1, 2), random_int(extent_h, 11), random_int(extent_w, 11), random_int(1, 37)};
    check(p);
  }
}

TEST_CASE("pool2d: global average and max, channels around the vector width") {
  for (std::int64_t c : {1, 3, 4, 8, 15, 16, 17, 33, 64}) {
    for (auto kind : {ops::PoolKind::average, ops::PoolKind::max}) {
      ops::pool2d::Params p;
      p.kind = kind;
      p.global = true;
      p.input = DynShape{2, 7, 5, c};
      check(p);
    }
  }
}

TEST_CASE("pool2d: empty batch, and bad parameters give messages") {
  ops::pool2d::Params p;
  p.kernel_h = p.kernel_w = 2;
  p.input = DynShape{0, 4, 4, 3};
  REQUIRE(ops::pool2d::prepare(p).ok());
  CHECK(p.output == DynShape{0, 3, 3, 3});
  ops::pool2d::run<backend::scalar>(p, nullptr, nullptr);

  p.input = DynShape{1, 4, 4};
  CHECK(!ops::pool2d::prepare(p).ok());
  p.input = DynShape{1, 4, 4, 3};
  p.stride_h = 0;
  auto s = ops::pool2d::prepare(p);
  CHECK(!s.ok());
  CHECK(std::string(s.message()).find("stride") != std::string::npos);
  p.stride_h = 1;
  p.kernel_h = 6;
  CHECK(!ops::pool2d::prepare(p).ok());  // does not fit
}
