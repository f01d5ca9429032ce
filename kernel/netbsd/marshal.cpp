// marshal.cpp -- JailSpec <-> struct jail_create / struct jail_info.
#include "marshal.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>

#include "jail_policy.h"

namespace jailmgr::kernel::netbsd {

namespace {

[[noreturn]] void invalid(const std::string& msg) { throw DriverError(Errc::invalid, msg); }

[[noreturn]] void unsupported(const std::string& msg) {
    throw DriverError(Errc::unsupported, msg);
}

bool name_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

void check_name(const std::string& name) {
    bool ok = !name.empty() && name.size() <= JAIL_NAME_MAX && name != "." && name != ".." &&
              std::all_of(name.begin(), name.end(),
                          [](char c) { return name_char(static_cast<unsigned char>(c)); });
    if (!ok)
        invalid("jail name '" + printable(name) + "' is invalid: use 1 to " +
                std::to_string(JAIL_NAME_MAX) +
                " characters from A-Z a-z 0-9 . _ - (but not '.' or '..')");
}

// What only Linux can do: say so, and what to use instead.
void check_supported(const JailSpec& spec, const std::string& subject) {
    if (spec.layout == Layout::host_base)
        unsupported(subject +
                    ": base: host needs bind mounts, which the NetBSD driver does not have; "
                    "give the jail a complete root filesystem (base: /path/to/root)");
    if (!spec.mounts.empty())
        unsupported(subject +
                    ": mounts are not supported by the NetBSD driver (no bind mounts); "
                    "copy what the jail needs into its root");
    const Limits& l = spec.limits;
    if (l.memory_bytes || l.cpus || l.pids)
        unsupported(subject +
                    ": limits memory, cpus and pids need cgroups, which NetBSD does not have; "
                    "only nofile, address_space and core are supported");
}

void check_root(const std::string& root, const std::string& subject) {
    if (root.empty() || root[0] != '/')
        invalid(subject + ": root '" + printable(root) + "' must be an absolute path");
    if (root.size() > JAIL_ROOT_MAX)
        invalid(subject + ": root path is " + std::to_string(root.size()) +
                " bytes long; at most " + std::to_string(JAIL_ROOT_MAX) + " are allowed");
    for (char c : root)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            invalid(subject + ": root '" + printable(root) +
                    "' contains a control character");
}

void check_ports(const std::vector<std::uint16_t>& ports, const std::string& subject) {
    if (ports.size() > JAIL_PORTS_MAX)
        invalid(subject + ": " + std::to_string(ports.size()) + " reserved ports; at most " +
                std::to_string(JAIL_PORTS_MAX) + " are allowed");
    std::set<std::uint16_t> seen;
    for (std::uint16_t p : ports) {
        if (p == 0) invalid(subject + ": port 0 cannot be reserved");
        if (!seen.insert(p).second)
            invalid(subject + ": port " + std::to_string(p) + " is reserved twice");
    }
}

void set_rlimit(jail_create& c, std::uint32_t flag, std::uint64_t& field,
                const std::optional<std::uint64_t>& value) {
    if (!value) return;
    c.jc_flags |= flag;
    field = *value;  // all ones is JAIL_RLIMIT_INFINITY already
}

std::optional<std::uint64_t> get_rlimit(const jail_info& i, std::uint32_t flag,
                                        std::uint64_t value) {
    if ((i.ji_flags & flag) == 0) return std::nullopt;
    return value;
}

// A fixed-size kernel text field, bounded even without a NUL.
std::string text(const char* field, std::size_t size) {
    return std::string(field, strnlen(field, size));
}

}  // namespace

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

jail_create to_create(const JailSpec& spec) {
    check_name(spec.name);
    const std::string subject = "jail '" + spec.name + "'";
    check_supported(spec, subject);
    const std::string root = spec.root.string();
    check_root(root, subject);
    check_ports(spec.ports, subject);
    if (to_string(spec.profile) == "invalid")
        invalid(subject + ": invalid profile " +
                std::to_string(static_cast<std::uint32_t>(spec.profile)));
    if ((spec.deny_extra & ~JAIL_DENY_VALID_MASK) != 0) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%x", spec.deny_extra & ~JAIL_DENY_VALID_MASK);
        invalid(subject + ": extra denial bits " + hex + " name no known action");
    }

    jail_create c{};
    c.jc_flags = JAIL_CREATE_PROFILE;
    c.jc_profile = static_cast<std::uint32_t>(spec.profile);
    if (spec.deny_extra != 0) {
        c.jc_flags |= JAIL_CREATE_DENY;
        c.jc_deny = spec.deny_extra;
    }
    if (!spec.ports.empty()) {
        c.jc_flags |= JAIL_CREATE_PORTS;
        c.jc_nports = static_cast<std::uint16_t>(spec.ports.size());
        std::copy(spec.ports.begin(), spec.ports.end(), c.jc_ports);
    }
    set_rlimit(c, JAIL_CREATE_RLIMIT_NOFILE, c.jc_rlimit_nofile, spec.limits.nofile);
    set_rlimit(c, JAIL_CREATE_RLIMIT_AS, c.jc_rlimit_as, spec.limits.address_space);
    set_rlimit(c, JAIL_CREATE_RLIMIT_CORE, c.jc_rlimit_core, spec.limits.core);
    std::memcpy(c.jc_name, spec.name.data(), spec.name.size());
    std::memcpy(c.jc_root, root.data(), root.size());
    return c;
}

JailInfo to_info(const jail_info& i, std::uint64_t now_mono_ns,
                 std::chrono::system_clock::time_point now) {
    JailInfo out;
    out.id = i.ji_id;
    out.spec.name = text(i.ji_name, sizeof i.ji_name);
    out.spec.root = text(i.ji_root, sizeof i.ji_root);
    out.spec.profile = static_cast<Profile>(i.ji_profile);
    out.spec.deny_extra = i.ji_deny;
    out.spec.ports.assign(i.ji_ports, i.ji_ports + std::min<std::size_t>(i.ji_nports, JAIL_PORTS_MAX));
    out.spec.limits.nofile = get_rlimit(i, JAIL_CREATE_RLIMIT_NOFILE, i.ji_rlimit_nofile);
    out.spec.limits.address_space = get_rlimit(i, JAIL_CREATE_RLIMIT_AS, i.ji_rlimit_as);
    out.spec.limits.core = get_rlimit(i, JAIL_CREATE_RLIMIT_CORE, i.ji_rlimit_core);
    out.spec.layout = Layout::rootfs;

    const std::uint64_t age_ns = now_mono_ns > i.ji_created_ns ? now_mono_ns - i.ji_created_ns : 0;
    out.age_seconds = static_cast<double>(age_ns) / 1e9;
    out.created = now - std::chrono::duration_cast<std::chrono::system_clock::duration>(
                            std::chrono::nanoseconds(age_ns));
    // NetBSD has no per-jail instance to be "up": a jail runs while it has
    // live processes.
    out.running = i.ji_proc_live > 0;
    out.procs_live = i.ji_proc_live;
    out.procs_zombie = i.ji_proc_zombie;
    out.cpu_seconds = i.ji_cpu_hz ? static_cast<double>(i.ji_cpu_ticks_total) /
                                        static_cast<double>(i.ji_cpu_hz)
                                  : 0.0;
    out.memory_bytes = i.ji_memory_bytes;
    out.denied_process = i.ji_denied[JAIL_SCOPE_PROCESS];
    out.denied_system = i.ji_denied[JAIL_SCOPE_SYSTEM];
    out.denied_network = i.ji_denied[JAIL_SCOPE_NETWORK];
    return out;
}

}  // namespace jailmgr::kernel::netbsd
