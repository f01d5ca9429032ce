#include "reconcile.hpp"

#include <spdlog/spdlog.h>

#include "host_lock.hpp"
#include "observe.hpp"
#include "sys/files.hpp"

namespace jailmgr::engine {

using nlohmann::json;
using clock_type = std::chrono::steady_clock;

std::vector<AppliedJail> adopt_from_journal(Observed& observed, const std::vector<JournalEntry>& unfinished) {
    std::vector<AppliedJail> adopted;
    for (auto& e : unfinished) {
        if (e.op != "create") continue;
        auto it = observed.jails.find(e.jail);
        if (it == observed.jails.end() || !it->second.kernel || it->second.applied) continue;
        AppliedJail rec;
        rec.name = e.jail;
        rec.project = e.data.value("project", "");
        rec.id = it->second.kernel->id;
        // What the kernel says it has; services and setup unknown, so the
        // diff restarts the services and re-runs setup.
        rec.spec = spec_to_json(it->second.kernel->spec);
        rec.spec_hash = canonical_hash(rec.spec);
        it->second.applied = rec;
        adopted.push_back(rec);
    }
    return adopted;
}

Plan plan(Engine& engine, const Desired& desired, const DiffOptions& options) {
    StateStore store(engine.paths.state_dir);
    Journal journal(engine.paths.state_dir);
    auto observed = observe(engine.driver, store, engine.supervisors, false);
    adopt_from_journal(observed, journal.unfinished());
    return diff(desired, observed, options);
}

std::string desired_hash(const Desired& desired) {
    json j = json::array();
    for (auto& d : desired.jails) {
        json services = json::array();
        for (auto& s : d.services) services.push_back(s.hash);
        json setup = json::array();
        for (auto& s : d.setup) setup.push_back(s.hash);
        json deps = json::array();
        for (auto& dep : d.depends_on) deps.push_back({dep.jail, dep.condition});
        j.push_back({{"name", d.name}, {"spec", spec_to_json(d.spec)}, {"services", services}, {"setup", setup},
                     {"depends_on", deps}, {"autostart", d.autostart}});
    }
    return canonical_hash({{"project", desired.project}, {"jails", j}});
}

namespace {

void record_last_apply(const Paths& paths, const ApplyOutcome& out, const std::string& hash) {
    json j = {{"finished", static_cast<long long>(::time(nullptr))},
              {"seconds", out.seconds},
              {"ok", out.result.ok()},
              {"steps", out.plan.steps.size()},
              {"errors", out.result.errors.size()},
              {"desired_hash", hash}};
    try {
        sys::make_dirs(paths.state_dir);
        // Informational (status shows it): not worth an fsync.
        sys::write_file_atomic(paths.state_dir / "last-apply.json", j.dump() + "\n", 0644, sys::Durability::deferred);
    } catch (const std::exception& e) {
        spdlog::warn("could not record the apply outcome: {}", e.what());
    }
}

ApplyOutcome execute(Engine& engine, const Desired& desired, const ApplyRequest& request,
                     const std::function<Plan(Observed&)>& make_plan) {
    auto t0 = clock_type::now();
    ApplyOutcome out;
    sys::make_dirs(engine.paths.state_dir);
    HostLock lock(engine.paths.run_dir, request.command, request.lock_timeout);
    if (auto crashed = lock.crashed_previous_owner())
        out.repaired.push_back("a previous '" + crashed->command + "' (pid " + std::to_string(crashed->pid) +
                               ") did not finish; repairing");

    StateStore store(engine.paths.state_dir);
    Journal journal(engine.paths.state_dir);
    auto observed = observe(engine.driver, store, engine.supervisors, false);
    for (auto& rec : adopt_from_journal(observed, journal.unfinished())) {
        store.save(rec);
        out.repaired.push_back("adopted jail " + rec.name + " (jail " + std::to_string(rec.id) +
                               ") created by an interrupted apply");
    }
    journal.clear();  // every repair is now in the state store

    out.plan = make_plan(observed);
    if (request.on_plan) request.on_plan(out.plan);
    Applier applier(engine.driver, engine.supervisors, store, journal, request.apply);
    out.result = applier.run(out.plan, desired, observed);
    // Every record written above was written without fsync: one sync here
    // makes the whole apply durable (a crash before it is repaired from the
    // journal like any interrupted apply).
    store.sync();
    if (out.plan.has_changes()) engine.driver.sync();  // a no-op apply wrote nothing
    if (journal.unfinished().empty()) journal.clear();
    out.seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    record_last_apply(engine.paths, out, desired_hash(desired));
    return out;
}

}  // namespace

ApplyOutcome apply(Engine& engine, const Desired& desired, const ApplyRequest& request) {
    return execute(engine, desired, request,
                   [&](Observed& observed) { return diff(desired, observed, request.diff); });
}

ApplyOutcome down(Engine& engine, const std::string& project, const std::vector<std::string>& jails,
                  const ApplyRequest& request) {
    // Down = apply of a desired state without the named jails, with prune:
    // the same ordering, journal and ownership rules as any apply.
    Desired keep;
    keep.project = project;
    std::vector<std::string> refused;
    auto result = execute(engine, keep, request, [&](Observed& observed) {
        Plan p;
        std::vector<std::string> names = jails;
        if (names.empty())
            for (auto& [name, o] : observed.jails)
                if (o.applied && o.applied->project == project) names.push_back(name);
        for (auto& name : destroy_order(names, observed.jails)) {
            auto it = observed.jails.find(name);
            if (it == observed.jails.end() || (!it->second.kernel && !it->second.applied)) {
                refused.push_back("jail " + name + ": no such jail");
                continue;
            }
            if (!it->second.applied) {
                refused.push_back("jail " + name + ": not created by jailmgr; left alone (jailctl destroy removes it)");
                continue;
            }
            if (!project.empty() && it->second.applied->project != project) {
                refused.push_back("jail " + name + ": belongs to project '" + it->second.applied->project +
                                  "', not '" + project + "'; left alone");
                continue;
            }
            p.steps.push_back({Action::destroy, name, "", "down", {}});
        }
        return p;
    });
    result.result.errors.insert(result.result.errors.begin(), refused.begin(), refused.end());
    return result;
}

std::optional<LastApply> read_last_apply(const Paths& paths) {
    auto text = sys::read_file_if_exists(paths.state_dir / "last-apply.json");
    if (!text) return std::nullopt;
    auto j = json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    LastApply l;
    l.finished_unix = j.value("finished", 0LL);
    l.seconds = j.value("seconds", 0.0);
    l.ok = j.value("ok", false);
    l.steps = j.value("steps", std::size_t{0});
    l.errors = j.value("errors", std::size_t{0});
    l.desired_hash = j.value("desired_hash", "");
    return l;
}

}  // namespace jailmgr::engine
