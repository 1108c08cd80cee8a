// SimpLeNet-v1 (28x28x1 MNIST CNN) as firmware: weights constexpr in flash, one inference, outputs printed.
#include "app.hpp"
#include "tinynn/nn/zoo.hpp"

namespace {
using Net = tinynn::nn::zoo::SimpLeNetV1;
constexpr Net::Params params = Net::fold(fw::random_trained<Net::Trained>(0x5151u, 0.3f));
constexpr auto input = fw::random_input<Net>(0x1234u);
}  // namespace

int fw_program(int argc, char** argv) { return fw::run_network<Net>(argc, argv, "simplenet_v1", params, input); }
