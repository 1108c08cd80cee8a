// Writing your own static network: the three classic blocks in a few lines each, a small network made
// of them, and what the compiler knows about it before it runs (shapes, parameters, MACs, the arena plan).
#include <cstdio>
#include <memory>

#include "tinynn/tinynn.hpp"

using namespace tinynn;
using namespace tinynn::nn;

// MobileNetV2 inverted residual (expand 1x1, depthwise 3x3, project 1x1; identity shortcut).
template <std::size_t C, std::size_t Expand>
using InvertedResidual =
    Residual<Sequential<Conv2D<C * Expand, 1, 1, ReLU6>, DepthwiseConv2D<3, 3, Same, ReLU6>, Conv2D<C, 1, 1>>>;

// ResNet basic block with a strided projection shortcut; BatchNorm is folded into the convolutions.
template <std::size_t C>
using DownBlock = Sequential<
    Residual<Sequential<Conv2D<C, 3, 3, Same, Stride<2>>, BatchNorm<>, ReLU, Conv2D<C, 3, 3, Same>, BatchNorm<>>,
             Sequential<Conv2D<C, 1, 1, Stride<2>>, BatchNorm<>>>,
    ReLU>;

// SqueezeNet fire module: squeeze 1x1, then 1x1 and 3x3 expansions side by side.
template <std::size_t S, std::size_t E>
using Fire = Sequential<Conv2D<S, 1, 1, ReLU>, Concat<Conv2D<E, 1, 1, ReLU>, Conv2D<E, 3, 3, Same, ReLU>>>;

using Net = Sequential<Input<f32, 32, 32, 3>, Conv2D<16, 3, 3, Same, ReLU>, InvertedResidual<16, 4>, DownBlock<32>,
                       Fire<8, 16>, GlobalAvgPool, Dense<10>, Softmax>;
static_assert(std::is_same_v<Net::output_shape, Shape<10>>);

int main() {
  using B = backend::scalar;
  constexpr auto& plan = Net::plan<B>;
  std::printf("network: %zu parameters (%zu bytes as packed Params), %zu MACs, %zu kernel calls\n", Net::param_count,
              Net::param_bytes, Net::macs, Net::step_count);
  std::printf("arena: %zu bytes (ping-pong bound %zu, no reuse %zu), %zu steps run in place\n", Net::arena_bytes_for<B>,
              plan.ping_pong_bytes, plan.no_reuse_bytes, plan.in_place_steps);
  for (std::size_t b = 1; b < plan.buffers; ++b) {
    std::printf("  step %2zu writes %6zu bytes at offset %6zu (alive through step %zu%s)\n", b - 1,
                Net::graph<B>.bytes_of(b), plan.offset[b], plan.last[plan.storage[b]],
                plan.storage[b] != b ? ", in place" : "");
  }

  // Trained parameters (here: all 0.01, BatchNorm statistics 1) -> run-time parameters -> one inference.
  auto trained = std::make_unique<Net::Trained>();
  auto* values = reinterpret_cast<float*>(trained.get());
  for (std::size_t i = 0; i < sizeof(Net::Trained) / sizeof(float); ++i) values[i] = 0.01f;
  auto params = std::make_unique<Net::Params>();
  Net::fold_into(*trained, *params);
  auto arena = std::make_unique<Net::ArenaFor<B>>();
  Tensor<f32, Shape<32, 32, 3>> image;
  for (std::size_t i = 0; i < image.size; ++i) image[i] = static_cast<float>(i % 17) / 17.0f;
  const auto probabilities = Net::run<B>(*params, image, *arena);
  float sum = 0.0f;
  for (std::size_t i = 0; i < 10; ++i) sum += probabilities[i];
  std::printf("probabilities sum to %.6f\n", static_cast<double>(sum));
  return sum > 0.999f && sum < 1.001f ? 0 : 1;
}
