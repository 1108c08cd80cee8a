// tinynn — SVE int8 GEMM over packed weights ([N/16][K/4][16 channels][4 bytes], see
// ops/quantized/gemm.hpp) with `sdot` (svdot), vector-length agnostic, exact int32 and equal to the
// scalar kernel. svdot is signed x signed: the activation operand u = x + 128 is flipped back to
// x = u ^ 0x80 and 128 * sum_k w[n][k] is added to each output (sum u w = sum x w + 128 sum w).
// - Vectors of 16, 32 or 64 bytes (128/256/512 bits): one 64-byte k-step of a block spans 64/VL
//   vectors; each is a pass over k on 4 rows, the activations of 4 k-steps loaded once per 128-bit
//   segment (svld1rq) and used lane by lane (svdot_lane).
// - Longer vectors (multiples of 64 bytes: 1024, 2048 bits): one vector holds VL/64 whole k-steps of
//   all 16 channels; the matching activation words are spread over the vector with svtbl and the
//   VL/64 partial sums of each channel are added at the end.
// Any other length (not a power-of-two multiple of 128 bits) runs the scalar kernel.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tinynn/backends/scalar/quantized_gemm.hpp"

#if defined(__ARM_FEATURE_SVE)
#include <arm_sve.h>

namespace tinynn::backend::detail {

/// 16-byte activation quad a[0..15] (4 k-steps) replicated in every 128-bit segment, as signed x.
inline svint8_t quantized_sve_x16(svbool_t all, const std::uint8_t* a) noexcept {
  return svreinterpret_s8_u8(sveor_n_u8_x(all, svld1rq_u8(all, a), 0x80));
}

inline svint32_t quantized_sve_x4(const std::uint8_t* a) noexcept {
  return svdup_n_s32(static_cast<std::int32_t>(static_cast<std::uint32_t>(load_i32(a)) ^ 0x80808080u));
}

/// VL <= 64 bytes: vector `v` of each 64-byte k-step (channels v*VL/4 ...) on rows [r, r+R).
template <int R>
inline void quantized_sve_short(const std::uint8_t* a0, std::size_t lda, const std::int8_t* p0, std::int32_t steps,
                                std::int32_t channel0, const QuantizedPackedWeights& w, std::int32_t* out,
                                std::size_t ldc) noexcept {
  const svbool_t all8 = svptrue_b8(), all32 = svptrue_b32();
  const std::uint8_t* a1 = R > 1 ? a0 + lda : a0;
  const std::uint8_t* a2 = R > 2 ? a1 + lda : a0;
  const std::uint8_t* a3 = R > 3 ? a2 + lda : a0;
  svint32_t c0 = svdup_n_s32(0), c1 = c0, c2 = c0, c3 = c0;
  std::int32_t s = 0;
  for (; s + 4 <= steps; s += 4) {
    const std::int8_t* p = p0 + 64 * static_cast<std::size_t>(s);
    const svint8_t w0 = svld1_s8(all8, p), w1 = svld1_s8(all8, p + 64), w2 = svld1_s8(all8, p + 128),
                   w3 = svld1_s8(all8, p + 192);
    const svint8_t x0 = quantized_sve_x16(all8, a0 + 4 * s);
    c0 = svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(c0, w0, x0, 0), w1, x0, 1), w2, x0, 2), w3, x0, 3);
    if constexpr (R > 1) {
      const svint8_t x1 = quantized_sve_x16(all8, a1 + 4 * s);
      c1 = svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(c1, w0, x1, 0), w1, x1, 1), w2, x1, 2), w3, x1,
                          3);
    }
    if constexpr (R > 2) {
      const svint8_t x2 = quantized_sve_x16(all8, a2 + 4 * s);
      c2 = svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(c2, w0, x2, 0), w1, x2, 1), w2, x2, 2), w3, x2,
                          3);
    }
    if constexpr (R > 3) {
      const svint8_t x3 = quantized_sve_x16(all8, a3 + 4 * s);
      c3 = svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(c3, w0, x3, 0), w1, x3, 1), w2, x3, 2), w3, x3,
                          3);
    }
  }
  for (; s < steps; ++s) {
    const svint8_t wv = svld1_s8(all8, p0 + 64 * static_cast<std::size_t>(s));
    c0 = svdot_s32(c0, wv, svreinterpret_s8_s32(quantized_sve_x4(a0 + 4 * s)));
    if constexpr (R > 1) c1 = svdot_s32(c1, wv, svreinterpret_s8_s32(quantized_sve_x4(a1 + 4 * s)));
    if constexpr (R > 2) c2 = svdot_s32(c2, wv, svreinterpret_s8_s32(quantized_sve_x4(a2 + 4 * s)));
    if constexpr (R > 3) c3 = svdot_s32(c3, wv, svreinterpret_s8_s32(quantized_sve_x4(a3 + 4 * s)));
  }
  // 128 * column sums of these channels (inactive lanes past w.n load as 0).
  const svbool_t valid = svwhilelt_b32(channel0, w.n);
  const svint32_t offset = svlsl_n_s32_x(all32, svld1_s32(valid, w.column_sums + channel0), 7);
  svst1_s32(all32, out, svadd_s32_x(all32, c0, offset));
  if constexpr (R > 1) svst1_s32(all32, out + ldc, svadd_s32_x(all32, c1, offset));
  if constexpr (R > 2) svst1_s32(all32, out + 2 * ldc, svadd_s32_x(all32, c2, offset));
  if constexpr (R > 3) svst1_s32(all32, out + 3 * ldc, svadd_s32_x(all32, c3, offset));
}

/// VL a multiple of 64 bytes: one row, one block; each vector holds VL/64 whole k-steps.
inline void quantized_sve_long(const std::uint8_t* a, const std::int8_t* p0, std::int32_t steps, std::int32_t block,
                               const QuantizedPackedWeights& w, std::int32_t* out) noexcept {
  const auto per_vector = static_cast<std::int32_t>(svcntb() / 64);
  const svbool_t all32 = svptrue_b32();
  const svuint32_t spread = svlsr_n_u32_x(all32, svindex_u32(0, 1), 4);  // lane i takes step word i / 16
  svint32_t c = svdup_n_s32(0);
  for (std::int32_t s = 0; s < steps; s += per_vector) {
    const svbool_t wp = svwhilelt_b8(static_cast<std::int64_t>(s) * 64, static_cast<std::int64_t>(steps) * 64);
    const svbool_t ap = svwhilelt_b8(static_cast<std::int64_t>(s) * 4, static_cast<std::int64_t>(steps) * 4);
    const svint8_t wv = svld1_s8(wp, p0 + 64 * static_cast<std::size_t>(s));
    const svuint8_t words = sveor_n_u8_z(ap, svld1_u8(ap, a + 4 * static_cast<std::size_t>(s)), 0x80);
    const svint32_t x = svtbl_s32(svreinterpret_s32_u8(words), spread);
    c = svdot_s32(c, wv, svreinterpret_s8_s32(x));
  }
  std::int32_t lanes[64];  // SVE vectors are at most 2048 bits
  svst1_s32(all32, lanes, c);
  for (std::int32_t ch = 0; ch < 16; ++ch) {
    std::uint32_t sum = 0;
    for (std::int32_t q = 0; q < per_vector; ++q) sum += static_cast<std::uint32_t>(lanes[16 * q + ch]);
    const std::int32_t n = 16 * block + ch;
    if (n < w.n) sum += static_cast<std::uint32_t>(w.column_sums[n]) << 7;
    out[ch] = static_cast<std::int32_t>(sum);
  }
}

inline void quantized_gemm_sve(const std::uint8_t* u, std::int32_t m, std::size_t lda, const QuantizedPackedWeights& w,
                               std::int32_t* acc) noexcept {
  const auto vl = static_cast<std::int32_t>(svcntb());
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64, ldc = static_cast<std::size_t>(w.n16);
  if (vl <= 64 && 64 % vl == 0) {
    const std::int32_t chunks = 64 / vl, chunk_channels = vl / 4;
    for (std::int32_t b = 0; b < blocks; ++b) {
      for (std::int32_t v = 0; v < chunks; ++v) {
        const std::int8_t* p0 = w.data + static_cast<std::size_t>(b) * block_bytes + static_cast<std::size_t>(v) * vl;
        const std::int32_t channel0 = 16 * b + v * chunk_channels;
        std::int32_t r = 0;
        for (; r + 4 <= m; r += 4) {
          quantized_sve_short<4>(u + static_cast<std::size_t>(r) * lda, lda, p0, steps, channel0, w,
                                 acc + static_cast<std::size_t>(r) * ldc + channel0, ldc);
        }
        for (; r < m; ++r) {
          quantized_sve_short<1>(u + static_cast<std::size_t>(r) * lda, lda, p0, steps, channel0, w,
                                 acc + static_cast<std::size_t>(r) * ldc + channel0, ldc);
        }
      }
    }
    return;
  }
  if (vl % 64 == 0 && vl <= 256) {
    for (std::int32_t r = 0; r < m; ++r) {
      for (std::int32_t b = 0; b < blocks; ++b) {
        quantized_sve_long(u + static_cast<std::size_t>(r) * lda, w.data + static_cast<std::size_t>(b) * block_bytes,
                           steps, b, w, acc + static_cast<std::size_t>(r) * ldc + 16 * b);
      }
    }
    return;
  }
  quantized_gemm_scalar(u, m, lda, w, acc);
}

}  // namespace tinynn::backend::detail
#endif
