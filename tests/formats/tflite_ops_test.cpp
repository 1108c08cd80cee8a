// TFLite data-movement and small arithmetic builtins through the importer and a compiled session:
// STRIDED_SLICE (every mask, negative strides; against a NumPy-style slicing reference written
// here, a different formulation from the importer's TFLite "effective dimensions"), SHAPE, PACK,
// UNPACK, CAST, DIV, MINIMUM, MAXIMUM, each on models written by tests/formats/tflite_writer.hpp,
// float32 and int8.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "formats/tflite_writer.hpp"
#include "tinynn/formats/tflite.hpp"
#include "tinynn/graph/session.hpp"

using namespace tinynn;
namespace tw = tflite_writer;

namespace {

// schema.fbs codes and BuiltinOptions indices.
constexpr std::int32_t DIV = 42, STRIDED_SLICE = 45, CAST = 53, MAXIMUM = 55, MINIMUM = 57, SHAPE = 77, PACK = 83,
                       UNPACK = 88;
constexpr std::uint8_t strided_slice_options = 32, shape_options = 55, pack_options = 59, unpack_options = 64;

struct Output {
  DType dtype;
  std::vector<std::int64_t> shape;
  std::vector<std::uint8_t> bytes;
  template <class T>
  [[nodiscard]] std::vector<T> as() const {
    std::vector<T> v(bytes.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
  }
};

/// Imports, compiles and runs a model; inputs are raw bytes in the order of the subgraph inputs.
std::vector<Output> run(const std::vector<std::uint8_t>& model, const std::vector<std::vector<std::uint8_t>>& inputs) {
  auto bytes = std::make_shared<std::vector<std::uint8_t>>(model);
  auto graph = formats::tflite::import(*bytes, "test.tflite", bytes);
  REQUIRE_MESSAGE(graph.ok(), graph.error().message());
  auto session = compile(*graph);
  REQUIRE_MESSAGE(session.ok(), session.error().message());
  REQUIRE(session->input_count() == inputs.size());
  std::vector<std::vector<std::uint8_t>> copies = inputs;
  std::vector<TensorRef> refs;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const TensorInfo& info = session->input_info(i);
    REQUIRE(copies[i].size() == info.shape.size() * dtype_size(info.dtype));
    refs.emplace_back(info.dtype, info.shape, copies[i].data());
  }
  const Status status = session->run_positional(refs);
  REQUIRE_MESSAGE(status.ok(), status.message());
  std::vector<Output> outputs;
  for (std::size_t i = 0; i < session->output_count(); ++i) {
    const TensorRef t = session->output(i);
    Output o{t.dtype, {}, std::vector<std::uint8_t>(t.bytes())};
    for (std::size_t d = 0; d < t.shape.rank(); ++d) o.shape.push_back(t.shape[d]);
    if (t.bytes()) std::memcpy(o.bytes.data(), t.data, t.bytes());
    outputs.push_back(std::move(o));
  }
  return outputs;
}

std::size_t count_of(const std::vector<std::int32_t>& shape) {
  std::size_t n = 1;
  for (std::int32_t d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

// ---- NumPy-style strided slice reference ---------------------------------------------------------

struct SliceCase {
  std::vector<std::int32_t> shape, begin, end, strides;
  std::int32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_mask = 0;
};

/// Index lists per input dimension and the output shape, walking the spec the way NumPy indexes:
/// the ellipsis stands for the dimensions no other entry consumes, a new axis adds a 1, a shrink
/// entry picks one index, a slice entry uses Python's start/stop/step rules; dimensions past the
/// spec are taken whole.
void reference_slice(const SliceCase& s, std::vector<std::vector<std::int64_t>>& lists,
                     std::vector<std::int64_t>& out_shape) {
  const auto n = static_cast<int>(s.begin.size());
  const auto rank = static_cast<int>(s.shape.size());
  auto has = [](std::int32_t mask, int i) { return ((mask >> i) & 1) != 0; };
  int consumed = 0;
  for (int i = 0; i < n; ++i) consumed += !has(s.ellipsis_mask, i) && !has(s.new_axis_mask, i);
  lists.clear();
  out_shape.clear();
  int d = 0;
  auto whole = [&](int dim) {
    std::vector<std::int64_t> l;
    for (int k = 0; k < dim; ++k) l.push_back(k);
    lists.push_back(l);
    out_shape.push_back(dim);
  };
  for (int i = 0; i < n; ++i) {
    if (has(s.ellipsis_mask, i)) {
      for (int k = 0; k < rank - consumed; ++k) whole(s.shape[static_cast<std::size_t>(d++)]);
      continue;
    }
    if (has(s.new_axis_mask, i)) {
      out_shape.push_back(1);
      continue;
    }
    const std::int64_t dim = s.shape[static_cast<std::size_t>(d++)];
    const std::int64_t b = s.begin[static_cast<std::size_t>(i)], e = s.end[static_cast<std::size_t>(i)],
                       st = s.strides[static_cast<std::size_t>(i)];
    if (has(s.shrink_mask, i)) {
      lists.push_back({b < 0 ? b + dim : b});
      continue;
    }
    std::int64_t start, stop;
    if (has(s.begin_mask, i)) {
      start = st > 0 ? 0 : dim - 1;
    } else {
      start = b < 0 ? b + dim : b;
      start = st > 0 ? std::clamp<std::int64_t>(start, 0, dim) : std::clamp<std::int64_t>(start, -1, dim - 1);
    }
    if (has(s.end_mask, i)) {
      stop = st > 0 ? dim : -1;
    } else {
      stop = e < 0 ? e + dim : e;
      stop = st > 0 ? std::clamp<std::int64_t>(stop, 0, dim) : std::clamp<std::int64_t>(stop, -1, dim - 1);
    }
    std::vector<std::int64_t> l;
    for (std::int64_t k = start; st > 0 ? k < stop : k > stop; k += st) l.push_back(k);
    out_shape.push_back(static_cast<std::int64_t>(l.size()));
    lists.push_back(l);
  }
  while (d < rank) whole(s.shape[static_cast<std::size_t>(d++)]);
}

template <class T>
std::vector<T> gather_slice(const std::vector<T>& x, const std::vector<std::int32_t>& shape,
                            const std::vector<std::vector<std::int64_t>>& lists) {
  std::vector<T> out;
  std::vector<std::size_t> pos(lists.size(), 0);
  for (const auto& l : lists) {
    if (l.empty()) return out;
  }
  while (true) {
    std::int64_t offset = 0;
    for (std::size_t d = 0; d < lists.size(); ++d) offset = offset * shape[d] + lists[d][pos[d]];
    out.push_back(x[static_cast<std::size_t>(offset)]);
    std::size_t d = lists.size();
    while (d > 0) {
      --d;
      if (++pos[d] < lists[d].size()) break;
      pos[d] = 0;
      if (d == 0) return out;
    }
    if (lists.empty()) return out;
  }
}

SliceCase random_slice(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  SliceCase s;
  const int rank = pick(1, 4);
  for (int d = 0; d < rank; ++d) s.shape.push_back(pick(1, 6));
  // Spec entries: at most one ellipsis, some new axes, then slices/shrinks for up to `rank` dims.
  const bool ellipsis = pick(0, 3) == 0;
  const int slices = pick(ellipsis ? 0 : 1, rank);
  const int new_axes = pick(0, 3) == 0 ? pick(1, 2) : 0;
  std::vector<int> kinds;  // 0 slice, 1 new axis, 2 ellipsis
  for (int i = 0; i < slices; ++i) kinds.push_back(0);
  for (int i = 0; i < new_axes; ++i) kinds.insert(kinds.begin() + pick(0, static_cast<int>(kinds.size())), 1);
  if (ellipsis) kinds.insert(kinds.begin() + pick(0, static_cast<int>(kinds.size())), 2);
  // Which input dimension each slice entry reaches (the ellipsis takes rank - slices dims).
  int d = 0;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const int bit = 1 << i;
    if (kinds[i] == 2) {
      s.ellipsis_mask |= bit;
      d += rank - slices;
      s.begin.push_back(0);
      s.end.push_back(0);
      s.strides.push_back(1);
      continue;
    }
    if (kinds[i] == 1) {
      s.new_axis_mask |= bit;
      s.begin.push_back(0);
      s.end.push_back(0);
      s.strides.push_back(1);
      continue;
    }
    const int dim = s.shape[static_cast<std::size_t>(d++)];
    if (pick(0, 4) == 0) {  // shrink: one index, maybe negative
      s.shrink_mask |= bit;
      const int index = pick(0, dim - 1);
      s.begin.push_back(pick(0, 1) ? index : index - dim);
      s.end.push_back(index + 1);
      s.strides.push_back(1);
      continue;
    }
    int stride = pick(1, 3);
    if (pick(0, 1)) stride = -stride;
    int b = pick(-dim - 2, dim + 2), e = pick(-dim - 2, dim + 2);
    if (pick(0, 7) != 0) {  // mostly in the stride's direction (non-empty), in plain or negative form
      b = pick(0, dim - 1);
      if (stride < 0 && b == 0) b = dim - 1;
      e = stride > 0 ? pick(b + 1, dim + 2) : (b == 0 ? 0 : pick(0, b - 1));
      if (stride < 0 && b == 0) s.end_mask |= bit;
      if (pick(0, 2) == 0 && b > 0) b -= dim;
      if (pick(0, 2) == 0 && e > 0 && e < dim) e -= dim;
    }
    s.begin.push_back(b);
    s.end.push_back(e);
    s.strides.push_back(stride);
    if (pick(0, 3) == 0) s.begin_mask |= bit;
    if (pick(0, 3) == 0) s.end_mask |= bit;
  }
  return s;
}

}  // namespace

TEST_CASE("tflite STRIDED_SLICE: random specs (masks, ellipsis, new axes, negative strides) equal NumPy slicing") {
  std::mt19937 rng(2024);
  int checked = 0, empty = 0;
  for (int t = 0; t < 120; ++t) {
    const SliceCase s = random_slice(rng);
    std::vector<std::vector<std::int64_t>> lists;
    std::vector<std::int64_t> expected_shape;
    reference_slice(s, lists, expected_shape);
    const bool quantized = t % 2 == 1;
    const std::size_t n = count_of(s.shape);
    std::vector<float> xf(n);
    std::vector<std::int8_t> xq(n);
    for (std::size_t i = 0; i < n; ++i) {
      xf[i] = static_cast<float>(i) * 0.5f - 3.0f;
      xq[i] = static_cast<std::int8_t>(static_cast<int>(i % 251) - 125);
    }
    const auto k = static_cast<std::int32_t>(s.begin.size());
    tw::TensorSpec in{s.shape, quantized ? tw::int8 : tw::float32};
    tw::TensorSpec out{{}, in.type};
    if (quantized) {
      in.scales = out.scales = {0.25f};
      in.zero_points = out.zero_points = {3};
    }
    std::vector<std::int32_t> out_shape32;
    for (auto v : expected_shape) out_shape32.push_back(static_cast<std::int32_t>(v));
    out.shape = out_shape32;
    const std::vector<tw::TensorSpec> tensors = {in,
                                                 {{k}, tw::int32, tw::raw_bytes(s.begin)},
                                                 {{k}, tw::int32, tw::raw_bytes(s.end)},
                                                 {{k}, tw::int32, tw::raw_bytes(s.strides)},
                                                 out};
    tw::OperatorSpec op{STRIDED_SLICE,
                        {0, 1, 2, 3},
                        {4},
                        {},
                        strided_slice_options,
                        tw::Table{}
                            .scalar<std::int32_t>(0, s.begin_mask)
                            .scalar<std::int32_t>(1, s.end_mask)
                            .scalar<std::int32_t>(2, s.ellipsis_mask)
                            .scalar<std::int32_t>(3, s.new_axis_mask)
                            .scalar<std::int32_t>(4, s.shrink_mask)
                            .done()};
    INFO("case ", t, " rank ", s.shape.size(), " masks b", s.begin_mask, " e", s.end_mask, " ell", s.ellipsis_mask,
         " new", s.new_axis_mask, " shrink", s.shrink_mask);
    const auto model = tw::model(tensors, {op}, {0}, {4});
    const auto outputs = run(model, {quantized ? tw::raw_bytes(xq) : tw::raw_bytes(xf)});
    REQUIRE(outputs.size() == 1);
    CHECK(outputs[0].shape == expected_shape);
    if (quantized) {
      CHECK(outputs[0].as<std::int8_t>() == gather_slice(xq, s.shape, lists));
    } else {
      CHECK(outputs[0].as<float>() == gather_slice(xf, s.shape, lists));
    }
    ++checked;
    empty += outputs[0].bytes.empty();
  }
  MESSAGE(checked, " strided slices checked (", empty, " empty)");
  CHECK(empty < checked / 4);
}

TEST_CASE("tflite STRIDED_SLICE: a reversed row and a bad stride") {
  // x[:, ::-1] of a 2x3 float matrix.
  const std::vector<float> x = {1, 2, 3, 4, 5, 6};
  const std::vector<tw::TensorSpec> tensors = {{{2, 3}, tw::float32},
                                               {{2}, tw::int32, tw::raw_bytes(std::vector<std::int32_t>{0, 0})},
                                               {{2}, tw::int32, tw::raw_bytes(std::vector<std::int32_t>{0, 0})},
                                               {{2}, tw::int32, tw::raw_bytes(std::vector<std::int32_t>{1, -1})},
                                               {{2, 3}, tw::float32}};
  auto options = tw::Table{}.scalar<std::int32_t>(0, 3).scalar<std::int32_t>(1, 3).done();
  const auto outputs =
      run(tw::model(tensors, {{STRIDED_SLICE, {0, 1, 2, 3}, {4}, {}, strided_slice_options, options}}, {0}, {4}),
          {tw::raw_bytes(x)});
  CHECK(outputs[0].as<float>() == std::vector<float>{3, 2, 1, 6, 5, 4});

  auto bad = tensors;
  bad[3].data = tw::raw_bytes(std::vector<std::int32_t>{1, 0});
  auto bytes = std::make_shared<std::vector<std::uint8_t>>(
      tw::model(bad, {{STRIDED_SLICE, {0, 1, 2, 3}, {4}, {}, strided_slice_options, options}}, {0}, {4}));
  auto graph = formats::tflite::import(*bytes, "bad.tflite", bytes);
  REQUIRE(graph.ok());
  auto session = compile(*graph);
  REQUIRE_FALSE(session.ok());
  CHECK(std::string(session.error().message()).find("stride 0") != std::string::npos);
}

TEST_CASE("tflite SHAPE, PACK, UNPACK") {
  std::mt19937 rng(7);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  {
    for (std::int8_t out_type : {tw::int32, tw::int64}) {
      const std::vector<tw::TensorSpec> tensors = {{{2, 5, 3}, tw::float32}, {{3}, out_type}};
      const auto outputs =
          run(tw::model(tensors,
                        {{SHAPE, {0}, {1}, {}, shape_options, tw::Table{}.scalar<std::int8_t>(0, out_type).done()}},
                        {0}, {1}),
              {std::vector<std::uint8_t>(30 * 4, 0)});
      if (out_type == tw::int32) {
        CHECK(outputs[0].as<std::int32_t>() == std::vector<std::int32_t>{2, 5, 3});
      } else {
        CHECK(outputs[0].as<std::int64_t>() == std::vector<std::int64_t>{2, 5, 3});
      }
    }
  }
  for (int t = 0; t < 40; ++t) {
    const int rank = pick(0, 3), count = pick(1, 4);
    std::vector<std::int32_t> part;
    for (int d = 0; d < rank; ++d) part.push_back(pick(1, 4));
    const int axis = pick(-(rank + 1), rank);
    const int a = axis < 0 ? axis + rank + 1 : axis;
    std::vector<std::int32_t> whole = part;
    whole.insert(whole.begin() + a, count);
    const bool quantized = t % 2 == 1;
    const std::int8_t type = quantized ? tw::int8 : tw::float32;
    const std::size_t n = count_of(part), esize = quantized ? 1 : 4;
    // Inputs: part k element i = distinct bytes.
    std::vector<std::vector<std::uint8_t>> parts(static_cast<std::size_t>(count));
    for (int k = 0; k < count; ++k) {
      parts[static_cast<std::size_t>(k)].resize(n * esize);
      for (std::size_t i = 0; i < n * esize; ++i)
        parts[static_cast<std::size_t>(k)][i] = static_cast<std::uint8_t>(k * 37 + i * 11 + 5);
    }
    // Reference: whole[outer][k][inner] = part_k[outer][inner].
    std::size_t outer = 1, inner = 1;
    for (int d = 0; d < a; ++d) outer *= static_cast<std::size_t>(part[static_cast<std::size_t>(d)]);
    for (int d = a; d < rank; ++d) inner *= static_cast<std::size_t>(part[static_cast<std::size_t>(d)]);
    std::vector<std::uint8_t> expected(n * esize * static_cast<std::size_t>(count));
    for (std::size_t o = 0; o < outer; ++o)
      for (int k = 0; k < count; ++k)
        for (std::size_t i = 0; i < inner * esize; ++i)
          expected[(o * static_cast<std::size_t>(count) + static_cast<std::size_t>(k)) * inner * esize + i] =
              parts[static_cast<std::size_t>(k)][o * inner * esize + i];
    INFO("rank ", rank, " count ", count, " axis ", axis, quantized ? " int8" : " f32");
    // PACK
    std::vector<tw::TensorSpec> tensors;
    std::vector<std::int32_t> ins;
    for (int k = 0; k < count; ++k) {
      tw::TensorSpec s{part, type};
      if (quantized) {
        s.scales = {0.5f};
        s.zero_points = {-2};
      }
      tensors.push_back(s);
      ins.push_back(k);
    }
    tw::TensorSpec packed{whole, type};
    if (quantized) {
      packed.scales = {0.5f};
      packed.zero_points = {-2};
    }
    tensors.push_back(packed);
    auto options = tw::Table{}.scalar<std::int32_t>(0, count).scalar<std::int32_t>(1, axis).done();
    auto outputs = run(tw::model(tensors, {{PACK, ins, {count}, {}, pack_options, options}}, ins, {count}), parts);
    CHECK(outputs[0].bytes == expected);
    CHECK(outputs[0].shape.size() == whole.size());
    // UNPACK: the packed tensor back into parts.
    std::vector<tw::TensorSpec> unpack_tensors = {packed};
    std::vector<std::int32_t> outs;
    for (int k = 0; k < count; ++k) {
      unpack_tensors.push_back(tensors[static_cast<std::size_t>(k)]);
      outs.push_back(k + 1);
    }
    outputs = run(tw::model(unpack_tensors, {{UNPACK, {0}, outs, {}, unpack_options, options}}, {0}, outs), {expected});
    REQUIRE(outputs.size() == static_cast<std::size_t>(count));
    for (int k = 0; k < count; ++k)
      CHECK(outputs[static_cast<std::size_t>(k)].bytes == parts[static_cast<std::size_t>(k)]);
  }
}

TEST_CASE("tflite CAST, DIV, MINIMUM, MAXIMUM") {
  {  // CAST float -> int32 truncates toward zero; int32 -> float; int16 -> int32; float -> bool
    const std::vector<float> x = {-2.75f, -0.5f, 0.0f, 0.5f, 1.99f, 300.25f};
    const std::vector<tw::TensorSpec> tensors = {
        {{6}, tw::float32}, {{6}, tw::int32}, {{6}, tw::float32}, {{6}, tw::boolean}};
    const auto outputs = run(tw::model(tensors, {{CAST, {0}, {1}}, {CAST, {1}, {2}}, {CAST, {0}, {3}}}, {0}, {1, 2, 3}),
                             {tw::raw_bytes(x)});
    CHECK(outputs[0].as<std::int32_t>() == std::vector<std::int32_t>{-2, 0, 0, 0, 1, 300});
    CHECK(outputs[1].as<float>() == std::vector<float>{-2, 0, 0, 0, 1, 300});
    CHECK(outputs[2].as<std::uint8_t>() == std::vector<std::uint8_t>{1, 1, 0, 1, 1, 1});
    const std::vector<std::int16_t> h = {-32768, -1, 0, 7, 32767};
    const auto o16 =
        run(tw::model({{{5}, tw::int16}, {{5}, tw::int32}}, {{CAST, {0}, {1}}}, {0}, {1}), {tw::raw_bytes(h)});
    CHECK(o16[0].as<std::int32_t>() == std::vector<std::int32_t>{-32768, -1, 0, 7, 32767});
  }
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> value(-4.0f, 4.0f);
  {  // float DIV / MINIMUM / MAXIMUM with broadcasting [2,3,4] op [3,1]
    std::vector<float> a(24), b(3);
    for (auto& v : a) v = value(rng);
    for (auto& v : b) v = value(rng) + (v >= 0 ? 0.5f : -0.5f);
    const std::vector<tw::TensorSpec> tensors = {{{2, 3, 4}, tw::float32},
                                                 {{3, 1}, tw::float32},
                                                 {{2, 3, 4}, tw::float32},
                                                 {{2, 3, 4}, tw::float32},
                                                 {{2, 3, 4}, tw::float32}};
    const auto outputs =
        run(tw::model(tensors, {{DIV, {0, 1}, {2}}, {MINIMUM, {0, 1}, {3}}, {MAXIMUM, {0, 1}, {4}}}, {0, 1}, {2, 3, 4}),
            {tw::raw_bytes(a), tw::raw_bytes(b)});
    const auto div = outputs[0].as<float>(), mn = outputs[1].as<float>(), mx = outputs[2].as<float>();
    for (std::size_t i = 0; i < 24; ++i) {
      const float bv = b[(i / 4) % 3];
      CHECK(div[i] == a[i] / bv);
      CHECK(mn[i] == std::min(a[i], bv));
      CHECK(mx[i] == std::max(a[i], bv));
    }
  }
  {  // int8 MINIMUM / MAXIMUM (equal quantization): raw integers compare
    std::vector<std::int8_t> a(12), b(4);
    for (auto& v : a) v = static_cast<std::int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
    for (auto& v : b) v = static_cast<std::int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
    tw::TensorSpec ta{{3, 4}, tw::int8}, tb{{4}, tw::int8}, ty{{3, 4}, tw::int8};
    ta.scales = tb.scales = ty.scales = {0.1f};
    ta.zero_points = tb.zero_points = ty.zero_points = {-5};
    const auto outputs =
        run(tw::model({ta, tb, ty, ty}, {{MINIMUM, {0, 1}, {2}}, {MAXIMUM, {0, 1}, {3}}}, {0, 1}, {2, 3}),
            {tw::raw_bytes(a), tw::raw_bytes(b)});
    const auto mn = outputs[0].as<std::int8_t>(), mx = outputs[1].as<std::int8_t>();
    for (std::size_t i = 0; i < 12; ++i) {
      CHECK(mn[i] == std::min(a[i], b[i % 4]));
      CHECK(mx[i] == std::max(a[i], b[i % 4]));
    }
    // Differing quantization is refused with a message.
    tw::TensorSpec other = tb;
    other.scales = {0.2f};
    auto bytes =
        std::make_shared<std::vector<std::uint8_t>>(tw::model({ta, other, ty}, {{MINIMUM, {0, 1}, {2}}}, {0, 1}, {2}));
    auto graph = formats::tflite::import(*bytes, "minq.tflite", bytes);
    REQUIRE(graph.ok());
    auto session = compile(*graph);
    REQUIRE_FALSE(session.ok());
    CHECK(std::string(session.error().message()).find("differing quantization") != std::string::npos);
  }
}
