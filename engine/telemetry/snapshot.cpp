#include "snapshot.hpp"

#include <chrono>
#include <set>

#include "diff.hpp"
#include "observe.hpp"
#include "reconcile.hpp"

namespace jailmgr::engine::telemetry {

namespace {

void count_drift_from_plan(const Plan& plan, ReconcilerSnapshot& r) {
    std::set<std::string> jails, services;
    for (auto& st : plan.steps) {
        if (st.service.empty())
            jails.insert(st.jail);
        else
            services.insert(st.jail + "/" + st.service);
    }
    r.drift_jails = jails.size();
    r.drift_services = services.size();
}

void count_drift_from_records(const Observed& observed, ReconcilerSnapshot& r) {
    std::size_t jails = 0, services = 0;
    for (auto& [name, o] : observed.jails) {
        if (!o.applied) continue;
        bool jail_ok = o.kernel && (o.supervisor.has_value() == o.applied->autostart);
        if (!jail_ok) ++jails;
        if (!o.applied->autostart) continue;
        for (auto& [svc, rec] : o.applied->services) {
            const ServiceObservation* s = nullptr;
            if (o.supervisor)
                if (auto it = o.supervisor->services.find(svc); it != o.supervisor->services.end()) s = &it->second;
            if (!s || s->state == "failed" || s->state == "stopped") ++services;
        }
    }
    r.drift_jails = jails;
    r.drift_services = services;
}

}  // namespace

Snapshot gather(kernel::Driver& driver, Supervisors& supervisors, const Paths& paths, const Desired* desired,
                const std::string& known_hash) {
    Snapshot snap;
    snap.now_unix = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    StateStore store(paths.state_dir);
    auto observed = observe(driver, store, supervisors);
    for (auto& [name, o] : observed.jails) {
        if (o.kernel) snap.jails.push_back(*o.kernel);
        if (o.supervisor) snap.supervisors[name] = *o.supervisor;
        if (o.applied) {
            snap.projects[name] = o.applied->project;
            if (o.applied->autostart)
                for (auto& [svc, rec] : o.applied->services) snap.expected_services[name].push_back(svc);
        }
    }
    if (auto last = read_last_apply(paths)) {
        snap.reconciler.last_apply_unix = static_cast<double>(last->finished_unix);
        snap.reconciler.last_apply_seconds = last->seconds;
        snap.reconciler.last_apply_ok = last->ok;
        snap.reconciler.last_apply_steps = last->steps;
        snap.reconciler.last_apply_errors = last->errors;
        snap.reconciler.applied_hash = last->desired_hash;
        snap.reconciler.desired_hash = last->desired_hash;
    }
    if (desired) {
        snap.reconciler.desired_hash = known_hash.empty() ? desired_hash(*desired) : known_hash;
        try {
            count_drift_from_plan(diff(*desired, observed, {}), snap.reconciler);
        } catch (const PlanError&) {
            // Unplannable manifests: drift is unknown, not zero.
        }
    } else {
        count_drift_from_records(observed, snap.reconciler);
    }
    return snap;
}

}  // namespace jailmgr::engine::telemetry
