#include "reconcile.hpp"

#include <doctest/doctest.h>

#include "observe.hpp"
#include "test_tempdir.hpp"
#include "testing/fake_driver.hpp"
#include "testing/fake_supervisors.hpp"

using namespace jailmgr::engine;
using namespace jailmgr::engine::testing;

namespace {

DesiredJail jail(const std::string& name) {
    DesiredJail j;
    j.name = name;
    j.project = "p";
    j.spec.name = name;
    j.spec.root = "/jails/" + name;
    return j;
}

struct World {
    TempDir dir;
    FakeDriver driver;
    FakeSupervisors sups;
    Engine engine{Paths::for_root(dir.path), driver, sups};
};

}  // namespace

TEST_CASE("a jail created by an apply that crashed before recording it is adopted, not foreign") {
    World w;
    Desired d;
    d.project = "p";
    d.jails = {jail("web")};
    // The crash: journal says create began, the kernel has the jail, no record.
    Journal(w.engine.paths.state_dir).begin("create", "web", {{"project", "p"}});
    w.driver.create(d.jails[0].spec);

    auto p = plan(w.engine, d, {});  // read-only: sees the adoption, changes nothing
    CHECK(p.foreign_jails.empty());
    CHECK_FALSE(StateStore(w.engine.paths.state_dir).load("web"));

    auto out = apply(w.engine, d, {});
    CHECK(out.result.ok());
    REQUIRE(out.repaired.size() == 1);
    CHECK(out.repaired[0] == "adopted jail web (jail 1) created by an interrupted apply");
    CHECK(w.driver.log == std::vector<std::string>{"create web"});  // not created twice
    CHECK(Journal(w.engine.paths.state_dir).unfinished().empty());
    CHECK_FALSE(plan(w.engine, d, {}).has_changes());
    auto last = read_last_apply(w.engine.paths);
    REQUIRE(last);
    CHECK(last->ok);
    CHECK(last->desired_hash == desired_hash(d));
}

TEST_CASE("down destroys this project's jails, dependents first, and refuses others") {
    World w;
    Desired d;
    d.project = "p";
    auto web = jail("web");
    web.depends_on = {{"db", "started"}};
    d.jails = {web, jail("db")};
    REQUIRE(apply(w.engine, d, {}).result.ok());
    w.driver.create(jail("foreign").spec);
    w.driver.log.clear();

    auto refused = down(w.engine, "p", {"foreign"}, {});
    CHECK(refused.result.errors ==
          std::vector<std::string>{"jail foreign: not created by jailmgr; left alone (jailctl destroy removes it)"});

    auto out = down(w.engine, "p", {}, {});
    CHECK(out.result.ok());
    CHECK(w.driver.log == std::vector<std::string>{"destroy web", "destroy db"});
    CHECK(w.driver.find("foreign"));
    CHECK(StateStore(w.engine.paths.state_dir).load_all().empty());
}

TEST_CASE("the desired-state hash changes with content, not with nothing") {
    Desired a;
    a.project = "p";
    a.jails = {jail("web")};
    Desired b = a;
    CHECK(desired_hash(a) == desired_hash(b));
    b.jails[0].spec.ports = {80};
    CHECK(desired_hash(a) != desired_hash(b));
}
