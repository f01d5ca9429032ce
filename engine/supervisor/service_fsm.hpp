// service_fsm.hpp -- the life of one supervised service as a pure state
// machine: transition(spec, state, event, now) -> (new state, actions).
//
// No processes, no clock, no I/O: the event loop feeds events in (a child
// exited, a deadline passed, an operator asked for a stop) and performs the
// actions that come out (spawn, signal the process group).  Every timed
// behaviour -- backoff, crash-loop retry, stop grace period -- is the one
// `deadline` of the state; the loop arms a timer for it and sends `deadline`
// when it passes.  See README.md for the table of states and events.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "spec.hpp"

namespace jailmgr::engine::supervisor {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

enum class Phase {
    stopped,    // down, and nobody wants it up
    waiting,    // wants to run; waits for its depends_on conditions
    starting,   // spawn requested; the loop answers spawned or spawn_failed
    running,
    backoff,    // crashed; restarts at the deadline
    failed,     // crash loop (start limit hit); tries again at the deadline (retry_after)
    stopping,   // stop signal sent; SIGKILL to the group at the deadline
    exited,     // ended, and the restart policy says it stays down (failure)
    completed,  // exited 0, and the restart policy says it stays down (one-shot done)
};

std::string to_string(Phase p);
// Phases in which a process of the service may be alive.
bool is_live(Phase p);
// Phases that stay as they are until an operator acts: no process, no deadline.
bool is_down(Phase p);

struct ExitStatus {
    bool signaled = false;
    int code = 0;  // exit code, or signal number when signaled
    bool success() const { return !signaled && code == 0; }
    static ExitStatus from_wait_status(int wstatus);
    bool operator==(const ExitStatus&) const = default;
};

enum class EventKind {
    up,            // an operator (or the supervisor starting) wants it running
    start,         // its dependencies are satisfied (sent by the loop to `waiting` services)
    spawned,       // the process runs
    spawn_failed,  // the driver could not start it; `error` is the errno
    exited,        // the main process ended; `exit` says how
    unhealthy,     // its health check failed `retries` times in a row
    deadline,      // the state's deadline passed
    stop,          // an operator (or shutdown) wants it down
    restart,       // an operator wants a fresh run now: stop if running, then start without backoff
};

struct Event {
    EventKind kind;
    ExitStatus exit{};
    int error = 0;
};

// Why a `stopping` service is being stopped: decides what happens at exit.
enum class StopCause { request, restart, unhealthy };

struct ServiceState {
    Phase phase = Phase::stopped;
    bool want_up = false;
    StopCause stop_cause = StopCause::request;
    std::optional<TimePoint> deadline;
    Millis delay{-1};               // next automatic restart delay; negative = backoff.initial
    std::deque<TimePoint> recent_failures;  // failed starts within start_limit.interval
    unsigned starts = 0;            // spawn attempts since the supervisor started
    unsigned restarts = 0;          // starts after the first one
    std::optional<ExitStatus> last_exit;
    int spawn_error = 0;            // errno of the last failed spawn, 0 if the last spawn worked
    std::optional<TimePoint> started_at, exited_at, failed_since;
    bool killed = false;            // SIGKILL sent during the current stop
    bool operator==(const ServiceState&) const = default;
};

enum class ActionKind {
    spawn,         // start the process; answer with spawned or spawn_failed
    signal_group,  // send `signal` to the process group of the running process
};

struct Action {
    ActionKind kind;
    int signal = 0;
    bool operator==(const Action&) const = default;
};

struct Transition {
    ServiceState state;
    std::vector<Action> actions;
};

Transition transition(const ServiceSpec& spec, const ServiceState& state, const Event& event, TimePoint now);

// The delay the next automatic restart would wait.
Millis current_delay(const ServiceSpec& spec, const ServiceState& state);

}  // namespace jailmgr::engine::supervisor
