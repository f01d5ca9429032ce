#include "host_lock.hpp"

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "sys/error.hpp"

namespace jailmgr::engine {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<unsigned long long> process_start_ticks(long pid) {
    if (pid <= 0) return std::nullopt;
    auto stat = sys::read_file_if_exists("/proc/" + std::to_string(pid) + "/stat");
    if (!stat) return std::nullopt;
    // The command name (field 2) may contain spaces and parentheses: fields
    // are counted from the last ')'.
    auto close = stat->rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream in(stat->substr(close + 2));
    std::string field;
    // After ')' comes field 3 (state); start time is field 22.
    for (int i = 3; i <= 22; ++i) {
        if (!(in >> field)) return std::nullopt;
    }
    try {
        return std::stoull(field);
    } catch (...) {
        return std::nullopt;
    }
}

bool owner_alive(const LockOwner& owner) {
    auto ticks = process_start_ticks(owner.pid);
    return ticks && *ticks == owner.start_ticks;
}

std::optional<LockOwner> HostLock::read_owner(const fs::path& run_dir) {
    auto text = sys::read_file_if_exists(run_dir / "apply.owner");
    if (!text) return std::nullopt;
    auto j = json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    LockOwner o;
    o.pid = j.value("pid", 0L);
    o.start_ticks = j.value("start_ticks", 0ULL);
    o.command = j.value("command", std::string());
    o.since_unix = j.value("since", 0LL);
    return o;
}

HostLock::HostLock(const fs::path& run_dir, const std::string& command,
                   std::optional<std::chrono::milliseconds> timeout)
    : owner_path_(run_dir / "apply.owner") {
    sys::make_dirs(run_dir, 0755);
    try {
        lock_.emplace(run_dir / "apply.lock", timeout);
    } catch (const sys::SysError& e) {
        if (e.code() != EWOULDBLOCK) throw;
        std::string who = "another jailmgr apply holds the lock";
        if (auto o = read_owner(run_dir); o && owner_alive(*o)) {
            long long held = static_cast<long long>(::time(nullptr)) - o->since_unix;
            who += " (pid " + std::to_string(o->pid) + ", '" + o->command + "', for " +
                   std::to_string(held) + " s)";
        }
        throw std::runtime_error(who + ": wait for it to finish or raise --lock-timeout");
    }
    // We hold the lock: any owner record still on disk belongs to a holder
    // that died without cleaning up.
    if (auto o = read_owner(run_dir); o && !owner_alive(*o)) crashed_ = o;
    json j = {{"pid", static_cast<long>(::getpid())},
              {"start_ticks", process_start_ticks(::getpid()).value_or(0)},
              {"command", command},
              {"since", static_cast<long long>(::time(nullptr))}};
    // Run-time state (run_dir is tmpfs on real hosts): no fsync.
    sys::write_file_atomic(owner_path_, j.dump() + "\n", 0644, sys::Durability::deferred);
}

HostLock::~HostLock() {
    // Remove the record before the lock goes, so nobody sees a stale owner.
    ::unlink(owner_path_.c_str());
}

}  // namespace jailmgr::engine
