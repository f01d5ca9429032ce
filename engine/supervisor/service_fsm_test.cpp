#include "service_fsm.hpp"

#include <doctest/doctest.h>

using namespace jailmgr::engine::supervisor;
using namespace std::chrono_literals;

namespace {

// A fake clock: time points are offsets from an arbitrary epoch.
TimePoint at(Millis ms) { return TimePoint(std::chrono::duration_cast<Clock::duration>(ms)); }

ServiceSpec spec_with(RestartMode mode) {
    ServiceSpec s;
    s.name = "web";
    s.argv = {"httpd"};
    s.restart.mode = mode;
    s.restart.backoff = {100ms, 400ms, 1000ms};
    s.restart.start_limit = {0, 60000ms, 5000ms};
    s.stop_grace_period = 300ms;
    return s;
}

struct Harness {
    ServiceSpec spec;
    ServiceState state;
    std::vector<Action> actions;

    explicit Harness(ServiceSpec s) : spec(std::move(s)) {}
    Harness& on(EventKind k, Millis now, ExitStatus exit = {}, int error = 0) {
        auto t = transition(spec, state, Event{k, exit, error}, at(now));
        state = t.state;
        actions = t.actions;
        return *this;
    }
    // up + start + spawned at `now`: running
    Harness& run_at(Millis now) { return on(EventKind::up, now).on(EventKind::start, now).on(EventKind::spawned, now); }
};

const ExitStatus crash{false, 1};
const ExitStatus clean{false, 0};

}  // namespace

TEST_CASE("a wanted service waits for its dependencies, then spawns") {
    Harness h(spec_with(RestartMode::always));
    h.on(EventKind::up, 0ms);
    CHECK(h.state.phase == Phase::waiting);
    CHECK(h.actions.empty());
    h.on(EventKind::start, 0ms);
    CHECK(h.state.phase == Phase::starting);
    CHECK(h.actions == std::vector<Action>{{ActionKind::spawn}});
    h.on(EventKind::spawned, 5ms);
    CHECK(h.state.phase == Phase::running);
    CHECK(h.state.started_at == at(5ms));
    CHECK(h.state.restarts == 0);
}

TEST_CASE("a crashed service restarts after a backoff that doubles up to max") {
    Harness h(spec_with(RestartMode::always));
    h.run_at(0ms);
    std::vector<Millis> delays;
    Millis now = 0ms;
    for (int i = 0; i < 5; ++i) {
        now += 10ms;
        h.on(EventKind::exited, now, crash);
        REQUIRE(h.state.phase == Phase::backoff);
        // The remains of the process group die with the main process.
        CHECK(h.actions == std::vector<Action>{{ActionKind::signal_group, SIGKILL}});
        delays.push_back(std::chrono::duration_cast<Millis>(*h.state.deadline - at(now)));
        h.on(EventKind::deadline, now + 1ms);  // too early: nothing happens
        CHECK(h.state.phase == Phase::backoff);
        now = std::chrono::duration_cast<Millis>(h.state.deadline->time_since_epoch());
        h.on(EventKind::deadline, now);
        CHECK(h.state.phase == Phase::starting);
        CHECK(h.actions == std::vector<Action>{{ActionKind::spawn}});
        h.on(EventKind::spawned, now);
    }
    CHECK(delays == std::vector<Millis>{100ms, 200ms, 400ms, 400ms, 400ms});
    CHECK(h.state.restarts == 5);
}

TEST_CASE("a run longer than reset_after starts the backoff over") {
    Harness h(spec_with(RestartMode::always));
    h.run_at(0ms).on(EventKind::exited, 10ms, crash).on(EventKind::deadline, 110ms).on(EventKind::spawned, 110ms);
    h.on(EventKind::exited, 120ms, crash);
    CHECK(*h.state.deadline == at(320ms));  // second crash: 200 ms
    h.on(EventKind::deadline, 320ms).on(EventKind::spawned, 320ms);
    h.on(EventKind::exited, 1320ms, crash);  // ran exactly reset_after
    CHECK(*h.state.deadline == at(1420ms));  // back to 100 ms
}

TEST_CASE("a zero initial backoff restarts at once, every time") {
    auto spec = spec_with(RestartMode::always);
    spec.restart.backoff = {0ms, 10000ms, 30000ms};
    Harness h(spec);
    h.run_at(0ms);
    for (int i = 0; i < 3; ++i) {
        h.on(EventKind::exited, 1ms, crash);
        CHECK(h.state.phase == Phase::backoff);
        CHECK(*h.state.deadline == at(1ms));  // already due
        h.on(EventKind::deadline, 1ms).on(EventKind::spawned, 1ms);
    }
    CHECK(h.state.phase == Phase::running);
}

TEST_CASE("burst failed starts within the interval mark the service failed until retry_after") {
    auto spec = spec_with(RestartMode::always);
    spec.restart.start_limit = {3, 1000ms, 5000ms};
    Harness h(spec);
    h.run_at(0ms);
    h.on(EventKind::exited, 10ms, crash).on(EventKind::deadline, 110ms).on(EventKind::spawned, 110ms);
    h.on(EventKind::exited, 120ms, crash).on(EventKind::deadline, 320ms).on(EventKind::spawned, 320ms);
    h.on(EventKind::exited, 330ms, crash);
    CHECK(h.state.phase == Phase::failed);
    CHECK(h.state.failed_since == at(330ms));
    CHECK(*h.state.deadline == at(5330ms));
    h.on(EventKind::deadline, 5329ms);
    CHECK(h.state.phase == Phase::failed);
    h.on(EventKind::deadline, 5330ms);
    CHECK(h.state.phase == Phase::starting);
    CHECK(h.actions == std::vector<Action>{{ActionKind::spawn}});
    CHECK_FALSE(h.state.failed_since);
    // The retry starts with a clean slate: the next crash backs off 100 ms.
    h.on(EventKind::spawned, 5330ms).on(EventKind::exited, 5340ms, crash);
    CHECK(h.state.phase == Phase::backoff);
    CHECK(*h.state.deadline == at(5440ms));
}

TEST_CASE("failed starts spread wider than the interval do not trip the start limit") {
    auto spec = spec_with(RestartMode::always);
    spec.restart.start_limit = {3, 1000ms, 5000ms};
    spec.restart.backoff = {600ms, 600ms, 100000ms};
    Harness h(spec);
    h.run_at(0ms);
    Millis now = 0ms;
    for (int i = 0; i < 6; ++i) {
        h.on(EventKind::exited, now, crash);
        REQUIRE(h.state.phase == Phase::backoff);
        now += 600ms;
        h.on(EventKind::deadline, now).on(EventKind::spawned, now);
    }
}

TEST_CASE("exit 0 with on-failure completes and stays down") {
    Harness h(spec_with(RestartMode::on_failure));
    h.run_at(0ms).on(EventKind::exited, 50ms, clean);
    CHECK(h.state.phase == Phase::completed);
    CHECK_FALSE(h.state.deadline);
    CHECK(h.state.last_exit == clean);
    h.on(EventKind::deadline, 100000ms);
    CHECK(h.state.phase == Phase::completed);
}

TEST_CASE("a failure with on-failure restarts; any exit with restart no stays down") {
    Harness h(spec_with(RestartMode::on_failure));
    h.run_at(0ms).on(EventKind::exited, 50ms, ExitStatus{true, SIGSEGV});
    CHECK(h.state.phase == Phase::backoff);
    Harness n(spec_with(RestartMode::no));
    n.run_at(0ms).on(EventKind::exited, 50ms, crash);
    CHECK(n.state.phase == Phase::exited);
    Harness c(spec_with(RestartMode::no));
    c.run_at(0ms).on(EventKind::exited, 50ms, clean);
    CHECK(c.state.phase == Phase::completed);
}

TEST_CASE("exit 0 with restart always is restarted") {
    Harness h(spec_with(RestartMode::always));
    h.run_at(0ms).on(EventKind::exited, 50ms, clean);
    CHECK(h.state.phase == Phase::backoff);
}

TEST_CASE("stop sends the stop signal, then SIGKILL to the group at the grace deadline") {
    auto spec = spec_with(RestartMode::always);
    spec.stop_signal = SIGINT;
    Harness h(spec);
    h.run_at(0ms).on(EventKind::stop, 1000ms);
    CHECK(h.state.phase == Phase::stopping);
    CHECK(h.actions == std::vector<Action>{{ActionKind::signal_group, SIGINT}});
    CHECK(*h.state.deadline == at(1300ms));
    h.on(EventKind::deadline, 1300ms);
    CHECK(h.state.phase == Phase::stopping);
    CHECK(h.actions == std::vector<Action>{{ActionKind::signal_group, SIGKILL}});
    CHECK(h.state.killed);
    h.on(EventKind::exited, 1301ms, ExitStatus{true, SIGKILL});
    CHECK(h.state.phase == Phase::stopped);
    CHECK_FALSE(h.state.deadline);
    CHECK(h.state.last_exit == ExitStatus{true, SIGKILL});
}

TEST_CASE("a service that stops within the grace period is not killed") {
    Harness h(spec_with(RestartMode::always));
    h.run_at(0ms).on(EventKind::stop, 1000ms).on(EventKind::exited, 1100ms, ExitStatus{true, SIGTERM});
    CHECK(h.state.phase == Phase::stopped);
    CHECK_FALSE(h.state.killed);
    h.on(EventKind::deadline, 1300ms);
    CHECK(h.actions.empty());
}

TEST_CASE("a stop during backoff or crash loop cancels the restart") {
    auto spec = spec_with(RestartMode::always);
    Harness h(spec);
    h.run_at(0ms).on(EventKind::exited, 10ms, crash).on(EventKind::stop, 20ms);
    CHECK(h.state.phase == Phase::stopped);
    CHECK_FALSE(h.state.deadline);
    CHECK(h.actions.empty());
}

TEST_CASE("a stop while spawning stops the process as soon as it runs") {
    Harness h(spec_with(RestartMode::always));
    h.on(EventKind::up, 0ms).on(EventKind::start, 0ms).on(EventKind::stop, 0ms);
    CHECK(h.state.phase == Phase::starting);
    h.on(EventKind::spawned, 1ms);
    CHECK(h.state.phase == Phase::stopping);
    CHECK(h.actions == std::vector<Action>{{ActionKind::signal_group, SIGTERM}});
}

TEST_CASE("restart of a running service stops it and starts it again without backoff") {
    Harness h(spec_with(RestartMode::always));
    h.run_at(0ms).on(EventKind::restart, 100ms);
    CHECK(h.state.phase == Phase::stopping);
    h.on(EventKind::exited, 150ms, ExitStatus{true, SIGTERM});
    CHECK(h.state.phase == Phase::waiting);  // the loop starts it when its dependencies allow
    h.on(EventKind::start, 150ms);
    CHECK(h.state.phase == Phase::starting);
}

TEST_CASE("restart of a failed service starts it at once with a clean history") {
    auto spec = spec_with(RestartMode::always);
    spec.restart.start_limit = {1, 1000ms, 60000ms};
    Harness h(spec);
    h.run_at(0ms).on(EventKind::exited, 10ms, crash);
    REQUIRE(h.state.phase == Phase::failed);
    h.on(EventKind::restart, 20ms);
    CHECK(h.state.phase == Phase::waiting);
    CHECK(h.state.recent_failures.empty());
    CHECK_FALSE(h.state.failed_since);
}

TEST_CASE("an unhealthy service is stopped and restarted through the backoff") {
    Harness h(spec_with(RestartMode::always));
    h.run_at(0ms).on(EventKind::unhealthy, 500ms);
    CHECK(h.state.phase == Phase::stopping);
    CHECK(h.actions == std::vector<Action>{{ActionKind::signal_group, SIGTERM}});
    h.on(EventKind::exited, 510ms, ExitStatus{true, SIGTERM});
    CHECK(h.state.phase == Phase::backoff);
    CHECK(*h.state.deadline == at(610ms));
    // With restart: no, an unhealthy service is left alone.
    Harness n(spec_with(RestartMode::no));
    n.run_at(0ms).on(EventKind::unhealthy, 500ms);
    CHECK(n.state.phase == Phase::running);
    CHECK(n.actions.empty());
}

TEST_CASE("a failed spawn backs off like a crash; with restart no it stays down") {
    Harness h(spec_with(RestartMode::always));
    h.on(EventKind::up, 0ms).on(EventKind::start, 0ms).on(EventKind::spawn_failed, 0ms, {}, ENOENT);
    CHECK(h.state.phase == Phase::backoff);
    CHECK(h.state.spawn_error == ENOENT);
    CHECK(*h.state.deadline == at(100ms));
    h.on(EventKind::deadline, 100ms).on(EventKind::spawned, 100ms);
    CHECK(h.state.spawn_error == 0);
    CHECK(h.state.restarts == 1);
    Harness n(spec_with(RestartMode::no));
    n.on(EventKind::up, 0ms).on(EventKind::start, 0ms).on(EventKind::spawn_failed, 0ms, {}, EACCES);
    CHECK(n.state.phase == Phase::exited);
}

TEST_CASE("up brings a completed or exited service back; stray events change nothing") {
    Harness h(spec_with(RestartMode::no));
    h.run_at(0ms).on(EventKind::exited, 10ms, clean);
    REQUIRE(h.state.phase == Phase::completed);
    h.on(EventKind::up, 20ms);
    CHECK(h.state.phase == Phase::waiting);
    auto before = h.state;
    h.on(EventKind::spawned, 30ms).on(EventKind::exited, 30ms, crash).on(EventKind::unhealthy, 30ms);
    CHECK(h.state == before);
}
