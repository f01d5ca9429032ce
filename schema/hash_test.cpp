#include "hash.hpp"

#include <doctest/doctest.h>

#include "load.hpp"
#include "resolve.hpp"

using namespace jailmgr::schema;

TEST_CASE("sha256 matches the FIPS 180-2 test vectors") {
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

namespace {
DesiredState resolved(const std::string& text) {
    auto r = load_text("m.yaml", text);
    REQUIRE_MESSAGE(!r.diagnostics.has_errors(), text);
    return resolve(r.manifest, "/var/lib/jailmgr");
}
}  // namespace

TEST_CASE("the hash ignores key order, formatting, anchors and written-out defaults") {
    auto a = resolved(R"(version: 1
jails:
  web:
    ports: [8080]
    limits: {memory: 64MiB, cpus: 0.5}
    services:
      httpd: {command: [busybox, httpd, -f], restart: always, healthcheck: {tcp: 8080}}
)");
    auto b = resolved(R"(
x-limits: &lim
  cpus: 0.50
  memory: 65536KiB
version: 1
jails:
  web:
    services:
      httpd:
        healthcheck:
          tcp: "8080"
          interval: 10s
        command:
          - busybox
          - httpd
          - "-f"
        stop_signal: SIGTERM
    limits:
      <<: *lim
    profile: high
    base: host
    ports: ["8080/tcp"]
)");
    REQUIRE(a.jails.size() == 1);
    REQUIRE(b.jails.size() == 1);
    CHECK(a.jails[0].hash == b.jails[0].hash);
    CHECK(a.jails[0].services[0].hash == b.jails[0].services[0].hash);
    CHECK(a.jails[0].hash.size() == 64);
}

TEST_CASE("the hash changes when content changes, and a service change leaves the jail hash alone") {
    auto a = resolved("version: 1\njails:\n  web:\n    ports: [8080]\n    services:\n      s: {command: a, healthcheck: {tcp: 8080}}\n");
    auto b = resolved("version: 1\njails:\n  web:\n    ports: [8081]\n    services:\n      s: {command: a, healthcheck: {tcp: 8081}}\n");
    auto c = resolved("version: 1\njails:\n  web:\n    ports: [8080]\n    services:\n      s: {command: b, healthcheck: {tcp: 8080}}\n");
    CHECK(a.jails[0].hash != b.jails[0].hash);
    CHECK(a.jails[0].hash == c.jails[0].hash);
    CHECK(a.jails[0].services[0].hash != c.jails[0].services[0].hash);
}
