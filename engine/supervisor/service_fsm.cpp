#include "service_fsm.hpp"

#include <sys/wait.h>

#include <csignal>

#include "restart_policy.hpp"

namespace jailmgr::engine::supervisor {

std::string to_string(Phase p) {
    switch (p) {
    case Phase::stopped: return "stopped";
    case Phase::waiting: return "waiting";
    case Phase::starting: return "starting";
    case Phase::running: return "running";
    case Phase::backoff: return "backoff";
    case Phase::failed: return "failed";
    case Phase::stopping: return "stopping";
    case Phase::exited: return "exited";
    case Phase::completed: return "completed";
    }
    return "?";
}

bool is_live(Phase p) { return p == Phase::starting || p == Phase::running || p == Phase::stopping; }

bool is_down(Phase p) { return p == Phase::stopped || p == Phase::exited || p == Phase::completed; }

ExitStatus ExitStatus::from_wait_status(int wstatus) {
    if (WIFSIGNALED(wstatus)) return {true, WTERMSIG(wstatus)};
    return {false, WEXITSTATUS(wstatus)};
}

Millis current_delay(const ServiceSpec& spec, const ServiceState& state) {
    return state.delay.count() < 0 ? spec.restart.backoff.initial : state.delay;
}

namespace {

// Each helper below is one cell (or a few alike) of the state x event table.
// They take the state by value and return the transition.

Transition stay(ServiceState s) { return {std::move(s), {}}; }

// A fresh run: forget the crash history (operator start, restart, retry).
ServiceState forget_failures(ServiceState s) {
    s.recent_failures.clear();
    s.delay = Millis(-1);
    s.failed_since.reset();
    return s;
}

Transition to_waiting(ServiceState s) {
    s = forget_failures(std::move(s));
    s.phase = Phase::waiting;
    s.deadline.reset();
    return {std::move(s), {}};
}

Transition to_starting(ServiceState s) {
    s.phase = Phase::starting;
    s.deadline.reset();
    s.killed = false;
    if (s.starts++ > 0) ++s.restarts;
    return {std::move(s), {{ActionKind::spawn}}};
}

Transition to_stopping(const ServiceSpec& spec, ServiceState s, StopCause cause, TimePoint now) {
    s.phase = Phase::stopping;
    s.stop_cause = cause;
    s.killed = spec.stop_signal == SIGKILL;
    s.deadline = now + spec.stop_grace_period;
    return {std::move(s), {{ActionKind::signal_group, spec.stop_signal}}};
}

// The run failed (crash, failed spawn, unhealthy) and the policy restarts
// it: back off, or declare a crash loop.
Transition schedule_restart(const ServiceSpec& spec, ServiceState s, TimePoint now) {
    const auto& policy = spec.restart;
    if (record_failed_start(s.recent_failures, policy.start_limit, now)) {
        s.phase = Phase::failed;
        s.failed_since = now;
        s.deadline = now + policy.start_limit.retry_after;
        return {std::move(s), {}};
    }
    Millis d = current_delay(spec, s);
    s.delay = next_delay(policy.backoff, d);
    s.phase = Phase::backoff;
    // A zero delay is still a deadline (already due): the loop runs it
    // before sleeping again, so a restart never recurses into another.
    s.deadline = now + d;
    return {std::move(s), {}};
}

Transition on_up(ServiceState s) {
    s.want_up = true;
    switch (s.phase) {
    case Phase::stopped:
    case Phase::exited:
    case Phase::completed:
    case Phase::failed: return to_waiting(std::move(s));
    case Phase::stopping: s.stop_cause = StopCause::restart; return stay(std::move(s));
    case Phase::waiting:
    case Phase::starting:
    case Phase::running:
    case Phase::backoff: return stay(std::move(s));
    }
    return stay(std::move(s));
}

Transition on_start(ServiceState s) {
    if (s.phase != Phase::waiting || !s.want_up) return stay(std::move(s));
    return to_starting(std::move(s));
}

Transition on_spawned(const ServiceSpec& spec, ServiceState s, TimePoint now) {
    if (s.phase != Phase::starting) return stay(std::move(s));
    s.phase = Phase::running;
    s.spawn_error = 0;
    s.started_at = now;
    if (!s.want_up) return to_stopping(spec, std::move(s), StopCause::request, now);
    return stay(std::move(s));
}

Transition on_spawn_failed(const ServiceSpec& spec, ServiceState s, int error, TimePoint now) {
    if (s.phase != Phase::starting) return stay(std::move(s));
    s.spawn_error = error;
    s.exited_at = now;
    if (!s.want_up) {
        s.phase = Phase::stopped;
        return stay(std::move(s));
    }
    if (spec.restart.mode == RestartMode::no) {
        s.phase = Phase::exited;
        return stay(std::move(s));
    }
    return schedule_restart(spec, std::move(s), now);
}

Transition on_exited(const ServiceSpec& spec, ServiceState s, const ExitStatus& exit, TimePoint now) {
    if (s.phase != Phase::running && s.phase != Phase::stopping) return stay(std::move(s));
    // Whatever else of its process group is left dies with the main process:
    // a new run must never meet the remains of the old one.
    std::vector<Action> kill = {{ActionKind::signal_group, SIGKILL}};
    Phase was = s.phase;
    s.last_exit = exit;
    s.exited_at = now;
    s.deadline.reset();
    if (s.started_at && now - *s.started_at >= spec.restart.backoff.reset_after) {
        s.delay = Millis(-1);  // it ran long enough: the next crash starts over
        s.recent_failures.clear();
    }
    Transition t;
    if (was == Phase::stopping && s.stop_cause == StopCause::restart) {
        t = to_waiting(std::move(s));
    } else if (was == Phase::stopping && s.stop_cause == StopCause::request) {
        s.phase = Phase::stopped;
        t = stay(std::move(s));
    } else if (s.want_up && (was == Phase::stopping ? spec.restart.mode != RestartMode::no
                                                    : restart_wanted(spec.restart.mode, exit))) {
        t = schedule_restart(spec, std::move(s), now);  // crashed, or stopped for being unhealthy
    } else {
        s.phase = exit.success() && was == Phase::running ? Phase::completed : Phase::exited;
        t = stay(std::move(s));
    }
    t.actions.insert(t.actions.begin(), kill.begin(), kill.end());
    return t;
}

Transition on_unhealthy(const ServiceSpec& spec, ServiceState s, TimePoint now) {
    if (s.phase != Phase::running || spec.restart.mode == RestartMode::no) return stay(std::move(s));
    return to_stopping(spec, std::move(s), StopCause::unhealthy, now);
}

Transition on_deadline(ServiceState s, TimePoint now) {
    if (!s.deadline || now < *s.deadline) return stay(std::move(s));
    switch (s.phase) {
    case Phase::backoff: return to_starting(std::move(s));
    case Phase::failed: {
        // The crash loop gets another chance with a clean history.
        s = forget_failures(std::move(s));
        return to_starting(std::move(s));
    }
    case Phase::stopping:
        s.deadline.reset();
        s.killed = true;
        return {std::move(s), {{ActionKind::signal_group, SIGKILL}}};
    case Phase::stopped:
    case Phase::waiting:
    case Phase::starting:
    case Phase::running:
    case Phase::exited:
    case Phase::completed: s.deadline.reset(); return stay(std::move(s));
    }
    return stay(std::move(s));
}

Transition on_stop(const ServiceSpec& spec, ServiceState s, TimePoint now) {
    s.want_up = false;
    switch (s.phase) {
    case Phase::running: return to_stopping(spec, std::move(s), StopCause::request, now);
    case Phase::stopping: s.stop_cause = StopCause::request; return stay(std::move(s));
    case Phase::waiting:
    case Phase::backoff:
    case Phase::failed:
        s.phase = Phase::stopped;
        s.deadline.reset();
        s.failed_since.reset();
        return stay(std::move(s));
    case Phase::starting:  // `spawned` sees want_up == false and stops it at once
    case Phase::stopped:
    case Phase::exited:
    case Phase::completed: return stay(std::move(s));
    }
    return stay(std::move(s));
}

Transition on_restart(const ServiceSpec& spec, ServiceState s, TimePoint now) {
    s.want_up = true;
    switch (s.phase) {
    case Phase::running: return to_stopping(spec, std::move(s), StopCause::restart, now);
    case Phase::stopping: s.stop_cause = StopCause::restart; return stay(std::move(s));
    case Phase::stopped:
    case Phase::exited:
    case Phase::completed:
    case Phase::backoff:
    case Phase::failed: return to_waiting(std::move(s));
    case Phase::waiting:
    case Phase::starting: return stay(std::move(s));
    }
    return stay(std::move(s));
}

}  // namespace

Transition transition(const ServiceSpec& spec, const ServiceState& state, const Event& event, TimePoint now) {
    switch (event.kind) {
    case EventKind::up: return on_up(state);
    case EventKind::start: return on_start(state);
    case EventKind::spawned: return on_spawned(spec, state, now);
    case EventKind::spawn_failed: return on_spawn_failed(spec, state, event.error, now);
    case EventKind::exited: return on_exited(spec, state, event.exit, now);
    case EventKind::unhealthy: return on_unhealthy(spec, state, now);
    case EventKind::deadline: return on_deadline(state, now);
    case EventKind::stop: return on_stop(spec, state, now);
    case EventKind::restart: return on_restart(spec, state, now);
    }
    return stay(state);
}

}  // namespace jailmgr::engine::supervisor
