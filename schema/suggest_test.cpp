#include "suggest.hpp"

#include <doctest/doctest.h>

using namespace jailmgr::schema;

TEST_CASE("edit distance counts transpositions as one edit") {
    CHECK(edit_distance("hostname", "hostnme") == 1);
    CHECK(edit_distance("hostname", "hsotname") == 1);
    CHECK(edit_distance("abc", "abc") == 0);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("Memory", "memory") == 0);
}

TEST_CASE("suggestions only for plausible typos") {
    std::vector<std::string_view> keys{"hostname", "profile", "ports", "limits"};
    CHECK(suggest("hostnme", keys) == "hostname");
    CHECK(suggest("port", keys) == "ports");
    CHECK_FALSE(suggest("banana", keys));
    CHECK(did_you_mean("profle", keys) == "; did you mean 'profile'?");
    CHECK(did_you_mean("zzz", keys).empty());
    CHECK_FALSE(suggest(std::string(1000, 'a'), keys));
}
