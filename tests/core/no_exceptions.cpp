// Built with -fno-exceptions -fno-rtti: the core (and nn/, once present) must compile and work so.
#include "tinynn/tinynn.hpp"

#if __has_include("tinynn/nn.hpp")
#include "tinynn/nn.hpp"
#endif

int main() {
  using namespace tinynn;
  Tensor<f32, Shape<2, 3>> t;
  t(1, 2) = 5.0f;
  alignas(64) std::byte buffer[256];
  Arena arena(buffer);
  auto block = arena.allocate(100);
  auto too_big = arena.allocate(1000);
  const Result<TensorView<f32, Shape<2, 3>>> view = TensorRef(t).as<f32, Shape<2, 3>>();
  const bool good = t.storage[5] == 5.0f && block.ok() && !too_big.ok() && view.ok() && (*view)(1, 2) == 5.0f;
  return good ? 0 : 1;
}
