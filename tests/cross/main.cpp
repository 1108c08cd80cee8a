// doctest main of the aarch64 cross-built tests. Before the tests it prints the SVE vector length
// the binary runs at ("VL=<bits> bits") and, when TINYNN_EXPECT_SVE_BITS is set (CTest sets it per
// qemu vector length), fails unless the length is the one requested: each SVE run proves its VL.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>

#if defined(__ARM_FEATURE_SVE)
#include <arm_sve.h>
#endif

int main(int argc, char** argv) {
#if defined(__ARM_FEATURE_SVE)
  const long bits = static_cast<long>(svcntb()) * 8;
  std::printf("VL=%ld bits\n", bits);
  if (const char* expected = std::getenv("TINYNN_EXPECT_SVE_BITS")) {
    if (std::atol(expected) != bits) {
      std::printf("error: expected an SVE vector length of %s bits, running at %ld\n", expected, bits);
      return 1;
    }
  }
#endif
  doctest::Context context(argc, argv);
  return context.run();
}
