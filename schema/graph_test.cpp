#include "graph.hpp"

#include <doctest/doctest.h>

using namespace jailmgr::schema;

TEST_CASE("a three-node cycle is reported once, starting at its lowest node") {
    // 0 -> 1 -> 2 -> 0, edge ids 10, 11, 12
    std::vector<std::vector<Edge>> g{{{1, 10}}, {{2, 11}}, {{0, 12}}};
    auto cycles = find_cycles(g);
    REQUIRE(cycles.size() == 1);
    CHECK(cycles[0] == std::vector<size_t>{10, 11, 12});
}

TEST_CASE("a self-dependency is a cycle of one edge") {
    std::vector<std::vector<Edge>> g{{{0, 7}}};
    auto cycles = find_cycles(g);
    REQUIRE(cycles.size() == 1);
    CHECK(cycles[0] == std::vector<size_t>{7});
}

TEST_CASE("a long chain without cycles uses no recursion and finds nothing") {
    const size_t n = 200'000;
    std::vector<std::vector<Edge>> g(n);
    for (size_t i = 0; i + 1 < n; ++i) g[i].push_back({i + 1, i});
    CHECK(find_cycles(g).empty());
    g[n - 1].push_back({0, n});
    auto cycles = find_cycles(g);
    REQUIRE(cycles.size() == 1);
    CHECK(cycles[0].size() == n);
    CHECK(cycles[0].front() == 0);
}
