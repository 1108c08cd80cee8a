#include <doctest/doctest.h>

#include "tinynn/dtype.hpp"

using namespace tinynn;

static_assert(DTypeTag<f32> && DTypeTag<const qi8> && !DTypeTag<float>);
static_assert(std::is_same_v<element_t<const f32>, const float>);
static_assert(std::is_same_v<element_t<qi8>, std::int8_t>);
static_assert(dtype_of<u8> == DType::u8);

TEST_CASE("dtype: runtime names and sizes agree with the tags") {
  CHECK(dtype_size(f32::id) == sizeof(f32::value_type));
  CHECK(dtype_size(i8::id) == sizeof(i8::value_type));
  CHECK(dtype_size(u8::id) == sizeof(u8::value_type));
  CHECK(dtype_size(i32::id) == sizeof(i32::value_type));
  CHECK(dtype_size(qi8::id) == sizeof(qi8::value_type));
  CHECK(dtype_size(i64::id) == sizeof(i64::value_type));
  CHECK(dtype_name(qi8::id) == qi8::name);
  CHECK(dtype_name(f32::id) == "f32");
  CHECK(dtype_is_quantized(DType::qi8));
  CHECK_FALSE(dtype_is_quantized(DType::i8));
  for (int i = 0; i < dtype_count; ++i) {
    CHECK(dtype_size(static_cast<DType>(i)) > 0);
    CHECK(dtype_name(static_cast<DType>(i)) != "?");
  }
}
