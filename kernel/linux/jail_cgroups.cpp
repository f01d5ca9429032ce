#include "jail_cgroups.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sys/error.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::kernel::lnx {

namespace fs = std::filesystem;
using sys::SysError;

namespace {

constexpr std::uint64_t cfs_period_us = 100000;

std::string parent_name(const std::string& instance) { return "jailmgr." + instance; }

// "key value" lines (cgroup.events, cpu.stat): the value of `key`, if present.
std::optional<std::uint64_t> keyed_value(const std::string& text, std::string_view key) {
    std::istringstream in(text);
    std::string k;
    std::uint64_t v;
    while (in >> k >> v)
        if (k == key) return v;
    return std::nullopt;
}

std::optional<std::uint64_t> number(CgroupFs& cfs, const fs::path& file) {
    auto text = cfs.read(file);
    if (!text) return std::nullopt;
    try {
        return std::stoull(*text);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::uint64_t count_lines(const std::optional<std::string>& text) {
    if (!text) return 0;
    return static_cast<std::uint64_t>(std::count(text->begin(), text->end(), '\n'));
}

// Enable `ctrls` for the children of `dir` (pure v2 only).  A cgroup that
// holds processes cannot delegate controllers (the "no internal processes"
// rule), which is the one failure an operator must fix by hand.
void enable_subtree(CgroupFs& cfs, const fs::path& dir, const std::vector<std::string>& ctrls) {
    for (const auto& c : ctrls) {
        try {
            cfs.write(dir / "cgroup.subtree_control", "+" + c);
        } catch (const SysError& e) {
            if (e.code() == EBUSY)
                throw DriverError(Errc::system,
                                  "cgroups: cannot enable the " + c + " controller below " + dir.string() +
                                      ": that cgroup holds processes (run jailmgr in a cgroup of its own, "
                                      "e.g. a delegated systemd scope)",
                                  EBUSY);
            throw;
        }
    }
}

// Waits until `key` in cgroup.events has `want`; false on timeout.
bool wait_event(const fs::path& events, std::string_view key, std::uint64_t want, std::chrono::milliseconds timeout,
                int also = -1) {
    sys::unique_fd fd(::open(events.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return true;  // the cgroup is gone: nothing left in it
        sys::throw_errno("open " + events.string());
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        char buf[256];
        ssize_t n = ::pread(fd.get(), buf, sizeof buf - 1, 0);
        if (n < 0) sys::throw_errno("read " + events.string());
        buf[n] = '\0';
        if (keyed_value(buf, key) == want) return true;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        // cgroupfs signals changes of cgroup.events as POLLPRI.
        struct pollfd p[2] = {{fd.get(), POLLPRI, 0}, {also, POLLIN, 0}};
        int ready = ::poll(p, also >= 0 ? 2 : 1, static_cast<int>(std::min<long long>(left.count(), 100)));
        if (ready < 0 && errno != EINTR) sys::throw_errno("poll " + events.string());
        if (ready > 0 && also >= 0 && (p[1].revents & POLLIN)) return true;
    }
}

}  // namespace

std::vector<fs::path> JailCgroups::directories() const {
    std::vector<fs::path> out;
    for (const auto& [c, dir] : controllers)
        if (dir != v2 && std::find(out.begin(), out.end(), dir) == out.end()) out.push_back(dir);
    out.push_back(v2);
    return out;
}

JailCgroups create_jail_cgroups(CgroupFs& cfs, const CgroupLayout& layout, const std::string& instance,
                                const std::string& jail_name) {
    std::vector<fs::path> created;  // in creation order, undone in reverse
    auto make = [&](const fs::path& dir, bool reuse) {
        try {
            cfs.make_dir(dir);
            created.push_back(dir);
        } catch (const SysError& e) {
            if (e.code() != EEXIST) throw;
            if (reuse) return;
            // A leftover of a crashed create: harmless when empty (rmdir
            // works), a conflict otherwise.
            try {
                cfs.remove_dir(dir);
            } catch (const SysError&) {
                throw DriverError(Errc::busy, "jail '" + jail_name + "': cgroup " + dir.string() +
                                                  " already exists and is in use (left over from another jailmgr?)",
                                  EEXIST);
            }
            cfs.make_dir(dir);
            created.push_back(dir);
        }
    };
    JailCgroups cg;
    try {
        std::vector<std::string> v2_wanted;
        for (auto c : jail_controllers)
            if (layout.backend(c) == "v2") v2_wanted.emplace_back(c);
        if (!v2_wanted.empty()) enable_subtree(cfs, layout.v2_base, v2_wanted);
        fs::path v2_parent = layout.v2_base / parent_name(instance);
        make(v2_parent, true);
        if (!v2_wanted.empty()) enable_subtree(cfs, v2_parent, v2_wanted);
        cg.v2 = v2_parent / jail_name;
        cg.v2_root = layout.v2_root;
        make(cg.v2, false);

        for (auto c : jail_controllers) {
            std::string name(c);
            if (layout.backend(c) == "v2") {
                cg.controllers[name] = cg.v2;
                continue;
            }
            auto base = layout.v1_base.find(name);
            if (base == layout.v1_base.end()) continue;
            fs::path dir = base->second / parent_name(instance) / jail_name;
            // Co-mounted controllers (cpu,cpuacct) share one directory.
            if (std::find(created.begin(), created.end(), dir) == created.end()) {
                make(dir.parent_path(), true);
                make(dir, false);
            }
            cg.controllers[name] = dir;
        }
    } catch (...) {
        for (auto it = created.rbegin(); it != created.rend(); ++it) {
            try {
                cfs.remove_dir(*it);
            } catch (const SysError&) {
                // a parent still used by other jails: keep it
            }
        }
        throw;
    }
    return cg;
}

void apply_cgroup_limits(CgroupFs& cfs, const JailCgroups& cg, const Limits& limits, const std::string& jail_name) {
    auto dir_of = [&](const std::string& ctrl, bool needed, const char* what) -> std::optional<fs::path> {
        auto it = cg.controllers.find(ctrl);
        if (it != cg.controllers.end()) return it->second;
        if (needed)
            throw DriverError(Errc::unsupported, "jail '" + jail_name + "': " + what + " limit: no " + ctrl +
                                                     " cgroup controller is available on this host");
        return std::nullopt;
    };
    if (auto dir = dir_of("memory", limits.memory_bytes.has_value(), "memory")) {
        bool v2 = *dir == cg.v2;
        std::string value = limits.memory_bytes ? std::to_string(*limits.memory_bytes) : (v2 ? "max" : "-1");
        cfs.write(*dir / (v2 ? "memory.max" : "memory.limit_in_bytes"), value);
    }
    if (auto dir = dir_of("pids", limits.pids.has_value(), "pids")) {
        cfs.write(*dir / "pids.max", limits.pids ? std::to_string(*limits.pids) : "max");
    }
    if (auto dir = dir_of("cpu", limits.cpus.has_value(), "cpus")) {
        std::string quota;
        if (limits.cpus) quota = std::to_string(std::llround(*limits.cpus * static_cast<double>(cfs_period_us)));
        if (*dir == cg.v2) {
            cfs.write(*dir / "cpu.max", (quota.empty() ? "max" : quota) + " " + std::to_string(cfs_period_us));
        } else {
            cfs.write(*dir / "cpu.cfs_period_us", std::to_string(cfs_period_us));
            cfs.write(*dir / "cpu.cfs_quota_us", quota.empty() ? "-1" : quota);
        }
    }
}

CgroupUsage read_cgroup_usage(CgroupFs& cfs, const JailCgroups& cg) {
    CgroupUsage u;
    u.procs_live = count_lines(cfs.read(cg.v2 / "cgroup.procs"));
    if (auto it = cg.controllers.find("pids"); it != cg.controllers.end()) {
        // Exited tasks stay charged to pids until their parent reaps them.
        std::uint64_t threads = count_lines(cfs.read(cg.v2 / "cgroup.threads"));
        auto charged = number(cfs, it->second / "pids.current").value_or(0);
        u.procs_zombie = charged > threads ? charged - threads : 0;
    }
    if (auto stat = cfs.read(cg.v2 / "cpu.stat"); stat && keyed_value(*stat, "usage_usec")) {
        u.cpu_ns = *keyed_value(*stat, "usage_usec") * 1000;
    } else if (auto it = cg.controllers.find("cpuacct"); it != cg.controllers.end()) {
        u.cpu_ns = number(cfs, it->second / "cpuacct.usage").value_or(0);
    }
    if (auto it = cg.controllers.find("memory"); it != cg.controllers.end()) {
        bool v2 = it->second == cg.v2;
        u.memory_bytes = number(cfs, it->second / (v2 ? "memory.current" : "memory.usage_in_bytes")).value_or(0);
    }
    return u;
}

std::vector<pid_t> cgroup_pids(CgroupFs& cfs, const JailCgroups& cg) {
    std::vector<pid_t> out;
    auto text = cfs.read(cg.v2 / "cgroup.procs");
    if (!text) return out;
    std::istringstream in(*text);
    pid_t p;
    while (in >> p) out.push_back(p);
    return out;
}

void kill_cgroup(CgroupFs& cfs, const JailCgroups& cg) {
    try {
        cfs.write(cg.v2 / "cgroup.kill", "1");
    } catch (const SysError& e) {
        if (e.code() != ENOENT) throw;
    }
}

void freeze_cgroup(CgroupFs& cfs, const JailCgroups& cg, bool frozen, std::chrono::milliseconds timeout) {
    cfs.write(cg.v2 / "cgroup.freeze", frozen ? "1" : "0");
    if (frozen && !wait_event(cg.v2 / "cgroup.events", "frozen", 1, timeout))
        throw SysError("freeze " + cg.v2.string() + ": not frozen after " + std::to_string(timeout.count()) + " ms",
                       ETIMEDOUT);
}

bool wait_cgroup_empty(CgroupFs&, const JailCgroups& cg, std::chrono::milliseconds timeout, int also) {
    return wait_event(cg.v2 / "cgroup.events", "populated", 0, timeout, also);
}

void remove_jail_cgroups(CgroupFs& cfs, const JailCgroups& cg) {
    auto dirs = cg.directories();
    for (const auto& dir : dirs) cfs.remove_dir(dir);
    for (const auto& dir : dirs) {
        try {
            cfs.remove_dir(dir.parent_path());
        } catch (const SysError& e) {
            if (e.code() != EBUSY && e.code() != ENOTEMPTY) throw;
        }
    }
}

std::uint64_t cgroup_id(const JailCgroups& cg) {
    struct stat st;
    if (::stat(cg.v2.c_str(), &st) != 0) sys::throw_errno("stat " + cg.v2.string());
    return st.st_ino;
}

}  // namespace jailmgr::kernel::lnx
