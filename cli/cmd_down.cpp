// cmd_down.cpp -- `jailmgr down`: stop and destroy jails.
//
//   jailmgr down -f jails.yaml     every jail of the manifests' project on this host
//   jailmgr down web db            these jails (created by jailmgr, any project)
#include <algorithm>
#include <iostream>
#include <thread>

#include "apply_progress.hpp"
#include "engine_context.hpp"

namespace jailmgr::cli {

namespace {

struct DownOptions {
    ManifestOptions manifests;
    std::vector<std::string> jails;
};

int run_down(const Globals& g, const DownOptions& o) {
    if (o.manifests.files.empty() && o.jails.empty()) {
        std::cerr << "jailmgr down: name the jails, or give the manifests with -f\n";
        return 2;
    }
    std::string project;
    std::vector<std::string> names = o.jails;
    if (!o.manifests.files.empty()) {
        auto desired = load_manifests(o.manifests.files, g.paths(), o.manifests.host);
        if (!desired) return 1;
        project = desired->project;
        if (names.empty())
            for (auto& j : desired->jails) names.push_back(j.name);
    }
    EngineContext ctx(g);
    engine::ApplyRequest req;
    req.command = "jailmgr down";
    // Independent jails go down at once, as apply brings them up.
    req.apply.parallel = std::max(1u, std::thread::hardware_concurrency());
    std::unique_ptr<ApplyProgress> progress;
    req.on_plan = [&](const engine::Plan& plan) {
        progress = std::make_unique<ApplyProgress>(plan.steps.size(), stdout_is_tty(), want_color());
    };
    req.apply.progress = [&](const engine::StepEvent& e) {
        if (progress) progress->on_event(e);
    };
    auto out = engine::down(*ctx.engine, project, names, req);
    if (progress) progress->finish();
    for (auto& e : out.result.errors) std::cerr << e << "\n";
    auto destroyed = out.plan.steps.size();
    if (out.result.ok())
        std::cout << destroyed << " jail" << (destroyed == 1 ? "" : "s") << " stopped and destroyed.\n";
    return out.result.ok() ? 0 : 1;
}

}  // namespace

Command add_down_command(CLI::App& app, Globals& g) {
    auto o = std::make_shared<DownOptions>();
    CLI::App* sub = app.add_subcommand("down", "Stop and destroy jails: those of the manifests, or the ones named");
    sub->footer("Exit status: 0 done, 1 something failed, 2 usage error.");
    add_manifest_options(sub, o->manifests);
    sub->add_option("jails", o->jails, "Jails to take down (created by jailmgr)");
    sub->fallthrough();
    return {sub, [o, &g] { return run_down(g, *o); }};
}

}  // namespace jailmgr::cli
