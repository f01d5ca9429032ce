// host_lock.hpp -- one apply (or down) at a time per jailmgr instance.
//
// The lock is an flock(2) on <run_dir>/apply.lock, so it can never go stale:
// the kernel drops it when the holder dies, however it dies.  Beside it,
// apply.owner says who holds it (pid, process start time, command, since
// when) so that a waiting apply can tell the operator what it waits for,
// and can recognise an owner record left by a holder that has since died.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "sys/files.hpp"

namespace jailmgr::engine {

struct LockOwner {
    long pid = 0;
    unsigned long long start_ticks = 0;  // /proc/PID/stat field 22: tells a live owner from a reused pid
    std::string command;
    long long since_unix = 0;
};

// The process start time of `pid` in clock ticks since boot, or nullopt if
// the process does not exist.
std::optional<unsigned long long> process_start_ticks(long pid);

// True if the owner record describes a process that is still running.
bool owner_alive(const LockOwner& owner);

class HostLock {
public:
    // Waits up to `timeout` (nullopt: forever).  On timeout throws
    // std::runtime_error "another jailmgr apply holds the lock (pid 123,
    // 'jailmgr apply -f x', for 12 s): wait for it or raise --lock-timeout".
    HostLock(const std::filesystem::path& run_dir, const std::string& command,
             std::optional<std::chrono::milliseconds> timeout);
    ~HostLock();
    HostLock(const HostLock&) = delete;
    HostLock& operator=(const HostLock&) = delete;

    // The owner record as found before we took the lock, if its process had
    // died: a previous apply crashed (the journal says what it left undone).
    const std::optional<LockOwner>& crashed_previous_owner() const { return crashed_; }

    static std::optional<LockOwner> read_owner(const std::filesystem::path& run_dir);

private:
    std::filesystem::path owner_path_;
    std::optional<sys::FileLock> lock_;
    std::optional<LockOwner> crashed_;
};

}  // namespace jailmgr::engine
