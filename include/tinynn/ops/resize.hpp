// tinynn — spatial resize of NHWC images (ONNX Resize over H and W; N and C unchanged).
//   x_in = transform(x_out, scale, in_len, out_len) per axis (ONNX coordinate_transformation_mode);
//   nearest: x[round_mode(x_in)]; linear: bilinear blend of the two neighbours per axis (edges clamp).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "tinynn/backends/dispatch.hpp"
#include "tinynn/backends/tags.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops {

enum class ResizeMode : std::uint8_t { nearest, linear };
enum class CoordinateTransform : std::uint8_t {
  half_pixel,
  pytorch_half_pixel,
  align_corners,
  asymmetric,
  tf_half_pixel_for_nn,
};
enum class NearestRounding : std::uint8_t { round_prefer_floor, round_prefer_ceil, floor, ceil };
namespace detail {
// Coordinates in double, as ONNX's reference evaluates them: a float computation lands on the other
// side of a rounding boundary for some scales (e.g. 7/3) and picks another source pixel.
[[nodiscard]] inline double resize_source(CoordinateTransform t, std::int64_t out, double scale, std::int64_t in_len,
                                          std::int64_t out_len) noexcept {
  const auto o = static_cast<double>(out);
  switch (t) {
    case CoordinateTransform::half_pixel: return (o + 0.5) / scale - 0.5;
    case CoordinateTransform::pytorch_half_pixel: return out_len > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
    case CoordinateTransform::align_corners:
      return out_len > 1 ? o * static_cast<double>(in_len - 1) / static_cast<double>(out_len - 1) : 0.0;
    case CoordinateTransform::asymmetric: return o / scale;
    case CoordinateTransform::tf_half_pixel_for_nn: return (o + 0.5) / scale;
  }
  return o;
}
[[nodiscard]] inline std::int64_t resize_nearest(NearestRounding r, double v, std::int64_t in_len) noexcept {
  double i = 0;
  switch (r) {
    case NearestRounding::round_prefer_floor: i = (v - std::floor(v) == 0.5) ? std::floor(v) : std::round(v); break;
    case NearestRounding::round_prefer_ceil: i = (v - std::floor(v) == 0.5) ? std::ceil(v) : std::round(v); break;
    case NearestRounding::floor: i = std::floor(v); break;
    case NearestRounding::ceil: i = std::ceil(v); break;
  }
  if (!(i >= 0.0)) return 0;
  if (i >= static_cast<double>(in_len)) return in_len - 1;
  return static_cast<std::int64_t>(i);
}
struct LinearTap {
  std::int64_t i0, i1;
  float w1;  // weight of i1; i0 gets 1 - w1
};
[[nodiscard]] inline LinearTap resize_linear(double v, std::int64_t in_len) noexcept {
  const auto hi = static_cast<double>(in_len - 1);
  v = v < 0.0 ? 0.0 : (v > hi ? hi : v);
  const auto i0 = static_cast<std::int64_t>(v);
  const std::int64_t i1 = i0 + 1 < in_len ? i0 + 1 : i0;
  return {i0, i1, static_cast<float>(v - static_cast<double>(i0))};
}
}  // namespace detail

namespace resize {

struct Params {
  ResizeMode mode = ResizeMode::nearest;
  CoordinateTransform transform = CoordinateTransform::half_pixel;
  NearestRounding rounding = NearestRounding::round_prefer_floor;
  DynShape input;                   // [N, H, W, C]
  DynShape output;                  // [N, OH, OW, C]: set by prepare() from the scales or given sizes
  double scale_h = 0, scale_w = 0;  // output/input; 0 = derived from the sizes by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Give either p.scale_h/scale_w (> 0: output = floor(input * scale), ONNX) or output sizes out_h,
/// out_w (> 0, with p.scale_* = 0: scale = out / in).
[[nodiscard]] inline Status prepare(Params& p, std::int64_t out_h = 0, std::int64_t out_w = 0) {
  if (p.input.rank() != 4) {
    return error(ErrorCode::invalid_argument, "resize: input must be NHWC (rank 4), found ", p.input);
  }
  const std::int64_t h = p.input[1], w = p.input[2];
  if (out_h > 0 && out_w > 0) {
    if (p.scale_h <= 0) p.scale_h = h ? static_cast<double>(out_h) / static_cast<double>(h) : 1.0;
    if (p.scale_w <= 0) p.scale_w = w ? static_cast<double>(out_w) / static_cast<double>(w) : 1.0;
  } else {
    if (!(p.scale_h > 0) || !(p.scale_w > 0) || !std::isfinite(p.scale_h) || !std::isfinite(p.scale_w)) {
      return error(ErrorCode::invalid_argument, "resize: scales ", p.scale_h, ", ", p.scale_w,
                   " must be positive and finite (or give output sizes)");
    }
    out_h = static_cast<std::int64_t>(std::floor(static_cast<double>(h) * p.scale_h));
    out_w = static_cast<std::int64_t>(std::floor(static_cast<double>(w) * p.scale_w));
  }
  if (out_h > (std::int64_t{1} << 24) || out_w > (std::int64_t{1} << 24)) {
    return error(ErrorCode::invalid_argument, "resize: output ", out_h, "x", out_w, " is too large");
  }
  if ((h == 0 || w == 0) && out_h * out_w != 0) {
    return error(ErrorCode::invalid_argument, "resize: cannot resize the empty image ", p.input, " to ", out_h, "x",
                 out_w);
  }
  p.output = DynShape{p.input[0], out_h, out_w, p.input[3]};
  return {};
}

/// Resizes x (p.input) into y (p.output).
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* x, float* y) noexcept {
  const std::int64_t batch = p.input[0], h = p.input[1], w = p.input[2];
  const std::int64_t oh = p.output[1], ow = p.output[2];
  const auto c = static_cast<std::size_t>(p.input[3]);
  for (std::int64_t n = 0; n < batch; ++n) {
    const float* image = x + static_cast<std::size_t>(n * h * w) * c;
    for (std::int64_t oy = 0; oy < oh; ++oy) {
      const double sy = detail::resize_source(p.transform, oy, p.scale_h, h, oh);
      if (p.mode == ResizeMode::nearest) {
        const std::int64_t iy = detail::resize_nearest(p.rounding, sy, h);
        for (std::int64_t ox = 0; ox < ow; ++ox, y += c) {
          const double sx = detail::resize_source(p.transform, ox, p.scale_w, w, ow);
          const std::int64_t ix = detail::resize_nearest(p.rounding, sx, w);
          const float* src = image + static_cast<std::size_t>(iy * w + ix) * c;
          for (std::size_t i = 0; i < c; ++i) y[i] = src[i];
        }
        continue;
      }
      const detail::LinearTap ty = detail::resize_linear(sy, h);
      const float* row0 = image + static_cast<std::size_t>(ty.i0 * w) * c;
      const float* row1 = image + static_cast<std::size_t>(ty.i1 * w) * c;
      for (std::int64_t ox = 0; ox < ow; ++ox, y += c) {
        const detail::LinearTap tx = detail::resize_linear(detail::resize_source(p.transform, ox, p.scale_w, w, ow), w);
        const float* a = row0 + static_cast<std::size_t>(tx.i0) * c;
        const float* b = row0 + static_cast<std::size_t>(tx.i1) * c;
        const float* d = row1 + static_cast<std::size_t>(tx.i0) * c;
        const float* e = row1 + static_cast<std::size_t>(tx.i1) * c;
        const float wx1 = tx.w1, wx0 = 1.0f - tx.w1, wy1 = ty.w1, wy0 = 1.0f - ty.w1;
        for (std::size_t i = 0; i < c; ++i) {
          y[i] = wy0 * (wx0 * a[i] + wx1 * b[i]) + wy1 * (wx0 * d[i] + wx1 * e[i]);
        }
      }
    }
  }
}

inline void run(backend::BackendId id, const Params& p, const float* x, float* y) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, x, y); });
}

}  // namespace resize
}  // namespace tinynn::ops
