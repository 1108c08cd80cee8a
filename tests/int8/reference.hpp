// Independent references for the int8 tests: TFLite's integer arithmetic written from its
// definition with 128-bit integers (not with the library's fixed-point helpers), and random data.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace int8_reference {

__extension__ typedef __int128 i128;

/// floor(a / 2^k) for k >= 0.
inline i128 floor_div_pow2(i128 a, int k) {
  const i128 d = static_cast<i128>(1) << k;
  i128 q = a / d;
  if ((a % d) != 0 && a < 0) --q;
  return q;
}
/// round(a / 2^k), ties away from zero.
inline i128 round_away_div_pow2(i128 a, int k) {
  if (k == 0) return a;
  const i128 d = static_cast<i128>(1) << k;
  const i128 m = a < 0 ? -a : a;
  const i128 q = (m + d / 2) / d;
  return a < 0 ? -q : q;
}

/// TFLite reference requantization (double rounding): x * 2^max(shift,0) * m / 2^31 rounded half
/// up, then divided by 2^max(-shift,0) rounded half away from zero.
inline std::int32_t requantize_double(std::int64_t x, std::int32_t m, int shift) {
  const int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  const i128 product = static_cast<i128>(x) * (static_cast<i128>(1) << left) * m;
  const i128 first = floor_div_pow2(product + (static_cast<i128>(1) << 30), 31);
  return static_cast<std::int32_t>(round_away_div_pow2(first, right));
}
/// TFLITE_SINGLE_ROUNDING: x * m / 2^(31 - shift) rounded half up.
inline std::int32_t requantize_single(std::int64_t x, std::int32_t m, int shift) {
  const int total = 31 - shift;
  const i128 product = static_cast<i128>(x) * m;
  return static_cast<std::int32_t>(floor_div_pow2(product + (static_cast<i128>(1) << (total - 1)), total));
}

/// TFLite's QuantizeMultiplier written with the C library (frexp, round).
inline void quantize_multiplier(double real, std::int32_t& multiplier, int& shift) {
  if (real == 0.0) {
    multiplier = 0;
    shift = 0;
    return;
  }
  const double q = std::frexp(real, &shift);
  auto fixed = static_cast<std::int64_t>(std::round(q * static_cast<double>(1LL << 31)));
  if (fixed == (1LL << 31)) {
    fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    fixed = 0;
  }
  multiplier = static_cast<std::int32_t>(fixed);
}

inline std::int32_t clamp(std::int64_t v, std::int64_t lo, std::int64_t hi) {
  return static_cast<std::int32_t>(v < lo ? lo : (v > hi ? hi : v));
}

template <class T>
std::vector<T> random_vector(std::mt19937& rng, std::size_t n, int lo = -1000, int hi = 1000) {
  using Limits = std::numeric_limits<T>;
  const int a = lo < static_cast<int>(Limits::min()) ? static_cast<int>(Limits::min()) : lo;
  const int b = hi > static_cast<int>(Limits::max()) ? static_cast<int>(Limits::max()) : hi;
  std::uniform_int_distribution<int> dist(a, b);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(dist(rng));
  return v;
}

inline int random_int(std::mt19937& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
inline double random_real(std::mt19937& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

}  // namespace int8_reference
