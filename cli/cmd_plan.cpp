// cmd_plan.cpp -- `jailmgr plan`: show what apply would change, and why.
//
// Exit status: 0 success; with --detailed-exitcode 0 no changes, 2 changes
// pending; 1 error (including manifests with lint errors).
#include <iostream>

#include "engine_context.hpp"

namespace jailmgr::cli {

namespace {

struct PlanOptions {
    ManifestOptions manifests;
    bool detailed_exitcode = false;
    std::string output = "text";
    std::vector<std::string> targets;
    bool prune = false;
};

int run_plan(const Globals& g, const PlanOptions& o) {
    auto desired = load_manifests(manifest_files(o.manifests), g.paths(), o.manifests.host);
    if (!desired) return 1;
    EngineContext ctx(g);
    engine::Plan plan;
    try {
        plan = engine::plan(*ctx.engine, *desired, {o.prune, o.targets});
    } catch (const engine::PlanError& e) {
        for (auto& p : e.problems()) std::cerr << p << "\n";
        return 1;
    }
    if (o.output == "json")
        std::cout << engine::to_json(plan).dump(2) << "\n";
    else
        std::cout << engine::render_text(plan, want_color());
    if (o.detailed_exitcode && plan.has_changes()) return 2;
    return 0;
}

}  // namespace

Command add_plan_command(CLI::App& app, Globals& g) {
    auto o = std::make_shared<PlanOptions>();
    CLI::App* sub = app.add_subcommand("plan", "Show what apply would change, per jail and service, with the reason");
    sub->footer("Exit status: 0 success (with --detailed-exitcode: 0 no changes, 2 changes pending), 1 error.");
    add_manifest_options(sub, o->manifests);
    sub->add_flag("--detailed-exitcode", o->detailed_exitcode, "Exit 2 when changes are pending, 0 when none");
    sub->add_option("--output", o->output, "Output format")->check(CLI::IsMember({"text", "json"}))->default_str("text");
    sub->add_option("--target", o->targets, "Limit the plan to this jail and its dependencies (repeatable)");
    sub->add_flag("--prune", o->prune, "Plan to destroy this project's jails that are no longer in the manifests");
    sub->fallthrough();
    return {sub, [o, &g] { return run_plan(g, *o); }};
}

}  // namespace jailmgr::cli
