#include "metrics.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace jailmgr::engine;
using namespace jailmgr::engine::telemetry;

namespace {

Snapshot sample() {
    Snapshot s;
    jailmgr::kernel::JailInfo web;
    web.id = 3;
    web.spec.name = "web";
    web.spec.root = "/srv/web";
    web.spec.profile = jailmgr::kernel::Profile::medium;
    web.spec.ports = {8080, 8443};
    web.spec.limits.memory_bytes = 512ull << 20;
    web.spec.limits.pids = 100;
    web.spec.limits.cpus = 0.5;
    web.running = true;
    web.procs_live = 4;
    web.procs_zombie = 1;
    web.cpu_seconds = 12.5;
    web.memory_bytes = 1048576;
    web.denied_network = 2;
    web.created = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
    web.age_seconds = 60;
    s.jails.push_back(web);
    SupervisorObservation sup;
    sup.pid = 99;
    ServiceObservation httpd;
    httpd.state = "running";
    httpd.health = "healthy";
    httpd.restarts = 3;
    httpd.last_exit_code = 1;
    httpd.started_unix = 1700000100;
    sup.services["httpd"] = httpd;
    ServiceObservation worker;
    worker.state = "failed";
    worker.backoff_seconds = 8;
    worker.next_start_unix = 1700003600;
    sup.services["worker"] = worker;
    ServiceObservation crashy;
    crashy.state = "backoff";
    crashy.backoff_seconds = 4;  // the supervisor's next delay, not the time left
    crashy.next_start_unix = 1700000301.5;
    sup.services["crashy"] = crashy;
    s.supervisors["web"] = sup;
    s.projects["web"] = "webstack";
    s.expected_services["web"] = {"httpd", "worker", "cron"};
    s.reconciler.last_apply_unix = 1700000200;
    s.reconciler.last_apply_seconds = 1.25;
    s.reconciler.last_apply_ok = true;
    s.reconciler.drift_jails = 0;
    s.reconciler.drift_services = 1;
    s.reconciler.desired_hash = "abc";
    s.reconciler.applied_hash = "abd";
    s.reconciler.last_apply_steps = 7;
    s.reconciler.last_apply_errors = 0;
    s.now_unix = 1700000300;
    return s;
}

bool has_line(const std::string& text, const std::string& line) {
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l))
        if (l == line) return true;
    return false;
}

}  // namespace

TEST_CASE("every family has a HELP and a TYPE line, and counters end in _total") {
    auto fams = build_metrics(sample());
    for (auto& f : fams) {
        CHECK_FALSE(f.help.empty());
        if (f.type == prometheus::MetricType::Counter) CHECK(f.name.size() > 6);
        if (f.type == prometheus::MetricType::Counter) CHECK(f.name.substr(f.name.size() - 6) == "_total");
    }
    auto text = to_text(fams);
    CHECK(text.find("# HELP jailmgr_jail_up ") != std::string::npos);
    CHECK(text.find("# TYPE jailmgr_jail_cpu_seconds_total counter") != std::string::npos);
}

TEST_CASE("jail series carry jail and jid labels and base units") {
    auto text = to_text(build_metrics(sample()));
    CHECK(has_line(text, "jailmgr_jail_up{jail=\"web\",jid=\"3\"} 1"));
    CHECK(has_line(text, "jailmgr_jail_cpu_seconds_total{jail=\"web\",jid=\"3\"} 12.5"));
    CHECK(has_line(text, "jailmgr_jail_memory_limit_bytes{jail=\"web\",jid=\"3\"} 536870912"));
    CHECK(has_line(text, "jailmgr_jail_cpu_quota_cpus{jail=\"web\",jid=\"3\"} 0.5"));
    CHECK(has_line(text, "jailmgr_jail_processes{jail=\"web\",jid=\"3\",state=\"zombie\"} 1"));
    CHECK(has_line(text, "jailmgr_jail_denials_total{jail=\"web\",jid=\"3\",scope=\"network\"} 2"));
    CHECK(has_line(text, "jailmgr_jail_reserved_ports{jail=\"web\",jid=\"3\"} 2"));
    CHECK(has_line(text, "jailmgr_jail_reserved_port_info{jail=\"web\",jid=\"3\",port=\"8443\"} 1"));
    CHECK(has_line(text,
                   "jailmgr_jail_info{jail=\"web\",jid=\"3\",profile=\"medium\",root=\"/srv/web\",project=\"webstack\"} 1"));
    CHECK(has_line(text, "jailmgr_jail_start_time_seconds{jail=\"web\",jid=\"3\"} 1700000000"));
}

TEST_CASE("service state and health are state sets with exactly one 1") {
    auto text = to_text(build_metrics(sample()));
    CHECK(has_line(text, "jailmgr_service_state{jail=\"web\",service=\"httpd\",state=\"running\"} 1"));
    CHECK(has_line(text, "jailmgr_service_state{jail=\"web\",service=\"httpd\",state=\"failed\"} 0"));
    CHECK(has_line(text, "jailmgr_service_state{jail=\"web\",service=\"worker\",state=\"failed\"} 1"));
    CHECK(has_line(text, "jailmgr_service_health{jail=\"web\",service=\"httpd\",health=\"healthy\"} 1"));
    CHECK(has_line(text, "jailmgr_service_restarts_total{jail=\"web\",service=\"httpd\"} 3"));
    CHECK(has_line(text, "jailmgr_service_backoff_seconds{jail=\"web\",service=\"worker\"} 0"));
    CHECK(has_line(text, "jailmgr_service_next_start_time_seconds{jail=\"web\",service=\"worker\"} 1700003600"));
    CHECK(has_line(text, "jailmgr_service_state{jail=\"web\",service=\"crashy\",state=\"backoff\"} 1"));
    CHECK(has_line(text, "jailmgr_service_backoff_seconds{jail=\"web\",service=\"crashy\"} 1.5"));
    CHECK(has_line(text, "jailmgr_service_next_start_time_seconds{jail=\"web\",service=\"crashy\"} 1700000301.5"));
    CHECK(text.find("jailmgr_service_next_start_time_seconds{jail=\"web\",service=\"httpd\"}") == std::string::npos);
    CHECK(has_line(text, "jailmgr_service_last_exit_code{jail=\"web\",service=\"httpd\"} 1"));
    CHECK(has_line(text, "jailmgr_service_up{jail=\"web\",service=\"worker\"} 0"));
}

TEST_CASE("an expected service without a supervisor entry is exported as down, not dropped") {
    auto text = to_text(build_metrics(sample()));
    CHECK(has_line(text, "jailmgr_service_up{jail=\"web\",service=\"cron\"} 0"));
    CHECK(has_line(text, "jailmgr_service_state{jail=\"web\",service=\"cron\",state=\"stopped\"} 1"));
    auto s = sample();
    s.supervisors.clear();
    auto down = to_text(build_metrics(s));
    CHECK(has_line(down, "jailmgr_supervisor_up{jail=\"web\"} 0"));
    CHECK(has_line(down, "jailmgr_service_up{jail=\"web\",service=\"httpd\"} 0"));
}

TEST_CASE("reconciler and build series") {
    auto text = to_text(build_metrics(sample()));
    CHECK(has_line(text, "jailmgr_apply_last_success 1"));
    CHECK(has_line(text, "jailmgr_apply_last_duration_seconds 1.25"));
    CHECK(has_line(text, "jailmgr_drift_services 1"));
    CHECK(has_line(text, "jailmgr_manifest_info{hash=\"abc\"} 1"));
    CHECK(has_line(text, "jailmgr_apply_last_info{hash=\"abd\"} 1"));
    CHECK(has_line(text, "jailmgr_apply_last_steps 7"));
    CHECK(has_line(text, "jailmgr_apply_last_errors 0"));
    CHECK(text.find("jailmgr_build_info{version=\"") != std::string::npos);
    Snapshot empty;
    auto e = to_text(build_metrics(empty));
    CHECK(e.find("jailmgr_apply_last_success") == std::string::npos);
    CHECK(e.find("jailmgr_build_info") != std::string::npos);
}
