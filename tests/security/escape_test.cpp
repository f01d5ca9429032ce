// Escape attempts from inside real jails, for every profile.
//
// Each row is one attempt, run as root inside a jail by jail_probe; each
// cell is the exact outcome expected at that profile ("ERR:EPERM" means
// the call failed with EPERM, and nothing else is accepted).  The test
// prints the table of actual outcomes: docs/security-profiles.md is that
// table with the reasons.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/io.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <iostream>
#include <map>

#include "../integration/fixture.hpp"
#include "sys/unique_fd.hpp"

namespace fs = std::filesystem;
using namespace jailmgr::kernel;
using namespace jailmgr::test;

namespace {

constexpr std::uint16_t other_port = 18450;  // reserved by the "owner" jail
constexpr std::uint16_t own_port_base = 18451;  // + profile
constexpr std::uint16_t free_port = 18459;

struct Attempt {
    std::string what;                // how the table names it
    std::vector<std::string> args;   // probe arguments; {HOSTPID} ... are filled in
    std::string expect[3];           // low, medium, high
};

// The matrix as enforced on Linux.  Why each cell is what it is:
// docs/security-profiles.md.
std::vector<Attempt> attempts() {
    // Where the kernel lacks a feature, the call fails before any privilege
    // check (ENOSYS, ENOENT), unless seccomp refused it first.
    const std::string E = "ERR:EPERM";
    const std::string modules = fs::exists("/proc/modules") ? E : "ERR:ENOSYS";  // CONFIG_MODULES
    const std::string iopl_low = ::iopl(0) == 0 || errno != ENOSYS ? E : "ERR:ENOSYS";  // CONFIG_X86_IOPL_IOPERM
    const bool kcore = fs::exists("/proc/kcore");                                 // CONFIG_PROC_KCORE
    std::vector<Attempt> t = {
        {"see a host process (kill 0)", {"see-pid", "{HOSTPID}"}, {"ERR:ESRCH", "ERR:ESRCH", "ERR:ESRCH"}},
        {"find a host process in /proc", {"proc-pid", "{HOSTPID}"}, {"ERR:ENOENT", "ERR:ENOENT", "ERR:ENOENT"}},
        {"signal a host process", {"signal-pid", "{HOSTPID}"}, {"ERR:ESRCH", "ERR:ESRCH", "ERR:ESRCH"}},
        {"see another jail's process", {"see-pid", "{OTHERPID}"}, {"ERR:ESRCH", "ERR:ESRCH", "ERR:ESRCH"}},
        {"count processes in /proc (own jail only)", {"count-procs"}, {"2", "2", "2"}},
        {"ptrace a child in the jail", {"ptrace-child"}, {"OK", E, E}},
        {"ptrace the jail's init", {"ptrace-init"}, {E, E, E}},
        {"kill -9 the jail's init", {"kill-init"}, {"SURVIVED", "SURVIVED", "SURVIVED"}},
        {"mount a tmpfs", {"mount"}, {E, E, E}},
        {"unmount /proc", {"umount"}, {E, E, E}},
        {"chroot out (chroot + ../ walk)", {"chroot-escape", "{MARKER}"}, {"CONTAINED", E, E}},
        {"pivot_root", {"pivot-root"}, {E, E, E}},
        {"walk ../ above /", {"dotdot", "{MARKER}"}, {"CONTAINED", "CONTAINED", "CONTAINED"}},
        {"host root via /proc/1/root", {"proc1-root", "{MARKER}"}, {"ERR:EACCES", "ERR:EACCES", "ERR:EACCES"}},
        {"mknod a disk and open it", {"mknod-disk"}, {"INERT:EACCES", E, E}},
        {"load a kernel module", {"load-module"}, {modules, E, E}},
        {"reboot (invalid command)", {"reboot"}, {E, E, E}},
        {"set the clock", {"set-clock"}, {E, E, E}},
        {"swapon", {"swapon"}, {E, E, E}},
        {"process accounting", {"acct"}, {E, E, E}},
        {"sethostname", {"sethostname"}, {E, E, E}},
        {"iopl (port I/O)", {"iopl"}, {iopl_low, E, E}},
        {"raw socket", {"raw-socket"}, {"OK", E, E}},
        {"packet socket", {"packet-socket"}, {"OK", E, E}},
        {"add a route (rtnetlink)", {"route-add"}, {E, E, E}},
        {"write a sysctl", {"sysctl-write"}, {"ERR:EROFS", "ERR:EROFS", "ERR:EROFS"}},
        {"read the kernel log: syslog(2)", {"syslog"}, {E, E, E}},
        {"read the kernel log: /dev/kmsg", {"dev-kmsg"}, {"ERR:ENOENT", "ERR:ENOENT", "ERR:ENOENT"}},
        {"read the kernel log: /proc/kmsg", {"proc-kmsg"}, {E, E, E}},
        {"read kernel memory: /proc/kcore", {"proc-kcore"},
         {kcore ? E : "ERR:ENOENT", kcore ? E : "ERR:ENOENT", kcore ? E : "ERR:ENOENT"}},
        {"read the host's keys: /proc/keys", {"proc-keys"}, {"EMPTY", "EMPTY", "EMPTY"}},
        {"read kernel addresses: /proc/kallsyms", {"kallsyms"}, {"ZEROED", "EMPTY", "EMPTY"}},
        {"setns back out", {"setns"}, {E, E, E}},
        {"unshare a mount namespace", {"unshare-mount"}, {E, E, E}},
        {"unshare a user namespace", {"unshare-user"}, {"OK", E, E}},
        {"open_by_handle_at", {"open-by-handle"}, {E, E, E}},
        {"bind another jail's port: v4 tcp wildcard", {"bind", "v4", "tcp", "wildcard", "{OTHERPORT}"}, {E, E, E}},
        {"bind another jail's port: v4 tcp loopback", {"bind", "v4", "tcp", "loopback", "{OTHERPORT}"}, {E, E, E}},
        {"bind another jail's port: v4 udp wildcard", {"bind", "v4", "udp", "wildcard", "{OTHERPORT}"}, {E, E, E}},
        {"bind another jail's port: v4 udp loopback", {"bind", "v4", "udp", "loopback", "{OTHERPORT}"}, {E, E, E}},
        {"bind another jail's port: v6 tcp wildcard", {"bind", "v6", "tcp", "wildcard", "{OTHERPORT}"}, {E, E, E}},
        {"bind another jail's port: v6 tcp loopback", {"bind", "v6", "tcp", "loopback", "{OTHERPORT}"}, {E, E, E}},
        {"bind another jail's port: v6 udp wildcard", {"bind", "v6", "udp", "wildcard", "{OTHERPORT}"}, {E, E, E}},
        {"bind another jail's port: v6 udp loopback", {"bind", "v6", "udp", "loopback", "{OTHERPORT}"}, {E, E, E}},
        {"bind its own reserved port", {"bind", "v6", "tcp", "wildcard", "{OWNPORT}"}, {"OK", "OK", "OK"}},
        {"bind an unreserved port", {"bind", "v4", "udp", "loopback", "{FREEPORT}"}, {"OK", "OK", "OK"}},
        {"System V IPC (shmget)", {"sysvipc"}, {"OK", "OK", E}},
        {"io_uring_setup", {"io-uring"}, {"OK", E, E}},
        {"bpf()", {"bpf"}, {E, E, E}},
        {"keyctl (shared keyrings)", {"keyctl"}, {E, E, E}},
        {"perf_event_open", {"perf"}, {"OK", E, E}},
        {"write a cgroup file", {"cgroup-write"}, {"ERR:ENOENT", "ERR:ENOENT", "ERR:ENOENT"}},
        {"connect to a host abstract unix socket", {"abstract-unix", "{ABSTRACT}"}, {"OK", E, E}},
        {"TIOCSTI into a terminal", {"tiocsti"}, {E, E, E}},
        {"write to the shared /usr", {"write-usr"}, {"ERR:EROFS", "ERR:EROFS", "ERR:EROFS"}},
    };
    return t;
}

// A host process listening on an abstract unix socket.
class AbstractListener {
public:
    explicit AbstractListener(const std::string& name) : name_(name) {
        fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un sa{};
        sa.sun_family = AF_UNIX;
        std::memcpy(sa.sun_path + 1, name.data(), name.size());
        auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
        REQUIRE(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&sa), len) == 0);
        REQUIRE(::listen(fd_.get(), 16) == 0);
    }

private:
    std::string name_;
    jailmgr::sys::unique_fd fd_;
};

std::string fill(std::string arg, const std::map<std::string, std::string>& vars) {
    for (const auto& [k, v] : vars)
        for (size_t pos; (pos = arg.find(k)) != std::string::npos;) arg.replace(pos, k.size(), v);
    return arg;
}

}  // namespace

TEST_CASE("jailed root cannot escape, per profile: every attempt has its expected outcome") {
    Instance inst;
    const Profile profiles[] = {Profile::low, Profile::medium, Profile::high};

    auto owner_spec = inst.spec("owner");
    owner_spec.ports = {other_port};
    JailId owner = inst.driver->create(owner_spec);
    auto owner_session = inst.driver->attach(owner, Attach::start);
    SpawnSpec sleep_spec;
    sleep_spec.argv = {"/bin/sleep", "600"};
    Process other = owner_session->spawn(sleep_spec);

    HostSleeper host;
    fs::path marker = inst.dir / "host-marker";
    std::ofstream(marker) << "the host\n";
    const std::string abstract = "jailmgr-sec-" + std::to_string(::getpid());
    AbstractListener listener(abstract);

    std::vector<std::unique_ptr<Session>> sessions;
    for (int p = 0; p < 3; ++p) {
        auto spec = inst.spec(std::string("sec-") + std::string(to_string(profiles[p])), profiles[p]);
        spec.ports = {static_cast<std::uint16_t>(own_port_base + p)};
        sessions.push_back(inst.driver->attach(inst.driver->create(spec), Attach::start));
    }

    auto table = attempts();
    std::vector<std::array<std::string, 3>> actual(table.size());
    int failures = 0;
    for (size_t i = 0; i < table.size(); ++i) {
        for (int p = 0; p < 3; ++p) {
            std::map<std::string, std::string> vars = {
                {"{HOSTPID}", std::to_string(host.pid())},
                {"{OTHERPID}", std::to_string(other.pid())},
                {"{MARKER}", marker.string()},
                {"{OTHERPORT}", std::to_string(other_port)},
                {"{OWNPORT}", std::to_string(own_port_base + p)},
                {"{FREEPORT}", std::to_string(free_port)},
                {"{ABSTRACT}", abstract},
            };
            std::vector<std::string> args;
            for (const auto& a : table[i].args) args.push_back(fill(a, vars));
            actual[i][static_cast<size_t>(p)] = probe(*sessions[static_cast<size_t>(p)], args);
            if (actual[i][static_cast<size_t>(p)] != table[i].expect[p]) ++failures;
            CHECK_MESSAGE(actual[i][static_cast<size_t>(p)] == table[i].expect[p], "'" << table[i].what << "' at "
                                                                   << to_string(profiles[p]) << ": expected "
                                                                   << table[i].expect[p] << ", got " << actual[i][static_cast<size_t>(p)]);
        }
    }

    // Nothing outside was touched.
    CHECK(host.alive());
    CHECK(owner_session->spawn(sleep_spec).pid() > 0);
    for (int p = 0; p < 3; ++p)
        CHECK(inst.driver->find(std::string("sec-") + std::string(to_string(profiles[p])))->denied_network == 8);

    std::ostringstream out;
    out << "\n| attempt | low | medium | high |\n|---|---|---|---|\n";
    for (size_t i = 0; i < table.size(); ++i) {
        out << "| " << table[i].what;
        for (int p = 0; p < 3; ++p) out << " | " << actual[i][static_cast<size_t>(p)] << (actual[i][static_cast<size_t>(p)] == table[i].expect[p] ? "" : " (!)");
        out << " |\n";
    }
    std::cout << out.str() << "\n" << table.size() * 3 << " cells, " << failures << " unexpected\n";

    owner_session->kill_all(SIGKILL);
    other.wait();
}
