// A reshaped view whose element count differs from the tensor's must not compile.
// expect: tinynn: view shape does not match the tensor's shape
#include "tinynn/tinynn.hpp"

int main() {
  tinynn::Tensor<tinynn::f32, tinynn::Shape<2, 3>> t;
  tinynn::TensorView<tinynn::f32, tinynn::Shape<4, 2>> v = tinynn::view_as<tinynn::Shape<4, 2>>(t);
  (void)v;
}
