// reconcile.hpp -- the library calls behind `jailmgr plan`, `apply` and
// `down`: everything the CLI does, callable from tests without the binary.
//
// apply = take the host lock -> repair what a crashed apply left (journal)
// -> observe -> diff -> execute -> record the outcome (last-apply.json, read
// by the metrics exporter) -> clear the journal.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "apply.hpp"
#include "desired.hpp"
#include "diff.hpp"
#include "driver.hpp"
#include "journal.hpp"
#include "observed.hpp"
#include "paths.hpp"
#include "plan.hpp"
#include "state_store.hpp"
#include "supervisors.hpp"

namespace jailmgr::engine {

struct Engine {
    Paths paths;
    kernel::Driver& driver;
    Supervisors& supervisors;
};

// Adopt jails whose create was journaled but whose record was never written
// (a crash between the kernel create and the record): they are ours.
// Pure: returns the records to adopt; `observed` is updated in place.
std::vector<AppliedJail> adopt_from_journal(Observed& observed, const std::vector<JournalEntry>& unfinished);

// Read-only: observe (with journal adoptions applied in memory) and diff.
Plan plan(Engine& engine, const Desired& desired, const DiffOptions& options);

struct ApplyRequest {
    DiffOptions diff;
    ApplyOptions apply;
    std::optional<std::chrono::milliseconds> lock_timeout;  // nullopt: wait forever
    std::string command = "jailmgr apply";                  // shown to whoever waits for the lock
    // Called once the plan is known, before anything changes.
    std::function<void(const Plan&)> on_plan;
};

struct ApplyOutcome {
    Plan plan;
    ApplyResult result;
    std::vector<std::string> repaired;  // "adopted jail web left by a crashed apply"
    double seconds = 0;
};

ApplyOutcome apply(Engine& engine, const Desired& desired, const ApplyRequest& request);

// Stop and destroy the named jails (all of `project`'s when `jails` is
// empty), dependents first.  Jails jailmgr did not create, and with a
// non-empty `project` jails of other projects, are refused (listed in the
// result's errors).
ApplyOutcome down(Engine& engine, const std::string& project, const std::vector<std::string>& jails,
                  const ApplyRequest& request);

// The last apply's outcome, as recorded in <state_dir>/last-apply.json.
struct LastApply {
    long long finished_unix = 0;
    double seconds = 0;
    bool ok = false;
    std::size_t steps = 0;
    std::size_t errors = 0;
    std::string desired_hash;
};
std::optional<LastApply> read_last_apply(const Paths& paths);

// Canonical hash of the whole desired state (metrics: manifest generation).
std::string desired_hash(const Desired& desired);

}  // namespace jailmgr::engine
