// restart_policy.hpp -- the crash-loop policy as small pure functions over
// the data in RestartPolicy: whether an exit restarts, how long to wait,
// when a service is crash-looping.
#pragma once

#include <chrono>
#include <deque>

#include "spec.hpp"

namespace jailmgr::engine::supervisor {

struct ExitStatus;

// `always` restarts on any exit, `on-failure` on a non-zero exit or a
// signal, `no` never.
bool restart_wanted(RestartMode mode, const ExitStatus& exit);

// The delay after `current`: doubled, capped at backoff.max (0 stays 0).
Millis next_delay(const Backoff& backoff, Millis current);

// Records a failed start at `now` in `recent` (keeping only those within
// limit.interval, at most limit.burst of them) and says whether the service
// has now failed `burst` times within `interval`.  burst 0 = no limit.
bool record_failed_start(std::deque<std::chrono::steady_clock::time_point>& recent, const StartLimit& limit,
                         std::chrono::steady_clock::time_point now);

}  // namespace jailmgr::engine::supervisor
