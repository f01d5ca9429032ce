#include "port_hook.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

#include "bind_program.hpp"
#include "bpf_sys.hpp"
#include "sys/error.hpp"
#include "sys/files.hpp"

namespace jailmgr::kernel::lnx {

namespace fs = std::filesystem;

namespace {

constexpr const char* bpffs_mount = "/sys/fs/bpf";
constexpr std::uint32_t max_jails = 4096;
constexpr std::uint32_t max_ports = 4096 * 8;
const char* const pin_names[] = {"ports", "jails", "bind4", "bind6"};

bool bpffs_mounted() {
    struct statfs st;
    return ::statfs(bpffs_mount, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

// bpffs is not mounted at boot on our machines.  Several instances may race
// to mount it: a host-wide lock keeps it to one mount.
void ensure_bpffs() {
    if (bpffs_mounted()) return;
    sys::FileLock lock("/run/jailmgr-bpffs.lock");
    if (bpffs_mounted()) return;
    if (::mount("bpf", bpffs_mount, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") != 0)
        sys::throw_errno(std::string("mount bpffs on ") + bpffs_mount);
}

void unpin_all(const fs::path& dir) {
    for (const char* n : pin_names) ::unlink((dir / n).c_str());
    ::rmdir(dir.c_str());
    ::rmdir(dir.parent_path().c_str());  // /sys/fs/bpf/jailmgr, when no instance is left
}

}  // namespace

fs::path PortHook::pin_dir(const std::string& instance) { return fs::path(bpffs_mount) / "jailmgr" / instance; }

std::optional<PortHook> PortHook::open(const std::string& instance) { return open_impl(instance, {}, false); }

PortHook PortHook::open_or_create(const std::string& instance, const fs::path& cgroup2_root) {
    return *open_impl(instance, cgroup2_root, true);
}

std::optional<PortHook> PortHook::open_impl(const std::string& instance, const fs::path& cgroup2_root, bool create) {
    PortHook h;
    h.dir_ = pin_dir(instance);
    if (!create && !bpffs_mounted()) return std::nullopt;
    if (create) {
        ensure_bpffs();
        sys::make_dirs(h.dir_, 0700);
    }
    auto ports = bpf::obj_get(h.dir_ / "ports");
    auto jails = bpf::obj_get(h.dir_ / "jails");
    struct stat st;
    bool links = ::stat((h.dir_ / "bind4").c_str(), &st) == 0 && ::stat((h.dir_ / "bind6").c_str(), &st) == 0;
    if (ports && jails && links) {
        h.ports_ = std::move(*ports);
        h.jails_ = std::move(*jails);
        return h;
    }
    if (!create) return std::nullopt;
    // A crash between pins leaves a partial set.  Rebuild it unless it still
    // holds reservations (then an operator must look).
    if ((ports && !bpf::map_empty(ports->get(), sizeof(std::uint32_t))) ||
        (jails && !bpf::map_empty(jails->get(), sizeof(std::uint64_t))))
        throw DriverError(Errc::system, "port reservations: the BPF objects in " + h.dir_.string() +
                                            " are incomplete but still hold entries (remove the directory "
                                            "after destroying this instance's jails)");
    for (const char* n : pin_names) ::unlink((h.dir_ / n).c_str());

    try {
        h.ports_ = bpf::map_create(BPF_MAP_TYPE_HASH, sizeof(std::uint32_t), sizeof(PortOwner), max_ports, "jm_ports");
        h.jails_ = bpf::map_create(BPF_MAP_TYPE_HASH, sizeof(std::uint64_t), sizeof(JailSlot), max_jails, "jm_jails");
        auto insns = bind_program(h.ports_.get(), h.jails_.get(), current_pid_namespace());
        auto prog4 = bpf::prog_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET4_BIND, insns, "jm_bind4");
        auto prog6 = bpf::prog_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_CGROUP_INET6_BIND, insns, "jm_bind6");
        sys::unique_fd root(::open(cgroup2_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!root) sys::throw_errno("open cgroup2 root " + cgroup2_root.string());
        auto link4 = bpf::link_create(prog4.get(), root.get(), BPF_CGROUP_INET4_BIND);
        auto link6 = bpf::link_create(prog6.get(), root.get(), BPF_CGROUP_INET6_BIND);
        bpf::obj_pin(h.ports_.get(), h.dir_ / "ports");
        bpf::obj_pin(h.jails_.get(), h.dir_ / "jails");
        // Links last: until they are pinned, closing their fds detaches them.
        bpf::obj_pin(link4.get(), h.dir_ / "bind4");
        bpf::obj_pin(link6.get(), h.dir_ / "bind6");
    } catch (const std::exception& e) {
        unpin_all(h.dir_);
        throw DriverError(Errc::system, std::string("port reservations: cannot install the BPF bind hook: ") + e.what());
    }
    return h;
}

void PortHook::add_jail(std::uint64_t cgroup_id, JailId id, const std::string& name,
                        const std::vector<std::uint16_t>& ports) {
    JailSlot slot;
    slot.jail_id = id;
    bpf::map_update(jails_.get(), &cgroup_id, &slot, BPF_ANY);
    std::vector<std::uint16_t> done;
    try {
        for (auto p : ports) {
            std::uint32_t key = port_key(p);
            PortOwner o;
            o.cgroup_id = cgroup_id;
            o.jail_id = id;
            if (!bpf::map_update(ports_.get(), &key, &o, BPF_NOEXIST)) {
                PortOwner other;
                bpf::map_lookup(ports_.get(), &key, &other);
                throw DriverError(Errc::port_taken, "jail '" + name + "': port " + std::to_string(p) +
                                                        " is already reserved by jail " + std::to_string(other.jail_id),
                                  EEXIST);
            }
            done.push_back(p);
        }
    } catch (...) {
        remove_jail(cgroup_id, done);
        throw;
    }
}

void PortHook::remove_jail(std::uint64_t cgroup_id, const std::vector<std::uint16_t>& ports) {
    for (auto p : ports) {
        std::uint32_t key = port_key(p);
        PortOwner o;
        // Only the owner's entry: never drop another jail's reservation.
        if (bpf::map_lookup(ports_.get(), &key, &o) && o.cgroup_id == cgroup_id) bpf::map_delete(ports_.get(), &key);
    }
    bpf::map_delete(jails_.get(), &cgroup_id);
}

std::uint64_t PortHook::denied(std::uint64_t cgroup_id) const {
    JailSlot slot;
    return bpf::map_lookup(jails_.get(), &cgroup_id, &slot) ? slot.denied : 0;
}

std::optional<std::pair<std::uint64_t, JailId>> PortHook::owner(std::uint16_t port) const {
    std::uint32_t key = port_key(port);
    PortOwner o;
    if (!bpf::map_lookup(ports_.get(), &key, &o)) return std::nullopt;
    return std::make_pair(o.cgroup_id, static_cast<JailId>(o.jail_id));
}

bool PortHook::has_jail(std::uint64_t cgroup_id) const {
    JailSlot slot;
    return bpf::map_lookup(jails_.get(), &cgroup_id, &slot);
}

bool PortHook::unused() const { return bpf::map_empty(jails_.get(), sizeof(std::uint64_t)); }

void PortHook::unpin() { unpin_all(dir_); }

}  // namespace jailmgr::kernel::lnx
