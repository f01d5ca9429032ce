// diff.hpp -- desired vs observed -> Plan.
//
// Pure: no I/O, so every rule is unit-tested with hand-made observations.
// Rules (DESIGN.md section 7):
// - a desired jail missing from the kernel is created (reason says whether
//   it is new or went missing: drift);
// - a jail in the kernel that this project did not create (no applied
//   record, or another project's) is never touched; if the manifests want
//   that name, planning fails with an error saying how to resolve it;
// - create-time fields (root, base, hostname, profile, deny, ports, mounts)
//   that differ -> replace, with every changed field old -> new; limits
//   that differ -> update in place;
// - setup steps re-run from the first step whose content changed;
// - services: started when missing, restarted when their spec changed or
//   they failed, stopped when removed; a change to policies only (restart,
//   health check, logging) updates the service without restarting it; a jail whose supervisor is not
//   running is started (autostart) or left stopped (autostart: false);
// - jails of this project no longer in the manifests are destroyed only with
//   prune, otherwise listed as unmanaged.
// Steps come out in execution order: destroys first (reverse dependency
// order, freeing ports), then each desired jail after the jails it depends on.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "desired.hpp"
#include "observed.hpp"
#include "plan.hpp"

namespace jailmgr::engine {

struct DiffOptions {
    bool prune = false;
    std::vector<std::string> targets;  // empty: all jails; else these and their dependencies
};

// Thrown when the desired state cannot be planned at all (every problem in
// one message, one per line).
class PlanError : public std::runtime_error {
public:
    explicit PlanError(const std::vector<std::string>& problems);
    const std::vector<std::string>& problems() const { return problems_; }

private:
    std::vector<std::string> problems_;
};

Plan diff(const Desired& desired, const Observed& observed, const DiffOptions& options = {});

// Desired jails in dependency order (dependencies first); ties keep
// manifest order.  Throws PlanError on an unknown dependency or a cycle.
std::vector<const DesiredJail*> dependency_order(const Desired& desired);

// Names ordered for destruction: a jail before the jails it depends on
// (from the applied records), ties in reverse name order.
std::vector<std::string> destroy_order(std::vector<std::string> names,
                                       const std::map<std::string, ObservedJail>& observed);

// Fields of a service spec that define the process itself (argv, env, user,
// working_dir, rlimits): changing one restarts the service; any other field
// (policies, health check, logging) is updated in place.
bool is_launch_field(const std::string& field);

// Field-by-field differences of two JSON objects ("limits.memory"); arrays
// and scalars compare whole.
std::vector<FieldChange> json_diff(const nlohmann::json& old_value, const nlohmann::json& new_value,
                                   const std::string& prefix = "");

}  // namespace jailmgr::engine
