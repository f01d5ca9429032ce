#include "landlock.hpp"

#include <cerrno>

#include "sys/error.hpp"
#include "syscalls.hpp"

namespace jailmgr::kernel::lnx {

namespace {

// struct landlock_ruleset_attr as of ABI 6.
struct RulesetAttr {
    std::uint64_t handled_access_fs;
    std::uint64_t handled_access_net;
    std::uint64_t scoped;
};

constexpr std::uint32_t create_ruleset_version = 1u << 0;

}  // namespace

int landlock_abi() {
    long v = sysc::landlock_create_ruleset(nullptr, 0, create_ruleset_version);
    return v < 0 ? 0 : static_cast<int>(v);
}

sys::unique_fd landlock_scope_ruleset(std::uint64_t scopes) {
    if (scopes == 0 || landlock_abi() < 6) return {};
    RulesetAttr attr{0, 0, scopes};
    long fd = sysc::landlock_create_ruleset(&attr, sizeof attr, 0);
    if (fd < 0) sys::throw_errno("landlock_create_ruleset");
    return sys::unique_fd(static_cast<int>(fd));
}

}  // namespace jailmgr::kernel::lnx
