// tinynn — shapes. Shape<Dims...> is known at compile time (rank, size, row-major strides);
// DynShape is the runtime shape: a fixed-capacity array (no heap, rank <= max_rank) whose element
// count is computed with overflow checks, because runtime shapes come from untrusted model files.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <span>
#include <type_traits>

#include "tinynn/config.hpp"
#include "tinynn/status.hpp"

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
