// marshal.hpp -- JailSpec and JailInfo to and from the kernel's structs
// (kernel/core/jail_abi.h).  Pure functions: tested without any kernel.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "driver.hpp"
#include "jail_abi.h"

namespace jailmgr::kernel::netbsd {

// Check that the NetBSD driver can honour `spec` and that the kernel will
// accept it, then build the create payload.  The first problem found is
// thrown as DriverError: Errc::unsupported for what NetBSD cannot do
// (base: host, mounts, cgroup limits), Errc::invalid for what no kernel
// accepts, each with a message that names the jail and says what to change.
jail_create to_create(const JailSpec& spec);

// One listed jail as the engine sees it.  `now_mono_ns` is the kernel's
// clock (SysctlTransport::monotonic_ns) and `now` the wall clock, read at
// the same moment, to turn the creation time into a wall-clock time.
JailInfo to_info(const jail_info& info, std::uint64_t now_mono_ns,
                 std::chrono::system_clock::time_point now);

// A name or path for a message: control bytes shown as \xNN.
std::string printable(std::string_view s);

}  // namespace jailmgr::kernel::netbsd
