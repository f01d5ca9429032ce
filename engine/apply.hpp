// apply.hpp -- execute a Plan.
//
// Destroys run first (they free ports and names), then every desired jail's
// steps, each jail after the jails it depends on; independent jails run in
// parallel (options.parallel workers).  A jail waits for a dependency with
// condition "healthy" until that dependency's services are ready.  Within a
// jail the phases are: kernel (destroy / create / replace / update), setup
// steps, services (launch, reload or stop the supervisor).  A failing jail
// skips its dependents and the rest carries on; every failure is reported.
//
// Crash safety: every kernel change is journaled before it happens and the
// applied-state record is written right after, so a kill -9 at any point
// leaves either nothing, or a journal entry the next apply repairs from
// (reconcile.cpp).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "desired.hpp"
#include "driver.hpp"
#include "journal.hpp"
#include "observed.hpp"
#include "plan.hpp"
#include "state_store.hpp"
#include "supervisors.hpp"

namespace jailmgr::engine {

enum class StepState { running, done, failed, skipped };

struct StepEvent {
    const Step* step;
    StepState state;
    std::string detail;  // error message for failed/skipped
};

struct ApplyOptions {
    unsigned parallel = 1;
    std::chrono::milliseconds ready_timeout{std::chrono::minutes(2)};
    // Called from worker threads, serialised by the applier.
    std::function<void(const StepEvent&)> progress;
};

struct ApplyResult {
    std::vector<std::string> errors;  // one line each, subject first
    std::size_t steps_done = 0;
    bool ok() const { return errors.empty(); }
};

class Applier {
public:
    Applier(kernel::Driver& driver, Supervisors& supervisors, StateStore& store, Journal& journal,
            ApplyOptions options);

    ApplyResult run(const Plan& plan, const Desired& desired, const Observed& observed);

private:
    struct JailRun;
    void run_jail(JailRun& run);
    void run_destroys(std::map<std::string, JailRun>& runs, const std::vector<std::string>& names,
                      const Observed& observed, ApplyResult& result);
    kernel::JailId create_jail(const DesiredJail& d);
    void destroy_jail(const std::string& name, kernel::JailId id, bool supervisor_running);
    void run_setup(JailRun& run, std::size_t from);
    void report(const Step& step, StepState state, const std::string& detail = "");

    kernel::Driver& driver_;
    Supervisors& supervisors_;
    StateStore& store_;
    Journal& journal_;
    ApplyOptions options_;
    std::mutex report_mutex_;
};

// Runs one setup step inside a running jail session.  Throws with the
// step's description and the command's exit status / output tail.
void run_setup_step(kernel::Session& session, const SetupStep& step);

}  // namespace jailmgr::engine
