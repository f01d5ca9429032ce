#include "restart_policy.hpp"

#include <algorithm>

#include "service_fsm.hpp"

namespace jailmgr::engine::supervisor {

bool restart_wanted(RestartMode mode, const ExitStatus& exit) {
    switch (mode) {
    case RestartMode::always: return true;
    case RestartMode::on_failure: return !exit.success();
    case RestartMode::no: return false;
    }
    return false;
}

Millis next_delay(const Backoff& backoff, Millis current) {
    if (current.count() <= 0) return Millis(0);
    // Doubling a capped value cannot overflow: max is at most 2^40 ms.
    return std::min(backoff.max, current * 2);
}

bool record_failed_start(std::deque<TimePoint>& recent, const StartLimit& limit, TimePoint now) {
    if (limit.burst == 0) {
        recent.clear();
        return false;
    }
    recent.push_back(now);
    while (!recent.empty() && now - recent.front() >= limit.interval) recent.pop_front();
    while (recent.size() > limit.burst) recent.pop_front();
    return recent.size() >= limit.burst;
}

}  // namespace jailmgr::engine::supervisor
