// Reshape keeps the element count.
// expect: tinynn::nn::Reshape: the target shape has a different element count
// expect-also: tinynn::nn::check::Reshape_input_vs_target<tinynn::Shape<4, 4, 2>, tinynn::Shape<5, 6> >
#include "tinynn/nn.hpp"
using namespace tinynn;
using Net = nn::Sequential<nn::Input<f32, 4, 4, 2>, nn::Reshape<5, 6>>;
int main() { return static_cast<int>(Net::arena_bytes); }
