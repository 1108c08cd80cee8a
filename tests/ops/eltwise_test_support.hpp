// Shared by the eltwise engineer's op tests: random data, multi-index helpers for plain-loop
// references, and iteration over every backend compiled in and runnable on this CPU.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/backends/dispatch.hpp"
#include "tinynn/shape.hpp"

namespace eltwise_test {

using tinynn::DynShape;

inline std::mt19937& rng() {
  static std::mt19937 engine(12345);
  return engine;
}

inline std::vector<float> random_floats(std::size_t n, float lo = -3.0f, float hi = 3.0f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng());
  return v;
}

inline std::int64_t random_int(std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng());
}

/// Multi-index of flat row-major offset `flat` in `s`.
inline std::vector<std::int64_t> unravel(std::size_t flat, const DynShape& s) {
  std::vector<std::int64_t> index(s.rank());
  for (std::size_t d = s.rank(); d-- > 0;) {
    const auto n = static_cast<std::size_t>(s[d]);
    index[d] = static_cast<std::int64_t>(flat % n);
    flat /= n;
  }
  return index;
}

inline std::size_t ravel(const std::vector<std::int64_t>& index, const DynShape& s) {
  std::size_t flat = 0;
  for (std::size_t d = 0; d < s.rank(); ++d)
    flat = flat * static_cast<std::size_t>(s[d]) + static_cast<std::size_t>(index[d]);
  return flat;
}

/// The ids of every backend this binary contains and this CPU runs (scalar first). Reports the
/// others as skipped, with the reason.
inline std::vector<tinynn::backend::BackendId> runnable_backends() {
  using tinynn::backend::BackendId;
  std::vector<BackendId> ids;
  for (BackendId id : {BackendId::scalar, BackendId::avx2, BackendId::avx512, BackendId::neon, BackendId::sve}) {
    if (tinynn::backend_available(id)) {
      ids.push_back(id);
    } else {
      static bool reported[5] = {};
      if (!reported[static_cast<int>(id)]) {
        reported[static_cast<int>(id)] = true;
        MESSAGE("skipped backend " << std::string(tinynn::backend::name_of(id))
                                   << ": not compiled into this binary or not supported by this CPU");
      }
    }
  }
  return ids;
}

/// |a - b| <= abs_tol + rel_tol * |b|, with NaN == NaN and equal infinities.
inline bool close(float a, float b, float abs_tol, float rel_tol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= abs_tol + rel_tol * std::fabs(b);
}

/// Checks every element, reporting the first few mismatches with their index.
inline void check_close(const std::vector<float>& got, const std::vector<float>& want, float abs_tol, float rel_tol,
                        const std::string& what) {
  REQUIRE(got.size() == want.size());
  int reported = 0;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!close(got[i], want[i], abs_tol, rel_tol)) {
      ++bad;
      if (reported++ < 5) {
        INFO(what << ": element " << i << " got " << got[i] << " want " << want[i]);
        CHECK(false);
      }
    }
  }
  INFO(what << ": " << bad << " of " << got.size() << " elements differ");
  CHECK(bad == 0);
}

}  // namespace eltwise_test
