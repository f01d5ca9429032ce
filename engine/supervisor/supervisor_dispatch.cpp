// supervisor_dispatch.cpp -- feeding the state machines and carrying out
// their actions: spawning, signalling process groups, probing health, and
// settling dependencies after every round of events.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>

#include "dependency.hpp"
#include "supervisor.hpp"
#include "supervisor_service.hpp"
#include "sys/error.hpp"

namespace jailmgr::engine::supervisor {

std::string seconds(Millis ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g s", static_cast<double>(ms.count()) / 1000.0);
    return buf;
}

namespace {

std::string describe(const ExitStatus& e) {
    return e.signaled ? "killed by signal " + signal_name(e.code) : "exited status=" + std::to_string(e.code);
}

Millis until(const std::optional<TimePoint>& deadline, TimePoint now) {
    if (!deadline || *deadline <= now) return Millis(0);
    return std::chrono::duration_cast<Millis>(*deadline - now + std::chrono::microseconds(500));
}

}  // namespace

std::string Supervisor::svc_tag(const std::string& service) const {
    return "jail=" + spec_.jail + " jid=" + std::to_string(spec_.jid) + " svc=" + service;
}

void Supervisor::dispatch(Service& svc, const Event& first) {
    std::optional<Event> next = first;
    while (next) {
        Event ev = *next;
        next.reset();
        TimePoint now = Clock::now();
        Phase before = svc.state.phase;
        auto t = transition(svc.spec, svc.state, ev, now);
        svc.state = std::move(t.state);
        for (const auto& a : t.actions) {
            if (a.kind == ActionKind::spawn) next = spawn(svc);
            else perform(svc, a);
        }
        if (svc.state.phase == before) continue;
        status_dirty_ = true;
        deps_dirty_ = true;
        log_change(svc, before, ev, now);
        if (svc.state.phase == Phase::running) health_event(svc, HealthEvent::service_started);
        else if (before == Phase::running) health_event(svc, HealthEvent::service_stopped);
    }
}

void Supervisor::perform(Service& svc, const Action& a) {
    switch (a.kind) {
    case ActionKind::spawn: break;  // handled by dispatch: it yields the next event
    case ActionKind::signal_group:
        // Only while the leader is unreaped: its pid (= the group ID) cannot
        // have been reused.
        if (svc.proc.pid() <= 0) break;
        if (a.signal == SIGKILL && svc.state.phase == Phase::stopping && svc.state.killed)
            log_->warn("supervisor {}: {} did not stop within {}: sending KILL to its process group", spec_.jail,
                       svc.spec.name, seconds(svc.spec.stop_grace_period));
        if (::kill(-svc.proc.pid(), a.signal) != 0 && errno != ESRCH)
            log_->error("supervisor {}: signal {} to {}: {}", spec_.jail, signal_name(a.signal), svc.spec.name,
                        std::strerror(errno));
        break;
    }
}

kernel::SpawnSpec Supervisor::spawn_spec(const Service& svc, const std::vector<std::string>& argv) {
    kernel::SpawnSpec sp;
    sp.argv = argv;
    sp.env = svc.spec.env;
    bool has_path = false;
    for (const auto& e : sp.env) has_path = has_path || e.rfind("PATH=", 0) == 0;
    if (!has_path) sp.env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    if (svc.spec.credentials) sp.user = svc.spec.credentials;
    else if (svc.spec.user) sp.user = backend_->resolve_user(*svc.spec.user);
    sp.working_dir = svc.spec.working_dir;
    sp.rlimits = svc.spec.rlimits;
    sp.new_session = true;
    return sp;
}

Event Supervisor::spawn(Service& svc) {
    if (svc.next_spec) {
        if (!(svc.next_spec->logging == svc.spec.logging)) svc.log.reconfigure(svc.next_spec->logging);
        svc.spec = std::move(*svc.next_spec);
        svc.next_spec.reset();
    }
    int err = 0;
    try {
        if (svc.log.stdout_read_fd() < 0) {
            svc.log.open_pipes();
            Service* p = &svc;
            loop_.add(svc.log.stdout_read_fd(), EPOLLIN, [this, p](std::uint32_t) { on_log(*p, false); });
            loop_.add(svc.log.stderr_read_fd(), EPOLLIN, [this, p](std::uint32_t) { on_log(*p, true); });
        }
        auto sp = spawn_spec(svc, svc.spec.argv);
        sp.stdout_fd = svc.log.stdout_write_fd();
        sp.stderr_fd = svc.log.stderr_write_fd();
        svc.proc = session_->spawn(sp);
    } catch (const kernel::DriverError& e) {
        err = e.sys_errno() ? e.sys_errno() : EINVAL;
        svc.spawn_detail = e.what();
    } catch (const sys::SysError& e) {
        err = e.code();
        svc.spawn_detail = e.what();
    } catch (const std::exception& e) {
        err = EIO;
        svc.spawn_detail = e.what();
    }
    if (err) return {EventKind::spawn_failed, {}, err};
    svc.spawn_detail.clear();
    Service* p = &svc;
    loop_.add(svc.proc.pidfd(), EPOLLIN, [this, p](std::uint32_t) { on_service_exit(*p); });
    return {EventKind::spawned};
}

void Supervisor::log_change(const Service& svc, Phase before, const Event& ev, TimePoint now) {
    const auto& s = svc.state;
    const std::string& j = spec_.jail;
    const std::string& n = svc.spec.name;
    std::string why = ev.kind == EventKind::exited ? n + " " + describe(ev.exit) : "";
    switch (s.phase) {
    case Phase::running: log_->info("supervisor {}: {} started (pid {})", j, n, svc.proc.pid()); break;
    case Phase::backoff:
        if (ev.kind == EventKind::spawn_failed)
            log_->error("supervisor {}: unable to spawn {} (retrying in {}): {}", j, n,
                        seconds(until(s.deadline, now)), sys::errno_name(s.spawn_error));
        else if (before == Phase::stopping)
            log_->warn("supervisor {}: {} stopped for being unhealthy (restarting in {})", j, n,
                       seconds(until(s.deadline, now)));
        else
            log_->warn("supervisor {}: {} (restarting in {})", j, why, seconds(until(s.deadline, now)));
        break;
    case Phase::failed:
        log_->error("supervisor {}: {} failed {} times within {} (last: {}); retrying in {}", j, n,
                    svc.spec.restart.start_limit.burst, seconds(svc.spec.restart.start_limit.interval),
                    ev.kind == EventKind::spawn_failed ? "unable to spawn: " + sys::errno_name(s.spawn_error)
                                                       : describe(ev.exit),
                    seconds(until(s.deadline, now)));
        break;
    case Phase::stopping:
        log_->info("supervisor {}: stopping {} ({}, then KILL after {})", j, n, signal_name(svc.spec.stop_signal),
                   seconds(svc.spec.stop_grace_period));
        break;
    case Phase::stopped:
        log_->info("supervisor {}: {} stopped{}", j, n,
                   ev.kind == EventKind::exited ? " (" + describe(ev.exit) + ")" : "");
        break;
    case Phase::exited:
        if (ev.kind == EventKind::spawn_failed)
            log_->error("supervisor {}: unable to spawn {}: {} (restart: no)", j, n, sys::errno_name(s.spawn_error));
        else
            log_->warn("supervisor {}: {} (restart: {})", j, why, to_string(svc.spec.restart.mode));
        break;
    case Phase::completed: log_->info("supervisor {}: {} completed", j, n); break;
    case Phase::waiting:
        if (before == Phase::stopping)
            log_->info("supervisor {}: {}; starting it again", j, why);
        break;
    case Phase::starting: break;
    }
    if (ev.kind == EventKind::spawn_failed && !svc.spawn_detail.empty())
        log_->debug("supervisor {}: {}: {}", j, n, svc.spawn_detail);
}

// ---- health ----------------------------------------------------------------

void Supervisor::health_event(Service& svc, HealthEvent ev) {
    if (!svc.spec.healthcheck) return;
    Health before = svc.health.status;
    auto t = health_transition(*svc.spec.healthcheck, svc.health, ev, Clock::now());
    svc.health = t.state;
    for (HealthAction a : t.actions) {
        switch (a) {
        case HealthAction::run_probe: start_probe(svc); break;
        case HealthAction::cancel_probe: cancel_probe(svc); break;
        case HealthAction::report_unhealthy:
            log_->warn("supervisor {}: {} is unhealthy ({} failed probes)", spec_.jail, svc.spec.name,
                       svc.health.failures);
            dispatch(svc, {EventKind::unhealthy});
            break;
        }
    }
    if (svc.health.status != before) {
        status_dirty_ = true;
        deps_dirty_ = true;
        if (svc.health.status == Health::healthy)
            log_->info("supervisor {}: {} is healthy", spec_.jail, svc.spec.name);
    }
}

void Supervisor::start_probe(Service& svc) {
    const HealthCheck& check = *svc.spec.healthcheck;
    Service* p = &svc;
    if (check.tcp) {
        int err = 0;
        switch (tcp_probe_start(*check.tcp, svc.probe.socket, err)) {
        case ConnectStatus::connected: on_probe_result(svc, true, ""); return;
        case ConnectStatus::failed: on_probe_result(svc, false, std::strerror(err)); return;
        case ConnectStatus::in_progress:
            loop_.add(svc.probe.socket.get(), EPOLLOUT, [this, p](std::uint32_t) {
                int e = tcp_probe_result(p->probe.socket.get());
                loop_.remove(p->probe.socket.get());
                p->probe.socket.reset();
                on_probe_result(*p, e == 0, e ? std::strerror(e) : "");
            });
            return;
        }
        return;
    }
    try {
        svc.probe.process = session_->spawn(spawn_spec(svc, check.exec));
    } catch (const std::exception& e) {
        on_probe_result(svc, false, e.what());
        return;
    }
    loop_.add(svc.probe.process.pidfd(), EPOLLIN, [this, p](std::uint32_t) { on_probe_exit(*p); });
}

void Supervisor::cancel_probe(Service& svc) {
    if (svc.probe.socket) {
        loop_.remove(svc.probe.socket.get());
        svc.probe.socket.reset();
    }
    if (svc.probe.process.pid() > 0) {
        ::kill(-svc.probe.process.pid(), SIGKILL);
        // Reaped when its exit arrives; its verdict no longer matters.
        int fd = svc.probe.process.pidfd();
        loop_.remove(fd);
        dying_.push_back(std::move(svc.probe.process));
        loop_.add(fd, EPOLLIN, [this, fd](std::uint32_t) {
            for (auto it = dying_.begin(); it != dying_.end(); ++it) {
                if (it->pidfd() != fd) continue;
                siginfo_t si{};
                if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(fd), &si, WEXITED | WNOHANG) != 0 ||
                    si.si_pid != 0) {
                    loop_.remove(fd);
                    dying_.erase(it);
                }
                return;
            }
        });
    }
}

void Supervisor::on_probe_exit(Service& svc) {
    if (svc.probe.process.pid() <= 0) return;
    siginfo_t si{};
    int fd = svc.probe.process.pidfd();
    if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(fd), &si, WEXITED | WNOHANG) != 0 ||
        si.si_pid == 0)
        return;
    loop_.remove(fd);
    svc.probe.process.release();
    bool ok = si.si_code == CLD_EXITED && si.si_status == 0;
    on_probe_result(svc, ok, ok ? "" : describe(si.si_code == CLD_EXITED ? ExitStatus{false, si.si_status}
                                                                          : ExitStatus{true, si.si_status}));
}

void Supervisor::on_probe_result(Service& svc, bool ok, const std::string& detail) {
    if (!ok)
        log_->debug("supervisor {}: health probe of {} failed: {}", spec_.jail, svc.spec.name, detail);
    health_event(svc, ok ? HealthEvent::probe_ok : HealthEvent::probe_failed);
}

// ---- settling ---------------------------------------------------------------

bool Supervisor::all_down() const {
    for (const auto& [name, svc] : services_)
        if (!is_down(svc->state.phase) || svc->probe.active()) return false;
    return true;
}

void Supervisor::begin_shutdown(const std::string& why) {
    if (shutting_down_) return;
    log_->info("supervisor {}: shutdown requested ({})", spec_.jail, why);
    shutting_down_ = true;
    status_dirty_ = true;
    deps_dirty_ = true;
}

// Starts what may start (its dependencies are met), stops what may stop
// (shutdown, reload), until nothing changes; then forgets services a reload
// removed once they are down.
void Supervisor::settle_dependencies() {
    std::map<std::string, ServiceView> views;
    auto refresh = [&] {
        views.clear();
        for (const auto& [name, svc] : services_)
            views[name] = ServiceView{svc->state.phase, svc->health.status, svc->spec.healthcheck.has_value(),
                                      svc->state.started_at.has_value()};
    };
    ViewLookup lookup_view = [&](const std::string& n) -> const ServiceView* {
        auto it = views.find(n);
        return it == views.end() ? nullptr : &it->second;
    };
    std::vector<const ServiceSpec*> specs;
    for (const auto& [name, svc] : services_) specs.push_back(&svc->spec);
    for (bool changed = true; changed;) {
        changed = false;
        refresh();
        for (auto& [name, svc] : services_) {
            Phase before = svc->state.phase;
            if (svc->removing || shutting_down_) {
                if (!is_down(before) && before != Phase::stopping &&
                    (svc->removing || dependents_down(name, specs, lookup_view)))
                    dispatch(*svc, {EventKind::stop});
            } else if (before == Phase::waiting && dependencies_met(svc->spec, lookup_view)) {
                dispatch(*svc, {EventKind::start});
            }
            if (svc->state.phase != before) {
                changed = true;
                refresh();
            }
        }
    }
    for (auto it = services_.begin(); it != services_.end();) {
        Service& svc = *it->second;
        if (svc.removing && is_down(svc.state.phase) && !svc.probe.active() && svc.proc.pid() <= 0) {
            if (svc.log.stdout_read_fd() >= 0) {
                loop_.remove(svc.log.stdout_read_fd());
                loop_.remove(svc.log.stderr_read_fd());
            }
            log_->info("supervisor {}: {} removed", spec_.jail, svc.spec.name);
            it = services_.erase(it);
            status_dirty_ = true;
        } else {
            ++it;
        }
    }
    deps_dirty_ = false;  // our own dispatches were accounted for by the loop above
}

// After every round of events: run what is due, start what may start, stop
// what may stop (shutdown), then re-arm the timer for the earliest deadline.
void Supervisor::settle() {
    TimePoint now = Clock::now();
    // Each due deadline runs once per round: a deadline that is due again at
    // once (zero backoff) goes through epoll before running again, so a
    // tight crash loop cannot starve the rest of the loop.
    for (auto& [name, svc] : services_) {
        if (svc->state.deadline && *svc->state.deadline <= now) dispatch(*svc, {EventKind::deadline});
        if (svc->health.deadline && *svc->health.deadline <= now) health_event(*svc, HealthEvent::deadline);
    }
    // Dependencies only move when some service's phase or health did: a
    // round that only carried log output skips this (and its allocations).
    if (deps_dirty_) {
        deps_dirty_ = false;
        settle_dependencies();
    }
    if (shutting_down_ && all_down()) done_ = true;
    if (status_dirty_ || (status_deadline_ && *status_deadline_ <= Clock::now())) write_status();
    std::optional<TimePoint> earliest = status_deadline_;
    auto consider = [&](const std::optional<TimePoint>& t) {
        if (t && (!earliest || *t < *earliest)) earliest = t;
    };
    for (const auto& [name, svc] : services_) {
        consider(svc->state.deadline);
        consider(svc->health.deadline);
    }
    timer_.arm(earliest);
}

}  // namespace jailmgr::engine::supervisor
