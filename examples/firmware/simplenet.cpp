// SimpLeNet-v1 (28x28x1 digit classifier) as firmware, with the weights trained on handwritten digits
// (examples/demo/simplenet_digits.hpp), folded and packed at compile time into flash, classifying one
// held-out digit. The host build prints the same lines; CTest compares them.
#include "../demo/simplenet_digits.hpp"
#include "app.hpp"
#include "tinynn/nn/zoo.hpp"

namespace {
using Net = tinynn::nn::zoo::SimpLeNetV1;

constexpr Net::Trained trained() {
  namespace w = simplenet_digits;
  Net::Trained t{};
  t.get<1>().weights = w::w1;
  t.get<1>().bias = w::b1;
  t.get<3>().weights = w::w2;
  t.get<3>().bias = w::b2;
  t.get<6>().weights = w::w3;
  t.get<6>().bias = w::b3;
  return t;
}
constexpr Net::Params params = Net::fold(trained());

constexpr std::size_t digit_index = 0;
/// The held-out digit, upscaled 3x and padded to 28x28 as in training (at compile time).
constexpr tinynn::Tensor<tinynn::f32, Net::input_shape> digit() {
  tinynn::Tensor<tinynn::f32, Net::input_shape> x{};
  for (std::size_t y = 2; y < 26; ++y) {
    for (std::size_t c = 2; c < 26; ++c) {
      x.storage[y * 28 + c] =
          static_cast<float>(simplenet_digits::test_images[digit_index * 64 + (y - 2) / 3 * 8 + (c - 2) / 3]) / 16.0f;
    }
  }
  return x;
}
constexpr auto input = digit();
}  // namespace

int fw_program(int argc, char** argv) {
  fw::print_value("label", simplenet_digits::test_labels[digit_index]);
  return fw::run_network<Net>(argc, argv, "simplenet_v1 (trained on digits)", params, input);
}
