#include "engine_context.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "render.hpp"
#include "supervisor_processes.hpp"

namespace jailmgr::cli {

namespace {

// The engine syncs once at the end of an apply (Driver::sync) instead of
// after each jail's write.
kernel::DriverConfig engine_driver_config(const engine::Paths& paths) {
    auto c = paths.driver_config();
    c.sync_each_write = false;
    return c;
}

}  // namespace

EngineContext::EngineContext(const Globals& g)
    : paths(g.paths()),
      driver(kernel::make_driver(engine_driver_config(paths))),
      supervisors(engine::make_supervisors(paths, "/proc/self/exe")) {
    engine.emplace(engine::Engine{paths, *driver, *supervisors});
}

bool stdout_is_tty() { return ::isatty(STDOUT_FILENO) == 1; }

bool want_color() {
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    return stdout_is_tty() && !(no_color && *no_color) && !(term && std::string(term) == "dumb");
}

std::vector<std::string> manifest_files(const ManifestOptions& o) {
    return o.files.empty() ? std::vector<std::string>{"jails.yaml"} : o.files;
}

void add_manifest_options(CLI::App* sub, ManifestOptions& o) {
    sub->add_option("-f,--file", o.files,
                    "Manifest file or directory of *.yaml/*.yml files; - reads stdin. Repeat to merge several "
                    "(default: jails.yaml)");
    sub->add_option("--host", o.host,
                    "Apply only the jails placed on this host (placement.hosts); default: this machine's name");
}

std::optional<engine::Desired> load_manifests(const std::vector<std::string>& files, const engine::Paths& paths,
                                              const std::string& host) {
    auto loaded = engine::load_desired(files, paths, host.empty() ? engine::local_host_name() : host, std::cin);
    if (!loaded.lint.diagnostics.empty()) {
        schema::RenderOptions ro;
        ro.color = ::isatty(STDERR_FILENO) == 1 && !std::getenv("NO_COLOR");
        ro.files = loaded.lint.loaded.manifest.sources.size();
        // Warnings are shown only alongside errors: plan and apply stay quiet
        // about what `jailmgr lint` would merely warn about.
        if (!loaded.ok()) schema::render(std::cerr, loaded.lint.diagnostics, schema::OutputFormat::text, ro);
    }
    if (!loaded.ok()) {
        std::cerr << "manifests have errors: nothing was changed (see `jailmgr lint`)\n";
        return std::nullopt;
    }
    return std::move(loaded.desired);
}

}  // namespace jailmgr::cli
