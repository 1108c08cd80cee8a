// tinynn — NEON int8 GEMM over packed weights ([N/16][K/4][16 channels][4 bytes], see
// ops/quantized/gemm.hpp), two kernels, both exact int32 and equal to the scalar kernel:
// - quantized_gemm_neon_dot (armv8.2-a+dotprod, compiled when __ARM_FEATURE_DOTPROD is defined):
//   `sdot` is signed x signed, so the activation operand u = x + 128 is flipped back to x = u ^ 0x80
//   and the accumulators start at 128 * sum_k w[n][k] (sum u w = sum x w + 128 sum w). 4 rows x 16
//   channels per step; one 16-byte load of a row holds 4 k-steps, used lane by lane (vdotq_laneq).
// - quantized_gemm_neon (plain ASIMD, any aarch64): u and w widened to int16 and multiplied into
//   int32 lanes per (channel, k mod 4) with vmlal, the 4 k lanes summed with pairwise adds at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinynn/backends/scalar/quantized_gemm.hpp"
#include "tinynn/config.hpp"

#if defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>

namespace tinynn::backend::detail {

/// 128 * column sum of the 16 channels of block b (0 for the padding channels past w.n), in unsigned
/// arithmetic (wraps like the int32 accumulators instead of overflowing).
inline void quantized_block_offsets(const QuantizedPackedWeights& w, std::int32_t b, std::int32_t* out) noexcept {
  for (std::int32_t c = 0; c < 16; ++c) {
    const std::int32_t n = 16 * b + c;
    out[c] = n < w.n ? static_cast<std::int32_t>(static_cast<std::uint32_t>(w.column_sums[n]) << 7) : 0;
  }
}

inline void quantized_gemm_neon(const std::uint8_t* u, std::int32_t m, std::size_t lda, const QuantizedPackedWeights& w,
                                std::int32_t* acc) noexcept {
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64;
  for (std::int32_t r = 0; r < m; ++r) {
    const std::uint8_t* a = u + static_cast<std::size_t>(r) * lda;
    std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16);
    for (std::int32_t b = 0; b < blocks; ++b) {
      const std::int8_t* p = w.data + static_cast<std::size_t>(b) * block_bytes;
      int32x4_t s[16];
      for (auto& v : s) v = vdupq_n_s32(0);
      for (std::int32_t step = 0; step < steps; ++step, p += 64) {
        std::uint32_t bytes;
        std::memcpy(&bytes, a + 4 * step, 4);
        const int16x8_t x = vreinterpretq_s16_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(bytes))));
        const int16x4_t xl = vget_low_s16(x);
        for (int q = 0; q < 4; ++q) {
          const int8x16_t wv = vld1q_s8(p + 16 * q);
          const int16x8_t lo = vmovl_s8(vget_low_s8(wv)), hi = vmovl_high_s8(wv);
          s[4 * q] = vmlal_s16(s[4 * q], vget_low_s16(lo), xl);
          s[4 * q + 1] = vmlal_high_s16(s[4 * q + 1], lo, x);
          s[4 * q + 2] = vmlal_s16(s[4 * q + 2], vget_low_s16(hi), xl);
          s[4 * q + 3] = vmlal_high_s16(s[4 * q + 3], hi, x);
        }
      }
      for (int q = 0; q < 4; ++q) {
        vst1q_s32(out + 16 * b + 4 * q,
                  vpaddq_s32(vpaddq_s32(s[4 * q], s[4 * q + 1]), vpaddq_s32(s[4 * q + 2], s[4 * q + 3])));
      }
    }
  }
}

#if defined(__ARM_FEATURE_DOTPROD)

/// Row bytes a[4s .. 4s+15] as signed activations (u ^ 0x80).
inline int8x16_t quantized_row_x16(const std::uint8_t* a) noexcept {
  return vreinterpretq_s8_u8(veorq_u8(vld1q_u8(a), vdupq_n_u8(0x80)));
}
/// Row bytes a[0 .. 3] as signed activations in lane 0.
inline int8x16_t quantized_row_x4(const std::uint8_t* a) noexcept {
  std::uint32_t bytes;
  std::memcpy(&bytes, a, 4);
  return vreinterpretq_s8_u32(vdupq_n_u32(bytes ^ 0x80808080u));
}

template <int L>
TINYNN_ALWAYS_INLINE void quantized_dot4x16(const std::int8_t* p, int8x16_t x0, int8x16_t x1, int8x16_t x2,
                                            int8x16_t x3, int32x4_t (&c)[4][4]) noexcept {
  const int8x16_t w0 = vld1q_s8(p), w1 = vld1q_s8(p + 16), w2 = vld1q_s8(p + 32), w3 = vld1q_s8(p + 48);
  c[0][0] = vdotq_laneq_s32(c[0][0], w0, x0, L);
  c[0][1] = vdotq_laneq_s32(c[0][1], w1, x0, L);
  c[0][2] = vdotq_laneq_s32(c[0][2], w2, x0, L);
  c[0][3] = vdotq_laneq_s32(c[0][3], w3, x0, L);
  c[1][0] = vdotq_laneq_s32(c[1][0], w0, x1, L);
  c[1][1] = vdotq_laneq_s32(c[1][1], w1, x1, L);
  c[1][2] = vdotq_laneq_s32(c[1][2], w2, x1, L);
  c[1][3] = vdotq_laneq_s32(c[1][3], w3, x1, L);
  c[2][0] = vdotq_laneq_s32(c[2][0], w0, x2, L);
  c[2][1] = vdotq_laneq_s32(c[2][1], w1, x2, L);
  c[2][2] = vdotq_laneq_s32(c[2][2], w2, x2, L);
  c[2][3] = vdotq_laneq_s32(c[2][3], w3, x2, L);
  c[3][0] = vdotq_laneq_s32(c[3][0], w0, x3, L);
  c[3][1] = vdotq_laneq_s32(c[3][1], w1, x3, L);
  c[3][2] = vdotq_laneq_s32(c[3][2], w2, x3, L);
  c[3][3] = vdotq_laneq_s32(c[3][3], w3, x3, L);
}

inline void quantized_gemm_neon_dot(const std::uint8_t* u, std::int32_t m, std::size_t lda,
                                    const QuantizedPackedWeights& w, std::int32_t* acc) noexcept {
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64, ldc = static_cast<std::size_t>(w.n16);
  for (std::int32_t b = 0; b < blocks; ++b) {
    alignas(16) std::int32_t offsets[16];
    quantized_block_offsets(w, b, offsets);
    int32x4_t start[4];
    for (int q = 0; q < 4; ++q) start[q] = vld1q_s32(offsets + 4 * q);
    const std::int8_t* p0 = w.data + static_cast<std::size_t>(b) * block_bytes;
    std::int32_t r = 0;
    for (; r + 4 <= m; r += 4) {
      const std::uint8_t* a0 = u + static_cast<std::size_t>(r) * lda;
      const std::uint8_t* a1 = a0 + lda;
      const std::uint8_t* a2 = a1 + lda;
      const std::uint8_t* a3 = a2 + lda;
      int32x4_t c[4][4];
      for (auto& row : c)
        for (int q = 0; q < 4; ++q) row[q] = start[q];
      std::int32_t s = 0;
      for (; s + 4 <= steps; s += 4) {
        const int8x16_t x0 = quantized_row_x16(a0 + 4 * s), x1 = quantized_row_x16(a1 + 4 * s),
                        x2 = quantized_row_x16(a2 + 4 * s), x3 = quantized_row_x16(a3 + 4 * s);
        const std::int8_t* p = p0 + 64 * static_cast<std::size_t>(s);
        quantized_dot4x16<0>(p, x0, x1, x2, x3, c);
        quantized_dot4x16<1>(p + 64, x0, x1, x2, x3, c);
        quantized_dot4x16<2>(p + 128, x0, x1, x2, x3, c);
        quantized_dot4x16<3>(p + 192, x0, x1, x2, x3, c);
      }
      for (; s < steps; ++s) {
        quantized_dot4x16<0>(p0 + 64 * static_cast<std::size_t>(s), quantized_row_x4(a0 + 4 * s),
                             quantized_row_x4(a1 + 4 * s), quantized_row_x4(a2 + 4 * s), quantized_row_x4(a3 + 4 * s),
                             c);
      }
      std::int32_t* out = acc + static_cast<std::size_t>(r) * ldc + 16 * b;
      for (int i = 0; i < 4; ++i)
        for (int q = 0; q < 4; ++q) vst1q_s32(out + static_cast<std::size_t>(i) * ldc + 4 * q, c[i][q]);
    }
    for (; r < m; ++r) {
      const std::uint8_t* a = u + static_cast<std::size_t>(r) * lda;
      int32x4_t c0 = start[0], c1 = start[1], c2 = start[2], c3 = start[3];
      for (std::int32_t s = 0; s < steps; ++s) {
        const std::int8_t* p = p0 + 64 * static_cast<std::size_t>(s);
        const int8x16_t x = quantized_row_x4(a + 4 * s);
        c0 = vdotq_laneq_s32(c0, vld1q_s8(p), x, 0);
        c1 = vdotq_laneq_s32(c1, vld1q_s8(p + 16), x, 0);
        c2 = vdotq_laneq_s32(c2, vld1q_s8(p + 32), x, 0);
        c3 = vdotq_laneq_s32(c3, vld1q_s8(p + 48), x, 0);
      }
      std::int32_t* out = acc + static_cast<std::size_t>(r) * ldc + 16 * b;
      vst1q_s32(out, c0);
      vst1q_s32(out + 4, c1);
      vst1q_s32(out + 8, c2);
      vst1q_s32(out + 12, c3);
    }
  }
}

#endif  // __ARM_FEATURE_DOTPROD

}  // namespace tinynn::backend::detail
#endif
