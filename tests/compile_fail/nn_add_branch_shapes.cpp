// Add sums branches of one shape.
// expect: tinynn::nn::Add: the branches' output shapes differ
// expect-also: tinynn::nn::check::Add_branch_outputs<tinynn::Shape<16>, tinynn::Shape<8> >
#include "tinynn/nn.hpp"
using namespace tinynn;
using Net = nn::Sequential<nn::Input<f32, 32>, nn::Add<nn::Dense<16>, nn::Dense<8>>>;
int main() { return static_cast<int>(Net::arena_bytes); }
