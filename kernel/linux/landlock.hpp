// landlock.hpp -- Landlock scoping (ABI >= 6): a jailed process may not
// signal processes outside its Landlock domain, nor connect to abstract unix
// sockets created outside it.  Jails share the host's network namespace,
// where abstract sockets are otherwise visible to everyone.
//
// Debian 12's uapi headers predate Landlock scoping, so the structure and
// flags are defined here (values from the kernel's uapi/linux/landlock.h).
//
// A domain is per landlock_restrict_self() call: two processes spawned
// separately into one jail sit in sibling domains and cannot signal each
// other or reach each other's abstract sockets; descendants of one spawn can.
#pragma once

#include <cstdint>

#include "sys/unique_fd.hpp"

namespace jailmgr::kernel::lnx {

inline constexpr std::uint64_t landlock_scope_abstract_unix_socket = 1u << 0;
inline constexpr std::uint64_t landlock_scope_signal = 1u << 1;

// Landlock ABI version of the running kernel, 0 if Landlock is unavailable.
int landlock_abi();

// A ruleset that handles no file or network access and only `scopes`;
// an empty fd when the kernel cannot scope (ABI < 6, or Landlock disabled).
sys::unique_fd landlock_scope_ruleset(std::uint64_t scopes);

}  // namespace jailmgr::kernel::lnx
