#include "paths.hpp"

#include <doctest/doctest.h>

using jailmgr::engine::Paths;

TEST_CASE("the system instance lives in the standard directories") {
    auto p = Paths::for_root("/");
    CHECK(p.state_dir == "/var/lib/jailmgr");
    CHECK(p.run_dir == "/run/jailmgr");
    CHECK(p.log_dir == "/var/log/jailmgr");
    CHECK(p.instance == "default");
}

TEST_CASE("a root dir prefixes every path and gets its own stable instance name") {
    auto a = Paths::for_root("/tmp/x/");
    auto b = Paths::for_root("/tmp/x");
    auto c = Paths::for_root("/tmp/y");
    CHECK(a.state_dir == "/tmp/x/var/lib/jailmgr");
    CHECK(a.run_dir == "/tmp/x/run/jailmgr");
    CHECK(a.instance == b.instance);
    CHECK(a.instance != c.instance);
    CHECK(a.instance != "default");
    CHECK(a.driver_config().instance == a.instance);
}
