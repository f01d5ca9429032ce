// prometheus_e2e_test.cpp -- Debian's Prometheus scrapes `jailmgr exporter`
// on loopback and a jail series comes back through its query API.  Run by
// prometheus_e2e.sh, which reports the test as skipped, saying why, where
// the prometheus package is not installed.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "sys/files.hpp"
#include "telemetry_fixture.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace jailmgr::test;
using namespace std::chrono_literals;

namespace {

const std::string manifest_yaml = R"(version: 1
project: scraped
defaults:
  user: "65534:65534"
jails:
  scraped:
    limits: {memory: 48MiB}
    services:
      idle:
        command: ["sleep", "1000"]
)";

// The instant vector of `query`, as Prometheus returns it.
json query(int port, const std::string& promql) {
    long status = 0;
    auto body = http_get("http://127.0.0.1:" + std::to_string(port) + "/api/v1/query?query=" + url_escape(promql),
                         &status);
    if (status != 200) return json::array();
    auto j = json::parse(body, nullptr, false);
    if (j.is_discarded() || j.value("status", "") != "success") return json::array();
    return j["data"]["result"];
}

// Polls until the query returns something (Prometheus scrapes every second).
json eventually(int port, const std::string& promql) {
    json r = json::array();
    for (int i = 0; i < 300 && r.empty(); ++i) {
        r = query(port, promql);
        if (r.empty()) std::this_thread::sleep_for(100ms);
    }
    return r;
}

}  // namespace

TEST_CASE("Prometheus scrapes the exporter and a jail's series comes back from its query API") {
    TelemetryProject p;
    p.write(manifest_yaml);
    auto applied = p.jailmgr({"apply", "-f", p.manifest.string()});
    INFO(applied.out << applied.err);
    REQUIRE(applied.code == 0);
    int exporter_port = 0;
    auto exporter = p.start_exporter(&exporter_port);

    fs::path config = p.inst.dir / "prometheus.yml", storage = p.inst.dir / "prometheus-data";
    jailmgr::sys::write_file_atomic(
        config, "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                "scrape_configs:\n"
                "  - job_name: jailmgr\n"
                "    static_configs: [{targets: ['127.0.0.1:" + std::to_string(exporter_port) + "']}]\n");
    int prom_port = free_port();
    Child prometheus({"/usr/bin/prometheus", "--config.file=" + config.string(),
                      "--storage.tsdb.path=" + storage.string(),
                      "--web.listen-address=127.0.0.1:" + std::to_string(prom_port), "--log.level=warn"},
                     (p.inst.dir / "prometheus.log").string());
    INFO("prometheus log:\n" << prometheus.log());

    auto up = eventually(prom_port, "up{job=\"jailmgr\"} == 1");
    INFO("exporter log:\n" << exporter->log());
    REQUIRE_MESSAGE(up.size() == 1, "Prometheus never scraped the exporter successfully: " << prometheus.log());

    json status = json::parse(p.jailmgr({"status", "--output", "json"}).out);
    REQUIRE(status["jails"].size() == 1);
    auto jid = std::to_string(status["jails"][0]["jid"].get<int>());

    auto jail_up = eventually(prom_port, "jailmgr_jail_up{jail=\"scraped\"}");
    REQUIRE(jail_up.size() == 1);
    CHECK(jail_up[0]["metric"]["jid"] == jid);
    CHECK(jail_up[0]["metric"]["instance"] == "127.0.0.1:" + std::to_string(exporter_port));
    CHECK(jail_up[0]["value"][1] == "1");
    auto limit = eventually(prom_port, "jailmgr_jail_memory_limit_bytes{jail=\"scraped\"}");
    REQUIRE(limit.size() == 1);
    CHECK(limit[0]["value"][1] == std::to_string(48 * 1024 * 1024));
    auto running = eventually(prom_port, "jailmgr_service_state{jail=\"scraped\",service=\"idle\",state=\"running\"}");
    REQUIRE(running.size() == 1);
    CHECK(running[0]["value"][1] == "1");

    CHECK(prometheus.stop() == 0);
    CHECK(exporter->stop() == 0);
}
