// A downstream project's program: uses tinynn as an installed package or as a subdirectory.
#include <tinynn/tinynn.hpp>

int main() {
  tinynn::Tensor<tinynn::f32, tinynn::Shape<3>> t;
  t[2] = 1.5f;
  return t.view()(2) == 1.5f ? 0 : 1;
}
