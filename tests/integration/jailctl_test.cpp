// jailctl end to end: the built binary, its output and exit codes.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.hpp"

using namespace jailmgr::test;
using nlohmann::json;

TEST_CASE("jailctl create, list, exec, stats and destroy round trip") {
    Instance inst;
    auto root = (inst.dir / "jails/web").string();
    auto c = jailctl(inst, {"create", "-n", "web", "-l", "medium", "-r", "18420,18421", "--memory", "64MiB",
                            "--cpus", "0.5", "--pids", "64", "-N", "256", "--hostname", "webhost", root});
    REQUIRE_MESSAGE(c.code == 0, c.err);
    CHECK(c.out == "1\n");
    CHECK(c.err.empty());

    auto l = jailctl(inst, {"list"});
    CHECK(l.code == 0);
    CHECK(l.out.rfind("ID  NAME  PROFILE  PORTS        PROCS  RUNNING  AGE  ROOT\n", 0) == 0);
    CHECK(l.out.find("1   web   medium   18420,18421  0      no") != std::string::npos);

    auto lj = jailctl(inst, {"list", "--json"});
    auto arr = json::parse(lj.out);
    REQUIRE(arr.size() == 1);
    CHECK(arr[0]["name"] == "web");
    CHECK(arr[0]["ports"] == json::array({18420, 18421}));
    CHECK(arr[0]["limits"]["memory_bytes"] == 64 << 20);
    CHECK(arr[0]["limits"]["nofile"] == 256);
    CHECK(arr[0]["running"] == false);

    auto e = jailctl(inst, {"exec", "web", "/bin/sh", "-c", "hostname; ulimit -n; echo $GREETING; exit 3"});
    CHECK(e.code == 3);
    CHECK(e.out == "webhost\n256\n\n");
    auto env = jailctl(inst, {"exec", "--env", "GREETING=hi", "--workdir", "/etc", "--user", "nobody", "web", "/bin/sh",
                              "-c", "echo $GREETING $(pwd) $(id -u)"});
    CHECK(env.code == 0);
    CHECK(env.out == "hi /etc 65534\n");
    // Options after the jail belong to the command.
    CHECK(jailctl(inst, {"exec", "web", "ls", "-d", "/etc"}).out == "/etc\n");
    CHECK(jailctl(inst, {"exec", "web", "--", "echo", "--not-an-option"}).out == "--not-an-option\n");

    auto st = jailctl(inst, {"stats", "--json"});
    CHECK(st.code == 0);
    auto sj = json::parse(st.out);
    CHECK(sj[0]["cpu_seconds"].get<double>() > 0);
    CHECK(sj[0]["processes"]["live"] == 0);

    auto p = jailctl(inst, {"stats", "--prometheus"});
    CHECK(p.code == 0);
    CHECK(p.out.find("# TYPE jailctl_jail_cpu_seconds_total counter") != std::string::npos);
    CHECK(p.out.find("jailctl_jail_memory_limit_bytes{jail=\"web\",jid=\"1\"} 67108864") != std::string::npos);
    CHECK(p.out.find("jailctl_jail_denied_total{jail=\"web\",jid=\"1\",scope=\"network\"} 0") != std::string::npos);
    CHECK(p.out.find("jailctl_jail_processes{jail=\"web\",jid=\"1\",state=\"live\"} 0") != std::string::npos);

    auto t = jailctl(inst, {"stats"});
    CHECK(t.out.rfind("ID  NAME  CPU", 0) == 0);

    auto d = jailctl(inst, {"destroy", "web"});
    CHECK(d.code == 0);
    CHECK(d.out.empty());
    CHECK(jailctl(inst, {"list", "--json"}).out == "[]\n");
}

TEST_CASE("jailctl errors are one line naming the jail and the reason, with exit status 1") {
    Instance inst;
    auto root = (inst.dir / "jails/web").string();
    REQUIRE(jailctl(inst, {"create", "-n", "web", root}).code == 0);

    auto dup = jailctl(inst, {"create", "-n", "web", root});
    CHECK(dup.code == 1);
    CHECK(dup.err == "jailctl create: jail name 'web' is already in use (jail 1)\n");

    auto missing = jailctl(inst, {"destroy", "nope"});
    CHECK(missing.code == 1);
    CHECK(missing.err == "jailctl destroy: no jail 'nope'\n");

    auto cmd = jailctl(inst, {"exec", "web", "no-such-command"});
    CHECK(cmd.code == 1);
    CHECK(cmd.err == "jailctl exec: jail 'web': exec 'no-such-command': No such file or directory\n");

    auto size = jailctl(inst, {"create", "-n", "x", "--memory", "12parsecs", root});
    CHECK(size.code == 1);
    CHECK(size.err.find("unknown unit 'parsecs'") != std::string::npos);

    auto level = jailctl(inst, {"create", "-n", "x", "-l", "extreme", root});
    CHECK(level.code == 1);

    CHECK(jailctl(inst, {"destroy", "1"}).code == 0);
}

TEST_CASE("jailctl exec forwards SIGTERM to the command, exits 128+15, and takes the jail's namespaces down") {
    Instance inst;
    auto root = (inst.dir / "jails/web").string();
    REQUIRE(jailctl(inst, {"create", "-n", "web", root}).code == 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        std::string ctl = jailctl_path(), dir = inst.dir.string();
        ::execl(ctl.c_str(), ctl.c_str(), "--root-dir", dir.c_str(), "exec", "web", "/bin/sleep", "600",
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // Running once the sleep is in the jail (the init and the sleep).
    bool running = false;
    for (int i = 0; i < 500 && !running; ++i) {
        running = inst.jail_pids("web").size() == 2;
        if (!running) ::usleep(10000);
    }
    REQUIRE(running);
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 128 + SIGTERM);
    CHECK(inst.jail_pids("web").empty());
    CHECK(jailctl(inst, {"destroy", "web"}).code == 0);
}
