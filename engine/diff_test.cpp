#include "diff.hpp"

#include <doctest/doctest.h>

using namespace jailmgr::engine;
using jailmgr::kernel::JailInfo;
using jailmgr::kernel::Profile;
using nlohmann::json;

namespace {

DesiredJail jail(const std::string& name, std::vector<std::uint16_t> ports = {}) {
    DesiredJail j;
    j.name = name;
    j.project = "p";
    j.spec.name = name;
    j.spec.root = "/var/lib/jailmgr/jails/" + name + "/root";
    j.spec.profile = Profile::medium;
    j.spec.ports = std::move(ports);
    return j;
}

DesiredService service(const std::string& name, json spec = {{"argv", {"true"}}}) {
    return {name, canonical_hash(spec), spec, false};
}

// The observation of a jail exactly as `d` describes it, applied and running.
ObservedJail converged(const DesiredJail& d, long jid = 1) {
    ObservedJail o;
    JailInfo info;
    info.id = jid;
    info.spec = d.spec;
    info.running = true;
    o.kernel = info;
    AppliedJail a;
    a.name = d.name;
    a.project = d.project;
    a.id = jid;
    a.spec = spec_to_json(d.spec);
    a.spec_hash = canonical_hash(a.spec);
    for (auto& s : d.services) a.services[s.name] = {s.hash, s.spec};
    for (auto& st : d.setup) a.setup_hashes.push_back(st.hash);
    o.applied = a;
    SupervisorObservation sup;
    sup.pid = 100;
    for (auto& s : d.services) { ServiceObservation so; so.state = "running"; sup.services[s.name] = so; }
    if (d.autostart) o.supervisor = sup;
    return o;
}

std::vector<std::string> lines(const Plan& p) {
    std::vector<std::string> out;
    for (auto& s : p.steps)
        out.push_back(std::string(to_string(s.action)) + " " + s.jail + (s.service.empty() ? "" : "/" + s.service) +
                      ": " + s.reason);
    return out;
}

}  // namespace

TEST_CASE("a new jail is created, set up and its services started, dependencies first") {
    Desired d;
    d.project = "p";
    auto web = jail("web", {8080});
    web.depends_on = {{"db", "healthy"}};
    web.services = {service("httpd")};
    web.setup = {{"run: mkdir", {{"run", {"mkdir"}}}, "h1"}};
    auto db = jail("db");
    db.services = {service("postgres")};
    d.jails = {web, db};
    auto p = diff(d, {});
    CHECK(lines(p) == std::vector<std::string>{
                          "create db: new jail",
                          "start db/postgres: new service",
                          "create web: new jail",
                          "setup web: 1 setup step",
                          "start web/httpd: new service",
                      });
    CHECK(summary_line(p) == "2 to create, 0 to replace, 0 to destroy, 1 to set up, 2 to start.");
}

TEST_CASE("a converged host plans nothing") {
    Desired d;
    d.project = "p";
    auto web = jail("web", {8080});
    web.services = {service("httpd"), service("cron")};
    d.jails = {web};
    Observed o;
    o.jails["web"] = converged(web);
    auto p = diff(d, o);
    CHECK_FALSE(p.has_changes());
    CHECK(p.desired_services == 2);
}

TEST_CASE("changing one service restarts only that service, with its changed fields") {
    Desired d;
    d.project = "p";
    auto web = jail("web");
    web.services = {service("httpd"), service("cron")};
    Observed o;
    o.jails["web"] = converged(web);
    web.services[0] = service("httpd", {{"argv", {"httpd", "-v"}}});
    d.jails = {web};
    auto p = diff(d, o);
    REQUIRE(p.steps.size() == 1);
    CHECK(p.steps[0].action == Action::restart);
    CHECK(p.steps[0].service == "httpd");
    CHECK(p.steps[0].changes == std::vector<FieldChange>{{"argv", json{"true"}, json{"httpd", "-v"}}});
}

TEST_CASE("changing only a service's policies updates it without a restart") {
    Desired d;
    d.project = "p";
    auto web = jail("web");
    web.services = {service("httpd", {{"argv", {"httpd"}}, {"healthcheck", {{"interval_ms", 5000}}}})};
    Observed o;
    o.jails["web"] = converged(web);
    web.services[0] = service("httpd", {{"argv", {"httpd"}}, {"healthcheck", {{"interval_ms", 3000}}}});
    d.jails = {web};
    auto p = diff(d, o);
    REQUIRE(p.steps.size() == 1);
    CHECK(p.steps[0].action == Action::update);
    CHECK(p.steps[0].reason == "settings changed; the process keeps running");
    CHECK(p.steps[0].changes == std::vector<FieldChange>{{"healthcheck.interval_ms", 5000, 3000}});
    CHECK(is_launch_field("env"));
    CHECK(is_launch_field("rlimits.nofile"));
    CHECK_FALSE(is_launch_field("envelope"));
    CHECK_FALSE(is_launch_field("restart"));
}

TEST_CASE("changing ports replaces the jail and names the field old -> new") {
    Desired d;
    d.project = "p";
    auto web = jail("web", {8080});
    Observed o;
    o.jails["web"] = converged(web);
    web.spec.ports = {8081};
    d.jails = {web};
    auto p = diff(d, o);
    REQUIRE(p.steps.size() >= 1);
    CHECK(p.steps[0].action == Action::replace);
    CHECK(p.steps[0].reason == "ports changed");
    CHECK(p.steps[0].changes == std::vector<FieldChange>{{"ports", json{8080}, json{8081}}});
}

TEST_CASE("changing a memory limit updates in place and shows sizes as sizes") {
    Desired d;
    d.project = "p";
    auto web = jail("web");
    web.spec.limits.memory_bytes = 256ull << 20;
    Observed o;
    o.jails["web"] = converged(web);
    web.spec.limits.memory_bytes = 512ull << 20;
    d.jails = {web};
    auto p = diff(d, o);
    REQUIRE(p.steps.size() == 1);
    CHECK(p.steps[0].action == Action::update);
    CHECK(p.steps[0].changes == std::vector<FieldChange>{{"limits.memory", "256MiB", "512MiB"}});
}

TEST_CASE("drift is shown with its cause") {
    Desired d;
    d.project = "p";
    auto web = jail("web");
    web.services = {service("httpd")};
    d.jails = {web};

    SUBCASE("jail missing from kernel") {
        Observed o;
        o.jails["web"] = converged(web);
        o.jails["web"].kernel.reset();
        o.jails["web"].supervisor.reset();
        CHECK(lines(diff(d, o))[0] == "create web: jail missing from kernel");
    }
    SUBCASE("supervisor not running") {
        Observed o;
        o.jails["web"] = converged(web);
        o.jails["web"].supervisor.reset();
        CHECK(lines(diff(d, o)) == std::vector<std::string>{"start web: supervisor not running; starts httpd"});
    }
    SUBCASE("service failed") {
        Observed o;
        o.jails["web"] = converged(web);
        o.jails["web"].supervisor->services["httpd"].state = "failed";
        CHECK(lines(diff(d, o)) == std::vector<std::string>{"restart web/httpd: service httpd failed"});
    }
    SUBCASE("profile changed behind our back in the kernel") {
        Observed o;
        o.jails["web"] = converged(web);
        o.jails["web"].kernel->spec.profile = Profile::low;
        auto p = diff(d, o);
        CHECK(p.steps[0].action == Action::replace);
        CHECK(p.steps[0].changes == std::vector<FieldChange>{{"profile", "low", "medium"}});
    }
}

TEST_CASE("a removed jail is kept without prune and destroyed with it; foreign jails are never touched") {
    Desired d;
    d.project = "p";
    d.jails = {jail("web")};
    Observed o;
    o.jails["web"] = converged(d.jails[0]);
    o.jails["old"] = converged(jail("old"), 2);
    auto other = converged(jail("other"), 3);
    other.applied->project = "someone-else";
    o.jails["other"] = other;
    auto mine_unrecorded = converged(jail("handmade"), 4);
    mine_unrecorded.applied.reset();
    o.jails["handmade"] = mine_unrecorded;

    auto keep = diff(d, o);
    CHECK_FALSE(keep.has_changes());
    CHECK(keep.unmanaged_jails == std::vector<std::string>{"old"});
    CHECK(keep.foreign_jails == std::vector<std::string>{"handmade", "other"});

    auto pruned = diff(d, o, {true, {}});
    CHECK(lines(pruned) == std::vector<std::string>{"destroy old: removed from the manifests"});
    CHECK(pruned.foreign_jails == std::vector<std::string>{"handmade", "other"});
}

TEST_CASE("a wanted name taken by a jail that is not ours is an error that says how to fix it") {
    Desired d;
    d.project = "p";
    d.jails = {jail("web")};
    Observed o;
    o.jails["web"] = converged(d.jails[0], 9);
    o.jails["web"].applied.reset();
    try {
        diff(d, o);
        FAIL("expected a PlanError");
    } catch (const PlanError& e) {
        CHECK(std::string(e.what()) ==
              "jail web already exists in the kernel (jail 9) but was not created by jailmgr: destroy it "
              "(jailctl destroy web) or rename the jail in the manifests");
    }
}

TEST_CASE("setup re-runs from the first step whose content changed") {
    Desired d;
    d.project = "p";
    auto web = jail("web");
    web.setup = {{"run: a", {}, "a"}, {"run: b", {}, "b"}, {"run: c", {}, "c"}};
    Observed o;
    o.jails["web"] = converged(web);
    web.setup[1] = {"run: b2", {}, "b2"};
    d.jails = {web};
    CHECK(lines(diff(d, o)) == std::vector<std::string>{"setup web: step 2 (run: b2) changed; steps 2-3 run"});
}

TEST_CASE("autostart false keeps a jail stopped and stops a running one") {
    Desired d;
    d.project = "p";
    auto web = jail("web");
    web.services = {service("httpd")};
    Observed o;
    o.jails["web"] = converged(web);
    web.autostart = false;
    d.jails = {web};
    CHECK(lines(diff(d, o)) == std::vector<std::string>{"stop web: autostart is false"});
    d.jails[0].autostart = false;
    o.jails["web"].supervisor.reset();
    CHECK_FALSE(diff(d, o).has_changes());
    Observed none;
    CHECK(lines(diff(d, none)) == std::vector<std::string>{"create web: new jail"});
}

TEST_CASE("services added and removed are started and stopped without touching the others") {
    Desired d;
    d.project = "p";
    auto web = jail("web");
    web.services = {service("a"), service("b")};
    Observed o;
    o.jails["web"] = converged(web);
    web.services = {service("a"), service("c")};
    d.jails = {web};
    CHECK(lines(diff(d, o)) ==
          std::vector<std::string>{"start web/c: new service", "stop web/b: removed from the manifests"});
}

TEST_CASE("--target limits the plan to the jail and its dependencies") {
    Desired d;
    d.project = "p";
    auto web = jail("web");
    web.depends_on = {{"db", "started"}};
    d.jails = {web, jail("db"), jail("other")};
    auto p = diff(d, {}, {false, {"web"}});
    CHECK(lines(p) == std::vector<std::string>{"create db: new jail", "create web: new jail"});
    CHECK_THROWS_AS(diff(d, {}, {false, {"nope"}}), PlanError);
}

TEST_CASE("a dependency cycle is reported with its full path") {
    Desired d;
    d.project = "p";
    auto a = jail("a");
    a.depends_on = {{"b", "started"}};
    auto b = jail("b");
    b.depends_on = {{"a", "started"}};
    d.jails = {a, b};
    try {
        dependency_order(d);
        FAIL("expected a PlanError");
    } catch (const PlanError& e) {
        CHECK(std::string(e.what()) == "jail dependency cycle: a -> b -> a");
    }
}

TEST_CASE("json_diff walks objects and compares arrays whole") {
    auto c = json_diff(json{{"a", 1}, {"b", {{"c", 2}}}, {"l", {1, 2}}},
                       json{{"a", 1}, {"b", {{"c", 3}}}, {"l", {1}}, {"n", true}});
    CHECK(c == std::vector<FieldChange>{{"b.c", 2, 3}, {"l", json{1, 2}, json{1}}, {"n", nullptr, true}});
}

TEST_CASE("destroy order takes dependents before the jails they depend on") {
    Observed o;
    auto web = converged(jail("web"));
    web.applied->depends_on = {"db"};
    auto api = converged(jail("api"));
    api.applied->depends_on = {"web"};
    o.jails["web"] = web;
    o.jails["api"] = api;
    o.jails["db"] = converged(jail("db"));
    CHECK(destroy_order({"db", "web", "api"}, o.jails) == std::vector<std::string>{"api", "web", "db"});
    CHECK(destroy_order({"b", "a"}, o.jails) == std::vector<std::string>{"b", "a"});
}
