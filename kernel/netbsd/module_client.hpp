// module_client.hpp -- one call per security.models.jail node, with the
// node's size protocol (exact structs, size-then-fetch for the list) and
// raw errno results.  Turning errnos into messages is the driver's job.
#pragma once

#include <cstdint>
#include <vector>

#include "jail_abi.h"
#include "sysctl_transport.hpp"

namespace jailmgr::kernel::netbsd {

class ModuleClient {
public:
    explicit ModuleClient(SysctlTransport& sysctl) : sysctl_(sysctl) {}

    bool loaded();                                // the name node answers
    int create(jail_create& inout);               // jc_id filled in
    int destroy(jail_id_t id);
    int list(std::vector<jail_info>& out);        // retries while the list grows
    int stats(jail_stats& out);
    int kill(jail_id_t id, int sig, jail_kill& out);
    int own_id(jail_id_t& out);

private:
    SysctlTransport& sysctl_;
};

}  // namespace jailmgr::kernel::netbsd
