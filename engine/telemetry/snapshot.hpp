// snapshot.hpp -- gather what the metrics describe, from the same sources
// `plan` uses (kernel, applied records, supervisor status files): never a
// control socket, so a wedged supervisor cannot stall a scrape.
#pragma once

#include "desired.hpp"
#include "metrics.hpp"
#include "paths.hpp"
#include "state_store.hpp"
#include "supervisors.hpp"

namespace jailmgr::engine::telemetry {

// `desired` (optional) is the manifests' desired state: drift is then
// counted from the same diff `jailmgr plan` shows.  Without it, drift is
// measured against the last applied records.  `desired_hash`, when given,
// is desired_hash(*desired) computed once (a long-running exporter need not
// hash the same manifests on every scrape).
Snapshot gather(kernel::Driver& driver, Supervisors& supervisors, const Paths& paths,
                const Desired* desired = nullptr, const std::string& desired_hash = {});

}  // namespace jailmgr::engine::telemetry
