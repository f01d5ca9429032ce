// module_client.cpp -- the sysctl protocol of each security.models.jail node.
#include "module_client.hpp"

#include <cerrno>

namespace jailmgr::kernel::netbsd {

bool ModuleClient::loaded() {
    char name[64];
    std::size_t len = sizeof name;
    return sysctl_.call(JAIL_SYSCTL_NAME, name, &len, nullptr, 0) == 0;
}

int ModuleClient::create(jail_create& inout) {
    std::size_t len = sizeof inout;
    return sysctl_.call(JAIL_SYSCTL_CREATE, &inout, &len, &inout, sizeof inout);
}

int ModuleClient::destroy(jail_id_t id) {
    return sysctl_.call(JAIL_SYSCTL_DESTROY, nullptr, nullptr, &id, sizeof id);
}

int ModuleClient::list(std::vector<jail_info>& out) {
    // Size, then fetch with room for a few more; if the list grew past that
    // in between (ENOMEM), size again.  Bounded, like the kernel's own retry.
    for (int attempt = 0; attempt < 8; attempt++) {
        std::size_t len = 0;
        if (int err = sysctl_.call(JAIL_SYSCTL_LIST, nullptr, &len, nullptr, 0)) return err;
        out.resize(len / sizeof(jail_info) + 4);
        len = out.size() * sizeof(jail_info);
        int err = sysctl_.call(JAIL_SYSCTL_LIST, out.data(), &len, nullptr, 0);
        if (err == ENOMEM) continue;
        if (err != 0) return err;
        out.resize(len / sizeof(jail_info));
        return 0;
    }
    return EAGAIN;
}

int ModuleClient::stats(jail_stats& out) {
    std::size_t len = sizeof out;
    return sysctl_.call(JAIL_SYSCTL_STATS, &out, &len, nullptr, 0);
}

int ModuleClient::kill(jail_id_t id, int sig, jail_kill& out) {
    out = jail_kill{};
    out.jk_id = id;
    out.jk_signal = sig;
    std::size_t len = sizeof out;
    return sysctl_.call(JAIL_SYSCTL_KILL, &out, &len, &out, sizeof out);
}

int ModuleClient::own_id(jail_id_t& out) {
    std::size_t len = sizeof out;
    return sysctl_.call(JAIL_SYSCTL_ID, &out, &len, nullptr, 0);
}

}  // namespace jailmgr::kernel::netbsd
