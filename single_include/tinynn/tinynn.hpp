// tinynn single-header distribution. GENERATED FILE: DO NOT EDIT.
// Regenerate with `cmake -P scripts/amalgamate.cmake` from the repository root after changing include/.
#pragma once
// ---- begin tinynn/tinynn.hpp ----
// tinynn — umbrella header: everything a user needs with one #include.

// ---- begin tinynn/arena.hpp ----
// tinynn — Arena: aligned bump allocation over a buffer the caller provides. No heap; reset()
// frees everything at once; high_water() is the most ever in use, the figure to size a buffer by.

#include <cstddef>
#include <cstdint>
#include <span>

// ---- begin tinynn/config.hpp ----
// tinynn — compile-time configuration shared by every header.
//
// TINYNN_STRIP_ERROR_STRINGS: define it (firmware) to compile every error message out; errors then
// carry only their code, and the core pulls in neither <string> formatting nor the heap.
// TINYNN_ASSERT: API misuse is a debug assert (../shared/STYLE.md "Errors"); off under NDEBUG.

#include <cassert>
#include <cstddef>
#include <cstdint>

#define TINYNN_VERSION_MAJOR 0
#define TINYNN_VERSION_MINOR 1
#define TINYNN_VERSION_PATCH 0

#ifndef TINYNN_ASSERT
#define TINYNN_ASSERT(condition) assert(condition)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define TINYNN_RESTRICT __restrict__
#define TINYNN_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define TINYNN_RESTRICT
#define TINYNN_ALWAYS_INLINE inline
#endif

// x86 SIMD kernels are functions with a target attribute, so that any translation unit can contain
// them and runtime dispatch can call them on CPUs that have the ISA (xsimd 8.1 declares its x86
// batch types only when the whole TU is compiled for the ISA, which a header-only library with
// runtime dispatch cannot require). Such functions must be called, not inlined, from generic code.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define TINYNN_HAS_X86_KERNELS 1
#define TINYNN_TARGET_AVX2 __attribute__((target("avx2,fma,f16c")))
#define TINYNN_TARGET_AVX512 __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512dq,avx512vl")))
#define TINYNN_TARGET_AVX512VNNI __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512dq,avx512vl,avx512vnni")))
#define TINYNN_TARGET_AVXVNNI __attribute__((target("avx2,fma,f16c,avxvnni")))
#else
#define TINYNN_HAS_X86_KERNELS 0
#endif

namespace tinynn {

/// Alignment of every tensor buffer tinynn owns or plans: one cache line, and a full AVX-512 vector.
inline constexpr std::size_t tensor_alignment = 64;

/// Rank limit of runtime shapes (DynShape); static shapes have no limit.
inline constexpr std::size_t max_rank = 8;

}  // namespace tinynn

// ---- end tinynn/config.hpp ----
// ---- begin tinynn/status.hpp ----
// tinynn — Status and Result<T>: errors as values. The core never throws.
//
// An error carries a code and a message that says where (file, node, tensor, offset) and what was
// expected versus found. Messages are built with tinynn::error(code, pieces...), which concatenates
// strings and numbers; under TINYNN_STRIP_ERROR_STRINGS the pieces are dropped at compile time.

#include <charconv>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

#ifndef TINYNN_STRIP_ERROR_STRINGS
#include <string>
#endif

namespace tinynn {

enum class ErrorCode : std::uint8_t {
  ok = 0,
  invalid_argument,  // the caller passed something wrong (shape, dtype, option)
  invalid_model,     // the model file is malformed or inconsistent
  unsupported,       // well-formed, but tinynn does not implement it
  out_of_memory,     // an arena or buffer is too small, or a size would overflow
  out_of_range,      // an index or offset lies outside its container
  io_error,          // a file could not be opened, read or mapped
  internal,          // a tinynn bug: please report it
};

[[nodiscard]] constexpr std::string_view error_code_name(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::ok: return "ok";
    case ErrorCode::invalid_argument: return "invalid argument";
    case ErrorCode::invalid_model: return "invalid model";
    case ErrorCode::unsupported: return "unsupported";
    case ErrorCode::out_of_memory: return "out of memory";
    case ErrorCode::out_of_range: return "out of range";
    case ErrorCode::io_error: return "I/O error";
    case ErrorCode::internal: return "internal error";
  }
  return "unknown error";
}

class [[nodiscard]] Status {
 public:
  constexpr Status() noexcept = default;

#ifndef TINYNN_STRIP_ERROR_STRINGS
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
#endif
  constexpr explicit Status(ErrorCode code) noexcept : code_(code) {}

  [[nodiscard]] static constexpr Status success() noexcept { return {}; }

  [[nodiscard]] constexpr bool ok() const noexcept { return code_ == ErrorCode::ok; }
  constexpr explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] constexpr ErrorCode code() const noexcept { return code_; }

  /// The human-readable message; with TINYNN_STRIP_ERROR_STRINGS, only the code's name.
  [[nodiscard]] const char* message() const noexcept {
#ifndef TINYNN_STRIP_ERROR_STRINGS
    if (!message_.empty()) return message_.c_str();
#endif
    return ok() ? "ok" : error_code_name(code_).data();
  }

#ifndef TINYNN_STRIP_ERROR_STRINGS
  /// Prefixes the message with context, e.g. the file name: "model.onnx: " + message.
  Status& prepend(std::string_view context) {
    if (!ok()) message_.insert(0, std::string(context) + ": ");
    return *this;
  }
#else
  constexpr Status& prepend(std::string_view) noexcept { return *this; }
#endif

 private:
  ErrorCode code_ = ErrorCode::ok;
#ifndef TINYNN_STRIP_ERROR_STRINGS
  std::string message_;
#endif
};

namespace detail {

#ifndef TINYNN_STRIP_ERROR_STRINGS
inline void append_piece(std::string& out, std::string_view text) { out.append(text); }
inline void append_piece(std::string& out, const char* text) { out.append(text ? text : "(null)"); }
inline void append_piece(std::string& out, char c) { out.push_back(c); }
inline void append_piece(std::string& out, bool value) { out.append(value ? "true" : "false"); }

template <class Number>
requires(std::is_arithmetic_v<Number> && !std::is_same_v<Number, bool> &&
         !std::is_same_v<Number, char>) void append_piece(std::string& out, Number value) {
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (error == std::errc{}) out.append(buffer, end);
}

/// Unqualified call: finds the overloads above and, by argument-dependent lookup, hidden-friend
/// `append_piece` overloads of tinynn types (DynShape, ...).
template <class Piece>
void append_any(std::string& out, const Piece& piece) {
  append_piece(out, piece);
}
#endif

}  // namespace detail

/// Builds an error Status from pieces (strings, characters, numbers), concatenated:
///   error(ErrorCode::invalid_model, "node '", name, "' (Conv): group=", group, " does not divide ", c)
template <class... Pieces>
[[nodiscard]] Status error([[maybe_unused]] ErrorCode code, [[maybe_unused]] const Pieces&... pieces) {
#ifndef TINYNN_STRIP_ERROR_STRINGS
  std::string message;
  (detail::append_any(message, pieces), ...);
  return Status(code, std::move(message));
#else
  return Status(code);
#endif
}

/// A value of type T, or the Status saying why there is none.
template <class T>
class [[nodiscard]] Result {
  static_assert(!std::is_reference_v<T>, "Result<T&> is not supported: use Result<T*>");
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Status>, "Result<Status> makes no sense: use Status");

 public:
  Result(const T& value) : has_value_(true) { ::new (static_cast<void*>(&value_)) T(value); }
  Result(T&& value) noexcept(std::is_nothrow_move_constructible_v<T>) : has_value_(true) {
    ::new (static_cast<void*>(&value_)) T(std::move(value));
  }
  Result(Status status) : has_value_(false), status_(std::move(status)) {
    TINYNN_ASSERT(!status_.ok() && "a Result built from a Status needs an error");
    if (status_.ok()) status_ = Status(ErrorCode::internal);
  }
  template <class U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
           !std::is_same_v<std::remove_cvref_t<U>, Status> && !std::is_same_v<std::remove_cvref_t<U>, Result>)
      Result(U&& value)
      : has_value_(true) {
    ::new (static_cast<void*>(&value_)) T(std::forward<U>(value));
  }

  Result(const Result& other) : has_value_(other.has_value_), status_(other.status_) {
    if (has_value_) ::new (static_cast<void*>(&value_)) T(other.value_);
  }
  Result(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>)
      : has_value_(other.has_value_), status_(std::move(other.status_)) {
    if (has_value_) ::new (static_cast<void*>(&value_)) T(std::move(other.value_));
  }
  Result& operator=(const Result& other) {
    if (this != &other) {
      destroy();
      has_value_ = other.has_value_;
      status_ = other.status_;
      if (has_value_) ::new (static_cast<void*>(&value_)) T(other.value_);
    }
    return *this;
  }
  Result& operator=(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &other) {
      destroy();
      has_value_ = other.has_value_;
      status_ = std::move(other.status_);
      if (has_value_) ::new (static_cast<void*>(&value_)) T(std::move(other.value_));
    }
    return *this;
  }
  ~Result() { destroy(); }

  [[nodiscard]] bool has_value() const noexcept { return has_value_; }
  [[nodiscard]] bool ok() const noexcept { return has_value_; }
  explicit operator bool() const noexcept { return has_value_; }

  [[nodiscard]] T& value() & noexcept {
    TINYNN_ASSERT(has_value_);
    return value_;
  }
  [[nodiscard]] const T& value() const& noexcept {
    TINYNN_ASSERT(has_value_);
    return value_;
  }
  [[nodiscard]] T&& value() && noexcept {
    TINYNN_ASSERT(has_value_);
    return std::move(value_);
  }
  T& operator*() & noexcept { return value(); }
  const T& operator*() const& noexcept { return value(); }
  T&& operator*() && noexcept { return std::move(*this).value(); }
  T* operator->() noexcept { return &value(); }
  const T* operator->() const noexcept { return &value(); }

  /// The error; Status::success() when there is a value.
  [[nodiscard]] const Status& error() const& noexcept { return status_; }
  [[nodiscard]] Status&& error() && noexcept { return std::move(status_); }
  [[nodiscard]] const Status& status() const& noexcept { return status_; }

 private:
  void destroy() noexcept {
    if (has_value_) value_.~T();
    has_value_ = false;
  }

  bool has_value_;
  Status status_;
  union {
    T value_;
  };
};

}  // namespace tinynn

/// Returns from the enclosing function when `expr` (a Status) is an error.
#define TINYNN_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::tinynn::Status tinynn_status_ = (expr);        \
    if (!tinynn_status_.ok()) return tinynn_status_; \
  } while (false)

// ---- end tinynn/status.hpp ----

namespace tinynn {

class Arena {
 public:
  constexpr Arena() noexcept = default;
  constexpr explicit Arena(std::span<std::byte> buffer) noexcept : buffer_(buffer) {}

  /// `bytes` bytes aligned to `alignment` (a power of two), or out_of_memory naming both figures.
  [[nodiscard]] Result<std::span<std::byte>> allocate(std::size_t bytes,
                                                      std::size_t alignment = tensor_alignment) noexcept {
    if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
      return error(ErrorCode::invalid_argument, "arena: alignment ", alignment, " is not a power of two");
    }
    const auto base = reinterpret_cast<std::uintptr_t>(buffer_.data());
    const std::uintptr_t current = base + used_;
    const std::uintptr_t aligned = (current + (alignment - 1)) & ~static_cast<std::uintptr_t>(alignment - 1);
    const std::size_t padding = static_cast<std::size_t>(aligned - current);
    const std::size_t available = buffer_.size() - used_;
    if (padding > available || bytes > available - padding) {
      return error(ErrorCode::out_of_memory, "arena: requested ", bytes, " bytes (alignment ", alignment, "), ",
                   available, " of ", buffer_.size(), " available");
    }
    std::byte* start = buffer_.data() + used_ + padding;
    used_ += padding + bytes;
    if (used_ > high_water_) high_water_ = used_;
    return std::span<std::byte>(start, bytes);
  }

  /// Typed allocation of `count` elements of T.
  template <class T>
  [[nodiscard]] Result<std::span<T>> allocate_array(std::size_t count,
                                                    std::size_t alignment = tensor_alignment) noexcept {
    if (count > SIZE_MAX / sizeof(T)) {
      return error(ErrorCode::out_of_memory, "arena: ", count, " elements of ", sizeof(T), " bytes overflow");
    }
    auto bytes = allocate(count * sizeof(T), alignment < alignof(T) ? alignof(T) : alignment);
    if (!bytes) return std::move(bytes).error();
    return std::span<T>(reinterpret_cast<T*>(bytes->data()), count);
  }

  constexpr void reset() noexcept { used_ = 0; }
  [[nodiscard]] constexpr std::size_t used() const noexcept { return used_; }
  [[nodiscard]] constexpr std::size_t high_water() const noexcept { return high_water_; }
  [[nodiscard]] constexpr std::size_t capacity() const noexcept { return buffer_.size(); }

 private:
  std::span<std::byte> buffer_;
  std::size_t used_ = 0;
  std::size_t high_water_ = 0;
};

/// Bytes needed to place buffers of the given sizes one after another, each aligned.
[[nodiscard]] constexpr std::size_t align_up(std::size_t bytes, std::size_t alignment = tensor_alignment) noexcept {
  return (bytes + alignment - 1) / alignment * alignment;
}

}  // namespace tinynn

// ---- end tinynn/arena.hpp ----
// ---- begin tinynn/backends/dispatch.hpp ----
// tinynn — runtime backend dispatch: calls f(tag) with the tag object of a BackendId. A backend not
// compiled into this binary falls back to scalar. dispatch() does not ask the CPU: pass an id that
// backend_available() accepts (or runtime_backend()), and no instruction the CPU lacks ever runs.

// ---- begin tinynn/backends/tags.hpp ----
// tinynn — backend tag types. Kernels overload on the tag; a more capable tag derives from a less
// capable one (avx512 : avx2 : scalar, sve : neon : scalar), so overload resolution picks the most
// capable implementation a kernel has and `scalar` is the fallback for everything.
// `native` is the best backend the compile target supports. Asking for a backend the target cannot
// compile is a static_assert (require_compilable<B>()), never a silent fallback.

#include <cstddef>
#include <string_view>
#include <type_traits>

namespace tinynn::backend {

struct scalar {
  static constexpr std::string_view name() noexcept { return "scalar"; }
  static constexpr std::size_t alignment = 16;
  static constexpr std::size_t float_lanes = 1;
};

struct avx2 : scalar {
  static constexpr std::string_view name() noexcept { return "avx2"; }
  static constexpr std::size_t alignment = 32;
  static constexpr std::size_t float_lanes = 8;
};

struct avx512 : avx2 {
  static constexpr std::string_view name() noexcept { return "avx512"; }
  static constexpr std::size_t alignment = 64;
  static constexpr std::size_t float_lanes = 16;
};

struct neon : scalar {
  static constexpr std::string_view name() noexcept { return "neon"; }
  static constexpr std::size_t alignment = 16;
  static constexpr std::size_t float_lanes = 4;
};

/// Vector-length agnostic: float_lanes is the minimum (128-bit) length; kernels ask svcntw().
struct sve : neon {
  static constexpr std::string_view name() noexcept { return "sve"; }
  static constexpr std::size_t alignment = 64;
  static constexpr std::size_t float_lanes = 4;
};

/// Whether code for backend B can be compiled into this translation unit. x86 kernels carry target
/// attributes (config.hpp), so avx2/avx512 compile into any x86 TU; running them needs the CPU to
/// have the ISA (see cpu_features() and runtime_backend()).
template <class B>
inline constexpr bool is_compilable = std::is_same_v<B, scalar>
#if TINYNN_HAS_X86_KERNELS
                                      || std::is_same_v<B, avx2> || std::is_same_v<B, avx512>
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
                                      || std::is_same_v<B, neon>
#endif
#if defined(__ARM_FEATURE_SVE)
                                      || std::is_same_v<B, sve>
#endif
    ;

template <class B>
concept Backend = std::is_base_of_v<scalar, B> && requires {
  { B::name() } -> std::convertible_to<std::string_view>;
};

/// Fails to compile, with a message saying what to do, when B is not available on this target.
template <Backend B>
constexpr void require_compilable() noexcept {
  static_assert(is_compilable<B>,
                "tinynn: this backend is not available for the compile target; enable its ISA "
                "(e.g. -mavx2 -mfma, -mavx512f -mavx512bw -mavx512dq -mavx512vl, -march=armv8.2-a+sve) "
                "or use backend::native / backend::scalar");
}

#if defined(__ARM_FEATURE_SVE)
using native = sve;
#elif defined(__ARM_NEON) && defined(__aarch64__)
using native = neon;
#elif defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512DQ__) && defined(__AVX512VL__)
using native = avx512;
#elif defined(__AVX2__) && defined(__FMA__)
using native = avx2;
#else
using native = scalar;
#endif

/// Runtime identity of a backend (graphs choose one per session, at run time).
enum class BackendId : unsigned char { scalar, avx2, avx512, neon, sve };

template <Backend B>
inline constexpr BackendId id_of = std::is_same_v<B, sve>      ? BackendId::sve
                                   : std::is_same_v<B, neon>   ? BackendId::neon
                                   : std::is_same_v<B, avx512> ? BackendId::avx512
                                   : std::is_same_v<B, avx2>   ? BackendId::avx2
                                                               : BackendId::scalar;

[[nodiscard]] constexpr std::string_view name_of(BackendId id) noexcept {
  switch (id) {
    case BackendId::scalar: return scalar::name();
    case BackendId::avx2: return avx2::name();
    case BackendId::avx512: return avx512::name();
    case BackendId::neon: return neon::name();
    case BackendId::sve: return sve::name();
  }
  return "?";
}

}  // namespace tinynn::backend

// ---- end tinynn/backends/tags.hpp ----

namespace tinynn::backend {

template <class F>
void dispatch(BackendId id, F&& f) noexcept {
  switch (id) {
#if TINYNN_HAS_X86_KERNELS
    case BackendId::avx512: f(avx512{}); return;
    case BackendId::avx2: f(avx2{}); return;
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
    case BackendId::neon: f(neon{}); return;
#endif
#if defined(__ARM_FEATURE_SVE)
    case BackendId::sve: f(sve{}); return;
#endif
    default: f(scalar{}); return;
  }
}

}  // namespace tinynn::backend

// ---- end tinynn/backends/dispatch.hpp ----
// ---- begin tinynn/dtype.hpp ----
// tinynn — element types. Each dtype is an empty tag type (for static networks and kernels) with a
// runtime enum DType (for graphs). `qi8` is int8 storage carrying quantization parameters
// (per-tensor or per-channel scale and zero point, ../shared/DESIGN.md "Quantization").

#include <concepts>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace tinynn {

enum class DType : std::uint8_t {
  f32,
  i8,
  u8,
  i32,
  qi8,
  i64,
  i16,
  boolean,
  f16,
};

inline constexpr int dtype_count = 9;

[[nodiscard]] constexpr std::size_t dtype_size(DType dtype) noexcept {
  switch (dtype) {
    case DType::f32: return 4;
    case DType::i8: return 1;
    case DType::u8: return 1;
    case DType::i32: return 4;
    case DType::qi8: return 1;
    case DType::i64: return 8;
    case DType::i16: return 2;
    case DType::boolean: return 1;
    case DType::f16: return 2;
  }
  return 0;
}

[[nodiscard]] constexpr std::string_view dtype_name(DType dtype) noexcept {
  switch (dtype) {
    case DType::f32: return "f32";
    case DType::i8: return "i8";
    case DType::u8: return "u8";
    case DType::i32: return "i32";
    case DType::qi8: return "qi8";
    case DType::i64: return "i64";
    case DType::i16: return "i16";
    case DType::boolean: return "bool";
    case DType::f16: return "f16";
  }
  return "?";
}

/// True for the dtypes whose values are stored as real numbers after dequantization.
[[nodiscard]] constexpr bool dtype_is_quantized(DType dtype) noexcept { return dtype == DType::qi8; }

// Tag types. `value_type` is the storage type of one element.
struct f32 {
  using value_type = float;
  static constexpr DType id = DType::f32;
  static constexpr std::string_view name = "f32";
};
struct i8 {
  using value_type = std::int8_t;
  static constexpr DType id = DType::i8;
  static constexpr std::string_view name = "i8";
};
struct u8 {
  using value_type = std::uint8_t;
  static constexpr DType id = DType::u8;
  static constexpr std::string_view name = "u8";
};
struct i32 {
  using value_type = std::int32_t;
  static constexpr DType id = DType::i32;
  static constexpr std::string_view name = "i32";
};
struct qi8 {
  using value_type = std::int8_t;
  static constexpr DType id = DType::qi8;
  static constexpr std::string_view name = "qi8";
};
struct i64 {
  using value_type = std::int64_t;
  static constexpr DType id = DType::i64;
  static constexpr std::string_view name = "i64";
};
struct i16 {
  using value_type = std::int16_t;
  static constexpr DType id = DType::i16;
  static constexpr std::string_view name = "i16";
};

/// What a dtype tag must provide. A const-qualified tag (const f32) names read-only elements.
template <class T>
concept DTypeTag = requires {
  typename std::remove_const_t<T>::value_type;
  { std::remove_const_t<T>::id } -> std::convertible_to<DType>;
  { std::remove_const_t<T>::name } -> std::convertible_to<std::string_view>;
}
&&std::is_empty_v<std::remove_const_t<T>>;

/// Element type of a tag; const when the tag is const.
template <DTypeTag T>
using element_t = std::conditional_t<std::is_const_v<T>, const typename std::remove_const_t<T>::value_type,
                                     typename std::remove_const_t<T>::value_type>;

template <DTypeTag T>
inline constexpr DType dtype_of = std::remove_const_t<T>::id;

static_assert(sizeof(f32::value_type) == dtype_size(DType::f32));
static_assert(sizeof(qi8::value_type) == dtype_size(DType::qi8));
static_assert(sizeof(i64::value_type) == dtype_size(DType::i64));

}  // namespace tinynn

// ---- end tinynn/dtype.hpp ----
// ---- begin tinynn/nn.hpp ----
// tinynn — static networks: a network is a C++ type (../shared/DESIGN.md "Static networks").
//
//   using Net = nn::Sequential<nn::Input<f32, 49, 10, 1>,
//                              nn::Conv2D<64, 10, 4, nn::Padding<5, 1>, nn::Stride<2>>, nn::BatchNorm<>, nn::ReLU,
//                              nn::DepthwiseConv2D<3, 3, nn::Same>, nn::BatchNorm<>, nn::ReLU,
//                              nn::GlobalAvgPool, nn::Dense<12>>;
//   constexpr Net::Params params = Net::fold(trained);  // packs weights, folds BatchNorm: at compile time
//   Net::Arena arena;                                   // Net::arena_bytes: exact, planned at compile time
//   auto scores = Net::run(params, x, arena);           // one ops/ call per step; Net::run<backend::scalar>
//
// Layers (nn/layers.hpp): Input, Conv2D, DepthwiseConv2D, Dense, MaxPool2D, AvgPool2D, GlobalAvgPool,
// BatchNorm, Flatten, Reshape, Softmax, Pad, ReLU, ReLU6, Clip, LeakyReLU, Sigmoid, Tanh, HardSwish; options
// Same/Valid/Padding<>, Stride<>, Dilation<>, Multiplier<>, CeilMode, a fused activation.
// Combinators (nn/combinators.hpp): Sequential (fuses conv/dense + BatchNorm + activation into one step), Add,
// Residual, Concat. Facade and arena planner: nn/network.hpp, nn/plan.hpp. Blocks and reference networks:
// nn/zoo.hpp. int8 layers: nn/quantized.hpp. How to add a layer: nn/layer.hpp.

// ---- begin tinynn/nn/combinators.hpp ----
// tinynn — combinators of static-network layers:
//   Sequential<L...>        the layers one after another. Conv2D/DepthwiseConv2D/Dense followed by
//                           BatchNorm and/or an activation become one kernel call (the BatchNorm is
//                           folded into the weights by fold(), the activation into the epilogue).
//   Add<Branches...>        the elementwise sum of the branches, each applied to the same input.
//   Residual<Block, Short>  Block(x) + Short(x), Short = Identity by default (projection: a conv).
//   Concat<Branches...>     the branches' outputs side by side on the last (channel) axis.
// Each is itself a layer, so they nest. A Sequential whose first layer is an Input is a network
// (nn/network.hpp adds Params, Arena, arena_bytes, run()).

#include <array>
#include <cstddef>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>

// ---- begin tinynn/nn/layer.hpp ----
// tinynn — what a static-network layer is. A layer is a type (Conv2D<16, 3, 3, Same, ReLU>);
// binding it to an input spec (dtype + compile-time shape) gives a "bound layer" with everything a
// network needs to know before it runs:
//
//   template <class In> struct Layer::bind {
//     using input = In;  using output = Spec<dtype, Shape<...>>;   // shape errors: static_assert
//     using Params = ...;   // what run() reads: weights packed for ops/ (an aggregate; constexpr-able,
//                           // so it can live in flash)
//     using Trained = ...;  // what a trainer exports: plain weights, BatchNorm statistics
//     static constexpr void fold_into(const Trained&, Params&);     // packing, folding: compile time
//     static constexpr std::size_t param_count, macs, step_count;
//     template <class Backend, std::size_t N>                       // appends its steps to the graph
//     static constexpr std::size_t describe(Graph<N>&, std::size_t input_buffer);  // -> output buffer
//     template <class Top, std::size_t Step, class Backend, ...>    // Top::plan<Backend> has the offsets
//     static output_element* run(const Params&, std::byte* arena, const input_element* in);
//   };
//
// Layers with one kernel call derive their describe()/run() from SingleStep (below); combinators
// (Sequential, Add, Residual, Concat) compose them. New dtypes (nn/quantized.hpp) add layers with
// the same protocol.

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

// ---- begin tinynn/nn/plan.hpp ----
// tinynn — compile-time arena planning for static networks. A network describes itself as a list
// of steps (one kernel call each) over buffers: buffer 0 is the caller's input (never in the arena),
// step s writes buffer s + 1 and reads earlier buffers. The planner merges a step's output into an
// input that dies at that step when the op can run in place, gives every remaining buffer and every
// step's scratch a lifetime [first step, last step], and places them greedily (largest first, lowest
// free offset) so that buffers whose lifetimes overlap never overlap in memory. Everything here is
// constexpr: Net::arena_bytes is the exact figure, known before the program runs.

#include <array>
#include <cstddef>
#include <cstdint>

namespace tinynn::nn {

/// Most inputs one step reads (Add / Concat of this many branches).
inline constexpr std::size_t max_step_inputs = 8;

struct StepInfo {
  std::array<std::size_t, max_step_inputs> inputs{};  // buffer ids read
  std::size_t input_count = 0;
  std::size_t output_bytes = 0;
  std::size_t scratch_bytes = 0;
  bool in_place = false;  // the output may share the storage of a same-sized input that dies here
};

/// The steps of a network, in execution order. Built by each layer's describe().
template <std::size_t StepCount>
struct Graph {
  std::array<StepInfo, (StepCount > 0 ? StepCount : 1)> steps{};
  std::size_t count = 0;
  std::size_t input_bytes = 0;
  std::size_t output_buffer = 0;

  /// Appends a step; returns the id of the buffer it writes.
  constexpr std::size_t add(const StepInfo& step) {
    steps[count] = step;
    return ++count;
  }
  constexpr std::size_t bytes_of(std::size_t buffer) const {
    return buffer == 0 ? input_bytes : steps[buffer - 1].output_bytes;
  }
};

template <std::size_t StepCount>
struct Plan {
  static constexpr std::size_t buffers = StepCount + 1;
  std::array<std::size_t, buffers> offset{};   // arena offset of each buffer (0 = external input)
  std::array<std::size_t, buffers> storage{};  // buffer that owns the storage (after in-place merges)
  std::array<std::size_t, buffers> first{};    // first step that writes the storage
  std::array<std::size_t, buffers> last{};     // last step that reads it (StepCount = alive at the end)
  std::array<std::size_t, (StepCount > 0 ? StepCount : 1)> scratch_offset{};
  std::size_t arena_bytes = 0;      // the exact figure: end of the highest placed block
  std::size_t no_reuse_bytes = 0;   // every buffer and scratch block side by side, nothing shared
  std::size_t ping_pong_bytes = 0;  // the naive bound: two buffers of the largest activation + largest scratch
  std::size_t in_place_steps = 0;   // steps whose output shares an input's storage
  bool valid = false;               // self-check: no two blocks alive at the same step overlap
};

namespace detail {

constexpr std::size_t align_offset(std::size_t bytes) noexcept {
  return (bytes + tensor_alignment - 1) / tensor_alignment * tensor_alignment;
}

struct Block {
  std::size_t bytes = 0, first = 0, last = 0, offset = 0;
  bool placed = false;
};

constexpr bool lifetimes_overlap(const Block& a, const Block& b) noexcept {
  return a.first <= b.last && b.first <= a.last;
}
constexpr bool memory_overlaps(const Block& a, std::size_t offset, std::size_t bytes) noexcept {
  return offset < a.offset + a.bytes && a.offset < offset + bytes;
}

}  // namespace detail

/// Plans the arena of a graph (see the file comment). Runs at compile time.
template <std::size_t N>
constexpr Plan<N> plan_arena(const Graph<N>& graph) {
  Plan<N> plan{};
  constexpr std::size_t B = N + 1;
  const std::size_t end = N;  // a "step" after the last: the output stays alive until the caller reads it
  std::array<std::size_t, B> last_use{};
  for (std::size_t b = 0; b < B; ++b) last_use[b] = b == 0 ? 0 : b - 1;
  for (std::size_t s = 0; s < graph.count; ++s) {
    for (std::size_t i = 0; i < graph.steps[s].input_count; ++i) {
      const std::size_t b = graph.steps[s].inputs[i];
      if (s > last_use[b]) last_use[b] = s;
    }
  }
  last_use[graph.output_buffer] = end;

  // In-place merges, in step order: the output joins the storage of an input whose group dies here.
  for (std::size_t b = 0; b < B; ++b) {
    plan.storage[b] = b;
    plan.first[b] = b == 0 ? 0 : b - 1;
    plan.last[b] = last_use[b];
  }
  for (std::size_t s = 0; s < graph.count; ++s) {
    const StepInfo& step = graph.steps[s];
    if (!step.in_place) continue;
    for (std::size_t i = 0; i < step.input_count; ++i) {
      const std::size_t root = plan.storage[step.inputs[i]];
      if (root == 0 || plan.last[root] != s || graph.bytes_of(root) != step.output_bytes) continue;
      plan.storage[s + 1] = root;
      plan.last[root] = last_use[s + 1];
      ++plan.in_place_steps;
      break;
    }
  }

  // Blocks: one per storage root (not the external input), one per step's scratch.
  std::array<detail::Block, 2 * B> blocks{};
  std::array<std::size_t, 2 * B> owner{};  // block -> buffer id (< B) or B + step for scratch
  std::size_t count = 0;
  std::size_t largest_buffer = 0, largest_scratch = 0;
  for (std::size_t b = 1; b < B; ++b) {
    if (plan.storage[b] != b) continue;
    blocks[count] = {graph.bytes_of(b), plan.first[b], plan.last[b], 0, false};
    owner[count++] = b;
    plan.no_reuse_bytes += detail::align_offset(graph.bytes_of(b));
    if (graph.bytes_of(b) > largest_buffer) largest_buffer = graph.bytes_of(b);
  }
  for (std::size_t s = 0; s < graph.count; ++s) {
    const std::size_t bytes = graph.steps[s].scratch_bytes;
    if (bytes == 0) continue;
    blocks[count] = {bytes, s, s, 0, false};
    owner[count++] = B + s;
    plan.no_reuse_bytes += detail::align_offset(bytes);
    if (bytes > largest_scratch) largest_scratch = bytes;
  }
  plan.ping_pong_bytes = 2 * detail::align_offset(largest_buffer) + largest_scratch;

  // Greedy: largest block first (earliest first on ties), at the lowest offset free during its lifetime.
  for (std::size_t placed = 0; placed < count; ++placed) {
    std::size_t pick = count;
    for (std::size_t k = 0; k < count; ++k) {
      if (blocks[k].placed) continue;
      if (pick == count || blocks[k].bytes > blocks[pick].bytes ||
          (blocks[k].bytes == blocks[pick].bytes && blocks[k].first < blocks[pick].first)) {
        pick = k;
      }
    }
    std::size_t offset = 0;
    for (bool moved = true; moved;) {
      moved = false;
      for (std::size_t k = 0; k < count; ++k) {
        if (!blocks[k].placed || !detail::lifetimes_overlap(blocks[k], blocks[pick])) continue;
        if (detail::memory_overlaps(blocks[k], offset, blocks[pick].bytes)) {
          offset = detail::align_offset(blocks[k].offset + blocks[k].bytes);
          moved = true;
        }
      }
    }
    blocks[pick].offset = offset;
    blocks[pick].placed = true;
    if (offset + blocks[pick].bytes > plan.arena_bytes) plan.arena_bytes = offset + blocks[pick].bytes;
  }

  for (std::size_t k = 0; k < count; ++k) {
    if (owner[k] < B) {
      plan.offset[owner[k]] = blocks[k].offset;
    } else {
      plan.scratch_offset[owner[k] - B] = blocks[k].offset;
    }
  }
  for (std::size_t b = 1; b < B; ++b) plan.offset[b] = plan.offset[plan.storage[b]];

  plan.valid = true;
  for (std::size_t a = 0; a < count; ++a) {
    for (std::size_t b = a + 1; b < count; ++b) {
      if (detail::lifetimes_overlap(blocks[a], blocks[b]) &&
          detail::memory_overlaps(blocks[a], blocks[b].offset, blocks[b].bytes) && blocks[a].bytes != 0 &&
          blocks[b].bytes != 0) {
        plan.valid = false;
      }
    }
    if (blocks[a].offset % tensor_alignment != 0 || blocks[a].offset + blocks[a].bytes > plan.arena_bytes) {
      plan.valid = false;
    }
  }
  return plan;
}

}  // namespace tinynn::nn

// ---- end tinynn/nn/plan.hpp ----
// ---- begin tinynn/ops/common.hpp ----
// tinynn — what every operator shares: fused activations (the epilogue of conv/dense/GEMM kernels
// and the standalone activation layers), 2-D padding and output-size arithmetic (NHWC throughout).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

namespace tinynn::ops {

/// Activations that fuse into a producer's epilogue. `clip` uses [min, max] (ReLU6 is clip 0..6).
enum class Activation : std::uint8_t { none, relu, relu6, clip, leaky_relu, sigmoid, tanh, hard_swish };

struct ActivationParams {
  Activation kind = Activation::none;
  float alpha = 0.01f;  // leaky_relu slope
  float min = -std::numeric_limits<float>::infinity();
  float max = std::numeric_limits<float>::infinity();

  friend constexpr bool operator==(const ActivationParams&, const ActivationParams&) = default;

  static constexpr ActivationParams none() noexcept { return {}; }
  static constexpr ActivationParams relu() noexcept { return {Activation::relu, 0.0f, 0.0f}; }
  static constexpr ActivationParams relu6() noexcept { return {Activation::relu6, 0.0f, 0.0f, 6.0f}; }
  static constexpr ActivationParams clip(float lo, float hi) noexcept { return {Activation::clip, 0.0f, lo, hi}; }
  static constexpr ActivationParams leaky_relu(float slope) noexcept { return {Activation::leaky_relu, slope}; }
};

/// The scalar definition of every fused activation; SIMD epilogues must agree with it.
[[nodiscard]] inline float apply_activation(const ActivationParams& p, float x) noexcept {
  switch (p.kind) {
    case Activation::none: return x;
    case Activation::relu: return x > 0.0f ? x : 0.0f;
    case Activation::relu6: return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case Activation::clip: return x < p.min ? p.min : (x > p.max ? p.max : x);
    case Activation::leaky_relu: return x >= 0.0f ? x : p.alpha * x;
    case Activation::sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case Activation::tanh: return std::tanh(x);
    case Activation::hard_swish: {
      const float r = x + 3.0f;
      const float c = r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r);
      return x * c / 6.0f;
    }
  }
  return x;
}

/// Explicit padding of the two spatial dimensions, in elements.
struct Padding2D {
  std::int32_t top = 0, left = 0, bottom = 0, right = 0;
  friend constexpr bool operator==(const Padding2D&, const Padding2D&) = default;
};

/// Output size of a sliding window over `input` (floor mode unless ceil_mode).
[[nodiscard]] constexpr std::int64_t window_output_size(std::int64_t input, std::int64_t kernel, std::int64_t stride,
                                                        std::int64_t dilation, std::int64_t pad_before,
                                                        std::int64_t pad_after, bool ceil_mode = false) noexcept {
  const std::int64_t effective = (kernel - 1) * dilation + 1;
  const std::int64_t span = input + pad_before + pad_after - effective;
  if (span < 0 || stride <= 0) return 0;
  std::int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  // ONNX/PyTorch ceil mode: the last window must start inside the input or the leading padding.
  if (ceil_mode && (out - 1) * stride >= input + pad_before) --out;
  return out;
}

/// SAME padding (TensorFlow/ONNX SAME_UPPER: the extra pixel goes after; SAME_LOWER: before).
struct SamePadding {
  std::int32_t before = 0, after = 0;
};
[[nodiscard]] constexpr SamePadding same_padding(std::int64_t input, std::int64_t kernel, std::int64_t stride,
                                                 std::int64_t dilation, bool lower = false) noexcept {
  const std::int64_t out = (input + stride - 1) / stride;
  const std::int64_t effective = (kernel - 1) * dilation + 1;
  std::int64_t total = (out - 1) * stride + effective - input;
  if (total < 0) total = 0;
  const auto small = static_cast<std::int32_t>(total / 2);
  const auto large = static_cast<std::int32_t>(total - total / 2);
  return lower ? SamePadding{large, small} : SamePadding{small, large};
}

}  // namespace tinynn::ops

// ---- end tinynn/ops/common.hpp ----
// ---- begin tinynn/shape.hpp ----
// tinynn — shapes. Shape<Dims...> is known at compile time (rank, size, row-major strides);
// DynShape is the runtime shape: a fixed-capacity array (no heap, rank <= max_rank) whose element
// count is computed with overflow checks, because runtime shapes come from untrusted model files.

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <type_traits>

namespace tinynn {

template <std::size_t... Dims>
struct Shape {
  static constexpr std::size_t rank = sizeof...(Dims);
  static constexpr std::array<std::size_t, rank> dims = {Dims...};
  static constexpr std::size_t size = (std::size_t{1} * ... * Dims);

  /// Dimension I (compile-time index).
  template <std::size_t I>
  requires(I < rank) static constexpr std::size_t dim = dims[I];

  /// Row-major stride of dimension I, in elements.
  template <std::size_t I>
  requires(I < rank) static constexpr std::size_t stride = [] {
    std::size_t s = 1;
    for (std::size_t d = I + 1; d < rank; ++d) s *= dims[d];
    return s;
  }();

  static constexpr std::array<std::size_t, rank> strides = [] {
    std::array<std::size_t, rank> s{};
    std::size_t running = 1;
    for (std::size_t d = rank; d-- > 0;) {
      s[d] = running;
      running *= dims[d];
    }
    return s;
  }();

  /// Flat row-major offset of a multi-index.
  template <class... Index>
  requires(sizeof...(Index) == rank && (std::is_integral_v<Index> && ...)) static constexpr std::size_t
      offset(Index... index) noexcept {
    const std::array<std::size_t, rank> idx = {static_cast<std::size_t>(index)...};
    std::size_t flat = 0;
    for (std::size_t d = 0; d < rank; ++d) {
      TINYNN_ASSERT(idx[d] < dims[d]);
      flat += idx[d] * strides[d];
    }
    return flat;
  }
};

template <std::size_t... A, std::size_t... B>
constexpr bool operator==(Shape<A...>, Shape<B...>) noexcept {
  if constexpr (sizeof...(A) != sizeof...(B)) {
    return false;
  } else {
    return ((A == B) && ...);
  }
}

namespace detail {
template <class T>
struct is_shape : std::false_type {};
template <std::size_t... Dims>
struct is_shape<Shape<Dims...>> : std::true_type {};
}  // namespace detail

/// A compile-time Shape<...>.
template <class S>
concept StaticShape = detail::is_shape<S>::value;

template <StaticShape A, StaticShape B>
inline constexpr bool same_shape_v = (A{} == B{});

/// Runtime shape: rank <= max_rank, dims >= 0 (0 allowed: empty tensors).
class DynShape {
 public:
  constexpr DynShape() noexcept = default;
  constexpr DynShape(std::initializer_list<std::int64_t> dims) noexcept {
    TINYNN_ASSERT(dims.size() <= max_rank);
    for (std::int64_t d : dims) {
      if (rank_ < max_rank) dims_[rank_++] = d;
    }
  }

  /// Builds a shape from untrusted dimensions: rank and every dimension are checked.
  [[nodiscard]] static Result<DynShape> from(std::span<const std::int64_t> dims) {
    if (dims.size() > max_rank) {
      return error(ErrorCode::unsupported, "rank ", dims.size(), " exceeds tinynn's maximum rank ", max_rank);
    }
    DynShape shape;
    for (std::int64_t d : dims) {
      if (d < 0) return error(ErrorCode::invalid_argument, "negative dimension ", d);
      shape.dims_[shape.rank_++] = d;
    }
    TINYNN_RETURN_IF_ERROR(shape.element_count().status());
    return shape;
  }

  template <std::size_t... Dims>
  static constexpr DynShape of(Shape<Dims...>) noexcept {
    return DynShape{static_cast<std::int64_t>(Dims)...};
  }

  [[nodiscard]] constexpr std::size_t rank() const noexcept { return rank_; }
  [[nodiscard]] constexpr std::int64_t operator[](std::size_t i) const noexcept {
    TINYNN_ASSERT(i < rank_);
    return dims_[i];
  }
  [[nodiscard]] constexpr std::int64_t& operator[](std::size_t i) noexcept {
    TINYNN_ASSERT(i < rank_);
    return dims_[i];
  }
  [[nodiscard]] constexpr std::span<const std::int64_t> dims() const noexcept { return {dims_.data(), rank_}; }
  [[nodiscard]] constexpr const std::int64_t* begin() const noexcept { return dims_.data(); }
  [[nodiscard]] constexpr const std::int64_t* end() const noexcept { return dims_.data() + rank_; }

  /// Appends a dimension; fails past max_rank.
  [[nodiscard]] constexpr bool push_back(std::int64_t d) noexcept {
    if (rank_ >= max_rank) return false;
    dims_[rank_++] = d;
    return true;
  }

  /// Number of elements, or an error if a dimension is negative or the product overflows
  /// (the product must also fit in a byte count of 8-byte elements).
  [[nodiscard]] Result<std::size_t> element_count() const {
    constexpr std::uint64_t limit = std::numeric_limits<std::int64_t>::max() / 8;
    std::uint64_t count = 1;
    for (std::size_t i = 0; i < rank_; ++i) {
      if (dims_[i] < 0) return error(ErrorCode::invalid_argument, "negative dimension ", dims_[i]);
      const auto d = static_cast<std::uint64_t>(dims_[i]);
      if (d != 0 && count > limit / d) {
        return error(ErrorCode::out_of_memory, "element count of shape ", to_string_pieces(), " overflows");
      }
      count *= d;
    }
    return static_cast<std::size_t>(count);
  }

  /// Element count for shapes already validated (from(), or built by tinynn).
  [[nodiscard]] constexpr std::size_t size() const noexcept {
    std::size_t count = 1;
    for (std::size_t i = 0; i < rank_; ++i) count *= static_cast<std::size_t>(dims_[i]);
    return count;
  }

  /// Row-major stride of dimension i, in elements.
  [[nodiscard]] constexpr std::size_t stride(std::size_t i) const noexcept {
    std::size_t s = 1;
    for (std::size_t d = i + 1; d < rank_; ++d) s *= static_cast<std::size_t>(dims_[d]);
    return s;
  }

#ifndef TINYNN_STRIP_ERROR_STRINGS
  friend void append_piece(std::string& out, const DynShape& shape) { out.append(shape.str().view()); }
#endif

  friend constexpr bool operator==(const DynShape& a, const DynShape& b) noexcept {
    if (a.rank_ != b.rank_) return false;
    for (std::size_t i = 0; i < a.rank_; ++i) {
      if (a.dims_[i] != b.dims_[i]) return false;
    }
    return true;
  }

  /// "[1, 3, 224, 224]" (for messages; fixed capacity, no heap).
  struct Text {
    std::array<char, max_rank * 21 + 4> chars{};
    [[nodiscard]] constexpr std::string_view view() const noexcept { return chars.data(); }
#ifndef TINYNN_STRIP_ERROR_STRINGS
    friend void append_piece(std::string& out, const Text& text) { out.append(text.view()); }
#endif
  };
  [[nodiscard]] constexpr Text to_string_pieces() const noexcept {
    Text text;
    std::size_t n = 0;
    auto put = [&](char c) {
      if (n + 1 < text.chars.size()) text.chars[n++] = c;
    };
    put('[');
    for (std::size_t i = 0; i < rank_; ++i) {
      if (i) {
        put(',');
        put(' ');
      }
      std::int64_t v = dims_[i];
      if (v < 0) {
        put('-');
        v = -v;
      }
      char digits[20];
      int count = 0;
      do {
        digits[count++] = static_cast<char>('0' + v % 10);
        v /= 10;
      } while (v && count < 20);
      while (count) put(digits[--count]);
    }
    put(']');
    text.chars[n] = '\0';
    return text;
  }
  [[nodiscard]] constexpr Text str() const noexcept { return to_string_pieces(); }

 private:
  std::array<std::int64_t, max_rank> dims_{};
  std::size_t rank_ = 0;
};

}  // namespace tinynn

// ---- end tinynn/shape.hpp ----

namespace tinynn::nn {

/// The type of a tensor flowing between layers: a dtype tag and a compile-time shape (no batch axis).
template <DTypeTag T, StaticShape S>
struct Spec {
  using dtype = T;
  using shape = S;
  using element = typename T::value_type;
  static constexpr std::size_t rank = S::rank;
  static constexpr std::size_t size = S::size;
  static constexpr std::size_t bytes = S::size * sizeof(element);
};

/// A layer's parameters when it has none.
struct NoParams {
  friend constexpr bool operator==(const NoParams&, const NoParams&) = default;
};

template <class P>
inline constexpr bool has_params_v = !std::is_empty_v<P>;

namespace detail {

template <class T>
struct is_spec : std::false_type {};
template <DTypeTag T, StaticShape S>
struct is_spec<Spec<T, S>> : std::true_type {};

template <class T, template <std::size_t...> class Tmpl>
struct is_instance_of_sizes : std::false_type {};
template <template <std::size_t...> class Tmpl, std::size_t... V>
struct is_instance_of_sizes<Tmpl<V...>, Tmpl> : std::true_type {};

/// Dimension I of S, or Fallback when S has no dimension I (keeps errors to the one static_assert).
template <class S, std::size_t I, std::size_t Fallback = 1>
inline constexpr std::size_t dim_or = [] {
  if constexpr (I < S::rank) {
    return S::dims[I];
  } else {
    return Fallback;
  }
}();

template <class S>
inline constexpr std::size_t last_dim = S::rank == 0 ? 1 : S::dims[S::rank == 0 ? 0 : S::rank - 1];

/// 1/sqrt(x) for constexpr BatchNorm folding (std::sqrt is not constexpr in C++20): Newton iterations.
constexpr float constexpr_rsqrt(float x) noexcept {
  if (!(x > 0.0f)) return 0.0f;
  double guess = 1.0;
  double v = static_cast<double>(x);
  // Scale into [0.25, 4) so that a fixed number of iterations converges.
  double scale = 1.0;
  while (v > 4.0) {
    v /= 4.0;
    scale /= 2.0;
  }
  while (v < 0.25) {
    v *= 4.0;
    scale *= 2.0;
  }
  for (int i = 0; i < 40; ++i) guess = guess * (1.5 - 0.5 * v * guess * guess);
  return static_cast<float>(guess * scale);
}

}  // namespace detail

template <class T>
concept TensorSpec = detail::is_spec<T>::value;

/// A layer's compile-time facts for an input shape (dtype f32 unless given):
///   nn::output_shape<nn::Conv2D<8, 3, 3, nn::Same>, Shape<28, 28, 1>>  is  Shape<28, 28, 8>
template <class Layer, StaticShape In, DTypeTag T = f32>
using output_shape = typename Layer::template bind<Spec<T, In>>::output::shape;
template <class Layer, StaticShape In, DTypeTag T = f32>
inline constexpr std::size_t param_count = Layer::template bind<Spec<T, In>>::param_count;
template <class Layer, StaticShape In, DTypeTag T = f32>
inline constexpr std::size_t mac_count = Layer::template bind<Spec<T, In>>::macs;
/// The arena a layer (or block) needs on its own for backend B: its output plus its steps' scratch,
/// planned like a network whose input lives outside the arena.
template <class Layer, StaticShape In, class Backend, DTypeTag T = f32>
inline constexpr std::size_t arena_need = [] {
  using bound = typename Layer::template bind<Spec<T, In>>;
  Graph<bound::step_count> graph{};
  graph.input_bytes = Spec<T, In>::bytes;
  graph.output_buffer = bound::template describe<Backend>(graph, 0);
  return plan_arena(graph).arena_bytes;
}();

/// A type that can be bound to input spec In.
template <class L, class In>
concept LayerFor = TensorSpec<In> && requires {
  typename L::template bind<In>::output;
  typename L::template bind<In>::Params;
};

// ---------------------------------------------------------------------------------------------
// Layer options: padding, stride, dilation, fused activation. Passed in any order after the
// layer's sizes: Conv2D<64, 10, 4, Same, ReLU, Stride<2, 2>>.

/// Pad so that output = ceil(input / stride) (TensorFlow/ONNX SAME_UPPER).
struct Same {};
/// No padding.
struct Valid {};
/// Explicit zero padding of the spatial dimensions.
template <std::size_t Top, std::size_t Left, std::size_t Bottom = Top, std::size_t Right = Left>
struct Padding {};
template <std::size_t H, std::size_t W = H>
struct Stride {};
template <std::size_t H, std::size_t W = H>
struct Dilation {};

/// Pooling option: output sizes round up (Caffe / PyTorch ceil_mode); the last window may hang over.
struct CeilMode {};

/// The fused-activation option "none" (the default). The standalone activations are in nn/layers.hpp.
struct NoActivation {
  static constexpr ops::ActivationParams params = ops::ActivationParams::none();
};

namespace detail {

template <class T>
    struct is_activation_tag : std::bool_constant < requires {
  { T::params } -> std::convertible_to<ops::ActivationParams>;
} > {};

template <class T>
struct is_padding : std::false_type {};
template <>
struct is_padding<Same> : std::true_type {};
template <>
struct is_padding<Valid> : std::true_type {};
template <std::size_t T, std::size_t L, std::size_t B, std::size_t R>
struct is_padding<Padding<T, L, B, R>> : std::true_type {};

template <class T>
struct is_ceil_mode : std::bool_constant<std::is_same_v<T, CeilMode>> {};
template <class T>
struct is_stride : std::false_type {};
template <std::size_t H, std::size_t W>
struct is_stride<Stride<H, W>> : std::true_type {};
template <class T>
struct is_dilation : std::false_type {};
template <std::size_t H, std::size_t W>
struct is_dilation<Dilation<H, W>> : std::true_type {};

template <template <class> class Pred, class Default, class... Options>
struct find_option {
  using type = Default;
};
template <template <class> class Pred, class Default, class First, class... Rest>
struct find_option<Pred, Default, First, Rest...> {
  using type = std::conditional_t<Pred<First>::value, First, typename find_option<Pred, Default, Rest...>::type>;
};

template <class T>
struct stride_values;
template <std::size_t H, std::size_t W>
struct stride_values<Stride<H, W>> {
  static constexpr std::size_t h = H, w = W;
};
template <std::size_t H, std::size_t W>
struct stride_values<Dilation<H, W>> {
  static constexpr std::size_t h = H, w = W;
};

/// Resolved padding of one spatial axis.
struct AxisPadding {
  std::size_t before = 0, after = 0;
};

template <class P>
struct padding_values;
template <>
struct padding_values<Valid> {
  static constexpr AxisPadding axis(std::size_t, std::size_t, std::size_t, std::size_t, bool) noexcept { return {}; }
};
template <>
struct padding_values<Same> {
  static constexpr AxisPadding axis(std::size_t input, std::size_t kernel, std::size_t stride, std::size_t dilation,
                                    bool) noexcept {
    const ops::SamePadding p =
        ops::same_padding(static_cast<std::int64_t>(input), static_cast<std::int64_t>(kernel),
                          static_cast<std::int64_t>(stride), static_cast<std::int64_t>(dilation));
    return {static_cast<std::size_t>(p.before), static_cast<std::size_t>(p.after)};
  }
};
template <std::size_t T, std::size_t L, std::size_t B, std::size_t R>
struct padding_values<Padding<T, L, B, R>> {
  static constexpr AxisPadding axis(std::size_t, std::size_t, std::size_t, std::size_t, bool height) noexcept {
    return height ? AxisPadding{T, B} : AxisPadding{L, R};
  }
};

/// The options of a windowed layer (conv, depthwise, pooling), resolved with defaults.
template <class DefaultPadding, class DefaultStride, class... Options>
struct WindowOptions {
  static constexpr bool all_known =
      ((is_padding<Options>::value || is_stride<Options>::value || is_dilation<Options>::value ||
        is_activation_tag<Options>::value || is_ceil_mode<Options>::value) &&
       ...);
  static constexpr bool ceil_mode = (is_ceil_mode<Options>::value || ...);
  using padding = typename find_option<is_padding, DefaultPadding, Options...>::type;
  using stride = typename find_option<is_stride, DefaultStride, Options...>::type;
  using dilation = typename find_option<is_dilation, Dilation<1, 1>, Options...>::type;
  using activation = typename find_option<is_activation_tag, NoActivation, Options...>::type;
  static constexpr std::size_t stride_h = stride_values<stride>::h, stride_w = stride_values<stride>::w;
  static constexpr std::size_t dilation_h = stride_values<dilation>::h, dilation_w = stride_values<dilation>::w;
};

/// Output size of a window along one axis; 0 when the window does not fit.
constexpr std::size_t window_out(std::size_t input, std::size_t kernel, std::size_t stride, std::size_t dilation,
                                 AxisPadding pad, bool ceil_mode = false) noexcept {
  return static_cast<std::size_t>(
      ops::window_output_size(static_cast<std::int64_t>(input), static_cast<std::int64_t>(kernel),
                              static_cast<std::int64_t>(stride), static_cast<std::int64_t>(dilation),
                              static_cast<std::int64_t>(pad.before), static_cast<std::int64_t>(pad.after), ceil_mode));
}

/// The geometry of a 2-D window over an [H, W, C] input.
template <class Opts, std::size_t KH, std::size_t KW, std::size_t H, std::size_t W>
struct Window {
  static constexpr AxisPadding pad_h =
      padding_values<typename Opts::padding>::axis(H, KH, Opts::stride_h, Opts::dilation_h, true);
  static constexpr AxisPadding pad_w =
      padding_values<typename Opts::padding>::axis(W, KW, Opts::stride_w, Opts::dilation_w, false);
  static constexpr std::size_t out_h = window_out(H, KH, Opts::stride_h, Opts::dilation_h, pad_h, Opts::ceil_mode);
  static constexpr std::size_t out_w = window_out(W, KW, Opts::stride_w, Opts::dilation_w, pad_w, Opts::ceil_mode);
  using padded = Shape<H + pad_h.before + pad_h.after, W + pad_w.before + pad_w.after>;
  using dilated_kernel = Shape<(KH - 1) * Opts::dilation_h + 1, (KW - 1) * Opts::dilation_w + 1>;
  static constexpr ops::Padding2D padding = {
      static_cast<std::int32_t>(pad_h.before), static_cast<std::int32_t>(pad_w.before),
      static_cast<std::int32_t>(pad_h.after), static_cast<std::int32_t>(pad_w.after)};
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Parameter packs: the Params/Trained aggregate of a combinator holds one slot per child that has
// parameters, addressed by the child's index: params.get<2>(). The slots are bases, so the pack is
// an aggregate and can be constexpr: Net::Params p{conv1, conv2, dense}.

template <std::size_t I, class P>
struct Slot {
  P value;
};

template <class... Slots>
struct ParamPack : Slots... {
 private:
  template <std::size_t I, class P>
  static constexpr const P& pick(const Slot<I, P>& slot) noexcept {
    return slot.value;
  }
  template <std::size_t I, class P>
  static constexpr P& pick(Slot<I, P>& slot) noexcept {
    return slot.value;
  }
  template <std::size_t I, class P>
  static std::true_type probe(const Slot<I, P>*);
  template <std::size_t I>
  static std::false_type probe(const void*);

 public:
  /// Whether child I has a slot (it has parameters).
  template <std::size_t I>
  static constexpr bool has = decltype(probe<I>(static_cast<const ParamPack*>(nullptr)))::value;

  /// The parameters of child I (a compile error if child I has none).
  template <std::size_t I>
  constexpr const auto& get() const noexcept {
    static_assert(has<I>,
                  "tinynn::nn: this layer has no parameter slot (layers without weights, and a BatchNorm folded "
                  "into the layer before it, have none)");
    if constexpr (has<I>) {
      return pick<I>(*this);
    } else {
      return *this;
    }
  }
  template <std::size_t I>
  constexpr auto& get() noexcept {
    static_assert(has<I>,
                  "tinynn::nn: this layer has no parameter slot (layers without weights, and a BatchNorm folded "
                  "into the layer before it, have none)");
    if constexpr (has<I>) {
      return pick<I>(*this);
    } else {
      return *this;
    }
  }
};

namespace detail {

template <class... Packs>
struct concat_packs {
  using type = ParamPack<>;
};
template <class... A>
struct concat_packs<ParamPack<A...>> {
  using type = ParamPack<A...>;
};
template <class... A, class... B, class... Rest>
struct concat_packs<ParamPack<A...>, ParamPack<B...>, Rest...> {
  using type = typename concat_packs<ParamPack<A..., B...>, Rest...>::type;
};

/// ParamPack of Slot<I, Ps[I]> for every I where Keep[I] and Ps[I] is not empty; NoParams if none is.
template <class Types, class Keep, class Indices = std::make_index_sequence<std::tuple_size_v<Types>>>
struct make_pack;
template <class... Ps, bool... Keep, std::size_t... I>
struct make_pack<std::tuple<Ps...>, std::integer_sequence<bool, Keep...>, std::index_sequence<I...>> {
  using pack =
      typename concat_packs<std::conditional_t<Keep && has_params_v<Ps>, ParamPack<Slot<I, Ps>>, ParamPack<>>...>::type;
  using type = std::conditional_t<std::is_same_v<pack, ParamPack<>>, NoParams, pack>;
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// SingleStep: describe()/run() of a layer that is one kernel call. The derived bound layer provides
//   template <class Backend> static constexpr std::size_t scratch_bytes;  static constexpr bool in_place;
//   template <class Backend> static void compute(const Params&, const in_element*, out_element*,
//                                                std::byte* scratch, ops::ActivationParams, Backend);
// and has `input`, `output`, `Params`, `activation` (the fused activation; None if none).

template <class Derived>
struct SingleStep {
  static constexpr std::size_t step_count = 1;

  template <class Backend, std::size_t N>
  static constexpr std::size_t describe(Graph<N>& graph, std::size_t input_buffer) {
    StepInfo step{};
    step.inputs[0] = input_buffer;
    step.input_count = 1;
    step.output_bytes = Derived::output::bytes;
    step.scratch_bytes = Derived::template scratch_bytes<Backend>;
    step.in_place = Derived::in_place;
    return graph.add(step);
  }

  template <class Top, std::size_t Step, class Backend, class P, class Element>
  static auto* run(const P& params, std::byte* arena, const Element* in) {
    constexpr auto& plan = Top::template plan<Backend>;
    auto* out = reinterpret_cast<typename Derived::output::element*>(arena + plan.offset[Step + 1]);
    std::byte* scratch = nullptr;
    if constexpr (Derived::template scratch_bytes < Backend >> 0) scratch = arena + plan.scratch_offset[Step];
    Derived::compute(params, in, out, scratch, Derived::activation::params, Backend{});
    return out;
  }
};

/// A layer that only renames its input (Flatten, Reshape, Identity, Input): no step, no memory.
template <class Derived>
struct AliasStep {
  static constexpr std::size_t step_count = 0;
  static constexpr std::size_t macs = 0;
  static constexpr std::size_t param_count = 0;
  using Params = NoParams;
  using Trained = NoParams;
  static constexpr void fold_into(const Trained&, Params&) noexcept {}

  template <class Backend, std::size_t N>
  static constexpr std::size_t describe(Graph<N>&, std::size_t input_buffer) {
    return input_buffer;
  }
  template <class Top, std::size_t Step, class Backend, class Element>
  static auto* run(const Params&, std::byte*, const Element* in) {
    // The output names the same storage; constness is restored by the caller's view.
    return const_cast<typename Derived::output::element*>(in);
  }
};

/// Identity layer (a Residual's default shortcut).
struct Identity {
  template <class In>
  struct bind : AliasStep<bind<In>> {
    using input = In;
    using output = In;
  };
};

}  // namespace tinynn::nn

// ---- end tinynn/nn/layer.hpp ----
// ---- begin tinynn/nn/layers.hpp ----
// tinynn — static-network layers (float32). Each is a type; bind<Spec<f32, Shape<...>>> gives its
// output shape, Params (what run() reads: weights pre-packed for ops/, constexpr-able), Trained (what
// a trainer exports: plain OHWI / [out][in] weights and bias, BatchNorm statistics), fold() from one
// to the other (constexpr: packing and BatchNorm folding happen at compile time), parameter and MAC
// counts, and a run() that calls ops/. Activations are NHWC; shapes carry no batch axis.

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

// ---- begin tinynn/ops/activation.hpp ----
// tinynn — unary elementwise activations and math functions.
//   y[i] = f(x[i]),  f one of UnaryOp (relu, clip, sigmoid, tanh, gelu, exp, log, ...; see
//   ops/detail/elementwise_kinds.hpp); PRelu (slope broadcast over x) is BinaryOp::prelu in eltwise.hpp.

#include <cmath>
#include <cstddef>

// ---- begin tinynn/backends/avx2/activation.hpp ----
// tinynn — AVX2+FMA unary elementwise kernel (same text as the other fixed-width backends).

// ---- begin tinynn/backends/avx2/math.hpp ----
// tinynn — AVX2+FMA vector math. Every function carries TINYNN_TARGET_AVX2 (config.hpp), so this
// header compiles into any x86 translation unit; only CPUs with AVX2 and FMA may run it.

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <limits>

// ---- begin tinynn/ops/detail/elementwise_kinds.hpp ----
// tinynn — the kinds of elementwise operation (shared by ops/ and the backend kernels that
// implement them), with the parameters a kind reads.

#include <cstdint>

namespace tinynn::ops {

/// Unary elementwise functions. Parameters (UnaryParams::alpha / beta) where a kind has them:
///   clip: [alpha, beta]; leaky_relu, elu: alpha; selu: alpha, beta = gamma;
///   hard_sigmoid: max(0, min(1, alpha*x + beta)).
enum class UnaryOp : std::uint8_t {
  identity,
  relu,
  relu6,
  clip,
  leaky_relu,
  elu,
  selu,
  sigmoid,
  tanh,
  hard_sigmoid,
  hard_swish,
  silu,
  gelu_erf,
  gelu_tanh,
  erf,
  exp,
  log,
  sqrt,
  abs,
  neg,
  reciprocal,
  softplus,
};

/// Binary elementwise functions with NumPy broadcasting; prelu is x < 0 ? slope*x : x with
/// a = x, b = slope. min/max propagate NaN (as numpy.minimum/maximum).
/// A unary function with its parameters (the params struct of ops/activation.hpp).
struct UnaryParams {
  UnaryOp kind = UnaryOp::identity;
  float alpha = 0.0f;
  float beta = 0.0f;

  friend constexpr bool operator==(const UnaryParams&, const UnaryParams&) = default;

  static constexpr UnaryParams of(UnaryOp kind) noexcept { return {kind, 0.0f, 0.0f}; }
  static constexpr UnaryParams clip(float lo, float hi) noexcept { return {UnaryOp::clip, lo, hi}; }
  static constexpr UnaryParams leaky_relu(float slope = 0.01f) noexcept { return {UnaryOp::leaky_relu, slope, 0.0f}; }
  static constexpr UnaryParams elu(float alpha = 1.0f) noexcept { return {UnaryOp::elu, alpha, 0.0f}; }
  /// ONNX defaults: alpha = 1.67326319217681884765625, gamma = 1.05070102214813232421875.
  static constexpr UnaryParams selu(float alpha = 1.67326319217681884765625f,
                                    float gamma = 1.05070102214813232421875f) noexcept {
    return {UnaryOp::selu, alpha, gamma};
  }
  /// ONNX defaults alpha = 0.2, beta = 0.5.
  static constexpr UnaryParams hard_sigmoid(float alpha = 0.2f, float beta = 0.5f) noexcept {
    return {UnaryOp::hard_sigmoid, alpha, beta};
  }
};

enum class BinaryOp : std::uint8_t { add, sub, mul, div, min, max, pow, prelu };

}  // namespace tinynn::ops

// ---- end tinynn/ops/detail/elementwise_kinds.hpp ----

namespace tinynn::backend::avx2_impl {

using V = __m256;
using I = __m256i;
using M = __m256;  // lane mask: all ones / all zeros
inline constexpr std::size_t lanes = 8;

TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V load(const float* p) noexcept { return _mm256_loadu_ps(p); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE void store(float* p, V v) noexcept { _mm256_storeu_ps(p, v); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V splat(float v) noexcept { return _mm256_set1_ps(v); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V zero() noexcept { return _mm256_setzero_ps(); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V add(V a, V b) noexcept { return _mm256_add_ps(a, b); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V sub(V a, V b) noexcept { return _mm256_sub_ps(a, b); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V mul(V a, V b) noexcept { return _mm256_mul_ps(a, b); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V div(V a, V b) noexcept { return _mm256_div_ps(a, b); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V vsqrt(V a) noexcept { return _mm256_sqrt_ps(a); }
/// a*b + c, c - a*b, a*b - c (fused)
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V fmadd(V a, V b, V c) noexcept { return _mm256_fmadd_ps(a, b, c); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V fnmadd(V a, V b, V c) noexcept { return _mm256_fnmadd_ps(a, b, c); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V fmsub(V a, V b, V c) noexcept { return _mm256_fmsub_ps(a, b, c); }
/// a < b ? a : b and a > b ? a : b (b when either is NaN), as minps/maxps.
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V vmin(V a, V b) noexcept { return _mm256_min_ps(a, b); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V vmax(V a, V b) noexcept { return _mm256_max_ps(a, b); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V vabs(V a) noexcept {
  return _mm256_and_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
}
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V neg(V a) noexcept {
  return _mm256_xor_ps(a, _mm256_castsi256_ps(_mm256_set1_epi32(INT32_MIN)));
}
/// |magnitude| with the sign of `sign`.
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V copysign(V magnitude, V sign) noexcept {
  const V sign_bit = _mm256_castsi256_ps(_mm256_set1_epi32(INT32_MIN));
  return _mm256_or_ps(_mm256_andnot_ps(sign_bit, magnitude), _mm256_and_ps(sign_bit, sign));
}
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V round_even(V a) noexcept {
  return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE I to_int(V a) noexcept { return _mm256_cvtps_epi32(a); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V to_float(I a) noexcept { return _mm256_cvtepi32_ps(a); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE I isplat(std::int32_t v) noexcept { return _mm256_set1_epi32(v); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE I iadd(I a, I b) noexcept { return _mm256_add_epi32(a, b); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE I isub(I a, I b) noexcept { return _mm256_sub_epi32(a, b); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE I iand(I a, I b) noexcept { return _mm256_and_si256(a, b); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE I ior(I a, I b) noexcept { return _mm256_or_si256(a, b); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE I shift_left_23(I a) noexcept { return _mm256_slli_epi32(a, 23); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE I shift_right_arithmetic_1(I a) noexcept { return _mm256_srai_epi32(a, 1); }
/// The biased exponent field (bits 23..30) of float bit patterns.
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE I exponent_field(I bits) noexcept {
  return _mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xff));
}
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V as_float(I a) noexcept { return _mm256_castsi256_ps(a); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE I as_int(V a) noexcept { return _mm256_castps_si256(a); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE M lt(V a, V b) noexcept { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE M gt(V a, V b) noexcept { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE M ge(V a, V b) noexcept { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE M eq(V a, V b) noexcept { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE M isnan(V a) noexcept { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE M mor(M a, M b) noexcept { return _mm256_or_ps(a, b); }
/// mask ? a : b, lane by lane.
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V select(M mask, V a, V b) noexcept { return _mm256_blendv_ps(b, a, mask); }
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE float horizontal_sum(V a) noexcept {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE float horizontal_max(V a) noexcept {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// ---- vector math: the same text in every backend's math.hpp (only the wrappers above differ) ----
// Accuracy against the exact function, measured on dense sweeps over [-30, 30] and up to 3e38 and
// asserted by tests/ops/activation_test.cpp ("stated accuracy"): exp <= 1 ulp (0.86 measured),
// log <= 2 (1.6), sigmoid, tanh, erf, silu <= 3 (2.6, 2.5, 2.2, 2.8), elu <= 2, softplus <= 4
// (3.4), GELU <= 16 ulp (11.8) for x >= -3 (its negative tail is ill-conditioned in float: libm-based
// scalar code is no better). NaN in, NaN out; +-inf, denormal inputs and underflowing results are
// handled.

/// e^x: x = n ln2 + r (Cody-Waite, |r| <= ln2/2), e^r by its Taylor series to r^7 (truncation
/// < 2e-9), 2^n applied in two halves so that denormal results and x up to 89 stay exact.
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V exp(V x) noexcept {
  const V clamped = vmin(vmax(x, splat(-104.0f)), splat(89.0f));
  const V n = round_even(mul(clamped, splat(1.44269504088896341f)));
  V r = fnmadd(n, splat(0.693359375f), clamped);
  r = fnmadd(n, splat(-2.12194440e-4f), r);
  V p = splat(1.0f / 5040.0f);
  p = fmadd(p, r, splat(1.0f / 720.0f));
  p = fmadd(p, r, splat(1.0f / 120.0f));
  p = fmadd(p, r, splat(1.0f / 24.0f));
  p = fmadd(p, r, splat(1.0f / 6.0f));
  p = fmadd(p, r, splat(0.5f));
  p = fmadd(p, r, splat(1.0f));
  p = fmadd(p, r, splat(1.0f));
  const I k = to_int(n);
  const I k1 = shift_right_arithmetic_1(k);
  const I k2 = isub(k, k1);
  const V s1 = as_float(shift_left_23(iadd(k1, isplat(127))));
  const V s2 = as_float(shift_left_23(iadd(k2, isplat(127))));
  return select(isnan(x), x, mul(mul(p, s1), s2));
}

/// e^x - 1: Taylor series to x^11 for |x| < ln2 (truncation < 3e-11), else exp(x) - 1, where
/// the subtraction no longer cancels.
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V expm1(V x) noexcept {
  V p = splat(1.0f / 39916800.0f);
  p = fmadd(p, x, splat(1.0f / 3628800.0f));
  p = fmadd(p, x, splat(1.0f / 362880.0f));
  p = fmadd(p, x, splat(1.0f / 40320.0f));
  p = fmadd(p, x, splat(1.0f / 5040.0f));
  p = fmadd(p, x, splat(1.0f / 720.0f));
  p = fmadd(p, x, splat(1.0f / 120.0f));
  p = fmadd(p, x, splat(1.0f / 24.0f));
  p = fmadd(p, x, splat(1.0f / 6.0f));
  p = fmadd(p, x, splat(0.5f));
  p = fmadd(p, x, splat(1.0f));
  const V small = mul(p, x);
  const V large = sub(exp(x), splat(1.0f));
  return select(lt(vabs(x), splat(0.693f)), small, large);
}

/// log x: x = 2^e m with m in [sqrt(1/2), sqrt 2), log m = 2 atanh(s), s = (m-1)/(m+1), by its
/// series to s^11 (|s| < 0.172: truncation < 1e-10); denormal inputs are scaled by 2^23 first.
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V log(V x) noexcept {
  const M tiny = lt(x, splat(1.17549435e-38f));
  const V xs = select(tiny, mul(x, splat(8388608.0f)), x);
  const I bits = as_int(xs);
  V m = as_float(ior(iand(bits, isplat(0x007fffff)), isplat(0x3f800000)));
  const M above = gt(m, splat(1.41421356f));
  m = select(above, mul(m, splat(0.5f)), m);
  V e = to_float(isub(exponent_field(bits), isplat(127)));
  e = add(e, select(above, splat(1.0f), zero()));
  e = sub(e, select(tiny, splat(23.0f), zero()));
  const V f = sub(m, splat(1.0f));
  const V s = div(f, add(splat(2.0f), f));
  const V s2 = mul(s, s);
  V q = splat(2.0f / 11.0f);
  q = fmadd(q, s2, splat(2.0f / 9.0f));
  q = fmadd(q, s2, splat(2.0f / 7.0f));
  q = fmadd(q, s2, splat(2.0f / 5.0f));
  q = fmadd(q, s2, splat(2.0f / 3.0f));
  q = mul(q, s2);
  const V log_m = fmadd(s, q, add(s, s));
  V result = fmadd(e, splat(0.693359375f), fmadd(e, splat(-2.12194440e-4f), log_m));
  const float inf = std::numeric_limits<float>::infinity();
  result = select(eq(x, splat(inf)), x, result);
  result = select(mor(lt(x, zero()), isnan(x)), splat(std::numeric_limits<float>::quiet_NaN()), result);
  return select(eq(x, zero()), splat(-inf), result);
}

/// 1 / (1 + e^-x), from e = e^-|x| so that neither tail loses precision.
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V sigmoid(V x) noexcept {
  const V e = exp(neg(vabs(x)));
  const V s = div(splat(1.0f), add(splat(1.0f), e));
  return select(ge(x, zero()), s, mul(e, s));
}

/// tanh x = -expm1(-2|x|) / (2 + expm1(-2|x|)) with the sign of x: accurate near 0 and saturating.
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V tanh(V x) noexcept {
  const V e = expm1(mul(splat(-2.0f), vabs(x)));
  return copysign(div(neg(e), add(splat(2.0f), e)), x);
}

/// erfc a for a >= 0.5: e^(-a^2) Q(t), t = 2/(2+a), Q a degree-9 least-squares fit (relative
/// error 2e-9 in double); a^2 is split exactly (FMA) so that e^(-a^2) keeps its accuracy.
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V erfc_tail(V a) noexcept {
  a = vmin(a, splat(10.5f));  // erfc(10.5) underflows to 0
  const V t = div(splat(2.0f), add(splat(2.0f), a));
  V q = splat(-0.07533027976751328f);
  q = fmadd(q, t, splat(0.3549739718437195f));
  q = fmadd(q, t, splat(-0.6175296306610107f));
  q = fmadd(q, t, splat(0.41293084621429443f));
  q = fmadd(q, t, splat(-0.11221877485513687f));
  q = fmadd(q, t, splat(0.2370879203081131f));
  q = fmadd(q, t, splat(0.23438429832458496f));
  q = fmadd(q, t, splat(0.2837144434452057f));
  q = fmadd(q, t, splat(0.281973659992218f));
  q = fmadd(q, t, splat(3.9595033740624785e-06f));
  const V a2 = mul(a, a);
  const V a2_low = fmsub(a, a, a2);  // a*a - a2, exactly
  return mul(mul(exp(neg(a2)), sub(splat(1.0f), a2_low)), q);
}

/// erf x / x for |x| < 0.5 as a polynomial in x^2 (least-squares fit, relative error 1.4e-9).
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V erf_small_over_x(V x2) noexcept {
  V p = splat(0.004717567469924688f);
  p = fmadd(p, x2, splat(-0.026756972074508667f));
  p = fmadd(p, x2, splat(0.11282819509506226f));
  p = fmadd(p, x2, splat(-0.37612608075141907f));
  return fmadd(p, x2, splat(1.1283791065216064f));
}

TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V erf(V x) noexcept {
  const V a = vabs(x);
  const V small = mul(x, erf_small_over_x(mul(x, x)));
  const V large = copysign(sub(splat(1.0f), erfc_tail(a)), x);
  return select(isnan(x), x, select(lt(a, splat(0.5f)), small, large));
}

TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V erfc(V x) noexcept {
  const V a = vabs(x);
  const V small = sub(splat(1.0f), mul(x, erf_small_over_x(mul(x, x))));
  const V tail = erfc_tail(a);
  const V large = select(lt(x, zero()), sub(splat(2.0f), tail), tail);
  return select(isnan(x), x, select(lt(a, splat(0.5f)), small, large));
}

/// log(1 + e^x) = max(x, 0) + log1p(e^-|x|), log1p(u) = log(w) u / (w - 1) with w = 1 + u.
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V softplus(V x) noexcept {
  const V u = exp(neg(vabs(x)));
  const V w = add(splat(1.0f), u);
  const V log1p_u = select(eq(w, splat(1.0f)), u, mul(log(w), div(u, sub(w, splat(1.0f)))));
  return add(vmax(zero(), x), log1p_u);
}

/// The UnaryOp K of backends/scalar/activation.hpp on a vector.
template <ops::UnaryOp K>
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V unary_value(const ops::UnaryParams& p, V x) noexcept {
  using ops::UnaryOp;
  if constexpr (K == UnaryOp::identity) return x;
  if constexpr (K == UnaryOp::relu) return vmax(zero(), x);  // NaN stays NaN
  if constexpr (K == UnaryOp::relu6) return vmin(splat(6.0f), vmax(zero(), x));
  if constexpr (K == UnaryOp::clip) return vmin(splat(p.beta), vmax(splat(p.alpha), x));
  if constexpr (K == UnaryOp::leaky_relu) return select(ge(x, zero()), x, mul(splat(p.alpha), x));
  if constexpr (K == UnaryOp::elu) return select(gt(x, zero()), x, mul(splat(p.alpha), expm1(x)));
  if constexpr (K == UnaryOp::selu) {
    return mul(splat(p.beta), select(gt(x, zero()), x, mul(splat(p.alpha), expm1(x))));
  }
  if constexpr (K == UnaryOp::sigmoid) return sigmoid(x);
  if constexpr (K == UnaryOp::tanh) return tanh(x);
  if constexpr (K == UnaryOp::hard_sigmoid) {
    return vmin(splat(1.0f), vmax(zero(), fmadd(splat(p.alpha), x, splat(p.beta))));
  }
  if constexpr (K == UnaryOp::hard_swish) {
    const V c = vmin(splat(6.0f), vmax(zero(), add(x, splat(3.0f))));
    return mul(x, mul(c, splat(1.0f / 6.0f)));
  }
  if constexpr (K == UnaryOp::silu) return mul(x, sigmoid(x));
  if constexpr (K == UnaryOp::gelu_erf) return mul(mul(splat(0.5f), x), erfc(mul(x, splat(-0.70710678118654752440f))));
  if constexpr (K == UnaryOp::gelu_tanh) {
    const V inner = fmadd(mul(splat(0.044715f), mul(x, x)), x, x);
    return mul(x, sigmoid(mul(splat(2.0f * 0.79788456080286535588f), inner)));
  }
  if constexpr (K == UnaryOp::erf) return erf(x);
  if constexpr (K == UnaryOp::exp) return exp(x);
  if constexpr (K == UnaryOp::log) return log(x);
  if constexpr (K == UnaryOp::sqrt) return vsqrt(x);
  if constexpr (K == UnaryOp::abs) return vabs(x);
  if constexpr (K == UnaryOp::neg) return neg(x);
  if constexpr (K == UnaryOp::reciprocal) return div(splat(1.0f), x);
  if constexpr (K == UnaryOp::softplus) return softplus(x);
}

/// The fused activation of ops/common.hpp (apply_activation) on a vector.
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V activation_value(const ops::ActivationParams& p, V x) noexcept {
  switch (p.kind) {
    case ops::Activation::none: return x;
    case ops::Activation::relu: return vmax(zero(), x);
    case ops::Activation::relu6: return vmin(splat(6.0f), vmax(zero(), x));
    case ops::Activation::clip: return vmin(splat(p.max), vmax(splat(p.min), x));
    case ops::Activation::leaky_relu: return select(ge(x, zero()), x, mul(splat(p.alpha), x));
    case ops::Activation::sigmoid: return sigmoid(x);
    case ops::Activation::tanh: return tanh(x);
    case ops::Activation::hard_swish: {
      const V c = vmin(splat(6.0f), vmax(zero(), add(x, splat(3.0f))));
      return mul(x, mul(c, splat(1.0f / 6.0f)));
    }
  }
  return x;
}

/// The BinaryOp K of backends/scalar/eltwise.hpp on vectors (pow is not vectorised: callers
/// send it to the scalar kernel).
template <ops::BinaryOp K>
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE V binary_value(V a, V b) noexcept {
  using ops::BinaryOp;
  if constexpr (K == BinaryOp::add) return add(a, b);
  if constexpr (K == BinaryOp::sub) return sub(a, b);
  if constexpr (K == BinaryOp::mul) return mul(a, b);
  if constexpr (K == BinaryOp::div) return div(a, b);
  if constexpr (K == BinaryOp::min) return select(isnan(a), a, vmin(a, b));  // NaN in either wins
  if constexpr (K == BinaryOp::max) return select(isnan(a), a, vmax(a, b));
  if constexpr (K == BinaryOp::prelu) return select(lt(a, zero()), mul(a, b), a);
  if constexpr (K == BinaryOp::pow) return a;  // unreachable: pow runs on the scalar kernel
}

/// y[i] = act(y[i]): the fused-activation epilogue.
TINYNN_TARGET_AVX2 inline void activation_loop(const ops::ActivationParams& p, float* y, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) store(y + i, activation_value(p, load(y + i)));
  if (i < n) {
    float buffer[lanes] = {};
    for (std::size_t j = 0; i + j < n; ++j) buffer[j] = y[i + j];
    store(buffer, activation_value(p, load(buffer)));
    for (std::size_t j = 0; i + j < n; ++j) y[i + j] = buffer[j];
  }
}

}  // namespace tinynn::backend::avx2_impl

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx2/math.hpp ----
// ---- begin tinynn/backends/scalar/activation.hpp ----
// tinynn — scalar unary elementwise kernel; unary_value() is the definition of every UnaryOp that
// the SIMD backends must agree with (within the tolerance stated in their math.hpp).

#include <cmath>
#include <cstddef>
#include <type_traits>

// ---- begin tinynn/backends/scalar/math.hpp ----
// tinynn — scalar transcendentals: the definitions every vectorised backend is measured against.
// They are the C library's float functions (correctly rounded or within 1-2 ulp on glibc/newlib),
// with the numerically stable forms of sigmoid and softplus.

#include <cmath>

namespace tinynn::backend::math {

[[nodiscard]] inline float sigmoid(float x) noexcept {
  if (x >= 0.0f) return 1.0f / (1.0f + std::exp(-x));
  const float e = std::exp(x);
  return e / (1.0f + e);
}

[[nodiscard]] inline float softplus(float x) noexcept {
  return x > 0.0f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

/// 0.5 x (1 + erf(x / sqrt 2)) = 0.5 x erfc(-x / sqrt 2): erfc keeps the negative tail accurate.
[[nodiscard]] inline float gelu_erf(float x) noexcept { return 0.5f * x * std::erfc(x * -0.70710678118654752440f); }

/// 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): no cancellation for x < 0.
[[nodiscard]] inline float gelu_tanh(float x) noexcept {
  constexpr float sqrt_2_over_pi = 0.79788456080286535588f;
  return x * sigmoid(2.0f * sqrt_2_over_pi * (x + 0.044715f * x * x * x));
}

}  // namespace tinynn::backend::math

// ---- end tinynn/backends/scalar/math.hpp ----

namespace tinynn::backend {

/// f(x) for a kind known at compile time (so that loops over it have no switch inside).
template <ops::UnaryOp K>
[[nodiscard]] inline float unary_value_of(const ops::UnaryParams& p, float x) noexcept {
  using ops::UnaryOp;
  if constexpr (K == UnaryOp::identity) return x;
  if constexpr (K == UnaryOp::relu) return x > 0.0f ? x : (x == x ? 0.0f : x);  // NaN stays NaN
  if constexpr (K == UnaryOp::relu6) return x > 6.0f ? 6.0f : (x > 0.0f ? x : (x == x ? 0.0f : x));
  if constexpr (K == UnaryOp::clip) return x < p.alpha ? p.alpha : (x > p.beta ? p.beta : x);
  if constexpr (K == UnaryOp::leaky_relu) return x >= 0.0f ? x : p.alpha * x;
  if constexpr (K == UnaryOp::elu) return x > 0.0f ? x : p.alpha * std::expm1(x);
  if constexpr (K == UnaryOp::selu) return p.beta * (x > 0.0f ? x : p.alpha * std::expm1(x));
  if constexpr (K == UnaryOp::sigmoid) return math::sigmoid(x);
  if constexpr (K == UnaryOp::tanh) return std::tanh(x);
  if constexpr (K == UnaryOp::hard_sigmoid) {
    const float v = p.alpha * x + p.beta;
    return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
  }
  if constexpr (K == UnaryOp::hard_swish) {
    const float r = x + 3.0f;
    return x * ((r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r)) * (1.0f / 6.0f));  // no overflow at FLT_MAX
  }
  if constexpr (K == UnaryOp::silu) return x * math::sigmoid(x);
  if constexpr (K == UnaryOp::gelu_erf) return math::gelu_erf(x);
  if constexpr (K == UnaryOp::gelu_tanh) return math::gelu_tanh(x);
  if constexpr (K == UnaryOp::erf) return std::erf(x);
  if constexpr (K == UnaryOp::exp) return std::exp(x);
  if constexpr (K == UnaryOp::log) return std::log(x);
  if constexpr (K == UnaryOp::sqrt) return std::sqrt(x);
  if constexpr (K == UnaryOp::abs) return std::fabs(x);
  if constexpr (K == UnaryOp::neg) return -x;
  if constexpr (K == UnaryOp::reciprocal) return 1.0f / x;
  if constexpr (K == UnaryOp::softplus) return math::softplus(x);
}

/// Calls f(std::integral_constant<UnaryOp, kind>{}): one switch, outside any loop.
template <class F>
inline void with_unary_kind(ops::UnaryOp kind, F&& f) {
  using ops::UnaryOp;
  using std::integral_constant;
  switch (kind) {
    case UnaryOp::identity: f(integral_constant<UnaryOp, UnaryOp::identity>{}); return;
    case UnaryOp::relu: f(integral_constant<UnaryOp, UnaryOp::relu>{}); return;
    case UnaryOp::relu6: f(integral_constant<UnaryOp, UnaryOp::relu6>{}); return;
    case UnaryOp::clip: f(integral_constant<UnaryOp, UnaryOp::clip>{}); return;
    case UnaryOp::leaky_relu: f(integral_constant<UnaryOp, UnaryOp::leaky_relu>{}); return;
    case UnaryOp::elu: f(integral_constant<UnaryOp, UnaryOp::elu>{}); return;
    case UnaryOp::selu: f(integral_constant<UnaryOp, UnaryOp::selu>{}); return;
    case UnaryOp::sigmoid: f(integral_constant<UnaryOp, UnaryOp::sigmoid>{}); return;
    case UnaryOp::tanh: f(integral_constant<UnaryOp, UnaryOp::tanh>{}); return;
    case UnaryOp::hard_sigmoid: f(integral_constant<UnaryOp, UnaryOp::hard_sigmoid>{}); return;
    case UnaryOp::hard_swish: f(integral_constant<UnaryOp, UnaryOp::hard_swish>{}); return;
    case UnaryOp::silu: f(integral_constant<UnaryOp, UnaryOp::silu>{}); return;
    case UnaryOp::gelu_erf: f(integral_constant<UnaryOp, UnaryOp::gelu_erf>{}); return;
    case UnaryOp::gelu_tanh: f(integral_constant<UnaryOp, UnaryOp::gelu_tanh>{}); return;
    case UnaryOp::erf: f(integral_constant<UnaryOp, UnaryOp::erf>{}); return;
    case UnaryOp::exp: f(integral_constant<UnaryOp, UnaryOp::exp>{}); return;
    case UnaryOp::log: f(integral_constant<UnaryOp, UnaryOp::log>{}); return;
    case UnaryOp::sqrt: f(integral_constant<UnaryOp, UnaryOp::sqrt>{}); return;
    case UnaryOp::abs: f(integral_constant<UnaryOp, UnaryOp::abs>{}); return;
    case UnaryOp::neg: f(integral_constant<UnaryOp, UnaryOp::neg>{}); return;
    case UnaryOp::reciprocal: f(integral_constant<UnaryOp, UnaryOp::reciprocal>{}); return;
    case UnaryOp::softplus: f(integral_constant<UnaryOp, UnaryOp::softplus>{}); return;
  }
}

/// The scalar definition of `p` at x.
[[nodiscard]] inline float unary_value(const ops::UnaryParams& p, float x) noexcept {
  float y = x;
  with_unary_kind(p.kind, [&](auto kind) { y = unary_value_of<decltype(kind)::value>(p, x); });
  return y;
}

/// y[i] = f(x[i]) for i < n; x == y (in place) is allowed.
inline void unary(scalar, const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  with_unary_kind(p.kind, [&](auto kind) {
    for (std::size_t i = 0; i < n; ++i) y[i] = unary_value_of<decltype(kind)::value>(p, x[i]);
  });
}

}  // namespace tinynn::backend

// ---- end tinynn/backends/scalar/activation.hpp ----

#if TINYNN_HAS_X86_KERNELS

namespace tinynn::backend::avx2_impl {

template <ops::UnaryOp K>
TINYNN_TARGET_AVX2 inline void unary_loop(const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) store(y + i, unary_value<K>(p, load(x + i)));
  if (i < n) {
    float buffer[lanes] = {};
    for (std::size_t j = 0; i + j < n; ++j) buffer[j] = x[i + j];
    store(buffer, unary_value<K>(p, load(buffer)));
    for (std::size_t j = 0; i + j < n; ++j) y[i + j] = buffer[j];
  }
}

}  // namespace tinynn::backend::avx2_impl

namespace tinynn::backend {

inline void unary(avx2, const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  with_unary_kind(p.kind, [&](auto kind) { avx2_impl::unary_loop<decltype(kind)::value>(p, x, y, n); });
}

}  // namespace tinynn::backend

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx2/activation.hpp ----
// ---- begin tinynn/backends/avx512/activation.hpp ----
// tinynn — AVX-512 unary elementwise kernel (same text as the other fixed-width backends).

// ---- begin tinynn/backends/avx512/math.hpp ----
// tinynn — AVX-512 (F/BW/DQ/VL) vector math. Every function carries TINYNN_TARGET_AVX512
// (config.hpp), so this header compiles into any x86 translation unit; only CPUs with AVX-512 may run it.

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <limits>

namespace tinynn::backend::avx512_impl {

using V = __m512;
using I = __m512i;
using M = __mmask16;
inline constexpr std::size_t lanes = 16;
// Several intrinsics are used in their merge-masked form with every lane selected: GCC 12 reports
// -Wmaybe-uninitialized inside the plain forms (they start from _mm512_undefined_*).
inline constexpr __mmask16 all_lanes = 0xffff;

TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V load(const float* p) noexcept { return _mm512_loadu_ps(p); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE void store(float* p, V v) noexcept { _mm512_storeu_ps(p, v); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V splat(float v) noexcept { return _mm512_set1_ps(v); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V zero() noexcept { return _mm512_setzero_ps(); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V add(V a, V b) noexcept { return _mm512_add_ps(a, b); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V sub(V a, V b) noexcept { return _mm512_sub_ps(a, b); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V mul(V a, V b) noexcept { return _mm512_mul_ps(a, b); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V div(V a, V b) noexcept { return _mm512_div_ps(a, b); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V vsqrt(V a) noexcept { return _mm512_mask_sqrt_ps(a, all_lanes, a); }
/// a*b + c, c - a*b, a*b - c (fused)
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V fmadd(V a, V b, V c) noexcept { return _mm512_fmadd_ps(a, b, c); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V fnmadd(V a, V b, V c) noexcept { return _mm512_fnmadd_ps(a, b, c); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V fmsub(V a, V b, V c) noexcept { return _mm512_fmsub_ps(a, b, c); }
/// a < b ? a : b and a > b ? a : b (b when either is NaN), as vminps/vmaxps.
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V vmin(V a, V b) noexcept { return _mm512_mask_min_ps(a, all_lanes, a, b); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V vmax(V a, V b) noexcept { return _mm512_mask_max_ps(a, all_lanes, a, b); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V vabs(V a) noexcept { return _mm512_abs_ps(a); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V neg(V a) noexcept {
  return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32(INT32_MIN)));
}
/// |magnitude| with the sign of `sign`.
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V copysign(V magnitude, V sign) noexcept {
  // bit select: sign bit from `sign`, the rest from `magnitude`
  return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_set1_epi32(INT32_MIN), _mm512_castps_si512(sign),
                                                       _mm512_castps_si512(magnitude), 0xca));
}
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V round_even(V a) noexcept {
  return _mm512_mask_roundscale_ps(a, all_lanes, a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE I to_int(V a) noexcept {
  return _mm512_mask_cvtps_epi32(_mm512_castps_si512(a), all_lanes, a);
}
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V to_float(I a) noexcept {
  return _mm512_mask_cvtepi32_ps(_mm512_castsi512_ps(a), all_lanes, a);
}
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE I isplat(std::int32_t v) noexcept { return _mm512_set1_epi32(v); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE I iadd(I a, I b) noexcept { return _mm512_add_epi32(a, b); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE I isub(I a, I b) noexcept { return _mm512_sub_epi32(a, b); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE I iand(I a, I b) noexcept { return _mm512_and_si512(a, b); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE I ior(I a, I b) noexcept { return _mm512_or_si512(a, b); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE I shift_left_23(I a) noexcept {
  return _mm512_mask_slli_epi32(a, all_lanes, a, 23);
}
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE I shift_right_arithmetic_1(I a) noexcept {
  return _mm512_mask_srai_epi32(a, all_lanes, a, 1);
}
/// The biased exponent field (bits 23..30) of float bit patterns.
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE I exponent_field(I bits) noexcept {
  return _mm512_and_si512(_mm512_mask_srli_epi32(bits, all_lanes, bits, 23), _mm512_set1_epi32(0xff));
}
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V as_float(I a) noexcept { return _mm512_castsi512_ps(a); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE I as_int(V a) noexcept { return _mm512_castps_si512(a); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE M lt(V a, V b) noexcept { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE M gt(V a, V b) noexcept { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE M ge(V a, V b) noexcept { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE M eq(V a, V b) noexcept { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE M isnan(V a) noexcept { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE M mor(M a, M b) noexcept { return _kor_mask16(a, b); }
/// mask ? a : b, lane by lane.
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V select(M mask, V a, V b) noexcept {
  return _mm512_mask_blend_ps(mask, b, a);
}
// Through memory: GCC 12's _mm512_reduce_*_ps trip the same -Wmaybe-uninitialized (once per row only).
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE float horizontal_sum(V a) noexcept {
  alignas(64) float t[16];
  _mm512_store_ps(t, a);
  __m128 s =
      _mm_add_ps(_mm_add_ps(_mm_load_ps(t), _mm_load_ps(t + 4)), _mm_add_ps(_mm_load_ps(t + 8), _mm_load_ps(t + 12)));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE float horizontal_max(V a) noexcept {
  alignas(64) float t[16];
  _mm512_store_ps(t, a);
  __m128 s =
      _mm_max_ps(_mm_max_ps(_mm_load_ps(t), _mm_load_ps(t + 4)), _mm_max_ps(_mm_load_ps(t + 8), _mm_load_ps(t + 12)));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// ---- vector math: the same text in every backend's math.hpp (only the wrappers above differ) ----
// Accuracy against the exact function, measured on dense sweeps over [-30, 30] and up to 3e38 and
// asserted by tests/ops/activation_test.cpp ("stated accuracy"): exp <= 1 ulp (0.86 measured),
// log <= 2 (1.6), sigmoid, tanh, erf, silu <= 3 (2.6, 2.5, 2.2, 2.8), elu <= 2, softplus <= 4
// (3.4), GELU <= 16 ulp (11.8) for x >= -3 (its negative tail is ill-conditioned in float: libm-based
// scalar code is no better). NaN in, NaN out; +-inf, denormal inputs and underflowing results are
// handled.

/// e^x: x = n ln2 + r (Cody-Waite, |r| <= ln2/2), e^r by its Taylor series to r^7 (truncation
/// < 2e-9), 2^n applied in two halves so that denormal results and x up to 89 stay exact.
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V exp(V x) noexcept {
  const V clamped = vmin(vmax(x, splat(-104.0f)), splat(89.0f));
  const V n = round_even(mul(clamped, splat(1.44269504088896341f)));
  V r = fnmadd(n, splat(0.693359375f), clamped);
  r = fnmadd(n, splat(-2.12194440e-4f), r);
  V p = splat(1.0f / 5040.0f);
  p = fmadd(p, r, splat(1.0f / 720.0f));
  p = fmadd(p, r, splat(1.0f / 120.0f));
  p = fmadd(p, r, splat(1.0f / 24.0f));
  p = fmadd(p, r, splat(1.0f / 6.0f));
  p = fmadd(p, r, splat(0.5f));
  p = fmadd(p, r, splat(1.0f));
  p = fmadd(p, r, splat(1.0f));
  const I k = to_int(n);
  const I k1 = shift_right_arithmetic_1(k);
  const I k2 = isub(k, k1);
  const V s1 = as_float(shift_left_23(iadd(k1, isplat(127))));
  const V s2 = as_float(shift_left_23(iadd(k2, isplat(127))));
  return select(isnan(x), x, mul(mul(p, s1), s2));
}

/// e^x - 1: Taylor series to x^11 for |x| < ln2 (truncation < 3e-11), else exp(x) - 1, where
/// the subtraction no longer cancels.
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V expm1(V x) noexcept {
  V p = splat(1.0f / 39916800.0f);
  p = fmadd(p, x, splat(1.0f / 3628800.0f));
  p = fmadd(p, x, splat(1.0f / 362880.0f));
  p = fmadd(p, x, splat(1.0f / 40320.0f));
  p = fmadd(p, x, splat(1.0f / 5040.0f));
  p = fmadd(p, x, splat(1.0f / 720.0f));
  p = fmadd(p, x, splat(1.0f / 120.0f));
  p = fmadd(p, x, splat(1.0f / 24.0f));
  p = fmadd(p, x, splat(1.0f / 6.0f));
  p = fmadd(p, x, splat(0.5f));
  p = fmadd(p, x, splat(1.0f));
  const V small = mul(p, x);
  const V large = sub(exp(x), splat(1.0f));
  return select(lt(vabs(x), splat(0.693f)), small, large);
}

/// log x: x = 2^e m with m in [sqrt(1/2), sqrt 2), log m = 2 atanh(s), s = (m-1)/(m+1), by its
/// series to s^11 (|s| < 0.172: truncation < 1e-10); denormal inputs are scaled by 2^23 first.
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V log(V x) noexcept {
  const M tiny = lt(x, splat(1.17549435e-38f));
  const V xs = select(tiny, mul(x, splat(8388608.0f)), x);
  const I bits = as_int(xs);
  V m = as_float(ior(iand(bits, isplat(0x007fffff)), isplat(0x3f800000)));
  const M above = gt(m, splat(1.41421356f));
  m = select(above, mul(m, splat(0.5f)), m);
  V e = to_float(isub(exponent_field(bits), isplat(127)));
  e = add(e, select(above, splat(1.0f), zero()));
  e = sub(e, select(tiny, splat(23.0f), zero()));
  const V f = sub(m, splat(1.0f));
  const V s = div(f, add(splat(2.0f), f));
  const V s2 = mul(s, s);
  V q = splat(2.0f / 11.0f);
  q = fmadd(q, s2, splat(2.0f / 9.0f));
  q = fmadd(q, s2, splat(2.0f / 7.0f));
  q = fmadd(q, s2, splat(2.0f / 5.0f));
  q = fmadd(q, s2, splat(2.0f / 3.0f));
  q = mul(q, s2);
  const V log_m = fmadd(s, q, add(s, s));
  V result = fmadd(e, splat(0.693359375f), fmadd(e, splat(-2.12194440e-4f), log_m));
  const float inf = std::numeric_limits<float>::infinity();
  result = select(eq(x, splat(inf)), x, result);
  result = select(mor(lt(x, zero()), isnan(x)), splat(std::numeric_limits<float>::quiet_NaN()), result);
  return select(eq(x, zero()), splat(-inf), result);
}

/// 1 / (1 + e^-x), from e = e^-|x| so that neither tail loses precision.
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V sigmoid(V x) noexcept {
  const V e = exp(neg(vabs(x)));
  const V s = div(splat(1.0f), add(splat(1.0f), e));
  return select(ge(x, zero()), s, mul(e, s));
}

/// tanh x = -expm1(-2|x|) / (2 + expm1(-2|x|)) with the sign of x: accurate near 0 and saturating.
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V tanh(V x) noexcept {
  const V e = expm1(mul(splat(-2.0f), vabs(x)));
  return copysign(div(neg(e), add(splat(2.0f), e)), x);
}

/// erfc a for a >= 0.5: e^(-a^2) Q(t), t = 2/(2+a), Q a degree-9 least-squares fit (relative
/// error 2e-9 in double); a^2 is split exactly (FMA) so that e^(-a^2) keeps its accuracy.
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V erfc_tail(V a) noexcept {
  a = vmin(a, splat(10.5f));  // erfc(10.5) underflows to 0
  const V t = div(splat(2.0f), add(splat(2.0f), a));
  V q = splat(-0.07533027976751328f);
  q = fmadd(q, t, splat(0.3549739718437195f));
  q = fmadd(q, t, splat(-0.6175296306610107f));
  q = fmadd(q, t, splat(0.41293084621429443f));
  q = fmadd(q, t, splat(-0.11221877485513687f));
  q = fmadd(q, t, splat(0.2370879203081131f));
  q = fmadd(q, t, splat(0.23438429832458496f));
  q = fmadd(q, t, splat(0.2837144434452057f));
  q = fmadd(q, t, splat(0.281973659992218f));
  q = fmadd(q, t, splat(3.9595033740624785e-06f));
  const V a2 = mul(a, a);
  const V a2_low = fmsub(a, a, a2);  // a*a - a2, exactly
  return mul(mul(exp(neg(a2)), sub(splat(1.0f), a2_low)), q);
}

/// erf x / x for |x| < 0.5 as a polynomial in x^2 (least-squares fit, relative error 1.4e-9).
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V erf_small_over_x(V x2) noexcept {
  V p = splat(0.004717567469924688f);
  p = fmadd(p, x2, splat(-0.026756972074508667f));
  p = fmadd(p, x2, splat(0.11282819509506226f));
  p = fmadd(p, x2, splat(-0.37612608075141907f));
  return fmadd(p, x2, splat(1.1283791065216064f));
}

TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V erf(V x) noexcept {
  const V a = vabs(x);
  const V small = mul(x, erf_small_over_x(mul(x, x)));
  const V large = copysign(sub(splat(1.0f), erfc_tail(a)), x);
  return select(isnan(x), x, select(lt(a, splat(0.5f)), small, large));
}

TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V erfc(V x) noexcept {
  const V a = vabs(x);
  const V small = sub(splat(1.0f), mul(x, erf_small_over_x(mul(x, x))));
  const V tail = erfc_tail(a);
  const V large = select(lt(x, zero()), sub(splat(2.0f), tail), tail);
  return select(isnan(x), x, select(lt(a, splat(0.5f)), small, large));
}

/// log(1 + e^x) = max(x, 0) + log1p(e^-|x|), log1p(u) = log(w) u / (w - 1) with w = 1 + u.
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V softplus(V x) noexcept {
  const V u = exp(neg(vabs(x)));
  const V w = add(splat(1.0f), u);
  const V log1p_u = select(eq(w, splat(1.0f)), u, mul(log(w), div(u, sub(w, splat(1.0f)))));
  return add(vmax(zero(), x), log1p_u);
}

/// The UnaryOp K of backends/scalar/activation.hpp on a vector.
template <ops::UnaryOp K>
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V unary_value(const ops::UnaryParams& p, V x) noexcept {
  using ops::UnaryOp;
  if constexpr (K == UnaryOp::identity) return x;
  if constexpr (K == UnaryOp::relu) return vmax(zero(), x);  // NaN stays NaN
  if constexpr (K == UnaryOp::relu6) return vmin(splat(6.0f), vmax(zero(), x));
  if constexpr (K == UnaryOp::clip) return vmin(splat(p.beta), vmax(splat(p.alpha), x));
  if constexpr (K == UnaryOp::leaky_relu) return select(ge(x, zero()), x, mul(splat(p.alpha), x));
  if constexpr (K == UnaryOp::elu) return select(gt(x, zero()), x, mul(splat(p.alpha), expm1(x)));
  if constexpr (K == UnaryOp::selu) {
    return mul(splat(p.beta), select(gt(x, zero()), x, mul(splat(p.alpha), expm1(x))));
  }
  if constexpr (K == UnaryOp::sigmoid) return sigmoid(x);
  if constexpr (K == UnaryOp::tanh) return tanh(x);
  if constexpr (K == UnaryOp::hard_sigmoid) {
    return vmin(splat(1.0f), vmax(zero(), fmadd(splat(p.alpha), x, splat(p.beta))));
  }
  if constexpr (K == UnaryOp::hard_swish) {
    const V c = vmin(splat(6.0f), vmax(zero(), add(x, splat(3.0f))));
    return mul(x, mul(c, splat(1.0f / 6.0f)));
  }
  if constexpr (K == UnaryOp::silu) return mul(x, sigmoid(x));
  if constexpr (K == UnaryOp::gelu_erf) return mul(mul(splat(0.5f), x), erfc(mul(x, splat(-0.70710678118654752440f))));
  if constexpr (K == UnaryOp::gelu_tanh) {
    const V inner = fmadd(mul(splat(0.044715f), mul(x, x)), x, x);
    return mul(x, sigmoid(mul(splat(2.0f * 0.79788456080286535588f), inner)));
  }
  if constexpr (K == UnaryOp::erf) return erf(x);
  if constexpr (K == UnaryOp::exp) return exp(x);
  if constexpr (K == UnaryOp::log) return log(x);
  if constexpr (K == UnaryOp::sqrt) return vsqrt(x);
  if constexpr (K == UnaryOp::abs) return vabs(x);
  if constexpr (K == UnaryOp::neg) return neg(x);
  if constexpr (K == UnaryOp::reciprocal) return div(splat(1.0f), x);
  if constexpr (K == UnaryOp::softplus) return softplus(x);
}

/// The fused activation of ops/common.hpp (apply_activation) on a vector.
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V activation_value(const ops::ActivationParams& p, V x) noexcept {
  switch (p.kind) {
    case ops::Activation::none: return x;
    case ops::Activation::relu: return vmax(zero(), x);
    case ops::Activation::relu6: return vmin(splat(6.0f), vmax(zero(), x));
    case ops::Activation::clip: return vmin(splat(p.max), vmax(splat(p.min), x));
    case ops::Activation::leaky_relu: return select(ge(x, zero()), x, mul(splat(p.alpha), x));
    case ops::Activation::sigmoid: return sigmoid(x);
    case ops::Activation::tanh: return tanh(x);
    case ops::Activation::hard_swish: {
      const V c = vmin(splat(6.0f), vmax(zero(), add(x, splat(3.0f))));
      return mul(x, mul(c, splat(1.0f / 6.0f)));
    }
  }
  return x;
}

/// The BinaryOp K of backends/scalar/eltwise.hpp on vectors (pow is not vectorised: callers
/// send it to the scalar kernel).
template <ops::BinaryOp K>
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE V binary_value(V a, V b) noexcept {
  using ops::BinaryOp;
  if constexpr (K == BinaryOp::add) return add(a, b);
  if constexpr (K == BinaryOp::sub) return sub(a, b);
  if constexpr (K == BinaryOp::mul) return mul(a, b);
  if constexpr (K == BinaryOp::div) return div(a, b);
  if constexpr (K == BinaryOp::min) return select(isnan(a), a, vmin(a, b));  // NaN in either wins
  if constexpr (K == BinaryOp::max) return select(isnan(a), a, vmax(a, b));
  if constexpr (K == BinaryOp::prelu) return select(lt(a, zero()), mul(a, b), a);
  if constexpr (K == BinaryOp::pow) return a;  // unreachable: pow runs on the scalar kernel
}

/// y[i] = act(y[i]): the fused-activation epilogue.
TINYNN_TARGET_AVX512 inline void activation_loop(const ops::ActivationParams& p, float* y, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) store(y + i, activation_value(p, load(y + i)));
  if (i < n) {
    float buffer[lanes] = {};
    for (std::size_t j = 0; i + j < n; ++j) buffer[j] = y[i + j];
    store(buffer, activation_value(p, load(buffer)));
    for (std::size_t j = 0; i + j < n; ++j) y[i + j] = buffer[j];
  }
}

}  // namespace tinynn::backend::avx512_impl

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx512/math.hpp ----

#if TINYNN_HAS_X86_KERNELS

namespace tinynn::backend::avx512_impl {

template <ops::UnaryOp K>
TINYNN_TARGET_AVX512 inline void unary_loop(const ops::UnaryParams& p, const float* x, float* y,
                                            std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) store(y + i, unary_value<K>(p, load(x + i)));
  if (i < n) {
    float buffer[lanes] = {};
    for (std::size_t j = 0; i + j < n; ++j) buffer[j] = x[i + j];
    store(buffer, unary_value<K>(p, load(buffer)));
    for (std::size_t j = 0; i + j < n; ++j) y[i + j] = buffer[j];
  }
}

}  // namespace tinynn::backend::avx512_impl

namespace tinynn::backend {

inline void unary(avx512, const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  with_unary_kind(p.kind, [&](auto kind) { avx512_impl::unary_loop<decltype(kind)::value>(p, x, y, n); });
}

}  // namespace tinynn::backend

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx512/activation.hpp ----
// ---- begin tinynn/backends/neon/activation.hpp ----
// tinynn — NEON (xsimd) unary elementwise kernel (same text as the other fixed-width backends).

// ---- begin tinynn/backends/neon/math.hpp ----
// tinynn — NEON (AArch64 Advanced SIMD) vector math through xsimd 8.1 (batch<float, neon64>).
// Compiled only where the translation unit targets AArch64 with NEON.

#if defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <xsimd/xsimd.hpp>

namespace tinynn::backend::neon_impl {

using V = xsimd::batch<float, xsimd::neon64>;
using I = xsimd::batch<std::int32_t, xsimd::neon64>;
using M = xsimd::batch_bool<float, xsimd::neon64>;
inline constexpr std::size_t lanes = 4;

TINYNN_ALWAYS_INLINE V load(const float* p) noexcept { return V::load_unaligned(p); }
TINYNN_ALWAYS_INLINE void store(float* p, V v) noexcept { v.store_unaligned(p); }
TINYNN_ALWAYS_INLINE V splat(float v) noexcept { return V(v); }
TINYNN_ALWAYS_INLINE V zero() noexcept { return V(0.0f); }
TINYNN_ALWAYS_INLINE V add(V a, V b) noexcept { return a + b; }
TINYNN_ALWAYS_INLINE V sub(V a, V b) noexcept { return a - b; }
TINYNN_ALWAYS_INLINE V mul(V a, V b) noexcept { return a * b; }
// Division, square root and FMA straight from arm_neon.h: they must be the IEEE instructions.
TINYNN_ALWAYS_INLINE V div(V a, V b) noexcept { return vdivq_f32(a, b); }
TINYNN_ALWAYS_INLINE V vsqrt(V a) noexcept { return vsqrtq_f32(a); }
/// a*b + c, c - a*b, a*b - c (fused)
TINYNN_ALWAYS_INLINE V fmadd(V a, V b, V c) noexcept { return vfmaq_f32(c, a, b); }
TINYNN_ALWAYS_INLINE V fnmadd(V a, V b, V c) noexcept { return vfmsq_f32(c, a, b); }
TINYNN_ALWAYS_INLINE V fmsub(V a, V b, V c) noexcept { return vnegq_f32(vfmsq_f32(c, a, b)); }
/// a < b ? a : b and a > b ? a : b (b when either is NaN), as on x86.
TINYNN_ALWAYS_INLINE V vmin(V a, V b) noexcept { return xsimd::select(a < b, a, b); }
TINYNN_ALWAYS_INLINE V vmax(V a, V b) noexcept { return xsimd::select(a > b, a, b); }
TINYNN_ALWAYS_INLINE V vabs(V a) noexcept { return xsimd::abs(a); }
TINYNN_ALWAYS_INLINE V neg(V a) noexcept { return -a; }
/// |magnitude| with the sign of `sign`.
TINYNN_ALWAYS_INLINE V copysign(V magnitude, V sign) noexcept { return xsimd::copysign(magnitude, sign); }
TINYNN_ALWAYS_INLINE V round_even(V a) noexcept { return vrndnq_f32(a); }
TINYNN_ALWAYS_INLINE I to_int(V a) noexcept { return xsimd::to_int(a); }
TINYNN_ALWAYS_INLINE V to_float(I a) noexcept { return xsimd::to_float(a); }
TINYNN_ALWAYS_INLINE I isplat(std::int32_t v) noexcept { return I(v); }
TINYNN_ALWAYS_INLINE I iadd(I a, I b) noexcept { return a + b; }
TINYNN_ALWAYS_INLINE I isub(I a, I b) noexcept { return a - b; }
TINYNN_ALWAYS_INLINE I iand(I a, I b) noexcept { return a & b; }
TINYNN_ALWAYS_INLINE I ior(I a, I b) noexcept { return a | b; }
TINYNN_ALWAYS_INLINE I shift_left_23(I a) noexcept { return a << 23; }
TINYNN_ALWAYS_INLINE I shift_right_arithmetic_1(I a) noexcept { return a >> 1; }
/// The biased exponent field (bits 23..30) of float bit patterns.
TINYNN_ALWAYS_INLINE I exponent_field(I bits) noexcept { return (bits >> 23) & I(0xff); }
TINYNN_ALWAYS_INLINE V as_float(I a) noexcept { return xsimd::bitwise_cast<V>(a); }
TINYNN_ALWAYS_INLINE I as_int(V a) noexcept { return xsimd::bitwise_cast<I>(a); }
TINYNN_ALWAYS_INLINE M lt(V a, V b) noexcept { return a < b; }
TINYNN_ALWAYS_INLINE M gt(V a, V b) noexcept { return a > b; }
TINYNN_ALWAYS_INLINE M ge(V a, V b) noexcept { return a >= b; }
TINYNN_ALWAYS_INLINE M eq(V a, V b) noexcept { return a == b; }
TINYNN_ALWAYS_INLINE M isnan(V a) noexcept { return a != a; }
TINYNN_ALWAYS_INLINE M mor(M a, M b) noexcept { return a | b; }
/// mask ? a : b, lane by lane.
TINYNN_ALWAYS_INLINE V select(M mask, V a, V b) noexcept { return xsimd::select(mask, a, b); }
TINYNN_ALWAYS_INLINE float horizontal_sum(V a) noexcept { return xsimd::hadd(a); }
TINYNN_ALWAYS_INLINE float horizontal_max(V a) noexcept { return vmaxvq_f32(a); }

// ---- vector math: the same text in every backend's math.hpp (only the wrappers above differ) ----
// Accuracy against the exact function, measured on dense sweeps over [-30, 30] and up to 3e38 and
// asserted by tests/ops/activation_test.cpp ("stated accuracy"): exp <= 1 ulp (0.86 measured),
// log <= 2 (1.6), sigmoid, tanh, erf, silu <= 3 (2.6, 2.5, 2.2, 2.8), elu <= 2, softplus <= 4
// (3.4), GELU <= 16 ulp (11.8) for x >= -3 (its negative tail is ill-conditioned in float: libm-based
// scalar code is no better). NaN in, NaN out; +-inf, denormal inputs and underflowing results are
// handled.

/// e^x: x = n ln2 + r (Cody-Waite, |r| <= ln2/2), e^r by its Taylor series to r^7 (truncation
/// < 2e-9), 2^n applied in two halves so that denormal results and x up to 89 stay exact.
TINYNN_ALWAYS_INLINE V exp(V x) noexcept {
  const V clamped = vmin(vmax(x, splat(-104.0f)), splat(89.0f));
  const V n = round_even(mul(clamped, splat(1.44269504088896341f)));
  V r = fnmadd(n, splat(0.693359375f), clamped);
  r = fnmadd(n, splat(-2.12194440e-4f), r);
  V p = splat(1.0f / 5040.0f);
  p = fmadd(p, r, splat(1.0f / 720.0f));
  p = fmadd(p, r, splat(1.0f / 120.0f));
  p = fmadd(p, r, splat(1.0f / 24.0f));
  p = fmadd(p, r, splat(1.0f / 6.0f));
  p = fmadd(p, r, splat(0.5f));
  p = fmadd(p, r, splat(1.0f));
  p = fmadd(p, r, splat(1.0f));
  const I k = to_int(n);
  const I k1 = shift_right_arithmetic_1(k);
  const I k2 = isub(k, k1);
  const V s1 = as_float(shift_left_23(iadd(k1, isplat(127))));
  const V s2 = as_float(shift_left_23(iadd(k2, isplat(127))));
  return select(isnan(x), x, mul(mul(p, s1), s2));
}

/// e^x - 1: Taylor series to x^11 for |x| < ln2 (truncation < 3e-11), else exp(x) - 1, where
/// the subtraction no longer cancels.
TINYNN_ALWAYS_INLINE V expm1(V x) noexcept {
  V p = splat(1.0f / 39916800.0f);
  p = fmadd(p, x, splat(1.0f / 3628800.0f));
  p = fmadd(p, x, splat(1.0f / 362880.0f));
  p = fmadd(p, x, splat(1.0f / 40320.0f));
  p = fmadd(p, x, splat(1.0f / 5040.0f));
  p = fmadd(p, x, splat(1.0f / 720.0f));
  p = fmadd(p, x, splat(1.0f / 120.0f));
  p = fmadd(p, x, splat(1.0f / 24.0f));
  p = fmadd(p, x, splat(1.0f / 6.0f));
  p = fmadd(p, x, splat(0.5f));
  p = fmadd(p, x, splat(1.0f));
  const V small = mul(p, x);
  const V large = sub(exp(x), splat(1.0f));
  return select(lt(vabs(x), splat(0.693f)), small, large);
}

/// log x: x = 2^e m with m in [sqrt(1/2), sqrt 2), log m = 2 atanh(s), s = (m-1)/(m+1), by its
/// series to s^11 (|s| < 0.172: truncation < 1e-10); denormal inputs are scaled by 2^23 first.
TINYNN_ALWAYS_INLINE V log(V x) noexcept {
  const M tiny = lt(x, splat(1.17549435e-38f));
  const V xs = select(tiny, mul(x, splat(8388608.0f)), x);
  const I bits = as_int(xs);
  V m = as_float(ior(iand(bits, isplat(0x007fffff)), isplat(0x3f800000)));
  const M above = gt(m, splat(1.41421356f));
  m = select(above, mul(m, splat(0.5f)), m);
  V e = to_float(isub(exponent_field(bits), isplat(127)));
  e = add(e, select(above, splat(1.0f), zero()));
  e = sub(e, select(tiny, splat(23.0f), zero()));
  const V f = sub(m, splat(1.0f));
  const V s = div(f, add(splat(2.0f), f));
  const V s2 = mul(s, s);
  V q = splat(2.0f / 11.0f);
  q = fmadd(q, s2, splat(2.0f / 9.0f));
  q = fmadd(q, s2, splat(2.0f / 7.0f));
  q = fmadd(q, s2, splat(2.0f / 5.0f));
  q = fmadd(q, s2, splat(2.0f / 3.0f));
  q = mul(q, s2);
  const V log_m = fmadd(s, q, add(s, s));
  V result = fmadd(e, splat(0.693359375f), fmadd(e, splat(-2.12194440e-4f), log_m));
  const float inf = std::numeric_limits<float>::infinity();
  result = select(eq(x, splat(inf)), x, result);
  result = select(mor(lt(x, zero()), isnan(x)), splat(std::numeric_limits<float>::quiet_NaN()), result);
  return select(eq(x, zero()), splat(-inf), result);
}

/// 1 / (1 + e^-x), from e = e^-|x| so that neither tail loses precision.
TINYNN_ALWAYS_INLINE V sigmoid(V x) noexcept {
  const V e = exp(neg(vabs(x)));
  const V s = div(splat(1.0f), add(splat(1.0f), e));
  return select(ge(x, zero()), s, mul(e, s));
}

/// tanh x = -expm1(-2|x|) / (2 + expm1(-2|x|)) with the sign of x: accurate near 0 and saturating.
TINYNN_ALWAYS_INLINE V tanh(V x) noexcept {
  const V e = expm1(mul(splat(-2.0f), vabs(x)));
  return copysign(div(neg(e), add(splat(2.0f), e)), x);
}

/// erfc a for a >= 0.5: e^(-a^2) Q(t), t = 2/(2+a), Q a degree-9 least-squares fit (relative
/// error 2e-9 in double); a^2 is split exactly (FMA) so that e^(-a^2) keeps its accuracy.
TINYNN_ALWAYS_INLINE V erfc_tail(V a) noexcept {
  a = vmin(a, splat(10.5f));  // erfc(10.5) underflows to 0
  const V t = div(splat(2.0f), add(splat(2.0f), a));
  V q = splat(-0.07533027976751328f);
  q = fmadd(q, t, splat(0.3549739718437195f));
  q = fmadd(q, t, splat(-0.6175296306610107f));
  q = fmadd(q, t, splat(0.41293084621429443f));
  q = fmadd(q, t, splat(-0.11221877485513687f));
  q = fmadd(q, t, splat(0.2370879203081131f));
  q = fmadd(q, t, splat(0.23438429832458496f));
  q = fmadd(q, t, splat(0.2837144434452057f));
  q = fmadd(q, t, splat(0.281973659992218f));
  q = fmadd(q, t, splat(3.9595033740624785e-06f));
  const V a2 = mul(a, a);
  const V a2_low = fmsub(a, a, a2);  // a*a - a2, exactly
  return mul(mul(exp(neg(a2)), sub(splat(1.0f), a2_low)), q);
}

/// erf x / x for |x| < 0.5 as a polynomial in x^2 (least-squares fit, relative error 1.4e-9).
TINYNN_ALWAYS_INLINE V erf_small_over_x(V x2) noexcept {
  V p = splat(0.004717567469924688f);
  p = fmadd(p, x2, splat(-0.026756972074508667f));
  p = fmadd(p, x2, splat(0.11282819509506226f));
  p = fmadd(p, x2, splat(-0.37612608075141907f));
  return fmadd(p, x2, splat(1.1283791065216064f));
}

TINYNN_ALWAYS_INLINE V erf(V x) noexcept {
  const V a = vabs(x);
  const V small = mul(x, erf_small_over_x(mul(x, x)));
  const V large = copysign(sub(splat(1.0f), erfc_tail(a)), x);
  return select(isnan(x), x, select(lt(a, splat(0.5f)), small, large));
}

TINYNN_ALWAYS_INLINE V erfc(V x) noexcept {
  const V a = vabs(x);
  const V small = sub(splat(1.0f), mul(x, erf_small_over_x(mul(x, x))));
  const V tail = erfc_tail(a);
  const V large = select(lt(x, zero()), sub(splat(2.0f), tail), tail);
  return select(isnan(x), x, select(lt(a, splat(0.5f)), small, large));
}

/// log(1 + e^x) = max(x, 0) + log1p(e^-|x|), log1p(u) = log(w) u / (w - 1) with w = 1 + u.
TINYNN_ALWAYS_INLINE V softplus(V x) noexcept {
  const V u = exp(neg(vabs(x)));
  const V w = add(splat(1.0f), u);
  const V log1p_u = select(eq(w, splat(1.0f)), u, mul(log(w), div(u, sub(w, splat(1.0f)))));
  return add(vmax(zero(), x), log1p_u);
}

/// The UnaryOp K of backends/scalar/activation.hpp on a vector.
template <ops::UnaryOp K>
TINYNN_ALWAYS_INLINE V unary_value(const ops::UnaryParams& p, V x) noexcept {
  using ops::UnaryOp;
  if constexpr (K == UnaryOp::identity) return x;
  if constexpr (K == UnaryOp::relu) return vmax(zero(), x);  // NaN stays NaN
  if constexpr (K == UnaryOp::relu6) return vmin(splat(6.0f), vmax(zero(), x));
  if constexpr (K == UnaryOp::clip) return vmin(splat(p.beta), vmax(splat(p.alpha), x));
  if constexpr (K == UnaryOp::leaky_relu) return select(ge(x, zero()), x, mul(splat(p.alpha), x));
  if constexpr (K == UnaryOp::elu) return select(gt(x, zero()), x, mul(splat(p.alpha), expm1(x)));
  if constexpr (K == UnaryOp::selu) {
    return mul(splat(p.beta), select(gt(x, zero()), x, mul(splat(p.alpha), expm1(x))));
  }
  if constexpr (K == UnaryOp::sigmoid) return sigmoid(x);
  if constexpr (K == UnaryOp::tanh) return tanh(x);
  if constexpr (K == UnaryOp::hard_sigmoid) {
    return vmin(splat(1.0f), vmax(zero(), fmadd(splat(p.alpha), x, splat(p.beta))));
  }
  if constexpr (K == UnaryOp::hard_swish) {
    const V c = vmin(splat(6.0f), vmax(zero(), add(x, splat(3.0f))));
    return mul(x, mul(c, splat(1.0f / 6.0f)));
  }
  if constexpr (K == UnaryOp::silu) return mul(x, sigmoid(x));
  if constexpr (K == UnaryOp::gelu_erf) return mul(mul(splat(0.5f), x), erfc(mul(x, splat(-0.70710678118654752440f))));
  if constexpr (K == UnaryOp::gelu_tanh) {
    const V inner = fmadd(mul(splat(0.044715f), mul(x, x)), x, x);
    return mul(x, sigmoid(mul(splat(2.0f * 0.79788456080286535588f), inner)));
  }
  if constexpr (K == UnaryOp::erf) return erf(x);
  if constexpr (K == UnaryOp::exp) return exp(x);
  if constexpr (K == UnaryOp::log) return log(x);
  if constexpr (K == UnaryOp::sqrt) return vsqrt(x);
  if constexpr (K == UnaryOp::abs) return vabs(x);
  if constexpr (K == UnaryOp::neg) return neg(x);
  if constexpr (K == UnaryOp::reciprocal) return div(splat(1.0f), x);
  if constexpr (K == UnaryOp::softplus) return softplus(x);
}

/// The fused activation of ops/common.hpp (apply_activation) on a vector.
TINYNN_ALWAYS_INLINE V activation_value(const ops::ActivationParams& p, V x) noexcept {
  switch (p.kind) {
    case ops::Activation::none: return x;
    case ops::Activation::relu: return vmax(zero(), x);
    case ops::Activation::relu6: return vmin(splat(6.0f), vmax(zero(), x));
    case ops::Activation::clip: return vmin(splat(p.max), vmax(splat(p.min), x));
    case ops::Activation::leaky_relu: return select(ge(x, zero()), x, mul(splat(p.alpha), x));
    case ops::Activation::sigmoid: return sigmoid(x);
    case ops::Activation::tanh: return tanh(x);
    case ops::Activation::hard_swish: {
      const V c = vmin(splat(6.0f), vmax(zero(), add(x, splat(3.0f))));
      return mul(x, mul(c, splat(1.0f / 6.0f)));
    }
  }
  return x;
}

/// The BinaryOp K of backends/scalar/eltwise.hpp on vectors (pow is not vectorised: callers
/// send it to the scalar kernel).
template <ops::BinaryOp K>
TINYNN_ALWAYS_INLINE V binary_value(V a, V b) noexcept {
  using ops::BinaryOp;
  if constexpr (K == BinaryOp::add) return add(a, b);
  if constexpr (K == BinaryOp::sub) return sub(a, b);
  if constexpr (K == BinaryOp::mul) return mul(a, b);
  if constexpr (K == BinaryOp::div) return div(a, b);
  if constexpr (K == BinaryOp::min) return select(isnan(a), a, vmin(a, b));  // NaN in either wins
  if constexpr (K == BinaryOp::max) return select(isnan(a), a, vmax(a, b));
  if constexpr (K == BinaryOp::prelu) return select(lt(a, zero()), mul(a, b), a);
  if constexpr (K == BinaryOp::pow) return a;  // unreachable: pow runs on the scalar kernel
}

/// y[i] = act(y[i]): the fused-activation epilogue.
inline void activation_loop(const ops::ActivationParams& p, float* y, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) store(y + i, activation_value(p, load(y + i)));
  if (i < n) {
    float buffer[lanes] = {};
    for (std::size_t j = 0; i + j < n; ++j) buffer[j] = y[i + j];
    store(buffer, activation_value(p, load(buffer)));
    for (std::size_t j = 0; i + j < n; ++j) y[i + j] = buffer[j];
  }
}

}  // namespace tinynn::backend::neon_impl

#endif  // defined(__ARM_NEON) && defined(__aarch64__)

// ---- end tinynn/backends/neon/math.hpp ----

#if defined(__ARM_NEON) && defined(__aarch64__)

namespace tinynn::backend::neon_impl {

template <ops::UnaryOp K>
inline void unary_loop(const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) store(y + i, unary_value<K>(p, load(x + i)));
  if (i < n) {
    float buffer[lanes] = {};
    for (std::size_t j = 0; i + j < n; ++j) buffer[j] = x[i + j];
    store(buffer, unary_value<K>(p, load(buffer)));
    for (std::size_t j = 0; i + j < n; ++j) y[i + j] = buffer[j];
  }
}

}  // namespace tinynn::backend::neon_impl

namespace tinynn::backend {

inline void unary(neon, const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  with_unary_kind(p.kind, [&](auto kind) { neon_impl::unary_loop<decltype(kind)::value>(p, x, y, n); });
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_NEON) && defined(__aarch64__)

// ---- end tinynn/backends/neon/activation.hpp ----
// ---- begin tinynn/backends/sve/activation.hpp ----
// tinynn — SVE unary elementwise kernel (predicated loops: no scalar tails).

// ---- begin tinynn/backends/sve/math.hpp ----
// tinynn — SVE vector math through the ACLE (arm_sve.h), vector-length agnostic: the same code
// runs at 128 to 2048 bits. Compiled only where the translation unit targets SVE.

#if defined(__ARM_FEATURE_SVE)
#include <arm_sve.h>

#include <cstddef>
#include <cstdint>
#include <limits>

namespace tinynn::backend::sve_impl {

using V = svfloat32_t;
using I = svint32_t;
using M = svbool_t;

/// Every lane (the math below is lane-wise; loads and stores take the loop's own predicate).
TINYNN_ALWAYS_INLINE svbool_t all() noexcept { return svptrue_b32(); }
TINYNN_ALWAYS_INLINE V splat(float v) noexcept { return svdup_n_f32(v); }
TINYNN_ALWAYS_INLINE V zero() noexcept { return svdup_n_f32(0.0f); }
TINYNN_ALWAYS_INLINE V add(V a, V b) noexcept { return svadd_f32_x(all(), a, b); }
TINYNN_ALWAYS_INLINE V sub(V a, V b) noexcept { return svsub_f32_x(all(), a, b); }
TINYNN_ALWAYS_INLINE V mul(V a, V b) noexcept { return svmul_f32_x(all(), a, b); }
TINYNN_ALWAYS_INLINE V div(V a, V b) noexcept { return svdiv_f32_x(all(), a, b); }
TINYNN_ALWAYS_INLINE V vsqrt(V a) noexcept { return svsqrt_f32_x(all(), a); }
/// a*b + c, c - a*b, a*b - c (fused)
TINYNN_ALWAYS_INLINE V fmadd(V a, V b, V c) noexcept { return svmla_f32_x(all(), c, a, b); }
TINYNN_ALWAYS_INLINE V fnmadd(V a, V b, V c) noexcept { return svmls_f32_x(all(), c, a, b); }
TINYNN_ALWAYS_INLINE V fmsub(V a, V b, V c) noexcept { return svnmls_f32_x(all(), c, a, b); }
/// a < b ? a : b and a > b ? a : b (b when either is NaN), as on x86.
TINYNN_ALWAYS_INLINE V vmin(V a, V b) noexcept { return svsel_f32(svcmplt_f32(all(), a, b), a, b); }
TINYNN_ALWAYS_INLINE V vmax(V a, V b) noexcept { return svsel_f32(svcmpgt_f32(all(), a, b), a, b); }
TINYNN_ALWAYS_INLINE V vabs(V a) noexcept { return svabs_f32_x(all(), a); }
TINYNN_ALWAYS_INLINE V neg(V a) noexcept { return svneg_f32_x(all(), a); }
/// |magnitude| with the sign of `sign`.
TINYNN_ALWAYS_INLINE V copysign(V magnitude, V sign) noexcept {
  const svuint32_t m = svand_n_u32_x(all(), svreinterpret_u32_f32(magnitude), 0x7fffffffu);
  const svuint32_t s = svand_n_u32_x(all(), svreinterpret_u32_f32(sign), 0x80000000u);
  return svreinterpret_f32_u32(svorr_u32_x(all(), m, s));
}
TINYNN_ALWAYS_INLINE V round_even(V a) noexcept { return svrintn_f32_x(all(), a); }
TINYNN_ALWAYS_INLINE I to_int(V a) noexcept { return svcvt_s32_f32_x(all(), a); }
TINYNN_ALWAYS_INLINE V to_float(I a) noexcept { return svcvt_f32_s32_x(all(), a); }
TINYNN_ALWAYS_INLINE I isplat(std::int32_t v) noexcept { return svdup_n_s32(v); }
TINYNN_ALWAYS_INLINE I iadd(I a, I b) noexcept { return svadd_s32_x(all(), a, b); }
TINYNN_ALWAYS_INLINE I isub(I a, I b) noexcept { return svsub_s32_x(all(), a, b); }
TINYNN_ALWAYS_INLINE I iand(I a, I b) noexcept { return svand_s32_x(all(), a, b); }
TINYNN_ALWAYS_INLINE I ior(I a, I b) noexcept { return svorr_s32_x(all(), a, b); }
TINYNN_ALWAYS_INLINE I shift_left_23(I a) noexcept { return svlsl_n_s32_x(all(), a, 23); }
TINYNN_ALWAYS_INLINE I shift_right_arithmetic_1(I a) noexcept { return svasr_n_s32_x(all(), a, 1); }
/// The biased exponent field (bits 23..30) of float bit patterns.
TINYNN_ALWAYS_INLINE I exponent_field(I bits) noexcept {
  return svand_n_s32_x(all(), svasr_n_s32_x(all(), bits, 23), 0xff);
}
TINYNN_ALWAYS_INLINE V as_float(I a) noexcept { return svreinterpret_f32_s32(a); }
TINYNN_ALWAYS_INLINE I as_int(V a) noexcept { return svreinterpret_s32_f32(a); }
TINYNN_ALWAYS_INLINE M lt(V a, V b) noexcept { return svcmplt_f32(all(), a, b); }
TINYNN_ALWAYS_INLINE M gt(V a, V b) noexcept { return svcmpgt_f32(all(), a, b); }
TINYNN_ALWAYS_INLINE M ge(V a, V b) noexcept { return svcmpge_f32(all(), a, b); }
TINYNN_ALWAYS_INLINE M eq(V a, V b) noexcept { return svcmpeq_f32(all(), a, b); }
TINYNN_ALWAYS_INLINE M isnan(V a) noexcept { return svcmpuo_f32(all(), a, a); }
TINYNN_ALWAYS_INLINE M mor(M a, M b) noexcept { return svorr_b_z(all(), a, b); }
/// mask ? a : b, lane by lane.
TINYNN_ALWAYS_INLINE V select(M mask, V a, V b) noexcept { return svsel_f32(mask, a, b); }

// ---- vector math: the same text in every backend's math.hpp (only the wrappers above differ) ----
// Accuracy against the exact function, measured on dense sweeps over [-30, 30] and up to 3e38 and
// asserted by tests/ops/activation_test.cpp ("stated accuracy"): exp <= 1 ulp (0.86 measured),
// log <= 2 (1.6), sigmoid, tanh, erf, silu <= 3 (2.6, 2.5, 2.2, 2.8), elu <= 2, softplus <= 4
// (3.4), GELU <= 16 ulp (11.8) for x >= -3 (its negative tail is ill-conditioned in float: libm-based
// scalar code is no better). NaN in, NaN out; +-inf, denormal inputs and underflowing results are
// handled.

/// e^x: x = n ln2 + r (Cody-Waite, |r| <= ln2/2), e^r by its Taylor series to r^7 (truncation
/// < 2e-9), 2^n applied in two halves so that denormal results and x up to 89 stay exact.
TINYNN_ALWAYS_INLINE V exp(V x) noexcept {
  const V clamped = vmin(vmax(x, splat(-104.0f)), splat(89.0f));
  const V n = round_even(mul(clamped, splat(1.44269504088896341f)));
  V r = fnmadd(n, splat(0.693359375f), clamped);
  r = fnmadd(n, splat(-2.12194440e-4f), r);
  V p = splat(1.0f / 5040.0f);
  p = fmadd(p, r, splat(1.0f / 720.0f));
  p = fmadd(p, r, splat(1.0f / 120.0f));
  p = fmadd(p, r, splat(1.0f / 24.0f));
  p = fmadd(p, r, splat(1.0f / 6.0f));
  p = fmadd(p, r, splat(0.5f));
  p = fmadd(p, r, splat(1.0f));
  p = fmadd(p, r, splat(1.0f));
  const I k = to_int(n);
  const I k1 = shift_right_arithmetic_1(k);
  const I k2 = isub(k, k1);
  const V s1 = as_float(shift_left_23(iadd(k1, isplat(127))));
  const V s2 = as_float(shift_left_23(iadd(k2, isplat(127))));
  return select(isnan(x), x, mul(mul(p, s1), s2));
}

/// e^x - 1: Taylor series to x^11 for |x| < ln2 (truncation < 3e-11), else exp(x) - 1, where
/// the subtraction no longer cancels.
TINYNN_ALWAYS_INLINE V expm1(V x) noexcept {
  V p = splat(1.0f / 39916800.0f);
  p = fmadd(p, x, splat(1.0f / 3628800.0f));
  p = fmadd(p, x, splat(1.0f / 362880.0f));
  p = fmadd(p, x, splat(1.0f / 40320.0f));
  p = fmadd(p, x, splat(1.0f / 5040.0f));
  p = fmadd(p, x, splat(1.0f / 720.0f));
  p = fmadd(p, x, splat(1.0f / 120.0f));
  p = fmadd(p, x, splat(1.0f / 24.0f));
  p = fmadd(p, x, splat(1.0f / 6.0f));
  p = fmadd(p, x, splat(0.5f));
  p = fmadd(p, x, splat(1.0f));
  const V small = mul(p, x);
  const V large = sub(exp(x), splat(1.0f));
  return select(lt(vabs(x), splat(0.693f)), small, large);
}

/// log x: x = 2^e m with m in [sqrt(1/2), sqrt 2), log m = 2 atanh(s), s = (m-1)/(m+1), by its
/// series to s^11 (|s| < 0.172: truncation < 1e-10); denormal inputs are scaled by 2^23 first.
TINYNN_ALWAYS_INLINE V log(V x) noexcept {
  const M tiny = lt(x, splat(1.17549435e-38f));
  const V xs = select(tiny, mul(x, splat(8388608.0f)), x);
  const I bits = as_int(xs);
  V m = as_float(ior(iand(bits, isplat(0x007fffff)), isplat(0x3f800000)));
  const M above = gt(m, splat(1.41421356f));
  m = select(above, mul(m, splat(0.5f)), m);
  V e = to_float(isub(exponent_field(bits), isplat(127)));
  e = add(e, select(above, splat(1.0f), zero()));
  e = sub(e, select(tiny, splat(23.0f), zero()));
  const V f = sub(m, splat(1.0f));
  const V s = div(f, add(splat(2.0f), f));
  const V s2 = mul(s, s);
  V q = splat(2.0f / 11.0f);
  q = fmadd(q, s2, splat(2.0f / 9.0f));
  q = fmadd(q, s2, splat(2.0f / 7.0f));
  q = fmadd(q, s2, splat(2.0f / 5.0f));
  q = fmadd(q, s2, splat(2.0f / 3.0f));
  q = mul(q, s2);
  const V log_m = fmadd(s, q, add(s, s));
  V result = fmadd(e, splat(0.693359375f), fmadd(e, splat(-2.12194440e-4f), log_m));
  const float inf = std::numeric_limits<float>::infinity();
  result = select(eq(x, splat(inf)), x, result);
  result = select(mor(lt(x, zero()), isnan(x)), splat(std::numeric_limits<float>::quiet_NaN()), result);
  return select(eq(x, zero()), splat(-inf), result);
}

/// 1 / (1 + e^-x), from e = e^-|x| so that neither tail loses precision.
TINYNN_ALWAYS_INLINE V sigmoid(V x) noexcept {
  const V e = exp(neg(vabs(x)));
  const V s = div(splat(1.0f), add(splat(1.0f), e));
  return select(ge(x, zero()), s, mul(e, s));
}

/// tanh x = -expm1(-2|x|) / (2 + expm1(-2|x|)) with the sign of x: accurate near 0 and saturating.
TINYNN_ALWAYS_INLINE V tanh(V x) noexcept {
  const V e = expm1(mul(splat(-2.0f), vabs(x)));
  return copysign(div(neg(e), add(splat(2.0f), e)), x);
}

/// erfc a for a >= 0.5: e^(-a^2) Q(t), t = 2/(2+a), Q a degree-9 least-squares fit (relative
/// error 2e-9 in double); a^2 is split exactly (FMA) so that e^(-a^2) keeps its accuracy.
TINYNN_ALWAYS_INLINE V erfc_tail(V a) noexcept {
  a = vmin(a, splat(10.5f));  // erfc(10.5) underflows to 0
  const V t = div(splat(2.0f), add(splat(2.0f), a));
  V q = splat(-0.07533027976751328f);
  q = fmadd(q, t, splat(0.3549739718437195f));
  q = fmadd(q, t, splat(-0.6175296306610107f));
  q = fmadd(q, t, splat(0.41293084621429443f));
  q = fmadd(q, t, splat(-0.11221877485513687f));
  q = fmadd(q, t, splat(0.2370879203081131f));
  q = fmadd(q, t, splat(0.23438429832458496f));
  q = fmadd(q, t, splat(0.2837144434452057f));
  q = fmadd(q, t, splat(0.281973659992218f));
  q = fmadd(q, t, splat(3.9595033740624785e-06f));
  const V a2 = mul(a, a);
  const V a2_low = fmsub(a, a, a2);  // a*a - a2, exactly
  return mul(mul(exp(neg(a2)), sub(splat(1.0f), a2_low)), q);
}

/// erf x / x for |x| < 0.5 as a polynomial in x^2 (least-squares fit, relative error 1.4e-9).
TINYNN_ALWAYS_INLINE V erf_small_over_x(V x2) noexcept {
  V p = splat(0.004717567469924688f);
  p = fmadd(p, x2, splat(-0.026756972074508667f));
  p = fmadd(p, x2, splat(0.11282819509506226f));
  p = fmadd(p, x2, splat(-0.37612608075141907f));
  return fmadd(p, x2, splat(1.1283791065216064f));
}

TINYNN_ALWAYS_INLINE V erf(V x) noexcept {
  const V a = vabs(x);
  const V small = mul(x, erf_small_over_x(mul(x, x)));
  const V large = copysign(sub(splat(1.0f), erfc_tail(a)), x);
  return select(isnan(x), x, select(lt(a, splat(0.5f)), small, large));
}

TINYNN_ALWAYS_INLINE V erfc(V x) noexcept {
  const V a = vabs(x);
  const V small = sub(splat(1.0f), mul(x, erf_small_over_x(mul(x, x))));
  const V tail = erfc_tail(a);
  const V large = select(lt(x, zero()), sub(splat(2.0f), tail), tail);
  return select(isnan(x), x, select(lt(a, splat(0.5f)), small, large));
}

/// log(1 + e^x) = max(x, 0) + log1p(e^-|x|), log1p(u) = log(w) u / (w - 1) with w = 1 + u.
TINYNN_ALWAYS_INLINE V softplus(V x) noexcept {
  const V u = exp(neg(vabs(x)));
  const V w = add(splat(1.0f), u);
  const V log1p_u = select(eq(w, splat(1.0f)), u, mul(log(w), div(u, sub(w, splat(1.0f)))));
  return add(vmax(zero(), x), log1p_u);
}

/// The UnaryOp K of backends/scalar/activation.hpp on a vector.
template <ops::UnaryOp K>
TINYNN_ALWAYS_INLINE V unary_value(const ops::UnaryParams& p, V x) noexcept {
  using ops::UnaryOp;
  if constexpr (K == UnaryOp::identity) return x;
  if constexpr (K == UnaryOp::relu) return vmax(zero(), x);  // NaN stays NaN
  if constexpr (K == UnaryOp::relu6) return vmin(splat(6.0f), vmax(zero(), x));
  if constexpr (K == UnaryOp::clip) return vmin(splat(p.beta), vmax(splat(p.alpha), x));
  if constexpr (K == UnaryOp::leaky_relu) return select(ge(x, zero()), x, mul(splat(p.alpha), x));
  if constexpr (K == UnaryOp::elu) return select(gt(x, zero()), x, mul(splat(p.alpha), expm1(x)));
  if constexpr (K == UnaryOp::selu) {
    return mul(splat(p.beta), select(gt(x, zero()), x, mul(splat(p.alpha), expm1(x))));
  }
  if constexpr (K == UnaryOp::sigmoid) return sigmoid(x);
  if constexpr (K == UnaryOp::tanh) return tanh(x);
  if constexpr (K == UnaryOp::hard_sigmoid) {
    return vmin(splat(1.0f), vmax(zero(), fmadd(splat(p.alpha), x, splat(p.beta))));
  }
  if constexpr (K == UnaryOp::hard_swish) {
    const V c = vmin(splat(6.0f), vmax(zero(), add(x, splat(3.0f))));
    return mul(x, mul(c, splat(1.0f / 6.0f)));
  }
  if constexpr (K == UnaryOp::silu) return mul(x, sigmoid(x));
  if constexpr (K == UnaryOp::gelu_erf) return mul(mul(splat(0.5f), x), erfc(mul(x, splat(-0.70710678118654752440f))));
  if constexpr (K == UnaryOp::gelu_tanh) {
    const V inner = fmadd(mul(splat(0.044715f), mul(x, x)), x, x);
    return mul(x, sigmoid(mul(splat(2.0f * 0.79788456080286535588f), inner)));
  }
  if constexpr (K == UnaryOp::erf) return erf(x);
  if constexpr (K == UnaryOp::exp) return exp(x);
  if constexpr (K == UnaryOp::log) return log(x);
  if constexpr (K == UnaryOp::sqrt) return vsqrt(x);
  if constexpr (K == UnaryOp::abs) return vabs(x);
  if constexpr (K == UnaryOp::neg) return neg(x);
  if constexpr (K == UnaryOp::reciprocal) return div(splat(1.0f), x);
  if constexpr (K == UnaryOp::softplus) return softplus(x);
}

/// The fused activation of ops/common.hpp (apply_activation) on a vector.
TINYNN_ALWAYS_INLINE V activation_value(const ops::ActivationParams& p, V x) noexcept {
  switch (p.kind) {
    case ops::Activation::none: return x;
    case ops::Activation::relu: return vmax(zero(), x);
    case ops::Activation::relu6: return vmin(splat(6.0f), vmax(zero(), x));
    case ops::Activation::clip: return vmin(splat(p.max), vmax(splat(p.min), x));
    case ops::Activation::leaky_relu: return select(ge(x, zero()), x, mul(splat(p.alpha), x));
    case ops::Activation::sigmoid: return sigmoid(x);
    case ops::Activation::tanh: return tanh(x);
    case ops::Activation::hard_swish: {
      const V c = vmin(splat(6.0f), vmax(zero(), add(x, splat(3.0f))));
      return mul(x, mul(c, splat(1.0f / 6.0f)));
    }
  }
  return x;
}

/// The BinaryOp K of backends/scalar/eltwise.hpp on vectors (pow is not vectorised: callers
/// send it to the scalar kernel).
template <ops::BinaryOp K>
TINYNN_ALWAYS_INLINE V binary_value(V a, V b) noexcept {
  using ops::BinaryOp;
  if constexpr (K == BinaryOp::add) return add(a, b);
  if constexpr (K == BinaryOp::sub) return sub(a, b);
  if constexpr (K == BinaryOp::mul) return mul(a, b);
  if constexpr (K == BinaryOp::div) return div(a, b);
  if constexpr (K == BinaryOp::min) return select(isnan(a), a, vmin(a, b));  // NaN in either wins
  if constexpr (K == BinaryOp::max) return select(isnan(a), a, vmax(a, b));
  if constexpr (K == BinaryOp::prelu) return select(lt(a, zero()), mul(a, b), a);
  if constexpr (K == BinaryOp::pow) return a;  // unreachable: pow runs on the scalar kernel
}

/// y[i] = act(y[i]): the fused-activation epilogue.
inline void activation_loop(const ops::ActivationParams& p, float* y, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, n);
    svst1_f32(pg, y + i, activation_value(p, svld1_f32(pg, y + i)));
  }
}

}  // namespace tinynn::backend::sve_impl

#endif  // defined(__ARM_FEATURE_SVE)

// ---- end tinynn/backends/sve/math.hpp ----

#if defined(__ARM_FEATURE_SVE)

namespace tinynn::backend::sve_impl {

template <ops::UnaryOp K>
inline void unary_loop(const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, n);
    svst1_f32(pg, y + i, unary_value<K>(p, svld1_f32(pg, x + i)));
  }
}

}  // namespace tinynn::backend::sve_impl

namespace tinynn::backend {

inline void unary(sve, const ops::UnaryParams& p, const float* x, float* y, std::size_t n) noexcept {
  with_unary_kind(p.kind, [&](auto kind) { sve_impl::unary_loop<decltype(kind)::value>(p, x, y, n); });
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_FEATURE_SVE)

// ---- end tinynn/backends/sve/activation.hpp ----

namespace tinynn::ops::unary {

using Params = UnaryParams;

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Validates the parameters of `p` (clip bounds ordered, parameters not NaN).
[[nodiscard]] inline Status prepare(const Params& p) {
  if (p.alpha != p.alpha || p.beta != p.beta) {
    return error(ErrorCode::invalid_argument, "unary op ", static_cast<int>(p.kind), ": NaN parameter");
  }
  if (p.kind == UnaryOp::clip && p.alpha > p.beta) {
    return error(ErrorCode::invalid_argument, "clip: min ", p.alpha, " is greater than max ", p.beta);
  }
  return {};
}

/// y[i] = f(x[i]) for i < n; in place (x == y) is allowed.
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* x, float* y, std::size_t n) noexcept {
  backend::require_compilable<B>();
  backend::unary(B{}, p, x, y, n);
}

/// Same, with the backend chosen at run time.
inline void run(backend::BackendId id, const Params& p, const float* x, float* y, std::size_t n) noexcept {
  backend::dispatch(id, [&](auto b) { run<decltype(b)>(p, x, y, n); });
}

}  // namespace tinynn::ops::unary

// ---- end tinynn/ops/activation.hpp ----
// ---- begin tinynn/ops/batch_norm.hpp ----
// tinynn — batch normalisation for inference, over the channel (last, NHWC) axis.
//   y = (x - mean) / sqrt(var + eps) * gamma + beta  =  x * scale[c] + shift[c],
//   scale = gamma / sqrt(var + eps), shift = beta - mean * scale (affine() computes them).

#include <cmath>
#include <cstddef>

namespace tinynn::ops {

namespace batch_norm {

/// The four per-channel vectors of a BatchNormalization node.
struct Weights {
  const float* gamma = nullptr;
  const float* beta = nullptr;
  const float* mean = nullptr;
  const float* variance = nullptr;
  float epsilon = 1e-5f;
};
struct Params {
  DynShape shape;                 // input and output, channels last
  ActivationParams activation{};  // fused after the affine map
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

[[nodiscard]] inline Status prepare(const Params& p) {
  if (p.shape.rank() == 0) return error(ErrorCode::invalid_argument, "batch_norm: input must have a channel axis");
  return {};
}

/// scale[c], shift[c] for c < channels; fails on a negative variance + epsilon.
[[nodiscard]] inline Status affine(const Weights& w, std::size_t channels, float* scale, float* shift) {
  for (std::size_t c = 0; c < channels; ++c) {
    const float v = w.variance[c] + w.epsilon;
    if (!(v > 0.0f)) {
      return error(ErrorCode::invalid_model, "batch_norm: variance + epsilon of channel ", c, " is ", v,
                   ", expected > 0");
    }
    scale[c] = w.gamma[c] / std::sqrt(v);
    shift[c] = w.beta[c] - w.mean[c] * scale[c];
  }
  return {};
}

/// Folds a batch norm that follows a convolution or dense layer into its weights and bias.
/// `weights` is seen as [outer, channels, inner] with the output channel in the middle:
/// OHWI conv / [out, in] dense: outer = 1, inner = H*W*I (or in); HWIO / [in, out] / depthwise
/// [1, H, W, C]: outer = H*W*I (or in, H*W), inner = 1. `bias` (channels floats) must exist; write
/// zeros into it first when the layer had none.
[[nodiscard]] inline Status fold(const Weights& w, std::size_t channels, float* weights, std::size_t outer,
                                 std::size_t inner, float* bias) {
  for (std::size_t c = 0; c < channels; ++c) {
    const float v = w.variance[c] + w.epsilon;
    if (!(v > 0.0f)) {
      return error(ErrorCode::invalid_model, "batch_norm fold: variance + epsilon of channel ", c, " is ", v,
                   ", expected > 0");
    }
    const float scale = w.gamma[c] / std::sqrt(v);
    for (std::size_t o = 0; o < outer; ++o) {
      float* row = weights + (o * channels + c) * inner;
      for (std::size_t i = 0; i < inner; ++i) row[i] *= scale;
    }
    bias[c] = (bias[c] - w.mean[c]) * scale + w.beta[c];
  }
  return {};
}

/// y = act(x * scale[c] + shift[c]); in place allowed.
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* x, const float* scale, const float* shift, float* y) noexcept {
  const auto c = static_cast<std::size_t>(p.shape[p.shape.rank() - 1]);
  if (c == 0) return;
  const std::size_t rows = p.shape.size() / c;
  for (std::size_t r = 0; r < rows; ++r, x += c, y += c) {
    for (std::size_t i = 0; i < c; ++i) y[i] = x[i] * scale[i] + shift[i];
    if (p.activation.kind != Activation::none) {
      for (std::size_t i = 0; i < c; ++i) y[i] = apply_activation(p.activation, y[i]);
    }
  }
}

inline void run(backend::BackendId id, const Params& p, const float* x, const float* scale, const float* shift,
                float* y) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, x, scale, shift, y); });
}

}  // namespace batch_norm
}  // namespace tinynn::ops

// ---- end tinynn/ops/batch_norm.hpp ----
// ---- begin tinynn/ops/conv2d.hpp ----
// tinynn — 2-D convolution, NHWC: out[b][y][x][g*Cog + o] = act(bias[g*Cog + o] + sum over ky, kx, c
// of in[b][y*sh - pt + ky*dh][x*sw - pl + kx*dw][g*Cig + c] * w[g*Cog + o][ky][kx][c]) (zero outside).
//
// Weights OHWI: [out_c][kernel_h][kernel_w][in_c / groups] (TFLite's layout; the ONNX importer
// permutes OIHW), bias [out_c] (optional). pack_weights() turns them, once, into per-group GEMM
// panels (ops/gemm.hpp layout, K = kernel_h*kernel_w*in_c/groups ordered (ky, kx, c)).
// SIMD backends run an implicit GEMM: 1x1/stride-1/unpadded convolutions read the input as A in place;
// all others gather im2col rows block by block straight into the packed-A scratch (no full im2col
// buffer). The scalar backend convolves directly (no scratch: the Cortex-M path).

#include <cstddef>
#include <cstdint>

// ---- begin tinynn/backends/cpu_features.hpp ----
// tinynn — run-time CPU feature detection. Runtime dispatch never executes an instruction the CPU
// lacks: it asks these flags (cpuid + xgetbv on x86, hwcaps on aarch64 Linux) first.

#include <cstdint>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define TINYNN_X86_CPUID 1
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#define TINYNN_AARCH64_HWCAP 1
#endif

namespace tinynn {

struct CpuFeatures {
  bool avx2 = false;    // AVX2 + FMA3, with OS support for YMM state
  bool avx512 = false;  // AVX-512 F/BW/DQ/VL, with OS support for ZMM state
  bool avx512_vnni = false;
  bool avx_vnni = false;  // the VEX-encoded vpdpbusd (AVX-VNNI)
  bool neon = false;
  bool neon_dotprod = false;
  bool sve = false;
  bool sve2 = false;
  bool i8mm = false;
};

namespace detail {

inline CpuFeatures detect_cpu_features() noexcept {
  CpuFeatures f;
#if defined(TINYNN_X86_CPUID)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = (ecx >> 27) & 1;
  const bool fma = (ecx >> 12) & 1;
  const bool avx = (ecx >> 28) & 1;
  std::uint64_t xcr0 = 0;
  if (osxsave) {
    unsigned lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (static_cast<std::uint64_t>(hi) << 32) | lo;
  }
  const bool ymm_state = (xcr0 & 0x6) == 0x6;
  const bool zmm_state = (xcr0 & 0xE6) == 0xE6;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
    const bool avx2 = (ebx >> 5) & 1;
    const bool avx512f = (ebx >> 16) & 1, avx512dq = (ebx >> 17) & 1;
    const bool avx512bw = (ebx >> 30) & 1, avx512vl = (ebx >> 31) & 1;
    f.avx2 = avx && avx2 && fma && ymm_state;
    f.avx512 = f.avx2 && avx512f && avx512dq && avx512bw && avx512vl && zmm_state;
    f.avx512_vnni = f.avx512 && ((ecx >> 11) & 1);
    unsigned eax1 = 0, ebx1 = 0, ecx1 = 0, edx1 = 0;
    if (__get_cpuid_count(7, 1, &eax1, &ebx1, &ecx1, &edx1)) f.avx_vnni = f.avx2 && ((eax1 >> 4) & 1);
  }
#elif defined(TINYNN_AARCH64_HWCAP)
  const unsigned long hwcap = getauxval(AT_HWCAP);
  const unsigned long hwcap2 = getauxval(AT_HWCAP2);
  f.neon = (hwcap & (1UL << 1)) != 0;           // HWCAP_ASIMD
  f.neon_dotprod = (hwcap & (1UL << 20)) != 0;  // HWCAP_ASIMDDP
  f.sve = (hwcap & (1UL << 22)) != 0;           // HWCAP_SVE
  f.sve2 = (hwcap2 & (1UL << 1)) != 0;          // HWCAP2_SVE2
  f.i8mm = (hwcap2 & (1UL << 13)) != 0;         // HWCAP2_I8MM
#elif defined(__aarch64__)
  f.neon = true;
#endif
  return f;
}

}  // namespace detail

/// The running CPU's features, detected once.
inline const CpuFeatures& cpu_features() noexcept {
  static const CpuFeatures features = detail::detect_cpu_features();
  return features;
}

/// Whether this binary contains kernels for `id` and the running CPU can execute them.
[[nodiscard]] inline bool backend_available(backend::BackendId id) noexcept {
  const CpuFeatures& f = cpu_features();
  switch (id) {
    case backend::BackendId::scalar: return true;
    case backend::BackendId::avx2: return TINYNN_HAS_X86_KERNELS && f.avx2;
    case backend::BackendId::avx512: return TINYNN_HAS_X86_KERNELS && f.avx512;
    case backend::BackendId::neon: return backend::is_compilable<backend::neon> && f.neon;
    case backend::BackendId::sve: return backend::is_compilable<backend::sve> && f.sve;
  }
  return false;
}

/// The most capable backend that is both compiled in and supported by the running CPU.
[[nodiscard]] inline backend::BackendId runtime_backend() noexcept {
  using backend::BackendId;
  for (BackendId id : {BackendId::sve, BackendId::avx512, BackendId::neon, BackendId::avx2}) {
    if (backend_available(id)) return id;
  }
  return BackendId::scalar;
}

}  // namespace tinynn

// ---- end tinynn/backends/cpu_features.hpp ----
// ---- begin tinynn/ops/detail/conv_direct.hpp ----
// tinynn — the direct path of conv2d for small / narrow convolutions (few input or output channels,
// small images, dense layers run as a 1-pixel convolution): no im2col GEMM, no 16-column panels.
//
// Packed weights are HWIO, unpadded: w[((ky * kernel_w + kx) * in_c + ci) * out_c + co], then the bias
// (out_c floats). The layout depends only on the conv Params, so it is packed once (constexpr for
// static networks) and any backend runs it.
//
// Two kernel shapes read it:
//  - pixel-vector (SIMD backends, images with >= `lanes` output pixels): one vector holds `lanes`
//    neighbouring output pixels of one output channel; a call computes up to 8 pixel vectors x 8
//    channels in registers, broadcasting one weight per FMA. The input is first rearranged into
//    scratch so that neighbouring output pixels read neighbouring floats: either zero-padded planes
//    per input channel with the columns split by stride phase (wide images), or a transposed im2col
//    [kh*kw*in_c][pixels] (narrow images, where a row would leave most lanes idle).
//  - channel-vector (scalar, and SIMD for 1-4 output pixels such as dense layers): per output pixel,
//    a chunk of output channels accumulates input value x weight row, reading the NHWC input in place.

#include <cstddef>
#include <cstdint>

// ---- begin tinynn/ops/detail/conv_geometry.hpp ----
// tinynn — convolution geometry shared by conv2d and depthwise_conv2d: padding modes and the
// resolved shape (output size, effective padding) that drivers and backend kernels loop over.

#include <cstdint>

namespace tinynn::ops {

/// How a convolution's padding is given: explicit (Padding2D), or TensorFlow/ONNX SAME (extra
/// pixel after for same_upper, before for same_lower; output = ceil(input / stride)).
enum class PaddingMode : std::uint8_t { explicit_padding, same_upper, same_lower };

}  // namespace tinynn::ops

namespace tinynn::ops::detail {

/// Everything a convolution kernel needs, resolved (NHWC input [batch][in_h][in_w][in_c], output
/// [batch][out_h][out_w][out_c]; each group sees in_c/groups input and out_c/groups output channels).
struct ConvShape {
  std::int64_t batch = 0, in_h = 0, in_w = 0, in_c = 0;
  std::int64_t out_h = 0, out_w = 0, out_c = 0;
  std::int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  std::int64_t pad_top = 0, pad_left = 0;
  std::int64_t groups = 1;
};

[[nodiscard]] constexpr Padding2D conv_resolve_padding(PaddingMode mode, const Padding2D& explicit_padding,
                                                       std::int64_t in_h, std::int64_t in_w, std::int64_t kernel_h,
                                                       std::int64_t kernel_w, std::int64_t stride_h,
                                                       std::int64_t stride_w, std::int64_t dilation_h,
                                                       std::int64_t dilation_w) noexcept {
  if (mode == PaddingMode::explicit_padding) return explicit_padding;
  const bool lower = mode == PaddingMode::same_lower;
  const SamePadding v = same_padding(in_h, kernel_h, stride_h, dilation_h, lower);
  const SamePadding h = same_padding(in_w, kernel_w, stride_w, dilation_w, lower);
  return Padding2D{v.before, h.before, v.after, h.after};
}

}  // namespace tinynn::ops::detail

// ---- end tinynn/ops/detail/conv_geometry.hpp ----
// ---- begin tinynn/ops/detail/gemm_kernel.hpp ----
// tinynn — the contract between the GEMM/conv drivers in ops/ and the per-backend micro-kernels in
// backends/<tag>/gemm.hpp: the packed-B layout (the same for every backend, so weights packed once
// serve any backend the CPU has), the packed-A layout, and the fused epilogue in clamp form.

#include <cstddef>
#include <cstdint>
#include <limits>

namespace tinynn::ops::detail {

/// Packed B (weights) is a sequence of panels of gemm_panel_width columns: panel p holds
/// B[k][16p + j] at p*K*16 + k*16 + j (columns past N are zero), followed by the bias padded to
/// panels*16 (zeros where absent). Every backend reads this one layout.
inline constexpr std::int64_t gemm_panel_width = 16;

[[nodiscard]] constexpr std::int64_t gemm_panel_count(std::int64_t n) noexcept {
  return (n + gemm_panel_width - 1) / gemm_panel_width;
}

/// Floats of one packed B for an N x K problem (panels plus padded bias).
[[nodiscard]] constexpr std::size_t gemm_packed_b_floats(std::int64_t n, std::int64_t k) noexcept {
  const std::int64_t padded = gemm_panel_count(n) * gemm_panel_width;
  return static_cast<std::size_t>(padded * k + padded);
}

/// Packs B into `dst` (gemm_packed_b_floats(n, k) floats). `b` is either [K][N] (b_is_nk false)
/// or [N][K] (b_is_nk true: dense/conv weights), rows `ldb` floats apart; `bias` (N floats) may be null.
constexpr void gemm_pack_b(std::int64_t n, std::int64_t k, const float* b, std::int64_t ldb, bool b_is_nk,
                           const float* bias, float* dst) noexcept {
  const std::int64_t panels = gemm_panel_count(n);
  for (std::int64_t p = 0; p < panels; ++p) {
    float* panel = dst + p * k * gemm_panel_width;
    for (std::int64_t kk = 0; kk < k; ++kk) {
      for (std::int64_t j = 0; j < gemm_panel_width; ++j) {
        const std::int64_t col = p * gemm_panel_width + j;
        float value = 0.0f;
        if (col < n) value = b_is_nk ? b[col * ldb + kk] : b[kk * ldb + col];
        panel[kk * gemm_panel_width + j] = value;
      }
    }
  }
  float* packed_bias = dst + panels * gemm_panel_width * k;
  for (std::int64_t col = 0; col < panels * gemm_panel_width; ++col) {
    packed_bias[col] = (bias != nullptr && col < n) ? bias[col] : 0.0f;
  }
}

/// The fused activation as the micro-kernels apply it: y = clamp(x, lo, hi), or leaky
/// (x >= 0 ? x : alpha x) when `leaky`. Sigmoid, tanh and hard-swish are not clamp-like: the drivers
/// apply them with apply_activation() after the kernel (`scalar_pass`).
struct GemmEpilogue {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  float alpha = 0.0f;
  bool leaky = false;
  bool scalar_pass = false;
};

[[nodiscard]] constexpr GemmEpilogue gemm_epilogue(const ActivationParams& a) noexcept {
  GemmEpilogue e;
  switch (a.kind) {
    case Activation::none: break;
    case Activation::relu: e.lo = 0.0f; break;
    case Activation::relu6:
      e.lo = 0.0f;
      e.hi = 6.0f;
      break;
    case Activation::clip:
      e.lo = a.min;
      e.hi = a.max;
      break;
    case Activation::leaky_relu:
      e.leaky = true;
      e.alpha = a.alpha;
      break;
    case Activation::sigmoid:
    case Activation::tanh:
    case Activation::hard_swish: e.scalar_pass = true; break;
  }
  return e;
}

/// One micro-kernel call: C[rows x 16*panels] (+)= A[rows x kc] * B[kc x 16*panels].
/// A is packed as [kc][rows]; B points at row k0 of the first panel, further panels are
/// `b_panel_stride` floats apart. `first`: start from the bias (else from C); `last`: apply the
/// epilogue. The kernel writes all 16*panels columns (the driver gives it a temporary at the N edge).
struct GemmTile {
  std::int64_t kc = 0;
  const float* a = nullptr;
  const float* b = nullptr;
  std::int64_t b_panel_stride = 0;
  const float* bias = nullptr;
  float* c = nullptr;
  std::int64_t ldc = 0;
  bool first = true;
  bool last = true;
  GemmEpilogue epilogue;
};

/// One direct micro-kernel call (A not packed): the depth of the k block splits into `segments`
/// runs of segment_len[s] contiguous floats; rows[s * R + r] points at row r's run s (R = the
/// kernel's row count; never null: padding points at gemm_zeros). tile.b/c/bias/first/last as above
/// (tile.a, tile.kc unused); all 16*panels columns and all R rows are written.
struct GemmDirectTile {
  GemmTile tile;
  std::int64_t segments = 0;
  const std::int64_t* segment_len = nullptr;
  const float* const* rows = nullptr;
};

/// Zeros a direct tile reads for padding taps and missing rows (segments are at most this long).
inline constexpr std::int64_t gemm_direct_max_segment = 256;
alignas(64) inline constexpr float gemm_zeros[gemm_direct_max_segment] = {};

/// Packs `rows` (<= 16) rows of `kc` contiguous floats, row r at src[r] (nullptr: a row of
/// zeros, e.g. convolution padding), as [kc][rows] at `dst`. Backends supply faster versions
/// (kernels::gemm_pack_rows_fn); this one is the portable reference.
using GemmPackRowsFn = void (*)(int rows, const float* const* src, std::int64_t kc, float* dst) noexcept;

inline void gemm_pack_rows_portable(int rows, const float* const* src, std::int64_t kc, float* dst) noexcept {
  for (int r = 0; r < rows; ++r) {
    const float* row = src[r];
    if (row == nullptr) {
      for (std::int64_t kk = 0; kk < kc; ++kk) dst[kk * rows + r] = 0.0f;
    } else {
      for (std::int64_t kk = 0; kk < kc; ++kk) dst[kk * rows + r] = row[kk];
    }
  }
}

/// What a backend's blocked GEMM micro-kernel handles: up to `mr` rows and `panels` panels per call
/// (mr == 0: the backend has no blocked kernel and runs the direct scalar loops).
struct GemmKernelShape {
  int mr = 0;
  int panels = 1;
};

}  // namespace tinynn::ops::detail

// ---- end tinynn/ops/detail/gemm_kernel.hpp ----

namespace tinynn::ops::detail {

inline constexpr std::int64_t conv_direct_max_kernel_w = 16;
inline constexpr int conv_direct_max_cb = 8;  // output channels per pixel-vector call
inline constexpr int conv_direct_max_pb = 8;  // pixel vectors per pixel-vector call

[[nodiscard]] constexpr std::int64_t conv_direct_depth(const ConvShape& s) noexcept {
  return s.kernel_h * s.kernel_w * s.in_c;
}

/// Whether conv2d takes the direct path (decided from the shape alone: it fixes the packed layout).
[[nodiscard]] constexpr bool conv_direct_applies(const ConvShape& s) noexcept {
  if (s.groups != 1 || s.kernel_w > conv_direct_max_kernel_w) return false;
  if (s.batch * s.out_h * s.out_w <= 4) return true;  // matrix-vector (dense layers, 1-pixel convolutions)
  const bool pointwise = s.kernel_h == 1 && s.kernel_w == 1 && s.stride_h == 1 && s.stride_w == 1;
  if (pointwise) return s.out_c <= 8;
  return s.out_c <= 16 || s.in_c <= 4;
}

[[nodiscard]] constexpr std::size_t conv_direct_packed_floats(const ConvShape& s) noexcept {
  return static_cast<std::size_t>(conv_direct_depth(s) * s.out_c + s.out_c);
}

/// OHWI weights [out_c][kh][kw][in_c] and bias (out_c floats, may be null) -> HWIO + bias.
constexpr void conv_direct_pack(const ConvShape& s, const float* weights, const float* bias, float* packed) noexcept {
  const std::int64_t depth = conv_direct_depth(s);
  for (std::int64_t k = 0; k < depth; ++k) {
    for (std::int64_t o = 0; o < s.out_c; ++o) packed[k * s.out_c + o] = weights[o * depth + k];
  }
  for (std::int64_t o = 0; o < s.out_c; ++o) packed[depth * s.out_c + o] = bias != nullptr ? bias[o] : 0.0f;
}

/// Pixel-vector mode on a backend with `lanes` floats per vector (1 = channel-vector only).
[[nodiscard]] constexpr bool conv_direct_pixel_mode(const ConvShape& s, std::int64_t lanes) noexcept {
  return lanes > 1 && s.out_h * s.out_w >= lanes;
}

/// How the pixel-vector kernels find their input in scratch.
struct ConvDirectSource {
  bool planes = true;
  std::int64_t hp = 0, wq = 0, wrow = 0, plane = 0;  // planes: rows, width per stride phase, row and plane strides
  std::int64_t m = 0, mstride = 0;                   // transposed im2col: pixels per image, row stride
  std::int64_t floats = 0;
};

[[nodiscard]] constexpr ConvDirectSource conv_direct_source(const ConvShape& s, std::int64_t lanes) noexcept {
  ConvDirectSource r;
  const std::int64_t per_row = (s.out_w + lanes - 1) / lanes;
  r.planes = 2 * per_row * lanes <= 3 * s.out_w;  // at most a third of the lanes idle
  if (r.planes) {
    r.hp = (s.out_h - 1) * s.stride_h + (s.kernel_h - 1) * s.dilation_h + 1;
    r.wq = s.out_w + ((s.kernel_w - 1) * s.dilation_w) / s.stride_w + lanes;
    r.wrow = s.stride_w * r.wq;
    r.plane = r.hp * r.wrow;
    r.floats = s.in_c * r.plane;
  } else {
    r.m = s.out_h * s.out_w;
    r.mstride = r.m + lanes;
    r.floats = conv_direct_depth(s) * r.mstride;
  }
  return r;
}

/// Scratch floats of the direct path on a backend with `lanes` floats per vector.
[[nodiscard]] constexpr std::size_t conv_direct_scratch_floats(const ConvShape& s, std::int64_t lanes) noexcept {
  return conv_direct_pixel_mode(s, lanes) ? static_cast<std::size_t>(conv_direct_source(s, lanes).floats) : 0;
}

/// One pixel-vector call: for pixel vector p < pb and channel c < cb,
/// dst[p][l * ldo + c] = bias[c] + sum over (ky, kx, ci) of
/// src[p][ky * row_step + kx_off[kx] + ci * plane_step + l] * w[((ky * kernel_w + kx) * cin + ci) * ldw + c]
/// for l < count[p] (count 0: skip), clamped by the epilogue (sigmoid/tanh/hard-swish are the caller's).
struct ConvDirectTile {
  const float* src[conv_direct_max_pb] = {};
  float* dst[conv_direct_max_pb] = {};
  std::int64_t count[conv_direct_max_pb] = {};
  const float* w = nullptr;
  const float* bias = nullptr;
  std::int64_t ldw = 0, ldo = 0, kernel_h = 0, kernel_w = 0, cin = 0, row_step = 0, plane_step = 0;
  const std::int64_t* kx_off = nullptr;
  GemmEpilogue epilogue;
};

/// Writes `count` output pixels of `cb` channels (`ldo` floats apart) from a [cb][lanes] tile: the
/// portable transpose that kernels without a vector one use.
template <int CB>
inline void conv_direct_store_tile(const float* tile, std::int64_t lanes, float* dst, std::int64_t count,
                                   std::int64_t ldo) noexcept {
  for (std::int64_t l = 0; l < count; ++l) {
    float* o = dst + l * ldo;
#pragma GCC unroll 8
    for (int c = 0; c < CB; ++c) o[c] = tile[c * lanes + l];
  }
}

namespace conv_direct_impl {

/// Stride-phase planes of one image: plane ci, row r (input row r - pad_top), phase ph, index q holds
/// input column q * stride_w + ph - pad_left (zero outside the image).
inline void fill_planes(const ConvShape& s, const ConvDirectSource& src, const float* in_b, float* scratch) noexcept {
  const std::int64_t cin = s.in_c, sw = s.stride_w;
  for (std::int64_t r = 0; r < src.hp; ++r) {
    const std::int64_t iy = r - s.pad_top;
    if (iy < 0 || iy >= s.in_h) {
      for (std::int64_t ci = 0; ci < cin; ++ci) {
        float* d = scratch + ci * src.plane + r * src.wrow;
        for (std::int64_t q = 0; q < src.wrow; ++q) d[q] = 0.0f;
      }
      continue;
    }
    const float* row = in_b + iy * s.in_w * cin;
    for (std::int64_t ph = 0; ph < sw; ++ph) {
      // q range whose column q * sw + ph - pad_left lies inside [0, in_w).
      const std::int64_t before = s.pad_left - ph;
      std::int64_t q_lo = before > 0 ? (before + sw - 1) / sw : 0;
      const std::int64_t last = s.in_w - 1 + s.pad_left - ph;
      std::int64_t q_hi = last < 0 ? 0 : last / sw + 1;
      if (q_hi > src.wq) q_hi = src.wq;
      if (q_lo > q_hi) q_lo = q_hi;
      for (std::int64_t ci = 0; ci < cin; ++ci) {
        float* d = scratch + ci * src.plane + r * src.wrow + ph * src.wq;
        for (std::int64_t q = 0; q < q_lo; ++q) d[q] = 0.0f;
        for (std::int64_t q = q_hi; q < src.wq; ++q) d[q] = 0.0f;
      }
      const float* first = row + (q_lo * sw + ph - s.pad_left) * cin;
      if (cin == 1) {
        float* d = scratch + r * src.wrow + ph * src.wq;
        for (std::int64_t q = q_lo; q < q_hi; ++q) d[q] = first[(q - q_lo) * sw];
      } else {
        for (std::int64_t q = q_lo; q < q_hi; ++q) {
          const float* sp = first + (q - q_lo) * sw * cin;
          float* d = scratch + r * src.wrow + ph * src.wq + q;
          for (std::int64_t ci = 0; ci < cin; ++ci) d[ci * src.plane] = sp[ci];
        }
      }
    }
  }
}

/// Transposed im2col of one image: row (ky * kernel_w + kx) * cin + ci, column = output pixel.
inline void fill_columns(const ConvShape& s, const ConvDirectSource& src, const float* in_b, float* scratch) noexcept {
  const std::int64_t cin = s.in_c;
  for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
    for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
      float* rows = scratch + (ky * s.kernel_w + kx) * cin * src.mstride;
      for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
        const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
        const bool row_in = iy >= 0 && iy < s.in_h;
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
          const std::int64_t m = oy * s.out_w + ox;
          if (row_in && ix >= 0 && ix < s.in_w) {
            const float* sp = in_b + (iy * s.in_w + ix) * cin;
            for (std::int64_t ci = 0; ci < cin; ++ci) rows[ci * src.mstride + m] = sp[ci];
          } else {
            for (std::int64_t ci = 0; ci < cin; ++ci) rows[ci * src.mstride + m] = 0.0f;
          }
        }
      }
      for (std::int64_t ci = 0; ci < cin; ++ci) {
        for (std::int64_t m = src.m; m < src.mstride; ++m) rows[ci * src.mstride + m] = 0.0f;
      }
    }
  }
}

}  // namespace conv_direct_impl

/// The pixel-vector driver: rearranges the input into `scratch`, walks pixel vectors and channel chunks
/// and calls `kernel(pb, cb, tile)`, which writes the NHWC output. `pb_of_cb[cb]`: how many pixel
/// vectors the backend computes at once for a chunk of cb channels.
template <class Kernel>
void conv_direct_pixels(const Kernel& kernel, const int* pb_of_cb, std::int64_t lanes, const ConvShape& s,
                        const float* input, const float* packed, float* output, const ActivationParams& activation,
                        float* scratch) noexcept {
  const ConvDirectSource src = conv_direct_source(s, lanes);
  const std::int64_t cin = s.in_c, cout = s.out_c;
  const std::int64_t depth = conv_direct_depth(s);
  const std::int64_t chunks = (cout + conv_direct_max_cb - 1) / conv_direct_max_cb;
  const std::int64_t cb_full = (cout + chunks - 1) / chunks;
  std::int64_t kx_off[conv_direct_max_kernel_w] = {};
  ConvDirectTile t;
  t.ldw = cout;
  t.ldo = cout;
  t.kernel_h = s.kernel_h;
  t.kernel_w = s.kernel_w;
  t.cin = cin;
  t.kx_off = kx_off;
  t.epilogue = gemm_epilogue(activation);
  if (src.planes) {
    t.row_step = s.dilation_h * src.wrow;
    t.plane_step = src.plane;
    for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
      kx_off[kx] = ((kx * s.dilation_w) % s.stride_w) * src.wq + (kx * s.dilation_w) / s.stride_w;
    }
  } else {
    t.row_step = s.kernel_w * cin * src.mstride;
    t.plane_step = src.mstride;
    for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) kx_off[kx] = kx * cin * src.mstride;
  }
  const std::int64_t per_row = (s.out_w + lanes - 1) / lanes;
  const std::int64_t blocks = src.planes ? s.out_h * per_row : (src.m + lanes - 1) / lanes;
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* in_b = input + b * s.in_h * s.in_w * cin;
    float* out_b = output + b * s.out_h * s.out_w * cout;
    if (src.planes) {
      conv_direct_impl::fill_planes(s, src, in_b, scratch);
    } else {
      conv_direct_impl::fill_columns(s, src, in_b, scratch);
    }
    for (std::int64_t co0 = 0; co0 < cout; co0 += cb_full) {
      const int cb = static_cast<int>(cout - co0 < cb_full ? cout - co0 : cb_full);
      const int pb = pb_of_cb[cb];
      t.w = packed + co0;
      t.bias = packed + depth * cout + co0;
      for (std::int64_t j0 = 0; j0 < blocks; j0 += pb) {
        for (int i = 0; i < pb; ++i) {
          const std::int64_t j = j0 + i < blocks ? j0 + i : blocks - 1;
          std::int64_t first = 0, n = 0;
          if (src.planes) {
            const std::int64_t oy = j / per_row, x0 = (j % per_row) * lanes;
            n = s.out_w - x0 < lanes ? s.out_w - x0 : lanes;
            t.src[i] = scratch + oy * s.stride_h * src.wrow + x0;
            first = oy * s.out_w + x0;
          } else {
            first = j * lanes;
            n = src.m - first < lanes ? src.m - first : lanes;
            t.src[i] = scratch + first;
          }
          t.dst[i] = out_b + first * cout + co0;
          t.count[i] = j0 + i < blocks ? n : 0;
        }
        kernel(pb, cb, t);
        if (t.epilogue.scalar_pass) {
          for (int i = 0; i < pb; ++i) {
            for (std::int64_t l = 0; l < t.count[i]; ++l) {
              for (int c = 0; c < cb; ++c)
                t.dst[i][l * cout + c] = apply_activation(activation, t.dst[i][l * cout + c]);
            }
          }
        }
      }
    }
  }
}

}  // namespace tinynn::ops::detail

// ---- end tinynn/ops/detail/conv_direct.hpp ----
// ---- begin tinynn/ops/detail/gemm_driver.hpp ----
// tinynn — the blocked GEMM driver shared by gemm, conv2d and fully_connected on backends with a
// micro-kernel (avx2, avx512, neon, sve): cache blocking over K (kc) and M (mc), A packed per block
// into scratch by a caller-supplied packer (plain rows for GEMM, an implicit im2col gather for
// convolutions), then micro-kernel calls over the B panels that stay in L1 while A streams from L2.

#include <cstddef>
#include <cstdint>

namespace tinynn::ops::detail {

inline constexpr std::int64_t gemm_kc = 256;       // K block: one B panel slice (kc x 32 floats) fits L1
inline constexpr std::int64_t gemm_mc_rows = 128;  // M block bound: the packed A block (mc x kc) fits L2
inline constexpr int gemm_max_mr = 16;
inline constexpr int gemm_max_panels = 2;

/// Floats of scratch the blocked driver needs (the packed A block).
[[nodiscard]] constexpr std::size_t gemm_blocked_scratch_floats(std::int64_t m, std::int64_t k) noexcept {
  const std::int64_t rows = m < gemm_mc_rows ? m : gemm_mc_rows;
  const std::int64_t depth = k < gemm_kc ? k : gemm_kc;
  return static_cast<std::size_t>(rows * depth);
}

/// Packs rows [row0, row0 + rows) x columns [k0, k0 + kc) of a row-major A as [kc][rows].
struct GemmRowPacker {
  const float* a;
  std::int64_t lda;
  GemmPackRowsFn pack_rows = &gemm_pack_rows_portable;
  void operator()(std::int64_t row0, std::int64_t rows, std::int64_t k0, std::int64_t kc, float* dst) const noexcept {
    const float* src[gemm_max_mr];
    for (std::int64_t r = 0; r < rows; ++r) src[r] = a + (row0 + r) * lda + k0;
    pack_rows(static_cast<int>(rows), src, kc, dst);
  }
};

/// C[M x N] = act(A B + bias) through `kernel(rows, panels, tile)` (a backend micro-kernel).
template <class Kernel, class PackA>
void gemm_blocked(const Kernel& kernel, GemmKernelShape shape, std::int64_t m, std::int64_t n, std::int64_t k,
                  const PackA& pack_a, const float* packed_b, float* c, std::int64_t ldc,
                  const ActivationParams& activation, float* scratch) noexcept {
  if (m <= 0 || n <= 0) return;
  const GemmEpilogue epilogue = gemm_epilogue(activation);
  const std::int64_t mr = shape.mr;
  const std::int64_t mc_max = mr * (gemm_mc_rows / mr);
  const std::int64_t panels = gemm_panel_count(n);
  const float* bias = packed_b + panels * gemm_panel_width * k;
  const std::int64_t k_steps = k > 0 ? k : 1;  // K == 0: one pass that writes act(bias)
  // One tile descriptor, set up once and updated per call: rebuilding it per tile (byte-wide
  // stores read back as wider loads) stalled store forwarding for ~5% of a large GEMM.
  GemmTile tile;
  tile.epilogue = epilogue;
  tile.b_panel_stride = k * gemm_panel_width;
  for (std::int64_t k0 = 0; k0 < k_steps; k0 += gemm_kc) {
    const std::int64_t kc = k - k0 < gemm_kc ? (k > 0 ? k - k0 : 0) : gemm_kc;
    const bool first = k0 == 0;
    const bool last = k0 + gemm_kc >= k;
    tile.kc = kc;
    tile.first = first;
    tile.last = last;
    for (std::int64_t m0 = 0; m0 < m; m0 += mc_max) {
      const std::int64_t mc = m - m0 < mc_max ? m - m0 : mc_max;
      float* a_block = scratch;
      for (std::int64_t i = 0; i < mc; i += mr) {
        const std::int64_t h = mc - i < mr ? mc - i : mr;
        if (kc > 0) pack_a(m0 + i, h, k0, kc, a_block);
        a_block += h * kc;
      }
      for (std::int64_t p0 = 0; p0 < panels; p0 += shape.panels) {
        const std::int64_t np = panels - p0 < shape.panels ? panels - p0 : shape.panels;
        const std::int64_t col0 = p0 * gemm_panel_width;
        const std::int64_t width = np * gemm_panel_width;
        const std::int64_t cols = n - col0 < width ? n - col0 : width;
        const float* a_panel = scratch;
        for (std::int64_t i = 0; i < mc; i += mr) {
          const std::int64_t h = mc - i < mr ? mc - i : mr;
          tile.a = a_panel;
          tile.b = packed_b + p0 * k * gemm_panel_width + k0 * gemm_panel_width;
          tile.bias = bias + col0;
          float* c_tile = c + (m0 + i) * ldc + col0;
          if (cols == width) {
            tile.c = c_tile;
            tile.ldc = ldc;
            kernel(static_cast<int>(h), static_cast<int>(np), tile);
          } else {
            alignas(64) float temp[gemm_max_mr * gemm_max_panels * gemm_panel_width];
            if (!first) {
              for (std::int64_t r = 0; r < h; ++r) {
                for (std::int64_t j = 0; j < cols; ++j) temp[r * width + j] = c_tile[r * ldc + j];
              }
            }
            tile.c = temp;
            tile.ldc = width;
            kernel(static_cast<int>(h), static_cast<int>(np), tile);
            for (std::int64_t r = 0; r < h; ++r) {
              for (std::int64_t j = 0; j < cols; ++j) c_tile[r * ldc + j] = temp[r * width + j];
            }
          }
          if (last && epilogue.scalar_pass) {
            for (std::int64_t r = 0; r < h; ++r) {
              for (std::int64_t j = 0; j < cols; ++j)
                c_tile[r * ldc + j] = apply_activation(activation, c_tile[r * ldc + j]);
            }
          }
          a_panel += h * kc;
        }
      }
    }
  }
}

// ---- Direct path: A read in place (no packing), for narrow N (at most 4 panels = 64 columns) ----

inline constexpr int gemm_direct_max_rows = 8;
inline constexpr std::int64_t gemm_direct_max_segments = 64;

/// Row source of a plain row-major A for the direct path: one segment per k block.
struct GemmRowSource {
  const float* a;
  std::int64_t lda;
  /// Fills rows[s * tile_rows + r] and segment_len[s] for rows [row0, row0 + count) (rows past
  /// `count` repeat a real row: their results are discarded) and depth [k0, k0 + kc); returns the
  /// number of segments.
  std::int64_t operator()(std::int64_t row0, std::int64_t count, int tile_rows, std::int64_t k0, std::int64_t kc,
                          const float** rows, std::int64_t* segment_len) const noexcept {
    for (int r = 0; r < tile_rows; ++r) rows[r] = a + (row0 + (r < count ? r : 0)) * lda + k0;
    segment_len[0] = kc;
    return 1;
  }
};

/// The depth block of the direct path: the B chunk (kc x 16*panels floats) stays within ~32 KB of L1.
[[nodiscard]] constexpr std::int64_t gemm_direct_kc(std::int64_t panels) noexcept {
  return panels >= 4 ? 128 : (panels == 3 ? 160 : gemm_direct_max_segment);
}

/// C[M x N] = act(A B + bias) for N <= 64 through `kernel(panels, direct_tile)`, `tile_rows` rows a call,
/// A rows supplied in place by `source` (GemmRowSource or an implicit-im2col equivalent).
template <class Kernel, class RowSource>
void gemm_direct_blocked(const Kernel& kernel, int tile_rows, std::int64_t m, std::int64_t n, std::int64_t k,
                         const RowSource& source, const float* packed_b, float* c, std::int64_t ldc,
                         const ActivationParams& activation) noexcept {
  if (m <= 0 || n <= 0) return;
  const std::int64_t panels = gemm_panel_count(n);
  const std::int64_t width = panels * gemm_panel_width;
  const std::int64_t kc_max = gemm_direct_kc(panels);
  const float* bias = packed_b + panels * gemm_panel_width * k;
  const GemmEpilogue epilogue = gemm_epilogue(activation);
  const float* rows[gemm_direct_max_rows * gemm_direct_max_segments];
  std::int64_t segment_len[gemm_direct_max_segments];
  GemmDirectTile d;
  d.rows = rows;
  d.segment_len = segment_len;
  d.tile.epilogue = epilogue;
  d.tile.b_panel_stride = k * gemm_panel_width;
  d.tile.bias = bias;
  const std::int64_t k_steps = k > 0 ? k : 1;  // K == 0: one pass that writes act(bias)
  for (std::int64_t k0 = 0; k0 < k_steps; k0 += kc_max) {
    const std::int64_t kc = k - k0 < kc_max ? (k > 0 ? k - k0 : 0) : kc_max;
    d.tile.first = k0 == 0;
    d.tile.last = k0 + kc_max >= k;
    d.tile.b = packed_b + k0 * gemm_panel_width;
    for (std::int64_t row0 = 0; row0 < m; row0 += tile_rows) {
      const std::int64_t count = m - row0 < tile_rows ? m - row0 : tile_rows;
      d.segments = kc > 0 ? source(row0, count, tile_rows, k0, kc, rows, segment_len) : 0;
      float* c_tile = c + row0 * ldc;
      if (count == tile_rows && n == width) {
        d.tile.c = c_tile;
        d.tile.ldc = ldc;
        kernel(static_cast<int>(panels), d);
      } else {
        alignas(64) float temp[gemm_direct_max_rows * 4 * gemm_panel_width];
        if (!d.tile.first) {
          for (std::int64_t r = 0; r < count; ++r) {
            for (std::int64_t j = 0; j < n; ++j) temp[r * width + j] = c_tile[r * ldc + j];
          }
        }
        d.tile.c = temp;
        d.tile.ldc = width;
        kernel(static_cast<int>(panels), d);
        for (std::int64_t r = 0; r < count; ++r) {
          for (std::int64_t j = 0; j < n; ++j) c_tile[r * ldc + j] = temp[r * width + j];
        }
      }
      if (d.tile.last && epilogue.scalar_pass) {
        for (std::int64_t r = 0; r < count; ++r) {
          for (std::int64_t j = 0; j < n; ++j) c_tile[r * ldc + j] = apply_activation(activation, c_tile[r * ldc + j]);
        }
      }
    }
  }
}

}  // namespace tinynn::ops::detail

// ---- end tinynn/ops/detail/gemm_driver.hpp ----
// Backend kernels.
// ---- begin tinynn/backends/avx2/conv2d.hpp ----
// tinynn — avx2 Conv2D kernels: convolutions run as implicit GEMM (ops/conv2d.hpp) on this backend's
// GEMM micro-kernel (backends/avx2/gemm.hpp); no convolution-specific kernel is needed here yet.

// ---- begin tinynn/backends/avx2/gemm.hpp ----
// tinynn — AVX2+FMA GEMM micro-kernel: up to 6 rows x 16 columns (one packed-B panel, two ymm per
// row) in 12 ymm accumulators; per k step two B loads and 6 broadcast-FMA pairs. Raw intrinsics in
// TINYNN_TARGET_AVX2 functions (config.hpp), selected at run time only on CPUs with AVX2 and FMA.

#include <utility>

// ---- begin tinynn/backends/scalar/gemm.hpp ----
// tinynn — scalar GEMM kernels: portable C++ (no SIMD, no heap, no exceptions), also for Cortex-M.
// C[M x N] = act(A[M x K] * B + bias) with B packed in 16-column panels (ops/detail/gemm_kernel.hpp).
// A is read in place (no packing, no scratch), four rows at a time so that each B row is loaded once.

#include <cstdint>

namespace tinynn::kernels {

/// The scalar backend has no blocked micro-kernel: the drivers call gemm_direct() instead.
[[nodiscard]] constexpr ops::detail::GemmKernelShape gemm_kernel_shape(backend::scalar) noexcept { return {0, 1}; }

/// C = act(A B + bias). `a`: rows `lda` floats apart; `packed_b`: gemm_pack_b() output for (n, k).
inline void gemm_direct(backend::scalar, std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
                        std::int64_t lda, const float* packed_b, float* c, std::int64_t ldc,
                        const ops::ActivationParams& activation) noexcept {
  constexpr std::int64_t width = ops::detail::gemm_panel_width;
  constexpr std::int64_t block_rows = 4;
  const std::int64_t panels = ops::detail::gemm_panel_count(n);
  const float* bias = packed_b + panels * width * k;
  for (std::int64_t row0 = 0; row0 < m; row0 += block_rows) {
    const std::int64_t rows = m - row0 < block_rows ? m - row0 : block_rows;
    for (std::int64_t p = 0; p < panels; ++p) {
      const float* panel = packed_b + p * k * width;
      float acc[block_rows][width];
      for (std::int64_t r = 0; r < block_rows; ++r) {
        for (std::int64_t j = 0; j < width; ++j) acc[r][j] = bias[p * width + j];
      }
      for (std::int64_t kk = 0; kk < k; ++kk) {
        const float* b_row = panel + kk * width;
        for (std::int64_t r = 0; r < rows; ++r) {
          const float a_value = a[(row0 + r) * lda + kk];
          for (std::int64_t j = 0; j < width; ++j) acc[r][j] += a_value * b_row[j];
        }
      }
      const std::int64_t cols = n - p * width < width ? n - p * width : width;
      for (std::int64_t r = 0; r < rows; ++r) {
        float* c_row = c + (row0 + r) * ldc + p * width;
        for (std::int64_t j = 0; j < cols; ++j) c_row[j] = ops::apply_activation(activation, acc[r][j]);
      }
    }
  }
}

/// The A-panel packer the blocked drivers use on backend `Tag`; backends with a faster one
/// (a SIMD transpose) overload this for their tag.
template <class Tag>
[[nodiscard]] constexpr ops::detail::GemmPackRowsFn gemm_pack_rows_fn(Tag) noexcept {
  return &ops::detail::gemm_pack_rows_portable;
}

/// Rows per direct (unpacked-A) tile for `panels` panels; 0: backend `Tag` has no direct kernel.
template <class Tag>
[[nodiscard]] constexpr int gemm_direct_rows(Tag, int /*panels*/) noexcept {
  return 0;
}
/// Never called for a backend whose gemm_direct_rows() is 0.
template <class Tag>
inline void gemm_direct_tile(Tag, int /*panels*/, const ops::detail::GemmDirectTile& /*tile*/) noexcept {}

/// The portable micro-kernel (the reference the SIMD kernels are tested against, and the blocked
/// driver's kernel when it runs with the scalar tag in tests).
inline void gemm_tile(backend::scalar, int rows, int panels, const ops::detail::GemmTile& t) noexcept {
  constexpr std::int64_t width = ops::detail::gemm_panel_width;
  for (int p = 0; p < panels; ++p) {
    const float* panel = t.b + p * t.b_panel_stride;
    for (int r = 0; r < rows; ++r) {
      float acc[width];
      float* c_row = t.c + r * t.ldc + p * width;
      for (std::int64_t j = 0; j < width; ++j) acc[j] = t.first ? t.bias[p * width + j] : c_row[j];
      for (std::int64_t kk = 0; kk < t.kc; ++kk) {
        const float a_value = t.a[kk * rows + r];
        for (std::int64_t j = 0; j < width; ++j) acc[j] += a_value * panel[kk * width + j];
      }
      for (std::int64_t j = 0; j < width; ++j) {
        float v = acc[j];
        if (t.last) {
          const ops::detail::GemmEpilogue& e = t.epilogue;
          if (e.leaky) v = v >= 0.0f ? v : e.alpha * v;
          v = v < e.lo ? e.lo : (v > e.hi ? e.hi : v);
        }
        c_row[j] = v;
      }
    }
  }
}

}  // namespace tinynn::kernels

// ---- end tinynn/backends/scalar/gemm.hpp ----

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::kernels {

namespace detail {

template <int R>
TINYNN_TARGET_AVX2 void gemm_tile_avx2(const ops::detail::GemmTile& t) noexcept {
  __m256 acc[R][2];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      acc[r][h] = t.first ? _mm256_loadu_ps(t.bias + 8 * h) : _mm256_loadu_ps(t.c + r * t.ldc + 8 * h);
    }
  }
  const float* a = t.a;
  const float* b = t.b;
  for (std::int64_t kk = 0; kk < t.kc; ++kk) {
    const __m256 b_lo = _mm256_loadu_ps(b + kk * 16);
    const __m256 b_hi = _mm256_loadu_ps(b + kk * 16 + 8);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + kk * R + r);
      acc[r][0] = _mm256_fmadd_ps(av, b_lo, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(av, b_hi, acc[r][1]);
    }
  }
  if (t.last) {
    const ops::detail::GemmEpilogue& e = t.epilogue;
    const __m256 lo = _mm256_set1_ps(e.lo), hi = _mm256_set1_ps(e.hi), alpha = _mm256_set1_ps(e.alpha);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        __m256 x = acc[r][h];
        if (e.leaky) {
          const __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
          x = _mm256_blendv_ps(x, _mm256_mul_ps(x, alpha), negative);
        }
        acc[r][h] = _mm256_min_ps(_mm256_max_ps(x, lo), hi);
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    _mm256_storeu_ps(t.c + r * t.ldc, acc[r][0]);
    _mm256_storeu_ps(t.c + r * t.ldc + 8, acc[r][1]);
  }
}

/// ops::detail::GemmPackRowsFn for up to 8 rows: 8x8 in-register transposes, [kc][rows] out.
TINYNN_TARGET_AVX2 inline void gemm_pack_rows_avx2(int rows, const float* const* src, std::int64_t kc,
                                                   float* dst) noexcept {
  if (rows == 1) {  // [kc][1] is the row itself: a copy, not a transpose (GEMV, batch-1 dense layers)
    ops::detail::gemm_pack_rows_portable(1, src, kc, dst);
    return;
  }
  alignas(32) static constexpr std::int32_t lanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  const __m256i row_mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lanes + 8 - rows));
  for (std::int64_t k0 = 0; k0 < kc; k0 += 8) {
    const std::int64_t len = kc - k0 < 8 ? kc - k0 : 8;
    const __m256i k_mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lanes + 8 - len));
    __m256 r[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i) {
      r[i] = (i < rows && src[i] != nullptr) ? _mm256_maskload_ps(src[i] + k0, k_mask) : _mm256_setzero_ps();
    }
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    __m256 c[8];
    c[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    c[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    c[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    c[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    c[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    c[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    c[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    c[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
    float* d = dst + k0 * rows;
    for (int j = 0; j < len; ++j) _mm256_maskstore_ps(d + j * rows, row_mask, c[j]);
  }
}

template <int... R>
void gemm_tile_avx2_rows(int rows, const ops::detail::GemmTile& t, std::integer_sequence<int, R...>) noexcept {
  (void)((rows == R + 1 ? (gemm_tile_avx2<R + 1>(t), true) : false) || ...);
}

}  // namespace detail

[[nodiscard]] constexpr ops::detail::GemmKernelShape gemm_kernel_shape(backend::avx2) noexcept { return {6, 1}; }

[[nodiscard]] inline ops::detail::GemmPackRowsFn gemm_pack_rows_fn(backend::avx2) noexcept {
  return &detail::gemm_pack_rows_avx2;
}

inline void gemm_tile(backend::avx2, int rows, int /*panels: always 1*/, const ops::detail::GemmTile& t) noexcept {
  detail::gemm_tile_avx2_rows(rows, t, std::make_integer_sequence<int, 6>{});
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx2/gemm.hpp ----
// ---- begin tinynn/backends/scalar/conv2d.hpp ----
// tinynn — scalar Conv2D: direct convolution over the packed (GEMM-panel) weights, NHWC, no scratch,
// no heap; the Cortex-M path. One output pixel at a time, 16 output channels (one panel) per pass.

#include <cstdint>

namespace tinynn::kernels {

/// `packed`: per group, gemm_pack_b() of that group's [out_c/groups][kh*kw*in_c/groups] weights.
inline void conv2d_direct(backend::scalar, const ops::detail::ConvShape& s, const float* input, const float* packed,
                          float* output, const ops::ActivationParams& activation) noexcept {
  constexpr std::int64_t width = ops::detail::gemm_panel_width;
  const std::int64_t cin = s.in_c / s.groups;
  const std::int64_t cout = s.out_c / s.groups;
  const std::int64_t depth = s.kernel_h * s.kernel_w * cin;
  const std::int64_t panels = ops::detail::gemm_panel_count(cout);
  const auto group_floats = static_cast<std::int64_t>(ops::detail::gemm_packed_b_floats(cout, depth));
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        float* out_pixel = output + ((b * s.out_h + oy) * s.out_w + ox) * s.out_c;
        for (std::int64_t g = 0; g < s.groups; ++g) {
          const float* weights = packed + g * group_floats;
          const float* bias = weights + panels * width * depth;
          for (std::int64_t p = 0; p < panels; ++p) {
            const float* panel = weights + p * depth * width;
            float acc[width];
            for (std::int64_t j = 0; j < width; ++j) acc[j] = bias[p * width + j];
            for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
              const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
              if (iy < 0 || iy >= s.in_h) continue;
              for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
                const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
                if (ix < 0 || ix >= s.in_w) continue;
                const float* src = input + ((b * s.in_h + iy) * s.in_w + ix) * s.in_c + g * cin;
                const float* w = panel + (ky * s.kernel_w + kx) * cin * width;
                for (std::int64_t ci = 0; ci < cin; ++ci) {
                  const float a = src[ci];
                  for (std::int64_t j = 0; j < width; ++j) acc[j] += a * w[ci * width + j];
                }
              }
            }
            const std::int64_t cols = cout - p * width < width ? cout - p * width : width;
            float* dst = out_pixel + g * cout + p * width;
            for (std::int64_t j = 0; j < cols; ++j) dst[j] = ops::apply_activation(activation, acc[j]);
          }
        }
      }
    }
  }
}

}  // namespace tinynn::kernels

// ---- end tinynn/backends/scalar/conv2d.hpp ----

// ---- end tinynn/backends/avx2/conv2d.hpp ----
// ---- begin tinynn/backends/avx512/conv2d.hpp ----
// tinynn — avx512 Conv2D kernels: convolutions run as implicit GEMM (ops/conv2d.hpp) on this backend's
// GEMM micro-kernel (backends/avx512/gemm.hpp); no convolution-specific kernel is needed here yet.

// ---- begin tinynn/backends/avx512/gemm.hpp ----
// tinynn — AVX-512 GEMM micro-kernel: up to 14 rows x 32 columns (two packed-B panels) of
// accumulators in 28 zmm registers; per k step two B loads and 14 broadcast-FMA pairs from the
// packed A panel. Raw intrinsics in TINYNN_TARGET_AVX512 functions (config.hpp), so any x86
// translation unit carries them and runtime dispatch picks them only on CPUs with AVX-512.

#include <utility>

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::kernels {

namespace detail {

/// The end of every AVX-512 tile: add C (unless `first`), apply the epilogue (when `last`), store.
template <int R, int P>
TINYNN_TARGET_AVX512 inline void finish_tile_avx512(__m512 (&acc)[R][P], const ops::detail::GemmTile& t) noexcept {
  if (!t.first) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (int p = 0; p < P; ++p) acc[r][p] = _mm512_add_ps(acc[r][p], _mm512_loadu_ps(t.c + r * t.ldc + 16 * p));
    }
  }
  if (t.last) {
    const ops::detail::GemmEpilogue& e = t.epilogue;
    const __m512 lo = _mm512_set1_ps(e.lo), hi = _mm512_set1_ps(e.hi), alpha = _mm512_set1_ps(e.alpha);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (int p = 0; p < P; ++p) {
        __m512 x = acc[r][p];
        if (e.leaky) {
          const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
          x = _mm512_mask_mul_ps(x, negative, x, alpha);
        }
        // The masked forms: GCC 12's plain _mm512_max_ps/min_ps trip -Wmaybe-uninitialized.
        x = _mm512_mask_max_ps(x, 0xFFFF, x, lo);
        acc[r][p] = _mm512_mask_min_ps(x, 0xFFFF, x, hi);
      }
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) _mm512_storeu_ps(t.c + r * t.ldc + 16 * p, acc[r][p]);
  }
}

/// Starts a tile's accumulators from the bias (first k block) or zero, prefetching the C tile.
template <int R, int P>
TINYNN_TARGET_AVX512 inline void start_tile_avx512(__m512 (&acc)[R][P], const ops::detail::GemmTile& t) noexcept {
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(t.c + r * t.ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(t.c + r * t.ldc + 16 * P - 1), _MM_HINT_T0);
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) acc[r][p] = t.first ? _mm512_loadu_ps(t.bias + 16 * p) : _mm512_setzero_ps();
  }
}

template <int R, int P>
TINYNN_TARGET_AVX512 void gemm_tile_avx512(const ops::detail::GemmTile& t) noexcept {
  // Start from the bias (or zero) and add C after the k loop: the C tile's cache lines, prefetched
  // here, arrive while the FMAs run instead of stalling the first loads (~10% at 1024^3).
  __m512 acc[R][P];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(t.c + r * t.ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(t.c + r * t.ldc + 16 * P - 1), _MM_HINT_T0);
#pragma GCC unroll 2
    for (int p = 0; p < P; ++p) acc[r][p] = t.first ? _mm512_loadu_ps(t.bias + 16 * p) : _mm512_setzero_ps();
  }
  const float* a = t.a;
  const float* b0 = t.b;
  const float* b1 = t.b + t.b_panel_stride;
  for (std::int64_t kk = 0; kk < t.kc; ++kk) {
    const __m512 bv0 = _mm512_loadu_ps(b0 + kk * 16);
    const __m512 bv1 = P > 1 ? _mm512_loadu_ps(b1 + kk * 16) : bv0;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(a[kk * R + r]);
      acc[r][0] = _mm512_fmadd_ps(av, bv0, acc[r][0]);
      if constexpr (P > 1) acc[r][P - 1] = _mm512_fmadd_ps(av, bv1, acc[r][P - 1]);
    }
  }
  finish_tile_avx512<R, P>(acc, t);
}

/// Direct tile: A read in place (no packing) from R row pointers per depth segment, up to 4 panels.
/// Used for narrow N, where packing A cost as much as the FMAs it fed.
template <int R, int P>
TINYNN_TARGET_AVX512 void gemm_direct_tile_avx512(const ops::detail::GemmDirectTile& d) noexcept {
  const ops::detail::GemmTile& t = d.tile;
  __m512 acc[R][P];
  start_tile_avx512<R, P>(acc, t);
  const float* b = t.b;
  const std::int64_t stride = t.b_panel_stride;
  for (std::int64_t s = 0; s < d.segments; ++s) {
    const float* row[R];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) row[r] = d.rows[s * R + r];
    const std::int64_t len = d.segment_len[s];
    for (std::int64_t kk = 0; kk < len; ++kk) {
      __m512 bv[P];
#pragma GCC unroll 4
      for (int p = 0; p < P; ++p) bv[p] = _mm512_loadu_ps(b + p * stride + kk * 16);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        const __m512 av = _mm512_set1_ps(row[r][kk]);
#pragma GCC unroll 4
        for (int p = 0; p < P; ++p) acc[r][p] = _mm512_fmadd_ps(av, bv[p], acc[r][p]);
      }
    }
    b += len * 16;
  }
  finish_tile_avx512<R, P>(acc, t);
}

/// In-register transpose of 16 rows of 16 floats (4 shuffle stages, 64 shuffles).
TINYNN_TARGET_AVX512 inline void transpose_16x16_avx512(__m512 (&r)[16]) noexcept {
  __m512 t[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_mask_unpacklo_ps(r[2 * i], 0xFFFF, r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_mask_unpackhi_ps(r[2 * i], 0xFFFF, r[2 * i], r[2 * i + 1]);
  }
  __m512 u[16];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    const __m512d t0 = _mm512_castps_pd(t[4 * i]), t1 = _mm512_castps_pd(t[4 * i + 1]);
    const __m512d t2 = _mm512_castps_pd(t[4 * i + 2]), t3 = _mm512_castps_pd(t[4 * i + 3]);
    u[4 * i] = _mm512_castpd_ps(_mm512_mask_unpacklo_pd(t0, 0xFF, t0, t2));
    u[4 * i + 1] = _mm512_castpd_ps(_mm512_mask_unpackhi_pd(t0, 0xFF, t0, t2));
    u[4 * i + 2] = _mm512_castpd_ps(_mm512_mask_unpacklo_pd(t1, 0xFF, t1, t3));
    u[4 * i + 3] = _mm512_castpd_ps(_mm512_mask_unpackhi_pd(t1, 0xFF, t1, t3));
  }
  // u[4i + j] holds, in 128-bit lane L, column 4L + j of rows 4i..4i+3.
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    const __m512 v0 = _mm512_mask_shuffle_f32x4(u[j], 0xFFFF, u[j], u[4 + j], 0x88),
                 w0 = _mm512_mask_shuffle_f32x4(u[j], 0xFFFF, u[j], u[4 + j], 0xdd);
    const __m512 v1 = _mm512_mask_shuffle_f32x4(u[8 + j], 0xFFFF, u[8 + j], u[12 + j], 0x88);
    const __m512 w1 = _mm512_mask_shuffle_f32x4(u[8 + j], 0xFFFF, u[8 + j], u[12 + j], 0xdd);
    r[j] = _mm512_mask_shuffle_f32x4(v0, 0xFFFF, v0, v1, 0x88);
    r[8 + j] = _mm512_mask_shuffle_f32x4(v0, 0xFFFF, v0, v1, 0xdd);
    r[4 + j] = _mm512_mask_shuffle_f32x4(w0, 0xFFFF, w0, w1, 0x88);
    r[12 + j] = _mm512_mask_shuffle_f32x4(w0, 0xFFFF, w0, w1, 0xdd);
  }
}

/// ops::detail::GemmPackRowsFn: up to 16 rows packed as [kc][rows] through 16x16 transposes
/// (the portable element loop costs ~3 cycles a float, which dominated small-N problems).
TINYNN_TARGET_AVX512 inline void gemm_pack_rows_avx512(int rows, const float* const* src, std::int64_t kc,
                                                       float* dst) noexcept {
  if (rows == 1) {  // [kc][1] is the row itself: a copy, not a transpose (GEMV, batch-1 dense layers)
    ops::detail::gemm_pack_rows_portable(1, src, kc, dst);
    return;
  }
  const auto row_mask = static_cast<__mmask16>((1u << rows) - 1u);
  for (std::int64_t k0 = 0; k0 < kc; k0 += 16) {
    const std::int64_t len = kc - k0 < 16 ? kc - k0 : 16;
    const auto k_mask = static_cast<__mmask16>((1u << len) - 1u);
    __m512 r[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
      r[i] = (i < rows && src[i] != nullptr) ? _mm512_maskz_loadu_ps(k_mask, src[i] + k0) : _mm512_setzero_ps();
    }
    transpose_16x16_avx512(r);
    float* d = dst + k0 * rows;
    if (len == 16) {
#pragma GCC unroll 16
      for (int j = 0; j < 16; ++j) _mm512_mask_storeu_ps(d + j * rows, row_mask, r[j]);
    } else {
      for (int j = 0; j < len; ++j) _mm512_mask_storeu_ps(d + j * rows, row_mask, r[j]);
    }
  }
}

template <int P, int... R>
void gemm_tile_avx512_rows(int rows, const ops::detail::GemmTile& t, std::integer_sequence<int, R...>) noexcept {
  (void)((rows == R + 1 ? (gemm_tile_avx512<R + 1, P>(t), true) : false) || ...);
}

}  // namespace detail

[[nodiscard]] constexpr ops::detail::GemmKernelShape gemm_kernel_shape(backend::avx512) noexcept { return {14, 2}; }

[[nodiscard]] inline ops::detail::GemmPackRowsFn gemm_pack_rows_fn(backend::avx512) noexcept {
  return &detail::gemm_pack_rows_avx512;
}

/// The direct (unpacked-A) tile: rows per call for 1..4 panels (0: no direct kernel for that width).
[[nodiscard]] constexpr int gemm_direct_rows(backend::avx512, int panels) noexcept {
  return panels <= 3 ? 8 : (panels == 4 ? 6 : 0);
}

inline void gemm_direct_tile(backend::avx512, int panels, const ops::detail::GemmDirectTile& d) noexcept {
  switch (panels) {
    case 1: detail::gemm_direct_tile_avx512<8, 1>(d); break;
    case 2: detail::gemm_direct_tile_avx512<8, 2>(d); break;
    case 3: detail::gemm_direct_tile_avx512<8, 3>(d); break;
    default: detail::gemm_direct_tile_avx512<6, 4>(d); break;
  }
}

inline void gemm_tile(backend::avx512, int rows, int panels, const ops::detail::GemmTile& t) noexcept {
  if (panels == 2) {
    detail::gemm_tile_avx512_rows<2>(rows, t, std::make_integer_sequence<int, 14>{});
  } else {
    detail::gemm_tile_avx512_rows<1>(rows, t, std::make_integer_sequence<int, 14>{});
  }
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx512/gemm.hpp ----

// ---- end tinynn/backends/avx512/conv2d.hpp ----
// ---- begin tinynn/backends/avx512/conv2d_direct.hpp ----
// tinynn — AVX-512 direct convolution (ops/detail/conv_direct.hpp): pixel-vector tiles of up to
// 8 x 16 output pixels x 8 output channels in zmm accumulators, one broadcast weight per FMA; 1-4
// output pixels (dense layers) use channel vectors over the HWIO rows with masked tails.

#include <array>
#include <cstddef>
#include <cstdint>

// ---- begin tinynn/backends/avx2/conv2d_direct.hpp ----
// tinynn — AVX2 direct convolution (ops/detail/conv_direct.hpp): pixel-vector tiles of up to
// 4 x 8 output pixels x 8 output channels in ymm accumulators, one broadcast weight per FMA group; 1-4
// output pixels (dense layers) use channel vectors over the HWIO rows with masked tails.

#include <cstdint>

// ---- begin tinynn/backends/scalar/conv2d_direct.hpp ----
// tinynn — scalar direct convolution (ops/detail/conv_direct.hpp): per output pixel, a chunk of up to
// 4 output channels accumulates in registers while the kernel window reads the NHWC input in place.
// HWIO unpadded weights, no scratch, no heap: the Cortex-M path for small convolutions and dense layers.

#include <cstddef>
#include <cstdint>

namespace tinynn::kernels {

namespace detail {

template <int CB>
void conv_direct_scalar_chunk(const ops::detail::ConvShape& s, const float* input, const float* packed, float* output,
                              std::ptrdiff_t co0, const ops::detail::GemmEpilogue& e) noexcept {
  // ptrdiff_t (32-bit on Cortex-M) for the index arithmetic of the inner loops.
  const auto in_h = static_cast<std::ptrdiff_t>(s.in_h), in_w = static_cast<std::ptrdiff_t>(s.in_w);
  const auto cin = static_cast<std::ptrdiff_t>(s.in_c), cout = static_cast<std::ptrdiff_t>(s.out_c);
  const auto kh = static_cast<std::ptrdiff_t>(s.kernel_h), kw = static_cast<std::ptrdiff_t>(s.kernel_w);
  const auto sh = static_cast<std::ptrdiff_t>(s.stride_h), sw = static_cast<std::ptrdiff_t>(s.stride_w);
  const auto dh = static_cast<std::ptrdiff_t>(s.dilation_h), dw = static_cast<std::ptrdiff_t>(s.dilation_w);
  const auto pt = static_cast<std::ptrdiff_t>(s.pad_top), pl = static_cast<std::ptrdiff_t>(s.pad_left);
  const auto out_h = static_cast<std::ptrdiff_t>(s.out_h), out_w = static_cast<std::ptrdiff_t>(s.out_w);
  const float* bias = packed + kh * kw * cin * cout + co0;
  for (std::ptrdiff_t b = 0; b < static_cast<std::ptrdiff_t>(s.batch); ++b) {
    const float* in_b = input + b * in_h * in_w * cin;
    for (std::ptrdiff_t oy = 0; oy < out_h; ++oy) {
      for (std::ptrdiff_t ox = 0; ox < out_w; ++ox) {
        float acc[CB];
        for (int c = 0; c < CB; ++c) acc[c] = bias[c];
        for (std::ptrdiff_t ky = 0; ky < kh; ++ky) {
          const std::ptrdiff_t iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= in_h) continue;
          for (std::ptrdiff_t kx = 0; kx < kw; ++kx) {
            const std::ptrdiff_t ix = ox * sw - pl + kx * dw;
            if (ix < 0 || ix >= in_w) continue;
            const float* src = in_b + (iy * in_w + ix) * cin;
            const float* w = packed + (ky * kw + kx) * cin * cout + co0;
            for (std::ptrdiff_t ci = 0; ci < cin; ++ci) {
              const float a = src[ci];
              for (int c = 0; c < CB; ++c) acc[c] += a * w[c];
              w += cout;
            }
          }
        }
        float* dst = output + ((b * out_h + oy) * out_w + ox) * cout + co0;
        for (int c = 0; c < CB; ++c) {
          float v = acc[c];
          if (e.leaky && v < 0.0f) v *= e.alpha;
          v = v < e.lo ? e.lo : v;
          dst[c] = v > e.hi ? e.hi : v;
        }
      }
    }
  }
}

}  // namespace detail

/// Floats per vector of this backend's direct-convolution kernels (1: channel-vector only, no scratch).
[[nodiscard]] constexpr std::int64_t conv_direct_lanes(backend::scalar) noexcept { return 1; }

/// The channel-vector direct convolution, chunks of up to 4 output channels (4 instantiations: this
/// is also the Cortex-M code, where flash counts).
inline void conv_direct_channels_scalar(const ops::detail::ConvShape& s, const float* input, const float* packed,
                                        float* output, const ops::ActivationParams& activation) noexcept {
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  const std::int64_t chunks = (s.out_c + 3) / 4;
  const std::int64_t cb_full = (s.out_c + chunks - 1) / chunks;
  for (std::int64_t co0 = 0; co0 < s.out_c; co0 += cb_full) {
    const std::int64_t cb = s.out_c - co0 < cb_full ? s.out_c - co0 : cb_full;
    const auto c0 = static_cast<std::ptrdiff_t>(co0);
    switch (cb) {
      case 1: detail::conv_direct_scalar_chunk<1>(s, input, packed, output, c0, e); break;
      case 2: detail::conv_direct_scalar_chunk<2>(s, input, packed, output, c0, e); break;
      case 3: detail::conv_direct_scalar_chunk<3>(s, input, packed, output, c0, e); break;
      default: detail::conv_direct_scalar_chunk<4>(s, input, packed, output, c0, e); break;
    }
  }
  if (e.scalar_pass) {
    const std::int64_t total = s.batch * s.out_h * s.out_w * s.out_c;
    for (std::int64_t i = 0; i < total; ++i) output[i] = ops::apply_activation(activation, output[i]);
  }
}

/// `packed`: ops::detail::conv_direct_pack() (HWIO + bias). No scratch.
inline void conv2d_direct_small(backend::scalar, const ops::detail::ConvShape& s, const float* input,
                                const float* packed, float* output, const ops::ActivationParams& activation,
                                float*) noexcept {
  conv_direct_channels_scalar(s, input, packed, output, activation);
}

}  // namespace tinynn::kernels

// ---- end tinynn/backends/scalar/conv2d_direct.hpp ----

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::kernels {

namespace detail {

TINYNN_TARGET_AVX2 inline __m256 conv_direct_epilogue_avx2(__m256 v, const ops::detail::GemmEpilogue& e) noexcept {
  if (e.leaky) {
    const __m256 negative = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
    v = _mm256_blendv_ps(v, _mm256_mul_ps(v, _mm256_set1_ps(e.alpha)), negative);
  }
  v = _mm256_max_ps(v, _mm256_set1_ps(e.lo));
  return _mm256_min_ps(v, _mm256_set1_ps(e.hi));
}

template <int PB, int CB>
TINYNN_TARGET_AVX2 void conv_direct_tile_avx2(const ops::detail::ConvDirectTile& t) noexcept {
  __m256 acc[PB][CB];
#pragma GCC unroll 8
  for (int c = 0; c < CB; ++c) {
    const __m256 b = _mm256_set1_ps(t.bias[c]);
#pragma GCC unroll 8
    for (int p = 0; p < PB; ++p) acc[p][c] = b;
  }
  const float* w = t.w;
  for (std::int64_t ky = 0; ky < t.kernel_h; ++ky) {
    for (std::int64_t kx = 0; kx < t.kernel_w; ++kx) {
      const std::int64_t offset = ky * t.row_step + t.kx_off[kx];
      for (std::int64_t ci = 0; ci < t.cin; ++ci) {
        const std::int64_t o = offset + ci * t.plane_step;
        __m256 x[PB];
#pragma GCC unroll 8
        for (int p = 0; p < PB; ++p) x[p] = _mm256_loadu_ps(t.src[p] + o);
#pragma GCC unroll 8
        for (int c = 0; c < CB; ++c) {
          const __m256 wv = _mm256_set1_ps(w[c]);
#pragma GCC unroll 8
          for (int p = 0; p < PB; ++p) acc[p][c] = _mm256_fmadd_ps(x[p], wv, acc[p][c]);
        }
        w += t.ldw;
      }
    }
  }
  alignas(32) float tile[CB * 8];
#pragma GCC unroll 8
  for (int p = 0; p < PB; ++p) {
    if (t.count[p] == 0) continue;
#pragma GCC unroll 8
    for (int c = 0; c < CB; ++c) _mm256_store_ps(tile + c * 8, conv_direct_epilogue_avx2(acc[p][c], t.epilogue));
    ops::detail::conv_direct_store_tile<CB>(tile, 8, t.dst[p], t.count[p], t.ldo);
  }
}

inline constexpr int conv_direct_pb_avx2[ops::detail::conv_direct_max_cb + 1] = {1, 4, 4, 3, 2, 2, 2, 1, 1};

inline void conv_direct_tile_avx2_cb(int cb, const ops::detail::ConvDirectTile& t) noexcept {
  switch (cb) {
    case 1: conv_direct_tile_avx2<4, 1>(t); break;
    case 2: conv_direct_tile_avx2<4, 2>(t); break;
    case 3: conv_direct_tile_avx2<3, 3>(t); break;
    case 4: conv_direct_tile_avx2<2, 4>(t); break;
    case 5: conv_direct_tile_avx2<2, 5>(t); break;
    case 6: conv_direct_tile_avx2<2, 6>(t); break;
    case 7: conv_direct_tile_avx2<1, 7>(t); break;
    default: conv_direct_tile_avx2<1, 8>(t); break;
  }
}

/// Channel-vector chunk of n <= 8 * CV output channels starting at co0, every output pixel.
template <int CV>
TINYNN_TARGET_AVX2 void conv_direct_channels_avx2(const ops::detail::ConvShape& s, const float* input,
                                                  const float* packed, float* output, std::int64_t co0, std::int64_t n,
                                                  const ops::detail::GemmEpilogue& e) noexcept {
  constexpr int U = CV == 1 ? 4 : (CV == 2 ? 2 : 1);  // independent partial sums over the input channels
  const std::int64_t cin = s.in_c, cout = s.out_c;
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i mask[CV];
#pragma GCC unroll 4
  for (int v = 0; v < CV; ++v) {
    const std::int64_t rest = n - 8 * v;
    mask[v] = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rest > 8 ? 8 : rest)), lane);
  }
  const float* bias = packed + ops::detail::conv_direct_depth(s) * cout + co0;
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* in_b = input + b * s.in_h * s.in_w * cin;
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        __m256 acc[U][CV];
#pragma GCC unroll 4
        for (int u = 0; u < U; ++u) {
#pragma GCC unroll 4
          for (int v = 0; v < CV; ++v) acc[u][v] = _mm256_setzero_ps();
        }
        for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
          const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
          if (iy < 0 || iy >= s.in_h) continue;
          for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
            const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
            if (ix < 0 || ix >= s.in_w) continue;
            const float* src = in_b + (iy * s.in_w + ix) * cin;
            const float* w = packed + (ky * s.kernel_w + kx) * cin * cout + co0;
            std::int64_t ci = 0;
            for (; ci + U <= cin; ci += U) {
#pragma GCC unroll 4
              for (int u = 0; u < U; ++u) {
                const __m256 x = _mm256_set1_ps(src[ci + u]);
#pragma GCC unroll 4
                for (int v = 0; v < CV; ++v) {
                  acc[u][v] = _mm256_fmadd_ps(x, _mm256_maskload_ps(w + (ci + u) * cout + 8 * v, mask[v]), acc[u][v]);
                }
              }
            }
            for (; ci < cin; ++ci) {
              const __m256 x = _mm256_set1_ps(src[ci]);
#pragma GCC unroll 4
              for (int v = 0; v < CV; ++v) {
                acc[0][v] = _mm256_fmadd_ps(x, _mm256_maskload_ps(w + ci * cout + 8 * v, mask[v]), acc[0][v]);
              }
            }
          }
        }
        float* dst = output + ((b * s.out_h + oy) * s.out_w + ox) * cout + co0;
#pragma GCC unroll 4
        for (int v = 0; v < CV; ++v) {
          __m256 r = _mm256_maskload_ps(bias + 8 * v, mask[v]);
#pragma GCC unroll 4
          for (int u = 0; u < U; ++u) r = _mm256_add_ps(r, acc[u][v]);
          _mm256_maskstore_ps(dst + 8 * v, mask[v], conv_direct_epilogue_avx2(r, e));
        }
      }
    }
  }
}

}  // namespace detail

[[nodiscard]] constexpr std::int64_t conv_direct_lanes(backend::avx2) noexcept { return 8; }

/// `packed`: ops::detail::conv_direct_pack(); `scratch`: conv_direct_scratch_floats(s, 8) floats.
inline void conv2d_direct_small(backend::avx2, const ops::detail::ConvShape& s, const float* input, const float* packed,
                                float* output, const ops::ActivationParams& activation, float* scratch) noexcept {
  if (ops::detail::conv_direct_pixel_mode(s, 8)) {
    ops::detail::conv_direct_pixels(
        [](int, int cb, const ops::detail::ConvDirectTile& t) noexcept { detail::conv_direct_tile_avx2_cb(cb, t); },
        detail::conv_direct_pb_avx2, 8, s, input, packed, output, activation, scratch);
    return;
  }
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  for (std::int64_t co0 = 0; co0 < s.out_c; co0 += 32) {
    const std::int64_t n = s.out_c - co0 < 32 ? s.out_c - co0 : 32;
    switch ((n + 7) / 8) {
      case 1: detail::conv_direct_channels_avx2<1>(s, input, packed, output, co0, n, e); break;
      case 2: detail::conv_direct_channels_avx2<2>(s, input, packed, output, co0, n, e); break;
      case 3: detail::conv_direct_channels_avx2<3>(s, input, packed, output, co0, n, e); break;
      default: detail::conv_direct_channels_avx2<4>(s, input, packed, output, co0, n, e); break;
    }
  }
  if (e.scalar_pass) {
    const std::int64_t total = s.batch * s.out_h * s.out_w * s.out_c;
    for (std::int64_t i = 0; i < total; ++i) output[i] = ops::apply_activation(activation, output[i]);
  }
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx2/conv2d_direct.hpp ----

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::kernels {

namespace detail {

/// Permutation tables that interleave CB vectors of 16 pixels into 16 pixels x CB channels.
template <int CB>
struct ConvDirectInterleave16 {
  static constexpr std::array<std::int32_t, 16 * CB> index = [] {
    std::array<std::int32_t, 16 * CB> a{};
    for (int e = 0; e < 16 * CB; ++e) a[static_cast<std::size_t>(e)] = e / CB;
    return a;
  }();
  static constexpr std::array<std::uint16_t, CB* CB> mask = [] {
    std::array<std::uint16_t, CB * CB> m{};
    for (int j = 0; j < CB; ++j) {
      for (int l = 0; l < 16; ++l) {
        const int e = 16 * j + l;
        m[static_cast<std::size_t>(j * CB + e % CB)] =
            static_cast<std::uint16_t>(m[static_cast<std::size_t>(j * CB + e % CB)] | (1u << l));
      }
    }
    return m;
  }();
};

template <int PB, int CB>
TINYNN_TARGET_AVX512 void conv_direct_tile_avx512(const ops::detail::ConvDirectTile& t) noexcept {
  __m512 acc[PB][CB];
#pragma GCC unroll 8
  for (int c = 0; c < CB; ++c) {
    const __m512 b = _mm512_set1_ps(t.bias[c]);
#pragma GCC unroll 8
    for (int p = 0; p < PB; ++p) acc[p][c] = b;
  }
  const float* w = t.w;
  for (std::int64_t ky = 0; ky < t.kernel_h; ++ky) {
    for (std::int64_t kx = 0; kx < t.kernel_w; ++kx) {
      const std::int64_t offset = ky * t.row_step + t.kx_off[kx];
      for (std::int64_t ci = 0; ci < t.cin; ++ci) {
        const std::int64_t o = offset + ci * t.plane_step;
        __m512 x[PB];
#pragma GCC unroll 8
        for (int p = 0; p < PB; ++p) x[p] = _mm512_loadu_ps(t.src[p] + o);
#pragma GCC unroll 8
        for (int c = 0; c < CB; ++c) {
          const __m512 wv = _mm512_set1_ps(w[c]);
#pragma GCC unroll 8
          for (int p = 0; p < PB; ++p) acc[p][c] = _mm512_fmadd_ps(x[p], wv, acc[p][c]);
        }
        w += t.ldw;
      }
    }
  }
  const ops::detail::GemmEpilogue& e = t.epilogue;
  const __m512 lo = _mm512_set1_ps(e.lo), hi = _mm512_set1_ps(e.hi), alpha = _mm512_set1_ps(e.alpha);
  using interleave = ConvDirectInterleave16<CB>;
  alignas(64) float buffer[16 * CB + 16];
#pragma GCC unroll 8
  for (int p = 0; p < PB; ++p) {
    const std::int64_t count = t.count[p];
    if (count == 0) continue;
#pragma GCC unroll 8
    for (int c = 0; c < CB; ++c) {
      __m512 v = acc[p][c];
      if (e.leaky) v = _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ), v, alpha);
      v = _mm512_mask_max_ps(v, 0xFFFF, v, lo);  // masked forms: GCC 12 -Wmaybe-uninitialized
      acc[p][c] = _mm512_mask_min_ps(v, 0xFFFF, v, hi);
    }
    // [CB][16 pixels] -> [16 pixels][CB]: output vector j gathers element 16j + l from channel (16j + l) % CB.
    __m512 o[CB];
#pragma GCC unroll 8
    for (int j = 0; j < CB; ++j) {
      const __m512i idx = _mm512_loadu_si512(interleave::index.data() + 16 * j);
      o[j] = _mm512_maskz_permutexvar_ps(0xFFFF, idx, acc[p][0]);  // maskz: GCC 12 -Wmaybe-uninitialized
#pragma GCC unroll 8
      for (int c = 1; c < CB; ++c) {
        o[j] = _mm512_mask_permutexvar_ps(o[j], interleave::mask[static_cast<std::size_t>(j * CB + c)], idx, acc[p][c]);
      }
    }
    float* dst = t.dst[p];
    if (t.ldo == CB) {
      const std::int64_t total = count * CB;
#pragma GCC unroll 8
      for (int j = 0; j < CB; ++j) {
        const std::int64_t n = total - 16 * j;
        if (n >= 16) {
          _mm512_storeu_ps(dst + 16 * j, o[j]);
        } else if (n > 0) {
          _mm512_mask_storeu_ps(dst + 16 * j, static_cast<__mmask16>((1u << n) - 1u), o[j]);
        }
      }
    } else {
#pragma GCC unroll 8
      for (int j = 0; j < CB; ++j) _mm512_store_ps(buffer + 16 * j, o[j]);
      const auto lanes = static_cast<__mmask8>((1u << CB) - 1u);
      for (std::int64_t l = 0; l < count; ++l) {
        _mm256_mask_storeu_ps(dst + l * t.ldo, lanes, _mm256_loadu_ps(buffer + l * CB));
      }
    }
  }
}

inline constexpr int conv_direct_pb_avx512[ops::detail::conv_direct_max_cb + 1] = {1, 8, 4, 3, 3, 2, 2, 2, 2};

inline void conv_direct_tile_avx512_cb(int cb, const ops::detail::ConvDirectTile& t) noexcept {
  switch (cb) {
    case 1: conv_direct_tile_avx512<8, 1>(t); break;
    case 2: conv_direct_tile_avx512<4, 2>(t); break;
    case 3: conv_direct_tile_avx512<3, 3>(t); break;
    case 4: conv_direct_tile_avx512<3, 4>(t); break;
    case 5: conv_direct_tile_avx512<2, 5>(t); break;
    case 6: conv_direct_tile_avx512<2, 6>(t); break;
    case 7: conv_direct_tile_avx512<2, 7>(t); break;
    default: conv_direct_tile_avx512<2, 8>(t); break;
  }
}

/// Channel-vector chunk of n <= 16 * CV output channels starting at co0, every output pixel.
template <int CV>
TINYNN_TARGET_AVX512 void conv_direct_channels_avx512(const ops::detail::ConvShape& s, const float* input,
                                                      const float* packed, float* output, std::int64_t co0,
                                                      std::int64_t n, const ops::detail::GemmEpilogue& e) noexcept {
  constexpr int U = CV == 1 ? 4 : (CV == 2 ? 2 : 1);  // independent partial sums over the input channels
  const std::int64_t cin = s.in_c, cout = s.out_c;
  __mmask16 mask[CV];
#pragma GCC unroll 4
  for (int v = 0; v < CV; ++v) {
    const std::int64_t rest = n - 16 * v;
    mask[v] = rest >= 16 ? __mmask16(0xFFFF) : __mmask16(rest > 0 ? (1u << rest) - 1u : 0u);
  }
  const float* bias = packed + ops::detail::conv_direct_depth(s) * cout + co0;
  const __m512 lo = _mm512_set1_ps(e.lo), hi = _mm512_set1_ps(e.hi), alpha = _mm512_set1_ps(e.alpha);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* in_b = input + b * s.in_h * s.in_w * cin;
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        __m512 acc[U][CV];
#pragma GCC unroll 4
        for (int u = 0; u < U; ++u) {
#pragma GCC unroll 4
          for (int v = 0; v < CV; ++v) acc[u][v] = _mm512_setzero_ps();
        }
        for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
          const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
          if (iy < 0 || iy >= s.in_h) continue;
          for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
            const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
            if (ix < 0 || ix >= s.in_w) continue;
            const float* src = in_b + (iy * s.in_w + ix) * cin;
            const float* w = packed + (ky * s.kernel_w + kx) * cin * cout + co0;
            std::int64_t ci = 0;
            for (; ci + U <= cin; ci += U) {
#pragma GCC unroll 4
              for (int u = 0; u < U; ++u) {
                const __m512 x = _mm512_set1_ps(src[ci + u]);
#pragma GCC unroll 4
                for (int v = 0; v < CV; ++v) {
                  acc[u][v] =
                      _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(mask[v], w + (ci + u) * cout + 16 * v), acc[u][v]);
                }
              }
            }
            for (; ci < cin; ++ci) {
              const __m512 x = _mm512_set1_ps(src[ci]);
#pragma GCC unroll 4
              for (int v = 0; v < CV; ++v) {
                acc[0][v] = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(mask[v], w + ci * cout + 16 * v), acc[0][v]);
              }
            }
          }
        }
        float* dst = output + ((b * s.out_h + oy) * s.out_w + ox) * cout + co0;
#pragma GCC unroll 4
        for (int v = 0; v < CV; ++v) {
          __m512 r = _mm512_maskz_loadu_ps(mask[v], bias + 16 * v);
#pragma GCC unroll 4
          for (int u = 0; u < U; ++u) r = _mm512_add_ps(r, acc[u][v]);
          if (e.leaky) r = _mm512_mask_mul_ps(r, _mm512_cmp_ps_mask(r, _mm512_setzero_ps(), _CMP_LT_OQ), r, alpha);
          r = _mm512_mask_max_ps(r, 0xFFFF, r, lo);
          r = _mm512_mask_min_ps(r, 0xFFFF, r, hi);
          _mm512_mask_storeu_ps(dst + 16 * v, mask[v], r);
        }
      }
    }
  }
}

}  // namespace detail

[[nodiscard]] constexpr std::int64_t conv_direct_lanes(backend::avx512) noexcept { return 16; }

/// `packed`: ops::detail::conv_direct_pack(); `scratch`: conv_direct_scratch_floats(s, 16) floats.
inline void conv2d_direct_small(backend::avx512, const ops::detail::ConvShape& s, const float* input,
                                const float* packed, float* output, const ops::ActivationParams& activation,
                                float* scratch) noexcept {
  if (ops::detail::conv_direct_pixel_mode(s, 16)) {
    ops::detail::conv_direct_pixels(
        [](int, int cb, const ops::detail::ConvDirectTile& t) noexcept { detail::conv_direct_tile_avx512_cb(cb, t); },
        detail::conv_direct_pb_avx512, 16, s, input, packed, output, activation, scratch);
    return;
  }
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  for (std::int64_t co0 = 0; co0 < s.out_c; co0 += 64) {
    const std::int64_t n = s.out_c - co0 < 64 ? s.out_c - co0 : 64;
    switch ((n + 15) / 16) {
      case 1: detail::conv_direct_channels_avx512<1>(s, input, packed, output, co0, n, e); break;
      case 2: detail::conv_direct_channels_avx512<2>(s, input, packed, output, co0, n, e); break;
      case 3: detail::conv_direct_channels_avx512<3>(s, input, packed, output, co0, n, e); break;
      default: detail::conv_direct_channels_avx512<4>(s, input, packed, output, co0, n, e); break;
    }
  }
  if (e.scalar_pass) {
    const std::int64_t total = s.batch * s.out_h * s.out_w * s.out_c;
    for (std::int64_t i = 0; i < total; ++i) output[i] = ops::apply_activation(activation, output[i]);
  }
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx512/conv2d_direct.hpp ----
// ---- begin tinynn/backends/neon/conv2d.hpp ----
// tinynn — neon Conv2D kernels: convolutions run as implicit GEMM (ops/conv2d.hpp) on this backend's
// GEMM micro-kernel (backends/neon/gemm.hpp); no convolution-specific kernel is needed here yet.

// ---- begin tinynn/backends/neon/gemm.hpp ----
// tinynn — NEON GEMM micro-kernel (AArch64, through xsimd's batch<float, neon64>): up to 6 rows x 16
// columns (one packed-B panel = 4 vectors per row) in 24 accumulators; per k step 4 B loads and 6
// broadcast-FMA groups. Compiled where the target has NEON (AArch64 always does).

#include <cstdint>
#include <utility>

#if defined(__ARM_NEON) && defined(__aarch64__)
#include <xsimd/xsimd.hpp>

namespace tinynn::kernels {

namespace detail {

template <int R>
void gemm_tile_neon(const ops::detail::GemmTile& t) noexcept {
  using batch = xsimd::batch<float, xsimd::neon64>;
  constexpr int V = 4;  // vectors per 16-column panel
  batch acc[R][V];
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) acc[r][v] = t.first ? batch::load_unaligned(t.bias + 4 * v) : batch(0.0f);
  }
  for (std::int64_t kk = 0; kk < t.kc; ++kk) {
    batch b[V];
    for (int v = 0; v < V; ++v) b[v] = batch::load_unaligned(t.b + kk * 16 + 4 * v);
    for (int r = 0; r < R; ++r) {
      const batch a(t.a[kk * R + r]);
      for (int v = 0; v < V; ++v) acc[r][v] = xsimd::fma(a, b[v], acc[r][v]);
    }
  }
  const ops::detail::GemmEpilogue& e = t.epilogue;
  const batch lo(e.lo), hi(e.hi), alpha(e.alpha), zero(0.0f);
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) {
      float* c = t.c + r * t.ldc + 4 * v;
      batch x = acc[r][v];
      if (!t.first) x = x + batch::load_unaligned(c);
      if (t.last) {
        if (e.leaky) x = xsimd::select(x < zero, x * alpha, x);
        x = xsimd::min(xsimd::max(x, lo), hi);
      }
      x.store_unaligned(c);
    }
  }
}

template <int... R>
void gemm_tile_neon_rows(int rows, const ops::detail::GemmTile& t, std::integer_sequence<int, R...>) noexcept {
  (void)((rows == R + 1 ? (gemm_tile_neon<R + 1>(t), true) : false) || ...);
}

}  // namespace detail

[[nodiscard]] constexpr ops::detail::GemmKernelShape gemm_kernel_shape(backend::neon) noexcept { return {6, 1}; }

inline void gemm_tile(backend::neon, int rows, int /*panels: always 1*/, const ops::detail::GemmTile& t) noexcept {
  detail::gemm_tile_neon_rows(rows, t, std::make_integer_sequence<int, 6>{});
}

}  // namespace tinynn::kernels

#endif  // __ARM_NEON && __aarch64__

// ---- end tinynn/backends/neon/gemm.hpp ----

// ---- end tinynn/backends/neon/conv2d.hpp ----
// ---- begin tinynn/backends/sve/conv2d.hpp ----
// tinynn — sve Conv2D kernels: convolutions run as implicit GEMM (ops/conv2d.hpp) on this backend's
// GEMM micro-kernel (backends/sve/gemm.hpp); no convolution-specific kernel is needed here yet.

// ---- begin tinynn/backends/sve/gemm.hpp ----
// tinynn — SVE GEMM micro-kernel (ACLE, vector-length agnostic): up to 8 rows of one 16-column packed-B
// panel. The panel is covered in ceil(16 / svcntw()) predicated vector chunks (4 at 128 bits, 2 at
// 256, 1 from 512 bits on, where the predicate masks the lanes past 16), each chunk a pass over k with
// 8 accumulators (ACLE's sizeless vectors cannot live in arrays, hence named rows).

#include <cstdint>
#include <utility>

#if defined(__ARM_FEATURE_SVE)
#include <arm_sve.h>

namespace tinynn::kernels {

namespace detail {

template <int R>
__attribute__((noinline)) void gemm_tile_sve(const ops::detail::GemmTile& t) noexcept {
  constexpr std::int64_t width = ops::detail::gemm_panel_width;
  const auto lanes = static_cast<std::int64_t>(svcntw());
  const ops::detail::GemmEpilogue& e = t.epilogue;
  for (std::int64_t j0 = 0; j0 < width; j0 += lanes) {
    const svbool_t pg = svwhilelt_b32(j0, width);
    const svfloat32_t start = t.first ? svld1_f32(pg, t.bias + j0) : svdup_n_f32(0.0f);
    svfloat32_t c0 = start, c1 = start, c2 = start, c3 = start, c4 = start, c5 = start, c6 = start, c7 = start;
    const float* a = t.a;
    const float* b = t.b + j0;
    for (std::int64_t kk = 0; kk < t.kc; ++kk, a += R, b += width) {
      const svfloat32_t bv = svld1_f32(pg, b);
      c0 = svmla_n_f32_x(pg, c0, bv, a[0]);
      if constexpr (R > 1) c1 = svmla_n_f32_x(pg, c1, bv, a[1]);
      if constexpr (R > 2) c2 = svmla_n_f32_x(pg, c2, bv, a[2]);
      if constexpr (R > 3) c3 = svmla_n_f32_x(pg, c3, bv, a[3]);
      if constexpr (R > 4) c4 = svmla_n_f32_x(pg, c4, bv, a[4]);
      if constexpr (R > 5) c5 = svmla_n_f32_x(pg, c5, bv, a[5]);
      if constexpr (R > 6) c6 = svmla_n_f32_x(pg, c6, bv, a[6]);
      if constexpr (R > 7) c7 = svmla_n_f32_x(pg, c7, bv, a[7]);
    }
    const auto finish = [&](svfloat32_t x, int r) noexcept {
      float* c = t.c + r * t.ldc + j0;
      if (!t.first) x = svadd_f32_x(pg, x, svld1_f32(pg, c));
      if (t.last) {
        if (e.leaky) {
          const svbool_t negative = svcmplt_n_f32(pg, x, 0.0f);
          x = svmul_n_f32_m(negative, x, e.alpha);
        }
        x = svmin_n_f32_x(pg, svmax_n_f32_x(pg, x, e.lo), e.hi);
      }
      svst1_f32(pg, c, x);
    };
    finish(c0, 0);
    if constexpr (R > 1) finish(c1, 1);
    if constexpr (R > 2) finish(c2, 2);
    if constexpr (R > 3) finish(c3, 3);
    if constexpr (R > 4) finish(c4, 4);
    if constexpr (R > 5) finish(c5, 5);
    if constexpr (R > 6) finish(c6, 6);
    if constexpr (R > 7) finish(c7, 7);
  }
}

template <int... R>
void gemm_tile_sve_rows(int rows, const ops::detail::GemmTile& t, std::integer_sequence<int, R...>) noexcept {
  (void)((rows == R + 1 ? (gemm_tile_sve<R + 1>(t), true) : false) || ...);
}

}  // namespace detail

[[nodiscard]] inline ops::detail::GemmKernelShape gemm_kernel_shape(backend::sve) noexcept { return {8, 1}; }

inline void gemm_tile(backend::sve, int rows, int /*panels: always 1*/, const ops::detail::GemmTile& t) noexcept {
  detail::gemm_tile_sve_rows(rows, t, std::make_integer_sequence<int, 8>{});
}

}  // namespace tinynn::kernels

#endif  // __ARM_FEATURE_SVE

// ---- end tinynn/backends/sve/gemm.hpp ----

// ---- end tinynn/backends/sve/conv2d.hpp ----

namespace tinynn::ops::conv2d {

struct Params {
  std::int64_t batch = 1, in_h = 0, in_w = 0, in_c = 0, out_c = 0;
  std::int32_t kernel_h = 1, kernel_w = 1;
  std::int32_t stride_h = 1, stride_w = 1;
  std::int32_t dilation_h = 1, dilation_w = 1;
  std::int32_t groups = 1;
  PaddingMode padding_mode = PaddingMode::explicit_padding;
  Padding2D padding;  // used when padding_mode is explicit_padding
  ActivationParams activation;
};

/// The padding actually applied (SAME resolved).
[[nodiscard]] constexpr Padding2D effective_padding(const Params& p) noexcept {
  return detail::conv_resolve_padding(p.padding_mode, p.padding, p.in_h, p.in_w, p.kernel_h, p.kernel_w, p.stride_h,
                                      p.stride_w, p.dilation_h, p.dilation_w);
}
[[nodiscard]] constexpr std::int64_t output_h(const Params& p) noexcept {
  const Padding2D pad = effective_padding(p);
  return window_output_size(p.in_h, p.kernel_h, p.stride_h, p.dilation_h, pad.top, pad.bottom);
}
[[nodiscard]] constexpr std::int64_t output_w(const Params& p) noexcept {
  const Padding2D pad = effective_padding(p);
  return window_output_size(p.in_w, p.kernel_w, p.stride_w, p.dilation_w, pad.left, pad.right);
}
[[nodiscard]] constexpr detail::ConvShape shape_of(const Params& p) noexcept {
  const Padding2D pad = effective_padding(p);
  detail::ConvShape s;
  s.batch = p.batch;
  s.in_h = p.in_h;
  s.in_w = p.in_w;
  s.in_c = p.in_c;
  s.out_h = output_h(p);
  s.out_w = output_w(p);
  s.out_c = p.out_c;
  s.kernel_h = p.kernel_h;
  s.kernel_w = p.kernel_w;
  s.stride_h = p.stride_h;
  s.stride_w = p.stride_w;
  s.dilation_h = p.dilation_h;
  s.dilation_w = p.dilation_w;
  s.pad_top = pad.top;
  s.pad_left = pad.left;
  s.groups = p.groups;
  return s;
}
/// GEMM depth per group: kernel_h * kernel_w * in_c / groups.
[[nodiscard]] constexpr std::int64_t gemm_depth(const Params& p) noexcept {
  return p.groups > 0 ? std::int64_t{p.kernel_h} * p.kernel_w * (p.in_c / p.groups) : 0;
}

/// Small / narrow convolutions and 1-4 pixel outputs take the direct path (ops/detail/conv_direct.hpp:
/// unpadded HWIO weights, no im2col); decided from the Params alone, so packing is backend-independent.
[[nodiscard]] constexpr bool uses_direct(const Params& p) noexcept {
  return p.groups > 0 && ops::detail::conv_direct_applies(shape_of(p));
}

/// Scratch floats run<B>() needs (0 for scalar).
template <backend::Backend B>
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  if (uses_direct(p)) return ops::detail::conv_direct_scratch_floats(shape_of(p), kernels::conv_direct_lanes(B{}));
  if constexpr (std::is_same_v<B, backend::scalar>) {
    return 0;
  } else {
    return detail::gemm_blocked_scratch_floats(p.batch * output_h(p) * output_w(p), gemm_depth(p));
  }
}
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p, backend::BackendId id) noexcept {
  if (uses_direct(p)) {
    const std::int64_t lanes = id == backend::BackendId::avx512 ? 16 : (id == backend::BackendId::avx2 ? 8 : 1);
    return ops::detail::conv_direct_scratch_floats(shape_of(p), lanes);
  }
  return id == backend::BackendId::scalar
             ? 0
             : detail::gemm_blocked_scratch_floats(p.batch * output_h(p) * output_w(p), gemm_depth(p));
}

/// Floats of packed weights + bias; the same for every backend.
[[nodiscard]] constexpr std::size_t packed_weights_size(const Params& p) noexcept {
  if (p.groups <= 0) return 0;
  if (uses_direct(p)) return ops::detail::conv_direct_packed_floats(shape_of(p));
  return static_cast<std::size_t>(p.groups) * detail::gemm_packed_b_floats(p.out_c / p.groups, gemm_depth(p));
}

/// Packs OHWI `weights` and `bias` (out_c floats, may be null) into `packed`.
constexpr void pack_weights(const Params& p, const float* weights, const float* bias, float* packed) noexcept {
  if (uses_direct(p)) {
    ops::detail::conv_direct_pack(shape_of(p), weights, bias, packed);
    return;
  }
  const std::int64_t cout = p.out_c / p.groups;
  const std::int64_t depth = gemm_depth(p);
  const auto group_floats = static_cast<std::int64_t>(detail::gemm_packed_b_floats(cout, depth));
  for (std::int64_t g = 0; g < p.groups; ++g) {
    detail::gemm_pack_b(cout, depth, weights + g * cout * depth, depth, true,
                        bias != nullptr ? bias + g * cout : nullptr, packed + g * group_floats);
  }
}

/// Validates the parameters (sizes, strides, dilations, groups, padding) and the output size.
[[nodiscard]] inline Status prepare(const Params& p) {
  if (p.batch < 0 || p.in_h <= 0 || p.in_w <= 0 || p.in_c <= 0 || p.out_c <= 0) {
    return error(ErrorCode::invalid_argument, "conv2d: sizes must be positive: batch=", p.batch, " in=", p.in_h, "x",
                 p.in_w, "x", p.in_c, " out_c=", p.out_c);
  }
  if (p.kernel_h <= 0 || p.kernel_w <= 0 || p.stride_h <= 0 || p.stride_w <= 0 || p.dilation_h <= 0 ||
      p.dilation_w <= 0) {
    return error(ErrorCode::invalid_argument, "conv2d: kernel ", p.kernel_h, "x", p.kernel_w, ", stride ", p.stride_h,
                 "x", p.stride_w, ", dilation ", p.dilation_h, "x", p.dilation_w, " must all be positive");
  }
  if (p.groups <= 0 || p.in_c % p.groups != 0 || p.out_c % p.groups != 0) {
    return error(ErrorCode::invalid_argument, "conv2d: groups=", p.groups, " must divide in_c=", p.in_c,
                 " and out_c=", p.out_c);
  }
  const Padding2D pad = effective_padding(p);
  if (pad.top < 0 || pad.left < 0 || pad.bottom < 0 || pad.right < 0) {
    return error(ErrorCode::invalid_argument, "conv2d: negative padding ", pad.top, ",", pad.left, ",", pad.bottom, ",",
                 pad.right);
  }
  if (output_h(p) <= 0 || output_w(p) <= 0) {
    return error(ErrorCode::invalid_argument, "conv2d: input ", p.in_h, "x", p.in_w,
                 " is smaller than the dilated kernel ", (p.kernel_h - 1) * p.dilation_h + 1, "x",
                 (p.kernel_w - 1) * p.dilation_w + 1, " plus padding");
  }
  return Status::success();
}

namespace detail {

/// Implicit im2col: packs GEMM rows (output pixels) x depth range [k0, k0 + kc) of one group as [kc][rows].
/// The depth splits into kernel taps of cin contiguous input floats: each tap is one call of the
/// backend's row packer with a pointer per output pixel (nullptr where the tap falls in the padding).
struct ConvIm2colPacker {
  const ops::detail::ConvShape* s;
  const float* input;
  std::int64_t group;
  ops::detail::GemmPackRowsFn pack_rows = &ops::detail::gemm_pack_rows_portable;
  void operator()(std::int64_t row0, std::int64_t rows, std::int64_t k0, std::int64_t kc, float* dst) const noexcept {
    const std::int64_t cin = s->in_c / s->groups;
    std::int64_t base_y[ops::detail::gemm_max_mr];
    std::int64_t base_x[ops::detail::gemm_max_mr];
    const float* image[ops::detail::gemm_max_mr];
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t pixel = row0 + r;
      const std::int64_t ox = pixel % s->out_w;
      const std::int64_t oy = (pixel / s->out_w) % s->out_h;
      const std::int64_t b = pixel / (s->out_w * s->out_h);
      base_y[r] = oy * s->stride_h - s->pad_top;
      base_x[r] = ox * s->stride_w - s->pad_left;
      image[r] = input + b * s->in_h * s->in_w * s->in_c + group * cin;
    }
    std::int64_t kk = k0;
    std::int64_t segment = k0 / cin;
    std::int64_t offset = k0 % cin;
    while (kk < k0 + kc) {
      const std::int64_t len = cin - offset < k0 + kc - kk ? cin - offset : k0 + kc - kk;
      const std::int64_t dy = (segment / s->kernel_w) * s->dilation_h;
      const std::int64_t dx = (segment % s->kernel_w) * s->dilation_w;
      const float* src[ops::detail::gemm_max_mr];
      for (std::int64_t r = 0; r < rows; ++r) {
        const std::int64_t iy = base_y[r] + dy;
        const std::int64_t ix = base_x[r] + dx;
        const bool inside = iy >= 0 && iy < s->in_h && ix >= 0 && ix < s->in_w;
        src[r] = inside ? image[r] + (iy * s->in_w + ix) * s->in_c + offset : nullptr;
      }
      pack_rows(static_cast<int>(rows), src, len, dst + (kk - k0) * rows);
      kk += len;
      ++segment;
      offset = 0;
    }
  }
};

/// Implicit im2col for the direct path: per kernel tap, a pointer per output pixel into the input
/// (gemm_zeros where the tap falls in the padding); nothing is copied.
struct ConvRowSource {
  const ops::detail::ConvShape* s;
  const float* input;
  std::int64_t group;
  std::int64_t operator()(std::int64_t row0, std::int64_t count, int tile_rows, std::int64_t k0, std::int64_t kc,
                          const float** rows, std::int64_t* segment_len) const noexcept {
    const std::int64_t cin = s->in_c / s->groups;
    std::int64_t base_y[ops::detail::gemm_direct_max_rows];
    std::int64_t base_x[ops::detail::gemm_direct_max_rows];
    const float* image[ops::detail::gemm_direct_max_rows];
    // Pixel coordinates by stepping from row0 (one division per tile, not three per row).
    std::int64_t ox = row0 % s->out_w;
    std::int64_t oy = (row0 / s->out_w) % s->out_h;
    std::int64_t b = row0 / (s->out_w * s->out_h);
    for (int r = 0; r < tile_rows; ++r) {
      base_y[r] = oy * s->stride_h - s->pad_top;
      base_x[r] = ox * s->stride_w - s->pad_left;
      image[r] = input + b * s->in_h * s->in_w * s->in_c + group * cin;
      if (r + 1 >= count) continue;  // rows past `count` repeat the last real one (results discarded)
      if (++ox == s->out_w) {
        ox = 0;
        if (++oy == s->out_h) {
          oy = 0;
          ++b;
        }
      }
    }
    std::int64_t kk = k0;
    std::int64_t segment = k0 / cin;
    std::int64_t offset = k0 % cin;
    std::int64_t n = 0;
    while (kk < k0 + kc) {
      const std::int64_t len = cin - offset < k0 + kc - kk ? cin - offset : k0 + kc - kk;
      const std::int64_t dy = (segment / s->kernel_w) * s->dilation_h;
      const std::int64_t dx = (segment % s->kernel_w) * s->dilation_w;
      for (int r = 0; r < tile_rows; ++r) {
        const std::int64_t iy = base_y[r] + dy;
        const std::int64_t ix = base_x[r] + dx;
        const bool inside = iy >= 0 && iy < s->in_h && ix >= 0 && ix < s->in_w;
        rows[n * tile_rows + r] = inside ? image[r] + (iy * s->in_w + ix) * s->in_c + offset : ops::detail::gemm_zeros;
      }
      segment_len[n++] = len;
      kk += len;
      ++segment;
      offset = 0;
    }
    return n;
  }
};

}  // namespace detail

/// Runs on backend B. input [batch][in_h][in_w][in_c], output [batch][out_h][out_w][out_c];
/// `scratch`: scratch_size<B>(p) floats.
template <backend::Backend B = backend::native>
void run(const Params& p, const float* input, const float* packed_weights, float* output, float* scratch) noexcept {
  backend::require_compilable<B>();
  const ops::detail::ConvShape s = shape_of(p);
  if (ops::detail::conv_direct_applies(s)) {
    kernels::conv2d_direct_small(B{}, s, input, packed_weights, output, p.activation, scratch);
    return;
  }
  const ops::detail::GemmKernelShape kshape = kernels::gemm_kernel_shape(B{});
  if (kshape.mr == 0) {
    kernels::conv2d_direct(B{}, s, input, packed_weights, output, p.activation);
    return;
  }
  const std::int64_t cin = s.in_c / s.groups;
  const std::int64_t cout = s.out_c / s.groups;
  const std::int64_t depth = gemm_depth(p);
  const std::int64_t m = s.batch * s.out_h * s.out_w;
  const auto group_floats = static_cast<std::int64_t>(ops::detail::gemm_packed_b_floats(cout, depth));
  const auto kernel = [](int rows, int panels, const ops::detail::GemmTile& tile) noexcept {
    kernels::gemm_tile(B{}, rows, panels, tile);
  };
  const ops::detail::GemmPackRowsFn pack_rows = kernels::gemm_pack_rows_fn(B{});
  const bool pointwise = s.kernel_h == 1 && s.kernel_w == 1 && s.stride_h == 1 && s.stride_w == 1 && s.pad_top == 0 &&
                         s.pad_left == 0 && s.out_h == s.in_h && s.out_w == s.in_w;
  const std::int64_t panels = ops::detail::gemm_panel_count(cout);
  const int direct_rows = panels <= 4 ? kernels::gemm_direct_rows(B{}, static_cast<int>(panels)) : 0;
  // Narrow N (<= 64 output channels a group): read the input in place, tap by tap, instead of
  // packing im2col rows (taps of at least 8 channels keep the segment table small).
  const bool direct = direct_rows > 0 && m >= 2 * direct_rows && cin >= 8;
  const auto direct_kernel = [](int tile_panels, const ops::detail::GemmDirectTile& tile) noexcept {
    kernels::gemm_direct_tile(B{}, tile_panels, tile);
  };
  for (std::int64_t g = 0; g < s.groups; ++g) {
    const float* weights = packed_weights + g * group_floats;
    float* out = output + g * cout;
    if (direct && pointwise) {
      ops::detail::gemm_direct_blocked(direct_kernel, direct_rows, m, cout, depth,
                                       ops::detail::GemmRowSource{input + g * cin, s.in_c}, weights, out, s.out_c,
                                       p.activation);
    } else if (direct) {
      ops::detail::gemm_direct_blocked(direct_kernel, direct_rows, m, cout, depth, detail::ConvRowSource{&s, input, g},
                                       weights, out, s.out_c, p.activation);
    } else if (pointwise) {
      ops::detail::gemm_blocked(kernel, kshape, m, cout, depth,
                                ops::detail::GemmRowPacker{input + g * cin, s.in_c, pack_rows}, weights, out, s.out_c,
                                p.activation, scratch);
    } else {
      ops::detail::gemm_blocked(kernel, kshape, m, cout, depth, detail::ConvIm2colPacker{&s, input, g, pack_rows},
                                weights, out, s.out_c, p.activation, scratch);
    }
  }
}

/// Runs on a backend chosen at run time (ask backend_available(id) / runtime_backend() first).
inline void run(backend::BackendId id, const Params& p, const float* input, const float* packed_weights, float* output,
                float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) noexcept { run<decltype(tag)>(p, input, packed_weights, output, scratch); });
}

}  // namespace tinynn::ops::conv2d

// ---- end tinynn/ops/conv2d.hpp ----
// ---- begin tinynn/ops/depthwise_conv2d.hpp ----
// tinynn — depthwise 2-D convolution, NHWC, channel multiplier M: out[b][y][x][c*M + m] =
// act(bias[c*M + m] + sum over ky, kx of in[b][y*sh - pt + ky*dh][x*sw - pl + kx*dw][c] * w[ky][kx][c*M + m]).
//
// Weights [kernel_h][kernel_w][channels * multiplier] (TFLite's layout; ONNX [C*M][1][kh][kw] is
// permuted by the importer), bias [channels * multiplier] (optional). pack_weights() pads each tap's
// row to a multiple of 16 channels and appends the padded bias, so SIMD kernels never read past a row.
// No scratch on any backend. `output` must not alias `input`.

#include <cstddef>
#include <cstdint>

// Backend kernels.
// ---- begin tinynn/backends/avx2/depthwise_conv2d.hpp ----
// tinynn — AVX2 depthwise Conv2D (channel multiplier 1): one output row at a time, 8 channels per
// vector. 3x3 and 5x5 at horizontal stride 1 or 2 (dilation 1) slide along the row in tiles of
// several output pixels, each loaded input vector feeding every pixel whose window covers it; the 3x3
// taps' weights stay in registers (9 ymm; 5x5 reads some from L1). Other kernels and dilations use a
// per-pixel loop. Channel tails use masked loads/stores (never past the row). Channel multipliers > 1:
// one permute spreads the input channels over the output channels that read them.

#include <cstdint>

// ---- begin tinynn/backends/scalar/depthwise_conv2d.hpp ----
// tinynn — scalar depthwise Conv2D: direct loops, NHWC, channels innermost (vectorisable by the
// compiler), accumulating in the output row itself: no scratch, no heap (the Cortex-M path).

#include <cstdint>

namespace tinynn::kernels {

/// `packed`: [kernel_h*kernel_w][channel_stride] weights then bias[channel_stride]
/// (ops/depthwise_conv2d.hpp); output channel o = c * multiplier + m reads input channel c.
inline void depthwise_conv2d_direct(backend::scalar, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  const std::int64_t multiplier = s.out_c / s.in_c;
  const float* bias = packed + s.kernel_h * s.kernel_w * channel_stride;
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        float* out = output + ((b * s.out_h + oy) * s.out_w + ox) * s.out_c;
        for (std::int64_t o = 0; o < s.out_c; ++o) out[o] = bias[o];
        for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
          const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
          if (iy < 0 || iy >= s.in_h) continue;
          for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
            const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
            if (ix < 0 || ix >= s.in_w) continue;
            const float* src = input + ((b * s.in_h + iy) * s.in_w + ix) * s.in_c;
            const float* w = packed + (ky * s.kernel_w + kx) * channel_stride;
            if (multiplier == 1) {
              for (std::int64_t c = 0; c < s.in_c; ++c) out[c] += src[c] * w[c];
            } else {
              for (std::int64_t c = 0; c < s.in_c; ++c) {
                for (std::int64_t m = 0; m < multiplier; ++m) out[c * multiplier + m] += src[c] * w[c * multiplier + m];
              }
            }
          }
        }
        for (std::int64_t o = 0; o < s.out_c; ++o) out[o] = ops::apply_activation(activation, out[o]);
      }
    }
  }
}

/// Output columns [begin, end) whose whole (dilation-1) window of `kernel_w` columns lies inside the
/// image: the SIMD kernels run them without bounds checks. Empty (begin == end) when there are none.
struct DepthwiseInterior {
  std::int64_t begin = 0, end = 0;
};
[[nodiscard]] constexpr DepthwiseInterior depthwise_interior_columns(const ops::detail::ConvShape& s) noexcept {
  DepthwiseInterior r;
  r.begin = (s.pad_left + s.stride_w - 1) / s.stride_w;
  const std::int64_t last = s.in_w - s.kernel_w + s.pad_left;  // last valid first-tap column, shifted by pad_left
  r.end = last < 0 ? 0 : last / s.stride_w + 1;
  if (r.end > s.out_w) r.end = s.out_w;
  if (r.begin > r.end) r.begin = r.end;
  return r;
}

/// The non-clamp activations (sigmoid, tanh, hard-swish) over a whole output, for SIMD kernels whose
/// epilogue only clamps (ops/detail/gemm_kernel.hpp GemmEpilogue::scalar_pass).
inline void depthwise_activation_pass(const ops::detail::ConvShape& s, float* output,
                                      const ops::ActivationParams& activation) noexcept {
  const std::int64_t count = s.batch * s.out_h * s.out_w * s.out_c;
  for (std::int64_t i = 0; i < count; ++i) output[i] = ops::apply_activation(activation, output[i]);
}

}  // namespace tinynn::kernels

// ---- end tinynn/backends/scalar/depthwise_conv2d.hpp ----

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::kernels {

namespace detail {

/// K: 3 or 5 (square kernel, weights in registers) or 0 (any size, weights from memory).
template <int K>
TINYNN_TARGET_AVX2 void depthwise_avx2(const ops::detail::ConvShape& s, std::int64_t channel_stride, const float* input,
                                       const float* packed, float* output,
                                       const ops::detail::GemmEpilogue& e) noexcept {
  const std::int64_t kh = K > 0 ? K : s.kernel_h, kw = K > 0 ? K : s.kernel_w;
  const std::int64_t channels = s.in_c;
  const float* bias = packed + kh * kw * channel_stride;
  const __m256 lo = _mm256_set1_ps(e.lo), hi = _mm256_set1_ps(e.hi), alpha = _mm256_set1_ps(e.alpha);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      const float* image = input + b * s.in_h * s.in_w * channels;
      float* out_row = output + (b * s.out_h + oy) * s.out_w * channels;
      const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
      for (std::int64_t c0 = 0; c0 < channels; c0 += 8) {
        const std::int64_t rest = channels - c0;
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rest < 8 ? rest : 8)),
                                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256 w[K > 0 ? K * K : 1];
        if constexpr (K > 0) {
#pragma GCC unroll 25
          for (int t = 0; t < K * K; ++t) w[t] = _mm256_loadu_ps(packed + t * channel_stride + c0);
        }
        const __m256 bias_v = _mm256_loadu_ps(bias + c0);
        // Interior pixels (every tap inside the image) skip the bounds checks: [fast_begin, fast_end).
        const bool rows_inside = iy0 >= 0 && iy0 + (kh - 1) * s.dilation_h < s.in_h;
        std::int64_t fast_begin = s.out_w, fast_end = s.out_w;
        if (K > 0 && rows_inside) {
          fast_begin = (s.pad_left + s.stride_w - 1) / s.stride_w;
          const std::int64_t last = s.in_w - 1 - (kw - 1) * s.dilation_w + s.pad_left;
          fast_end = last < 0 ? 0 : last / s.stride_w + 1;
          if (fast_end > s.out_w) fast_end = s.out_w;
          if (fast_begin > fast_end) fast_begin = fast_end;
        }
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          __m256 acc = bias_v;
          if (ox >= fast_begin && ox < fast_end) {
            const float* base = image + iy0 * s.in_w * channels + (ox * s.stride_w - s.pad_left) * channels + c0;
#pragma GCC unroll 5
            for (int ky = 0; ky < (K > 0 ? K : 1); ++ky) {
#pragma GCC unroll 5
              for (int kx = 0; kx < (K > 0 ? K : 1); ++kx) {
                const __m256 x =
                    _mm256_maskload_ps(base + (ky * s.dilation_h * s.in_w + kx * s.dilation_w) * channels, mask);
                acc = _mm256_fmadd_ps(x, w[K > 0 ? ky * K + kx : 0], acc);
              }
            }
          } else {
            const std::int64_t ix0 = ox * s.stride_w - s.pad_left;
            for (std::int64_t ky = 0; ky < kh; ++ky) {
              const std::int64_t iy = iy0 + ky * s.dilation_h;
              if (iy < 0 || iy >= s.in_h) continue;
              const float* row = image + iy * s.in_w * channels + c0;
              for (std::int64_t kx = 0; kx < kw; ++kx) {
                const std::int64_t ix = ix0 + kx * s.dilation_w;
                if (ix < 0 || ix >= s.in_w) continue;
                const __m256 x = _mm256_maskload_ps(row + ix * channels, mask);
                const __m256 wv =
                    K > 0 ? w[K > 0 ? ky * K + kx : 0] : _mm256_loadu_ps(packed + (ky * kw + kx) * channel_stride + c0);
                acc = _mm256_fmadd_ps(x, wv, acc);
              }
            }
          }
          if (e.leaky) {
            const __m256 negative = _mm256_cmp_ps(acc, _mm256_setzero_ps(), _CMP_LT_OQ);
            acc = _mm256_blendv_ps(acc, _mm256_mul_ps(acc, alpha), negative);
          }
          acc = _mm256_min_ps(_mm256_max_ps(acc, lo), hi);
          _mm256_maskstore_ps(out_row + ox * channels + c0, mask, acc);
        }
      }
    }
  }
}

/// Sigmoid, tanh or hard-swish over an output row (still in L1), vectorised (backends/avx2/math.hpp).
TINYNN_TARGET_AVX2 inline void depthwise_activation_row_avx2(float* data, std::int64_t count,
                                                             ops::Activation kind) noexcept {
  namespace m = backend::avx2_impl;
  for (std::int64_t i = 0; i < count; i += 8) {
    const std::int64_t rest = count - i;
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rest < 8 ? rest : 8)),
                                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const __m256 x = _mm256_maskload_ps(data + i, mask);
    __m256 y;
    if (kind == ops::Activation::sigmoid) {
      y = m::sigmoid(x);
    } else if (kind == ops::Activation::tanh) {
      y = m::tanh(x);
    } else {  // hard-swish: x * clamp(x + 3, 0, 6) / 6
      const __m256 r = m::vmin(m::vmax(_mm256_add_ps(x, m::splat(3.0f)), m::zero()), m::splat(6.0f));
      y = _mm256_div_ps(_mm256_mul_ps(x, r), m::splat(6.0f));
    }
    _mm256_maskstore_ps(data + i, mask, y);
  }
}

struct DepthwiseEpilogueAvx2 {
  __m256 lo, hi, alpha;
  bool leaky;
};

template <bool Masked>
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE __m256 depthwise_load_avx2(const float* p, __m256i mask) noexcept {
  return Masked ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p);
}

template <bool Masked>
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE void depthwise_store_avx2(__m256 v, const DepthwiseEpilogueAvx2& e,
                                                                  __m256i mask, float* out) noexcept {
  if (e.leaky) v = _mm256_blendv_ps(v, _mm256_mul_ps(v, e.alpha), _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ));
  v = _mm256_min_ps(_mm256_max_ps(v, e.lo), e.hi);
  if (Masked) {
    _mm256_maskstore_ps(out, mask, v);
  } else {
    _mm256_storeu_ps(out, v);
  }
}

/// N output pixels (horizontal stride S, dilation 1) of one 8-channel vector whose window columns are
/// all inside the image, kernel rows [ky0, ky1) only: row sliding as in the AVX-512 kernel.
template <int K, int S, int N, bool Masked>
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE void depthwise_tile_avx2(const float* image, std::int64_t row0_offset,
                                                                 std::int64_t row_stride, std::int64_t pixel, int ky0,
                                                                 int ky1, const __m256* w, __m256 bias, __m256i mask,
                                                                 const DepthwiseEpilogueAvx2& e, float* out) noexcept {
  __m256 acc[N];
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) acc[n] = bias;
#pragma GCC unroll 5
  for (int ky = 0; ky < K; ++ky) {
    if (ky < ky0 || ky >= ky1) continue;
    const float* row = image + (row0_offset + ky * row_stride);
#pragma GCC unroll 64
    for (int j = 0; j < (N - 1) * S + K; ++j) {
      const __m256 x = depthwise_load_avx2<Masked>(row + j * pixel, mask);
#pragma GCC unroll 16
      for (int n = 0; n < N; ++n) {
        const int kx = j - n * S;
        if (kx >= 0 && kx < K) acc[n] = _mm256_fmadd_ps(x, w[ky * K + kx], acc[n]);
      }
    }
  }
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) depthwise_store_avx2<Masked>(acc[n], e, mask, out + n * pixel);
}

/// One output pixel whose window crosses the left or right border.
template <int K, bool Masked>
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE void depthwise_edge_avx2(const float* image, std::int64_t row0_offset,
                                                                 std::int64_t row_stride, std::int64_t pixel, int ky0,
                                                                 int ky1, std::int64_t ix0, std::int64_t in_w,
                                                                 const __m256* w, __m256 bias, __m256i mask,
                                                                 const DepthwiseEpilogueAvx2& e, float* out) noexcept {
  __m256 acc = bias;
#pragma GCC unroll 5
  for (int ky = 0; ky < K; ++ky) {
    if (ky < ky0 || ky >= ky1) continue;
#pragma GCC unroll 5
    for (int kx = 0; kx < K; ++kx) {
      const std::int64_t ix = ix0 + kx;
      if (ix < 0 || ix >= in_w) continue;
      const float* src = image + (row0_offset + ky * row_stride + ix * pixel);
      acc = _mm256_fmadd_ps(depthwise_load_avx2<Masked>(src, mask), w[ky * K + kx], acc);
    }
  }
  depthwise_store_avx2<Masked>(acc, e, mask, out);
}

template <int K, int S, bool Masked>
TINYNN_TARGET_AVX2 TINYNN_ALWAYS_INLINE void depthwise_row_avx2(const ops::detail::ConvShape& s, DepthwiseInterior in,
                                                                const float* image, std::int64_t iy0, int ky0, int ky1,
                                                                const __m256* w, __m256 bias, __m256i mask,
                                                                const DepthwiseEpilogueAvx2& e, float* out) noexcept {
  constexpr int N = 4;
  const std::int64_t pixel = s.in_c, row_stride = s.in_w * s.in_c, row0 = iy0 * row_stride;
  std::int64_t ox = 0;
  for (; ox < in.begin; ++ox) {
    depthwise_edge_avx2<K, Masked>(image, row0, row_stride, pixel, ky0, ky1, ox * S - s.pad_left, s.in_w, w, bias, mask,
                                   e, out + ox * pixel);
  }
  for (; ox + N <= in.end; ox += N) {
    depthwise_tile_avx2<K, S, N, Masked>(image, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel, ky0, ky1, w,
                                         bias, mask, e, out + ox * pixel);
  }
  for (; ox + N / 2 <= in.end; ox += N / 2) {
    depthwise_tile_avx2<K, S, N / 2, Masked>(image, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel, ky0, ky1,
                                             w, bias, mask, e, out + ox * pixel);
  }
  for (; ox < in.end; ++ox) {
    depthwise_tile_avx2<K, S, 1, Masked>(image, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel, ky0, ky1, w,
                                         bias, mask, e, out + ox * pixel);
  }
  for (; ox < s.out_w; ++ox) {
    depthwise_edge_avx2<K, Masked>(image, row0, row_stride, pixel, ky0, ky1, ox * S - s.pad_left, s.in_w, w, bias, mask,
                                   e, out + ox * pixel);
  }
}

/// K x K (3 or 5), horizontal stride S (1 or 2), dilation 1: per output row and 8-channel vector.
template <int K, int S>
TINYNN_TARGET_AVX2 void depthwise_sliding_avx2(const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                               const float* input, const float* packed, float* output,
                                               const ops::detail::GemmEpilogue& g, ops::Activation row_pass) noexcept {
  const std::int64_t channels = s.in_c;
  const float* bias_row = packed + K * K * channel_stride;
  const DepthwiseEpilogueAvx2 e{_mm256_set1_ps(g.lo), _mm256_set1_ps(g.hi), _mm256_set1_ps(g.alpha), g.leaky};
  const DepthwiseInterior in = depthwise_interior_columns(s);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* image = input + b * s.in_h * s.in_w * channels;
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
      const int ky0 = iy0 < 0 ? static_cast<int>(-iy0) : 0;
      const int ky1 = iy0 + K > s.in_h ? static_cast<int>(s.in_h - iy0) : K;
      float* out_row = output + (b * s.out_h + oy) * s.out_w * channels;
      for (std::int64_t c0 = 0; c0 < channels; c0 += 8) {
        __m256 w[K * K];
#pragma GCC unroll 25
        for (int t = 0; t < K * K; ++t) w[t] = _mm256_loadu_ps(packed + t * channel_stride + c0);
        const __m256 bias = _mm256_loadu_ps(bias_row + c0);
        const std::int64_t rest = channels - c0;
        const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rest < 8 ? rest : 8)),
                                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        if (rest >= 8) {
          depthwise_row_avx2<K, S, false>(s, in, image + c0, iy0, ky0, ky1, w, bias, mask, e, out_row + c0);
        } else {
          depthwise_row_avx2<K, S, true>(s, in, image + c0, iy0, ky0, ky1, w, bias, mask, e, out_row + c0);
        }
      }
      if (g.scalar_pass) depthwise_activation_row_avx2(out_row, s.out_w * channels, row_pass);
    }
  }
}

/// Channel multiplier M > 1 (output channel o reads input channel o / M): per 8 output channels the
/// input channels they read are loaded once per tap and spread with one permute (as in AVX-512).
TINYNN_TARGET_AVX2 inline void depthwise_multiplier_avx2(const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                                         const float* input, const float* packed, float* output,
                                                         const ops::detail::GemmEpilogue& g) noexcept {
  const std::int64_t multiplier = s.out_c / s.in_c;
  const float* bias_row = packed + s.kernel_h * s.kernel_w * channel_stride;
  const DepthwiseEpilogueAvx2 e{_mm256_set1_ps(g.lo), _mm256_set1_ps(g.hi), _mm256_set1_ps(g.alpha), g.leaky};
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (std::int64_t o0 = 0; o0 < s.out_c; o0 += 8) {
    const std::int64_t first = o0 / multiplier;
    alignas(32) std::int32_t index[8];
    for (std::int64_t i = 0; i < 8; ++i) {
      const std::int64_t o = o0 + i < s.out_c ? o0 + i : s.out_c - 1;
      index[i] = static_cast<std::int32_t>(o / multiplier - first);
    }
    const __m256i permute = _mm256_load_si256(reinterpret_cast<const __m256i*>(index));
    const std::int64_t in_rest = s.in_c - first, out_rest = s.out_c - o0;
    const __m256i in_mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(in_rest < 8 ? in_rest : 8)), lane);
    const __m256i out_mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(out_rest < 8 ? out_rest : 8)), lane);
    const __m256 bias = _mm256_loadu_ps(bias_row + o0);
    for (std::int64_t b = 0; b < s.batch; ++b) {
      const float* image = input + b * s.in_h * s.in_w * s.in_c + first;
      for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
        const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
        float* out_row = output + ((b * s.out_h + oy) * s.out_w) * s.out_c + o0;
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          const std::int64_t ix0 = ox * s.stride_w - s.pad_left;
          __m256 acc = bias;
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = iy0 + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            const float* row = image + iy * s.in_w * s.in_c;
            const float* w = packed + ky * s.kernel_w * channel_stride + o0;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ix0 + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const __m256 x = _mm256_permutevar8x32_ps(_mm256_maskload_ps(row + ix * s.in_c, in_mask), permute);
              acc = _mm256_fmadd_ps(x, _mm256_loadu_ps(w + kx * channel_stride), acc);
            }
          }
          depthwise_store_avx2<true>(acc, e, out_mask, out_row + ox * s.out_c);
        }
      }
    }
  }
}

}  // namespace detail

inline void depthwise_conv2d_direct(backend::avx2, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  if (s.out_c != s.in_c) {
    detail::depthwise_multiplier_avx2(s, channel_stride, input, packed, output, e);
    if (e.scalar_pass)
      detail::depthwise_activation_row_avx2(output, s.batch * s.out_h * s.out_w * s.out_c, activation.kind);
    return;
  }
  const bool sliding = s.dilation_w == 1 && s.dilation_h == 1 && (s.stride_w == 1 || s.stride_w == 2) &&
                       s.kernel_h == s.kernel_w && (s.kernel_w == 3 || s.kernel_w == 5);
  if (sliding) {
    const auto k = activation.kind;
    switch (static_cast<int>(s.kernel_w) * 10 + static_cast<int>(s.stride_w)) {
      case 31: detail::depthwise_sliding_avx2<3, 1>(s, channel_stride, input, packed, output, e, k); break;
      case 32: detail::depthwise_sliding_avx2<3, 2>(s, channel_stride, input, packed, output, e, k); break;
      case 51: detail::depthwise_sliding_avx2<5, 1>(s, channel_stride, input, packed, output, e, k); break;
      default: detail::depthwise_sliding_avx2<5, 2>(s, channel_stride, input, packed, output, e, k); break;
    }
    return;
  }
  if (s.kernel_h == 3 && s.kernel_w == 3) {
    detail::depthwise_avx2<3>(s, channel_stride, input, packed, output, e);
  } else if (s.kernel_h == 5 && s.kernel_w == 5) {
    detail::depthwise_avx2<5>(s, channel_stride, input, packed, output, e);
  } else {
    detail::depthwise_avx2<0>(s, channel_stride, input, packed, output, e);
  }
  if (e.scalar_pass) depthwise_activation_pass(s, output, activation);
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx2/depthwise_conv2d.hpp ----
// ---- begin tinynn/backends/avx512/depthwise_conv2d.hpp ----
// tinynn — AVX-512 depthwise Conv2D (channel multiplier 1), 16 channels per vector. 3x3 and 5x5 at
// horizontal stride 1 or 2 (dilation 1): row sliding — per output row and channel vector the K*K taps'
// weights stay in registers and tiles of 8 (stride 1) or 4 (stride 2) output pixels are computed
// together, each loaded input vector feeding every pixel whose window covers it; interior tiles have
// no bounds checks, border pixels skip the columns outside. Large stride-1 images run the same tiles
// pixel-major (all channels of a tile before the next). Other kernels and dilations: one pixel at a
// time, weights in registers for 3x3/5x5, from L1 otherwise. Channel tails use masked loads/stores
// (never past the row). Sigmoid/tanh/hard-swish run vectorised over each finished output row. Channel
// multipliers > 1: one permute spreads the input channels over the output channels that read them.

#include <cstdint>
#include <type_traits>

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::kernels {

namespace detail {

/// Fused epilogue (leaky, clamp) and masked store of one vector of output channels.
TINYNN_TARGET_AVX512 inline __attribute__((always_inline)) void depthwise_store_avx512(
    __m512 acc, const ops::detail::GemmEpilogue& e, __m512 lo, __m512 hi, __m512 alpha, __mmask16 mask,
    float* dst) noexcept {
  if (e.leaky) {
    const __mmask16 negative = _mm512_cmp_ps_mask(acc, _mm512_setzero_ps(), _CMP_LT_OQ);
    acc = _mm512_mask_mul_ps(acc, negative, acc, alpha);
  }
  acc = _mm512_mask_max_ps(acc, 0xFFFF, acc, lo);
  acc = _mm512_mask_min_ps(acc, 0xFFFF, acc, hi);
  _mm512_mask_storeu_ps(dst, mask, acc);
}

/// K: 3 or 5 (square kernel, weights in registers) or 0 (any size, weights from memory).
template <int K>
TINYNN_TARGET_AVX512 void depthwise_avx512(const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                           const float* input, const float* packed, float* output,
                                           const ops::detail::GemmEpilogue& e) noexcept {
  const std::int64_t kh = K > 0 ? K : s.kernel_h, kw = K > 0 ? K : s.kernel_w;
  const std::int64_t channels = s.in_c;
  const float* bias = packed + kh * kw * channel_stride;
  const __m512 lo = _mm512_set1_ps(e.lo), hi = _mm512_set1_ps(e.hi), alpha = _mm512_set1_ps(e.alpha);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      const float* image = input + b * s.in_h * s.in_w * channels;
      float* out_row = output + (b * s.out_h + oy) * s.out_w * channels;
      const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
      for (std::int64_t c0 = 0; c0 < channels; c0 += 16) {
        const std::int64_t rest = channels - c0;
        const __mmask16 mask = rest >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << rest) - 1u);
        __m512 w[K > 0 ? K * K : 1];
        if constexpr (K > 0) {
#pragma GCC unroll 25
          for (int t = 0; t < K * K; ++t) w[t] = _mm512_loadu_ps(packed + t * channel_stride + c0);
        }
        const __m512 bias_v = _mm512_loadu_ps(bias + c0);
        // Interior pixels (every tap inside the image) skip the bounds checks: [fast_begin, fast_end).
        const bool rows_inside = iy0 >= 0 && iy0 + (kh - 1) * s.dilation_h < s.in_h;
        std::int64_t fast_begin = s.out_w, fast_end = s.out_w;
        if (K > 0 && rows_inside) {
          fast_begin = (s.pad_left + s.stride_w - 1) / s.stride_w;
          const std::int64_t last = s.in_w - 1 - (kw - 1) * s.dilation_w + s.pad_left;
          fast_end = last < 0 ? 0 : last / s.stride_w + 1;
          if (fast_end > s.out_w) fast_end = s.out_w;
          if (fast_begin > fast_end) fast_begin = fast_end;
        }
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          if constexpr (K > 0) {
            // Four interior pixels at once: four independent FMA chains instead of one.
            if (ox >= fast_begin && ox + 4 <= fast_end) {
              __m512 acc4[4] = {bias_v, bias_v, bias_v, bias_v};
              const float* base = image + iy0 * s.in_w * channels + (ox * s.stride_w - s.pad_left) * channels + c0;
              const std::int64_t pixel_step = s.stride_w * channels;
#pragma GCC unroll 5
              for (int ky = 0; ky < K; ++ky) {
#pragma GCC unroll 5
                for (int kx = 0; kx < K; ++kx) {
                  const float* tap = base + (ky * s.dilation_h * s.in_w + kx * s.dilation_w) * channels;
#pragma GCC unroll 4
                  for (int q = 0; q < 4; ++q) {
                    acc4[q] =
                        _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, tap + q * pixel_step), w[ky * K + kx], acc4[q]);
                  }
                }
              }
#pragma GCC unroll 4
              for (int q = 0; q < 4; ++q) {
                depthwise_store_avx512(acc4[q], e, lo, hi, alpha, mask, out_row + (ox + q) * channels + c0);
              }
              ox += 3;
              continue;
            }
          }
          __m512 acc = bias_v;
          if (ox >= fast_begin && ox < fast_end) {
            const float* base = image + iy0 * s.in_w * channels + (ox * s.stride_w - s.pad_left) * channels + c0;
#pragma GCC unroll 5
            for (int ky = 0; ky < (K > 0 ? K : 1); ++ky) {
#pragma GCC unroll 5
              for (int kx = 0; kx < (K > 0 ? K : 1); ++kx) {
                const __m512 x =
                    _mm512_maskz_loadu_ps(mask, base + (ky * s.dilation_h * s.in_w + kx * s.dilation_w) * channels);
                acc = _mm512_fmadd_ps(x, w[K > 0 ? ky * K + kx : 0], acc);
              }
            }
          } else {
            const std::int64_t ix0 = ox * s.stride_w - s.pad_left;
            for (std::int64_t ky = 0; ky < kh; ++ky) {
              const std::int64_t iy = iy0 + ky * s.dilation_h;
              if (iy < 0 || iy >= s.in_h) continue;
              const float* row = image + iy * s.in_w * channels + c0;
              for (std::int64_t kx = 0; kx < kw; ++kx) {
                const std::int64_t ix = ix0 + kx * s.dilation_w;
                if (ix < 0 || ix >= s.in_w) continue;
                const __m512 x = _mm512_maskz_loadu_ps(mask, row + ix * channels);
                const __m512 wv =
                    K > 0 ? w[K > 0 ? ky * K + kx : 0] : _mm512_loadu_ps(packed + (ky * kw + kx) * channel_stride + c0);
                acc = _mm512_fmadd_ps(x, wv, acc);
              }
            }
          }
          depthwise_store_avx512(acc, e, lo, hi, alpha, mask, out_row + ox * channels + c0);
        }
      }
    }
  }
}

/// Sigmoid, tanh or hard-swish over `count` floats (an output row, still in L1): the activations the
/// clamp epilogue cannot do, vectorised (backends/avx512/math.hpp accuracy) instead of a scalar pass.
TINYNN_TARGET_AVX512 inline void depthwise_activation_row_avx512(float* data, std::int64_t count,
                                                                 ops::Activation kind) noexcept {
  namespace m = backend::avx512_impl;
  for (std::int64_t i = 0; i < count; i += 16) {
    const std::int64_t rest = count - i;
    const auto mask = rest >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << rest) - 1u);
    const __m512 x = _mm512_maskz_loadu_ps(mask, data + i);
    __m512 y;
    if (kind == ops::Activation::sigmoid) {
      y = m::sigmoid(x);
    } else if (kind == ops::Activation::tanh) {
      y = m::tanh(x);
    } else {  // hard-swish: x * clamp(x + 3, 0, 6) / 6
      const __m512 r = m::vmin(m::vmax(_mm512_add_ps(x, m::splat(3.0f)), m::zero()), m::splat(6.0f));
      y = _mm512_div_ps(_mm512_mul_ps(x, r), m::splat(6.0f));
    }
    _mm512_mask_storeu_ps(data + i, mask, y);
  }
}

/// Epilogue constants in registers.
struct DepthwiseEpilogueAvx512 {
  __m512 lo, hi, alpha;
  bool leaky;
};

/// N output pixels (horizontal stride S, dilation 1) of one 16-channel vector, every column of their
/// windows inside the image; kernel rows [ky0, ky1) only (the others fall outside it). Each loaded input
/// vector feeds every output pixel whose window covers it (row sliding: (N-1)*S+K loads per kernel row
/// instead of N*K). `row0` points at kernel row 0, first input column, channel c0 (it may lie outside the
/// image when ky0 > 0; only rows [ky0, ky1) are dereferenced).
template <int K, int S, int N, bool Masked>
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE void depthwise_tile_avx512(const float* image, std::int64_t row0_offset,
                                                                     std::int64_t row_stride, std::int64_t pixel,
                                                                     int ky0, int ky1, const __m512* w, __m512 bias,
                                                                     __mmask16 mask, const DepthwiseEpilogueAvx512& e,
                                                                     float* out) noexcept {
  __m512 acc[N];
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) acc[n] = bias;
#pragma GCC unroll 5
  for (int ky = 0; ky < K; ++ky) {
    if (ky < ky0 || ky >= ky1) continue;
    const float* row = image + (row0_offset + ky * row_stride);
#pragma GCC unroll 64
    for (int j = 0; j < (N - 1) * S + K; ++j) {
      const __m512 x = Masked ? _mm512_maskz_loadu_ps(mask, row + j * pixel) : _mm512_loadu_ps(row + j * pixel);
#pragma GCC unroll 16
      for (int n = 0; n < N; ++n) {
        const int kx = j - n * S;
        if (kx >= 0 && kx < K) acc[n] = _mm512_fmadd_ps(x, w[ky * K + kx], acc[n]);
      }
    }
  }
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    __m512 v = acc[n];
    if (e.leaky) v = _mm512_mask_mul_ps(v, _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ), v, e.alpha);
    v = _mm512_mask_min_ps(v, 0xFFFF, _mm512_mask_max_ps(v, 0xFFFF, v, e.lo), e.hi);
    if (Masked) {
      _mm512_mask_storeu_ps(out + n * pixel, mask, v);
    } else {
      _mm512_storeu_ps(out + n * pixel, v);
    }
  }
}

/// One output pixel whose window crosses the left or right border: columns outside are skipped.
template <int K, bool Masked>
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE void depthwise_edge_avx512(const float* image, std::int64_t row0_offset,
                                                                     std::int64_t row_stride, std::int64_t pixel,
                                                                     int ky0, int ky1, std::int64_t ix0,
                                                                     std::int64_t in_w, const __m512* w, __m512 bias,
                                                                     __mmask16 mask, const DepthwiseEpilogueAvx512& e,
                                                                     float* out) noexcept {
  __m512 acc = bias;
#pragma GCC unroll 5
  for (int ky = 0; ky < K; ++ky) {
    if (ky < ky0 || ky >= ky1) continue;
#pragma GCC unroll 5
    for (int kx = 0; kx < K; ++kx) {
      const std::int64_t ix = ix0 + kx;
      if (ix < 0 || ix >= in_w) continue;
      const float* src = image + (row0_offset + ky * row_stride + ix * pixel);
      acc = _mm512_fmadd_ps(Masked ? _mm512_maskz_loadu_ps(mask, src) : _mm512_loadu_ps(src), w[ky * K + kx], acc);
    }
  }
  if (e.leaky) acc = _mm512_mask_mul_ps(acc, _mm512_cmp_ps_mask(acc, _mm512_setzero_ps(), _CMP_LT_OQ), acc, e.alpha);
  acc = _mm512_mask_min_ps(acc, 0xFFFF, _mm512_mask_max_ps(acc, 0xFFFF, acc, e.lo), e.hi);
  _mm512_mask_storeu_ps(out, mask, acc);
}

/// One output row of one 16-channel vector: border pixels, then interior tiles of N pixels, then the
/// interior remainder one pixel at a time, then the right border.
template <int K, int S, bool Masked>
TINYNN_TARGET_AVX512 TINYNN_ALWAYS_INLINE void depthwise_row_avx512(
    const ops::detail::ConvShape& s, DepthwiseInterior in, const float* image, std::int64_t iy0, int ky0, int ky1,
    const __m512* w, __m512 bias, __mmask16 mask, const DepthwiseEpilogueAvx512& e, float* out) noexcept {
  constexpr int N = S == 1 ? 8 : 4;
  const std::int64_t pixel = s.in_c, row_stride = s.in_w * s.in_c, row0 = iy0 * row_stride;
  std::int64_t ox = 0;
  for (; ox < in.begin; ++ox) {
    depthwise_edge_avx512<K, Masked>(image, row0, row_stride, pixel, ky0, ky1, ox * S - s.pad_left, s.in_w, w, bias,
                                     mask, e, out + ox * pixel);
  }
  for (; ox + N <= in.end; ox += N) {
    depthwise_tile_avx512<K, S, N, Masked>(image, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel, ky0, ky1, w,
                                           bias, mask, e, out + ox * pixel);
  }
  for (; ox + N / 2 <= in.end; ox += N / 2) {
    depthwise_tile_avx512<K, S, N / 2, Masked>(image, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel, ky0, ky1,
                                               w, bias, mask, e, out + ox * pixel);
  }
  for (; ox < in.end; ++ox) {
    depthwise_tile_avx512<K, S, 1, Masked>(image, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel, ky0, ky1, w,
                                           bias, mask, e, out + ox * pixel);
  }
  for (; ox < s.out_w; ++ox) {
    depthwise_edge_avx512<K, Masked>(image, row0, row_stride, pixel, ky0, ky1, ox * S - s.pad_left, s.in_w, w, bias,
                                     mask, e, out + ox * pixel);
  }
}

/// Pixel-major variant: per tile of N output pixels, every channel vector in turn (weights from L1).
template <int K, int S>
TINYNN_TARGET_AVX512 void depthwise_sliding_pm_avx512(const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                                      const float* input, const float* packed, float* output,
                                                      const ops::detail::GemmEpilogue& g,
                                                      ops::Activation row_pass) noexcept {
  constexpr int N = S == 1 ? 8 : 4;
  const std::int64_t channels = s.in_c;
  const float* bias_row = packed + K * K * channel_stride;
  const DepthwiseEpilogueAvx512 e{_mm512_set1_ps(g.lo), _mm512_set1_ps(g.hi), _mm512_set1_ps(g.alpha), g.leaky};
  const DepthwiseInterior in = depthwise_interior_columns(s);
  const std::int64_t pixel = channels, row_stride = s.in_w * channels;
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* image = input + b * s.in_h * s.in_w * channels;
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
      const int ky0 = iy0 < 0 ? static_cast<int>(-iy0) : 0;
      const int ky1 = iy0 + K > s.in_h ? static_cast<int>(s.in_h - iy0) : K;
      const std::int64_t row0 = iy0 * row_stride;
      float* out_row = output + (b * s.out_h + oy) * s.out_w * channels;
      auto channel_loop = [&](auto n_tag, std::int64_t ox, bool edge) TINYNN_TARGET_AVX512 {
        constexpr int NT = decltype(n_tag)::value;
        for (std::int64_t c0 = 0; c0 < channels; c0 += 16) {
          __m512 w[K * K];
#pragma GCC unroll 25
          for (int t = 0; t < K * K; ++t) w[t] = _mm512_loadu_ps(packed + t * channel_stride + c0);
          const __m512 bias = _mm512_loadu_ps(bias_row + c0);
          const std::int64_t rest = channels - c0;
          const auto mask = rest >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << rest) - 1u);
          if (edge) {
            depthwise_edge_avx512<K, true>(image + c0, row0, row_stride, pixel, ky0, ky1, ox * S - s.pad_left, s.in_w,
                                           w, bias, mask, e, out_row + ox * pixel + c0);
          } else if (rest >= 16) {
            depthwise_tile_avx512<K, S, NT, false>(image + c0, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel,
                                                   ky0, ky1, w, bias, mask, e, out_row + ox * pixel + c0);
          } else {
            depthwise_tile_avx512<K, S, NT, true>(image + c0, row0 + (ox * S - s.pad_left) * pixel, row_stride, pixel,
                                                  ky0, ky1, w, bias, mask, e, out_row + ox * pixel + c0);
          }
        }
      };
      std::int64_t ox = 0;
      for (; ox < in.begin; ++ox) channel_loop(std::integral_constant<int, 1>{}, ox, true);
      for (; ox + N <= in.end; ox += N) channel_loop(std::integral_constant<int, N>{}, ox, false);
      for (; ox + N / 2 <= in.end; ox += N / 2) channel_loop(std::integral_constant<int, N / 2>{}, ox, false);
      for (; ox < in.end; ++ox) channel_loop(std::integral_constant<int, 1>{}, ox, false);
      for (; ox < s.out_w; ++ox) channel_loop(std::integral_constant<int, 1>{}, ox, true);
      if (g.scalar_pass) depthwise_activation_row_avx512(out_row, s.out_w * channels, row_pass);
    }
  }
}

/// K x K (3 or 5), horizontal stride S (1 or 2), dilation 1, any vertical stride and padding: per output
/// row and 16-channel vector the K*K weights stay in registers and the row slides in tiles.
template <int K, int S>
TINYNN_TARGET_AVX512 void depthwise_sliding_avx512(const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                                   const float* input, const float* packed, float* output,
                                                   const ops::detail::GemmEpilogue& g,
                                                   ops::Activation row_pass) noexcept {
  const std::int64_t channels = s.in_c;
  const float* bias_row = packed + K * K * channel_stride;
  const DepthwiseEpilogueAvx512 e{_mm512_set1_ps(g.lo), _mm512_set1_ps(g.hi), _mm512_set1_ps(g.alpha), g.leaky};
  const DepthwiseInterior in = depthwise_interior_columns(s);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    const float* image = input + b * s.in_h * s.in_w * channels;
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
      const int ky0 = iy0 < 0 ? static_cast<int>(-iy0) : 0;
      const int ky1 = iy0 + K > s.in_h ? static_cast<int>(s.in_h - iy0) : K;
      float* out_row = output + (b * s.out_h + oy) * s.out_w * channels;
      for (std::int64_t c0 = 0; c0 < channels; c0 += 16) {
        __m512 w[K * K];
#pragma GCC unroll 25
        for (int t = 0; t < K * K; ++t) w[t] = _mm512_loadu_ps(packed + t * channel_stride + c0);
        const __m512 bias = _mm512_loadu_ps(bias_row + c0);
        const std::int64_t rest = channels - c0;
        if (rest >= 16) {
          depthwise_row_avx512<K, S, false>(s, in, image + c0, iy0, ky0, ky1, w, bias, 0xFFFF, e, out_row + c0);
        } else {
          const auto mask = static_cast<__mmask16>((1u << rest) - 1u);
          depthwise_row_avx512<K, S, true>(s, in, image + c0, iy0, ky0, ky1, w, bias, mask, e, out_row + c0);
        }
      }
      if (g.scalar_pass) depthwise_activation_row_avx512(out_row, s.out_w * channels, row_pass);
    }
  }
}

/// Channel multiplier M > 1: output channel o reads input channel o / M. Per 16 output channels the
/// (at most 16) input channels they read are loaded once per tap and spread with one permute, then one
/// FMA against the 16 weights. Output-channel blocks outermost, so each block's permute index is
/// computed once; any kernel, stride and dilation (bounds checked per tap).
TINYNN_TARGET_AVX512 inline void depthwise_multiplier_avx512(const ops::detail::ConvShape& s,
                                                             std::int64_t channel_stride, const float* input,
                                                             const float* packed, float* output,
                                                             const ops::detail::GemmEpilogue& g) noexcept {
  const std::int64_t multiplier = s.out_c / s.in_c;
  const float* bias_row = packed + s.kernel_h * s.kernel_w * channel_stride;
  const DepthwiseEpilogueAvx512 e{_mm512_set1_ps(g.lo), _mm512_set1_ps(g.hi), _mm512_set1_ps(g.alpha), g.leaky};
  for (std::int64_t o0 = 0; o0 < s.out_c; o0 += 16) {
    const std::int64_t first = o0 / multiplier;
    alignas(64) std::int32_t index[16];
    for (std::int64_t i = 0; i < 16; ++i) {
      const std::int64_t o = o0 + i < s.out_c ? o0 + i : s.out_c - 1;
      index[i] = static_cast<std::int32_t>(o / multiplier - first);
    }
    const __m512i permute = _mm512_load_si512(index);
    const std::int64_t in_rest = s.in_c - first, out_rest = s.out_c - o0;
    const auto in_mask = in_rest >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << in_rest) - 1u);
    const auto out_mask = out_rest >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << out_rest) - 1u);
    const __m512 bias = _mm512_loadu_ps(bias_row + o0);
    for (std::int64_t b = 0; b < s.batch; ++b) {
      const float* image = input + b * s.in_h * s.in_w * s.in_c + first;
      for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
        const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
        float* out_row = output + ((b * s.out_h + oy) * s.out_w) * s.out_c + o0;
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          const std::int64_t ix0 = ox * s.stride_w - s.pad_left;
          __m512 acc = bias;
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = iy0 + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            const float* row = image + iy * s.in_w * s.in_c;
            const float* w = packed + ky * s.kernel_w * channel_stride + o0;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ix0 + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const __m512 loaded = _mm512_maskz_loadu_ps(in_mask, row + ix * s.in_c);
              // Merge-masked form: GCC 12 warns (maybe-uninitialized) inside the plain intrinsic.
              const __m512 x = _mm512_mask_permutexvar_ps(loaded, 0xFFFF, permute, loaded);
              acc = _mm512_fmadd_ps(x, _mm512_loadu_ps(w + kx * channel_stride), acc);
            }
          }
          if (e.leaky)
            acc = _mm512_mask_mul_ps(acc, _mm512_cmp_ps_mask(acc, _mm512_setzero_ps(), _CMP_LT_OQ), acc, e.alpha);
          acc = _mm512_mask_min_ps(acc, 0xFFFF, _mm512_mask_max_ps(acc, 0xFFFF, acc, e.lo), e.hi);
          _mm512_mask_storeu_ps(out_row + ox * s.out_c, out_mask, acc);
        }
      }
    }
  }
}

}  // namespace detail

inline void depthwise_conv2d_direct(backend::avx512, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  if (s.out_c != s.in_c) {
    detail::depthwise_multiplier_avx512(s, channel_stride, input, packed, output, e);
    if (e.scalar_pass)
      detail::depthwise_activation_row_avx512(output, s.batch * s.out_h * s.out_w * s.out_c, activation.kind);
    return;
  }
  const bool sliding = s.dilation_w == 1 && s.dilation_h == 1 && (s.stride_w == 1 || s.stride_w == 2) &&
                       s.kernel_h == s.kernel_w && (s.kernel_w == 3 || s.kernel_w == 5);
  if (sliding) {
    // Row-major (one channel vector along a whole row, weights in registers) wins while the rows stay in
    // L2; large stride-1 images (112x112x32: 1.6 MB of input, streamed from L3) run faster pixel-major,
    // whose input reads are contiguous. Measured on MobileNetV2's layers (bench/conv.cpp).
    const bool pixel_major = s.stride_w == 1 && s.in_h * s.in_w * s.in_c > 256 * 1024;
    const int key = static_cast<int>(s.kernel_w) * 10 + static_cast<int>(s.stride_w) + (pixel_major ? 100 : 0);
    const auto k = activation.kind;
    switch (key) {
      case 31: detail::depthwise_sliding_avx512<3, 1>(s, channel_stride, input, packed, output, e, k); break;
      case 32: detail::depthwise_sliding_avx512<3, 2>(s, channel_stride, input, packed, output, e, k); break;
      case 51: detail::depthwise_sliding_avx512<5, 1>(s, channel_stride, input, packed, output, e, k); break;
      case 52: detail::depthwise_sliding_avx512<5, 2>(s, channel_stride, input, packed, output, e, k); break;
      case 131: detail::depthwise_sliding_pm_avx512<3, 1>(s, channel_stride, input, packed, output, e, k); break;
      default: detail::depthwise_sliding_pm_avx512<5, 1>(s, channel_stride, input, packed, output, e, k); break;
    }
    return;
  }
  if (s.kernel_h == 3 && s.kernel_w == 3) {
    detail::depthwise_avx512<3>(s, channel_stride, input, packed, output, e);
  } else if (s.kernel_h == 5 && s.kernel_w == 5) {
    detail::depthwise_avx512<5>(s, channel_stride, input, packed, output, e);
  } else {
    detail::depthwise_avx512<0>(s, channel_stride, input, packed, output, e);
  }
  if (e.scalar_pass) depthwise_activation_pass(s, output, activation);
}

}  // namespace tinynn::kernels

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx512/depthwise_conv2d.hpp ----
// ---- begin tinynn/backends/neon/depthwise_conv2d.hpp ----
// tinynn — NEON depthwise Conv2D (AArch64, xsimd batch<float, neon64>): per output pixel, 4 channels
// per vector over the valid taps, the channel tail in scalar code with the same epilogue. Channel
// multipliers > 1: per 4 output channels the input channels they read are loaded once per tap and
// spread over the lanes with one table lookup (TBL).

#include <cstdint>

#if defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>

#include <xsimd/xsimd.hpp>

namespace tinynn::kernels {

namespace detail {

/// Channel multiplier M > 1: output channel o reads input channel o / M. Output-channel blocks of 4
/// outermost (each block's byte table computed once); tails go through a 4-float stack buffer.
inline void depthwise_multiplier_neon(const ops::detail::ConvShape& s, std::int64_t channel_stride, const float* input,
                                      const float* packed, float* output, const ops::detail::GemmEpilogue& e) noexcept {
  const std::int64_t multiplier = s.out_c / s.in_c;
  const float* bias_row = packed + s.kernel_h * s.kernel_w * channel_stride;
  const float32x4_t lo = vdupq_n_f32(e.lo), hi = vdupq_n_f32(e.hi), alpha = vdupq_n_f32(e.alpha);
  for (std::int64_t o0 = 0; o0 < s.out_c; o0 += 4) {
    const std::int64_t first = o0 / multiplier;
    std::uint8_t bytes[16];
    for (std::int64_t i = 0; i < 4; ++i) {
      const std::int64_t o = o0 + i < s.out_c ? o0 + i : s.out_c - 1;
      for (std::int64_t j = 0; j < 4; ++j)
        bytes[4 * i + j] = static_cast<std::uint8_t>(4 * (o / multiplier - first) + j);
    }
    const uint8x16_t table = vld1q_u8(bytes);
    const std::int64_t in_rest = s.in_c - first, out_rest = s.out_c - o0;
    const float32x4_t bias = vld1q_f32(bias_row + o0);  // rows are padded to 16 floats
    for (std::int64_t b = 0; b < s.batch; ++b) {
      const float* image = input + b * s.in_h * s.in_w * s.in_c + first;
      for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
        const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
        float* out_row = output + ((b * s.out_h + oy) * s.out_w) * s.out_c + o0;
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          const std::int64_t ix0 = ox * s.stride_w - s.pad_left;
          float32x4_t acc = bias;
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = iy0 + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            const float* row = image + iy * s.in_w * s.in_c;
            const float* w = packed + ky * s.kernel_w * channel_stride + o0;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ix0 + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const float* src = row + ix * s.in_c;
              float32x4_t x;
              if (in_rest >= 4) {
                x = vld1q_f32(src);
              } else {
                float tail[4] = {0.0f, 0.0f, 0.0f, 0.0f};
                for (std::int64_t i = 0; i < in_rest; ++i) tail[i] = src[i];
                x = vld1q_f32(tail);
              }
              x = vreinterpretq_f32_u8(vqtbl1q_u8(vreinterpretq_u8_f32(x), table));
              acc = vfmaq_f32(acc, x, vld1q_f32(w + kx * channel_stride));
            }
          }
          if (e.leaky) acc = vbslq_f32(vcltzq_f32(acc), vmulq_f32(acc, alpha), acc);
          acc = vminq_f32(vmaxq_f32(acc, lo), hi);
          float* dst = out_row + ox * s.out_c;
          if (out_rest >= 4) {
            vst1q_f32(dst, acc);
          } else {
            float tail[4];
            vst1q_f32(tail, acc);
            for (std::int64_t i = 0; i < out_rest; ++i) dst[i] = tail[i];
          }
        }
      }
    }
  }
}

}  // namespace detail

inline void depthwise_conv2d_direct(backend::neon, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  using batch = xsimd::batch<float, xsimd::neon64>;
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  if (s.out_c != s.in_c) {
    detail::depthwise_multiplier_neon(s, channel_stride, input, packed, output, e);
    if (e.scalar_pass) depthwise_activation_pass(s, output, activation);
    return;
  }
  const std::int64_t channels = s.in_c;
  const float* bias = packed + s.kernel_h * s.kernel_w * channel_stride;
  const batch lo(e.lo), hi(e.hi), alpha(e.alpha), zero(0.0f);
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        float* out = output + ((b * s.out_h + oy) * s.out_w + ox) * channels;
        std::int64_t c = 0;
        for (; c + 4 <= channels; c += 4) {
          batch acc = batch::load_unaligned(bias + c);
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const batch x = batch::load_unaligned(input + ((b * s.in_h + iy) * s.in_w + ix) * channels + c);
              acc = xsimd::fma(x, batch::load_unaligned(packed + (ky * s.kernel_w + kx) * channel_stride + c), acc);
            }
          }
          if (e.leaky) acc = xsimd::select(acc < zero, acc * alpha, acc);
          xsimd::min(xsimd::max(acc, lo), hi).store_unaligned(out + c);
        }
        for (; c < channels; ++c) {
          float acc = bias[c];
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              acc += input[((b * s.in_h + iy) * s.in_w + ix) * channels + c] *
                     packed[(ky * s.kernel_w + kx) * channel_stride + c];
            }
          }
          if (e.leaky) acc = acc < 0.0f ? acc * e.alpha : acc;
          out[c] = acc < e.lo ? e.lo : (acc > e.hi ? e.hi : acc);
        }
      }
    }
  }
  if (e.scalar_pass) depthwise_activation_pass(s, output, activation);
}

}  // namespace tinynn::kernels

#endif  // __ARM_NEON && __aarch64__

// ---- end tinynn/backends/neon/depthwise_conv2d.hpp ----
// ---- begin tinynn/backends/sve/depthwise_conv2d.hpp ----
// tinynn — SVE depthwise Conv2D (ACLE, vector-length agnostic): per output pixel, svcntw() channels
// per predicated vector (the tail is the last predicate, no scalar loop). Channel multipliers > 1: per
// vector of output channels the input channels they read are loaded once per tap and spread over the
// lanes with one TBL (index = output channel / multiplier, by SVE's integer divide).

#include <cstdint>

#if defined(__ARM_FEATURE_SVE)
#include <arm_sve.h>

namespace tinynn::kernels {

namespace detail {

inline void depthwise_multiplier_sve(const ops::detail::ConvShape& s, std::int64_t channel_stride, const float* input,
                                     const float* packed, float* output, const ops::detail::GemmEpilogue& e) noexcept {
  const std::int64_t multiplier = s.out_c / s.in_c;
  const float* bias_row = packed + s.kernel_h * s.kernel_w * channel_stride;
  const auto lanes = static_cast<std::int64_t>(svcntw());
  const svbool_t all = svptrue_b32();
  for (std::int64_t o0 = 0; o0 < s.out_c; o0 += lanes) {
    const svbool_t pg = svwhilelt_b32(o0, s.out_c);
    const std::int64_t first = o0 / multiplier;
    const svbool_t pg_in = svwhilelt_b32(first, s.in_c);
    // Lanes past out_c index past the loaded inputs: TBL gives 0 there and they are never stored.
    const svuint32_t index = svsub_n_u32_x(
        all, svdiv_n_u32_x(all, svindex_u32(static_cast<std::uint32_t>(o0), 1), static_cast<std::uint32_t>(multiplier)),
        static_cast<std::uint32_t>(first));
    const svfloat32_t bias = svld1_f32(pg, bias_row + o0);
    for (std::int64_t b = 0; b < s.batch; ++b) {
      const float* image = input + b * s.in_h * s.in_w * s.in_c + first;
      for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
        const std::int64_t iy0 = oy * s.stride_h - s.pad_top;
        float* out_row = output + ((b * s.out_h + oy) * s.out_w) * s.out_c + o0;
        for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
          const std::int64_t ix0 = ox * s.stride_w - s.pad_left;
          svfloat32_t acc = bias;
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = iy0 + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            const float* row = image + iy * s.in_w * s.in_c;
            const float* w = packed + ky * s.kernel_w * channel_stride + o0;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ix0 + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const svfloat32_t x = svtbl_f32(svld1_f32(pg_in, row + ix * s.in_c), index);
              acc = svmla_f32_x(pg, acc, x, svld1_f32(pg, w + kx * channel_stride));
            }
          }
          if (e.leaky) acc = svmul_n_f32_m(svcmplt_n_f32(pg, acc, 0.0f), acc, e.alpha);
          acc = svmin_n_f32_x(pg, svmax_n_f32_x(pg, acc, e.lo), e.hi);
          svst1_f32(pg, out_row + ox * s.out_c, acc);
        }
      }
    }
  }
}

}  // namespace detail

inline void depthwise_conv2d_direct(backend::sve, const ops::detail::ConvShape& s, std::int64_t channel_stride,
                                    const float* input, const float* packed, float* output,
                                    const ops::ActivationParams& activation) noexcept {
  const ops::detail::GemmEpilogue e = ops::detail::gemm_epilogue(activation);
  if (s.out_c != s.in_c) {
    detail::depthwise_multiplier_sve(s, channel_stride, input, packed, output, e);
    if (e.scalar_pass) depthwise_activation_pass(s, output, activation);
    return;
  }
  const std::int64_t channels = s.in_c;
  const float* bias = packed + s.kernel_h * s.kernel_w * channel_stride;
  const auto lanes = static_cast<std::int64_t>(svcntw());
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t oy = 0; oy < s.out_h; ++oy) {
      for (std::int64_t ox = 0; ox < s.out_w; ++ox) {
        float* out = output + ((b * s.out_h + oy) * s.out_w + ox) * channels;
        for (std::int64_t c = 0; c < channels; c += lanes) {
          const svbool_t pg = svwhilelt_b32(c, channels);
          svfloat32_t acc = svld1_f32(pg, bias + c);
          for (std::int64_t ky = 0; ky < s.kernel_h; ++ky) {
            const std::int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dilation_h;
            if (iy < 0 || iy >= s.in_h) continue;
            for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
              const std::int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dilation_w;
              if (ix < 0 || ix >= s.in_w) continue;
              const svfloat32_t x = svld1_f32(pg, input + ((b * s.in_h + iy) * s.in_w + ix) * channels + c);
              const svfloat32_t w = svld1_f32(pg, packed + (ky * s.kernel_w + kx) * channel_stride + c);
              acc = svmla_f32_x(pg, acc, x, w);
            }
          }
          if (e.leaky) acc = svmul_n_f32_m(svcmplt_n_f32(pg, acc, 0.0f), acc, e.alpha);
          acc = svmin_n_f32_x(pg, svmax_n_f32_x(pg, acc, e.lo), e.hi);
          svst1_f32(pg, out + c, acc);
        }
      }
    }
  }
  if (e.scalar_pass) depthwise_activation_pass(s, output, activation);
}

}  // namespace tinynn::kernels

#endif  // __ARM_FEATURE_SVE

// ---- end tinynn/backends/sve/depthwise_conv2d.hpp ----

namespace tinynn::ops::depthwise_conv2d {

struct Params {
  std::int64_t batch = 1, in_h = 0, in_w = 0, channels = 0;
  std::int32_t multiplier = 1;
  std::int32_t kernel_h = 3, kernel_w = 3;
  std::int32_t stride_h = 1, stride_w = 1;
  std::int32_t dilation_h = 1, dilation_w = 1;
  PaddingMode padding_mode = PaddingMode::explicit_padding;
  Padding2D padding;  // used when padding_mode is explicit_padding
  ActivationParams activation;
};

[[nodiscard]] constexpr std::int64_t out_channels(const Params& p) noexcept { return p.channels * p.multiplier; }
[[nodiscard]] constexpr Padding2D effective_padding(const Params& p) noexcept {
  return detail::conv_resolve_padding(p.padding_mode, p.padding, p.in_h, p.in_w, p.kernel_h, p.kernel_w, p.stride_h,
                                      p.stride_w, p.dilation_h, p.dilation_w);
}
[[nodiscard]] constexpr std::int64_t output_h(const Params& p) noexcept {
  const Padding2D pad = effective_padding(p);
  return window_output_size(p.in_h, p.kernel_h, p.stride_h, p.dilation_h, pad.top, pad.bottom);
}
[[nodiscard]] constexpr std::int64_t output_w(const Params& p) noexcept {
  const Padding2D pad = effective_padding(p);
  return window_output_size(p.in_w, p.kernel_w, p.stride_w, p.dilation_w, pad.left, pad.right);
}
/// Floats between two taps' rows in the packed weights (out channels rounded up to 16).
[[nodiscard]] constexpr std::int64_t channel_stride(const Params& p) noexcept {
  return (out_channels(p) + 15) / 16 * 16;
}
[[nodiscard]] constexpr detail::ConvShape shape_of(const Params& p) noexcept {
  const Padding2D pad = effective_padding(p);
  detail::ConvShape s;
  s.batch = p.batch;
  s.in_h = p.in_h;
  s.in_w = p.in_w;
  s.in_c = p.channels;
  s.out_h = output_h(p);
  s.out_w = output_w(p);
  s.out_c = out_channels(p);
  s.kernel_h = p.kernel_h;
  s.kernel_w = p.kernel_w;
  s.stride_h = p.stride_h;
  s.stride_w = p.stride_w;
  s.dilation_h = p.dilation_h;
  s.dilation_w = p.dilation_w;
  s.pad_top = pad.top;
  s.pad_left = pad.left;
  s.groups = p.channels;
  return s;
}

/// No backend needs scratch.
template <backend::Backend B>
[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept {
  return 0;
}
[[nodiscard]] constexpr std::size_t scratch_size(const Params&, backend::BackendId) noexcept { return 0; }

/// Floats of packed weights + bias; the same for every backend.
[[nodiscard]] constexpr std::size_t packed_weights_size(const Params& p) noexcept {
  return static_cast<std::size_t>((std::int64_t{p.kernel_h} * p.kernel_w + 1) * channel_stride(p));
}

/// Packs [kh][kw][channels*multiplier] `weights` and `bias` (may be null) into `packed`.
constexpr void pack_weights(const Params& p, const float* weights, const float* bias, float* packed) noexcept {
  const std::int64_t stride = channel_stride(p);
  const std::int64_t out_c = out_channels(p);
  const std::int64_t taps = std::int64_t{p.kernel_h} * p.kernel_w;
  for (std::int64_t t = 0; t < taps; ++t) {
    for (std::int64_t o = 0; o < stride; ++o) packed[t * stride + o] = o < out_c ? weights[t * out_c + o] : 0.0f;
  }
  for (std::int64_t o = 0; o < stride; ++o) packed[taps * stride + o] = (bias != nullptr && o < out_c) ? bias[o] : 0.0f;
}

[[nodiscard]] inline Status prepare(const Params& p) {
  if (p.batch < 0 || p.in_h <= 0 || p.in_w <= 0 || p.channels <= 0 || p.multiplier <= 0) {
    return error(ErrorCode::invalid_argument, "depthwise_conv2d: sizes must be positive: batch=", p.batch,
                 " in=", p.in_h, "x", p.in_w, "x", p.channels, " multiplier=", p.multiplier);
  }
  if (p.kernel_h <= 0 || p.kernel_w <= 0 || p.stride_h <= 0 || p.stride_w <= 0 || p.dilation_h <= 0 ||
      p.dilation_w <= 0) {
    return error(ErrorCode::invalid_argument, "depthwise_conv2d: kernel ", p.kernel_h, "x", p.kernel_w, ", stride ",
                 p.stride_h, "x", p.stride_w, ", dilation ", p.dilation_h, "x", p.dilation_w, " must all be positive");
  }
  const Padding2D pad = effective_padding(p);
  if (pad.top < 0 || pad.left < 0 || pad.bottom < 0 || pad.right < 0) {
    return error(ErrorCode::invalid_argument, "depthwise_conv2d: negative padding ", pad.top, ",", pad.left, ",",
                 pad.bottom, ",", pad.right);
  }
  if (output_h(p) <= 0 || output_w(p) <= 0) {
    return error(ErrorCode::invalid_argument, "depthwise_conv2d: input ", p.in_h, "x", p.in_w,
                 " is smaller than the dilated kernel plus padding");
  }
  return Status::success();
}

/// Runs on backend B. input [batch][in_h][in_w][channels], output [batch][out_h][out_w][channels*multiplier].
template <backend::Backend B = backend::native>
void run(const Params& p, const float* input, const float* packed_weights, float* output) noexcept {
  backend::require_compilable<B>();
  kernels::depthwise_conv2d_direct(B{}, shape_of(p), channel_stride(p), input, packed_weights, output, p.activation);
}

inline void run(backend::BackendId id, const Params& p, const float* input, const float* packed_weights,
                float* output) noexcept {
  backend::dispatch(id, [&](auto tag) noexcept { run<decltype(tag)>(p, input, packed_weights, output); });
}

}  // namespace tinynn::ops::depthwise_conv2d

// ---- end tinynn/ops/depthwise_conv2d.hpp ----
// ---- begin tinynn/ops/detail/pool_fixed.hpp ----
// tinynn — max pooling with the window, stride and channel count known at compile time (static
// networks: nn::MaxPool2D), NHWC, no padding before the image (windows may be cut at the bottom/right
// edge, as in ceil mode). The fixed sizes let the compiler unroll the window and keep the C running
// maxima in registers: for narrow layers (SimpLeNet's 3 and 6 channels) this is several times faster
// than ops/pool2d's per-window row calls. Same result: NaN propagates, as in ops/pool2d.

#include <cstddef>
#include <cstdint>

namespace tinynn::ops::detail {

template <int KH, int KW, int SH, int SW, int C>
void max_pool_fixed(std::int64_t batch, std::int64_t h, std::int64_t w, std::int64_t oh, std::int64_t ow,
                    const float* x, float* y, const ActivationParams& activation) noexcept {
  static_assert(KH > 0 && KW > 0 && SH > 0 && SW > 0 && C > 0);
  for (std::int64_t n = 0; n < batch; ++n) {
    const float* image = x + n * h * w * C;
    for (std::int64_t oy = 0; oy < oh; ++oy) {
      const std::int64_t iy0 = oy * SH;
      const std::int64_t rows = h - iy0 < KH ? h - iy0 : KH;
      for (std::int64_t ox = 0; ox < ow; ++ox, y += C) {
        const std::int64_t ix0 = ox * SW;
        const float* corner = image + (iy0 * w + ix0) * C;
        float m[C];
        for (int c = 0; c < C; ++c) m[c] = corner[c];
        if (rows == KH && w - ix0 >= KW) {
#pragma GCC unroll 8
          for (int ky = 0; ky < KH; ++ky) {
#pragma GCC unroll 8
            for (int kx = 0; kx < KW; ++kx) {
              const float* tap = corner + (ky * w + kx) * C;
              for (int c = 0; c < C; ++c) m[c] = (tap[c] > m[c] || tap[c] != tap[c]) ? tap[c] : m[c];
            }
          }
        } else {
          const std::int64_t cols = w - ix0 < KW ? w - ix0 : KW;
          for (std::int64_t ky = 0; ky < rows; ++ky) {
            for (std::int64_t kx = 0; kx < cols; ++kx) {
              const float* tap = corner + (ky * w + kx) * C;
              for (int c = 0; c < C; ++c) m[c] = (tap[c] > m[c] || tap[c] != tap[c]) ? tap[c] : m[c];
            }
          }
        }
        if (activation.kind == Activation::none) {
          for (int c = 0; c < C; ++c) y[c] = m[c];
        } else {
          for (int c = 0; c < C; ++c) y[c] = apply_activation(activation, m[c]);
        }
      }
    }
  }
}

}  // namespace tinynn::ops::detail

// ---- end tinynn/ops/detail/pool_fixed.hpp ----
// ---- begin tinynn/ops/fully_connected.hpp ----
// tinynn — fully connected (dense): out[b][o] = act(bias[o] + sum over i of in[b][i] * w[o][i]).
// Weights [out_features][in_features] (PyTorch Linear, TFLite FULLY_CONNECTED, ONNX Gemm transB=1),
// bias [out_features] (optional); packed once into GEMM panels (ops/gemm.hpp), run as a GEMM with M = batch.

#include <cstddef>
#include <cstdint>

// ---- begin tinynn/ops/gemm.hpp ----
// tinynn — GEMM: C[M x N] = act(A[M x K] * B[K x N] + bias[N]).
// A, C row-major (rows lda / ldc floats apart); B (and bias) pre-packed once by pack_weights().
//
// Packed B layout (every backend reads the same one, see ops/detail/gemm_kernel.hpp): 16-column
// panels, panel p = B[0..K)[16p..16p+16) row by row (zero past N), then the bias padded to 16.
// Backends with a micro-kernel pack A per block into `scratch`; the scalar backend needs none.

#include <cstddef>
#include <cstdint>

// Backend kernels (each compiles to nothing where its ISA cannot be targeted).

namespace tinynn::ops::gemm {

struct Params {
  std::int64_t m = 0, n = 0, k = 0;
  std::int64_t lda = 0;  // 0: K (dense A)
  std::int64_t ldc = 0;  // 0: N (dense C)
  ActivationParams activation;
};

/// How the B handed to pack_weights() is laid out: [K][N] (kn) or [N][K] (nk, i.e. B transposed:
/// dense [out][in] weights, ONNX Gemm transB=1, conv OHWI weights).
enum class WeightLayout : std::uint8_t { kn, nk };

[[nodiscard]] constexpr std::int64_t effective_lda(const Params& p) noexcept { return p.lda > 0 ? p.lda : p.k; }
[[nodiscard]] constexpr std::int64_t effective_ldc(const Params& p) noexcept { return p.ldc > 0 ? p.ldc : p.n; }

/// Scratch floats run<B>() needs (0 for scalar).
template <backend::Backend B>
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  if constexpr (std::is_same_v<B, backend::scalar>) {
    return 0;
  } else {
    return detail::gemm_blocked_scratch_floats(p.m, p.k);
  }
}
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p, backend::BackendId id) noexcept {
  return id == backend::BackendId::scalar ? 0 : detail::gemm_blocked_scratch_floats(p.m, p.k);
}

/// Floats of packed B (+ bias); the same for every backend.
[[nodiscard]] constexpr std::size_t packed_weights_size(const Params& p) noexcept {
  return detail::gemm_packed_b_floats(p.n, p.k);
}

/// Packs B (rows `ldb` floats apart, 0: dense) and bias (N floats, may be null) into `packed`.
/// constexpr: static networks can pack at compile time; graphs pack once at session compile.
constexpr void pack_weights(const Params& p, const float* b, WeightLayout layout, const float* bias, float* packed,
                            std::int64_t ldb = 0) noexcept {
  const bool nk = layout == WeightLayout::nk;
  const std::int64_t ld = ldb > 0 ? ldb : (nk ? p.k : p.n);
  detail::gemm_pack_b(p.n, p.k, b, ld, nk, bias, packed);
}

/// Validates the problem: non-negative sizes, strides at least as wide as the rows.
[[nodiscard]] inline Status prepare(const Params& p) {
  if (p.m < 0 || p.n < 0 || p.k < 0) {
    return error(ErrorCode::invalid_argument, "gemm: negative size M=", p.m, " N=", p.n, " K=", p.k);
  }
  if (p.lda != 0 && p.lda < p.k) {
    return error(ErrorCode::invalid_argument, "gemm: lda=", p.lda, " is smaller than K=", p.k);
  }
  if (p.ldc != 0 && p.ldc < p.n) {
    return error(ErrorCode::invalid_argument, "gemm: ldc=", p.ldc, " is smaller than N=", p.n);
  }
  return Status::success();
}

/// Runs on backend B (compile-time choice). `scratch`: scratch_size<B>(p) floats (may be null if 0).
template <backend::Backend B = backend::native>
void run(const Params& p, const float* a, const float* packed_b, float* c, float* scratch) noexcept {
  backend::require_compilable<B>();
  const detail::GemmKernelShape shape = kernels::gemm_kernel_shape(B{});
  if (shape.mr == 0) {
    kernels::gemm_direct(B{}, p.m, p.n, p.k, a, effective_lda(p), packed_b, c, effective_ldc(p), p.activation);
    return;
  }
  const std::int64_t panels = detail::gemm_panel_count(p.n);
  const int direct_rows = panels <= 4 ? kernels::gemm_direct_rows(B{}, static_cast<int>(panels)) : 0;
  if (direct_rows > 0 && p.m >= 2 * direct_rows) {
    // Narrow N: packing A would cost about as much as the FMAs it feeds; read it in place.
    const auto direct = [](int tile_panels, const detail::GemmDirectTile& tile) noexcept {
      kernels::gemm_direct_tile(B{}, tile_panels, tile);
    };
    detail::gemm_direct_blocked(direct, direct_rows, p.m, p.n, p.k, detail::GemmRowSource{a, effective_lda(p)},
                                packed_b, c, effective_ldc(p), p.activation);
    return;
  }
  const auto kernel = [](int rows, int panels, const detail::GemmTile& tile) noexcept {
    kernels::gemm_tile(B{}, rows, panels, tile);
  };
  detail::gemm_blocked(kernel, shape, p.m, p.n, p.k,
                       detail::GemmRowPacker{a, effective_lda(p), kernels::gemm_pack_rows_fn(B{})}, packed_b, c,
                       effective_ldc(p), p.activation, scratch);
}

/// Runs on a backend chosen at run time (ask backend_available(id) / runtime_backend() first).
inline void run(backend::BackendId id, const Params& p, const float* a, const float* packed_b, float* c,
                float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) noexcept { run<decltype(tag)>(p, a, packed_b, c, scratch); });
}

}  // namespace tinynn::ops::gemm

// ---- end tinynn/ops/gemm.hpp ----

namespace tinynn::ops::fully_connected {

struct Params {
  std::int64_t batch = 1, in_features = 0, out_features = 0;
  ActivationParams activation;
};

[[nodiscard]] constexpr gemm::Params gemm_params(const Params& p) noexcept {
  gemm::Params g;
  g.m = p.batch;
  g.n = p.out_features;
  g.k = p.in_features;
  g.activation = p.activation;
  return g;
}

template <backend::Backend B>
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  return gemm::scratch_size<B>(gemm_params(p));
}
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p, backend::BackendId id) noexcept {
  return gemm::scratch_size(gemm_params(p), id);
}

[[nodiscard]] constexpr std::size_t packed_weights_size(const Params& p) noexcept {
  return gemm::packed_weights_size(gemm_params(p));
}

/// Packs [out][in] `weights` and `bias` (may be null) into `packed`.
constexpr void pack_weights(const Params& p, const float* weights, const float* bias, float* packed) noexcept {
  gemm::pack_weights(gemm_params(p), weights, gemm::WeightLayout::nk, bias, packed);
}

[[nodiscard]] inline Status prepare(const Params& p) {
  if (p.batch < 0 || p.in_features < 0 || p.out_features <= 0) {
    return error(ErrorCode::invalid_argument, "fully_connected: batch=", p.batch, " in_features=", p.in_features,
                 " out_features=", p.out_features, " (out_features must be positive, the others non-negative)");
  }
  return Status::success();
}

/// input [batch][in_features], output [batch][out_features]; `scratch`: scratch_size<B>(p) floats.
template <backend::Backend B = backend::native>
void run(const Params& p, const float* input, const float* packed_weights, float* output, float* scratch) noexcept {
  gemm::run<B>(gemm_params(p), input, packed_weights, output, scratch);
}

inline void run(backend::BackendId id, const Params& p, const float* input, const float* packed_weights, float* output,
                float* scratch) noexcept {
  gemm::run(id, gemm_params(p), input, packed_weights, output, scratch);
}

}  // namespace tinynn::ops::fully_connected

// ---- end tinynn/ops/fully_connected.hpp ----
// ---- begin tinynn/ops/pad.hpp ----
// tinynn — padding (ONNX Pad; any element type). y has x's shape grown by before+after per axis:
//   y[o] = x[map(o - before)], map = identity inside x, else constant value / reflect (mirror without
//   repeating the edge) / edge (nearest element) / wrap. Negative pads crop.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

// ---- begin tinynn/ops/detail/nd.hpp ----
// tinynn — internal helpers for ops over runtime shapes: axis normalisation, strided iteration
// with up to max_rank dimensions (no heap), and merging of dimensions that iterate alike.

#include <array>
#include <cstddef>
#include <cstdint>

namespace tinynn::ops::detail {

/// A normalised axis in [0, rank), or -1 when `axis` is outside [-rank, rank).
[[nodiscard]] constexpr std::int64_t normalize_axis(std::int64_t axis, std::size_t rank) noexcept {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) return -1;
  return axis < 0 ? axis + r : axis;
}

/// A loop nest of up to max_rank dimensions over `operands` strided arrays; the innermost
/// dimension is last. Dimensions of extent 1 are dropped and neighbours that every operand walks
/// contiguously are merged, so the innermost loop is as long as possible.
template <std::size_t Operands>
struct StridedLoop {
  std::size_t rank = 0;
  std::array<std::size_t, max_rank> extent{};
  std::array<std::array<std::ptrdiff_t, max_rank>, Operands> stride{};

  /// Adds a dimension (outermost first).
  constexpr void push(std::size_t n, const std::array<std::ptrdiff_t, Operands>& strides) noexcept {
    if (n == 1) return;
    if (rank > 0) {
      bool mergeable = true;
      for (std::size_t k = 0; k < Operands; ++k) {
        if (stride[k][rank - 1] != strides[k] * static_cast<std::ptrdiff_t>(n)) mergeable = false;
      }
      if (mergeable) {
        extent[rank - 1] *= n;
        for (std::size_t k = 0; k < Operands; ++k) stride[k][rank - 1] = strides[k];
        return;
      }
    }
    extent[rank] = n;
    for (std::size_t k = 0; k < Operands; ++k) stride[k][rank] = strides[k];
    ++rank;
  }

  [[nodiscard]] constexpr std::size_t inner_extent() const noexcept { return rank ? extent[rank - 1] : 1; }
  [[nodiscard]] constexpr std::ptrdiff_t inner_stride(std::size_t k) const noexcept {
    return rank ? stride[k][rank - 1] : 0;
  }

  /// Calls f(offsets) once per innermost row (offsets of the row's first element per operand).
  template <class F>
  constexpr void for_each_row(F&& f) const noexcept {
    const std::size_t outer_rank = rank ? rank - 1 : 0;
    std::array<std::size_t, max_rank> index{};
    std::array<std::ptrdiff_t, Operands> offset{};
    for (;;) {
      f(offset);
      std::size_t d = outer_rank;
      for (;;) {
        if (d == 0) return;
        --d;
        ++index[d];
        for (std::size_t k = 0; k < Operands; ++k) offset[k] += stride[k][d];
        if (index[d] < extent[d]) break;
        for (std::size_t k = 0; k < Operands; ++k) offset[k] -= stride[k][d] * static_cast<std::ptrdiff_t>(extent[d]);
        index[d] = 0;
      }
    }
  }
};

/// Product of dims [begin, end).
[[nodiscard]] constexpr std::size_t dims_product(const DynShape& s, std::size_t begin, std::size_t end) noexcept {
  std::size_t p = 1;
  for (std::size_t i = begin; i < end; ++i) p *= static_cast<std::size_t>(s[i]);
  return p;
}

}  // namespace tinynn::ops::detail

// ---- end tinynn/ops/detail/nd.hpp ----

namespace tinynn::ops {

enum class PadMode : std::uint8_t { constant, reflect, edge, wrap };
namespace detail {
/// The input index that output index o (already shifted by -before) reads, or -1 for the constant.
[[nodiscard]] constexpr std::int64_t pad_source(std::int64_t i, std::int64_t dim, PadMode mode) noexcept {
  if (i >= 0 && i < dim) return i;
  switch (mode) {
    case PadMode::constant: return -1;
    case PadMode::edge: return i < 0 ? 0 : dim - 1;
    case PadMode::wrap: return ((i % dim) + dim) % dim;
    case PadMode::reflect: {
      if (dim == 1) return 0;
      const std::int64_t period = 2 * (dim - 1);
      i = ((i % period) + period) % period;
      return i < dim ? i : period - i;
    }
  }
  return -1;
}
}  // namespace detail

namespace pad {

struct Params {
  PadMode mode = PadMode::constant;
  DynShape input;
  DynShape output;                              // set by prepare()
  std::array<std::int64_t, max_rank> before{};  // set by prepare()
  std::array<std::int64_t, max_rank> after{};   // set by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// ONNX pads: [x1_begin, x2_begin, ..., x1_end, x2_end, ...] for `axes` (empty = all axes).
[[nodiscard]] inline Status prepare(Params& p, std::span<const std::int64_t> pads,
                                    std::span<const std::int64_t> axes = {}) {
  const std::size_t rank = p.input.rank();
  const std::size_t count = axes.empty() ? rank : axes.size();
  if (pads.size() != 2 * count) {
    return error(ErrorCode::invalid_argument, "pad: ", pads.size(), " pads, expected ", 2 * count, " for input ",
                 p.input);
  }
  p.before = {};
  p.after = {};
  for (std::size_t k = 0; k < count; ++k) {
    const std::int64_t axis = axes.empty() ? static_cast<std::int64_t>(k) : detail::normalize_axis(axes[k], rank);
    if (axis < 0) return error(ErrorCode::invalid_argument, "pad: axis ", axes[k], " is out of range for ", p.input);
    p.before[static_cast<std::size_t>(axis)] = pads[k];
    p.after[static_cast<std::size_t>(axis)] = pads[k + count];
  }
  p.output = p.input;
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t dim = p.input[i];
    const std::int64_t out = dim + p.before[i] + p.after[i];
    if (out < 0) {
      return error(ErrorCode::invalid_argument, "pad: pads ", p.before[i], ", ", p.after[i], " on axis ", i,
                   " crop more than its length ", dim);
    }
    const bool pads_axis = p.before[i] > 0 || p.after[i] > 0;
    if (p.mode != PadMode::constant && pads_axis && dim == 0) {
      return error(ErrorCode::invalid_argument, "pad: cannot ", p.mode == PadMode::edge ? "edge" : "reflect/wrap",
                   "-pad the empty axis ", i, " of ", p.input);
    }
    p.output[i] = out;
  }
  return {};
}

/// Pads x into y; `value` fills constant padding.
template <class T>
inline void run(const Params& p, const T* x, T* y, T value = T{}) noexcept {
  const std::size_t size = p.output.size();
  if (size == 0) return;
  const std::size_t rank = p.output.rank();
  if (rank == 0) {
    *y = *x;
    return;
  }
  const std::size_t inner = static_cast<std::size_t>(p.output[rank - 1]);
  const std::int64_t in_inner = p.input[rank - 1];
  const std::int64_t shift = p.before[rank - 1];
  std::array<std::int64_t, max_rank> index{};
  for (std::size_t row = 0; row < size / inner; ++row, y += inner) {
    // Source row: each outer output index maps to an input index (or to the constant).
    std::int64_t offset = 0;
    bool constant_row = false;
    for (std::size_t d = 0; d + 1 < rank; ++d) {
      const std::int64_t src = detail::pad_source(index[d] - p.before[d], p.input[d], p.mode);
      if (src < 0) constant_row = true;
      offset += src * static_cast<std::int64_t>(p.input.stride(d));
    }
    if (constant_row) {
      for (std::size_t i = 0; i < inner; ++i) y[i] = value;
    } else {
      const T* in = x + offset;
      // Output columns [lo, hi) read the input contiguously; the rest go through pad_source.
      std::int64_t lo = shift < 0 ? 0 : shift;
      std::int64_t hi = shift + in_inner;
      if (hi > static_cast<std::int64_t>(inner)) hi = static_cast<std::int64_t>(inner);
      if (hi < lo) hi = lo;
      for (std::int64_t o = 0; o < lo; ++o) {
        const std::int64_t src = detail::pad_source(o - shift, in_inner, p.mode);
        y[o] = src < 0 ? value : in[src];
      }
      if (hi > lo) std::memcpy(y + lo, in + (lo - shift), static_cast<std::size_t>(hi - lo) * sizeof(T));
      for (std::int64_t o = hi; o < static_cast<std::int64_t>(inner); ++o) {
        const std::int64_t src = detail::pad_source(o - shift, in_inner, p.mode);
        y[o] = src < 0 ? value : in[src];
      }
    }
    for (std::size_t d = rank - 1; d-- > 0;) {
      if (++index[d] < p.output[d]) break;
      index[d] = 0;
    }
  }
}

}  // namespace pad
}  // namespace tinynn::ops

// ---- end tinynn/ops/pad.hpp ----
// ---- begin tinynn/ops/pool.hpp ----
// tinynn — 2-D max and average pooling, NHWC.
//   max:     y[n,oh,ow,c] = max over the window of x[n, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw, c]
//   average: the window's sum / (count of positions inside the input, or inside input+padding).

#include <cstddef>
#include <cstdint>
#include <limits>

// ---- begin tinynn/backends/avx2/pool.hpp ----
// tinynn — AVX2+FMA pooling row kernels.

// ---- begin tinynn/backends/scalar/pool.hpp ----
// tinynn — scalar pooling row kernels (NHWC: a row is the C channels of one pixel).

#include <cstddef>

namespace tinynn::backend {

/// acc[i] = max(acc[i], x[t*stride + i]) over the taps t < count of one kernel row; NaN propagates.
inline void pool_max_taps(scalar, float* TINYNN_RESTRICT acc, const float* TINYNN_RESTRICT x, std::size_t count,
                          std::ptrdiff_t stride, std::size_t c) noexcept {
  for (std::size_t t = 0; t < count; ++t) {
    const float* tap = x + static_cast<std::ptrdiff_t>(t) * stride;
    for (std::size_t i = 0; i < c; ++i) acc[i] = (tap[i] > acc[i] || tap[i] != tap[i]) ? tap[i] : acc[i];
  }
}

/// acc[i] += x[t*stride + i] over the taps t < count.
inline void pool_sum_taps(scalar, float* TINYNN_RESTRICT acc, const float* TINYNN_RESTRICT x, std::size_t count,
                          std::ptrdiff_t stride, std::size_t c) noexcept {
  for (std::size_t t = 0; t < count; ++t) {
    const float* tap = x + static_cast<std::ptrdiff_t>(t) * stride;
    for (std::size_t i = 0; i < c; ++i) acc[i] += tap[i];
  }
}

/// y[i] = act(y[i] * scale).
inline void pool_finish_row(scalar, float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  if (scale != 1.0f) {
    for (std::size_t i = 0; i < c; ++i) y[i] *= scale;
  }
  if (act.kind != ops::Activation::none) {
    for (std::size_t i = 0; i < c; ++i) y[i] = ops::apply_activation(act, y[i]);
  }
}

}  // namespace tinynn::backend

// ---- end tinynn/backends/scalar/pool.hpp ----

#if TINYNN_HAS_X86_KERNELS

namespace tinynn::backend::avx2_impl {

/// acc[i] = max(acc[i], x[t*stride + i]) over taps t < count (NaN propagates); acc stays in a register
/// while the taps of one channel vector are folded in.
TINYNN_TARGET_AVX2 inline void pool_max_taps(float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                                             std::size_t c) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= c; i += lanes) {
    V m = load(acc + i);
    for (std::size_t t = 0; t < count; ++t) {
      const V v = load(x + static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i));
      m = select(isnan(v), v, vmax(v, m));
    }
    store(acc + i, m);
  }
  for (; i < c; ++i) {
    float m = acc[i];
    for (std::size_t t = 0; t < count; ++t) {
      const float v = x[static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)];
      m = (v > m || v != v) ? v : m;
    }
    acc[i] = m;
  }
}

/// acc[i] += x[t*stride + i] over taps t < count.
TINYNN_TARGET_AVX2 inline void pool_sum_taps(float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                                             std::size_t c) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= c; i += lanes) {
    V s = load(acc + i);
    for (std::size_t t = 0; t < count; ++t) {
      s = add(s, load(x + static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)));
    }
    store(acc + i, s);
  }
  for (; i < c; ++i) {
    float s = acc[i];
    for (std::size_t t = 0; t < count; ++t)
      s += x[static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)];
    acc[i] = s;
  }
}

TINYNN_TARGET_AVX2 inline void pool_finish_row(float* y, float scale, std::size_t c,
                                               const ops::ActivationParams& act) noexcept {
  if (scale != 1.0f) {
    std::size_t i = 0;
    for (; i + lanes <= c; i += lanes) store(y + i, mul(load(y + i), splat(scale)));
    for (; i < c; ++i) y[i] *= scale;
  }
  if (act.kind != ops::Activation::none) activation_loop(act, y, c);
}

}  // namespace tinynn::backend::avx2_impl

namespace tinynn::backend {

inline void pool_max_taps(avx2, float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  avx2_impl::pool_max_taps(acc, x, count, stride, c);
}
inline void pool_sum_taps(avx2, float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  avx2_impl::pool_sum_taps(acc, x, count, stride, c);
}
inline void pool_finish_row(avx2, float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  avx2_impl::pool_finish_row(y, scale, c, act);
}

}  // namespace tinynn::backend

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx2/pool.hpp ----
// ---- begin tinynn/backends/avx512/pool.hpp ----
// tinynn — AVX-512 pooling row kernels.

#if TINYNN_HAS_X86_KERNELS

namespace tinynn::backend::avx512_impl {

/// acc[i] = max(acc[i], x[t*stride + i]) over taps t < count (NaN propagates); acc stays in a register
/// while the taps of one channel vector are folded in.
TINYNN_TARGET_AVX512 inline void pool_max_taps(float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                                               std::size_t c) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= c; i += lanes) {
    V m = load(acc + i);
    for (std::size_t t = 0; t < count; ++t) {
      const V v = load(x + static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i));
      m = select(isnan(v), v, vmax(v, m));
    }
    store(acc + i, m);
  }
  for (; i < c; ++i) {
    float m = acc[i];
    for (std::size_t t = 0; t < count; ++t) {
      const float v = x[static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)];
      m = (v > m || v != v) ? v : m;
    }
    acc[i] = m;
  }
}

/// acc[i] += x[t*stride + i] over taps t < count.
TINYNN_TARGET_AVX512 inline void pool_sum_taps(float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                                               std::size_t c) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= c; i += lanes) {
    V s = load(acc + i);
    for (std::size_t t = 0; t < count; ++t) {
      s = add(s, load(x + static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)));
    }
    store(acc + i, s);
  }
  for (; i < c; ++i) {
    float s = acc[i];
    for (std::size_t t = 0; t < count; ++t)
      s += x[static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)];
    acc[i] = s;
  }
}

TINYNN_TARGET_AVX512 inline void pool_finish_row(float* y, float scale, std::size_t c,
                                                 const ops::ActivationParams& act) noexcept {
  if (scale != 1.0f) {
    std::size_t i = 0;
    for (; i + lanes <= c; i += lanes) store(y + i, mul(load(y + i), splat(scale)));
    for (; i < c; ++i) y[i] *= scale;
  }
  if (act.kind != ops::Activation::none) activation_loop(act, y, c);
}

}  // namespace tinynn::backend::avx512_impl

namespace tinynn::backend {

inline void pool_max_taps(avx512, float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  avx512_impl::pool_max_taps(acc, x, count, stride, c);
}
inline void pool_sum_taps(avx512, float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  avx512_impl::pool_sum_taps(acc, x, count, stride, c);
}
inline void pool_finish_row(avx512, float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  avx512_impl::pool_finish_row(y, scale, c, act);
}

}  // namespace tinynn::backend

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx512/pool.hpp ----
// ---- begin tinynn/backends/neon/pool.hpp ----
// tinynn — NEON (xsimd) pooling row kernels.

#if defined(__ARM_NEON) && defined(__aarch64__)

namespace tinynn::backend::neon_impl {

/// acc[i] = max(acc[i], x[t*stride + i]) over taps t < count (NaN propagates); acc stays in a register
/// while the taps of one channel vector are folded in.
inline void pool_max_taps(float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= c; i += lanes) {
    V m = load(acc + i);
    for (std::size_t t = 0; t < count; ++t) {
      const V v = load(x + static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i));
      m = select(isnan(v), v, vmax(v, m));
    }
    store(acc + i, m);
  }
  for (; i < c; ++i) {
    float m = acc[i];
    for (std::size_t t = 0; t < count; ++t) {
      const float v = x[static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)];
      m = (v > m || v != v) ? v : m;
    }
    acc[i] = m;
  }
}

/// acc[i] += x[t*stride + i] over taps t < count.
inline void pool_sum_taps(float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  std::size_t i = 0;
  for (; i + lanes <= c; i += lanes) {
    V s = load(acc + i);
    for (std::size_t t = 0; t < count; ++t) {
      s = add(s, load(x + static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)));
    }
    store(acc + i, s);
  }
  for (; i < c; ++i) {
    float s = acc[i];
    for (std::size_t t = 0; t < count; ++t)
      s += x[static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)];
    acc[i] = s;
  }
}

inline void pool_finish_row(float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  if (scale != 1.0f) {
    std::size_t i = 0;
    for (; i + lanes <= c; i += lanes) store(y + i, mul(load(y + i), splat(scale)));
    for (; i < c; ++i) y[i] *= scale;
  }
  if (act.kind != ops::Activation::none) activation_loop(act, y, c);
}

}  // namespace tinynn::backend::neon_impl

namespace tinynn::backend {

inline void pool_max_taps(neon, float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  neon_impl::pool_max_taps(acc, x, count, stride, c);
}
inline void pool_sum_taps(neon, float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  neon_impl::pool_sum_taps(acc, x, count, stride, c);
}
inline void pool_finish_row(neon, float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  neon_impl::pool_finish_row(y, scale, c, act);
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_NEON) && defined(__aarch64__)

// ---- end tinynn/backends/neon/pool.hpp ----
// ---- begin tinynn/backends/sve/pool.hpp ----
// tinynn — SVE pooling row kernels (predicated loops: no scalar tails).

#if defined(__ARM_FEATURE_SVE)

namespace tinynn::backend::sve_impl {

inline void pool_max_taps(float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  for (std::size_t i = 0; i < c; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, c);
    V m = svld1_f32(pg, acc + i);
    for (std::size_t t = 0; t < count; ++t) {
      const V v = svld1_f32(pg, x + static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i));
      m = select(isnan(v), v, vmax(v, m));
    }
    svst1_f32(pg, acc + i, m);
  }
}

inline void pool_sum_taps(float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  for (std::size_t i = 0; i < c; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, c);
    V s = svld1_f32(pg, acc + i);
    for (std::size_t t = 0; t < count; ++t) {
      s = add(s, svld1_f32(pg, x + static_cast<std::ptrdiff_t>(t) * stride + static_cast<std::ptrdiff_t>(i)));
    }
    svst1_f32(pg, acc + i, s);
  }
}

inline void pool_finish_row(float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  if (scale != 1.0f) {
    for (std::size_t i = 0; i < c; i += svcntw()) {
      const svbool_t pg = svwhilelt_b32_u64(i, c);
      svst1_f32(pg, y + i, mul(svld1_f32(pg, y + i), splat(scale)));
    }
  }
  if (act.kind != ops::Activation::none) activation_loop(act, y, c);
}

}  // namespace tinynn::backend::sve_impl

namespace tinynn::backend {

inline void pool_max_taps(sve, float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  sve_impl::pool_max_taps(acc, x, count, stride, c);
}
inline void pool_sum_taps(sve, float* acc, const float* x, std::size_t count, std::ptrdiff_t stride,
                          std::size_t c) noexcept {
  sve_impl::pool_sum_taps(acc, x, count, stride, c);
}
inline void pool_finish_row(sve, float* y, float scale, std::size_t c, const ops::ActivationParams& act) noexcept {
  sve_impl::pool_finish_row(y, scale, c, act);
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_FEATURE_SVE)

// ---- end tinynn/backends/sve/pool.hpp ----

namespace tinynn::ops {

enum class PoolKind : std::uint8_t { max, average };
namespace pool2d {

struct Params {
  PoolKind kind = PoolKind::max;
  std::int32_t kernel_h = 1, kernel_w = 1;
  std::int32_t stride_h = 1, stride_w = 1;
  std::int32_t dilation_h = 1, dilation_w = 1;
  Padding2D padding{};
  bool ceil_mode = false;
  bool count_include_pad = false;  // average: divide by the window's size within input+padding
  bool global = false;             // prepare() sets the kernel to the whole input, no padding
  ActivationParams activation{};   // fused after pooling
  DynShape input;                  // [N, H, W, C]
  DynShape output;                 // set by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Validates `p` against p.input and sets p.output (and, for global pooling, the kernel).
[[nodiscard]] inline Status prepare(Params& p) {
  if (p.input.rank() != 4) {
    return error(ErrorCode::invalid_argument, "pool2d: input must be NHWC (rank 4), found shape ", p.input);
  }
  if (p.global) {
    p.kernel_h = static_cast<std::int32_t>(p.input[1]);
    p.kernel_w = static_cast<std::int32_t>(p.input[2]);
    p.stride_h = p.stride_w = p.dilation_h = p.dilation_w = 1;
    p.padding = {};
    p.ceil_mode = false;
  }
  if (p.kernel_h < 1 || p.kernel_w < 1 || p.stride_h < 1 || p.stride_w < 1 || p.dilation_h < 1 || p.dilation_w < 1) {
    return error(ErrorCode::invalid_argument, "pool2d: kernel ", p.kernel_h, "x", p.kernel_w, ", stride ", p.stride_h,
                 "x", p.stride_w, ", dilation ", p.dilation_h, "x", p.dilation_w, " must all be >= 1");
  }
  const Padding2D& pad = p.padding;
  if (pad.top < 0 || pad.left < 0 || pad.bottom < 0 || pad.right < 0) {
    return error(ErrorCode::invalid_argument, "pool2d: negative padding (top ", pad.top, ", left ", pad.left,
                 ", bottom ", pad.bottom, ", right ", pad.right, ")");
  }
  if (pad.top >= (p.kernel_h - 1) * p.dilation_h + 1 || pad.bottom >= (p.kernel_h - 1) * p.dilation_h + 1 ||
      pad.left >= (p.kernel_w - 1) * p.dilation_w + 1 || pad.right >= (p.kernel_w - 1) * p.dilation_w + 1) {
    return error(ErrorCode::invalid_argument, "pool2d: padding (top ", pad.top, ", left ", pad.left, ", bottom ",
                 pad.bottom, ", right ", pad.right, ") must be smaller than the kernel extent ", p.kernel_h, "x",
                 p.kernel_w);
  }
  const std::int64_t oh =
      window_output_size(p.input[1], p.kernel_h, p.stride_h, p.dilation_h, pad.top, pad.bottom, p.ceil_mode);
  const std::int64_t ow =
      window_output_size(p.input[2], p.kernel_w, p.stride_w, p.dilation_w, pad.left, pad.right, p.ceil_mode);
  if ((oh <= 0 || ow <= 0) && p.input.size() != 0) {
    return error(ErrorCode::invalid_argument, "pool2d: kernel ", p.kernel_h, "x", p.kernel_w,
                 " does not fit the padded input ", p.input);
  }
  p.output = DynShape{p.input[0], oh < 0 ? 0 : oh, ow < 0 ? 0 : ow, p.input[3]};
  return {};
}

/// Pools x (p.input) into y (p.output).
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* x, float* y) noexcept {
  backend::require_compilable<B>();
  const std::int64_t batch = p.input[0], h = p.input[1], w = p.input[2];
  const auto c = static_cast<std::size_t>(p.input[3]);
  const std::int64_t oh = p.output[1], ow = p.output[2];
  const bool is_max = p.kind == PoolKind::max;
  for (std::int64_t n = 0; n < batch; ++n) {
    const float* image = x + static_cast<std::size_t>(n * h * w) * c;
    for (std::int64_t oy = 0; oy < oh; ++oy) {
      const std::int64_t y0 = oy * p.stride_h - p.padding.top;
      for (std::int64_t ox = 0; ox < ow; ++ox, y += c) {
        const std::int64_t x0 = ox * p.stride_w - p.padding.left;
        const float init = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
        for (std::size_t i = 0; i < c; ++i) y[i] = init;
        std::int64_t inside = 0, padded = 0;
        // Taps of one kernel row: those inside the padded input count for count_include_pad; the
        // ones inside the input form one run [kx_begin, kx_end) handed to the backend at once.
        std::int32_t kx_begin = p.kernel_w, kx_end = 0, kx_padded = 0;
        for (std::int32_t kx = 0; kx < p.kernel_w; ++kx) {
          const std::int64_t ix = x0 + std::int64_t{kx} * p.dilation_w;
          if (ix >= w + p.padding.right) break;
          kx_padded = kx + 1;
          if (ix >= 0 && ix < w) {
            if (kx < kx_begin) kx_begin = kx;
            kx_end = kx + 1;
          }
        }
        const auto taps = static_cast<std::size_t>(kx_end > kx_begin ? kx_end - kx_begin : 0);
        const auto tap_stride = static_cast<std::ptrdiff_t>(p.dilation_w) * static_cast<std::ptrdiff_t>(c);
        for (std::int32_t ky = 0; ky < p.kernel_h; ++ky) {
          const std::int64_t iy = y0 + std::int64_t{ky} * p.dilation_h;
          if (iy >= h + p.padding.bottom) break;
          padded += kx_padded;
          if (iy < 0 || iy >= h || taps == 0) continue;
          inside += static_cast<std::int64_t>(taps);
          const float* first =
              image + static_cast<std::size_t>(iy * w + x0 + std::int64_t{kx_begin} * p.dilation_w) * c;
          if (is_max) {
            backend::pool_max_taps(B{}, y, first, taps, tap_stride, c);
          } else {
            backend::pool_sum_taps(B{}, y, first, taps, tap_stride, c);
          }
        }
        const std::int64_t count = p.count_include_pad ? padded : inside;
        const float scale = is_max ? 1.0f : (count > 0 ? 1.0f / static_cast<float>(count) : 0.0f);
        backend::pool_finish_row(B{}, y, scale, c, p.activation);
      }
    }
  }
}

inline void run(backend::BackendId id, const Params& p, const float* x, float* y) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, x, y); });
}

}  // namespace pool2d
}  // namespace tinynn::ops

// ---- end tinynn/ops/pool.hpp ----
// ---- begin tinynn/ops/softmax.hpp ----
// tinynn — softmax and log-softmax over one axis, numerically stable.
//   softmax: y = exp(x - max) / sum(exp(x - max));  log-softmax: y = x - max - log(sum(exp(x - max)))
//   (ONNX opset < 13 "coerced 2-D" semantics: set flatten_from_axis, the axis becomes all dims >= axis).

#include <cstddef>
#include <cstdint>

// ---- begin tinynn/backends/avx2/softmax.hpp ----
// tinynn — AVX2+FMA softmax row kernel.

// ---- begin tinynn/backends/scalar/softmax.hpp ----
// tinynn — scalar softmax over one contiguous row, numerically stable (the maximum is subtracted
// before exponentiating): y = exp(x - m) / sum exp(x - m), log-softmax y = (x - m) - log(sum).

#include <cmath>
#include <cstddef>
#include <limits>

namespace tinynn::backend {

/// Softmax (or log-softmax) of x[0], x[stride], ..., x[(n-1)*stride] into y at the same offsets.
/// x == y is allowed.
inline void softmax_row(scalar, const float* x, float* y, std::size_t n, std::size_t stride, bool log) noexcept {
  if (n == 0) return;
  float m = -std::numeric_limits<float>::infinity();
  for (std::size_t i = 0; i < n; ++i) m = x[i * stride] > m ? x[i * stride] : m;
  if (m == -std::numeric_limits<float>::infinity()) m = 0.0f;  // all -inf: keep exp finite
  float sum = 0.0f;
  if (log) {
    for (std::size_t i = 0; i < n; ++i) sum += std::exp(x[i * stride] - m);
    // (x - m) - log(sum), not x - (m + log(sum)): the latter loses log(sum) next to a large m.
    const float log_sum = std::log(sum);
    for (std::size_t i = 0; i < n; ++i) y[i * stride] = (x[i * stride] - m) - log_sum;
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const float e = std::exp(x[i * stride] - m);
    y[i * stride] = e;
    sum += e;
  }
  const float inverse = 1.0f / sum;
  for (std::size_t i = 0; i < n; ++i) y[i * stride] *= inverse;
}

}  // namespace tinynn::backend

// ---- end tinynn/backends/scalar/softmax.hpp ----

#if TINYNN_HAS_X86_KERNELS

namespace tinynn::backend::avx2_impl {

/// Softmax of a contiguous row (see backends/scalar/softmax.hpp for the definition).
TINYNN_TARGET_AVX2 inline void softmax_row(const float* x, float* y, std::size_t n, bool log) noexcept {
  if (n == 0) return;
  const float minus_inf = -std::numeric_limits<float>::infinity();
  V vm = splat(minus_inf);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) vm = vmax(load(x + i), vm);
  float m = horizontal_max(vm);
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  if (m == minus_inf) m = 0.0f;
  const V shift = splat(m);
  V vsum = zero();
  float sum = 0.0f;
  i = 0;
  if (log) {
    for (; i + lanes <= n; i += lanes) vsum = add(vsum, exp(sub(load(x + i), shift)));
    for (; i < n; ++i) sum += std::exp(x[i] - m);
    const V log_sum = splat(std::log(sum + horizontal_sum(vsum)));
    i = 0;
    for (; i + lanes <= n; i += lanes) store(y + i, sub(sub(load(x + i), shift), log_sum));
    const float log_sum_scalar = std::log(sum + horizontal_sum(vsum));
    for (; i < n; ++i) y[i] = (x[i] - m) - log_sum_scalar;
    return;
  }
  for (; i + lanes <= n; i += lanes) {
    const V e = exp(sub(load(x + i), shift));
    store(y + i, e);
    vsum = add(vsum, e);
  }
  for (; i < n; ++i) {
    const float e = std::exp(x[i] - m);
    y[i] = e;
    sum += e;
  }
  const float inverse = 1.0f / (sum + horizontal_sum(vsum));
  const V vinverse = splat(inverse);
  i = 0;
  for (; i + lanes <= n; i += lanes) store(y + i, mul(load(y + i), vinverse));
  for (; i < n; ++i) y[i] *= inverse;
}

}  // namespace tinynn::backend::avx2_impl

namespace tinynn::backend {

inline void softmax_row(avx2, const float* x, float* y, std::size_t n, std::size_t stride, bool log) noexcept {
  if (stride != 1) {
    softmax_row(scalar{}, x, y, n, stride, log);
    return;
  }
  avx2_impl::softmax_row(x, y, n, log);
}

}  // namespace tinynn::backend

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx2/softmax.hpp ----
// ---- begin tinynn/backends/avx512/softmax.hpp ----
// tinynn — AVX-512 softmax row kernel.

#if TINYNN_HAS_X86_KERNELS

namespace tinynn::backend::avx512_impl {

/// Softmax of a contiguous row (see backends/scalar/softmax.hpp for the definition).
TINYNN_TARGET_AVX512 inline void softmax_row(const float* x, float* y, std::size_t n, bool log) noexcept {
  if (n == 0) return;
  const float minus_inf = -std::numeric_limits<float>::infinity();
  V vm = splat(minus_inf);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) vm = vmax(load(x + i), vm);
  float m = horizontal_max(vm);
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  if (m == minus_inf) m = 0.0f;
  const V shift = splat(m);
  V vsum = zero();
  float sum = 0.0f;
  i = 0;
  if (log) {
    for (; i + lanes <= n; i += lanes) vsum = add(vsum, exp(sub(load(x + i), shift)));
    for (; i < n; ++i) sum += std::exp(x[i] - m);
    const V log_sum = splat(std::log(sum + horizontal_sum(vsum)));
    i = 0;
    for (; i + lanes <= n; i += lanes) store(y + i, sub(sub(load(x + i), shift), log_sum));
    const float log_sum_scalar = std::log(sum + horizontal_sum(vsum));
    for (; i < n; ++i) y[i] = (x[i] - m) - log_sum_scalar;
    return;
  }
  for (; i + lanes <= n; i += lanes) {
    const V e = exp(sub(load(x + i), shift));
    store(y + i, e);
    vsum = add(vsum, e);
  }
  for (; i < n; ++i) {
    const float e = std::exp(x[i] - m);
    y[i] = e;
    sum += e;
  }
  const float inverse = 1.0f / (sum + horizontal_sum(vsum));
  const V vinverse = splat(inverse);
  i = 0;
  for (; i + lanes <= n; i += lanes) store(y + i, mul(load(y + i), vinverse));
  for (; i < n; ++i) y[i] *= inverse;
}

}  // namespace tinynn::backend::avx512_impl

namespace tinynn::backend {

inline void softmax_row(avx512, const float* x, float* y, std::size_t n, std::size_t stride, bool log) noexcept {
  if (stride != 1) {
    softmax_row(scalar{}, x, y, n, stride, log);
    return;
  }
  avx512_impl::softmax_row(x, y, n, log);
}

}  // namespace tinynn::backend

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx512/softmax.hpp ----
// ---- begin tinynn/backends/neon/softmax.hpp ----
// tinynn — NEON (xsimd) softmax row kernel.

#if defined(__ARM_NEON) && defined(__aarch64__)

namespace tinynn::backend::neon_impl {

/// Softmax of a contiguous row (see backends/scalar/softmax.hpp for the definition).
inline void softmax_row(const float* x, float* y, std::size_t n, bool log) noexcept {
  if (n == 0) return;
  const float minus_inf = -std::numeric_limits<float>::infinity();
  V vm = splat(minus_inf);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) vm = vmax(load(x + i), vm);
  float m = horizontal_max(vm);
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  if (m == minus_inf) m = 0.0f;
  const V shift = splat(m);
  V vsum = zero();
  float sum = 0.0f;
  i = 0;
  if (log) {
    for (; i + lanes <= n; i += lanes) vsum = add(vsum, exp(sub(load(x + i), shift)));
    for (; i < n; ++i) sum += std::exp(x[i] - m);
    const V log_sum = splat(std::log(sum + horizontal_sum(vsum)));
    i = 0;
    for (; i + lanes <= n; i += lanes) store(y + i, sub(sub(load(x + i), shift), log_sum));
    const float log_sum_scalar = std::log(sum + horizontal_sum(vsum));
    for (; i < n; ++i) y[i] = (x[i] - m) - log_sum_scalar;
    return;
  }
  for (; i + lanes <= n; i += lanes) {
    const V e = exp(sub(load(x + i), shift));
    store(y + i, e);
    vsum = add(vsum, e);
  }
  for (; i < n; ++i) {
    const float e = std::exp(x[i] - m);
    y[i] = e;
    sum += e;
  }
  const float inverse = 1.0f / (sum + horizontal_sum(vsum));
  const V vinverse = splat(inverse);
  i = 0;
  for (; i + lanes <= n; i += lanes) store(y + i, mul(load(y + i), vinverse));
  for (; i < n; ++i) y[i] *= inverse;
}

}  // namespace tinynn::backend::neon_impl

namespace tinynn::backend {

inline void softmax_row(neon, const float* x, float* y, std::size_t n, std::size_t stride, bool log) noexcept {
  if (stride != 1) {
    softmax_row(scalar{}, x, y, n, stride, log);
    return;
  }
  neon_impl::softmax_row(x, y, n, log);
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_NEON) && defined(__aarch64__)

// ---- end tinynn/backends/neon/softmax.hpp ----
// ---- begin tinynn/backends/sve/softmax.hpp ----
// tinynn — SVE softmax row kernel (predicated loops: no scalar tails).

#if defined(__ARM_FEATURE_SVE)

namespace tinynn::backend::sve_impl {

/// Softmax of a contiguous row (see backends/scalar/softmax.hpp for the definition).
inline void softmax_row(const float* x, float* y, std::size_t n, bool log) noexcept {
  if (n == 0) return;
  const float minus_inf = -std::numeric_limits<float>::infinity();
  V vm = splat(minus_inf);
  for (std::size_t i = 0; i < n; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, n);
    vm = svsel_f32(pg, vmax(svld1_f32(pg, x + i), vm), vm);
  }
  float m = svmaxv_f32(all(), vm);
  if (m == minus_inf) m = 0.0f;
  const V shift = splat(m);
  V vsum = zero();
  for (std::size_t i = 0; i < n; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, n);
    const V e = exp(sub(svld1_f32(pg, x + i), shift));
    if (!log) svst1_f32(pg, y + i, e);
    vsum = svadd_f32_m(pg, vsum, e);
  }
  const float sum = svaddv_f32(all(), vsum);
  if (log) {
    const V log_sum = splat(std::log(sum));
    for (std::size_t i = 0; i < n; i += svcntw()) {
      const svbool_t pg = svwhilelt_b32_u64(i, n);
      svst1_f32(pg, y + i, sub(sub(svld1_f32(pg, x + i), shift), log_sum));
    }
    return;
  }
  const V inverse = splat(1.0f / sum);
  for (std::size_t i = 0; i < n; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, n);
    svst1_f32(pg, y + i, mul(svld1_f32(pg, y + i), inverse));
  }
}

}  // namespace tinynn::backend::sve_impl

namespace tinynn::backend {

inline void softmax_row(sve, const float* x, float* y, std::size_t n, std::size_t stride, bool log) noexcept {
  if (stride != 1) {
    softmax_row(scalar{}, x, y, n, stride, log);
    return;
  }
  sve_impl::softmax_row(x, y, n, log);
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_FEATURE_SVE)

// ---- end tinynn/backends/sve/softmax.hpp ----

namespace tinynn::ops {
namespace softmax {

struct Params {
  std::int64_t axis = -1;          // may be negative; prepare() normalises it
  bool log = false;                // log-softmax
  bool flatten_from_axis = false;  // ONNX opset < 13: normalise over all dims from `axis` on
  DynShape shape;                  // input and output shape
  // set by prepare(): the tensor seen as [outer, n, inner], normalised over n
  std::size_t outer = 0, n = 0, inner = 0;
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

[[nodiscard]] inline Status prepare(Params& p) {
  const std::size_t rank = p.shape.rank();
  const std::int64_t axis = detail::normalize_axis(p.axis, rank == 0 ? 1 : rank);
  if (axis < 0) {
    return error(ErrorCode::invalid_argument, p.log ? "log_softmax" : "softmax", ": axis ", p.axis,
                 " is out of range for shape ", p.shape);
  }
  p.axis = axis;
  const auto a = static_cast<std::size_t>(axis);
  if (rank == 0) {
    p.outer = p.n = p.inner = 1;
  } else if (p.flatten_from_axis) {
    p.outer = detail::dims_product(p.shape, 0, a);
    p.n = detail::dims_product(p.shape, a, rank);
    p.inner = 1;
  } else {
    p.outer = detail::dims_product(p.shape, 0, a);
    p.n = static_cast<std::size_t>(p.shape[a]);
    p.inner = detail::dims_product(p.shape, a + 1, rank);
  }
  return {};
}

/// y = softmax(x) (or log-softmax); x == y is allowed.
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* x, float* y) noexcept {
  backend::require_compilable<B>();
  const std::size_t block = p.n * p.inner;
  for (std::size_t o = 0; o < p.outer; ++o) {
    if (p.inner == 1) {
      backend::softmax_row(B{}, x + o * block, y + o * block, p.n, 1, p.log);
    } else {
      for (std::size_t j = 0; j < p.inner; ++j) {
        backend::softmax_row(backend::scalar{}, x + o * block + j, y + o * block + j, p.n, p.inner, p.log);
      }
    }
  }
}

inline void run(backend::BackendId id, const Params& p, const float* x, float* y) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, x, y); });
}

}  // namespace softmax
}  // namespace tinynn::ops

// ---- end tinynn/ops/softmax.hpp ----

namespace tinynn::nn {

namespace detail {

template <class In>
inline constexpr bool is_f32 = std::is_same_v<typename In::dtype, f32>;

// Shape checks. Each is a class template named after the layer and parametrised by the shapes
// involved, holding the static_assert: the compiler's "In instantiation of ..." line then names the
// layer and the shapes, and the message says what is wrong, e.g.
//   In instantiation of 'struct tinynn::nn::check::Conv2D_input<tinynn::Shape<784> >':
//   error: static assertion failed: tinynn::nn::Conv2D: the input must have shape [H, W, C]
}  // namespace detail
namespace check {
template <class Input>
struct Conv2D_input {
  static_assert(Input::rank == 3, "tinynn::nn::Conv2D: the input must have shape [H, W, C]");
};
template <class Kernel, class PaddedInput>
struct Conv2D_kernel_vs_padded_input {
  static_assert(Kernel::dims[0] <= PaddedInput::dims[0] && Kernel::dims[1] <= PaddedInput::dims[1],
                "tinynn::nn::Conv2D: the kernel (dilated) is larger than the padded input");
};
template <class Input>
struct DepthwiseConv2D_input {
  static_assert(Input::rank == 3, "tinynn::nn::DepthwiseConv2D: the input must have shape [H, W, C]");
};
template <class Kernel, class PaddedInput>
struct DepthwiseConv2D_kernel_vs_padded_input {
  static_assert(Kernel::dims[0] <= PaddedInput::dims[0] && Kernel::dims[1] <= PaddedInput::dims[1],
                "tinynn::nn::DepthwiseConv2D: the kernel (dilated) is larger than the padded input");
};
template <class Input>
struct Pool2D_input {
  static_assert(Input::rank == 3, "tinynn::nn::MaxPool2D/AvgPool2D: the input must have shape [H, W, C]");
};
template <class Window, class PaddedInput>
struct Pool2D_window_vs_padded_input {
  static_assert(Window::dims[0] <= PaddedInput::dims[0] && Window::dims[1] <= PaddedInput::dims[1],
                "tinynn::nn::MaxPool2D/AvgPool2D: the window is larger than the padded input");
};
template <class Input>
struct GlobalAvgPool_input {
  static_assert(Input::rank == 3, "tinynn::nn::GlobalAvgPool: the input must have shape [H, W, C]");
};
template <class Input>
struct Pad_input {
  static_assert(Input::rank == 3, "tinynn::nn::Pad: the input must have shape [H, W, C]");
};
template <class Input>
struct Dense_input {
  static_assert(Input::rank == 1 || Input::rank == 2,
                "tinynn::nn::Dense: the input must have shape [K] or [T, K] (add nn::Flatten before Dense)");
};
template <class Input, class Target>
struct Reshape_input_vs_target {
  static_assert(Input::size == Target::size, "tinynn::nn::Reshape: the target shape has a different element count");
};
}  // namespace check
namespace detail {

/// The unary op (ops/activation.hpp) of a fused-activation description.
constexpr ops::UnaryParams unary_of(const ops::ActivationParams& a) noexcept {
  switch (a.kind) {
    case ops::Activation::none: return ops::UnaryParams::of(ops::UnaryOp::identity);
    case ops::Activation::relu: return ops::UnaryParams::of(ops::UnaryOp::relu);
    case ops::Activation::relu6: return ops::UnaryParams::of(ops::UnaryOp::relu6);
    case ops::Activation::clip: return ops::UnaryParams::clip(a.min, a.max);
    case ops::Activation::leaky_relu: return ops::UnaryParams::leaky_relu(a.alpha);
    case ops::Activation::sigmoid: return ops::UnaryParams::of(ops::UnaryOp::sigmoid);
    case ops::Activation::tanh: return ops::UnaryParams::of(ops::UnaryOp::tanh);
    case ops::Activation::hard_swish: return ops::UnaryParams::of(ops::UnaryOp::hard_swish);
  }
  return ops::UnaryParams::of(ops::UnaryOp::identity);
}

}  // namespace detail

namespace detail {
template <class T>
struct is_input : std::false_type {};
}  // namespace detail

/// The network's input: dtype and shape ([H, W, C] for images, [N] or [T, F] for vectors/sequences).
template <DTypeTag T, std::size_t... Dims>
struct Input {
  static_assert(sizeof...(Dims) >= 1, "tinynn::nn::Input: give at least one dimension");
  using spec = Spec<T, Shape<Dims...>>;
  template <class In>
  struct bind : AliasStep<bind<In>> {
    static_assert(std::is_same_v<In, spec>, "tinynn::nn::Input: Input must be the first layer of a network");
    using input = In;
    using output = In;
  };
};

namespace detail {
template <DTypeTag T, std::size_t... Dims>
struct is_input<Input<T, Dims...>> : std::true_type {};
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Conv2D<Filters, KH, KW, options...>: options are a padding (Valid default, Same, Padding<t,l,b,r>),
// Stride<h, w>, Dilation<h, w>, a fused activation. Weights OHWI [Filters][KH][KW][C], bias [Filters].

template <std::size_t Filters, std::size_t KH, std::size_t KW, class... Options>
struct Conv2D {
  using options = detail::WindowOptions<Valid, Stride<1, 1>, Options...>;
  static_assert(options::all_known,
                "tinynn::nn::Conv2D: unknown option (expected Same, Valid, Padding<>, Stride<>, Dilation<>, or an "
                "activation)");
  static_assert(Filters > 0 && KH > 0 && KW > 0, "tinynn::nn::Conv2D: filters and kernel sizes must be positive");

  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_f32<In>, "tinynn::nn::Conv2D: the input dtype must be f32 (int8: nn/quantized.hpp)");
    static_assert(sizeof(check::Conv2D_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    using window = detail::Window<options, KH, KW, H, W>;
    static_assert(
        sizeof(check::Conv2D_kernel_vs_padded_input<typename window::dilated_kernel, typename window::padded>) > 0);
    using input = In;
    using output = Spec<f32, Shape<window::out_h, window::out_w, Filters>>;
    using activation = typename options::activation;
    static constexpr std::size_t out_channels = Filters;
    static constexpr bool foldable = std::is_same_v<activation, NoActivation>;
    static constexpr bool in_place = false;

    static constexpr ops::conv2d::Params op = [] {
      ops::conv2d::Params p;
      p.in_h = H;
      p.in_w = W;
      p.in_c = C;
      p.out_c = Filters;
      p.kernel_h = KH;
      p.kernel_w = KW;
      p.stride_h = options::stride_h;
      p.stride_w = options::stride_w;
      p.dilation_h = options::dilation_h;
      p.dilation_w = options::dilation_w;
      p.padding = window::padding;
      return p;
    }();
    static constexpr ops::conv2d::Params op_params(const ops::ActivationParams& act) noexcept {
      ops::conv2d::Params p = op;
      p.activation = act;
      return p;
    }

    struct Trained {
      std::array<float, Filters * KH * KW * C> weights;  // OHWI
      std::array<float, Filters> bias;
    };
    struct Params {
      std::array<float, ops::conv2d::packed_weights_size(op)> packed;
    };
    static constexpr std::size_t param_count = Filters * KH * KW * C + Filters;
    static constexpr std::size_t macs = window::out_h * window::out_w * Filters * KH * KW * C;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = ops::conv2d::scratch_size<Backend>(op) * sizeof(float);

    static constexpr void fold_into(const Trained& t, Params& p) {
      ops::conv2d::pack_weights(op, t.weights.data(), t.bias.data(), p.packed.data());
    }
    /// Scales output channel f by scale[f] and adds shift[f] (a BatchNorm folded in), then packs.
    static constexpr void fold_into(const Trained& t, const float* scale, const float* shift, Params& p) {
      Trained scaled = t;
      for (std::size_t f = 0; f < Filters; ++f) {
        for (std::size_t k = 0; k < KH * KW * C; ++k) scaled.weights[f * KH * KW * C + k] *= scale[f];
        scaled.bias[f] = t.bias[f] * scale[f] + shift[f];
      }
      fold_into(scaled, p);
    }

    template <class Backend>
    static void compute(const Params& p, const float* in, float* out, std::byte* scratch,
                        const ops::ActivationParams& act, Backend) noexcept {
      ops::conv2d::run<Backend>(op_params(act), in, p.packed.data(), out, reinterpret_cast<float*>(scratch));
    }
  };
};

// ---------------------------------------------------------------------------------------------
// DepthwiseConv2D<KH, KW, options...>: channel multiplier 1 (DepthwiseConv2D<KH, KW, Multiplier<M>>
// for more). Weights [KH][KW][C*M], bias [C*M].

template <std::size_t M>
struct Multiplier {};

namespace detail {
template <class T>
struct is_multiplier : std::false_type {};
template <std::size_t M>
struct is_multiplier<Multiplier<M>> : std::true_type {};
template <class T>
struct multiplier_value : std::integral_constant<std::size_t, 1> {};
template <std::size_t M>
struct multiplier_value<Multiplier<M>> : std::integral_constant<std::size_t, M> {};
template <class T>
struct not_multiplier : std::bool_constant<!is_multiplier<T>::value> {};
}  // namespace detail

template <std::size_t KH, std::size_t KW, class... Options>
struct DepthwiseConv2D {
  static constexpr std::size_t multiplier = detail::multiplier_value<
      typename detail::find_option<detail::is_multiplier, Multiplier<1>, Options...>::type>::value;
  using options =
      detail::WindowOptions<Valid, Stride<1, 1>,
                            std::conditional_t<detail::is_multiplier<Options>::value, NoActivation, Options>...>;
  static_assert(options::all_known,
                "tinynn::nn::DepthwiseConv2D: unknown option (expected Same, Valid, Padding<>, Stride<>, Dilation<>, "
                "Multiplier<>, or an activation)");

  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_f32<In>, "tinynn::nn::DepthwiseConv2D: the input dtype must be f32");
    static_assert(sizeof(check::DepthwiseConv2D_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    static constexpr std::size_t CM = C * multiplier;
    using window = detail::Window<options, KH, KW, H, W>;
    static_assert(sizeof(check::DepthwiseConv2D_kernel_vs_padded_input<typename window::dilated_kernel,
                                                                       typename window::padded>) > 0);
    using input = In;
    using output = Spec<f32, Shape<window::out_h, window::out_w, CM>>;
    using activation = typename options::activation;
    static constexpr std::size_t out_channels = CM;
    static constexpr bool foldable = std::is_same_v<activation, NoActivation>;
    static constexpr bool in_place = false;  // ops/depthwise_conv2d.hpp: output must not alias input

    static constexpr ops::depthwise_conv2d::Params op = [] {
      ops::depthwise_conv2d::Params p;
      p.in_h = H;
      p.in_w = W;
      p.channels = C;
      p.multiplier = multiplier;
      p.kernel_h = KH;
      p.kernel_w = KW;
      p.stride_h = options::stride_h;
      p.stride_w = options::stride_w;
      p.dilation_h = options::dilation_h;
      p.dilation_w = options::dilation_w;
      p.padding = window::padding;
      return p;
    }();
    static constexpr ops::depthwise_conv2d::Params op_params(const ops::ActivationParams& act) noexcept {
      ops::depthwise_conv2d::Params p = op;
      p.activation = act;
      return p;
    }

    struct Trained {
      std::array<float, KH * KW * CM> weights;  // [KH][KW][C*M]
      std::array<float, CM> bias;
    };
    struct Params {
      std::array<float, ops::depthwise_conv2d::packed_weights_size(op)> packed;
    };
    static constexpr std::size_t param_count = KH * KW * CM + CM;
    static constexpr std::size_t macs = window::out_h * window::out_w * CM * KH * KW;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    static constexpr void fold_into(const Trained& t, Params& p) {
      ops::depthwise_conv2d::pack_weights(op, t.weights.data(), t.bias.data(), p.packed.data());
    }
    static constexpr void fold_into(const Trained& t, const float* scale, const float* shift, Params& p) {
      Trained scaled = t;
      for (std::size_t k = 0; k < KH * KW; ++k) {
        for (std::size_t c = 0; c < CM; ++c) scaled.weights[k * CM + c] *= scale[c];
      }
      for (std::size_t c = 0; c < CM; ++c) scaled.bias[c] = t.bias[c] * scale[c] + shift[c];
      fold_into(scaled, p);
    }

    template <class Backend>
    static void compute(const Params& p, const float* in, float* out, std::byte*, const ops::ActivationParams& act,
                        Backend) noexcept {
      ops::depthwise_conv2d::run<Backend>(op_params(act), in, p.packed.data(), out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// Dense<Units, activation>: over the last axis ([K] -> [Units], [T, K] -> [T, Units]).
// Weights [Units][K] (PyTorch Linear / TFLite FULLY_CONNECTED), bias [Units].

template <std::size_t Units, class... Options>
struct Dense {
  using activation_option = typename detail::find_option<detail::is_activation_tag, NoActivation, Options...>::type;
  static_assert((detail::is_activation_tag<Options>::value && ...),
                "tinynn::nn::Dense: unknown option (expected an activation)");

  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_f32<In>, "tinynn::nn::Dense: the input dtype must be f32");
    static_assert(sizeof(check::Dense_input<S>) > 0);
    static constexpr std::size_t K = detail::last_dim<S>;
    static constexpr std::size_t rows = S::size / K;
    using input = In;
    using output = std::conditional_t<S::rank == 2, Spec<f32, Shape<rows, Units>>, Spec<f32, Shape<Units>>>;
    using activation = activation_option;
    static constexpr std::size_t out_channels = Units;
    static constexpr bool foldable = std::is_same_v<activation, NoActivation>;
    static constexpr bool in_place = false;

    // 1-4 rows run as a 1x1 convolution over a 1x1xK image: ops/conv2d's direct path (unpadded [K][Units]
    // weights, channel vectors); more rows as a GEMM over 16-column panels.
    static constexpr bool as_conv = rows <= 4;
    static constexpr ops::fully_connected::Params op = [] {
      ops::fully_connected::Params p;
      p.batch = rows;
      p.in_features = K;
      p.out_features = Units;
      return p;
    }();
    static constexpr ops::conv2d::Params conv_op = [] {
      ops::conv2d::Params p;
      p.batch = rows;
      p.in_h = 1;
      p.in_w = 1;
      p.in_c = K;
      p.out_c = Units;
      return p;
    }();
    static_assert(!as_conv || ops::conv2d::uses_direct(conv_op));
    static constexpr ops::fully_connected::Params op_params(const ops::ActivationParams& act) noexcept {
      ops::fully_connected::Params p = op;
      p.activation = act;
      return p;
    }
    static constexpr ops::conv2d::Params conv_params(const ops::ActivationParams& act) noexcept {
      ops::conv2d::Params p = conv_op;
      p.activation = act;
      return p;
    }

    struct Trained {
      std::array<float, Units * K> weights;  // [Units][K]
      std::array<float, Units> bias;
    };
    struct Params {
      std::array<float,
                 as_conv ? ops::conv2d::packed_weights_size(conv_op) : ops::fully_connected::packed_weights_size(op)>
          packed;
    };
    static constexpr std::size_t param_count = Units * K + Units;
    static constexpr std::size_t macs = rows * Units * K;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = (as_conv ? ops::conv2d::scratch_size<Backend>(conv_op)
                                                          : ops::fully_connected::scratch_size<Backend>(op)) *
                                                 sizeof(float);

    static constexpr void fold_into(const Trained& t, Params& p) {
      if constexpr (as_conv) {
        ops::conv2d::pack_weights(conv_op, t.weights.data(), t.bias.data(), p.packed.data());
      } else {
        ops::fully_connected::pack_weights(op, t.weights.data(), t.bias.data(), p.packed.data());
      }
    }
    static constexpr void fold_into(const Trained& t, const float* scale, const float* shift, Params& p) {
      Trained scaled = t;
      for (std::size_t u = 0; u < Units; ++u) {
        for (std::size_t k = 0; k < K; ++k) scaled.weights[u * K + k] *= scale[u];
        scaled.bias[u] = t.bias[u] * scale[u] + shift[u];
      }
      fold_into(scaled, p);
    }

    template <class Backend>
    static void compute(const Params& p, const float* in, float* out, std::byte* scratch,
                        const ops::ActivationParams& act, Backend) noexcept {
      if constexpr (as_conv) {
        ops::conv2d::run<Backend>(conv_params(act), in, p.packed.data(), out, reinterpret_cast<float*>(scratch));
      } else {
        ops::fully_connected::run<Backend>(op_params(act), in, p.packed.data(), out, reinterpret_cast<float*>(scratch));
      }
    }
  };
};

// ---------------------------------------------------------------------------------------------
// Pooling. MaxPool2D<KH, KW, options...> / AvgPool2D<...>: stride defaults to the kernel size,
// padding to Valid; AvgPool divides by the number of input positions in the window (padding excluded).

namespace detail {

template <ops::PoolKind Kind, std::size_t KH, std::size_t KW, class... Options>
struct Pool2D {
  using options = WindowOptions<Valid, Stride<KH, KW>, Options...>;
  static_assert(options::all_known,
                "tinynn::nn::MaxPool2D/AvgPool2D: unknown option (expected Same, Valid, Padding<>, Stride<>, CeilMode, "
                "or an activation)");

  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(is_f32<In>, "tinynn::nn::MaxPool2D/AvgPool2D: the input dtype must be f32");
    static_assert(sizeof(check::Pool2D_input<S>) > 0);
    static constexpr std::size_t H = dim_or<S, 0>, W = dim_or<S, 1>, C = dim_or<S, 2>;
    using window = Window<options, KH, KW, H, W>;
    static_assert(
        sizeof(check::Pool2D_window_vs_padded_input<typename window::dilated_kernel, typename window::padded>) > 0);
    using input = In;
    using output = Spec<f32, Shape<window::out_h, window::out_w, C>>;
    using activation = typename options::activation;
    using Params = NoParams;
    using Trained = NoParams;
    static constexpr void fold_into(const Trained&, Params&) noexcept {}
    static constexpr std::size_t param_count = 0;
    static constexpr std::size_t macs = 0;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    static ops::pool2d::Params op_params(const ops::ActivationParams& act) noexcept {
      ops::pool2d::Params p;
      p.kind = Kind;
      p.kernel_h = KH;
      p.kernel_w = KW;
      p.stride_h = options::stride_h;
      p.stride_w = options::stride_w;
      p.padding = window::padding;
      p.ceil_mode = options::ceil_mode;
      p.activation = act;
      p.input = DynShape{1, static_cast<std::int64_t>(H), static_cast<std::int64_t>(W), static_cast<std::int64_t>(C)};
      p.output = DynShape{1, static_cast<std::int64_t>(window::out_h), static_cast<std::int64_t>(window::out_w),
                          static_cast<std::int64_t>(C)};
      return p;
    }
    template <class Backend>
    static void compute(const Params&, const float* in, float* out, std::byte*, const ops::ActivationParams& act,
                        Backend) noexcept {
      // Measured (SimpLeNet, CIFAR-10 pools): below 64 channels ops/pool's per-window row calls cost more
      // than the pooling; max pools with no top/left padding use the compile-time-shaped loop, others
      // ops/pool's scalar loop (same results: max exact, sums in the same order).
      if constexpr (Kind == ops::PoolKind::max && C < 64 && window::padding.top == 0 && window::padding.left == 0 &&
                    KH <= 8 && KW <= 8) {
        ops::detail::max_pool_fixed<KH, KW, options::stride_h, options::stride_w, C>(1, H, W, window::out_h,
                                                                                     window::out_w, in, out, act);
      } else if constexpr (C < 64) {
        ops::pool2d::run<backend::scalar>(op_params(act), in, out);
      } else {
        ops::pool2d::run<Backend>(op_params(act), in, out);
      }
    }
  };
};

}  // namespace detail

template <std::size_t KH, std::size_t KW = KH, class... Options>
struct MaxPool2D : detail::Pool2D<ops::PoolKind::max, KH, KW, Options...> {};
template <std::size_t KH, std::size_t KW = KH, class... Options>
struct AvgPool2D : detail::Pool2D<ops::PoolKind::average, KH, KW, Options...> {};

/// [H, W, C] -> [C]: the mean over all positions.
struct GlobalAvgPool {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_f32<In>, "tinynn::nn::GlobalAvgPool: the input dtype must be f32");
    static_assert(sizeof(check::GlobalAvgPool_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    using input = In;
    using output = Spec<f32, Shape<C>>;
    using activation = NoActivation;
    using Params = NoParams;
    using Trained = NoParams;
    static constexpr void fold_into(const Trained&, Params&) noexcept {}
    static constexpr std::size_t param_count = 0;
    static constexpr std::size_t macs = 0;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    template <class Backend>
    static void compute(const Params&, const float* in, float* out, std::byte*, const ops::ActivationParams&,
                        Backend) noexcept {
      ops::pool2d::Params p;
      p.kind = ops::PoolKind::average;
      p.global = true;
      p.kernel_h = H;
      p.kernel_w = W;
      p.input = DynShape{1, static_cast<std::int64_t>(H), static_cast<std::int64_t>(W), static_cast<std::int64_t>(C)};
      p.output = DynShape{1, 1, 1, static_cast<std::int64_t>(C)};
      ops::pool2d::run<Backend>(p, in, out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// Activations as standalone layers (in place). The same tags are the fused options of conv/dense.

namespace detail {
template <class Tag>
struct StandaloneActivation {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    static_assert(is_f32<In>, "tinynn::nn: activation layers take f32 inputs");
    using input = In;
    using output = In;
    using activation = NoActivation;
    using Params = NoParams;
    using Trained = NoParams;
    static constexpr void fold_into(const Trained&, Params&) noexcept {}
    static constexpr std::size_t param_count = 0;
    static constexpr std::size_t macs = 0;
    static constexpr bool foldable = false;
    static constexpr bool in_place = true;
    static constexpr bool is_activation = true;
    using tag = Tag;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    template <class Backend>
    static void compute(const Params&, const float* in, float* out, std::byte*, const ops::ActivationParams&,
                        Backend) noexcept {
      ops::unary::run<Backend>(detail::unary_of(Tag::params), in, out, In::size);
    }
  };
};
}  // namespace detail

struct ReLU : detail::StandaloneActivation<ReLU> {
  static constexpr ops::ActivationParams params = ops::ActivationParams::relu();
};
struct ReLU6 : detail::StandaloneActivation<ReLU6> {
  static constexpr ops::ActivationParams params = ops::ActivationParams::relu6();
};
/// Clamp to [Lo, Hi] (integer bounds cover the clips networks use).
template <int Lo, int Hi>
struct Clip : detail::StandaloneActivation<Clip<Lo, Hi>> {
  static constexpr ops::ActivationParams params =
      ops::ActivationParams::clip(static_cast<float>(Lo), static_cast<float>(Hi));
};
/// Leaky ReLU with slope PerMille / 1000 (LeakyReLU<100>: alpha 0.1).
template <int PerMille = 10>
struct LeakyReLU : detail::StandaloneActivation<LeakyReLU<PerMille>> {
  static constexpr ops::ActivationParams params =
      ops::ActivationParams::leaky_relu(static_cast<float>(PerMille) / 1000.0f);
};
struct Sigmoid : detail::StandaloneActivation<Sigmoid> {
  static constexpr ops::ActivationParams params = {ops::Activation::sigmoid};
};
struct Tanh : detail::StandaloneActivation<Tanh> {
  static constexpr ops::ActivationParams params = {ops::Activation::tanh};
};
struct HardSwish : detail::StandaloneActivation<HardSwish> {
  static constexpr ops::ActivationParams params = {ops::Activation::hard_swish};
};

// ---------------------------------------------------------------------------------------------
// BatchNorm<EpsilonNano>: y = gamma * (x - mean) / sqrt(variance + epsilon) + beta over the last
// axis; epsilon = EpsilonNano * 1e-9 (default 1e-5, PyTorch's; Keras uses 1e-3 = BatchNorm<1000000>).
// Right after a Conv2D / DepthwiseConv2D / Dense without a fused activation, a Sequential folds it
// into that layer's weights in fold() (at compile time for constexpr parameters): it costs nothing
// at run time. Elsewhere it runs as a per-channel affine map, in place.

template <std::uint32_t EpsilonNano = 10000>
struct BatchNorm {
  static constexpr float epsilon = static_cast<float>(EpsilonNano) * 1e-9f;
  template <class In>
  struct bind : SingleStep<bind<In>> {
    static_assert(detail::is_f32<In>, "tinynn::nn::BatchNorm: the input dtype must be f32");
    static constexpr std::size_t C = detail::last_dim<typename In::shape>;
    using input = In;
    using output = In;
    using activation = NoActivation;
    struct Trained {
      std::array<float, C> gamma, beta, mean, variance;
    };
    struct Params {
      std::array<float, C> scale, shift;
    };
    static constexpr std::size_t param_count = 2 * C;
    static constexpr std::size_t macs = In::size;
    static constexpr bool foldable = false;
    static constexpr bool in_place = true;
    static constexpr bool is_batch_norm = true;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    /// scale = gamma / sqrt(variance + epsilon), shift = beta - mean * scale.
    static constexpr void fold_into(const Trained& t, Params& p) {
      for (std::size_t c = 0; c < C; ++c) {
        p.scale[c] = t.gamma[c] * detail::constexpr_rsqrt(t.variance[c] + epsilon);
        p.shift[c] = t.beta[c] - t.mean[c] * p.scale[c];
      }
    }

    template <class Backend>
    static void compute(const Params& p, const float* in, float* out, std::byte*, const ops::ActivationParams& act,
                        Backend) noexcept {
      ops::batch_norm::Params bn;
      bn.shape = DynShape{static_cast<std::int64_t>(In::size / C), static_cast<std::int64_t>(C)};
      bn.activation = act;
      ops::batch_norm::run<Backend>(bn, in, p.scale.data(), p.shift.data(), out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// Softmax over the last axis (in place).

struct Softmax {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    static_assert(detail::is_f32<In>, "tinynn::nn::Softmax: the input dtype must be f32");
    static constexpr std::size_t C = detail::last_dim<typename In::shape>, rows = In::size / C;
    using input = In;
    using output = In;
    using activation = NoActivation;
    using Params = NoParams;
    using Trained = NoParams;
    static constexpr void fold_into(const Trained&, Params&) noexcept {}
    static constexpr std::size_t param_count = 0;
    static constexpr std::size_t macs = 0;
    static constexpr bool foldable = false;
    static constexpr bool in_place = true;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    template <class Backend>
    static void compute(const Params&, const float* in, float* out, std::byte*, const ops::ActivationParams&,
                        Backend) noexcept {
      ops::softmax::Params p;
      p.axis = 1;
      p.shape = DynShape{static_cast<std::int64_t>(rows), static_cast<std::int64_t>(C)};
      p.outer = rows;
      p.n = C;
      p.inner = 1;
      ops::softmax::run<Backend>(p, in, out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// Pad<Top, Left, Bottom, Right>: zero padding of the spatial dimensions of [H, W, C].

template <std::size_t Top, std::size_t Left, std::size_t Bottom = Top, std::size_t Right = Left>
struct Pad {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_f32<In>, "tinynn::nn::Pad: the input dtype must be f32");
    static_assert(sizeof(check::Pad_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    using input = In;
    using output = Spec<f32, Shape<H + Top + Bottom, W + Left + Right, C>>;
    using activation = NoActivation;
    using Params = NoParams;
    using Trained = NoParams;
    static constexpr void fold_into(const Trained&, Params&) noexcept {}
    static constexpr std::size_t param_count = 0;
    static constexpr std::size_t macs = 0;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    template <class Backend>
    static void compute(const Params&, const float* in, float* out, std::byte*, const ops::ActivationParams&,
                        Backend) noexcept {
      ops::pad::Params p;
      p.mode = ops::PadMode::constant;
      p.input = DynShape{static_cast<std::int64_t>(H), static_cast<std::int64_t>(W), static_cast<std::int64_t>(C)};
      p.output = DynShape{static_cast<std::int64_t>(H + Top + Bottom), static_cast<std::int64_t>(W + Left + Right),
                          static_cast<std::int64_t>(C)};
      p.before[0] = Top;
      p.before[1] = Left;
      p.after[0] = Bottom;
      p.after[1] = Right;
      ops::pad::run(p, in, out, 0.0f);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// Flatten and Reshape rename the input's storage (no step, no memory).

struct Flatten {
  template <class In>
  struct bind : AliasStep<bind<In>> {
    using input = In;
    using output = Spec<typename In::dtype, Shape<In::size>>;
  };
};

template <std::size_t... Dims>
struct Reshape {
  template <class In>
  struct bind : AliasStep<bind<In>> {
    static_assert(sizeof(check::Reshape_input_vs_target<typename In::shape, Shape<Dims...>>) > 0);
    using input = In;
    using output = Spec<typename In::dtype, Shape<Dims...>>;
  };
};

}  // namespace tinynn::nn

// ---- end tinynn/nn/layers.hpp ----
// ---- begin tinynn/nn/network.hpp ----
// tinynn — a static network: a Sequential whose first layer is an Input.
//
//   using Net = nn::Sequential<nn::Input<f32, 28, 28, 1>, nn::Conv2D<3, 5, 5, nn::Same, nn::ReLU>, ...>;
//   Net::output_shape, Net::param_count, Net::macs         compile-time figures
//   Net::Trained  --Net::fold()-->  Net::Params            packing + BatchNorm folding (constexpr)
//   Net::Arena arena;  Net::arena_bytes                     the only RAM the network touches (exact)
//   auto y = Net::run(params, x, arena);                    backend::native by default
//
// The arena is planned at compile time per backend (scratch needs differ: the scalar backend needs
// none): Net::ArenaFor<B>, Net::arena_bytes_for<B>; Net::Arena is ArenaFor<backend::native>.

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

// ---- begin tinynn/tensor.hpp ----
// tinynn — tensors. Tensor<T, S> owns 64-byte-aligned storage of a compile-time shape;
// TensorView<T, S> points at such storage without owning it; TensorRef is the runtime view
// (dtype + DynShape + pointer) used by graphs. Conversions are explicit: view()/ref() always
// succeed, TensorRef::as<T, S>() checks dtype and shape and returns a Result.

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

// ---- begin tinynn/quant.hpp ----
// tinynn — quantization parameters (the TFLite int8 scheme, ../shared/DESIGN.md "Quantization"):
//   real_value = scale * (int8_value - zero_point)
// Activations: one scale/zero point per tensor. Weights: symmetric (zero point 0), one scale per
// output channel along `axis`. Non-owning: the scales live in the model or in constexpr Params.

#include <cstdint>
#include <span>

namespace tinynn {

struct QuantParams {
  float scale = 1.0f;
  std::int32_t zero_point = 0;

  friend constexpr bool operator==(const QuantParams&, const QuantParams&) = default;
};

struct PerChannelQuant {
  std::span<const float> scales;              // one per channel along `axis`
  std::span<const std::int32_t> zero_points;  // empty = all zero (symmetric); else one per channel
  std::int32_t axis = 0;

  [[nodiscard]] constexpr bool per_tensor() const noexcept { return scales.size() == 1; }
  [[nodiscard]] constexpr float scale(std::size_t channel) const noexcept {
    return scales.size() == 1 ? scales[0] : scales[channel];
  }
  [[nodiscard]] constexpr std::int32_t zero_point(std::size_t channel) const noexcept {
    if (zero_points.empty()) return 0;
    return zero_points.size() == 1 ? zero_points[0] : zero_points[channel];
  }
};

}  // namespace tinynn

// ---- end tinynn/quant.hpp ----

namespace tinynn {

template <DTypeTag T, StaticShape S>
class TensorView {
 public:
  using dtype = T;
  using shape = S;
  using element_type = element_t<T>;
  using value_type = std::remove_const_t<element_type>;
  static constexpr std::size_t rank = S::rank;
  static constexpr std::size_t size = S::size;

  constexpr TensorView() noexcept = default;
  constexpr explicit TensorView(element_type* data) noexcept : data_(data) {}
  /// A read-only view from a writable one.
  template <class U>
  requires(std::is_const_v<T>&& std::is_same_v<std::remove_const_t<T>, U>) constexpr TensorView(
      TensorView<U, S> other) noexcept
      : data_(other.data()) {}

  [[nodiscard]] constexpr element_type* data() const noexcept { return data_; }
  [[nodiscard]] constexpr std::span<element_type, S::size> span() const noexcept {
    return std::span<element_type, S::size>(data_, S::size);
  }
  constexpr element_type& operator[](std::size_t flat) const noexcept {
    TINYNN_ASSERT(flat < S::size);
    return data_[flat];
  }
  template <class... Index>
  requires(sizeof...(Index) == S::rank && S::rank != 1) constexpr element_type& operator()(
      Index... index) const noexcept {
    return data_[S::offset(index...)];
  }
  constexpr element_type& operator()(std::size_t i) const noexcept requires(S::rank == 1) { return (*this)[i]; }

 private:
  element_type* data_ = nullptr;
};

template <DTypeTag T, StaticShape S>
class Tensor {
  static_assert(!std::is_const_v<T>, "Tensor owns its storage: use a non-const dtype tag");

 public:
  using dtype = T;
  using shape = S;
  using value_type = typename T::value_type;
  static constexpr std::size_t rank = S::rank;
  static constexpr std::size_t size = S::size;
  static constexpr std::size_t bytes = S::size * sizeof(value_type);

  alignas(tensor_alignment) std::array<value_type, S::size> storage{};

  [[nodiscard]] constexpr value_type* data() noexcept { return storage.data(); }
  [[nodiscard]] constexpr const value_type* data() const noexcept { return storage.data(); }
  [[nodiscard]] constexpr TensorView<T, S> view() noexcept { return TensorView<T, S>(storage.data()); }
  [[nodiscard]] constexpr TensorView<const T, S> view() const noexcept {
    return TensorView<const T, S>(storage.data());
  }
  [[nodiscard]] constexpr std::span<value_type, S::size> span() noexcept { return storage; }
  [[nodiscard]] constexpr std::span<const value_type, S::size> span() const noexcept { return storage; }

  constexpr value_type& operator[](std::size_t flat) noexcept { return storage[flat]; }
  constexpr const value_type& operator[](std::size_t flat) const noexcept { return storage[flat]; }
  /// Element at a multi-index; a wrong number of indices is a compile error that says so.
  template <class... Index>
  constexpr value_type& at(Index... index) noexcept {
    static_assert(sizeof...(Index) == S::rank, "tinynn: number of indices must equal the tensor's rank");
    return storage[S::offset(index...)];
  }
  template <class... Index>
  constexpr const value_type& at(Index... index) const noexcept {
    static_assert(sizeof...(Index) == S::rank, "tinynn: number of indices must equal the tensor's rank");
    return storage[S::offset(index...)];
  }

  template <class... Index>
  requires(sizeof...(Index) == S::rank && S::rank != 1) constexpr value_type& operator()(Index... index) noexcept {
    return storage[S::offset(index...)];
  }
  template <class... Index>
  requires(sizeof...(Index) == S::rank && S::rank != 1) constexpr const value_type& operator()(
      Index... index) const noexcept {
    return storage[S::offset(index...)];
  }
};

/// Runtime tensor view: dtype, shape, data pointer, optional quantization. Does not own.
struct TensorRef {
  DType dtype = DType::f32;
  DynShape shape;
  void* data = nullptr;
  QuantParams quant{};  // meaningful for quantized dtypes (per-tensor)

  constexpr TensorRef() noexcept = default;
  constexpr TensorRef(DType type, DynShape dims, void* pointer, QuantParams q = {}) noexcept
      : dtype(type), shape(dims), data(pointer), quant(q) {}

  template <DTypeTag T, StaticShape S>
  constexpr explicit TensorRef(TensorView<T, S> view) noexcept
      : dtype(dtype_of<T>), shape(DynShape::of(S{})), data(const_cast<void*>(static_cast<const void*>(view.data()))) {}
  template <DTypeTag T, StaticShape S>
  constexpr explicit TensorRef(Tensor<T, S>& tensor) noexcept : TensorRef(tensor.view()) {}

  [[nodiscard]] constexpr std::size_t size() const noexcept { return shape.size(); }
  [[nodiscard]] constexpr std::size_t bytes() const noexcept { return shape.size() * dtype_size(dtype); }

  /// Typed element pointer; debug-asserts the dtype's element type.
  template <class Element>
  [[nodiscard]] Element* data_as() const noexcept {
    TINYNN_ASSERT(sizeof(std::remove_const_t<Element>) == dtype_size(dtype));
    return static_cast<Element*>(data);
  }

  /// Checked conversion to a static view: dtype and shape must match exactly.
  template <DTypeTag T, StaticShape S>
  [[nodiscard]] Result<TensorView<T, S>> as() const {
    if (dtype != dtype_of<T>) {
      return error(ErrorCode::invalid_argument, "tensor has dtype ", dtype_name(dtype), ", expected ",
                   dtype_name(dtype_of<T>));
    }
    const DynShape expected = DynShape::of(S{});
    if (!(shape == expected)) {
      return error(ErrorCode::invalid_argument, "tensor has shape ", shape, ", expected ", expected);
    }
    if (data == nullptr && S::size != 0) return error(ErrorCode::invalid_argument, "tensor has no data");
    return TensorView<T, S>(static_cast<element_t<T>*>(data));
  }
};

template <DTypeTag T, StaticShape S>
TensorView(Tensor<T, S>&) -> TensorView<T, S>;

/// Reinterprets a tensor's storage as another shape with the same element count (a free reshape).
template <StaticShape To, DTypeTag T, StaticShape From>
constexpr TensorView<T, To> view_as(Tensor<T, From>& tensor) noexcept {
  static_assert(To::size == From::size,
                "tinynn: view shape does not match the tensor's shape (the element counts differ)");
  return TensorView<T, To>(tensor.data());
}
template <StaticShape To, DTypeTag T, StaticShape From>
constexpr TensorView<T, To> view_as(TensorView<T, From> view) noexcept {
  static_assert(To::size == From::size,
                "tinynn: view shape does not match the tensor's shape (the element counts differ)");
  return TensorView<T, To>(view.data());
}

}  // namespace tinynn

// ---- end tinynn/tensor.hpp ----

namespace tinynn::nn {

/// The compile-time facts and run() of a network whose top layer, bound to its input, is Root.
template <class Root>
struct Network {
  using root = Root;
  using input_spec = typename Root::input;
  using output_spec = typename Root::output;
  using input_shape = typename input_spec::shape;
  using output_shape = typename output_spec::shape;
  using input_dtype = typename input_spec::dtype;
  using output_dtype = typename output_spec::dtype;
  using Params = typename Root::Params;
  using Trained = typename Root::Trained;

  /// The bound layer I of the network's top Sequential (its Params/Trained types, output, ...):
  ///   constexpr Net::layer<1>::Trained conv1 = {{/* OHWI weights */}, {/* bias */}};
  ///   constexpr Net::Trained trained = {conv1, conv2, dense};   // one value per layer with parameters
  template <std::size_t I>
  using layer = typename Root::template at<I>;

  static constexpr std::size_t param_count = Root::param_count;
  static constexpr std::size_t param_bytes = sizeof(Params);
  static constexpr std::size_t macs = Root::macs;
  static constexpr std::size_t step_count = Root::step_count;

  template <class Backend>
  static constexpr Graph<step_count> graph = [] {
    Graph<step_count> g{};
    g.input_bytes = input_spec::bytes;
    g.output_buffer = Root::template describe<Backend>(g, 0);
    return g;
  }();
  template <class Backend>
  static constexpr Plan<step_count> plan = plan_arena(graph<Backend>);

  template <class Backend>
  static constexpr std::size_t arena_bytes_for = plan<Backend>.arena_bytes;
  static constexpr std::size_t arena_bytes = arena_bytes_for<backend::native>;

  /// The memory a run on Backend uses for every intermediate tensor and scratch buffer.
  template <class Backend>
  struct ArenaFor {
    static_assert(plan<Backend>.valid, "tinynn::nn: internal error: the arena plan overlaps live buffers");
    alignas(tensor_alignment) std::byte bytes[arena_bytes_for<Backend> > 0 ? arena_bytes_for<Backend> : 1];
  };
  using Arena = ArenaFor<backend::native>;

  /// Trained parameters -> run-time parameters (weights packed for ops/, BatchNorm folded). constexpr:
  ///   static constexpr Net::Params params = Net::fold(trained);   // weights in .rodata / flash
  static constexpr Params fold(const Trained& trained) {
    // A local copy: GCC 12 cannot compare the address of a member of a constant-evaluated temporary
    // with nullptr (which the packers do for the optional bias).
    const Trained local = trained;
    Params p{};
    Root::fold_into(local, p);
    return p;
  }
  /// Same, into existing storage (large networks at run time: no Params-sized temporary on the stack).
  static constexpr void fold_into(const Trained& trained, Params& params) { Root::fold_into(trained, params); }

  /// Runs the network on x; the result is a view into the arena, valid until its next use.
  template <backend::Backend B = backend::native>
  static TensorView<const output_dtype, output_shape> run(const Params& params,
                                                          TensorView<const input_dtype, input_shape> x,
                                                          ArenaFor<B>& arena, B = {}) noexcept {
    backend::require_compilable<B>();
    const auto* out = Root::template run<Network, 0, B>(params, arena.bytes, x.data());
    return TensorView<const output_dtype, output_shape>(out);
  }
  /// Same, in memory the caller places (a linker section, a shared buffer): at least arena_bytes_for<B>
  /// bytes, aligned to tensor_alignment (debug-asserted).
  template <backend::Backend B = backend::native>
  static TensorView<const output_dtype, output_shape> run(const Params& params,
                                                          TensorView<const input_dtype, input_shape> x,
                                                          std::span<std::byte> arena, B = {}) noexcept {
    backend::require_compilable<B>();
    TINYNN_ASSERT(arena.size() >= arena_bytes_for<B>);
    TINYNN_ASSERT(reinterpret_cast<std::uintptr_t>(arena.data()) % tensor_alignment == 0);
    const auto* out = Root::template run<Network, 0, B>(params, arena.data(), x.data());
    return TensorView<const output_dtype, output_shape>(out);
  }
  template <backend::Backend B = backend::native>
  static TensorView<const output_dtype, output_shape> run(const Params& params,
                                                          const Tensor<input_dtype, input_shape>& x, ArenaFor<B>& arena,
                                                          B b = {}) noexcept {
    return run<B>(params, x.view(), arena, b);
  }
};

}  // namespace tinynn::nn

// ---- end tinynn/nn/network.hpp ----
// ---- begin tinynn/ops/concat.hpp ----
// tinynn — concatenation along one axis (any element type: it only moves bytes).
//   y[..., off_k + i, ...] = x_k[..., i, ...],  off_k = sum of the axis sizes of x_0 .. x_{k-1};
//   every other dimension must agree.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace tinynn::ops {
namespace concat {

struct Params {
  std::int64_t axis = 0;  // may be negative; prepare() normalises it
  DynShape output;        // set by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Checks that `inputs` agree on every dimension but p.axis and sets p.output.
[[nodiscard]] inline Status prepare(Params& p, std::span<const DynShape> inputs) {
  if (inputs.empty()) return error(ErrorCode::invalid_argument, "concat: no inputs");
  const DynShape& first = inputs[0];
  const std::int64_t axis = detail::normalize_axis(p.axis, first.rank());
  if (axis < 0) {
    return error(ErrorCode::invalid_argument, "concat: axis ", p.axis, " is out of range for shape ", first);
  }
  p.axis = axis;
  DynShape out = first;
  out[static_cast<std::size_t>(axis)] = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const DynShape& s = inputs[k];
    if (s.rank() != first.rank()) {
      return error(ErrorCode::invalid_argument, "concat: input ", k, " has shape ", s, ", rank differs from input 0 ",
                   first);
    }
    for (std::size_t i = 0; i < s.rank(); ++i) {
      if (i != static_cast<std::size_t>(axis) && s[i] != first[i]) {
        return error(ErrorCode::invalid_argument, "concat: input ", k, " has shape ", s, ", expected dimension ", i,
                     " = ", first[i], " as in input 0");
      }
    }
    out[static_cast<std::size_t>(axis)] += s[static_cast<std::size_t>(axis)];
  }
  p.output = out;
  return {};
}

/// Copies inputs[k] (shape shapes[k]) into y.
template <class T>
inline void run(const Params& p, std::span<const T* const> inputs, std::span<const DynShape> shapes, T* y) noexcept {
  const auto axis = static_cast<std::size_t>(p.axis);
  const std::size_t outer = detail::dims_product(p.output, 0, axis);
  const std::size_t inner = detail::dims_product(p.output, axis + 1, p.output.rank());
  const std::size_t out_row = static_cast<std::size_t>(p.output[axis]) * inner;
  std::size_t offset = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const std::size_t row = static_cast<std::size_t>(shapes[k][axis]) * inner;
    if (row != 0) {
      for (std::size_t o = 0; o < outer; ++o) {
        std::memcpy(y + o * out_row + offset, inputs[k] + o * row, row * sizeof(T));
      }
    }
    offset += row;
  }
}

}  // namespace concat
}  // namespace tinynn::ops

// ---- end tinynn/ops/concat.hpp ----
// ---- begin tinynn/ops/eltwise.hpp ----
// tinynn — binary elementwise operations with NumPy (ONNX multidirectional) broadcasting.
//   out[i] = act(a[bcast_a(i)] op b[bcast_b(i)]),  op in {add, sub, mul, div, min, max, pow, prelu};
//   shapes align at the right, and each dimension pair must be equal or contain a 1.

#include <array>
#include <cstddef>

// ---- begin tinynn/backends/avx2/eltwise.hpp ----
// tinynn — AVX2+FMA binary elementwise kernel over one broadcast row.

// ---- begin tinynn/backends/scalar/eltwise.hpp ----
// tinynn — scalar binary elementwise kernel over one broadcast row: a and b advance by 0 (a
// broadcast scalar) or 1 element per output element. binary_value() is the definition the SIMD
// backends must agree with.

#include <cmath>
#include <cstddef>
#include <type_traits>

namespace tinynn::backend {

template <ops::BinaryOp K>
[[nodiscard]] inline float binary_value_of(float a, float b) noexcept {
  using ops::BinaryOp;
  if constexpr (K == BinaryOp::add) return a + b;
  if constexpr (K == BinaryOp::sub) return a - b;
  if constexpr (K == BinaryOp::mul) return a * b;
  if constexpr (K == BinaryOp::div) return a / b;
  if constexpr (K == BinaryOp::min) return (a < b || a != a) ? a : b;  // NaN in either operand wins
  if constexpr (K == BinaryOp::max) return (a > b || a != a) ? a : b;
  if constexpr (K == BinaryOp::pow) return std::pow(a, b);
  if constexpr (K == BinaryOp::prelu) return a < 0.0f ? a * b : a;
}

template <class F>
inline void with_binary_kind(ops::BinaryOp kind, F&& f) {
  using ops::BinaryOp;
  using std::integral_constant;
  switch (kind) {
    case BinaryOp::add: f(integral_constant<BinaryOp, BinaryOp::add>{}); return;
    case BinaryOp::sub: f(integral_constant<BinaryOp, BinaryOp::sub>{}); return;
    case BinaryOp::mul: f(integral_constant<BinaryOp, BinaryOp::mul>{}); return;
    case BinaryOp::div: f(integral_constant<BinaryOp, BinaryOp::div>{}); return;
    case BinaryOp::min: f(integral_constant<BinaryOp, BinaryOp::min>{}); return;
    case BinaryOp::max: f(integral_constant<BinaryOp, BinaryOp::max>{}); return;
    case BinaryOp::pow: f(integral_constant<BinaryOp, BinaryOp::pow>{}); return;
    case BinaryOp::prelu: f(integral_constant<BinaryOp, BinaryOp::prelu>{}); return;
  }
}

[[nodiscard]] inline float binary_value(ops::BinaryOp op, float a, float b) noexcept {
  float r = 0.0f;
  with_binary_kind(op, [&](auto kind) { r = binary_value_of<decltype(kind)::value>(a, b); });
  return r;
}

namespace detail {
template <ops::BinaryOp K, std::size_t AStep, std::size_t BStep>
inline void binary_row(const float* a, const float* b, float* out, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = binary_value_of<K>(a[i * AStep], b[i * BStep]);
}
}  // namespace detail

/// out[i] = act(a[i*a_step] op b[i*b_step]) for i < n, with a_step, b_step in {0, 1}. out may
/// alias a or b when that operand's step is 1.
inline void binary(scalar, ops::BinaryOp op, const float* a, std::size_t a_step, const float* b, std::size_t b_step,
                   float* out, std::size_t n, const ops::ActivationParams& act) noexcept {
  with_binary_kind(op, [&](auto kind) {
    constexpr ops::BinaryOp K = decltype(kind)::value;
    if (a_step && b_step) {
      detail::binary_row<K, 1, 1>(a, b, out, n);
    } else if (a_step) {
      detail::binary_row<K, 1, 0>(a, b, out, n);
    } else if (b_step) {
      detail::binary_row<K, 0, 1>(a, b, out, n);
    } else {
      detail::binary_row<K, 0, 0>(a, b, out, n);
    }
  });
  if (act.kind != ops::Activation::none) {
    for (std::size_t i = 0; i < n; ++i) out[i] = ops::apply_activation(act, out[i]);
  }
}

}  // namespace tinynn::backend

// ---- end tinynn/backends/scalar/eltwise.hpp ----

#if TINYNN_HAS_X86_KERNELS

namespace tinynn::backend::avx2_impl {

/// out[i] = a[i or 0] op b[i or 0]: AVector / BVector say which operands advance.
template <ops::BinaryOp K, bool AVector, bool BVector>
TINYNN_TARGET_AVX2 inline void binary_loop(const float* a, const float* b, float* out, std::size_t n) noexcept {
  const V a0 = splat(a[0]), b0 = splat(b[0]);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    store(out + i, binary_value<K>(AVector ? load(a + i) : a0, BVector ? load(b + i) : b0));
  }
  if (i < n) {
    float buffer_a[lanes] = {}, buffer_b[lanes] = {};
    for (std::size_t j = 0; i + j < n; ++j) {
      buffer_a[j] = AVector ? a[i + j] : a[0];
      buffer_b[j] = BVector ? b[i + j] : b[0];
    }
    store(buffer_a, binary_value<K>(load(buffer_a), load(buffer_b)));
    for (std::size_t j = 0; i + j < n; ++j) out[i + j] = buffer_a[j];
  }
}

template <ops::BinaryOp K>
TINYNN_TARGET_AVX2 inline void binary_row(const float* a, std::size_t a_step, const float* b, std::size_t b_step,
                                          float* out, std::size_t n) noexcept {
  if (a_step && b_step) {
    binary_loop<K, true, true>(a, b, out, n);
  } else if (a_step) {
    binary_loop<K, true, false>(a, b, out, n);
  } else if (b_step) {
    binary_loop<K, false, true>(a, b, out, n);
  } else {
    binary_loop<K, false, false>(a, b, out, n);
  }
}

}  // namespace tinynn::backend::avx2_impl

namespace tinynn::backend {

inline void binary(avx2, ops::BinaryOp op, const float* a, std::size_t a_step, const float* b, std::size_t b_step,
                   float* out, std::size_t n, const ops::ActivationParams& act) noexcept {
  if (op == ops::BinaryOp::pow) {  // std::pow's exact special cases are not worth a vector version
    binary(scalar{}, op, a, a_step, b, b_step, out, n, act);
    return;
  }
  with_binary_kind(op, [&](auto kind) { avx2_impl::binary_row<decltype(kind)::value>(a, a_step, b, b_step, out, n); });
  if (act.kind != ops::Activation::none) avx2_impl::activation_loop(act, out, n);
}

}  // namespace tinynn::backend

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx2/eltwise.hpp ----
// ---- begin tinynn/backends/avx512/eltwise.hpp ----
// tinynn — AVX-512 binary elementwise kernel over one broadcast row.

#if TINYNN_HAS_X86_KERNELS

namespace tinynn::backend::avx512_impl {

/// out[i] = a[i or 0] op b[i or 0]: AVector / BVector say which operands advance.
template <ops::BinaryOp K, bool AVector, bool BVector>
TINYNN_TARGET_AVX512 inline void binary_loop(const float* a, const float* b, float* out, std::size_t n) noexcept {
  const V a0 = splat(a[0]), b0 = splat(b[0]);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    store(out + i, binary_value<K>(AVector ? load(a + i) : a0, BVector ? load(b + i) : b0));
  }
  if (i < n) {
    float buffer_a[lanes] = {}, buffer_b[lanes] = {};
    for (std::size_t j = 0; i + j < n; ++j) {
      buffer_a[j] = AVector ? a[i + j] : a[0];
      buffer_b[j] = BVector ? b[i + j] : b[0];
    }
    store(buffer_a, binary_value<K>(load(buffer_a), load(buffer_b)));
    for (std::size_t j = 0; i + j < n; ++j) out[i + j] = buffer_a[j];
  }
}

template <ops::BinaryOp K>
TINYNN_TARGET_AVX512 inline void binary_row(const float* a, std::size_t a_step, const float* b, std::size_t b_step,
                                            float* out, std::size_t n) noexcept {
  if (a_step && b_step) {
    binary_loop<K, true, true>(a, b, out, n);
  } else if (a_step) {
    binary_loop<K, true, false>(a, b, out, n);
  } else if (b_step) {
    binary_loop<K, false, true>(a, b, out, n);
  } else {
    binary_loop<K, false, false>(a, b, out, n);
  }
}

}  // namespace tinynn::backend::avx512_impl

namespace tinynn::backend {

inline void binary(avx512, ops::BinaryOp op, const float* a, std::size_t a_step, const float* b, std::size_t b_step,
                   float* out, std::size_t n, const ops::ActivationParams& act) noexcept {
  if (op == ops::BinaryOp::pow) {  // std::pow's exact special cases are not worth a vector version
    binary(scalar{}, op, a, a_step, b, b_step, out, n, act);
    return;
  }
  with_binary_kind(op,
                   [&](auto kind) { avx512_impl::binary_row<decltype(kind)::value>(a, a_step, b, b_step, out, n); });
  if (act.kind != ops::Activation::none) avx512_impl::activation_loop(act, out, n);
}

}  // namespace tinynn::backend

#endif  // TINYNN_HAS_X86_KERNELS

// ---- end tinynn/backends/avx512/eltwise.hpp ----
// ---- begin tinynn/backends/neon/eltwise.hpp ----
// tinynn — NEON (xsimd) binary elementwise kernel over one broadcast row.

#if defined(__ARM_NEON) && defined(__aarch64__)

namespace tinynn::backend::neon_impl {

/// out[i] = a[i or 0] op b[i or 0]: AVector / BVector say which operands advance.
template <ops::BinaryOp K, bool AVector, bool BVector>
inline void binary_loop(const float* a, const float* b, float* out, std::size_t n) noexcept {
  const V a0 = splat(a[0]), b0 = splat(b[0]);
  std::size_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    store(out + i, binary_value<K>(AVector ? load(a + i) : a0, BVector ? load(b + i) : b0));
  }
  if (i < n) {
    float buffer_a[lanes] = {}, buffer_b[lanes] = {};
    for (std::size_t j = 0; i + j < n; ++j) {
      buffer_a[j] = AVector ? a[i + j] : a[0];
      buffer_b[j] = BVector ? b[i + j] : b[0];
    }
    store(buffer_a, binary_value<K>(load(buffer_a), load(buffer_b)));
    for (std::size_t j = 0; i + j < n; ++j) out[i + j] = buffer_a[j];
  }
}

template <ops::BinaryOp K>
inline void binary_row(const float* a, std::size_t a_step, const float* b, std::size_t b_step, float* out,
                       std::size_t n) noexcept {
  if (a_step && b_step) {
    binary_loop<K, true, true>(a, b, out, n);
  } else if (a_step) {
    binary_loop<K, true, false>(a, b, out, n);
  } else if (b_step) {
    binary_loop<K, false, true>(a, b, out, n);
  } else {
    binary_loop<K, false, false>(a, b, out, n);
  }
}

}  // namespace tinynn::backend::neon_impl

namespace tinynn::backend {

inline void binary(neon, ops::BinaryOp op, const float* a, std::size_t a_step, const float* b, std::size_t b_step,
                   float* out, std::size_t n, const ops::ActivationParams& act) noexcept {
  if (op == ops::BinaryOp::pow) {  // std::pow's exact special cases are not worth a vector version
    binary(scalar{}, op, a, a_step, b, b_step, out, n, act);
    return;
  }
  with_binary_kind(op, [&](auto kind) { neon_impl::binary_row<decltype(kind)::value>(a, a_step, b, b_step, out, n); });
  if (act.kind != ops::Activation::none) neon_impl::activation_loop(act, out, n);
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_NEON) && defined(__aarch64__)

// ---- end tinynn/backends/neon/eltwise.hpp ----
// ---- begin tinynn/backends/sve/eltwise.hpp ----
// tinynn — SVE binary elementwise kernel over one broadcast row (predicated loops: no scalar tails).

#if defined(__ARM_FEATURE_SVE)

namespace tinynn::backend::sve_impl {

template <ops::BinaryOp K>
inline void binary_row(const float* a, std::size_t a_step, const float* b, std::size_t b_step, float* out,
                       std::size_t n) noexcept {
  const V a0 = splat(a[0]), b0 = splat(b[0]);
  for (std::size_t i = 0; i < n; i += svcntw()) {
    const svbool_t pg = svwhilelt_b32_u64(i, n);
    const V va = a_step ? svld1_f32(pg, a + i) : a0;
    const V vb = b_step ? svld1_f32(pg, b + i) : b0;
    svst1_f32(pg, out + i, binary_value<K>(va, vb));
  }
}

}  // namespace tinynn::backend::sve_impl

namespace tinynn::backend {

inline void binary(sve, ops::BinaryOp op, const float* a, std::size_t a_step, const float* b, std::size_t b_step,
                   float* out, std::size_t n, const ops::ActivationParams& act) noexcept {
  if (op == ops::BinaryOp::pow) {  // std::pow's exact special cases are not worth a vector version
    binary(scalar{}, op, a, a_step, b, b_step, out, n, act);
    return;
  }
  with_binary_kind(op, [&](auto kind) { sve_impl::binary_row<decltype(kind)::value>(a, a_step, b, b_step, out, n); });
  if (act.kind != ops::Activation::none) sve_impl::activation_loop(act, out, n);
}

}  // namespace tinynn::backend

#endif  // defined(__ARM_FEATURE_SVE)

// ---- end tinynn/backends/sve/eltwise.hpp ----

namespace tinynn::ops {

/// The NumPy broadcast of two shapes, or an error naming the first incompatible dimension pair.
[[nodiscard]] inline Result<DynShape> broadcast_shapes(const DynShape& a, const DynShape& b) {
  const std::size_t rank = a.rank() > b.rank() ? a.rank() : b.rank();
  DynShape out;
  for (std::size_t i = 0; i < rank; ++i) {
    const std::int64_t da = i + a.rank() >= rank ? a[i + a.rank() - rank] : 1;
    const std::int64_t db = i + b.rank() >= rank ? b[i + b.rank() - rank] : 1;
    if (da != db && da != 1 && db != 1) {
      return error(ErrorCode::invalid_argument, "shapes ", a, " and ", b, " do not broadcast: dimension ", i,
                   " of the result is ", da, " in one and ", db, " in the other");
    }
    (void)out.push_back(da == 1 ? db : da);
  }
  return out;
}

namespace detail {
/// Row-major strides of `s` seen from an output of rank `rank` (0 where s broadcasts).
inline std::array<std::ptrdiff_t, max_rank> broadcast_strides(const DynShape& s, std::size_t rank) noexcept {
  std::array<std::ptrdiff_t, max_rank> strides{};
  std::ptrdiff_t running = 1;
  for (std::size_t k = s.rank(); k-- > 0;) {
    const std::size_t axis = k + rank - s.rank();
    strides[axis] = s[k] == 1 ? 0 : running;
    running *= static_cast<std::ptrdiff_t>(s[k]);
  }
  return strides;
}
}  // namespace detail

namespace binary {

struct Params {
  BinaryOp op = BinaryOp::add;
  ActivationParams activation{};  // fused after the operation
  DynShape a, b;                  // input shapes
  DynShape output;                // set by prepare(): the broadcast shape
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Checks that p.a and p.b broadcast and sets p.output.
[[nodiscard]] inline Status prepare(Params& p) {
  auto out = broadcast_shapes(p.a, p.b);
  if (!out) return out.status();
  p.output = *out;
  return {};
}

/// out = act(a op b) with broadcasting; out may alias an input of the output's shape.
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* a, const float* b, float* out) noexcept {
  backend::require_compilable<B>();
  const DynShape& shape = p.output;
  if (shape.size() == 0) return;
  const std::size_t rank = shape.rank();
  const auto sa = detail::broadcast_strides(p.a, rank);
  const auto sb = detail::broadcast_strides(p.b, rank);
  detail::StridedLoop<3> loop;
  for (std::size_t i = 0; i < rank; ++i) {
    loop.push(static_cast<std::size_t>(shape[i]), {sa[i], sb[i], static_cast<std::ptrdiff_t>(shape.stride(i))});
  }
  const std::size_t n = loop.inner_extent();
  const auto step_a = static_cast<std::size_t>(loop.inner_stride(0));
  const auto step_b = static_cast<std::size_t>(loop.inner_stride(1));
  loop.for_each_row([&](const std::array<std::ptrdiff_t, 3>& offset) {
    backend::binary(B{}, p.op, a + offset[0], step_a, b + offset[1], step_b, out + offset[2], n, p.activation);
  });
}

inline void run(backend::BackendId id, const Params& p, const float* a, const float* b, float* out) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, a, b, out); });
}

}  // namespace binary
}  // namespace tinynn::ops

// ---- end tinynn/ops/eltwise.hpp ----

namespace tinynn::nn {

namespace detail {

template <class B>
inline constexpr bool folds_batch_norm = requires {
  requires B::foldable;
};
template <class B>
inline constexpr bool is_batch_norm_layer = requires {
  requires B::is_batch_norm;
};
template <class B>
inline constexpr bool is_activation_layer = requires {
  requires B::is_activation;
};
template <class B>
inline constexpr bool accepts_activation = folds_batch_norm<B> || requires {
  requires B::accepts_activation;
};

/// A producer (conv/depthwise/dense/add) run with activation Act fused into its epilogue.
template <class Producer, class Act>
struct WithActivation : SingleStep<WithActivation<Producer, Act>> {
  using input = typename Producer::input;
  using output = typename Producer::output;
  using Params = typename Producer::Params;
  using activation = Act;
  static constexpr bool in_place = Producer::in_place;
  template <class Backend>
  static constexpr std::size_t scratch_bytes = Producer::template scratch_bytes<Backend>;
  template <class Backend>
  static void compute(const Params& p, const typename input::element* in, typename output::element* out,
                      std::byte* scratch, const ops::ActivationParams& act, Backend b) noexcept {
    Producer::compute(p, in, out, scratch, act, b);
  }
};

template <class Bound, class Act>
struct with_activation {
  using type = WithActivation<Bound, Act>;
};
template <class Bound, class Act>
requires requires { typename Bound::template with_activation<Act>; }
struct with_activation<Bound, Act> {
  using type = typename Bound::template with_activation<Act>;
};

template <class Done, class In, class... Ls>
struct bind_all_impl;
template <class... Done, class In>
struct bind_all_impl<std::tuple<Done...>, In> {
  using type = std::tuple<Done...>;
};
template <class... Done, class In, class First, class... Rest>
struct bind_all_impl<std::tuple<Done...>, In, First, Rest...> {
  using head = typename First::template bind<In>;
  using type = typename bind_all_impl<std::tuple<Done..., head>, typename head::output, Rest...>::type;
};
/// std::tuple of the layers, each bound to the previous one's output.
template <class In, class... Ls>
using bind_all = bind_all_impl<std::tuple<>, In, Ls...>;

inline constexpr NoParams no_params{};

/// Slot I of a pack, or an empty NoParams when the pack has no slot I.
template <std::size_t I, class Pack>
constexpr decltype(auto) slot_or_empty(const Pack& pack) noexcept {
  if constexpr (requires { requires Pack::template has<I>; }) {
    return pack.template get<I>();
  } else {
    return (no_params);
  }
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------

namespace detail {

template <class In, class... Layers>
struct SequentialBound {
  static_assert(sizeof...(Layers) > 0, "tinynn::nn::Sequential: give at least one layer");
  struct body {
    using bounds = typename detail::bind_all<In, Layers...>::type;
    static constexpr std::size_t n = sizeof...(Layers);
    template <std::size_t I>
    using at = std::tuple_element_t<I, bounds>;
    using input = In;
    using output = typename at<n - 1>::output;

    struct FusionInfo {
      std::array<std::size_t, n> unit_start{};  // unit u begins at layer unit_start[u]
      std::size_t unit_count = 0;
      std::array<std::size_t, n> batch_norm_of{};  // for a unit start: its folded BatchNorm's index, or n
      std::array<std::size_t, n> activation_of{};  // for a unit start: its fused activation's index, or n
      std::array<bool, n> folded_away{};           // a BatchNorm folded into the layer before it
    };
    // Fusion: a producer, then an optional BatchNorm (folded into its weights), then an optional
    // activation (fused into its epilogue), become one unit: one kernel call.
    static constexpr FusionInfo info = []<std::size_t... I>(std::index_sequence<I...>) {
      FusionInfo r{};
      constexpr std::array<bool, n> folds = {detail::folds_batch_norm<at<I>>...};
      constexpr std::array<bool, n> takes_act = {detail::accepts_activation<at<I>>...};
      constexpr std::array<bool, n> is_bn = {detail::is_batch_norm_layer<at<I>>...};
      constexpr std::array<bool, n> is_act = {detail::is_activation_layer<at<I>>...};
      for (std::size_t i = 0; i < n;) {
        std::size_t len = 1;
        r.batch_norm_of[i] = n;
        r.activation_of[i] = n;
        if (folds[i] && i + 1 < n && is_bn[i + 1]) {
          r.batch_norm_of[i] = i + 1;
          r.folded_away[i + 1] = true;
          ++len;
        }
        if (takes_act[i] && i + len < n && is_act[i + len]) {
          r.activation_of[i] = i + len;
          ++len;
        }
        r.unit_start[r.unit_count++] = i;
        i += len;
      }
      return r;
    }
    (std::make_index_sequence<n>{});

    template <std::size_t I>
    static constexpr auto unit_type() {
      if constexpr (info.activation_of[I] < n) {
        using act = typename at<(info.activation_of[I] < n ? info.activation_of[I] : 0)>::tag;
        return std::type_identity<typename detail::with_activation<at<I>, act>::type>{};
      } else if constexpr (info.batch_norm_of[I] < n) {
        return std::type_identity<typename detail::with_activation<at<I>, NoActivation>::type>{};
      } else {
        return std::type_identity<at<I>>{};
      }
    }
    /// The layer (or fused layer) that unit u runs.
    template <std::size_t U>
    using unit = typename decltype(unit_type<info.unit_start[U]>())::type;

    template <class Seq>
    struct packs;
    template <std::size_t... I>
    struct packs<std::index_sequence<I...>> {
      using params = typename detail::make_pack<std::tuple<typename at<I>::Params...>,
                                                std::integer_sequence<bool, !info.folded_away[I]...>>::type;
      using trained = typename detail::make_pack<std::tuple<typename at<I>::Trained...>,
                                                 std::integer_sequence<bool, (I >= 0)...>>::type;
      static constexpr std::size_t param_count = ((info.folded_away[I] ? 0 : at<I>::param_count) + ... + 0);
      static constexpr std::size_t macs = ((info.folded_away[I] ? 0 : at<I>::macs) + ... + 0);
    };
    using all = packs<std::make_index_sequence<n>>;

    /// Run-time parameters: one slot per layer with parameters, addressed by the layer's index.
    using Params = typename all::params;
    /// Parameters as trained (BatchNorm statistics, unpacked weights); fold() turns them into Params.
    using Trained = typename all::trained;
    static constexpr std::size_t param_count = all::param_count;
    static constexpr std::size_t macs = all::macs;
    static constexpr std::size_t step_count = []<std::size_t... U>(std::index_sequence<U...>) {
      return (unit<U>::step_count + ... + 0);
    }
    (std::make_index_sequence<info.unit_count>{});

    template <std::size_t I>
    static constexpr void fold_layer(const Trained& t, Params& p) {
      if constexpr (!info.folded_away[I] && has_params_v<typename at<I>::Params>) {
        if constexpr (info.batch_norm_of[I] < n) {
          using bn = at<(info.batch_norm_of[I] < n ? info.batch_norm_of[I] : 0)>;
          typename bn::Params affine{};
          bn::fold_into(t.template get<info.batch_norm_of[I]>(), affine);
          at<I>::fold_into(t.template get<I>(), affine.scale.data(), affine.shift.data(), p.template get<I>());
        } else {
          at<I>::fold_into(t.template get<I>(), p.template get<I>());
        }
      }
    }
    static constexpr void fold_into(const Trained& t, Params& p) {
      [&]<std::size_t... I>(std::index_sequence<I...>) { (fold_layer<I>(t, p), ...); }
      (std::make_index_sequence<n>{});
    }

    template <class Backend, std::size_t N>
    static constexpr std::size_t describe(Graph<N>& graph, std::size_t buffer) {
      [&]<std::size_t... U>(std::index_sequence<U...>) {
        ((buffer = unit<U>::template describe<Backend>(graph, buffer)), ...);
      }
      (std::make_index_sequence<info.unit_count>{});
      return buffer;
    }

    template <class Top, std::size_t Step, class Backend, std::size_t U = 0>
    static auto* run(const Params& p, std::byte* arena, const typename unit<U>::input::element* in) {
      auto* out = unit<U>::template run<Top, Step, Backend>(detail::slot_or_empty<info.unit_start[U]>(p), arena, in);
      if constexpr (U + 1 < info.unit_count) {
        return run<Top, Step + unit<U>::step_count, Backend, U + 1>(p, arena, out);
      } else {
        return out;
      }
    }
  };
};

template <class... Layers>
struct network_base {};
template <class First, class... Rest>
requires is_input<First>::value struct network_base<First, Rest...>
    : Network<typename SequentialBound<typename First::spec, First, Rest...>::body> {
};

}  // namespace detail

/// Layers one after another. With an Input first, it is a network (nn/network.hpp: Net::run, ...).
template <class... Layers>
struct Sequential : detail::network_base<Layers...> {
  template <class In>
  using bind = typename detail::SequentialBound<In, Layers...>::body;
};

namespace check {
template <class FirstBranchOutput, class OtherBranchOutput>
struct Add_branch_outputs {
  static_assert(std::is_same_v<FirstBranchOutput, OtherBranchOutput>,
                "tinynn::nn::Add: the branches' output shapes differ");
};
template <class BlockOutput, class ShortcutOutput>
struct Residual_block_output_vs_shortcut_output {
  static_assert(std::is_same_v<BlockOutput, ShortcutOutput>,
                "tinynn::nn::Residual: the block's output shape differs from the shortcut's (use a projection "
                "shortcut, e.g. Residual<Block, Conv2D<C, 1, 1, Stride<S>>>)");
};
template <class A, class B>
inline constexpr bool same_but_last = [] {
  if constexpr (A::rank != B::rank || A::rank == 0) {
    return false;
  } else {
    for (std::size_t d = 0; d + 1 < A::rank; ++d) {
      if (A::dims[d] != B::dims[d]) return false;
    }
    return true;
  }
}();
template <class FirstBranchOutput, class OtherBranchOutput>
struct Concat_branch_outputs {
  static_assert(same_but_last<FirstBranchOutput, OtherBranchOutput>,
                "tinynn::nn::Concat: the branches' outputs differ in a dimension other than the last (channels)");
};
}  // namespace check

namespace detail {

/// Shared machinery of Add and Concat: branches applied to the same input, then one joining step.
template <class Derived, class In, class... Branches>
struct Join {
  using bounds = std::tuple<typename Branches::template bind<In>...>;
  static constexpr std::size_t k = sizeof...(Branches);
  static_assert(k >= 1 && k <= max_step_inputs, "tinynn::nn::Add/Concat: between 1 and 8 branches");
  template <std::size_t I>
  using at = std::tuple_element_t<I, bounds>;
  using input = In;

  template <class Seq>
  struct packs;
  template <std::size_t... I>
  struct packs<std::index_sequence<I...>> {
    using params =
        typename make_pack<std::tuple<typename at<I>::Params...>, std::integer_sequence<bool, (I >= 0)...>>::type;
    using trained =
        typename make_pack<std::tuple<typename at<I>::Trained...>, std::integer_sequence<bool, (I >= 0)...>>::type;
    static constexpr std::size_t param_count = (at<I>::param_count + ... + 0);
    static constexpr std::size_t macs = (at<I>::macs + ... + 0);
    static constexpr std::size_t branch_steps = (at<I>::step_count + ... + 0);
  };
  using all = packs<std::make_index_sequence<k>>;
  using Params = typename all::params;
  using Trained = typename all::trained;
  static constexpr std::size_t param_count = all::param_count;
  static constexpr std::size_t step_count = all::branch_steps + 1;

  template <std::size_t I>
  static constexpr std::size_t steps_before = [] {
    std::size_t s = 0;
    [&]<std::size_t... J>(std::index_sequence<J...>) { ((s += J < I ? at<J>::step_count : 0), ...); }
    (std::make_index_sequence<k>{});
    return s;
  }();

  static constexpr void fold_into(const Trained& t, Params& p) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      auto one = [&]<std::size_t J>(std::integral_constant<std::size_t, J>) {
        if constexpr (has_params_v<typename at<J>::Params>) at<J>::fold_into(t.template get<J>(), p.template get<J>());
      };
      (one(std::integral_constant<std::size_t, I>{}), ...);
    }
    (std::make_index_sequence<k>{});
  }

  template <class Backend, std::size_t N>
  static constexpr std::size_t describe(Graph<N>& graph, std::size_t input_buffer) {
    StepInfo step{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((step.inputs[I] = at<I>::template describe<Backend>(graph, input_buffer)), ...);
    }
    (std::make_index_sequence<k>{});
    step.input_count = k;
    step.output_bytes = Derived::output::bytes;
    step.in_place = Derived::in_place;
    return graph.add(step);
  }

  template <class Top, std::size_t Step, class Backend>
  static auto* run(const Params& p, std::byte* arena, const typename In::element* in) {
    using element = typename Derived::output::element;
    std::array<const element*, k> branch_out{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((branch_out[I] = at<I>::template run<Top, Step + steps_before<I>, Backend>(slot_or_empty<I>(p), arena, in)),
       ...);
    }
    (std::make_index_sequence<k>{});
    constexpr std::size_t join_step = Step + all::branch_steps;
    auto* out = reinterpret_cast<element*>(arena + Top::template plan<Backend>.offset[join_step + 1]);
    Derived::join(branch_out, out, Backend{});
    return out;
  }
};

}  // namespace detail

/// The elementwise sum of the branches (all must have the same output shape); Act fused after.
template <class... Branches>
struct Add {
  template <class In, class Act = NoActivation>
  struct bound : detail::Join<bound<In, Act>, In, Branches...> {
    using base = detail::Join<bound<In, Act>, In, Branches...>;
    using first_output = typename base::template at<0>::output;
    static_assert((sizeof(check::Add_branch_outputs<typename first_output::shape,
                                                    typename Branches::template bind<In>::output::shape>) +
                   ...) > 0);
    static_assert(base::k >= 2, "tinynn::nn::Add: give at least two branches");
    using output = first_output;
    static constexpr bool in_place = true;
    static constexpr bool accepts_activation = std::is_same_v<Act, NoActivation>;
    static constexpr std::size_t macs = base::all::macs + output::size * (base::k - 1);
    template <class A>
    using with_activation = bound<In, A>;

    template <class Backend>
    static void join(const std::array<const typename output::element*, base::k>& parts, typename output::element* out,
                     Backend) noexcept {
      ops::binary::Params p;
      p.op = ops::BinaryOp::add;
      p.a = p.b = p.output = DynShape{static_cast<std::int64_t>(output::size)};
      const typename output::element* acc = parts[0];
      for (std::size_t i = 1; i < base::k; ++i) {
        p.activation = i + 1 == base::k ? Act::params : ops::ActivationParams{};
        ops::binary::run<Backend>(p, acc, parts[i], out);
        acc = out;
      }
    }
  };
  template <class In>
  using bind = bound<In>;
};

/// Block(x) + Shortcut(x): MobileNetV2's inverted residual (identity), ResNet's basic block
/// (identity or a 1x1 projection). Params: get<0>() is the block's, get<1>() the shortcut's.
template <class Block, class Shortcut = Identity>
struct Residual {
  template <class In, class Act = NoActivation>
  struct bound : Add<Block, Shortcut>::template bound<In, Act> {
    static_assert(
        sizeof(check::Residual_block_output_vs_shortcut_output<typename Block::template bind<In>::output::shape,
                                                               typename Shortcut::template bind<In>::output::shape>) >
        0);
    template <class A>
    using with_activation = bound<In, A>;
  };
  template <class In>
  using bind = bound<In>;
};

/// The branches' outputs concatenated on the last axis (channels); all other dimensions must agree.
template <class... Branches>
struct Concat {
  template <class In>
  struct bind : detail::Join<bind<In>, In, Branches...> {
    using base = detail::Join<bind<In>, In, Branches...>;
    using first = typename base::template at<0>::output;
    static_assert((sizeof(check::Concat_branch_outputs<typename first::shape,
                                                       typename Branches::template bind<In>::output::shape>) +
                   ...) > 0);
    static constexpr std::size_t channels =
        (detail::last_dim<typename Branches::template bind<In>::output::shape> + ...);
    template <class S, std::size_t C>
    struct replace_last;
    template <std::size_t... D, std::size_t C>
    struct replace_last<Shape<D...>, C> {
      static constexpr std::array<std::size_t, sizeof...(D)> dims = {D...};
      template <std::size_t... I>
      static auto make(std::index_sequence<I...>) -> Shape<(I + 1 == sizeof...(D) ? C : dims[I])...>;
      using type = decltype(make(std::make_index_sequence<sizeof...(D)>{}));
    };
    using output = Spec<typename first::dtype, typename replace_last<typename first::shape, channels>::type>;
    static constexpr bool in_place = false;
    static constexpr std::size_t macs = base::all::macs;

    template <class Backend>
    static void join(const std::array<const typename output::element*, base::k>& parts, typename output::element* out,
                     Backend) noexcept {
      std::array<DynShape, base::k> shapes{};
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((shapes[I] = DynShape::of(typename base::template at<I>::output::shape{})), ...);
      }
      (std::make_index_sequence<base::k>{});
      ops::concat::Params p;
      p.axis = static_cast<std::int64_t>(output::rank - 1);
      p.output = DynShape::of(typename output::shape{});
      ops::concat::run<typename output::element>(p, std::span<const typename output::element* const>(parts),
                                                 std::span<const DynShape>(shapes), out);
    }
  };
};

}  // namespace tinynn::nn

// ---- end tinynn/nn/combinators.hpp ----
// ---- begin tinynn/nn/zoo.hpp ----
// tinynn — reference architectures as static networks, and the building blocks they are made of.
// Each block is a few lines of combinators; the networks are the ones tinynn is measured on
// (tests, bench, firmware). Weights are not included: they are Params values (tests use random
// ones, codegen writes trained ones).

#include <cstddef>
#include <type_traits>

namespace tinynn::nn::zoo {

// ---- building blocks ----

/// MobileNetV2 inverted residual: 1x1 expansion (skipped when Expand == 1), 3x3 depthwise with
/// stride S, 1x1 linear projection; an identity shortcut when the shape is kept.
template <std::size_t In, std::size_t Out, std::size_t Expand, std::size_t S>
using InvertedResidualBody = std::conditional_t<
    Expand == 1, Sequential<DepthwiseConv2D<3, 3, Same, Stride<S>, ReLU6>, Conv2D<Out, 1, 1>>,
    Sequential<Conv2D<In * Expand, 1, 1, ReLU6>, DepthwiseConv2D<3, 3, Same, Stride<S>, ReLU6>, Conv2D<Out, 1, 1>>>;
template <std::size_t In, std::size_t Out, std::size_t Expand, std::size_t S>
using InvertedResidual = std::conditional_t<S == 1 && In == Out, Residual<InvertedResidualBody<In, Out, Expand, S>>,
                                            InvertedResidualBody<In, Out, Expand, S>>;

/// ResNet basic block: two 3x3 convolutions with BatchNorm, a shortcut (a strided 1x1 projection
/// with BatchNorm when the shape changes), ReLU after the sum.
template <std::size_t In, std::size_t Out, std::size_t S = 1>
using ResNetBasicBlock = Sequential<
    Residual<Sequential<Conv2D<Out, 3, 3, Same, Stride<S>>, BatchNorm<>, ReLU, Conv2D<Out, 3, 3, Same>, BatchNorm<>>,
             std::conditional_t<S == 1 && In == Out, Identity, Sequential<Conv2D<Out, 1, 1, Stride<S>>, BatchNorm<>>>>,
    ReLU>;

/// SqueezeNet fire module: 1x1 squeeze, then 1x1 and 3x3 expansions side by side.
template <std::size_t Squeeze, std::size_t Expand1, std::size_t Expand3>
using FireModule =
    Sequential<Conv2D<Squeeze, 1, 1, ReLU>, Concat<Conv2D<Expand1, 1, 1, ReLU>, Conv2D<Expand3, 3, 3, Same, ReLU>>>;

// ---- reference networks ----

/// SimpLeNet-v1 (MNIST, 28x28x1).
using SimpLeNetV1 = Sequential<Input<f32, 28, 28, 1>, Conv2D<3, 5, 5, Same, ReLU>, MaxPool2D<2, 2>,
                               Conv2D<6, 5, 5, Same, ReLU>, MaxPool2D<2, 2>, Flatten, Dense<10>>;

/// The CMSIS-NN CIFAR-10 example CNN (32x32x3; its 3x3/2 max pools round up, as in Caffe).
using Cifar10Cnn = Sequential<Input<f32, 32, 32, 3>, Conv2D<32, 5, 5, Same, ReLU>, MaxPool2D<3, 3, Stride<2>, CeilMode>,
                              Conv2D<32, 5, 5, Same, ReLU>, MaxPool2D<3, 3, Stride<2>, CeilMode>,
                              Conv2D<64, 5, 5, Same, ReLU>, MaxPool2D<3, 3, Stride<2>, CeilMode>, Flatten, Dense<10>>;

/// One DS-CNN stage: depthwise 3x3 + BatchNorm + ReLU, pointwise 1x1 + BatchNorm + ReLU.
template <std::size_t C>
using DsCnnStage = Sequential<DepthwiseConv2D<3, 3, Same>, BatchNorm<>, ReLU, Conv2D<C, 1, 1>, BatchNorm<>, ReLU>;

/// "Hello Edge" DS-CNN (small) keyword spotter: 49 MFCC frames x 10 coefficients, 12 classes.
/// The first convolution is padded (5, 1) as in the ONNX export in ../shared/models.
using DsCnnKws = Sequential<Input<f32, 49, 10, 1>, Conv2D<64, 10, 4, Padding<5, 1>, Stride<2>>, BatchNorm<>, ReLU,
                            DsCnnStage<64>, DsCnnStage<64>, DsCnnStage<64>, DsCnnStage<64>, GlobalAvgPool, Dense<12>>;

/// MobileNetV2 at width 0.35 on 96x96x3 (Keras' smallest ImageNet variant; BatchNorm already
/// folded into the convolutions' weights, ReLU6, 1280 final features, 1000 classes).
using MobileNetV2_035_96 = Sequential<
    Input<f32, 96, 96, 3>, Conv2D<16, 3, 3, Same, Stride<2>, ReLU6>,                                // 48x48x16
    InvertedResidual<16, 8, 1, 1>,                                                                  //
    InvertedResidual<8, 8, 6, 2>, InvertedResidual<8, 8, 6, 1>,                                     // 24x24x8
    InvertedResidual<8, 16, 6, 2>, InvertedResidual<16, 16, 6, 1>, InvertedResidual<16, 16, 6, 1>,  // 12x12x16
    InvertedResidual<16, 24, 6, 2>, InvertedResidual<24, 24, 6, 1>, InvertedResidual<24, 24, 6, 1>,
    InvertedResidual<24, 24, 6, 1>,                                                                  // 6x6x24
    InvertedResidual<24, 32, 6, 1>, InvertedResidual<32, 32, 6, 1>, InvertedResidual<32, 32, 6, 1>,  // 6x6x32
    InvertedResidual<32, 56, 6, 2>, InvertedResidual<56, 56, 6, 1>, InvertedResidual<56, 56, 6, 1>,  // 3x3x56
    InvertedResidual<56, 112, 6, 1>,                                                                 // 3x3x112
    Conv2D<1280, 1, 1, ReLU6>, GlobalAvgPool, Dense<1000>>;

}  // namespace tinynn::nn::zoo

// ---- end tinynn/nn/zoo.hpp ----

// ---- end tinynn/nn.hpp ----
// ---- begin tinynn/nn/quantized.hpp ----
// tinynn — int8 static-network layers (TFLite quantization: activations asymmetric int8 per tensor,
// weights symmetric int8 per output channel, int32 bias with scale input_scale * weight_scale).
// Start a network with nn::Input<qi8, ...>; the quantization of every activation is data, not type:
// each layer's Trained carries its input and output QuantParams, and fold() turns them (constexpr,
// so at compile time for constexpr weights) into fixed-point multipliers and integer activation
// ranges in Params. run() calls the scalar int8 kernels of ops/quantized/ (the Cortex-M path; they
// are bit-exact with every SIMD backend), whatever backend the network is run with.
//
//   using Net = nn::Sequential<nn::Input<qi8, 32, 32, 3>, nn::QConv2D<32, 5, 5, nn::Same, nn::ReLU>,
//                              nn::QMaxPool2D<3, 3, nn::Stride<2>, nn::CeilMode>, nn::Flatten, nn::QDense<10>>;

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

// ---- begin tinynn/ops/quantized/conv2d.hpp ----
// tinynn — int8/uint8 2-D convolution, NHWC, TFLite integer semantics:
//   acc[n,y,x,o] = bias[o] + sum_{ky,kx,i} (in[n, y*s+ky*d-pad, x*s+kx*d-pad, i] - in_zp) * (w[o,ky,kx,i] - w_zp)
//   out = clamp(requantize(acc, M[o]) + out_zp)     (taps in the padding contribute nothing)
// Filter layout OHWI (TFLite's). int8 weights are symmetric (w_zp = 0) with per-channel M[o];
// the older uint8 scheme has a filter zero point and one M. Accumulation is exact int32, so every
// backend gives the same integers.

#include <cstddef>
#include <cstdint>
#include <cstring>

// ---- begin tinynn/ops/quantized/gemm.hpp ----
// tinynn — the int8 GEMM behind quantized conv2d and fully connected on SIMD backends:
//   acc[m][n] = sum_k u[m][k] * w[n][k],   u = activation + 128 (as uint8), w int8 weights
// The "+128" maps int8 activations onto the unsigned operand of vpdpbusd / the AVX2 madd path; it is
// undone exactly with the column sums of the weights: sum (x - zp) w = acc - (128 + zp) sum w.
// Weights are packed once (backend-independent layout: N rounded up to 16, K up to 4, stored as
// [N/16][K/4][16 channels][4 bytes]) so one vector load holds 4 k-steps of 16 output channels.
// All arithmetic is exact int32, so every backend gives the same integers as the scalar one.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

// ---- begin tinynn/backends/avx2/quantized_gemm.hpp ----
// tinynn — AVX2-class int8 GEMMs over packed weights: AVX-VNNI (VEX vpdpbusd, 256-bit) and, for
// CPUs without VNNI, an exact AVX2 path (int8 -> int16 widening, vpmaddwd into int32; never
// vpmaddubsw, whose int16 saturation would break bit-exactness). Both equal the scalar kernel.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

// ---- begin tinynn/backends/scalar/quantized_gemm.hpp ----
// tinynn — scalar int8 GEMM over packed weights (the reference every SIMD kernel must equal):
//   acc[m][n] = sum_k u[m][k] * w[n][k]   (u uint8 = activation + 128, w int8; exact int32)

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tinynn::backend::detail {

/// Weights packed by ops::quantized::pack_weights: [n16/16][k4/4][16][4] int8, plus column sums.
struct QuantizedPackedWeights {
  const std::int8_t* data = nullptr;
  const std::int32_t* column_sums = nullptr;  // [n]: sum_k w[n][k]
  std::int32_t n = 0, k = 0;                  // logical sizes
  std::int32_t n16 = 0, k4 = 0;               // padded sizes (acc rows are n16 wide)
};

/// The requantizing output stage of the fused SIMD int8 GEMM, as per-channel tables (padded to
/// n16 entries) that ops::quantized::prepare_gemm_epilogue builds from an OutputStage:
///   y = clamp(requantize(saturate_int32(acc + offset)), lo, hi) + zero_point   (truncated to int8)
/// Double rounding: x << shift_a, SaturatingRoundingDoublingHighMul, RoundingDivideByPOT(shift_b).
/// Single rounding: (x * multiplier + 2^(shift_a - 1)) >> shift_a in 64 bits, saturated to int32.
struct QuantizedGemmEpilogue {
  const std::int32_t* offsets = nullptr;      // bias - (128 + input_zero_point) * column_sum
  const std::int32_t* multipliers = nullptr;  // >= 0
  const std::int32_t* shift_a = nullptr;      // double: left shift (0..32); single: right shift (1..62)
  const std::int32_t* shift_b = nullptr;      // double: right shift (0..31); single: unused
  std::int32_t n = 0;                         // output channels written
  std::int32_t lo = -128, hi = 127;           // clamp bounds before the zero point is added
  std::int32_t zero_point = 0;
  bool single_rounding = false;
};

/// Four bytes as one int32 (unaligned; the broadcast operand of the dot-product instructions).
inline std::int32_t load_i32(const std::uint8_t* p) noexcept {
  std::int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline void quantized_gemm_scalar(const std::uint8_t* u, std::int32_t m, std::size_t lda,
                                  const QuantizedPackedWeights& w, std::int32_t* acc) noexcept {
  const std::int32_t steps = w.k4 / 4;
  for (std::int32_t r = 0; r < m; ++r) {
    const std::uint8_t* a = u + static_cast<std::size_t>(r) * lda;
    std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16);
    for (std::int32_t block = 0; block < w.n16 / 16; ++block) {
      std::int32_t sums[16] = {};
      const std::int8_t* p = w.data + static_cast<std::size_t>(block) * static_cast<std::size_t>(steps) * 64;
      for (std::int32_t s = 0; s < steps; ++s, p += 64) {
        const std::uint8_t* as = a + 4 * s;
        for (int c = 0; c < 16; ++c) {
          sums[c] += as[0] * p[4 * c] + as[1] * p[4 * c + 1] + as[2] * p[4 * c + 2] + as[3] * p[4 * c + 3];
        }
      }
      for (int c = 0; c < 16; ++c) out[block * 16 + c] = sums[c];
    }
  }
}

}  // namespace tinynn::backend::detail

// ---- end tinynn/backends/scalar/quantized_gemm.hpp ----

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::backend::detail {

TINYNN_TARGET_AVXVNNI inline void quantized_gemm_avxvnni(const std::uint8_t* u, std::int32_t m, std::size_t lda,
                                                         const QuantizedPackedWeights& w, std::int32_t* acc) noexcept {
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64;
  std::int32_t r = 0;
  for (; r + 2 <= m; r += 2) {
    const std::uint8_t* a0 = u + static_cast<std::size_t>(r) * lda;
    const std::uint8_t* a1 = a0 + lda;
    for (std::int32_t b = 0; b < blocks; ++b) {
      const std::int8_t* p = w.data + static_cast<std::size_t>(b) * block_bytes;
      __m256i c00 = _mm256_setzero_si256(), c01 = _mm256_setzero_si256(), c10 = _mm256_setzero_si256(),
              c11 = _mm256_setzero_si256();
      for (std::int32_t s = 0; s < steps; ++s) {
        const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * s));
        const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * s + 32));
        const __m256i x0 = _mm256_set1_epi32(load_i32(a0 + 4 * s)), x1 = _mm256_set1_epi32(load_i32(a1 + 4 * s));
        c00 = _mm256_dpbusd_avx_epi32(c00, x0, w0);
        c01 = _mm256_dpbusd_avx_epi32(c01, x0, w1);
        c10 = _mm256_dpbusd_avx_epi32(c10, x1, w0);
        c11 = _mm256_dpbusd_avx_epi32(c11, x1, w1);
      }
      std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16) + 16 * b;
      const std::size_t ldc = static_cast<std::size_t>(w.n16);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), c00);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), c01);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + ldc), c10);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + ldc + 8), c11);
    }
  }
  for (; r < m; ++r) {
    const std::uint8_t* a0 = u + static_cast<std::size_t>(r) * lda;
    for (std::int32_t b = 0; b < blocks; ++b) {
      const std::int8_t* p = w.data + static_cast<std::size_t>(b) * block_bytes;
      __m256i c0 = _mm256_setzero_si256(), c1 = _mm256_setzero_si256();
      for (std::int32_t s = 0; s < steps; ++s) {
        const __m256i x0 = _mm256_set1_epi32(load_i32(a0 + 4 * s));
        c0 = _mm256_dpbusd_avx_epi32(c0, x0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * s)));
        c1 = _mm256_dpbusd_avx_epi32(c1, x0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64 * s + 32)));
      }
      std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16) + 16 * b;
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), c0);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), c1);
    }
  }
}

/// Without VNNI: each 16-byte quarter of a 64-byte step (4 channels x 4 k) is widened to int16 and
/// multiplied by the row's 4 activations (as int16) with vpmaddwd: int32 lane 2j holds channel j's
/// k0,k1 products, lane 2j+1 its k2,k3 products; the pairs are added once at the end.
TINYNN_TARGET_AVX2 inline void quantized_gemm_avx2(const std::uint8_t* u, std::int32_t m, std::size_t lda,
                                                   const QuantizedPackedWeights& w, std::int32_t* acc) noexcept {
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64;
  for (std::int32_t r = 0; r < m; ++r) {
    const std::uint8_t* a = u + static_cast<std::size_t>(r) * lda;
    for (std::int32_t b = 0; b < blocks; ++b) {
      const std::int8_t* p = w.data + static_cast<std::size_t>(b) * block_bytes;
      // Channels 0-3 / 4-7 / 8-11 / 12-15, pair-split int32 sums.
      __m256i c0 = _mm256_setzero_si256(), c1 = _mm256_setzero_si256(), c2 = _mm256_setzero_si256(),
              c3 = _mm256_setzero_si256();
      for (std::int32_t s = 0; s < steps; ++s) {
        const std::uint8_t* as = a + 4 * s;
        const __m256i x = _mm256_setr_epi16(as[0], as[1], as[2], as[3], as[0], as[1], as[2], as[3], as[0], as[1], as[2],
                                            as[3], as[0], as[1], as[2], as[3]);
        const std::int8_t* ps = p + 64 * s;
        c0 = _mm256_add_epi32(
            c0, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ps))), x));
        c1 = _mm256_add_epi32(
            c1, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ps + 16))), x));
        c2 = _mm256_add_epi32(
            c2, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ps + 32))), x));
        c3 = _mm256_add_epi32(
            c3, _mm256_madd_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ps + 48))), x));
      }
      alignas(32) std::int32_t lanes[4][8];
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[0]), c0);
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[1]), c1);
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[2]), c2);
      _mm256_store_si256(reinterpret_cast<__m256i*>(lanes[3]), c3);
      std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16) + 16 * b;
      for (int q = 0; q < 4; ++q) {
        for (int j = 0; j < 4; ++j) out[4 * q + j] = lanes[q][2 * j] + lanes[q][2 * j + 1];
      }
    }
  }
}

// ---- The fused requantizing GEMM of the VNNI ISAs: one template over the ISA ----
// The ISA supplies a vector type and target-attributed primitives taking vectors by reference (a
// by-value vector argument across the non-attributed template would change the ABI); the
// template is flattened into a thin target-attributed wrapper per ISA, so it compiles to straight
// vector code there. A tile of R rows x NB blocks of 16 channels keeps R * NB * 16 / lanes int32
// accumulators in registers over the whole depth, then requantizes them to int8 in place.

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"

template <class Isa, int R, int NB>
inline void quantized_gemm_requantize_tile(const std::uint8_t* a, std::size_t lda, const std::int8_t* panel,
                                           std::size_t block_bytes, std::int32_t steps, const QuantizedGemmEpilogue& e,
                                           std::int32_t first_column, std::int8_t* out, std::size_t ldo) noexcept {
  using V = typename Isa::V;
  constexpr int per_block = 16 / Isa::lanes;  // vectors per block of 16 channels
  constexpr int J = NB * per_block;
  V acc[R][J];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 16
    for (int j = 0; j < J; ++j) Isa::zero(acc[r][j]);
  }
  for (std::int32_t s = 0; s < steps; ++s) {
    V w[J];
#pragma GCC unroll 16
    for (int j = 0; j < J; ++j) {
      Isa::load(w[j], panel + static_cast<std::size_t>(j / per_block) * block_bytes + 64 * static_cast<std::size_t>(s) +
                          static_cast<std::size_t>(j % per_block) * (4 * Isa::lanes));
    }
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      V x;
      Isa::broadcast(x, a + static_cast<std::size_t>(r) * lda + 4 * static_cast<std::size_t>(s));
#pragma GCC unroll 16
      for (int j = 0; j < J; ++j) Isa::dot(acc[r][j], x, w[j]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 16
    for (int j = 0; j < J; ++j) {
      const std::int32_t column = first_column + j * Isa::lanes;
      if (column >= e.n) break;
      const std::int32_t count = e.n - column < Isa::lanes ? e.n - column : Isa::lanes;
      Isa::requantize_store(acc[r][j], e, column, count, out + static_cast<std::size_t>(r) * ldo + column);
    }
  }
}

/// R rows across all column blocks, NB blocks (the register budget's share) at a time.
template <class Isa, int R>
inline void quantized_gemm_requantize_rows(const std::uint8_t* a, std::size_t lda, const QuantizedPackedWeights& w,
                                           const QuantizedGemmEpilogue& e, std::int8_t* out, std::size_t ldo) noexcept {
  constexpr int per_block = 16 / Isa::lanes;
  constexpr int max_blocks = Isa::accumulators / (R * per_block) < 8 ? Isa::accumulators / (R * per_block) : 8;
  static_assert(max_blocks >= 1, "row tile too tall for the register budget");
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64;
  for (std::int32_t b = 0; b < blocks; b += max_blocks) {
    const std::int8_t* panel = w.data + static_cast<std::size_t>(b) * block_bytes;
    const std::int32_t count = blocks - b < max_blocks ? blocks - b : max_blocks;
    [&]<int... NB>(std::integer_sequence<int, NB...>) {
      ((count == NB + 1
            ? quantized_gemm_requantize_tile<Isa, R, NB + 1>(a, lda, panel, block_bytes, steps, e, 16 * b, out, ldo)
            : void()),
       ...);
    }
    (std::make_integer_sequence<int, max_blocks>{});
  }
}

/// out[m][e.n] (rows ldo bytes apart) = the requantized u [m][w.k4] x packed weights.
template <class Isa>
inline void quantized_gemm_requantize(const std::uint8_t* u, std::int32_t m, std::size_t lda,
                                      const QuantizedPackedWeights& w, const QuantizedGemmEpilogue& e, std::int8_t* out,
                                      std::size_t ldo) noexcept {
  constexpr int tall = Isa::rows;
  std::int32_t r = 0;
  for (; r + tall <= m; r += tall)
    quantized_gemm_requantize_rows<Isa, tall>(u + static_cast<std::size_t>(r) * lda, lda, w, e,
                                              out + static_cast<std::size_t>(r) * ldo, ldo);
  for (; r + 4 <= m; r += 4)
    quantized_gemm_requantize_rows<Isa, 4>(u + static_cast<std::size_t>(r) * lda, lda, w, e,
                                           out + static_cast<std::size_t>(r) * ldo, ldo);
  for (; r + 2 <= m; r += 2)
    quantized_gemm_requantize_rows<Isa, 2>(u + static_cast<std::size_t>(r) * lda, lda, w, e,
                                           out + static_cast<std::size_t>(r) * ldo, ldo);
  for (; r < m; ++r)
    quantized_gemm_requantize_rows<Isa, 1>(u + static_cast<std::size_t>(r) * lda, lda, w, e,
                                           out + static_cast<std::size_t>(r) * ldo, ldo);
}

#pragma GCC diagnostic pop

/// AVX-VNNI (VEX vpdpbusd on 256-bit vectors, 16 registers): 4 rows x 1 block per tile.
struct AvxVnniIsa {
  using V = __m256i;
  static constexpr int lanes = 8;
  static constexpr int accumulators = 12;
  static constexpr int rows = 4;

  TINYNN_TARGET_AVXVNNI static void zero(V& v) noexcept { v = _mm256_setzero_si256(); }
  TINYNN_TARGET_AVXVNNI static void load(V& v, const std::int8_t* p) noexcept {
    v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  TINYNN_TARGET_AVXVNNI static void broadcast(V& v, const std::uint8_t* p) noexcept {
    v = _mm256_set1_epi32(load_i32(p));
  }
  TINYNN_TARGET_AVXVNNI static void dot(V& acc, const V& x, const V& w) noexcept {
    acc = _mm256_dpbusd_avx_epi32(acc, x, w);
  }
  TINYNN_TARGET_AVXVNNI static __m256i load_table(const std::int32_t* p) noexcept {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  }
  /// (p + nudge) / 2^31 rounded as gemmlowp's high multiply, in the low half of each 64-bit lane.
  TINYNN_TARGET_AVXVNNI static __m256i high_mul_half(__m256i p) noexcept {
    const __m256i zero = _mm256_setzero_si256();
    const __m256i nudge =
        _mm256_blendv_epi8(_mm256_set1_epi64x(std::int64_t{1} << 30), _mm256_set1_epi64x(1 - (std::int64_t{1} << 30)),
                           _mm256_cmpgt_epi64(zero, p));
    __m256i v = _mm256_add_epi64(p, nudge);
    v = _mm256_add_epi64(v, _mm256_and_si256(_mm256_cmpgt_epi64(zero, v), _mm256_set1_epi64x(0x7fffffff)));
    return _mm256_srli_epi64(v, 31);
  }
  /// (p + 2^(s-1)) >> s (arithmetic, 1 <= s <= 62), saturated to int32, in the low half of each lane.
  TINYNN_TARGET_AVXVNNI static __m256i shift_round_saturate(__m256i p, __m256i s) noexcept {
    const __m256i one = _mm256_set1_epi64x(1);
    const __m256i v = _mm256_add_epi64(p, _mm256_sllv_epi64(one, _mm256_sub_epi64(s, one)));
    const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), v);
    __m256i r = _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(v, sign), s), sign);
    const __m256i max = _mm256_set1_epi64x(0x7fffffff), min = _mm256_set1_epi64x(-0x7fffffff - 1);
    r = _mm256_blendv_epi8(r, max, _mm256_cmpgt_epi64(r, max));
    return _mm256_blendv_epi8(r, min, _mm256_cmpgt_epi64(min, r));
  }
  TINYNN_TARGET_AVXVNNI static void requantize_store(const V& acc, const QuantizedGemmEpilogue& e, std::int32_t column,
                                                     std::int32_t count, std::int8_t* out) noexcept {
    const __m256i offset = load_table(e.offsets + column);
    __m256i x = _mm256_add_epi32(acc, offset);
    // Saturating add: overflow iff both operands' signs differ from the sum's.
    const __m256i overflow =
        _mm256_srai_epi32(_mm256_and_si256(_mm256_xor_si256(acc, x), _mm256_xor_si256(offset, x)), 31);
    const __m256i saturated = _mm256_xor_si256(_mm256_srai_epi32(offset, 31), _mm256_set1_epi32(0x7fffffff));
    x = _mm256_blendv_epi8(x, saturated, overflow);
    const __m256i m = load_table(e.multipliers + column), a = load_table(e.shift_a + column);
    __m256i q;
    if (!e.single_rounding) {
      x = _mm256_sllv_epi32(x, a);
      const __m256i even = high_mul_half(_mm256_mul_epi32(x, m));
      const __m256i odd = high_mul_half(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32)));
      q = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
      const __m256i b = load_table(e.shift_b + column);
      const __m256i mask = _mm256_sub_epi32(_mm256_sllv_epi32(_mm256_set1_epi32(1), b), _mm256_set1_epi32(1));
      const __m256i remainder = _mm256_and_si256(q, mask);
      const __m256i threshold = _mm256_sub_epi32(_mm256_srai_epi32(mask, 1), _mm256_srai_epi32(q, 31));
      q = _mm256_sub_epi32(_mm256_srav_epi32(q, b), _mm256_cmpgt_epi32(remainder, threshold));
    } else {
      const __m256i low = _mm256_set1_epi64x(0xffffffff);
      const __m256i even = shift_round_saturate(_mm256_mul_epi32(x, m), _mm256_and_si256(a, low));
      const __m256i odd = shift_round_saturate(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(m, 32)),
                                               _mm256_srli_epi64(a, 32));
      q = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    }
    q = _mm256_min_epi32(_mm256_max_epi32(q, _mm256_set1_epi32(e.lo)), _mm256_set1_epi32(e.hi));
    q = _mm256_add_epi32(q, _mm256_set1_epi32(e.zero_point));
    // The low byte of every int32 (truncation, as the scalar cast), 4 per 128-bit half.
    const __m256i bytes =
        _mm256_shuffle_epi8(q, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8,
                                                12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
    const std::int32_t halves[2] = {_mm_cvtsi128_si32(_mm256_castsi256_si128(bytes)),
                                    _mm_cvtsi128_si32(_mm256_extracti128_si256(bytes, 1))};
    std::memcpy(out, halves, static_cast<std::size_t>(count));
  }
};

TINYNN_TARGET_AVXVNNI __attribute__((flatten)) inline void quantized_gemm_requantize_avxvnni(
    const std::uint8_t* u, std::int32_t m, std::size_t lda, const QuantizedPackedWeights& w,
    const QuantizedGemmEpilogue& e, std::int8_t* out, std::size_t ldo) noexcept {
  quantized_gemm_requantize<AvxVnniIsa>(u, m, lda, w, e, out, ldo);
}

}  // namespace tinynn::backend::detail
#endif

// ---- end tinynn/backends/avx2/quantized_gemm.hpp ----
// ---- begin tinynn/backends/avx512/quantized_gemm.hpp ----
// tinynn — AVX512-VNNI int8 GEMM over packed weights: vpdpbusd (u8 x s8, 4 products per int32
// lane) on 4 rows x 32 output channels per step. Exact int32, equal to the scalar kernel.

#include <cstddef>
#include <cstdint>
#include <cstring>

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>

namespace tinynn::backend::detail {

TINYNN_TARGET_AVX512VNNI inline void quantized_gemm_avx512vnni(const std::uint8_t* u, std::int32_t m, std::size_t lda,
                                                               const QuantizedPackedWeights& w,
                                                               std::int32_t* acc) noexcept {
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64;
  std::int32_t r = 0;
  for (; r + 4 <= m; r += 4) {
    const std::uint8_t* a0 = u + static_cast<std::size_t>(r) * lda;
    const std::uint8_t* a1 = a0 + lda;
    const std::uint8_t* a2 = a1 + lda;
    const std::uint8_t* a3 = a2 + lda;
    std::int32_t b = 0;
    for (; b + 2 <= blocks; b += 2) {
      const std::int8_t* p0 = w.data + static_cast<std::size_t>(b) * block_bytes;
      const std::int8_t* p1 = p0 + block_bytes;
      __m512i c00 = _mm512_setzero_si512(), c01 = _mm512_setzero_si512(), c10 = _mm512_setzero_si512(),
              c11 = _mm512_setzero_si512(), c20 = _mm512_setzero_si512(), c21 = _mm512_setzero_si512(),
              c30 = _mm512_setzero_si512(), c31 = _mm512_setzero_si512();
      for (std::int32_t s = 0; s < steps; ++s) {
        const __m512i w0 = _mm512_loadu_si512(p0 + 64 * s);
        const __m512i w1 = _mm512_loadu_si512(p1 + 64 * s);
        const __m512i x0 = _mm512_set1_epi32(load_i32(a0 + 4 * s)), x1 = _mm512_set1_epi32(load_i32(a1 + 4 * s)),
                      x2 = _mm512_set1_epi32(load_i32(a2 + 4 * s)), x3 = _mm512_set1_epi32(load_i32(a3 + 4 * s));
        c00 = _mm512_dpbusd_epi32(c00, x0, w0);
        c01 = _mm512_dpbusd_epi32(c01, x0, w1);
        c10 = _mm512_dpbusd_epi32(c10, x1, w0);
        c11 = _mm512_dpbusd_epi32(c11, x1, w1);
        c20 = _mm512_dpbusd_epi32(c20, x2, w0);
        c21 = _mm512_dpbusd_epi32(c21, x2, w1);
        c30 = _mm512_dpbusd_epi32(c30, x3, w0);
        c31 = _mm512_dpbusd_epi32(c31, x3, w1);
      }
      std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16) + 16 * b;
      const std::size_t ldc = static_cast<std::size_t>(w.n16);
      _mm512_storeu_si512(out, c00);
      _mm512_storeu_si512(out + 16, c01);
      _mm512_storeu_si512(out + ldc, c10);
      _mm512_storeu_si512(out + ldc + 16, c11);
      _mm512_storeu_si512(out + 2 * ldc, c20);
      _mm512_storeu_si512(out + 2 * ldc + 16, c21);
      _mm512_storeu_si512(out + 3 * ldc, c30);
      _mm512_storeu_si512(out + 3 * ldc + 16, c31);
    }
    for (; b < blocks; ++b) {
      const std::int8_t* p0 = w.data + static_cast<std::size_t>(b) * block_bytes;
      __m512i c0 = _mm512_setzero_si512(), c1 = _mm512_setzero_si512(), c2 = _mm512_setzero_si512(),
              c3 = _mm512_setzero_si512();
      for (std::int32_t s = 0; s < steps; ++s) {
        const __m512i w0 = _mm512_loadu_si512(p0 + 64 * s);
        c0 = _mm512_dpbusd_epi32(c0, _mm512_set1_epi32(load_i32(a0 + 4 * s)), w0);
        c1 = _mm512_dpbusd_epi32(c1, _mm512_set1_epi32(load_i32(a1 + 4 * s)), w0);
        c2 = _mm512_dpbusd_epi32(c2, _mm512_set1_epi32(load_i32(a2 + 4 * s)), w0);
        c3 = _mm512_dpbusd_epi32(c3, _mm512_set1_epi32(load_i32(a3 + 4 * s)), w0);
      }
      std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16) + 16 * b;
      const std::size_t ldc = static_cast<std::size_t>(w.n16);
      _mm512_storeu_si512(out, c0);
      _mm512_storeu_si512(out + ldc, c1);
      _mm512_storeu_si512(out + 2 * ldc, c2);
      _mm512_storeu_si512(out + 3 * ldc, c3);
    }
  }
  for (; r < m; ++r) {
    const std::uint8_t* a0 = u + static_cast<std::size_t>(r) * lda;
    for (std::int32_t b = 0; b < blocks; ++b) {
      const std::int8_t* p0 = w.data + static_cast<std::size_t>(b) * block_bytes;
      __m512i c0 = _mm512_setzero_si512();
      for (std::int32_t s = 0; s < steps; ++s) {
        c0 = _mm512_dpbusd_epi32(c0, _mm512_set1_epi32(load_i32(a0 + 4 * s)), _mm512_loadu_si512(p0 + 64 * s));
      }
      _mm512_storeu_si512(acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16) + 16 * b, c0);
    }
  }
}

/// (Zero-masked forms with a full mask throughout: the plain ones trip GCC 12 -Wmaybe-uninitialized.)
/// AVX512-VNNI (vpdpbusd on 512-bit vectors, 32 registers): 12 rows x 2 blocks per tile (24
/// accumulators, 2 weight vectors, 1 broadcast), fewer rows with more blocks at the row tail.
struct Avx512VnniIsa {
  using V = __m512i;
  static constexpr int lanes = 16;
  static constexpr int accumulators = 24;
  static constexpr int rows = 12;

  TINYNN_TARGET_AVX512VNNI static void zero(V& v) noexcept { v = _mm512_setzero_si512(); }
  TINYNN_TARGET_AVX512VNNI static void load(V& v, const std::int8_t* p) noexcept { v = _mm512_loadu_si512(p); }
  TINYNN_TARGET_AVX512VNNI static void broadcast(V& v, const std::uint8_t* p) noexcept {
    v = _mm512_set1_epi32(load_i32(p));
  }
  TINYNN_TARGET_AVX512VNNI static void dot(V& acc, const V& x, const V& w) noexcept {
    acc = _mm512_dpbusd_epi32(acc, x, w);
  }
  /// (p + nudge) / 2^31 rounded as gemmlowp's high multiply, in the low half of each 64-bit lane.
  TINYNN_TARGET_AVX512VNNI static __m512i high_mul_half(__m512i p) noexcept {
    __m512i v =
        _mm512_add_epi64(p, _mm512_mask_blend_epi64(_mm512_movepi64_mask(p), _mm512_set1_epi64(std::int64_t{1} << 30),
                                                    _mm512_set1_epi64(1 - (std::int64_t{1} << 30))));
    v = _mm512_mask_add_epi64(v, _mm512_movepi64_mask(v), v, _mm512_set1_epi64(0x7fffffff));
    return _mm512_maskz_srli_epi64(0xFF, v, 31);
  }
  /// (p + 2^(s-1)) >> s (arithmetic, 1 <= s <= 62), saturated to int32, in the low half of each lane.
  TINYNN_TARGET_AVX512VNNI static __m512i shift_round_saturate(__m512i p, __m512i s) noexcept {
    const __m512i one = _mm512_set1_epi64(1);
    const __m512i r = _mm512_maskz_srav_epi64(
        0xFF, _mm512_add_epi64(p, _mm512_maskz_sllv_epi64(0xFF, one, _mm512_sub_epi64(s, one))), s);
    return _mm512_maskz_min_epi64(0xFF, _mm512_maskz_max_epi64(0xFF, r, _mm512_set1_epi64(-0x7fffffff - 1)),
                                  _mm512_set1_epi64(0x7fffffff));
  }
  TINYNN_TARGET_AVX512VNNI static void requantize_store(const V& acc, const QuantizedGemmEpilogue& e,
                                                        std::int32_t column, std::int32_t count,
                                                        std::int8_t* out) noexcept {
    const __m512i offset = _mm512_loadu_si512(e.offsets + column);
    __m512i x = _mm512_add_epi32(acc, offset);
    // Saturating add: overflow iff both operands' signs differ from the sum's.
    const __mmask16 overflow =
        _mm512_movepi32_mask(_mm512_and_si512(_mm512_xor_si512(acc, x), _mm512_xor_si512(offset, x)));
    x = _mm512_mask_mov_epi32(
        x, overflow, _mm512_xor_si512(_mm512_maskz_srai_epi32(0xFFFF, offset, 31), _mm512_set1_epi32(0x7fffffff)));
    const __m512i m = _mm512_loadu_si512(e.multipliers + column), a = _mm512_loadu_si512(e.shift_a + column);
    __m512i q;
    if (!e.single_rounding) {
      x = _mm512_maskz_sllv_epi32(0xFFFF, x, a);
      const __m512i even = high_mul_half(_mm512_maskz_mul_epi32(0xFF, x, m));
      const __m512i odd = high_mul_half(
          _mm512_maskz_mul_epi32(0xFF, _mm512_maskz_srli_epi64(0xFF, x, 32), _mm512_maskz_srli_epi64(0xFF, m, 32)));
      q = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_maskz_slli_epi64(0xFF, odd, 32));
      const __m512i b = _mm512_loadu_si512(e.shift_b + column);
      const __m512i mask =
          _mm512_sub_epi32(_mm512_maskz_sllv_epi32(0xFFFF, _mm512_set1_epi32(1), b), _mm512_set1_epi32(1));
      const __m512i remainder = _mm512_and_si512(q, mask);
      const __m512i threshold =
          _mm512_sub_epi32(_mm512_maskz_srai_epi32(0xFFFF, mask, 1), _mm512_maskz_srai_epi32(0xFFFF, q, 31));
      const __m512i shifted = _mm512_maskz_srav_epi32(0xFFFF, q, b);
      q = _mm512_mask_add_epi32(shifted, _mm512_cmpgt_epi32_mask(remainder, threshold), shifted, _mm512_set1_epi32(1));
    } else {
      const __m512i even =
          shift_round_saturate(_mm512_maskz_mul_epi32(0xFF, x, m), _mm512_and_si512(a, _mm512_set1_epi64(0xffffffff)));
      const __m512i odd = shift_round_saturate(
          _mm512_maskz_mul_epi32(0xFF, _mm512_maskz_srli_epi64(0xFF, x, 32), _mm512_maskz_srli_epi64(0xFF, m, 32)),
          _mm512_maskz_srli_epi64(0xFF, a, 32));
      q = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_maskz_slli_epi64(0xFF, odd, 32));
    }
    q = _mm512_maskz_min_epi32(0xFFFF, _mm512_maskz_max_epi32(0xFFFF, q, _mm512_set1_epi32(e.lo)),
                               _mm512_set1_epi32(e.hi));
    q = _mm512_add_epi32(q, _mm512_set1_epi32(e.zero_point));
    _mm512_mask_cvtepi32_storeu_epi8(out, static_cast<__mmask16>((1u << count) - 1u), q);
  }
};

TINYNN_TARGET_AVX512VNNI __attribute__((flatten)) inline void quantized_gemm_requantize_avx512vnni(
    const std::uint8_t* u, std::int32_t m, std::size_t lda, const QuantizedPackedWeights& w,
    const QuantizedGemmEpilogue& e, std::int8_t* out, std::size_t ldo) noexcept {
  quantized_gemm_requantize<Avx512VnniIsa>(u, m, lda, w, e, out, ldo);
}

}  // namespace tinynn::backend::detail
#endif

// ---- end tinynn/backends/avx512/quantized_gemm.hpp ----
// ---- begin tinynn/backends/neon/quantized_gemm.hpp ----
// tinynn — NEON int8 GEMM over packed weights ([N/16][K/4][16 channels][4 bytes], see
// ops/quantized/gemm.hpp), two kernels, both exact int32 and equal to the scalar kernel:
// - quantized_gemm_neon_dot (armv8.2-a+dotprod, compiled when __ARM_FEATURE_DOTPROD is defined):
//   `sdot` is signed x signed, so the activation operand u = x + 128 is flipped back to x = u ^ 0x80
//   and the accumulators start at 128 * sum_k w[n][k] (sum u w = sum x w + 128 sum w). 4 rows x 16
//   channels per step; one 16-byte load of a row holds 4 k-steps, used lane by lane (vdotq_laneq).
// - quantized_gemm_neon (plain ASIMD, any aarch64): u and w widened to int16 and multiplied into
//   int32 lanes per (channel, k mod 4) with vmlal, the 4 k lanes summed with pairwise adds at the end.

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>

namespace tinynn::backend::detail {

/// 128 * column sum of the 16 channels of block b (0 for the padding channels past w.n), in unsigned
/// arithmetic (wraps like the int32 accumulators instead of overflowing).
inline void quantized_block_offsets(const QuantizedPackedWeights& w, std::int32_t b, std::int32_t* out) noexcept {
  for (std::int32_t c = 0; c < 16; ++c) {
    const std::int32_t n = 16 * b + c;
    out[c] = n < w.n ? static_cast<std::int32_t>(static_cast<std::uint32_t>(w.column_sums[n]) << 7) : 0;
  }
}

inline void quantized_gemm_neon(const std::uint8_t* u, std::int32_t m, std::size_t lda, const QuantizedPackedWeights& w,
                                std::int32_t* acc) noexcept {
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64;
  for (std::int32_t r = 0; r < m; ++r) {
    const std::uint8_t* a = u + static_cast<std::size_t>(r) * lda;
    std::int32_t* out = acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16);
    for (std::int32_t b = 0; b < blocks; ++b) {
      const std::int8_t* p = w.data + static_cast<std::size_t>(b) * block_bytes;
      int32x4_t s[16];
      for (auto& v : s) v = vdupq_n_s32(0);
      for (std::int32_t step = 0; step < steps; ++step, p += 64) {
        std::uint32_t bytes;
        std::memcpy(&bytes, a + 4 * step, 4);
        const int16x8_t x = vreinterpretq_s16_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(bytes))));
        const int16x4_t xl = vget_low_s16(x);
        for (int q = 0; q < 4; ++q) {
          const int8x16_t wv = vld1q_s8(p + 16 * q);
          const int16x8_t lo = vmovl_s8(vget_low_s8(wv)), hi = vmovl_high_s8(wv);
          s[4 * q] = vmlal_s16(s[4 * q], vget_low_s16(lo), xl);
          s[4 * q + 1] = vmlal_high_s16(s[4 * q + 1], lo, x);
          s[4 * q + 2] = vmlal_s16(s[4 * q + 2], vget_low_s16(hi), xl);
          s[4 * q + 3] = vmlal_high_s16(s[4 * q + 3], hi, x);
        }
      }
      for (int q = 0; q < 4; ++q) {
        vst1q_s32(out + 16 * b + 4 * q,
                  vpaddq_s32(vpaddq_s32(s[4 * q], s[4 * q + 1]), vpaddq_s32(s[4 * q + 2], s[4 * q + 3])));
      }
    }
  }
}

#if defined(__ARM_FEATURE_DOTPROD)

/// Row bytes a[4s .. 4s+15] as signed activations (u ^ 0x80).
inline int8x16_t quantized_row_x16(const std::uint8_t* a) noexcept {
  return vreinterpretq_s8_u8(veorq_u8(vld1q_u8(a), vdupq_n_u8(0x80)));
}
/// Row bytes a[0 .. 3] as signed activations in lane 0.
inline int8x16_t quantized_row_x4(const std::uint8_t* a) noexcept {
  std::uint32_t bytes;
  std::memcpy(&bytes, a, 4);
  return vreinterpretq_s8_u32(vdupq_n_u32(bytes ^ 0x80808080u));
}

template <int L>
TINYNN_ALWAYS_INLINE void quantized_dot4x16(const std::int8_t* p, int8x16_t x0, int8x16_t x1, int8x16_t x2,
                                            int8x16_t x3, int32x4_t (&c)[4][4]) noexcept {
  const int8x16_t w0 = vld1q_s8(p), w1 = vld1q_s8(p + 16), w2 = vld1q_s8(p + 32), w3 = vld1q_s8(p + 48);
  c[0][0] = vdotq_laneq_s32(c[0][0], w0, x0, L);
  c[0][1] = vdotq_laneq_s32(c[0][1], w1, x0, L);
  c[0][2] = vdotq_laneq_s32(c[0][2], w2, x0, L);
  c[0][3] = vdotq_laneq_s32(c[0][3], w3, x0, L);
  c[1][0] = vdotq_laneq_s32(c[1][0], w0, x1, L);
  c[1][1] = vdotq_laneq_s32(c[1][1], w1, x1, L);
  c[1][2] = vdotq_laneq_s32(c[1][2], w2, x1, L);
  c[1][3] = vdotq_laneq_s32(c[1][3], w3, x1, L);
  c[2][0] = vdotq_laneq_s32(c[2][0], w0, x2, L);
  c[2][1] = vdotq_laneq_s32(c[2][1], w1, x2, L);
  c[2][2] = vdotq_laneq_s32(c[2][2], w2, x2, L);
  c[2][3] = vdotq_laneq_s32(c[2][3], w3, x2, L);
  c[3][0] = vdotq_laneq_s32(c[3][0], w0, x3, L);
  c[3][1] = vdotq_laneq_s32(c[3][1], w1, x3, L);
  c[3][2] = vdotq_laneq_s32(c[3][2], w2, x3, L);
  c[3][3] = vdotq_laneq_s32(c[3][3], w3, x3, L);
}

inline void quantized_gemm_neon_dot(const std::uint8_t* u, std::int32_t m, std::size_t lda,
                                    const QuantizedPackedWeights& w, std::int32_t* acc) noexcept {
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64, ldc = static_cast<std::size_t>(w.n16);
  for (std::int32_t b = 0; b < blocks; ++b) {
    alignas(16) std::int32_t offsets[16];
    quantized_block_offsets(w, b, offsets);
    int32x4_t start[4];
    for (int q = 0; q < 4; ++q) start[q] = vld1q_s32(offsets + 4 * q);
    const std::int8_t* p0 = w.data + static_cast<std::size_t>(b) * block_bytes;
    std::int32_t r = 0;
    for (; r + 4 <= m; r += 4) {
      const std::uint8_t* a0 = u + static_cast<std::size_t>(r) * lda;
      const std::uint8_t* a1 = a0 + lda;
      const std::uint8_t* a2 = a1 + lda;
      const std::uint8_t* a3 = a2 + lda;
      int32x4_t c[4][4];
      for (auto& row : c)
        for (int q = 0; q < 4; ++q) row[q] = start[q];
      std::int32_t s = 0;
      for (; s + 4 <= steps; s += 4) {
        const int8x16_t x0 = quantized_row_x16(a0 + 4 * s), x1 = quantized_row_x16(a1 + 4 * s),
                        x2 = quantized_row_x16(a2 + 4 * s), x3 = quantized_row_x16(a3 + 4 * s);
        const std::int8_t* p = p0 + 64 * static_cast<std::size_t>(s);
        quantized_dot4x16<0>(p, x0, x1, x2, x3, c);
        quantized_dot4x16<1>(p + 64, x0, x1, x2, x3, c);
        quantized_dot4x16<2>(p + 128, x0, x1, x2, x3, c);
        quantized_dot4x16<3>(p + 192, x0, x1, x2, x3, c);
      }
      for (; s < steps; ++s) {
        quantized_dot4x16<0>(p0 + 64 * static_cast<std::size_t>(s), quantized_row_x4(a0 + 4 * s),
                             quantized_row_x4(a1 + 4 * s), quantized_row_x4(a2 + 4 * s), quantized_row_x4(a3 + 4 * s),
                             c);
      }
      std::int32_t* out = acc + static_cast<std::size_t>(r) * ldc + 16 * b;
      for (int i = 0; i < 4; ++i)
        for (int q = 0; q < 4; ++q) vst1q_s32(out + static_cast<std::size_t>(i) * ldc + 4 * q, c[i][q]);
    }
    for (; r < m; ++r) {
      const std::uint8_t* a = u + static_cast<std::size_t>(r) * lda;
      int32x4_t c0 = start[0], c1 = start[1], c2 = start[2], c3 = start[3];
      for (std::int32_t s = 0; s < steps; ++s) {
        const std::int8_t* p = p0 + 64 * static_cast<std::size_t>(s);
        const int8x16_t x = quantized_row_x4(a + 4 * s);
        c0 = vdotq_laneq_s32(c0, vld1q_s8(p), x, 0);
        c1 = vdotq_laneq_s32(c1, vld1q_s8(p + 16), x, 0);
        c2 = vdotq_laneq_s32(c2, vld1q_s8(p + 32), x, 0);
        c3 = vdotq_laneq_s32(c3, vld1q_s8(p + 48), x, 0);
      }
      std::int32_t* out = acc + static_cast<std::size_t>(r) * ldc + 16 * b;
      vst1q_s32(out, c0);
      vst1q_s32(out + 4, c1);
      vst1q_s32(out + 8, c2);
      vst1q_s32(out + 12, c3);
    }
  }
}

#endif  // __ARM_FEATURE_DOTPROD

}  // namespace tinynn::backend::detail
#endif

// ---- end tinynn/backends/neon/quantized_gemm.hpp ----
// ---- begin tinynn/backends/sve/quantized_gemm.hpp ----
// tinynn — SVE int8 GEMM over packed weights ([N/16][K/4][16 channels][4 bytes], see
// ops/quantized/gemm.hpp) with `sdot` (svdot), vector-length agnostic, exact int32 and equal to the
// scalar kernel. svdot is signed x signed: the activation operand u = x + 128 is flipped back to
// x = u ^ 0x80 and 128 * sum_k w[n][k] is added to each output (sum u w = sum x w + 128 sum w).
// - Vectors of 16, 32 or 64 bytes (128/256/512 bits): one 64-byte k-step of a block spans 64/VL
//   vectors; each is a pass over k on 4 rows, the activations of 4 k-steps loaded once per 128-bit
//   segment (svld1rq) and used lane by lane (svdot_lane).
// - Longer vectors (multiples of 64 bytes: 1024, 2048 bits): one vector holds VL/64 whole k-steps of
//   all 16 channels; the matching activation words are spread over the vector with svtbl and the
//   VL/64 partial sums of each channel are added at the end.
// Any other length (not a power-of-two multiple of 128 bits) runs the scalar kernel.

#include <cstddef>
#include <cstdint>

#if defined(__ARM_FEATURE_SVE)
#include <arm_sve.h>

namespace tinynn::backend::detail {

/// 16-byte activation quad a[0..15] (4 k-steps) replicated in every 128-bit segment, as signed x.
inline svint8_t quantized_sve_x16(svbool_t all, const std::uint8_t* a) noexcept {
  return svreinterpret_s8_u8(sveor_n_u8_x(all, svld1rq_u8(all, a), 0x80));
}

inline svint32_t quantized_sve_x4(const std::uint8_t* a) noexcept {
  return svdup_n_s32(static_cast<std::int32_t>(static_cast<std::uint32_t>(load_i32(a)) ^ 0x80808080u));
}

/// VL <= 64 bytes: vector `v` of each 64-byte k-step (channels v*VL/4 ...) on rows [r, r+R).
template <int R>
inline void quantized_sve_short(const std::uint8_t* a0, std::size_t lda, const std::int8_t* p0, std::int32_t steps,
                                std::int32_t channel0, const QuantizedPackedWeights& w, std::int32_t* out,
                                std::size_t ldc) noexcept {
  const svbool_t all8 = svptrue_b8(), all32 = svptrue_b32();
  const std::uint8_t* a1 = R > 1 ? a0 + lda : a0;
  const std::uint8_t* a2 = R > 2 ? a1 + lda : a0;
  const std::uint8_t* a3 = R > 3 ? a2 + lda : a0;
  svint32_t c0 = svdup_n_s32(0), c1 = c0, c2 = c0, c3 = c0;
  std::int32_t s = 0;
  for (; s + 4 <= steps; s += 4) {
    const std::int8_t* p = p0 + 64 * static_cast<std::size_t>(s);
    const svint8_t w0 = svld1_s8(all8, p), w1 = svld1_s8(all8, p + 64), w2 = svld1_s8(all8, p + 128),
                   w3 = svld1_s8(all8, p + 192);
    const svint8_t x0 = quantized_sve_x16(all8, a0 + 4 * s);
    c0 = svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(c0, w0, x0, 0), w1, x0, 1), w2, x0, 2), w3, x0, 3);
    if constexpr (R > 1) {
      const svint8_t x1 = quantized_sve_x16(all8, a1 + 4 * s);
      c1 = svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(c1, w0, x1, 0), w1, x1, 1), w2, x1, 2), w3, x1,
                          3);
    }
    if constexpr (R > 2) {
      const svint8_t x2 = quantized_sve_x16(all8, a2 + 4 * s);
      c2 = svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(c2, w0, x2, 0), w1, x2, 1), w2, x2, 2), w3, x2,
                          3);
    }
    if constexpr (R > 3) {
      const svint8_t x3 = quantized_sve_x16(all8, a3 + 4 * s);
      c3 = svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(svdot_lane_s32(c3, w0, x3, 0), w1, x3, 1), w2, x3, 2), w3, x3,
                          3);
    }
  }
  for (; s < steps; ++s) {
    const svint8_t wv = svld1_s8(all8, p0 + 64 * static_cast<std::size_t>(s));
    c0 = svdot_s32(c0, wv, svreinterpret_s8_s32(quantized_sve_x4(a0 + 4 * s)));
    if constexpr (R > 1) c1 = svdot_s32(c1, wv, svreinterpret_s8_s32(quantized_sve_x4(a1 + 4 * s)));
    if constexpr (R > 2) c2 = svdot_s32(c2, wv, svreinterpret_s8_s32(quantized_sve_x4(a2 + 4 * s)));
    if constexpr (R > 3) c3 = svdot_s32(c3, wv, svreinterpret_s8_s32(quantized_sve_x4(a3 + 4 * s)));
  }
  // 128 * column sums of these channels (inactive lanes past w.n load as 0).
  const svbool_t valid = svwhilelt_b32(channel0, w.n);
  const svint32_t offset = svlsl_n_s32_x(all32, svld1_s32(valid, w.column_sums + channel0), 7);
  svst1_s32(all32, out, svadd_s32_x(all32, c0, offset));
  if constexpr (R > 1) svst1_s32(all32, out + ldc, svadd_s32_x(all32, c1, offset));
  if constexpr (R > 2) svst1_s32(all32, out + 2 * ldc, svadd_s32_x(all32, c2, offset));
  if constexpr (R > 3) svst1_s32(all32, out + 3 * ldc, svadd_s32_x(all32, c3, offset));
}

/// VL a multiple of 64 bytes: one row, one block; each vector holds VL/64 whole k-steps.
inline void quantized_sve_long(const std::uint8_t* a, const std::int8_t* p0, std::int32_t steps, std::int32_t block,
                               const QuantizedPackedWeights& w, std::int32_t* out) noexcept {
  const auto per_vector = static_cast<std::int32_t>(svcntb() / 64);
  const svbool_t all32 = svptrue_b32();
  const svuint32_t spread = svlsr_n_u32_x(all32, svindex_u32(0, 1), 4);  // lane i takes step word i / 16
  svint32_t c = svdup_n_s32(0);
  for (std::int32_t s = 0; s < steps; s += per_vector) {
    const svbool_t wp = svwhilelt_b8(static_cast<std::int64_t>(s) * 64, static_cast<std::int64_t>(steps) * 64);
    const svbool_t ap = svwhilelt_b8(static_cast<std::int64_t>(s) * 4, static_cast<std::int64_t>(steps) * 4);
    const svint8_t wv = svld1_s8(wp, p0 + 64 * static_cast<std::size_t>(s));
    const svuint8_t words = sveor_n_u8_z(ap, svld1_u8(ap, a + 4 * static_cast<std::size_t>(s)), 0x80);
    const svint32_t x = svtbl_s32(svreinterpret_s32_u8(words), spread);
    c = svdot_s32(c, wv, svreinterpret_s8_s32(x));
  }
  std::int32_t lanes[64];  // SVE vectors are at most 2048 bits
  svst1_s32(all32, lanes, c);
  for (std::int32_t ch = 0; ch < 16; ++ch) {
    std::uint32_t sum = 0;
    for (std::int32_t q = 0; q < per_vector; ++q) sum += static_cast<std::uint32_t>(lanes[16 * q + ch]);
    const std::int32_t n = 16 * block + ch;
    if (n < w.n) sum += static_cast<std::uint32_t>(w.column_sums[n]) << 7;
    out[ch] = static_cast<std::int32_t>(sum);
  }
}

inline void quantized_gemm_sve(const std::uint8_t* u, std::int32_t m, std::size_t lda, const QuantizedPackedWeights& w,
                               std::int32_t* acc) noexcept {
  const auto vl = static_cast<std::int32_t>(svcntb());
  const std::int32_t steps = w.k4 / 4, blocks = w.n16 / 16;
  const std::size_t block_bytes = static_cast<std::size_t>(steps) * 64, ldc = static_cast<std::size_t>(w.n16);
  if (vl <= 64 && 64 % vl == 0) {
    const std::int32_t chunks = 64 / vl, chunk_channels = vl / 4;
    for (std::int32_t b = 0; b < blocks; ++b) {
      for (std::int32_t v = 0; v < chunks; ++v) {
        const std::int8_t* p0 = w.data + static_cast<std::size_t>(b) * block_bytes + static_cast<std::size_t>(v) * vl;
        const std::int32_t channel0 = 16 * b + v * chunk_channels;
        std::int32_t r = 0;
        for (; r + 4 <= m; r += 4) {
          quantized_sve_short<4>(u + static_cast<std::size_t>(r) * lda, lda, p0, steps, channel0, w,
                                 acc + static_cast<std::size_t>(r) * ldc + channel0, ldc);
        }
        for (; r < m; ++r) {
          quantized_sve_short<1>(u + static_cast<std::size_t>(r) * lda, lda, p0, steps, channel0, w,
                                 acc + static_cast<std::size_t>(r) * ldc + channel0, ldc);
        }
      }
    }
    return;
  }
  if (vl % 64 == 0 && vl <= 256) {
    for (std::int32_t r = 0; r < m; ++r) {
      for (std::int32_t b = 0; b < blocks; ++b) {
        quantized_sve_long(u + static_cast<std::size_t>(r) * lda, w.data + static_cast<std::size_t>(b) * block_bytes,
                           steps, b, w, acc + static_cast<std::size_t>(r) * ldc + 16 * b);
      }
    }
    return;
  }
  quantized_gemm_scalar(u, m, lda, w, acc);
}

}  // namespace tinynn::backend::detail
#endif

// ---- end tinynn/backends/sve/quantized_gemm.hpp ----
// ---- begin tinynn/ops/quantized/requantize.hpp ----
// tinynn — int8 requantization: the fixed-point arithmetic of TFLite's integer kernels.
//   real multiplier M = scale_a * scale_b / scale_out  ~  multiplier * 2^(shift - 31)
//   y = round(x * M)  computed as  RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << l, m), r)
// Two roundings are supported. `double_rounding` (the default) is TFLite's reference kernels and
// TFLite Micro: a rounding doubling high multiply, then a rounding (half away from zero) right
// shift — two roundings, so a value at exactly .5 after the first can round twice. `single_rounding`
// is TFLite's TFLITE_SINGLE_ROUNDING build: one 64-bit product, one round-half-up shift. Every
// tinynn backend implements both bit-exactly; kernels take the mode from their params.

#include <cstdint>
#include <limits>

namespace tinynn::ops::quantized {

enum class Rounding : std::uint8_t {
  double_rounding,  // TFLite reference kernels / TFLite Micro (default)
  single_rounding,  // TFLite built with TFLITE_SINGLE_ROUNDING (CMSIS-NN's choice too)
};

/// A real multiplier as int32 significand in [2^30, 2^31) (or 0) and a power-of-two exponent:
/// real = multiplier * 2^(shift - 31). shift > 0 shifts left.
struct QuantizedMultiplier {
  std::int32_t multiplier = 0;
  std::int32_t shift = 0;
  friend constexpr bool operator==(const QuantizedMultiplier&, const QuantizedMultiplier&) = default;
};

namespace detail {

/// frexp for finite positive doubles, usable in constant expressions (every step is exact).
constexpr double frexp_positive(double value, int& exponent) noexcept {
  exponent = 0;
  while (value >= 1.0) {
    value *= 0.5;
    ++exponent;
  }
  while (value < 0.5) {
    value *= 2.0;
    --exponent;
  }
  return value;
}

}  // namespace detail

/// TFLite's QuantizeMultiplier: the significand rounded half away from zero to 31 bits, a
/// significand of exactly 2^31 renormalized, exponents below -31 flushed to zero. Negative and
/// non-finite multipliers are not scales; they give {0, 0} (prepare() functions reject them).
/// With single rounding, exponents above 30 saturate as TFLite's single-rounding build does.
[[nodiscard]] constexpr QuantizedMultiplier quantize_multiplier(
    double real_multiplier, Rounding rounding = Rounding::double_rounding) noexcept {
  if (!(real_multiplier > 0.0) || real_multiplier > 1e300) return {};
  int exponent = 0;
  const double significand = detail::frexp_positive(real_multiplier, exponent);
  // significand * 2^31 lies in [2^30, 2^31): adding 0.5 and truncating is exact round-half-up.
  auto fixed = static_cast<std::int64_t>(significand * 2147483648.0 + 0.5);
  if (fixed == (std::int64_t{1} << 31)) {
    fixed /= 2;
    ++exponent;
  }
  if (exponent < -31) return {};
  if (rounding == Rounding::single_rounding && exponent > 30) return {std::numeric_limits<std::int32_t>::max(), 30};
  return {static_cast<std::int32_t>(fixed), exponent};
}

/// gemmlowp's SaturatingRoundingDoublingHighMul: a * b / 2^31 rounded half up (toward +inf: the
/// nudge is added before a division that truncates toward zero), saturating the one overflow case
/// (INT32_MIN * INT32_MIN).
[[nodiscard]] constexpr std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) noexcept {
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
  const std::int64_t ab = static_cast<std::int64_t>(a) * static_cast<std::int64_t>(b);
  const std::int64_t nudge = ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30));
  // Division truncating toward zero, as gemmlowp (not an arithmetic shift).
  return static_cast<std::int32_t>((ab + nudge) / (std::int64_t{1} << 31));
}

/// gemmlowp's RoundingDivideByPOT: x / 2^exponent rounded half away from zero, 0 <= exponent <= 31.
[[nodiscard]] constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) noexcept {
  TINYNN_ASSERT(exponent >= 0 && exponent <= 31);
  const std::int32_t mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/// TFLite's MultiplyByQuantizedMultiplier: round(x * multiplier * 2^(shift - 31)).
[[nodiscard]] constexpr std::int32_t multiply_by_quantized_multiplier(std::int32_t x, QuantizedMultiplier m,
                                                                      Rounding rounding) noexcept {
  if (rounding == Rounding::single_rounding) {
    // One product, one round-half-up shift by 31 - shift (TFLITE_SINGLE_ROUNDING).
    const int total_shift = 31 - m.shift;
    if (total_shift <= 0) {
      const std::int64_t wide = static_cast<std::int64_t>(x) * m.multiplier * (std::int64_t{1} << -total_shift);
      return static_cast<std::int32_t>(
          wide > std::numeric_limits<std::int32_t>::max()
              ? std::numeric_limits<std::int32_t>::max()
              : (wide < std::numeric_limits<std::int32_t>::min() ? std::numeric_limits<std::int32_t>::min() : wide));
    }
    if (total_shift > 62) return 0;
    const std::int64_t round = std::int64_t{1} << (total_shift - 1);
    const std::int64_t result = (static_cast<std::int64_t>(x) * m.multiplier + round) >> total_shift;
    if (result > std::numeric_limits<std::int32_t>::max()) return std::numeric_limits<std::int32_t>::max();
    if (result < std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::min();
    return static_cast<std::int32_t>(result);
  }
  const int left_shift = m.shift > 0 ? m.shift : 0;
  const int right_shift = m.shift > 0 ? 0 : -m.shift;
  // TFLite multiplies by (1 << left_shift) in int32 (wrapping on overflow; models keep x small).
  // A hostile scale can ask for a shift of 32 or more: modulo 2^32 that product is 0 (and the shift
  // itself would be undefined behaviour).
  const auto shifted =
      left_shift >= 32 ? std::int32_t{0} : static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << left_shift);
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, m.multiplier),
                                right_shift > 31 ? 31 : right_shift);
}

/// Clamp to [lo, hi].
[[nodiscard]] constexpr std::int32_t clamp_i32(std::int32_t x, std::int32_t lo, std::int32_t hi) noexcept {
  return x < lo ? lo : (x > hi ? hi : x);
}

/// The integer range of a storage type (int8: [-128, 127], uint8: [0, 255], int16, int32).
template <class T>
inline constexpr std::int32_t quantized_min = static_cast<std::int32_t>(std::numeric_limits<T>::min());
template <class T>
inline constexpr std::int32_t quantized_max = static_cast<std::int32_t>(std::numeric_limits<T>::max());

/// A fused activation in the integer domain: [min, max] after adding the output zero point
/// (TFLite's CalculateActivationRangeQuantized).
struct QuantizedRange {
  std::int32_t min = -128;
  std::int32_t max = 127;
  friend constexpr bool operator==(const QuantizedRange&, const QuantizedRange&) = default;
};

enum class FusedActivation : std::uint8_t { none, relu, relu_n1_to_1, relu6 };

namespace detail {
/// TFLite's Quantize() of an activation bound: zero_point + round(real / scale) (float division,
/// rounded half away from zero), saturated to int32.
constexpr std::int32_t quantize_bound(float real, float scale, std::int32_t zero_point) noexcept {
  const float q = real / scale;
  if (!(q < 4e18f && q > -4e18f))
    return q > 0 ? std::numeric_limits<std::int32_t>::max() : std::numeric_limits<std::int32_t>::min();
  const double d = static_cast<double>(q);  // + 0.5 is exact in double: true round-half-away
  const std::int64_t r = d >= 0.0 ? static_cast<std::int64_t>(d + 0.5) : -static_cast<std::int64_t>(-d + 0.5);
  const std::int64_t v = r + zero_point;
  if (v > std::numeric_limits<std::int32_t>::max()) return std::numeric_limits<std::int32_t>::max();
  if (v < std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int32_t>(v);
}
}  // namespace detail

/// The integer output range of a fused activation for an output tensor of type T.
template <class T>
[[nodiscard]] constexpr QuantizedRange activation_range(FusedActivation activation, float output_scale,
                                                        std::int32_t output_zero_point) noexcept {
  std::int32_t lo = quantized_min<T>, hi = quantized_max<T>;
  auto tighten = [&](std::int32_t new_lo, std::int32_t new_hi, bool has_hi) {
    if (new_lo > lo) lo = new_lo;
    if (has_hi && new_hi < hi) hi = new_hi;
  };
  switch (activation) {
    case FusedActivation::none: break;
    case FusedActivation::relu: tighten(detail::quantize_bound(0.0f, output_scale, output_zero_point), 0, false); break;
    case FusedActivation::relu6:
      tighten(detail::quantize_bound(0.0f, output_scale, output_zero_point),
              detail::quantize_bound(6.0f, output_scale, output_zero_point), true);
      break;
    case FusedActivation::relu_n1_to_1:
      tighten(detail::quantize_bound(-1.0f, output_scale, output_zero_point),
              detail::quantize_bound(1.0f, output_scale, output_zero_point), true);
      break;
  }
  return {lo, hi};
}

/// The output stage of conv/depthwise/fully-connected: requantize an int32 accumulator (bias
/// included) with a per-channel (or single) multiplier, add the output zero point, clamp.
struct OutputStage {
  const QuantizedMultiplier* multipliers = nullptr;  // one per output channel, or one
  bool per_channel = false;
  std::int32_t zero_point = 0;
  QuantizedRange range{};
  Rounding rounding = Rounding::double_rounding;

  /// `accumulator` is the int32 sum plus the bias, added in 64 bits: a valid model never leaves int32
  /// (TFLite adds in int32), a hostile one saturates instead of overflowing.
  [[nodiscard]] constexpr std::int32_t apply(std::int64_t accumulator, std::size_t channel) const noexcept {
    const QuantizedMultiplier m = multipliers[per_channel ? channel : 0];
    const auto x = static_cast<std::int32_t>(
        accumulator > std::numeric_limits<std::int32_t>::max()   ? std::numeric_limits<std::int32_t>::max()
        : accumulator < std::numeric_limits<std::int32_t>::min() ? std::numeric_limits<std::int32_t>::min()
                                                                 : accumulator);
    const std::int64_t y = std::int64_t{multiply_by_quantized_multiplier(x, m, rounding)} + zero_point;
    return clamp_i32(static_cast<std::int32_t>(y < range.min ? range.min : (y > range.max ? range.max : y)), range.min,
                     range.max);
  }
};

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/requantize.hpp ----

namespace tinynn::ops::quantized {

using backend::detail::QuantizedPackedWeights;

[[nodiscard]] constexpr std::int32_t round_up(std::int32_t value, std::int32_t multiple) noexcept {
  return (value + multiple - 1) / multiple * multiple;
}

/// Bytes of packed weights for an [n][k] int8 matrix.
[[nodiscard]] constexpr std::size_t packed_weights_bytes(std::int32_t n, std::int32_t k) noexcept {
  return static_cast<std::size_t>(round_up(n, 16)) * static_cast<std::size_t>(round_up(k, 4));
}

/// Packs w [n][k] (row-major int8) into `packed` (packed_weights_bytes) and writes the n column
/// sums sum_k w[n][k] into `sums`. Padding is zero.
inline QuantizedPackedWeights pack_weights(const std::int8_t* w, std::int32_t n, std::int32_t k, std::int8_t* packed,
                                           std::int32_t* sums) noexcept {
  const std::int32_t n16 = round_up(n, 16), k4 = round_up(k, 4);
  std::memset(packed, 0, packed_weights_bytes(n, k));
  for (std::int32_t o = 0; o < n; ++o) {
    std::int32_t sum = 0;
    for (std::int32_t i = 0; i < k; ++i) {
      const std::int8_t v = w[static_cast<std::size_t>(o) * k + i];
      sum += v;
      const std::size_t block = static_cast<std::size_t>(o / 16), step = static_cast<std::size_t>(i / 4);
      packed[((block * (k4 / 4) + step) * 16 + static_cast<std::size_t>(o % 16)) * 4 +
             static_cast<std::size_t>(i % 4)] = v;
    }
    sums[o] = sum;
  }
  return {packed, sums, n, k, n16, k4};
}

/// Whether the running CPU has a SIMD int8 GEMM, and which (for messages and the bench).
[[nodiscard]] inline const char* gemm_isa(backend::BackendId id) noexcept {
#if TINYNN_HAS_X86_KERNELS
  const CpuFeatures& f = cpu_features();
  if (id == backend::BackendId::avx512 && f.avx512_vnni) return "avx512-vnni";
  if ((id == backend::BackendId::avx512 || id == backend::BackendId::avx2) && f.avx_vnni) return "avx-vnni";
  if (id == backend::BackendId::avx512 || id == backend::BackendId::avx2) return "avx2";
#endif
#if defined(__ARM_FEATURE_SVE)
  if (id == backend::BackendId::sve && cpu_features().sve) return "sve-sdot";
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
#if defined(__ARM_FEATURE_DOTPROD)
  if (id == backend::BackendId::neon && cpu_features().neon_dotprod) return "neon-sdot";
#endif
  if (id == backend::BackendId::neon) return "neon";
#endif
  (void)id;
  return "scalar";
}

/// acc [m][w.n16] = u [m][w.k4] (lda bytes between rows) times the packed weights, on backend `id`
/// (which the CPU must support: pass runtime_backend()). Rows of u hold the activation + 128; the
/// k padding of u must be zero (any value works when the weights' padding is zero, which it is).
inline void gemm_u8s8(backend::BackendId id, const std::uint8_t* u, std::int32_t m, std::size_t lda,
                      const QuantizedPackedWeights& w, std::int32_t* acc) noexcept {
#if TINYNN_HAS_X86_KERNELS
  const CpuFeatures& f = cpu_features();
  if (id == backend::BackendId::avx512 && f.avx512_vnni) {
    backend::detail::quantized_gemm_avx512vnni(u, m, lda, w, acc);
    return;
  }
  if ((id == backend::BackendId::avx512 || id == backend::BackendId::avx2) && f.avx_vnni) {
    backend::detail::quantized_gemm_avxvnni(u, m, lda, w, acc);
    return;
  }
  if (id == backend::BackendId::avx512 || id == backend::BackendId::avx2) {
    backend::detail::quantized_gemm_avx2(u, m, lda, w, acc);
    return;
  }
#endif
#if defined(__ARM_FEATURE_SVE)
  if (id == backend::BackendId::sve && cpu_features().sve) {
    backend::detail::quantized_gemm_sve(u, m, lda, w, acc);
    return;
  }
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
#if defined(__ARM_FEATURE_DOTPROD)
  if (id == backend::BackendId::neon && cpu_features().neon_dotprod) {
    backend::detail::quantized_gemm_neon_dot(u, m, lda, w, acc);
    return;
  }
#endif
  if (id == backend::BackendId::neon) {
    backend::detail::quantized_gemm_neon(u, m, lda, w, acc);
    return;
  }
#endif
  (void)id;
  backend::detail::quantized_gemm_scalar(u, m, lda, w, acc);
}

/// Names a specific kernel, for tests that compare every kernel the CPU has with scalar (and to run
/// plain NEON on a CPU that also has dotprod).
enum class GemmKernel : std::uint8_t { scalar, avx2, avx_vnni, avx512_vnni, neon, neon_dotprod, sve };

/// Whether kernel k is compiled into this binary and the running CPU can execute it.
[[nodiscard]] inline bool gemm_kernel_available(GemmKernel k) noexcept {
  [[maybe_unused]] const CpuFeatures& f = cpu_features();
  switch (k) {
    case GemmKernel::scalar: return true;
#if TINYNN_HAS_X86_KERNELS
    case GemmKernel::avx2: return f.avx2;
    case GemmKernel::avx_vnni: return f.avx2 && f.avx_vnni;
    case GemmKernel::avx512_vnni: return f.avx512 && f.avx512_vnni;
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
    case GemmKernel::neon: return f.neon;
#if defined(__ARM_FEATURE_DOTPROD)
    case GemmKernel::neon_dotprod: return f.neon && f.neon_dotprod;
#endif
#endif
#if defined(__ARM_FEATURE_SVE)
    case GemmKernel::sve: return f.sve;
#endif
    default: return false;
  }
}

/// Runs one specific kernel (the caller checked gemm_kernel_available()).
inline void gemm_u8s8(GemmKernel k, const std::uint8_t* u, std::int32_t m, std::size_t lda,
                      const QuantizedPackedWeights& w, std::int32_t* acc) noexcept {
  switch (k) {
#if TINYNN_HAS_X86_KERNELS
    case GemmKernel::avx2: backend::detail::quantized_gemm_avx2(u, m, lda, w, acc); return;
    case GemmKernel::avx_vnni: backend::detail::quantized_gemm_avxvnni(u, m, lda, w, acc); return;
    case GemmKernel::avx512_vnni: backend::detail::quantized_gemm_avx512vnni(u, m, lda, w, acc); return;
#endif
#if defined(__ARM_NEON) && defined(__aarch64__)
    case GemmKernel::neon: backend::detail::quantized_gemm_neon(u, m, lda, w, acc); return;
#if defined(__ARM_FEATURE_DOTPROD)
    case GemmKernel::neon_dotprod: backend::detail::quantized_gemm_neon_dot(u, m, lda, w, acc); return;
#endif
#endif
#if defined(__ARM_FEATURE_SVE)
    case GemmKernel::sve: backend::detail::quantized_gemm_sve(u, m, lda, w, acc); return;
#endif
    default: backend::detail::quantized_gemm_scalar(u, m, lda, w, acc); return;
  }
}

// ---- the fused path: the GEMM requantizes its own accumulators (VNNI ISAs) ----

using backend::detail::QuantizedGemmEpilogue;

/// int32 entries of the epilogue tables for n output channels (4 tables of n16).
[[nodiscard]] constexpr std::size_t gemm_epilogue_table_entries(std::int32_t n) noexcept {
  return 4 * static_cast<std::size_t>(round_up(n, 16));
}

/// Whether backend `id` has a fused requantizing int8 GEMM on the running CPU.
[[nodiscard]] inline bool has_fused_gemm(backend::BackendId id) noexcept {
#if TINYNN_HAS_X86_KERNELS
  const CpuFeatures& f = cpu_features();
  return ((id == backend::BackendId::avx512 && f.avx512_vnni) ||
          ((id == backend::BackendId::avx512 || id == backend::BackendId::avx2) && f.avx_vnni));
#else
  (void)id;
  return false;
#endif
}

/// Fills `tables` (gemm_epilogue_table_entries(w.n)) and `e` for the output stage `stage` of a GEMM
/// whose activations carry input_zero_point. Returns false when the stage has values the int32
/// vector arithmetic cannot reproduce exactly (an offset bias - (128 + zp) * sum outside int32, a
/// negative multiplier, a single-rounding shift below 1, clamp bounds minus the zero point outside
/// int32): callers then take the unfused path, which handles every case as the scalar kernel.
[[nodiscard]] inline bool prepare_gemm_epilogue(const OutputStage& stage, const QuantizedPackedWeights& w,
                                                const std::int32_t* bias, std::int32_t input_zero_point,
                                                std::int32_t* tables, QuantizedGemmEpilogue& e) noexcept {
  const auto n16 = static_cast<std::size_t>(w.n16);
  std::int32_t* offsets = tables;
  std::int32_t* multipliers = tables + n16;
  std::int32_t* shift_a = tables + 2 * n16;
  std::int32_t* shift_b = tables + 3 * n16;
  const bool single = stage.rounding == Rounding::single_rounding;
  const std::int64_t correction = 128 + std::int64_t{input_zero_point};
  constexpr std::int64_t int32_min = std::numeric_limits<std::int32_t>::min();
  constexpr std::int64_t int32_max = std::numeric_limits<std::int32_t>::max();
  for (std::size_t o = 0; o < n16; ++o) {
    if (o >= static_cast<std::size_t>(w.n)) {
      offsets[o] = multipliers[o] = shift_b[o] = 0;
      shift_a[o] = single ? 1 : 0;
      continue;
    }
    const std::int64_t offset = (bias ? std::int64_t{bias[o]} : 0) - correction * w.column_sums[o];
    const QuantizedMultiplier m = stage.multipliers[stage.per_channel ? o : 0];
    if (offset < int32_min || offset > int32_max || m.multiplier < 0) return false;
    offsets[o] = static_cast<std::int32_t>(offset);
    multipliers[o] = m.multiplier;
    if (single) {
      const std::int64_t total_shift = 31 - std::int64_t{m.shift};
      if (total_shift <= 0) return false;
      if (total_shift > 62) multipliers[o] = 0;  // the scalar kernel's result is 0: (0 + 1) >> 1
      shift_a[o] = total_shift > 62 ? 1 : static_cast<std::int32_t>(total_shift);
      shift_b[o] = 0;
    } else {
      const std::int64_t left = m.shift > 0 ? m.shift : 0, right = m.shift > 0 ? 0 : -std::int64_t{m.shift};
      shift_a[o] = static_cast<std::int32_t>(left > 32 ? 32 : left);
      shift_b[o] = static_cast<std::int32_t>(right > 31 ? 31 : right);
    }
  }
  const std::int64_t lo = std::int64_t{stage.range.min} - stage.zero_point;
  const std::int64_t hi = std::int64_t{stage.range.max} - stage.zero_point;
  if (lo < int32_min || hi > int32_max || lo > hi) return false;
  e = QuantizedGemmEpilogue{offsets,
                            multipliers,
                            shift_a,
                            shift_b,
                            w.n,
                            static_cast<std::int32_t>(lo),
                            static_cast<std::int32_t>(hi),
                            stage.zero_point,
                            single};
  return true;
}

/// out [m][e.n] (rows ldo apart) = requantized u x w on the fused kernel of `id` (has_fused_gemm(id)).
inline void gemm_requantize(backend::BackendId id, const std::uint8_t* u, std::int32_t m, std::size_t lda,
                            const QuantizedPackedWeights& w, const QuantizedGemmEpilogue& e, std::int8_t* out,
                            std::size_t ldo) noexcept {
#if TINYNN_HAS_X86_KERNELS
  if (id == backend::BackendId::avx512 && cpu_features().avx512_vnni) {
    backend::detail::quantized_gemm_requantize_avx512vnni(u, m, lda, w, e, out, ldo);
    return;
  }
  backend::detail::quantized_gemm_requantize_avxvnni(u, m, lda, w, e, out, ldo);
#else
  (void)id, (void)u, (void)m, (void)lda, (void)w, (void)e, (void)out, (void)ldo;
#endif
}

// ---- what conv2d and fully connected share: the scratch of a row tile and its output pass ----

/// Rows of activations per GEMM call (a multiple of every row tile of the kernels).
inline constexpr std::int32_t gemm_tile_rows = 48;

/// Scratch bytes of one tile: uint8 rows of k4, int32 accumulators of n16, the epilogue tables.
[[nodiscard]] constexpr std::size_t gemm_tile_scratch_bytes(std::int32_t depth, std::int32_t units) noexcept {
  const auto k4 = static_cast<std::size_t>(round_up(depth, 4)), n16 = static_cast<std::size_t>(round_up(units, 16));
  return static_cast<std::size_t>(gemm_tile_rows) * (k4 + 4 * n16) + 4 * gemm_epilogue_table_entries(units) + 64;
}

/// The scratch of gemm_tile_scratch_bytes, carved once per call; `fused` says whether the
/// requantizing kernel runs (else the int32 GEMM and the scalar output stage).
struct GemmTile {
  std::uint8_t* rows = nullptr;
  std::int32_t* acc = nullptr;
  QuantizedGemmEpilogue epilogue{};
  bool fused = false;
};

inline GemmTile carve_gemm_tile(backend::BackendId id, std::byte* scratch, const QuantizedPackedWeights& w,
                                const OutputStage& stage, const std::int32_t* bias,
                                std::int32_t input_zero_point) noexcept {
  GemmTile t;
  t.rows = reinterpret_cast<std::uint8_t*>(scratch);
  const auto address = reinterpret_cast<std::uintptr_t>(t.rows + static_cast<std::size_t>(gemm_tile_rows) *
                                                                     static_cast<std::size_t>(w.k4));
  t.acc = reinterpret_cast<std::int32_t*>((address + 63) & ~static_cast<std::uintptr_t>(63));
  std::int32_t* tables = t.acc + static_cast<std::size_t>(gemm_tile_rows) * static_cast<std::size_t>(w.n16);
  t.fused = has_fused_gemm(id) && prepare_gemm_epilogue(stage, w, bias, input_zero_point, tables, t.epilogue);
  return t;
}

/// dst[i] = src[i] + 128 as uint8 (the GEMM's unsigned operand), 8 bytes a step.
inline void shift_to_unsigned(const std::int8_t* TINYNN_RESTRICT src, std::uint8_t* TINYNN_RESTRICT dst,
                              std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, src + i, 8);
    word ^= 0x8080808080808080u;
    std::memcpy(dst + i, &word, 8);
  }
  for (; i < n; ++i) dst[i] = static_cast<std::uint8_t>(src[i] ^ static_cast<std::int8_t>(0x80));
}

/// out [rows][w.n] (rows ldo apart) = the output stage of t.rows x w.
inline void gemm_tile_output(backend::BackendId id, const GemmTile& t, std::int32_t rows,
                             const QuantizedPackedWeights& w, const OutputStage& stage, const std::int32_t* bias,
                             std::int32_t input_zero_point, std::int8_t* out, std::size_t ldo) noexcept {
  const auto row_bytes = static_cast<std::size_t>(w.k4);
  if (t.fused) {
    gemm_requantize(id, t.rows, rows, row_bytes, w, t.epilogue, out, ldo);
    return;
  }
  gemm_u8s8(id, t.rows, rows, row_bytes, w, t.acc);
  const std::int32_t correction = 128 + input_zero_point;
  for (std::int32_t r = 0; r < rows; ++r) {
    const std::int32_t* a = t.acc + static_cast<std::size_t>(r) * static_cast<std::size_t>(w.n16);
    for (std::int32_t o = 0; o < w.n; ++o) {
      const std::int64_t value =
          std::int64_t{a[o]} - std::int64_t{correction} * w.column_sums[o] + (bias ? bias[o] : 0);
      out[static_cast<std::size_t>(r) * ldo + static_cast<std::size_t>(o)] =
          static_cast<std::int8_t>(stage.apply(value, static_cast<std::size_t>(o)));
    }
  }
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/gemm.hpp ----

namespace tinynn::ops::quantized {

struct Conv2DParams {
  std::int32_t batch = 1;
  std::int32_t input_height = 0, input_width = 0, input_channels = 0;
  std::int32_t output_height = 0, output_width = 0, output_channels = 0;
  std::int32_t kernel_height = 1, kernel_width = 1;
  std::int32_t stride_height = 1, stride_width = 1;
  std::int32_t dilation_height = 1, dilation_width = 1;
  Padding2D padding{};  // top and left are used; bottom/right are implied by the output size
  std::int32_t input_zero_point = 0;
  std::int32_t filter_zero_point = 0;  // 0 for int8 (symmetric weights); uint8 models carry one
  OutputStage output{};
};

/// Validates the geometry; run() trusts it.
[[nodiscard]] inline Status prepare(const Conv2DParams& p) {
  if (p.batch < 0 || p.input_height <= 0 || p.input_width <= 0 || p.input_channels <= 0 || p.output_channels <= 0 ||
      p.kernel_height <= 0 || p.kernel_width <= 0 || p.stride_height <= 0 || p.stride_width <= 0 ||
      p.dilation_height <= 0 || p.dilation_width <= 0 || p.output_height < 0 || p.output_width < 0) {
    return error(ErrorCode::invalid_argument, "quantized conv2d: non-positive dimension, kernel, stride or dilation");
  }
  if (p.output.multipliers == nullptr) {
    return error(ErrorCode::invalid_argument, "quantized conv2d: no requantization multipliers");
  }
  if (p.output.range.min > p.output.range.max) {
    return error(ErrorCode::invalid_argument, "quantized conv2d: empty activation range [", p.output.range.min, ", ",
                 p.output.range.max, "]");
  }
  return {};
}

/// Scratch bytes run() needs for backend B (the scalar kernel needs none).
template <backend::Backend B>
[[nodiscard]] constexpr std::size_t conv2d_scratch_bytes(const Conv2DParams&) noexcept {
  return 0;
}

/// The reference kernel (every backend falls back to it and must agree with it bit for bit).
template <class T, class W>
void conv2d(backend::scalar, const Conv2DParams& p, const T* TINYNN_RESTRICT input, const W* TINYNN_RESTRICT filter,
            const std::int32_t* TINYNN_RESTRICT bias, T* TINYNN_RESTRICT output) noexcept {
  const std::int32_t in_c = p.input_channels, out_c = p.output_channels;
  for (std::int32_t n = 0; n < p.batch; ++n) {
    for (std::int32_t oy = 0; oy < p.output_height; ++oy) {
      for (std::int32_t ox = 0; ox < p.output_width; ++ox) {
        const std::int32_t iy0 = oy * p.stride_height - p.padding.top;
        const std::int32_t ix0 = ox * p.stride_width - p.padding.left;
        T* out = output + ((static_cast<std::size_t>(n) * p.output_height + oy) * p.output_width + ox) * out_c;
        for (std::int32_t o = 0; o < out_c; ++o) {
          std::int32_t acc = 0;
          const W* w_o = filter + static_cast<std::size_t>(o) * p.kernel_height * p.kernel_width * in_c;
          for (std::int32_t ky = 0; ky < p.kernel_height; ++ky) {
            const std::int32_t iy = iy0 + ky * p.dilation_height;
            if (iy < 0 || iy >= p.input_height) continue;
            for (std::int32_t kx = 0; kx < p.kernel_width; ++kx) {
              const std::int32_t ix = ix0 + kx * p.dilation_width;
              if (ix < 0 || ix >= p.input_width) continue;
              const T* in = input + ((static_cast<std::size_t>(n) * p.input_height + iy) * p.input_width + ix) * in_c;
              const W* w = w_o + (static_cast<std::size_t>(ky) * p.kernel_width + kx) * in_c;
              for (std::int32_t i = 0; i < in_c; ++i) {
                acc += (static_cast<std::int32_t>(in[i]) - p.input_zero_point) *
                       (static_cast<std::int32_t>(w[i]) - p.filter_zero_point);
              }
            }
          }
          const std::int64_t total = std::int64_t{acc} + (bias ? bias[o] : 0);
          out[o] = static_cast<T>(p.output.apply(total, static_cast<std::size_t>(o)));
        }
      }
    }
  }
}

// ---- the GEMM path (int8 activations, symmetric int8 weights): im2col tiles + packed int8 GEMM ----

/// Scratch bytes of the GEMM path: one im2col tile (uint8), its int32 accumulators, the epilogue.
[[nodiscard]] constexpr std::size_t conv2d_gemm_scratch_bytes(const Conv2DParams& p) noexcept {
  return gemm_tile_scratch_bytes(p.kernel_height * p.kernel_width * p.input_channels, p.output_channels);
}

/// Packs OHWI int8 filters for the GEMM path (packed_weights_bytes(out_c, KH*KW*C) bytes, out_c sums).
inline QuantizedPackedWeights pack_conv2d_weights(const Conv2DParams& p, const std::int8_t* filter, std::int8_t* packed,
                                                  std::int32_t* sums) noexcept {
  return pack_weights(filter, p.output_channels, p.kernel_height * p.kernel_width * p.input_channels, packed, sums);
}

/// The GEMM path on backend `id` (any backend the CPU runs; scalar runs the scalar packed GEMM).
/// Requires p.filter_zero_point == 0. Bit-exact with conv2d(backend::scalar, ...).
inline void conv2d(backend::BackendId id, const Conv2DParams& p, const std::int8_t* TINYNN_RESTRICT input,
                   const QuantizedPackedWeights& w, const std::int32_t* TINYNN_RESTRICT bias,
                   std::int8_t* TINYNN_RESTRICT output, std::byte* scratch) noexcept {
  const std::int32_t c = p.input_channels, k4 = w.k4;
  const std::size_t row_bytes = static_cast<std::size_t>(k4);
  const GemmTile gemm = carve_gemm_tile(id, scratch, w, p.output, bias, p.input_zero_point);
  std::uint8_t* tile = gemm.rows;
  const auto pad_byte = static_cast<std::uint8_t>(p.input_zero_point + 128);  // real 0.0, shifted
  const std::int64_t pixels = static_cast<std::int64_t>(p.batch) * p.output_height * p.output_width;
  for (std::int64_t first = 0; first < pixels; first += gemm_tile_rows) {
    const auto rows = static_cast<std::int32_t>(pixels - first < gemm_tile_rows ? pixels - first : gemm_tile_rows);
    for (std::int32_t r = 0; r < rows; ++r) {
      const std::int64_t pixel = first + r;
      const auto ox = static_cast<std::int32_t>(pixel % p.output_width);
      const auto oy = static_cast<std::int32_t>((pixel / p.output_width) % p.output_height);
      const auto n = static_cast<std::int32_t>(pixel / (static_cast<std::int64_t>(p.output_width) * p.output_height));
      std::uint8_t* dst = tile + static_cast<std::size_t>(r) * row_bytes;
      for (std::int32_t ky = 0; ky < p.kernel_height; ++ky) {
        const std::int32_t iy = oy * p.stride_height - p.padding.top + ky * p.dilation_height;
        for (std::int32_t kx = 0; kx < p.kernel_width; ++kx, dst += c) {
          const std::int32_t ix = ox * p.stride_width - p.padding.left + kx * p.dilation_width;
          if (iy < 0 || iy >= p.input_height || ix < 0 || ix >= p.input_width) {
            std::memset(dst, pad_byte, static_cast<std::size_t>(c));
            continue;
          }
          const std::int8_t* src =
              input + ((static_cast<std::size_t>(n) * p.input_height + iy) * p.input_width + ix) * c;
          shift_to_unsigned(src, dst, static_cast<std::size_t>(c));
        }
      }
      const std::int32_t k = p.kernel_height * p.kernel_width * c;
      std::memset(tile + static_cast<std::size_t>(r) * row_bytes + k, 0, static_cast<std::size_t>(k4 - k));
    }
    gemm_tile_output(id, gemm, rows, w, p.output, bias, p.input_zero_point,
                     output + static_cast<std::size_t>(first) * static_cast<std::size_t>(p.output_channels),
                     static_cast<std::size_t>(p.output_channels));
  }
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/conv2d.hpp ----
// ---- begin tinynn/ops/quantized/depthwise_conv2d.hpp ----
// tinynn — int8/uint8 depthwise 2-D convolution, NHWC, TFLite integer semantics:
//   acc[n,y,x,c*M+m] = bias[c*M+m] + sum_{ky,kx} (in[n, y*s+ky*d-pad, x*s+kx*d-pad, c] - in_zp) * (w[ky,kx,c*M+m] -
//   w_zp) out = clamp(requantize(acc, M[channel]) + out_zp)
// Filter layout [1, KH, KW, C*M] (TFLite's), M = depth multiplier.

#include <cstddef>
#include <cstdint>

namespace tinynn::ops::quantized {

struct DepthwiseConv2DParams {
  std::int32_t batch = 1;
  std::int32_t input_height = 0, input_width = 0, input_channels = 0;
  std::int32_t output_height = 0, output_width = 0;
  std::int32_t depth_multiplier = 1;  // output channels = input_channels * depth_multiplier
  std::int32_t kernel_height = 1, kernel_width = 1;
  std::int32_t stride_height = 1, stride_width = 1;
  std::int32_t dilation_height = 1, dilation_width = 1;
  Padding2D padding{};
  std::int32_t input_zero_point = 0;
  std::int32_t filter_zero_point = 0;
  OutputStage output{};

  [[nodiscard]] constexpr std::int32_t output_channels() const noexcept { return input_channels * depth_multiplier; }
};

[[nodiscard]] inline Status prepare(const DepthwiseConv2DParams& p) {
  if (p.batch < 0 || p.input_height <= 0 || p.input_width <= 0 || p.input_channels <= 0 || p.depth_multiplier <= 0 ||
      p.kernel_height <= 0 || p.kernel_width <= 0 || p.stride_height <= 0 || p.stride_width <= 0 ||
      p.dilation_height <= 0 || p.dilation_width <= 0 || p.output_height < 0 || p.output_width < 0) {
    return error(ErrorCode::invalid_argument,
                 "quantized depthwise conv2d: non-positive dimension, multiplier, kernel, stride or dilation");
  }
  if (p.output.multipliers == nullptr) {
    return error(ErrorCode::invalid_argument, "quantized depthwise conv2d: no requantization multipliers");
  }
  return {};
}

template <class T, class W>
void depthwise_conv2d(backend::scalar, const DepthwiseConv2DParams& p, const T* TINYNN_RESTRICT input,
                      const W* TINYNN_RESTRICT filter, const std::int32_t* TINYNN_RESTRICT bias,
                      T* TINYNN_RESTRICT output) noexcept {
  const std::int32_t in_c = p.input_channels, mult = p.depth_multiplier, out_c = in_c * mult;
  for (std::int32_t n = 0; n < p.batch; ++n) {
    for (std::int32_t oy = 0; oy < p.output_height; ++oy) {
      for (std::int32_t ox = 0; ox < p.output_width; ++ox) {
        const std::int32_t iy0 = oy * p.stride_height - p.padding.top;
        const std::int32_t ix0 = ox * p.stride_width - p.padding.left;
        T* out = output + ((static_cast<std::size_t>(n) * p.output_height + oy) * p.output_width + ox) * out_c;
        for (std::int32_t c = 0; c < in_c; ++c) {
          for (std::int32_t m = 0; m < mult; ++m) {
            const std::int32_t o = c * mult + m;
            std::int32_t acc = 0;
            for (std::int32_t ky = 0; ky < p.kernel_height; ++ky) {
              const std::int32_t iy = iy0 + ky * p.dilation_height;
              if (iy < 0 || iy >= p.input_height) continue;
              for (std::int32_t kx = 0; kx < p.kernel_width; ++kx) {
                const std::int32_t ix = ix0 + kx * p.dilation_width;
                if (ix < 0 || ix >= p.input_width) continue;
                const std::int32_t x = static_cast<std::int32_t>(
                    input[((static_cast<std::size_t>(n) * p.input_height + iy) * p.input_width + ix) * in_c + c]);
                const std::int32_t w =
                    static_cast<std::int32_t>(filter[(static_cast<std::size_t>(ky) * p.kernel_width + kx) * out_c + o]);
                acc += (x - p.input_zero_point) * (w - p.filter_zero_point);
              }
            }
            const std::int64_t total = std::int64_t{acc} + (bias ? bias[o] : 0);
            out[o] = static_cast<T>(p.output.apply(total, static_cast<std::size_t>(o)));
          }
        }
      }
    }
  }
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/depthwise_conv2d.hpp ----
// ---- begin tinynn/ops/quantized/fully_connected.hpp ----
// tinynn — int8/uint8 fully connected (TFLite integer semantics):
//   acc[b,o] = bias[o] + sum_k (in[b,k] - in_zp) * (w[o,k] - w_zp);  out = clamp(requantize(acc, M[o]) + out_zp)
// Weights [units, depth] (TFLite's layout). int8 weights symmetric, per-tensor or per-channel M.

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tinynn::ops::quantized {

struct FullyConnectedParams {
  std::int32_t batch = 1;  // rows of the input
  std::int32_t depth = 0;  // input features
  std::int32_t units = 0;  // output features
  std::int32_t input_zero_point = 0;
  std::int32_t filter_zero_point = 0;
  OutputStage output{};
};

[[nodiscard]] inline Status prepare(const FullyConnectedParams& p) {
  if (p.batch < 0 || p.depth <= 0 || p.units <= 0) {
    return error(ErrorCode::invalid_argument, "quantized fully connected: batch ", p.batch, ", depth ", p.depth,
                 ", units ", p.units, " (depth and units must be positive)");
  }
  if (p.output.multipliers == nullptr) {
    return error(ErrorCode::invalid_argument, "quantized fully connected: no requantization multipliers");
  }
  return {};
}

template <class T, class W>
void fully_connected(backend::scalar, const FullyConnectedParams& p, const T* TINYNN_RESTRICT input,
                     const W* TINYNN_RESTRICT filter, const std::int32_t* TINYNN_RESTRICT bias,
                     T* TINYNN_RESTRICT output) noexcept {
  for (std::int32_t b = 0; b < p.batch; ++b) {
    const T* in = input + static_cast<std::size_t>(b) * p.depth;
    for (std::int32_t o = 0; o < p.units; ++o) {
      const W* w = filter + static_cast<std::size_t>(o) * p.depth;
      std::int32_t acc = 0;
      for (std::int32_t k = 0; k < p.depth; ++k) {
        acc += (static_cast<std::int32_t>(in[k]) - p.input_zero_point) *
               (static_cast<std::int32_t>(w[k]) - p.filter_zero_point);
      }
      const std::int64_t total = std::int64_t{acc} + (bias ? bias[o] : 0);
      output[static_cast<std::size_t>(b) * p.units + o] =
          static_cast<T>(p.output.apply(total, static_cast<std::size_t>(o)));
    }
  }
}

// ---- the GEMM path (int8 activations, symmetric int8 weights) ----

[[nodiscard]] constexpr std::size_t fully_connected_gemm_scratch_bytes(const FullyConnectedParams& p) noexcept {
  return gemm_tile_scratch_bytes(p.depth, p.units);
}

/// Bit-exact with fully_connected(backend::scalar, ...); requires p.filter_zero_point == 0.
inline void fully_connected(backend::BackendId id, const FullyConnectedParams& p,
                            const std::int8_t* TINYNN_RESTRICT input, const QuantizedPackedWeights& w,
                            const std::int32_t* TINYNN_RESTRICT bias, std::int8_t* TINYNN_RESTRICT output,
                            std::byte* scratch) noexcept {
  const std::size_t row_bytes = static_cast<std::size_t>(w.k4);
  const GemmTile tile = carve_gemm_tile(id, scratch, w, p.output, bias, p.input_zero_point);
  for (std::int32_t first = 0; first < p.batch; first += gemm_tile_rows) {
    const std::int32_t rows = p.batch - first < gemm_tile_rows ? p.batch - first : gemm_tile_rows;
    for (std::int32_t r = 0; r < rows; ++r) {
      const std::int8_t* src = input + static_cast<std::size_t>(first + r) * static_cast<std::size_t>(p.depth);
      std::uint8_t* dst = tile.rows + static_cast<std::size_t>(r) * row_bytes;
      shift_to_unsigned(src, dst, static_cast<std::size_t>(p.depth));
      std::memset(dst + p.depth, 0, row_bytes - static_cast<std::size_t>(p.depth));
    }
    gemm_tile_output(id, tile, rows, w, p.output, bias, p.input_zero_point,
                     output + static_cast<std::size_t>(first) * static_cast<std::size_t>(p.units),
                     static_cast<std::size_t>(p.units));
  }
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/fully_connected.hpp ----
// ---- begin tinynn/ops/quantized/pool.hpp ----
// tinynn — int8/uint8 max and average pooling, NHWC (TFLite integer semantics; input and output
// share scale and zero point):
//   max: out = clamp(max over the window's in-bounds taps)
//   avg: out = clamp(round_half_away(sum over in-bounds taps / count of in-bounds taps))

#include <cstddef>
#include <cstdint>

namespace tinynn::ops::quantized {

struct Pool2DParams {
  std::int32_t batch = 1;
  std::int32_t input_height = 0, input_width = 0, channels = 0;
  std::int32_t output_height = 0, output_width = 0;
  std::int32_t kernel_height = 1, kernel_width = 1;
  std::int32_t stride_height = 1, stride_width = 1;
  Padding2D padding{};
  QuantizedRange range{};  // fused activation, in output integers
};

[[nodiscard]] inline Status prepare(const Pool2DParams& p) {
  if (p.batch < 0 || p.input_height <= 0 || p.input_width <= 0 || p.channels <= 0 || p.kernel_height <= 0 ||
      p.kernel_width <= 0 || p.stride_height <= 0 || p.stride_width <= 0 || p.output_height < 0 || p.output_width < 0) {
    return error(ErrorCode::invalid_argument, "quantized pool: non-positive dimension, kernel or stride");
  }
  return {};
}

namespace detail {
template <bool Max, class T>
void pool2d(const Pool2DParams& p, const T* TINYNN_RESTRICT input, T* TINYNN_RESTRICT output) noexcept {
  for (std::int32_t n = 0; n < p.batch; ++n) {
    for (std::int32_t oy = 0; oy < p.output_height; ++oy) {
      for (std::int32_t ox = 0; ox < p.output_width; ++ox) {
        const std::int32_t iy0 = oy * p.stride_height - p.padding.top;
        const std::int32_t ix0 = ox * p.stride_width - p.padding.left;
        const std::int32_t y_begin = iy0 < 0 ? 0 : iy0;
        const std::int32_t y_end = iy0 + p.kernel_height > p.input_height ? p.input_height : iy0 + p.kernel_height;
        const std::int32_t x_begin = ix0 < 0 ? 0 : ix0;
        const std::int32_t x_end = ix0 + p.kernel_width > p.input_width ? p.input_width : ix0 + p.kernel_width;
        T* out = output + ((static_cast<std::size_t>(n) * p.output_height + oy) * p.output_width + ox) * p.channels;
        for (std::int32_t c = 0; c < p.channels; ++c) {
          std::int32_t acc = Max ? quantized_min<T> : 0;
          std::int32_t count = 0;
          for (std::int32_t y = y_begin; y < y_end; ++y) {
            for (std::int32_t x = x_begin; x < x_end; ++x) {
              const auto v = static_cast<std::int32_t>(
                  input[((static_cast<std::size_t>(n) * p.input_height + y) * p.input_width + x) * p.channels + c]);
              if constexpr (Max) {
                acc = v > acc ? v : acc;
              } else {
                acc += v;
              }
              ++count;
            }
          }
          if constexpr (!Max) {
            if (count == 0) {
              acc = 0;
            } else {
              acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
            }
          }
          out[c] = static_cast<T>(clamp_i32(acc, p.range.min, p.range.max));
        }
      }
    }
  }
}
}  // namespace detail

template <class T>
void max_pool2d(backend::scalar, const Pool2DParams& p, const T* input, T* output) noexcept {
  detail::pool2d<true>(p, input, output);
}

template <class T>
void average_pool2d(backend::scalar, const Pool2DParams& p, const T* input, T* output) noexcept {
  detail::pool2d<false>(p, input, output);
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/pool.hpp ----
// ---- begin tinynn/ops/quantized/softmax.hpp ----
// tinynn — int8/uint8 softmax over the last dimension, TFLite's reference integer kernel (the one
// TFLite Micro runs): per row, d = x - max(x); exp(beta * s_in * d) in Q5.26 fixed point
// (gemmlowp's exp_on_negative_values), summed in Q12.19, one fixed-point reciprocal, output
// round(exp / sum * 256) + type_min. Output quantization is fixed at scale 1/256, zero point -128
// (int8) or 0 (uint8); prepare() checks it.

#include <cstddef>
#include <cstdint>
#include <limits>

namespace tinynn::ops::quantized {

namespace fixed_point {

// gemmlowp's FixedPoint<int32, IntegerBits> as raw int32 values: the real value is raw * 2^(IntegerBits - 31).
// Additions wrap (as gemmlowp's int32 adds do in practice); products round and saturate.

constexpr std::int32_t add(std::int32_t a, std::int32_t b) noexcept {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
constexpr std::int32_t sub(std::int32_t a, std::int32_t b) noexcept {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) - static_cast<std::uint32_t>(b));
}
constexpr std::int32_t mul(std::int32_t a, std::int32_t b) noexcept {
  return saturating_rounding_doubling_high_mul(a, b);
}
/// x * 2^exponent, rounding (exponent < 0) or saturating (exponent > 0).
constexpr std::int32_t saturating_rounding_multiply_by_pot(std::int32_t x, int exponent) noexcept {
  if (exponent == 0) return x;
  if (exponent < 0) return rounding_divide_by_pot(x, -exponent);
  const std::int32_t threshold = static_cast<std::int32_t>((std::int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) return std::numeric_limits<std::int32_t>::max();
  if (x < -threshold) return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << exponent);
}
/// Rescale<ToBits>(FixedPoint<FromBits>)
constexpr std::int32_t rescale(std::int32_t raw, int from_bits, int to_bits) noexcept {
  return saturating_rounding_multiply_by_pot(raw, from_bits - to_bits);
}
/// The raw value of 1.0 (saturated to the largest value for 0 integer bits).
constexpr std::int32_t one(int integer_bits) noexcept {
  return integer_bits == 0 ? std::numeric_limits<std::int32_t>::max()
                           : static_cast<std::int32_t>(std::int64_t{1} << (31 - integer_bits));
}
constexpr std::int32_t rounding_half_sum(std::int32_t a, std::int32_t b) noexcept {
  const std::int64_t sum = static_cast<std::int64_t>(a) + b;
  const std::int64_t sign = sum >= 0 ? 1 : -1;
  return static_cast<std::int32_t>((sum + sign) / 2);
}

/// exp(a) for a in [-1/4, 0), Q0.31 in and out (Taylor series around -1/8).
constexpr std::int32_t exp_on_interval_between_negative_one_quarter_and_0_excl(std::int32_t a) noexcept {
  constexpr std::int32_t constant_term = 1895147668;     // exp(-1/8)
  constexpr std::int32_t constant_1_over_3 = 715827883;  // 1/3
  const std::int32_t x = add(a, std::int32_t{1} << 28);  // a + 1/8
  const std::int32_t x2 = mul(x, x);
  const std::int32_t x3 = mul(x2, x);
  const std::int32_t x4 = mul(x2, x2);
  const std::int32_t x4_over_4 = saturating_rounding_multiply_by_pot(x4, -2);
  const std::int32_t poly =
      saturating_rounding_multiply_by_pot(add(mul(add(x4_over_4, x3), constant_1_over_3), x2), -1);
  return add(constant_term, mul(constant_term, add(x, poly)));
}

/// exp(a) for a <= 0 given with `integer_bits` integer bits; result Q0.31.
constexpr std::int32_t exp_on_negative_values(std::int32_t a, int integer_bits) noexcept {
  const int fractional_bits = 31 - integer_bits;
  const std::int32_t one_quarter = static_cast<std::int32_t>(std::int64_t{1} << (fractional_bits - 2));
  const std::int32_t mask = one_quarter - 1;
  const std::int32_t a_mod_quarter_minus_one_quarter = sub(a & mask, one_quarter);
  std::int32_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
      rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0));
  const std::int32_t remainder = sub(a_mod_quarter_minus_one_quarter, a);
  // exp(-2^k) for k = -2..4, Q0.31.
  constexpr std::int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int k = -2; k <= 4; ++k) {
    if (integer_bits > k) {
      const int shift = fractional_bits + k;
      if (remainder & static_cast<std::int32_t>(std::uint32_t{1} << shift)) result = mul(result, multipliers[k + 2]);
    }
  }
  if (integer_bits > 5) {
    const std::int32_t clamp = -static_cast<std::int32_t>(std::int64_t{1} << (36 - integer_bits));  // -32.0
    if (a < clamp) result = 0;
  }
  if (a == 0) result = one(0);
  return result;
}

/// 1 / (1 + x) for x in [0, 1), Q0.31 in and out (Newton-Raphson, 3 iterations).
constexpr std::int32_t one_over_one_plus_x_for_x_in_0_1(std::int32_t a) noexcept {
  const std::int32_t half_denominator = rounding_half_sum(a, one(0));
  constexpr std::int32_t constant_48_over_17 = 1515870810;
  constexpr std::int32_t constant_neg_32_over_17 = -1010580540;
  // x in Q2.29
  std::int32_t x = add(constant_48_over_17, mul(half_denominator, constant_neg_32_over_17));
  for (int i = 0; i < 3; ++i) {
    const std::int32_t half_denominator_times_x = mul(half_denominator, x);  // Q2.29
    const std::int32_t one_minus = sub(one(2), half_denominator_times_x);    // Q2.29
    x = add(x, rescale(mul(x, one_minus), 4, 2));
  }
  // ExactMulByPot<-1>: Q2.29 -> Q1.30 with the same raw; then Rescale to Q0.31.
  return rescale(x, 1, 0);
}

/// TFLite's GetReciprocal: 1/x for x with `integer_bits` integer bits, as a Q0.31 value and a shift.
constexpr std::int32_t get_reciprocal(std::int32_t x, int integer_bits, int& num_bits_over_unit) noexcept {
  const auto ux = static_cast<std::uint32_t>(x);
  int headroom_plus_one = 0;
  while (headroom_plus_one < 32 && !(ux & (std::uint32_t{0x80000000} >> headroom_plus_one))) ++headroom_plus_one;
  num_bits_over_unit = integer_bits - headroom_plus_one;
  const auto shifted_sum_minus_one = static_cast<std::int32_t>((ux << headroom_plus_one) - (std::uint32_t{1} << 31));
  return one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
}

}  // namespace fixed_point

struct SoftmaxParams {
  std::int32_t rows = 0;   // product of the leading dimensions
  std::int32_t depth = 0;  // the last dimension
  std::int32_t input_multiplier = 0;
  std::int32_t input_left_shift = 0;
  std::int32_t diff_min = 0;
};

inline constexpr int softmax_scaled_diff_integer_bits = 5;
inline constexpr int softmax_accumulation_integer_bits = 12;

/// TFLite's PreprocessSoftmaxScaling and CalculateInputRadius for beta and the input scale.
[[nodiscard]] constexpr SoftmaxParams softmax_params(std::int32_t rows, std::int32_t depth, double beta,
                                                     double input_scale) noexcept {
  SoftmaxParams p;
  p.rows = rows;
  p.depth = depth;
  constexpr int bits = softmax_scaled_diff_integer_bits;
  double real = beta * input_scale * static_cast<double>(std::int64_t{1} << (31 - bits));
  const double limit = static_cast<double>((std::int64_t{1} << 31) - 1);
  if (real > limit) real = limit;
  const QuantizedMultiplier m = quantize_multiplier(real);
  p.input_multiplier = m.multiplier;
  p.input_left_shift = m.shift;
  // CalculateInputRadius(bits, left_shift, 31): floor(((2^bits - 1) * 2^(31 - bits)) / 2^left_shift)
  const double max_input_rescaled = static_cast<double>((std::int64_t{1} << bits) - 1) *
                                    static_cast<double>(std::int64_t{1} << (31 - bits)) /
                                    static_cast<double>(std::int64_t{1} << (m.shift < 0 ? 0 : m.shift));
  p.diff_min = -static_cast<std::int32_t>(max_input_rescaled);
  return p;
}

/// The output quantization softmax requires for type T.
template <class T>
[[nodiscard]] inline Status prepare_softmax_output(float output_scale, std::int32_t output_zero_point) {
  if (output_scale != 1.0f / 256.0f || output_zero_point != quantized_min<T>) {
    return error(ErrorCode::unsupported, "quantized softmax: output must have scale 1/256 and zero point ",
                 quantized_min<T>, ", found scale ", output_scale, " and zero point ", output_zero_point);
  }
  return {};
}

template <class T>
void softmax(backend::scalar, const SoftmaxParams& p, const T* TINYNN_RESTRICT input,
             T* TINYNN_RESTRICT output) noexcept {
  namespace fp = fixed_point;
  constexpr int diff_bits = softmax_scaled_diff_integer_bits;
  constexpr int accumulation_bits = softmax_accumulation_integer_bits;
  const QuantizedMultiplier beta{p.input_multiplier, p.input_left_shift};
  for (std::int32_t r = 0; r < p.rows; ++r) {
    const T* in = input + static_cast<std::size_t>(r) * p.depth;
    T* out = output + static_cast<std::size_t>(r) * p.depth;
    std::int32_t max_value = quantized_min<T>;
    for (std::int32_t c = 0; c < p.depth; ++c) max_value = in[c] > max_value ? in[c] : max_value;
    std::int32_t sum_of_exps = 0;  // Q12.19
    for (std::int32_t c = 0; c < p.depth; ++c) {
      const std::int32_t diff = static_cast<std::int32_t>(in[c]) - max_value;
      if (diff >= p.diff_min) {
        const std::int32_t scaled = multiply_by_quantized_multiplier(diff, beta, Rounding::double_rounding);
        sum_of_exps =
            fp::add(sum_of_exps, fp::rescale(fp::exp_on_negative_values(scaled, diff_bits), 0, accumulation_bits));
      }
    }
    int num_bits_over_unit = 0;
    const std::int32_t shifted_scale = fp::get_reciprocal(sum_of_exps, accumulation_bits, num_bits_over_unit);
    for (std::int32_t c = 0; c < p.depth; ++c) {
      const std::int32_t diff = static_cast<std::int32_t>(in[c]) - max_value;
      std::int32_t value = quantized_min<T>;
      if (diff >= p.diff_min) {
        const std::int32_t scaled = multiply_by_quantized_multiplier(diff, beta, Rounding::double_rounding);
        const std::int32_t exp_in_0 = fp::exp_on_negative_values(scaled, diff_bits);
        const int exponent = num_bits_over_unit + 31 - 8;  // > 31 only for sums >= 512: the quotient is 0
        const std::int32_t unsat =
            exponent > 31 ? 0 : rounding_divide_by_pot(fp::mul(shifted_scale, exp_in_0), exponent < 0 ? 0 : exponent);
        value = clamp_i32(unsat + quantized_min<T>, quantized_min<T>, quantized_max<T>);
      }
      out[c] = static_cast<T>(value);
    }
  }
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/softmax.hpp ----

namespace tinynn::nn {

namespace check {
template <class Input>
struct QConv2D_input {
  static_assert(Input::rank == 3, "tinynn::nn::QConv2D/QDepthwiseConv2D/QPool: the input must have shape [H, W, C]");
};
template <class Input>
struct QDense_input {
  static_assert(Input::rank == 1, "tinynn::nn::QDense: the input must have shape [K] (add nn::Flatten before QDense)");
};
}  // namespace check

namespace detail {

template <class In>
inline constexpr bool is_qi8 = std::is_same_v<typename In::dtype, qi8>;

/// The integer range of a fused activation option (ReLU, ReLU6, none) for an output quantization.
template <class Activation>
constexpr ops::quantized::QuantizedRange quantized_range(QuantParams output) noexcept {
  namespace q = ops::quantized;
  constexpr ops::Activation kind = Activation::params.kind;
  static_assert(kind == ops::Activation::none || kind == ops::Activation::relu || kind == ops::Activation::relu6,
                "tinynn::nn: int8 layers fuse no activation, ReLU or ReLU6 (others: a lookup-table layer)");
  const q::FusedActivation fused = kind == ops::Activation::relu    ? q::FusedActivation::relu
                                   : kind == ops::Activation::relu6 ? q::FusedActivation::relu6
                                                                    : q::FusedActivation::none;
  return q::activation_range<std::int8_t>(fused, output.scale, output.zero_point);
}

/// Per-channel multipliers input_scale * weight_scale[c] / output_scale.
template <std::size_t N>
constexpr void channel_multipliers(const std::array<float, N>& weight_scales, QuantParams input, QuantParams output,
                                   std::array<ops::quantized::QuantizedMultiplier, N>& out) noexcept {
  for (std::size_t c = 0; c < N; ++c) {
    out[c] = ops::quantized::quantize_multiplier(
        static_cast<double>(input.scale) * static_cast<double>(weight_scales[c]) / static_cast<double>(output.scale));
  }
}

/// Everything an int8 layer without parameters declares.
template <class In, class Out>
struct QuantizedNoParams {
  using input = In;
  using output = Out;
  using activation = NoActivation;
  using Params = NoParams;
  using Trained = NoParams;
  static constexpr void fold_into(const Trained&, Params&) noexcept {}
  static constexpr std::size_t param_count = 0;
  static constexpr std::size_t macs = 0;
  static constexpr bool foldable = false;
  template <class Backend>
  static constexpr std::size_t scratch_bytes = 0;
};

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// QConv2D<Filters, KH, KW, options...> (options as Conv2D: padding, Stride, Dilation, ReLU/ReLU6).

template <std::size_t Filters, std::size_t KH, std::size_t KW, class... Options>
struct QConv2D {
  using options = detail::WindowOptions<Valid, Stride<1, 1>, Options...>;
  static_assert(options::all_known, "tinynn::nn::QConv2D: unknown option");

  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_qi8<In>, "tinynn::nn::QConv2D: the input dtype must be qi8 (float: nn::Conv2D)");
    static_assert(sizeof(check::QConv2D_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    using window = detail::Window<options, KH, KW, H, W>;
    using input = In;
    using output = Spec<qi8, Shape<window::out_h, window::out_w, Filters>>;
    using activation = NoActivation;  // the fused activation is an integer range in Params
    static constexpr std::size_t kernel_h = KH, kernel_w = KW;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;

    struct Trained {
      std::array<std::int8_t, Filters * KH * KW * C> weights;  // OHWI, symmetric
      std::array<std::int32_t, Filters> bias;                  // scale input.scale * weight_scales[f]
      std::array<float, Filters> weight_scales;
      QuantParams input, output;
    };
    struct Params {
      std::array<std::int8_t, Filters * KH * KW * C> weights;
      std::array<std::int32_t, Filters> bias;
      std::array<ops::quantized::QuantizedMultiplier, Filters> multipliers;
      std::int32_t input_zero_point, output_zero_point;
      ops::quantized::QuantizedRange range;
    };
    static constexpr std::size_t param_count = Filters * KH * KW * C + Filters;
    static constexpr std::size_t macs = window::out_h * window::out_w * Filters * KH * KW * C;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    static constexpr void fold_into(const Trained& t, Params& p) {
      p.weights = t.weights;
      p.bias = t.bias;
      detail::channel_multipliers(t.weight_scales, t.input, t.output, p.multipliers);
      p.input_zero_point = t.input.zero_point;
      p.output_zero_point = t.output.zero_point;
      p.range = detail::quantized_range<typename options::activation>(t.output);
    }

    template <class Backend>
    static void compute(const Params& p, const std::int8_t* in, std::int8_t* out, std::byte*,
                        const ops::ActivationParams&, Backend) noexcept {
      const ops::quantized::Conv2DParams op{1,
                                            H,
                                            W,
                                            C,
                                            window::out_h,
                                            window::out_w,
                                            Filters,
                                            KH,
                                            KW,
                                            options::stride_h,
                                            options::stride_w,
                                            options::dilation_h,
                                            options::dilation_w,
                                            window::padding,
                                            p.input_zero_point,
                                            0,
                                            {p.multipliers.data(), true, p.output_zero_point, p.range}};
      ops::quantized::conv2d(backend::scalar{}, op, in, p.weights.data(), p.bias.data(), out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// QDepthwiseConv2D<KH, KW, options...> (multiplier 1). Weights [KH][KW][C].

template <std::size_t KH, std::size_t KW, class... Options>
struct QDepthwiseConv2D {
  using options = detail::WindowOptions<Valid, Stride<1, 1>, Options...>;
  static_assert(options::all_known, "tinynn::nn::QDepthwiseConv2D: unknown option");

  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_qi8<In>, "tinynn::nn::QDepthwiseConv2D: the input dtype must be qi8");
    static_assert(sizeof(check::QConv2D_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    using window = detail::Window<options, KH, KW, H, W>;
    using input = In;
    using output = Spec<qi8, Shape<window::out_h, window::out_w, C>>;
    using activation = NoActivation;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;

    struct Trained {
      std::array<std::int8_t, KH * KW * C> weights;
      std::array<std::int32_t, C> bias;
      std::array<float, C> weight_scales;
      QuantParams input, output;
    };
    struct Params {
      std::array<std::int8_t, KH * KW * C> weights;
      std::array<std::int32_t, C> bias;
      std::array<ops::quantized::QuantizedMultiplier, C> multipliers;
      std::int32_t input_zero_point, output_zero_point;
      ops::quantized::QuantizedRange range;
    };
    static constexpr std::size_t param_count = KH * KW * C + C;
    static constexpr std::size_t macs = window::out_h * window::out_w * C * KH * KW;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    static constexpr void fold_into(const Trained& t, Params& p) {
      p.weights = t.weights;
      p.bias = t.bias;
      detail::channel_multipliers(t.weight_scales, t.input, t.output, p.multipliers);
      p.input_zero_point = t.input.zero_point;
      p.output_zero_point = t.output.zero_point;
      p.range = detail::quantized_range<typename options::activation>(t.output);
    }

    template <class Backend>
    static void compute(const Params& p, const std::int8_t* in, std::int8_t* out, std::byte*,
                        const ops::ActivationParams&, Backend) noexcept {
      const ops::quantized::DepthwiseConv2DParams op{1,
                                                     H,
                                                     W,
                                                     C,
                                                     window::out_h,
                                                     window::out_w,
                                                     1,
                                                     KH,
                                                     KW,
                                                     options::stride_h,
                                                     options::stride_w,
                                                     options::dilation_h,
                                                     options::dilation_w,
                                                     window::padding,
                                                     p.input_zero_point,
                                                     0,
                                                     {p.multipliers.data(), true, p.output_zero_point, p.range}};
      ops::quantized::depthwise_conv2d(backend::scalar{}, op, in, p.weights.data(), p.bias.data(), out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// QDense<Units, activation>: [K] -> [Units]. Weights [Units][K].

template <std::size_t Units, class Activation = NoActivation>
struct QDense {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    using S = typename In::shape;
    static_assert(detail::is_qi8<In>, "tinynn::nn::QDense: the input dtype must be qi8");
    static_assert(sizeof(check::QDense_input<S>) > 0);
    static constexpr std::size_t K = In::size;
    using input = In;
    using output = Spec<qi8, Shape<Units>>;
    using activation = NoActivation;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;

    struct Trained {
      std::array<std::int8_t, Units * K> weights;
      std::array<std::int32_t, Units> bias;
      std::array<float, Units> weight_scales;
      QuantParams input, output;
    };
    struct Params {
      std::array<std::int8_t, Units * K> weights;
      std::array<std::int32_t, Units> bias;
      std::array<ops::quantized::QuantizedMultiplier, Units> multipliers;
      std::int32_t input_zero_point, output_zero_point;
      ops::quantized::QuantizedRange range;
    };
    static constexpr std::size_t param_count = Units * K + Units;
    static constexpr std::size_t macs = Units * K;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;

    static constexpr void fold_into(const Trained& t, Params& p) {
      p.weights = t.weights;
      p.bias = t.bias;
      detail::channel_multipliers(t.weight_scales, t.input, t.output, p.multipliers);
      p.input_zero_point = t.input.zero_point;
      p.output_zero_point = t.output.zero_point;
      p.range = detail::quantized_range<Activation>(t.output);
    }

    template <class Backend>
    static void compute(const Params& p, const std::int8_t* in, std::int8_t* out, std::byte*,
                        const ops::ActivationParams&, Backend) noexcept {
      const ops::quantized::FullyConnectedParams op{
          1, K, Units, p.input_zero_point, 0, {p.multipliers.data(), true, p.output_zero_point, p.range}};
      ops::quantized::fully_connected(backend::scalar{}, op, in, p.weights.data(), p.bias.data(), out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// QMaxPool2D / QAvgPool2D<KH, KW, options...> (stride defaults to the kernel; input and output share
// quantization, as in TFLite), QGlobalAvgPool ([H, W, C] -> [C]).

namespace detail {
template <bool Max, std::size_t KH, std::size_t KW, class... Options>
struct QPool2D {
  using options = WindowOptions<Valid, Stride<KH, KW>, Options...>;
  static_assert(options::all_known, "tinynn::nn::QMaxPool2D/QAvgPool2D: unknown option");
  static_assert(std::is_same_v<typename options::activation, NoActivation>,
                "tinynn::nn::QMaxPool2D/QAvgPool2D: int8 pooling fuses no activation");

  template <class In>
  struct bind
      : SingleStep<bind<In>>,
        QuantizedNoParams<
            In, Spec<qi8,
                     Shape<Window<options, KH, KW, dim_or<typename In::shape, 0>, dim_or<typename In::shape, 1>>::out_h,
                           Window<options, KH, KW, dim_or<typename In::shape, 0>, dim_or<typename In::shape, 1>>::out_w,
                           dim_or<typename In::shape, 2>>>> {
    using S = typename In::shape;
    static_assert(is_qi8<In>, "tinynn::nn::QMaxPool2D/QAvgPool2D: the input dtype must be qi8");
    static_assert(sizeof(check::QConv2D_input<S>) > 0);
    static constexpr std::size_t H = dim_or<S, 0>, W = dim_or<S, 1>, C = dim_or<S, 2>;
    using window = Window<options, KH, KW, H, W>;
    static constexpr bool in_place = false;

    template <class Backend>
    static void compute(const NoParams&, const std::int8_t* in, std::int8_t* out, std::byte*,
                        const ops::ActivationParams&, Backend) noexcept {
      const ops::quantized::Pool2DParams p{
          1, H, W, C, window::out_h, window::out_w, KH, KW, options::stride_h, options::stride_w, window::padding, {}};
      if constexpr (Max) {
        ops::quantized::max_pool2d(backend::scalar{}, p, in, out);
      } else {
        ops::quantized::average_pool2d(backend::scalar{}, p, in, out);
      }
    }
  };
};
}  // namespace detail

template <std::size_t KH, std::size_t KW = KH, class... Options>
struct QMaxPool2D : detail::QPool2D<true, KH, KW, Options...> {};
template <std::size_t KH, std::size_t KW = KH, class... Options>
struct QAvgPool2D : detail::QPool2D<false, KH, KW, Options...> {};

struct QGlobalAvgPool {
  template <class In>
  struct bind : SingleStep<bind<In>>,
                detail::QuantizedNoParams<In, Spec<qi8, Shape<detail::dim_or<typename In::shape, 2>>>> {
    using S = typename In::shape;
    static_assert(detail::is_qi8<In>, "tinynn::nn::QGlobalAvgPool: the input dtype must be qi8");
    static_assert(sizeof(check::QConv2D_input<S>) > 0);
    static constexpr std::size_t H = detail::dim_or<S, 0>, W = detail::dim_or<S, 1>, C = detail::dim_or<S, 2>;
    static constexpr bool in_place = false;

    template <class Backend>
    static void compute(const NoParams&, const std::int8_t* in, std::int8_t* out, std::byte*,
                        const ops::ActivationParams&, Backend) noexcept {
      const ops::quantized::Pool2DParams p{1, H, W, C, 1, 1, H, W, 1, 1, {}, {}};
      ops::quantized::average_pool2d(backend::scalar{}, p, in, out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// QSoftmax: over the last axis; output quantization fixed by TFLite at scale 1/256, zero point -128.

struct QSoftmax {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    static_assert(detail::is_qi8<In>, "tinynn::nn::QSoftmax: the input dtype must be qi8");
    static constexpr std::size_t C = detail::last_dim<typename In::shape>, rows = In::size / C;
    using input = In;
    using output = In;
    using activation = NoActivation;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;
    struct Trained {
      QuantParams input;
      float beta = 1.0f;
    };
    using Params = ops::quantized::SoftmaxParams;
    static constexpr std::size_t param_count = 0;
    static constexpr std::size_t macs = 0;
    template <class Backend>
    static constexpr std::size_t scratch_bytes = 0;
    static constexpr void fold_into(const Trained& t, Params& p) {
      p = ops::quantized::softmax_params(rows, C, t.beta, t.input.scale);
    }
    template <class Backend>
    static void compute(const Params& p, const std::int8_t* in, std::int8_t* out, std::byte*,
                        const ops::ActivationParams&, Backend) noexcept {
      ops::quantized::softmax(backend::scalar{}, p, in, out);
    }
  };
};

// ---------------------------------------------------------------------------------------------
// QConvPool<QConv2D<...>, QMaxPool2D<...>>: the convolution and the max pool after it as one step
// that never holds the whole convolution output: conv rows are computed into a window of
// pool-kernel-height rows (scratch), pooled, and the window slides. Same integers as the two
// layers run one after the other; the activation RAM drops from conv output + pool output to pool
// output + a few conv rows (how the CIFAR-10 int8 network stays far below CMSIS-NN's 40 KB).

template <class Conv, class Pool>
struct QConvPool {
  template <class In>
  struct bind : SingleStep<bind<In>> {
    using conv = typename Conv::template bind<In>;
    using pool = typename Pool::template bind<typename conv::output>;
    static_assert(Pool::template bind<typename conv::output>::window::pad_h.before == 0,
                  "tinynn::nn::QConvPool: the pool must not pad the top (Valid or CeilMode pools)");
    using input = In;
    using output = typename pool::output;
    using activation = NoActivation;
    using Params = typename conv::Params;
    using Trained = typename conv::Trained;
    static constexpr bool foldable = false;
    static constexpr bool in_place = false;
    static constexpr std::size_t param_count = conv::param_count;
    static constexpr std::size_t macs = conv::macs;
    static constexpr std::size_t conv_row = conv::window::out_w * conv::output::shape::dims[2];
    static constexpr std::size_t pool_rows = pool::window::dilated_kernel::dims[0];
    template <class Backend>
    static constexpr std::size_t scratch_bytes = pool_rows* conv_row;
    static constexpr void fold_into(const Trained& t, Params& p) { conv::fold_into(t, p); }

    template <class Backend>
    static void compute(const Params& p, const std::int8_t* in, std::int8_t* out, std::byte* scratch,
                        const ops::ActivationParams&, Backend) noexcept {
      namespace q = ops::quantized;
      auto* rows = reinterpret_cast<std::int8_t*>(scratch);
      constexpr std::size_t H = conv::window::out_h, F = conv::output::shape::dims[2];
      constexpr std::size_t stride = Pool::options::stride_h;
      q::Conv2DParams one_row{1,
                              conv::H,
                              conv::W,
                              conv::C,
                              1,
                              conv::window::out_w,
                              F,
                              static_cast<std::int32_t>(conv::kernel_h),
                              static_cast<std::int32_t>(conv::kernel_w),
                              Conv::options::stride_h,
                              Conv::options::stride_w,
                              Conv::options::dilation_h,
                              Conv::options::dilation_w,
                              conv::window::padding,
                              p.input_zero_point,
                              0,
                              {p.multipliers.data(), true, p.output_zero_point, p.range}};
      std::size_t base = 0, count = 0;  // the window holds conv rows [base, base + count)
      for (std::size_t r = 0; r < pool::window::out_h; ++r) {
        const std::size_t first = r * stride;
        const std::size_t last = first + pool_rows < H ? first + pool_rows : H;
        if (first > base) {  // slide: keep the rows still needed
          const std::size_t drop = first - base < count ? first - base : count;
          std::memmove(rows, rows + drop * conv_row, (count - drop) * conv_row);
          count -= drop;
          base = first;
        }
        for (std::size_t y = base + count; y < last; ++y, ++count) {
          one_row.padding.top = conv::window::padding.top - static_cast<std::int32_t>(y * Conv::options::stride_h);
          q::conv2d(backend::scalar{}, one_row, in, p.weights.data(), p.bias.data(), rows + count * conv_row);
        }
        const q::Pool2DParams pooled{1,
                                     static_cast<std::int32_t>(last - first),
                                     conv::window::out_w,
                                     F,
                                     1,
                                     pool::window::out_w,
                                     pool::window::dilated_kernel::dims[0],
                                     pool::window::dilated_kernel::dims[1],
                                     1,
                                     Pool::options::stride_w,
                                     {0, pool::window::padding.left, 0, pool::window::padding.right},
                                     {}};
        q::max_pool2d(backend::scalar{}, pooled, rows, out + r * pool::window::out_w * F);
      }
    }
  };
};

/// The output quantization of QSoftmax (TFLite's fixed choice).
inline constexpr QuantParams softmax_output_quant{1.0f / 256.0f, -128};

namespace zoo {

/// The CMSIS-NN CIFAR-10 example CNN in int8 (zoo::Cifar10Cnn's architecture).
using Cifar10CnnInt8 =
    Sequential<Input<qi8, 32, 32, 3>, QConv2D<32, 5, 5, Same, ReLU>, QMaxPool2D<3, 3, Stride<2>, CeilMode>,
               QConv2D<32, 5, 5, Same, ReLU>, QMaxPool2D<3, 3, Stride<2>, CeilMode>, QConv2D<64, 5, 5, Same, ReLU>,
               QMaxPool2D<3, 3, Stride<2>, CeilMode>, Flatten, QDense<10>>;

/// The same network with each conv + pool fused into one step (QConvPool): same integers, less RAM.
using Cifar10CnnInt8Fused =
    Sequential<Input<qi8, 32, 32, 3>, QConvPool<QConv2D<32, 5, 5, Same, ReLU>, QMaxPool2D<3, 3, Stride<2>, CeilMode>>,
               QConvPool<QConv2D<32, 5, 5, Same, ReLU>, QMaxPool2D<3, 3, Stride<2>, CeilMode>>,
               QConvPool<QConv2D<64, 5, 5, Same, ReLU>, QMaxPool2D<3, 3, Stride<2>, CeilMode>>, Flatten, QDense<10>>;

/// One int8 DS-CNN stage (BatchNorm folded into the weights): depthwise 3x3 + ReLU, pointwise 1x1 + ReLU.
template <std::size_t C>
using DsCnnStageInt8 = Sequential<QDepthwiseConv2D<3, 3, Same, ReLU>, QConv2D<C, 1, 1, ReLU>>;

/// The "Hello Edge" DS-CNN keyword spotter in int8 (zoo::DsCnnKws's architecture).
using DsCnnKwsInt8 =
    Sequential<Input<qi8, 49, 10, 1>, QConv2D<64, 10, 4, Padding<5, 1>, Stride<2>, ReLU>, DsCnnStageInt8<64>,
               DsCnnStageInt8<64>, DsCnnStageInt8<64>, DsCnnStageInt8<64>, QGlobalAvgPool, QDense<12>>;

}  // namespace zoo

}  // namespace tinynn::nn

// ---- end tinynn/nn/quantized.hpp ----
// ---- begin tinynn/ops/quantized/activation.hpp ----
// tinynn — int8/uint8 elementwise activations through a 256-entry lookup table, the way LiteRT's
// int8 LOGISTIC/TANH kernels (and XNNPACK) compute them:
//   table[q] = clamp(round_half_away(f(s_in * (q - z_in)) / s_out) + z_out)
// Any unary function works (logistic, tanh, hard swish, leaky ReLU, ELU...); the table is built
// once in prepare and run() is one load per element, identical on every backend.

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace tinynn::ops::quantized {

/// 256 output values indexed by the input's byte (q - type_min).
template <class T>
struct LookupTable {
  T values[256] = {};
};

template <class T, class Function>
[[nodiscard]] LookupTable<T> make_lookup_table(float input_scale, std::int32_t input_zero_point, float output_scale,
                                               std::int32_t output_zero_point, Function function) noexcept {
  LookupTable<T> table;
  const float inverse_output_scale = 1.0f / output_scale;
  for (std::int32_t q = quantized_min<T>; q <= quantized_max<T>; ++q) {
    const float real = input_scale * static_cast<float>(q - input_zero_point);
    const float transformed = function(real);
    const float rescaled = std::round(transformed * inverse_output_scale);
    std::int32_t value = quantized_max<T>;
    if (rescaled < 1e9f && rescaled > -1e9f) {
      value = clamp_i32(static_cast<std::int32_t>(rescaled) + output_zero_point, quantized_min<T>, quantized_max<T>);
    } else if (rescaled < 0.0f) {
      value = quantized_min<T>;
    }
    table.values[q - quantized_min<T>] = static_cast<T>(value);
  }
  return table;
}

template <class T>
void lookup(backend::scalar, const LookupTable<T>& table, const T* TINYNN_RESTRICT input, T* TINYNN_RESTRICT output,
            std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    output[i] = table.values[static_cast<std::int32_t>(input[i]) - quantized_min<T>];
  }
}

/// The functions of the standard activations, as TFLite defines them in float.
namespace activation_function {
inline float logistic(float x) noexcept { return 1.0f / (1.0f + std::exp(-x)); }
inline float tanh(float x) noexcept { return std::tanh(x); }
inline float hard_swish(float x) noexcept {
  const float r = x + 3.0f;
  return x * (r < 0.0f ? 0.0f : (r > 6.0f ? 6.0f : r)) / 6.0f;
}
}  // namespace activation_function

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/activation.hpp ----
// ---- begin tinynn/ops/quantized/concat.hpp ----
// tinynn — int8/uint8 concatenation along one axis, inputs with their own quantization
// (TFLite's ConcatenationWithScaling): an input whose scale and zero point equal the output's is
// copied; any other is rescaled in float as TFLite does:
//   q' = clamp(round_half_away(q * (s_i / s_out) - z_i * (s_i / s_out)) + z_out)

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tinynn::ops::quantized {

template <class T>
struct ConcatInput {
  const T* data = nullptr;
  std::size_t axis_size = 0;  // this input's extent along the axis times the inner size
  float scale = 1.0f;
  std::int32_t zero_point = 0;
};

/// outer = product of the dimensions before the axis; the output's row is the sum of axis_size.
template <class T>
void concatenation(backend::scalar, const ConcatInput<T>* inputs, std::size_t input_count, std::size_t outer,
                   float output_scale, std::int32_t output_zero_point, T* output) noexcept {
  std::size_t row = 0;
  for (std::size_t i = 0; i < input_count; ++i) row += inputs[i].axis_size;
  const float inverse_output_scale = 1.0f / output_scale;
  std::size_t column = 0;
  for (std::size_t i = 0; i < input_count; ++i) {
    const ConcatInput<T>& in = inputs[i];
    const bool same = in.scale == output_scale && in.zero_point == output_zero_point;
    const float scale = in.scale * inverse_output_scale;
    const float bias = -static_cast<float>(in.zero_point) * scale;
    for (std::size_t o = 0; o < outer; ++o) {
      const T* src = in.data + o * in.axis_size;
      T* dst = output + o * row + column;
      if (same) {
        if (in.axis_size) std::memcpy(dst, src, in.axis_size * sizeof(T));
        continue;
      }
      for (std::size_t k = 0; k < in.axis_size; ++k) {
        float rounded = std::round(static_cast<float>(src[k]) * scale + bias);
        rounded = rounded > 1e9f ? 1e9f : (rounded < -1e9f ? -1e9f : (rounded == rounded ? rounded : 0.0f));  // no UB
        const std::int32_t value = static_cast<std::int32_t>(rounded) + output_zero_point;
        dst[k] = static_cast<T>(clamp_i32(value, quantized_min<T>, quantized_max<T>));
      }
    }
    column += in.axis_size;
  }
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/concat.hpp ----
// ---- begin tinynn/ops/quantized/elementwise.hpp ----
// tinynn — int8/uint8 binary elementwise ops with rescaling and NumPy broadcasting (TFLite
// integer semantics):
//   add/sub: a' = requantize((a - za) << 20, Ma); b' likewise; out = clamp(requantize(a' +/- b', Mo) + zo)
//            with Ma = sa / 2max(sa,sb), Mb = sb / 2max(sa,sb), Mo = 2max(sa,sb) / (2^20 so)
//   mul:     out = clamp(requantize((a - za) * (b - zb), sa sb / so) + zo)

#include <cstddef>
#include <cstdint>

namespace tinynn::ops::quantized {

enum class BinaryOp : std::uint8_t { add, sub, mul };

/// Broadcast geometry: every shape right-aligned to `rank` dims (missing leading dims are 1).
inline constexpr std::size_t max_broadcast_rank = 6;

struct BinaryParams {
  BinaryOp op = BinaryOp::add;
  std::size_t rank = 1;
  std::int64_t a_dims[max_broadcast_rank] = {};
  std::int64_t b_dims[max_broadcast_rank] = {};
  std::int64_t out_dims[max_broadcast_rank] = {};
  std::int32_t a_zero_point = 0, b_zero_point = 0, output_zero_point = 0;
  std::int32_t left_shift = 20;  // add/sub only
  QuantizedMultiplier a_multiplier{}, b_multiplier{}, output_multiplier{};
  QuantizedRange range{};
  Rounding rounding = Rounding::double_rounding;
};

/// Fills the multipliers from the three scales, as TFLite's Prepare does.
inline void set_scales(BinaryParams& p, double a_scale, double b_scale, double output_scale) noexcept {
  if (p.op == BinaryOp::mul) {
    p.output_multiplier = quantize_multiplier(a_scale * b_scale / output_scale, p.rounding);
    return;
  }
  const double twice_max = 2.0 * (a_scale > b_scale ? a_scale : b_scale);
  p.a_multiplier = quantize_multiplier(a_scale / twice_max, p.rounding);
  p.b_multiplier = quantize_multiplier(b_scale / twice_max, p.rounding);
  p.output_multiplier = quantize_multiplier(
      twice_max / (static_cast<double>(std::int64_t{1} << p.left_shift) * output_scale), p.rounding);
}

[[nodiscard]] inline Status prepare(const BinaryParams& p) {
  if (p.rank == 0 || p.rank > max_broadcast_rank) {
    return error(ErrorCode::unsupported, "quantized binary op: rank ", p.rank, " (at most ", max_broadcast_rank, ")");
  }
  for (std::size_t d = 0; d < p.rank; ++d) {
    const std::int64_t a = p.a_dims[d], b = p.b_dims[d], o = p.out_dims[d];
    if ((a != o && a != 1) || (b != o && b != 1) || o < 0) {
      return error(ErrorCode::invalid_argument, "quantized binary op: dimension ", d, " of the inputs (", a, ", ", b,
                   ") does not broadcast to ", o);
    }
  }
  return {};
}

namespace detail {
template <class T>
constexpr std::int32_t binary_element(const BinaryParams& p, std::int32_t a, std::int32_t b) noexcept {
  const std::int32_t x = a - p.a_zero_point, y = b - p.b_zero_point;
  std::int32_t raw = 0;
  if (p.op == BinaryOp::mul) {
    raw = multiply_by_quantized_multiplier(x * y, p.output_multiplier, p.rounding);
  } else {
    const std::int32_t sx = multiply_by_quantized_multiplier(x * (1 << p.left_shift), p.a_multiplier, p.rounding);
    const std::int32_t sy = multiply_by_quantized_multiplier(y * (1 << p.left_shift), p.b_multiplier, p.rounding);
    raw = multiply_by_quantized_multiplier(p.op == BinaryOp::add ? sx + sy : sx - sy, p.output_multiplier, p.rounding);
  }
  return clamp_i32(raw + p.output_zero_point, p.range.min, p.range.max);
}
}  // namespace detail

template <class T>
void binary(backend::scalar, const BinaryParams& p, const T* a, const T* b, T* output) noexcept {
  // Strides of the inputs over the output's index space (0 along broadcast dimensions).
  std::size_t a_stride[max_broadcast_rank] = {}, b_stride[max_broadcast_rank] = {};
  std::size_t sa = 1, sb = 1, total = 1;
  for (std::size_t d = p.rank; d-- > 0;) {
    a_stride[d] = p.a_dims[d] == 1 ? 0 : sa;
    b_stride[d] = p.b_dims[d] == 1 ? 0 : sb;
    sa *= static_cast<std::size_t>(p.a_dims[d]);
    sb *= static_cast<std::size_t>(p.b_dims[d]);
    total *= static_cast<std::size_t>(p.out_dims[d]);
  }
  std::size_t index[max_broadcast_rank] = {};
  std::size_t ia = 0, ib = 0;
  for (std::size_t flat = 0; flat < total; ++flat) {
    output[flat] = static_cast<T>(
        detail::binary_element<T>(p, static_cast<std::int32_t>(a[ia]), static_cast<std::int32_t>(b[ib])));
    for (std::size_t d = p.rank; d-- > 0;) {  // odometer increment
      ++index[d];
      ia += a_stride[d];
      ib += b_stride[d];
      if (index[d] < static_cast<std::size_t>(p.out_dims[d])) break;
      ia -= a_stride[d] * index[d];
      ib -= b_stride[d] * index[d];
      index[d] = 0;
    }
  }
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/elementwise.hpp ----
// ---- begin tinynn/ops/quantized/lstm.hpp ----
// tinynn — TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM (float32 evaluation; lives beside the int8 kernels
// because it serves the TFLite importer). Per time step, gates i, f, c, o (TFLite order):
//   i = sigmoid(W_i x + R_i h + p_i (.) c + b_i)      (CIFG, no W_i: i = 1 - f)
//   f = sigmoid(W_f x + R_f h + p_f (.) c + b_f),  g = act(W_c x + R_c h + b_c)
//   c' = clip(f (.) c + i (.) g, cell_clip),  o = sigmoid(W_o x + R_o h + p_o (.) c' + b_o)
//   h' = o (.) act(c'),  then with a projection: h' = clip(P h' + b_p, proj_clip)
// Differences from ONNX LSTM: TFLite clips the cell state (not the pre-activations) and has a
// projection. Layer-normalized LSTMs are not supported (prepare() says so).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tinynn::ops::quantized {

enum class LstmActivation : std::uint8_t { none, relu, relu6, tanh, sigmoid };

struct LstmWeights {
  const float* input_to_gate[4] = {};      // [units, input] each: i, f, c, o (i may be null: CIFG)
  const float* recurrent_to_gate[4] = {};  // [units, output] each
  const float* peephole[3] = {};           // [units]: i, f, o (optional)
  const float* bias[4] = {};               // [units] each (may be null)
  const float* projection = nullptr;       // [output, units] (optional)
  const float* projection_bias = nullptr;  // [output]
};

struct LstmParams {
  std::int32_t batch = 1, time = 1, input = 0, units = 0, output = 0;  // output = units without projection
  bool time_major = false;
  float cell_clip = 0.0f, proj_clip = 0.0f;
  LstmActivation activation = LstmActivation::tanh;
};

[[nodiscard]] inline Status prepare(const LstmParams& p, const LstmWeights& w) {
  if (p.batch < 0 || p.time < 0 || p.input <= 0 || p.units <= 0 || p.output <= 0) {
    return error(ErrorCode::invalid_argument, "LSTM: batch ", p.batch, ", time ", p.time, ", input ", p.input,
                 ", units ", p.units, ", output ", p.output);
  }
  for (int g = 1; g < 4; ++g) {
    if (!w.input_to_gate[g] || !w.recurrent_to_gate[g]) {
      return error(ErrorCode::invalid_argument, "LSTM: gate ", g, " has no input or recurrent weights");
    }
  }
  if (!w.projection && p.output != p.units) {
    return error(ErrorCode::invalid_argument, "LSTM: output size ", p.output, " without a projection needs ", p.units);
  }
  return {};
}

/// Floats of scratch: the four gates and the projection input.
[[nodiscard]] constexpr std::size_t lstm_scratch_size(const LstmParams& p) noexcept {
  return static_cast<std::size_t>(5 * p.units);
}

namespace detail {
inline float lstm_activation(LstmActivation a, float x) noexcept {
  switch (a) {
    case LstmActivation::none: return x;
    case LstmActivation::relu: return x > 0.0f ? x : 0.0f;
    case LstmActivation::relu6: return x < 0.0f ? 0.0f : (x > 6.0f ? 6.0f : x);
    case LstmActivation::tanh: return std::tanh(x);
    case LstmActivation::sigmoid: return 1.0f / (1.0f + std::exp(-x));
  }
  return x;
}
inline float sigmoid(float x) noexcept { return 1.0f / (1.0f + std::exp(-x)); }
inline float clip(float x, float limit) noexcept {
  if (limit <= 0.0f) return x;
  return x < -limit ? -limit : (x > limit ? limit : x);
}
}  // namespace detail

/// x [batch, time, input] (or [time, batch, input]); h [batch, output] and c [batch, units] are the
/// state, read and updated in place; y like x with `output` features.
inline void lstm(backend::scalar, const LstmParams& p, const LstmWeights& w, const float* x, float* h, float* c,
                 float* y, float* scratch) noexcept {
  const auto units = static_cast<std::size_t>(p.units), in = static_cast<std::size_t>(p.input),
             out = static_cast<std::size_t>(p.output);
  float* gate[4] = {scratch, scratch + units, scratch + 2 * units, scratch + 3 * units};
  float* hidden = scratch + 4 * units;
  for (std::int32_t t = 0; t < p.time; ++t) {
    for (std::int32_t b = 0; b < p.batch; ++b) {
      const std::size_t row =
          p.time_major ? static_cast<std::size_t>(t) * p.batch + b : static_cast<std::size_t>(b) * p.time + t;
      const float* xt = x + row * in;
      float* hb = h + static_cast<std::size_t>(b) * out;
      float* cb = c + static_cast<std::size_t>(b) * units;
      for (int g = 0; g < 4; ++g) {
        if (!w.input_to_gate[g]) continue;
        for (std::size_t u = 0; u < units; ++u) {
          float acc = w.bias[g] ? w.bias[g][u] : 0.0f;
          const float* wi = w.input_to_gate[g] + u * in;
          for (std::size_t k = 0; k < in; ++k) acc += wi[k] * xt[k];
          const float* wr = w.recurrent_to_gate[g] + u * out;
          for (std::size_t k = 0; k < out; ++k) acc += wr[k] * hb[k];
          gate[g][u] = acc;
        }
      }
      for (std::size_t u = 0; u < units; ++u) {
        const float f = detail::sigmoid(gate[1][u] + (w.peephole[1] ? w.peephole[1][u] * cb[u] : 0.0f));
        const float i = w.input_to_gate[0]
                            ? detail::sigmoid(gate[0][u] + (w.peephole[0] ? w.peephole[0][u] * cb[u] : 0.0f))
                            : 1.0f - f;
        const float g = detail::lstm_activation(p.activation, gate[2][u]);
        const float cell = detail::clip(f * cb[u] + i * g, p.cell_clip);
        cb[u] = cell;
        const float o = detail::sigmoid(gate[3][u] + (w.peephole[2] ? w.peephole[2][u] * cell : 0.0f));
        hidden[u] = o * detail::lstm_activation(p.activation, cell);
      }
      if (w.projection) {
        for (std::size_t k = 0; k < out; ++k) {
          float acc = w.projection_bias ? w.projection_bias[k] : 0.0f;
          for (std::size_t u = 0; u < units; ++u) acc += w.projection[k * units + u] * hidden[u];
          hb[k] = detail::clip(acc, p.proj_clip);
        }
      } else {
        std::memcpy(hb, hidden, units * sizeof(float));
      }
      std::memcpy(y + row * out, hb, out * sizeof(float));
    }
  }
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/lstm.hpp ----
// ---- begin tinynn/ops/quantized/lstm_integer.hpp ----
// tinynn — TFLite's integer LSTM ("8x8_16": int8 activations and weights, int16 cell state), the
// arithmetic of TFLite's reference UNIDIRECTIONAL_SEQUENCE_LSTM for int8 models (lstm_eval's
// integer 8x8_16 step), without layer normalization:
// - every gate pre-activation is int16 Q3.12: the input and the recurrent contributions are each an
//   int8 dot product plus a folded bias (bias - zero_point * row sum), requantized to 2^-12 and added
//   with int16 saturation; peephole terms (int16 weights x int16 cell) likewise;
// - gates: sigmoid (input, forget, output) and tanh (cell) in gemmlowp's int16 fixed point, Q3.12 in,
//   Q0.15 out; CIFG makes the input gate 1 - forget;
// - cell: c = round(f * c / 2^15) + round(i * g / 2^(30 + cell_scale)) (int16, saturated), then the
//   optional clip; the cell scale must be 2^cell_scale with cell_scale <= -9;
// - hidden: int8 round(o * tanh(c) * 2^-30 / hidden_scale) + hidden_zero_point, where tanh reads the
//   cell with 15 + cell_scale integer bits; with a projection, output = requantized projection of the
//   hidden vector (+ optional clip), else output = hidden.
// Requantization uses multiply_by_quantized_multiplier with the chosen rounding (TFLite: double).

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

namespace tinynn::ops::quantized {

/// gemmlowp's FixedPoint<int16, IntegerBits> as raw int16 values (real = raw * 2^(IntegerBits - 15)).
/// Adds wrap (int16), products are SaturatingRoundingDoublingHighMul, constants are gemmlowp's int32
/// constants rounded to 16 bits (RoundingDivideByPOT by 16).
namespace fixed_point16 {

constexpr std::int16_t wrap(std::int32_t v) noexcept { return static_cast<std::int16_t>(v); }
constexpr std::int16_t add(std::int16_t a, std::int16_t b) noexcept { return wrap(a + b); }
constexpr std::int16_t sub(std::int16_t a, std::int16_t b) noexcept { return wrap(a - b); }
constexpr std::int16_t neg(std::int16_t a) noexcept { return wrap(-a); }
constexpr std::int16_t add_saturating(std::int16_t a, std::int16_t b) noexcept {
  const std::int32_t s = std::int32_t{a} + b;
  return static_cast<std::int16_t>(s > 32767 ? 32767 : (s < -32768 ? -32768 : s));
}
constexpr std::int16_t mul(std::int16_t a, std::int16_t b) noexcept {
  if (a == b && a == std::numeric_limits<std::int16_t>::min()) return std::numeric_limits<std::int16_t>::max();
  const std::int32_t ab = std::int32_t{a} * std::int32_t{b};
  const std::int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<std::int16_t>((ab + nudge) / (1 << 15));
}
constexpr std::int16_t rounding_divide_by_pot(std::int16_t x, int exponent) noexcept {
  const std::int32_t mask = (1 << exponent) - 1;
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<std::int16_t>((x >> exponent) + (remainder > threshold ? 1 : 0));
}
constexpr std::int16_t saturating_rounding_multiply_by_pot(std::int16_t x, int exponent) noexcept {
  if (exponent == 0) return x;
  if (exponent < 0) return rounding_divide_by_pot(x, -exponent);
  const std::int32_t threshold = (1 << (15 - exponent)) - 1;
  if (x > threshold) return std::numeric_limits<std::int16_t>::max();
  if (x < -threshold) return std::numeric_limits<std::int16_t>::min();
  return wrap(static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::int32_t>(x)) << exponent));
}
constexpr std::int16_t rescale(std::int16_t raw, int from_bits, int to_bits) noexcept {
  return saturating_rounding_multiply_by_pot(raw, from_bits - to_bits);
}
constexpr std::int16_t one(int integer_bits) noexcept {
  return integer_bits == 0 ? std::numeric_limits<std::int16_t>::max()
                           : static_cast<std::int16_t>(1 << (15 - integer_bits));
}
/// A gemmlowp int32 constant as an int16 raw value.
constexpr std::int16_t constant(std::int32_t raw32) noexcept {
  return static_cast<std::int16_t>(quantized::rounding_divide_by_pot(raw32, 16));
}
constexpr std::int16_t rounding_half_sum(std::int16_t a, std::int16_t b) noexcept {
  const std::int32_t sum = std::int32_t{a} + b;
  const std::int32_t sign = sum >= 0 ? 1 : -1;
  return static_cast<std::int16_t>((sum + sign) / 2);
}

/// exp(a) for a in [-1/4, 0), Q0.15 in and out (Taylor series around -1/8).
constexpr std::int16_t exp_on_interval_between_negative_one_quarter_and_0_excl(std::int16_t a) noexcept {
  const std::int16_t constant_term = constant(1895147668);     // exp(-1/8)
  const std::int16_t constant_1_over_3 = constant(715827883);  // 1/3
  const std::int16_t x = add(a, std::int16_t{1 << 12});        // a + 1/8
  const std::int16_t x2 = mul(x, x);
  const std::int16_t x3 = mul(x2, x);
  const std::int16_t x4 = mul(x2, x2);
  const std::int16_t x4_over_4 = saturating_rounding_multiply_by_pot(x4, -2);
  const std::int16_t poly =
      saturating_rounding_multiply_by_pot(add(mul(add(x4_over_4, x3), constant_1_over_3), x2), -1);
  return add_saturating(constant_term, mul(constant_term, add(x, poly)));
}

/// exp(a) for a <= 0 given with `integer_bits` integer bits; result Q0.15.
constexpr std::int16_t exp_on_negative_values(std::int16_t a, int integer_bits) noexcept {
  const int fractional_bits = 15 - integer_bits;
  const auto one_quarter = static_cast<std::int16_t>(1 << (fractional_bits - 2));
  const auto mask = static_cast<std::int16_t>(one_quarter - 1);
  const std::int16_t a_mod_quarter_minus_one_quarter = sub(static_cast<std::int16_t>(a & mask), one_quarter);
  std::int16_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
      rescale(a_mod_quarter_minus_one_quarter, integer_bits, 0));
  const std::int16_t remainder = sub(a_mod_quarter_minus_one_quarter, a);
  constexpr std::int32_t multipliers[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int k = 0; k < 7; ++k) {
    const int exponent = k - 2;
    if (integer_bits > exponent) {
      const int shift = fractional_bits + exponent;
      if ((remainder & (1 << shift)) != 0) result = mul(result, constant(multipliers[k]));
    }
  }
  if (integer_bits > 5) {
    const std::int16_t clamp = constant(-(std::int32_t{1} << (36 - integer_bits)));  // -32
    if (a < clamp) result = 0;
  }
  if (a == 0) result = one(0);
  return result;
}

/// 1 / (1 + a) for a in [0, 1], Q0.15 (Newton-Raphson on the half denominator, 3 iterations).
constexpr std::int16_t newton_reciprocal_x2(std::int16_t half_denominator) noexcept {
  const std::int16_t constant_48_over_17 = constant(1515870810);
  const std::int16_t constant_neg_32_over_17 = constant(-1010580540);
  std::int16_t x = add(constant_48_over_17, mul(half_denominator, constant_neg_32_over_17));  // Q2.13
  for (int i = 0; i < 3; ++i) {
    const std::int16_t half_denominator_times_x = mul(half_denominator, x);  // Q2.13
    const std::int16_t one_minus = sub(one(2), half_denominator_times_x);
    x = add(x, rescale(mul(x, one_minus), 4, 2));
  }
  return x;  // Q2.13, 2 / (1 + a)
}
constexpr std::int16_t one_over_one_plus_x_for_x_in_0_1(std::int16_t a) noexcept {
  const std::int16_t x = newton_reciprocal_x2(rounding_half_sum(a, one(0)));
  return rescale(x, 1, 0);  // ExactMulByPot<-1> (Q1.14 view), then Rescale<0>
}
constexpr std::int16_t one_minus_x_over_one_plus_x_for_x_in_0_1(std::int16_t a) noexcept {
  const std::int16_t x = newton_reciprocal_x2(rounding_half_sum(a, one(0)));
  return rescale(sub(x, one(2)), 2, 0);
}

/// gemmlowp::logistic: Q(integer_bits) in, Q0.15 out.
constexpr std::int16_t logistic(std::int16_t a, int integer_bits) noexcept {
  if (a == 0) return constant(1 << 30);  // 0.5
  const bool positive = a > 0;
  const std::int16_t abs_input = positive ? a : neg(a);
  const std::int16_t result_if_positive =
      one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(neg(abs_input), integer_bits));
  return positive ? result_if_positive : sub(one(0), result_if_positive);
}

/// gemmlowp::tanh: Q(integer_bits) in, Q0.15 out.
constexpr std::int16_t tanh(std::int16_t a, int integer_bits) noexcept {
  if (a == 0) return 0;
  const bool negative = a < 0;
  const std::int16_t n = negative ? a : neg(a);
  // -tanh(n) for n <= 0: (1 - e^(2n)) / (1 + e^(2n)); 2n is n read with one more integer bit.
  const std::int16_t t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(n, integer_bits + 1));
  return negative ? neg(t) : t;
}

}  // namespace fixed_point16

/// Shapes, requantization and options of one integer LSTM layer (prepared from the model's scales).
struct IntegerLstmParams {
  std::int32_t batch = 1, time = 1, input = 0, units = 0, output = 0;
  bool time_major = false;
  bool cifg = false, peephole = false, projection = false;
  int cell_scale = -15;                                                  // the cell state's scale is 2^cell_scale
  std::int16_t cell_clip = 0;                                            // quantized; 0 = none
  std::int8_t projection_clip = 0;                                       // quantized; 0 = none
  QuantizedMultiplier input_to_gate[4] = {}, recurrent_to_gate[4] = {};  // gates: input, forget, cell, output
  QuantizedMultiplier cell_to_gate[4] = {};                              // peephole: input, forget, -, output
  QuantizedMultiplier hidden = {}, projection_multiplier = {};
  std::int32_t hidden_zero_point = 0, output_zero_point = 0;
  Rounding rounding = Rounding::double_rounding;
};

/// Weights; the biases are "effective": gate bias - input_zero_point * row sum for the input part,
/// -output_state_zero_point * row sum for the recurrent part (fold_zero_point()).
struct IntegerLstmWeights {
  const std::int8_t* input_to_gate[4] = {};
  const std::int8_t* recurrent_to_gate[4] = {};
  const std::int16_t* cell_to_gate[4] = {};  // peephole (input, forget, -, output)
  const std::int32_t* input_bias[4] = {};
  const std::int32_t* recurrent_bias[4] = {};
  const std::int8_t* projection = nullptr;        // [output][units]
  const std::int32_t* projection_bias = nullptr;  // effective: bias - hidden_zero_point * row sum
};

/// out[r] = (bias ? bias[r] : 0) - zero_point * sum_c w[r][c], in 64 bits then saturated to int32.
inline void fold_zero_point(const std::int8_t* w, std::int32_t rows, std::int32_t cols, const std::int32_t* bias,
                            std::int32_t zero_point, std::int32_t* out) noexcept {
  for (std::int32_t r = 0; r < rows; ++r) {
    std::int64_t sum = 0;
    for (std::int32_t c = 0; c < cols; ++c)
      sum += w[static_cast<std::size_t>(r) * static_cast<std::size_t>(cols) + static_cast<std::size_t>(c)];
    std::int64_t v = (bias ? bias[r] : 0) - std::int64_t{zero_point} * sum;
    if (v > std::numeric_limits<std::int32_t>::max()) v = std::numeric_limits<std::int32_t>::max();
    if (v < std::numeric_limits<std::int32_t>::min()) v = std::numeric_limits<std::int32_t>::min();
    out[r] = static_cast<std::int32_t>(v);
  }
}

/// TFLite's CheckedLog2: the integer exponent of a power-of-two scale (|log2 - round| < 1e-3).
[[nodiscard]] inline bool power_of_two_exponent(double scale, int& exponent) noexcept {
  if (!(scale > 0.0) || !(scale < 1e30)) return false;
  const double l = std::log2(scale);
  const double rounded = std::round(l);
  exponent = static_cast<int>(rounded);
  return std::fabs(l - rounded) < 1e-3;
}

[[nodiscard]] inline Status prepare(const IntegerLstmParams& p, const IntegerLstmWeights& w) {
  if (p.batch <= 0 || p.time < 0 || p.input <= 0 || p.units <= 0 || p.output <= 0) {
    return error(ErrorCode::invalid_model, "integer LSTM: bad sizes (batch ", p.batch, ", time ", p.time, ", input ",
                 p.input, ", units ", p.units, ", output ", p.output, ")");
  }
  if (p.input > 32768 || p.units > 32768 || p.output > 32768) {
    return error(ErrorCode::unsupported, "integer LSTM: dot products longer than 32768");
  }
  if (p.cell_scale > -9 || p.cell_scale < -30) {
    return error(ErrorCode::unsupported, "integer LSTM: cell state scale 2^", p.cell_scale,
                 " (2^-30 .. 2^-9 supported)");
  }
  for (int g = 0; g < 4; ++g) {
    if (g == 0 && p.cifg) continue;
    if (!w.input_to_gate[g] || !w.recurrent_to_gate[g] || !w.input_bias[g] || !w.recurrent_bias[g]) {
      return error(ErrorCode::invalid_model, "integer LSTM: gate ", g, " weights missing");
    }
    if (p.peephole && g != 2 && !w.cell_to_gate[g]) {
      return error(ErrorCode::invalid_model, "integer LSTM: peephole weights of gate ", g, " missing");
    }
  }
  if (p.projection && (!w.projection || !w.projection_bias)) {
    return error(ErrorCode::invalid_model, "integer LSTM: projection weights missing");
  }
  if (!p.projection && p.output != p.units) {
    return error(ErrorCode::invalid_model, "integer LSTM: output size ", p.output, " != units ", p.units,
                 " without a projection");
  }
  return {};
}

/// Scratch elements (int32-sized) for lstm_integer(): 4 int16 gate rows, an int8 hidden row.
[[nodiscard]] constexpr std::size_t lstm_integer_scratch_bytes(const IntegerLstmParams& p) noexcept {
  return static_cast<std::size_t>(p.units) * (4 * sizeof(std::int16_t) + 2 * sizeof(std::int8_t)) + 16;
}

namespace detail {

/// gate[r] = sat16(gate[r] + requantize(bias[r] + sum_c x[c] w[r][c])) (TFLite's int16 accumulate).
inline void lstm_gate_accumulate(const std::int8_t* x, std::int32_t cols, const std::int8_t* w,
                                 const std::int32_t* bias, QuantizedMultiplier m, Rounding rounding, std::int32_t rows,
                                 std::int16_t* gate) noexcept {
  for (std::int32_t r = 0; r < rows; ++r) {
    const std::int8_t* row = w + static_cast<std::size_t>(r) * static_cast<std::size_t>(cols);
    std::int32_t acc = bias[r];
    for (std::int32_t c = 0; c < cols; ++c) acc += std::int32_t{x[c]} * row[c];
    const std::int32_t v = multiply_by_quantized_multiplier(acc, m, rounding) + gate[r];
    gate[r] = static_cast<std::int16_t>(clamp_i32(v, -32768, 32767));
  }
}

}  // namespace detail

/// One layer over the sequence: input [batch][time][input] (or [time][batch][input] when
/// time_major), state h [batch][output] int8 and c [batch][units] int16 (updated in place),
/// output like the input with `output` features. scratch: lstm_integer_scratch_bytes(p) bytes.
template <backend::Backend B>
void lstm_integer(B, const IntegerLstmParams& p, const IntegerLstmWeights& w, const std::int8_t* input,
                  std::int8_t* h_state, std::int16_t* c_state, std::int8_t* output, void* scratch) noexcept {
  namespace fp = fixed_point16;
  const auto units = static_cast<std::size_t>(p.units);
  auto* gates = static_cast<std::int16_t*>(scratch);  // [4][units]
  auto* hidden = reinterpret_cast<std::int8_t*>(gates + 4 * units);
  const int cell_bits = 15 + p.cell_scale;  // integer bits of the cell state as a Q value
  for (std::int32_t b = 0; b < p.batch; ++b) {
    std::int8_t* h = h_state + static_cast<std::size_t>(b) * static_cast<std::size_t>(p.output);
    std::int16_t* c = c_state + static_cast<std::size_t>(b) * units;
    for (std::int32_t t = 0; t < p.time; ++t) {
      const std::size_t step =
          p.time_major ? static_cast<std::size_t>(t) * static_cast<std::size_t>(p.batch) + static_cast<std::size_t>(b)
                       : static_cast<std::size_t>(b) * static_cast<std::size_t>(p.time) + static_cast<std::size_t>(t);
      const std::int8_t* x = input + step * static_cast<std::size_t>(p.input);
      std::int8_t* y = output + step * static_cast<std::size_t>(p.output);
      std::memset(gates, 0, 4 * units * sizeof(std::int16_t));
      // Pre-activations of input (unless CIFG), forget, cell and output gates; peepholes of the
      // input and forget gates read the previous cell state.
      for (int g = 0; g < 4; ++g) {
        if (g == 0 && p.cifg) continue;
        std::int16_t* gate = gates + static_cast<std::size_t>(g) * units;
        detail::lstm_gate_accumulate(x, p.input, w.input_to_gate[g], w.input_bias[g], p.input_to_gate[g], p.rounding,
                                     p.units, gate);
        detail::lstm_gate_accumulate(h, p.output, w.recurrent_to_gate[g], w.recurrent_bias[g], p.recurrent_to_gate[g],
                                     p.rounding, p.units, gate);
        if (p.peephole && (g == 0 || g == 1)) {
          for (std::size_t r = 0; r < units; ++r) {
            const std::int32_t v = multiply_by_quantized_multiplier(std::int32_t{w.cell_to_gate[g][r]} * c[r],
                                                                    p.cell_to_gate[g], p.rounding) +
                                   gate[r];
            gate[r] = static_cast<std::int16_t>(clamp_i32(v, -32768, 32767));
          }
        }
      }
      std::int16_t* ig = gates;
      std::int16_t* fg = gates + units;
      std::int16_t* cg = gates + 2 * units;
      std::int16_t* og = gates + 3 * units;
      for (std::size_t r = 0; r < units; ++r) {
        fg[r] = fp::logistic(fg[r], 3);
        cg[r] = fp::tanh(cg[r], 3);
        ig[r] = p.cifg ? static_cast<std::int16_t>(32767 - fg[r]) : fp::logistic(ig[r], 3);
      }
      // Cell update.
      for (std::size_t r = 0; r < units; ++r) {
        const auto kept = static_cast<std::int16_t>(rounding_divide_by_pot(std::int32_t{fg[r]} * c[r], 15));
        const auto added =
            static_cast<std::int16_t>(rounding_divide_by_pot(std::int32_t{ig[r]} * cg[r], 30 + p.cell_scale));
        std::int32_t v = clamp_i32(std::int32_t{kept} + added, -32768, 32767);
        if (p.cell_clip > 0) v = clamp_i32(v, -p.cell_clip, p.cell_clip);
        c[r] = static_cast<std::int16_t>(v);
      }
      // Output gate (its peephole reads the updated cell), hidden state.
      if (p.peephole) {
        for (std::size_t r = 0; r < units; ++r) {
          const std::int32_t v = multiply_by_quantized_multiplier(std::int32_t{w.cell_to_gate[3][r]} * c[r],
                                                                  p.cell_to_gate[3], p.rounding) +
                                 og[r];
          og[r] = static_cast<std::int16_t>(clamp_i32(v, -32768, 32767));
        }
      }
      for (std::size_t r = 0; r < units; ++r) {
        const std::int16_t o = fp::logistic(og[r], 3);
        const std::int16_t tc = fp::tanh(c[r], cell_bits);
        const std::int32_t v =
            multiply_by_quantized_multiplier(std::int32_t{o} * tc, p.hidden, p.rounding) + p.hidden_zero_point;
        hidden[r] = static_cast<std::int8_t>(clamp_i32(v, -128, 127));
      }
      if (p.projection) {
        for (std::int32_t r = 0; r < p.output; ++r) {
          const std::int8_t* row = w.projection + static_cast<std::size_t>(r) * units;
          std::int32_t acc = w.projection_bias[r];
          for (std::size_t k = 0; k < units; ++k) acc += std::int32_t{hidden[k]} * row[k];
          std::int32_t v = clamp_i32(
              multiply_by_quantized_multiplier(acc, p.projection_multiplier, p.rounding) + p.output_zero_point, -128,
              127);
          if (p.projection_clip > 0) v = clamp_i32(v, -p.projection_clip, p.projection_clip);
          h[r] = static_cast<std::int8_t>(v);
        }
      } else {
        std::memcpy(h, hidden, units);
      }
      std::memcpy(y, h, static_cast<std::size_t>(p.output));
    }
  }
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/lstm_integer.hpp ----
// ---- begin tinynn/ops/quantized/mean.hpp ----
// tinynn — int8/uint8 mean over a set of axes (TFLite's integer MEAN):
//   acc = sum over the reduced elements of (q - z_in)
//   out = clamp(round_half_away(requantize(acc, s_in / s_out) / count) + z_out)

#include <cstddef>
#include <cstdint>

namespace tinynn::ops::quantized {

inline constexpr std::size_t max_reduce_rank = 6;

struct MeanParams {
  std::size_t rank = 0;
  std::int64_t input_dims[max_reduce_rank] = {};
  bool reduce[max_reduce_rank] = {};
  std::int32_t input_zero_point = 0, output_zero_point = 0;
  QuantizedMultiplier multiplier{};  // input_scale / output_scale
  Rounding rounding = Rounding::double_rounding;
  QuantizedRange range{};
};

[[nodiscard]] inline Status prepare(const MeanParams& p) {
  if (p.rank == 0 || p.rank > max_reduce_rank) {
    return error(ErrorCode::unsupported, "quantized mean: rank ", p.rank, " (at most ", max_reduce_rank, ")");
  }
  std::int64_t count = 1;
  for (std::size_t d = 0; d < p.rank; ++d) {
    if (p.input_dims[d] <= 0) return error(ErrorCode::invalid_argument, "quantized mean: empty dimension ", d);
    if (p.reduce[d]) count *= p.input_dims[d];
  }
  if (count > (std::int64_t{1} << 23)) {
    return error(ErrorCode::unsupported, "quantized mean: ", count, " reduced elements overflow the int32 accumulator");
  }
  return {};
}

/// Output is laid out as the input with every reduced dimension of size 1 (keep_dims or not).
template <class T>
void mean(backend::scalar, const MeanParams& p, const T* TINYNN_RESTRICT input, T* TINYNN_RESTRICT output) noexcept {
  std::size_t stride[max_reduce_rank] = {};
  std::size_t running = 1;
  for (std::size_t d = p.rank; d-- > 0;) {
    stride[d] = running;
    running *= static_cast<std::size_t>(p.input_dims[d]);
  }
  std::size_t outputs = 1, count = 1;
  for (std::size_t d = 0; d < p.rank; ++d) {
    (p.reduce[d] ? count : outputs) *= static_cast<std::size_t>(p.input_dims[d]);
  }
  const auto n = static_cast<std::int32_t>(count);
  std::size_t kept[max_reduce_rank] = {};
  for (std::size_t o = 0; o < outputs; ++o) {
    std::size_t base = 0;
    for (std::size_t d = 0; d < p.rank; ++d) base += p.reduce[d] ? 0 : kept[d] * stride[d];
    std::size_t reduced[max_reduce_rank] = {};
    std::int32_t acc = 0;
    for (std::size_t r = 0; r < count; ++r) {
      std::size_t offset = base;
      for (std::size_t d = 0; d < p.rank; ++d) offset += p.reduce[d] ? reduced[d] * stride[d] : 0;
      acc += static_cast<std::int32_t>(input[offset]) - p.input_zero_point;
      for (std::size_t d = p.rank; d-- > 0;) {
        if (!p.reduce[d]) continue;
        if (++reduced[d] < static_cast<std::size_t>(p.input_dims[d])) break;
        reduced[d] = 0;
      }
    }
    acc = multiply_by_quantized_multiplier(acc, p.multiplier, p.rounding);
    acc = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
    output[o] = static_cast<T>(clamp_i32(acc + p.output_zero_point, p.range.min, p.range.max));
    for (std::size_t d = p.rank; d-- > 0;) {
      if (p.reduce[d]) continue;
      if (++kept[d] < static_cast<std::size_t>(p.input_dims[d])) break;
      kept[d] = 0;
    }
  }
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/mean.hpp ----
// ---- begin tinynn/ops/quantized/pad.hpp ----
// tinynn — constant padding of an 8-bit quantized tensor (TFLite PAD / PADV2): the padded border
// holds the output zero point (PAD: real 0.0) or the quantized constant (PADV2).
//   out[i] = in[i - before] inside, pad_value outside

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tinynn::ops::quantized {

inline constexpr std::size_t max_pad_rank = 6;

struct PadParams {
  std::size_t rank = 0;
  std::int64_t input_dims[max_pad_rank] = {};
  std::int64_t before[max_pad_rank] = {};
  std::int64_t after[max_pad_rank] = {};

  [[nodiscard]] constexpr std::int64_t output_dim(std::size_t d) const noexcept {
    return input_dims[d] + before[d] + after[d];
  }
};

[[nodiscard]] inline Status prepare(const PadParams& p) {
  if (p.rank == 0 || p.rank > max_pad_rank) {
    return error(ErrorCode::unsupported, "quantized pad: rank ", p.rank, " (at most ", max_pad_rank, ")");
  }
  for (std::size_t d = 0; d < p.rank; ++d) {
    if (p.before[d] < 0 || p.after[d] < 0 || p.input_dims[d] < 0) {
      return error(ErrorCode::invalid_argument, "quantized pad: dimension ", d, " has negative size or padding (",
                   p.input_dims[d], ", ", p.before[d], ", ", p.after[d], ")");
    }
  }
  return {};
}

/// Works for any 1-byte element type (int8, uint8).
template <class T>
void pad(backend::scalar, const PadParams& p, const T* TINYNN_RESTRICT input, T pad_value,
         T* TINYNN_RESTRICT output) noexcept {
  std::size_t total = 1;
  for (std::size_t d = 0; d < p.rank; ++d) total *= static_cast<std::size_t>(p.output_dim(d));
  for (std::size_t i = 0; i < total; ++i) output[i] = pad_value;
  // Copy the input row by row (rows along the last dimension).
  const std::size_t last = p.rank - 1;
  const auto row = static_cast<std::size_t>(p.input_dims[last]);
  std::size_t rows = 1;
  for (std::size_t d = 0; d < last; ++d) rows *= static_cast<std::size_t>(p.input_dims[d]);
  if (row == 0) return;
  std::size_t index[max_pad_rank] = {};
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t offset = 0;
    for (std::size_t d = 0; d < p.rank; ++d) {
      const std::size_t i = d == last ? 0 : index[d];
      offset = offset * static_cast<std::size_t>(p.output_dim(d)) + i + static_cast<std::size_t>(p.before[d]);
    }
    std::memcpy(output + offset, input + r * row, row * sizeof(T));
    for (std::size_t d = last; d-- > 0;) {
      if (++index[d] < static_cast<std::size_t>(p.input_dims[d])) break;
      index[d] = 0;
    }
  }
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/pad.hpp ----
// ---- begin tinynn/ops/quantized/quantize.hpp ----
// tinynn — conversions between float and quantized tensors, and between quantizations
// (TFLite's QUANTIZE / DEQUANTIZE semantics):
//   quantize:   q = clamp(round_half_away(x / s) + z)          (float division, as TFLite)
//   dequantize: x = float(double(s) * (q - z))
//   requantize: q' = clamp(requantize(q - z, s / s') + z')     (fixed-point multiplier)

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace tinynn::ops::quantized {

template <class T>
void quantize(backend::scalar, const float* TINYNN_RESTRICT input, T* TINYNN_RESTRICT output, std::size_t count,
              float scale, std::int32_t zero_point) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    const float q = std::round(input[i] / scale);
    std::int32_t value = 0;
    if (q >= 2147483647.0f) {
      value = quantized_max<T>;
    } else if (q <= -2147483648.0f || std::isnan(q)) {
      value = q != q ? zero_point : quantized_min<T>;
    } else {
      const std::int64_t wide = static_cast<std::int64_t>(q) + zero_point;
      value = wide > quantized_max<T> ? quantized_max<T>
                                      : (wide < quantized_min<T> ? quantized_min<T> : static_cast<std::int32_t>(wide));
    }
    output[i] = static_cast<T>(clamp_i32(value, quantized_min<T>, quantized_max<T>));
  }
}

template <class T>
void dequantize(backend::scalar, const T* TINYNN_RESTRICT input, float* TINYNN_RESTRICT output, std::size_t count,
                float scale, std::int32_t zero_point) noexcept {
  const double s = static_cast<double>(scale);
  for (std::size_t i = 0; i < count; ++i) {
    output[i] = static_cast<float>(s * static_cast<double>(static_cast<std::int32_t>(input[i]) - zero_point));
  }
}

struct RequantizeParams {
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  QuantizedMultiplier multiplier{};  // input_scale / output_scale
  Rounding rounding = Rounding::double_rounding;
};

[[nodiscard]] constexpr RequantizeParams requantize_params(double input_scale, std::int32_t input_zero_point,
                                                           double output_scale, std::int32_t output_zero_point,
                                                           Rounding rounding = Rounding::double_rounding) noexcept {
  return {input_zero_point, output_zero_point, quantize_multiplier(input_scale / output_scale, rounding), rounding};
}

/// In and Out may differ (int8 <-> uint8, as TFLite's QUANTIZE between integer types).
template <class In, class Out>
void requantize(backend::scalar, const RequantizeParams& p, const In* input, Out* output, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    const std::int32_t x = static_cast<std::int32_t>(input[i]) - p.input_zero_point;
    const std::int32_t y = multiply_by_quantized_multiplier(x, p.multiplier, p.rounding) + p.output_zero_point;
    output[i] = static_cast<Out>(clamp_i32(y, quantized_min<Out>, quantized_max<Out>));
  }
}

}  // namespace tinynn::ops::quantized

// ---- end tinynn/ops/quantized/quantize.hpp ----
// ---- begin tinynn/ops/reduce.hpp ----
// tinynn — reductions over any set of axes.
//   y[kept idx] = fold over the reduced axes of x: sum, mean, max, min, prod, sum of squares,
//   L1 = sum |x|, L2 = sqrt(sum x^2). keepdims keeps reduced axes as size 1.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

namespace tinynn::ops {

enum class ReduceOp : std::uint8_t { sum, mean, max, min, prod, sum_square, l1, l2 };
namespace detail {
[[nodiscard]] constexpr float reduce_identity(ReduceOp op) noexcept {
  switch (op) {
    case ReduceOp::max: return -std::numeric_limits<float>::infinity();
    case ReduceOp::min: return std::numeric_limits<float>::infinity();
    case ReduceOp::prod: return 1.0f;
    default: return 0.0f;
  }
}
template <ReduceOp Op>
[[nodiscard]] inline float reduce_step(float acc, float x) noexcept {
  if constexpr (Op == ReduceOp::max) return (x > acc || x != x) ? x : acc;
  if constexpr (Op == ReduceOp::min) return (x < acc || x != x) ? x : acc;
  if constexpr (Op == ReduceOp::prod) return acc * x;
  if constexpr (Op == ReduceOp::sum_square || Op == ReduceOp::l2) return acc + x * x;
  if constexpr (Op == ReduceOp::l1) return acc + std::fabs(x);
  if constexpr (Op == ReduceOp::sum || Op == ReduceOp::mean) return acc + x;
}
template <ReduceOp Op, class P>
inline void reduce_fold(const P& p, const float* x, float* y) noexcept {
  const std::size_t rank = p.input.rank();
  std::array<std::ptrdiff_t, max_rank> out_stride{};
  std::ptrdiff_t running = 1;
  for (std::size_t i = rank; i-- > 0;) {
    if (p.axes_mask & (1u << i)) continue;
    out_stride[i] = running;
    running *= static_cast<std::ptrdiff_t>(p.input[i]);
  }
  StridedLoop<2> loop;
  for (std::size_t i = 0; i < rank; ++i) {
    loop.push(static_cast<std::size_t>(p.input[i]), {static_cast<std::ptrdiff_t>(p.input.stride(i)), out_stride[i]});
  }
  const std::size_t n = loop.inner_extent();
  const bool inner_reduced = loop.inner_stride(1) == 0;
  loop.for_each_row([&](const std::array<std::ptrdiff_t, 2>& offset) {
    const float* in = x + offset[0];
    float* out = y + offset[1];
    if (inner_reduced) {
      float acc = *out;
      for (std::size_t i = 0; i < n; ++i) acc = reduce_step<Op>(acc, in[i]);
      *out = acc;
    } else {
      for (std::size_t i = 0; i < n; ++i) out[i] = reduce_step<Op>(out[i], in[i]);
    }
  });
}
}  // namespace detail

namespace reduce {

struct Params {
  ReduceOp op = ReduceOp::sum;
  bool keepdims = true;
  DynShape input;
  std::uint32_t axes_mask = 0;  // set by prepare(): bit i = axis i is reduced
  DynShape output;              // set by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Sets the reduced axes (negative ones count from the end; duplicates are an error) and p.output.
/// Empty `axes`: every axis is reduced, unless `noop_with_empty_axes` (ONNX), which reduces none.
[[nodiscard]] inline Status prepare(Params& p, std::span<const std::int64_t> axes, bool noop_with_empty_axes = false) {
  const std::size_t rank = p.input.rank();
  std::uint32_t mask = 0;
  if (axes.empty()) {
    mask = noop_with_empty_axes ? 0u : (rank ? ((1u << rank) - 1u) : 0u);
  }
  for (std::int64_t axis : axes) {
    const std::int64_t a = detail::normalize_axis(axis, rank);
    if (a < 0) return error(ErrorCode::invalid_argument, "reduce: axis ", axis, " is out of range for shape ", p.input);
    if (mask & (1u << a)) return error(ErrorCode::invalid_argument, "reduce: axis ", axis, " is repeated");
    mask |= 1u << a;
  }
  p.axes_mask = mask;
  p.output = DynShape{};
  for (std::size_t i = 0; i < rank; ++i) {
    if (!(mask & (1u << i))) {
      (void)p.output.push_back(p.input[i]);
    } else if (p.keepdims) {
      (void)p.output.push_back(1);
    }
  }
  return {};
}

/// y = reduce(x) over p's axes (scalar code on every backend for now).
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* x, float* y) noexcept {
  const std::size_t out_size = p.output.size();
  const float init = detail::reduce_identity(p.op);
  for (std::size_t i = 0; i < out_size; ++i) y[i] = init;
  if (p.input.size() != 0) {
    switch (p.op) {
      case ReduceOp::sum: detail::reduce_fold<ReduceOp::sum>(p, x, y); break;
      case ReduceOp::mean: detail::reduce_fold<ReduceOp::mean>(p, x, y); break;
      case ReduceOp::max: detail::reduce_fold<ReduceOp::max>(p, x, y); break;
      case ReduceOp::min: detail::reduce_fold<ReduceOp::min>(p, x, y); break;
      case ReduceOp::prod: detail::reduce_fold<ReduceOp::prod>(p, x, y); break;
      case ReduceOp::sum_square: detail::reduce_fold<ReduceOp::sum_square>(p, x, y); break;
      case ReduceOp::l1: detail::reduce_fold<ReduceOp::l1>(p, x, y); break;
      case ReduceOp::l2: detail::reduce_fold<ReduceOp::l2>(p, x, y); break;
    }
  }
  if (p.op == ReduceOp::mean) {
    const std::size_t count = out_size ? p.input.size() / out_size : 0;
    const float scale = count ? 1.0f / static_cast<float>(count) : std::numeric_limits<float>::quiet_NaN();
    for (std::size_t i = 0; i < out_size; ++i) y[i] *= scale;
  } else if (p.op == ReduceOp::l2) {
    for (std::size_t i = 0; i < out_size; ++i) y[i] = std::sqrt(y[i]);
  }
}

inline void run(backend::BackendId id, const Params& p, const float* x, float* y) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, x, y); });
}

}  // namespace reduce
}  // namespace tinynn::ops

// ---- end tinynn/ops/reduce.hpp ----
// ---- begin tinynn/ops/resize.hpp ----
// tinynn — spatial resize of NHWC images (ONNX Resize over H and W; N and C unchanged).
//   x_in = transform(x_out, scale, in_len, out_len) per axis (ONNX coordinate_transformation_mode);
//   nearest: x[round_mode(x_in)]; linear: bilinear blend of the two neighbours per axis (edges clamp).

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace tinynn::ops {

enum class ResizeMode : std::uint8_t { nearest, linear };
enum class CoordinateTransform : std::uint8_t {
  half_pixel,
  pytorch_half_pixel,
  align_corners,
  asymmetric,
  tf_half_pixel_for_nn,
};
enum class NearestRounding : std::uint8_t { round_prefer_floor, round_prefer_ceil, floor, ceil };
namespace detail {
// Coordinates in double, as ONNX's reference evaluates them: a float computation lands on the other
// side of a rounding boundary for some scales (e.g. 7/3) and picks another source pixel.
[[nodiscard]] inline double resize_source(CoordinateTransform t, std::int64_t out, double scale, std::int64_t in_len,
                                          std::int64_t out_len) noexcept {
  const auto o = static_cast<double>(out);
  switch (t) {
    case CoordinateTransform::half_pixel: return (o + 0.5) / scale - 0.5;
    case CoordinateTransform::pytorch_half_pixel: return out_len > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
    case CoordinateTransform::align_corners:
      return out_len > 1 ? o * static_cast<double>(in_len - 1) / static_cast<double>(out_len - 1) : 0.0;
    case CoordinateTransform::asymmetric: return o / scale;
    case CoordinateTransform::tf_half_pixel_for_nn: return (o + 0.5) / scale;
  }
  return o;
}
[[nodiscard]] inline std::int64_t resize_nearest(NearestRounding r, double v, std::int64_t in_len) noexcept {
  double i = 0;
  switch (r) {
    case NearestRounding::round_prefer_floor: i = (v - std::floor(v) == 0.5) ? std::floor(v) : std::round(v); break;
    case NearestRounding::round_prefer_ceil: i = (v - std::floor(v) == 0.5) ? std::ceil(v) : std::round(v); break;
    case NearestRounding::floor: i = std::floor(v); break;
    case NearestRounding::ceil: i = std::ceil(v); break;
  }
  if (!(i >= 0.0)) return 0;
  if (i >= static_cast<double>(in_len)) return in_len - 1;
  return static_cast<std::int64_t>(i);
}
struct LinearTap {
  std::int64_t i0, i1;
  float w1;  // weight of i1; i0 gets 1 - w1
};
[[nodiscard]] inline LinearTap resize_linear(double v, std::int64_t in_len) noexcept {
  const auto hi = static_cast<double>(in_len - 1);
  v = v < 0.0 ? 0.0 : (v > hi ? hi : v);
  const auto i0 = static_cast<std::int64_t>(v);
  const std::int64_t i1 = i0 + 1 < in_len ? i0 + 1 : i0;
  return {i0, i1, static_cast<float>(v - static_cast<double>(i0))};
}
}  // namespace detail

namespace resize {

struct Params {
  ResizeMode mode = ResizeMode::nearest;
  CoordinateTransform transform = CoordinateTransform::half_pixel;
  NearestRounding rounding = NearestRounding::round_prefer_floor;
  DynShape input;                   // [N, H, W, C]
  DynShape output;                  // [N, OH, OW, C]: set by prepare() from the scales or given sizes
  double scale_h = 0, scale_w = 0;  // output/input; 0 = derived from the sizes by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Give either p.scale_h/scale_w (> 0: output = floor(input * scale), ONNX) or output sizes out_h,
/// out_w (> 0, with p.scale_* = 0: scale = out / in).
[[nodiscard]] inline Status prepare(Params& p, std::int64_t out_h = 0, std::int64_t out_w = 0) {
  if (p.input.rank() != 4) {
    return error(ErrorCode::invalid_argument, "resize: input must be NHWC (rank 4), found ", p.input);
  }
  const std::int64_t h = p.input[1], w = p.input[2];
  if (out_h > 0 && out_w > 0) {
    if (p.scale_h <= 0) p.scale_h = h ? static_cast<double>(out_h) / static_cast<double>(h) : 1.0;
    if (p.scale_w <= 0) p.scale_w = w ? static_cast<double>(out_w) / static_cast<double>(w) : 1.0;
  } else {
    if (!(p.scale_h > 0) || !(p.scale_w > 0) || !std::isfinite(p.scale_h) || !std::isfinite(p.scale_w)) {
      return error(ErrorCode::invalid_argument, "resize: scales ", p.scale_h, ", ", p.scale_w,
                   " must be positive and finite (or give output sizes)");
    }
    out_h = static_cast<std::int64_t>(std::floor(static_cast<double>(h) * p.scale_h));
    out_w = static_cast<std::int64_t>(std::floor(static_cast<double>(w) * p.scale_w));
  }
  if (out_h > (std::int64_t{1} << 24) || out_w > (std::int64_t{1} << 24)) {
    return error(ErrorCode::invalid_argument, "resize: output ", out_h, "x", out_w, " is too large");
  }
  if ((h == 0 || w == 0) && out_h * out_w != 0) {
    return error(ErrorCode::invalid_argument, "resize: cannot resize the empty image ", p.input, " to ", out_h, "x",
                 out_w);
  }
  p.output = DynShape{p.input[0], out_h, out_w, p.input[3]};
  return {};
}

/// Resizes x (p.input) into y (p.output).
template <backend::Backend B = backend::native>
inline void run(const Params& p, const float* x, float* y) noexcept {
  const std::int64_t batch = p.input[0], h = p.input[1], w = p.input[2];
  const std::int64_t oh = p.output[1], ow = p.output[2];
  const auto c = static_cast<std::size_t>(p.input[3]);
  for (std::int64_t n = 0; n < batch; ++n) {
    const float* image = x + static_cast<std::size_t>(n * h * w) * c;
    for (std::int64_t oy = 0; oy < oh; ++oy) {
      const double sy = detail::resize_source(p.transform, oy, p.scale_h, h, oh);
      if (p.mode == ResizeMode::nearest) {
        const std::int64_t iy = detail::resize_nearest(p.rounding, sy, h);
        for (std::int64_t ox = 0; ox < ow; ++ox, y += c) {
          const double sx = detail::resize_source(p.transform, ox, p.scale_w, w, ow);
          const std::int64_t ix = detail::resize_nearest(p.rounding, sx, w);
          const float* src = image + static_cast<std::size_t>(iy * w + ix) * c;
          for (std::size_t i = 0; i < c; ++i) y[i] = src[i];
        }
        continue;
      }
      const detail::LinearTap ty = detail::resize_linear(sy, h);
      const float* row0 = image + static_cast<std::size_t>(ty.i0 * w) * c;
      const float* row1 = image + static_cast<std::size_t>(ty.i1 * w) * c;
      for (std::int64_t ox = 0; ox < ow; ++ox, y += c) {
        const detail::LinearTap tx = detail::resize_linear(detail::resize_source(p.transform, ox, p.scale_w, w, ow), w);
        const float* a = row0 + static_cast<std::size_t>(tx.i0) * c;
        const float* b = row0 + static_cast<std::size_t>(tx.i1) * c;
        const float* d = row1 + static_cast<std::size_t>(tx.i0) * c;
        const float* e = row1 + static_cast<std::size_t>(tx.i1) * c;
        const float wx1 = tx.w1, wx0 = 1.0f - tx.w1, wy1 = ty.w1, wy0 = 1.0f - ty.w1;
        for (std::size_t i = 0; i < c; ++i) {
          y[i] = wy0 * (wx0 * a[i] + wx1 * b[i]) + wy1 * (wx0 * d[i] + wx1 * e[i]);
        }
      }
    }
  }
}

inline void run(backend::BackendId id, const Params& p, const float* x, float* y) noexcept {
  backend::dispatch(id, [&](auto tag) { run<decltype(tag)>(p, x, y); });
}

}  // namespace resize
}  // namespace tinynn::ops

// ---- end tinynn/ops/resize.hpp ----
// ---- begin tinynn/ops/rnn.hpp ----
// tinynn — recurrent layers with ONNX semantics: LSTM (gates i,o,f,c), GRU (gates z,r,h) and the
// simple RNN; forward / reverse / bidirectional, initial states, per-batch sequence lengths, LSTM
// peepholes and input_forget, GRU linear_before_reset, named activations, cell clip.
//   LSTM: i,f,o = f(W x + R h + b [+ p (.) c]), g = g(...), c' = f (.) c + i (.) g, h' = o (.) h(c')
//   GRU:  z,r = f(W x + R h + b), n = g(W x + R (r (.) h) + b)  [or r (.) (R h + Rb)], h' = (1-z) (.) n + z (.) h

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#if TINYNN_HAS_X86_KERNELS
#include <immintrin.h>
#endif

namespace tinynn::ops {
namespace recurrent {

enum class Direction : std::uint8_t { forward, reverse, bidirectional };

/// The activation functions ONNX allows in RNN/GRU/LSTM, with their alpha/beta.
enum class ActivationKind : std::uint8_t {
  sigmoid,
  tanh,
  relu,
  affine,            // alpha x + beta
  leaky_relu,        // x >= 0 ? x : alpha x
  thresholded_relu,  // x > alpha ? x : 0
  scaled_tanh,       // alpha tanh(beta x)
  hard_sigmoid,      // clamp(alpha x + beta, 0, 1)
  elu,               // x >= 0 ? x : alpha (e^x - 1)
  softsign,          // x / (1 + |x|)
  softplus,          // log(1 + e^x)
};

struct Activation {
  ActivationKind kind = ActivationKind::sigmoid;
  float alpha = 0.0f, beta = 0.0f;
  friend constexpr bool operator==(const Activation&, const Activation&) = default;
};

/// ONNX activation name (case-sensitive, as in the spec: "Sigmoid", "Tanh", "Relu", "Affine",
/// "LeakyRelu", "ThresholdedRelu", "ScaledTanh", "HardSigmoid", "Elu", "Softsign", "Softplus");
/// alpha/beta may be null for the ONNX defaults.
[[nodiscard]] inline Result<Activation> activation_from_name(std::string_view name, const float* alpha = nullptr,
                                                             const float* beta = nullptr) {
  struct Entry {
    std::string_view name;
    ActivationKind kind;
    float alpha, beta;
  };
  constexpr Entry table[] = {
      {"Sigmoid", ActivationKind::sigmoid, 0, 0},
      {"Tanh", ActivationKind::tanh, 0, 0},
      {"Relu", ActivationKind::relu, 0, 0},
      {"Affine", ActivationKind::affine, 1.0f, 0.0f},
      {"LeakyRelu", ActivationKind::leaky_relu, 0.01f, 0},
      {"ThresholdedRelu", ActivationKind::thresholded_relu, 1.0f, 0},
      {"ScaledTanh", ActivationKind::scaled_tanh, 1.0f, 1.0f},
      {"HardSigmoid", ActivationKind::hard_sigmoid, 0.2f, 0.5f},
      {"Elu", ActivationKind::elu, 1.0f, 0},
      {"Softsign", ActivationKind::softsign, 0, 0},
      {"Softplus", ActivationKind::softplus, 0, 0},
  };
  for (const Entry& e : table) {
    if (e.name == name) return Activation{e.kind, alpha ? *alpha : e.alpha, beta ? *beta : e.beta};
  }
  return error(ErrorCode::unsupported, "recurrent activation '", name, "' is not one ONNX defines");
}

[[nodiscard]] inline float apply(const Activation& a, float x) noexcept {
  switch (a.kind) {
    case ActivationKind::sigmoid: return x >= 0.0f ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x));
    case ActivationKind::tanh: return std::tanh(x);
    case ActivationKind::relu: return x > 0.0f ? x : 0.0f;
    case ActivationKind::affine: return a.alpha * x + a.beta;
    case ActivationKind::leaky_relu: return x >= 0.0f ? x : a.alpha * x;
    case ActivationKind::thresholded_relu: return x > a.alpha ? x : 0.0f;
    case ActivationKind::scaled_tanh: return a.alpha * std::tanh(a.beta * x);
    case ActivationKind::hard_sigmoid: {
      const float v = a.alpha * x + a.beta;
      return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
    }
    case ActivationKind::elu: return x >= 0.0f ? x : a.alpha * std::expm1(x);
    case ActivationKind::softsign: return x / (1.0f + std::fabs(x));
    case ActivationKind::softplus: return x > 0.0f ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
  return x;
}

/// Sizes and options every recurrent layer shares.
struct Shape {
  std::int64_t seq_length = 0, batch = 0, input_size = 0, hidden_size = 0;
  Direction direction = Direction::forward;
  bool batch_first =
      false;          // ONNX layout=1: X [batch, seq, input], Y [batch, seq, dirs, hidden], Y_h [batch, dirs, hidden]
  float clip = 0.0f;  // > 0: pre-activations are clamped to [-clip, clip]
  [[nodiscard]] constexpr std::int64_t directions() const noexcept {
    return direction == Direction::bidirectional ? 2 : 1;
  }
};

/// Inputs a sequence needs besides the weights; any pointer may be null (zeros / full length).
struct Sequence {
  const float* x = nullptr;               // [seq, batch, input] (or batch-first)
  const std::int32_t* lengths = nullptr;  // [batch]
  const float* initial_h = nullptr;       // [dirs, batch, hidden] (or [batch, dirs, hidden])
  const float* initial_c = nullptr;       // LSTM only, as initial_h
  float* y = nullptr;                     // [seq, dirs, batch, hidden] (or [batch, seq, dirs, hidden])
  float* y_h = nullptr;                   // as initial_h
  float* y_c = nullptr;                   // LSTM only
};

[[nodiscard]] inline Status validate(const Shape& s, const char* op, std::int64_t activations_per_direction,
                                     std::int64_t activation_count) {
  if (s.seq_length < 0 || s.batch < 0 || s.input_size < 0 || s.hidden_size <= 0) {
    return error(ErrorCode::invalid_argument, op, ": seq_length=", s.seq_length, " batch=", s.batch,
                 " input_size=", s.input_size, " hidden_size=", s.hidden_size,
                 " (hidden_size must be positive, the others non-negative)");
  }
  if (s.hidden_size > (std::int64_t{1} << 24) || s.input_size > (std::int64_t{1} << 24)) {
    return error(ErrorCode::invalid_argument, op, ": hidden_size ", s.hidden_size, " or input_size ", s.input_size,
                 " is too large");
  }
  if (activation_count != activations_per_direction * s.directions()) {
    return error(ErrorCode::invalid_argument, op, ": ", activation_count, " activations given, expected ",
                 activations_per_direction * s.directions());
  }
  if (!(s.clip >= 0.0f)) return error(ErrorCode::invalid_argument, op, ": clip ", s.clip, " must be >= 0");
  return {};
}

namespace detail {

using ::tinynn::ops::detail::gemm_pack_b;
using ::tinynn::ops::detail::gemm_packed_b_floats;
using ::tinynn::ops::detail::gemm_panel_count;
using ::tinynn::ops::detail::gemm_panel_width;

[[nodiscard]] inline float clip_value(float x, float clip) noexcept {
  if (clip <= 0.0f) return x;
  return x < -clip ? -clip : (x > clip ? clip : x);
}

/// x[i] = a(clip(x[i])) for i < n; Sigmoid, Tanh and Relu run on the backend's vector kernels.
template <backend::Backend B>
inline void activate(const Activation& a, float clip, float* x, std::size_t n) noexcept {
  if (clip > 0.0f) {
    for (std::size_t i = 0; i < n; ++i) x[i] = clip_value(x[i], clip);
  }
  switch (a.kind) {
    case ActivationKind::sigmoid: unary::run<B>(UnaryParams{UnaryOp::sigmoid, 0.0f, 0.0f}, x, x, n); return;
    case ActivationKind::tanh: unary::run<B>(UnaryParams{UnaryOp::tanh, 0.0f, 0.0f}, x, x, n); return;
    case ActivationKind::relu: unary::run<B>(UnaryParams{UnaryOp::relu, 0.0f, 0.0f}, x, x, n); return;
    default:
      for (std::size_t i = 0; i < n; ++i) x[i] = apply(a, x[i]);
      return;
  }
}

// ---- matrix-vector product over GEMM-packed weights (ops/detail/gemm_kernel.hpp layout) ----
// out[j] = init[j] + sum_k v[k] * B[k][j] for j < n, B packed in 16-column panels of k rows.

/// Portable version: one panel at a time, 16 partial sums (vectorisable by the compiler).
inline void matvec_packed_generic(const float* packed, std::int64_t n, std::int64_t k, const float* v,
                                  const float* init, float* out) noexcept {
  constexpr std::int64_t w = gemm_panel_width;
  for (std::int64_t p = 0; p * w < n; ++p) {
    const float* panel = packed + p * k * w;
    float acc[w];
    const std::int64_t cols = n - p * w < w ? n - p * w : w;
    for (std::int64_t j = 0; j < w; ++j) acc[j] = j < cols ? init[p * w + j] : 0.0f;
    for (std::int64_t kk = 0; kk < k; ++kk) {
      const float s = v[kk];
      for (std::int64_t j = 0; j < w; ++j) acc[j] += s * panel[kk * w + j];
    }
    for (std::int64_t j = 0; j < cols; ++j) out[p * w + j] = acc[j];
  }
}

#if TINYNN_HAS_X86_KERNELS
/// AVX-512: P panels (P zmm accumulators, two sets over even/odd k for short FMA chains).
template <int P>
TINYNN_TARGET_AVX512 inline void matvec_block_avx512(const float* b, std::int64_t k, const float* v, const float* init,
                                                     float* out, bool backward) noexcept {
  const std::int64_t stride = k * 16;
  __m512 acc[P], acc2[P];
  for (int p = 0; p < P; ++p) {
    acc[p] = _mm512_loadu_ps(init + 16 * p);
    acc2[p] = _mm512_setzero_ps();
  }
  if (k % 2) {
    const __m512 v0 = _mm512_set1_ps(v[k - 1]);
    for (int p = 0; p < P; ++p) acc[p] = _mm512_fmadd_ps(v0, _mm512_loadu_ps(b + p * stride + (k - 1) * 16), acc[p]);
  }
  const std::int64_t pairs = k / 2;
  for (std::int64_t index = 0; index < pairs; ++index) {
    const std::int64_t kk = 2 * (backward ? pairs - 1 - index : index);
    const __m512 v0 = _mm512_set1_ps(v[kk]), v1 = _mm512_set1_ps(v[kk + 1]);
    for (int p = 0; p < P; ++p) {
      acc[p] = _mm512_fmadd_ps(v0, _mm512_loadu_ps(b + p * stride + kk * 16), acc[p]);
      acc2[p] = _mm512_fmadd_ps(v1, _mm512_loadu_ps(b + p * stride + kk * 16 + 16), acc2[p]);
    }
  }
  for (int p = 0; p < P; ++p) _mm512_storeu_ps(out + 16 * p, _mm512_add_ps(acc[p], acc2[p]));
}

/// AVX2: P panels of two ymm each.
template <int P>
TINYNN_TARGET_AVX2 inline void matvec_block_avx2(const float* b, std::int64_t k, const float* v, const float* init,
                                                 float* out, bool backward) noexcept {
  const std::int64_t stride = k * 16;
  __m256 acc[2 * P];
  for (int p = 0; p < 2 * P; ++p) acc[p] = _mm256_loadu_ps(init + 8 * p);
  for (std::int64_t step = 0; step < k; ++step) {
    const std::int64_t kk = backward ? k - 1 - step : step;
    const __m256 s = _mm256_set1_ps(v[kk]);
    for (int p = 0; p < P; ++p) {
      acc[2 * p] = _mm256_fmadd_ps(s, _mm256_loadu_ps(b + p * stride + kk * 16), acc[2 * p]);
      acc[2 * p + 1] = _mm256_fmadd_ps(s, _mm256_loadu_ps(b + p * stride + kk * 16 + 8), acc[2 * p + 1]);
    }
  }
  for (int p = 0; p < 2 * P; ++p) _mm256_storeu_ps(out + 8 * p, acc[p]);
}

/// The LSTM cell with the default activations (no clip, peepholes or input_forget), one pass over
/// the gates [i, o, f, c]: c = sig(f) c + sig(i) tanh(g), h = sig(o) tanh(c). Returns how many of
/// the `hidden` entries it did (a multiple of the vector width).
TINYNN_TARGET_AVX512 inline std::size_t lstm_cell_avx512(const float* gates, float* c, float* h,
                                                         std::size_t hidden) noexcept {
  namespace vx = backend::avx512_impl;
  std::size_t j = 0;
  for (; j + vx::lanes <= hidden; j += vx::lanes) {
    const vx::V i = vx::sigmoid(vx::load(gates + j)), o = vx::sigmoid(vx::load(gates + hidden + j));
    const vx::V f = vx::sigmoid(vx::load(gates + 2 * hidden + j)), g = vx::tanh(vx::load(gates + 3 * hidden + j));
    const vx::V cell = vx::fmadd(f, vx::load(c + j), vx::mul(i, g));
    vx::store(c + j, cell);
    vx::store(h + j, vx::mul(o, vx::tanh(cell)));
  }
  return j;
}
TINYNN_TARGET_AVX2 inline std::size_t lstm_cell_avx2(const float* gates, float* c, float* h,
                                                     std::size_t hidden) noexcept {
  namespace vx = backend::avx2_impl;
  std::size_t j = 0;
  for (; j + vx::lanes <= hidden; j += vx::lanes) {
    const vx::V i = vx::sigmoid(vx::load(gates + j)), o = vx::sigmoid(vx::load(gates + hidden + j));
    const vx::V f = vx::sigmoid(vx::load(gates + 2 * hidden + j)), g = vx::tanh(vx::load(gates + 3 * hidden + j));
    const vx::V cell = vx::fmadd(f, vx::load(c + j), vx::mul(i, g));
    vx::store(c + j, cell);
    vx::store(h + j, vx::mul(o, vx::tanh(cell)));
  }
  return j;
}

/// Runs `block.template operator()<P>(...)` over the panels, MaxP at a time; a partial last block goes
/// through a stack buffer so init and out are touched only in [0, n).
template <int MaxP, class Block>
inline void matvec_blocks(const Block& block, const float* packed, std::int64_t n, std::int64_t k, const float* v,
                          const float* init, float* out, bool backward) noexcept {
  const std::int64_t panels = gemm_panel_count(n), blocks = (panels + MaxP - 1) / MaxP;
  for (std::int64_t index = 0; index < blocks; ++index) {
    const std::int64_t p0 = (backward ? blocks - 1 - index : index) * MaxP;
    const int count = static_cast<int>(panels - p0 < MaxP ? panels - p0 : MaxP);
    const std::int64_t col0 = p0 * 16, cols = n - col0 < 16 * count ? n - col0 : 16 * count;
    const float* b = packed + p0 * k * 16;
    alignas(64) float in_buffer[16 * MaxP], out_buffer[16 * MaxP];
    const bool partial = cols < 16 * count;
    const float* i = init + col0;
    float* o = out + col0;
    if (partial) {
      for (std::int64_t j = 0; j < 16 * count; ++j) in_buffer[j] = j < cols ? init[col0 + j] : 0.0f;
      i = in_buffer;
      o = out_buffer;
    }
    [&]<int... Ps>(std::integer_sequence<int, Ps...>) {
      (void)((count == Ps + 1 ? (block.template operator()<Ps + 1>(b, k, v, i, o, backward), true) : false) || ...);
    }
    (std::make_integer_sequence<int, MaxP>{});
    if (partial) {
      for (std::int64_t j = 0; j < cols; ++j) out[col0 + j] = out_buffer[j];
    }
  }
}
#endif

/// out = init + v * B (B: n x k packed), on backend B. out must not alias v. `backward` walks the
/// weights in the opposite order: alternating it between steps starts each step on the weights the
/// last one touched, still in L1 when B is a little larger than L1.
template <backend::Backend Be>
inline void matvec_packed(const float* packed, std::int64_t n, std::int64_t k, const float* v, const float* init,
                          float* out, bool backward = false) noexcept {
#if TINYNN_HAS_X86_KERNELS
  if constexpr (std::is_same_v<Be, backend::avx512>) {
    const auto block = []<int P>(const float* b, std::int64_t kk, const float* vv, const float* i, float* o,
                                 bool back) noexcept { matvec_block_avx512<P>(b, kk, vv, i, o, back); };
    matvec_blocks<8>(block, packed, n, k, v, init, out, backward);
    return;
  } else if constexpr (std::is_same_v<Be, backend::avx2>) {
    const auto block = []<int P>(const float* b, std::int64_t kk, const float* vv, const float* i, float* o,
                                 bool back) noexcept { matvec_block_avx2<P>(b, kk, vv, i, o, back); };
    matvec_blocks<4>(block, packed, n, k, v, init, out, backward);
    return;
  }
#endif
  (void)backward;
  matvec_packed_generic(packed, n, k, v, init, out);
}

/// lstm_cell_* on backend B (0 entries done where there is none).
template <backend::Backend Be>
inline std::size_t lstm_cell(const float* gates, float* c, float* h, std::size_t hidden) noexcept {
#if TINYNN_HAS_X86_KERNELS
  if constexpr (std::is_same_v<Be, backend::avx512>) {
    return lstm_cell_avx512(gates, c, h, hidden);
  } else if constexpr (std::is_same_v<Be, backend::avx2>) {
    return lstm_cell_avx2(gates, c, h, hidden);
  }
#endif
  (void)gates, (void)c, (void)h, (void)hidden;
  return 0;
}

/// Packs an [n][k] row-major block (rows `ld` apart) into GEMM panels; bias_a + bias_b (each may
/// be null) go into the packed bias slot.
inline void pack_block(std::int64_t n, std::int64_t k, const float* m, std::int64_t ld, const float* bias_a,
                       const float* bias_b, float* dst) noexcept {
  gemm_pack_b(n, k, m, ld, true, nullptr, dst);
  float* bias = dst + gemm_panel_count(n) * gemm_panel_width * k;
  for (std::int64_t j = 0; j < n; ++j) bias[j] = (bias_a ? bias_a[j] : 0.0f) + (bias_b ? bias_b[j] : 0.0f);
}

[[nodiscard]] constexpr const float* packed_bias(const float* packed, std::int64_t n, std::int64_t k) noexcept {
  return packed + gemm_panel_count(n) * gemm_panel_width * k;
}

/// Offsets of Y[t, d, b] and state[d, b] in the two ONNX layouts; X row of (t, b).
struct Layout {
  const Shape& s;
  [[nodiscard]] std::int64_t x_row(std::int64_t t, std::int64_t b) const noexcept {
    return s.batch_first ? b * s.seq_length + t : t * s.batch + b;
  }
  [[nodiscard]] std::size_t y(std::int64_t t, std::int64_t d, std::int64_t b) const noexcept {
    const std::int64_t dirs = s.directions();
    const std::int64_t row = s.batch_first ? (b * s.seq_length + t) * dirs + d : (t * dirs + d) * s.batch + b;
    return static_cast<std::size_t>(row * s.hidden_size);
  }
  [[nodiscard]] std::size_t state(std::int64_t d, std::int64_t b) const noexcept {
    const std::int64_t row = s.batch_first ? b * s.directions() + d : d * s.batch + b;
    return static_cast<std::size_t>(row * s.hidden_size);
  }
};

/// The input projection of every time step and batch entry at once, per direction:
/// xw[d][row][gates] = X[row] * W_d^T + bias_d (one GEMM each), rows = seq * batch in X's order.
template <backend::Backend B>
inline void project_inputs(const Shape& s, std::int64_t gate_rows, const float* packed, std::size_t dir_stride,
                           const float* x, float* xw, float* gemm_scratch) noexcept {
  const std::int64_t rows = s.seq_length * s.batch;
  if (rows == 0) return;
  gemm::Params g;
  g.m = rows;
  g.n = gate_rows;
  g.k = s.input_size;
  for (std::int64_t d = 0; d < s.directions(); ++d) {
    gemm::run<B>(g, x, packed + static_cast<std::size_t>(d) * dir_stride,
                 xw + static_cast<std::size_t>(d * rows * gate_rows), gemm_scratch);
  }
}

[[nodiscard]] constexpr std::size_t projection_gemm_scratch(const Shape& s, std::int64_t gate_rows) noexcept {
  gemm::Params g;
  g.m = s.seq_length * s.batch;
  g.n = gate_rows;
  g.k = s.input_size;
  return gemm::scratch_size(g, backend::BackendId::avx512);  // the largest any backend asks for
}

/// Runs `step(d, row, h, c)` over every direction, batch entry and valid time step in ONNX order
/// (reverse directions walk each sequence from its own last valid step; `row` is X's row of the
/// step), after loading the initial state and zeroing Y; stores Y, Y_h and Y_c.
template <class Step>
inline void for_each_step(const Shape& s, const Sequence& io, float* h, float* c, Step&& step) noexcept {
  const Layout at{s};
  const auto hidden = static_cast<std::size_t>(s.hidden_size);
  if (io.y) {
    std::memset(io.y, 0, static_cast<std::size_t>(s.seq_length * s.directions() * s.batch) * hidden * sizeof(float));
  }
  for (std::int64_t d = 0; d < s.directions(); ++d) {
    const bool reverse = s.direction == Direction::reverse || d == 1;
    for (std::int64_t b = 0; b < s.batch; ++b) {
      std::int64_t length = io.lengths ? io.lengths[b] : s.seq_length;
      length = length < 0 ? 0 : (length > s.seq_length ? s.seq_length : length);
      for (std::size_t j = 0; j < hidden; ++j) {
        h[j] = io.initial_h ? io.initial_h[at.state(d, b) + j] : 0.0f;
        if (c) c[j] = io.initial_c ? io.initial_c[at.state(d, b) + j] : 0.0f;
      }
      for (std::int64_t k = 0; k < length; ++k) {
        const std::int64_t t = reverse ? length - 1 - k : k;
        step(d, at.x_row(t, b), h, c);
        if (io.y) std::memcpy(io.y + at.y(t, d, b), h, hidden * sizeof(float));
      }
      if (io.y_h) std::memcpy(io.y_h + at.state(d, b), h, hidden * sizeof(float));
      if (io.y_c && c) std::memcpy(io.y_c + at.state(d, b), c, hidden * sizeof(float));
    }
  }
}

}  // namespace detail
}  // namespace recurrent

// Every layer has two ways to run:
//   pack(p, weights, packed) once (packed_size(p) floats), then run_packed(id, p, packed, io, scratch)
//   with scratch_size(p) floats — what graph sessions do; or
//   run(id, p, weights, io, scratch) with unpacked_scratch_size(p) floats, which packs into scratch first.

namespace lstm {

/// ONNX LSTM weights: w [dirs, 4H, input], r [dirs, 4H, H] (gate blocks i, o, f, c), optional
/// b [dirs, 8H] (Wb then Rb) and peepholes p [dirs, 3H] (i, o, f).
struct Weights {
  const float* w = nullptr;
  const float* r = nullptr;
  const float* b = nullptr;
  const float* p = nullptr;
};

struct Params {
  recurrent::Shape shape;
  bool input_forget = false;  // couple the gates: f = 1 - i
  // f (gates), g (cell input), h (cell output) per direction; defaults Sigmoid, Tanh, Tanh
  recurrent::Activation activations[2][3] = {
      {{recurrent::ActivationKind::sigmoid}, {recurrent::ActivationKind::tanh}, {recurrent::ActivationKind::tanh}},
      {{recurrent::ActivationKind::sigmoid}, {recurrent::ActivationKind::tanh}, {recurrent::ActivationKind::tanh}}};
};

namespace detail {
struct Sizes {
  std::size_t w, r, dir;  // packed W (bias = Wb + Rb), packed R, then peepholes [3H]
};
[[nodiscard]] constexpr Sizes sizes(const Params& p) noexcept {
  const std::int64_t h = p.shape.hidden_size;
  const std::size_t w = recurrent::detail::gemm_packed_b_floats(4 * h, p.shape.input_size),
                    r = recurrent::detail::gemm_packed_b_floats(4 * h, h);
  return {w, r, w + r + static_cast<std::size_t>(3 * h)};
}
}  // namespace detail

/// Floats of packed weights.
[[nodiscard]] constexpr std::size_t packed_size(const Params& p) noexcept {
  return detail::sizes(p).dir * static_cast<std::size_t>(p.shape.directions());
}

/// Floats of scratch run_packed() needs: the projected inputs of all steps, the GEMM's packing
/// buffer, the gates, h and c.
[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  const recurrent::Shape& s = p.shape;
  return static_cast<std::size_t>(s.directions() * s.seq_length * s.batch * 4 * s.hidden_size) +
         recurrent::detail::projection_gemm_scratch(s, 4 * s.hidden_size) + static_cast<std::size_t>(6 * s.hidden_size);
}
[[nodiscard]] constexpr std::size_t unpacked_scratch_size(const Params& p) noexcept {
  return packed_size(p) + scratch_size(p);
}

/// `activation_count`: how many activations the node named (0 = defaults), for the check.
[[nodiscard]] inline Status prepare(const Params& p, std::int64_t activation_count = 0) {
  return recurrent::validate(p.shape, "LSTM", 3, activation_count ? activation_count : 3 * p.shape.directions());
}

inline void pack(const Params& p, const Weights& w, float* packed) noexcept {
  const std::int64_t h = p.shape.hidden_size, in = p.shape.input_size;
  const detail::Sizes z = detail::sizes(p);
  for (std::int64_t d = 0; d < p.shape.directions(); ++d) {
    float* dst = packed + static_cast<std::size_t>(d) * z.dir;
    const float* b = w.b ? w.b + d * 8 * h : nullptr;
    recurrent::detail::pack_block(4 * h, in, w.w + d * 4 * h * in, in, b, b ? b + 4 * h : nullptr, dst);
    recurrent::detail::pack_block(4 * h, h, w.r + d * 4 * h * h, h, nullptr, nullptr, dst + z.w);
    for (std::int64_t j = 0; j < 3 * h; ++j)
      dst[z.w + z.r + static_cast<std::size_t>(j)] = w.p ? w.p[d * 3 * h + j] : 0.0f;
  }
}

/// `peepholes`: whether the packed P is meaningful (false skips it).
template <backend::Backend B = backend::native>
inline void run_packed(const Params& p, const float* packed, bool peepholes, const recurrent::Sequence& io,
                       float* scratch) noexcept {
  backend::require_compilable<B>();
  namespace rd = recurrent::detail;
  const recurrent::Shape& s = p.shape;
  const std::int64_t hh = s.hidden_size;
  const auto hidden = static_cast<std::size_t>(hh);
  const detail::Sizes z = detail::sizes(p);
  const std::size_t rows = static_cast<std::size_t>(s.seq_length * s.batch);
  float* xw = scratch;
  float* gemm_scratch = xw + static_cast<std::size_t>(s.directions()) * rows * 4 * hidden;
  float* gates = gemm_scratch + rd::projection_gemm_scratch(s, 4 * hh);  // [4H]: i, o, f, c
  float* h = gates + 4 * hidden;
  float* c = h + hidden;
  rd::project_inputs<B>(s, 4 * hh, packed, z.dir, io.x, xw, gemm_scratch);
  bool backward = false;
  rd::for_each_step(s, io, h, c, [&](std::int64_t d, std::int64_t row, float* hs, float* cs) {
    const float* pd = packed + static_cast<std::size_t>(d) * z.dir;
    const float* xw_row = xw + (static_cast<std::size_t>(d) * rows + static_cast<std::size_t>(row)) * 4 * hidden;
    const recurrent::Activation* act = p.activations[d];
    rd::matvec_packed<B>(pd + z.w, 4 * hh, hh, hs, xw_row, gates, backward);
    backward = !backward;
    const float* peep = peepholes ? pd + z.w + z.r : nullptr;
    std::size_t done = 0;
    if (!peep && !p.input_forget && s.clip <= 0.0f && act[0].kind == recurrent::ActivationKind::sigmoid &&
        act[1].kind == recurrent::ActivationKind::tanh && act[2].kind == recurrent::ActivationKind::tanh) {
      done = rd::lstm_cell<B>(gates, cs, hs, hidden);
      if (done == hidden) return;
    }
    const std::size_t rest = hidden - done;  // entries the fused cell left (all, or a tail)
    float *gi = gates + done, *go = gates + hidden + done, *gf = gates + 2 * hidden + done,
          *gc = gates + 3 * hidden + done;
    cs += done;
    hs += done;
    if (peep) {
      for (std::size_t j = 0; j < rest; ++j) {
        gi[j] += peep[j] * cs[j];  // peep is set only when done == 0 (rest == hidden)
        gf[j] += peep[2 * hidden + j] * cs[j];
      }
    }
    if (!peep && !p.input_forget && done == 0) {
      rd::activate<B>(act[0], s.clip, gi, 3 * rest);  // i, o, f at once
    } else {
      rd::activate<B>(act[0], s.clip, gi, rest);
      if (p.input_forget) {
        for (std::size_t j = 0; j < rest; ++j) gf[j] = 1.0f - gi[j];
      } else {
        rd::activate<B>(act[0], s.clip, gf, rest);
      }
      if (!peep) rd::activate<B>(act[0], s.clip, go, rest);
    }
    rd::activate<B>(act[1], s.clip, gc, rest);
    for (std::size_t j = 0; j < rest; ++j) cs[j] = gf[j] * cs[j] + gi[j] * gc[j];
    if (peep) {
      for (std::size_t j = 0; j < rest; ++j) go[j] += peep[hidden + j] * cs[j];
      rd::activate<B>(act[0], s.clip, go, rest);
    }
    std::memcpy(gc, cs, rest * sizeof(float));
    rd::activate<B>(act[2], 0.0f, gc, rest);
    for (std::size_t j = 0; j < rest; ++j) hs[j] = go[j] * gc[j];
  });
}

inline void run_packed(backend::BackendId id, const Params& p, const float* packed, bool peepholes,
                       const recurrent::Sequence& io, float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) { run_packed<decltype(tag)>(p, packed, peepholes, io, scratch); });
}

/// Packs into the front of `scratch` (unpacked_scratch_size(p) floats), then runs.
inline void run(backend::BackendId id, const Params& p, const Weights& w, const recurrent::Sequence& io,
                float* scratch) noexcept {
  pack(p, w, scratch);
  run_packed(id, p, scratch, w.p != nullptr, io, scratch + packed_size(p));
}

}  // namespace lstm

namespace gru {

/// ONNX GRU weights: w [dirs, 3H, input], r [dirs, 3H, H] (gate blocks z, r, h), optional
/// b [dirs, 6H] (Wb then Rb).
struct Weights {
  const float* w = nullptr;
  const float* r = nullptr;
  const float* b = nullptr;
};

struct Params {
  recurrent::Shape shape;
  bool linear_before_reset = false;
  // f (gates z, r), g (candidate) per direction; defaults Sigmoid, Tanh
  recurrent::Activation activations[2][2] = {{{recurrent::ActivationKind::sigmoid}, {recurrent::ActivationKind::tanh}},
                                             {{recurrent::ActivationKind::sigmoid}, {recurrent::ActivationKind::tanh}}};
};

namespace detail {
struct Sizes {
  std::size_t w, rzr, dir;  // packed W (3H), packed R of z and r (2H), then packed R of h (H, bias Rb_h)
};
[[nodiscard]] constexpr Sizes sizes(const Params& p) noexcept {
  const std::int64_t h = p.shape.hidden_size;
  const std::size_t w = recurrent::detail::gemm_packed_b_floats(3 * h, p.shape.input_size),
                    rzr = recurrent::detail::gemm_packed_b_floats(2 * h, h);
  return {w, rzr, w + rzr + recurrent::detail::gemm_packed_b_floats(h, h)};
}
}  // namespace detail

[[nodiscard]] constexpr std::size_t packed_size(const Params& p) noexcept {
  return detail::sizes(p).dir * static_cast<std::size_t>(p.shape.directions());
}

[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  const recurrent::Shape& s = p.shape;
  return static_cast<std::size_t>(s.directions() * s.seq_length * s.batch * 3 * s.hidden_size) +
         recurrent::detail::projection_gemm_scratch(s, 3 * s.hidden_size) + static_cast<std::size_t>(5 * s.hidden_size);
}
[[nodiscard]] constexpr std::size_t unpacked_scratch_size(const Params& p) noexcept {
  return packed_size(p) + scratch_size(p);
}

[[nodiscard]] inline Status prepare(const Params& p, std::int64_t activation_count = 0) {
  return recurrent::validate(p.shape, "GRU", 2, activation_count ? activation_count : 2 * p.shape.directions());
}

/// W's bias is Wb + Rb for z and r (and for h unless linear_before_reset, where Rb_h stays inside
/// r (.) (R_h h + Rb_h) as the bias of the packed R_h).
inline void pack(const Params& p, const Weights& w, float* packed) noexcept {
  const std::int64_t h = p.shape.hidden_size, in = p.shape.input_size;
  const detail::Sizes z = detail::sizes(p);
  for (std::int64_t d = 0; d < p.shape.directions(); ++d) {
    float* dst = packed + static_cast<std::size_t>(d) * z.dir;
    const float* wb = w.b ? w.b + d * 6 * h : nullptr;
    const float* rb = w.b ? wb + 3 * h : nullptr;
    const float* r = w.r + d * 3 * h * h;
    recurrent::detail::pack_block(3 * h, in, w.w + d * 3 * h * in, in, wb, nullptr, dst);
    if (rb) {
      float* bias = dst + (recurrent::detail::packed_bias(dst, 3 * h, in) - dst);
      for (std::int64_t j = 0; j < (p.linear_before_reset ? 2 * h : 3 * h); ++j) bias[j] += rb[j];
    }
    recurrent::detail::pack_block(2 * h, h, r, h, nullptr, nullptr, dst + z.w);
    recurrent::detail::pack_block(h, h, r + 2 * h * h, h, p.linear_before_reset && rb ? rb + 2 * h : nullptr, nullptr,
                                  dst + z.w + z.rzr);
  }
}

template <backend::Backend B = backend::native>
inline void run_packed(const Params& p, const float* packed, const recurrent::Sequence& io, float* scratch) noexcept {
  backend::require_compilable<B>();
  namespace rd = recurrent::detail;
  const recurrent::Shape& s = p.shape;
  const std::int64_t hh = s.hidden_size;
  const auto hidden = static_cast<std::size_t>(hh);
  const detail::Sizes z = detail::sizes(p);
  const std::size_t rows = static_cast<std::size_t>(s.seq_length * s.batch);
  float* xw = scratch;
  float* gemm_scratch = xw + static_cast<std::size_t>(s.directions()) * rows * 3 * hidden;
  float* zr = gemm_scratch + rd::projection_gemm_scratch(s, 3 * hh);  // [2H] z, r
  float* n = zr + 2 * hidden;                                         // [H] candidate
  float* rh = n + hidden;                                             // [H] R_h h + Rb_h, or r (.) h
  float* h = rh + hidden;
  rd::project_inputs<B>(s, 3 * hh, packed, z.dir, io.x, xw, gemm_scratch);
  bool backward = false;
  rd::for_each_step(s, io, h, nullptr, [&](std::int64_t d, std::int64_t row, float* hs, float*) {
    const float* pd = packed + static_cast<std::size_t>(d) * z.dir;
    const float* xw_row = xw + (static_cast<std::size_t>(d) * rows + static_cast<std::size_t>(row)) * 3 * hidden;
    const float* r_h = pd + z.w + z.rzr;
    const recurrent::Activation* act = p.activations[d];
    rd::matvec_packed<B>(pd + z.w, 2 * hh, hh, hs, xw_row, zr, backward);
    backward = !backward;
    rd::activate<B>(act[0], s.clip, zr, 2 * hidden);
    const float* zg = zr;
    const float* rg = zr + hidden;
    if (p.linear_before_reset) {
      rd::matvec_packed<B>(r_h, hh, hh, hs, rd::packed_bias(r_h, hh, hh), rh);
      for (std::size_t j = 0; j < hidden; ++j) n[j] = xw_row[2 * hidden + j] + rg[j] * rh[j];
    } else {
      for (std::size_t j = 0; j < hidden; ++j) rh[j] = rg[j] * hs[j];
      rd::matvec_packed<B>(r_h, hh, hh, rh, xw_row + 2 * hidden, n);
    }
    rd::activate<B>(act[1], s.clip, n, hidden);
    for (std::size_t j = 0; j < hidden; ++j) hs[j] = (1.0f - zg[j]) * n[j] + zg[j] * hs[j];
  });
}

inline void run_packed(backend::BackendId id, const Params& p, const float* packed, const recurrent::Sequence& io,
                       float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) { run_packed<decltype(tag)>(p, packed, io, scratch); });
}

inline void run(backend::BackendId id, const Params& p, const Weights& w, const recurrent::Sequence& io,
                float* scratch) noexcept {
  pack(p, w, scratch);
  run_packed(id, p, scratch, io, scratch + packed_size(p));
}

}  // namespace gru

namespace rnn {

/// ONNX RNN weights: w [dirs, H, input], r [dirs, H, H], optional b [dirs, 2H] (Wb then Rb).
struct Weights {
  const float* w = nullptr;
  const float* r = nullptr;
  const float* b = nullptr;
};

/// h' = f(W x + R h + Wb + Rb); f defaults to Tanh.
struct Params {
  recurrent::Shape shape;
  recurrent::Activation activations[2] = {{recurrent::ActivationKind::tanh}, {recurrent::ActivationKind::tanh}};
};

namespace detail {
struct Sizes {
  std::size_t w, dir;
};
[[nodiscard]] constexpr Sizes sizes(const Params& p) noexcept {
  const std::int64_t h = p.shape.hidden_size;
  const std::size_t w = recurrent::detail::gemm_packed_b_floats(h, p.shape.input_size);
  return {w, w + recurrent::detail::gemm_packed_b_floats(h, h)};
}
}  // namespace detail

[[nodiscard]] constexpr std::size_t packed_size(const Params& p) noexcept {
  return detail::sizes(p).dir * static_cast<std::size_t>(p.shape.directions());
}

[[nodiscard]] constexpr std::size_t scratch_size(const Params& p) noexcept {
  const recurrent::Shape& s = p.shape;
  return static_cast<std::size_t>(s.directions() * s.seq_length * s.batch * s.hidden_size) +
         recurrent::detail::projection_gemm_scratch(s, s.hidden_size) + static_cast<std::size_t>(2 * s.hidden_size);
}
[[nodiscard]] constexpr std::size_t unpacked_scratch_size(const Params& p) noexcept {
  return packed_size(p) + scratch_size(p);
}

[[nodiscard]] inline Status prepare(const Params& p, std::int64_t activation_count = 0) {
  return recurrent::validate(p.shape, "RNN", 1, activation_count ? activation_count : p.shape.directions());
}

inline void pack(const Params& p, const Weights& w, float* packed) noexcept {
  const std::int64_t h = p.shape.hidden_size, in = p.shape.input_size;
  const detail::Sizes z = detail::sizes(p);
  for (std::int64_t d = 0; d < p.shape.directions(); ++d) {
    float* dst = packed + static_cast<std::size_t>(d) * z.dir;
    const float* b = w.b ? w.b + d * 2 * h : nullptr;
    recurrent::detail::pack_block(h, in, w.w + d * h * in, in, b, b ? b + h : nullptr, dst);
    recurrent::detail::pack_block(h, h, w.r + d * h * h, h, nullptr, nullptr, dst + z.w);
  }
}

template <backend::Backend B = backend::native>
inline void run_packed(const Params& p, const float* packed, const recurrent::Sequence& io, float* scratch) noexcept {
  backend::require_compilable<B>();
  namespace rd = recurrent::detail;
  const recurrent::Shape& s = p.shape;
  const std::int64_t hh = s.hidden_size;
  const auto hidden = static_cast<std::size_t>(hh);
  const detail::Sizes z = detail::sizes(p);
  const std::size_t rows = static_cast<std::size_t>(s.seq_length * s.batch);
  float* xw = scratch;
  float* gemm_scratch = xw + static_cast<std::size_t>(s.directions()) * rows * hidden;
  float* gates = gemm_scratch + rd::projection_gemm_scratch(s, hh);
  float* h = gates + hidden;
  rd::project_inputs<B>(s, hh, packed, z.dir, io.x, xw, gemm_scratch);
  bool backward = false;
  rd::for_each_step(s, io, h, nullptr, [&](std::int64_t d, std::int64_t row, float* hs, float*) {
    const float* pd = packed + static_cast<std::size_t>(d) * z.dir;
    const float* xw_row = xw + (static_cast<std::size_t>(d) * rows + static_cast<std::size_t>(row)) * hidden;
    rd::matvec_packed<B>(pd + z.w, hh, hh, hs, xw_row, gates, backward);
    backward = !backward;
    rd::activate<B>(p.activations[d], s.clip, gates, hidden);
    std::memcpy(hs, gates, hidden * sizeof(float));
  });
}

inline void run_packed(backend::BackendId id, const Params& p, const float* packed, const recurrent::Sequence& io,
                       float* scratch) noexcept {
  backend::dispatch(id, [&](auto tag) { run_packed<decltype(tag)>(p, packed, io, scratch); });
}

inline void run(backend::BackendId id, const Params& p, const Weights& w, const recurrent::Sequence& io,
                float* scratch) noexcept {
  pack(p, w, scratch);
  run_packed(id, p, scratch, io, scratch + packed_size(p));
}

}  // namespace rnn
}  // namespace tinynn::ops

// ---- end tinynn/ops/rnn.hpp ----
// ---- begin tinynn/ops/slice.hpp ----
// tinynn — strided slice (ONNX Slice; any element type).
//   y[i_0, ..., i_r] = x[start_0 + i_0*step_0, ..., start_r + i_r*step_r],  steps may be negative;
//   starts/ends are clamped as ONNX specifies (negative values count from the end).

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace tinynn::ops {
namespace slice {

struct Params {
  DynShape input;
  DynShape output;                             // set by prepare()
  std::array<std::int64_t, max_rank> start{};  // set by prepare(): first index per axis
  std::array<std::int64_t, max_rank> step{};   // set by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// ONNX Slice: starts/ends per entry of `axes` (empty axes = 0, 1, ...; empty steps = all 1).
[[nodiscard]] inline Status prepare(Params& p, std::span<const std::int64_t> starts, std::span<const std::int64_t> ends,
                                    std::span<const std::int64_t> axes = {}, std::span<const std::int64_t> steps = {}) {
  const std::size_t rank = p.input.rank();
  if (starts.size() != ends.size() || (!axes.empty() && axes.size() != starts.size()) ||
      (!steps.empty() && steps.size() != starts.size()) || starts.size() > rank) {
    return error(ErrorCode::invalid_argument, "slice: ", starts.size(), " starts, ", ends.size(), " ends, ",
                 axes.size(), " axes and ", steps.size(), " steps do not match an input of rank ", rank);
  }
  p.output = p.input;
  for (std::size_t i = 0; i < rank; ++i) {
    p.start[i] = 0;
    p.step[i] = 1;
  }
  std::uint32_t seen = 0;
  for (std::size_t k = 0; k < starts.size(); ++k) {
    const std::int64_t axis = detail::normalize_axis(axes.empty() ? static_cast<std::int64_t>(k) : axes[k], rank);
    if (axis < 0) return error(ErrorCode::invalid_argument, "slice: axis ", axes[k], " is out of range for ", p.input);
    if (seen & (1u << axis)) return error(ErrorCode::invalid_argument, "slice: axis ", axes[k], " is repeated");
    seen |= 1u << axis;
    const std::int64_t step = steps.empty() ? 1 : steps[k];
    if (step == 0) return error(ErrorCode::invalid_argument, "slice: step 0 on axis ", axis);
    const std::int64_t dim = p.input[static_cast<std::size_t>(axis)];
    std::int64_t start = starts[k], end = ends[k];
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    std::int64_t length = 0;
    if (step > 0) {
      start = start < 0 ? 0 : (start > dim ? dim : start);
      end = end < 0 ? 0 : (end > dim ? dim : end);
      length = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = start < 0 ? 0 : (start > dim - 1 ? dim - 1 : start);
      end = end < -1 ? -1 : (end > dim - 1 ? dim - 1 : end);
      length = start > end ? (start - end + (-step) - 1) / (-step) : 0;
    }
    if (dim == 0) length = 0;
    p.start[static_cast<std::size_t>(axis)] = length > 0 ? start : 0;
    p.step[static_cast<std::size_t>(axis)] = step;
    p.output[static_cast<std::size_t>(axis)] = length;
  }
  return {};
}

/// Copies the slice of x into y (contiguous, p.output).
template <class T>
inline void run(const Params& p, const T* x, T* y) noexcept {
  if (p.output.size() == 0) return;
  const std::size_t rank = p.input.rank();
  std::ptrdiff_t base = 0;
  detail::StridedLoop<2> loop;
  for (std::size_t i = 0; i < rank; ++i) {
    const auto stride = static_cast<std::ptrdiff_t>(p.input.stride(i));
    base += p.start[i] * stride;
    loop.push(static_cast<std::size_t>(p.output[i]),
              {p.step[i] * stride, static_cast<std::ptrdiff_t>(p.output.stride(i))});
  }
  const std::size_t n = loop.inner_extent();
  const std::ptrdiff_t step = loop.inner_stride(0);
  loop.for_each_row([&](const std::array<std::ptrdiff_t, 2>& offset) {
    const T* in = x + base + offset[0];
    T* out = y + offset[1];
    if (step == 1) {
      std::memcpy(out, in, n * sizeof(T));
    } else {
      for (std::size_t i = 0; i < n; ++i) out[i] = in[static_cast<std::ptrdiff_t>(i) * step];
    }
  });
}

}  // namespace slice
}  // namespace tinynn::ops

// ---- end tinynn/ops/slice.hpp ----
// ---- begin tinynn/ops/split.hpp ----
// tinynn — split along one axis into consecutive parts (any element type).
//   y_k[..., i, ...] = x[..., off_k + i, ...],  off_k = sizes[0] + ... + sizes[k-1];
//   the sizes must add up to the axis length (equal parts when none are given).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace tinynn::ops {
namespace split {

struct Params {
  std::int64_t axis = 0;  // may be negative; prepare() normalises it
  DynShape input;
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// Checks `sizes` (one per output; empty = equal parts, ONNX: the last part may be smaller when
/// the length does not divide) and writes each output's shape to outputs[k].
[[nodiscard]] inline Status prepare(Params& p, std::span<const std::int64_t> sizes, std::span<DynShape> outputs) {
  const std::int64_t axis = detail::normalize_axis(p.axis, p.input.rank());
  if (axis < 0) return error(ErrorCode::invalid_argument, "split: axis ", p.axis, " is out of range for ", p.input);
  if (outputs.empty()) return error(ErrorCode::invalid_argument, "split: no outputs");
  p.axis = axis;
  const std::int64_t length = p.input[static_cast<std::size_t>(axis)];
  if (!sizes.empty() && sizes.size() != outputs.size()) {
    return error(ErrorCode::invalid_argument, "split: ", sizes.size(), " sizes for ", outputs.size(), " outputs");
  }
  const auto parts = static_cast<std::int64_t>(outputs.size());
  const std::int64_t equal = (length + parts - 1) / parts;
  std::int64_t total = 0;
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    std::int64_t size = sizes.empty() ? equal : sizes[k];
    if (sizes.empty() && total + size > length) size = length - total;
    if (size < 0) return error(ErrorCode::invalid_argument, "split: negative size ", size, " for output ", k);
    outputs[k] = p.input;
    outputs[k][static_cast<std::size_t>(axis)] = size;
    total += size;
  }
  if (total != length) {
    return error(ErrorCode::invalid_argument, "split: sizes add up to ", total, ", expected the length ", length,
                 " of axis ", axis, " of ", p.input);
  }
  return {};
}

/// Copies x into outputs[k] (of shape shapes[k], as prepare() wrote them).
template <class T>
inline void run(const Params& p, const T* x, std::span<T* const> outputs, std::span<const DynShape> shapes) noexcept {
  const auto axis = static_cast<std::size_t>(p.axis);
  const std::size_t outer = detail::dims_product(p.input, 0, axis);
  const std::size_t inner = detail::dims_product(p.input, axis + 1, p.input.rank());
  const std::size_t in_row = static_cast<std::size_t>(p.input[axis]) * inner;
  std::size_t offset = 0;
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const std::size_t row = static_cast<std::size_t>(shapes[k][axis]) * inner;
    if (row != 0) {
      for (std::size_t o = 0; o < outer; ++o)
        std::memcpy(outputs[k] + o * row, x + o * in_row + offset, row * sizeof(T));
    }
    offset += row;
  }
}

}  // namespace split
}  // namespace tinynn::ops

// ---- end tinynn/ops/split.hpp ----
// ---- begin tinynn/ops/transpose.hpp ----
// tinynn — transpose by any permutation (any element type).
//   y[i_0, ..., i_{r-1}] = x[j] with j[perm[k]] = i_k,  i.e. y's axis k is x's axis perm[k];
//   NHWC->NCHW is perm {0,3,1,2}, NCHW->NHWC is {0,2,3,1}. Both become cache-blocked 2-D transposes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace tinynn::ops {
namespace detail {
template <class T>
inline void transpose_tile(const T* TINYNN_RESTRICT x, std::ptrdiff_t x_row_stride, T* TINYNN_RESTRICT y,
                           std::ptrdiff_t y_col_stride, std::size_t rows, std::size_t cols) noexcept {
  // y[c * y_col_stride + r] = x[r * x_row_stride + c], in tiles that stay in L1.
  constexpr std::size_t tile = 16;
  for (std::size_t r0 = 0; r0 < rows; r0 += tile) {
    const std::size_t r1 = r0 + tile < rows ? r0 + tile : rows;
    for (std::size_t c0 = 0; c0 < cols; c0 += tile) {
      const std::size_t c1 = c0 + tile < cols ? c0 + tile : cols;
      for (std::size_t c = c0; c < c1; ++c) {
        T* out = y + static_cast<std::ptrdiff_t>(c) * y_col_stride;
        for (std::size_t r = r0; r < r1; ++r) out[r] = x[static_cast<std::ptrdiff_t>(r) * x_row_stride + c];
      }
    }
  }
}
}  // namespace detail

namespace transpose {

struct Params {
  DynShape input;
  DynShape output;                            // set by prepare()
  std::array<std::uint8_t, max_rank> perm{};  // set by prepare()
};

[[nodiscard]] constexpr std::size_t scratch_size(const Params&) noexcept { return 0; }

/// `perm` must be a permutation of 0..rank-1 (negative entries count from the end); empty = reverse.
[[nodiscard]] inline Status prepare(Params& p, std::span<const std::int64_t> perm) {
  const std::size_t rank = p.input.rank();
  if (!perm.empty() && perm.size() != rank) {
    return error(ErrorCode::invalid_argument, "transpose: permutation of ", perm.size(), " axes for input ", p.input);
  }
  std::uint32_t seen = 0;
  p.output = p.input;
  for (std::size_t k = 0; k < rank; ++k) {
    const std::int64_t a =
        perm.empty() ? static_cast<std::int64_t>(rank - 1 - k) : detail::normalize_axis(perm[k], rank);
    if (a < 0 || (seen & (1u << a))) {
      return error(ErrorCode::invalid_argument, "transpose: entry ", k, " (", perm[k],
                   ") of the permutation is out of range or repeated for input ", p.input);
    }
    seen |= 1u << a;
    p.perm[k] = static_cast<std::uint8_t>(a);
    p.output[k] = p.input[static_cast<std::size_t>(a)];
  }
  return {};
}

template <class T>
inline void run(const Params& p, const T* x, T* y) noexcept {
  if (p.output.size() == 0) return;
  const std::size_t rank = p.input.rank();
  detail::StridedLoop<2> loop;
  for (std::size_t k = 0; k < rank; ++k) {
    loop.push(static_cast<std::size_t>(p.output[k]), {static_cast<std::ptrdiff_t>(p.input.stride(p.perm[k])),
                                                      static_cast<std::ptrdiff_t>(p.output.stride(k))});
  }
  const std::size_t n = loop.inner_extent();
  const std::ptrdiff_t in_step = loop.inner_stride(0);
  if (in_step == 1 || loop.rank < 2) {
    loop.for_each_row([&](const std::array<std::ptrdiff_t, 2>& offset) {
      if (in_step == 1) {
        std::memcpy(y + offset[1], x + offset[0], n * sizeof(T));
      } else {
        for (std::size_t i = 0; i < n; ++i)
          y[offset[1] + static_cast<std::ptrdiff_t>(i)] = x[offset[0] + static_cast<std::ptrdiff_t>(i) * in_step];
      }
    });
    return;
  }
  // The output's innermost axis walks x with a stride: find the axis that walks x contiguously and
  // transpose the (that axis, innermost axis) planes in tiles.
  std::size_t k = 0;
  while (k + 1 < loop.rank && loop.stride[0][k] != 1) ++k;
  if (k + 1 == loop.rank) {  // no contiguous axis in x (cannot happen for a permutation); gather
    loop.for_each_row([&](const std::array<std::ptrdiff_t, 2>& offset) {
      for (std::size_t i = 0; i < n; ++i)
        y[offset[1] + static_cast<std::ptrdiff_t>(i)] = x[offset[0] + static_cast<std::ptrdiff_t>(i) * in_step];
    });
    return;
  }
  detail::StridedLoop<2> outer;
  for (std::size_t d = 0; d + 1 < loop.rank; ++d) {
    if (d != k) outer.push(loop.extent[d], {loop.stride[0][d], loop.stride[1][d]});
  }
  const std::size_t rows = n, cols = loop.extent[k];
  const std::ptrdiff_t y_col_stride = loop.stride[1][k];
  // Visit every element of `outer` (for_each_row walks all but its innermost axis, so add it back).
  const std::size_t outer_inner = outer.inner_extent();
  const std::ptrdiff_t outer_in = outer.inner_stride(0), outer_out = outer.inner_stride(1);
  outer.for_each_row([&](const std::array<std::ptrdiff_t, 2>& offset) {
    for (std::size_t j = 0; j < outer_inner; ++j) {
      const auto jj = static_cast<std::ptrdiff_t>(j);
      detail::transpose_tile(x + offset[0] + jj * outer_in, in_step, y + offset[1] + jj * outer_out, y_col_stride, rows,
                             cols);
    }
  });
}

}  // namespace transpose
}  // namespace tinynn::ops

// ---- end tinynn/ops/transpose.hpp ----

// ---- end tinynn/tinynn.hpp ----
