#include "state_store.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include "sys/files.hpp"
#include "test_tempdir.hpp"

using namespace jailmgr::engine;
using jailmgr::engine::testing::TempDir;

TEST_CASE("an applied record survives a save/load round trip") {
    TempDir d;
    StateStore store(d.path);
    AppliedJail a;
    a.name = "web";
    a.project = "webstack";
    a.id = 7;
    a.spec_hash = "abc";
    a.spec = {{"ports", {8080}}};
    a.services["httpd"] = {"h1", {{"command", {"busybox", "httpd"}}}};
    a.setup_hashes = {"s1", "s2"};
    a.depends_on = {"db"};
    a.autostart = false;
    a.applied_at = 1234;
    store.save(a);
    auto b = store.load("web");
    REQUIRE(b);
    CHECK(*b == a);
    auto all = store.load_all();
    REQUIRE(all.size() == 1);
    CHECK(all.at("web") == a);
}

TEST_CASE("removing a record makes the jail unknown; removing twice is fine") {
    TempDir d;
    StateStore store(d.path);
    AppliedJail a;
    a.name = "db";
    store.save(a);
    store.remove("db");
    CHECK_FALSE(store.load("db"));
    store.remove("db");
    CHECK(store.load_all().empty());
}

TEST_CASE("sync makes saved records durable and tolerates records removed meanwhile") {
    TempDir d;
    StateStore store(d.path);
    AppliedJail a;
    a.name = "web";
    a.project = "p";
    store.save(a);
    a.name = "db";
    store.save(a);
    store.remove("db");
    ::unlink((store.dir() / "web.json").c_str());  // someone else removed it
    CHECK_NOTHROW(store.sync());
    CHECK_NOTHROW(store.sync());  // nothing left to sync
    CHECK(store.load_all().empty());
}

TEST_CASE("the state store refuses names that would leave its directory") {
    TempDir d;
    StateStore store(d.path);
    AppliedJail a;
    a.name = "../evil";
    CHECK_THROWS_AS(store.save(a), std::invalid_argument);
    CHECK_THROWS_AS(store.load(".."), std::invalid_argument);
}

TEST_CASE("a corrupt record is skipped, not fatal") {
    TempDir d;
    StateStore store(d.path);
    AppliedJail a;
    a.name = "ok";
    store.save(a);
    jailmgr::sys::write_file_atomic(store.dir() / "bad.json", "{not json");
    auto all = store.load_all();
    CHECK(all.size() == 1);
    CHECK(all.count("ok") == 1);
}
