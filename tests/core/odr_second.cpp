#include "all_headers.cpp"

int odr_second_translation_unit() { return 42; }
