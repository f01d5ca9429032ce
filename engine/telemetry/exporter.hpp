// exporter.hpp -- the long-running /metrics endpoint (prometheus-cpp's
// exposer, civetweb underneath).  Metrics are collected on each scrape, by
// one collection at a time on a thread of its own: scrapes that arrive while
// one runs share its result, and a scrape never waits longer than the
// collect timeout -- past it, it is answered with the last complete
// collection and jailmgr_exporter_stale 1, while the slow one finishes.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "metrics.hpp"

namespace prometheus {
class Exposer;
}

namespace jailmgr::engine::telemetry {

// Throws std::invalid_argument unless `listen` is "HOST:PORT" with a
// loopback HOST (127.0.0.0/8, ::1, localhost) or allow_remote is set.
void check_listen_address(const std::string& listen, bool allow_remote);

class Exporter {
public:
    Exporter(const std::string& listen, std::function<Snapshot()> gather,
             std::chrono::milliseconds collect_timeout = std::chrono::seconds(5));
    ~Exporter();
    Exporter(const Exporter&) = delete;
    Exporter& operator=(const Exporter&) = delete;
    // The port actually bound (useful with port 0 in tests).
    int port() const;

private:
    class Collector;
    std::shared_ptr<Collector> collector_;
    std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace jailmgr::engine::telemetry
