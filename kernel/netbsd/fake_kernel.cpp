// fake_kernel.cpp -- node names to core handlers, as secmodel_jail.c does.
#include "fake_kernel.hpp"

#include <cerrno>
#include <cstring>
#include <string>

#include "jail_sysctl.h"

namespace jailmgr::kernel::netbsd {

namespace {

using Handler = int (*)(const jail_sysctl_env*, void*, const jail_subject*,
                        const jail_sysctl_req*);

Handler handler_for(std::string_view name) {
    if (name == JAIL_SYSCTL_ID) return jail_sysctl_id;
    if (name == JAIL_SYSCTL_CREATE) return jail_sysctl_create;
    if (name == JAIL_SYSCTL_DESTROY) return jail_sysctl_destroy;
    if (name == JAIL_SYSCTL_LIST) return jail_sysctl_list;
    if (name == JAIL_SYSCTL_STATS) return jail_sysctl_stats;
    if (name == JAIL_SYSCTL_KILL) return jail_sysctl_kill;
    return nullptr;
}

// The string node, with sysctl's own semantics.
int read_name(void* oldp, std::size_t* oldlenp) {
    static const char name[] = SECMODEL_JAIL_NAME;
    if (oldlenp == nullptr) return 0;
    if (oldp == nullptr) {
        *oldlenp = sizeof name;
        return 0;
    }
    if (*oldlenp < sizeof name) return ENOMEM;
    std::memcpy(oldp, name, sizeof name);
    *oldlenp = sizeof name;
    return 0;
}

class FakeWrite final : public PreparedWrite {
public:
    FakeWrite(FakeKernel& k, std::string name) : kernel_(k), name_(std::move(name)) {}
    int write(const void* data, std::size_t len) noexcept override {
        return kernel_.call(name_, nullptr, nullptr, data, len);
    }

private:
    FakeKernel& kernel_;
    std::string name_;
};

}  // namespace

int FakeKernel::call(std::string_view name, void* oldp, std::size_t* oldlenp, const void* newp,
                     std::size_t newlen) {
    calls++;
    if (!loaded) return ENOENT;
    if (name == JAIL_SYSCTL_NAME) return newp ? EPERM : read_name(oldp, oldlenp);
    Handler h = handler_for(name);
    if (h == nullptr) return ENOENT;
    return env.call(h, oldp, oldlenp, newp, newlen);
}

std::unique_ptr<PreparedWrite> FakeKernel::prepare_write(std::string_view name) {
    return std::make_unique<FakeWrite>(*this, std::string(name));
}

}  // namespace jailmgr::kernel::netbsd
