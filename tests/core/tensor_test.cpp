#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "tinynn/tensor.hpp"

using namespace tinynn;

TEST_CASE("Tensor: aligned, indexed row-major") {
  Tensor<f32, Shape<2, 3, 4>> t;
  CHECK(reinterpret_cast<std::uintptr_t>(t.data()) % tensor_alignment == 0);
  static_assert(alignof(Tensor<i8, Shape<3>>) == tensor_alignment);
  static_assert(Tensor<f32, Shape<2, 3, 4>>::bytes == 96);
  for (std::size_t i = 0; i < t.size; ++i) t[i] = static_cast<float>(i);
  CHECK(t(1, 2, 3) == 1 * 12 + 2 * 4 + 3);
  CHECK(t(0, 1, 0) == 4);
  auto v = t.view();
  v(1, 0, 0) = -1.0f;
  CHECK(t[12] == -1.0f);
  TensorView<const f32, Shape<2, 3, 4>> read_only = v;
  CHECK(read_only(1, 0, 0) == -1.0f);
  static_assert(std::is_same_v<decltype(read_only.data()), const float*>);
}

TEST_CASE("TensorRef: checked conversion to a static view") {
  Tensor<f32, Shape<4, 5>> t;
  t(3, 4) = 7.0f;
  const TensorRef ref(t);
  CHECK(ref.dtype == DType::f32);
  CHECK(ref.shape == DynShape{4, 5});
  CHECK(ref.bytes() == 80);

  auto good = ref.as<f32, Shape<4, 5>>();
  REQUIRE(good.ok());
  CHECK((*good)(3, 4) == 7.0f);

  auto wrong_shape = ref.as<f32, Shape<5, 4>>();
  REQUIRE_FALSE(wrong_shape.ok());
  CHECK(std::string(wrong_shape.error().message()) == "tensor has shape [4, 5], expected [5, 4]");

  auto wrong_type = ref.as<i8, Shape<4, 5>>();
  REQUIRE_FALSE(wrong_type.ok());
  CHECK(std::string(wrong_type.error().message()) == "tensor has dtype f32, expected i8");
}

TEST_CASE("Tensor: rank-1 and empty tensors") {
  Tensor<i32, Shape<3>> v;
  v[2] = 9;
  CHECK(v.view()(2) == 9);
  Tensor<f32, Shape<0, 4>> empty;
  CHECK(empty.size == 0);
  CHECK(TensorRef(empty).as<f32, Shape<0, 4>>().ok());
}

TEST_CASE("view_as: a free reshape over the same storage") {
  Tensor<f32, Shape<2, 3>> t;
  for (std::size_t i = 0; i < t.size; ++i) t[i] = static_cast<float>(i);
  auto flat = view_as<Shape<6>>(t);
  CHECK(flat(5) == 5.0f);
  auto transposed_shape = view_as<Shape<3, 2>>(t);
  CHECK(transposed_shape(2, 1) == 5.0f);
  CHECK(t.at(1, 2) == 5.0f);
}
