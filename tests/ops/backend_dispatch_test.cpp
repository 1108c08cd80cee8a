// Runtime dispatch: a BackendId reaches the kernels of that tag (when compiled in), the runtime
// choice is runnable, and the same GEMM through run(id) and run<Tag>() gives identical bits.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "ops/kernels_testing.hpp"
#include "tinynn/backends/dispatch.hpp"
#include "tinynn/ops/gemm.hpp"

using namespace tinynn;
using namespace kernels_testing;

TEST_CASE("backend_dispatch: each id reaches its own tag where compiled in, scalar otherwise") {
  for (BackendId id : all_backends) {
    BackendId reached = BackendId::scalar;
    backend::dispatch(id, [&](auto tag) { reached = backend::id_of<decltype(tag)>; });
    const bool compiled = id == BackendId::scalar ||
                          ((id == BackendId::avx2 || id == BackendId::avx512) && TINYNN_HAS_X86_KERNELS) ||
                          (id == BackendId::neon && backend::is_compilable<backend::neon>) ||
                          (id == BackendId::sve && backend::is_compilable<backend::sve>);
    CAPTURE(backend::name_of(id));
    CHECK(reached == (compiled ? id : BackendId::scalar));
  }
}

TEST_CASE("backend_dispatch: runtime_backend() is available and its GEMM equals the compile-time call") {
  const BackendId best = runtime_backend();
  REQUIRE(backend_available(best));
  MESSAGE("runtime backend: " << backend::name_of(best));
  std::mt19937 rng(1);
  ops::gemm::Params p;
  p.m = 37;
  p.n = 45;
  p.k = 300;
  const std::vector<float> a = random_floats(static_cast<std::size_t>(p.m * p.k), rng);
  const std::vector<float> b = random_floats(static_cast<std::size_t>(p.k * p.n), rng);
  std::vector<float> packed(ops::gemm::packed_weights_size(p));
  ops::gemm::pack_weights(p, b.data(), ops::gemm::WeightLayout::kn, nullptr, packed.data());
  std::vector<float> scratch(ops::gemm::scratch_size(p, best) + 1);
  std::vector<float> by_id(static_cast<std::size_t>(p.m * p.n)), by_tag(by_id.size());
  ops::gemm::run(best, p, a.data(), packed.data(), by_id.data(), scratch.data());
  backend::dispatch(best, [&](auto tag) {
    ops::gemm::run<decltype(tag)>(p, a.data(), packed.data(), by_tag.data(), scratch.data());
  });
  CHECK(by_id == by_tag);
}

TEST_CASE("backend_dispatch: backends this CPU lacks are reported, not run") {
  for (BackendId id : all_backends) {
    if (!backend_available(id)) MESSAGE("skipped: " << backend::name_of(id) << " is not available here");
  }
  CHECK(backend_available(BackendId::scalar));
}
