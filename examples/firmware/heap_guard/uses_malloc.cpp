// Must NOT link: firmware that allocates is rejected by the linker script's heap ASSERT
// (CTest firmware.heap_guard checks the message).
#include <cstdlib>

int fw_program(int, char**) {
  void* p = std::malloc(16);
  const int ok = p != nullptr;
  std::free(p);
  return ok ? 0 : 1;
}
