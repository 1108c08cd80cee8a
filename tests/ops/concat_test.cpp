// ops/concat.hpp and ops/split.hpp: concatenation and its inverse against index arithmetic.
#include "tinynn/ops/concat.hpp"
#include "ops/eltwise_test_support.hpp"
#include "tinynn/ops/split.hpp"

using namespace tinynn;
using namespace eltwise_test;

TEST_CASE("concat then split: random shapes and axes round-trip, element by element") {
  for (int trial = 0; trial < 80; ++trial) {
    const auto rank = static_cast<std::size_t>(random_int(1, 5));
    DynShape base;
    for (std::size_t d = 0; d < rank; ++d) (void)base.push_back(random_int(1, 6));
    const auto axis = static_cast<std::size_t>(random_int(0, static_cast<std::int64_t>(rank) - 1));
    const auto count = static_cast<std::size_t>(random_int(1, 4));
    std::vector<DynShape> shapes(count, base);
    std::vector<std::vector<float>> data(count);
    std::vector<const float*> pointers;
    for (std::size_t k = 0; k < count; ++k) {
      shapes[k][axis] = random_int(0, 5);
      data[k] = random_floats(shapes[k].size());
      pointers.push_back(data[k].data());
    }
    ops::concat::Params p;
    p.axis =
        trial % 2 ? static_cast<std::int64_t>(axis) : static_cast<std::int64_t>(axis) - static_cast<std::int64_t>(rank);
    REQUIRE(ops::concat::prepare(p, shapes).ok());
    std::vector<float> y(p.output.size());
    ops::concat::run<float>(p, pointers, shapes, y.data());
    // Reference: every output element comes from the input whose axis range holds its index.
    for (std::size_t i = 0; i < y.size(); ++i) {
      auto index = unravel(i, p.output);
      std::size_t k = 0;
      while (index[axis] >= shapes[k][axis]) index[axis] -= shapes[k++][axis];
      REQUIRE(y[i] == data[k][ravel(index, shapes[k])]);
    }
    // Split back with the same sizes.
    ops::split::Params sp;
    sp.axis = p.axis;
    sp.input = p.output;
    std::vector<std::int64_t> sizes;
    for (auto& s : shapes) sizes.push_back(s[axis]);
    std::vector<DynShape> out_shapes(count);
    REQUIRE(ops::split::prepare(sp, sizes, out_shapes).ok());
    std::vector<std::vector<float>> parts(count);
    std::vector<float*> out_pointers;
    for (std::size_t k = 0; k < count; ++k) {
      CHECK(out_shapes[k] == shapes[k]);
      parts[k].assign(shapes[k].size(), -1.0f);
      out_pointers.push_back(parts[k].data());
    }
    ops::split::run<float>(sp, y.data(), out_pointers, out_shapes);
    for (std::size_t k = 0; k < count; ++k) CHECK(parts[k] == data[k]);
  }
}

TEST_CASE("concat: int8 data and mismatched shapes") {
  const DynShape shapes[] = {DynShape{2, 2}, DynShape{2, 1}};
  const std::int8_t a[] = {1, 2, 3, 4}, b[] = {5, 6};
  const std::int8_t* inputs[] = {a, b};
  ops::concat::Params p;
  p.axis = 1;
  REQUIRE(ops::concat::prepare(p, shapes).ok());
  std::int8_t y[6];
  ops::concat::run<std::int8_t>(p, inputs, shapes, y);
  const std::int8_t want[] = {1, 2, 5, 3, 4, 6};
  for (int i = 0; i < 6; ++i) CHECK(y[i] == want[i]);
  p.axis = 0;
  auto s = ops::concat::prepare(p, shapes);
  CHECK(!s.ok());
  CHECK(std::string(s.message()).find("input 1") != std::string::npos);
}

TEST_CASE("split: equal parts (ONNX: the last may be smaller) and bad sizes") {
  ops::split::Params p;
  p.input = DynShape{7, 2};
  std::vector<DynShape> out(3);
  REQUIRE(ops::split::prepare(p, {}, out).ok());
  CHECK(out[0][0] == 3);
  CHECK(out[1][0] == 3);
  CHECK(out[2][0] == 1);
  const std::int64_t bad[] = {3, 3, 3};
  CHECK(!ops::split::prepare(p, bad, out).ok());
}
