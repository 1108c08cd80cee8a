// The DS-CNN keyword spotter as an int8 static network (BatchNorm folded into the int8 weights, as
// TFLite's converter does): 49x10 int8 MFCC input, 12 classes. Weights random (fixed seed).
#include "app_int8.hpp"

namespace {
namespace nn = tinynn::nn;
using Net = nn::zoo::DsCnnKwsInt8;

constexpr tinynn::QuantParams input_q{0.5f, 83}, relu_q{0.04f, -128}, logits_q{0.1f, 0};

constexpr Net::Trained trained() {
  Net::Trained t{};
  fw::random_quantized(t.get<1>(), 21u, input_q, relu_q);
  std::uint32_t seed = 22u;
  auto stage = [&](auto& s) {
    fw::random_quantized(s.template get<0>(), seed++, relu_q, relu_q);
    fw::random_quantized(s.template get<1>(), seed++, relu_q, relu_q);
  };
  stage(t.get<2>());
  stage(t.get<3>());
  stage(t.get<4>());
  stage(t.get<5>());
  fw::random_quantized(t.get<7>(), 40u, relu_q, logits_q);
  return t;
}

constexpr Net::Params params = Net::fold(trained());
constexpr auto input = fw::random_int8_input<Net>(0xD5C8u);
}  // namespace

int fw_program(int argc, char** argv) {
  return fw::run_int8_network<Net>(argc, argv, "ds_cnn_kws_int8", params, input);
}
