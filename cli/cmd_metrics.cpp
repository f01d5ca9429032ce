// cmd_metrics.cpp -- `jailmgr metrics` (the exposition text once) and
// `jailmgr exporter` (a long-running /metrics endpoint).
#include <csignal>
#include <iostream>
#include <memory>
#include <mutex>

#include "engine_context.hpp"
#include "sys/files.hpp"
#include "telemetry/exporter.hpp"
#include "telemetry/snapshot.hpp"
#include "units.hpp"

namespace jailmgr::cli {

namespace {

struct MetricsOptions {
    ManifestOptions manifests;
    std::string output_file;
    std::string listen = "127.0.0.1:9452";
    bool allow_remote = false;
    std::string collect_timeout = "5s";
};

// With -f the drift metrics compare against the manifests; without, against
// the last applied records.
std::optional<engine::Desired> optional_desired(const Globals& g, const MetricsOptions& o, bool& failed) {
    failed = false;
    if (o.manifests.files.empty()) return std::nullopt;
    auto d = load_manifests(o.manifests.files, g.paths(), o.manifests.host);
    failed = !d;
    return d;
}

int run_metrics(const Globals& g, const MetricsOptions& o) {
    bool failed;
    auto desired = optional_desired(g, o, failed);
    if (failed) return 1;
    EngineContext ctx(g);
    auto text = engine::telemetry::to_text(engine::telemetry::build_metrics(
        engine::telemetry::gather(*ctx.driver, *ctx.supervisors, ctx.paths, desired ? &*desired : nullptr)));
    if (o.output_file.empty()) {
        std::cout << text;
    } else {
        // Atomic: node_exporter's textfile collector never reads half a file.
        sys::write_file_atomic(o.output_file, text, 0644);
    }
    return 0;
}

// The manifests an exporter measures drift against; SIGHUP re-reads them
// (a failed re-read keeps the previous ones and says why on stderr).
// Hashed once per load, not on every scrape.
struct HashedDesired {
    engine::Desired desired;
    std::string hash;
};

class DesiredHolder {
public:
    std::shared_ptr<const HashedDesired> get() const {
        std::lock_guard lock(mutex_);
        return desired_;
    }
    void set(std::optional<engine::Desired> d) {
        std::shared_ptr<const HashedDesired> next;
        if (d) {
            auto hash = engine::desired_hash(*d);
            next = std::make_shared<const HashedDesired>(HashedDesired{std::move(*d), std::move(hash)});
        }
        std::lock_guard lock(mutex_);
        desired_ = std::move(next);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const HashedDesired> desired_;
};

int run_exporter(const Globals& g, const MetricsOptions& o) {
    engine::telemetry::check_listen_address(o.listen, o.allow_remote);
    auto collect_timeout = schema::parse_duration(o.collect_timeout);
    if (!collect_timeout || collect_timeout.value->count() <= 0)
        throw CLI::ValidationError("--collect-timeout", collect_timeout ? "must be positive" : collect_timeout.error);
    bool failed;
    DesiredHolder desired;
    desired.set(optional_desired(g, o, failed));
    if (failed) return 1;
    EngineContext ctx(g);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    // Block before the server threads start so they inherit the mask and the
    // signals are left for sigwait below.
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // The exporter runs one collection at a time, so one Gatherer serves them all.
    engine::telemetry::Gatherer gatherer(*ctx.driver, *ctx.supervisors, ctx.paths);
    engine::telemetry::Exporter exporter(o.listen, [&] {
        auto d = desired.get();
        return d ? gatherer.gather(&d->desired, d->hash) : gatherer.gather();
    }, *collect_timeout.value);
    // The port actually bound: with port 0 the kernel picks one (tests).
    std::cerr << "jailmgr exporter: serving http://" << o.listen.substr(0, o.listen.rfind(':')) << ":"
              << exporter.port() << "/metrics" << std::endl;
    for (;;) {
        int sig = 0;
        sigwait(&set, &sig);
        if (sig != SIGHUP) return 0;
        if (o.manifests.files.empty()) continue;
        auto d = optional_desired(g, o, failed);
        if (failed) {
            std::cerr << "jailmgr exporter: manifests have errors; still measuring drift against the previous ones\n";
            continue;
        }
        desired.set(std::move(d));
        std::cerr << "jailmgr exporter: manifests re-read\n";
    }
}

}  // namespace

Command add_metrics_command(CLI::App& app, Globals& g) {
    auto o = std::make_shared<MetricsOptions>();
    CLI::App* sub = app.add_subcommand("metrics", "Print the Prometheus metrics once (for inetd or a textfile collector)");
    sub->add_option("-f,--file", o->manifests.files,
                    "Manifests to measure drift against (default: the last applied state)");
    sub->add_option("--host", o->manifests.host, "Placement host for -f (default: this machine's name)");
    sub->add_option("-o,--output", o->output_file, "Write atomically to this file instead of stdout");
    sub->fallthrough();
    return {sub, [o, &g] { return run_metrics(g, *o); }};
}

Command add_exporter_command(CLI::App& app, Globals& g) {
    auto o = std::make_shared<MetricsOptions>();
    CLI::App* sub = app.add_subcommand(
        "exporter", "Serve Prometheus metrics over HTTP at /metrics until stopped (SIGHUP re-reads the manifests)");
    sub->add_option("--listen", o->listen, "HOST:PORT to listen on")->default_str("127.0.0.1:9452");
    sub->add_flag("--allow-remote", o->allow_remote, "Allow a non-loopback listen address");
    sub->add_option("--collect-timeout", o->collect_timeout,
                    "Longest a scrape waits for a collection before it gets the previous one, marked stale")
        ->default_str("5s");
    sub->add_option("-f,--file", o->manifests.files,
                    "Manifests to measure drift against (default: the last applied state)");
    sub->add_option("--host", o->manifests.host, "Placement host for -f (default: this machine's name)");
    sub->fallthrough();
    return {sub, [o, &g] { return run_exporter(g, *o); }};
}

}  // namespace jailmgr::cli
