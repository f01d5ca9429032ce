// driver.hpp -- the one interface through which the engine and jailctl talk to
// a kernel.  Two implementations: kernel/linux (namespaces, cgroups, seccomp,
// BPF) and kernel/netbsd (the secmodel_jail module via sysctl(3)).  Tests use
// the real Linux driver as root, or a fake where they need a seam.
//
// Model (DESIGN.md section 3): a jail is a kernel record (ID, name, root,
// profile, port reservations, limits) that exists with or without processes.
// Processes run in a jail through a Session: on Linux a session is the jail's
// namespace set, anchored by a tiny init process (PID 1 of the jail) whose
// lifetime is tied to the process that started it; on NetBSD it is a plain
// chroot + enter of each spawned child.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jailmgr::kernel {

using JailId = std::uint32_t;
inline constexpr JailId host_jail = 0;

enum class Profile : std::uint32_t { low = 0, medium = 1, high = 2 };
std::string_view to_string(Profile p);
std::optional<Profile> parse_profile(std::string_view s);

// Jail-wide limits (cgroups on Linux) and per-process rlimits applied to
// every process spawned in the jail.  Unset = unlimited / inherited.
struct Limits {
    std::optional<std::uint64_t> memory_bytes;  // cgroup memory limit
    std::optional<double> cpus;                 // CPU quota, in CPUs (0.5 = half a CPU)
    std::optional<std::uint64_t> pids;          // max processes/threads
    std::optional<std::uint64_t> nofile;        // RLIMIT_NOFILE
    std::optional<std::uint64_t> address_space; // RLIMIT_AS
    std::optional<std::uint64_t> core;          // RLIMIT_CORE
    bool operator==(const Limits&) const = default;
};

struct BindMount {
    std::filesystem::path source;  // host path
    std::filesystem::path target;  // path inside the jail
    bool readonly = false;
    bool operator==(const BindMount&) const = default;
};

// How the jail's / is populated (MANIFEST.md `base`).
enum class Layout {
    host_base,  // host /usr, /bin, /sbin, /lib* read-only + per-jail writable /etc /var /home /root
    rootfs,     // `root` is a complete root filesystem, used as is
};

struct JailSpec {
    std::string name;                  // [A-Za-z0-9._-]{1,63}, unique
    std::filesystem::path root;        // absolute, <= 255 bytes
    Profile profile = Profile::high;
    // Extra denials on top of the profile (a named profile such as
    // "medium + sysvipc"): bit (1u << jail_action) from kernel/core/jail_policy.h.
    std::uint32_t deny_extra = 0;
    std::vector<std::uint16_t> ports;  // reserved, <= 32, distinct, non-zero
    Limits limits;
    Layout layout = Layout::host_base;
    std::vector<BindMount> mounts;
    std::string hostname;              // empty = the jail's name
    bool operator==(const JailSpec&) const = default;
};

struct JailInfo {
    JailId id = 0;
    JailSpec spec;
    std::chrono::system_clock::time_point created;
    double age_seconds = 0;
    bool running = false;            // a session (Linux: the jail's init) is alive
    std::uint64_t procs_live = 0;    // member processes, excluding zombies
    std::uint64_t procs_zombie = 0;
    double cpu_seconds = 0;          // since create
    std::uint64_t memory_bytes = 0;  // current use
    std::uint64_t denied_process = 0, denied_system = 0, denied_network = 0;
};

// What to run inside a jail.
struct Credentials {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
    bool operator==(const Credentials&) const = default;
};

struct SpawnSpec {
    std::vector<std::string> argv;        // argv[0] is looked up in the jail's PATH
    std::vector<std::string> env;         // the complete environment, "K=V"
    std::optional<Credentials> user;      // unset = root of the jail
    std::filesystem::path working_dir = "/";
    Limits rlimits;                       // only nofile/address_space/core are used; tighter than the jail's wins
    int stdin_fd = -1;                    // -1 = /dev/null
    int stdout_fd = -1;                   // -1 = /dev/null
    int stderr_fd = -1;                   // -1 = same as stdout
    bool new_session = true;              // setsid(): the child leads its own process group
};

// A child process running in a jail.  Owns its pidfd; the destructor does NOT
// kill the process (callers decide); it only closes the descriptor.
class Process {
public:
    Process() = default;
    Process(pid_t pid, int pidfd) : pid_(pid), pidfd_(pidfd) {}
    Process(Process&& o) noexcept;
    Process& operator=(Process&& o) noexcept;
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    ~Process();
    pid_t pid() const { return pid_; }   // in the caller's PID namespace
    int pidfd() const { return pidfd_; } // pollable: readable when the child exits
    // Blocks until exit; returns a wait status (as from waitpid).
    int wait();
    void release();                      // forget the child (close the pidfd)
private:
    pid_t pid_ = -1;
    int pidfd_ = -1;
};

// A running jail.  Destroying the session that created the jail's namespaces
// ends every process in the jail (Linux: the init is killed, and with it the
// PID namespace).  Sessions that joined an existing instance leave it alone.
class Session {
public:
    virtual ~Session() = default;
    virtual JailId id() const = 0;
    virtual bool owner() const = 0;      // true if this session started the instance
    // Start a process inside the jail: namespaces, root, cgroups, profile,
    // rlimits, credentials, environment, then exec.  Errors in the child
    // before exec (ENOENT for argv[0], EACCES, ...) are reported here as a
    // DriverError, not as a process that exits with 127.
    virtual Process spawn(const SpawnSpec& spec) = 0;
    // Create or replace a file inside the jail, resolving `path` (absolute,
    // as seen in the jail) inside the jail's own root and mounts -- never
    // following a symlink out of the jail.  Parent directories must exist.
    virtual void write_file(const std::filesystem::path& path, std::string_view content, unsigned mode) = 0;
    // Signal every process of the jail (Linux: cgroup; NetBSD: membership).
    virtual void kill_all(int sig) = 0;
};

enum class Attach {
    join,            // join a running instance; Errc::not_running if none
    join_or_start,   // join a running instance, or start one owned by the caller
    start,           // start an instance owned by the caller; Errc::busy if one runs
                     // (the supervisor uses this: it must own its jail's lifetime)
};

struct Capabilities {
    std::string driver;            // "linux" or "netbsd"
    bool cgroup_limits = false;    // memory/cpus/pids are enforced jail-wide
    bool bind_mounts = false;      // JailSpec::mounts and Layout::host_base
    bool private_hostname = false; // per-jail UTS
    bool private_ipc = false;      // SysV IPC objects are per jail at every profile
};

enum class Errc {
    not_found,      // no such jail
    exists,         // name taken
    port_taken,     // a port is reserved by another jail
    busy,           // processes remain (destroy), or a create/destroy is in progress
    invalid,        // the request is malformed (name, root, ports, limits)
    permission,     // not host root, or refused by the kernel's policy
    not_running,    // Attach::join with no running instance
    unsupported,    // this driver cannot do it (see Capabilities)
    system,         // a syscall failed; sys_errno says which
};

// Every driver error names the jail it concerns and says what to do.
class DriverError : public std::runtime_error {
public:
    DriverError(Errc code, std::string message, int sys_errno = 0)
        : std::runtime_error(std::move(message)), code_(code), errno_(sys_errno) {}
    Errc code() const { return code_; }
    int sys_errno() const { return errno_; }
private:
    Errc code_;
    int errno_;
};

// Where a driver keeps what the kernel does not (Linux: everything; NetBSD:
// hostnames and mounts).  All paths are prefixed by --root-dir in tests.
struct DriverConfig {
    std::filesystem::path state_dir = "/var/lib/jailmgr";
    std::filesystem::path run_dir = "/run/jailmgr";
    // Distinguishes several jailmgr instances on one host (tests): it names
    // the cgroup directories and BPF pin directory of this instance.
    std::string instance = "default";
    // false: the driver's persistent writes (the ID counter) skip fsync and
    // become durable at the next sync() -- for a caller that makes many
    // changes and syncs once at the end (the engine's apply).
    bool sync_each_write = true;
};

class Driver {
public:
    virtual ~Driver() = default;
    virtual Capabilities capabilities() const = 0;

    // Create the jail record and its kernel objects.  Transactional: on error
    // nothing remains.  Returns the new, never reused, ID.
    virtual JailId create(const JailSpec& spec) = 0;

    // Remove a jail.  Without `force`, Errc::busy while any process (zombies
    // included) remains; with `force`, kill them all first.
    virtual void destroy(JailId id, bool force = false) = 0;

    virtual std::vector<JailInfo> list() = 0;
    // The same jails with only id, spec and created filled in: no usage,
    // no liveness (cheap: what planning needs).
    virtual std::vector<JailInfo> list_specs() { return list(); }
    virtual std::optional<JailInfo> find(JailId id) = 0;
    virtual std::optional<JailInfo> find(std::string_view name) = 0;

    // Change limits that can change live (Linux: cgroup memory/cpu/pids).
    virtual void update_limits(JailId id, const Limits& limits) = 0;

    virtual std::unique_ptr<Session> attach(JailId id, Attach mode) = 0;

    // Resolve "name", "uid" or "uid:gid" against the jail's own user database.
    virtual Credentials resolve_user(JailId id, std::string_view user) = 0;

    // Make every write deferred by sync_each_write = false durable.
    virtual void sync() {}
};

// "42" -> by ID, anything else -> by name (a numeric name can only be reached
// by ID, as in the prototype).
std::optional<JailInfo> find_jail(Driver& driver, std::string_view id_or_name);

// The driver for the running system.
std::unique_ptr<Driver> make_driver(const DriverConfig& config);

}  // namespace jailmgr::kernel
