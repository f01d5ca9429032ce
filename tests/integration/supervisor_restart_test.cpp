// Restart behaviour of the supervisor, process level: crashes, backoff,
// crash loops, one-shots, dependencies, health checks.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "supervisor_fixture.hpp"

TEST_CASE("a crashed service is restarted after 100, 200, 400 and 400 ms") {
    auto s = service("crashy", {"sleep", "1000"});
    s.restart.backoff = {100ms, 400ms, 60000ms};
    SupervisedJail jail({s});
    jail.start();
    std::vector<std::int64_t> delays;
    for (int k = 0; k < 4; ++k) {
        auto st = jail.wait_svc("crashy", [&](const json& j) { return j["state"] == "running" && j["restarts"] == k; },
                                "running, restarts=" + std::to_string(k));
        REQUIRE(::kill(st["pid"].get<pid_t>(), SIGKILL) == 0);
        st = jail.wait_svc("crashy", [&](const json& j) { return j["state"] == "running" && j["restarts"] == k + 1; },
                           "restarted");
        CHECK(st["last_exit"]["signal"] == "KILL");
        delays.push_back(st["started_ms"].get<std::int64_t>() - st["exited_ms"].get<std::int64_t>());
    }
    std::vector<std::int64_t> expected = {100, 200, 400, 400};
    for (size_t i = 0; i < expected.size(); ++i) {
        INFO("restart " << i << ": " << delays[i] << " ms");
        CHECK(delays[i] >= expected[i]);
        CHECK(delays[i] < expected[i] + 250);
    }
}

TEST_CASE("a crash loop marks the service failed, and it is retried after retry_after") {
    auto s = shell("loop", "echo start; exit 3");
    s.restart.backoff = {50ms, 50ms, 60000ms};
    s.restart.start_limit = {3, 10000ms, 600ms};
    SupervisedJail jail({s});
    jail.start();
    auto st = jail.wait_svc("loop", [](const json& j) { return j["state"] == "failed"; }, "failed");
    CHECK(st["last_exit"]["code"] == 3);
    CHECK(st["restarts"] == 2);
    CHECK(st["next_start_ms"].get<std::int64_t>() - st["failed_since_ms"].get<std::int64_t>() == 600);
    // Retried: the fourth run starts about retry_after after the third ended.
    jail.wait_svc("loop", [](const json& j) { return j["restarts"].get<int>() >= 3; }, "retried", 10s);
    REQUIRE(eventually([&] { return jail.log_lines("loop").size() >= 4; }));
    auto lines = jail.log_lines("loop");
    auto stamp = [](const std::string& l) {
        // "2026-12-04T20:45:05.123Z ..." -> milliseconds within the day
        int h = std::stoi(l.substr(11, 2)), m = std::stoi(l.substr(14, 2)), sec = std::stoi(l.substr(17, 2));
        int ms = std::stoi(l.substr(20, 3));
        return ((h * 60 + m) * 60 + sec) * 1000 + ms;
    };
    INFO(lines[0] << " / " << lines[1] << " / " << lines[2] << " / " << lines[3]);
    CHECK(stamp(lines[1]) - stamp(lines[0]) >= 50);
    CHECK(stamp(lines[3]) - stamp(lines[2]) >= 600);
    CHECK(stamp(lines[3]) - stamp(lines[2]) < 600 + 400);
    auto log = jailmgr::sys::read_file(jail.files.supervisor_log);
    CHECK(log.find("supervisor web: loop failed 3 times within 10 s (last: exited status=3); retrying in 0.6 s") !=
          std::string::npos);
}

TEST_CASE("exit 0 with on-failure stays down, and service_completed_successfully waits for it") {
    auto once = shell("migrate", "echo migrated");
    once.restart.mode = sv::RestartMode::on_failure;
    auto later = shell("web", "sleep 0.3; exit 0");
    later.restart.mode = sv::RestartMode::on_failure;
    later.depends_on = {{"migrate", sv::Condition::service_completed_successfully}};
    SupervisedJail jail({once, later});
    jail.start();
    auto st = jail.wait_for([](const json& j) { return j["services"]["web"]["state"] == "completed"; },
                            "web completed");
    // web ran 300 ms after migrate completed: six initial backoffs of time
    // in which migrate would have been restarted, had it been.
    CHECK(st["services"]["migrate"]["state"] == "completed");
    CHECK(st["services"]["migrate"]["restarts"] == 0);
    CHECK(st["services"]["migrate"]["last_exit"]["code"] == 0);
    CHECK(st["services"]["migrate"]["next_start_ms"].is_null());
    CHECK(st["services"]["web"]["started_ms"].get<std::int64_t>() >=
          st["services"]["migrate"]["exited_ms"].get<std::int64_t>());
    CHECK(jail.log_lines("migrate").size() == 1);
}

TEST_CASE("services start in dependency order and stop in reverse order") {
    auto order = [](const std::string& name, const fs::path& file) {
        return "echo start " + name + " >> " + file.string() + "; trap 'echo stop " + name + " >> " +
               file.string() + "; exit 0' TERM; sleep 1000 & wait";
    };
    SupervisedJail jail({});
    fs::path file = jail.work / "order";
    auto a = shell("a", order("a", file));
    auto b = shell("b", order("b", file));
    b.depends_on = {{"a", sv::Condition::service_started}};
    b.healthcheck = sv::HealthCheck{{"true"}, std::nullopt, 1000ms, 1000ms, 1, 0ms, 50ms};
    auto c = shell("c", order("c", file));
    c.depends_on = {{"b", sv::Condition::service_healthy}};
    jail.spec.services = {c, b, a};
    jail.start();
    auto st = jail.wait_for(
        [](const json& j) {
            for (auto n : {"a", "b", "c"})
                if (j["services"][n]["state"] != "running") return false;
            return true;
        },
        "all running");
    CHECK(st["services"]["b"]["health"] == "healthy");
    REQUIRE(eventually([&] { return read_lines(file).size() == 3; }));
    sv::control_stop(jail.files.socket, true);
    CHECK(wait_gone(jail.pid));
    CHECK(read_lines(file) == std::vector<std::string>{"start a", "start b", "start c", "stop c", "stop b", "stop a"});
}

TEST_CASE("a service whose exec health check fails is restarted") {
    SupervisedJail jail({});
    fs::path flag = jail.work / "healthy";
    std::ofstream(flag).put('1');
    auto s = service("web", {"sleep", "1000"});
    s.healthcheck = sv::HealthCheck{{"test", "-f", flag.string()}, std::nullopt, 100ms, 1000ms, 2, 0ms, 50ms};
    jail.spec.services = {s};
    jail.start();
    auto st = jail.wait_svc("web", [](const json& j) { return j["health"] == "healthy"; }, "healthy");
    pid_t first = st["pid"];
    fs::remove(flag);
    st = jail.wait_svc("web", [](const json& j) { return j["restarts"] == 1 && j["state"] == "running"; },
                       "restarted for being unhealthy");
    CHECK(st["pid"] != first);
    CHECK(st["health"] == "starting");
    CHECK(st["last_exit"]["signal"] == "TERM");
    CHECK_FALSE(process_exists(first));
    auto log = jailmgr::sys::read_file(jail.files.supervisor_log);
    CHECK(log.find("supervisor web: web is unhealthy (2 failed probes)") != std::string::npos);
    CHECK(log.find("supervisor web: web stopped for being unhealthy (restarting in 0.05 s)") != std::string::npos);
}

TEST_CASE("a service whose TCP port stops answering is restarted") {
    jailmgr::sys::unique_fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener.get(), 64) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    auto s = service("web", {"sleep", "1000"});
    s.healthcheck = sv::HealthCheck{{}, ntohs(addr.sin_port), 100ms, 500ms, 2, 0ms, 50ms};
    SupervisedJail jail({s});
    jail.start();
    jail.wait_svc("web", [](const json& j) { return j["health"] == "healthy"; }, "healthy");
    listener.reset();
    auto st = jail.wait_svc("web", [](const json& j) { return j["restarts"] == 1 && j["state"] == "running"; },
                            "restarted for refusing connections");
    CHECK(st["health"] == "starting");
}

TEST_CASE("a service that cannot be spawned backs off and reports the errno") {
    auto s = service("ghost", {"no-such-command-anywhere"});
    s.restart.backoff = {100ms, 100ms, 60000ms};
    SupervisedJail jail({s});
    jail.start();
    auto st = jail.wait_svc("ghost", [](const json& j) { return j["spawn_error"] == "ENOENT"; }, "ENOENT");
    CHECK((st["state"] == "backoff" || st["state"] == "starting"));
    CHECK(st["pid"].is_null());
    auto log = jailmgr::sys::read_file(jail.files.supervisor_log);
    CHECK(log.find("supervisor web: unable to spawn ghost (retrying in 0.1 s): ENOENT") != std::string::npos);
}

TEST_CASE("a service runs with its environment, working directory, user and rlimits") {
    SupervisedJail jail({});
    auto s = shell("env", "echo \"$GREETING $(pwd) $(id -u):$(id -g) $(ulimit -n)\"; exec sleep 1000");
    s.env = {"GREETING=hello"};
    s.working_dir = "/tmp";
    s.credentials = jailmgr::kernel::Credentials{65534, 65534, {}};
    s.rlimits.nofile = 64;
    jail.spec.services = {s};
    jail.start();
    REQUIRE(eventually([&] { return jail.log_lines("env").size() == 1; }));
    CHECK(payload(jail.log_lines("env")[0]) == "hello /tmp 65534:65534 64");
}
