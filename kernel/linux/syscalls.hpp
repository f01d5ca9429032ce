// syscalls.hpp -- thin wrappers for the Linux system calls that glibc 2.36
// does not wrap (clone3, pidfd_*, pivot_root, openat2, landlock_*, seccomp).
//
// Every wrapper is a direct syscall(2): no allocation, no locks, no glibc
// thread bookkeeping.  That makes them safe to call in a child created by a
// raw clone3 from a multi-threaded parent (where glibc's own setuid()
// wrappers would try to synchronise with threads that do not exist there).
// They return what the kernel returns (-1 and errno on failure).
#pragma once

#include <linux/sched.h>  // struct clone_args, CLONE_*
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>

namespace jailmgr::kernel::lnx::sysc {

inline long clone3(struct clone_args* args) { return ::syscall(SYS_clone3, args, sizeof *args); }

inline int pidfd_open(pid_t pid, unsigned flags = 0) {
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, flags));
}

inline int pidfd_send_signal(int pidfd, int sig) {
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

inline int pivot_root(const char* new_root, const char* put_old) {
    return static_cast<int>(::syscall(SYS_pivot_root, new_root, put_old));
}

inline int setns(int fd, int nstype) { return static_cast<int>(::syscall(SYS_setns, fd, nstype)); }

inline int unshare(int flags) { return static_cast<int>(::syscall(SYS_unshare, flags)); }

// Credentials: raw, so that no glibc setxid broadcast runs (see above).
inline int setresuid(uid_t r, uid_t e, uid_t s) { return static_cast<int>(::syscall(SYS_setresuid, r, e, s)); }
inline int setresgid(gid_t r, gid_t e, gid_t s) { return static_cast<int>(::syscall(SYS_setresgid, r, e, s)); }
inline int setgroups(size_t n, const gid_t* list) { return static_cast<int>(::syscall(SYS_setgroups, n, list)); }

inline int close_range(unsigned first, unsigned last, unsigned flags) {
    return static_cast<int>(::syscall(SYS_close_range, first, last, flags));
}

inline long openat2(int dirfd, const char* path, void* how, size_t size) {
    return ::syscall(SYS_openat2, dirfd, path, how, size);
}

inline long seccomp(unsigned op, unsigned flags, void* args) { return ::syscall(SYS_seccomp, op, flags, args); }

inline long landlock_create_ruleset(const void* attr, size_t size, std::uint32_t flags) {
    return ::syscall(SYS_landlock_create_ruleset, attr, size, flags);
}

inline long landlock_restrict_self(int fd, std::uint32_t flags) {
    return ::syscall(SYS_landlock_restrict_self, fd, flags);
}

inline long mount_setattr(int dfd, const char* path, unsigned flags, void* attr, size_t size) {
    return ::syscall(SYS_mount_setattr, dfd, path, flags, attr, size);
}

}  // namespace jailmgr::kernel::lnx::sysc
