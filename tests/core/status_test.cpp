#include <doctest/doctest.h>

#include <string>

#include "tinynn/status.hpp"

using namespace tinynn;

TEST_CASE("Status: success and error carry code and message") {
  const Status ok = Status::success();
  CHECK(ok.ok());
  CHECK(std::string(ok.message()) == "ok");

  const Status bad = error(ErrorCode::invalid_model, "node '", std::string("Conv_12"), "' (Conv): group=", 3,
                           " does not divide input channels ", 32u);
  CHECK_FALSE(bad.ok());
  CHECK(bad.code() == ErrorCode::invalid_model);
  CHECK(std::string(bad.message()) == "node 'Conv_12' (Conv): group=3 does not divide input channels 32");
}

TEST_CASE("Status: prepend adds context, only to errors") {
  Status bad = error(ErrorCode::io_error, "cannot open");
  bad.prepend("model.onnx");
  CHECK(std::string(bad.message()) == "model.onnx: cannot open");
  Status ok;
  ok.prepend("x");
  CHECK(std::string(ok.message()) == "ok");
}

TEST_CASE("Status: numbers of every kind format") {
  const Status s = error(ErrorCode::out_of_range, -5, ' ', 2.5f, ' ', std::int64_t{1} << 40, ' ', true);
  CHECK(std::string(s.message()) == "-5 2.5 1099511627776 true");
  CHECK(error_code_name(ErrorCode::unsupported) == "unsupported");
}

namespace {
Result<int> parse_positive(int x) {
  if (x <= 0) return error(ErrorCode::invalid_argument, "expected a positive number, got ", x);
  return x * 2;
}
Status chain(int x) {
  TINYNN_RETURN_IF_ERROR(parse_positive(x).status());
  return Status::success();
}
}  // namespace

TEST_CASE("Result: value or error") {
  auto good = parse_positive(4);
  REQUIRE(good.ok());
  CHECK(*good == 8);
  auto bad = parse_positive(-1);
  REQUIRE_FALSE(bad.ok());
  CHECK(std::string(bad.error().message()) == "expected a positive number, got -1");
  CHECK(chain(3).ok());
  CHECK(chain(0).code() == ErrorCode::invalid_argument);
}

TEST_CASE("Result: non-trivial values copy, move and destroy correctly") {
  Result<std::string> a = std::string(100, 'x');
  Result<std::string> b = a;
  CHECK(*b == std::string(100, 'x'));
  Result<std::string> c = std::move(a);
  CHECK(c->size() == 100);
  b = Result<std::string>(error(ErrorCode::internal, "gone"));
  CHECK_FALSE(b.ok());
  b = c;
  CHECK(b->size() == 100);
}
