#include "resolve.hpp"

#include <doctest/doctest.h>

#include "load.hpp"

using namespace jailmgr::schema;
using namespace std::chrono_literals;

namespace {
DesiredState resolved(const std::string& text) {
    auto r = load_text("/srv/proj/m.yaml", text);
    REQUIRE_MESSAGE(!r.diagnostics.has_errors(), text);
    r.manifest.default_project = "proj";
    return resolve(r.manifest, "/var/lib/jailmgr");
}
}  // namespace

TEST_CASE("a minimal jail gets every default") {
    auto s = resolved("version: 1\njails:\n  my_jail:\n    services:\n      s: {command: 'echo hi'}\n");
    REQUIRE(s.jails.size() == 1);
    const auto& j = s.jails[0];
    CHECK(s.project == "proj");
    CHECK(j.project == "proj");
    CHECK(j.base.value == "host");
    CHECK(j.root.value == "/var/lib/jailmgr/jails/my_jail/root");
    CHECK_FALSE(j.root.loc.known());
    CHECK(j.hostname.value == "my-jail");
    CHECK(j.profile.level == Level::high);
    CHECK(j.profile.deny.empty());
    CHECK(j.autostart.value);
    CHECK(j.user.value == "0");
    CHECK_FALSE(j.limits.memory.present());
    const auto& sv = j.services[0];
    CHECK(sv.command.value == std::vector<std::string>{"/bin/sh", "-c", "echo hi"});
    CHECK(sv.restart.value == "always");
    CHECK(sv.backoff_initial == 1s);
    CHECK(sv.backoff_max == 10s);
    CHECK(sv.backoff_reset_after == 30s);
    CHECK(sv.start_limit_burst == 5);
    CHECK(sv.start_limit_interval == 60s);
    CHECK(sv.start_limit_retry_after == 5min);
    CHECK(sv.stop_signal.value == "TERM");
    CHECK(sv.stop_grace_period == 5s);
    CHECK(sv.working_dir.value == "/");
    CHECK(sv.log_max_size == 10ull << 20);
    CHECK(sv.log_keep == 5);
    CHECK_FALSE(sv.syslog.enabled);
    CHECK_FALSE(sv.healthcheck);
}

TEST_CASE("a rootfs base is the jail's root") {
    auto s = resolved("version: 1\njails:\n  j: {base: /srv/rootfs/}\n");
    CHECK(s.jails[0].root.value == "/srv/rootfs");
    CHECK(s.jails[0].root.loc.line == 3);
}

TEST_CASE("defaults flow into jails and services, and explicit values win") {
    auto s = resolved(
        "version: 1\nproject: shop\ndefaults:\n  profile: medium\n  user: www\n  limits: {memory: 1G, pids: 10}\n"
        "profiles:\n  web: {extends: medium, deny: [sysvipc, mount]}\n  web2: {extends: web, deny: [time]}\n"
        "jails:\n  a:\n    limits: {pids: 20}\n    environment: {A: '1', B: '2'}\n    services:\n"
        "      s: {command: [x], environment: [B=3, C=4], user: '1000:1000'}\n      t: {command: [y]}\n"
        "  b: {profile: web2}\n");
    const auto& a = s.jails[0];
    CHECK(s.project == "shop");
    CHECK(a.profile.level == Level::medium);
    CHECK(a.limits.memory.value == 1ull << 30);
    CHECK(a.limits.memory.loc.line == 6);  // points at defaults
    CHECK(a.limits.pids.value == 20);
    CHECK(a.services[0].user.value == "1000:1000");
    CHECK(a.services[1].user.value == "www");
    REQUIRE(a.services[0].environment.size() == 3);
    CHECK(a.services[0].environment[1].value.value == "3");
    CHECK(a.services[0].environment[2].key.value == "C");
    const auto& b = s.jails[1];
    CHECK(b.profile.level == Level::medium);
    CHECK(b.profile.deny == std::vector<std::string>{"mount", "time", "sysvipc"});
}

TEST_CASE("health checks and dependencies resolve with their conditions") {
    auto s = resolved(
        "version: 1\njails:\n  a:\n    ports: [80]\n    depends_on: [b]\n    services:\n"
        "      m: {command: x, restart: 'no'}\n"
        "      s: {command: x, depends_on: {m: {condition: service_completed_successfully}}, healthcheck: {tcp: 80}}\n"
        "      t: {command: x, depends_on: [s], healthcheck: {test: [CMD-SHELL, 'true'], retries: 7}}\n"
        "  b: {}\n");
    const auto& a = s.jails[0];
    CHECK(a.depends_on[0].condition.value == "started");
    CHECK(a.services[1].depends_on[0].condition.value == "service_completed_successfully");
    CHECK(a.services[2].depends_on[0].condition.value == "service_started");
    CHECK(a.services[1].healthcheck->kind == ResolvedHealthcheck::Kind::tcp);
    CHECK(a.services[1].healthcheck->port == 80);
    CHECK(a.services[1].healthcheck->interval == 10s);
    CHECK(a.services[2].healthcheck->argv == std::vector<std::string>{"/bin/sh", "-c", "true"});
    CHECK(a.services[2].healthcheck->retries == 7);
    auto order = s.start_order();
    REQUIRE(order.size() == 2);
    CHECK(order[0]->name.value == "b");
}

TEST_CASE("setup steps keep their order and modes") {
    auto s = resolved(
        "version: 1\njails:\n  a:\n    setup:\n      - run: mkdir -p /x\n"
        "      - file: {path: /x/y, content: hi, mode: '0600'}\n      - file: {path: /x/z}\n");
    const auto& st = s.jails[0].setup;
    REQUIRE(st.size() == 3);
    CHECK(st[0].argv == std::vector<std::string>{"/bin/sh", "-c", "mkdir -p /x"});
    CHECK(st[1].mode == 0600);
    CHECK(st[1].content == "hi");
    CHECK(st[2].mode == 0644);
}
