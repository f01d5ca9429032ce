// Stopping: grace periods, process groups, orphans, and what happens when
// the supervisor itself dies.
#include "supervisor_fixture.hpp"

TEST_CASE("a service that ignores SIGTERM is killed after the grace period") {
    // It says when TERM is ignored: "running" only means it was spawned.
    auto stubborn = shell("stubborn", "trap '' TERM; echo trapped; sleep 1001.25");
    stubborn.stop_grace_period = 300ms;
    auto polite = service("polite", {"sleep", "1001.75"});
    polite.stop_grace_period = 5000ms;
    SupervisedJail jail({stubborn, polite});
    jail.start();
    jail.wait_for([](const json& j) {
        return j["services"]["stubborn"]["log"]["lines"] == 1 && j["services"]["polite"]["state"] == "running";
    }, "both running, TERM trapped");
    auto asked = wall_ms();
    REQUIRE(jail.request({{"cmd", "stop"}, {"service", "stubborn"}})["ok"] == true);
    REQUIRE(jail.request({{"cmd", "stop"}, {"service", "polite"}})["ok"] == true);
    auto st = jail.wait_for([](const json& j) {
        return j["services"]["stubborn"]["state"] == "stopped" && j["services"]["polite"]["state"] == "stopped";
    }, "both stopped");
    auto s = st["services"]["stubborn"];
    CHECK(s["last_exit"]["signal"] == "KILL");
    CHECK(s["exited_ms"].get<std::int64_t>() - asked >= 300);
    CHECK(s["exited_ms"].get<std::int64_t>() - asked < 300 + 500);
    auto p = st["services"]["polite"];
    CHECK(p["last_exit"]["signal"] == "TERM");
    CHECK(p["exited_ms"].get<std::int64_t>() - asked < 1000);
    CHECK(pids_with_cmdline("sleep 1001.25").empty());
    CHECK(pids_with_cmdline("sleep 1001.75").empty());
    auto log = jailmgr::sys::read_file(jail.files.supervisor_log);
    CHECK(log.find("supervisor web: stubborn did not stop within 0.3 s: sending KILL to its process group") !=
          std::string::npos);
    // A stopped service stays down until started again.
    REQUIRE(jail.request({{"cmd", "start"}, {"service", "polite"}})["ok"] == true);
    jail.wait_svc("polite", [](const json& j) { return j["state"] == "running"; }, "running again");
    CHECK(jail.svc("stubborn")["state"] == "stopped");
}

TEST_CASE("orphaned grandchildren are reaped, and killed when the jail stops") {
    // The service leaves two orphans in their own sessions: one exits soon,
    // one would run forever.
    auto s = shell("forker", "(setsid sleep 0.2718 &); (setsid sleep 1003.5 &); exec sleep 1004.5");
    SupervisedJail jail({s});
    jail.start();
    jail.wait_svc("forker", [](const json& j) { return j["state"] == "running"; }, "running");
    std::vector<pid_t> forever;
    REQUIRE(eventually([&] { return !(forever = pids_with_cmdline("sleep 1003.5")).empty(); }));
    REQUIRE(forever.size() == 1);
    auto forker_pid = jail.svc("forker")["pid"].get<pid_t>();
    // Not in the service's session or process group: only the jail-wide kill reaches it.
    auto stat = jailmgr::sys::read_file("/proc/" + std::to_string(forever[0]) + "/stat");
    CHECK(stat.find(" " + std::to_string(forker_pid) + " ") == std::string::npos);
    // The short-lived orphan ends and does not stay a zombie.
    CHECK(eventually([&] { return pids_with_cmdline("sleep 0.2718").empty(); }, 5s));
    sv::control_stop(jail.files.socket, true);
    CHECK(wait_gone(jail.pid));
    CHECK_FALSE(process_exists(forever[0]));
    CHECK_FALSE(process_exists(forker_pid));
    CHECK_FALSE(fs::exists(jail.files.socket));
    CHECK_FALSE(fs::exists(jail.files.pidfile));
    CHECK_FALSE(jail.status());
}

TEST_CASE("when the supervisor is killed, every process of its jail dies and the jail shows as not running") {
    auto a = shell("a", "(setsid sleep 1005.5 &); exec sleep 1006.5");
    auto b = service("b", {"sleep", "1007.5"});
    SupervisedJail jail({a, b});
    jail.start();
    auto st = jail.wait_for([](const json& j) {
        return j["services"]["a"]["state"] == "running" && j["services"]["b"]["state"] == "running";
    }, "running");
    std::vector<pid_t> orphan;
    REQUIRE(eventually([&] { return !(orphan = pids_with_cmdline("sleep 1005.5")).empty(); }));
    std::vector<pid_t> members = {st["services"]["a"]["pid"], st["services"]["b"]["pid"], orphan[0]};
    CHECK(sv::supervisor_running(jail.paths, "web"));
    REQUIRE(::kill(jail.pid, SIGKILL) == 0);
    CHECK(wait_gone(jail.pid));
    for (pid_t p : members) CHECK(eventually([&] { return !process_exists(p); }));
    CHECK_FALSE(sv::supervisor_running(jail.paths, "web"));
    auto after = jail.status();
    REQUIRE(after);
    CHECK((*after)["running"] == false);
}

TEST_CASE("SIGTERM to the supervisor stops the services and then the supervisor") {
    SupervisedJail jail({});
    fs::path file = jail.work / "bye";
    jail.spec.services = {shell("svc", "trap 'echo bye > " + file.string() + "; exit 0' TERM; sleep 1000 & wait")};
    jail.start();
    jail.wait_svc("svc", [](const json& j) { return j["state"] == "running"; }, "running");
    REQUIRE(::kill(jail.pid, SIGTERM) == 0);
    CHECK(wait_gone(jail.pid));
    CHECK(read_lines(file) == std::vector<std::string>{"bye"});
    auto log = jailmgr::sys::read_file(jail.files.supervisor_log);
    CHECK(log.find("supervisor web: shutdown requested (SIGTERM)") != std::string::npos);
}
