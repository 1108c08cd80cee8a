// Load an ONNX model, compile it once, run it: the runtime-graph side of tinynn in one page.
//   load_and_run [MODEL.onnx]        (default: tests/data/tiny_cnn.onnx, from the repository root)
// Every input gets a simple ramp of values; every output is printed.
#include <cstdio>
#include <vector>

#include <tinynn/runtime.hpp>

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "tests/data/tiny_cnn.onnx";
  auto model = tinynn::load(path);  // ONNX (TFLite by content), memory-mapped, weights zero-copy
  if (!model) {
    std::fprintf(stderr, "%s\n", model.error().message());
    return 1;
  }
  auto session = model->compile({.threads = 1});  // shapes, folding, fusion, NHWC layout, memory plan
  if (!session) {
    std::fprintf(stderr, "%s\n", session.error().message());
    return 1;
  }
  std::printf("%s: arena %zu bytes, %zu steps\n", path, session->arena_bytes(), session->step_count());
  // Inputs: float inputs written straight into the session's own buffers (no copy on run).
  std::vector<tinynn::TensorRef> inputs;
  for (std::size_t i = 0; i < session->input_count(); ++i) {
    tinynn::TensorRef input = session->input(i);
    if (input.dtype == tinynn::DType::f32) {
      auto* values = input.data_as<float>();
      for (std::size_t k = 0; k < input.size(); ++k) values[k] = static_cast<float>(k % 17) / 17.0f;
    }
    inputs.push_back(input);
  }
  if (auto status = session->run_positional(inputs); !status) {
    std::fprintf(stderr, "%s\n", status.message());
    return 1;
  }
  for (std::size_t i = 0; i < session->output_count(); ++i) {
    const tinynn::TensorRef out = session->output(i);
    std::printf("output '%s' %s:", session->output_info(i).name.c_str(), out.shape.str().view().data());
    for (std::size_t k = 0; k < out.size() && k < 8 && out.dtype == tinynn::DType::f32; ++k) {
      std::printf(" %.5f", static_cast<double>(out.data_as<const float>()[k]));
    }
    std::printf("\n");
  }
  return 0;
}
