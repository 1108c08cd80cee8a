// tinynn — Arena: aligned bump allocation over a buffer the caller provides. No heap; reset()
// frees everything at once; high_water() is the most ever in use, the figure to size a buffer by.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "tinynn/config.hpp"
#include "tinynn/status.hpp"

namespace tinynn {

class Arena {
 public:
  constexpr Arena() noexcept = default;
  constexpr explicit Arena(std::span<std::byte> buffer) noexcept : buffer_(buffer) {}

  /// `bytes` bytes aligned to `alignment` (a power of two), or out_of_memory naming both figures.
  [[nodiscard]] Result<std::span<std::byte>> allocate(std::size_t bytes,
                                                      std::size_t alignment = tensor_alignment) noexcept {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
      return error(ErrorCode::invalid_argument, "arena: alignment ", alignment, " is not a power of two");
    }
    const auto base = reinterpret_cast<std::uintptr_t>(buffer_.data());
    const std::uintptr_t current = base + used_;
    const std::uintptr_t aligned = (current + (alignment - 1)) & ~static_cast<std::uintptr_t>(alignment - 1);
    const std::size_t padding = static_cast<std::size_t>(aligned - current);
    const std::size_t available = buffer_.size() - used_;
    if (padding > available || bytes > available - padding) {
      return error(ErrorCode::out_of_memory, "arena: requested ", bytes, " bytes (alignment ", alignment, "), ",
                   available, " of ", buffer_.size(), " available");
    }
    std::byte* start = buffer_.data() + used_ + padding;
    used_ += padding + bytes;
    if (used_ > high_water_) high_water_ = used_;
    return std::span<std::byte>(start, bytes);
  }

  /// Typed allocation of `count` elements of T.
  template <class T>
  [[nodiscard]] Result<std::span<T>> allocate_array(std::size_t count,
                                                    std::size_t alignment = tensor_alignment) noexcept {
    if (count > SIZE_MAX / sizeof(T)) {
      return error(ErrorCode::out_of_memory, "arena: ", count, " elements of ", sizeof(T), " bytes overflow");
    }
    auto bytes = allocate(count * sizeof(T), alignment < alignof(T) ? alignof(T) : alignment);
    if (!bytes) return std::move(bytes).error();
    return std::span<T>(reinterpret_cast<T*>(bytes->data()), count);
  }

  constexpr void reset() noexcept { used_ = 0; }
  [[nodiscard]] constexpr std::size_t used() const noexcept { return used_; }
  [[nodiscard]] constexpr std::size_t high_water() const noexcept { return high_water_; }
  [[nodiscard]] constexpr std::size_t capacity() const noexcept { return buffer_.size(); }

 private:
  std::span<std::byte> buffer_;
  std::size_t used_ = 0;
  std::size_t high_water_ = 0;
};

/// Bytes needed to place buffers of the given sizes one after another, each aligned.
[[nodiscard]] constexpr std::size_t align_up(std::size_t bytes, std::size_t alignment = tensor_alignment) noexcept {
  return (bytes + alignment - 1) / alignment * alignment;
}

}  // namespace tinynn
