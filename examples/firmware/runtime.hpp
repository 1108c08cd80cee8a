// tinynn firmware runtime: text output and exit through Arm semihosting on Cortex-M (qemu prints it
// and exits with the code), stdio on the host build of the same program. Numbers are formatted by
// hand: no printf, no heap.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__arm__)
namespace fw {

inline std::uintptr_t semihost(std::uintptr_t op, const void* arg) {
  register std::uintptr_t r0 asm("r0") = op;
  register const void* r1 asm("r1") = arg;
  asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
inline void write_text(const char* text) { semihost(0x04, text); }  // SYS_WRITE0
[[noreturn]] inline void exit_with(int code) {
  const std::uintptr_t block[2] = {0x20026, static_cast<std::uintptr_t>(code)};  // ADP_Stopped_ApplicationExit
  semihost(0x20, block);                                                         // SYS_EXIT_EXTENDED
  for (;;) {
  }
}
/// Bytes of stack used so far (the startup code painted the stack region; see startup.cpp).
std::size_t stack_high_water();

}  // namespace fw
#else
#include <cstdio>
#include <cstdlib>
namespace fw {
inline void write_text(const char* text) { std::fputs(text, stdout); }
[[noreturn]] inline void exit_with(int code) { std::exit(code); }
inline std::size_t stack_high_water() { return 0; }
}  // namespace fw
#endif

namespace fw {

/// Appends decimal `value` to `out`; returns the new end. (std::size_t: 32-bit division on the target.)
inline char* format_unsigned(char* out, std::size_t value) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) *out++ = digits[--n];
  return out;
}

/// Appends `value` with 6 decimals (enough to compare firmware and host outputs). Single precision
/// only, so that the firmware links no soft-float double routines.
inline char* format_float(char* out, float value) {
  if (value != value) {
    for (const char* s = "nan"; *s;) *out++ = *s++;
    return out;
  }
  if (value < 0) {
    *out++ = '-';
    value = -value;
  }
  if (value >= 1e9f) {
    for (const char* s = "huge"; *s;) *out++ = *s++;
    return out;
  }
  auto whole = static_cast<std::uint32_t>(value);
  auto frac = static_cast<std::uint32_t>((value - static_cast<float>(whole)) * 1e6f + 0.5f);
  if (frac >= 1000000u) {
    ++whole;
    frac -= 1000000u;
  }
  out = format_unsigned(out, whole);
  *out++ = '.';
  for (std::uint32_t div = 100000; div > 0; div /= 10) *out++ = static_cast<char>('0' + frac / div % 10);
  return out;
}

/// Writes "<label> <number>\n".
inline void print_value(const char* label, std::size_t value) {
  char line[96];
  char* p = line;
  while (*label && p < line + 60) *p++ = *label++;
  *p++ = ' ';
  p = format_unsigned(p, value);
  *p++ = '\n';
  *p = '\0';
  write_text(line);
}

/// Writes "out <index> <value>\n" for every element.
inline void print_outputs(const float* values, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    char line[64];
    char* p = line;
    for (const char* s = "out "; *s;) *p++ = *s++;
    p = format_unsigned(p, i);
    *p++ = ' ';
    p = format_float(p, values[i]);
    *p++ = '\n';
    *p = '\0';
    write_text(line);
  }
}

/// Deterministic pseudo-random values in [-scale, scale] (constexpr: the same on host and target).
struct Lcg {
  std::uint32_t state;
  constexpr float next(float scale) {
    state = state * 1664525u + 1013904223u;
    return (static_cast<float>(state >> 8) / 16777216.0f * 2.0f - 1.0f) * scale;
  }
};

}  // namespace fw
