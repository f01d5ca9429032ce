// port_hook.hpp -- one instance's bind hook: maps, programs and links,
// pinned in bpffs so they outlive the process that made them.
//
//   /sys/fs/bpf/jailmgr/<instance>/ports   HASH  port -> PortOwner
//   /sys/fs/bpf/jailmgr/<instance>/jails   HASH  cgroup id -> JailSlot
//   /sys/fs/bpf/jailmgr/<instance>/bind4   link: program at the cgroup2 root
//   /sys/fs/bpf/jailmgr/<instance>/bind6   link: same program, IPv6 binds
//
// Every jail is registered in `jails` (even one without ports: a jailed root
// must never pass for host root).  When the last jail of the instance goes,
// unpin() removes the directory; the links, and with them the programs,
// vanish with the last reference.  Callers hold the instance's driver lock.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "driver.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::kernel::lnx {

class PortHook {
public:
    // The pinned hook of `instance`, std::nullopt if there is none.
    static std::optional<PortHook> open(const std::string& instance);
    // The same, building and pinning it first if absent (mounting bpffs at
    // /sys/fs/bpf when needed).  `cgroup2_root` is the mount point of the
    // cgroup2 hierarchy, where the programs are attached.
    static PortHook open_or_create(const std::string& instance, const std::filesystem::path& cgroup2_root);

    // Registers a jail and reserves its ports.  Transactional: throws
    // DriverError(port_taken) naming the port if another jail holds it.
    void add_jail(std::uint64_t cgroup_id, JailId id, const std::string& name, const std::vector<std::uint16_t>& ports);
    // Removes what add_jail added (missing entries are fine).
    void remove_jail(std::uint64_t cgroup_id, const std::vector<std::uint16_t>& ports);

    // Binds refused to this jail so far.
    std::uint64_t denied(std::uint64_t cgroup_id) const;
    // Owner of a reserved port (cgroup id, jail id), if any.
    std::optional<std::pair<std::uint64_t, JailId>> owner(std::uint16_t port) const;
    bool has_jail(std::uint64_t cgroup_id) const;
    bool unused() const;  // no jail registered
    // Unpins everything of this instance (call when unused()).
    void unpin();

    static std::filesystem::path pin_dir(const std::string& instance);

private:
    PortHook() = default;
    static std::optional<PortHook> open_impl(const std::string& instance, const std::filesystem::path& cgroup2_root,
                                             bool create);
    std::filesystem::path dir_;
    sys::unique_fd ports_, jails_;
};

}  // namespace jailmgr::kernel::lnx
