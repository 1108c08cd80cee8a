// A Residual whose block changes the channel count needs a projection shortcut.
// expect: tinynn::nn::Residual: the block's output shape differs from the shortcut's
// expect-also: Residual_block_output_vs_shortcut_output<tinynn::Shape<8, 8, 8>, tinynn::Shape<8, 8, 4> >
#include "tinynn/nn.hpp"
using namespace tinynn;
using Net = nn::Sequential<nn::Input<f32, 8, 8, 4>, nn::Residual<nn::Conv2D<8, 1, 1>>>;
int main() { return static_cast<int>(Net::arena_bytes); }
