#include "seccomp_filter.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <memory>

#include "sys/error.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::kernel::lnx {

std::vector<sock_filter> compile_seccomp(const std::vector<SyscallDeny>& rules) {
    if (rules.empty()) return {};
    std::unique_ptr<void, void (*)(scmp_filter_ctx)> ctx(seccomp_init(SCMP_ACT_ALLOW), seccomp_release);
    if (!ctx) throw sys::SysError("seccomp_init", ENOMEM);
    auto check = [](int rc, const std::string& what) {
        if (rc < 0) throw sys::SysError("seccomp " + what, -rc);
    };
    // We set no_new_privs ourselves where the profile wants it (at low the
    // filter is loaded with CAP_SYS_ADMIN instead, so setuid binaries work).
    check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0), "attribute NNP");
    check(seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS), "attribute BADARCH");
    for (const auto& r : rules) {
        int nr = seccomp_syscall_resolve_name(r.syscall.c_str());
        if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture: nothing to deny
        check(seccomp_rule_add_array(ctx.get(), SCMP_ACT_ERRNO(static_cast<std::uint32_t>(r.err)), nr,
                                     static_cast<unsigned>(r.when.size()), r.when.data()),
              "rule for " + r.syscall);
    }
    // libseccomp 2.5 exports only to a file descriptor.
    sys::unique_fd mem(::memfd_create("jailmgr-seccomp", MFD_CLOEXEC));
    if (!mem) sys::throw_errno("memfd_create");
    check(seccomp_export_bpf(ctx.get(), mem.get()), "export");
    off_t size = ::lseek(mem.get(), 0, SEEK_END);
    if (size <= 0 || size % sizeof(sock_filter) != 0) throw sys::SysError("seccomp export: odd program size", EINVAL);
    std::vector<sock_filter> prog(static_cast<size_t>(size) / sizeof(sock_filter));
    if (::pread(mem.get(), prog.data(), static_cast<size_t>(size), 0) != size) sys::throw_errno("seccomp read back");
    return prog;
}

}  // namespace jailmgr::kernel::lnx
