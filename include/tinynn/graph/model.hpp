// tinynn — Model: an imported graph (ONNX today; TFLite through the same load()) that compiles into
// any number of independent Sessions.
#pragma once

#include <memory>
#include <utility>

#include "tinynn/graph/session.hpp"

namespace tinynn {

class Model {
 public:
  Model() = default;
  explicit Model(graph::Graph graph) : graph_(std::make_shared<const graph::Graph>(std::move(graph))) {}

  /// Runs the passes, plans memory and binds kernels (see graph/session.hpp).
  [[nodiscard]] Result<Session> compile(const CompileOptions& options = {}) const {
    if (!graph_) return error(ErrorCode::invalid_argument, "compile: the model is empty");
    return tinynn::compile(*graph_, options);
  }

  [[nodiscard]] const graph::Graph& graph() const noexcept { return *graph_; }

 private:
  std::shared_ptr<const graph::Graph> graph_;
};

}  // namespace tinynn
