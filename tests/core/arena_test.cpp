#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "tinynn/arena.hpp"

using namespace tinynn;

TEST_CASE("Arena: aligned bump allocation, high-water mark, reset") {
  alignas(64) std::byte buffer[1024];
  Arena arena(buffer);
  auto a = arena.allocate(10, 64);
  REQUIRE(a.ok());
  CHECK(reinterpret_cast<std::uintptr_t>(a->data()) % 64 == 0);
  auto b = arena.allocate(10, 64);
  REQUIRE(b.ok());
  CHECK(b->data() - a->data() == 64);
  CHECK(arena.used() == 74);
  arena.reset();
  CHECK(arena.used() == 0);
  CHECK(arena.high_water() == 74);
  auto floats = arena.allocate_array<float>(5, 4);
  REQUIRE(floats.ok());
  CHECK(floats->size() == 5);
}

TEST_CASE("Arena: exhaustion names the figures, and leaves the arena usable") {
  alignas(64) std::byte buffer[128];
  Arena arena(buffer);
  REQUIRE(arena.allocate(100, 1).ok());
  auto fail = arena.allocate(64, 1);
  REQUIRE_FALSE(fail.ok());
  CHECK(fail.error().code() == ErrorCode::out_of_memory);
  CHECK(std::string(fail.error().message()) == "arena: requested 64 bytes (alignment 1), 28 of 128 available");
  CHECK(arena.allocate(28, 1).ok());
  CHECK_FALSE(arena.allocate(1, 3).ok());
  CHECK_FALSE(arena.allocate_array<double>(SIZE_MAX / 4).ok());
  static_assert(align_up(65) == 128 && align_up(64) == 64 && align_up(0) == 0);
}
