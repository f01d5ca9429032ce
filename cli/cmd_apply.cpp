// cmd_apply.cpp -- `jailmgr apply`: converge the host to the manifests.
//
// Prints the plan, then each step as it completes (a live status line on a
// terminal), then a summary.  Exit status: 0 converged, 1 anything failed
// (every failure is printed, subject first), 2 usage error.
#include <unistd.h>

#include <iostream>
#include <thread>

#include "apply_progress.hpp"
#include "engine_context.hpp"
#include "units.hpp"

namespace jailmgr::cli {

namespace {

struct ApplyOptions {
    ManifestOptions manifests;
    bool prune = false;
    std::vector<std::string> targets;
    bool dry_run = false;
    unsigned parallel = 0;
    std::string lock_timeout;
    std::string ready_timeout = "2m";
};

std::optional<std::chrono::milliseconds> duration_option(const std::string& name, const std::string& text) {
    if (text.empty()) return std::nullopt;
    auto d = schema::parse_duration(text);
    if (!d) throw CLI::ValidationError(name, d.error);
    return *d.value;
}

int run_apply(const Globals& g, const ApplyOptions& o, const std::string& command_line) {
    auto desired = load_manifests(manifest_files(o.manifests), g.paths(), o.manifests.host);
    if (!desired) return 1;
    EngineContext ctx(g);
    if (o.dry_run) {
        try {
            std::cout << engine::render_text(engine::plan(*ctx.engine, *desired, {o.prune, o.targets}), want_color());
        } catch (const engine::PlanError& e) {
            for (auto& p : e.problems()) std::cerr << p << "\n";
            return 1;
        }
        return 0;
    }

    engine::ApplyRequest req;
    req.diff = {o.prune, o.targets};
    req.apply.parallel = o.parallel ? o.parallel : std::max(1u, std::thread::hardware_concurrency());
    req.apply.ready_timeout = *duration_option("--ready-timeout", o.ready_timeout);
    req.lock_timeout = duration_option("--lock-timeout", o.lock_timeout);
    req.command = command_line;
    std::unique_ptr<ApplyProgress> progress;
    req.on_plan = [&](const engine::Plan& plan) {
        if (plan.has_changes()) std::cout << engine::render_text(plan, want_color()) << "\n";
        progress = std::make_unique<ApplyProgress>(plan.steps.size(), stdout_is_tty(), want_color());
    };
    req.apply.progress = [&](const engine::StepEvent& e) {
        if (progress) progress->on_event(e);
    };

    engine::ApplyOutcome out;
    try {
        out = engine::apply(*ctx.engine, *desired, req);
    } catch (const engine::PlanError& e) {
        for (auto& p : e.problems()) std::cerr << p << "\n";
        return 1;
    }
    if (progress) progress->finish();
    for (auto& r : out.repaired) std::cout << "repaired: " << r << "\n";
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.1fs", out.seconds);
    if (!out.result.ok()) {
        for (auto& e : out.result.errors) std::cerr << e << "\n";
        std::cout << "Apply failed after " << secs << ": " << out.result.errors.size() << " error"
                  << (out.result.errors.size() == 1 ? "" : "s") << "; run `jailmgr plan` to see what remains.\n";
        return 1;
    }
    if (!out.plan.has_changes())
        std::cout << engine::summary_line(out.plan) << " Nothing to do.\n";
    else
        std::cout << "Apply complete in " << secs << ": " << engine::summary_line(out.plan) << "\n";
    return 0;
}

}  // namespace

Command add_apply_command(CLI::App& app, Globals& g) {
    auto o = std::make_shared<ApplyOptions>();
    CLI::App* sub = app.add_subcommand("apply", "Converge the host to the manifests: create, update, start, restart");
    sub->footer("Exit status: 0 converged, 1 something failed (see the messages), 2 usage error.");
    add_manifest_options(sub, o->manifests);
    sub->add_flag("--prune", o->prune, "Also destroy this project's jails that are no longer in the manifests");
    sub->add_option("--target", o->targets, "Only this jail and its dependencies (repeatable)");
    sub->add_flag("--dry-run", o->dry_run, "Show the plan and change nothing (same as `jailmgr plan`)");
    sub->add_option("--parallel", o->parallel, "Jails applied at once (default: the number of CPUs)")
        ->check(CLI::Range(1u, 1024u));
    sub->add_option("--lock-timeout", o->lock_timeout,
                    "How long to wait for another apply to finish, e.g. 30s (default: wait as long as it takes)");
    sub->add_option("--ready-timeout", o->ready_timeout,
                    "How long a jail waits for a dependency to become healthy")
        ->default_str("2m");
    sub->fallthrough();
    return {sub, [o, &g] {
                std::string line = "jailmgr apply";
                for (auto& f : o->manifests.files) line += " -f " + f;
                return run_apply(g, *o, line);
            }};
}

}  // namespace jailmgr::cli
