#include <doctest/doctest.h>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/backends/tags.hpp"

using namespace tinynn;

static_assert(std::is_base_of_v<backend::avx2, backend::avx512>);
static_assert(std::is_base_of_v<backend::scalar, backend::sve>);
static_assert(backend::Backend<backend::native>);
static_assert(backend::is_compilable<backend::scalar>);
static_assert(backend::is_compilable<backend::native>);

TEST_CASE("cpu_features: detected flags are consistent with each other and the build") {
  const CpuFeatures& f = cpu_features();
  if (f.avx512) CHECK(f.avx2);
  if (f.avx512_vnni) CHECK(f.avx512);
  if (f.sve) CHECK(f.neon);
#if defined(__AVX2__)
  // A binary compiled for AVX2 that runs at all runs on an AVX2 CPU.
  CHECK(f.avx2);
#endif
#if defined(__aarch64__)
  CHECK(f.neon);
#endif
  MESSAGE("avx2=" << f.avx2 << " avx512=" << f.avx512 << " avx512_vnni=" << f.avx512_vnni << " avx_vnni=" << f.avx_vnni
                  << " neon=" << f.neon << " sve=" << f.sve);
}
