#include "seccomp_filter.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>

#include "sys/error.hpp"
#include "sys/files.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::kernel::lnx {

namespace {

using Context = std::unique_ptr<void, void (*)(scmp_filter_ctx)>;

Context new_context(std::uint32_t default_action) {
    Context ctx(seccomp_init(default_action), seccomp_release);
    if (!ctx) throw sys::SysError("seccomp_init", ENOMEM);
    // We set no_new_privs ourselves where the profile wants it (at low the
    // filter is loaded with CAP_SYS_ADMIN instead, so setuid binaries work).
    seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0);
    seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
    return ctx;
}

std::vector<sock_filter> export_bpf(scmp_filter_ctx ctx) {
    // libseccomp 2.5 exports only to a file descriptor.
    sys::unique_fd mem(::memfd_create("jailmgr-seccomp", MFD_CLOEXEC));
    if (!mem) sys::throw_errno("memfd_create");
    if (int rc = seccomp_export_bpf(ctx, mem.get()); rc < 0) throw sys::SysError("seccomp export", -rc);
    off_t size = ::lseek(mem.get(), 0, SEEK_END);
    if (size <= 0 || size % sizeof(sock_filter) != 0) throw sys::SysError("seccomp export: odd program size", EINVAL);
    std::vector<sock_filter> prog(static_cast<size_t>(size) / sizeof(sock_filter));
    if (::pread(mem.get(), prog.data(), static_cast<size_t>(size), 0) != size) sys::throw_errno("seccomp read back");
    return prog;
}

// A compiled program kept in `file`; compiled (and stored) when absent.
template <class Compile>
std::vector<sock_filter> cached(const std::filesystem::path& file, Compile compile) {
    if (auto text = sys::read_file_if_exists(file); text && !text->empty() && text->size() % sizeof(sock_filter) == 0) {
        std::vector<sock_filter> prog(text->size() / sizeof(sock_filter));
        std::memcpy(prog.data(), text->data(), text->size());
        return prog;
    }
    auto prog = compile();
    try {
        sys::make_dirs(file.parent_path(), 0700);
        sys::write_file_atomic(
            file, std::string_view(reinterpret_cast<const char*>(prog.data()), prog.size() * sizeof(sock_filter)), 0600);
    } catch (const std::exception&) {
        // a cache that cannot be written is only slower
    }
    return prog;
}

// FNV-1a over the rules' text: stable across runs, which std::hash is not.
std::string rules_key(const std::vector<SyscallDeny>& rules) {
    std::ostringstream text;
    text << "v1 " << seccomp_arch_native();
    for (const auto& r : rules) {
        text << ';' << r.syscall << ':' << r.err;
        for (const auto& c : r.when) text << ',' << c.arg << '/' << c.op << '/' << c.datum_a << '/' << c.datum_b;
    }
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char ch : text.str()) {
        h ^= ch;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace

std::vector<sock_filter> compile_seccomp(const std::vector<SyscallDeny>& rules) {
    if (rules.empty()) return {};
    auto ctx = new_context(SCMP_ACT_ALLOW);
    for (const auto& r : rules) {
        int nr = seccomp_syscall_resolve_name(r.syscall.c_str());
        if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture: nothing to deny
        int rc = seccomp_rule_add_array(ctx.get(), SCMP_ACT_ERRNO(static_cast<std::uint32_t>(r.err)), nr,
                                        static_cast<unsigned>(r.when.size()), r.when.data());
        if (rc < 0) throw sys::SysError("seccomp rule for " + r.syscall, -rc);
    }
    return export_bpf(ctx.get());
}

std::vector<sock_filter> compile_seccomp_cached(const std::vector<SyscallDeny>& rules,
                                                const std::filesystem::path& cache_dir) {
    if (rules.empty()) return {};
    return cached(cache_dir / ("seccomp-" + rules_key(rules) + ".bpf"), [&] { return compile_seccomp(rules); });
}

std::vector<sock_filter> compile_init_seccomp(const std::filesystem::path& cache_dir) {
    auto file = cache_dir / ("seccomp-init-v1-" + std::to_string(seccomp_arch_native()) + ".bpf");
    return cached(file, [] {
        auto ctx = new_context(SCMP_ACT_KILL_PROCESS);
        for (const char* name : {"close_range", "fcntl", "execveat", "prctl", "rt_sigprocmask", "signalfd4", "write",
                                 "close", "wait4", "poll", "read", "exit_group", "exit", "restart_syscall"}) {
            int nr = seccomp_syscall_resolve_name(name);
            if (nr == __NR_SCMP_ERROR) continue;
            if (int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_ALLOW, nr, 0); rc < 0)
                throw sys::SysError(std::string("seccomp allow ") + name, -rc);
        }
        return export_bpf(ctx.get());
    });
}

}  // namespace jailmgr::kernel::lnx
