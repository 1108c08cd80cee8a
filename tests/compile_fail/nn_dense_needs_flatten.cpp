// Dense takes [K] or [T, K]: after a convolution it needs a Flatten.
// expect: tinynn::nn::Dense: the input must have shape [K] or [T, K] (add nn::Flatten before Dense)
// expect-also: tinynn::nn::check::Dense_input<tinynn::Shape<7, 7, 6> >
#include "tinynn/nn.hpp"
using namespace tinynn;
using Net = nn::Sequential<nn::Input<f32, 7, 7, 1>, nn::Conv2D<6, 3, 3, nn::Same>, nn::Dense<10>>;
int main() { return static_cast<int>(Net::arena_bytes); }
