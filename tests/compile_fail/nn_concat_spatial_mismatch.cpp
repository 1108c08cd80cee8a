// Concat joins channels: the branches must agree on every other dimension.
// expect: tinynn::nn::Concat: the branches' outputs differ in a dimension other than the last (channels)
// expect-also: tinynn::nn::check::Concat_branch_outputs<tinynn::Shape<8, 8, 4>, tinynn::Shape<4, 4, 4> >
#include "tinynn/nn.hpp"
using namespace tinynn;
using Net = nn::Sequential<nn::Input<f32, 8, 8, 3>,
                           nn::Concat<nn::Conv2D<4, 1, 1>, nn::Conv2D<4, 3, 3, nn::Same, nn::Stride<2>>>>;
int main() { return static_cast<int>(Net::arena_bytes); }
