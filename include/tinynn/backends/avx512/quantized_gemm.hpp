// tinynn — AVX512-VNNI int8 GEMM over packed weights: vpdpbusd (u8 x s8, 4 products per int32
// lane) on 4 rows x 32 output channels per step. Exact int32, equal to the scalar kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

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

}  // namespace tinynn::backend::detail
#endif
