#include "spec.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace jailmgr::engine::supervisor;
using nlohmann::json;
using namespace std::chrono_literals;

TEST_CASE("a minimal service gets every documented default") {
    auto s = service_spec_from_json(json{{"name", "web"}, {"argv", {"httpd", "-f"}}});
    CHECK(s.restart.mode == RestartMode::always);
    CHECK(s.restart.backoff == Backoff{1000ms, 10000ms, 30000ms});
    CHECK(s.restart.start_limit == StartLimit{5, 60000ms, 300000ms});
    CHECK(s.stop_signal == SIGTERM);
    CHECK(s.stop_grace_period == 5000ms);
    CHECK(s.working_dir == "/");
    REQUIRE(s.logging.file);
    CHECK(s.logging.file->max_size == 10u << 20);
    CHECK(s.logging.file->keep == 5);
    CHECK_FALSE(s.logging.syslog);
    CHECK_FALSE(s.healthcheck);
}

TEST_CASE("a full supervisor spec survives a JSON round trip") {
    SupervisorSpec spec;
    spec.jail = "web";
    spec.jid = 7;
    spec.root_dir = "/tmp/root";
    ServiceSpec s;
    s.name = "httpd";
    s.argv = {"busybox", "httpd", "-f"};
    s.env = {"TZ=UTC", "PATH=/bin"};
    s.credentials = jailmgr::kernel::Credentials{100, 101, {102, 103}};
    s.working_dir = "/var/www";
    s.rlimits.nofile = 1024;
    s.rlimits.core = 0;
    s.restart = {RestartMode::on_failure, {50ms, 400ms, 2000ms}, {3, 1000ms, 5000ms}};
    s.stop_signal = SIGINT;
    s.stop_grace_period = 250ms;
    s.depends_on = {{"db", Condition::service_healthy}};
    s.healthcheck = HealthCheck{{}, 8080, 1000ms, 200ms, 2, 300ms, 100ms};
    s.logging.file = FileLog{4096, 2};
    s.logging.syslog = SyslogLog{LOG_LOCAL3, LOG_INFO, LOG_WARNING, "jail-web", "/tmp/log.sock"};
    ServiceSpec db;
    db.name = "db";
    db.argv = {"db"};
    db.user = "postgres";
    db.healthcheck = HealthCheck{{"pg_isready"}, std::nullopt};
    db.logging.file.reset();
    spec.services = {db, s};
    auto j = to_json(spec);
    CHECK(j["services"][1]["restart"] == "on-failure");
    CHECK(j["services"][1]["logging"]["syslog"]["facility"] == "local3");
    CHECK(j["services"][1]["stop_signal"] == "INT");
    auto back = supervisor_spec_from_json(json::parse(j.dump()));
    CHECK(back == spec);
}

TEST_CASE("spec errors name the field and what is wrong") {
    auto base = [] { return json{{"name", "web"}, {"argv", {"httpd"}}}; };
    auto err = [](const json& j) {
        try {
            service_spec_from_json(j);
        } catch (const SpecError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    auto j = base();
    j["restart"] = "sometimes";
    CHECK(err(j) == "service web.restart: 'sometimes' is not one of always, on-failure, no");
    j = base();
    j["backoff"] = {{"initial_ms", -5}};
    CHECK(err(j) == "service web.backoff.initial_ms: expected a non-negative integer");
    j = base();
    j["backof"] = json::object();
    CHECK(err(j) == "service web.backof: unknown key");
    j = base();
    j["healthcheck"] = {{"exec", {"true"}}, {"tcp", 80}};
    CHECK(err(j) == "service web.healthcheck: needs exactly one of exec (a command) or tcp (a port)");
    j = base();
    j["stop_signal"] = "SIGNOPE";
    CHECK(err(j) == "service web.stop_signal: unknown signal 'SIGNOPE'");
    j = base();
    j["logging"] = {{"syslog", {{"facility", "local9"}}}};
    CHECK(err(j) == "service web.logging.syslog.facility: unknown facility 'local9'");
    j = base();
    j["depends_on"] = {{"db", "service_ready"}};
    CHECK(err(j) ==
          "service web.depends_on.db: 'service_ready' is not one of service_started, service_healthy, "
          "service_completed_successfully");
    j = base();
    j["argv"] = json::array();
    CHECK(err(j) == "service web.argv: needs a command");
    j = base();
    j["name"] = "a/b";
    CHECK(err(j) == "service a/b.name: 'a/b' is not a valid service name ([A-Za-z0-9._-], 1 to 63 characters)");
}

TEST_CASE("a supervisor spec must define every dependency, once, without cycles") {
    json a = {{"name", "a"}, {"argv", {"x"}}, {"depends_on", {{"b", "service_started"}}}};
    json b = {{"name", "b"}, {"argv", {"x"}}, {"depends_on", {{"a", "service_started"}}}};
    json j = {{"jail", "web"}, {"jid", 1}, {"services", {a, b}}};
    CHECK_THROWS_WITH_AS(supervisor_spec_from_json(j), "dependency cycle: a -> b -> a", SpecError);
    j["services"] = {a};
    CHECK_THROWS_WITH_AS(supervisor_spec_from_json(j), "services: service 'a' depends on 'b', which is not defined",
                         SpecError);
    json c = {{"name", "c"}, {"argv", {"x"}}};
    j["services"] = {c, c};
    CHECK_THROWS_WITH_AS(supervisor_spec_from_json(j), "services: service 'c' is defined twice", SpecError);
    j["services"] = {c};
    j["test_session"] = "fake";
    CHECK_THROWS_WITH_AS(supervisor_spec_from_json(j), "test_session: the only test session is 'host'", SpecError);
}

TEST_CASE("signals, facilities and levels parse by name and number") {
    CHECK(parse_signal("TERM") == SIGTERM);
    CHECK(parse_signal("SIGHUP") == SIGHUP);
    CHECK(parse_signal("9") == SIGKILL);
    CHECK_FALSE(parse_signal("0"));
    CHECK_FALSE(parse_signal("TERMINATE"));
    CHECK(signal_name(SIGKILL) == "KILL");
    CHECK(parse_syslog_facility("local7") == LOG_LOCAL7);
    CHECK(parse_syslog_level("err") == LOG_ERR);
    CHECK(parse_syslog_level("6") == LOG_INFO);
    CHECK_FALSE(parse_syslog_level("8"));
}
