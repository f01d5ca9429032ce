#include "apply.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <set>
#include <thread>

#include "crash_point.hpp"
#include "sys/error.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::engine {

using nlohmann::json;

struct Applier::JailRun {
    std::string name;
    const DesiredJail* desired = nullptr;  // null for a jail being destroyed
    std::vector<const Step*> steps;
    kernel::JailId id = 0;
    bool supervisor_running = false;
    std::optional<AppliedJail> record;
    std::string error;     // set when the jail failed
    bool skipped = false;  // a dependency failed
};

Applier::Applier(kernel::Driver& driver, Supervisors& supervisors, StateStore& store, Journal& journal,
                 ApplyOptions options)
    : driver_(driver), supervisors_(supervisors), store_(store), journal_(journal), options_(std::move(options)) {
    if (options_.parallel == 0) options_.parallel = 1;
}

void Applier::report(const Step& step, StepState state, const std::string& detail) {
    if (!options_.progress) return;
    std::lock_guard lock(report_mutex_);
    options_.progress(StepEvent{&step, state, detail});
}

kernel::JailId Applier::create_jail(const DesiredJail& d) {
    auto seq = journal_.begin("create", d.name, {{"project", d.project}});
    crash_point("before-kernel-create");
    kernel::JailId id = driver_.create(d.spec);
    crash_point("after-kernel-create");
    AppliedJail rec;
    rec.name = d.name;
    rec.project = d.project;
    rec.id = id;
    rec.spec = spec_to_json(d.spec);
    rec.spec_hash = canonical_hash(rec.spec);
    rec.autostart = d.autostart;
    rec.applied_at = static_cast<long long>(::time(nullptr));
    store_.save(rec);
    crash_point("after-record");
    journal_.done(seq, {{"id", id}});
    return id;
}

void Applier::destroy_jail(const std::string& name, kernel::JailId id, bool supervisor_running) {
    auto seq = journal_.begin("destroy", name, {{"id", id}});
    if (supervisor_running) supervisors_.stop(name);
    crash_point("before-kernel-destroy");
    if (id != 0) {
        try {
            driver_.destroy(id, true);
        } catch (const kernel::DriverError& e) {
            if (e.code() != kernel::Errc::not_found) throw;
        }
    }
    crash_point("after-kernel-destroy");
    // The record goes last: a crash before this line leaves a record whose
    // jail is gone, which the next plan reports and repairs.
    store_.remove(name);
    journal_.done(seq);
}

namespace {

// Reads what a setup command printed, keeping only the tail for messages.
std::string drain_tail(int fd, std::size_t keep = 2048) {
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > 4 * keep) out.erase(0, out.size() - keep);
    }
    if (out.size() > keep) out.erase(0, out.size() - keep);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by signal ") + ::strsignal(WTERMSIG(status));
    return "status " + std::to_string(status);
}

}  // namespace

void run_setup_step(kernel::Session& session, const SetupStep& step) {
    if (step.spec.contains("file")) {
        const auto& f = step.spec["file"];
        session.write_file(f.at("path").get<std::string>(), f.value("content", ""), f.value("mode", 0644u));
        return;
    }
    kernel::SpawnSpec spec;
    spec.argv = step.spec.at("run").get<std::vector<std::string>>();
    spec.env = step.spec.value("environment", std::vector<std::string>{});
    if (spec.env.empty()) spec.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"};
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) sys::throw_errno("pipe");
    sys::unique_fd rd(fds[0]), wr(fds[1]);
    spec.stdout_fd = wr.get();
    spec.stderr_fd = wr.get();
    auto proc = session.spawn(spec);
    wr.reset();  // only the child holds the write end now: EOF when it exits
    std::string output = drain_tail(rd.get());
    int status = proc.wait();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        std::string msg = "setup step '" + step.describe + "' failed (" + describe_status(status) + ")";
        if (!output.empty()) msg += ": " + output.substr(output.rfind('\n') == std::string::npos ? 0 : output.rfind('\n') + 1);
        throw std::runtime_error(msg);
    }
}

void Applier::run_setup(JailRun& run, std::size_t from) {
    const auto& steps = run.desired->setup;
    if (from >= steps.size()) return;
    auto session = driver_.attach(run.id, run.supervisor_running ? kernel::Attach::join : kernel::Attach::start);
    auto& hashes = run.record->setup_hashes;
    hashes.resize(from);
    store_.save(*run.record);
    for (std::size_t i = from; i < steps.size(); ++i) {
        run_setup_step(*session, steps[i]);
        crash_point("mid-setup");
        hashes.push_back(steps[i].hash);
        store_.save(*run.record);  // progress survives a crash: done steps are not re-run
    }
}

void Applier::run_jail(JailRun& run) {
    const DesiredJail* d = run.desired;
    bool fresh = false;         // jail (re)created: all setup, all services
    bool services_changed = false;
    bool stop_jail = false;
    bool start_jail = false;
    std::optional<std::size_t> setup_from;
    std::vector<std::string> restart_failed;

    for (const Step* st : run.steps) {
        if (!st->service.empty()) {
            if (st->action == Action::restart && st->reason.find(" failed") != std::string::npos)
                restart_failed.push_back(st->service);
            else
                services_changed = true;
            continue;
        }
        switch (st->action) {
        case Action::destroy:
            destroy_jail(run.name, run.id, run.supervisor_running);
            run.record.reset();
            report(*st, StepState::done);
            break;
        case Action::replace:
            report(*st, StepState::running);
            destroy_jail(run.name, run.id, run.supervisor_running);
            run.supervisor_running = false;
            [[fallthrough]];
        case Action::create:
            if (st->action == Action::create) report(*st, StepState::running);
            run.id = create_jail(*d);
            run.record = store_.load(run.name);
            fresh = true;
            setup_from = 0;
            report(*st, StepState::done);
            break;
        case Action::update:
            report(*st, StepState::running);
            driver_.update_limits(run.id, d->spec.limits);
            run.record->spec = spec_to_json(d->spec);
            run.record->spec_hash = canonical_hash(run.record->spec);
            store_.save(*run.record);
            report(*st, StepState::done);
            break;
        case Action::setup:
            if (!fresh) {
                std::size_t i = 0;
                const auto& done = run.record->setup_hashes;
                while (i < d->setup.size() && i < done.size() && done[i] == d->setup[i].hash) ++i;
                setup_from = i;
            }
            break;
        case Action::start: start_jail = true; break;
        case Action::stop: stop_jail = true; break;
        case Action::restart: services_changed = true; break;
        }
    }

    // Setup runs before any service starts.
    if (setup_from) {
        for (const Step* st : run.steps)
            if (st->action == Action::setup) report(*st, StepState::running);
        run_setup(run, *setup_from);
        for (const Step* st : run.steps)
            if (st->action == Action::setup) report(*st, StepState::done);
    }

    if (!d) return;
    auto mark_services = [&](StepState state) {
        for (const Step* st : run.steps)
            if (!st->service.empty() || st->action == Action::start || st->action == Action::stop)
                report(*st, state);
    };
    mark_services(StepState::running);
    if (!d->autostart) {
        if (stop_jail || run.supervisor_running) supervisors_.stop(run.name);
        run.record->services.clear();
    } else if (fresh || start_jail || !run.supervisor_running) {
        supervisors_.start(*d, run.id);
        crash_point("after-supervisor-start");
    } else {
        if (services_changed) supervisors_.reload(*d, run.id);
        for (auto& s : restart_failed) supervisors_.restart_service(run.name, s);
    }
    if (d->autostart) {
        run.record->services.clear();
        for (auto& s : d->services) run.record->services[s.name] = {s.hash, s.spec};
    }
    run.record->depends_on.clear();
    for (auto& dep : d->depends_on) run.record->depends_on.push_back(dep.jail);
    run.record->autostart = d->autostart;
    run.record->applied_at = static_cast<long long>(::time(nullptr));
    store_.save(*run.record);
    mark_services(StepState::done);
}

void Applier::run_destroys(std::map<std::string, JailRun>& runs, const std::vector<std::string>& names,
                           const Observed& observed, ApplyResult& result) {
    // blockers[n]: dependents of n still to be destroyed.
    std::map<std::string, unsigned> blockers;
    std::map<std::string, std::vector<std::string>> deps;  // within the destroy set
    for (auto& n : names) blockers[n];
    for (auto& n : names) {
        auto it = observed.jails.find(n);
        if (it == observed.jails.end() || !it->second.applied) continue;
        for (auto& dep : it->second.applied->depends_on)
            if (dep != n && blockers.count(dep)) {
                ++blockers[dep];
                deps[n].push_back(dep);
            }
    }
    std::mutex m;
    std::condition_variable cv;
    std::set<std::string> started;
    std::size_t finished = 0;
    unsigned active = 0;
    std::vector<std::thread> workers;
    std::unique_lock lock(m);
    while (finished < names.size()) {
        bool launched = false;
        for (auto& name : names) {
            if (active >= options_.parallel) break;
            if (started.count(name) || blockers[name] > 0) continue;
            started.insert(name);
            ++active;
            launched = true;
            workers.emplace_back([&, name] {
                auto& r = runs.at(name);
                std::string error;
                try {
                    run_jail(r);
                } catch (const std::exception& e) {
                    error = std::string("jail ") + name + ": " + e.what();
                }
                std::lock_guard g(m);
                if (error.empty()) {
                    result.steps_done += r.steps.size();
                } else {
                    r.error = error;
                    for (const Step* st : r.steps) report(*st, StepState::failed, error);
                    result.errors.push_back(error);
                }
                // A failed destroy still unblocks its dependencies, as the
                // sequential order did: each is tried on its own.
                for (auto& dep : deps[name])
                    if (blockers[dep] > 0) --blockers[dep];
                ++finished;
                --active;
                cv.notify_all();
            });
        }
        if (launched) continue;
        if (active == 0 && started.size() < names.size()) {
            // A cycle in old records: take the next jail in plan order.
            for (auto& name : names)
                if (!started.count(name)) {
                    blockers[name] = 0;
                    break;
                }
            continue;
        }
        if (finished < names.size()) cv.wait(lock);
    }
    lock.unlock();
    for (auto& t : workers) t.join();
}

ApplyResult Applier::run(const Plan& plan, const Desired& desired, const Observed& observed) {
    ApplyResult result;
    std::map<std::string, JailRun> runs;
    std::vector<std::string> destroy_order, order;
    for (const auto& st : plan.steps) {
        auto [it, inserted] = runs.try_emplace(st.jail);
        JailRun& r = it->second;
        if (inserted) {
            r.name = st.jail;
            r.desired = desired.find(st.jail);
            if (auto o = observed.jails.find(st.jail); o != observed.jails.end()) {
                if (o->second.kernel) r.id = o->second.kernel->id;
                r.supervisor_running = o->second.supervisor.has_value();
                r.record = o->second.applied;
            }
            (r.desired ? order : destroy_order).push_back(st.jail);
        }
        r.steps.push_back(&st);
    }

    auto fail = [&](JailRun& r, const std::string& msg) {
        r.error = msg;
        for (const Step* st : r.steps) report(*st, StepState::failed, msg);
    };

    // Destroys first: a jail once every jail being destroyed that depends on
    // it is gone (dependents first), up to options_.parallel at a time.
    run_destroys(runs, destroy_order, observed, result);

    // Then desired jails as a dependency DAG on a small worker pool.
    std::mutex m;
    std::condition_variable cv;
    std::set<std::string> finished, started;
    std::set<std::string> failed;
    unsigned active = 0;
    std::vector<std::thread> workers;

    auto deps_of = [&](const std::string& name) {
        std::vector<JailDependency> out;
        if (auto* d = desired.find(name)) out = d->depends_on;
        return out;
    };
    // A dependency that no step touches is already as desired, so it is
    // finished from the start, but readiness may still have to be awaited.
    auto ready_to_run = [&](const std::string& name) {
        for (auto& dep : deps_of(name))
            if (runs.count(dep.jail) && !finished.count(dep.jail)) return false;
        return true;
    };

    std::unique_lock lock(m);
    while (finished.size() + failed.size() < order.size()) {
        bool launched = false;
        for (auto& name : order) {
            if (started.count(name) || active >= options_.parallel) continue;
            auto& r = runs.at(name);
            // Skip jails whose dependency failed (transitively).
            std::string bad;
            for (auto& dep : deps_of(name))
                if (failed.count(dep.jail)) bad = dep.jail;
            if (!bad.empty()) {
                started.insert(name);
                failed.insert(name);
                r.skipped = true;
                r.error = "jail " + name + ": skipped because jail " + bad + " failed";
                for (const Step* st : r.steps) report(*st, StepState::skipped, r.error);
                result.errors.push_back(r.error);
                launched = true;
                continue;
            }
            if (!ready_to_run(name)) continue;
            started.insert(name);
            ++active;
            launched = true;
            workers.emplace_back([&, name] {
                auto& run = runs.at(name);
                std::string error;
                try {
                    for (auto& dep : deps_of(name)) {
                        if (dep.condition != "healthy") continue;
                        bool ready;
                        try {
                            ready = supervisors_.wait_ready(dep.jail, options_.ready_timeout);
                        } catch (const std::exception& e) {
                            throw std::runtime_error("dependency " + dep.jail + " is not healthy: " + e.what());
                        }
                        if (!ready)
                            throw std::runtime_error("dependency " + dep.jail + " did not become healthy within " +
                                                     std::to_string(options_.ready_timeout.count() / 1000) + " s");
                    }
                    run_jail(run);
                } catch (const std::exception& e) {
                    error = std::string("jail ") + name + ": " + e.what();
                }
                std::lock_guard g(m);
                if (error.empty()) {
                    finished.insert(name);
                    result.steps_done += run.steps.size();
                } else {
                    fail(run, error);
                    failed.insert(name);
                    result.errors.push_back(error);
                }
                --active;
                cv.notify_all();
            });
        }
        if (!launched) cv.wait(lock);
    }
    lock.unlock();
    for (auto& t : workers) t.join();
    return result;
}

}  // namespace jailmgr::engine
