// snapshot.hpp -- gather what the metrics describe, from the same sources
// `plan` uses (kernel, applied records, supervisor status files): never a
// control socket, so a wedged supervisor cannot stall a scrape.
#pragma once

#include "desired.hpp"
#include "metrics.hpp"
#include "paths.hpp"
#include "state_store.hpp"
#include "supervisors.hpp"

#include <sys/stat.h>

namespace jailmgr::engine::telemetry {

// Gathers snapshots again and again (the exporter): applied records, which
// change only when apply runs, are parsed once and reused while their file
// is the same (records are replaced by rename, so a new record is a new
// inode).  Not thread-safe: one gather at a time.
class Gatherer {
public:
    Gatherer(kernel::Driver& driver, Supervisors& supervisors, Paths paths);
    Snapshot gather(const Desired* desired = nullptr, const std::string& desired_hash = {});

private:
    struct CachedRecord {
        dev_t dev = 0;
        ino_t ino = 0;
        off_t size = 0;
        timespec mtime{};
        AppliedJail record;
    };
    std::map<std::string, AppliedJail> applied_records();

    kernel::Driver& driver_;
    Supervisors& supervisors_;
    Paths paths_;
    std::map<std::string, CachedRecord> cache_;  // by file name
};

// `desired` (optional) is the manifests' desired state: drift is then
// counted from the same diff `jailmgr plan` shows.  Without it, drift is
// measured against the last applied records.  `desired_hash`, when given,
// is desired_hash(*desired) computed once (a long-running exporter need not
// hash the same manifests on every scrape).
Snapshot gather(kernel::Driver& driver, Supervisors& supervisors, const Paths& paths,
                const Desired* desired = nullptr, const std::string& desired_hash = {});

}  // namespace jailmgr::engine::telemetry
