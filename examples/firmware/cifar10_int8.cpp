// The CMSIS-NN CIFAR-10 CNN as an int8 static network (nn/quantized.hpp): 32x32x3 int8 input, three
// 5x5 conv + ReLU + 3x3/2 max pool stages (each conv and its pool one step), a 10-way dense layer. Weights random
// (fixed seed), folded into multipliers at compile time. CMSIS-NN quotes 40 KB of activation RAM for this network.
#include "app_int8.hpp"

namespace {
namespace nn = tinynn::nn;
using Net = nn::zoo::Cifar10CnnInt8Fused;  // each conv + max pool fused into one step (QConvPool)

constexpr tinynn::QuantParams input_q{0.02f, -5}, relu_q{0.05f, -128}, logits_q{0.1f, 0};

constexpr Net::Trained trained() {
  Net::Trained t{};
  fw::random_quantized(t.get<1>(), 11u, input_q, relu_q);
  fw::random_quantized(t.get<2>(), 12u, relu_q, relu_q);
  fw::random_quantized(t.get<3>(), 13u, relu_q, relu_q);
  fw::random_quantized(t.get<5>(), 14u, relu_q, logits_q);
  return t;
}

constexpr Net::Params params = Net::fold(trained());
constexpr auto input = fw::random_int8_input<Net>(0xC1FA10u);
}  // namespace

int fw_program(int argc, char** argv) {
  return fw::run_int8_network<Net>(argc, argv, "cifar10_cnn_int8", params, input);
}
