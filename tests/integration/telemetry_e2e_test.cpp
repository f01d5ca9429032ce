// telemetry_e2e_test.cpp -- `jailmgr exporter` end to end, as root: real
// jails whose services are in known states (running and healthy,
// crash-looping, failed by start_limit, unhealthy), scraped over HTTP with
// libcurl, parsed by python3-prometheus-client, checked by promtool, and
// the Grafana dashboard's PromQL checked against the same scrape.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <set>
#include <thread>

#include "sys/files.hpp"
#include "telemetry_fixture.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace jailmgr::test;
using namespace std::chrono_literals;

namespace {

constexpr int good_port = 18281;  // reserved by jail 'good'; nothing listens on it

// 'good' runs one healthy service; 'bad' runs one service per failure mode.
const std::string manifest_yaml = R"(version: 1
project: telemetry
defaults:
  user: "65534:65534"
  limits: {memory: 64MiB, pids: 64}
jails:
  good:
    ports: [18281]
    limits: {memory: 32MiB, pids: 32, cpus: 0.5}
    services:
      ok:
        command: ["sleep", "1000"]
        healthcheck: {test: ["CMD", "true"], interval: 200ms}
  bad:
    services:
      crashloop:
        command: "exit 3"
        restart: always
        restart_backoff: {initial: 400ms, max: 400ms}
        start_limit: {burst: 0}
      failing:
        command: "exit 4"
        restart: always
        restart_backoff: {initial: 50ms, max: 50ms}
        start_limit: {burst: 2, interval: 1m, retry_after: 1h}
      sick:
        command: ["sleep", "1000"]
        restart: "no"
        healthcheck: {test: ["CMD", "false"], interval: 200ms, retries: 1}
)";

const std::string extra_jail_yaml = R"(  later:
    services:
      idle:
        command: ["sleep", "1000"]
)";

double now_unix() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

using Labels = std::map<std::string, std::string>;

// The state set of one service: which of its five states is 1.
std::string state_of(const Exposition& e, const std::string& jail, const std::string& service) {
    std::string on;
    for (auto& s : e.find("jailmgr_service_state", {{"jail", jail}, {"service", service}}))
        if (s.value == 1) on += (on.empty() ? "" : ",") + s.labels.at("state");
    return on;
}

std::string health_of(const Exposition& e, const std::string& jail, const std::string& service) {
    std::string on;
    for (auto& s : e.find("jailmgr_service_health", {{"jail", jail}, {"service", service}}))
        if (s.value == 1) on += (on.empty() ? "" : ",") + s.labels.at("health");
    return on;
}

struct Scraper {
    std::string url;
    fs::path scratch;
    double at = 0;  // when the last scrape started
    Exposition scrape() {
        at = now_unix();
        long status = 0;
        auto body = http_get(url, &status);
        REQUIRE_MESSAGE(status == 200, "GET " << url << " answered " << status);
        return parse_exposition(body, scratch);
    }
};

// Every service in its intended state at once (one consistent scrape).
bool settled(const Exposition& e) {
    auto restarts = e.value("jailmgr_service_restarts_total", {{"jail", "bad"}, {"service", "crashloop"}});
    return health_of(e, "good", "ok") == "healthy" && state_of(e, "bad", "crashloop") == "backoff" && restarts &&
           *restarts >= 2 && state_of(e, "bad", "failing") == "failed" && health_of(e, "bad", "sick") == "unhealthy";
}

// The plan's steps, counted the way the exporter counts drift.
std::pair<double, double> plan_drift(TelemetryProject& p) {
    auto r = p.jailmgr({"plan", "-f", p.manifest.string(), "--output", "json"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    std::set<std::string> jails, services;
    const json plan = json::parse(r.out);
    for (auto& st : plan["steps"]) {
        if (st["service"].is_null()) jails.insert(st["jail"].get<std::string>());
        else services.insert(st["jail"].get<std::string>() + "/" + st["service"].get<std::string>());
    }
    return {static_cast<double>(jails.size()), static_cast<double>(services.size())};
}

}  // namespace

TEST_CASE("the exporter reports every jail and service state exactly, in a format promtool accepts") {
    TelemetryProject p;
    p.write(manifest_yaml);
    double before_apply = now_unix();
    auto applied = p.jailmgr({"apply", "-f", p.manifest.string()});
    INFO(applied.out << applied.err);
    REQUIRE(applied.code == 0);
    double after_apply = now_unix();

    int port = 0;
    auto exporter = p.start_exporter(&port);
    Scraper s{"http://127.0.0.1:" + std::to_string(port) + "/metrics", p.inst.dir};
    Exposition e = s.scrape();
    for (int i = 0; i < 150 && !settled(e); ++i) {
        std::this_thread::sleep_for(100ms);
        e = s.scrape();
    }
    INFO(e.text);
    REQUIRE(settled(e));

    const json status = json::parse(p.jailmgr({"status", "--output", "json"}).out);
    std::map<std::string, std::string> jid;
    for (auto& j : status["jails"]) jid[j["name"].get<std::string>()] = std::to_string(j["jid"].get<int>());

    {
        INFO("build info");  // one scrape serves every check below (a SUBCASE would re-apply)
        auto build = e.find("jailmgr_build_info");
        REQUIRE(build.size() == 1);
        CHECK_FALSE(build[0].labels.at("version").empty());
        CHECK(build[0].value == 1);
        CHECK(e.types.at("jailmgr_build_info") == "gauge");
        CHECK(e.value("jailmgr_exporter_stale") == 0);
        CHECK(*e.value("jailmgr_exporter_collect_seconds") > 0);
    }

    {
        INFO("jails: identity, limits, ports, usage");
        Labels good{{"jail", "good"}, {"jid", jid.at("good")}}, bad{{"jail", "bad"}, {"jid", jid.at("bad")}};
        CHECK(e.value("jailmgr_jail_up", good) == 1);
        CHECK(e.value("jailmgr_jail_up", bad) == 1);
        auto info = e.find("jailmgr_jail_info", good);
        REQUIRE(info.size() == 1);
        CHECK(info[0].labels.at("profile") == "high");
        CHECK(info[0].labels.at("project") == "telemetry");
        CHECK_FALSE(info[0].labels.at("root").empty());
        CHECK(e.value("jailmgr_jail_memory_limit_bytes", good) == 32.0 * 1024 * 1024);
        CHECK(e.value("jailmgr_jail_memory_limit_bytes", bad) == 64.0 * 1024 * 1024);
        CHECK(e.value("jailmgr_jail_pids_limit", good) == 32);
        CHECK(e.value("jailmgr_jail_cpu_quota_cpus", good) == 0.5);
        CHECK(e.value("jailmgr_jail_cpu_quota_cpus", bad) == std::nullopt);
        CHECK(e.value("jailmgr_jail_reserved_ports", good) == 1);
        CHECK(e.value("jailmgr_jail_reserved_ports", bad) == 0);
        CHECK(e.value("jailmgr_jail_reserved_port_info", {{"jail", "good"}, {"port", std::to_string(good_port)}}) == 1);
        // sleep (and the jail's init) run in 'good'; nothing has become a zombie.
        auto live = e.value("jailmgr_jail_processes", {{"jail", "good"}, {"state", "live"}});
        REQUIRE(live);
        CHECK(*live >= 1);
        CHECK(e.value("jailmgr_jail_processes", {{"jail", "good"}, {"state", "zombie"}}) == 0);
        CHECK(*e.value("jailmgr_jail_memory_bytes", good) > 0);
        CHECK(*e.value("jailmgr_jail_cpu_seconds_total", good) >= 0);
        CHECK(e.types.at("jailmgr_jail_cpu_seconds") == "counter");
        auto started = *e.value("jailmgr_jail_start_time_seconds", good);
        CHECK(started >= std::floor(before_apply) - 1);
        CHECK(started <= after_apply + 1);
        CHECK(*e.value("jailmgr_jail_age_seconds", good) >= 0);
        for (const char* scope : {"process", "system", "network"})
            CHECK(e.value("jailmgr_jail_denials_total", {{"jail", "good"}, {"scope", scope}}) == 0);
        CHECK(e.value("jailmgr_supervisor_up", {{"jail", "good"}}) == 1);
        CHECK(e.value("jailmgr_supervisor_up", {{"jail", "bad"}}) == 1);
    }

    {
        INFO("running and healthy");
        Labels ok{{"jail", "good"}, {"service", "ok"}};
        CHECK(state_of(e, "good", "ok") == "running");
        CHECK(e.find("jailmgr_service_state", ok).size() == 5);
        CHECK(e.find("jailmgr_service_health", ok).size() == 3);
        CHECK(e.value("jailmgr_service_up", ok) == 1);
        CHECK(e.value("jailmgr_service_restarts_total", ok) == 0);
        CHECK(e.value("jailmgr_service_backoff_seconds", ok) == 0);
        CHECK(e.value("jailmgr_service_last_exit_code", ok) == std::nullopt);
        CHECK(e.value("jailmgr_service_next_start_time_seconds", ok) == std::nullopt);
        CHECK(e.value("jailmgr_service_log_lines_dropped_total", ok) == 0);
        auto started = e.value("jailmgr_service_start_time_seconds", ok);
        REQUIRE(started);
        CHECK(*started >= std::floor(before_apply) - 1);
        CHECK(*started <= s.at + 1);
    }

    {
        INFO("crash-looping: in backoff, restarts counted, the wait left bounded by the backoff");
        Labels crash{{"jail", "bad"}, {"service", "crashloop"}};
        CHECK(state_of(e, "bad", "crashloop") == "backoff");
        CHECK(health_of(e, "bad", "crashloop") == "");
        CHECK(e.value("jailmgr_service_up", crash) == 0);
        CHECK(*e.value("jailmgr_service_restarts_total", crash) >= 2);
        CHECK(e.value("jailmgr_service_last_exit_code", crash) == 3);
        auto left = *e.value("jailmgr_service_backoff_seconds", crash);
        CHECK(left >= 0);
        CHECK(left <= 0.4);
        auto next = *e.value("jailmgr_service_next_start_time_seconds", crash);
        CHECK(next >= s.at - 0.1);
        CHECK(next <= s.at + 0.5);
        CHECK(e.value("jailmgr_service_start_time_seconds", crash) == std::nullopt);
    }

    {
        INFO("failed: start_limit exhausted, retried after an hour");
        Labels failing{{"jail", "bad"}, {"service", "failing"}};
        CHECK(state_of(e, "bad", "failing") == "failed");
        CHECK(e.value("jailmgr_service_up", failing) == 0);
        // burst 2: the first run and one restart, then failed.
        CHECK(e.value("jailmgr_service_restarts_total", failing) == 1);
        CHECK(e.value("jailmgr_service_last_exit_code", failing) == 4);
        CHECK(e.value("jailmgr_service_backoff_seconds", failing) == 0);
        auto next = *e.value("jailmgr_service_next_start_time_seconds", failing);
        CHECK(next >= before_apply + 3600 - 1);
        CHECK(next <= s.at + 3600 + 1);
    }

    {
        INFO("unhealthy: running, left alone (restart: no), health says unhealthy");
        Labels sick{{"jail", "bad"}, {"service", "sick"}};
        CHECK(state_of(e, "bad", "sick") == "running");
        CHECK(e.value("jailmgr_service_up", sick) == 1);
        CHECK(e.value("jailmgr_service_health", {{"jail", "bad"}, {"service", "sick"}, {"health", "healthy"}}) == 0);
        CHECK(e.value("jailmgr_service_restarts_total", sick) == 0);
    }

    {
        INFO("reconciler: the last apply, and drift equal to the plan's");
        CHECK(e.value("jailmgr_apply_last_success") == 1);
        auto last = *e.value("jailmgr_apply_last_timestamp_seconds");
        CHECK(last >= std::floor(before_apply) - 1);
        CHECK(last <= after_apply + 1);
        auto took = *e.value("jailmgr_apply_last_duration_seconds");
        CHECK(took > 0);
        CHECK(took <= after_apply - before_apply);
        auto [plan_jails, plan_services] = plan_drift(p);
        CHECK(e.value("jailmgr_drift_jails") == plan_jails);
        CHECK(e.value("jailmgr_drift_services") == plan_services);
        auto hash = e.find("jailmgr_manifest_info");
        REQUIRE(hash.size() == 1);
        CHECK(hash[0].labels.at("hash").size() >= 8);
        // Applied from the same manifests: the same hash; the apply's 6 steps
        // (2 jails, 4 services) all succeeded.
        auto applied_hash = e.find("jailmgr_apply_last_info");
        REQUIRE(applied_hash.size() == 1);
        CHECK(applied_hash[0].labels.at("hash") == hash[0].labels.at("hash"));
        CHECK(e.value("jailmgr_apply_last_steps") == 6);
        CHECK(e.value("jailmgr_apply_last_errors") == 0);

        // A jail added to the manifests is drift once the exporter re-reads them.
        p.write(manifest_yaml + extra_jail_yaml);
        REQUIRE(::kill(exporter->pid(), SIGHUP) == 0);
        REQUIRE(exporter->wait_for_log("manifests re-read", 10s));
        auto changed = s.scrape();
        auto [jails_now, services_now] = plan_drift(p);
        CHECK(jails_now == plan_jails + 1);
        CHECK(changed.value("jailmgr_drift_jails") == jails_now);
        CHECK(changed.value("jailmgr_drift_services") == services_now);
        CHECK(changed.find("jailmgr_manifest_info")[0].labels.at("hash") != hash[0].labels.at("hash"));

        // Applied while the exporter runs: the new record is read (the
        // exporter caches records by file identity) and the drift is gone.
        auto second = p.jailmgr({"apply", "-f", p.manifest.string()});
        INFO(second.out << second.err);
        REQUIRE(second.code == 0);
        // The apply restarted bad/failing, which fails again: compare the
        // drift once it has settled as failed, or the scrape and the plan
        // may see two different moments of its restart.
        auto converged = s.scrape();
        for (int i = 0; i < 150 && state_of(converged, "bad", "failing") != "failed"; ++i) {
            std::this_thread::sleep_for(100ms);
            converged = s.scrape();
        }
        INFO("converged scrape:\n" << converged.text);
        REQUIRE(state_of(converged, "bad", "failing") == "failed");
        auto later = converged.find("jailmgr_jail_info", {{"jail", "later"}});
        REQUIRE(later.size() == 1);
        CHECK(later[0].labels.at("project") == "telemetry");
        CHECK(converged.value("jailmgr_service_up", {{"jail", "later"}, {"service", "idle"}}).has_value());
        // create later, start later/idle, restart the failed bad/failing
        CHECK(converged.value("jailmgr_apply_last_steps") == 3);
        auto [jails_after, services_after] = plan_drift(p);
        CHECK(jails_after == 0);
        CHECK(converged.value("jailmgr_drift_jails") == jails_after);
        CHECK(converged.value("jailmgr_drift_services") == services_after);
    }

    {
        INFO("promtool accepts the exposition with no lint findings");
        fs::path file = p.inst.dir / "promtool.prom";
        jailmgr::sys::write_file_atomic(file, e.text);
        auto r = run_program({"/bin/sh", "-c", "exec promtool check metrics < \"$0\"", file.string()});
        INFO(r.out << r.err);
        CHECK(r.code == 0);
        CHECK(r.out == "");
        CHECK(r.err == "");
    }

    {
        INFO("every metric the Grafana dashboard queries is in the exposition");
        fs::path file = p.inst.dir / "dashboard.prom";
        jailmgr::sys::write_file_atomic(file, e.text);
        auto r = run_program({"/usr/bin/python3", source_root() + "/tests/integration/check_dashboard.py",
                              source_root() + "/examples/grafana/jailmgr-dashboard.json", file.string()});
        INFO(r.out << r.err);
        CHECK(r.code == 0);
    }

    CHECK(exporter->stop() == 0);
}

TEST_CASE("metrics -o writes the same families atomically, and stopped jails read as down") {
    TelemetryProject p;
    p.write(manifest_yaml);
    REQUIRE(p.jailmgr({"apply", "-f", p.manifest.string()}).code == 0);
    fs::path out = p.inst.dir / "textfile" / "jailmgr.prom";
    fs::create_directories(out.parent_path());
    auto r = p.jailmgr({"metrics", "-o", out.string()});
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out == "");
    auto e = parse_exposition(jailmgr::sys::read_file(out), p.inst.dir);
    CHECK(e.value("jailmgr_jail_up", {{"jail", "good"}}) == 1);
    CHECK(e.value("jailmgr_service_up", {{"jail", "good"}, {"service", "ok"}}) == 1);

    auto down = p.jailmgr({"down", "-f", p.manifest.string()});
    REQUIRE(down.code == 0);
    auto after = parse_exposition(p.jailmgr({"metrics"}).out, p.inst.dir);
    CHECK(after.find("jailmgr_jail_up").empty());
    CHECK(after.find("jailmgr_service_up").empty());
    CHECK(after.find("jailmgr_build_info").size() == 1);
}
