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

namespace tinynn {

/// Alignment of every tensor buffer tinynn owns or plans: one cache line, and a full AVX-512 vector.
inline constexpr std::size_t tensor_alignment = 64;

/// Rank limit of runtime shapes (DynShape); static shapes have no limit.
inline constexpr std::size_t max_rank = 8;

}  // namespace tinynn
