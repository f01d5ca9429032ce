// engine_e2e_test.cpp -- `jailmgr` end to end through the CLI, as root, on
// real jails: apply, status, plan after a change, replace, prune, foreign
// jails, kill -9 of apply at every crash point, concurrent applies, and
// manifests with lint errors.  Every test runs in its own Instance (its own
// --root-dir), which checks at the end that nothing remains on the host.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "fixture.hpp"
#include "host_lock.hpp"
#include "sys/files.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace jailmgr::test;
using namespace std::chrono_literals;

namespace {

std::string jailmgr_path() {
    const char* p = std::getenv("JAILMGR");
    REQUIRE_MESSAGE(p != nullptr, "run through meson: JAILMGR names the built jailmgr");
    return p;
}

// Ports of this test binary: away from the quickstart's 8080/8081.
constexpr int api_port = 18181;
constexpr int web_port = 18180;

struct Manifest {
    std::string page = "<h1>hello</h1>";
    int web_port = ::web_port;
    std::string web_profile = "high";
    bool with_extra = false;  // a third jail, 'extra'
    std::string api_command;  // default: busybox httpd
};

std::string yaml(const Manifest& m) {
    std::string api_cmd = m.api_command.empty()
                              ? "[\"busybox\", \"httpd\", \"-f\", \"-p\", \"127.0.0.1:" + std::to_string(api_port) +
                                    "\", \"-h\", \"/tmp\"]"
                              : m.api_command;
    std::string y = "version: 1\nproject: e2e\ndefaults:\n  user: \"65534:65534\"\n"
                    "  limits: {memory: 64MiB, pids: 64}\njails:\n"
                    "  api:\n    ports: [" + std::to_string(api_port) + "]\n"
                    "    services:\n      httpd:\n        command: " + api_cmd + "\n"
                    "        healthcheck: {test: {tcp: " + std::to_string(api_port) + "}, interval: 1s}\n"
                    "  web:\n    profile: " + m.web_profile + "\n    ports: [" + std::to_string(m.web_port) + "]\n"
                    "    depends_on:\n      api: {condition: healthy}\n"
                    "    setup:\n      - run: mkdir -p /var/www\n"
                    "      - file: {path: /var/www/index.html, content: \"" + m.page + "\"}\n"
                    "    services:\n      httpd:\n"
                    "        command: [\"busybox\", \"httpd\", \"-f\", \"-p\", \"127.0.0.1:" + std::to_string(m.web_port) +
                    "\", \"-h\", \"/var/www\"]\n"
                    "        healthcheck: {test: {tcp: " + std::to_string(m.web_port) + "}, interval: 1s}\n"
                    "      ticker:\n        command: \"while true; do sleep 60; done\"\n";
    if (m.with_extra)
        y += "  extra:\n    services:\n      idle:\n        command: [\"sleep\", \"1000\"]\n";
    return y;
}

// The jailmgr side of an Instance: manifests in its directory, the CLI
// pointed at its root.  At the end every supervisor is killed (its jail's
// processes die with it), so the Instance can destroy the jails and check
// that nothing is left, whatever state the test body left behind.
struct Project {
    Instance inst;
    fs::path manifest = inst.dir / "jails.yaml";

    ~Project() {
        auto dir = inst.paths.run_dir / "supervisors";
        std::error_code ec;
        for (auto& e : fs::directory_iterator(dir, ec)) {
            if (e.path().extension() != ".pid") continue;
            auto text = jailmgr::sys::read_file_if_exists(e.path());
            if (!text) continue;
            pid_t pid = std::atoi(text->c_str());
            if (pid > 1) ::kill(pid, SIGKILL);
            for (int i = 0; i < 500 && ::kill(pid, 0) == 0; ++i) ::usleep(10000);
        }
    }

    void write(const Manifest& m) { jailmgr::sys::write_file_atomic(manifest, yaml(m)); }
    CliResult jailmgr(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
        return run_cli(jailmgr_path(), inst, std::move(args), env);
    }
    CliResult apply(const std::vector<std::string>& extra = {}, const std::vector<std::string>& env = {}) {
        std::vector<std::string> args = {"apply", "-f", manifest.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return jailmgr(args, env);
    }
    CliResult plan(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args = {"plan", "-f", manifest.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return jailmgr(args);
    }
    json status() {
        auto r = jailmgr({"status", "--output", "json"});
        REQUIRE(r.code == 0);
        return json::parse(r.out);
    }
    json jail(const std::string& name) {
        const json all = status();
        for (auto& j : all["jails"])
            if (j["name"] == name) return j;
        return nullptr;
    }
    long service_pid(const std::string& jail_name, const std::string& service) {
        auto j = jail(jail_name);
        if (j.is_null()) return 0;
        for (auto& s : j["services"])
            if (s["name"] == service) return s["pid"].is_number() ? s["pid"].get<long>() : 0;
        return 0;
    }
};

// One HTTP GET on loopback; the body, or "" if nothing answered.
std::string http_get(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string out;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
        std::string req = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
        (void)!::write(fd, req.data(), req.size());
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    auto body = out.find("\r\n\r\n");
    return body == std::string::npos ? "" : out.substr(body + 4);
}

// Services come up asynchronously after apply returns: wait for the page.
std::string page_eventually(int port, const std::string& want) {
    std::string got;
    for (int i = 0; i < 300; ++i) {
        got = http_get(port);
        if (got == want) break;
        std::this_thread::sleep_for(20ms);
    }
    return got;
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("apply converges, serves the page, and a second apply does nothing and says so") {
    Project p;
    p.write({});
    auto r = p.apply();
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(contains(r.out, "2 to create, 0 to replace, 0 to destroy"));
    CHECK(page_eventually(web_port, "<h1>hello</h1>") == "<h1>hello</h1>");
    auto web = p.jail("web");
    CHECK(web["state"] == "running");
    CHECK(web["project"] == "e2e");
    CHECK(web["ports"] == json{web_port});
    CHECK(web["profile"] == "high");

    // exec runs inside the running jail, next to its services.
    auto cat = p.jailmgr({"exec", "web", "--", "cat", "/var/www/index.html"});
    CHECK(cat.code == 0);
    CHECK(cat.out == "<h1>hello</h1>");
    auto ps = p.jailmgr({"exec", "web", "--", "ps", "-e", "-o", "comm="});
    CHECK(contains(ps.out, "busybox"));
    CHECK(p.jailmgr({"exec", "web", "--", "sh", "-c", "exit 7"}).code == 7);
    auto missing = p.jailmgr({"exec", "nosuch", "--", "true"});
    CHECK(missing.code == 1);
    CHECK(missing.err == "jailmgr exec: no jail 'nosuch'\n");

    auto again = p.apply();
    CHECK(again.code == 0);
    CHECK(contains(again.out, "No changes: 2 jails and 3 services are up to date. Nothing to do."));
    CHECK(p.plan({"--detailed-exitcode"}).code == 0);
}

TEST_CASE("changing one service: the plan shows only it and apply restarts only it") {
    Project p;
    p.write({});
    REQUIRE(p.apply().code == 0);
    REQUIRE(page_eventually(web_port, "<h1>hello</h1>") == "<h1>hello</h1>");
    long ticker = p.service_pid("web", "ticker");
    long api = p.service_pid("api", "httpd");
    REQUIRE(ticker > 0);

    Manifest m;
    m.api_command = "[\"busybox\", \"httpd\", \"-f\", \"-v\", \"-p\", \"127.0.0.1:" + std::to_string(api_port) +
                    "\", \"-h\", \"/tmp\"]";
    p.write(m);
    auto plan = p.plan({"--detailed-exitcode", "--output", "json"});
    CHECK(plan.code == 2);
    auto j = json::parse(plan.out);
    REQUIRE(j["steps"].size() == 1);
    CHECK(j["steps"][0]["action"] == "restart");
    CHECK(j["steps"][0]["jail"] == "api");
    CHECK(j["steps"][0]["service"] == "httpd");
    CHECK(j["steps"][0]["changes"][0]["field"] == "argv");

    REQUIRE(p.apply().code == 0);
    CHECK(p.service_pid("web", "ticker") == ticker);
    long api_after = 0;
    for (int i = 0; i < 300 && (api_after == 0 || api_after == api); ++i) {
        api_after = p.service_pid("api", "httpd");
        std::this_thread::sleep_for(10ms);
    }
    CHECK(api_after != api);
    CHECK(p.plan({"--detailed-exitcode"}).code == 0);
}

TEST_CASE("changing ports replaces the jail, and the plan names the field old -> new") {
    Project p;
    p.write({});
    REQUIRE(p.apply().code == 0);
    auto old_jid = p.jail("web")["jid"].get<int>();
    Manifest m;
    m.web_port = web_port + 10;
    p.write(m);
    auto plan = p.plan();
    INFO(plan.out);
    CHECK(contains(plan.out, "-/+ jail web (replace): ports changed\n      ports: [" + std::to_string(web_port) +
                                 "] -> [" + std::to_string(web_port + 10) + "]\n"));
    REQUIRE(p.apply().code == 0);
    CHECK(p.jail("web")["jid"].get<int>() != old_jid);
    CHECK(page_eventually(web_port + 10, "<h1>hello</h1>") == "<h1>hello</h1>");
}

TEST_CASE("a jail removed from the manifests is kept without --prune and destroyed with it") {
    Project p;
    Manifest m;
    m.with_extra = true;
    p.write(m);
    REQUIRE(p.apply().code == 0);
    REQUIRE_FALSE(p.jail("extra").is_null());
    m.with_extra = false;
    p.write(m);
    auto plan = p.plan({"--detailed-exitcode"});
    CHECK(plan.code == 0);
    CHECK(contains(plan.out, "jail extra is no longer in the manifests; kept (apply --prune destroys it)"));
    REQUIRE(p.apply().code == 0);
    CHECK_FALSE(p.jail("extra").is_null());
    auto pruned = p.apply({"--prune"});
    INFO(pruned.out << pruned.err);
    CHECK(pruned.code == 0);
    CHECK(p.jail("extra").is_null());
    CHECK_FALSE(p.jail("web").is_null());
}

TEST_CASE("jails that jailmgr did not create are reported and never touched, even with --prune") {
    Project p;
    fs::create_directories(p.inst.dir / "foreign-root");
    auto created = jailctl(p.inst, {"create", "-n", "foreign", (p.inst.dir / "foreign-root").string()});
    REQUIRE(created.code == 0);
    p.write({});
    auto r = p.apply({"--prune"});
    CHECK(r.code == 0);
    CHECK(contains(r.out, "jail foreign is not managed by this project; left alone"));
    auto f = p.jail("foreign");
    REQUIRE_FALSE(f.is_null());
    CHECK(f["managed"] == false);
    CHECK(jailctl(p.inst, {"destroy", "foreign"}).code == 0);
}

TEST_CASE("kill -9 of apply at any point is repaired by the next apply, and nothing leaks") {
    const char* points[] = {"before-kernel-create", "after-kernel-create", "after-record", "mid-setup",
                            "after-supervisor-start"};
    for (const char* point : points) {
        CAPTURE(point);
        Project p;
        p.write({});
        auto crashed = p.apply({}, {std::string("JAILMGR_CRASH_AT=") + point});
        CHECK(crashed.code == -SIGKILL);
        auto repaired = p.apply();
        INFO(repaired.out << repaired.err);
        CHECK(repaired.code == 0);
        CHECK(p.plan({"--detailed-exitcode"}).code == 0);
        CHECK(page_eventually(web_port, "<h1>hello</h1>") == "<h1>hello</h1>");
        // Each jail exists once: the crash did not make a create happen twice.
        int jails = 0;
        const json all = p.status();
        for (auto& j : all["jails"]) jails += j["managed"].get<bool>();
        CHECK(jails == 2);
    }
    for (const char* point : {"before-kernel-destroy", "after-kernel-destroy"}) {
        CAPTURE(point);
        Project p;
        Manifest m;
        m.with_extra = true;
        p.write(m);
        REQUIRE(p.apply().code == 0);
        m.with_extra = false;
        p.write(m);
        CHECK(p.apply({"--prune"}, {std::string("JAILMGR_CRASH_AT=") + point}).code == -SIGKILL);
        auto repaired = p.apply({"--prune"});
        INFO(repaired.out << repaired.err);
        CHECK(repaired.code == 0);
        CHECK(p.jail("extra").is_null());
        CHECK(p.plan({"--detailed-exitcode", "--prune"}).code == 0);
    }
}

TEST_CASE("concurrent applies serialise: both succeed and every jail is created once") {
    Project p;
    p.write({});
    pid_t a = ::fork();
    if (a == 0) _exit(p.apply().code);
    pid_t b = ::fork();
    if (b == 0) _exit(p.apply().code);
    int sa = 0, sb = 0;
    ::waitpid(a, &sa, 0);
    ::waitpid(b, &sb, 0);
    CHECK(WIFEXITED(sa));
    CHECK(WEXITSTATUS(sa) == 0);
    CHECK(WIFEXITED(sb));
    CHECK(WEXITSTATUS(sb) == 0);
    std::vector<int> jids;
    const json all = p.status();
    for (auto& j : all["jails"]) jids.push_back(j["jid"].get<int>());
    std::sort(jids.begin(), jids.end());
    CHECK(jids == std::vector<int>{1, 2});
}

TEST_CASE("an apply that cannot get the lock in time names the holder") {
    Project p;
    p.write({});
    jailmgr::engine::HostLock held(p.inst.paths.run_dir, "jailmgr apply -f held.yaml", std::chrono::milliseconds(0));
    auto r = p.apply({"--lock-timeout", "200ms"});
    CHECK(r.code == 1);
    CHECK(contains(r.err, "another jailmgr apply holds the lock (pid " + std::to_string(::getpid()) +
                              ", 'jailmgr apply -f held.yaml', for "));
    CHECK(p.status()["jails"].empty());
}

TEST_CASE("a manifest with lint errors is refused before anything changes") {
    Project p;
    jailmgr::sys::write_file_atomic(p.manifest, "version: 1\njails:\n  web:\n    ports: [0]\n    profil: high\n");
    auto r = p.apply();
    CHECK(r.code == 1);
    CHECK(contains(r.err, "jails.yaml:4:"));
    CHECK(contains(r.err, "did you mean 'profile'"));
    CHECK(contains(r.err, "manifests have errors: nothing was changed"));
    CHECK(p.status()["jails"].empty());
    CHECK_FALSE(fs::exists(p.inst.paths.state_dir / "applied"));
    CHECK(p.plan().code == 1);
}

TEST_CASE("down stops and destroys the manifests' jails") {
    Project p;
    p.write({});
    REQUIRE(p.apply().code == 0);
    auto r = p.jailmgr({"down", "-f", p.manifest.string()});
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(contains(r.out, "2 jails stopped and destroyed."));
    CHECK(p.status()["jails"].empty());
    CHECK(http_get(web_port).empty());
}
