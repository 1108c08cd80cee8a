// tinynn — backend tag types. Kernels overload on the tag; a more capable tag derives from a less
// capable one (avx512 : avx2 : scalar, sve : neon : scalar), so overload resolution picks the most
// capable implementation a kernel has and `scalar` is the fallback for everything.
// `native` is the best backend the compile target supports. Asking for a backend the target cannot
// compile is a static_assert (require_compilable<B>()), never a silent fallback.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "tinynn/config.hpp"

namespace tinynn::backend {

struct scalar {
  static constexpr std::string_view name() noexcept { return "scalar"; }
  static constexpr std::size_t alignment = 16;
  static constexpr std::size_t float_lanes = 1;
};

struct avx2 : scalar {
  static constexpr std::string_view name() noexcept { return "avx2"; }
  static constexpr std::size_t alignment = 32;
  static constexpr std::size_t float_lanes = 8;
};

struct avx512 : avx2 {
  static constexpr std::string_view name() noexcept { return "avx512"; }
  static constexpr std::size_t alignment = 64;
  static constexpr std::size_t float_lanes = 16;
};

struct neon : scalar {
  static constexpr std::string_view name() noexcept { return "neon"; }
  static constexpr std::size_t alignment = 16;
  static constexpr std::size_t float_lanes = 4;
};

/// Vector-length agnostic: float_lanes is the minimum (128-bit) length; kernels ask svcntw().
struct sve : neon {
  static constexpr std::string_view name() noexcept { return "sve"; }
  static constexpr std::size_t alignment = 64;
  static constexpr std::size_t float_lanes = 4;
};

/// Whether code for backend B can be compiled into this translation unit. x86 kernels carry target
/// attributes (config.hpp), so avx2/avx512 compile into any x86 TU; running them needs the CPU to
/// have the ISA (see cpu_features() and runtime_backend()).
template <class B>
inline constexpr bool is_compilable = std::is_same_v<B, scalar>
#if TINYNN_HAS_X86_KERNELS
                                      || std::is_same_v<B, avx2> || std::is_same_v<B, avx512>
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
                                      || std::is_same_v<B, neon>
#endif
#if defined(__ARM_FEATURE_SVE)
                                      || std::is_same_v<B, sve>
#endif
    ;

template <class B>
concept Backend = std::is_base_of_v<scalar, B> && requires {
  { B::name() } -> std::convertible_to<std::string_view>;
};

/// Fails to compile, with a message saying what to do, when B is not available on this target.
template <Backend B>
constexpr void require_compilable() noexcept {
  static_assert(is_compilable<B>,
                "tinynn: this backend is not available for the compile target; enable its ISA "
                "(e.g. -mavx2 -mfma, -mavx512f -mavx512bw -mavx512dq -mavx512vl, -march=armv8.2-a+sve) "
                "or use backend::native / backend::scalar");
}

#if defined(__ARM_FEATURE_SVE)
using native = sve;
#elif defined(__ARM_NEON) && defined(__aarch64__)
using native = neon;
#elif defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512DQ__) && defined(__AVX512VL__)
using native = avx512;
#elif defined(__AVX2__) && defined(__FMA__)
using native = avx2;
#else
using native = scalar;
#endif

/// Runtime identity of a backend (graphs choose one per session, at run time).
enum class BackendId : unsigned char { scalar, avx2, avx512, neon, sve };

template <Backend B>
inline constexpr BackendId id_of = std::is_same_v<B, sve>      ? BackendId::sve
                                   : std::is_same_v<B, neon>   ? BackendId::neon
                                   : std::is_same_v<B, avx512> ? BackendId::avx512
                                   : std::is_same_v<B, avx2>   ? BackendId::avx2
                                                               : BackendId::scalar;

[[nodiscard]] constexpr std::string_view name_of(BackendId id) noexcept {
  switch (id) {
    case BackendId::scalar: return scalar::name();
    case BackendId::avx2: return avx2::name();
    case BackendId::avx512: return avx512::name();
    case BackendId::neon: return neon::name();
    case BackendId::sve: return sve::name();
  }
  return "?";
}

}  // namespace tinynn::backend
