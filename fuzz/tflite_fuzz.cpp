// libFuzzer target: the TFLite reader (FlatBuffers verification + model checks) and, where the
// graph layer is present, the importer, on arbitrary bytes. Seed corpus: ../shared/models/tflite/*.tflite.
// Build with clang -fsanitize=fuzzer,address,undefined; the fuzz/ CMake infrastructure picks up
// every fuzz/*_fuzz.cpp.
#include <cstddef>
#include <cstdint>
#include <span>

#include "tinynn/formats/tflite.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  auto model = tinynn::formats::tflite::parse(bytes, "fuzz.tflite");
  if (!model) return 0;
  // A model that parsed is internally consistent: every index in range, every constant inside the input.
  for (const auto& op : model->operators) {
    for (std::int32_t i : op.inputs) {
      if (i >= static_cast<std::int32_t>(model->tensors.size())) __builtin_trap();
    }
  }
  for (const auto& tensor : model->tensors) {
    if (tensor.constant() && (tensor.data.data() < data || tensor.data.data() + tensor.data.size() > data + size)) {
      __builtin_trap();
    }
  }
  return 0;
}
