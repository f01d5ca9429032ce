#include "hardening.hpp"

#include <linux/capability.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "landlock.hpp"
#include "sys/files.hpp"

namespace jailmgr::kernel::lnx {

namespace {

int last_cap() {
    try {
        return std::stoi(sys::read_file("/proc/sys/kernel/cap_last_cap"));
    } catch (const std::exception&) {
        return CAP_LAST_CAP;
    }
}

}  // namespace

Hardening make_hardening(const ProfilePlan& profile, const std::vector<sock_filter>& seccomp) {
    Hardening h;
    h.bounding = profile.bounding;
    h.root_caps = profile.bounding;
    h.ambient = profile.lock_securebits;
    h.lock_securebits = profile.lock_securebits;
    h.no_new_privs = profile.no_new_privs;
    h.seccomp = seccomp;
    h.landlock = landlock_scope_ruleset(profile.landlock_scopes);
    h.last_cap = last_cap();
    return h;
}

Hardening make_init_hardening(const ProfilePlan& profile, const std::vector<sock_filter>& seccomp) {
    Hardening h = make_hardening(profile, seccomp);
    h.root_caps = 0;
    h.ambient = false;
    // The init execs its small program as uid 0: with NOROOT locked that
    // exec grants no capabilities back, whatever the profile.  Its seccomp
    // filter is an allow-list (compile_init_seccomp), so it is loaded last,
    // under no_new_privs, at every profile.
    h.lock_securebits = true;
    h.no_new_privs = true;
    return h;
}

}  // namespace jailmgr::kernel::lnx
