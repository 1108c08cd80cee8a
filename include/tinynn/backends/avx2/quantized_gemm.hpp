// tinynn — AVX2-class int8 GEMMs over packed weights: AVX-VNNI (VEX vpdpbusd, 256-bit) and, for
// CPUs without VNNI, an exact AVX2 path (int8 -> int16 widening, vpmaddwd into int32; never
// vpmaddubsw, whose int16 saturation would break bit-exactness). Both equal the scalar kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinynn/backends/scalar/quantized_gemm.hpp"
#include "tinynn/config.hpp"

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::backend::detail {

TINYNN_TARGET_AVXVNNI inline void quantized_gemm_avxvnni(const std::uint8_t* u, std::int32_t m, std::size_t lda,
                                                         const QuantizedPackedWeights& w, std::int32_t* acc) noexcept {
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64;
  std::int32_t r = 0;
  for (; r + 2 <= m; r += 2) {
    const std::uint8_t* a0 = u + static_cast<std::size_t>(r) * lda;
    const std::uint8_t* a1 = a0 + lda;
    for (std::int32_t b = 0; b < blocks; ++b) {
      const std::int8_t* p = w.data + static_cast<std::size_t>(b) * block_bytes;
      __m256i c00 = _mm256_setzero_si256(), c01 = _mm256_setzero_si256(), c10 = _mm256_setzero_si256(),
              c11 = _mm256_setzero_si256();
      for (std::int32_t s = 0; s < steps; ++s) {
        const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * s));
        const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * s + 32));
        const __m256i x0 = _mm256_set1_epi32(load_i32(a0 + 4 * s)), x1 = _mm256_set1_epi32(load_i32(a1 + 4 * s));
        c00 = _mm256_dpbusd_avx_epi32(c00, x0, w0);
        c01 = _mm256_dpbusd_avx_epi32(c01, x0, w1);
        c10 = _mm256_dpbusd_avx_epi32(c10, x1, w0);
        c11 = _mm256_dpbusd_avx_epi32(c11, x1, w1);
      }
      std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16) + 16 * b;
      const std::size_t ldc = static_cast<std::size_t>(w.n16);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), c00);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), c01);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + ldc), c10);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + ldc + 8), c11);
    }
  }
  for (; r < m; ++r) {
    const std::uint8_t* a0 = u + static_cast<std::size_t>(r) * lda;
    for (std::int32_t b = 0; b < blocks; ++b) {
      const std::int8_t* p = w.data + static_cast<std::size_t>(b) * block_bytes;
      __m256i c0 = _mm256_setzero_si256(), c1 = _mm256_setzero_si256();
      for (std::int32_t s = 0; s < steps; ++s) {
        const __m256i x0 = _mm256_set1_epi32(load_i32(a0 + 4 * s));
        c0 = _mm256_dpbusd_avx_epi32(c0, x0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * s)));
        c1 = _mm256_dpbusd_avx_epi32(c1, x0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * s + 32)));
      }
      std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16) + 16 * b;
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), c0);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), c1);
    }
  }
}

/// Without VNNI: each 16-byte quarter of a 64-byte step (4 channels x 4 k) is widened to int16 and
/// multiplied by the row's 4 activations (as int16) with vpmaddwd: int32 lane 2j holds channel j's
/// k0,k1 products, lane 2j+1 its k2,k3 products; the pairs are added once at the end.
TINYNN_TARGET_AVX2 inline void quantized_gemm_avx2(const std::uint8_t* u, std::int32_t m, std::size_t lda,
                                                   const QuantizedPackedWeights& w, std::int32_t* acc) noexcept {
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64;
  for (std::int32_t r = 0; r < m; ++r) {
    const std::uint8_t* a = u + static_cast<std::size_t>(r) * lda;
    for (std::int32_t b = 0; b < blocks; ++b) {
      const std::int8_t* p = w.data + static_cast<std::size_t>(b) * block_bytes;
      // Channels 0-3 / 4-7 / 8-11 / 12-15, pair-split int32 sums.
      __m256i c0 = _mm256_setzero_si256(), c1 = _mm256_setzero_si256(), c2 = _mm256_setzero_si256(),
              c3 = _mm256_setzero_si256();
      for (std::int32_t s = 0; s < steps; ++s) {
        const std::uint8_t* as = a + 4 * s;
        const __m256i x = _mm256_setr_epi16(as[0], as[1], as[2], as[3], as[0], as[1], as[2], as[3], as[0], as[1], as[2],
                                            as[3], as[0], as[1], as[2], as[3]);
        const std::int8_t* ps = p + 64 * s;
        c0 = _mm256_add_epi32(
            c0, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ps))), x));
        c1 = _mm256_add_epi32(
            c1, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ps + 16))), x));
        c2 = _mm256_add_epi32(
            c2, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ps + 32))), x));
        c3 = _mm256_add_epi32(
            c3, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ps + 48))), x));
      }
      alignas(32) std::int32_t lanes[4][8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[0]), c0);
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[1]), c1);
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[2]), c2);
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[3]), c3);
      std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16) + 16 * b;
      for (int q = 0; q < 4; ++q) {
        for (int j = 0; j < 4; ++j) out[4 * q + j] = lanes[q][2 * j] + lanes[q][2 * j + 1];
      }
    }
  }
}

}  // namespace tinynn::backend::detail
#endif
