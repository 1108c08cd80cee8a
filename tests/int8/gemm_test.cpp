// The int8 GEMM kernels (scalar, AVX2, AVX-VNNI, AVX512-VNNI) are bit-exact with each other on random
// shapes, and the GEMM paths of quantized conv2d / fully connected are bit-exact with the direct
// scalar kernels (which conv2d_test checks against independent reference loops). Kernels the CPU
// lacks report themselves skipped.
#include <doctest/doctest.h>

#include <limits>
#include <random>
#include <vector>

#include "int8/reference.hpp"
#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/ops/quantized/conv2d.hpp"
#include "tinynn/ops/quantized/fully_connected.hpp"
#include "tinynn/ops/quantized/gemm.hpp"

using namespace tinynn;
using namespace tinynn::ops::quantized;
namespace ref = int8_reference;

TEST_CASE("int8 GEMM kernels equal the scalar kernel and a plain loop") {
  std::mt19937 rng(41);
  const GemmKernel kernels[] = {GemmKernel::avx2, GemmKernel::avx_vnni,     GemmKernel::avx512_vnni,
                                GemmKernel::neon, GemmKernel::neon_dotprod, GemmKernel::sve};
  const char* names[] = {"avx2", "avx-vnni", "avx512-vnni", "neon", "neon-sdot", "sve-sdot"};
  int compared = 0;
  for (int i = 0; i < 6; ++i) {
    if (gemm_kernel_available(kernels[i])) {
      MESSAGE("comparing ", std::string(names[i]), " with scalar");
      ++compared;
    } else {
      MESSAGE("skipped: ", std::string(names[i]), " (not compiled in or the CPU lacks it)");
    }
  }
#if defined(__aarch64__)
  // The aarch64 cross tests must exercise plain NEON, and sdot (neon binary) or svdot (sve binary).
  REQUIRE(gemm_kernel_available(GemmKernel::neon));
#if defined(__ARM_FEATURE_SVE)
  REQUIRE(gemm_kernel_available(GemmKernel::sve));
#elif defined(__ARM_FEATURE_DOTPROD)
  REQUIRE(gemm_kernel_available(GemmKernel::neon_dotprod));
#endif
#endif
  (void)compared;
  for (int t = 0; t < 300; ++t) {
    const int m = ref::random_int(rng, 1, 37), n = ref::random_int(rng, 1, 70), k = ref::random_int(rng, 1, 300);
    const auto w = ref::random_vector<std::int8_t>(rng, static_cast<std::size_t>(n) * k, -128, 127);
    std::vector<std::int8_t> packed(packed_weights_bytes(n, k));
    std::vector<std::int32_t> sums(static_cast<std::size_t>(n));
    const auto pw = pack_weights(w.data(), n, k, packed.data(), sums.data());
    const std::size_t lda = static_cast<std::size_t>(pw.k4) + static_cast<std::size_t>(t % 3) * 4;
    std::vector<std::uint8_t> u(static_cast<std::size_t>(m) * lda, 0);
    for (int r = 0; r < m; ++r)
      for (int i = 0; i < k; ++i)
        u[static_cast<std::size_t>(r) * lda + i] = static_cast<std::uint8_t>(ref::random_int(rng, 0, 255));
    std::vector<std::int32_t> expected(static_cast<std::size_t>(m) * pw.n16, 0);
    gemm_u8s8(GemmKernel::scalar, u.data(), m, lda, pw, expected.data());
    for (int r = 0; r < m; ++r)
      for (int o = 0; o < n; ++o) {
        std::int64_t s = 0;
        for (int i = 0; i < k; ++i)
          s += std::int64_t{u[static_cast<std::size_t>(r) * lda + i]} * w[static_cast<std::size_t>(o) * k + i];
        REQUIRE(expected[static_cast<std::size_t>(r) * pw.n16 + o] == s);
      }
    for (GemmKernel kernel : kernels) {
      if (!gemm_kernel_available(kernel)) continue;
      std::vector<std::int32_t> got(expected.size(), -7);
      gemm_u8s8(kernel, u.data(), m, lda, pw, got.data());
      for (int r = 0; r < m; ++r)
        for (int o = 0; o < n; ++o)
          REQUIRE(got[static_cast<std::size_t>(r) * pw.n16 + o] == expected[static_cast<std::size_t>(r) * pw.n16 + o]);
    }
  }
}

TEST_CASE("quantized conv2d and fully connected: the GEMM path on every available backend equals the direct kernel") {
  std::mt19937 rng(42);
  std::vector<backend::BackendId> ids = {backend::BackendId::scalar};
  for (auto id :
       {backend::BackendId::avx2, backend::BackendId::avx512, backend::BackendId::neon, backend::BackendId::sve}) {
    if (backend_available(id)) ids.push_back(id);
  }
  for (int t = 0; t < 300; ++t) {
    const int h = ref::random_int(rng, 1, 12), wd = ref::random_int(rng, 1, 12), c = ref::random_int(rng, 1, 40);
    const int oc = ref::random_int(rng, 1, t % 4 == 0 ? 140 : 50), kh = ref::random_int(rng, 1, 3),
              kw = ref::random_int(rng, 1, 3);
    const int s = ref::random_int(rng, 1, 2), pt = ref::random_int(rng, 0, 1), pl = ref::random_int(rng, 0, 1);
    const int oh = (h + 2 * pt - kh) / s + 1, ow = (wd + 2 * pl - kw) / s + 1;
    if (oh <= 0 || ow <= 0) continue;
    const int in_zp = ref::random_int(rng, -128, 127), out_zp = ref::random_int(rng, -128, 127);
    const auto in = ref::random_vector<std::int8_t>(rng, static_cast<std::size_t>(h) * wd * c);
    const auto filter = ref::random_vector<std::int8_t>(rng, static_cast<std::size_t>(oc) * kh * kw * c, -127, 127);
    // Both roundings, per-channel and per-tensor multipliers, real multipliers above 1 (left
    // shifts) and tiny ones (right shifts of 31), biases that saturate the int32 accumulator, and
    // (every 10th case) a bias so large that the fused VNNI epilogue must fall back.
    const Rounding rounding = t % 2 ? Rounding::single_rounding : Rounding::double_rounding;
    const bool per_channel = t % 3 != 0;
    std::vector<std::int32_t> bias(static_cast<std::size_t>(oc));
    for (auto& b : bias) b = ref::random_int(rng, -30000, 30000);
    if (t % 7 == 0) bias[0] = std::numeric_limits<std::int32_t>::max() - ref::random_int(rng, 0, 100000);
    if (t % 10 == 5) bias[0] = std::numeric_limits<std::int32_t>::min();
    std::vector<QuantizedMultiplier> m(static_cast<std::size_t>(oc));
    for (auto& q : m) {
      const int kind = ref::random_int(rng, 0, 9);
      const double real = kind == 0   ? ref::random_real(rng, 1.0, 300.0)
                          : kind == 1 ? ref::random_real(rng, 1e-10, 1e-8)
                                      : ref::random_real(rng, 0.0001, 0.01);
      q = quantize_multiplier(real, rounding);
    }
    const Conv2DParams p{1,
                         h,
                         wd,
                         c,
                         oh,
                         ow,
                         oc,
                         kh,
                         kw,
                         s,
                         s,
                         1,
                         1,
                         {pt, pl, pt, pl},
                         in_zp,
                         0,
                         OutputStage{m.data(), per_channel, out_zp,
                                     activation_range<std::int8_t>(FusedActivation::relu, 0.05f, out_zp), rounding}};
    REQUIRE(prepare(p).ok());
    std::vector<std::int8_t> expected(static_cast<std::size_t>(oh) * ow * oc);
    conv2d(backend::scalar{}, p, in.data(), filter.data(), bias.data(), expected.data());
    std::vector<std::int8_t> packed(packed_weights_bytes(oc, kh * kw * c));
    std::vector<std::int32_t> sums(static_cast<std::size_t>(oc));
    const auto pw = pack_conv2d_weights(p, filter.data(), packed.data(), sums.data());
    std::vector<std::byte> scratch(conv2d_gemm_scratch_bytes(p));
    for (auto id : ids) {
      std::vector<std::int8_t> got(expected.size(), 3);
      conv2d(id, p, in.data(), pw, bias.data(), got.data(), scratch.data());
      REQUIRE_MESSAGE(got == expected, backend::name_of(id));
    }
    // Fully connected: the same data as [h*w rows][c] x [oc][c].
    const FullyConnectedParams f{h * wd, c, oc,
                                 in_zp,  0, OutputStage{m.data(), per_channel, out_zp, {-128, 127}, rounding}};
    const auto fw = ref::random_vector<std::int8_t>(rng, static_cast<std::size_t>(oc) * c, -127, 127);
    std::vector<std::int8_t> fexpected(static_cast<std::size_t>(h) * wd * oc);
    fully_connected(backend::scalar{}, f, in.data(), fw.data(), bias.data(), fexpected.data());
    std::vector<std::int8_t> fpacked(packed_weights_bytes(oc, c));
    const auto fpw = pack_weights(fw.data(), oc, c, fpacked.data(), sums.data());
    std::vector<std::byte> fscratch(fully_connected_gemm_scratch_bytes(f));
    for (auto id : ids) {
      std::vector<std::int8_t> got(fexpected.size(), 3);
      fully_connected(id, f, in.data(), fpw, bias.data(), got.data(), fscratch.data());
      REQUIRE_MESSAGE(got == fexpected, backend::name_of(id));
    }
  }
  MESSAGE("fused requantizing GEMM (VNNI) on this CPU: ", std::string(has_fused_gemm(runtime_backend()) ? "yes" : "no"),
          "; backends compared with scalar: ", ids.size(),
          ", int8 GEMM kernel on this CPU: ", std::string(gemm_isa(runtime_backend())));
}
