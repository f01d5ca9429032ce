// create_check.hpp -- validate a create the way the NetBSD module does.
//
// The portable core (kernel/core) decides; this file only translates.  The
// registry is replayed into a struct jail_table (jail_table_restore), then
// the request goes through jail_create_validate and jail_table_create_begin
// exactly as in the kernel, so both drivers accept and refuse the same
// requests with the same errno.  Errnos become operator messages here
// ("jail name 'web' is already in use (jail 3)").
//
// Linux-only fields the core does not know (bind mounts, hostname, cgroup
// limits, layout) are checked by check_linux_fields().
#pragma once

#include <cstdint>
#include <vector>

#include "driver.hpp"
#include "jail_abi.h"
#include "registry.hpp"

namespace jailmgr::kernel::lnx {

// The ABI payload for a spec (ports in host byte order).
struct jail_create to_jail_create(const JailSpec& spec);

// Returns the ID the core hands out; throws DriverError (invalid, exists,
// port_taken, system) with an operator message.  `next_id` is the persisted
// counter (> JAIL_ID_MAX: exhausted).
JailId check_create(const JailSpec& spec, const std::vector<JailRecord>& existing, std::uint64_t next_id);

// Bind mounts, hostname, limits, layout.  Throws DriverError(invalid).
void check_linux_fields(const JailSpec& spec);

// Why the core would call this spec EINVAL, in words (first problem found).
std::string describe_invalid(const JailSpec& spec);

}  // namespace jailmgr::kernel::lnx
