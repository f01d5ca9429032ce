#include "status_report.hpp"

#include <doctest/doctest.h>

using namespace jailmgr::engine;

namespace {

Observed sample() {
    Observed o;
    ObservedJail web;
    jailmgr::kernel::JailInfo k;
    k.id = 3;
    k.spec.name = "web";
    k.spec.root = "/srv/web";
    k.spec.profile = jailmgr::kernel::Profile::medium;
    k.spec.ports = {8080, 8443};
    k.procs_live = 4;
    k.cpu_seconds = 1.25;
    k.memory_bytes = 12 << 20;
    k.age_seconds = 300;
    web.kernel = k;
    AppliedJail rec;
    rec.name = "web";
    rec.project = "webstack";
    rec.services["httpd"] = {};
    rec.services["cron"] = {};
    web.applied = rec;
    SupervisorObservation sup;
    sup.pid = 77;
    ServiceObservation httpd;
    httpd.state = "running";
    httpd.health = "healthy";
    httpd.pid = 1234;
    httpd.restarts = 2;
    httpd.started_unix = 1000;
    sup.services["httpd"] = httpd;
    web.supervisor = sup;
    o.jails["web"] = web;
    ObservedJail gone;
    gone.applied = AppliedJail{};
    gone.applied->name = "db";
    o.jails["db"] = gone;
    return o;
}

}  // namespace

TEST_CASE("status text shows jails with their services, and expected services that do not run") {
    std::string expected =
        "JAIL               JID STATE     PROFILE PORTS          PROCS      CPU    MEMORY      AGE\n"
        "db                   - missing   -       -                  -        -         -        -\n"
        "web                  3 running   medium  8080,8443          4     1.2s     12MiB     5m0s\n"
        "  httpd          running   healthy    pid 1234, up 1m0s, 2 restarts\n"
        "  cron           stopped\n";
    CHECK(status_text(sample(), 1060, false) == expected);
}

TEST_CASE("status JSON has the documented shape") {
    auto j = status_json(sample(), 1060);
    CHECK(j["format_version"] == 1);
    REQUIRE(j["jails"].size() == 2);
    auto& web = j["jails"][1];
    CHECK(web["name"] == "web");
    CHECK(web["state"] == "running");
    CHECK(web["project"] == "webstack");
    CHECK(web["ports"] == nlohmann::json{8080, 8443});
    CHECK(web["supervisor"]["pid"] == 77);
    CHECK(web["services"][0]["name"] == "httpd");
    CHECK(web["services"][0]["health"] == "healthy");
    CHECK(web["services"][1]["state"] == "stopped");
    CHECK(web["services"][1]["pid"].is_null());
    CHECK(j["jails"][0]["jid"].is_null());
    CHECK(j["jails"][0]["state"] == "missing");
}

TEST_CASE("human durations and sizes") {
    CHECK(human_duration(0.4) == "0s");
    CHECK(human_duration(75) == "1m15s");
    CHECK(human_duration(7300) == "2h1m");
    CHECK(human_duration(200000) == "2d7h");
    CHECK(human_bytes(512) == "512B");
    CHECK(human_bytes(1536) == "1.5KiB");
    CHECK(human_bytes(12 << 20) == "12MiB");
}
