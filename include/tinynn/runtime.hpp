// tinynn — umbrella of the runtime-graph side (desktop: uses the heap, <string>, <vector>, files):
// load a model (ONNX; TFLite by content), compile it into a Session, run it; .npy I/O.
//   auto model = tinynn::load("model.onnx");
//   auto session = model->compile({.threads = 1});
//   session->run({{"input", tensor}});  session->output(0);
// Not part of tinynn.hpp, which stays firmware-friendly.
#pragma once

#include "tinynn/formats/load.hpp"
#include "tinynn/formats/npy.hpp"
#include "tinynn/formats/onnx.hpp"
#include "tinynn/graph/model.hpp"
#include "tinynn/graph/registry.hpp"
#include "tinynn/graph/session.hpp"
#include "tinynn/tinynn.hpp"
