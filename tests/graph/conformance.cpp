// ONNX conformance runner over libonnx-testdata (node/, pytorch-converted/, pytorch-operator/,
// simple/): every case is imported, compiled and run on each of its test_data_set_* folders, and
// every output is compared with the suite's own at ONNX's backend-test tolerance (rtol 1e-3,
// atol 1e-7; integers and booleans exactly). A case tinynn cannot compile because the op registry
// says "unsupported" (op, opset, dtype or attribute) is skipped with that reason; opset < 7 cases are
// skipped as out of scope. Prints `N passed, M failed, K skipped`, writes a per-case Markdown table,
// and exits non-zero when any case fails.
//   conformance [--data DIR] [--write FILE] [--filter SUBSTRING] [--verbose]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tinynn/runtime.hpp"

using namespace tinynn;
namespace fs = std::filesystem;

namespace {

enum class Outcome { passed, failed, skipped };

struct CaseResult {
  std::string suite, name;
  int opset = 0;
  Outcome outcome = Outcome::failed;
  std::string reason;
};

Result<graph::Value> read_tensor(const fs::path& file) {
  auto bytes = formats::npy::read_file(file.string());
  if (!bytes) return std::move(bytes).error();
  return formats::onnx::parse_tensor(*bytes, file.string());
}

std::string one_line(std::string text, std::size_t limit = 220) {
  for (char& c : text) {
    if (c == '\n' || c == '|') c = ' ';
  }
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

/// Compares one output; an empty string means equal within tolerance.
std::string compare(const TensorRef& got, const graph::Value& want) {
  if (got.dtype != want.dtype) {
    return "output dtype " + std::string(dtype_name(got.dtype)) + ", expected " + std::string(dtype_name(want.dtype));
  }
  if (!(got.shape == want.shape)) {
    return "output shape " + std::string(got.shape.str().view()) + ", expected " + std::string(want.shape.str().view());
  }
  const std::size_t count = want.element_count();
  if (want.dtype == DType::f32) {
    const auto* g = static_cast<const float*>(got.data);
    const float* w = want.data_as<float>();
    for (std::size_t i = 0; i < count; ++i) {
      const bool both_nan = std::isnan(g[i]) && std::isnan(w[i]);
      const bool same_inf = std::isinf(w[i]) && g[i] == w[i];
      if (both_nan || same_inf) continue;
      if (!(std::fabs(static_cast<double>(g[i]) - w[i]) <= 1e-7 + 1e-3 * std::fabs(static_cast<double>(w[i])))) {
        char text[160];
        std::snprintf(text, sizeof text, "element %zu: got %.9g, expected %.9g", i, static_cast<double>(g[i]),
                      static_cast<double>(w[i]));
        return text;
      }
    }
    return {};
  }
  if (std::memcmp(got.data, want.data, want.bytes()) != 0) return "integer/bool output differs";
  return {};
}

CaseResult run_case(const fs::path& dir, const std::string& suite) {
  CaseResult result;
  result.suite = suite;
  result.name = dir.filename().string();
  auto model = load((dir / "model.onnx").string());
  if (!model) {
    result.outcome = model.error().code() == ErrorCode::unsupported ? Outcome::skipped : Outcome::failed;
    result.reason = one_line(model.error().message());
    return result;
  }
  const graph::Graph& g = model->graph();
  result.opset = g.opset;
  if (g.opset < 7) {
    result.outcome = Outcome::skipped;
    result.reason = "opset " + std::to_string(g.opset) + " < 7 (tinynn supports opsets 7-17 and later)";
    return result;
  }
  std::vector<fs::path> sets;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory() && entry.path().filename().string().starts_with("test_data_set_"))
      sets.push_back(entry.path());
  }
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) {
    result.outcome = Outcome::skipped;
    result.reason = "no test data";
    return result;
  }
  for (const fs::path& set : sets) {
    std::vector<graph::Value> inputs, outputs;
    for (std::size_t k = 0;; ++k) {
      const fs::path file = set / ("input_" + std::to_string(k) + ".pb");
      if (!fs::exists(file)) break;
      auto t = read_tensor(file);
      if (!t) {
        result.outcome = t.error().code() == ErrorCode::unsupported ? Outcome::skipped : Outcome::failed;
        result.reason = one_line(t.error().message());
        return result;
      }
      inputs.push_back(std::move(*t));
    }
    for (std::size_t k = 0;; ++k) {
      const fs::path file = set / ("output_" + std::to_string(k) + ".pb");
      if (!fs::exists(file)) break;
      auto t = read_tensor(file);
      if (!t) {
        result.outcome = t.error().code() == ErrorCode::unsupported ? Outcome::skipped : Outcome::failed;
        result.reason = one_line(t.error().message());
        return result;
      }
      outputs.push_back(std::move(*t));
    }
    if (inputs.size() != g.inputs.size()) {
      result.outcome = Outcome::skipped;
      result.reason = "test data has " + std::to_string(inputs.size()) + " inputs, the graph " +
                      std::to_string(g.inputs.size()) + " (optional inputs given as data)";
      return result;
    }
    // Integer inputs are shape-like in these tests (a Reshape's shape, Slice's starts...): tinynn's
    // graphs have static shapes, so they are bound at compile time (CompileOptions::constant_inputs).
    CompileOptions options;
    std::vector<TensorRef> refs;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      const std::string& name = g.values[static_cast<std::size_t>(g.inputs[k])].name;
      const TensorRef ref(inputs[k].dtype, inputs[k].shape, const_cast<std::byte*>(inputs[k].data));
      if (inputs[k].dtype == DType::i64 || inputs[k].dtype == DType::i32) {
        options.constant_inputs.emplace_back(name, ref);
      } else {
        options.input_shapes.emplace_back(name, inputs[k].shape);
        refs.push_back(ref);
      }
    }
    auto session = model->compile(options);
    if (!session) {
      result.outcome = session.error().code() == ErrorCode::unsupported ? Outcome::skipped : Outcome::failed;
      result.reason = one_line(session.error().message());
      return result;
    }
    const Status status = session->run_positional(refs);
    if (!status) {
      result.outcome = Outcome::failed;
      result.reason = one_line(status.message());
      return result;
    }
    if (outputs.size() > session->output_count()) {
      result.outcome = Outcome::failed;
      result.reason = "fewer outputs than expected";
      return result;
    }
    for (std::size_t k = 0; k < outputs.size(); ++k) {
      const std::string difference = compare(session->output(k), outputs[k]);
      if (!difference.empty()) {
        result.outcome = Outcome::failed;
        result.reason = one_line(set.filename().string() + " output " + std::to_string(k) + ": " + difference);
        return result;
      }
    }
  }
  result.outcome = Outcome::passed;
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path data = "/usr/share/libonnx-testdata/data";
  std::string write, filter;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--data" && i + 1 < argc) {
      data = argv[++i];
    } else if (arg == "--write" && i + 1 < argc) {
      write = argv[++i];
    } else if (arg == "--filter" && i + 1 < argc) {
      filter = argv[++i];
    } else if (arg == "--verbose") {
      verbose = true;
    } else {
      std::fprintf(stderr, "usage: conformance [--data DIR] [--write FILE] [--filter SUBSTRING] [--verbose]\n");
      return 2;
    }
  }
  if (!fs::is_directory(data / "node")) {
    std::printf("skipped: libonnx-testdata is not installed (%s/node is absent)\n", data.string().c_str());
    return 0;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<CaseResult> results;
  for (const char* suite : {"node", "pytorch-converted", "pytorch-operator", "simple"}) {
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(data / suite)) {
      if (entry.is_directory() && fs::exists(entry.path() / "model.onnx")) cases.push_back(entry.path());
    }
    std::sort(cases.begin(), cases.end());
    for (const fs::path& dir : cases) {
      if (!filter.empty() && dir.filename().string().find(filter) == std::string::npos) continue;
      results.push_back(run_case(dir, suite));
      const CaseResult& r = results.back();
      if (verbose || r.outcome == Outcome::failed) {
        std::printf("%-8s %s/%s %s\n",
                    r.outcome == Outcome::passed   ? "PASS"
                    : r.outcome == Outcome::failed ? "FAIL"
                                                   : "SKIP",
                    suite, r.name.c_str(), r.reason.c_str());
      }
    }
  }
  std::map<std::string, std::array<int, 3>> per_suite;
  std::array<int, 3> total{};
  for (const CaseResult& r : results) {
    ++per_suite[r.suite][static_cast<std::size_t>(r.outcome)];
    ++total[static_cast<std::size_t>(r.outcome)];
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!write.empty()) {
    std::FILE* out = std::fopen(write.c_str(), "w");
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", write.c_str());
      return 2;
    }
    std::fprintf(
        out,
        "# ONNX conformance\n\n"
        "Generated by the `graph.conformance` test (tests/graph/conformance.cpp) over Debian's libonnx-testdata.\n"
        "Each case is compiled and run on all its data sets; outputs must match at ONNX's backend-test tolerance\n"
        "(rtol 1e-3, atol 1e-7; integers exactly). Skipped: the op registry rejects an op, opset, dtype or\n"
        "attribute (reason given), or the model's opset is below 7.\n\n"
        "**%d passed, %d failed, %d skipped** (%zu cases)\n\n| suite | passed | failed | skipped "
        "|\n|---|---|---|---|\n",
        total[0], total[1], total[2], results.size());
    for (const auto& [suite, counts] : per_suite) {
      std::fprintf(out, "| %s | %d | %d | %d |\n", suite.c_str(), counts[0], counts[1], counts[2]);
    }
    std::fprintf(out, "\n| suite | case | opset | result | reason |\n|---|---|---|---|---|\n");
    for (const CaseResult& r : results) {
      std::fprintf(out, "| %s | %s | %d | %s | %s |\n", r.suite.c_str(), r.name.c_str(), r.opset,
                   r.outcome == Outcome::passed   ? "pass"
                   : r.outcome == Outcome::failed ? "**FAIL**"
                                                  : "skip",
                   r.reason.c_str());
    }
    std::fclose(out);
  }
  std::printf("%d passed, %d failed, %d skipped (%zu cases, %.1f s)\n", total[0], total[1], total[2], results.size(),
              seconds);
  return total[1] == 0 ? 0 : 1;
}
