#include "health_fsm.hpp"

#include <doctest/doctest.h>

using namespace jailmgr::engine::supervisor;
using namespace std::chrono_literals;

namespace {

TimePoint at(Millis ms) { return TimePoint(std::chrono::duration_cast<Clock::duration>(ms)); }

struct H {
    HealthCheck check;
    HealthState state;
    std::vector<HealthAction> actions;
    H() {
        check.exec = {"true"};
        check.interval = 1000ms;
        check.timeout = 200ms;
        check.retries = 2;
        check.start_period = 500ms;
        check.start_interval = 100ms;
    }
    H& on(HealthEvent e, Millis now) {
        auto t = health_transition(check, state, e, at(now));
        state = t.state;
        actions = t.actions;
        return *this;
    }
};

}  // namespace

TEST_CASE("a started service is probed at the start interval and becomes healthy on success") {
    H h;
    h.on(HealthEvent::service_started, 0ms);
    CHECK(h.state.status == Health::starting);
    CHECK(*h.state.deadline == at(100ms));
    h.on(HealthEvent::deadline, 99ms);
    CHECK(h.actions.empty());
    h.on(HealthEvent::deadline, 100ms);
    CHECK(h.actions == std::vector<HealthAction>{HealthAction::run_probe});
    CHECK(h.state.probing);
    CHECK(*h.state.deadline == at(300ms));  // the probe's timeout
    h.on(HealthEvent::probe_ok, 150ms);
    CHECK(h.state.status == Health::healthy);
    CHECK(*h.state.deadline == at(1150ms));  // then every interval
}

TEST_CASE("failures within start_period do not count; later ones make it unhealthy once") {
    H h;
    h.on(HealthEvent::service_started, 0ms);
    for (Millis t : {100ms, 200ms, 300ms}) {
        h.on(HealthEvent::deadline, t).on(HealthEvent::probe_failed, t + 10ms);
        CHECK(h.state.status == Health::starting);
        CHECK(h.state.failures == 0);
    }
    h.on(HealthEvent::deadline, 510ms).on(HealthEvent::probe_failed, 520ms);
    CHECK(h.state.failures == 1);
    CHECK(h.state.status == Health::starting);
    h.on(HealthEvent::deadline, 620ms).on(HealthEvent::probe_failed, 630ms);
    CHECK(h.state.status == Health::unhealthy);
    CHECK(h.actions == std::vector<HealthAction>{HealthAction::report_unhealthy});
    h.on(HealthEvent::deadline, 1630ms).on(HealthEvent::probe_failed, 1640ms);
    CHECK(h.actions.empty());  // reported once
    h.on(HealthEvent::deadline, 2640ms).on(HealthEvent::probe_ok, 2650ms);
    CHECK(h.state.status == Health::healthy);
    CHECK(h.state.failures == 0);
}

TEST_CASE("a healthy service stays healthy until retries consecutive probes fail") {
    H h;
    h.on(HealthEvent::service_started, 0ms).on(HealthEvent::deadline, 100ms).on(HealthEvent::probe_ok, 110ms);
    h.on(HealthEvent::deadline, 1110ms).on(HealthEvent::probe_failed, 1120ms);
    CHECK(h.state.status == Health::healthy);
    h.on(HealthEvent::deadline, 2120ms).on(HealthEvent::probe_ok, 2130ms);
    h.on(HealthEvent::deadline, 3130ms).on(HealthEvent::probe_failed, 3140ms);
    CHECK(h.state.status == Health::healthy);
    h.on(HealthEvent::deadline, 4140ms).on(HealthEvent::probe_failed, 4150ms);
    CHECK(h.state.status == Health::unhealthy);
}

TEST_CASE("a probe that outlives its timeout is cancelled and counts as a failure") {
    H h;
    h.check.start_period = 0ms;
    h.on(HealthEvent::service_started, 0ms).on(HealthEvent::deadline, 100ms);
    h.on(HealthEvent::deadline, 300ms);
    CHECK(h.actions == std::vector<HealthAction>{HealthAction::cancel_probe});
    CHECK_FALSE(h.state.probing);
    CHECK(h.state.failures == 1);
    h.on(HealthEvent::probe_ok, 310ms);  // a late verdict is ignored
    CHECK(h.state.status == Health::starting);
}

TEST_CASE("stopping the service cancels a probe in flight and forgets the health") {
    H h;
    h.on(HealthEvent::service_started, 0ms).on(HealthEvent::deadline, 100ms);
    h.on(HealthEvent::service_stopped, 150ms);
    CHECK(h.actions == std::vector<HealthAction>{HealthAction::cancel_probe});
    CHECK(h.state == HealthState{});
    h.on(HealthEvent::deadline, 10000ms);
    CHECK(h.actions.empty());
}
