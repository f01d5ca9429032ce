// cmd_status.cpp -- `jailmgr status`: jails, services, health, restarts, ports.
#include <iostream>

#include "engine_context.hpp"
#include "observe.hpp"
#include "status_report.hpp"

namespace jailmgr::cli {

namespace {

int run_status(const Globals& g, const std::string& output) {
    EngineContext ctx(g);
    engine::StateStore store(ctx.paths.state_dir);
    auto observed = engine::observe(*ctx.driver, store, *ctx.supervisors);
    double now = static_cast<double>(::time(nullptr));
    if (output == "json")
        std::cout << engine::status_json(observed, now).dump(2) << "\n";
    else
        std::cout << engine::status_text(observed, now, want_color());
    return 0;
}

}  // namespace

Command add_status_command(CLI::App& app, Globals& g) {
    auto output = std::make_shared<std::string>("text");
    CLI::App* sub = app.add_subcommand("status", "Show every jail with its services, health, restarts and ports");
    sub->add_option("--output", *output, "Output format (json: see docs/status.schema.json)")
        ->check(CLI::IsMember({"text", "json"}))
        ->default_str("text");
    sub->fallthrough();
    return {sub, [output, &g] { return run_status(g, *output); }};
}

}  // namespace jailmgr::cli
