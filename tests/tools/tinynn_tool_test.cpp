// `tinynn run` and `tinynn bench` end to end: the binary is run as a user would, and the .npy files
// it writes are compared with references computed elsewhere (tests/data/make_tiny_cnn.py with NumPy;
// the ONNX conformance data of libonnx-testdata).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tinynn/formats/npy.hpp"
#include "tinynn/formats/onnx.hpp"

using namespace tinynn;
namespace fs = std::filesystem;

namespace {

const std::string tool = TINYNN_TOOL;
const fs::path data = fs::path(TINYNN_SOURCE_DIR) / "tests" / "data";
const fs::path work = TINYNN_WORK_DIR;

/// Runs a command; returns its exit status and puts stdout+stderr in `output`.
int run(const std::string& arguments, std::string& output) {
  fs::create_directories(work);
  const fs::path log = work / "log.txt";
  const std::string command = "\"" + tool + "\" " + arguments + " > \"" + log.string() + "\" 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  output = text.str();
  return status;
}

void check_npy_close(const fs::path& file, const float* want, std::size_t count, double tolerance) {
  auto got = formats::npy::load(file.string());
  REQUIRE_MESSAGE(got.ok(), got.error().message());
  REQUIRE(got->shape.size() == count);
  const auto* values = reinterpret_cast<const float*>(got->data.data());
  for (std::size_t i = 0; i < count; ++i) CHECK(std::fabs(values[i] - want[i]) <= tolerance);
}

}  // namespace

TEST_CASE("tinynn run: named .npy input, --output-dir, output matches NumPy") {
  const fs::path out = work / "run_dir";
  fs::remove_all(out);
  std::string log;
  const int status = run("run \"" + (data / "tiny_cnn.onnx").string() + "\" --input input=\"" +
                             (data / "tiny_cnn.input_0.npy").string() + "\" --output-dir \"" + out.string() + "\"",
                         log);
  INFO(log);
  REQUIRE(status == 0);
  auto want = formats::npy::load((data / "tiny_cnn.output_0.npy").string());
  REQUIRE(want.ok());
  check_npy_close(out / "probabilities.npy", reinterpret_cast<const float*>(want->data.data()), 3, 1e-6);
}

TEST_CASE("tinynn run: #K input, --output-pattern with {name} and {index}") {
  std::string log;
  const std::string pattern = (work / "pattern_{index}_{name}.npy").string();
  const int status = run("run \"" + (data / "tiny_cnn.onnx").string() + "\" --input '#0'=\"" +
                             (data / "tiny_cnn.input_0.npy").string() + "\" --output-pattern \"" + pattern + "\"",
                         log);
  INFO(log);
  REQUIRE(status == 0);
  auto want = formats::npy::load((data / "tiny_cnn.output_0.npy").string());
  check_npy_close(work / "pattern_0_probabilities.npy", reinterpret_cast<const float*>(want->data.data()), 3, 1e-6);
}

TEST_CASE("tinynn run: a missing input is generated from a fixed seed, and the tool says so") {
  std::string first, second;
  REQUIRE(
      run("run \"" + (data / "tiny_cnn.onnx").string() + "\" --output-pattern \"" + (work / "gen1.npy").string() + "\"",
          first) == 0);
  CHECK(first.find("input 'input': not given, generated f32 [1, 1, 8, 8] from seed") != std::string::npos);
  REQUIRE(
      run("run \"" + (data / "tiny_cnn.onnx").string() + "\" --output-pattern \"" + (work / "gen2.npy").string() + "\"",
          second) == 0);
  auto a = formats::npy::load((work / "gen1.npy").string()), b = formats::npy::load((work / "gen2.npy").string());
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(std::memcmp(a->data.data(), b->data.data(), 12) == 0);  // same seed, same result
  const auto* p = reinterpret_cast<const float*>(a->data.data());
  CHECK(std::fabs(p[0] + p[1] + p[2] - 1.0f) < 1e-5f);  // still a softmax
}

TEST_CASE("tinynn run: TensorProto .pb inputs (ONNX conformance data)") {
  const fs::path relu = "/usr/share/libonnx-testdata/data/node/test_relu";
  if (!fs::exists(relu / "model.onnx")) {
    std::printf("skipped: libonnx-testdata is not installed\n");
    return;
  }
  std::string log;
  const int status = run("run \"" + (relu / "model.onnx").string() + "\" --input '#0'=\"" +
                             (relu / "test_data_set_0" / "input_0.pb").string() + "\" --output-pattern \"" +
                             (work / "relu_{index}.npy").string() + "\"",
                         log);
  INFO(log);
  REQUIRE(status == 0);
  auto bytes = formats::npy::read_file((relu / "test_data_set_0" / "output_0.pb").string());
  REQUIRE(bytes.ok());
  auto want = formats::onnx::parse_tensor(*bytes);
  REQUIRE(want.ok());
  check_npy_close(work / "relu_0.npy", want->data_as<float>(), want->element_count(), 0.0);
}

TEST_CASE("tinynn run: failures exit non-zero with a clear message") {
  std::string log;
  CHECK(run("run \"" + (data / "does_not_exist.onnx").string() + "\"", log) != 0);
  CHECK(log.find("does_not_exist.onnx: cannot open file") != std::string::npos);
  CHECK(run("run \"" + (data / "tiny_cnn.onnx").string() + "\" --input nope=x.npy", log) != 0);
  CHECK(log.find("the model has no input 'nope' (inputs: 'input')") != std::string::npos);
  CHECK(run("run \"" + (data / "tiny_cnn.onnx").string() + "\" --input input=\"" + (data / "tiny_cnn.onnx").string() +
                "\"",
            log) != 0);
  CHECK(run("frobnicate", log) != 0);
  CHECK(log.find("unknown command") != std::string::npos);
}

TEST_CASE("tinynn bench: load and compile time, median and minimum latency") {
  std::string log;
  REQUIRE(run("bench \"" + (data / "tiny_cnn.onnx").string() + "\" --runs 7 --warmup 2", log) == 0);
  INFO(log);
  CHECK(log.find("load ") != std::string::npos);
  CHECK(log.find("compile ") != std::string::npos);
  double median = -1, minimum = -1;
  const auto at = log.find("latency   median ");
  REQUIRE(at != std::string::npos);
  REQUIRE(std::sscanf(log.c_str() + at, "latency   median %lf ms, min %lf ms", &median, &minimum) == 2);
  CHECK(minimum > 0);
  CHECK(minimum <= median);
  CHECK(log.find("(7 runs, 2 warmup)") != std::string::npos);
}
