// graph.hpp -- cycle detection for depends_on and profile extends.
#pragma once

#include <cstddef>
#include <vector>

namespace jailmgr::schema {

// Edges: for node u, a list of (target node, edge id).  Finds cycles with an
// iterative depth-first search (no recursion: a chain of 10,000 jails must
// not eat the stack) in O(V + E); each back edge yields one cycle, returned
// as the edge ids along it, starting at the edge that leaves the
// lowest-numbered node of the cycle.  At most `max_cycles` are returned.
struct Edge {
    size_t to;
    size_t id;
};
std::vector<std::vector<size_t>> find_cycles(const std::vector<std::vector<Edge>>& graph, size_t max_cycles = 100);

}  // namespace jailmgr::schema
