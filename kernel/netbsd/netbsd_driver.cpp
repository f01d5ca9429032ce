// netbsd_driver.cpp -- Driver operations over the secmodel_jail sysctl
// nodes, and the messages an operator reads when they fail.
#include "netbsd_driver.hpp"

#include <signal.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "marshal.hpp"
#include "netbsd_session.hpp"
#include "sys/error.hpp"
#include "user_db.hpp"

namespace jailmgr::kernel::netbsd {

namespace {

std::string processes(std::uint64_t n) {
    return std::to_string(n) + (n == 1 ? " process remains" : " processes remain");
}

constexpr const char* not_loaded =
    "secmodel_jail is not loaded: run 'modload secmodel_jail' as root "
    "(and add it to /etc/modules.conf to load it at boot)";

}  // namespace

NetbsdDriver::NetbsdDriver(std::shared_ptr<SysctlTransport> sysctl, DriverConfig config)
    : sysctl_(std::move(sysctl)), module_(*sysctl_), config_(std::move(config)) {}

Capabilities NetbsdDriver::capabilities() const {
    Capabilities c;
    c.driver = "netbsd";
    c.cgroup_limits = false;
    c.bind_mounts = false;
    c.private_hostname = false;
    c.private_ipc = false;
    return c;
}

// ENOENT from a node can mean "no such jail" or "no such node": tell them
// apart by asking for the module's name.
void NetbsdDriver::fail(const std::string& subject, const char* op, int err) {
    if (err == ENOENT && !module_.loaded()) throw DriverError(Errc::system, not_loaded, err);
    switch (err) {
    case EPERM:
        throw DriverError(Errc::permission,
                          subject + ": " + op +
                              " needs host root (effective uid 0, outside any jail)",
                          err);
    case ENOENT:
        throw DriverError(Errc::not_found, "no " + subject, err);
    default:
        throw DriverError(Errc::system,
                          subject + ": " + op + ": " + std::strerror(err) + " (" +
                              sys::errno_name(err) + ")",
                          err);
    }
}

void NetbsdDriver::fail_create(const JailSpec& spec, int err) {
    const std::string subject = "jail '" + spec.name + "'";
    const std::string root = printable(spec.root.string());
    switch (err) {
    case EEXIST: {
        // The kernel only says "taken"; the list says by whom.
        for (const jail_info& j : raw_list()) {
            if (spec.name == j.ji_name)
                throw DriverError(Errc::exists,
                                  "jail name '" + spec.name + "' is already in use (jail " +
                                      std::to_string(j.ji_id) + ")",
                                  err);
        }
        for (const jail_info& j : raw_list()) {
            for (std::uint16_t p : spec.ports)
                for (unsigned k = 0; k < j.ji_nports && k < JAIL_PORTS_MAX; k++)
                    if (j.ji_ports[k] == p)
                        throw DriverError(Errc::port_taken,
                                          "port " + std::to_string(p) +
                                              " is already reserved by jail '" + j.ji_name + "'",
                                          err);
        }
        throw DriverError(Errc::busy,
                          subject + ": its name or one of its ports is held by a jail being "
                                    "created or destroyed right now; retry",
                          err);
    }
    case ENOENT:
        if (!module_.loaded()) throw DriverError(Errc::system, not_loaded, err);
        throw DriverError(Errc::invalid, subject + ": root " + root + " does not exist", err);
    case ENOTDIR:
        throw DriverError(Errc::invalid, subject + ": root " + root + " is not a directory",
                          err);
    case EOVERFLOW:
        throw DriverError(Errc::system,
                          subject + ": the kernel has handed out every jail ID; destroy all "
                                    "jails and reload secmodel_jail to start over",
                          err);
    case EINVAL:
        throw DriverError(Errc::invalid,
                          subject + ": the kernel rejected the request as invalid; is "
                                    "secmodel_jail the same version as this program (ABI " +
                              std::to_string(JAIL_ABI_VERSION) + ")?",
                          err);
    default:
        fail(subject, "creating it", err);
    }
}

JailId NetbsdDriver::create(const JailSpec& spec) {
    jail_create req = to_create(spec);  // throws with precise messages
    if (int err = module_.create(req)) fail_create(spec, err);
    return req.jc_id;
}

std::string NetbsdDriver::describe(JailId id) {
    for (const jail_info& j : raw_list())
        if (j.ji_id == id) return std::string("jail '") + j.ji_name + "'";
    return "jail " + std::to_string(id);
}

jail_kill NetbsdDriver::signal(JailId id, int sig) {
    jail_kill k{};
    if (int err = module_.kill(id, sig, k)) fail(describe(id), "signalling its processes", err);
    return k;
}

void NetbsdDriver::fail_busy(JailId id, const std::string& subject, bool forced) {
    jail_kill k{};
    std::uint64_t n = module_.kill(id, 0, k) == 0 ? k.jk_live + k.jk_zombie : 0;
    if (n == 0)
        throw DriverError(Errc::busy,
                          subject + " is busy: a process is entering it or being signalled "
                                    "right now; retry",
                          EBUSY);
    if (forced)
        throw DriverError(Errc::busy,
                          subject + " is busy: " + processes(n) +
                              " after SIGKILL (zombies whose parent has not reaped them?)",
                          EBUSY);
    throw DriverError(Errc::busy,
                      subject + " is busy: " + processes(n) +
                          " (stop them first or use --force)",
                      EBUSY);
}

void NetbsdDriver::destroy(JailId id, bool force) {
    if (id == host_jail)
        throw DriverError(Errc::invalid, "jail 0 is the host and cannot be destroyed", EINVAL);
    const std::string subject = describe(id);
    if (!force) {
        int err = module_.destroy(id);
        if (err == EBUSY) fail_busy(id, subject, false);
        if (err != 0) fail(subject, "destroying it", err);
        return;
    }

    // Kill, then destroy; members that are still exiting, or zombies about
    // to be reaped, make destroy EBUSY for a moment: poll until a deadline.
    const auto deadline = std::chrono::steady_clock::now() + force_timeout_;
    auto pause = std::chrono::milliseconds(1);
    for (;;) {
        jail_kill k{};
        int err = module_.kill(id, SIGKILL, k);
        if (err == 0) err = module_.destroy(id);
        if (err == 0) return;
        if (err != EBUSY) fail(subject, "destroying it", err);
        if (std::chrono::steady_clock::now() >= deadline) fail_busy(id, subject, true);
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
}

std::vector<jail_info> NetbsdDriver::raw_list() {
    std::vector<jail_info> v;
    if (int err = module_.list(v)) {
        if (err == EPERM)
            throw DriverError(Errc::permission,
                              "listing jails is not allowed from inside a jail", err);
        fail("jail list", "reading it", err);
    }
    return v;
}

std::vector<JailInfo> NetbsdDriver::list() {
    std::vector<jail_info> raw = raw_list();
    const std::uint64_t mono = sysctl_->monotonic_ns();
    const auto now = std::chrono::system_clock::now();
    std::vector<JailInfo> out;
    out.reserve(raw.size());
    for (const jail_info& j : raw) out.push_back(to_info(j, mono, now));
    return out;
}

std::optional<JailInfo> NetbsdDriver::find(JailId id) {
    for (JailInfo& j : list())
        if (j.id == id) return std::move(j);
    return std::nullopt;
}

std::optional<JailInfo> NetbsdDriver::find(std::string_view name) {
    for (JailInfo& j : list())
        if (j.spec.name == name) return std::move(j);
    return std::nullopt;
}

void NetbsdDriver::update_limits(JailId id, const Limits&) {
    throw DriverError(Errc::unsupported,
                      describe(id) +
                          ": NetBSD has no cgroups, so limits cannot change while a jail "
                          "exists; recreate it with new nofile, address_space or core limits");
}

std::unique_ptr<Session> NetbsdDriver::attach(JailId id, Attach) {
    // No namespace instance to join or start: a jail is ready as soon as it
    // exists, and join and join_or_start are the same.
    std::optional<JailInfo> info = find(id);
    if (!info) throw DriverError(Errc::not_found, "no jail " + std::to_string(id), ENOENT);
    return std::make_unique<NetbsdSession>(sysctl_, std::move(*info));
}

Credentials NetbsdDriver::resolve_user(JailId id, std::string_view user) {
    std::optional<JailInfo> info = find(id);
    if (!info) throw DriverError(Errc::not_found, "no jail " + std::to_string(id), ENOENT);
    return resolve_user_in_root(info->spec.root, user);
}

jail_stats NetbsdDriver::module_stats() {
    jail_stats s{};
    if (int err = module_.stats(s)) fail("secmodel_jail", "reading its stats", err);
    return s;
}

}  // namespace jailmgr::kernel::netbsd
