// plan.hpp -- what apply would do, as plain data.
//
// A Plan is computed by diff (desired manifests vs observed host), printed
// by render_text / to_json, and executed by apply.  Nothing here touches the
// host.  Steps are listed in execution order; each says why it exists.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace jailmgr::engine {

enum class Action {
    create,   // jail not in the kernel
    destroy,  // jail owned by this project, gone from the manifests (--prune)
    replace,  // a create-time field changed: destroy + create (new ID)
    update,   // a live-changeable field changed (limits)
    setup,    // setup steps whose content changed (or never ran) will run
    start,    // jail or service not running but should be
    stop,     // jail or service running but should not be
    restart,  // service spec changed, or it is failed/unhealthy and must be restarted
};

std::string_view to_string(Action a);

struct FieldChange {
    std::string field;          // "ports", "limits.memory", "command", ...
    nlohmann::json old_value;   // null when absent
    nlohmann::json new_value;   // null when removed
    bool operator==(const FieldChange&) const = default;
};

struct Step {
    Action action;
    std::string jail;
    std::string service;        // empty for a jail-level step
    std::string reason;         // "jail missing from kernel", "ports changed", ...
    std::vector<FieldChange> changes;
    bool operator==(const Step&) const = default;
};

struct PlanSummary {
    std::size_t create = 0, replace = 0, update = 0, destroy = 0;
    std::size_t setup = 0, start = 0, stop = 0, restart = 0;
    std::size_t unchanged_jails = 0;
};

struct Plan {
    std::vector<Step> steps;
    std::vector<std::string> foreign_jails;    // in the kernel, not ours: never touched
    std::vector<std::string> unmanaged_jails;  // ours, no longer in the manifests, kept (no --prune)
    std::size_t desired_jails = 0;
    std::size_t desired_services = 0;

    bool has_changes() const { return !steps.empty(); }
    PlanSummary summary() const;
};

// "2 to create, 1 to replace, 0 to destroy" plus the non-zero rest.
std::string summary_line(const Plan& plan);

// Human-readable diff: + create/start, - destroy/stop, -/+ replace,
// ~ update/setup/restart; one "field: old -> new" line per change; ends
// with the summary line.  Colour (ANSI) only when asked.
std::string render_text(const Plan& plan, bool color);

// The stable JSON shape documented in docs/plan-json.md.
nlohmann::json to_json(const Plan& plan);

// "512MiB", "[8080, 8443]", "\"busybox httpd\"": compact value rendering.
std::string render_value(const nlohmann::json& v);

}  // namespace jailmgr::engine
