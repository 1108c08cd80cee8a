// A layer without parameters (here the MaxPool2D, layer 2) has no slot in Net::Params.
// expect: tinynn::nn: this layer has no parameter slot (layers without weights, and a BatchNorm folded
#include "tinynn/nn.hpp"
using namespace tinynn;
using Net = nn::Sequential<nn::Input<f32, 8, 8, 1>, nn::Conv2D<2, 3, 3>, nn::MaxPool2D<2>>;
int main() {
  static Net::Params params{};
  return static_cast<int>(params.get<2>().packed[0]);
}
