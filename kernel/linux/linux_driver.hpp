// linux_driver.hpp -- the Driver of DESIGN.md section 5.
//
// A jail is a registry record (registry.hpp) plus kernel objects: cgroups
// (jail_cgroups.hpp), an entry in the instance's BPF bind hook
// (port_hook.hpp) and its ports in ip_local_reserved_ports
// (reserved_ports.hpp).  Create builds them in that order and undoes them in
// reverse on any failure; destroy removes them in reverse.  Processes run in
// an instance (namespaces anchored by an init) reached through a Session.
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "cgroup_fs.hpp"
#include "cgroup_layout.hpp"
#include "driver.hpp"
#include "registry.hpp"
#include "reserved_ports.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::kernel::lnx {

class PortHook;

class LinuxDriver : public Driver {
public:
    explicit LinuxDriver(const DriverConfig& config);

    Capabilities capabilities() const override;
    JailId create(const JailSpec& spec) override;
    void destroy(JailId id, bool force = false) override;
    std::vector<JailInfo> list() override;
    std::vector<JailInfo> list_specs() override;
    void sync() override;
    std::optional<JailInfo> find(JailId id) override;
    std::optional<JailInfo> find(std::string_view name) override;
    void update_limits(JailId id, const Limits& limits) override;
    std::unique_ptr<Session> attach(JailId id, Attach mode) override;
    Credentials resolve_user(JailId id, std::string_view user) override;

private:
    const CgroupLayout& layout();
    JailRecord load_or_throw(JailId id) const;
    JailInfo info_of(const JailRecord& rec, const std::optional<PortHook>& hook);
    struct PortHolder holder_of(const JailRecord& rec) const;

    DriverConfig config_;
    Registry registry_;
    IdCounter ids_;
    std::shared_ptr<CgroupFs> cgfs_;
    std::optional<CgroupLayout> layout_;
    ReservedPorts reserved_;
    // Made on first use; the mutex makes that safe from several threads
    // (everything else is state on disk, serialised by the registry lock).
    std::mutex lazy_;
    sys::unique_fd init_program_;  // jail_init_prog in a sealed memfd
};

}  // namespace jailmgr::kernel::lnx
