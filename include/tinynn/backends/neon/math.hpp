// tinynn — NEON (AArch64 Advanced SIMD) vector math through xsimd 8.1 (batch<float, neon64>).
// Compiled only where the translation unit targets AArch64 with NEON.
#pragma once

#include "tinynn/config.hpp"

#if defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <xsimd/xsimd.hpp>

#include "tinynn/ops/common.hpp"
#include "tinynn/ops/detail/elementwise_kinds.hpp"

namespace tinynn::backend::neon_impl {

using V = xsimd::batch<float, xsimd::neon64>;
using I = xsimd::batch<std::int32_t, xsimd::neon64>;
using M = xsimd::batch_bool<float, xsimd::neon64>;
inline constexpr std::size_t lanes = 4;

TINYNN_ALWAYS_INLINE V load(const float* p) noexcept { return V::load_unaligned(p); }
TINYNN_ALWAYS_INLINE void store(float* p, V v) noexcept { v.store_unaligned(p); }
TINYNN_ALWAYS_INLINE V splat(float v) noexcept { return V(v); }
TINYNN_ALWAYS_INLINE V zero() noexcept { return V(0.0f); }
TINYNN_ALWAYS_INLINE V add(V a, V b) noexcept { return a + b; }
TINYNN_ALWAYS_INLINE V sub(V a, V b) noexcept { return a - b; }
TINYNN_ALWAYS_INLINE V mul(V a, V b) noexcept { return a * b; }
// Division, square root and FMA straight from arm_neon.h: they must be the IEEE instructions.
TINYNN_ALWAYS_INLINE V div(V a, V b) noexcept { return vdivq_f32(a, b); }
TINYNN_ALWAYS_INLINE V vsqrt(V a) noexcept { return vsqrtq_f32(a); }
/// a*b + c, c - a*b, a*b - c (fused)
TINYNN_ALWAYS_INLINE V fmadd(V a, V b, V c) noexcept { return vfmaq_f32(c, a, b); }
TINYNN_ALWAYS_INLINE V fnmadd(V a, V b, V c) noexcept { return vfmsq_f32(c, a, b); }
TINYNN_ALWAYS_INLINE V fmsub(V a, V b, V c) noexcept { return vnegq_f32(vfmsq_f32(c, a, b)); }
/// a < b ? a : b and a > b ? a : b (b when either is NaN), as on x86.
TINYNN_ALWAYS_INLINE V vmin(V a, V b) noexcept { return xsimd::select(a < b, a, b); }
TINYNN_ALWAYS_INLINE V vmax(V a, V b) noexcept { return xsimd::select(a > b, a, b); }
TINYNN_ALWAYS_INLINE V vabs(V a) noexcept { return xsimd::abs(a); }
TINYNN_ALWAYS_INLINE V neg(V a) noexcept { return -a; }
/// |magnitude| with the sign of `sign`.
TINYNN_ALWAYS_INLINE V copysign(V magnitude, V sign) noexcept { return xsimd::copysign(magnitude, sign); }
TINYNN_ALWAYS_INLINE V round_even(V a) noexcept { return vrndnq_f32(a); }
TINYNN_ALWAYS_INLINE I to_int(V a) noexcept { return xsimd::to_int(a); }
TINYNN_ALWAYS_INLINE V to_float(I a) noexcept { return xsimd::to_float(a); }
TINYNN_ALWAYS_INLINE I isplat(std::int32_t v) noexcept { return I(v); }
TINYNN_ALWAYS_INLINE I iadd(I a, I b) noexcept { return a + b; }
TINYNN_ALWAYS_INLINE I isub(I a, I b) noexcept { return a - b; }
TINYNN_ALWAYS_INLINE I iand(I a, I b) noexcept { return a & b; }
TINYNN_ALWAYS_INLINE I ior(I a, I b) noexcept { return a | b; }
TINYNN_ALWAYS_INLINE I shift_left_23(I a) noexcept { return a << 23; }
TINYNN_ALWAYS_INLINE I shift_right_arithmetic_1(I a) noexcept { return a >> 1; }
/// The biased exponent field (bits 23..30) of float bit patterns.
TINYNN_ALWAYS_INLINE I exponent_field(I bits) noexcept { return (bits >> 23) & I(0xff); }
TINYNN_ALWAYS_INLINE V as_float(I a) noexcept { return xsimd::bitwise_cast<V>(a); }
TINYNN_ALWAYS_INLINE I as_int(V a) noexcept { return xsimd::bitwise_cast<I>(a); }
TINYNN_ALWAYS_INLINE M lt(V a, V b) noexcept { return a < b; }
TINYNN_ALWAYS_INLINE M gt(V a, V b) noexcept { return a > b; }
TINYNN_ALWAYS_INLINE M ge(V a, V b) noexcept { return a >= b; }
TINYNN_ALWAYS_INLINE M eq(V a, V b) noexcept { return a == b; }
TINYNN_ALWAYS_INLINE M isnan(V a) noexcept { return a != a; }
TINYNN_ALWAYS_INLINE M mor(M a, M b) noexcept { return a | b; }
/// mask ? a : b, lane by lane.
TINYNN_ALWAYS_INLINE V select(M mask, V a, V b) noexcept { return xsimd::select(mask, a, b); }
TINYNN_ALWAYS_INLINE float horizontal_sum(V a) noexcept { return xsimd::hadd(a); }
TINYNN_ALWAYS_INLINE float horizontal_max(V a) noexcept { return vmaxvq_f32(a); }

// ---- vector math: the same text in every backend's math.hpp (only the wrappers above differ) ----
// Accuracy against the exact function, measured on dense sweeps over [-30, 30] and up to 3e38 and
// asserted by tests/ops/activation_test.cpp ("stated accuracy"): exp <= 1 ulp (0.86 measured),
// log <= 2 (1.6), sigmoid, tanh, erf, silu <= 3 (2.6, 2.5, 2.2, 2.8), elu <= 2, softplus <= 4
// (3.4), GELU <= 16 ulp (11.8) for x >= -3 (its negative tail is ill-conditioned in float: libm-based
// scalar code is no better). NaN in, NaN out; +-inf, denormal inputs and underflowing results are
// handled.

/// e^x: x = n ln2 + r (Cody-Waite, |r| <= ln2/2), e^r by its Taylor series to r^7 (truncation
/// < 2e-9), 2^n applied in two halves so that denormal results and x up to 89 stay exact.
TINYNN_ALWAYS_INLINE V exp(V x) noexcept {
  const V clamped = vmin(vmax(x, splat(-104.0f)), splat(89.0f));
  const V n = round_even(mul(clamped, splat(1.44269504088896341f)));
  V r = fnmadd(n, splat(0.693359375f), clamped);
  r = fnmadd(n, splat(-2.12194440e-4f), r);
  V p = splat(1.0f / 5040.0f);
  p = fmadd(p, r, splat(1.0f / 720.0f));
  p = fmadd(p, r, splat(1.0f / 120.0f));
  p = fmadd(p, r, splat(1.0f / 24.0f));
  p = fmadd(p, r, splat(1.0f / 6.0f));
  p = fmadd(p, r, splat(0.5f));
  p = fmadd(p, r, splat(1.0f));
  p = fmadd(p, r, splat(1.0f));
  const I k = to_int(n);
  const I k1 = shift_right_arithmetic_1(k);
  const I k2 = isub(k, k1);
  const V s1 = as_float(shift_left_23(iadd(k1, isplat(127))));
  const V s2 = as_float(shift_left_23(iadd(k2, isplat(127))));
  return select(isnan(x), x, mul(mul(p, s1), s2));
}

/// e^x - 1: Taylor series to x^11 for |x| < ln2 (truncation < 3e-11), else exp(x) - 1, where
/// the subtraction no longer cancels.
TINYNN_ALWAYS_INLINE V expm1(V x) noexcept {
  V p = splat(1.0f / 39916800.0f);
  p = fmadd(p, x, splat(1.0f / 3628800.0f));
  p = fmadd(p, x, splat(1.0f / 362880.0f));
  p = fmadd(p, x, splat(1.0f / 40320.0f));
  p = fmadd(p, x, splat(1.0f / 5040.0f));
  p = fmadd(p, x, splat(1.0f / 720.0f));
  p = fmadd(p, x, splat(1.0f / 120.0f));
  p = fmadd(p, x, splat(1.0f / 24.0f));
  p = fmadd(p, x, splat(1.0f / 6.0f));
  p = fmadd(p, x, splat(0.5f));
  p = fmadd(p, x, splat(1.0f));
  const V small = mul(p, x);
  const V large = sub(exp(x), splat(1.0f));
  return select(lt(vabs(x), splat(0.693f)), small, large);
}

/// log x: x = 2^e m with m in [sqrt(1/2), sqrt 2), log m = 2 atanh(s), s = (m-1)/(m+1), by its
/// series to s^11 (|s| < 0.172: truncation < 1e-10); denormal inputs are scaled by 2^23 first.
TINYNN_ALWAYS_INLINE V log(V x) noexcept {
  const M tiny = lt(x, splat(1.17549435e-38f));
  const V xs = select(tiny, mul(x, splat(8388608.0f)), x);
  const I bits = as_int(xs);
  V m = as_float(ior(iand(bits, isplat(0x007fffff)), isplat(0x3f800000)));
  const M above = gt(m, splat(1.41421356f));
  m = select(above, mul(m, splat(0.5f)), m);
  V e = to_float(isub(exponent_field(bits), isplat(127)));
  e = add(e, select(above, splat(1.0f), zero()));
  e = sub(e, select(tiny, splat(23.0f), zero()));
  const V f = sub(m, splat(1.0f));
  const V s = div(f, add(splat(2.0f), f));
  const V s2 = mul(s, s);
  V q = splat(2.0f / 11.0f);
  q = fmadd(q, s2, splat(2.0f / 9.0f));
  q = fmadd(q, s2, splat(2.0f / 7.0f));
  q = fmadd(q, s2, splat(2.0f / 5.0f));
  q = fmadd(q, s2, splat(2.0f / 3.0f));
  q = mul(q, s2);
  const V log_m = fmadd(s, q, add(s, s));
  V result = fmadd(e, splat(0.693359375f), fmadd(e, splat(-2.12194440e-4f), log_m));
  const float inf = std::numeric_limits<float>::infinity();
  result = select(eq(x, splat(inf)), x, result);
  result = select(mor(lt(x, zero()), isnan(x)), splat(std::numeric_limits<float>::quiet_NaN()), result);
  return select(eq(x, zero()), splat(-inf), result);
}

/// 1 / (1 + e^-x), from e = e^-|x| so that neither tail loses precision.
TINYNN_ALWAYS_INLINE V sigmoid(V x) noexcept {
  const V e = exp(neg(vabs(x)));
  const V s = div(splat(1.0f), add(splat(1.0f), e));
  return select(ge(x, zero()), s, mul(e, s));
}

/// tanh x = -expm1(-2|x|) / (2 + expm1(-2|x|)) with the sign of x: accurate near 0 and saturating.
TINYNN_ALWAYS_INLINE V tanh(V x) noexcept {
  const V e = expm1(mul(splat(-2.0f), vabs(x)));
  return copysign(div(neg(e), add(splat(2.0f), e)), x);
}

/// erfc a for a >= 0.5: e^(-a^2) Q(t), t = 2/(2+a), Q a degree-9 least-squares fit (relative
/// error 2e-9 in double); a^2 is split exactly (FMA) so that e^(-a^2) keeps its accuracy.
TINYNN_ALWAYS_INLINE V erfc_tail(V a) noexcept {
  a = vmin(a, splat(10.5f));  // erfc(10.5) underflows to 0
  const V t = div(splat(2.0f), add(splat(2.0f), a));
  V q = splat(-0.07533027976751328f);
  q = fmadd(q, t, splat(0.3549739718437195f));
  q = fmadd(q, t, splat(-0.6175296306610107f));
  q = fmadd(q, t, splat(0.41293084621429443f));
  q = fmadd(q, t, splat(-0.11221877485513687f));
  q = fmadd(q, t, splat(0.2370879203081131f));
  q = fmadd(q, t, splat(0.23438429832458496f));
  q = fmadd(q, t, splat(0.2837144434452057f));
  q = fmadd(q, t, splat(0.281973659992218f));
  q = fmadd(q, t, splat(3.9595033740624785e-06f));
  const V a2 = mul(a, a);
  const V a2_low = fmsub(a, a, a2);  // a*a - a2, exactly
  return mul(mul(exp(neg(a2)), sub(splat(1.0f), a2_low)), q);
}

/// erf x / x for |x| < 0.5 as a polynomial in x^2 (least-squares fit, relative error 1.4e-9).
TINYNN_ALWAYS_INLINE V erf_small_over_x(V x2) noexcept {
  V p = splat(0.004717567469924688f);
  p = fmadd(p, x2, splat(-0.026756972074508667f));
  p = fmadd(p, x2, splat(0.11282819509506226f));
  p = fmadd(p, x2, splat(-0.37612608075141907f));
  return fmadd(p, x2, splat(1.1283791065216064f));
}

TINYNN_ALWAYS_INLINE V erf(V x) noexcept {
  const V a = vabs(x);
  const V small = mul(x, erf_small_over_x(mul(x, x)));
  const V large = copysign(sub(splat(1.0f), erfc_tail(a)), x);
  return select(isnan(x), x, select(lt(a, splat(0.5f)), small, large));
}

TINYNN_ALWAYS_INLINE V erfc(V x) noexcept {
  const V a = vabs(x);
  const V small = sub(splat(1.0f), mul(x, erf_small_over_x(mul(x, x))));
  const V tail = erfc_tail(a);
  const V large = select(lt(x, zero()), sub(splat(2.0f), tail), tail);
  return select(isnan(x), x, select(lt(a, splat(0.5f)), small, large));
}

/// log(1 + e^x) = max(x, 0) + log1p(e^-|x|), log1p(u) = log(w) u / (w - 1) with w = 1 + u.
TINYNN_ALWAYS_INLINE V softplus(V x) noexcept {
  const V u = exp(neg(vabs(x)));
  const V w = add(splat(1.0f), u);
  const V log1p_u = select(eq(w, splat(1.0f)), u, mul(log(w), div(u, sub(w, splat(1.0f)))));
  return add(vmax(zero(), x), log1p_u);
}

/// The UnaryOp K of backends/scalar/activation.hpp on a vector.
template <ops::UnaryOp K>
TINYNN_ALWAYS_INLINE V unary_value(const ops::UnaryParams& p, V x) noexcept {
  using ops::UnaryOp;
  if constexpr (K == UnaryOp::identity) return x;
  if constexpr (K == UnaryOp::relu) return vmax(zero(), x);  // NaN stays NaN
  if constexpr (K == UnaryOp::relu6) return vmin(splat(6.0f), vmax(zero(), x));
  if constexpr (K == UnaryOp::clip) return vmin(splat(p.beta), vmax(splat(p.alpha), x));
  if constexpr (K == UnaryOp::leaky_relu) return select(ge(x, zero()), x, mul(splat(p.alpha), x));
  if constexpr (K == UnaryOp::elu) return select(gt(x, zero()), x, mul(splat(p.alpha), expm1(x)));
  if constexpr (K == UnaryOp::selu) {
    return mul(splat(p.beta), select(gt(x, zero()), x, mul(splat(p.alpha), expm1(x))));
  }
  if constexpr (K == UnaryOp::sigmoid) return sigmoid(x);
  if constexpr (K == UnaryOp::tanh) return tanh(x);
  if constexpr (K == UnaryOp::hard_sigmoid) {
    return vmin(splat(1.0f), vmax(zero(), fmadd(splat(p.alpha), x, splat(p.beta))));
  }
  if constexpr (K == UnaryOp::hard_swish) {
    const V c = vmin(splat(6.0f), vmax(zero(), add(x, splat(3.0f))));
    return mul(x, mul(c, splat(1.0f / 6.0f)));
  }
  if constexpr (K == UnaryOp::silu) return mul(x, sigmoid(x));
  if constexpr (K == UnaryOp::gelu_erf) return mul(mul(splat(0.5f), x), erfc(mul(x, splat(-0.70710678118654752440f))));
  if constexpr (K == UnaryOp::gelu_tanh) {
    const V inner = fmadd(mul(splat(0.044715f), mul(x, x)), x, x);
    return mul(x, sigmoid(mul(splat(2.0f * 0.79788456080286535588f), inner)));
  }
  if constexpr (K == UnaryOp::erf) return erf(x);
  if constexpr (K == UnaryOp::exp) return exp(x);
  if constexpr (K == UnaryOp::log) return log(x);
  if constexpr (K == UnaryOp::sqrt) return vsqrt(x);
  if constexpr (K == UnaryOp::abs) return vabs(x);
  if constexpr (K == UnaryOp::neg) return neg(x);
  if constexpr (K == UnaryOp::reciprocal) return div(splat(1.0f), x);
  if constexpr (K == UnaryOp::softplus) return softplus(x);
}

/// The fused activation of ops/common.hpp (apply_activation) on a vector.
TINYNN_ALWAYS_INLINE V activation_value(const ops::ActivationParams& p, V x) noexcept {
  switch (p.kind) {
    case ops::Activation::none: return x;
    case ops::Activation::relu: return vmax(zero(), x);
    case ops::Activation::relu6: return vmin(splat(6.0f), vmax(zero(), x));
    case ops::Activation::clip: return vmin(splat(p.max), vmax(splat(p.min), x));
    case ops::Activation::leaky_relu: return select(ge(x, zero()), x, mul(splat(p.alpha), x));
    case ops::Activation::sigmoid: return sigmoid(x);
    case ops::Activation::tanh: return tanh(x);
    case ops::Activation::hard_swish: {
      const V c = vmin(splat(6.0f), vmax(zero(), add(x, splat(3.0f))));
      return mul(x, mul(c, splat(1.0f / 6.0f)));
    }
  }
  return x;
}

/// The BinaryOp K of backends/scalar/eltwise.hpp on vectors (pow is not vectorised: callers
/// send it to the scalar kernel).
template <ops::BinaryOp K>
TINYNN_ALWAYS_INLINE V binary_value(V a, V b) noexcept {
  using ops::BinaryOp;
  if constexpr (K == BinaryOp::add) return add(a, b);
  if constexpr (K == BinaryOp::sub) return sub(a, b);
  if constexpr (K == BinaryOp::mul) return mul(a, b);
  if constexpr (K == BinaryOp::div) return div(a, b);
  if constexpr (K == BinaryOp::min) return select(isnan(a), a, vmin(a, b));  // NaN in either wins
  if constexpr (K == BinaryOp::max) return select(isnan(a), a, vmax(a, b));
  if constexpr (K == BinaryOp::prelu) return select(lt(a, zero()), mul(a, b), a);
  if constexpr (K == BinaryOp::pow) return a;  // unreachable: pow runs on the scalar kernel
}

/// y[i] = act(y[i]): the fused-activation epilogue.
inline void activation_loop(const ops::ActivationParams& p, float* y, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) store(y + i, activation_value(p, load(y + i)));
  if (i < n) {
    float buffer[lanes] = {};
    for (std::size_t j = 0; i + j < n; ++j) buffer[j] = y[i + j];
    store(buffer, activation_value(p, load(buffer)));
    for (std::size_t j = 0; i + j < n; ++j) y[i + j] = buffer[j];
  }
}

}  // namespace tinynn::backend::neon_impl

#endif  // defined(__ARM_NEON) && defined(__aarch64__)
