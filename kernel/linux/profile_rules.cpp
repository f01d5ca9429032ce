#include "profile_rules.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "landlock.hpp"

namespace jailmgr::kernel::lnx {

namespace {

SyscallDeny always(const char* name, int err = EPERM) { return {name, {}, err}; }
SyscallDeny when(const char* name, std::vector<scmp_arg_cmp> cmps) { return {name, std::move(cmps), EPERM}; }

// The one table: model action -> Linux mechanisms.  A row applies when the
// profile (plus its extra denials) denies the action.
struct Row {
    jail_action action;
    std::vector<SyscallDeny> syscalls;
    std::vector<int> caps;                  // dropped from the bounding set
    std::vector<const char*> masked_files;  // under /proc
    std::vector<const char*> masked_dirs;   // under /proc
};

const std::vector<Row>& table() {
    static const std::vector<Row> rows = {
        {JAIL_ACT_PRIVATE_READ,
         // The kernel log (syslog(2), and /proc/kmsg, which needs CAP_SYSLOG)
         // and keyrings: keyrings are not namespaced, so a jailed root would
         // share host root's user keyring (/proc/keys lists it).  timer_list
         // and sched_debug name every task on the host.
         {always("syslog"), always("keyctl"), always("add_key"), always("request_key")},
         {CAP_SYSLOG},
         {"keys", "key-users", "timer_list", "sched_debug"},
         {}},
        {JAIL_ACT_MOUNT,
         {always("mount"), always("umount2"), always("fsopen"), always("fsconfig"), always("fsmount"),
          always("fspick"), always("move_mount"), always("open_tree"), always("mount_setattr")},
         {CAP_SYS_ADMIN},
         {},
         {}},
        {JAIL_ACT_MODULE,
         {always("init_module"), always("finit_module"), always("delete_module")},
         {CAP_SYS_MODULE},
         {},
         {}},
        {JAIL_ACT_MKNOD,
         // Device nodes only: FIFOs and sockets stay possible.
         {when("mknod", {SCMP_A1(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFCHR)}),
          when("mknod", {SCMP_A1(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFBLK)}),
          when("mknodat", {SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFCHR)}),
          when("mknodat", {SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFBLK)})},
         {CAP_MKNOD},
         {},
         {}},
        {JAIL_ACT_CHROOT,
         // Changing root includes leaving or making namespaces.  clone3 hides
         // its flags in memory where seccomp cannot look: ENOSYS makes libc
         // fall back to clone(2), whose flags are checked.
         {always("chroot"), always("pivot_root"), always("setns"), always("unshare"),
          when("clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWNS, CLONE_NEWNS)}),
          when("clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUTS, CLONE_NEWUTS)}),
          when("clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWIPC, CLONE_NEWIPC)}),
          when("clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER)}),
          when("clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWPID, CLONE_NEWPID)}),
          when("clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWNET, CLONE_NEWNET)}),
          when("clone", {SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWCGROUP, CLONE_NEWCGROUP)}),
          always("clone3", ENOSYS)},
         {CAP_SYS_CHROOT},
         {},
         {}},
        {JAIL_ACT_REBOOT,
         {always("reboot"), always("kexec_load"), always("kexec_file_load")},
         {CAP_SYS_BOOT},
         {},
         {}},
        {JAIL_ACT_SWAP, {always("swapon"), always("swapoff")}, {CAP_SYS_ADMIN}, {}, {}},
        {JAIL_ACT_ACCOUNTING, {always("acct")}, {CAP_SYS_PACCT}, {}, {}},
        {JAIL_ACT_TIME,
         {always("settimeofday"), always("clock_settime"), always("adjtimex"), always("clock_adjtime")},
         {CAP_SYS_TIME, CAP_WAKE_ALARM},
         {},
         {}},
        {JAIL_ACT_CPU_ADMIN, {}, {CAP_SYS_NICE}, {}, {}},
        {JAIL_ACT_KERNADDR,
         // Kernel memory and addresses, and the usual ways to read or write
         // memory that is not one's own (other processes, the kernel).
         {always("bpf"), always("perf_event_open"), always("userfaultfd"), always("lookup_dcookie"),
          always("ptrace"), always("process_vm_readv"), always("process_vm_writev"), always("kcmp")},
         // /proc/kcore and /proc/kpage* need capabilities no profile keeps;
         // these are readable by root and show kernel addresses or layout.
         {CAP_SYS_RAWIO, CAP_SYS_PTRACE, CAP_BPF, CAP_PERFMON},
         {"kallsyms", "modules", "vmallocinfo", "slabinfo"},
         {}},
        {JAIL_ACT_FILEHANDLE,
         {always("open_by_handle_at"), always("name_to_handle_at")},
         {CAP_DAC_READ_SEARCH},
         {},
         {}},
        {JAIL_ACT_SYSCTL_WRITE,
         // /proc/sys is read-only at every profile (see compile_profile);
         // the UTS names are kernel tunables as kern.hostname is on BSD.
         {always("sethostname"), always("setdomainname")},
         {CAP_SYS_RESOURCE},
         {},
         {}},
        {JAIL_ACT_NET_ADMIN, {}, {CAP_NET_ADMIN, CAP_NET_BROADCAST}, {}, {}},
        {JAIL_ACT_RAW_SOCKET,
         // io_uring can create sockets (IORING_OP_SOCKET) behind seccomp's back.
         {when("socket", {SCMP_A0(SCMP_CMP_EQ, AF_PACKET)}),
          when("socket", {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_RAW)}), always("io_uring_setup"),
          always("io_uring_enter"), always("io_uring_register")},
         {CAP_NET_RAW},
         {},
         {}},
        {JAIL_ACT_ROUTE_SOCKET,
         {when("socket", {SCMP_A0(SCMP_CMP_EQ, AF_NETLINK), SCMP_A2(SCMP_CMP_EQ, NETLINK_ROUTE)})},
         {},
         {},
         {}},
        {JAIL_ACT_DEVICE,
         {always("quotactl"), always("ioprio_set")},
         {CAP_SYS_TTY_CONFIG, CAP_SYS_RAWIO, CAP_BLOCK_SUSPEND, CAP_LEASE},
         {},
         {"acpi", "asound", "scsi"}},
        {JAIL_ACT_MACHDEP, {always("iopl"), always("ioperm"), always("modify_ldt")}, {CAP_SYS_RAWIO}, {}, {}},
        {JAIL_ACT_SYSVIPC,
         {always("shmget"), always("shmat"), always("shmctl"), always("shmdt"), always("semget"), always("semop"),
          always("semtimedop"), always("semctl"), always("msgget"), always("msgsnd"), always("msgrcv"),
          always("msgctl")},
         {CAP_IPC_OWNER, CAP_IPC_LOCK},
         {},
         {}},
    };
    return rows;
}

std::uint64_t caps_of(std::initializer_list<int> caps) {
    std::uint64_t m = 0;
    for (int c : caps) m |= cap_bit(c);
    return m;
}

// What a Docker-like container keeps: enough to run services as root and
// drop privileges, nothing that administers the host.
const std::uint64_t container_caps =
    caps_of({CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_SETPCAP,
             CAP_NET_BIND_SERVICE, CAP_NET_RAW, CAP_SYS_CHROOT, CAP_MKNOD, CAP_AUDIT_WRITE, CAP_SETFCAP});
// medium/high: file ownership, privileged ports, switching users; no more.
const std::uint64_t hardened_caps = caps_of({CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL,
                                             CAP_SETGID, CAP_SETUID, CAP_NET_BIND_SERVICE});

// Host-global knobs that Linux protects with uid 0 only: read-only or masked
// in every profile, whatever the matrix says about sysctl writes.
const char* const always_read_only[] = {"sys", "sysrq-trigger", "irq", "fs", "bus"};

}  // namespace

ProfilePlan compile_profile(Profile profile, std::uint32_t deny_extra) {
    ProfilePlan p;
    p.profile = profile;
    p.deny_extra = deny_extra;
    const bool hardened = profile != Profile::low;
    p.bounding = hardened ? hardened_caps : container_caps;
    p.lock_securebits = hardened;
    p.no_new_privs = hardened;
    // Abstract unix sockets live in the network namespace, which jails share
    // with the host: scope them.  Signals need no Landlock scope: the PID
    // namespace already hides every process outside the jail, and a signal
    // scope would also cut processes of one jail off from each other (each
    // spawn is its own Landlock domain), breaking `jailmgr exec web -- kill
    // -HUP 7`.
    p.landlock_scopes = hardened ? landlock_scope_abstract_unix_socket : 0;

    // Every profile: no injecting input into the terminal we were given.
    p.seccomp.push_back(when("ioctl", {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI)}));
    p.seccomp.push_back(when("ioctl", {SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX)}));
    for (const char* f : always_read_only) p.proc_read_only.emplace_back(f);

    for (const Row& row : table()) {
        if (!jail_profile_denies(static_cast<std::uint32_t>(profile), deny_extra, row.action)) continue;
        p.denied.push_back(row.action);
        p.seccomp.insert(p.seccomp.end(), row.syscalls.begin(), row.syscalls.end());
        for (int c : row.caps) p.bounding &= ~cap_bit(c);
        for (const char* f : row.masked_files)
            if (std::find(p.proc_masked_files.begin(), p.proc_masked_files.end(), f) == p.proc_masked_files.end())
                p.proc_masked_files.emplace_back(f);
        for (const char* d : row.masked_dirs)
            if (std::find(p.proc_masked_dirs.begin(), p.proc_masked_dirs.end(), d) == p.proc_masked_dirs.end())
                p.proc_masked_dirs.emplace_back(d);
        if (row.action == JAIL_ACT_SYSCTL_WRITE) p.sys = SysMount::absent;
    }
    if (!jail_profile_denies(static_cast<std::uint32_t>(profile), deny_extra, JAIL_ACT_SYSCTL_WRITE))
        p.sys = SysMount::read_only;
    // A /proc directory that is masked need not also be made read-only.
    p.proc_read_only.erase(std::remove_if(p.proc_read_only.begin(), p.proc_read_only.end(),
                                          [&](const std::string& f) {
                                              return std::find(p.proc_masked_dirs.begin(), p.proc_masked_dirs.end(),
                                                               f) != p.proc_masked_dirs.end();
                                          }),
                           p.proc_read_only.end());
    return p;
}

}  // namespace jailmgr::kernel::lnx
