// ops/resize.hpp: nearest (4 rounding modes) and bilinear under every ONNX coordinate transform,
// against the ONNX specification's formulas evaluated in double with edge-clamped neighbours.
#include <cmath>

#include "ops/eltwise_test_support.hpp"
#include "tinynn/ops/resize.hpp"

using namespace tinynn;
using namespace eltwise_test;
using ops::CoordinateTransform;
using ops::NearestRounding;
using ops::ResizeMode;

namespace {

double original(CoordinateTransform t, double o, double scale, double in, double out) {
  switch (t) {
    case CoordinateTransform::half_pixel: return (o + 0.5) / scale - 0.5;
    case CoordinateTransform::pytorch_half_pixel: return out > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
    case CoordinateTransform::align_corners: return out == 1 ? 0.0 : o * (in - 1) / (out - 1);
    case CoordinateTransform::asymmetric: return o / scale;
    case CoordinateTransform::tf_half_pixel_for_nn: return (o + 0.5) / scale;
  }
  return 0;
}

std::int64_t nearest(NearestRounding r, double v, std::int64_t n) {
  double i = 0;
  const bool half = v - std::floor(v) == 0.5;
  switch (r) {
    case NearestRounding::round_prefer_floor: i = half ? std::floor(v) : std::round(v); break;
    case NearestRounding::round_prefer_ceil: i = half ? std::ceil(v) : std::round(v); break;
    case NearestRounding::floor: i = std::floor(v); break;
    case NearestRounding::ceil: i = std::ceil(v); break;
  }
  return std::min<std::int64_t>(std::max<std::int64_t>(static_cast<std::int64_t>(i), 0), n - 1);
}

std::vector<float> reference(const ops::resize::Params& p, const std::vector<float>& x) {
  const std::int64_t N = p.input[0], H = p.input[1], W = p.input[2], C = p.input[3];
  const std::int64_t OH = p.output[1], OW = p.output[2];
  auto at = [&](std::int64_t n, std::int64_t y, std::int64_t xx, std::int64_t c) {
    y = std::min(std::max<std::int64_t>(y, 0), H - 1);
    xx = std::min(std::max<std::int64_t>(xx, 0), W - 1);
    return double{x[static_cast<std::size_t>(((n * H + y) * W + xx) * C + c)]};
  };
  std::vector<float> out(static_cast<std::size_t>(N * OH * OW * C));
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t oy = 0; oy < OH; ++oy)
      for (std::int64_t ox = 0; ox < OW; ++ox)
        for (std::int64_t c = 0; c < C; ++c) {
          const double sy = original(p.transform, double(oy), p.scale_h, double(H), double(OH));
          const double sx = original(p.transform, double(ox), p.scale_w, double(W), double(OW));
          double v;
          if (p.mode == ResizeMode::nearest) {
            v = at(n, nearest(p.rounding, sy, H), nearest(p.rounding, sx, W), c);
          } else {
            const double fy = std::floor(sy), fx = std::floor(sx), ry = sy - fy, rx = sx - fx;
            const auto iy = static_cast<std::int64_t>(fy), ix = static_cast<std::int64_t>(fx);
            v = (1 - ry) * ((1 - rx) * at(n, iy, ix, c) + rx * at(n, iy, ix + 1, c)) +
                ry * ((1 - rx) * at(n, iy + 1, ix, c) + rx * at(n, iy + 1, ix + 1, c));
          }
          out[static_cast<std::size_t>(((n * OH + oy) * OW + ox) * C + c)] = static_cast<float>(v);
        }
  return out;
}

}  // namespace

TEST_CASE("resize: every mode, transform and rounding; sizes and scales; up and down") {
  const CoordinateTransform transforms[] = {CoordinateTransform::half_pixel, CoordinateTransform::pytorch_half_pixel,
                                            CoordinateTransform::align_corners, CoordinateTransform::asymmetric,
                                            CoordinateTransform::tf_half_pixel_for_nn};
  for (int trial = 0; trial < 200; ++trial) {
    ops::resize::Params p;
    p.mode = trial % 2 ? ResizeMode::linear : ResizeMode::nearest;
    p.transform = transforms[(trial / 2) % 5];
    if (p.mode == ResizeMode::linear && p.transform == CoordinateTransform::tf_half_pixel_for_nn) {
      p.transform = CoordinateTransform::half_pixel;
    }
    p.rounding = static_cast<NearestRounding>((trial / 10) % 4);
    p.input = DynShape{random_int(1, 2), random_int(1, 7), random_int(1, 7), random_int(1, 19)};
    if (trial % 3 == 0) {
      p.scale_h = static_cast<float>(random_int(1, 8)) / 2.0f;
      p.scale_w = static_cast<float>(random_int(1, 8)) / 3.0f;
      REQUIRE(ops::resize::prepare(p).ok());
      CHECK(p.output[1] == static_cast<std::int64_t>(std::floor(p.input[1] * double(p.scale_h))));
    } else {
      REQUIRE(ops::resize::prepare(p, random_int(1, 15), random_int(1, 15)).ok());
    }
    if (p.output.size() == 0) continue;
    const auto x = random_floats(p.input.size());
    const auto want = reference(p, x);
    for (auto id : runnable_backends()) {
      std::vector<float> y(p.output.size());
      ops::resize::run(id, p, x.data(), y.data());
      check_close(y, want, 1e-5f, 1e-5f, std::string(backend::name_of(id)) + " resize trial " + std::to_string(trial));
    }
  }
}

TEST_CASE("resize: errors") {
  ops::resize::Params p;
  p.input = DynShape{1, 4, 4};
  CHECK(!ops::resize::prepare(p, 8, 8).ok());
  p.input = DynShape{1, 4, 4, 3};
  CHECK(!ops::resize::prepare(p).ok());  // neither scales nor sizes
  p.scale_h = -1;
  p.scale_w = 2;
  CHECK(!ops::resize::prepare(p).ok());
}
