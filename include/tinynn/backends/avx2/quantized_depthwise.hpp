// tinynn — AVX2 accumulation of int8 depthwise convolution taps: for one output pixel and a block of
// channels, acc[c] += sum_t (x_t[c] - input_zero_point) * w_t[c], 8 channels per vector (int8
// widened to int32, exact), the tail in scalar code. Equal to the scalar loop.
#pragma once

#include <cstdint>
#include <cstring>

#include "tinynn/config.hpp"

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::backend::detail {

TINYNN_TARGET_AVX2 inline void quantized_depthwise_taps_avx2(const std::int8_t* const* inputs,
                                                             const std::int8_t* const* filters, int taps,
                                                             std::int32_t channels, std::int32_t input_zero_point,
                                                             std::int32_t* acc) noexcept {
  const __m256i zp = _mm256_set1_epi32(input_zero_point);
  std::int32_t c = 0;
  for (; c + 8 <= channels; c += 8) {
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + c));
    for (int t = 0; t < taps; ++t) {
      std::int64_t xb, wb;
      std::memcpy(&xb, inputs[t] + c, 8);
      std::memcpy(&wb, filters[t] + c, 8);
      const __m256i x = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(xb));
      const __m256i w = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(wb));
      a = _mm256_add_epi32(a, _mm256_mullo_epi32(_mm256_sub_epi32(x, zp), w));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + c), a);
  }
  for (; c < channels; ++c) {
    std::int32_t a = acc[c];
    for (int t = 0; t < taps; ++t) a += (std::int32_t{inputs[t][c]} - input_zero_point) * filters[t][c];
    acc[c] = a;
  }
}

}  // namespace tinynn::backend::detail
#endif
