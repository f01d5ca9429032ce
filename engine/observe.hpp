// observe.hpp -- gather the Observed state from the kernel, the state store
// and the supervisors.
#pragma once

#include "driver.hpp"
#include "observed.hpp"
#include "state_store.hpp"
#include "supervisors.hpp"

namespace jailmgr::engine {

Observed observe(kernel::Driver& driver, const StateStore& store, Supervisors& supervisors);

}  // namespace jailmgr::engine
