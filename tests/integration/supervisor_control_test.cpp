// The control socket, reload, launch errors, and the command-line tools.
#include <sys/socket.h>
#include <sys/un.h>

#include <iterator>

#include "supervisor_fixture.hpp"

namespace {

// Runs `argv` and returns its stdout and exit status.
std::pair<std::string, int> run(const std::vector<std::string>& argv) {
    int out[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(out[1], 1);
        std::vector<char*> a;
        for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        ::execv(a[0], a.data());
        ::_exit(127);
    }
    ::close(out[1]);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(out[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {text, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)};
}

// connect(2) to the control socket as user nobody; returns the errno, or 0
// and the first response line in `answer`.
int connect_as_nobody(const fs::path& socket, std::string& answer) {
    int pipefd[2];
    REQUIRE(::pipe2(pipefd, O_CLOEXEC) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(1);
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strcpy(addr.sun_path, socket.c_str());
        int err = 0;
        std::string text;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            err = errno;
        } else {
            (void)!::send(fd, "{\"cmd\":\"stop\"}\n", 15, MSG_NOSIGNAL);  // it may have hung up already
            char buf[512];
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n > 0) text.assign(buf, static_cast<size_t>(n));
        }
        std::string msg = std::to_string(err) + " " + text;
        (void)!::write(pipefd[1], msg.data(), msg.size());
        ::_exit(0);
    }
    ::close(pipefd[1]);
    std::string msg;
    char buf[1024];
    ssize_t n;
    while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) msg.append(buf, static_cast<size_t>(n));
    ::close(pipefd[0]);
    ::waitpid(pid, nullptr, 0);
    auto sp = msg.find(' ');
    answer = msg.substr(sp + 1);
    return std::stoi(msg.substr(0, sp));
}

}  // namespace

TEST_CASE("only root may use the control socket") {
    SupervisedJail jail({service("web", {"sleep", "1000"})});
    jail.start();
    std::string answer;
    CHECK(connect_as_nobody(jail.files.socket, answer) == EACCES);  // the directory is 0700
    fs::permissions(jail.root, fs::perms(0755));  // mkdtemp made it 0700
    fs::permissions(jail.files.dir, fs::perms(0755));
    CHECK(connect_as_nobody(jail.files.socket, answer) == EACCES);  // the socket is 0600
    fs::permissions(jail.files.socket, fs::perms(0666));
    CHECK(connect_as_nobody(jail.files.socket, answer) == 0);        // the peer's uid is checked
    CHECK(answer == "{\"error\":\"permission denied: only root may use this socket\",\"ok\":false}\n");
    CHECK(jail.request({{"cmd", "status"}})["status"]["state"] == "running");
}

TEST_CASE("the status request and file describe the supervisor and each service") {
    SupervisedJail jail({service("web", {"sleep", "1000"})});
    jail.start();
    jail.wait_svc("web", [](const json& j) { return j["state"] == "running"; }, "running");
    auto st = jail.request({{"cmd", "status"}})["status"];
    CHECK(st["version"] == 1);
    CHECK(st["jail"] == "web");
    CHECK(st["jid"] == 42);
    CHECK(st["pid"] == jail.pid);
    CHECK(st["state"] == "running");
    auto w = st["services"]["web"];
    for (auto key : {"state", "want", "pid", "health", "restarts", "backoff_ms", "next_start_ms", "started_ms",
                     "exited_ms", "last_exit", "failed_since_ms", "spawn_error", "log", "log_lines_dropped"})
        CHECK_MESSAGE(w.contains(key), key);
    CHECK(w["health"] == "none");
    CHECK(w["backoff_ms"] == 50);
    CHECK(jail.request({{"cmd", "restart"}, {"service", "nope"}}) ==
          json{{"ok", false}, {"error", "no service 'nope' in jail web"}});
    CHECK(jail.request({{"cmd", "dance"}}) ==
          json{{"ok", false}, {"error", "unknown command 'dance' (expected status, stop, start, restart or reload)"}});
    CHECK(fs::exists(jail.files.pidfile));
    CHECK(jailmgr::sys::read_file(jail.files.pidfile) == std::to_string(jail.pid) + "\n");
}

TEST_CASE("reload adds, removes and relaunches services, and keeps those only policies changed for") {
    auto keep = service("keep", {"sleep", "1000"});
    auto change = service("change", {"sleep", "1001"});
    auto drop = service("drop", {"sleep", "1002"});
    SupervisedJail jail({keep, change, drop});
    jail.start();
    auto st = jail.wait_for([](const json& j) {
        for (auto n : {"keep", "change", "drop"})
            if (j["services"][n]["state"] != "running") return false;
        return true;
    }, "all running");
    pid_t keep_pid = st["services"]["keep"]["pid"], change_pid = st["services"]["change"]["pid"],
          drop_pid = st["services"]["drop"]["pid"];
    auto next = jail.spec;
    next.services[0].restart.backoff.initial = 20ms;  // keep: policy only
    next.services[1].argv = {"sleep", "1003"};        // change: new command
    next.services.pop_back();                         // drop: gone
    next.services.push_back(service("add", {"sleep", "1004"}));
    auto answer = jail.request({{"cmd", "reload"}, {"spec", sv::to_json(next)}});
    REQUIRE_MESSAGE(answer["ok"] == true, answer.dump());
    st = jail.wait_for([&](const json& j) {
        return !j["services"].contains("drop") && j["services"]["add"]["state"] == "running" &&
               j["services"]["change"]["state"] == "running" && j["services"]["change"]["pid"] != change_pid;
    }, "reloaded");
    CHECK(st["services"]["keep"]["pid"] == keep_pid);
    CHECK(st["services"]["keep"]["backoff_ms"] == 20);
    CHECK(wait_gone(drop_pid));
    CHECK(pids_with_cmdline("sleep 1003").size() == 1);
    auto wrong = next;
    wrong.jail = "db";
    auto r = jail.request({{"cmd", "reload"}, {"spec", sv::to_json(wrong)}});
    CHECK(r["ok"] == false);
    CHECK(r["error"] == "reload: the new spec is for jail db (jid 42), this supervisor runs web (jid 42)");
}

TEST_CASE("a second supervisor for the same jail is refused with the first one's pid") {
    SupervisedJail jail({service("web", {"sleep", "1000"})});
    jail.start();
    CHECK_THROWS_WITH(sv::launch_supervisor(binary("JAILMGR_BIN"), jail.spec),
                      ("supervisor for jail web: a supervisor for jail web is already running (pid " +
                       std::to_string(jail.pid) + ")")
                          .c_str());
}

TEST_CASE("the host test session is refused unless test seams are explicitly allowed") {
    SupervisedJail jail({service("web", {"sleep", "1000"})});
    ::unsetenv("JAILMGR_ALLOW_TEST_SEAMS");
    std::string msg;
    try {
        jail.start();
    } catch (const std::exception& e) {
        msg = e.what();
    }
    ::setenv("JAILMGR_ALLOW_TEST_SEAMS", "1", 1);
    CHECK(msg == "supervisor for jail web: spec " + jail.files.spec.string() +
                     " asks for the host test session, which needs JAILMGR_ALLOW_TEST_SEAMS=1 (tests only)");
}

TEST_CASE("the supervisor shows its title in ps and is detached from the caller") {
    SupervisedJail jail({service("web", {"sleep", "1000"})});
    jail.start();
    auto cmdline = jailmgr::sys::read_file("/proc/" + std::to_string(jail.pid) + "/cmdline");
    CHECK(cmdline == std::string("jailmgr: supervise jail=web jid=42") + '\0');
    auto stat = jailmgr::sys::read_file("/proc/" + std::to_string(jail.pid) + "/stat");
    std::istringstream in(stat.substr(stat.rfind(')') + 2));
    std::string state, ppid, pgrp, session, tty;
    in >> state >> ppid >> pgrp >> session >> tty;
    CHECK(session != std::to_string(::getsid(0)));
    CHECK(tty == "0");
    CHECK(ppid != std::to_string(::getpid()));
    auto environ = jailmgr::sys::read_file("/proc/" + std::to_string(jail.pid) + "/environ");
    CHECK(environ.find("JAILMGR_SUPERVISE=") != std::string::npos);  // the kernel keeps the exec-time copy
    auto web = jail.wait_svc("web", [](const json& j) { return j["state"] == "running"; }, "running");
    auto svc_env = jailmgr::sys::read_file("/proc/" + std::to_string(web["pid"].get<pid_t>()) + "/environ");
    CHECK(svc_env.find("JAILMGR_SUPERVISE") == std::string::npos);
}

TEST_CASE("jailctl supervise launches a one-service supervisor and prints the jail ID") {
    SupervisedJail jail({});
    auto [out, rc] = run({binary("JAILCTL_BIN").string(), "--root-dir", jail.root.string(), "supervise",
                          "--test-host-jid", "42", "--restart", "on-failure", "web", "--", "sh", "-c",
                          "echo supervised; exec sleep 1000"});
    CHECK(rc == 0);
    CHECK(out == "42\n");
    auto pid = sv::read_status(jail.paths, "web");
    REQUIRE(pid);
    jail.pid = (*pid)["pid"];
    auto st = jail.wait_svc("sh", [](const json& j) { return j["state"] == "running"; }, "running");
    auto spec = json::parse(jailmgr::sys::read_file(jail.files.spec));
    CHECK(spec["services"][0]["restart"] == "on-failure");
    CHECK(spec["services"][0]["argv"] == json{"sh", "-c", "echo supervised; exec sleep 1000"});
    REQUIRE(eventually([&] { return jail.log_lines("sh").size() == 1; }));
    CHECK(payload(jail.log_lines("sh")[0]) == "supervised");
}

TEST_CASE("jailmgr logs shows one service, or all of them merged with prefixes, and -n limits each") {
    auto a = shell("alpha", "echo a1; echo a2; echo a3; exec sleep 1000");
    auto b = shell("beta", "echo b1 >&2; exec sleep 1000");
    SupervisedJail jail({a, b});
    jail.start();
    REQUIRE(eventually([&] { return jail.log_lines("alpha").size() == 3 && jail.log_lines("beta").size() == 1; }));
    auto jailmgr = binary("JAILMGR_BIN").string();
    auto [one, rc1] = run({jailmgr, "--root-dir", jail.root.string(), "logs", "web/alpha", "-n", "2"});
    CHECK(rc1 == 0);
    CHECK(one == jail.log_lines("alpha")[1] + "\n" + jail.log_lines("alpha")[2] + "\n");
    auto [all, rc2] = run({jailmgr, "--root-dir", jail.root.string(), "logs", "web"});
    CHECK(rc2 == 0);
    CHECK(all.find("alpha | " + jail.log_lines("alpha")[0] + "\n") != std::string::npos);
    CHECK(all.find("beta  | " + jail.log_lines("beta")[0] + "\n") != std::string::npos);
    CHECK(std::count(all.begin(), all.end(), '\n') == 4);
    auto [none, rc3] = run({jailmgr, "--root-dir", jail.root.string(), "logs", "web/gamma"});
    CHECK(rc3 == 1);
    CHECK(none.empty());
}

TEST_CASE("jailmgr logs -f follows a service's log across rotation") {
    SupervisedJail jail({});
    fs::path fifo = jail.work / "go";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // Writes 100-byte lines whenever the test asks, so rotation happens under the follower.
    auto s = shell("writer", "exec 3<> " + fifo.string() +
                                 "; while read n <&3; do i=0; while [ $i -lt $n ]; do "
                                 "echo \"line $i ............................................................\"; "
                                 "i=$((i+1)); done; done");
    s.logging.file = sv::FileLog{2048, 3};
    jail.spec.services = {s};
    jail.start();
    jail.wait_svc("writer", [](const json& j) { return j["state"] == "running"; }, "running");
    int out[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    pid_t follower = ::fork();
    REQUIRE(follower >= 0);
    if (follower == 0) {
        ::dup2(out[1], 1);
        auto bin = binary("JAILMGR_BIN").string();
        ::execl(bin.c_str(), bin.c_str(), "--root-dir", jail.root.c_str(), "logs", "-f", "web/writer",
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(out[1]);
    jailmgr::sys::unique_fd rd(out[0]);
    // Give the follower its start: the log is still empty, so -f prints
    // nothing until lines arrive, all of which must come through.
    { std::ofstream(fifo) << "60\n"; }
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::count(text.begin(), text.end(), '\n') < 60 && std::chrono::steady_clock::now() < deadline) {
        pollfd p{rd.get(), POLLIN, 0};
        if (::poll(&p, 1, 1000) != 1) continue;
        char buf[8192];
        ssize_t n = ::read(rd.get(), buf, sizeof buf);
        if (n <= 0) break;
        text.append(buf, static_cast<size_t>(n));
    }
    ::kill(follower, SIGTERM);
    ::waitpid(follower, nullptr, 0);
    std::istringstream in(text);
    std::string line;
    int i = 0;
    while (std::getline(in, line)) {
        INFO(line);
        CHECK(payload(line).rfind("line " + std::to_string(i) + " ", 0) == 0);
        ++i;
    }
    CHECK(i == 60);
    CHECK(fs::exists(jail.files.log_dir / "writer.log.2"));  // 6000 bytes in 2048-byte files: rotated twice
}

TEST_CASE("jailmgr ps lists each service's processes") {
    auto s = shell("web", "sleep 1008.5 & exec sleep 1009.5");
    SupervisedJail jail({s});
    jail.start();
    auto st = jail.wait_svc("web", [](const json& j) { return j["state"] == "running"; }, "running");
    REQUIRE(eventually([&] { return !pids_with_cmdline("sleep 1008.5").empty(); }));
    auto [out, rc] = run({binary("JAILMGR_BIN").string(), "--root-dir", jail.root.string(), "ps"});
    CHECK(rc == 0);
    auto lines = [&] {
        std::vector<std::string> v;
        std::istringstream in(out);
        std::string l;
        while (std::getline(in, l)) v.push_back(l);
        return v;
    }();
    REQUIRE(lines.size() == 3);
    std::istringstream head(lines[0]);
    std::vector<std::string> columns{std::istream_iterator<std::string>(head), {}};
    CHECK(columns == std::vector<std::string>{"JAIL", "SERVICE", "PID", "PPID", "USER", "TIME", "CMD"});
    std::string main_pid = std::to_string(st["pid"].get<pid_t>());
    CHECK(out.find(" " + main_pid + " ") != std::string::npos);
    CHECK(out.find("root  0:00  sleep 1009.5\n") != std::string::npos);
    CHECK(out.find("root  0:00  sleep 1008.5\n") != std::string::npos);
}
