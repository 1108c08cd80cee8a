// A 7x7 kernel without padding does not fit a 5x5 input.
// expect: tinynn::nn::Conv2D: the kernel (dilated) is larger than the padded input
// expect-also: tinynn::nn::check::Conv2D_kernel_vs_padded_input<tinynn::Shape<7, 7>, tinynn::Shape<5, 5> >
#include "tinynn/nn.hpp"
using namespace tinynn;
using Net = nn::Sequential<nn::Input<f32, 5, 5, 2>, nn::Conv2D<4, 7, 7>>;
int main() { return static_cast<int>(Net::arena_bytes); }
