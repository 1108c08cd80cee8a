// tinynn — AVX512-VNNI int8 GEMM over packed weights: vpdpbusd (u8 x s8, 4 products per int32
// lane) on 4 rows x 32 output channels per step. Exact int32, equal to the scalar kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinynn/backends/avx2/quantized_gemm.hpp"
#include "tinynn/backends/scalar/quantized_gemm.hpp"
#include "tinynn/config.hpp"

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::backend::detail {

TINYNN_TARGET_AVX512VNNI inline void quantized_gemm_avx512vnni(const std::uint8_t* u, std::int32_t m, std::size_t lda,
                                                               const QuantizedPackedWeights& w,
                                                               std::int32_t* acc) noexcept {
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64;
  std::int32_t r = 0;
  for (; r + 4 <= m; r += 4) {
    const std::uint8_t* a0 = u + static_cast<std::size_t>(r) * lda;
    const std::uint8_t* a1 = a0 + lda;
    const std::uint8_t* a2 = a1 + lda;
    const std::uint8_t* a3 = a2 + lda;
    std::int32_t b = 0;
    for (; b + 2 <= blocks; b += 2) {
      const std::int8_t* p0 = w.data + static_cast<std::size_t>(b) * block_bytes;
      const std::int8_t* p1 = p0 + block_bytes;
      __m512i c00 = _mm512_setzero_si512(), c01 = _mm512_setzero_si512(), c10 = _mm512_setzero_si512(),
              c11 = _mm512_setzero_si512(), c20 = _mm512_setzero_si512(), c21 = _mm512_setzero_si512(),
              c30 = _mm512_setzero_si512(), c31 = _mm512_setzero_si512();
      for (std::int32_t s = 0; s < steps; ++s) {
        const __m512i w0 = _mm512_loadu_si512(p0 + 64 * s);
        const __m512i w1 = _mm512_loadu_si512(p1 + 64 * s);
        const __m512i x0 = _mm512_set1_epi32(load_i32(a0 + 4 * s)), x1 = _mm512_set1_epi32(load_i32(a1 + 4 * s)),
                      x2 = _mm512_set1_epi32(load_i32(a2 + 4 * s)), x3 = _mm512_set1_epi32(load_i32(a3 + 4 * s));
        c00 = _mm512_dpbusd_epi32(c00, x0, w0);
        c01 = _mm512_dpbusd_epi32(c01, x0, w1);
        c10 = _mm512_dpbusd_epi32(c10, x1, w0);
        c11 = _mm512_dpbusd_epi32(c11, x1, w1);
        c20 = _mm512_dpbusd_epi32(c20, x2, w0);
        c21 = _mm512_dpbusd_epi32(c21, x2, w1);
        c30 = _mm512_dpbusd_epi32(c30, x3, w0);
        c31 = _mm512_dpbusd_epi32(c31, x3, w1);
      }
      std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16) + 16 * b;
      const std::size_t ldc = static_cast<std::size_t>(w.n16);
      _mm512_storeu_si512(out, c00);
      _mm512_storeu_si512(out + 16, c01);
      _mm512_storeu_si512(out + ldc, c10);
      _mm512_storeu_si512(out + ldc + 16, c11);
      _mm512_storeu_si512(out + 2 * ldc, c20);
      _mm512_storeu_si512(out + 2 * ldc + 16, c21);
      _mm512_storeu_si512(out + 3 * ldc, c30);
      _mm512_storeu_si512(out + 3 * ldc + 16, c31);
    }
    for (; b < blocks; ++b) {
      const std::int8_t* p0 = w.data + static_cast<std::size_t>(b) * block_bytes;
      __m512i c0 = _mm512_setzero_si512(), c1 = _mm512_setzero_si512(), c2 = _mm512_setzero_si512(),
              c3 = _mm512_setzero_si512();
      for (std::int32_t s = 0; s < steps; ++s) {
        const __m512i w0 = _mm512_loadu_si512(p0 + 64 * s);
        c0 = _mm512_dpbusd_epi32(c0, _mm512_set1_epi32(load_i32(a0 + 4 * s)), w0);
        c1 = _mm512_dpbusd_epi32(c1, _mm512_set1_epi32(load_i32(a1 + 4 * s)), w0);
        c2 = _mm512_dpbusd_epi32(c2, _mm512_set1_epi32(load_i32(a2 + 4 * s)), w0);
        c3 = _mm512_dpbusd_epi32(c3, _mm512_set1_epi32(load_i32(a3 + 4 * s)), w0);
      }
      std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16) + 16 * b;
      const std::size_t ldc = static_cast<std::size_t>(w.n16);
      _mm512_storeu_si512(out, c0);
      _mm512_storeu_si512(out + ldc, c1);
      _mm512_storeu_si512(out + 2 * ldc, c2);
      _mm512_storeu_si512(out + 3 * ldc, c3);
    }
  }
  for (; r < m; ++r) {
    const std::uint8_t* a0 = u + static_cast<std::size_t>(r) * lda;
    for (std::int32_t b = 0; b < blocks; ++b) {
      const std::int8_t* p0 = w.data + static_cast<std::size_t>(b) * block_bytes;
      __m512i c0 = _mm512_setzero_si512();
      for (std::int32_t s = 0; s < steps; ++s) {
        c0 = _mm512_dpbusd_epi32(c0, _mm512_set1_epi32(load_i32(a0 + 4 * s)), _mm512_loadu_si512(p0 + 64 * s));
      }
      _mm512_storeu_si512(acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16) + 16 * b, c0);
    }
  }
}

/// (Zero-masked forms with a full mask throughout: the plain ones trip GCC 12 -Wmaybe-uninitialized.)
/// AVX512-VNNI (vpdpbusd on 512-bit vectors, 32 registers): 12 rows x 2 blocks per tile (24
/// accumulators, 2 weight vectors, 1 broadcast), fewer rows with more blocks at the row tail.
struct Avx512VnniIsa {
  using V = __m512i;
  static constexpr int lanes = 16;
  static constexpr int accumulators = 24;
  static constexpr int rows = 12;

  TINYNN_TARGET_AVX512VNNI static void zero(V& v) noexcept { v = _mm512_setzero_si512(); }
  TINYNN_TARGET_AVX512VNNI static void load(V& v, const std::int8_t* p) noexcept { v = _mm512_loadu_si512(p); }
  TINYNN_TARGET_AVX512VNNI static void broadcast(V& v, const std::uint8_t* p) noexcept {
    v = _mm512_set1_epi32(load_i32(p));
  }
  TINYNN_TARGET_AVX512VNNI static void dot(V& acc, const V& x, const V& w) noexcept {
    acc = _mm512_dpbusd_epi32(acc, x, w);
  }
  /// (p + nudge) / 2^31 rounded as gemmlowp's high multiply, in the low half of each 64-bit lane.
  TINYNN_TARGET_AVX512VNNI static __m512i high_mul_half(__m512i p) noexcept {
    __m512i v =
        _mm512_add_epi64(p, _mm512_mask_blend_epi64(_mm512_movepi64_mask(p), _mm512_set1_epi64(std::int64_t{1} << 30),
                                                    _mm512_set1_epi64(1 - (std::int64_t{1} << 30))));
    v = _mm512_mask_add_epi64(v, _mm512_movepi64_mask(v), v, _mm512_set1_epi64(0x7fffffff));
    return _mm512_maskz_srli_epi64(0xFF, v, 31);
  }
  /// (p + 2^(s-1)) >> s (arithmetic, 1 <= s <= 62), saturated to int32, in the low half of each lane.
  TINYNN_TARGET_AVX512VNNI static __m512i shift_round_saturate(__m512i p, __m512i s) noexcept {
    const __m512i one = _mm512_set1_epi64(1);
    const __m512i r = _mm512_maskz_srav_epi64(
        0xFF, _mm512_add_epi64(p, _mm512_maskz_sllv_epi64(0xFF, one, _mm512_sub_epi64(s, one))), s);
    return _mm512_maskz_min_epi64(0xFF, _mm512_maskz_max_epi64(0xFF, r, _mm512_set1_epi64(-0x7fffffff - 1)),
                                  _mm512_set1_epi64(0x7fffffff));
  }
  TINYNN_TARGET_AVX512VNNI static void requantize_store(const V& acc, const QuantizedGemmEpilogue& e,
                                                        std::int32_t column, std::int32_t count,
                                                        std::int8_t* out) noexcept {
    const __m512i offset = _mm512_loadu_si512(e.offsets + column);
    __m512i x = _mm512_add_epi32(acc, offset);
    // Saturating add: overflow iff both operands' signs differ from the sum's.
    const __mmask16 overflow =
        _mm512_movepi32_mask(_mm512_and_si512(_mm512_xor_si512(acc, x), _mm512_xor_si512(offset, x)));
    x = _mm512_mask_mov_epi32(
        x, overflow, _mm512_xor_si512(_mm512_maskz_srai_epi32(0xFFFF, offset, 31), _mm512_set1_epi32(0x7fffffff)));
    const __m512i m = _mm512_loadu_si512(e.multipliers + column), a = _mm512_loadu_si512(e.shift_a + column);
    __m512i q;
    if (!e.single_rounding) {
      x = _mm512_maskz_sllv_epi32(0xFFFF, x, a);
      const __m512i even = high_mul_half(_mm512_maskz_mul_epi32(0xFF, x, m));
      const __m512i odd = high_mul_half(
          _mm512_maskz_mul_epi32(0xFF, _mm512_maskz_srli_epi64(0xFF, x, 32), _mm512_maskz_srli_epi64(0xFF, m, 32)));
      q = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_maskz_slli_epi64(0xFF, odd, 32));
      const __m512i b = _mm512_loadu_si512(e.shift_b + column);
      const __m512i mask =
          _mm512_sub_epi32(_mm512_maskz_sllv_epi32(0xFFFF, _mm512_set1_epi32(1), b), _mm512_set1_epi32(1));
      const __m512i remainder = _mm512_and_si512(q, mask);
      const __m512i threshold =
          _mm512_sub_epi32(_mm512_maskz_srai_epi32(0xFFFF, mask, 1), _mm512_maskz_srai_epi32(0xFFFF, q, 31));
      const __m512i shifted = _mm512_maskz_srav_epi32(0xFFFF, q, b);
      q = _mm512_mask_add_epi32(shifted, _mm512_cmpgt_epi32_mask(remainder, threshold), shifted, _mm512_set1_epi32(1));
    } else {
      const __m512i even =
          shift_round_saturate(_mm512_maskz_mul_epi32(0xFF, x, m), _mm512_and_si512(a, _mm512_set1_epi64(0xffffffff)));
      const __m512i odd = shift_round_saturate(
          _mm512_maskz_mul_epi32(0xFF, _mm512_maskz_srli_epi64(0xFF, x, 32), _mm512_maskz_srli_epi64(0xFF, m, 32)),
          _mm512_maskz_srli_epi64(0xFF, a, 32));
      q = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_maskz_slli_epi64(0xFF, odd, 32));
    }
    q = _mm512_maskz_min_epi32(0xFFFF, _mm512_maskz_max_epi32(0xFFFF, q, _mm512_set1_epi32(e.lo)),
                               _mm512_set1_epi32(e.hi));
    q = _mm512_add_epi32(q, _mm512_set1_epi32(e.zero_point));
    _mm512_mask_cvtepi32_storeu_epi8(out, static_cast<__mmask16>((1u << count) - 1u), q);
  }
};

TINYNN_TARGET_AVX512VNNI __attribute__((flatten)) inline void quantized_gemm_requantize_avx512vnni(
    const std::uint8_t* u, std::int32_t m, std::size_t lda, const QuantizedPackedWeights& w,
    const QuantizedGemmEpilogue& e, std::int8_t* out, std::size_t ldo) noexcept {
  quantized_gemm_requantize<Avx512VnniIsa>(u, m, lda, w, e, out, ldo);
}

}  // namespace tinynn::backend::detail
#endif
