// tinynn — runtime backend dispatch: calls f(tag) with the tag object of a BackendId. Backends not
// compiled into this binary fall back to scalar, so the caller must ask backend_available() (or
// runtime_backend()) first; dispatch itself never executes an instruction the CPU lacks only if
// the caller chose a backend the CPU has.
#pragma once

#include "tinynn/backends/tags.hpp"
#include "tinynn/config.hpp"

namespace tinynn::backend {

template <class F>
void dispatch(BackendId id, F&& f) noexcept {
  switch (id) {
#if TINYNN_HAS_X86_KERNELS
    case BackendId::avx512: f(avx512{}); return;
    case BackendId::avx2: f(avx2{}); return;
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
    case BackendId::neon: f(neon{}); return;
#endif
#if defined(__ARM_FEATURE_SVE)
    case BackendId::sve: f(sve{}); return;
#endif
    default: f(scalar{}); return;
  }
}

}  // namespace tinynn::backend
