// tinynn — TFLite model reader: .tflite bytes -> a checked, decoded description of subgraph 0
// (tensors with shapes, shape signatures, constant data and quantization; operators with their
// builtin code and decoded builtin options), over the verifying FlatBuffers reader. Field numbers
// and meanings follow TFLite's schema.fbs (schema version 3). Constant data is zero-copy: tensors
// point into the caller's buffer (or, for models past 2 GB, at Buffer.offset/size in the file).
//
// What is checked: the file identifier "TFL3" (when present) and schema version 3; every table,
// vector and string (flatbuffers.hpp); tensor, buffer, operator-code and subgraph indices; shapes
// (non-negative, rank <= 8, element count without overflow) against the buffer sizes; quantization
// (scale/zero-point counts, quantized_dimension in range, per-channel count == the dimension).
// TFLite Micro's tolerance is kept: a 1-D tensor whose quantized_dimension is out of range (the
// int32 biases of person_detect say 3) is read with quantized_dimension 0 when its scale count
// equals its length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tinynn/dtype.hpp"
#include "tinynn/formats/flatbuffers.hpp"
#include "tinynn/graph/ir.hpp"
#include "tinynn/graph/op/tflite.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"

namespace tinynn::formats::tflite {

/// schema.fbs TensorType.
enum class TensorType : std::int8_t {
  float32 = 0,
  float16 = 1,
  int32 = 2,
  uint8 = 3,
  int64 = 4,
  string = 5,
  boolean = 6,
  int16 = 7,
  complex64 = 8,
  int8 = 9,
  float64 = 10,
  complex128 = 11,
  uint64 = 12,
  resource = 13,
  variant = 14,
  uint32 = 15,
  uint16 = 16,
  int4 = 17,
};

[[nodiscard]] constexpr std::string_view tensor_type_name(std::int32_t type) noexcept {
  constexpr std::string_view names[] = {"FLOAT32", "FLOAT16",  "INT32",     "UINT8",  "INT64",   "STRING",
                                        "BOOL",    "INT16",    "COMPLEX64", "INT8",   "FLOAT64", "COMPLEX128",
                                        "UINT64",  "RESOURCE", "VARIANT",   "UINT32", "UINT16",  "INT4"};
  return type >= 0 && type < 18 ? names[type] : "unknown";
}

/// The tinynn dtype of a TFLite tensor type (quantized int8 becomes qi8 when it has a scale).
[[nodiscard]] inline Result<DType> dtype_of(TensorType type, bool quantized) {
  switch (type) {
    case TensorType::float32: return DType::f32;
    case TensorType::float16: return DType::f16;
    case TensorType::int32: return DType::i32;
    case TensorType::uint8: return DType::u8;
    case TensorType::int64: return DType::i64;
    case TensorType::boolean: return DType::boolean;
    case TensorType::int16: return DType::i16;
    case TensorType::int8: return quantized ? DType::qi8 : DType::i8;
    default:
      return error(ErrorCode::unsupported, "tensor type ", tensor_type_name(static_cast<std::int32_t>(type)),
                   " is not supported");
  }
}

/// schema.fbs BuiltinOperator values tinynn names (the full list is in builtin_name()).
enum Builtin : std::int32_t {
  ADD = 0,
  AVERAGE_POOL_2D = 1,
  CONCATENATION = 2,
  CONV_2D = 3,
  DEPTHWISE_CONV_2D = 4,
  DEQUANTIZE = 6,
  FULLY_CONNECTED = 9,
  LOGISTIC = 14,
  MAX_POOL_2D = 17,
  MUL = 18,
  RELU = 19,
  RELU_N1_TO_1 = 20,
  RELU6 = 21,
  RESHAPE = 22,
  RESIZE_BILINEAR = 23,
  SOFTMAX = 25,
  SVDF = 27,
  TANH = 28,
  CALL = 31,
  CUSTOM = 32,
  PAD = 34,
  GATHER = 36,
  TRANSPOSE = 39,
  MEAN = 40,
  SUB = 41,
  DIV = 42,
  SQUEEZE = 43,
  UNIDIRECTIONAL_SEQUENCE_LSTM = 44,
  STRIDED_SLICE = 45,
  SPLIT = 49,
  CAST = 53,
  MAXIMUM = 55,
  ARG_MAX = 56,
  MINIMUM = 57,
  PADV2 = 60,
  EXPAND_DIMS = 70,
  SHAPE = 77,
  PACK = 83,
  UNPACK = 88,
  RESIZE_NEAREST_NEIGHBOR = 97,
  LEAKY_RELU = 98,
  QUANTIZE = 114,
  HARD_SWISH = 117,
  IF = 118,
  WHILE = 119,
  PLACEHOLDER_FOR_GREATER_OP_CODES = 127,
  CALL_ONCE = 129,
};

/// The schema's name of a builtin operator code ("BUILTIN_<n>" for codes it does not list).
[[nodiscard]] inline std::string builtin_name(std::int32_t code) {
  // schema.fbs order, codes 0..161 (later codes are STABLEHLO_* and experimental).
  static constexpr std::string_view names[] = {"ADD",
                                               "AVERAGE_POOL_2D",
                                               "CONCATENATION",
                                               "CONV_2D",
                                               "DEPTHWISE_CONV_2D",
                                               "DEPTH_TO_SPACE",
                                               "DEQUANTIZE",
                                               "EMBEDDING_LOOKUP",
                                               "FLOOR",
                                               "FULLY_CONNECTED",
                                               "HASHTABLE_LOOKUP",
                                               "L2_NORMALIZATION",
                                               "L2_POOL_2D",
                                               "LOCAL_RESPONSE_NORMALIZATION",
                                               "LOGISTIC",
                                               "LSH_PROJECTION",
                                               "LSTM",
                                               "MAX_POOL_2D",
                                               "MUL",
                                               "RELU",
                                               "RELU_N1_TO_1",
                                               "RELU6",
                                               "RESHAPE",
                                               "RESIZE_BILINEAR",
                                               "RNN",
                                               "SOFTMAX",
                                               "SPACE_TO_DEPTH",
                                               "SVDF",
                                               "TANH",
                                               "CONCAT_EMBEDDINGS",
                                               "SKIP_GRAM",
                                               "CALL",
                                               "CUSTOM",
                                               "EMBEDDING_LOOKUP_SPARSE",
                                               "PAD",
                                               "UNIDIRECTIONAL_SEQUENCE_RNN",
                                               "GATHER",
                                               "BATCH_TO_SPACE_ND",
                                               "SPACE_TO_BATCH_ND",
                                               "TRANSPOSE",
                                               "MEAN",
                                               "SUB",
                                               "DIV",
                                               "SQUEEZE",
                                               "UNIDIRECTIONAL_SEQUENCE_LSTM",
                                               "STRIDED_SLICE",
                                               "BIDIRECTIONAL_SEQUENCE_RNN",
                                               "EXP",
                                               "TOPK_V2",
                                               "SPLIT",
                                               "LOG_SOFTMAX",
                                               "DELEGATE",
                                               "BIDIRECTIONAL_SEQUENCE_LSTM",
                                               "CAST",
                                               "PRELU",
                                               "MAXIMUM",
                                               "ARG_MAX",
                                               "MINIMUM",
                                               "LESS",
                                               "NEG",
                                               "PADV2",
                                               "GREATER",
                                               "GREATER_EQUAL",
                                               "LESS_EQUAL",
                                               "SELECT",
                                               "SLICE",
                                               "SIN",
                                               "TRANSPOSE_CONV",
                                               "SPARSE_TO_DENSE",
                                               "TILE",
                                               "EXPAND_DIMS",
                                               "EQUAL",
                                               "NOT_EQUAL",
                                               "LOG",
                                               "SUM",
                                               "SQRT",
                                               "RSQRT",
                                               "SHAPE",
                                               "POW",
                                               "ARG_MIN",
                                               "FAKE_QUANT",
                                               "REDUCE_PROD",
                                               "REDUCE_MAX",
                                               "PACK",
                                               "LOGICAL_OR",
                                               "ONE_HOT",
                                               "LOGICAL_AND",
                                               "LOGICAL_NOT",
                                               "UNPACK",
                                               "REDUCE_MIN",
                                               "FLOOR_DIV",
                                               "REDUCE_ANY",
                                               "SQUARE",
                                               "ZEROS_LIKE",
                                               "FILL",
                                               "FLOOR_MOD",
                                               "RANGE",
                                               "RESIZE_NEAREST_NEIGHBOR",
                                               "LEAKY_RELU",
                                               "SQUARED_DIFFERENCE",
                                               "MIRROR_PAD",
                                               "ABS",
                                               "SPLIT_V",
                                               "UNIQUE",
                                               "CEIL",
                                               "REVERSE_V2",
                                               "ADD_N",
                                               "GATHER_ND",
                                               "COS",
                                               "WHERE",
                                               "RANK",
                                               "ELU",
                                               "REVERSE_SEQUENCE",
                                               "MATRIX_DIAG",
                                               "QUANTIZE",
                                               "MATRIX_SET_DIAG",
                                               "ROUND",
                                               "HARD_SWISH",
                                               "IF",
                                               "WHILE",
                                               "NON_MAX_SUPPRESSION_V4",
                                               "NON_MAX_SUPPRESSION_V5",
                                               "SCATTER_ND",
                                               "SELECT_V2",
                                               "DENSIFY",
                                               "SEGMENT_SUM",
                                               "BATCH_MATMUL",
                                               "PLACEHOLDER_FOR_GREATER_OP_CODES",
                                               "CUMSUM",
                                               "CALL_ONCE",
                                               "BROADCAST_TO",
                                               "RFFT2D",
                                               "CONV_3D",
                                               "IMAG",
                                               "REAL",
                                               "COMPLEX_ABS",
                                               "HASHTABLE",
                                               "HASHTABLE_FIND",
                                               "HASHTABLE_IMPORT",
                                               "HASHTABLE_SIZE",
                                               "REDUCE_ALL",
                                               "CONV_3D_TRANSPOSE",
                                               "VAR_HANDLE",
                                               "READ_VARIABLE",
                                               "ASSIGN_VARIABLE",
                                               "BROADCAST_ARGS",
                                               "RANDOM_STANDARD_NORMAL",
                                               "BUCKETIZE",
                                               "RANDOM_UNIFORM",
                                               "MULTINOMIAL",
                                               "GELU",
                                               "DYNAMIC_UPDATE_SLICE",
                                               "RELU_0_TO_1",
                                               "UNSORTED_SEGMENT_PROD",
                                               "UNSORTED_SEGMENT_MAX",
                                               "UNSORTED_SEGMENT_SUM",
                                               "ATAN2",
                                               "UNSORTED_SEGMENT_MIN",
                                               "SIGN",
                                               "BITCAST",
                                               "BITWISE_XOR",
                                               "RIGHT_SHIFT"};
  if (code >= 0 && static_cast<std::size_t>(code) < sizeof names / sizeof names[0]) return std::string(names[code]);
  return "BUILTIN_" + std::to_string(code);
}

/// schema.fbs ActivationFunctionType.
enum class Activation : std::int8_t { none = 0, relu = 1, relu_n1_to_1 = 2, relu6 = 3, tanh = 4, sign_bit = 5 };
enum class Padding : std::int8_t { same = 0, valid = 1 };

/// Builtin options, decoded from whichever options table the operator carries. Fields an op does
/// not have keep their schema defaults.
struct Options {
  std::uint8_t type = 0;  // BuiltinOptions union type (0 = none)
  Padding padding = Padding::same;
  std::int32_t stride_w = 1, stride_h = 1;
  std::int32_t dilation_w = 1, dilation_h = 1;
  std::int32_t filter_w = 1, filter_h = 1;
  std::int32_t depth_multiplier = 0;
  Activation activation = Activation::none;
  float beta = 1.0f;                        // SOFTMAX
  std::int32_t axis = 0;                    // CONCATENATION, PACK, UNPACK, GATHER
  bool keep_dims = false;                   // MEAN and reducers
  bool keep_num_dims = false;               // FULLY_CONNECTED
  std::int8_t weights_format = 0;           // FULLY_CONNECTED (0 = DEFAULT)
  bool asymmetric_quantize_inputs = false;  // hybrid kernels
  std::vector<std::int32_t> new_shape;      // RESHAPE (option form)
  bool has_new_shape = false;
  std::vector<std::int32_t> squeeze_dims;  // SQUEEZE
  std::int32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0, new_axis_mask = 0, shrink_axis_mask = 0;
  bool offset = false;                                     // STRIDED_SLICE
  std::int32_t num_splits = 0;                             // SPLIT
  std::int32_t count = 0;                                  // PACK values_count, UNPACK num
  float alpha = 0.2f;                                      // LEAKY_RELU
  bool align_corners = false, half_pixel_centers = false;  // RESIZE_*
  float cell_clip = 0.0f, proj_clip = 0.0f;                // LSTM
  bool time_major = false;
  std::int32_t rank = 0;     // SVDF
  std::int8_t out_type = 2;  // SHAPE, ARG_MAX (INT32 default for SHAPE)
};

struct Tensor {
  std::string name;
  TensorType type = TensorType::float32;
  DynShape shape;
  std::vector<std::int32_t> shape_signature;  // empty when absent; -1 = unknown dimension
  std::uint32_t buffer = 0;
  std::span<const std::uint8_t> data;  // constant data (zero-copy), empty for activations
  std::vector<float> scales;           // quantization (empty = none)
  std::vector<std::int64_t> zero_points;
  std::int32_t quantized_dimension = 0;
  bool is_variable = false;

  [[nodiscard]] bool quantized() const noexcept { return !scales.empty(); }
  [[nodiscard]] bool constant() const noexcept { return !data.empty(); }
};

struct Operator {
  std::int32_t builtin = 0;  // BuiltinOperator
  std::string custom_code;   // for CUSTOM
  std::int32_t version = 1;
  std::vector<std::int32_t> inputs, outputs;  // -1 = optional input left out
  std::vector<std::int32_t> intermediates;
  Options options;

  [[nodiscard]] std::string name() const { return builtin == CUSTOM ? "CUSTOM:" + custom_code : builtin_name(builtin); }
};

struct Model {
  std::string source;
  std::uint32_t version = 0;
  std::string description;
  std::uint32_t subgraph_count = 0;
  std::string subgraph_name;
  std::vector<Tensor> tensors;  // subgraph 0
  std::vector<Operator> operators;
  std::vector<std::int32_t> inputs, outputs;
};

/// True when the bytes look like a TFLite flatbuffer ("TFL3" identifier at offset 4).
[[nodiscard]] inline bool is_tflite(std::span<const std::uint8_t> bytes) noexcept {
  return bytes.size() >= 8 && bytes[4] == 'T' && bytes[5] == 'F' && bytes[6] == 'L' && bytes[7] == '3';
}

namespace detail {

// Field ids (declaration order in schema.fbs; a union field takes two ids: type, value).
namespace model_field {
enum : unsigned { version = 0, operator_codes = 1, subgraphs = 2, description = 3, buffers = 4 };
}
namespace subgraph_field {
enum : unsigned { tensors = 0, inputs = 1, outputs = 2, operators = 3, name = 4 };
}
namespace tensor_field {
enum : unsigned {
  shape = 0,
  type = 1,
  buffer = 2,
  name = 3,
  quantization = 4,
  is_variable = 5,
  sparsity = 6,
  shape_signature = 7
};
}
namespace quant_field {
enum : unsigned { min = 0, max = 1, scale = 2, zero_point = 3, details_type = 4, details = 5, quantized_dimension = 6 };
}
namespace opcode_field {
enum : unsigned { deprecated_builtin_code = 0, custom_code = 1, version = 2, builtin_code = 3 };
}
namespace operator_field {
enum : unsigned {
  opcode_index = 0,
  inputs = 1,
  outputs = 2,
  builtin_options_type = 3,
  builtin_options = 4,
  custom_options = 5,
  intermediates = 8,
  large_custom_options_offset = 9
};
}
namespace buffer_field {
enum : unsigned { data = 0, offset = 1, size = 2 };
}

// BuiltinOptions union member indices (1-based; 0 = NONE).
enum OptionsType : std::uint8_t {
  conv2d_options = 1,
  depthwise_conv2d_options = 2,
  pool2d_options = 5,
  svdf_options = 6,
  fully_connected_options = 8,
  softmax_options = 9,
  concatenation_options = 10,
  add_options = 11,
  resize_bilinear_options = 15,
  reshape_options = 17,
  mul_options = 21,
  gather_options = 23,
  reducer_options = 27,
  sub_options = 28,
  div_options = 29,
  squeeze_options = 30,
  strided_slice_options = 32,
  split_options = 35,
  arg_max_options = 40,
  shape_options = 55,
  pack_options = 59,
  unpack_options = 64,
  unidirectional_sequence_lstm_options = 71,
  resize_nearest_neighbor_options = 74,
  leaky_relu_options = 75,
};

inline std::vector<std::int32_t> to_vector(const flatbuffers::Vector<std::int32_t>& v) {
  std::vector<std::int32_t> out(v.size());
  for (std::uint32_t i = 0; i < v.size(); ++i) out[i] = v[i];
  return out;
}

inline Options decode_options(std::uint8_t type, const flatbuffers::Table& t) {
  Options o;
  o.type = type;
  if (!t) return o;
  auto act = [&](unsigned id) { o.activation = static_cast<Activation>(t.scalar<std::int8_t>(id, 0)); };
  switch (type) {
    case conv2d_options:
      o.padding = static_cast<Padding>(t.scalar<std::int8_t>(0, 0));
      o.stride_w = t.scalar<std::int32_t>(1, 0);
      o.stride_h = t.scalar<std::int32_t>(2, 0);
      act(3);
      o.dilation_w = t.scalar<std::int32_t>(4, 1);
      o.dilation_h = t.scalar<std::int32_t>(5, 1);
      break;
    case depthwise_conv2d_options:
      o.padding = static_cast<Padding>(t.scalar<std::int8_t>(0, 0));
      o.stride_w = t.scalar<std::int32_t>(1, 0);
      o.stride_h = t.scalar<std::int32_t>(2, 0);
      o.depth_multiplier = t.scalar<std::int32_t>(3, 0);
      act(4);
      o.dilation_w = t.scalar<std::int32_t>(5, 1);
      o.dilation_h = t.scalar<std::int32_t>(6, 1);
      break;
    case pool2d_options:
      o.padding = static_cast<Padding>(t.scalar<std::int8_t>(0, 0));
      o.stride_w = t.scalar<std::int32_t>(1, 0);
      o.stride_h = t.scalar<std::int32_t>(2, 0);
      o.filter_w = t.scalar<std::int32_t>(3, 0);
      o.filter_h = t.scalar<std::int32_t>(4, 0);
      act(5);
      break;
    case svdf_options:
      o.rank = t.scalar<std::int32_t>(0, 0);
      act(1);
      o.asymmetric_quantize_inputs = t.scalar<bool>(2, false);
      break;
    case fully_connected_options:
      act(0);
      o.weights_format = t.scalar<std::int8_t>(1, 0);
      o.keep_num_dims = t.scalar<bool>(2, false);
      o.asymmetric_quantize_inputs = t.scalar<bool>(3, false);
      break;
    case softmax_options: o.beta = t.scalar<float>(0, 0.0f); break;
    case concatenation_options:
      o.axis = t.scalar<std::int32_t>(0, 0);
      act(1);
      break;
    case add_options:
    case mul_options:
    case sub_options:
    case div_options: act(0); break;
    case resize_bilinear_options:
      o.align_corners = t.scalar<bool>(2, false);
      o.half_pixel_centers = t.scalar<bool>(3, false);
      break;
    case resize_nearest_neighbor_options:
      o.align_corners = t.scalar<bool>(0, false);
      o.half_pixel_centers = t.scalar<bool>(1, false);
      break;
    case reshape_options:
      o.has_new_shape = t.has(0);
      o.new_shape = to_vector(t.vector<std::int32_t>(0));
      break;
    case gather_options: o.axis = t.scalar<std::int32_t>(0, 0); break;
    case reducer_options: o.keep_dims = t.scalar<bool>(0, false); break;
    case squeeze_options: o.squeeze_dims = to_vector(t.vector<std::int32_t>(0)); break;
    case strided_slice_options:
      o.begin_mask = t.scalar<std::int32_t>(0, 0);
      o.end_mask = t.scalar<std::int32_t>(1, 0);
      o.ellipsis_mask = t.scalar<std::int32_t>(2, 0);
      o.new_axis_mask = t.scalar<std::int32_t>(3, 0);
      o.shrink_axis_mask = t.scalar<std::int32_t>(4, 0);
      o.offset = t.scalar<bool>(5, false);
      break;
    case split_options: o.num_splits = t.scalar<std::int32_t>(0, 0); break;
    case arg_max_options: o.out_type = t.scalar<std::int8_t>(0, 4); break;
    case shape_options: o.out_type = t.scalar<std::int8_t>(0, 2); break;
    case pack_options:
      o.count = t.scalar<std::int32_t>(0, 0);
      o.axis = t.scalar<std::int32_t>(1, 0);
      break;
    case unpack_options:
      o.count = t.scalar<std::int32_t>(0, 0);
      o.axis = t.scalar<std::int32_t>(1, 0);
      break;
    case unidirectional_sequence_lstm_options:
      act(0);
      o.cell_clip = t.scalar<float>(1, 0.0f);
      o.proj_clip = t.scalar<float>(2, 0.0f);
      o.time_major = t.scalar<bool>(3, false);
      o.asymmetric_quantize_inputs = t.scalar<bool>(4, false);
      break;
    case leaky_relu_options: o.alpha = t.scalar<float>(0, 0.0f); break;
    default: break;
  }
  return o;
}

}  // namespace detail

/// Parses and checks a .tflite file held in `bytes` (which must outlive the Model: constant data
/// points into it). Subgraph 0 is read; others are counted (see Model::subgraph_count).
[[nodiscard]] inline Result<Model> parse(std::span<const std::uint8_t> bytes, std::string_view source = "<memory>") {
  namespace fb = flatbuffers;
  using namespace detail;
  fb::Reader reader(bytes, source);
  Model model;
  model.source = std::string(source);
  if (bytes.size() >= 8 && !is_tflite(bytes)) {
    return error(ErrorCode::invalid_model, source, ": not a TFLite file (no 'TFL3' identifier at offset 4)");
  }
  const fb::Table root = reader.root("TFL3");
  if (!reader.ok()) return reader.status();
  model.version = root.scalar<std::uint32_t>(model_field::version, 0);
  if (model.version != 3) {
    return error(ErrorCode::unsupported, source, ": TFLite schema version ", model.version, ", expected 3");
  }
  model.description = std::string(root.string(model_field::description));

  // Operator codes.
  struct Code {
    std::int32_t builtin;
    std::string custom;
    std::int32_t version;
  };
  std::vector<Code> codes;
  const fb::TableVector code_tables = root.tables(model_field::operator_codes);
  codes.reserve(code_tables.size());
  for (std::uint32_t i = 0; i < code_tables.size() && reader.ok(); ++i) {
    const fb::Table c = code_tables[i];
    // TFLite reads the larger of the deprecated 8-bit code and the 32-bit code.
    const std::int32_t deprecated = c.scalar<std::int8_t>(opcode_field::deprecated_builtin_code, 0);
    const std::int32_t extended = c.scalar<std::int32_t>(opcode_field::builtin_code, 0);
    codes.push_back({deprecated > extended ? deprecated : extended, std::string(c.string(opcode_field::custom_code)),
                     c.scalar<std::int32_t>(opcode_field::version, 1)});
  }

  // Buffers.
  const fb::TableVector buffers = root.tables(model_field::buffers);
  const fb::TableVector subgraphs = root.tables(model_field::subgraphs);
  model.subgraph_count = subgraphs.size();
  if (!reader.ok()) return reader.status();
  if (subgraphs.size() == 0) return error(ErrorCode::invalid_model, source, ": the model has no subgraph");
  const fb::Table graph = subgraphs[0];
  if (!reader.ok()) return reader.status();
  model.subgraph_name = std::string(graph.string(subgraph_field::name));

  // Tensors.
  const fb::TableVector tensors = graph.tables(subgraph_field::tensors);
  model.tensors.resize(tensors.size());
  for (std::uint32_t i = 0; i < tensors.size() && reader.ok(); ++i) {
    const fb::Table t = tensors[i];
    Tensor& tensor = model.tensors[i];
    tensor.name = std::string(t.string(tensor_field::name));
    tensor.type = static_cast<TensorType>(t.scalar<std::int8_t>(tensor_field::type, 0));
    tensor.is_variable = t.scalar<bool>(tensor_field::is_variable, false);
    tensor.buffer = t.scalar<std::uint32_t>(tensor_field::buffer, 0);
    const auto shape = t.vector<std::int32_t>(tensor_field::shape);
    tensor.shape_signature = to_vector(t.vector<std::int32_t>(tensor_field::shape_signature));
    if (!reader.ok()) break;
    auto where = [&] { return std::string(source) + ": tensor " + std::to_string(i) + " '" + tensor.name + "'"; };
    if (shape.size() > max_rank) {
      return error(ErrorCode::unsupported, where(), ": rank ", shape.size(), " exceeds tinynn's maximum ", max_rank);
    }
    std::vector<std::int64_t> dims(shape.size());
    for (std::uint32_t d = 0; d < shape.size(); ++d) dims[d] = shape[d];
    auto dyn = DynShape::from(dims);
    if (!dyn) return error(ErrorCode::invalid_model, where(), ": ", dyn.error().message());
    tensor.shape = *dyn;
    if (!tensor.shape_signature.empty() && tensor.shape_signature.size() != shape.size()) {
      return error(ErrorCode::invalid_model, where(), ": shape_signature has rank ", tensor.shape_signature.size(),
                   ", shape has rank ", shape.size());
    }
    if (t.has(tensor_field::sparsity)) {
      return error(ErrorCode::unsupported, where(), ": sparse tensors are not supported");
    }

    // Quantization.
    const fb::Table q = t.table(tensor_field::quantization);
    if (q) {
      const auto scales = q.vector<float>(quant_field::scale);
      const auto zero_points = q.vector<std::int64_t>(quant_field::zero_point);
      std::int32_t dimension = q.scalar<std::int32_t>(quant_field::quantized_dimension, 0);
      if (!reader.ok()) break;
      if (q.scalar<std::uint8_t>(quant_field::details_type, 0) != 0) {
        return error(ErrorCode::unsupported, where(), ": custom quantization details are not supported");
      }
      if (!scales.empty()) {
        if (zero_points.size() != scales.size() && !zero_points.empty()) {
          return error(ErrorCode::invalid_model, where(), ": ", scales.size(), " quantization scales but ",
                       zero_points.size(), " zero points");
        }
        const auto rank = static_cast<std::int32_t>(tensor.shape.rank());
        if (scales.size() > 1) {
          if (dimension < 0 || dimension >= rank) {
            // TFLite Micro ignores quantized_dimension on 1-D tensors (person_detect's biases say 3).
            if (rank == 1 && tensor.shape[0] == static_cast<std::int64_t>(scales.size())) {
              dimension = 0;
            } else {
              return error(ErrorCode::invalid_model, where(), ": quantized_dimension ", dimension,
                           " is outside the tensor's rank ", rank);
            }
          }
          if (tensor.shape[static_cast<std::size_t>(dimension)] != static_cast<std::int64_t>(scales.size())) {
            return error(ErrorCode::invalid_model, where(), ": ", scales.size(), " per-channel scales, but dimension ",
                         dimension, " has size ", tensor.shape[static_cast<std::size_t>(dimension)]);
          }
        }
        tensor.scales.resize(scales.size());
        tensor.zero_points.assign(scales.size(), 0);
        for (std::uint32_t k = 0; k < scales.size(); ++k) {
          tensor.scales[k] = scales[k];
          if (!zero_points.empty()) tensor.zero_points[k] = zero_points[k];
          if (!(tensor.scales[k] > 0.0f) || tensor.scales[k] > 3.0e38f) {
            return error(ErrorCode::invalid_model, where(), ": quantization scale ", tensor.scales[k],
                         " is not a positive finite number");
          }
        }
        tensor.quantized_dimension = dimension;
      }
    }

    // Constant data.
    if (tensor.buffer >= buffers.size()) {
      return error(ErrorCode::invalid_model, where(), ": buffer index ", tensor.buffer, " >= buffer count ",
                   buffers.size());
    }
    if (tensor.buffer != 0) {
      const fb::Table b = buffers[tensor.buffer];
      const auto data = b.vector<std::uint8_t>(buffer_field::data);
      const auto offset = b.scalar<std::uint64_t>(buffer_field::offset, 0);
      const auto size = b.scalar<std::uint64_t>(buffer_field::size, 0);
      if (!reader.ok()) break;
      if (!data.empty()) {
        tensor.data = data.bytes();
      } else if (offset > 1) {  // models past 2 GB: data after the flatbuffer, offset from the file start
        if (offset > bytes.size() || size > bytes.size() - offset) {
          return error(ErrorCode::invalid_model, where(), ": buffer ", tensor.buffer, " at offset ", offset, " size ",
                       size, " lies outside the ", bytes.size(), "-byte file");
        }
        tensor.data = bytes.subspan(static_cast<std::size_t>(offset), static_cast<std::size_t>(size));
      }
      if (!tensor.data.empty()) {
        auto dtype = dtype_of(tensor.type, tensor.quantized());
        if (!dtype) return error(dtype.error().code(), where(), ": ", dtype.error().message());
        const std::size_t expected = tensor.shape.size() * dtype_size(*dtype);
        if (tensor.data.size() != expected) {
          return error(ErrorCode::invalid_model, where(), ": constant data has ", tensor.data.size(), " bytes, shape ",
                       tensor.shape, " of ", tensor_type_name(static_cast<std::int32_t>(tensor.type)), " needs ",
                       expected);
        }
      }
    }
  }
  if (!reader.ok()) return reader.status();

  auto tensor_indices = [&](const fb::Vector<std::int32_t>& v, std::vector<std::int32_t>& out, bool optional,
                            const std::string& what) -> Status {
    out.resize(v.size());
    for (std::uint32_t k = 0; k < v.size(); ++k) {
      const std::int32_t index = v[k];
      if ((index < 0 && !(optional && index == -1)) || index >= static_cast<std::int32_t>(model.tensors.size())) {
        return error(ErrorCode::invalid_model, source, ": ", what, " refers to tensor ", index, " of ",
                     model.tensors.size());
      }
      out[k] = index;
    }
    return {};
  };
  TINYNN_RETURN_IF_ERROR(
      tensor_indices(graph.vector<std::int32_t>(subgraph_field::inputs), model.inputs, false, "subgraph input"));
  TINYNN_RETURN_IF_ERROR(
      tensor_indices(graph.vector<std::int32_t>(subgraph_field::outputs), model.outputs, false, "subgraph output"));

  // Operators.
  const fb::TableVector operators = graph.tables(subgraph_field::operators);
  model.operators.resize(operators.size());
  for (std::uint32_t i = 0; i < operators.size() && reader.ok(); ++i) {
    const fb::Table t = operators[i];
    Operator& op = model.operators[i];
    const auto opcode = t.scalar<std::uint32_t>(operator_field::opcode_index, 0);
    if (!reader.ok()) break;
    if (opcode >= codes.size()) {
      return error(ErrorCode::invalid_model, source, ": operator ", i, " has opcode_index ", opcode,
                   ", but the model has ", codes.size(), " operator codes");
    }
    op.builtin = codes[opcode].builtin;
    op.custom_code = codes[opcode].custom;
    op.version = codes[opcode].version;
    const std::string what = "operator " + std::to_string(i) + " (" + op.name() + ")";
    TINYNN_RETURN_IF_ERROR(
        tensor_indices(t.vector<std::int32_t>(operator_field::inputs), op.inputs, true, what + " input"));
    TINYNN_RETURN_IF_ERROR(
        tensor_indices(t.vector<std::int32_t>(operator_field::outputs), op.outputs, true, what + " output"));
    TINYNN_RETURN_IF_ERROR(tensor_indices(t.vector<std::int32_t>(operator_field::intermediates), op.intermediates, true,
                                          what + " intermediate"));
    const auto options_type = t.scalar<std::uint8_t>(operator_field::builtin_options_type, 0);
    op.options = decode_options(options_type, t.table(operator_field::builtin_options));
    if (!reader.ok()) break;
  }
  if (!reader.ok()) return reader.status();
  return model;
}

namespace detail {

inline void add_int(graph::Node& node, std::string_view name, std::int64_t value) {
  graph::Attribute a;
  a.name = std::string(name);
  a.type = graph::AttrType::i;
  a.i = value;
  node.attributes.push_back(std::move(a));
}
inline void add_float(graph::Node& node, std::string_view name, float value) {
  graph::Attribute a;
  a.name = std::string(name);
  a.type = graph::AttrType::f;
  a.f = value;
  node.attributes.push_back(std::move(a));
}
inline void add_ints(graph::Node& node, std::string_view name, const std::vector<std::int32_t>& values) {
  graph::Attribute a;
  a.name = std::string(name);
  a.type = graph::AttrType::ints;
  a.ints.assign(values.begin(), values.end());
  node.attributes.push_back(std::move(a));
}

/// The options of one operator as node attributes, with TFLite's option names.
inline void add_attributes(graph::Node& node, const Operator& op) {
  const Options& o = op.options;
  add_int(node, "padding", static_cast<std::int64_t>(o.padding));
  add_int(node, "stride_w", o.stride_w);
  add_int(node, "stride_h", o.stride_h);
  add_int(node, "dilation_w_factor", o.dilation_w);
  add_int(node, "dilation_h_factor", o.dilation_h);
  add_int(node, "filter_width", o.filter_w);
  add_int(node, "filter_height", o.filter_h);
  add_int(node, "depth_multiplier", o.depth_multiplier);
  add_int(node, "fused_activation_function", static_cast<std::int64_t>(o.activation));
  add_float(node, "beta", o.beta);
  add_int(node, "axis", o.axis);
  add_int(node, "keep_dims", o.keep_dims);
  add_int(node, "keep_num_dims", o.keep_num_dims);
  add_int(node, "weights_format", o.weights_format);
  add_int(node, "asymmetric_quantize_inputs", o.asymmetric_quantize_inputs);
  if (o.has_new_shape) add_ints(node, "new_shape", o.new_shape);
  if (!o.squeeze_dims.empty()) add_ints(node, "squeeze_dims", o.squeeze_dims);
  add_int(node, "begin_mask", o.begin_mask);
  add_int(node, "end_mask", o.end_mask);
  add_int(node, "ellipsis_mask", o.ellipsis_mask);
  add_int(node, "new_axis_mask", o.new_axis_mask);
  add_int(node, "shrink_axis_mask", o.shrink_axis_mask);
  add_int(node, "offset", o.offset);
  add_int(node, "num_splits", o.num_splits);
  add_int(node, "count", o.count);
  add_float(node, "alpha", o.alpha);
  add_int(node, "align_corners", o.align_corners);
  add_int(node, "half_pixel_centers", o.half_pixel_centers);
  add_float(node, "cell_clip", o.cell_clip);
  add_float(node, "proj_clip", o.proj_clip);
  add_int(node, "time_major", o.time_major);
  add_int(node, "rank", o.rank);
  add_int(node, "out_type", o.out_type);
}

}  // namespace detail

/// Import choices.
struct ImportOptions {
  /// Requantization rounding of every quantized operator. Default: double rounding, as TFLite's
  /// reference kernels and TFLite Micro (SaturatingRoundingDoublingHighMul then
  /// RoundingDivideByPOT); single rounding is TFLite built with TFLITE_SINGLE_ROUNDING (one
  /// round-half-up shift; CMSIS-NN's choice). The two differ by 1 LSB on a few percent of values.
  ops::quantized::Rounding rounding = ops::quantized::Rounding::double_rounding;
};

/// Builds a runtime graph from a parsed model: one Value per tensor (constants zero-copy into
/// `bytes` when aligned for their dtype, copied once otherwise; `keep_alive` owns `bytes`), one
/// Node per operator in domain "tflite". Every operator tinynn does not support — builtin or
/// custom — is listed in one error.
[[nodiscard]] inline Result<graph::Graph> to_graph(const Model& model, std::shared_ptr<const void> keep_alive,
                                                   const ImportOptions& options = {}) {
  graph::Graph g;
  g.source = model.source;
  g.opset = 1;
  g.buffer = keep_alive;
  // Unsupported operators, all at once.
  std::string unsupported;
  int unsupported_count = 0;
  for (std::size_t i = 0; i < model.operators.size(); ++i) {
    const Operator& op = model.operators[i];
    if (op.builtin != CUSTOM && graph::op::tflite::find_handler(builtin_name(op.builtin))) continue;
    unsupported += (unsupported_count++ ? ", " : "") + op.name() + " (operator " + std::to_string(i) + ")";
  }
  if (unsupported_count) {
    return error(ErrorCode::unsupported, model.source, ": ", unsupported_count, " unsupported operator",
                 unsupported_count > 1 ? "s: " : ": ", unsupported);
  }
  if (model.subgraph_count > 1) {
    // Subgraph 0 runs; it calls no other subgraph (control flow ops are unsupported above).
  }
  for (std::size_t i = 0; i < model.tensors.size(); ++i) {
    const Tensor& t = model.tensors[i];
    graph::Value v;
    v.name = t.name.empty() ? "tensor_" + std::to_string(i) : t.name;
    auto dtype = dtype_of(t.type, t.quantized());
    if (!dtype) {
      if (!t.constant()) {
        // Kept as a placeholder: only an error if an operator uses it (the handlers check dtypes).
        v.dtype = DType::f32;
      } else {
        return error(dtype.error().code(), model.source, ": tensor ", i, " '", v.name, "': ", dtype.error().message());
      }
    } else {
      v.dtype = *dtype;
    }
    v.shape = t.shape;
    v.has_shape = true;
    if (t.quantized()) {
      // Zero points must be values of the storage type (TFLite's own requirement for int8/uint8).
      const std::int64_t lo =
          v.dtype == DType::u8 ? 0 : (v.dtype == DType::qi8 || v.dtype == DType::i8 ? -128 : -32768);
      const std::int64_t hi =
          v.dtype == DType::u8 ? 255 : (v.dtype == DType::qi8 || v.dtype == DType::i8 ? 127 : 32767);
      for (std::int64_t z : t.zero_points) {
        if (z < lo || z > hi) {
          return error(ErrorCode::invalid_model, model.source, ": tensor ", i, " '", v.name, "' has zero point ", z,
                       ", outside [", lo, ", ", hi, "] of its type");
        }
      }
      v.quant = QuantParams{t.scales[0], static_cast<std::int32_t>(t.zero_points[0])};
      if (t.scales.size() > 1) {
        auto cq = std::make_shared<graph::ChannelQuant>();
        cq->scales = t.scales;
        cq->zero_points.assign(t.zero_points.begin(), t.zero_points.end());
        cq->axis = t.quantized_dimension;
        v.channel_quant = std::move(cq);
      }
    }
    if (t.constant()) {
      v.constant = true;
      const auto address = reinterpret_cast<std::uintptr_t>(t.data.data());
      if (address % dtype_size(v.dtype) == 0) {
        v.data = reinterpret_cast<const std::byte*>(t.data.data());
        v.keep_alive = keep_alive;
      } else {  // misaligned for its element type: one aligned copy
        auto copy = std::make_shared<graph::AlignedBuffer>(t.data.size());
        std::memcpy(copy->data(), t.data.data(), t.data.size());
        v.data = copy->data();
        v.keep_alive = std::move(copy);
      }
    } else if (t.is_variable) {
      // A variable (state) tensor starts at zero, as in a fresh TFLite interpreter.
      auto zero = std::make_shared<graph::AlignedBuffer>(t.shape.size() * dtype_size(v.dtype));
      if (v.dtype == DType::qi8 || v.dtype == DType::u8) {
        std::memset(zero->data(), static_cast<int>(v.quant.zero_point), zero->size());
      }
      v.constant = true;
      v.data = zero->data();
      v.keep_alive = std::move(zero);
    }
    g.add_value(std::move(v));
  }
  for (std::int32_t i : model.inputs) {
    if (g.values[static_cast<std::size_t>(i)].constant) {
      return error(ErrorCode::invalid_model, model.source, ": subgraph input ", i, " is a constant");
    }
    g.inputs.push_back(i);
  }
  g.outputs.assign(model.outputs.begin(), model.outputs.end());
  for (std::size_t i = 0; i < model.operators.size(); ++i) {
    const Operator& op = model.operators[i];
    graph::Node node;
    node.op_type = builtin_name(op.builtin);
    node.domain = "tflite";
    node.opset = 1;
    node.inputs.assign(op.inputs.begin(), op.inputs.end());
    node.outputs.assign(op.outputs.begin(), op.outputs.end());
    node.name = !op.outputs.empty() && op.outputs[0] >= 0 ? g.values[static_cast<std::size_t>(op.outputs[0])].name
                                                          : node.op_type + "_" + std::to_string(i);
    for (std::int32_t out : op.outputs) {
      if (out < 0) continue;
      graph::Value& v = g.values[static_cast<std::size_t>(out)];
      if (v.constant || v.producer >= 0) {
        return error(ErrorCode::invalid_model, model.source, ": operator ", i, " (", op.name(), ") writes tensor ", out,
                     " '", v.name, "', which is a constant or written by another operator");
      }
      v.producer = static_cast<int>(i);
    }
    detail::add_attributes(node, op);
    detail::add_int(node, "rounding", options.rounding == ops::quantized::Rounding::single_rounding ? 1 : 0);
    // Quantization of the intermediate tensors (the integer LSTM's gate and hidden scales).
    for (std::size_t k = 0; k < op.intermediates.size(); ++k) {
      const std::int32_t t = op.intermediates[k];
      if (t < 0 || !model.tensors[static_cast<std::size_t>(t)].quantized()) continue;
      const Tensor& tensor = model.tensors[static_cast<std::size_t>(t)];
      detail::add_float(node, "intermediate_scale_" + std::to_string(k), tensor.scales[0]);
      detail::add_int(node, "intermediate_zero_point_" + std::to_string(k), tensor.zero_points[0]);
    }
    g.nodes.push_back(std::move(node));
  }
  return g;
}

/// Parses `bytes` and builds the graph; `keep_alive` must own `bytes` (constants point into it).
[[nodiscard]] inline Result<graph::Graph> import(std::span<const std::uint8_t> bytes, std::string_view source,
                                                 std::shared_ptr<const void> keep_alive,
                                                 const ImportOptions& options = {}) {
  auto model = parse(bytes, source);
  if (!model) return std::move(model).error();
  return to_graph(*model, std::move(keep_alive), options);
}

}  // namespace tinynn::formats::tflite
