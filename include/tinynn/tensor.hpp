// tinynn — tensors. Tensor<T, S> owns 64-byte-aligned storage of a compile-time shape;
// TensorView<T, S> points at such storage without owning it; TensorRef is the runtime view
// (dtype + DynShape + pointer) used by graphs. Conversions are explicit: view()/ref() always
// succeed, TensorRef::as<T, S>() checks dtype and shape and returns a Result.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <type_traits>

#include "tinynn/config.hpp"
#include "tinynn/dtype.hpp"
#include "tinynn/quant.hpp"
#include "tinynn/shape.hpp"
#include "tinynn/status.hpp"

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
