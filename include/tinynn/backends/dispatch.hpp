// tinynn — runtime backend dispatch: calls f(tag) with the tag object of a BackendId. A backend not
// compiled into this binary falls back to scalar. dispatch() does not ask the CPU: pass an id that
// backend_available() accepts (or runtime_backend()), and no instruction the CPU lacks ever runs.
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
