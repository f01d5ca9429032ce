// observe.hpp -- gather the Observed state from the kernel, the state store
// and the supervisors.
#pragma once

#include "driver.hpp"
#include "observed.hpp"
#include "state_store.hpp"
#include "supervisors.hpp"

namespace jailmgr::engine {

// With `usage` false the kernel side carries only IDs and specs (no cgroup
// counters, no liveness): all that planning needs, and much cheaper.
Observed observe(kernel::Driver& driver, const StateStore& store, Supervisors& supervisors, bool usage = true);

}  // namespace jailmgr::engine
