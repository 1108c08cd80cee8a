// Host build of a firmware program: the same network, weights and input on the host, printing the
// same lines; `--compare <file>` checks a firmware run's outputs (CTest: examples/firmware/compare.cmake).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "app.hpp"

int fw::compare_with_firmware(const char* path, const float* values, std::size_t count) {
  std::FILE* file = std::fopen(path, "r");
  if (file == nullptr) {
    std::printf("cannot open firmware output %s\n", path);
    return 2;
  }
  std::vector<bool> seen(count, false);
  char line[256];
  int failures = 0;
  while (std::fgets(line, sizeof line, file) != nullptr) {
    if (std::strncmp(line, "FAULT", 5) == 0) ++failures;
    unsigned long index = 0;
    double value = 0;
    if (std::sscanf(line, "out %lu %lf", &index, &value) != 2) continue;
    if (index >= count) {
      std::printf("firmware printed out %lu, but the network has %zu outputs\n", index, count);
      ++failures;
      continue;
    }
    seen[index] = true;
    const double expected = values[index];
    // Float results differ in the last bits between x86 and Cortex-M (FMA contraction, libm):
    // allow 1e-4 relative, far below any real error but above rounding noise.
    if (!(std::fabs(value - expected) <= 1e-4 * std::fmax(1.0, std::fabs(expected)))) {
      std::printf("mismatch at out %lu: firmware %.6f, host %.6f\n", index, value, expected);
      ++failures;
    }
  }
  std::fclose(file);
  for (std::size_t i = 0; i < count; ++i) {
    if (!seen[i]) {
      std::printf("firmware did not print out %zu\n", i);
      ++failures;
    }
  }
  std::printf("%s: %zu outputs compared, %d failures\n", path, count, failures);
  return failures == 0 ? 0 : 1;
}

int main(int argc, char** argv) { return fw_program(argc, argv); }
