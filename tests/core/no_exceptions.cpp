// Built with -fno-exceptions -fno-rtti: the core (and nn/, once present) must compile and work so.
#include "tinynn/tinynn.hpp"

#include "tinynn/nn.hpp"

int main() {
  using namespace tinynn;
  Tensor<f32, Shape<2, 3>> t;
  t(1, 2) = 5.0f;
  alignas(64) std::byte buffer[256];
  Arena arena(buffer);
  auto block = arena.allocate(100);
  auto too_big = arena.allocate(1000);
  const Result<TensorView<f32, Shape<2, 3>>> view = TensorRef(t).as<f32, Shape<2, 3>>();
  // A static network instantiated without exceptions/RTTI: Dense 3 -> 2 with ReLU, identity-like weights.
  using Net = nn::Sequential<nn::Input<f32, 3>, nn::Dense<2, nn::ReLU>>;
  static Net::Trained trained{};
  trained.get<1>().weights = {1, 0, 0, 0, 1, 0};
  trained.get<1>().bias = {0.5f, -10.0f};
  static const Net::Params params = Net::fold(trained);
  static Net::Arena net_arena;
  Tensor<f32, Shape<3>> input;
  input.storage = {1, 2, 3};
  const auto y = Net::run(params, input, net_arena);
  const bool net_good = y[0] == 1.5f && y[1] == 0.0f;
  const bool good =
      net_good && t.storage[5] == 5.0f && block.ok() && !too_big.ok() && view.ok() && (*view)(1, 2) == 5.0f;
  return good ? 0 : 1;
}
