// tinynn — AVX2-class int8 GEMMs over packed weights: AVX-VNNI (VEX vpdpbusd, 256-bit) and, for
// CPUs without VNNI, an exact AVX2 path (int8 -> int16 widening, vpmaddwd into int32; never
// vpmaddubsw, whose int16 saturation would break bit-exactness). Both equal the scalar kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

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

// ---- The fused requantizing GEMM of the VNNI ISAs: one template over the ISA ----
// The ISA supplies a vector type and target-attributed primitives taking vectors by reference (a
// by-value vector argument across the non-attributed template would change the ABI); the
// template is flattened into a thin target-attributed wrapper per ISA, so it compiles to straight
// vector code there. A tile of R rows x NB blocks of 16 channels keeps R * NB * 16 / lanes int32
// accumulators in registers over the whole depth, then requantizes them to int8 in place.

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

template <class Isa, int R, int NB>
inline void quantized_gemm_requantize_tile(const std::uint8_t* a, std::size_t lda, const std::int8_t* panel,
                                           std::size_t block_bytes, std::int32_t steps, const QuantizedGemmEpilogue& e,
                                           std::int32_t first_column, std::int8_t* out, std::size_t ldo) noexcept {
  using V = typename Isa::V;
  constexpr int per_block = 16 / Isa::lanes;  // vectors per block of 16 channels
  constexpr int J = NB * per_block;
  V acc[R][J];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 16
    for (int j = 0; j < J; ++j) Isa::zero(acc[r][j]);
  }
  for (std::int32_t s = 0; s < steps; ++s) {
    V w[J];
#pragma GCC unroll 16
    for (int j = 0; j < J; ++j) {
      Isa::load(w[j], panel + static_cast<std::size_t>(j / per_block) * block_bytes + 64 * static_cast<std::size_t>(s) +
                          static_cast<std::size_t>(j % per_block) * (4 * Isa::lanes));
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      V x;
      Isa::broadcast(x, a + static_cast<std::size_t>(r) * lda + 4 * static_cast<std::size_t>(s));
#pragma GCC unroll 16
      for (int j = 0; j < J; ++j) Isa::dot(acc[r][j], x, w[j]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 16
    for (int j = 0; j < J; ++j) {
      const std::int32_t column = first_column + j * Isa::lanes;
      if (column >= e.n) break;
      const std::int32_t count = e.n - column < Isa::lanes ? e.n - column : Isa::lanes;
      Isa::requantize_store(acc[r][j], e, column, count, out + static_cast<std::size_t>(r) * ldo + column);
    }
  }
}

/// R rows across all column blocks, NB blocks (the register budget's share) at a time.
template <class Isa, int R>
inline void quantized_gemm_requantize_rows(const std::uint8_t* a, std::size_t lda, const QuantizedPackedWeights& w,
                                           const QuantizedGemmEpilogue& e, std::int8_t* out, std::size_t ldo) noexcept {
  constexpr int per_block = 16 / Isa::lanes;
  constexpr int max_blocks = Isa::accumulators / (R * per_block) < 8 ? Isa::accumulators / (R * per_block) : 8;
  static_assert(max_blocks >= 1, "row tile too tall for the register budget");
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64;
  for (std::int32_t b = 0; b < blocks; b += max_blocks) {
    const std::int8_t* panel = w.data + static_cast<std::size_t>(b) * block_bytes;
    const std::int32_t count = blocks - b < max_blocks ? blocks - b : max_blocks;
    [&]<int... NB>(std::integer_sequence<int, NB...>) {
      ((count == NB + 1
            ? quantized_gemm_requantize_tile<Isa, R, NB + 1>(a, lda, panel, block_bytes, steps, e, 16 * b, out, ldo)
            : void()),
       ...);
    }
    (std::make_integer_sequence<int, max_blocks>{});
  }
}

/// out[m][e.n] (rows ldo bytes apart) = the requantized u [m][w.k4] x packed weights.
template <class Isa>
inline void quantized_gemm_requantize(const std::uint8_t* u, std::int32_t m, std::size_t lda,
                                      const QuantizedPackedWeights& w, const QuantizedGemmEpilogue& e, std::int8_t* out,
                                      std::size_t ldo) noexcept {
  constexpr int tall = Isa::rows;
  std::int32_t r = 0;
  for (; r + tall <= m; r += tall)
    quantized_gemm_requantize_rows<Isa, tall>(u + static_cast<std::size_t>(r) * lda, lda, w, e,
                                              out + static_cast<std::size_t>(r) * ldo, ldo);
  for (; r + 4 <= m; r += 4)
    quantized_gemm_requantize_rows<Isa, 4>(u + static_cast<std::size_t>(r) * lda, lda, w, e,
                                           out + static_cast<std::size_t>(r) * ldo, ldo);
  for (; r + 2 <= m; r += 2)
    quantized_gemm_requantize_rows<Isa, 2>(u + static_cast<std::size_t>(r) * lda, lda, w, e,
                                           out + static_cast<std::size_t>(r) * ldo, ldo);
  for (; r < m; ++r)
    quantized_gemm_requantize_rows<Isa, 1>(u + static_cast<std::size_t>(r) * lda, lda, w, e,
                                           out + static_cast<std::size_t>(r) * ldo, ldo);
}

#pragma GCC diagnostic pop

/// AVX-VNNI (VEX vpdpbusd on 256-bit vectors, 16 registers): 4 rows x 1 block per tile.
struct AvxVnniIsa {
  using V = __m256i;
  static constexpr int lanes = 8;
  static constexpr int accumulators = 12;
  static constexpr int rows = 4;

  TINYNN_TARGET_AVXVNNI static void zero(V& v) noexcept { v = _mm256_setzero_si256(); }
  TINYNN_TARGET_AVXVNNI static void load(V& v, const std::int8_t* p) noexcept {
    v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  TINYNN_TARGET_AVXVNNI static void broadcast(V& v, const std::uint8_t* p) noexcept {
    v = _mm256_set1_epi32(load_i32(p));
  }
  TINYNN_TARGET_AVXVNNI static void dot(V& acc, const V& x, const V& w) noexcept {
    acc = _mm256_dpbusd_avx_epi32(acc, x, w);
  }
  TINYNN_TARGET_AVXVNNI static __m256i load_table(const std::int32_t* p) noexcept {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  /// (p + nudge) / 2^31 rounded as gemmlowp's high multiply, in the low half of each 64-bit lane.
  TINYNN_TARGET_AVXVNNI static __m256i high_mul_half(__m256i p) noexcept {
    const __m256i zero = _mm256_setzero_si256();
    const __m256i nudge =
        _mm256_blendv_epi8(_mm256_set1_epi64x(std::int64_t{1} << 30), _mm256_set1_epi64x(1 - (std::int64_t{1} << 30)),
                           _mm256_cmpgt_epi64(zero, p));
    __m256i v = _mm256_add_epi64(p, nudge);
    v = _mm256_add_epi64(v, _mm256_and_si256(_mm256_cmpgt_epi64(zero, v), _mm256_set1_epi64x(0x7fffffff)));
    return _mm256_srli_epi64(v, 31);
  }
  /// (p + 2^(s-1)) >> s (arithmetic, 1 <= s <= 62), saturated to int32, in the low half of each lane.
  TINYNN_TARGET_AVXVNNI static __m256i shift_round_saturate(__m256i p, __m256i s) noexcept {
    const __m256i one = _mm256_set1_epi64x(1);
    const __m256i v = _mm256_add_epi64(p, _mm256_sllv_epi64(one, _mm256_sub_epi64(s, one)));
    const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
    __m256i r = _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(v, sign), s), sign);
    const __m256i max = _mm256_set1_epi64x(0x7fffffff), min = _mm256_set1_epi64x(-0x7fffffff - 1);
    r = _mm256_blendv_epi8(r, max, _mm256_cmpgt_epi64(r, max));
    return _mm256_blendv_epi8(r, min, _mm256_cmpgt_epi64(min, r));
  }
  TINYNN_TARGET_AVXVNNI static void requantize_store(const V& acc, const QuantizedGemmEpilogue& e, std::int32_t column,
                                                     std::int32_t count, std::int8_t* out) noexcept {
    const __m256i offset = load_table(e.offsets + column);
    __m256i x = _mm256_add_epi32(acc, offset);
    // Saturating add: overflow iff both operands' signs differ from the sum's.
    const __m256i overflow =
        _mm256_srai_epi32(_mm256_and_si256(_mm256_xor_si256(acc, x), _mm256_xor_si256(offset, x)), 31);
    const __m256i saturated = _mm256_xor_si256(_mm256_srai_epi32(offset, 31), _mm256_set1_epi32(0x7fffffff));
    x = _mm256_blendv_epi8(x, saturated, overflow);
    const __m256i m = load_table(e.multipliers + column), a = load_table(e.shift_a + column);
    __m256i q;
    if (!e.single_rounding) {
      x = _mm256_sllv_epi32(x, a);
      const __m256i even = high_mul_half(_mm256_mul_epi32(x, m));
      const __m256i odd = high_mul_half(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32)));
      q = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
      const __m256i b = load_table(e.shift_b + column);
      const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), b), _mm256_set1_epi32(1));
      const __m256i remainder = _mm256_and_si256(q, mask);
      const __m256i threshold = _mm256_sub_epi32(_mm256_srai_epi32(mask, 1), _mm256_srai_epi32(q, 31));
      q = _mm256_sub_epi32(_mm256_srav_epi32(q, b), _mm256_cmpgt_epi32(remainder, threshold));
    } else {
      const __m256i low = _mm256_set1_epi64x(0xffffffff);
      const __m256i even = shift_round_saturate(_mm256_mul_epi32(x, m), _mm256_and_si256(a, low));
      const __m256i odd = shift_round_saturate(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32)),
                                               _mm256_srli_epi64(a, 32));
      q = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    }
    q = _mm256_min_epi32(_mm256_max_epi32(q, _mm256_set1_epi32(e.lo)), _mm256_set1_epi32(e.hi));
    q = _mm256_add_epi32(q, _mm256_set1_epi32(e.zero_point));
    // The low byte of every int32 (truncation, as the scalar cast), 4 per 128-bit half.
    const __m256i bytes =
        _mm256_shuffle_epi8(q, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8,
                                                12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
    const std::int32_t halves[2] = {_mm_cvtsi128_si32(_mm256_castsi256_si128(bytes)),
                                    _mm_cvtsi128_si32(_mm256_extracti128_si256(bytes, 1))};
    std::memcpy(out, halves, static_cast<std::size_t>(count));
  }
};

TINYNN_TARGET_AVXVNNI __attribute__((flatten)) inline void quantized_gemm_requantize_avxvnni(
    const std::uint8_t* u, std::int32_t m, std::size_t lda, const QuantizedPackedWeights& w,
    const QuantizedGemmEpilogue& e, std::int8_t* out, std::size_t ldo) noexcept {
  quantized_gemm_requantize<AvxVnniIsa>(u, m, lda, w, e, out, ldo);
}

}  // namespace tinynn::backend::detail
#endif
