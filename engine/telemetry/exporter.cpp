#include "exporter.hpp"

#include <arpa/inet.h>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <stdexcept>

namespace jailmgr::engine::telemetry {

void check_listen_address(const std::string& listen, bool allow_remote) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon + 1 == listen.size())
        throw std::invalid_argument("--listen " + listen + ": expected HOST:PORT, e.g. 127.0.0.1:9452");
    std::string host = listen.substr(0, colon);
    std::string port = listen.substr(colon + 1);
    for (char c : port)
        if (c < '0' || c > '9') throw std::invalid_argument("--listen " + listen + ": port must be a number");
    if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    bool loopback = host == "localhost" || host == "::1";
    in_addr a4{};
    if (inet_pton(AF_INET, host.c_str(), &a4) == 1) loopback = (ntohl(a4.s_addr) >> 24) == 127;
    if (!loopback && !allow_remote)
        throw std::invalid_argument("--listen " + listen +
                                    ": not a loopback address; metrics reveal what runs on this host, so pass "
                                    "--allow-remote to serve them beyond 127.0.0.1");
}

class Exporter::Collector : public prometheus::Collectable {
public:
    explicit Collector(std::function<Snapshot()> gather) : gather_(std::move(gather)) {}
    std::vector<prometheus::MetricFamily> Collect() const override {
        std::lock_guard lock(mutex_);
        try {
            return build_metrics(gather_());
        } catch (const std::exception& e) {
            // A scrape must never take the exporter down; the error is in the log
            // and the scrape gets the build info alone (jailmgr_jail_up absent).
            spdlog::error("collecting metrics: {}", e.what());
            return build_metrics(Snapshot{});
        }
    }

private:
    std::function<Snapshot()> gather_;
    mutable std::mutex mutex_;
};

Exporter::Exporter(const std::string& listen, std::function<Snapshot()> gather)
    : collector_(std::make_shared<Collector>(std::move(gather))) {
    try {
        exposer_ = std::make_unique<prometheus::Exposer>(listen, 2);
    } catch (const std::exception& e) {
        throw std::runtime_error("cannot listen on " + listen + ": " + e.what());
    }
    exposer_->RegisterCollectable(collector_);
}

Exporter::~Exporter() = default;

int Exporter::port() const {
    auto ports = exposer_->GetListeningPorts();
    return ports.empty() ? 0 : ports.front();
}

}  // namespace jailmgr::engine::telemetry
