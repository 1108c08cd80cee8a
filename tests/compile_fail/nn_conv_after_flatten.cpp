// Conv2D needs an [H, W, C] input, not a flattened vector.
// expect: tinynn::nn::Conv2D: the input must have shape [H, W, C]
// expect-also: tinynn::nn::check::Conv2D_input<tinynn::Shape<784> >
#include "tinynn/nn.hpp"
using namespace tinynn;
using Net = nn::Sequential<nn::Input<f32, 28, 28, 1>, nn::Flatten, nn::Conv2D<3, 5, 5>>;
int main() { return static_cast<int>(Net::arena_bytes); }
