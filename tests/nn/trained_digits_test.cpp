// SimpLeNet-v1 with weights trained by examples/demo/train_simplenet_digits.py (numpy): tinynn's static
// network must classify the 297 held-out digits exactly as well as the numpy forward pass did.
#include <doctest/doctest.h>

#include <cmath>

#include "../../examples/demo/simplenet_digits.hpp"
#include "tinynn/nn.hpp"

TEST_CASE("trained SimpLeNet-v1 reproduces the numpy model's accuracy on held-out digits") {
  using namespace tinynn;
  using Net = nn::zoo::SimpLeNetV1;
  namespace w = simplenet_digits;
  static Net::Trained trained{};
  trained.get<1>().weights = w::w1;
  trained.get<1>().bias = w::b1;
  trained.get<3>().weights = w::w2;
  trained.get<3>().bias = w::b2;
  trained.get<6>().weights = w::w3;
  trained.get<6>().bias = w::b3;
  static Net::Params params{};
  Net::fold_into(trained, params);
  static Net::ArenaFor<backend::scalar> arena;
  const std::size_t count = w::test_labels.size();
  std::size_t correct = 0;
  Tensor<f32, Shape<28, 28, 1>> image;
  for (std::size_t i = 0; i < count; ++i) {
    for (std::size_t y = 0; y < 28; ++y) {
      for (std::size_t x = 0; x < 28; ++x) {
        const bool inside = y >= 2 && y < 26 && x >= 2 && x < 26;
        image(y, x, 0) =
            inside ? static_cast<float>(w::test_images[i * 64 + (y - 2) / 3 * 8 + (x - 2) / 3]) / 16.0f : 0;
      }
    }
    const auto logits = Net::run<backend::scalar>(params, image, arena);
    std::size_t best = 0;
    for (std::size_t k = 1; k < 10; ++k) best = logits[k] > logits[best] ? k : best;
    correct += best == w::test_labels[i];
  }
  const double accuracy = static_cast<double>(correct) / static_cast<double>(count);
  MESSAGE("accuracy ", accuracy, " (numpy: ", w::python_test_accuracy, ")");
  CHECK(accuracy > 0.9);
  CHECK(std::abs(accuracy - w::python_test_accuracy) < 0.5 / static_cast<double>(count));
}
