// hardening.hpp -- apply a profile to the calling (child) process.
//
// make_hardening() runs in the parent: it compiles the seccomp program and
// opens the Landlock ruleset.  apply_hardening() runs in the child, between
// the namespace setup and execve, with raw system calls only.  Order:
//   1. at low (no no_new_privs): seccomp now, while CAP_SYS_ADMIN permits it
//   2. drop the capability bounding set
//   3. lock securebits: NOROOT set and locked; NO_SETUID_FIXUP and KEEP_CAPS
//      locked *off*, so a root service that switches to another user loses
//      its capabilities the normal way
//   4. credentials: setgroups, setresgid, setresuid
//   5. capabilities: root keeps the profile's set (as ambient capabilities
//      where NOROOT would otherwise strip them at exec); other users none
//   6. no_new_privs (medium/high)
//   7. Landlock scoping
//   8. seccomp, last, so the filter never has to allow the steps above
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <vector>

#include "child_report.hpp"
#include "profile_rules.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::kernel::lnx {

struct Hardening {
    std::uint64_t bounding = ~std::uint64_t{0};
    std::uint64_t root_caps = 0;  // jailed root's permitted/effective/inheritable set
    bool ambient = false;         // raise root_caps as ambient (NOROOT locked)
    bool lock_securebits = false;
    bool no_new_privs = false;
    std::vector<sock_filter> seccomp;
    sys::unique_fd landlock;  // empty: no scoping (profile low, or kernel without it)
    int last_cap = 40;
};

// `seccomp` is compile_seccomp(profile.seccomp), compiled once per instance.
Hardening make_hardening(const ProfilePlan& profile, const std::vector<sock_filter>& seccomp);

// The same, for the jail's init: no capabilities at all, whatever the
// profile, NOROOT locked so that its exec cannot bring any back, and
// `seccomp` is the init's allow-list (compile_init_seccomp).
Hardening make_init_hardening(const ProfilePlan& profile, const std::vector<sock_filter>& seccomp);

struct ChildCreds {
    bool set = false;  // false: stay root of the jail
    uid_t uid = 0;
    gid_t gid = 0;
    const gid_t* groups = nullptr;
    size_t ngroups = 0;
};

// Child side.  Returns 0, or -1 with errno and *failed set.
int apply_hardening(const Hardening& h, const ChildCreds& creds, Stage* failed);

}  // namespace jailmgr::kernel::lnx
