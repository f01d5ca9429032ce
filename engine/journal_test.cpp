#include "journal.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include "test_tempdir.hpp"

using namespace jailmgr::engine;
using jailmgr::engine::testing::TempDir;

TEST_CASE("a step that began and finished is not reported as unfinished") {
    TempDir d;
    Journal j(d.path);
    auto a = j.begin("create", "web", {{"project", "p"}});
    auto b = j.begin("create", "db");
    j.done(a);
    auto open = Journal(d.path).unfinished();
    REQUIRE(open.size() == 1);
    CHECK(open[0].seq == b);
    CHECK(open[0].op == "create");
    CHECK(open[0].jail == "db");
}

TEST_CASE("sequence numbers keep growing across reopen, and clear forgets everything") {
    TempDir d;
    std::uint64_t first;
    {
        Journal j(d.path);
        first = j.begin("destroy", "web");
    }
    Journal j2(d.path);
    CHECK(j2.begin("destroy", "db") > first);
    CHECK(j2.unfinished().size() == 2);
    j2.clear();
    CHECK(j2.unfinished().empty());
    j2.clear();  // clearing twice is fine
}

TEST_CASE("a torn last line left by a crash is ignored") {
    TempDir d;
    Journal j(d.path);
    j.begin("create", "web", {{"project", "p"}});
    {
        std::ofstream f(j.path(), std::ios::app);
        f << "{\"seq\": 7, \"phase\": \"be";  // kill -9 mid-write
    }
    auto open = Journal(d.path).unfinished();
    REQUIRE(open.size() == 1);
    CHECK(open[0].jail == "web");
    CHECK(open[0].data["project"] == "p");
}
