// GEMM against Eigen (double precision) on every backend this binary and CPU have, sweeping sizes
// below/at/above the panel width and the micro-kernel heights, 1-element and empty problems, odd K,
// strided A/C, both weight layouts and every fused activation.
#include "tinynn/ops/gemm.hpp"

#include <doctest/doctest.h>

#include <Eigen/Core>
#include <array>
#include <random>
#include <string>
#include <vector>

#include "ops/kernels_testing.hpp"

using namespace tinynn;
using namespace kernels_testing;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

namespace {

ops::gemm::Params gemm_params(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t lda = 0,
                              std::int64_t ldc = 0) {
  ops::gemm::Params p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.lda = lda;
  p.ldc = ldc;
  return p;
}

struct Case {
  std::int64_t m, n, k;
  std::int64_t lda = 0, ldc = 0;
  ops::gemm::WeightLayout layout = ops::gemm::WeightLayout::kn;
  ops::ActivationParams activation{};
  bool bias = true;
};

/// Runs `c` with `run_gemm(params, a, packed, out, scratch)` and checks every element against Eigen.
template <class RunGemm>
void check_case(const Case& c, std::mt19937& rng, const RunGemm& run_gemm, std::size_t scratch_floats) {
  ops::gemm::Params p;
  p.m = c.m;
  p.n = c.n;
  p.k = c.k;
  p.lda = c.lda;
  p.ldc = c.ldc;
  p.activation = c.activation;
  REQUIRE(ops::gemm::prepare(p).ok());
  const std::int64_t lda = ops::gemm::effective_lda(p), ldc = ops::gemm::effective_ldc(p);
  const std::vector<float> a = random_floats(static_cast<std::size_t>(c.m * lda), rng);
  const std::vector<float> b = random_floats(static_cast<std::size_t>(c.k * c.n), rng);
  const std::vector<float> bias = random_floats(static_cast<std::size_t>(c.n), rng);
  std::vector<float> packed(ops::gemm::packed_weights_size(p), -7.0f);
  ops::gemm::pack_weights(p, b.data(), c.layout, c.bias ? bias.data() : nullptr, packed.data());
  std::vector<float> out(static_cast<std::size_t>(c.m * ldc + 1), 12345.0f);  // +1: canary past the end
  std::vector<float> scratch(scratch_floats + 1);
  run_gemm(p, a.data(), packed.data(), out.data(), scratch.data());

  RowMatrix am(c.m, c.k), bm(c.k, c.n);
  for (std::int64_t i = 0; i < c.m; ++i)
    for (std::int64_t kk = 0; kk < c.k; ++kk) am(i, kk) = a[i * lda + kk];
  for (std::int64_t kk = 0; kk < c.k; ++kk)
    for (std::int64_t j = 0; j < c.n; ++j)
      bm(kk, j) = c.layout == ops::gemm::WeightLayout::kn ? b[kk * c.n + j] : b[j * c.k + kk];
  const RowMatrix ref = am * bm;
  const RowMatrix mag = am.cwiseAbs() * bm.cwiseAbs();
  int bad = 0;
  for (std::int64_t i = 0; i < c.m; ++i) {
    for (std::int64_t j = 0; j < ldc; ++j) {
      const float got = out[i * ldc + j];
      if (j >= c.n) {  // columns between N and ldc are not ours to write
        if (got != 12345.0f && bad++ < 5) FAIL_CHECK("wrote outside C at " << i << "," << j);
        continue;
      }
      const double want = activate(c.activation, ref(i, j) + (c.bias ? bias[j] : 0.0));
      if (!close(got, want, mag(i, j) + 1.0, c.k) && bad++ < 5) {
        FAIL_CHECK("M=" << c.m << " N=" << c.n << " K=" << c.k << " at (" << i << "," << j << "): got " << got
                        << " want " << want);
      }
    }
  }
  CHECK(out.back() == 12345.0f);
  CHECK(bad == 0);
}

std::vector<Case> sweep_cases() {
  std::vector<Case> cases;
  const std::int64_t ms[] = {0, 1, 2, 5, 6, 7, 13, 14, 15, 29, 130};
  const std::int64_t ns[] = {1, 7, 16, 17, 31, 32, 33, 80};
  const std::int64_t ks[] = {0, 1, 3, 16, 17, 255, 257, 300};
  int index = 0;
  for (std::int64_t m : ms) {
    for (std::int64_t n : ns) {
      for (std::int64_t k : ks) {
        ++index;
        if (m * n * k > 200000 && index % 3 != 0) continue;  // keep the sweep quick
        if (emulated && m * n * k > 2000 && index % 5 != 1) continue;
        Case c{m, n, k};
        c.layout = index % 2 ? ops::gemm::WeightLayout::kn : ops::gemm::WeightLayout::nk;
        c.activation = activations[static_cast<std::size_t>(index) % std::size(activations)];
        c.bias = index % 5 != 0;
        if (index % 7 == 0) {
          c.lda = k + 3;
          c.ldc = n + 5;
        }
        cases.push_back(c);
      }
    }
  }
  cases.push_back({0, 0, 0});
  cases.push_back({1, 1, 1});
  return cases;
}

}  // namespace

TEST_CASE("gemm: every runnable backend matches Eigen over a size sweep") {
  std::mt19937 rng(42);
  for (BackendId id : runnable_backends()) {
    CAPTURE(backend::name_of(id));
    for (const Case& c : sweep_cases()) {
      const ops::gemm::Params p = gemm_params(c.m, c.n, c.k, c.lda, c.ldc);
      check_case(
          c, rng,
          [id](const ops::gemm::Params& q, const float* a, const float* packed, float* out, float* scratch) {
            ops::gemm::run(id, q, a, packed, out, scratch);
          },
          ops::gemm::scratch_size(p, id));
    }
  }
}

TEST_CASE("gemm: the blocked driver with the portable micro-kernel matches Eigen (odd tile shapes)") {
  std::mt19937 rng(7);
  for (ops::detail::GemmKernelShape shape :
       {ops::detail::GemmKernelShape{1, 1}, ops::detail::GemmKernelShape{5, 2}, ops::detail::GemmKernelShape{14, 2}}) {
    CAPTURE(shape.mr);
    for (const Case& c : sweep_cases()) {
      const auto run_blocked = [shape](const ops::gemm::Params& q, const float* a, const float* packed, float* out,
                                       float* scratch) {
        const auto kernel = [](int rows, int panels, const ops::detail::GemmTile& t) {
          kernels::gemm_tile(backend::scalar{}, rows, panels, t);
        };
        ops::detail::gemm_blocked(kernel, shape, q.m, q.n, q.k,
                                  ops::detail::GemmRowPacker{a, ops::gemm::effective_lda(q)}, packed, out,
                                  ops::gemm::effective_ldc(q), q.activation, scratch);
      };
      check_case(c, rng, run_blocked, ops::detail::gemm_blocked_scratch_floats(c.m, c.k));
    }
  }
}

TEST_CASE("gemm: every backend's A-panel packer equals the element loop (rows up to the tile height, null rows)") {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (BackendId id : runnable_backends()) {
    CAPTURE(backend::name_of(id));
    int max_rows = 16;
    ops::detail::GemmPackRowsFn pack = nullptr;
    backend::dispatch(id, [&](auto tag) noexcept {
      const int mr = kernels::gemm_kernel_shape(tag).mr;
      if (mr > 0) max_rows = mr;
      pack = kernels::gemm_pack_rows_fn(tag);
    });
    for (int rows = 1; rows <= max_rows; ++rows) {
      for (std::int64_t kc : {1, 3, 7, 8, 9, 15, 16, 17, 33, 64, 100}) {
        CAPTURE(rows);
        CAPTURE(kc);
        std::vector<float> source(static_cast<std::size_t>(rows * (kc + 3)));
        for (float& x : source) x = dist(rng);
        std::vector<const float*> src(static_cast<std::size_t>(rows));
        for (int r = 0; r < rows; ++r) src[r] = (r % 5 == 3) ? nullptr : source.data() + r * (kc + 3) + (r % 3);
        // A canary float after the packed block: the packer must write exactly kc * rows floats.
        std::vector<float> got(static_cast<std::size_t>(kc * rows + 1), 42.0f);
        pack(rows, src.data(), kc, got.data());
        bool same = got.back() == 42.0f;
        for (std::int64_t kk = 0; kk < kc; ++kk) {
          for (int r = 0; r < rows; ++r) {
            const float want = src[r] == nullptr ? 0.0f : src[r][kk];
            same = same && got[kk * rows + r] == want;
          }
        }
        CHECK(same);
      }
    }
  }
}

TEST_CASE("gemm: prepare rejects bad sizes and strides with a message") {
  ops::gemm::Params p = gemm_params(4, 5, 6);
  CHECK(ops::gemm::prepare(p).ok());
  p.lda = 3;
  const Status s = ops::gemm::prepare(p);
  CHECK_FALSE(s.ok());
  CHECK(std::string(s.message()).find("lda=3") != std::string::npos);
  p = gemm_params(-1, 5, 6);
  CHECK_FALSE(ops::gemm::prepare(p).ok());
  p = gemm_params(1, 5, 6, 0, 2);
  CHECK_FALSE(ops::gemm::prepare(p).ok());
}

TEST_CASE("gemm: weights pack at compile time") {
  static constexpr ops::gemm::Params p = [] {
    ops::gemm::Params q;
    q.m = 1;
    q.n = 2;
    q.k = 2;
    return q;
  }();
  constexpr auto packed = [] {
    std::array<float, ops::gemm::packed_weights_size(p)> out{};
    const float b[4] = {1, 2, 3, 4};  // [K][N]
    const float bias[2] = {10, 20};
    ops::gemm::pack_weights(p, b, ops::gemm::WeightLayout::kn, bias, out.data());
    return out;
  }();
  static_assert(packed.size() == 16 * 2 + 16);
  static_assert(packed[0] == 1 && packed[1] == 2 && packed[2] == 0 && packed[16] == 3 && packed[17] == 4);
  static_assert(packed[32] == 10 && packed[33] == 20 && packed[34] == 0);
  CHECK(packed[17] == 4);
}
