// engine_context.hpp -- what every reconciling command needs: the driver,
// the supervisors, and the manifests loaded and linted.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "desired_from_schema.hpp"
#include "reconcile.hpp"

namespace jailmgr::cli {

struct EngineContext {
    engine::Paths paths;
    std::unique_ptr<kernel::Driver> driver;
    std::unique_ptr<engine::Supervisors> supervisors;
    std::optional<engine::Engine> engine;

    explicit EngineContext(const Globals& g);
};

// Load, lint and resolve the manifests.  Lint findings go to stderr (with
// carets, as `jailmgr lint` prints them); nullopt when there were errors.
// `host`: placement filter (empty: every jail).
std::optional<engine::Desired> load_manifests(const std::vector<std::string>& files, const engine::Paths& paths,
                                              const std::string& host);

// The manifest options shared by plan, apply, down, metrics and exporter.
struct ManifestOptions {
    std::vector<std::string> files;
    std::string host;  // --host; default: this machine's name
};
void add_manifest_options(CLI::App* sub, ManifestOptions& o);

// "jails.yaml" when no -f was given.
std::vector<std::string> manifest_files(const ManifestOptions& o);

bool stdout_is_tty();
bool want_color();

}  // namespace jailmgr::cli
