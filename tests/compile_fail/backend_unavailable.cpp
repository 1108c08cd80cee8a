// Asking for the SVE backend on an x86 host is a compile error, never a silent fallback.
// expect: tinynn: this backend is not available for the compile target
#include "tinynn/tinynn.hpp"

int main() { tinynn::backend::require_compilable<tinynn::backend::sve>(); }
