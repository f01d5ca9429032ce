#include "apply.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "diff.hpp"
#include "observe.hpp"
#include "test_tempdir.hpp"
#include "testing/fake_driver.hpp"
#include "testing/fake_supervisors.hpp"

using namespace jailmgr::engine;
using namespace jailmgr::engine::testing;
using nlohmann::json;

namespace {

DesiredJail jail(const std::string& name, std::vector<std::string> services = {}) {
    DesiredJail j;
    j.name = name;
    j.project = "p";
    j.spec.name = name;
    j.spec.root = "/jails/" + name;
    for (auto& s : services) {
        json spec = {{"argv", {s}}};
        j.services.push_back({s, canonical_hash(spec), spec, false});
    }
    return j;
}

SetupStep run_step(const std::string& cmd) {
    json spec = {{"run", {"/bin/sh", "-c", cmd}}};
    return {"run: " + cmd, spec, canonical_hash(spec)};
}

struct World {
    TempDir dir;
    FakeDriver driver;
    FakeSupervisors sups;
    StateStore store{dir.path};
    Journal journal{dir.path};
    std::vector<std::string> events;

    ApplyResult apply(const Desired& d, DiffOptions opts = {}, unsigned parallel = 2) {
        auto observed = observe(driver, store, sups);
        auto plan = diff(d, observed, opts);
        ApplyOptions o;
        o.parallel = parallel;
        o.progress = [this](const StepEvent& e) {
            if (e.state == StepState::done || e.state == StepState::failed || e.state == StepState::skipped)
                events.push_back(std::string(e.state == StepState::done ? "done " : "not ") +
                                 std::string(to_string(e.step->action)) + " " + e.step->jail +
                                 (e.step->service.empty() ? "" : "/" + e.step->service));
        };
        Applier applier(driver, sups, store, journal, o);
        return applier.run(plan, d, observed);
    }
    Plan plan(const Desired& d, DiffOptions opts = {}) { return diff(d, observe(driver, store, sups), opts); }
};

}  // namespace

TEST_CASE("apply converges, and a second plan has nothing to do") {
    World w;
    Desired d;
    d.project = "p";
    auto web = jail("web", {"httpd"});
    web.depends_on = {{"db", "healthy"}};
    web.setup = {run_step("true")};
    d.jails = {web, jail("db", {"postgres"})};
    auto r = w.apply(d);
    CHECK(r.ok());
    CHECK(w.driver.log == std::vector<std::string>{"create db", "create web"});
    CHECK(w.sups.log == std::vector<std::string>{"start db", "wait db", "start web"});
    CHECK_FALSE(w.plan(d).has_changes());
    auto rec = w.store.load("web");
    REQUIRE(rec);
    CHECK(rec->project == "p");
    CHECK(rec->setup_hashes == std::vector<std::string>{web.setup[0].hash});
    CHECK(rec->services.at("httpd").hash == web.services[0].hash);
    CHECK(w.journal.unfinished().empty());
}

TEST_CASE("changing one service reloads the supervisor and nothing else") {
    World w;
    Desired d;
    d.project = "p";
    d.jails = {jail("web", {"httpd", "cron"})};
    REQUIRE(w.apply(d).ok());
    w.driver.log.clear();
    w.sups.log.clear();
    json spec = {{"argv", {"httpd", "-v"}}};
    d.jails[0].services[0] = {"httpd", canonical_hash(spec), spec, false};
    auto p = w.plan(d);
    REQUIRE(p.steps.size() == 1);
    CHECK(p.steps[0].service == "httpd");
    REQUIRE(w.apply(d).ok());
    CHECK(w.driver.log.empty());
    CHECK(w.sups.log == std::vector<std::string>{"reload web"});
    CHECK_FALSE(w.plan(d).has_changes());
}

TEST_CASE("changing ports replaces the jail: stop, destroy, create, start") {
    World w;
    Desired d;
    d.project = "p";
    d.jails = {jail("web", {"httpd"})};
    d.jails[0].spec.ports = {8080};
    REQUIRE(w.apply(d).ok());
    auto old_id = w.store.load("web")->id;
    w.driver.log.clear();
    w.sups.log.clear();
    d.jails[0].spec.ports = {8081};
    REQUIRE(w.apply(d).ok());
    CHECK(w.driver.log == std::vector<std::string>{"destroy web", "create web"});
    CHECK(w.sups.log == std::vector<std::string>{"stop web", "start web"});
    CHECK(w.store.load("web")->id != old_id);
    CHECK_FALSE(w.plan(d).has_changes());
}

TEST_CASE("a failed create skips its dependents, reports both and still applies the rest") {
    World w;
    Desired d;
    d.project = "p";
    auto web = jail("web");
    web.depends_on = {{"db", "started"}};
    d.jails = {web, jail("db"), jail("other")};
    w.driver.fail_create = {"db"};
    auto r = w.apply(d, {}, 1);
    CHECK_FALSE(r.ok());
    REQUIRE(r.errors.size() == 2);
    CHECK(r.errors[0] == "jail db: jail db: injected failure");
    CHECK(r.errors[1] == "jail web: skipped because jail db failed");
    CHECK(w.driver.find("other"));
    CHECK_FALSE(w.driver.find("web"));
    CHECK_FALSE(w.store.load("db"));
}

TEST_CASE("a failing setup step reports its output and keeps services down; the next apply retries it") {
    World w;
    Desired d;
    d.project = "p";
    auto web = jail("web", {"httpd"});
    web.setup = {run_step("true"), run_step("echo disk full >&2; exit 3")};
    d.jails = {web};
    auto r = w.apply(d);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0] == "jail web: setup step 'run: echo disk full >&2; exit 3' failed (exit status 3): disk full");
    CHECK(w.sups.log.empty());
    CHECK(w.store.load("web")->setup_hashes == std::vector<std::string>{web.setup[0].hash});
    d.jails[0].setup[1] = run_step("true");
    auto p = w.plan(d);
    REQUIRE(p.steps.size() >= 1);
    CHECK(p.steps[0].action == Action::setup);
    CHECK(p.steps[0].reason == "step 2 (run: true) never ran");
    REQUIRE(w.apply(d).ok());
    CHECK(w.sups.log == std::vector<std::string>{"start web"});
}

TEST_CASE("file setup steps write inside the jail through its session") {
    World w;
    Desired d;
    d.project = "p";
    auto web = jail("web");
    json spec = {{"file", {{"path", "/var/www/index.html"}, {"content", "<h1>hi</h1>\n"}, {"mode", 0644}}}};
    web.setup = {{"file: /var/www/index.html", spec, canonical_hash(spec)}};
    d.jails = {web};
    REQUIRE(w.apply(d).ok());
    CHECK(w.driver.files.at("web:/var/www/index.html") == "<h1>hi</h1>\n");
}

TEST_CASE("prune destroys only this project's removed jails and forgets them") {
    World w;
    Desired d;
    d.project = "p";
    d.jails = {jail("web", {"a"}), jail("old", {"b"})};
    REQUIRE(w.apply(d).ok());
    w.driver.create(jail("foreign").spec);
    d.jails.pop_back();
    REQUIRE(w.apply(d).ok());
    CHECK(w.driver.find("old"));
    REQUIRE(w.apply(d, {true, {}}).ok());
    CHECK_FALSE(w.driver.find("old"));
    CHECK_FALSE(w.store.load("old"));
    CHECK(w.driver.find("foreign"));
    CHECK(w.sups.log.back() == "stop old");
}

TEST_CASE("prune destroys dependents before their dependencies, independent jails side by side") {
    World w;
    Desired d;
    d.project = "p";
    auto api = jail("api", {"a"});
    api.depends_on = {{"db", "started"}};
    auto web = jail("web", {"a"});
    web.depends_on = {{"api", "started"}, {"db", "started"}};
    d.jails = {jail("db", {"a"}), api, web, jail("x", {"a"}), jail("y", {"a"})};
    REQUIRE(w.apply(d, {}, 4).ok());
    w.sups.log.clear();
    d.jails.clear();
    auto r = w.apply(d, {true, {}}, 4);
    REQUIRE(r.ok());
    CHECK(r.steps_done == 5);
    auto at = [&](const std::string& entry) {
        auto it = std::find(w.sups.log.begin(), w.sups.log.end(), entry);
        REQUIRE(it != w.sups.log.end());
        return it - w.sups.log.begin();
    };
    CHECK(at("stop web") < at("stop api"));
    CHECK(at("stop api") < at("stop db"));
    CHECK(at("stop web") < at("stop db"));
    at("stop x");
    at("stop y");
    CHECK(w.driver.list().empty());
    CHECK(w.store.load_all().empty());
}

TEST_CASE("a dependency that never becomes healthy fails its dependent with a timeout message") {
    World w;
    Desired d;
    d.project = "p";
    auto web = jail("web");
    web.depends_on = {{"db", "healthy"}};
    d.jails = {web, jail("db", {"postgres"})};
    w.sups.never_ready = {"db"};
    auto r = w.apply(d);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0] == "jail web: dependency db did not become healthy within 120 s");
}

TEST_CASE("a dependency whose service failed fails its dependent at once, saying why") {
    World w;
    Desired d;
    d.project = "p";
    auto web = jail("web");
    web.depends_on = {{"db", "healthy"}};
    d.jails = {web, jail("db", {"postgres"})};
    w.sups.failing["db"] = "service db/postgres failed (exit status 1); see `jailmgr logs db/postgres`";
    auto r = w.apply(d);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0] == "jail web: dependency db is not healthy: service db/postgres failed (exit status 1); see "
                         "`jailmgr logs db/postgres`");
}

TEST_CASE("a failed service is restarted alone") {
    World w;
    Desired d;
    d.project = "p";
    d.jails = {jail("web", {"httpd", "cron"})};
    REQUIRE(w.apply(d).ok());
    w.sups.running["web"].services["httpd"].state = "failed";
    w.sups.log.clear();
    REQUIRE(w.apply(d).ok());
    CHECK(w.sups.log == std::vector<std::string>{"restart web/httpd"});
}

TEST_CASE("progress reports every step once as done") {
    World w;
    Desired d;
    d.project = "p";
    d.jails = {jail("web", {"httpd"})};
    REQUIRE(w.apply(d).ok());
    CHECK(w.events == std::vector<std::string>{"done create web", "done start web/httpd"});
}
