// tinynn — Status and Result<T>: errors as values. The core never throws.
//
// An error carries a code and a message that says where (file, node, tensor, offset) and what was
// expected versus found. Messages are built with tinynn::error(code, pieces...), which concatenates
// strings and numbers; under TINYNN_STRIP_ERROR_STRINGS the pieces are dropped at compile time.
#pragma once

#include <charconv>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

#ifndef TINYNN_STRIP_ERROR_STRINGS
#include <string>
#endif

#include "tinynn/config.hpp"

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
