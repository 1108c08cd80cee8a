// ops/rnn.hpp: LSTM, GRU and RNN against (1) ONNX's own conformance data (libonnx-testdata, read
// with a 40-line TensorProto reader; skipped where the package is absent) and (2) a double-precision
// reference written here, time-major over the whole batch, on random weights with every option.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "ops/eltwise_test_support.hpp"
#include "tinynn/ops/rnn.hpp"

using namespace tinynn;
using namespace eltwise_test;
namespace rec = ops::recurrent;

namespace {

// ---------- ONNX TensorProto (dims = 1, data_type = 2, name = 8, raw_data = 9) ----------
struct OnnxTensor {
  std::vector<std::int64_t> dims;
  std::string name;
  std::vector<unsigned char> raw;
  int data_type = 0;
  template <class T>
  std::vector<T> as() const {
    std::vector<T> v(raw.size() / sizeof(T));
    std::memcpy(v.data(), raw.data(), v.size() * sizeof(T));
    return v;
  }
};

bool read_varint(const unsigned char*& p, const unsigned char* end, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const unsigned char byte = *p++;
    v |= std::uint64_t(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

bool read_tensor(const std::filesystem::path& path, OnnxTensor& t) {
  std::ifstream file(path, std::ios::binary);
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  const unsigned char* p = bytes.data();
  const unsigned char* end = p + bytes.size();
  while (p < end) {
    std::uint64_t key = 0, v = 0;
    if (!read_varint(p, end, key)) return false;
    const auto field = key >> 3, wire = key & 7;
    if (wire == 0) {
      if (!read_varint(p, end, v)) return false;
      if (field == 1) t.dims.push_back(static_cast<std::int64_t>(v));
      if (field == 2) t.data_type = static_cast<int>(v);
    } else if (wire == 2) {
      if (!read_varint(p, end, v) || v > static_cast<std::uint64_t>(end - p)) return false;
      if (field == 1) {  // packed dims
        const unsigned char* q = p;
        while (q < p + v) {
          std::uint64_t d = 0;
          if (!read_varint(q, p + v, d)) return false;
          t.dims.push_back(static_cast<std::int64_t>(d));
        }
      }
      if (field == 8) t.name.assign(reinterpret_cast<const char*>(p), v);
      if (field == 9) t.raw.assign(p, p + v);
      p += v;
    } else if (wire == 5) {
      p += 4;
    } else if (wire == 1) {
      p += 8;
    } else {
      return false;
    }
  }
  return true;
}

std::filesystem::path onnx_node_dir() { return "/usr/share/libonnx-testdata/data/node"; }

// ---------- double reference ----------
double act(const rec::Activation& a, double x) {
  switch (a.kind) {
    case rec::ActivationKind::sigmoid: return 1.0 / (1.0 + std::exp(-x));
    case rec::ActivationKind::tanh: return std::tanh(x);
    case rec::ActivationKind::relu: return std::max(x, 0.0);
    case rec::ActivationKind::affine: return a.alpha * x + a.beta;
    case rec::ActivationKind::leaky_relu: return x >= 0 ? x : a.alpha * x;
    case rec::ActivationKind::thresholded_relu: return x > a.alpha ? x : 0.0;
    case rec::ActivationKind::scaled_tanh: return a.alpha * std::tanh(a.beta * x);
    case rec::ActivationKind::hard_sigmoid: return std::clamp(a.alpha * x + a.beta, 0.0, 1.0);
    case rec::ActivationKind::elu: return x >= 0 ? x : a.alpha * (std::exp(x) - 1);
    case rec::ActivationKind::softsign: return x / (1 + std::fabs(x));
    case rec::ActivationKind::softplus: return std::log(1 + std::exp(x));
  }
  return x;
}

enum class Cell { lstm, gru, rnn };

struct Case {
  Cell cell = Cell::lstm;
  rec::Shape shape;
  bool linear_before_reset = false, input_forget = false;
  std::vector<rec::Activation> activations;  // per direction: LSTM 3, GRU 2, RNN 1
  std::vector<float> x, w, r, b, p, h0, c0;
  std::vector<std::int32_t> lengths;
  int gates() const { return cell == Cell::lstm ? 4 : cell == Cell::gru ? 3 : 1; }
};

struct Outputs {
  std::vector<float> y, y_h, y_c;
};

// Time-major over all batch entries at once; the state of a batch entry freezes after its length.
Outputs reference(const Case& c) {
  const auto& s = c.shape;
  const std::int64_t T = s.seq_length, N = s.batch, I = s.input_size, H = s.hidden_size, D = s.directions();
  const int G = c.gates();
  const int A = c.cell == Cell::lstm ? 3 : c.cell == Cell::gru ? 2 : 1;
  Outputs out;
  out.y.assign(static_cast<std::size_t>(T * D * N * H), 0.0f);
  out.y_h.assign(static_cast<std::size_t>(D * N * H), 0.0f);
  out.y_c.assign(static_cast<std::size_t>(D * N * H), 0.0f);
  auto xi = [&](std::int64_t t, std::int64_t n, std::int64_t i) {
    return double{c.x[static_cast<std::size_t>(s.batch_first ? (n * T + t) * I + i : (t * N + n) * I + i)]};
  };
  auto yi = [&](std::int64_t t, std::int64_t d, std::int64_t n, std::int64_t j) -> float& {
    return out
        .y[static_cast<std::size_t>(s.batch_first ? ((n * T + t) * D + d) * H + j : ((t * D + d) * N + n) * H + j)];
  };
  auto si = [&](std::int64_t d, std::int64_t n, std::int64_t j) {
    return static_cast<std::size_t>(s.batch_first ? (n * D + d) * H + j : (d * N + n) * H + j);
  };
  auto clip = [&](double v) { return s.clip > 0 ? std::clamp(v, -double{s.clip}, double{s.clip}) : v; };
  for (std::int64_t d = 0; d < D; ++d) {
    const bool reverse = s.direction == rec::Direction::reverse || d == 1;
    const rec::Activation* a = &c.activations[static_cast<std::size_t>(d * A)];
    std::vector<std::vector<double>> h(static_cast<std::size_t>(N), std::vector<double>(static_cast<std::size_t>(H))),
        cs = h;
    std::vector<std::int64_t> len(static_cast<std::size_t>(N), T);
    for (std::int64_t n = 0; n < N; ++n) {
      if (!c.lengths.empty()) len[static_cast<std::size_t>(n)] = c.lengths[static_cast<std::size_t>(n)];
      for (std::int64_t j = 0; j < H; ++j) {
        h[n][j] = c.h0.empty() ? 0.0 : c.h0[si(d, n, j)];
        cs[n][j] = c.c0.empty() ? 0.0 : c.c0[si(d, n, j)];
      }
    }
    auto W = [&](int g, std::int64_t j, std::int64_t i) {
      return double{c.w[static_cast<std::size_t>(((d * G + g) * H + j) * I + i)]};
    };
    auto R = [&](int g, std::int64_t j, std::int64_t i) {
      return double{c.r[static_cast<std::size_t>(((d * G + g) * H + j) * H + i)]};
    };
    auto Wb = [&](int g, std::int64_t j) {
      return c.b.empty() ? 0.0 : double{c.b[static_cast<std::size_t>(d * 2 * G * H + g * H + j)]};
    };
    auto Rb = [&](int g, std::int64_t j) {
      return c.b.empty() ? 0.0 : double{c.b[static_cast<std::size_t>(d * 2 * G * H + (G + g) * H + j)]};
    };
    auto P = [&](int g, std::int64_t j) {
      return c.p.empty() ? 0.0 : double{c.p[static_cast<std::size_t>(d * 3 * H + g * H + j)]};
    };
    for (std::int64_t step = 0; step < T; ++step) {
      for (std::int64_t n = 0; n < N; ++n) {
        const std::int64_t L = len[static_cast<std::size_t>(n)];
        if (step >= L) continue;
        const std::int64_t t = reverse ? L - 1 - step : step;
        auto xw = [&](int g, std::int64_t j) {
          double v = Wb(g, j);
          for (std::int64_t i = 0; i < I; ++i) v += W(g, j, i) * xi(t, n, i);
          return v;
        };
        auto hr = [&](int g, std::int64_t j, const std::vector<double>& hv) {
          double v = Rb(g, j);
          for (std::int64_t i = 0; i < H; ++i) v += R(g, j, i) * hv[static_cast<std::size_t>(i)];
          return v;
        };
        std::vector<double> next(static_cast<std::size_t>(H)), next_c(static_cast<std::size_t>(H));
        if (c.cell == Cell::lstm) {
          for (std::int64_t j = 0; j < H; ++j) {
            const double ct = cs[n][j];
            const double i_ = act(a[0], clip(xw(0, j) + hr(0, j, h[n]) + P(0, j) * ct));
            const double f_ = c.input_forget ? 1 - i_ : act(a[0], clip(xw(2, j) + hr(2, j, h[n]) + P(2, j) * ct));
            const double g_ = act(a[1], clip(xw(3, j) + hr(3, j, h[n])));
            next_c[j] = f_ * ct + i_ * g_;
            const double o_ = act(a[0], clip(xw(1, j) + hr(1, j, h[n]) + P(1, j) * next_c[j]));
            next[j] = o_ * act(a[2], next_c[j]);
          }
          cs[n] = next_c;
        } else if (c.cell == Cell::gru) {
          std::vector<double> z(static_cast<std::size_t>(H)), rr(static_cast<std::size_t>(H)),
              rh(static_cast<std::size_t>(H));
          for (std::int64_t j = 0; j < H; ++j) {
            z[j] = act(a[0], clip(xw(0, j) + hr(0, j, h[n])));
            rr[j] = act(a[0], clip(xw(1, j) + hr(1, j, h[n])));
            rh[j] = rr[j] * h[n][j];
          }
          for (std::int64_t j = 0; j < H; ++j) {
            const double cand = c.linear_before_reset ? xw(2, j) + rr[j] * hr(2, j, h[n]) : xw(2, j) + hr(2, j, rh);
            next[j] = (1 - z[j]) * act(a[1], clip(cand)) + z[j] * h[n][j];
          }
        } else {
          for (std::int64_t j = 0; j < H; ++j) next[j] = act(a[0], clip(xw(0, j) + hr(0, j, h[n])));
        }
        h[n] = next;
        for (std::int64_t j = 0; j < H; ++j) yi(t, d, n, j) = static_cast<float>(h[n][j]);
      }
    }
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t j = 0; j < H; ++j) {
        out.y_h[si(d, n, j)] = static_cast<float>(h[n][j]);
        out.y_c[si(d, n, j)] = static_cast<float>(cs[n][j]);
      }
  }
  return out;
}

Outputs run(const Case& c, backend::BackendId id) {
  const auto& s = c.shape;
  const auto hd = static_cast<std::size_t>(s.directions() * s.batch * s.hidden_size);
  Outputs out;
  out.y.assign(static_cast<std::size_t>(s.seq_length) * hd, 123.0f);
  out.y_h.assign(hd, 123.0f);
  out.y_c.assign(hd, 123.0f);
  rec::Sequence io{c.x.data(),
                   c.lengths.empty() ? nullptr : c.lengths.data(),
                   c.h0.empty() ? nullptr : c.h0.data(),
                   c.c0.empty() ? nullptr : c.c0.data(),
                   out.y.data(),
                   out.y_h.data(),
                   out.y_c.data()};
  const float* b = c.b.empty() ? nullptr : c.b.data();
  const auto count = static_cast<std::int64_t>(c.activations.size());
  if (c.cell == Cell::lstm) {
    ops::lstm::Params p;
    p.shape = s;
    p.input_forget = c.input_forget;
    for (std::size_t k = 0; k < c.activations.size(); ++k) p.activations[k / 3][k % 3] = c.activations[k];
    REQUIRE(ops::lstm::prepare(p, count).ok());
    std::vector<float> scratch(ops::lstm::unpacked_scratch_size(p));
    ops::lstm::run(id, p, {c.w.data(), c.r.data(), b, c.p.empty() ? nullptr : c.p.data()}, io, scratch.data());
  } else if (c.cell == Cell::gru) {
    ops::gru::Params p;
    p.shape = s;
    p.linear_before_reset = c.linear_before_reset;
    for (std::size_t k = 0; k < c.activations.size(); ++k) p.activations[k / 2][k % 2] = c.activations[k];
    REQUIRE(ops::gru::prepare(p, count).ok());
    std::vector<float> scratch(ops::gru::unpacked_scratch_size(p));
    ops::gru::run(id, p, {c.w.data(), c.r.data(), b}, io, scratch.data());
  } else {
    ops::rnn::Params p;
    p.shape = s;
    for (std::size_t k = 0; k < c.activations.size(); ++k) p.activations[k] = c.activations[k];
    REQUIRE(ops::rnn::prepare(p, count).ok());
    std::vector<float> scratch(ops::rnn::unpacked_scratch_size(p));
    ops::rnn::run(id, p, {c.w.data(), c.r.data(), b}, io, scratch.data());
  }
  return out;
}

std::vector<rec::Activation> default_activations(Cell cell, std::int64_t dirs) {
  std::vector<rec::Activation> one;
  if (cell == Cell::lstm)
    one = {{rec::ActivationKind::sigmoid}, {rec::ActivationKind::tanh}, {rec::ActivationKind::tanh}};
  if (cell == Cell::gru) one = {{rec::ActivationKind::sigmoid}, {rec::ActivationKind::tanh}};
  if (cell == Cell::rnn) one = {{rec::ActivationKind::tanh}};
  std::vector<rec::Activation> all;
  for (std::int64_t d = 0; d < dirs; ++d) all.insert(all.end(), one.begin(), one.end());
  return all;
}

}  // namespace

TEST_CASE("rnn: ONNX conformance cases (libonnx-testdata node/test_{lstm,gru,rnn,simple_rnn}_*)") {
  if (!std::filesystem::exists(onnx_node_dir())) {
    MESSAGE("skipped: " << onnx_node_dir() << " is absent (Debian package libonnx-testdata)");
    return;
  }
  int checked = 0;
  for (const char* name :
       {"test_lstm_defaults", "test_lstm_with_initial_bias", "test_lstm_with_peepholes", "test_lstm_batchwise",
        "test_gru_defaults", "test_gru_with_initial_bias", "test_gru_seq_length", "test_gru_batchwise",
        "test_rnn_seq_length", "test_simple_rnn_defaults", "test_simple_rnn_with_initial_bias",
        "test_simple_rnn_batchwise"}) {
    const auto dir = onnx_node_dir() / name / "test_data_set_0";
    if (!std::filesystem::exists(dir)) continue;
    Case c;
    const std::string n = name;
    CAPTURE(n);
    c.cell = n.find("lstm") != std::string::npos  ? Cell::lstm
             : n.find("gru") != std::string::npos ? Cell::gru
                                                  : Cell::rnn;
    // Inputs in ONNX order: X, W, R, B, sequence_lens, initial_h, initial_c, P (empty names skipped).
    std::vector<OnnxTensor> outputs;
    for (int k = 0; k < 8; ++k) {
      OnnxTensor t;
      const auto path = dir / ("input_" + std::to_string(k) + ".pb");
      if (!std::filesystem::exists(path)) break;
      REQUIRE(read_tensor(path, t));
      if (t.name == "X") {
        c.x = t.as<float>();
        c.shape.batch_first = n.find("batchwise") != std::string::npos;  // the node's layout=1
        c.shape.seq_length = t.dims[c.shape.batch_first ? 1 : 0];
        c.shape.batch = t.dims[c.shape.batch_first ? 0 : 1];
        c.shape.input_size = t.dims[2];
      } else if (t.name == "W") {
        c.w = t.as<float>();
      } else if (t.name == "R") {
        c.r = t.as<float>();
        c.shape.hidden_size = t.dims[2];
      } else if (t.name == "B") {
        c.b = t.as<float>();
      } else if (t.name == "sequence_lens") {
        c.lengths = t.as<std::int32_t>();
      } else if (t.name == "initial_h") {
        c.h0 = t.as<float>();
      } else if (t.name == "initial_c") {
        c.c0 = t.as<float>();
      } else if (t.name == "P") {
        c.p = t.as<float>();
      }
    }
    c.activations = default_activations(c.cell, 1);
    const Outputs want_all = reference(c);  // our own reference must agree with ONNX's too
    for (int k = 0; k < 3; ++k) {
      OnnxTensor t;
      const auto path = dir / ("output_" + std::to_string(k) + ".pb");
      if (!std::filesystem::exists(path)) break;
      REQUIRE(read_tensor(path, t));
      const auto want = t.as<float>();
      for (auto id : runnable_backends()) {
        const Outputs got = run(c, id);
        const auto& g = t.name == "Y" ? got.y : t.name == "Y_h" ? got.y_h : got.y_c;
        check_close(g, want, 1e-5f, 1e-4f, std::string(name) + " " + t.name + " " + std::string(backend::name_of(id)));
      }
      const auto& r = t.name == "Y" ? want_all.y : t.name == "Y_h" ? want_all.y_h : want_all.y_c;
      check_close(r, want, 1e-5f, 1e-4f, std::string(name) + " " + t.name + " (test reference)");
      ++checked;
    }
  }
  MESSAGE("checked " << checked << " ONNX conformance outputs");
  CHECK(checked >= 12);
}

TEST_CASE("rnn: random LSTM/GRU/RNN with every option against the double reference") {
  const rec::ActivationKind kinds[] = {rec::ActivationKind::sigmoid,
                                       rec::ActivationKind::tanh,
                                       rec::ActivationKind::relu,
                                       rec::ActivationKind::hard_sigmoid,
                                       rec::ActivationKind::scaled_tanh,
                                       rec::ActivationKind::softsign,
                                       rec::ActivationKind::leaky_relu,
                                       rec::ActivationKind::elu,
                                       rec::ActivationKind::softplus,
                                       rec::ActivationKind::affine,
                                       rec::ActivationKind::thresholded_relu};
  for (int trial = 0; trial < 90; ++trial) {
    Case c;
    c.cell = static_cast<Cell>(trial % 3);
    auto& s = c.shape;
    s.seq_length = random_int(0, 6);
    s.batch = random_int(1, 3);
    s.input_size = random_int(1, 9);
    // Every fifth trial is wide: vector widths, several blocks of packed panels, partial panels and
    // the tail of the fused LSTM cell.
    s.hidden_size = trial % 5 == 4 ? random_int(16, 70) : random_int(1, 9);
    s.direction = static_cast<rec::Direction>((trial / 3) % 3);
    s.batch_first = random_int(0, 1) == 1;
    s.clip = random_int(0, 2) == 0 ? 0.8f : 0.0f;
    c.linear_before_reset = random_int(0, 1) == 1;
    c.input_forget = random_int(0, 3) == 0;
    const std::int64_t D = s.directions(), G = c.gates(), H = s.hidden_size, N = s.batch;
    c.x = random_floats(static_cast<std::size_t>(s.seq_length * N * s.input_size), -1, 1);
    c.w = random_floats(static_cast<std::size_t>(D * G * H * s.input_size), -0.6f, 0.6f);
    c.r = random_floats(static_cast<std::size_t>(D * G * H * H), -0.6f, 0.6f);
    if (random_int(0, 1)) c.b = random_floats(static_cast<std::size_t>(D * 2 * G * H), -0.5f, 0.5f);
    if (c.cell == Cell::lstm && random_int(0, 1)) c.p = random_floats(static_cast<std::size_t>(D * 3 * H), -0.5f, 0.5f);
    if (random_int(0, 1)) c.h0 = random_floats(static_cast<std::size_t>(D * N * H), -1, 1);
    if (c.cell == Cell::lstm && random_int(0, 1)) c.c0 = random_floats(static_cast<std::size_t>(D * N * H), -1, 1);
    if (random_int(0, 1)) {
      for (std::int64_t n = 0; n < N; ++n) c.lengths.push_back(static_cast<std::int32_t>(random_int(0, s.seq_length)));
    }
    c.activations = default_activations(c.cell, D);
    if (trial % 4 == 3) {
      for (auto& a : c.activations) {
        a = {kinds[random_int(0, 10)], 0.7f, 0.4f};
      }
    }
    CAPTURE(trial);
    const Outputs want = reference(c);
    for (auto id : runnable_backends()) {
      const Outputs got = run(c, id);
      const std::string what = "trial " + std::to_string(trial) + " " + std::string(backend::name_of(id));
      check_close(got.y, want.y, 2e-5f, 1e-4f, what + " Y");
      check_close(got.y_h, want.y_h, 2e-5f, 1e-4f, what + " Y_h");
      if (c.cell == Cell::lstm) check_close(got.y_c, want.y_c, 2e-5f, 1e-4f, what + " Y_c");
    }
  }
}

TEST_CASE("rnn: activation names and validation") {
  auto a = rec::activation_from_name("HardSigmoid");
  REQUIRE(a);
  CHECK(a->alpha == 0.2f);
  CHECK(a->beta == 0.5f);
  const float alpha = 0.3f;
  CHECK(rec::activation_from_name("LeakyRelu", &alpha)->alpha == 0.3f);
  CHECK(!rec::activation_from_name("Gelu"));
  ops::lstm::Params p;
  p.shape = {2, 1, 3, 0};
  CHECK(!ops::lstm::prepare(p).ok());
  p.shape.hidden_size = 4;
  CHECK(ops::lstm::prepare(p).ok());
  p.shape.direction = rec::Direction::bidirectional;
  CHECK(!ops::lstm::prepare(p, 3).ok());  // a bidirectional LSTM needs 6 activations
}
