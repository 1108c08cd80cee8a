// DS-CNN keyword spotter (49x10 MFCC, 12 classes) as firmware. The BatchNorm layers are folded into
// the convolutions at compile time: only the folded, packed weights reach flash.
#include "app.hpp"
#include "tinynn/nn/zoo.hpp"

namespace {
using Net = tinynn::nn::zoo::DsCnnKws;

template <class BN>
constexpr void plausible_statistics(BN& bn, std::uint32_t seed) {
  fw::Lcg lcg{seed};
  for (std::size_t c = 0; c < bn.variance.size(); ++c) {
    bn.gamma[c] = 1.0f + lcg.next(0.5f);
    bn.variance[c] = 1.25f + lcg.next(0.75f);  // [0.5, 2]
  }
}

constexpr Net::Trained trained() {
  auto t = fw::random_trained<Net::Trained>(0xD5C0u, 0.3f);
  plausible_statistics(t.get<2>(), 1);
  plausible_statistics(t.get<4>().get<1>(), 2);
  plausible_statistics(t.get<4>().get<4>(), 3);
  plausible_statistics(t.get<5>().get<1>(), 4);
  plausible_statistics(t.get<5>().get<4>(), 5);
  plausible_statistics(t.get<6>().get<1>(), 6);
  plausible_statistics(t.get<6>().get<4>(), 7);
  plausible_statistics(t.get<7>().get<1>(), 8);
  plausible_statistics(t.get<7>().get<4>(), 9);
  return t;
}

constexpr Net::Params params = Net::fold(trained());
constexpr auto input = fw::random_input<Net>(0x4242u);
}  // namespace

int fw_program(int argc, char** argv) { return fw::run_network<Net>(argc, argv, "ds_cnn_kws", params, input); }
