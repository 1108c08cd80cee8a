// tinynn — run-time CPU feature detection. Runtime dispatch never executes an instruction the CPU
// lacks: it asks these flags (cpuid + xgetbv on x86, hwcaps on aarch64 Linux) first.
#pragma once

#include <cstdint>

#include "tinynn/backends/tags.hpp"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define TINYNN_X86_CPUID 1
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#define TINYNN_AARCH64_HWCAP 1
#endif

namespace tinynn {

struct CpuFeatures {
  bool avx2 = false;    // AVX2 + FMA3, with OS support for YMM state
  bool avx512 = false;  // AVX-512 F/BW/DQ/VL, with OS support for ZMM state
  bool avx512_vnni = false;
  bool avx_vnni = false;  // the VEX-encoded vpdpbusd (AVX-VNNI)
  bool neon = false;
  bool neon_dotprod = false;
  bool sve = false;
  bool sve2 = false;
  bool i8mm = false;
};

namespace detail {

inline CpuFeatures detect_cpu_features() noexcept {
  CpuFeatures f;
#if defined(TINYNN_X86_CPUID)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = (ecx >> 27) & 1;
  const bool fma = (ecx >> 12) & 1;
  const bool avx = (ecx >> 28) & 1;
  std::uint64_t xcr0 = 0;
  if (osxsave) {
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (static_cast<std::uint64_t>(hi) << 32) | lo;
  }
  const bool ymm_state = (xcr0 & 0x6) == 0x6;
  const bool zmm_state = (xcr0 & 0xE6) == 0xE6;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
    const bool avx2 = (ebx >> 5) & 1;
    const bool avx512f = (ebx >> 16) & 1, avx512dq = (ebx >> 17) & 1;
    const bool avx512bw = (ebx >> 30) & 1, avx512vl = (ebx >> 31) & 1;
    f.avx2 = avx && avx2 && fma && ymm_state;
    f.avx512 = f.avx2 && avx512f && avx512dq && avx512bw && avx512vl && zmm_state;
    f.avx512_vnni = f.avx512 && ((ecx >> 11) & 1);
    unsigned eax1 = 0, ebx1 = 0, ecx1 = 0, edx1 = 0;
    if (__get_cpuid_count(7, 1, &eax1, &ebx1, &ecx1, &edx1)) f.avx_vnni = f.avx2 && ((eax1 >> 4) & 1);
  }
#elif defined(TINYNN_AARCH64_HWCAP)
  const unsigned long hwcap = getauxval(AT_HWCAP);
  const unsigned long hwcap2 = getauxval(AT_HWCAP2);
  f.neon = (hwcap & (1UL << 1)) != 0;           // HWCAP_ASIMD
  f.neon_dotprod = (hwcap & (1UL << 20)) != 0;  // HWCAP_ASIMDDP
  f.sve = (hwcap & (1UL << 22)) != 0;           // HWCAP_SVE
  f.sve2 = (hwcap2 & (1UL << 1)) != 0;          // HWCAP2_SVE2
  f.i8mm = (hwcap2 & (1UL << 13)) != 0;         // HWCAP2_I8MM
#elif defined(__aarch64__)
  f.neon = true;
#endif
  return f;
}

}  // namespace detail

/// The running CPU's features, detected once.
inline const CpuFeatures& cpu_features() noexcept {
  static const CpuFeatures features = detail::detect_cpu_features();
  return features;
}

/// Whether this binary contains kernels for `id` and the running CPU can execute them.
[[nodiscard]] inline bool backend_available(backend::BackendId id) noexcept {
  const CpuFeatures& f = cpu_features();
  switch (id) {
    case backend::BackendId::scalar: return true;
    case backend::BackendId::avx2: return TINYNN_HAS_X86_KERNELS && f.avx2;
    case backend::BackendId::avx512: return TINYNN_HAS_X86_KERNELS && f.avx512;
    case backend::BackendId::neon: return backend::is_compilable<backend::neon> && f.neon;
    case backend::BackendId::sve: return backend::is_compilable<backend::sve> && f.sve;
  }
  return false;
}

/// The most capable backend that is both compiled in and supported by the running CPU.
[[nodiscard]] inline backend::BackendId runtime_backend() noexcept {
  using backend::BackendId;
  for (BackendId id : {BackendId::sve, BackendId::avx512, BackendId::neon, BackendId::avx2}) {
    if (backend_available(id)) return id;
  }
  return BackendId::scalar;
}

}  // namespace tinynn
