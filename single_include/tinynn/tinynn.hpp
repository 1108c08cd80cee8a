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
// ---- begin tinynn/tensor.hpp ----
// tinynn — tensors. Tensor<T, S> owns 64-byte-aligned storage of a compile-time shape;
// TensorView<T, S> points at such storage without owning it; TensorRef is the runtime view
// (dtype + DynShape + pointer) used by graphs. Conversions are explicit: view()/ref() always
// succeed, TensorRef::as<T, S>() checks dtype and shape and returns a Result.

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

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

// ---- end tinynn/tinynn.hpp ----
