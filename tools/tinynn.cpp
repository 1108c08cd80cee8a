// The `tinynn` command-line tool: run, bench, inspect, ops.
//   tinynn run MODEL [--input NAME=FILE ...] [--output-dir DIR | --output-pattern PATTERN] [--threads N]
//   tinynn bench MODEL [--threads N] [--runs N] [--warmup N]
//   tinynn inspect MODEL            (inputs, outputs, memory plan, bound steps)
//   tinynn ops [--markdown]         (the op registry: what tinynn supports)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tinynn/runtime.hpp"

using namespace tinynn;

namespace {

constexpr const char* usage_text =
    "usage: tinynn <command> [options]\n"
    "\n"
    "commands:\n"
    "  run MODEL [--input NAME=FILE ...] [--output-dir DIR | --output-pattern PATTERN] [--threads N]\n"
    "      Runs MODEL (ONNX) once. Inputs are .npy files or ONNX TensorProto .pb files; NAME is a graph\n"
    "      input's name or #K for the K-th input (from 0). A missing input is generated from a fixed\n"
    "      seed. Outputs are written as DIR/NAME.npy (default DIR: .) or to PATTERN, where {name} and\n"
    "      {index} (the output's position in the graph) are filled in.\n"
    "  bench MODEL [--threads N] [--runs N] [--warmup N]\n"
    "      Load and compile time, then the latency of one inference: median and minimum in ms.\n"
    "  inspect MODEL\n"
    "      Inputs, outputs, the memory plan and the bound steps of the compiled model.\n"
    "  ops [--markdown]\n"
    "      The operators tinynn supports (the op registry).\n";

int fail(const std::string& message) {
  std::fprintf(stderr, "tinynn: %s\n", message.c_str());
  return 1;
}

double elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

/// An input tensor read from .npy or .pb (decided by content), owned.
struct InputFile {
  DType dtype = DType::f32;
  DynShape shape;
  std::shared_ptr<graph::AlignedBuffer> data;
};

Result<InputFile> read_input(const std::string& path) {
  auto bytes = formats::npy::read_file(path);
  if (!bytes) return std::move(bytes).error();
  InputFile input;
  if (bytes->size() >= 6 && std::memcmp(bytes->data(), "\x93NUMPY", 6) == 0) {
    auto array = formats::npy::parse(*bytes, path);
    if (!array) return std::move(array).error();
    input.dtype = array->dtype;
    input.shape = array->shape;
    input.data = std::make_shared<graph::AlignedBuffer>(std::move(array->data));
    return input;
  }
  auto value = formats::onnx::parse_tensor(*bytes, path);
  if (!value) return std::move(value).error();
  input.dtype = value->dtype;
  input.shape = value->shape;
  input.data = std::make_shared<graph::AlignedBuffer>(value->bytes());
  if (value->bytes()) std::memcpy(input.data->data(), value->data, value->bytes());
  return input;
}

/// Deterministic input for a graph input nobody gave: uniform [-1, 1) floats, small integers.
InputFile generated_input(const TensorInfo& info, unsigned seed) {
  InputFile input{info.dtype, info.shape,
                  std::make_shared<graph::AlignedBuffer>(info.shape.size() * dtype_size(info.dtype))};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (std::size_t i = 0; i < info.shape.size(); ++i) {
    const float v = uniform(rng);
    graph::op::store_from_double(info.dtype, input.data->data(), i, info.dtype == DType::f32 ? v : std::floor(v * 4));
  }
  return input;
}

std::string safe_file_name(std::string name) {
  for (char& c : name) {
    if (c == '/' || c == '\\' || c == ':' || c == ' ') c = '_';
  }
  return name.empty() ? "output" : name;
}

std::string replace_all(std::string text, std::string_view key, const std::string& value) {
  for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

struct CommonOptions {
  std::string model;
  int threads = 1;
};

/// Loads and compiles; `given` shapes (from input files) resolve dynamic dimensions.
Result<Session> load_and_compile(const CommonOptions& options,
                                 const std::vector<std::pair<std::string, DynShape>>& given, double* load_ms = nullptr,
                                 double* compile_ms = nullptr) {
  const auto start = std::chrono::steady_clock::now();
  auto model = load(options.model);
  if (!model) return std::move(model).error();
  if (load_ms) *load_ms = elapsed_ms(start);
  const auto compile_start = std::chrono::steady_clock::now();
  CompileOptions compile_options;
  compile_options.threads = options.threads;
  compile_options.input_shapes = given;
  auto session = model->compile(compile_options);
  if (compile_ms) *compile_ms = elapsed_ms(compile_start);
  return session;
}

bool parse_int(const char* text, int& out) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (!end || *end || v < 0 || v > 1000000) return false;
  out = static_cast<int>(v);
  return true;
}

int command_run(int argc, char** argv) {
  CommonOptions options;
  std::vector<std::pair<std::string, std::string>> input_args;
  std::string output_dir, output_pattern;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--input") {
      const char* v = value();
      const char* eq = v ? std::strchr(v, '=') : nullptr;
      if (!eq) return fail("--input needs NAME=FILE");
      input_args.emplace_back(std::string(v, eq), std::string(eq + 1));
    } else if (arg == "--output-dir") {
      const char* v = value();
      if (!v) return fail("--output-dir needs a folder");
      output_dir = v;
    } else if (arg == "--output-pattern") {
      const char* v = value();
      if (!v) return fail("--output-pattern needs a pattern");
      output_pattern = v;
    } else if (arg == "--threads") {
      const char* v = value();
      if (!v || !parse_int(v, options.threads) || options.threads < 1) return fail("--threads needs a positive number");
    } else if (arg.starts_with("--")) {
      return fail("run: unknown option '" + std::string(arg) + "'\n" + usage_text);
    } else if (options.model.empty()) {
      options.model = arg;
    } else {
      return fail("run: unexpected argument '" + std::string(arg) + "'");
    }
  }
  if (options.model.empty()) return fail(std::string("run: no MODEL given\n") + usage_text);
  if (!output_dir.empty() && !output_pattern.empty())
    return fail("run: give --output-dir or --output-pattern, not both");
  if (output_dir.empty() && output_pattern.empty()) output_dir = ".";

  // A first load tells the input names and positions.
  auto model = load(options.model);
  if (!model) return fail(model.error().message());
  const graph::Graph& graph = model->graph();
  std::vector<std::string> input_names;
  for (int in : graph.inputs) input_names.push_back(graph.values[static_cast<std::size_t>(in)].name);
  std::vector<InputFile> files(input_names.size());
  std::vector<char> given(input_names.size(), 0);
  std::vector<std::pair<std::string, DynShape>> shapes;
  for (const auto& [name, path] : input_args) {
    std::size_t index = input_names.size();
    if (name.size() > 1 && name[0] == '#') {
      int k = -1;
      if (!parse_int(name.c_str() + 1, k) || static_cast<std::size_t>(k) >= input_names.size()) {
        return fail("run: " + name + ": the model has " + std::to_string(input_names.size()) + " inputs");
      }
      index = static_cast<std::size_t>(k);
    } else {
      for (std::size_t k = 0; k < input_names.size(); ++k) {
        if (input_names[k] == name) index = k;
      }
    }
    if (index == input_names.size()) {
      std::string known;
      for (const auto& n : input_names) known += (known.empty() ? "'" : ", '") + n + "'";
      return fail("run: the model has no input '" + name + "' (inputs: " + known + ")");
    }
    auto file = read_input(path);
    if (!file) return fail(file.error().message());
    files[index] = std::move(*file);
    given[index] = 1;
    shapes.emplace_back(input_names[index], files[index].shape);
  }
  CompileOptions compile_options;
  compile_options.threads = options.threads;
  compile_options.input_shapes = shapes;
  auto session = model->compile(compile_options);
  if (!session) return fail(session.error().message());
  std::vector<NamedTensor> inputs;
  for (std::size_t k = 0; k < input_names.size(); ++k) {
    const TensorInfo& info = session->input_info(k);
    if (!given[k]) {
      files[k] = generated_input(info, 1234u + static_cast<unsigned>(k));
      std::printf("input '%s': not given, generated %s %s from seed %u\n", info.name.c_str(),
                  dtype_name(info.dtype).data(), info.shape.str().view().data(), 1234u + static_cast<unsigned>(k));
    }
    // An int8 .npy feeds a quantized int8 (qi8) input as is: the quantization is the model's (TFLite).
    const DType given_dtype =
        files[k].dtype == DType::i8 && session->input_info(k).dtype == DType::qi8 ? DType::qi8 : files[k].dtype;
    inputs.push_back({session->input_info(k).name, TensorRef(given_dtype, files[k].shape, files[k].data->data())});
  }
  const Status status = session->run(inputs);
  if (!status) return fail(status.message());
  if (!output_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(output_dir, ec);
    if (ec) return fail("cannot create '" + output_dir + "': " + ec.message());
  }
  for (std::size_t k = 0; k < session->output_count(); ++k) {
    const TensorInfo& info = session->output_info(k);
    const std::string path = !output_pattern.empty()
                                 ? replace_all(replace_all(output_pattern, "{name}", safe_file_name(info.name)),
                                               "{index}", std::to_string(k))
                                 : output_dir + "/" + safe_file_name(info.name) + ".npy";
    const Status saved = formats::npy::save(path, session->output(k));
    if (!saved) return fail(saved.message());
    std::printf("output '%s': %s %s -> %s\n", info.name.c_str(), dtype_name(info.dtype).data(),
                info.shape.str().view().data(), path.c_str());
  }
  return 0;
}

int command_bench(int argc, char** argv) {
  CommonOptions options;
  int runs = 50, warmup = 5;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto number = [&](int& out, int min) { return i + 1 < argc && parse_int(argv[++i], out) && out >= min; };
    if (arg == "--threads") {
      if (!number(options.threads, 1)) return fail("--threads needs a positive number");
    } else if (arg == "--runs") {
      if (!number(runs, 1)) return fail("--runs needs a positive number");
    } else if (arg == "--warmup") {
      if (!number(warmup, 0)) return fail("--warmup needs a number");
    } else if (arg.starts_with("--")) {
      return fail("bench: unknown option '" + std::string(arg) + "'\n" + usage_text);
    } else if (options.model.empty()) {
      options.model = arg;
    } else {
      return fail("bench: unexpected argument '" + std::string(arg) + "'");
    }
  }
  if (options.model.empty()) return fail(std::string("bench: no MODEL given\n") + usage_text);
  double load_ms = 0, compile_ms = 0;
  auto session = load_and_compile(options, {}, &load_ms, &compile_ms);
  if (!session) return fail(session.error().message());
  std::vector<InputFile> files;
  std::vector<NamedTensor> inputs;
  for (std::size_t k = 0; k < session->input_count(); ++k)
    files.push_back(generated_input(session->input_info(k), 1234u + static_cast<unsigned>(k)));
  for (std::size_t k = 0; k < session->input_count(); ++k) {
    // An int8 .npy feeds a quantized int8 (qi8) input as is: the quantization is the model's (TFLite).
    const DType given_dtype =
        files[k].dtype == DType::i8 && session->input_info(k).dtype == DType::qi8 ? DType::qi8 : files[k].dtype;
    inputs.push_back({session->input_info(k).name, TensorRef(given_dtype, files[k].shape, files[k].data->data())});
  }
  for (int i = 0; i < warmup; ++i) {
    const Status status = session->run(inputs);
    if (!status) return fail(status.message());
  }
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const Status status = session->run(inputs);
    times.push_back(elapsed_ms(start));
    if (!status) return fail(status.message());
  }
  std::sort(times.begin(), times.end());
  const double median =
      times.size() % 2 ? times[times.size() / 2] : (times[times.size() / 2 - 1] + times[times.size() / 2]) / 2;
  std::printf("model     %s\n", options.model.c_str());
  std::printf("backend   %s, %d thread%s, arena %zu bytes\n", backend::name_of(session->backend()).data(),
              options.threads, options.threads == 1 ? "" : "s", session->arena_bytes());
  std::printf("load      %.3f ms\ncompile   %.3f ms\n", load_ms, compile_ms);
  std::printf("latency   median %.4f ms, min %.4f ms (%d runs, %d warmup)\n", median, times.front(), runs, warmup);
  return 0;
}

int command_inspect(int argc, char** argv) {
  if (argc != 1) return fail(std::string("inspect: give one MODEL\n") + usage_text);
  auto session = load_and_compile({argv[0], 1}, {});
  if (!session) return fail(session.error().message());
  for (std::size_t k = 0; k < session->input_count(); ++k) {
    const TensorInfo& i = session->input_info(k);
    std::printf("input  #%zu '%s' %s %s\n", k, i.name.c_str(), dtype_name(i.dtype).data(), i.shape.str().view().data());
  }
  for (std::size_t k = 0; k < session->output_count(); ++k) {
    const TensorInfo& o = session->output_info(k);
    std::printf("output #%zu '%s' %s %s\n", k, o.name.c_str(), dtype_name(o.dtype).data(), o.shape.str().view().data());
  }
  std::printf("%s", session->plan_text().c_str());
  return 0;
}

std::string dtype_list(std::uint32_t mask) {
  if (mask == graph::any_dtype) return "any";
  std::string text;
  for (int t = 0; t < dtype_count; ++t) {
    if (mask & (1u << t)) text += (text.empty() ? "" : ", ") + std::string(dtype_name(static_cast<DType>(t)));
  }
  return text;
}

int command_ops(int argc, char** argv) {
  const bool markdown = argc == 1 && std::string_view(argv[0]) == "--markdown";
  if (argc > 1 || (argc == 1 && !markdown)) return fail("ops: the only option is --markdown");
  if (markdown) {
    std::printf(
        "# Supported operators\n\n"
        "Generated from the op registry (`include/tinynn/graph/registry.hpp`) by `tinynn ops --markdown`;\n"
        "a test fails when this file is stale. Domain `tinynn` rows are internal ops the passes create.\n\n"
        "| op | domain | opsets | input dtypes | notes |\n|---|---|---|---|---|\n");
  }
  for (const graph::OpEntry& e : graph::op_table) {
    const std::string domain = e.domain.empty() ? "ai.onnx" : std::string(e.domain);
    if (markdown) {
      std::printf("| %s | %s | %d-%d | %s | %s |\n", e.op_type.data(), domain.c_str(), e.since, e.until,
                  dtype_list(e.dtypes).c_str(), e.notes.data());
    } else {
      std::printf("%-22s %-8s opsets %2d-%-2d  %s\n", e.op_type.data(), domain.c_str(), e.since, e.until,
                  dtype_list(e.dtypes).c_str());
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h" ||
      std::string_view(argv[1]) == "help") {
    std::printf("%s", usage_text);
    return argc < 2 ? 1 : 0;
  }
  const std::string_view command = argv[1];
  if (command == "run") return command_run(argc - 2, argv + 2);
  if (command == "bench") return command_bench(argc - 2, argv + 2);
  if (command == "inspect") return command_inspect(argc - 2, argv + 2);
  if (command == "ops") return command_ops(argc - 2, argv + 2);
  return fail("unknown command '" + std::string(command) + "'\n" + usage_text);
}
