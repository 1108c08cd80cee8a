#include <doctest/doctest.h>

#include <limits>
#include <string>

#include "tinynn/shape.hpp"

using namespace tinynn;

using NHWC = Shape<1, 28, 28, 3>;
static_assert(NHWC::rank == 4);
static_assert(NHWC::size == 1 * 28 * 28 * 3);
static_assert(NHWC::stride<0> == 28 * 28 * 3);
static_assert(NHWC::stride<1> == 28 * 3);
static_assert(NHWC::stride<2> == 3);
static_assert(NHWC::stride<3> == 1);
static_assert(NHWC::dim<1> == 28);
static_assert(NHWC::offset(0, 2, 5, 1) == 2 * 84 + 5 * 3 + 1);
static_assert(Shape<>::rank == 0 && Shape<>::size == 1);
static_assert(Shape<4, 0>::size == 0);
static_assert(Shape<2, 3>{} == Shape<2, 3>{});
static_assert(!(Shape<2, 3>{} == Shape<3, 2>{}));
static_assert(!(Shape<2, 3>{} == Shape<2, 3, 1>{}));
static_assert(same_shape_v<Shape<5>, Shape<5>>);
static_assert(StaticShape<NHWC> && !StaticShape<int>);
static_assert(DynShape{1, 2, 3}.size() == 6);
static_assert(DynShape::of(NHWC{}) == DynShape{1, 28, 28, 3});

TEST_CASE("DynShape: strides and element count against a plain loop") {
  const DynShape s{2, 3, 4, 5};
  CHECK(s.rank() == 4);
  std::size_t expected = 1;
  for (std::size_t i = s.rank(); i-- > 0;) {
    CHECK(s.stride(i) == expected);
    expected *= static_cast<std::size_t>(s[i]);
  }
  CHECK(*s.element_count() == 120);
  CHECK(std::string(s.str().view()) == "[2, 3, 4, 5]");
}

TEST_CASE("DynShape::from rejects what a hostile model could say") {
  const std::int64_t negative[] = {1, -3};
  auto bad = DynShape::from(negative);
  REQUIRE_FALSE(bad.ok());
  CHECK(std::string(bad.error().message()) == "negative dimension -3");

  const std::int64_t too_many[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  auto deep = DynShape::from(too_many);
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error().code() == ErrorCode::unsupported);

  const std::int64_t huge = std::numeric_limits<std::int64_t>::max() / 2;
  const std::int64_t overflow[] = {huge, 4};
  auto big = DynShape::from(overflow);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().code() == ErrorCode::out_of_memory);

  const std::int64_t empty[] = {3, 0, 7};
  auto zero = DynShape::from(empty);
  REQUIRE(zero.ok());
  CHECK(zero->size() == 0);
}

TEST_CASE("DynShape: push_back stops at max_rank") {
  DynShape s;
  for (std::size_t i = 0; i < max_rank; ++i) CHECK(s.push_back(2));
  CHECK_FALSE(s.push_back(2));
  CHECK(s.rank() == max_rank);
}
