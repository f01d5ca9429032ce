#include "snapshot.hpp"

#include <chrono>
#include <set>

#include "diff.hpp"
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

Gatherer::Gatherer(kernel::Driver& driver, Supervisors& supervisors, Paths paths)
    : driver_(driver), supervisors_(supervisors), paths_(std::move(paths)) {}

std::map<std::string, AppliedJail> Gatherer::applied_records() {
    StateStore store(paths_.state_dir);
    std::map<std::string, AppliedJail> out;
    std::map<std::string, CachedRecord> seen;
    std::error_code ec;
    for (auto& entry : std::filesystem::directory_iterator(store.dir(), ec)) {
        if (entry.path().extension() != ".json") continue;
        struct stat st {};
        if (::stat(entry.path().c_str(), &st) != 0) continue;  // removed meanwhile
        auto name = entry.path().filename().string();
        auto hit = cache_.find(name);
        if (hit != cache_.end() && hit->second.dev == st.st_dev && hit->second.ino == st.st_ino &&
            hit->second.size == st.st_size && hit->second.mtime.tv_sec == st.st_mtim.tv_sec &&
            hit->second.mtime.tv_nsec == st.st_mtim.tv_nsec) {
            seen.emplace(name, std::move(hit->second));
        } else {
            auto rec = store.load(entry.path().stem().string());
            if (!rec) continue;  // unreadable: StateStore::load_all warns about it for plan and apply
            seen.emplace(name, CachedRecord{st.st_dev, st.st_ino, st.st_size, st.st_mtim, std::move(*rec)});
        }
        auto& r = seen.at(name).record;
        out.emplace(r.name, r);
    }
    cache_ = std::move(seen);
    return out;
}

Snapshot Gatherer::gather(const Desired* desired, const std::string& known_hash) {
    Snapshot snap;
    snap.now_unix = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    // As observe() does, with the cached records.
    Observed observed;
    for (auto& info : driver_.list()) observed.jails[info.spec.name].kernel = info;
    for (auto& [name, rec] : applied_records()) {
        auto& j = observed.jails[name];
        // A record naming another jail ID than the one now holding the name
        // describes a jail that no longer exists: not ours.
        if (j.kernel && rec.id != 0 && j.kernel->id != rec.id) {
            j.applied.reset();
            continue;
        }
        j.applied = rec;
    }
    for (auto& [name, j] : observed.jails) j.supervisor = supervisors_.observe(name);

    for (auto& [name, o] : observed.jails) {
        if (o.kernel) snap.jails.push_back(*o.kernel);
        if (o.supervisor) snap.supervisors[name] = *o.supervisor;
        if (o.applied) {
            snap.projects[name] = o.applied->project;
            if (o.applied->autostart)
                for (auto& [svc, rec] : o.applied->services) snap.expected_services[name].push_back(svc);
        }
    }
    if (auto last = read_last_apply(paths_)) {
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

Snapshot gather(kernel::Driver& driver, Supervisors& supervisors, const Paths& paths, const Desired* desired,
                const std::string& known_hash) {
    return Gatherer(driver, supervisors, paths).gather(desired, known_hash);
}

}  // namespace jailmgr::engine::telemetry
