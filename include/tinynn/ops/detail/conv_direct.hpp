// tinynn — the direct path of conv2d for small / narrow convolutions (few input or output channels,
// small images, dense layers run as a 1-pixel convolution): no im2col GEMM, no 16-column panels.
//
// Packed weights are HWIO, unpadded: w[((ky * kernel_w + kx) * in_c + ci) * out_c + co], then the bias
// (out_c floats). The layout depends only on the conv Params, so it is packed once (constexpr for
// static networks) and any backend runs it.
//
// Two kernel shapes read it:
//  - pixel-vector (SIMD backends, images with >= `lanes` output pixels): one vector holds `lanes`
//    neighbouring output pixels of one output channel; a call computes up to 8 pixel vectors x 8
//    channels in registers, broadcasting one weight per FMA. The input is first rearranged into
//    scratch so that neighbouring output pixels read neighbouring floats: either zero-padded planes
//    per input channel with the columns split by stride phase (wide images), or a transposed im2col
//    [kh*kw*in_c][pixels] (narrow images, where a row would leave most lanes idle).
//  - channel-vector (scalar, and SIMD for 1-4 output pixels such as dense layers): per output pixel,
//    a chunk of output channels accumulates input value x weight row, reading the NHWC input in place.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/conv_geometry.hpp"
#include "tinynn/ops/detail/gemm_kernel.hpp"

namespace tinynn::ops::detail {

inline constexpr std::int64_t conv_direct_max_kernel_w = 16;
inline constexpr int conv_direct_max_cb = 8;  // output channels per pixel-vector call
inline constexpr int conv_direct_max_pb = 8;  // pixel vectors per pixel-vector call

[[nodiscard]] constexpr std::int64_t conv_direct_depth(const ConvShape& s) noexcept {
  return s.kernel_h * s.kernel_w * s.in_c;
}

/// Whether conv2d takes the direct path (decided from the shape alone: it fixes the packed layout).
[[nodiscard]] constexpr bool conv_direct_applies(const ConvShape& s) noexcept {
  if (s.groups != 1 || s.kernel_w > conv_direct_max_kernel_w) return false;
  if (s.batch * s.out_h * s.out_w <= 4) return true;  // matrix-vector (dense layers, 1-pixel convolutions)
  const bool pointwise = s.kernel_h == 1 && s.kernel_w == 1 && s.stride_h == 1 && s.stride_w == 1;
  if (pointwise) return s.out_c <= 8;
  return s.out_c <= 16 || s.in_c <= 4;
}

[[nodiscard]] constexpr std::size_t conv_direct_packed_floats(const ConvShape& s) noexcept {
  return static_cast<std::size_t>(conv_direct_depth(s) * s.out_c + s.out_c);
}

/// OHWI weights [out_c][kh][kw][in_c] and bias (out_c floats, may be null) -> HWIO + bias.
constexpr void conv_direct_pack(const ConvShape& s, const float* weights, const float* bias, float* packed) noexcept {
  const std::int64_t depth = conv_direct_depth(s);
  for (std::int64_t k = 0; k < depth; ++k) {
    for (std::int64_t o = 0; o < s.out_c; ++o) packed[k * s.out_c + o] = weights[o * depth + k];
  }
  for (std::int64_t o = 0; o < s.out_c; ++o) packed[depth * s.out_c + o] = bias != nullptr ? bias[o] : 0.0f;
}

/// Pixel-vector mode on a backend with `lanes` floats per vector (1 = channel-vector only).
[[nodiscard]] constexpr bool conv_direct_pixel_mode(const ConvShape& s, std::int64_t lanes) noexcept {
  return lanes > 1 && s.out_h * s.out_w >= lanes;
}

/// How the pixel-vector kernels find their input in scratch.
struct ConvDirectSource {
  bool planes = true;
  std::int64_t hp = 0, wq = 0, wrow = 0, plane = 0;  // planes: rows, width per stride phase, row and plane strides
  std::int64_t m = 0, mstride = 0;                   // transposed im2col: pixels per image, row stride
  std::int64_t floats = 0;
};

[[nodiscard]] constexpr ConvDirectSource conv_direct_source(const ConvShape& s, std::int64_t lanes) noexcept {
  ConvDirectSource r;
  const std::int64_t per_row = (s.out_w + lanes - 1) / lanes;
  r.planes = 2 * per_row * lanes <= 3 * s.out_w;  // at most a third of the lanes idle
  if (r.planes) {
    r.hp = (s.out_h - 1) * s.stride_h + (s.kernel_h - 1) * s.dilation_h + 1;
    r.wq = s.out_w + ((s.kernel_w - 1) * s.dilation_w) / s.stride_w + lanes;
    r.wrow = s.stride_w * r.wq;
    r.plane = r.hp * r.wrow;
    r.floats = s.in_c * r.plane;
  } else {
    r.m = s.out_h * s.out_w;
    r.mstride = r.m + lanes;
    r.floats = conv_direct_depth(s) * r.mstride;
  }
  return r;
}

/// Scratch floats of the direct path on a backend with `lanes` floats per vector.
[[nodiscard]] constexpr std::size_t conv_direct_scratch_floats(const ConvShape& s, std::int64_t lanes) noexcept {
  return conv_direct_pixel_mode(s, lanes) ? static_cast<std::size_t>(conv_direct_source(s, lanes).floats) : 0;
}

/// One pixel-vector call: for pixel vector p < pb and channel c < cb,
/// dst[p][l * ldo + c] = bias[c] + sum over (ky, kx, ci) of
/// src[p][ky * row_step + kx_off[kx] + ci * plane_step + l] * w[((ky * kernel_w + kx) * cin + ci) * ldw + c]
/// for l < count[p] (count 0: skip), clamped by the epilogue (sigmoid/tanh/hard-swish are the caller's).
struct ConvDirectTile {
  const float* src[conv_direct_max_pb] = {};
  float* dst[conv_direct_max_pb] = {};
  std::int64_t count[conv_direct_max_pb] = {};
  const float* w = nullptr;
  const float* bias = nullptr;
  std::int64_t ldw = 0, ldo = 0, kernel_h = 0, kernel_w = 0, cin = 0, row_step = 0, plane_step = 0;
  const std::int64_t* kx_off = nullptr;
  GemmEpilogue epilogue;
};

/// Writes `count` output pixels of `cb` channels (`ldo` floats apart) from a [cb][lanes] tile: the
/// portable transpose that kernels without a vector one use.
template <int CB>
inline void conv_direct_store_tile(const float* tile, std::int64_t lanes, float* dst, std::int64_t count,
                                   std::int64_t ldo) noexcept {
  for (std::int64_t l = 0; l < count; ++l) {
    float* o = dst + l * ldo;
#pragma GCC unroll 8
    for (int c = 0; c < CB; ++c) o[c] = tile[c * lanes + l];
  }
}

namespace conv_direct_impl {

/// Stride-phase planes of one image: plane ci, row r (input row r - pad_top), phase ph, index q holds
/// input column q * stride_w + ph - pad_left (zero outside the image).
inline void fill_planes(const ConvShape& s, const ConvDirectSource& src, const float* in_b, float* scratch) noexcept {
  const std::int64_t cin = s.in_c, sw = s.stride_w;
  for (std::int64_t r = 0; r < src.hp; ++r) {
    const std::int64_t iy = r - s.pad_top;
    if (iy < 0 || iy >= s.in_h) {
      for (std::int64_t ci = 0; ci < cin; ++ci) {
        float* d = scratch + ci * src.plane + r * src.wrow;
        for (std::int64_t q = 0; q < src.wrow; ++q) d[q] = 0.0f;
      }
      continue;
    }
    const float* row = in_b + iy * s.in_w * cin;
    for (std::int64_t ph = 0; ph < sw; ++ph) {
      // q range whose column q * sw + ph - pad_left lies inside [0, in_w).
      const std::int64_t before = s.pad_left - ph;
      std::int64_t q_lo = before > 0 ? (before + sw - 1) / sw : 0;
      const std::int64_t last = s.in_w - 1 + s.pad_left - ph;
      std::int64_t q_hi = last < 0 ? 0 : last / sw + 1;
      if (q_hi > src.wq) q_hi = src.wq;
      if (q_lo > q_hi) q_lo = q_hi;
      for (std::int64_t ci = 0; ci < cin; ++ci) {
        float* d = scratch + ci * src.plane + r * src.wrow + ph * src.wq;
        for (std::int64_t q = 0; q < q_lo; ++q) d[q] = 0.0f;
        for (std::int64_t q = q_hi; q < src.wq; ++q) d[q] = 0.0f;
      }
      const float* first = row + (q_lo * sw + ph - s.pad_left) * cin;
      if (cin == 1) {
        float* d = scratch + r * src.wrow + ph * src.wq;
        for (std::int64_t q = q_lo; q < q_hi; ++q) d[q] = first[(q - q_lo) * sw];
      } else {
        for (std::int64_t q = q_lo; q < q_hi; ++q) {
          const float* sp = first + (q - q_lo) * sw * cin;
          float* d = scratch + r * src.wrow + ph * src.wq + q;
          for (std::int64_t ci = 0; ci < cin; ++ci) d[ci * src.plane] = sp[ci];
        }
      }
    }
  }
}

/// Transposed im2col of one image: row (ky * kernel_w + kx) * cin + ci, column = output pixel.
inline void fill_columns(const ConvShape& s, const ConvDirectSource& src, const float* in_b, float* scratch) noexcept {
  const std::int64_t cin = s.in_c;
  for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
    for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
      float* rows = scratch + (ky * s.kernel_w + kx) * cin * src.mstride;
      for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
        const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
        const bool row_in = iy >= 0 && iy < s.in_h;
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
          const std::int64_t m = oy * s.out_w + ox;
          if (row_in && ix >= 0 && ix < s.in_w) {
            const float* sp = in_b + (iy * s.in_w + ix) * cin;
            for (std::int64_t ci = 0; ci < cin; ++ci) rows[ci * src.mstride + m] = sp[ci];
          } else {
            for (std::int64_t ci = 0; ci < cin; ++ci) rows[ci * src.mstride + m] = 0.0f;
          }
        }
      }
      for (std::int64_t ci = 0; ci < cin; ++ci) {
        for (std::int64_t m = src.m; m < src.mstride; ++m) rows[ci * src.mstride + m] = 0.0f;
      }
    }
  }
}

}  // namespace conv_direct_impl

/// The pixel-vector driver: rearranges the input into `scratch`, walks pixel vectors and channel chunks
/// and calls `kernel(pb, cb, tile)`, which writes the NHWC output. `pb_of_cb[cb]`: how many pixel
/// vectors the backend computes at once for a chunk of cb channels.
template <class Kernel>
void conv_direct_pixels(const Kernel& kernel, const int* pb_of_cb, std::int64_t lanes, const ConvShape& s,
                        const float* input, const float* packed, float* output, const ActivationParams& activation,
                        float* scratch) noexcept {
  const ConvDirectSource src = conv_direct_source(s, lanes);
  const std::int64_t cin = s.in_c, cout = s.out_c;
  const std::int64_t depth = conv_direct_depth(s);
  const std::int64_t chunks = (cout + conv_direct_max_cb - 1) / conv_direct_max_cb;
  const std::int64_t cb_full = (cout + chunks - 1) / chunks;
  std::int64_t kx_off[conv_direct_max_kernel_w] = {};
  ConvDirectTile t;
  t.ldw = cout;
  t.ldo = cout;
  t.kernel_h = s.kernel_h;
  t.kernel_w = s.kernel_w;
  t.cin = cin;
  t.kx_off = kx_off;
  t.epilogue = gemm_epilogue(activation);
  if (src.planes) {
    t.row_step = s.dilation_h * src.wrow;
    t.plane_step = src.plane;
    for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
      kx_off[kx] = ((kx * s.dilation_w) % s.stride_w) * src.wq + (kx * s.dilation_w) / s.stride_w;
    }
  } else {
    t.row_step = s.kernel_w * cin * src.mstride;
    t.plane_step = src.mstride;
    for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) kx_off[kx] = kx * cin * src.mstride;
  }
  const std::int64_t per_row = (s.out_w + lanes - 1) / lanes;
  const std::int64_t blocks = src.planes ? s.out_h * per_row : (src.m + lanes - 1) / lanes;
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* in_b = input + b * s.in_h * s.in_w * cin;
    float* out_b = output + b * s.out_h * s.out_w * cout;
    if (src.planes) {
      conv_direct_impl::fill_planes(s, src, in_b, scratch);
    } else {
      conv_direct_impl::fill_columns(s, src, in_b, scratch);
    }
    for (std::int64_t co0 = 0; co0 < cout; co0 += cb_full) {
      const int cb = static_cast<int>(cout - co0 < cb_full ? cout - co0 : cb_full);
      const int pb = pb_of_cb[cb];
      t.w = packed + co0;
      t.bias = packed + depth * cout + co0;
      for (std::int64_t j0 = 0; j0 < blocks; j0 += pb) {
        for (int i = 0; i < pb; ++i) {
          const std::int64_t j = j0 + i < blocks ? j0 + i : blocks - 1;
          std::int64_t first = 0, n = 0;
          if (src.planes) {
            const std::int64_t oy = j / per_row, x0 = (j % per_row) * lanes;
            n = s.out_w - x0 < lanes ? s.out_w - x0 : lanes;
            t.src[i] = scratch + oy * s.stride_h * src.wrow + x0;
            first = oy * s.out_w + x0;
          } else {
            first = j * lanes;
            n = src.m - first < lanes ? src.m - first : lanes;
            t.src[i] = scratch + first;
          }
          t.dst[i] = out_b + first * cout + co0;
          t.count[i] = j0 + i < blocks ? n : 0;
        }
        kernel(pb, cb, t);
        if (t.epilogue.scalar_pass) {
          for (int i = 0; i < pb; ++i) {
            for (std::int64_t l = 0; l < t.count[i]; ++l) {
              for (int c = 0; c < cb; ++c)
                t.dst[i][l * cout + c] = apply_activation(activation, t.dst[i][l * cout + c]);
            }
          }
        }
      }
    }
  }
}

}  // namespace tinynn::ops::detail
