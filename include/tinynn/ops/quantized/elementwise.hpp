// tinynn — int8/uint8 binary elementwise ops with rescaling and NumPy broadcasting (TFLite
// integer semantics):
//   add/sub: a' = requantize((a - za) << 20, Ma); b' likewise; out = clamp(requantize(a' +/- b', Mo) + zo)
//            with Ma = sa / 2max(sa,sb), Mb = sb / 2max(sa,sb), Mo = 2max(sa,sb) / (2^20 so)
//   mul:     out = clamp(requantize((a - za) * (b - zb), sa sb / so) + zo)
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/backends/tags.hpp"
#include "tinynn/ops/quantized/requantize.hpp"
#include "tinynn/status.hpp"

namespace tinynn::ops::quantized {

enum class BinaryOp : std::uint8_t { add, sub, mul };

/// Broadcast geometry: every shape right-aligned to `rank` dims (missing leading dims are 1).
inline constexpr std::size_t max_broadcast_rank = 6;

struct BinaryParams {
  BinaryOp op = BinaryOp::add;
  std::size_t rank = 1;
  std::int64_t a_dims[max_broadcast_rank] = {};
  std::int64_t b_dims[max_broadcast_rank] = {};
  std::int64_t out_dims[max_broadcast_rank] = {};
  std::int32_t a_zero_point = 0, b_zero_point = 0, output_zero_point = 0;
  std::int32_t left_shift = 20;  // add/sub only
  QuantizedMultiplier a_multiplier{}, b_multiplier{}, output_multiplier{};
  QuantizedRange range{};
  Rounding rounding = Rounding::double_rounding;
};

/// Fills the multipliers from the three scales, as TFLite's Prepare does.
inline void set_scales(BinaryParams& p, double a_scale, double b_scale, double output_scale) noexcept {
  if (p.op == BinaryOp::mul) {
    p.output_multiplier = quantize_multiplier(a_scale * b_scale / output_scale, p.rounding);
    return;
  }
  const double twice_max = 2.0 * (a_scale > b_scale ? a_scale : b_scale);
  p.a_multiplier = quantize_multiplier(a_scale / twice_max, p.rounding);
  p.b_multiplier = quantize_multiplier(b_scale / twice_max, p.rounding);
  p.output_multiplier = quantize_multiplier(
      twice_max / (static_cast<double>(std::int64_t{1} << p.left_shift) * output_scale), p.rounding);
}

[[nodiscard]] inline Status prepare(const BinaryParams& p) {
  if (p.rank == 0 || p.rank > max_broadcast_rank) {
    return error(ErrorCode::unsupported, "quantized binary op: rank ", p.rank, " (at most ", max_broadcast_rank, ")");
  }
  for (std::size_t d = 0; d < p.rank; ++d) {
    const std::int64_t a = p.a_dims[d], b = p.b_dims[d], o = p.out_dims[d];
    if ((a != o && a != 1) || (b != o && b != 1) || o < 0) {
      return error(ErrorCode::invalid_argument, "quantized binary op: dimension ", d, " of the inputs (", a, ", ", b,
                   ") does not broadcast to ", o);
    }
  }
  return {};
}

namespace detail {
template <class T>
constexpr std::int32_t binary_element(const BinaryParams& p, std::int32_t a, std::int32_t b) noexcept {
  const std::int32_t x = a - p.a_zero_point, y = b - p.b_zero_point;
  std::int32_t raw = 0;
  if (p.op == BinaryOp::mul) {
    raw = multiply_by_quantized_multiplier(x * y, p.output_multiplier, p.rounding);
  } else {
    const std::int32_t sx = multiply_by_quantized_multiplier(x * (1 << p.left_shift), p.a_multiplier, p.rounding);
    const std::int32_t sy = multiply_by_quantized_multiplier(y * (1 << p.left_shift), p.b_multiplier, p.rounding);
    raw = multiply_by_quantized_multiplier(p.op == BinaryOp::add ? sx + sy : sx - sy, p.output_multiplier, p.rounding);
  }
  return clamp_i32(raw + p.output_zero_point, p.range.min, p.range.max);
}
}  // namespace detail

template <class T>
void binary(backend::scalar, const BinaryParams& p, const T* a, const T* b, T* output) noexcept {
  // Strides of the inputs over the output's index space (0 along broadcast dimensions).
  std::size_t a_stride[max_broadcast_rank] = {}, b_stride[max_broadcast_rank] = {};
  std::size_t sa = 1, sb = 1, total = 1;
  for (std::size_t d = p.rank; d-- > 0;) {
    a_stride[d] = p.a_dims[d] == 1 ? 0 : sa;
    b_stride[d] = p.b_dims[d] == 1 ? 0 : sb;
    sa *= static_cast<std::size_t>(p.a_dims[d]);
    sb *= static_cast<std::size_t>(p.b_dims[d]);
    total *= static_cast<std::size_t>(p.out_dims[d]);
  }
  std::size_t index[max_broadcast_rank] = {};
  std::size_t ia = 0, ib = 0;
  for (std::size_t flat = 0; flat < total; ++flat) {
    output[flat] = static_cast<T>(
        detail::binary_element<T>(p, static_cast<std::int32_t>(a[ia]), static_cast<std::int32_t>(b[ib])));
    for (std::size_t d = p.rank; d-- > 0;) {  // odometer increment
      ++index[d];
      ia += a_stride[d];
      ib += b_stride[d];
      if (index[d] < static_cast<std::size_t>(p.out_dims[d])) break;
      ia -= a_stride[d] * index[d];
      ib -= b_stride[d] * index[d];
      index[d] = 0;
    }
  }
}

}  // namespace tinynn::ops::quantized
