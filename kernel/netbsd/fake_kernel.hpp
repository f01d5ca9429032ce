// fake_kernel.hpp -- a SysctlTransport that is the secmodel_jail module's
// sysctl tree, in-process, for tests.
//
// Each node dispatches to the same kernel/core function the module's
// handler calls (jail_sysctl_create, ..._list, ...), with the test
// environment of kernel/core/jail_test_env.hpp standing in for locks,
// copyin/copyout, the process table and the caller's credential.  So a
// driver test exercises the module's real protocol and errnos; only what
// the environment does (namei, process walks) is simulated.
#pragma once

#include <string_view>

#include "jail_test_env.hpp"
#include "sysctl_transport.hpp"

namespace jailmgr::kernel::netbsd {

class FakeKernel final : public SysctlTransport {
public:
    testing::JailTestEnv env;   // knobs: who, members, chrooted, errors, now_ns
    bool loaded = true;         // false: every node is missing (ENOENT)
    int calls = 0;

    int call(std::string_view name, void* oldp, std::size_t* oldlenp, const void* newp,
             std::size_t newlen) override;
    std::unique_ptr<PreparedWrite> prepare_write(std::string_view name) override;
    std::uint64_t monotonic_ns() override { return env.now_ns; }
};

}  // namespace jailmgr::kernel::netbsd
