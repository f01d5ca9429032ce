// netbsd_driver.hpp -- the Driver for NetBSD's secmodel_jail module.
//
// Everything goes through a SysctlTransport (sysctl_transport.hpp): the
// real one on NetBSD, an in-process stand-in over the kernel core in the
// tests.  What NetBSD cannot do is refused with Errc::unsupported and a
// message that says what to use instead (Capabilities says the same).
#pragma once

#include <chrono>
#include <memory>

#include "driver.hpp"
#include "jail_abi.h"
#include "module_client.hpp"
#include "sysctl_transport.hpp"

namespace jailmgr::kernel::netbsd {

class NetbsdDriver final : public Driver {
public:
    explicit NetbsdDriver(std::shared_ptr<SysctlTransport> sysctl, DriverConfig config = {});

    Capabilities capabilities() const override;
    JailId create(const JailSpec& spec) override;
    void destroy(JailId id, bool force = false) override;
    std::vector<JailInfo> list() override;
    std::optional<JailInfo> find(JailId id) override;
    std::optional<JailInfo> find(std::string_view name) override;
    void update_limits(JailId id, const Limits& limits) override;
    std::unique_ptr<Session> attach(JailId id, Attach mode) override;
    Credentials resolve_user(JailId id, std::string_view user) override;

    // NetBSD only: module-wide counters, and signalling every member of a
    // jail (returns the live and zombie members found).
    jail_stats module_stats();
    jail_kill signal(JailId id, int sig);

    // How long destroy(force) keeps killing before it gives up (tests).
    void set_force_timeout(std::chrono::milliseconds t) { force_timeout_ = t; }

private:
    std::vector<jail_info> raw_list();
    std::string describe(JailId id);  // "jail 'web'" or "jail 7"
    [[noreturn]] void fail(const std::string& subject, const char* op, int err);
    [[noreturn]] void fail_create(const JailSpec& spec, int err);
    [[noreturn]] void fail_busy(JailId id, const std::string& subject, bool forced);

    std::shared_ptr<SysctlTransport> sysctl_;
    ModuleClient module_;
    DriverConfig config_;
    std::chrono::milliseconds force_timeout_{5000};
};

}  // namespace jailmgr::kernel::netbsd
