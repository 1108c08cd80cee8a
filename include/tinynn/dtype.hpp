// tinynn — element types. Each dtype is an empty tag type (for static networks and kernels) with a
// runtime enum DType (for graphs). `qi8` is int8 storage carrying quantization parameters
// (per-tensor or per-channel scale and zero point, ../shared/DESIGN.md "Quantization").
#pragma once

#include <concepts>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "tinynn/config.hpp"

namespace tinynn {

enum class DType : std::uint8_t {
  f32,
  i8,
  u8,
  i32,
  qi8,
  i64,
  i16,
  boolean,
  f16,
};

inline constexpr int dtype_count = 9;

[[nodiscard]] constexpr std::size_t dtype_size(DType dtype) noexcept {
  switch (dtype) {
    case DType::f32: return 4;
    case DType::i8: return 1;
    case DType::u8: return 1;
    case DType::i32: return 4;
    case DType::qi8: return 1;
    case DType::i64: return 8;
    case DType::i16: return 2;
    case DType::boolean: return 1;
    case DType::f16: return 2;
  }
  return 0;
}

[[nodiscard]] constexpr std::string_view dtype_name(DType dtype) noexcept {
  switch (dtype) {
    case DType::f32: return "f32";
    case DType::i8: return "i8";
    case DType::u8: return "u8";
    case DType::i32: return "i32";
    case DType::qi8: return "qi8";
    case DType::i64: return "i64";
    case DType::i16: return "i16";
    case DType::boolean: return "bool";
    case DType::f16: return "f16";
  }
  return "?";
}

/// True for the dtypes whose values are stored as real numbers after dequantization.
[[nodiscard]] constexpr bool dtype_is_quantized(DType dtype) noexcept { return dtype == DType::qi8; }

// Tag types. `value_type` is the storage type of one element.
struct f32 {
  using value_type = float;
  static constexpr DType id = DType::f32;
  static constexpr std::string_view name = "f32";
};
struct i8 {
  using value_type = std::int8_t;
  static constexpr DType id = DType::i8;
  static constexpr std::string_view name = "i8";
};
struct u8 {
  using value_type = std::uint8_t;
  static constexpr DType id = DType::u8;
  static constexpr std::string_view name = "u8";
};
struct i32 {
  using value_type = std::int32_t;
  static constexpr DType id = DType::i32;
  static constexpr std::string_view name = "i32";
};
struct qi8 {
  using value_type = std::int8_t;
  static constexpr DType id = DType::qi8;
  static constexpr std::string_view name = "qi8";
};
struct i64 {
  using value_type = std::int64_t;
  static constexpr DType id = DType::i64;
  static constexpr std::string_view name = "i64";
};
struct i16 {
  using value_type = std::int16_t;
  static constexpr DType id = DType::i16;
  static constexpr std::string_view name = "i16";
};

/// What a dtype tag must provide. A const-qualified tag (const f32) names read-only elements.
template <class T>
concept DTypeTag = requires {
  typename std::remove_const_t<T>::value_type;
  { std::remove_const_t<T>::id } -> std::convertible_to<DType>;
  { std::remove_const_t<T>::name } -> std::convertible_to<std::string_view>;
}
&&std::is_empty_v<std::remove_const_t<T>>;

/// Element type of a tag; const when the tag is const.
template <DTypeTag T>
using element_t = std::conditional_t<std::is_const_v<T>, const typename std::remove_const_t<T>::value_type,
                                     typename std::remove_const_t<T>::value_type>;

template <DTypeTag T>
inline constexpr DType dtype_of = std::remove_const_t<T>::id;

static_assert(sizeof(f32::value_type) == dtype_size(DType::f32));
static_assert(sizeof(qi8::value_type) == dtype_size(DType::qi8));
static_assert(sizeof(i64::value_type) == dtype_size(DType::i64));

}  // namespace tinynn
