// sysctl_transport.hpp -- the seam between the NetBSD driver and the
// kernel: sysctl(3) by name, nothing else.
//
// On NetBSD, sysctl_netbsd.cpp implements it with sysctlbyname(3).  In the
// tests, fake_kernel.hpp implements it by calling the very functions the
// secmodel_jail module's sysctl handlers call (kernel/core/jail_sysctl.h),
// so the driver's marshalling and error handling are tested against the
// real protocol on any host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace jailmgr::kernel::netbsd {

// A sysctl write resolved in the parent and performed later in a forked
// child, where only async-signal-safe calls are allowed (no allocation,
// no name lookup).
class PreparedWrite {
public:
    virtual ~PreparedWrite() = default;
    // 0, or an errno value.
    virtual int write(const void* data, std::size_t len) noexcept = 0;
};

class SysctlTransport {
public:
    virtual ~SysctlTransport() = default;
    // sysctl(3) semantics: oldp/oldlenp receive the old value (oldp NULL:
    // *oldlenp receives the size needed), newp/newlen set a new one.
    // Returns 0 or an errno value, never -1.
    virtual int call(std::string_view name, void* oldp, std::size_t* oldlenp,
                     const void* newp, std::size_t newlen) = 0;
    virtual std::unique_ptr<PreparedWrite> prepare_write(std::string_view name) = 0;
    // CLOCK_MONOTONIC in nanoseconds: the clock of jail_info::ji_created_ns.
    virtual std::uint64_t monotonic_ns() = 0;
};

}  // namespace jailmgr::kernel::netbsd
