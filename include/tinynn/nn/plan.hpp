// tinynn — compile-time arena planning for static networks. A network describes itself as a list
// of steps (one kernel call each) over buffers: buffer 0 is the caller's input (never in the arena),
// step s writes buffer s + 1 and reads earlier buffers. The planner merges a step's output into an
// input that dies at that step when the op can run in place, gives every remaining buffer and every
// step's scratch a lifetime [first step, last step], and places them greedily (largest first, lowest
// free offset) so that buffers whose lifetimes overlap never overlap in memory. Everything here is
// constexpr: Net::arena_bytes is the exact figure, known before the program runs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "tinynn/config.hpp"

namespace tinynn::nn {

/// Most inputs one step reads (Add / Concat of this many branches).
inline constexpr std::size_t max_step_inputs = 8;

struct StepInfo {
  std::array<std::size_t, max_step_inputs> inputs{};  // buffer ids read
  std::size_t input_count = 0;
  std::size_t output_bytes = 0;
  std::size_t scratch_bytes = 0;
  bool in_place = false;  // the output may share the storage of a same-sized input that dies here
};

/// The steps of a network, in execution order. Built by each layer's describe().
template <std::size_t StepCount>
struct Graph {
  std::array<StepInfo, (StepCount > 0 ? StepCount : 1)> steps{};
  std::size_t count = 0;
  std::size_t input_bytes = 0;
  std::size_t output_buffer = 0;

  /// Appends a step; returns the id of the buffer it writes.
  constexpr std::size_t add(const StepInfo& step) {
    steps[count] = step;
    return ++count;
  }
  constexpr std::size_t bytes_of(std::size_t buffer) const {
    return buffer == 0 ? input_bytes : steps[buffer - 1].output_bytes;
  }
};

template <std::size_t StepCount>
struct Plan {
  static constexpr std::size_t buffers = StepCount + 1;
  std::array<std::size_t, buffers> offset{};   // arena offset of each buffer (0 = external input)
  std::array<std::size_t, buffers> storage{};  // buffer that owns the storage (after in-place merges)
  std::array<std::size_t, buffers> first{};    // first step that writes the storage
  std::array<std::size_t, buffers> last{};     // last step that reads it (StepCount = alive at the end)
  std::array<std::size_t, (StepCount > 0 ? StepCount : 1)> scratch_offset{};
  std::size_t arena_bytes = 0;      // the exact figure: end of the highest placed block
  std::size_t no_reuse_bytes = 0;   // every buffer and scratch block side by side, nothing shared
  std::size_t ping_pong_bytes = 0;  // the naive bound: two buffers of the largest activation + largest scratch
  std::size_t in_place_steps = 0;   // steps whose output shares an input's storage
  bool valid = false;               // self-check: no two blocks alive at the same step overlap
};

namespace detail {

constexpr std::size_t align_offset(std::size_t bytes) noexcept {
  return (bytes + tensor_alignment - 1) / tensor_alignment * tensor_alignment;
}

struct Block {
  std::size_t bytes = 0, first = 0, last = 0, offset = 0;
  bool placed = false;
};

constexpr bool lifetimes_overlap(const Block& a, const Block& b) noexcept {
  return a.first <= b.last && b.first <= a.last;
}
constexpr bool memory_overlaps(const Block& a, std::size_t offset, std::size_t bytes) noexcept {
  return offset < a.offset + a.bytes && a.offset < offset + bytes;
}

}  // namespace detail

/// Plans the arena of a graph (see the file comment). Runs at compile time.
template <std::size_t N>
constexpr Plan<N> plan_arena(const Graph<N>& graph) {
  Plan<N> plan{};
  constexpr std::size_t B = N + 1;
  const std::size_t end = N;  // a "step" after the last: the output stays alive until the caller reads it
  std::array<std::size_t, B> last_use{};
  for (std::size_t b = 0; b < B; ++b) last_use[b] = b == 0 ? 0 : b - 1;
  for (std::size_t s = 0; s < graph.count; ++s) {
    for (std::size_t i = 0; i < graph.steps[s].input_count; ++i) {
      const std::size_t b = graph.steps[s].inputs[i];
      if (s > last_use[b]) last_use[b] = s;
    }
  }
  last_use[graph.output_buffer] = end;

  // In-place merges, in step order: the output joins the storage of an input whose group dies here.
  for (std::size_t b = 0; b < B; ++b) {
    plan.storage[b] = b;
    plan.first[b] = b == 0 ? 0 : b - 1;
    plan.last[b] = last_use[b];
  }
  for (std::size_t s = 0; s < graph.count; ++s) {
    const StepInfo& step = graph.steps[s];
    if (!step.in_place) continue;
    for (std::size_t i = 0; i < step.input_count; ++i) {
      const std::size_t root = plan.storage[step.inputs[i]];
      if (root == 0 || plan.last[root] != s || graph.bytes_of(root) != step.output_bytes) continue;
      plan.storage[s + 1] = root;
      plan.last[root] = last_use[s + 1];
      ++plan.in_place_steps;
      break;
    }
  }

  // Blocks: one per storage root (not the external input), one per step's scratch.
  std::array<detail::Block, 2 * B> blocks{};
  std::array<std::size_t, 2 * B> owner{};  // block -> buffer id (< B) or B + step for scratch
  std::size_t count = 0;
  std::size_t largest_buffer = 0, largest_scratch = 0;
  for (std::size_t b = 1; b < B; ++b) {
    if (plan.storage[b] != b) continue;
    blocks[count] = {graph.bytes_of(b), plan.first[b], plan.last[b], 0, false};
    owner[count++] = b;
    plan.no_reuse_bytes += detail::align_offset(graph.bytes_of(b));
    if (graph.bytes_of(b) > largest_buffer) largest_buffer = graph.bytes_of(b);
  }
  for (std::size_t s = 0; s < graph.count; ++s) {
    const std::size_t bytes = graph.steps[s].scratch_bytes;
    if (bytes == 0) continue;
    blocks[count] = {bytes, s, s, 0, false};
    owner[count++] = B + s;
    plan.no_reuse_bytes += detail::align_offset(bytes);
    if (bytes > largest_scratch) largest_scratch = bytes;
  }
  plan.ping_pong_bytes = 2 * detail::align_offset(largest_buffer) + largest_scratch;

  // Greedy: largest block first (earliest first on ties), at the lowest offset free during its lifetime.
  for (std::size_t placed = 0; placed < count; ++placed) {
    std::size_t pick = count;
    for (std::size_t k = 0; k < count; ++k) {
      if (blocks[k].placed) continue;
      if (pick == count || blocks[k].bytes > blocks[pick].bytes ||
          (blocks[k].bytes == blocks[pick].bytes && blocks[k].first < blocks[pick].first)) {
        pick = k;
      }
    }
    std::size_t offset = 0;
    for (bool moved = true; moved;) {
      moved = false;
      for (std::size_t k = 0; k < count; ++k) {
        if (!blocks[k].placed || !detail::lifetimes_overlap(blocks[k], blocks[pick])) continue;
        if (detail::memory_overlaps(blocks[k], offset, blocks[pick].bytes)) {
          offset = detail::align_offset(blocks[k].offset + blocks[k].bytes);
          moved = true;
        }
      }
    }
    blocks[pick].offset = offset;
    blocks[pick].placed = true;
    if (offset + blocks[pick].bytes > plan.arena_bytes) plan.arena_bytes = offset + blocks[pick].bytes;
  }

  for (std::size_t k = 0; k < count; ++k) {
    if (owner[k] < B) {
      plan.offset[owner[k]] = blocks[k].offset;
    } else {
      plan.scratch_offset[owner[k] - B] = blocks[k].offset;
    }
  }
  for (std::size_t b = 1; b < B; ++b) plan.offset[b] = plan.offset[plan.storage[b]];

  plan.valid = true;
  for (std::size_t a = 0; a < count; ++a) {
    for (std::size_t b = a + 1; b < count; ++b) {
      if (detail::lifetimes_overlap(blocks[a], blocks[b]) &&
          detail::memory_overlaps(blocks[a], blocks[b].offset, blocks[b].bytes) && blocks[a].bytes != 0 &&
          blocks[b].bytes != 0) {
        plan.valid = false;
      }
    }
    if (blocks[a].offset % tensor_alignment != 0 || blocks[a].offset + blocks[a].bytes > plan.arena_bytes) {
      plan.valid = false;
    }
  }
  return plan;
}

}  // namespace tinynn::nn
