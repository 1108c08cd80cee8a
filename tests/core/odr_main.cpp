// ODR check: this TU and all_headers.cpp / odr_second.cpp all include every tinynn header; linking
// them proves no header defines a non-inline function or variable.
#include "tinynn/tinynn.hpp"

int odr_second_translation_unit();

int main() { return odr_second_translation_unit() == 42 ? 0 : 1; }
