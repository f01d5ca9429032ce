#include "exporter.hpp"

#include <arpa/inet.h>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <spdlog/spdlog.h>

#include <future>
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
    Collector(std::function<Snapshot()> gather, std::chrono::milliseconds timeout)
        : gather_(std::move(gather)), timeout_(timeout) {}

    std::vector<prometheus::MetricFamily> Collect() const override {
        std::shared_future<Collection> pending;
        {
            std::lock_guard lock(mutex_);
            // One collection at a time: the driver is used by one thread,
            // and scrapes arriving meanwhile share the running one.
            if (!running_.valid() || running_.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
                running_ = std::async(std::launch::async, [this] { return collect_now(); }).share();
            pending = running_;
        }
        if (pending.wait_for(timeout_) == std::future_status::ready) {
            auto done = pending.get();
            std::lock_guard lock(mutex_);
            last_ = done;
            return with_exporter_series(done, false);
        }
        spdlog::warn("collecting metrics takes longer than {} ms; serving the previous collection", timeout_.count());
        std::lock_guard lock(mutex_);
        return with_exporter_series(last_, true);
    }

private:
    struct Collection {
        std::vector<prometheus::MetricFamily> families;
        double seconds = 0;
    };

    Collection collect_now() const {
        auto start = std::chrono::steady_clock::now();
        Collection c;
        try {
            c.families = build_metrics(gather_());
        } catch (const std::exception& e) {
            // A scrape must never take the exporter down; the error is in the log
            // and the scrape gets the build info alone (jailmgr_jail_up absent).
            spdlog::error("collecting metrics: {}", e.what());
            c.families = build_metrics(Snapshot{});
        }
        c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return c;
    }

    static std::vector<prometheus::MetricFamily> with_exporter_series(const Collection& c, bool stale) {
        auto out = c.families;
        if (out.empty()) out = build_metrics(Snapshot{});  // nothing collected yet
        auto gauge = [&](const char* name, const char* help, double v) {
            prometheus::ClientMetric m;
            m.gauge.value = v;
            out.push_back({name, help, prometheus::MetricType::Gauge, {m}});
        };
        gauge("jailmgr_exporter_collect_seconds", "How long the collection these metrics come from took.", c.seconds);
        gauge("jailmgr_exporter_stale",
              "1 if this scrape got the previous collection because the current one exceeded the collect timeout.",
              stale ? 1 : 0);
        return out;
    }

    std::function<Snapshot()> gather_;
    std::chrono::milliseconds timeout_;
    mutable std::mutex mutex_;
    mutable std::shared_future<Collection> running_;
    mutable Collection last_;
};

Exporter::Exporter(const std::string& listen, std::function<Snapshot()> gather, std::chrono::milliseconds collect_timeout)
    : collector_(std::make_shared<Collector>(std::move(gather), collect_timeout)) {
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
