#include "validate.hpp"

#include <doctest/doctest.h>

using namespace jailmgr::schema;

namespace {
std::vector<std::string> findings(const std::string& text) {
    auto r = lint_text("m.yaml", text);
    std::vector<std::string> out;
    for (const auto& d : r.diagnostics.items())
        out.push_back(std::string(d.id()) + " " + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.column) + " " +
                      d.message);
    return out;
}
std::string only(const std::string& text) {
    auto f = findings(text);
    REQUIRE_MESSAGE(f.size() == 1, text);
    return f[0];
}
}  // namespace

TEST_CASE("a clean manifest has no findings") {
    CHECK(findings("version: 1\njails:\n  a: {}\n").empty());
}

TEST_CASE("a misspelled key gets a did-you-mean") {
    CHECK(only("version: 1\njails:\n  web:\n    hostnme: web\n") ==
          "JM100 4:5 jail 'web': unknown key 'hostnme'; did you mean 'hostname'?");
}

TEST_CASE("missing version") {
    CHECK(only("jails:\n  a: {}\n") == "JM110 1:1 missing `version: 1`; add it at the top of the file");
    CHECK(only("version: 2\n") == "JM110 1:10 version: unsupported manifest version '2'; this jailmgr reads version 1");
}

TEST_CASE("a port reserved by two jails on the same host is an error; on different hosts it is not") {
    std::string two = "version: 1\njails:\n  a: {ports: [80]}\n  b: {ports: [80]}\n";
    auto f = findings(two);
    REQUIRE(f.size() == 3);  // two JM202 warnings + the conflict
    CHECK(f[2] ==
          "JM130 4:15 jail 'b': port 80 is already reserved by jail 'a' (m.yaml:3:15); give each jail its own port, "
          "or place the jails on different hosts");
    auto apart = lint_text("m.yaml",
                           "version: 1\njails:\n  a: {ports: [80], placement: {hosts: [h1]}}\n"
                           "  b: {ports: [80], placement: {hosts: [h2]}}\n");
    CHECK_FALSE(apart.diagnostics.has(Rule::port_conflict));
    auto overlap = lint_text("m.yaml",
                             "version: 1\njails:\n  a: {ports: [80], placement: {hosts: [h1, h2]}}\n"
                             "  b: {ports: [80], placement: {hosts: [h2]}}\n");
    CHECK(overlap.diagnostics.has(Rule::port_conflict));
    auto anywhere = lint_text("m.yaml",
                              "version: 1\njails:\n  a: {ports: [80], placement: {hosts: [h1]}}\n"
                              "  b: {ports: [80]}\n");
    CHECK(anywhere.diagnostics.has(Rule::port_conflict));
}

TEST_CASE("a jail dependency cycle prints its full path") {
    auto f = findings("version: 1\njails:\n  web: {depends_on: [api]}\n  api: {depends_on: [db]}\n  db: {depends_on: [web]}\n");
    REQUIRE(f.size() == 1);
    CHECK(f[0] == "JM141 3:22 jail dependency cycle: web -> api -> db -> web; remove one of these depends_on entries");
}

TEST_CASE("a service dependency cycle and an undefined service dependency") {
    auto f = findings(
        "version: 1\njails:\n  j:\n    services:\n      a: {command: x, depends_on: [b]}\n"
        "      b: {command: x, depends_on: [a, c]}\n");
    REQUIRE(f.size() == 2);
    CHECK(f[0] == "JM143 5:36 jail 'j': service dependency cycle: a -> b -> a; remove one of these depends_on entries");
    CHECK(f[1] == "JM142 6:39 jail 'j' service 'b': depends on 'c', which jail 'j' does not define");
}

TEST_CASE("undefined jail dependency and profile suggest names") {
    CHECK(only("version: 1\njails:\n  web: {depends_on: [dbb]}\n  db: {}\n") ==
          "JM140 3:22 jail 'web': depends on jail 'dbb', which is not defined; did you mean 'db'?");
    CHECK(only("version: 1\njails:\n  web: {profile: hihg}\n") ==
          "JM150 3:18 jail 'web': profile 'hihg' is neither low, medium, high nor a defined profile; did you mean 'high'?");
}

TEST_CASE("profile extends cycle") {
    auto f = findings(
        "version: 1\nprofiles:\n  a: {extends: b}\n  b: {extends: a}\njails:\n  j: {profile: a}\n");
    REQUIRE(f.size() == 1);
    CHECK(f[0] == "JM151 3:16 profile extends cycle: a -> b -> a; make one of them extend low, medium or high");
}

TEST_CASE("mount targets may not escape or hide system paths") {
    auto f = findings(
        "version: 1\njails:\n  j:\n    mounts:\n      - {source: /a, target: /../etc}\n"
        "      - {source: /a, target: /dev}\n      - {source: /a, target: /}\n      - {source: /a, target: /srv}\n"
        "      - {source: /b, target: /srv/}\n");
    REQUIRE(f.size() == 4);
    CHECK(f[0].rfind("JM160 5:30", 0) == 0);
    CHECK(f[1] == "JM161 6:30 jail 'j': mount target '/dev' would hide or change the jail's /dev; mount under /srv or /mnt instead");
    CHECK(f[2].rfind("JM161 7:30", 0) == 0);
    CHECK(f[3].rfind("JM123 9:30", 0) == 0);
}

TEST_CASE("warnings for risky but legal choices do not make errors") {
    auto r = lint_text("m.yaml",
                       "version: 1\njails:\n  j:\n    profile: low\n    ports: [80]\n    services:\n"
                       "      s: {command: x, start_limit: {burst: 0}}\n");
    CHECK_FALSE(r.diagnostics.has_errors());
    CHECK(r.diagnostics.has(Rule::low_profile));
    CHECK(r.diagnostics.has(Rule::unlimited_restarts));
    CHECK(r.diagnostics.has(Rule::port_without_healthcheck));
}

TEST_CASE("root and a rootfs base must agree") {
    CHECK(only("version: 1\njails:\n  j: {base: /srv/rootfs, root: /srv/other}\n") ==
          "JM170 3:32 jail 'j': root '/srv/other' differs from base '/srv/rootfs'; with a rootfs base the base is the "
          "root, so drop `root` or make them equal");
    CHECK(findings("version: 1\njails:\n  j: {base: /srv/rootfs, root: /srv/rootfs/}\n").empty());
}

TEST_CASE("more than 32 ports") {
    std::string ports;
    for (int i = 1; i <= 33; ++i) ports += (i > 1 ? ", " : "") + std::to_string(1000 + i);
    auto r = lint_text("m.yaml", "version: 1\njails:\n  j:\n    ports: [" + ports + "]\n");
    CHECK(r.diagnostics.has(Rule::too_many_ports));
}

TEST_CASE("every finding is reported in one run") {
    auto f = findings(
        "version: 1\njails:\n  a:\n    hostnme: x\n    ports: [0]\n    limits: {memory: 1KiB, cpus: -1}\n"
        "    services:\n      s: {command: [], restart: never, stop_signal: FOO}\n");
    CHECK(f.size() == 7);
}
