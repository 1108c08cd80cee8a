// tinynn — memory planner: every intermediate tensor gets an offset in one arena. Each buffer lives
// from the step that writes it to the last step that reads it; buffers are placed largest first at
// the lowest offset that does not overlap any already-placed buffer with an overlapping lifetime
// (greedy by size, the TFLite arena planner's strategy). The plan is printable.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tinynn/arena.hpp"

namespace tinynn::graph {

struct BufferRequest {
  std::size_t bytes = 0;
  int first_step = 0;  // step that writes it (-1: before the first step, e.g. graph inputs)
  int last_step = 0;   // last step that reads it (a large number for graph outputs)
};

struct MemoryPlan {
  std::vector<std::size_t> offsets;  // one per request
  std::size_t arena_bytes = 0;       // peak: the arena size the plan needs
  std::size_t naive_bytes = 0;       // sum of all buffers (what no reuse would need)
};

/// Greedy-by-size placement. Offsets are multiples of tensor_alignment.
[[nodiscard]] inline MemoryPlan plan_memory(const std::vector<BufferRequest>& requests) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<std::size_t> order(requests.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return requests[a].bytes > requests[b].bytes; });
  struct Placed {
    std::size_t offset, end;
    int first, last;
  };
  std::vector<Placed> placed;
  placed.reserve(requests.size());
  std::vector<Placed> conflicts;
  for (std::size_t index : order) {
    const BufferRequest& r = requests[index];
    const std::size_t size = align_up(r.bytes ? r.bytes : 1);
    plan.naive_bytes += size;
    conflicts.clear();
    for (const Placed& p : placed) {
      if (p.first <= r.last_step && r.first_step <= p.last) conflicts.push_back(p);
    }
    std::sort(conflicts.begin(), conflicts.end(), [](const Placed& a, const Placed& b) { return a.offset < b.offset; });
    // Lowest gap that fits (best fit among gaps would also do; lowest keeps the peak small).
    std::size_t offset = 0;
    for (const Placed& p : conflicts) {
      if (p.offset >= offset + size) break;
      if (p.end > offset) offset = p.end;
    }
    plan.offsets[index] = offset;
    placed.push_back({offset, offset + size, r.first_step, r.last_step});
    if (offset + size > plan.arena_bytes) plan.arena_bytes = offset + size;
  }
  return plan;
}

}  // namespace tinynn::graph
