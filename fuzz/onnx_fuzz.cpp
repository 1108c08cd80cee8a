// libFuzzer target: load + compile + run of arbitrary bytes as an ONNX model. Seed corpus: the
// libonnx-testdata conformance models. A malformed model must give an error, never a crash, a hang,
// a sanitizer report or an allocation out of proportion (the limits below bound what compile may
// allocate; libFuzzer's -rss_limit_mb catches the rest).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "tinynn/runtime.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto model = tinynn::load_from_memory(std::span<const std::uint8_t>(data, size), nullptr, "fuzz.onnx");
  if (!model) return 0;
  tinynn::CompileOptions options;
  options.max_arena_bytes = std::size_t{64} << 20;
  options.max_constant_bytes = std::size_t{16} << 20;
  auto session = model->compile(options);
  if (!session) return 0;
  std::vector<tinynn::TensorRef> inputs;
  for (std::size_t i = 0; i < session->input_count(); ++i) inputs.push_back(session->input(i));  // zeros, in place
  (void)session->run_positional(inputs);
  return 0;
}
