// tinynn — THE op registry: one constexpr table maps (domain, op type, opset range) to the handler
// that infers shapes and binds kernels, with the dtypes and layouts it accepts. The same table
// decides what a model may use (compile lists every unsupported op at once), generates
// docs/supported-ops.md (tinynn ops --markdown) and drives the conformance runner's skips.
//
// Adding an op: write `Status <op>_infer(OpContext&)` and `KernelResult <op>_bind(BindContext&)`
// (graph/op/*.hpp; bind must CALL ops/ kernels for the computation), then add one row below.
// ../notes/graph-api.md has the details.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "tinynn/graph/kernel.hpp"
#include "tinynn/graph/op/elementwise.hpp"
#include "tinynn/graph/op/layers.hpp"
#include "tinynn/graph/op/movement.hpp"
#include "tinynn/graph/op/nn.hpp"
#include "tinynn/graph/op/rnn.hpp"
#include "tinynn/graph/op/tensor.hpp"
#include "tinynn/graph/op/tflite.hpp"

namespace tinynn::graph {

/// How an op treats physical layouts (the layout pass reads this).
enum class OpLayout : std::uint8_t {
  canonical,    // needs every input in the importer's logical order
  nhwc,         // 4-D input 0 must be NHWC; 4-D outputs are NHWC (Conv, pools, BatchNorm)
  elementwise,  // any layout, if every 4-D input has the same one (constants are permuted)
  concat,       // any layout shared by all inputs; the axis is remapped
};

/// Bit mask of DTypes, for the dtypes of input 0 an entry accepts.
[[nodiscard]] constexpr std::uint32_t dtype_bit(DType t) noexcept { return 1u << static_cast<unsigned>(t); }
inline constexpr std::uint32_t any_dtype = 0xffffffffu;
inline constexpr std::uint32_t float_only = dtype_bit(DType::f32);
inline constexpr std::uint32_t numeric = dtype_bit(DType::f32) | dtype_bit(DType::i32) | dtype_bit(DType::i64) |
                                         dtype_bit(DType::i8) | dtype_bit(DType::u8) | dtype_bit(DType::i16);

enum OpFlag : std::uint8_t {
  op_no_flags = 0,
  op_shape_only = 1,  // output depends on input shapes only: folded whenever shapes are known
  op_elidable = 2,    // Identity-like: removed by the identity-elimination pass
  op_alias = 4,       // output 0 has input 0's bytes (Reshape-like): the planner aliases it, no step runs
};

struct OpEntry {
  std::string_view op_type;
  std::string_view domain;  // "" = ai.onnx, "tinynn" = internal
  int since;                // first opset version handled
  int until;                // last opset version handled
  std::uint32_t dtypes;     // accepted dtypes of input 0
  OpLayout layout;
  std::uint8_t flags;
  InferFn infer;
  BindFn bind;
  std::string_view notes;
};

// clang-format off
inline constexpr OpEntry op_table[] = {
  // data movement and shapes (graph/op/tensor.hpp, graph/op/movement.hpp)
  {"Identity",        "", 1, 21, any_dtype, OpLayout::elementwise, op_elidable, op::identity_infer, op::identity_bind, "removed by the identity pass"},
  {"Dropout",         "", 1, 21, any_dtype, OpLayout::canonical, op_elidable, op::identity_infer, op::identity_bind, "inference mode: identity, mask all true"},
  {"Shape",           "", 1, 21, any_dtype, OpLayout::canonical, op_shape_only, op::shape_infer, op::shape_bind, "folded to a constant; start/end (opset 15)"},
  {"Size",            "", 1, 21, any_dtype, OpLayout::canonical, op_shape_only, op::size_infer, op::size_bind, "folded to a constant"},
  {"Constant",        "", 1, 21, any_dtype, OpLayout::canonical, op_no_flags, op::constant_infer, op::constant_bind, "value, value_float(s), value_int(s)"},
  {"ConstantOfShape", "", 9, 21, any_dtype, OpLayout::canonical, op_no_flags, op::constant_of_shape_infer, op::constant_of_shape_bind, ""},
  {"Reshape",         "", 1, 21, any_dtype, OpLayout::canonical, op_alias, op::reshape_infer, op::copy_bind, "shape must be constant (after folding); allowzero"},
  {"Flatten",         "", 1, 21, any_dtype, OpLayout::canonical, op_alias, op::flatten_infer, op::copy_bind, ""},
  {"Squeeze",         "", 1, 21, any_dtype, OpLayout::canonical, op_alias, op::squeeze_infer, op::copy_bind, "axes attribute (< 13) or constant input"},
  {"Unsqueeze",       "", 1, 21, any_dtype, OpLayout::canonical, op_alias, op::unsqueeze_infer, op::copy_bind, "axes attribute (< 13) or constant input"},
  {"Cast",            "", 6, 21, any_dtype, OpLayout::elementwise, op_no_flags, op::cast_infer, op::cast_bind, "float, float16, (u)int8/16/32/64, bool"},
  {"Gather",          "", 1, 21, any_dtype, OpLayout::canonical, op_no_flags, op::gather_infer, op::gather_bind, "int32/int64 indices, negative indices"},
  {"Expand",          "", 8, 21, any_dtype, OpLayout::canonical, op_no_flags, op::expand_infer, op::expand_bind, "shape must be constant"},
  {"Range",           "", 11, 21, numeric, OpLayout::canonical, op_no_flags, op::range_infer, op::range_bind, "constant inputs"},
  {"Transpose",       "", 1, 21, any_dtype, OpLayout::canonical, op_no_flags, op::transpose_infer, op::transpose_bind, ""},
  {"Concat",          "", 4, 21, any_dtype, OpLayout::concat, op_no_flags, op::concat_infer, op::concat_bind, ""},
  {"Split",           "", 2, 21, any_dtype, OpLayout::canonical, op_no_flags, op::split_infer, op::split_bind, "split attribute or constant input; num_outputs (18)"},
  {"Slice",           "", 1, 21, any_dtype, OpLayout::canonical, op_no_flags, op::slice_infer, op::slice_bind, "constant starts/ends/axes/steps"},
  {"Pad",             "", 2, 21, any_dtype, OpLayout::canonical, op_no_flags, op::pad_infer, op::pad_bind, "constant, reflect, edge (wrap 19); constant pads"},
  {"ToLayout", "tinynn", 1, 1, any_dtype, OpLayout::canonical, op_alias, op::to_layout_infer, op::to_layout_bind, "internal: NCHW <-> NHWC"},
  // elementwise (graph/op/elementwise.hpp)
  {"Add",             "", 7, 21, numeric, OpLayout::elementwise, op_no_flags, op::binary_infer, op::binary_bind, "NumPy broadcasting"},
  {"Sub",             "", 7, 21, numeric, OpLayout::elementwise, op_no_flags, op::binary_infer, op::binary_bind, "NumPy broadcasting"},
  {"Mul",             "", 7, 21, numeric, OpLayout::elementwise, op_no_flags, op::binary_infer, op::binary_bind, "NumPy broadcasting"},
  {"Div",             "", 7, 21, numeric, OpLayout::elementwise, op_no_flags, op::binary_infer, op::binary_bind, "NumPy broadcasting; integer division truncates"},
  {"Pow",             "", 7, 21, float_only, OpLayout::elementwise, op_no_flags, op::binary_infer, op::binary_bind, "float base and exponent"},
  {"PRelu",           "", 7, 21, float_only, OpLayout::elementwise, op_no_flags, op::binary_infer, op::binary_bind, "slope broadcast"},
  {"Min",             "", 8, 21, numeric, OpLayout::elementwise, op_no_flags, op::variadic_infer, op::variadic_bind, "variadic, broadcasting"},
  {"Max",             "", 8, 21, numeric, OpLayout::elementwise, op_no_flags, op::variadic_infer, op::variadic_bind, "variadic, broadcasting"},
  {"Sum",             "", 8, 21, float_only, OpLayout::elementwise, op_no_flags, op::variadic_infer, op::variadic_bind, "variadic, broadcasting"},
  {"Mean",            "", 8, 21, float_only, OpLayout::elementwise, op_no_flags, op::variadic_infer, op::variadic_bind, "variadic, broadcasting"},
  {"Relu",            "", 6, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, "fused into a Conv/Gemm producer"},
  {"LeakyRelu",       "", 6, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, "fused into a Conv/Gemm producer"},
  {"Elu",             "", 6, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"Selu",            "", 6, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"Sigmoid",         "", 6, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"HardSigmoid",     "", 6, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"HardSwish",       "", 14, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"Tanh",            "", 6, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"Clip",            "", 6, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, "min/max attributes (< 11) or constant inputs; fused as ReLU6/clip"},
  {"Sqrt",            "", 6, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"Exp",             "", 6, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"Log",             "", 6, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"Abs",             "", 6, 21, numeric, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"Neg",             "", 6, 21, numeric, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"Reciprocal",      "", 6, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"Softplus",        "", 1, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"Erf",             "", 9, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, ""},
  {"Gelu",            "", 20, 21, float_only, OpLayout::elementwise, op_no_flags, op::unary_infer, op::unary_bind, "approximate none/tanh (ONNX opset 20)"},
  // neural-network ops (graph/op/nn.hpp)
  {"Conv",            "", 1, 21, float_only, OpLayout::nhwc, op_no_flags, op::conv_infer, op::conv_bind, "2-D; groups (depthwise); auto_pad; BatchNorm and activations fused"},
  {"ConvTranspose",   "", 1, 21, float_only, OpLayout::canonical, op_no_flags, op::conv_transpose_infer, op::conv_transpose_bind, "2-D; output_padding, output_shape"},
  {"Gemm",            "", 7, 21, float_only, OpLayout::canonical, op_no_flags, op::gemm_infer, op::gemm_bind, "alpha, beta, transA, transB; constant B runs as a fully connected layer"},
  {"MatMul",          "", 1, 21, float_only, OpLayout::canonical, op_no_flags, op::matmul_infer, op::matmul_bind, "batched, broadcasting; MatMul+Add fused to fully connected"},
  {"FullyConnected", "tinynn", 1, 1, float_only, OpLayout::canonical, op_no_flags, op::fully_connected_infer, op::fully_connected_bind, "internal: MatMul+Add / Gemm"},
  {"MaxPool",         "", 1, 21, float_only, OpLayout::nhwc, op_no_flags, op::pool_infer, op::pool_bind, "2-D; ceil_mode, dilations, pads"},
  {"AveragePool",     "", 1, 21, float_only, OpLayout::nhwc, op_no_flags, op::pool_infer, op::pool_bind, "2-D; count_include_pad, ceil_mode"},
  {"GlobalAveragePool", "", 1, 21, float_only, OpLayout::nhwc, op_no_flags, op::global_pool_infer, op::global_pool_bind, "2-D"},
  {"GlobalMaxPool",   "", 1, 21, float_only, OpLayout::nhwc, op_no_flags, op::global_pool_infer, op::global_pool_bind, "2-D"},
  {"BatchNormalization", "", 7, 21, float_only, OpLayout::nhwc, op_no_flags, op::batch_norm_infer, op::batch_norm_bind, "inference; folded into a preceding Conv/Gemm"},
  {"Softmax",         "", 1, 21, float_only, OpLayout::canonical, op_no_flags, op::softmax_infer, op::softmax_bind, "opset < 13: coerced to 2-D at axis"},
  {"LogSoftmax",      "", 1, 21, float_only, OpLayout::canonical, op_no_flags, op::softmax_infer, op::softmax_bind, "opset < 13: coerced to 2-D at axis"},
  {"ReduceMean",      "", 1, 21, float_only, OpLayout::canonical, op_no_flags, op::reduce_infer, op::reduce_bind, "axes attribute or input (18); keepdims"},
  {"ReduceSum",       "", 1, 21, float_only, OpLayout::canonical, op_no_flags, op::reduce_infer, op::reduce_bind, "axes attribute or input (13); noop_with_empty_axes"},
  {"ReduceMax",       "", 1, 21, float_only, OpLayout::canonical, op_no_flags, op::reduce_infer, op::reduce_bind, "axes attribute or input (18)"},
  {"ReduceMin",       "", 1, 21, float_only, OpLayout::canonical, op_no_flags, op::reduce_infer, op::reduce_bind, "axes attribute or input (18)"},
  {"Resize",          "", 10, 21, float_only, OpLayout::nhwc, op_no_flags, op::resize_infer, op::resize_bind, "4-D, nearest/linear over H and W"},
  {"LSTM",            "", 7, 21, float_only, OpLayout::canonical, op_no_flags, op::recurrent_infer, op::recurrent_bind, "forward/reverse/bidirectional, named activations, clip, input_forget, peepholes, initial states, sequence_lens, layout"},
  {"GRU",             "", 7, 21, float_only, OpLayout::canonical, op_no_flags, op::recurrent_infer, op::recurrent_bind, "forward/reverse/bidirectional, named activations, linear_before_reset, initial state, sequence_lens, layout"},
  {"RNN",             "", 7, 21, float_only, OpLayout::canonical, op_no_flags, op::recurrent_infer, op::recurrent_bind, "forward/reverse/bidirectional, named activations, initial state, sequence_lens, layout"},
  // TFLite builtins: graph/op/tflite.hpp (int8 engineer); formats/tflite.hpp builds these nodes
  {"CONV_2D", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32, int8 per-channel, uint8, hybrid (int8 filter, f32 activations)"},
  {"DEPTHWISE_CONV_2D", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32, int8 per-channel, uint8, hybrid"},
  {"FULLY_CONNECTED", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32, int8, uint8, hybrid; keep_num_dims"},
  {"AVERAGE_POOL_2D", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32, int8, uint8"},
  {"MAX_POOL_2D", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32, int8, uint8"},
  {"SOFTMAX", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32 (beta 1), int8/uint8 (TFLite fixed point, any beta)"},
  {"LOGISTIC", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32; int8/uint8 by lookup table"},
  {"TANH", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32; int8/uint8 by lookup table"},
  {"RELU", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32; int8/uint8 by lookup table"},
  {"RELU6", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32; int8/uint8 by lookup table"},
  {"RELU_N1_TO_1", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32; int8/uint8 by lookup table"},
  {"LEAKY_RELU", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32; int8/uint8 by lookup table"},
  {"HARD_SWISH", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32; int8/uint8 by lookup table"},
  {"ADD", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32, int8, uint8; broadcasting"},
  {"SUB", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32, int8, uint8; broadcasting"},
  {"MUL", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32, int8, uint8; broadcasting"},
  {"RESHAPE", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "shape input or new_shape option"},
  {"SQUEEZE", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, ""},
  {"EXPAND_DIMS", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, ""},
  {"QUANTIZE", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32 -> int8/uint8; int8 <-> uint8 requantize"},
  {"DEQUANTIZE", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "int8/uint8 -> f32"},
  {"MEAN", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32, int8, uint8 (TFLite integer mean)"},
  {"PAD", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "pads with the zero point"},
  {"PADV2", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "constant value input"},
  {"TRANSPOSE", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "constant perm"},
  {"CONCATENATION", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "int8/uint8 inputs with differing scales rescaled"},
  {"SPLIT", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "equal parts"},
  {"RESIZE_BILINEAR", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "align_corners, half_pixel_centers"},
  {"RESIZE_NEAREST_NEIGHBOR", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "align_corners, half_pixel_centers"},
  {"ARG_MAX", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "int32/int64 output, first index on ties"},
  {"DIV", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32; broadcasting"},
  {"MINIMUM", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32, i32, int8/uint8 (equal quantization); broadcasting"},
  {"MAXIMUM", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32, i32, int8/uint8 (equal quantization); broadcasting"},
  {"STRIDED_SLICE", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "any dtype; constant begin/end/strides, all masks, negative strides, offset"},
  {"SHAPE", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "int32/int64 output"},
  {"PACK", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "any dtype (quantized: equal quantization)"},
  {"UNPACK", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "any dtype"},
  {"CAST", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "f32, i32, i64, i16, u8, i8, bool (float -> int truncates, saturating)"},
  {"UNIDIRECTIONAL_SEQUENCE_LSTM", "tflite", 1, 1, any_dtype, OpLayout::canonical, op_no_flags, op::tflite::infer, op::tflite::bind, "float32, hybrid (int8 weights), int8 integer LSTM (8x8_16: CIFG, peephole, projection); not layer norm"},
};
// clang-format on

/// Bit mask of the outputs an op may leave unnamed: its kernel accepts a null buffer for them. Every
/// other output the op produces must be named (shape inference refuses the node otherwise).
[[nodiscard]] constexpr std::uint64_t omittable_outputs(std::string_view domain, std::string_view op_type) noexcept {
  if (!domain.empty()) return 0;
  if (op_type == "LSTM" || op_type == "GRU" || op_type == "RNN") return ~std::uint64_t{0};  // Y, Y_h, Y_c
  if (op_type == "Dropout" || op_type == "MaxPool" || op_type == "BatchNormalization") {
    return ~std::uint64_t{1};  // mask / Indices / training statistics
  }
  return 0;
}

/// The entry for an op at a given opset, or nullptr.
[[nodiscard]] constexpr const OpEntry* find_op(std::string_view domain, std::string_view op_type, int opset) noexcept {
  for (const OpEntry& e : op_table) {
    if (e.op_type == op_type && e.domain == domain && opset >= e.since && opset <= e.until) return &e;
  }
  return nullptr;
}

/// Any entry for an op regardless of opset (to say "supported from opset N" in messages).
[[nodiscard]] constexpr const OpEntry* find_op_any_opset(std::string_view domain, std::string_view op_type) noexcept {
  for (const OpEntry& e : op_table) {
    if (e.op_type == op_type && e.domain == domain) return &e;
  }
  return nullptr;
}

}  // namespace tinynn::graph
