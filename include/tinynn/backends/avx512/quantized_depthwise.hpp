// tinynn — AVX-512 accumulation of int8 depthwise convolution taps: for one output pixel and a block
// of channels, acc[c] += sum_t (x_t[c] - input_zero_point) * w_t[c], 16 channels per vector (int8
// widened to int32, exact; the tail masked). Equal to the scalar loop: integer arithmetic only.
#pragma once

#include <cstdint>

#include "tinynn/config.hpp"

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::backend::detail {

TINYNN_TARGET_AVX512 inline void quantized_depthwise_taps_avx512(const std::int8_t* const* inputs,
                                                                 const std::int8_t* const* filters, int taps,
                                                                 std::int32_t channels, std::int32_t input_zero_point,
                                                                 std::int32_t* acc) noexcept {
  const __m512i zp = _mm512_set1_epi32(input_zero_point);
  std::int32_t c = 0;
  for (; c + 16 <= channels; c += 16) {
    __m512i a = _mm512_loadu_si512(acc + c);
    for (int t = 0; t < taps; ++t) {
      const __m512i x = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(inputs[t] + c)));
      const __m512i w = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(filters[t] + c)));
      a = _mm512_add_epi32(a, _mm512_mullo_epi32(_mm512_sub_epi32(x, zp), w));
    }
    _mm512_storeu_si512(acc + c, a);
  }
  if (c < channels) {
    const auto mask = static_cast<__mmask16>((1u << (channels - c)) - 1u);
    __m512i a = _mm512_maskz_loadu_epi32(mask, acc + c);
    for (int t = 0; t < taps; ++t) {
      const __m512i x = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(mask, inputs[t] + c));
      const __m512i w = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(mask, filters[t] + c));
      a = _mm512_add_epi32(a, _mm512_mullo_epi32(_mm512_sub_epi32(x, zp), w));
    }
    _mm512_mask_storeu_epi32(acc + c, mask, a);
  }
}

}  // namespace tinynn::backend::detail
#endif
