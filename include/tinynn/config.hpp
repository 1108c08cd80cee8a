// tinynn — compile-time configuration shared by every header.
//
// TINYNN_STRIP_ERROR_STRINGS: define it (firmware) to compile every error message out; errors then
// carry only their code, and the core pulls in neither <string> formatting nor the heap.
// TINYNN_ASSERT: API misuse is a debug assert (../shared/STYLE.md "Errors"); off under NDEBUG.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>

#define TINYNN_VERSION_MAJOR 0
#define TINYNN_VERSION_MINOR 1
#define TINYNN_VERSION_PATCH 0

#ifndef TINYNN_ASSERT
#define TINYNN_ASSERT(condition) assert(condition)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define TINYNN_RESTRICT __restrict__
#define TINYNN_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define TINYNN_RESTRICT
#define TINYNN_ALWAYS_INLINE inline
#endif

// x86 SIMD kernels are functions with a target attribute, so that any translation unit can contain
// them and runtime dispatch can call them on CPUs that have the ISA (xsimd 8.1 declares its x86
// batch types only when the whole TU is compiled for the ISA, which a header-only library with
// runtime dispatch cannot require). Such functions must be called, not inlined, from generic code.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define TINYNN_HAS_X86_KERNELS 1
#define TINYNN_TARGET_AVX2 __attribute__((target("avx2,fma,f16c")))
#define TINYNN_TARGET_AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512dq,avx512vl")))
#define TINYNN_TARGET_AVX512VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")))
#define TINYNN_TARGET_AVXVNNI __attribute__((target("avx2,fma,f16c,avxvnni")))
#else
#define TINYNN_HAS_X86_KERNELS 0
#endif

namespace tinynn {

/// Alignment of every tensor buffer tinynn owns or plans: one cache line, and a full AVX-512 vector.
inline constexpr std::size_t tensor_alignment = 64;

/// Rank limit of runtime shapes (DynShape); static shapes have no limit.
inline constexpr std::size_t max_rank = 8;

}  // namespace tinynn
