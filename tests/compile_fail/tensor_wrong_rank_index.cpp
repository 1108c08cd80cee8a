// Indexing a rank-2 tensor with three indices must not compile.
// expect: tinynn: number of indices must equal the tensor's rank
#include "tinynn/tinynn.hpp"

int main() {
  tinynn::Tensor<tinynn::f32, tinynn::Shape<2, 3>> t;
  return static_cast<int>(t.at(0, 1, 2));
}
