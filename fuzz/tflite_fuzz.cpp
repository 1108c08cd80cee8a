// libFuzzer target: the TFLite reader (FlatBuffers verification + model checks), the importer
// (graph building) and session compilation (shape inference, constant folding, planning, binding)
// on arbitrary bytes; a model that compiles is also run once. Seed corpus:
// ../shared/models/tflite/*.tflite. Build with clang -fsanitize=fuzzer,address,undefined; the fuzz/
// CMake infrastructure picks up every fuzz/*_fuzz.cpp.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "tinynn/formats/tflite.hpp"
#include "tinynn/graph/session.hpp"

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
  auto graph = tinynn::formats::tflite::to_graph(*model, nullptr);
  if (!graph) return 0;
  tinynn::CompileOptions options;
  options.max_arena_bytes = std::size_t{64} << 20;  // bounded: the fuzzer must not allocate gigabytes
  options.max_constant_bytes = std::size_t{64} << 20;
  auto session = tinynn::compile(*graph, options);
  if (!session) return 0;
  std::vector<std::vector<std::uint8_t>> inputs(session->input_count());
  std::vector<tinynn::TensorRef> refs;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& info = session->input_info(i);
    inputs[i].assign(info.shape.size() * tinynn::dtype_size(info.dtype), 0);
    refs.emplace_back(info.dtype, info.shape, inputs[i].data());
  }
  (void)session->run_positional(refs);
  return 0;
}
