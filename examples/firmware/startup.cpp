// Cortex-M startup for tinynn's firmware under qemu: vector table, FPU/MVE enable, .data copy,
// .bss clear, C++ constructors, stack painting (for the high-water mark), main(), semihosting exit.
#include <cstddef>
#include <cstdint>

#include "runtime.hpp"

extern "C" {
extern std::uint32_t __data_start, __data_end, __data_load, __bss_start, __bss_end, __stack_top;
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
[[noreturn]] void Reset_Handler();
void Fault_Handler();
}
int fw_program(int argc, char** argv);
extern "C" {}

namespace {

constexpr std::uint32_t stack_paint = 0x5AC0FFEEu;
constexpr std::size_t painted_bytes = 64 * 1024;  // the part of the stack region checked for use

// Linker symbols are addresses, not arrays: do the arithmetic on integers.
std::uintptr_t address(const void* symbol) { return reinterpret_cast<std::uintptr_t>(symbol); }
std::uint32_t* word_at(std::uintptr_t a) { return reinterpret_cast<std::uint32_t*>(a); }

std::uintptr_t painted_bottom() {
  const std::uintptr_t top = address(&__stack_top), bss_end = address(&__bss_end);
  return top - painted_bytes < bss_end ? bss_end : top - painted_bytes;
}

using Vector = void (*)();

}  // namespace

// Initial SP, reset, NMI, HardFault, MemManage, BusFault, UsageFault, 4 reserved, SVC, DebugMon, reserved, PendSV,
// SysTick.
[[gnu::section(".vectors"), gnu::used]] const Vector vector_table[16] = {reinterpret_cast<Vector>(&__stack_top),
                                                                         Reset_Handler,
                                                                         Fault_Handler,
                                                                         Fault_Handler,
                                                                         Fault_Handler,
                                                                         Fault_Handler,
                                                                         Fault_Handler,
                                                                         nullptr,
                                                                         nullptr,
                                                                         nullptr,
                                                                         nullptr,
                                                                         Fault_Handler,
                                                                         Fault_Handler,
                                                                         nullptr,
                                                                         Fault_Handler,
                                                                         Fault_Handler};

extern "C" void Fault_Handler() {
  fw::write_text("FAULT\n");
  fw::exit_with(99);
}

extern "C" [[noreturn]] void Reset_Handler() {
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
  auto* cpacr = reinterpret_cast<volatile std::uint32_t*>(0xE000ED88);
  *cpacr = *cpacr | (0xFu << 20);  // CP10, CP11 full access: without it the first FP instruction faults
  asm volatile("dsb\n\tisb" ::: "memory");
#endif
  const std::uint32_t* src = &__data_load;
  for (std::uint32_t* dst = &__data_start; dst < &__data_end;) *dst++ = *src++;
  for (std::uint32_t* dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
  // Paint the unused stack (up to a little below the current frame) so that main's use shows.
  std::uint32_t marker = 0;
  const std::uintptr_t limit = address(&marker) - 256;
  for (std::uintptr_t a = painted_bottom(); a < limit; a += 4) *word_at(a) = stack_paint;
  for (auto* init = __init_array_start; init != __init_array_end; ++init) (*init)();
  fw::exit_with(fw_program(0, nullptr));
}

std::size_t fw::stack_high_water() {
  const std::uintptr_t top = address(&__stack_top);
  std::uintptr_t a = painted_bottom();
  while (a < top && *word_at(a) == stack_paint) a += 4;
  return top - a;
}
