// jail_probe -- runs inside a jail and performs ONE attempt, then prints
// one line with the outcome:
//   OK            the operation succeeded
//   ERR:<ERRNO>   it failed with that errno (EPERM, EROFS, ...)
//   EMPTY         a read succeeded but returned nothing (a masked file)
//   CONTAINED     an escape technique ran but the host stayed invisible
//   INERT:<ERRNO> a device node could be created but not opened
//   SURVIVED      a kill of the jail's init returned 0 and had no effect
//   ESCAPED       the host became visible: always a failure
// It also hosts the workloads of the integration tests (hog, forks, burn).
//
// Built static and without sanitizers: it runs in jails whose root is a
// different filesystem, under seccomp filters that would trip ASan's runtime.
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace {

int report(const char* outcome) {
    printf("%s\n", outcome);
    return 0;
}

int report_err(int err) {
    const char* name = strerrorname_np(err);
    printf("ERR:%s\n", name ? name : "UNKNOWN");
    return 0;
}

// OK if rc >= 0, else ERR:<errno>.
int result(long rc) { return rc >= 0 ? report("OK") : report_err(errno); }

std::string arg(const std::vector<std::string>& a, size_t i) { return i < a.size() ? a[i] : std::string(); }

int try_bind(const std::string& family, const std::string& proto, const std::string& where, int port) {
    int af = family == "v6" ? AF_INET6 : AF_INET;
    int fd = socket(af, proto == "udp" ? SOCK_DGRAM : SOCK_STREAM, 0);
    if (fd < 0) return report_err(errno);
    int rc;
    if (af == AF_INET) {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(static_cast<uint16_t>(port));
        sa.sin_addr.s_addr = where == "loopback" ? htonl(INADDR_LOOPBACK) : htonl(INADDR_ANY);
        rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    } else {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(static_cast<uint16_t>(port));
        sa.sin6_addr = where == "loopback" ? in6addr_loopback : in6addr_any;
        rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    }
    int err = errno;
    close(fd);
    return rc == 0 ? report("OK") : report_err(err);
}

// Add a blackhole route for TEST-NET-3 over rtnetlink.  Never succeeds in a
// jail (no CAP_NET_ADMIN); the ack carries the kernel's errno.
int route_add() {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return report_err(errno);
    struct {
        nlmsghdr nh;
        rtmsg rt;
        char attrs[64];
    } req{};
    req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
    req.nh.nlmsg_type = RTM_NEWROUTE;
    req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
    req.rt.rtm_family = AF_INET;
    req.rt.rtm_dst_len = 24;
    req.rt.rtm_table = RT_TABLE_MAIN;
    req.rt.rtm_protocol = RTPROT_STATIC;
    req.rt.rtm_scope = RT_SCOPE_UNIVERSE;
    req.rt.rtm_type = RTN_BLACKHOLE;
    auto* rta = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&req) + NLMSG_ALIGN(req.nh.nlmsg_len));
    rta->rta_type = RTA_DST;
    rta->rta_len = RTA_LENGTH(4);
    in_addr dst{};
    inet_pton(AF_INET, "203.0.113.0", &dst);
    memcpy(RTA_DATA(rta), &dst, 4);
    req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_LENGTH(4);
    if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) return report_err(errno);
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) return report_err(errno);
    auto* nh = reinterpret_cast<nlmsghdr*>(buf);
    if (nh->nlmsg_type == NLMSG_ERROR) {
        int err = -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(nh))->error;
        return err == 0 ? report("OK") : report_err(err);
    }
    return report("OK");
}

// Read a file that should be masked or hidden: EMPTY if it reads nothing.
int read_probe(const char* path) {
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    if (fd < 0) return report_err(errno);
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf);
    int err = errno;
    close(fd);
    if (n < 0) return report_err(err);
    return report(n == 0 ? "EMPTY" : "OK");
}

// /proc/kallsyms: readable, but without CAP_SYSLOG every address is zero.
int kallsyms() {
    FILE* f = fopen("/proc/kallsyms", "r");
    if (!f) return report_err(errno);
    char line[512];
    bool any = false, nonzero = false;
    while (fgets(line, sizeof line, f)) {
        any = true;
        if (strncmp(line, "0000000000000000", 16) != 0) nonzero = true;
    }
    fclose(f);
    if (!any) return report("EMPTY");
    return report(nonzero ? "OK" : "ZEROED");
}

// The classic chroot escape: chroot into a subdirectory while keeping the
// cwd outside, walk up, chroot("."), then look for the host's marker.
int chroot_escape(const std::string& marker) {
    mkdir("/tmp/chroot-escape", 0700);
    if (chroot("/tmp/chroot-escape") != 0) return report_err(errno);
    for (int i = 0; i < 64; ++i)
        if (chdir("..") != 0) break;
    if (chroot(".") != 0) return report_err(errno);
    struct stat st;
    return report(stat(marker.c_str(), &st) == 0 ? "ESCAPED" : "CONTAINED");
}

int mknod_disk(const char* path) {
    unlink(path);
    if (mknod(path, S_IFBLK | 0600, makedev(8, 0)) != 0) return report_err(errno);
    int fd = open(path, O_RDONLY);
    int err = errno;
    unlink(path);
    if (fd >= 0) {
        close(fd);
        return report("ESCAPED");
    }
    printf("INERT:%s\n", strerrorname_np(err));
    return 0;
}

int ptrace_child() {
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    long rc = ptrace(PTRACE_ATTACH, child, nullptr, nullptr);
    int err = errno;
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return rc == 0 ? report("OK") : report_err(err);
}

int open_by_handle() {
    struct {
        file_handle fh;
        unsigned char data[128];
    } h{};
    h.fh.handle_bytes = sizeof h.data;
    int mount_id;
    if (name_to_handle_at(AT_FDCWD, "/etc", &h.fh, &mount_id, 0) != 0) return report_err(errno);
    int mfd = open("/", O_RDONLY | O_DIRECTORY);
    int fd = open_by_handle_at(mfd, &h.fh, O_RDONLY);
    int err = errno;
    close(mfd);
    if (fd >= 0) close(fd);
    return fd >= 0 ? report("OK") : report_err(err);
}

int abstract_connect(const std::string& name) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return report_err(errno);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path + 1, name.data(), name.size());
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    int rc = connect(fd, reinterpret_cast<sockaddr*>(&sa), len);
    int err = errno;
    close(fd);
    return rc == 0 ? report("OK") : report_err(err);
}

int kill_init() {
    if (kill(1, SIGKILL) != 0) return report_err(errno);
    usleep(200000);  // if the init had died, the kernel would have killed us with it
    return report("SURVIVED");
}

int tiocsti() {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0) return report_err(errno);
    grantpt(master);
    unlockpt(master);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    if (slave < 0) return report_err(errno);
    char c = 'x';
    return result(ioctl(slave, TIOCSTI, &c));
}

int perf_open() {
    perf_event_attr attr{};
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_TASK_CLOCK;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    return result(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
}

int bpf_map() {
    union bpf_attr a{};
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    return result(syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a));
}

int sysvipc() {
    int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    if (id < 0) return report_err(errno);
    shmctl(id, IPC_RMID, nullptr);
    return report("OK");
}

int io_uring() {
    unsigned char params[120] = {};  // struct io_uring_params
    long fd = syscall(SYS_io_uring_setup, 1, params);
    if (fd >= 0) close(static_cast<int>(fd));
    return result(fd);
}

// --- workloads for the integration tests ---

// Touch `mb` MiB, one MiB at a time.  Killed by the OOM killer inside a
// memory-limited jail.
int hog(long mb) {
    for (long i = 0; i < mb; ++i) {
        auto* p = static_cast<char*>(malloc(1 << 20));
        if (!p) return report_err(ENOMEM);
        memset(p, 1, 1 << 20);
    }
    return report("OK");
}

// Fork up to n children that wait; print how many forks succeeded and the
// first errno.  Children are killed before returning.
int forks(long n) {
    std::vector<pid_t> kids;
    int err = 0;
    for (long i = 0; i < n; ++i) {
        pid_t p = fork();
        if (p == 0) {
            pause();
            _exit(0);
        }
        if (p < 0) {
            err = errno;
            break;
        }
        kids.push_back(p);
    }
    printf("forked=%zu %s\n", kids.size(), err ? strerrorname_np(err) : "none");
    fflush(stdout);
    for (pid_t p : kids) kill(p, SIGKILL);
    for (pid_t p : kids) waitpid(p, nullptr, 0);
    return 0;
}

int burn(double seconds) {
    timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    volatile unsigned long x = 0;
    do {
        for (int i = 0; i < 100000; ++i) x = x + i;
        clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 < seconds);
    return report("OK");
}

int count_procs() {
    int n = 0;
    if (auto* d = opendir("/proc")) {
        while (auto* e = readdir(d))
            if (e->d_name[0] >= '0' && e->d_name[0] <= '9') ++n;
        closedir(d);
    }
    printf("%d\n", n);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    setvbuf(stdout, nullptr, _IOLBF, 0);
    std::vector<std::string> a(argv + 1, argv + argc);
    const std::string what = arg(a, 0);
    const std::string x = arg(a, 1);

    if (what == "see-pid") return result(kill(atoi(x.c_str()), 0));
    if (what == "signal-pid") return result(kill(atoi(x.c_str()), SIGKILL));
    if (what == "proc-pid") return result(access(("/proc/" + x).c_str(), F_OK));
    if (what == "count-procs") return count_procs();
    if (what == "ptrace-child") return ptrace_child();
    if (what == "ptrace-init") return result(ptrace(PTRACE_ATTACH, 1, nullptr, nullptr));
    if (what == "kill-init") return kill_init();
    if (what == "mount") return result(mount("tmpfs", "/tmp", "tmpfs", 0, nullptr));
    if (what == "umount") return result(umount2("/proc", MNT_DETACH));
    if (what == "chroot-escape") return chroot_escape(x);
    if (what == "pivot-root") return result(syscall(SYS_pivot_root, "/tmp", "/tmp"));
    if (what == "dotdot") {
        struct stat st;
        return report(stat(("/../../../../.." + x).c_str(), &st) == 0 ? "ESCAPED" : "CONTAINED");
    }
    if (what == "proc1-root") {
        struct stat st;
        if (stat(("/proc/1/root" + x).c_str(), &st) == 0) return report("ESCAPED");
        return report_err(errno);
    }
    if (what == "mknod-disk") return mknod_disk(x.empty() ? "/var/tmp/disk" : x.c_str());
    if (what == "load-module") return result(syscall(SYS_finit_module, -1, "", 0));
    if (what == "reboot")  // a valid magic and an invalid command: never reboots
        return result(syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, 0x4a41494cu, nullptr));
    if (what == "set-clock") {
        timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        return result(clock_settime(CLOCK_REALTIME, &now));
    }
    if (what == "swapon") return result(swapon("/var/tmp/noswap", 0));
    if (what == "acct") return result(acct("/var/tmp/acct"));
    if (what == "sethostname") return result(sethostname("evil", 4));
    if (what == "iopl") return result(iopl(3));
    if (what == "raw-socket") return result(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    if (what == "packet-socket") return result(socket(AF_PACKET, SOCK_RAW, 0));
    if (what == "route-add") return route_add();
    if (what == "sysctl-write") return result(open("/proc/sys/net/ipv4/ip_local_reserved_ports", O_WRONLY));
    if (what == "syslog") {
        char buf[256];
        return result(klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof buf));
    }
    if (what == "dev-kmsg") return read_probe("/dev/kmsg");
    if (what == "proc-kmsg") return read_probe("/proc/kmsg");
    if (what == "proc-kcore") return read_probe("/proc/kcore");
    if (what == "proc-keys") return read_probe("/proc/keys");
    if (what == "kallsyms") return kallsyms();
    if (what == "setns") {
        int fd = open("/proc/self/ns/mnt", O_RDONLY);
        if (fd < 0) return report_err(errno);
        return result(setns(fd, CLONE_NEWNS));
    }
    if (what == "unshare-mount") return result(unshare(CLONE_NEWNS));
    if (what == "unshare-user") return result(unshare(CLONE_NEWUSER));
    if (what == "open-by-handle") return open_by_handle();
    if (what == "bind") return try_bind(arg(a, 1), arg(a, 2), arg(a, 3), atoi(arg(a, 4).c_str()));
    if (what == "sysvipc") return sysvipc();
    if (what == "io-uring") return io_uring();
    if (what == "bpf") return bpf_map();
    if (what == "keyctl") return result(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0));
    if (what == "perf") return perf_open();
    if (what == "cgroup-write") return result(open("/sys/fs/cgroup/cgroup.procs", O_WRONLY));
    if (what == "abstract-unix") return abstract_connect(x);
    if (what == "tiocsti") return tiocsti();
    if (what == "write-usr") return result(open("/usr/jail-probe-write", O_WRONLY | O_CREAT, 0600));

    if (what == "hog") return hog(atol(x.c_str()));
    if (what == "forks") return forks(atol(x.c_str()));
    if (what == "burn") return burn(atof(x.c_str()));
    fprintf(stderr, "jail_probe: unknown attempt '%s'\n", what.c_str());
    return 2;
}
