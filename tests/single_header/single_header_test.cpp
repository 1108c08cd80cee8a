// Compiled with only single_include/ on the include path: the amalgamation must stand alone.
#include "tinynn/tinynn.hpp"

int main() {
  using namespace tinynn;
  Tensor<f32, Shape<2, 2>> t;
  t(1, 1) = 3.0f;
  auto view = TensorRef(t).as<f32, Shape<2, 2>>();
  return view.ok() && (*view)(1, 1) == 3.0f ? 0 : 1;
}
