// hardening_apply.cpp -- the child side of hardening.hpp: raw system calls
// only, in a CLONE_VM child (built without sanitizers, see clone_vm.hpp).
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "hardening.hpp"
#include "syscalls.hpp"

namespace jailmgr::kernel::lnx {

namespace {

int load_seccomp(const std::vector<sock_filter>& prog) {
    struct sock_fprog fprog;
    fprog.len = static_cast<unsigned short>(prog.size());
    fprog.filter = const_cast<sock_filter*>(prog.data());
    return static_cast<int>(sysc::seccomp(SECCOMP_SET_MODE_FILTER, 0, &fprog));
}

int set_caps(std::uint64_t caps) {
    struct __user_cap_header_struct hdr;
    hdr.version = _LINUX_CAPABILITY_VERSION_3;
    hdr.pid = 0;
    struct __user_cap_data_struct data[2];
    std::memset(data, 0, sizeof data);
    for (int i = 0; i < 2; ++i) {
        auto half = static_cast<std::uint32_t>(caps >> (32 * i));
        data[i].effective = data[i].permitted = data[i].inheritable = half;
    }
    return static_cast<int>(::syscall(SYS_capset, &hdr, data));
}

}  // namespace

int apply_hardening(const Hardening& h, const ChildCreds& creds, Stage* failed) {
    auto fail = [&](Stage s) {
        *failed = s;
        return -1;
    };
    if (!h.no_new_privs && !h.seccomp.empty() && load_seccomp(h.seccomp) != 0) return fail(Stage::seccomp);

    for (int cap = 0; cap <= h.last_cap && cap < 64; ++cap)
        if (!(h.bounding & (std::uint64_t{1} << cap)) && ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
            errno != EINVAL)
            return fail(Stage::bounding_set);

    if (h.lock_securebits &&
        ::prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED |
                                       SECBIT_KEEP_CAPS_LOCKED,
                0, 0, 0) != 0)
        return fail(Stage::securebits);

    // The caller's supplementary groups are the host's: never keep them.
    if (sysc::setgroups(creds.set ? creds.ngroups : 0, creds.set ? creds.groups : nullptr) != 0)
        return fail(Stage::credentials);
    if (creds.set) {
        if (sysc::setresgid(creds.gid, creds.gid, creds.gid) != 0) return fail(Stage::credentials);
        if (sysc::setresuid(creds.uid, creds.uid, creds.uid) != 0) return fail(Stage::credentials);
    }

    const bool root = !creds.set || creds.uid == 0;
    const std::uint64_t caps = root ? (h.root_caps & h.bounding) : 0;
    if (set_caps(caps) != 0) return fail(Stage::capabilities);
    if (h.ambient && root)
        for (int cap = 0; cap <= h.last_cap && cap < 64; ++cap)
            if ((caps & (std::uint64_t{1} << cap)) && ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
                return fail(Stage::capabilities);

    if (h.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail(Stage::no_new_privs);
    if (h.landlock && sysc::landlock_restrict_self(h.landlock.get(), 0) != 0) return fail(Stage::landlock);
    if (h.no_new_privs && !h.seccomp.empty() && load_seccomp(h.seccomp) != 0) return fail(Stage::seccomp);
    return 0;
}

}  // namespace jailmgr::kernel::lnx
