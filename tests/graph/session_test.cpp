// Sessions end to end on small hand-built ONNX models (proto_writer.hpp, no ONNX library), checked
// against plain loops written here: constant folding of PyTorch's Shape/Gather/Unsqueeze/Concat/
// Reshape chain, NCHW semantics at Flatten/Transpose after NHWC convolutions, Conv+BatchNorm+Relu
// folding, MatMul+Add -> fully connected, the planner, one error for all unsupported ops, two
// sessions on two threads, and no allocation in run().
// The allocation counter below replaces operator new/delete with malloc/free; GCC cannot see that
// they pair up.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <random>
#include <thread>
#include <vector>

#include "proto_writer.hpp"
#include "tinynn/runtime.hpp"

namespace {
std::atomic<long> allocations{0};
}
void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

using namespace tinynn;
namespace pw = proto_writer;

namespace {

std::vector<float> random_floats(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

Result<Model> load_message(const pw::Message& m) { return load_from_memory(m.bytes); }

pw::Message ints_tensor(std::string_view name, const std::vector<std::int64_t>& dims,
                        const std::vector<std::int64_t>& values) {
  pw::Message t;
  for (std::int64_t d : dims) t.varint(1, static_cast<std::uint64_t>(d));
  t.varint(2, 7).str(8, name).bytes_field(9, values.data(), values.size() * 8);
  return t;
}

// NCHW convolution, stride 1, symmetric padding, as ONNX defines it.
std::vector<float> reference_conv(const std::vector<float>& x, int n, int c, int h, int w, const std::vector<float>& k,
                                  int m, int kh, int kw, int pad, const std::vector<float>& bias) {
  const int oh = h + 2 * pad - kh + 1, ow = w + 2 * pad - kw + 1;
  std::vector<float> y(static_cast<std::size_t>(n * m * oh * ow));
  for (int b = 0; b < n; ++b)
    for (int o = 0; o < m; ++o)
      for (int i = 0; i < oh; ++i)
        for (int j = 0; j < ow; ++j) {
          double acc = bias.empty() ? 0.0 : bias[static_cast<std::size_t>(o)];
          for (int ci = 0; ci < c; ++ci)
            for (int u = 0; u < kh; ++u)
              for (int v = 0; v < kw; ++v) {
                const int yy = i + u - pad, xx = j + v - pad;
                if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                acc += static_cast<double>(x[static_cast<std::size_t>(((b * c + ci) * h + yy) * w + xx)]) *
                       k[static_cast<std::size_t>(((o * c + ci) * kh + u) * kw + v)];
              }
          y[static_cast<std::size_t>(((b * m + o) * oh + i) * ow + j)] = static_cast<float>(acc);
        }
  return y;
}

void check_close(const TensorRef& got, const std::vector<float>& want, double tolerance = 1e-5) {
  REQUIRE(got.size() == want.size());
  const auto* g = static_cast<const float*>(got.data);
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (std::fabs(g[i] - want[i]) > tolerance * (1.0 + std::fabs(want[i]))) {
      FAIL_CHECK("element " << i << ": got " << g[i] << ", expected " << want[i]);
      return;
    }
  }
}

}  // namespace

TEST_CASE("constant folding: PyTorch's Shape/Gather/Unsqueeze/Concat/Reshape chain becomes one reshape") {
  pw::Message g;
  g.msg(11, pw::value_info("x", 1, {2, 3, 4, 5}));
  g.msg(5, ints_tensor("zero", {}, {0}));
  g.msg(5, ints_tensor("axes", {1}, {0}));
  g.msg(5, ints_tensor("minus_one", {1}, {-1}));
  g.msg(1, pw::node("Shape", {"x"}, {"shape"}, "shape"));
  g.msg(1, pw::node("Gather", {"shape", "zero"}, {"batch"}, "gather", {pw::attr_int("axis", 0)}));
  g.msg(1, pw::node("Unsqueeze", {"batch", "axes"}, {"batch1"}, "unsqueeze"));
  g.msg(1, pw::node("Concat", {"batch1", "minus_one"}, {"target"}, "concat", {pw::attr_int("axis", 0)}));
  g.msg(1, pw::node("Reshape", {"x", "target"}, {"y"}, "reshape"));
  g.msg(12, pw::value_info("y", 1, {}));
  auto model = load_message(pw::model(g));
  REQUIRE_MESSAGE(model.ok(), model.error().message());
  auto session = model->compile();
  REQUIRE_MESSAGE(session.ok(), session.error().message());
  CHECK(session->step_count() == 0);  // the Reshape aliases its input: nothing runs
  CHECK(session->arena_bytes() < 2 * 120 * sizeof(float));
  CHECK(session->output_info(0).shape == DynShape{2, 60});
  const auto x = random_floats(120, 1);
  REQUIRE(session->run({{"x", TensorRef(DType::f32, DynShape{2, 3, 4, 5}, const_cast<float*>(x.data()))}}).ok());
  check_close(session->output(0), x, 0);
}

TEST_CASE("planner: Reshape/Flatten/Squeeze/Unsqueeze alias their input, whose buffer lives as long as the alias") {
  // r = Relu(x) is read only through its aliases s (Reshape) and f (Flatten of an Unsqueeze of a
  // Squeeze), after t = Neg(x) ran: if r's lifetime ended at the Reshape, t would overwrite it.
  pw::Message g;
  g.msg(11, pw::value_info("x", 1, {2, 1, 6, 5}));
  g.msg(5, ints_tensor("target", {2}, {2, 30}));
  g.msg(5, ints_tensor("axes", {1}, {1}));
  g.msg(1, pw::node("Relu", {"x"}, {"r"}, "relu"));
  g.msg(1, pw::node("Reshape", {"r", "target"}, {"s"}, "reshape"));
  g.msg(1, pw::node("Squeeze", {"r", "axes"}, {"q"}, "squeeze"));
  g.msg(1, pw::node("Unsqueeze", {"q", "axes"}, {"u"}, "unsqueeze"));
  g.msg(1, pw::node("Flatten", {"u"}, {"f"}, "flatten", {pw::attr_int("axis", 1)}));
  g.msg(1, pw::node("Neg", {"x"}, {"t"}, "neg"));
  g.msg(1, pw::node("Reshape", {"t", "target"}, {"t2"}, "reshape2"));
  g.msg(1, pw::node("Add", {"s", "t2"}, {"y"}, "add"));
  g.msg(1, pw::node("Mul", {"f", "t2"}, {"z"}, "mul"));
  g.msg(12, pw::value_info("y", 1, {}));
  g.msg(12, pw::value_info("z", 1, {}));
  auto model = load_message(pw::model(g));
  REQUIRE_MESSAGE(model.ok(), model.error().message());
  auto session = model->compile();
  REQUIRE_MESSAGE(session.ok(), session.error().message());
  CHECK(session->step_count() == 4);  // Relu, Neg, Add, Mul
  CHECK(session->plan_text().find("alias: Flatten 'flatten'") != std::string::npos);
  const auto x = random_floats(60, 7);
  REQUIRE(session->run({{"x", TensorRef(DType::f32, DynShape{2, 1, 6, 5}, const_cast<float*>(x.data()))}}).ok());
  std::vector<float> y(60), z(60);
  for (std::size_t i = 0; i < 60; ++i) {
    y[i] = std::max(x[i], 0.0f) - x[i];
    z[i] = std::max(x[i], 0.0f) * -x[i];
  }
  CHECK(session->output_info(0).shape == DynShape{2, 30});
  check_close(session->output(0), y, 0);
  check_close(session->output(1), z, 0);
}

TEST_CASE("layout: NHWC convolutions keep ONNX NCHW semantics at Flatten and Transpose") {
  const int n = 2, c = 3, h = 5, w = 4, m = 4;
  const auto x = random_floats(static_cast<std::size_t>(n * c * h * w), 2);
  const auto k = random_floats(static_cast<std::size_t>(m * c * 9), 3);
  const auto b = random_floats(static_cast<std::size_t>(m), 4);
  pw::Message g;
  g.msg(11, pw::value_info("x", 1, {n, c, h, w}));
  g.msg(5, pw::tensor("k", 1, {m, c, 3, 3}, k));
  g.msg(5, pw::tensor("b", 1, {m}, b));
  g.msg(1, pw::node("Conv", {"x", "k", "b"}, {"y"}, "conv", {pw::attr_ints("pads", {1, 1, 1, 1})}));
  g.msg(1, pw::node("Flatten", {"y"}, {"flat"}, "flatten"));
  g.msg(1, pw::node("Transpose", {"y"}, {"t"}, "transpose", {pw::attr_ints("perm", {0, 2, 3, 1})}));
  g.msg(12, pw::value_info("flat", 1, {}));
  g.msg(12, pw::value_info("t", 1, {}));
  auto model = load_message(pw::model(g));
  REQUIRE(model.ok());
  auto session = model->compile();
  REQUIRE_MESSAGE(session.ok(), session.error().message());
  REQUIRE(session->run({{"x", TensorRef(DType::f32, DynShape{n, c, h, w}, const_cast<float*>(x.data()))}}).ok());
  const auto want = reference_conv(x, n, c, h, w, k, m, 3, 3, 1, b);
  CHECK(session->output(0).shape == DynShape{n, m * h * w});
  check_close(session->output(0), want);
  std::vector<float> transposed(want.size());
  for (int bb = 0; bb < n; ++bb)
    for (int o = 0; o < m; ++o)
      for (int i = 0; i < h * w; ++i)
        transposed[static_cast<std::size_t>((bb * h * w + i) * m + o)] =
            want[static_cast<std::size_t>((bb * m + o) * h * w + i)];
  CHECK(session->output(1).shape == DynShape{n, h, w, m});
  check_close(session->output(1), transposed);
  CHECK(session->plan_text().find("NHWC") != std::string::npos);  // the conv output really is NHWC
}

TEST_CASE("passes: Conv + BatchNormalization + Relu fold into one convolution; MatMul + Add into a fully connected") {
  const int c = 2, h = 4, w = 4, m = 3;
  const auto x = random_floats(static_cast<std::size_t>(c * h * w), 5);
  const auto k = random_floats(static_cast<std::size_t>(m * c), 6);
  const auto scale = random_floats(m, 7), shift = random_floats(m, 8), mean = random_floats(m, 9);
  std::vector<float> var = {0.5f, 1.5f, 2.0f};
  const auto fc_w = random_floats(static_cast<std::size_t>(m * h * w * 5), 10);
  const auto fc_b = random_floats(5, 11);
  pw::Message g;
  g.msg(11, pw::value_info("x", 1, {1, c, h, w}));
  g.msg(5, pw::tensor("k", 1, {m, c, 1, 1}, k));
  g.msg(5, pw::tensor("scale", 1, {m}, scale)).msg(5, pw::tensor("shift", 1, {m}, shift));
  g.msg(5, pw::tensor("mean", 1, {m}, mean)).msg(5, pw::tensor("var", 1, {m}, var));
  g.msg(5, pw::tensor("fc_w", 1, {m * h * w, 5}, fc_w)).msg(5, pw::tensor("fc_b", 1, {5}, fc_b));
  g.msg(1, pw::node("Conv", {"x", "k"}, {"y"}, "conv"));
  g.msg(1, pw::node("BatchNormalization", {"y", "scale", "shift", "mean", "var"}, {"z"}, "bn",
                    {pw::attr_float("epsilon", 1e-3f)}));
  g.msg(1, pw::node("Relu", {"z"}, {"r"}, "relu"));
  g.msg(1, pw::node("Flatten", {"r"}, {"f"}, "flatten"));
  g.msg(1, pw::node("MatMul", {"f", "fc_w"}, {"mm"}, "matmul"));
  g.msg(1, pw::node("Add", {"mm", "fc_b"}, {"out"}, "add"));
  g.msg(12, pw::value_info("out", 1, {}));
  auto model = load_message(pw::model(g));
  REQUIRE(model.ok());
  auto session = model->compile();
  REQUIRE_MESSAGE(session.ok(), session.error().message());
  const std::string& plan = session->plan_text();
  CHECK(plan.find("BatchNormalization") == std::string::npos);
  CHECK(plan.find("Relu") == std::string::npos);
  CHECK(plan.find("FullyConnected") != std::string::npos);
  REQUIRE(session->run({{"x", TensorRef(DType::f32, DynShape{1, c, h, w}, const_cast<float*>(x.data()))}}).ok());
  auto y = reference_conv(x, 1, c, h, w, k, m, 1, 1, 0, {});
  for (int o = 0; o < m; ++o)
    for (int i = 0; i < h * w; ++i) {
      float& v = y[static_cast<std::size_t>(o * h * w + i)];
      v = (v - mean[static_cast<std::size_t>(o)]) / std::sqrt(var[static_cast<std::size_t>(o)] + 1e-3f) *
              scale[static_cast<std::size_t>(o)] +
          shift[static_cast<std::size_t>(o)];
      v = v > 0 ? v : 0;
    }
  std::vector<float> want(5);
  for (int j = 0; j < 5; ++j) {
    double acc = fc_b[static_cast<std::size_t>(j)];
    for (int i = 0; i < m * h * w; ++i)
      acc += static_cast<double>(y[static_cast<std::size_t>(i)]) * fc_w[static_cast<std::size_t>(i * 5 + j)];
    want[static_cast<std::size_t>(j)] = static_cast<float>(acc);
  }
  check_close(session->output(0), want, 1e-4);
}

TEST_CASE("unsupported ops are all listed in one error, with node names") {
  pw::Message g;
  g.msg(11, pw::value_info("x", 1, {4}));
  g.msg(1, pw::node("Frobnicate", {"x"}, {"a"}, "first_bad"));
  g.msg(1, pw::node("Relu", {"a"}, {"b"}, "fine"));
  g.msg(1, pw::node("Unfrobnicate", {"b"}, {"c"}, "second_bad"));
  g.msg(12, pw::value_info("c", 1, {4}));
  auto model = load_message(pw::model(g));
  REQUIRE(model.ok());
  auto session = model->compile();
  REQUIRE_FALSE(session.ok());
  const std::string message = session.error().message();
  CHECK(session.error().code() == ErrorCode::unsupported);
  CHECK(message.find("2 unsupported nodes") != std::string::npos);
  CHECK(message.find("'first_bad' (Frobnicate") != std::string::npos);
  CHECK(message.find("'second_bad' (Unfrobnicate") != std::string::npos);
}

TEST_CASE("planner: buffers with overlapping lifetimes never overlap in memory; reuse beats no reuse") {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<graph::BufferRequest> requests;
    for (int i = 0; i < 40; ++i) {
      const int first = static_cast<int>(rng() % 30);
      requests.push_back({static_cast<std::size_t>(rng() % 5000 + 1), first, first + static_cast<int>(rng() % 6)});
    }
    const graph::MemoryPlan plan = graph::plan_memory(requests);
    std::size_t peak_live = 0;
    for (int step = 0; step < 40; ++step) {
      std::size_t live = 0;
      for (const auto& r : requests) live += (r.first_step <= step && step <= r.last_step) ? align_up(r.bytes) : 0;
      peak_live = std::max(peak_live, live);
    }
    CHECK(plan.arena_bytes >= peak_live);  // nothing can beat the live peak
    CHECK(plan.arena_bytes <= plan.naive_bytes);
    for (std::size_t a = 0; a < requests.size(); ++a) {
      CHECK(plan.offsets[a] % tensor_alignment == 0);
      CHECK(plan.offsets[a] + requests[a].bytes <= plan.arena_bytes);
      for (std::size_t b = a + 1; b < requests.size(); ++b) {
        const bool live_together =
            requests[a].first_step <= requests[b].last_step && requests[b].first_step <= requests[a].last_step;
        const bool apart = plan.offsets[a] + requests[a].bytes <= plan.offsets[b] ||
                           plan.offsets[b] + requests[b].bytes <= plan.offsets[a];
        if (live_together) CHECK(apart);
      }
    }
  }
}

TEST_CASE("two sessions of one model run on two threads; run() allocates nothing") {
  const int c = 3, h = 8, w = 8, m = 8;
  const auto k = random_floats(static_cast<std::size_t>(m * c * 9), 13);
  pw::Message g;
  g.msg(11, pw::value_info("x", 1, {1, c, h, w}));
  g.msg(5, pw::tensor("k", 1, {m, c, 3, 3}, k));
  g.msg(1, pw::node("Conv", {"x", "k"}, {"y"}, "conv", {pw::attr_ints("pads", {1, 1, 1, 1})}));
  g.msg(1, pw::node("Relu", {"y"}, {"r"}, "relu"));
  g.msg(1, pw::node("GlobalAveragePool", {"r"}, {"p"}, "gap"));
  g.msg(12, pw::value_info("p", 1, {}));
  auto model = load_message(pw::model(g));
  REQUIRE(model.ok());
  auto first = model->compile();
  auto second = model->compile();
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  const auto x1 = random_floats(static_cast<std::size_t>(c * h * w), 14),
             x2 = random_floats(static_cast<std::size_t>(c * h * w), 15);
  auto expected = [&](const std::vector<float>& x) {
    auto y = reference_conv(x, 1, c, h, w, k, m, 3, 3, 1, {});
    std::vector<float> p(m);
    for (int o = 0; o < m; ++o) {
      double s = 0;
      for (int i = 0; i < h * w; ++i) s += std::max(0.0f, y[static_cast<std::size_t>(o * h * w + i)]);
      p[static_cast<std::size_t>(o)] = static_cast<float>(s / (h * w));
    }
    return p;
  };
  const auto want1 = expected(x1), want2 = expected(x2);
  std::atomic<int> failures{0};
  auto worker = [&](Session& s, const std::vector<float>& x, const std::vector<float>& want) {
    for (int iteration = 0; iteration < 200; ++iteration) {
      if (!s.run({{"x", TensorRef(DType::f32, DynShape{1, c, h, w}, const_cast<float*>(x.data()))}}).ok()) ++failures;
      const auto* out = static_cast<const float*>(s.output(0).data);
      for (int o = 0; o < m; ++o) {
        if (std::fabs(out[o] - want[static_cast<std::size_t>(o)]) > 1e-5f) ++failures;
      }
    }
  };
  std::thread t1(worker, std::ref(*first), std::cref(x1), std::cref(want1));
  std::thread t2(worker, std::ref(*second), std::cref(x2), std::cref(want2));
  t1.join();
  t2.join();
  CHECK(failures.load() == 0);
  const long before = allocations.load();
  for (int i = 0; i < 10; ++i) {
    REQUIRE(first->run({{"x", TensorRef(DType::f32, DynShape{1, c, h, w}, const_cast<float*>(x1.data()))}}).ok());
  }
  CHECK(allocations.load() == before);
}
