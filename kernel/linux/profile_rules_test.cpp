// What each profile turns into on Linux, as values (nothing is applied).
#include "profile_rules.hpp"

#include <doctest/doctest.h>
#include <linux/capability.h>
#include <sys/mount.h>

#include <algorithm>

#include "root_plan.hpp"
#include "seccomp_filter.hpp"
#include "spawn_child.hpp"

using namespace jailmgr::kernel;
using namespace jailmgr::kernel::lnx;

namespace {

bool denies_syscall(const ProfilePlan& p, const std::string& name) {
    return std::any_of(p.seccomp.begin(), p.seccomp.end(), [&](const SyscallDeny& d) { return d.syscall == name; });
}

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST_CASE("every profile denies the kernel log and keeps /proc/sys read-only") {
    for (auto p : {Profile::low, Profile::medium, Profile::high}) {
        auto plan = compile_profile(p, 0);
        CHECK(denies_syscall(plan, "syslog"));
        CHECK(denies_syscall(plan, "keyctl"));
        CHECK(has(plan.proc_masked_files, "keys"));
        CHECK(has(plan.proc_read_only, "sys"));
        CHECK((plan.bounding & cap_bit(CAP_SYS_ADMIN)) == 0);
        CHECK((plan.bounding & cap_bit(CAP_SYS_MODULE)) == 0);
        CHECK((plan.bounding & cap_bit(CAP_SYSLOG)) == 0);
    }
}

TEST_CASE("low is container-like: capabilities decide, few system calls are filtered") {
    auto low = compile_profile(Profile::low, 0);
    CHECK((low.bounding & cap_bit(CAP_NET_RAW)) != 0);
    CHECK((low.bounding & cap_bit(CAP_MKNOD)) != 0);
    CHECK((low.bounding & cap_bit(CAP_SYS_CHROOT)) != 0);
    CHECK_FALSE(low.no_new_privs);
    CHECK_FALSE(low.lock_securebits);
    CHECK(low.landlock_scopes == 0);
    CHECK_FALSE(denies_syscall(low, "mount"));
    CHECK_FALSE(denies_syscall(low, "ptrace"));
    CHECK(low.sys == SysMount::read_only);
    CHECK(low.denied == std::vector<jail_action>{JAIL_ACT_PRIVATE_READ});
}

TEST_CASE("medium locks privileges down and filters host administration") {
    auto m = compile_profile(Profile::medium, 0);
    CHECK(m.no_new_privs);
    CHECK(m.lock_securebits);
    CHECK(m.landlock_scopes != 0);
    for (const char* s : {"mount", "umount2", "open_tree", "reboot", "finit_module", "chroot", "pivot_root", "setns",
                          "unshare", "clock_settime", "ptrace", "bpf", "open_by_handle_at", "io_uring_setup", "acct",
                          "swapon", "iopl"})
        CHECK_MESSAGE(denies_syscall(m, s), s);
    CHECK_FALSE(denies_syscall(m, "shmget"));
    CHECK((m.bounding & cap_bit(CAP_NET_RAW)) == 0);
    CHECK((m.bounding & cap_bit(CAP_MKNOD)) == 0);
    CHECK((m.bounding & cap_bit(CAP_NET_BIND_SERVICE)) != 0);
    CHECK((m.bounding & cap_bit(CAP_SETUID)) != 0);
    CHECK(m.sys == SysMount::absent);
    CHECK(has(m.proc_masked_files, "kallsyms"));
}

TEST_CASE("high adds System V IPC; a named profile's extra denial adds it at medium") {
    CHECK(denies_syscall(compile_profile(Profile::high, 0), "shmget"));
    CHECK(denies_syscall(compile_profile(Profile::high, 0), "msgget"));
    auto medium_ipc = compile_profile(Profile::medium, 1u << JAIL_ACT_SYSVIPC);
    CHECK(denies_syscall(medium_ipc, "semop"));
    auto low_raw = compile_profile(Profile::low, 1u << JAIL_ACT_RAW_SOCKET);
    CHECK((low_raw.bounding & cap_bit(CAP_NET_RAW)) == 0);
    CHECK(denies_syscall(low_raw, "socket"));
}

TEST_CASE("the deny lists compile to seccomp programs") {
    for (auto p : {Profile::low, Profile::medium, Profile::high})
        CHECK(compile_seccomp(compile_profile(p, 0).seccomp).size() > 10);
    CHECK(compile_seccomp({}).empty());
}

TEST_CASE("a host_base root shares /usr read-only and builds /dev, /proc, /tmp") {
    JailSpec s;
    s.name = "web";
    s.root = "/srv/web";
    s.mounts = {BindMount{"/srv/data", "/data", true}};
    auto steps = root_steps(s, compile_profile(Profile::high, 0));
    std::vector<std::string> text;
    for (const auto& st : steps) text.push_back(describe(st));
    CHECK(text.front() == "make the mount namespace private");
    CHECK(text[1] == "bind the jail root onto itself");
    CHECK(has(text, "bind /usr on /usr (read-only, nosuid, nodev)"));
    CHECK(has(text, "mount tmpfs on /tmp"));
    CHECK(has(text, "mount proc on /proc"));
    CHECK(has(text, "bind /dev/null on /dev/null"));
    CHECK(has(text, "mount devpts on /dev/pts"));
    CHECK(has(text, "make /proc/sys read-only"));
    CHECK(has(text, "bind /dev/null on /proc/kallsyms (read-only)"));
    CHECK_FALSE(has(text, "mount sysfs on /sys"));  // absent at high
    CHECK(has(text, "bind /srv/data on /data (read-only, nosuid, nodev)"));
    CHECK(text[text.size() - 2] == "set hostname 'web'");
    CHECK(text.back() == "pivot_root into the jail root");

    s.layout = Layout::rootfs;
    s.hostname = "other";
    auto low = root_steps(s, compile_profile(Profile::low, 0));
    text.clear();
    for (const auto& st : low) text.push_back(describe(st));
    CHECK_FALSE(has(text, "bind /usr on /usr (read-only, nosuid, nodev)"));
    CHECK(has(text, "mount sysfs on /sys"));
    CHECK(has(text, "set hostname 'other'"));
}

TEST_CASE("the command is looked up in the jail's PATH unless it has a slash") {
    CHECK(exec_candidates("/bin/sh", "/usr/bin") == std::vector<std::string>{"/bin/sh"});
    CHECK(exec_candidates("sh", "/a:/b") == std::vector<std::string>{"/a/sh", "/b/sh"});
    CHECK(exec_candidates("sh", "/a::") == std::vector<std::string>{"/a/sh", "./sh", "./sh"});
}
