// tinynn — graph handlers of the compute-heavy ops: Conv (ops/conv2d, ops/depthwise_conv2d),
// ConvTranspose (ops/gemm + col2im), Gemm, MatMul and the internal FullyConnected (ops/gemm). They
// translate ONNX attributes to kernel Params, validate them once, pack constant weights once at
// bind time (OIHW -> OHWI for convolutions), and capture everything the kernel needs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "tinynn/backends/cpu_features.hpp"
#include "tinynn/graph/kernel.hpp"
#include "tinynn/ops/conv2d.hpp"
#include "tinynn/ops/depthwise_conv2d.hpp"
#include "tinynn/ops/gemm.hpp"

namespace tinynn::graph::op {

/// NCHW <-> NHWC for any element width (also used by ToLayout).
template <class T>
inline void nchw_to_nhwc(const T* src, T* dst, std::size_t n, std::size_t c, std::size_t hw) noexcept {
  for (std::size_t b = 0; b < n; ++b) {
    const T* s = src + b * c * hw;
    T* d = dst + b * c * hw;
    for (std::size_t ch = 0; ch < c; ++ch)
      for (std::size_t p = 0; p < hw; ++p) d[p * c + ch] = s[ch * hw + p];
  }
}
template <class T>
inline void nhwc_to_nchw(const T* src, T* dst, std::size_t n, std::size_t c, std::size_t hw) noexcept {
  for (std::size_t b = 0; b < n; ++b) {
    const T* s = src + b * c * hw;
    T* d = dst + b * c * hw;
    for (std::size_t p = 0; p < hw; ++p)
      for (std::size_t ch = 0; ch < c; ++ch) d[ch * hw + p] = s[p * c + ch];
  }
}

// ---------------------------------------------------------------------------------------------
// Conv

struct ConvAttributes {
  std::int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1, groups = 1;
  std::int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  ops::PaddingMode mode = ops::PaddingMode::explicit_padding;
  bool valid = false;  // auto_pad VALID
};

/// Reads 2-D window attributes (Conv, ConvTranspose, pools): kernel_shape, strides, dilations, pads, auto_pad.
inline Status read_window(const Node& node, const Graph& graph, std::int64_t kernel_h, std::int64_t kernel_w,
                          ConvAttributes& a) {
  auto where = [&] { return graph.where(node); };
  auto two = [&](std::string_view key, std::int64_t& h, std::int64_t& w, std::int64_t fallback) -> Status {
    const std::vector<std::int64_t> v = node.attr_ints(key);
    if (v.empty()) {
      h = w = fallback;
      return {};
    }
    if (v.size() != 2)
      return error(ErrorCode::unsupported, where(), ": '", key, "' has ", v.size(), " entries; only 2-D is supported");
    h = v[0];
    w = v[1];
    if (h <= 0 || w <= 0) return error(ErrorCode::invalid_model, where(), ": '", key, "' must be positive");
    return {};
  };
  // kernel_h/kernel_w: the weights' spatial dims (>= 0), or -1 for the windows without weights (pools).
  if (kernel_h == 0 || kernel_w == 0) {
    return error(ErrorCode::invalid_model, where(), ": the weights' kernel is ", kernel_h, "x", kernel_w,
                 "; expected a non-empty kernel");
  }
  std::vector<std::int64_t> kernel = node.attr_ints("kernel_shape");
  if (!kernel.empty()) {
    TINYNN_RETURN_IF_ERROR(two("kernel_shape", a.kernel_h, a.kernel_w, 1));
    if ((kernel_h > 0 && a.kernel_h != kernel_h) || (kernel_w > 0 && a.kernel_w != kernel_w)) {
      return error(ErrorCode::invalid_model, where(), ": kernel_shape ", a.kernel_h, "x", a.kernel_w,
                   " does not match the weights' ", kernel_h, "x", kernel_w);
    }
  } else {
    if (kernel_h <= 0) return error(ErrorCode::invalid_model, where(), ": kernel_shape is required");
    a.kernel_h = kernel_h;
    a.kernel_w = kernel_w;
  }
  if (a.kernel_h > 65536 || a.kernel_w > 65536) return error(ErrorCode::invalid_model, where(), ": kernel too large");
  TINYNN_RETURN_IF_ERROR(two("strides", a.stride_h, a.stride_w, 1));
  TINYNN_RETURN_IF_ERROR(two("dilations", a.dilation_h, a.dilation_w, 1));
  if (a.stride_h > 65536 || a.stride_w > 65536 || a.dilation_h > 65536 || a.dilation_w > 65536) {
    return error(ErrorCode::invalid_model, where(), ": stride or dilation too large");
  }
  const std::vector<std::int64_t> pads = node.attr_ints("pads");
  if (!pads.empty()) {
    if (pads.size() != 4)
      return error(ErrorCode::unsupported, where(), ": 'pads' has ", pads.size(), " entries; only 2-D is supported");
    for (std::int64_t p : pads) {
      if (p < 0 || p > 65536) return error(ErrorCode::invalid_model, where(), ": pad ", p, " out of range");
    }
    a.pad_top = pads[0];
    a.pad_left = pads[1];
    a.pad_bottom = pads[2];
    a.pad_right = pads[3];
  }
  const std::string_view auto_pad = node.attr_string("auto_pad", "NOTSET");
  if (auto_pad == "SAME_UPPER") {
    a.mode = ops::PaddingMode::same_upper;
  } else if (auto_pad == "SAME_LOWER") {
    a.mode = ops::PaddingMode::same_lower;
  } else if (auto_pad == "VALID") {
    a.valid = true;
    a.pad_top = a.pad_left = a.pad_bottom = a.pad_right = 0;
  } else if (auto_pad != "NOTSET" && !auto_pad.empty()) {
    return error(ErrorCode::invalid_model, where(), ": auto_pad '", auto_pad,
                 "' is not NOTSET, SAME_UPPER, SAME_LOWER or VALID");
  }
  return {};
}

/// Explicit padding after resolving SAME_* against an input size.
inline void resolve_same(ConvAttributes& a, std::int64_t in_h, std::int64_t in_w) noexcept {
  if (a.mode == ops::PaddingMode::explicit_padding) return;
  const bool lower = a.mode == ops::PaddingMode::same_lower;
  const auto ph = ops::same_padding(in_h, a.kernel_h, a.stride_h, a.dilation_h, lower);
  const auto pw = ops::same_padding(in_w, a.kernel_w, a.stride_w, a.dilation_w, lower);
  a.pad_top = ph.before;
  a.pad_bottom = ph.after;
  a.pad_left = pw.before;
  a.pad_right = pw.after;
  a.mode = ops::PaddingMode::explicit_padding;
}

inline Status conv_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 3));
  TINYNN_RETURN_IF_ERROR(c.require_float({0, 1, 2}));
  const Value& x = c.in(0);
  const Value& w = c.in(1);
  if (x.shape.rank() != 4 || w.shape.rank() != 4) {
    return c.fail(ErrorCode::unsupported, "only 2-D convolution is supported (input ", x.shape, ", weights ", w.shape,
                  ")");
  }
  ConvAttributes a;
  TINYNN_RETURN_IF_ERROR(read_window(c.node, c.graph, w.shape[2], w.shape[3], a));
  a.groups = c.node.attr_int("group", 1);
  const std::int64_t in_c = x.shape[1], out_c = w.shape[0];
  if (a.groups <= 0 || in_c % a.groups != 0 || out_c % a.groups != 0 || w.shape[1] * a.groups != in_c) {
    return c.fail(ErrorCode::invalid_model, "group=", a.groups, " does not fit input channels ", in_c, " and weights ",
                  w.shape);
  }
  if (c.has_input(2) && (c.in(2).element_count() != static_cast<std::size_t>(out_c))) {
    return c.fail(ErrorCode::invalid_model, "bias has ", c.in(2).element_count(), " elements, expected ", out_c);
  }
  resolve_same(a, x.shape[2], x.shape[3]);
  const std::int64_t oh =
      ops::window_output_size(x.shape[2], a.kernel_h, a.stride_h, a.dilation_h, a.pad_top, a.pad_bottom);
  const std::int64_t ow =
      ops::window_output_size(x.shape[3], a.kernel_w, a.stride_w, a.dilation_w, a.pad_left, a.pad_right);
  if (oh <= 0 || ow <= 0) return c.fail(ErrorCode::invalid_model, "input ", x.shape, " is smaller than the kernel");
  c.set_output(0, DType::f32, DynShape{x.shape[0], out_c, oh, ow});
  return {};
}

/// OIHW -> OHWI (conv2d weights) for one buffer.
inline void oihw_to_ohwi(const float* src, float* dst, std::int64_t o, std::int64_t i, std::int64_t h,
                         std::int64_t w) noexcept {
  for (std::int64_t a = 0; a < o; ++a)
    for (std::int64_t b = 0; b < i; ++b)
      for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x) dst[((a * h + y) * w + x) * i + b] = src[((a * i + b) * h + y) * w + x];
}

inline KernelResult conv_bind(BindContext& c) {
  const TensorRef x = c.inputs[0], w = c.inputs[1], y = c.outputs[0];
  ConvAttributes a;
  TINYNN_RETURN_IF_ERROR(read_window(c.node, c.graph, w.shape[2], w.shape[3], a));
  a.groups = c.node.attr_int("group", 1);
  resolve_same(a, x.shape[2], x.shape[3]);
  const std::int64_t batch = x.shape[0], in_c = x.shape[1], in_h = x.shape[2], in_w = x.shape[3];
  const std::int64_t out_c = w.shape[0], out_h = y.shape[2], out_w = y.shape[3];
  const bool nhwc_in = c.input_layouts[0] == Layout::nhwc, nhwc_out = c.output_layouts[0] == Layout::nhwc;
  const float* bias = c.has_input(2) ? static_cast<const float*>(c.inputs[2].data) : nullptr;
  const bool constant_weights = c.input_values[1]->constant && (!bias || c.input_values[2]->constant);
  const backend::BackendId id = runtime_backend();
  const ops::Padding2D padding{static_cast<std::int32_t>(a.pad_top), static_cast<std::int32_t>(a.pad_left),
                               static_cast<std::int32_t>(a.pad_bottom), static_cast<std::int32_t>(a.pad_right)};
  // Staging buffers for operands not in NHWC (constant folding, or layout passes off).
  auto staging_in = std::make_shared<std::vector<float>>(nhwc_in ? 0 : x.size());
  auto staging_out = std::make_shared<std::vector<float>>(nhwc_out ? 0 : y.size());
  const auto* x_data = static_cast<const float*>(x.data);
  auto* y_data = static_cast<float*>(y.data);
  const auto hw_in = static_cast<std::size_t>(in_h * in_w), hw_out = static_cast<std::size_t>(out_h * out_w);
  const bool depthwise = a.groups > 1 && a.groups == in_c;

  if (depthwise) {
    ops::depthwise_conv2d::Params p;
    p.batch = batch;
    p.in_h = in_h;
    p.in_w = in_w;
    p.channels = in_c;
    p.multiplier = static_cast<std::int32_t>(out_c / in_c);
    p.kernel_h = static_cast<std::int32_t>(a.kernel_h);
    p.kernel_w = static_cast<std::int32_t>(a.kernel_w);
    p.stride_h = static_cast<std::int32_t>(a.stride_h);
    p.stride_w = static_cast<std::int32_t>(a.stride_w);
    p.dilation_h = static_cast<std::int32_t>(a.dilation_h);
    p.dilation_w = static_cast<std::int32_t>(a.dilation_w);
    p.padding = padding;
    p.activation = c.node.activation;
    TINYNN_RETURN_IF_ERROR(ops::depthwise_conv2d::prepare(p).prepend(c.graph.where(c.node)));
    auto packed = std::make_shared<std::vector<float>>(ops::depthwise_conv2d::packed_weights_size(p));
    auto hwc = std::make_shared<std::vector<float>>(static_cast<std::size_t>(a.kernel_h * a.kernel_w * out_c));
    const auto* w_data = static_cast<const float*>(w.data);
    const std::int64_t taps = a.kernel_h * a.kernel_w;
    auto pack = [=]() noexcept {
      // ONNX [M][1][kh][kw] -> [kh][kw][M]
      for (std::int64_t o = 0; o < out_c; ++o)
        for (std::int64_t t = 0; t < taps; ++t) (*hwc)[static_cast<std::size_t>(t * out_c + o)] = w_data[o * taps + t];
      ops::depthwise_conv2d::pack_weights(p, hwc->data(), bias, packed->data());
    };
    if (constant_weights) {
      pack();
      std::vector<float>().swap(*hwc);
    }
    return make_kernel([=]() noexcept {
      if (!constant_weights) pack();
      const float* in = x_data;
      if (!nhwc_in) {
        nchw_to_nhwc(x_data, staging_in->data(), static_cast<std::size_t>(batch), static_cast<std::size_t>(in_c),
                     hw_in);
        in = staging_in->data();
      }
      float* out = nhwc_out ? y_data : staging_out->data();
      ops::depthwise_conv2d::run(id, p, in, packed->data(), out);
      if (!nhwc_out)
        nhwc_to_nchw(out, y_data, static_cast<std::size_t>(batch), static_cast<std::size_t>(out_c), hw_out);
    });
  }

  ops::conv2d::Params p;
  p.batch = batch;
  p.in_h = in_h;
  p.in_w = in_w;
  p.in_c = in_c;
  p.out_c = out_c;
  p.kernel_h = static_cast<std::int32_t>(a.kernel_h);
  p.kernel_w = static_cast<std::int32_t>(a.kernel_w);
  p.stride_h = static_cast<std::int32_t>(a.stride_h);
  p.stride_w = static_cast<std::int32_t>(a.stride_w);
  p.dilation_h = static_cast<std::int32_t>(a.dilation_h);
  p.dilation_w = static_cast<std::int32_t>(a.dilation_w);
  p.groups = static_cast<std::int32_t>(a.groups);
  p.padding = padding;
  p.activation = c.node.activation;
  TINYNN_RETURN_IF_ERROR(ops::conv2d::prepare(p).prepend(c.graph.where(c.node)));
  auto packed = std::make_shared<std::vector<float>>(ops::conv2d::packed_weights_size(p));
  // The OHWI staging copy lives only while packing constant weights; weights computed at run time
  // keep one in the kernel.
  auto ohwi = std::make_shared<std::vector<float>>(w.size());
  auto scratch = std::make_shared<std::vector<float>>(ops::conv2d::scratch_size(p, id) + 1);
  const auto* w_data = static_cast<const float*>(w.data);
  const DynShape ws = w.shape;
  auto pack = [=]() noexcept {
    oihw_to_ohwi(w_data, ohwi->data(), ws[0], ws[1], ws[2], ws[3]);
    ops::conv2d::pack_weights(p, ohwi->data(), bias, packed->data());
  };
  if (constant_weights) {
    pack();
    std::vector<float>().swap(*ohwi);
  }
  return make_kernel([=]() noexcept {
    if (!constant_weights) pack();
    const float* in = x_data;
    if (!nhwc_in) {
      nchw_to_nhwc(x_data, staging_in->data(), static_cast<std::size_t>(batch), static_cast<std::size_t>(in_c), hw_in);
      in = staging_in->data();
    }
    float* out = nhwc_out ? y_data : staging_out->data();
    ops::conv2d::run(id, p, in, packed->data(), out, scratch->data());
    if (!nhwc_out) nhwc_to_nchw(out, y_data, static_cast<std::size_t>(batch), static_cast<std::size_t>(out_c), hw_out);
  });
}

// ---------------------------------------------------------------------------------------------
// ConvTranspose (2-D, canonical layout): columns = W_g^T x X_g with ops::gemm, then col2im.

inline Status conv_transpose_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 3));
  TINYNN_RETURN_IF_ERROR(c.require_float({0, 1, 2}));
  const Value& x = c.in(0);
  const Value& w = c.in(1);
  if (x.shape.rank() != 4 || w.shape.rank() != 4)
    return c.fail(ErrorCode::unsupported, "only 2-D ConvTranspose is supported");
  ConvAttributes a;
  TINYNN_RETURN_IF_ERROR(read_window(c.node, c.graph, w.shape[2], w.shape[3], a));
  a.groups = c.node.attr_int("group", 1);
  if (a.groups <= 0 || x.shape[1] != w.shape[0] || x.shape[1] % a.groups != 0) {
    return c.fail(ErrorCode::invalid_model, "weights ", w.shape, " do not fit input ", x.shape,
                  " with group=", a.groups);
  }
  const std::int64_t out_c = w.shape[1] * a.groups;
  if (c.has_input(2) && (c.in(2).element_count() != static_cast<std::size_t>(out_c))) {
    return c.fail(ErrorCode::invalid_model, "bias has ", c.in(2).element_count(), " elements, expected ", out_c);
  }
  std::vector<std::int64_t> output_padding = c.node.attr_ints("output_padding");
  if (output_padding.empty()) output_padding = {0, 0};
  if (output_padding.size() != 2) return c.fail(ErrorCode::unsupported, "output_padding must have 2 entries");
  const std::vector<std::int64_t> output_shape = c.node.attr_ints("output_shape");
  std::int64_t oh, ow;
  const std::int64_t in_h = x.shape[2], in_w = x.shape[3];
  const std::int64_t eff_h = (a.kernel_h - 1) * a.dilation_h + 1, eff_w = (a.kernel_w - 1) * a.dilation_w + 1;
  if (!output_shape.empty() && output_shape.size() < 2) {
    return c.fail(ErrorCode::invalid_model, "output_shape has ", output_shape.size(), " entries; expected 2 or 4");
  }
  if (!output_shape.empty()) {
    oh = output_shape[output_shape.size() - 2];
    ow = output_shape[output_shape.size() - 1];
  } else if (a.mode != ops::PaddingMode::explicit_padding) {
    oh = in_h * a.stride_h;
    ow = in_w * a.stride_w;
  } else {
    oh = a.stride_h * (in_h - 1) + output_padding[0] + eff_h - a.pad_top - a.pad_bottom;
    ow = a.stride_w * (in_w - 1) + output_padding[1] + eff_w - a.pad_left - a.pad_right;
  }
  if (oh <= 0 || ow <= 0 || oh > (1 << 20) || ow > (1 << 20))
    return c.fail(ErrorCode::invalid_model, "bad output size ", oh, "x", ow);
  c.set_output(0, DType::f32, DynShape{x.shape[0], out_c, oh, ow});
  return {};
}

inline KernelResult conv_transpose_bind(BindContext& c) {
  const TensorRef x = c.inputs[0], w = c.inputs[1], y = c.outputs[0];
  ConvAttributes a;
  TINYNN_RETURN_IF_ERROR(read_window(c.node, c.graph, w.shape[2], w.shape[3], a));
  const std::int64_t groups = c.node.attr_int("group", 1);
  const std::int64_t batch = x.shape[0], in_c = x.shape[1], in_h = x.shape[2], in_w = x.shape[3];
  const std::int64_t out_c = y.shape[1], out_h = y.shape[2], out_w = y.shape[3];
  const std::int64_t cg = in_c / groups, mg = out_c / groups, kk = a.kernel_h * a.kernel_w;
  const std::int64_t eff_h = (a.kernel_h - 1) * a.dilation_h + 1, eff_w = (a.kernel_w - 1) * a.dilation_w + 1;
  std::int64_t pad_top = a.pad_top, pad_left = a.pad_left;
  std::vector<std::int64_t> output_padding = c.node.attr_ints("output_padding");
  if (output_padding.size() != 2) output_padding = {0, 0};
  if (a.mode != ops::PaddingMode::explicit_padding || !c.node.attr_ints("output_shape").empty()) {
    const std::int64_t total_h = a.stride_h * (in_h - 1) + output_padding[0] + eff_h - out_h;
    const std::int64_t total_w = a.stride_w * (in_w - 1) + output_padding[1] + eff_w - out_w;
    const bool lower = a.mode == ops::PaddingMode::same_lower;
    pad_top = lower ? total_h - total_h / 2 : total_h / 2;
    pad_left = lower ? total_w - total_w / 2 : total_w / 2;
  }
  // gemm per group: C[mg*kk x in_h*in_w] = A[mg*kk x cg] * B[cg x in_h*in_w]
  ops::gemm::Params gp;
  gp.m = mg * kk;
  gp.n = in_h * in_w;
  gp.k = cg;
  TINYNN_RETURN_IF_ERROR(ops::gemm::prepare(gp).prepend(c.graph.where(c.node)));
  const backend::BackendId id = runtime_backend();
  auto a_t = std::make_shared<std::vector<float>>(static_cast<std::size_t>(groups * gp.m * gp.k));
  auto packed = std::make_shared<std::vector<float>>(ops::gemm::packed_weights_size(gp));
  auto columns = std::make_shared<std::vector<float>>(static_cast<std::size_t>(gp.m * gp.n));
  auto scratch = std::make_shared<std::vector<float>>(ops::gemm::scratch_size(gp, id) + 1);
  const auto* x_data = static_cast<const float*>(x.data);
  const auto* w_data = static_cast<const float*>(w.data);
  const float* bias = c.has_input(2) ? static_cast<const float*>(c.inputs[2].data) : nullptr;
  auto* y_data = static_cast<float*>(y.data);
  const std::int64_t sh = a.stride_h, sw = a.stride_w, dh = a.dilation_h, dw = a.dilation_w, kh = a.kernel_h,
                     kw = a.kernel_w;
  return make_kernel([=]() noexcept {
    // A_g[(m, ky, kx)][c] = W[g*cg + c][m][ky][kx]
    for (std::int64_t g = 0; g < groups; ++g)
      for (std::int64_t ci = 0; ci < cg; ++ci)
        for (std::int64_t r = 0; r < mg * kk; ++r)
          (*a_t)[static_cast<std::size_t>((g * gp.m + r) * cg + ci)] = w_data[(g * cg + ci) * mg * kk + r];
    for (std::int64_t b = 0; b < batch; ++b) {
      float* out = y_data + b * out_c * out_h * out_w;
      for (std::int64_t o = 0; o < out_c; ++o)
        for (std::int64_t p = 0; p < out_h * out_w; ++p) out[o * out_h * out_w + p] = bias ? bias[o] : 0.0f;
      for (std::int64_t g = 0; g < groups; ++g) {
        const float* xg = x_data + (b * in_c + g * cg) * in_h * in_w;
        ops::gemm::pack_weights(gp, xg, ops::gemm::WeightLayout::kn, nullptr, packed->data());
        ops::gemm::run(id, gp, a_t->data() + g * gp.m * gp.k, packed->data(), columns->data(), scratch->data());
        for (std::int64_t m = 0; m < mg; ++m)
          for (std::int64_t ky = 0; ky < kh; ++ky)
            for (std::int64_t kx = 0; kx < kw; ++kx) {
              const float* col = columns->data() + ((m * kh + ky) * kw + kx) * in_h * in_w;
              float* dst = out + (g * mg + m) * out_h * out_w;
              for (std::int64_t iy = 0; iy < in_h; ++iy) {
                const std::int64_t oy = iy * sh - pad_top + ky * dh;
                if (oy < 0 || oy >= out_h) continue;
                for (std::int64_t ix = 0; ix < in_w; ++ix) {
                  const std::int64_t ox = ix * sw - pad_left + kx * dw;
                  if (ox < 0 || ox >= out_w) continue;
                  dst[oy * out_w + ox] += col[iy * in_w + ix];
                }
              }
            }
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Gemm: Y = alpha * A' * B' + beta * C

inline Status gemm_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 3));
  TINYNN_RETURN_IF_ERROR(c.require_float({0, 1, 2}));
  const Value& a = c.in(0);
  const Value& b = c.in(1);
  if (a.shape.rank() != 2 || b.shape.rank() != 2)
    return c.fail(ErrorCode::invalid_model, "A ", a.shape, " and B ", b.shape, " must be 2-D");
  const bool ta = c.node.attr_int("transA", 0) != 0, tb = c.node.attr_int("transB", 0) != 0;
  const std::int64_t m = ta ? a.shape[1] : a.shape[0], k = ta ? a.shape[0] : a.shape[1];
  const std::int64_t kb = tb ? b.shape[1] : b.shape[0], n = tb ? b.shape[0] : b.shape[1];
  if (k != kb)
    return c.fail(ErrorCode::invalid_model, "inner dimensions differ: A' is ", m, "x", k, ", B' is ", kb, "x", n);
  if (c.has_input(2)) {
    DynShape out;
    if (!broadcast_shapes(c.in(2).shape, DynShape{m, n}, out) || !(out == DynShape{m, n})) {
      return c.fail(ErrorCode::invalid_model, "C ", c.in(2).shape, " does not broadcast to ", DynShape{m, n});
    }
  }
  c.set_output(0, DType::f32, DynShape{m, n});
  return {};
}

inline KernelResult gemm_bind(BindContext& c) {
  const TensorRef a = c.inputs[0], b = c.inputs[1], y = c.outputs[0];
  const bool ta = c.node.attr_int("transA", 0) != 0, tb = c.node.attr_int("transB", 0) != 0;
  const float alpha = c.node.attr_float("alpha", 1.0f), beta = c.node.attr_float("beta", 1.0f);
  ops::gemm::Params p;
  p.m = y.shape[0];
  p.n = y.shape[1];
  p.k = ta ? a.shape[0] : a.shape[1];
  p.activation = c.node.activation;
  TINYNN_RETURN_IF_ERROR(ops::gemm::prepare(p).prepend(c.graph.where(c.node)));
  const backend::BackendId id = runtime_backend();
  auto packed = std::make_shared<std::vector<float>>(ops::gemm::packed_weights_size(p));
  auto scratch = std::make_shared<std::vector<float>>(ops::gemm::scratch_size(p, id) + 1);
  auto a_t = std::make_shared<std::vector<float>>(ta ? a.size() : 0);
  const auto* a_data = static_cast<const float*>(a.data);
  const auto* b_data = static_cast<const float*>(b.data);
  auto* y_data = static_cast<float*>(y.data);
  const bool has_c = c.has_input(2);
  const TensorRef cc = has_c ? c.inputs[2] : TensorRef{};
  const auto c_strides = has_c ? broadcast_strides(cc.shape, y.shape) : std::array<std::size_t, max_rank>{};
  const bool constant_b = c.input_values[1]->constant;
  const auto layout = tb ? ops::gemm::WeightLayout::nk : ops::gemm::WeightLayout::kn;
  // The activation must come after alpha/beta: apply it here unless the simple form lets gemm fuse it.
  const bool simple = alpha == 1.0f && !has_c;
  ops::gemm::Params run_params = p;
  if (!simple) run_params.activation = {};
  const ops::ActivationParams activation = p.activation;
  if (constant_b) ops::gemm::pack_weights(p, b_data, layout, nullptr, packed->data());
  return make_kernel([=]() noexcept {
    if (!constant_b) ops::gemm::pack_weights(p, b_data, layout, nullptr, packed->data());
    const float* a_in = a_data;
    if (ta) {
      for (std::int64_t i = 0; i < p.k; ++i)
        for (std::int64_t j = 0; j < p.m; ++j) (*a_t)[static_cast<std::size_t>(j * p.k + i)] = a_data[i * p.m + j];
      a_in = a_t->data();
    }
    ops::gemm::run(id, run_params, a_in, packed->data(), y_data, scratch->data());
    if (simple) return;
    const auto* c_data = static_cast<const float*>(cc.data);
    for (std::int64_t i = 0; i < p.m; ++i)
      for (std::int64_t j = 0; j < p.n; ++j) {
        float v = alpha * y_data[i * p.n + j];
        if (has_c)
          v += beta * c_data[static_cast<std::size_t>(i) * c_strides[0] + static_cast<std::size_t>(j) * c_strides[1]];
        y_data[i * p.n + j] = ops::apply_activation(activation, v);
      }
  });
}

// ---------------------------------------------------------------------------------------------
// FullyConnected (internal, from MatMul+Add or Gemm): y[..., N] = act(x[..., K] * W' + bias)

inline Status fully_connected_infer(OpContext& c) {
  const Value& x = c.in(0);
  const Value& w = c.in(1);
  const bool tb = c.node.attr_int("transB", 0) != 0;
  const std::int64_t k = tb ? w.shape[1] : w.shape[0], n = tb ? w.shape[0] : w.shape[1];
  if (x.shape.rank() < 1 || x.shape[x.shape.rank() - 1] != k)
    return c.fail(ErrorCode::invalid_model, "input ", x.shape, " does not end in ", k);
  DynShape shape = x.shape;
  shape[shape.rank() - 1] = n;
  c.set_output(0, DType::f32, shape);
  return {};
}

inline KernelResult fully_connected_bind(BindContext& c) {
  const TensorRef x = c.inputs[0], w = c.inputs[1], y = c.outputs[0];
  const bool tb = c.node.attr_int("transB", 0) != 0;
  ops::gemm::Params p;
  p.k = tb ? w.shape[1] : w.shape[0];
  p.n = tb ? w.shape[0] : w.shape[1];
  p.m = p.k ? static_cast<std::int64_t>(x.size()) / p.k : 0;
  p.activation = c.node.activation;
  TINYNN_RETURN_IF_ERROR(ops::gemm::prepare(p).prepend(c.graph.where(c.node)));
  const backend::BackendId id = runtime_backend();
  auto packed = std::make_shared<std::vector<float>>(ops::gemm::packed_weights_size(p));
  auto scratch = std::make_shared<std::vector<float>>(ops::gemm::scratch_size(p, id) + 1);
  const float* bias = c.has_input(2) ? static_cast<const float*>(c.inputs[2].data) : nullptr;
  ops::gemm::pack_weights(p, static_cast<const float*>(w.data),
                          tb ? ops::gemm::WeightLayout::nk : ops::gemm::WeightLayout::kn, bias, packed->data());
  const auto* x_data = static_cast<const float*>(x.data);
  auto* y_data = static_cast<float*>(y.data);
  return make_kernel([=]() noexcept { ops::gemm::run(id, p, x_data, packed->data(), y_data, scratch->data()); });
}

// ---------------------------------------------------------------------------------------------
// MatMul (NumPy semantics: 1-D promotion, broadcast batch dimensions)

inline Status matmul_infer(OpContext& c) {
  TINYNN_RETURN_IF_ERROR(c.require_inputs(2, 2));
  TINYNN_RETURN_IF_ERROR(c.require_float({0, 1}));
  DynShape a = c.in(0).shape, b = c.in(1).shape;
  if (a.rank() == 0 || b.rank() == 0) return c.fail(ErrorCode::invalid_model, "operands must have rank >= 1");
  const bool a_vector = a.rank() == 1, b_vector = b.rank() == 1;
  if (a_vector) a = DynShape{1, a[0]};
  if (b_vector) b = DynShape{b[0], 1};
  if (a[a.rank() - 1] != b[b.rank() - 2])
    return c.fail(ErrorCode::invalid_model, "shapes ", c.in(0).shape, " and ", c.in(1).shape, " do not multiply");
  DynShape batch_a, batch_b, batch;
  for (std::size_t i = 0; i + 2 < a.rank(); ++i) (void)batch_a.push_back(a[i]);
  for (std::size_t i = 0; i + 2 < b.rank(); ++i) (void)batch_b.push_back(b[i]);
  if (!broadcast_shapes(batch_a, batch_b, batch))
    return c.fail(ErrorCode::invalid_model, "batch dimensions do not broadcast");
  DynShape out = batch;
  if (!a_vector) (void)out.push_back(a[a.rank() - 2]);
  if (!b_vector) (void)out.push_back(b[b.rank() - 1]);
  c.set_output(0, DType::f32, out);
  return {};
}

inline KernelResult matmul_bind(BindContext& c) {
  DynShape a = c.inputs[0].shape, b = c.inputs[1].shape;
  if (a.rank() == 1) a = DynShape{1, a[0]};
  if (b.rank() == 1) b = DynShape{b[0], 1};
  ops::gemm::Params p;
  p.m = a[a.rank() - 2];
  p.k = a[a.rank() - 1];
  p.n = b[b.rank() - 1];
  TINYNN_RETURN_IF_ERROR(ops::gemm::prepare(p).prepend(c.graph.where(c.node)));
  DynShape batch_a, batch_b, batch;
  for (std::size_t i = 0; i + 2 < a.rank(); ++i) (void)batch_a.push_back(a[i]);
  for (std::size_t i = 0; i + 2 < b.rank(); ++i) (void)batch_b.push_back(b[i]);
  (void)broadcast_shapes(batch_a, batch_b, batch);
  const auto stride_a = broadcast_strides(batch_a, batch), stride_b = broadcast_strides(batch_b, batch);
  const std::size_t batches = batch.size();
  const backend::BackendId id = runtime_backend();
  auto packed = std::make_shared<std::vector<float>>(ops::gemm::packed_weights_size(p));
  auto scratch = std::make_shared<std::vector<float>>(ops::gemm::scratch_size(p, id) + 1);
  const auto* a_data = static_cast<const float*>(c.inputs[0].data);
  const auto* b_data = static_cast<const float*>(c.inputs[1].data);
  auto* y_data = static_cast<float*>(c.outputs[0].data);
  const auto a_matrix = static_cast<std::size_t>(p.m * p.k), b_matrix = static_cast<std::size_t>(p.k * p.n),
             y_matrix = static_cast<std::size_t>(p.m * p.n);
  return make_kernel([=]() noexcept {
    for (std::size_t i = 0; i < batches; ++i) {
      std::size_t ia = 0, ib = 0, rest = i;
      for (std::size_t d = batch.rank(); d-- > 0;) {
        const auto extent = static_cast<std::size_t>(batch[d]);
        const std::size_t index = rest % extent;
        rest /= extent;
        ia += index * stride_a[d];
        ib += index * stride_b[d];
      }
      ops::gemm::pack_weights(p, b_data + ib * b_matrix, ops::gemm::WeightLayout::kn, nullptr, packed->data());
      ops::gemm::run(id, p, a_data + ia * a_matrix, packed->data(), y_data + i * y_matrix, scratch->data());
    }
  });
}

}  // namespace tinynn::graph::op
