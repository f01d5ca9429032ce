#include "desired_from_schema.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "diff.hpp"

using namespace jailmgr::engine;
using nlohmann::json;

namespace {

Desired from_text(const std::string& yaml, const std::string& host = "") {
    auto r = jailmgr::schema::lint_text("test.yaml", yaml);
    REQUIRE_FALSE(r.diagnostics.has_errors());
    auto state = jailmgr::schema::resolve(r.loaded.manifest, "/var/lib/jailmgr");
    return desired_from_schema(state, host);
}

const char* manifest = R"(version: 1
project: shop
profiles:
  web:
    extends: medium
    deny: [sysvipc]
jails:
  web:
    profile: web
    ports: ["8080/tcp", 8443]
    limits: {memory: 256MiB, cpus: 0.5, pids: 64, nofile: 1024}
    mounts: [{source: /srv/www, target: /var/www, readonly: true}]
    depends_on:
      db: {condition: healthy}
    setup:
      - run: mkdir -p /var/www
      - file: {path: /var/www/index.html, content: "hi\n", mode: "0640"}
    services:
      httpd:
        command: ["busybox", "httpd", "-f", "-p", "127.0.0.1:8080"]
        user: "65534"
        healthcheck: {test: {tcp: 8080}, interval: 2s}
  db:
    placement: {hosts: [db1]}
    services:
      kv:
        command: sleep 1000
        restart: on-failure
        healthcheck: {test: ["CMD", "true"]}
)";

}  // namespace

TEST_CASE("a resolved jail becomes a kernel spec with its profile, extra denials, ports and limits") {
    auto d = from_text(manifest);
    REQUIRE(d.jails.size() == 2);
    CHECK(d.project == "shop");
    auto* web = d.find("web");
    REQUIRE(web);
    CHECK(web->spec.name == "web");
    CHECK(web->spec.root == "/var/lib/jailmgr/jails/web/root");
    CHECK(web->spec.layout == jailmgr::kernel::Layout::host_base);
    CHECK(web->spec.profile == jailmgr::kernel::Profile::medium);
    CHECK(spec_to_json(web->spec)["deny"] == json{"sysvipc"});
    CHECK(web->spec.ports == std::vector<std::uint16_t>{8080, 8443});
    CHECK(web->spec.limits.memory_bytes == 256ull << 20);
    CHECK(web->spec.limits.cpus == 0.5);
    CHECK(web->spec.limits.pids == 64u);
    REQUIRE(web->spec.mounts.size() == 1);
    CHECK(web->spec.mounts[0].readonly);
    CHECK(web->depends_on == std::vector<JailDependency>{{"db", "healthy"}});
}

TEST_CASE("setup steps and services translate to what the applier and supervisor run") {
    auto d = from_text(manifest);
    auto* web = d.find("web");
    REQUIRE(web->setup.size() == 2);
    CHECK(web->setup[0].describe == "run: mkdir -p /var/www");
    CHECK(web->setup[0].spec["run"] == json{"/bin/sh", "-c", "mkdir -p /var/www"});
    CHECK(web->setup[1].describe == "file: /var/www/index.html");
    CHECK(web->setup[1].spec["file"]["mode"] == 0640);
    REQUIRE(web->services.size() == 1);
    auto& httpd = web->services[0];
    CHECK(httpd.has_healthcheck);
    CHECK(httpd.spec["argv"] == json{"busybox", "httpd", "-f", "-p", "127.0.0.1:8080"});
    CHECK(httpd.spec["user"] == "65534");
    CHECK(httpd.spec["rlimits"]["nofile"] == 1024);
    CHECK(httpd.spec["healthcheck"]["tcp"] == 8080);
    CHECK(httpd.spec["healthcheck"]["interval_ms"] == 2000);
    CHECK(httpd.spec["restart"] == "always");
    CHECK(httpd.spec["backoff"]["initial_ms"] == 1000);
    CHECK(httpd.hash == canonical_hash(httpd.spec));
    auto* db = d.find("db");
    CHECK(db->services[0].spec["argv"] == json{"/bin/sh", "-c", "sleep 1000"});
    CHECK(db->services[0].spec["restart"] == "on-failure");
}

TEST_CASE("the same content gives the same hashes whatever the formatting") {
    auto a = from_text(manifest);
    std::string reordered = manifest;
    const std::string before = "    limits: {memory: 256MiB, cpus: 0.5, pids: 64, nofile: 1024}";
    auto pos = reordered.find(before);
    REQUIRE(pos != std::string::npos);
    reordered.replace(pos, before.size(), "    limits: {nofile: 1024, pids: 64, cpus: 0.5, memory: 268435456}");
    auto b = from_text(reordered);
    CHECK(a.find("web")->services[0].hash == b.find("web")->services[0].hash);
    CHECK(spec_to_json(a.find("web")->spec) == spec_to_json(b.find("web")->spec));
}

TEST_CASE("placement keeps the jails of this host and refuses a dependency placed elsewhere") {
    auto all = from_text(manifest, "");
    CHECK(all.jails.size() == 2);
    auto db1 = from_text(manifest, "db1.example.net");
    REQUIRE(db1.jails.size() == 2);  // web has no placement: every host
    CHECK_THROWS_WITH_AS(from_text(manifest, "web1"),
                         "jail web depends on jail db, which is not placed on host 'web1': place both on the same "
                         "hosts",
                         PlanError);
}

TEST_CASE("manifests with lint errors are refused before anything is resolved") {
    Paths p = Paths::for_root("/tmp/nowhere");
    std::istringstream in("version: 1\njails:\n  web:\n    ports: [0]\n");
    auto r = load_desired({"-"}, p, "", in);
    CHECK_FALSE(r.ok());
    CHECK(r.lint.diagnostics.has_errors());
}
