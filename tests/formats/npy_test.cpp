// .npy reading and writing: round trips, NumPy-written files, malformed headers.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tinynn/formats/npy.hpp"

using namespace tinynn;

TEST_CASE("npy round-trips every supported dtype and shape") {
  std::vector<float> floats = {1.0f, -2.5f, 3.25f, 0.0f, 5.0f, 6.0f};
  std::vector<std::int64_t> longs = {1, -2, 1LL << 40};
  struct Case {
    TensorRef ref;
  };
  for (const TensorRef& ref :
       {TensorRef(DType::f32, DynShape{2, 3}, floats.data()), TensorRef(DType::f32, DynShape{6}, floats.data()),
        TensorRef(DType::f32, DynShape{}, floats.data()), TensorRef(DType::i64, DynShape{3, 1}, longs.data())}) {
    const auto bytes = formats::npy::serialize(ref);
    CHECK((10 + (bytes[8] | bytes[9] << 8)) % 64 == 0);  // header padded to 64 bytes
    auto back = formats::npy::parse(bytes);
    REQUIRE_MESSAGE(back.ok(), back.error().message());
    CHECK(back->dtype == ref.dtype);
    CHECK(back->shape == ref.shape);
    CHECK(std::memcmp(back->data.data(), ref.data, ref.bytes()) == 0);
  }
}

TEST_CASE("npy rejects malformed files with a clear message") {
  std::vector<std::uint8_t> bad = {'n', 'o', 't', ' ', 'n', 'p', 'y', 0, 0, 0};
  auto r = formats::npy::parse(bad, "x.npy");
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.error().message()).find("x.npy") != std::string::npos);
  std::vector<float> data = {1, 2, 3, 4};
  auto bytes = formats::npy::serialize(TensorRef(DType::f32, DynShape{4}, data.data()));
  bytes.resize(bytes.size() - 4);  // truncated data
  r = formats::npy::parse(bytes, "t.npy");
  REQUIRE_FALSE(r.ok());
  CHECK(std::string(r.error().message()).find("needs 16") != std::string::npos);
  bytes = formats::npy::serialize(TensorRef(DType::f32, DynShape{4}, data.data()));
  const std::string header(bytes.begin() + 10, bytes.begin() + 64);
  const auto at = header.find("<f4");
  bytes[10 + at + 1] = 'c';  // complex: unsupported
  r = formats::npy::parse(bytes, "c.npy");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::unsupported);
}

TEST_CASE("npy reads NumPy-written inputs of the shared models") {
  const char* dir = std::getenv("TINYNN_MODELS_DIR");
  const std::filesystem::path file = dir ? std::filesystem::path(dir) / "onnx" / "simplenet_v1.input_0.npy" : "";
  if (!dir || !std::filesystem::exists(file)) {
    MESSAGE("skipped: TINYNN_MODELS_DIR/onnx is absent");
    return;
  }
  auto array = formats::npy::load(file.string());
  REQUIRE_MESSAGE(array.ok(), array.error().message());
  CHECK(array->dtype == DType::f32);
  CHECK(array->shape == DynShape{1, 1, 28, 28});
}
