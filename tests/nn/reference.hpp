// Independent references for the static-network tests: plain loops in double precision over NHWC
// data, written from the operator definitions (not from ops/ or nn/), plus random parameter filling.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <vector>

namespace tinynn_test {

using Tensor = std::vector<float>;  // NHWC without the batch axis

struct Geometry {
  std::size_t h = 0, w = 0, c = 0;
};

enum class Act { none, relu, relu6 };

inline float act(Act a, double v) {
  if (a == Act::relu) v = v > 0 ? v : 0;
  if (a == Act::relu6) v = v < 0 ? 0 : (v > 6 ? 6 : v);
  return static_cast<float>(v);
}

struct Conv {
  std::size_t filters, kh, kw, stride_h = 1, stride_w = 1, pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

/// Output size of a window (floor mode).
inline std::size_t out_size(std::size_t in, std::size_t k, std::size_t s, std::size_t before, std::size_t after) {
  return (in + before + after - k) / s + 1;
}

/// Convolution; weights OHWI [filters][kh][kw][c], bias [filters].
inline Tensor conv2d(const Tensor& x, Geometry& g, const Conv& cv, std::span<const float> weights,
                     std::span<const float> bias, Act a) {
  const std::size_t oh = out_size(g.h, cv.kh, cv.stride_h, cv.pad_top, cv.pad_bottom);
  const std::size_t ow = out_size(g.w, cv.kw, cv.stride_w, cv.pad_left, cv.pad_right);
  Tensor y(oh * ow * cv.filters);
  for (std::size_t oy = 0; oy < oh; ++oy) {
    for (std::size_t ox = 0; ox < ow; ++ox) {
      for (std::size_t f = 0; f < cv.filters; ++f) {
        double acc = bias[f];
        for (std::size_t ky = 0; ky < cv.kh; ++ky) {
          const auto iy = static_cast<std::ptrdiff_t>(oy * cv.stride_h + ky) - static_cast<std::ptrdiff_t>(cv.pad_top);
          if (iy < 0 || iy >= static_cast<std::ptrdiff_t>(g.h)) continue;
          for (std::size_t kx = 0; kx < cv.kw; ++kx) {
            const auto ix =
                static_cast<std::ptrdiff_t>(ox * cv.stride_w + kx) - static_cast<std::ptrdiff_t>(cv.pad_left);
            if (ix < 0 || ix >= static_cast<std::ptrdiff_t>(g.w)) continue;
            for (std::size_t c = 0; c < g.c; ++c) {
              acc += static_cast<double>(
                         x[(static_cast<std::size_t>(iy) * g.w + static_cast<std::size_t>(ix)) * g.c + c]) *
                     weights[((f * cv.kh + ky) * cv.kw + kx) * g.c + c];
            }
          }
        }
        y[(oy * ow + ox) * cv.filters + f] = act(a, acc);
      }
    }
  }
  g = {oh, ow, cv.filters};
  return y;
}

/// Depthwise convolution (multiplier 1); weights [kh][kw][c], bias [c]. cv.filters is ignored.
inline Tensor depthwise(const Tensor& x, Geometry& g, const Conv& cv, std::span<const float> weights,
                        std::span<const float> bias, Act a) {
  const std::size_t oh = out_size(g.h, cv.kh, cv.stride_h, cv.pad_top, cv.pad_bottom);
  const std::size_t ow = out_size(g.w, cv.kw, cv.stride_w, cv.pad_left, cv.pad_right);
  Tensor y(oh * ow * g.c);
  for (std::size_t oy = 0; oy < oh; ++oy) {
    for (std::size_t ox = 0; ox < ow; ++ox) {
      for (std::size_t c = 0; c < g.c; ++c) {
        double acc = bias[c];
        for (std::size_t ky = 0; ky < cv.kh; ++ky) {
          const auto iy = static_cast<std::ptrdiff_t>(oy * cv.stride_h + ky) - static_cast<std::ptrdiff_t>(cv.pad_top);
          if (iy < 0 || iy >= static_cast<std::ptrdiff_t>(g.h)) continue;
          for (std::size_t kx = 0; kx < cv.kw; ++kx) {
            const auto ix =
                static_cast<std::ptrdiff_t>(ox * cv.stride_w + kx) - static_cast<std::ptrdiff_t>(cv.pad_left);
            if (ix < 0 || ix >= static_cast<std::ptrdiff_t>(g.w)) continue;
            acc +=
                static_cast<double>(x[(static_cast<std::size_t>(iy) * g.w + static_cast<std::size_t>(ix)) * g.c + c]) *
                weights[(ky * cv.kw + kx) * g.c + c];
          }
        }
        y[(oy * ow + ox) * g.c + c] = act(a, acc);
      }
    }
  }
  g = {oh, ow, g.c};
  return y;
}

/// Dense over the whole (flattened) input; weights [units][k].
inline Tensor dense(const Tensor& x, std::size_t units, std::span<const float> weights, std::span<const float> bias,
                    Act a) {
  Tensor y(units);
  for (std::size_t u = 0; u < units; ++u) {
    double acc = bias[u];
    for (std::size_t k = 0; k < x.size(); ++k) acc += static_cast<double>(x[k]) * weights[u * x.size() + k];
    y[u] = act(a, acc);
  }
  return y;
}

/// Max (or average, padding excluded) pooling, floor mode.
inline Tensor pool(const Tensor& x, Geometry& g, std::size_t k, std::size_t s, bool average, std::size_t pad_before = 0,
                   std::size_t pad_after = 0) {
  const std::size_t oh = out_size(g.h, k, s, pad_before, pad_after), ow = out_size(g.w, k, s, pad_before, pad_after);
  Tensor y(oh * ow * g.c);
  for (std::size_t oy = 0; oy < oh; ++oy) {
    for (std::size_t ox = 0; ox < ow; ++ox) {
      for (std::size_t c = 0; c < g.c; ++c) {
        double best = -std::numeric_limits<double>::infinity(), sum = 0;
        std::size_t count = 0;
        for (std::size_t ky = 0; ky < k; ++ky) {
          for (std::size_t kx = 0; kx < k; ++kx) {
            const auto iy = static_cast<std::ptrdiff_t>(oy * s + ky) - static_cast<std::ptrdiff_t>(pad_before);
            const auto ix = static_cast<std::ptrdiff_t>(ox * s + kx) - static_cast<std::ptrdiff_t>(pad_before);
            if (iy < 0 || ix < 0 || iy >= static_cast<std::ptrdiff_t>(g.h) || ix >= static_cast<std::ptrdiff_t>(g.w)) {
              continue;
            }
            const double v = x[(static_cast<std::size_t>(iy) * g.w + static_cast<std::size_t>(ix)) * g.c + c];
            best = std::max(best, v);
            sum += v;
            ++count;
          }
        }
        y[(oy * ow + ox) * g.c + c] = static_cast<float>(average ? sum / static_cast<double>(count) : best);
      }
    }
  }
  g = {oh, ow, g.c};
  return y;
}

inline Tensor global_average(const Tensor& x, Geometry& g) {
  Tensor y(g.c);
  for (std::size_t c = 0; c < g.c; ++c) {
    double sum = 0;
    for (std::size_t i = 0; i < g.h * g.w; ++i) sum += x[i * g.c + c];
    y[c] = static_cast<float>(sum / static_cast<double>(g.h * g.w));
  }
  g = {1, 1, g.c};
  return y;
}

/// BatchNorm over the last axis, then an activation.
inline Tensor batch_norm(const Tensor& x, std::size_t channels, std::span<const float> gamma,
                         std::span<const float> beta, std::span<const float> mean, std::span<const float> variance,
                         double epsilon, Act a) {
  Tensor y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const std::size_t c = i % channels;
    y[i] = act(a, gamma[c] * (x[i] - static_cast<double>(mean[c])) / std::sqrt(variance[c] + epsilon) + beta[c]);
  }
  return y;
}

inline Tensor add(const Tensor& a, const Tensor& b, Act activation = Act::none) {
  Tensor y(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) y[i] = act(activation, static_cast<double>(a[i]) + b[i]);
  return y;
}

inline Tensor activate(const Tensor& x, Act a) {
  Tensor y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = act(a, x[i]);
  return y;
}

/// Concatenation on the channel axis of two [h*w][c] tensors.
inline Tensor concat_channels(const Tensor& a, std::size_t ca, const Tensor& b, std::size_t cb) {
  const std::size_t pixels = a.size() / ca;
  Tensor y(pixels * (ca + cb));
  for (std::size_t p = 0; p < pixels; ++p) {
    for (std::size_t c = 0; c < ca; ++c) y[p * (ca + cb) + c] = a[p * ca + c];
    for (std::size_t c = 0; c < cb; ++c) y[p * (ca + cb) + ca + c] = b[p * cb + c];
  }
  return y;
}

inline Tensor softmax(const Tensor& x) {
  double top = -std::numeric_limits<double>::infinity(), sum = 0;
  for (float v : x) top = std::max(top, static_cast<double>(v));
  Tensor y(x.size());
  for (float v : x) sum += std::exp(v - top);
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = static_cast<float>(std::exp(x[i] - top) / sum);
  return y;
}

// ---- random data ----

struct Random {
  std::mt19937 engine;
  explicit Random(unsigned seed) : engine(seed) {}
  /// Uniform in [-scale, scale].
  template <class Range>
  void fill(Range& range, float scale = 1.0f) {
    std::uniform_real_distribution<float> dist(-scale, scale);
    for (auto& v : range) v = dist(engine);
  }
  template <class Range>
  void fill_positive(Range& range, float lo, float hi) {
    std::uniform_real_distribution<float> dist(lo, hi);
    for (auto& v : range) v = dist(engine);
  }
};

/// Largest |a - b| relative to max(1, |b|).
template <class A>
double max_error(const A& actual, const Tensor& expected) {
  double worst = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double diff = std::abs(static_cast<double>(actual[i]) - expected[i]);
    const double scale = std::max(1.0, std::abs(static_cast<double>(expected[i])));
    if (std::isnan(diff)) return std::numeric_limits<double>::infinity();
    worst = std::max(worst, diff / scale);
  }
  return worst;
}

}  // namespace tinynn_test
