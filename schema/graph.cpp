#include "graph.hpp"

#include <algorithm>

namespace jailmgr::schema {

std::vector<std::vector<size_t>> find_cycles(const std::vector<std::vector<Edge>>& graph, size_t max_cycles) {
    enum : unsigned char { white, gray, black };
    const size_t n = graph.size();
    std::vector<unsigned char> color(n, white);
    std::vector<size_t> depth_of(n, 0);
    struct Frame {
        size_t node;
        size_t next;      // next edge index to explore
        size_t via_edge;  // edge id that led here
    };
    std::vector<Frame> stack;
    std::vector<std::vector<size_t>> cycles;

    for (size_t start = 0; start < n; ++start) {
        if (color[start] != white) continue;
        stack.push_back({start, 0, 0});
        color[start] = gray;
        depth_of[start] = 0;
        while (!stack.empty()) {
            Frame& f = stack.back();
            if (f.next == graph[f.node].size()) {
                color[f.node] = black;
                stack.pop_back();
                continue;
            }
            const Edge e = graph[f.node][f.next++];
            if (color[e.to] == white) {
                color[e.to] = gray;
                depth_of[e.to] = stack.size();
                stack.push_back({e.to, 0, e.id});
            } else if (color[e.to] == gray && cycles.size() < max_cycles) {
                // Edges along the stack from e.to to the top, then the back edge.
                std::vector<size_t> nodes, ids;
                for (size_t i = depth_of[e.to]; i < stack.size(); ++i) {
                    nodes.push_back(stack[i].node);
                    if (i > depth_of[e.to]) ids.push_back(stack[i].via_edge);
                }
                ids.push_back(e.id);
                // Rotate so the cycle starts at its lowest-numbered node.
                size_t lowest = static_cast<size_t>(std::min_element(nodes.begin(), nodes.end()) - nodes.begin());
                std::rotate(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(lowest), ids.end());
                cycles.push_back(std::move(ids));
            }
        }
    }
    return cycles;
}

}  // namespace jailmgr::schema
