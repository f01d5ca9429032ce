// registry.hpp -- the Linux driver's "kernel table": one JSON file per jail.
//
//   <run_dir>/jails/<id>.json   the jail record (spec, creation time, cgroups)
//   <run_dir>/jails/<id>.init   the running instance's init (pid, start time)
//   <run_dir>/driver.lock       held around every mutation
//
// run_dir is on tmpfs on real hosts, so jails vanish at reboot exactly like
// kernel state on NetBSD.  Files are replaced atomically, so readers never
// need the lock; writers always take it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "driver.hpp"
#include "jail_cgroups.hpp"
#include "sys/files.hpp"

namespace jailmgr::kernel::lnx {

struct JailRecord {
    JailId id = 0;
    JailSpec spec;
    std::chrono::system_clock::time_point created;
    JailCgroups cgroups;
    std::uint64_t cgroup_id = 0;  // cgroup2 inode: the BPF hook's key
    bool operator==(const JailRecord&) const = default;
};

// The jail's PID 1, as recorded by the session that started it.  A pid alone
// could be reused; the start time (/proc/PID/stat field 22) makes it unique.
struct InitRecord {
    pid_t pid = 0;
    std::uint64_t start_time = 0;
    bool operator==(const InitRecord&) const = default;
};

std::string to_json(const JailRecord& r);
JailRecord record_from_json(const std::string& text);  // throws std::runtime_error

class Registry {
public:
    explicit Registry(std::filesystem::path run_dir);

    sys::FileLock lock() const;

    std::vector<JailRecord> load_all() const;  // ascending ID
    std::optional<JailRecord> load(JailId id) const;
    void store(const JailRecord& r) const;
    void remove(JailId id) const;  // the record and its init file

    std::optional<InitRecord> load_init(JailId id) const;
    void store_init(JailId id, const InitRecord& init) const;
    void remove_init(JailId id) const;

    std::filesystem::path record_path(JailId id) const;

private:
    std::filesystem::path run_dir_;
    std::filesystem::path jails_dir_;
    // Records parsed before, by ID, with the inode they were read from.  A
    // record is only ever replaced by rename, which gives it a new inode, so
    // an entry whose inode readdir still reports is current: load_all parses
    // only what changed (creating N jails would otherwise parse N^2/2).
    struct Cached {
        ino_t ino;
        JailRecord record;
    };
    struct Cache {
        std::mutex mutex;
        std::map<JailId, Cached> entries;
    };
    std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();  // copies share it
};

// <state_dir>/next-jail-id: the next ID to hand out, persisted so that IDs
// are never reused (not even after every jail is gone).  Callers hold the
// registry lock.
class IdCounter {
public:
    explicit IdCounter(std::filesystem::path state_dir, bool sync_each_write = true);
    std::uint64_t next() const;          // 1 when the file does not exist yet
    void store(std::uint64_t next) const;  // > JAIL_ID_MAX means exhausted
    void sync() const;                     // fsync what store() deferred
private:
    std::filesystem::path file_;
    bool sync_each_write_;
};

}  // namespace jailmgr::kernel::lnx
