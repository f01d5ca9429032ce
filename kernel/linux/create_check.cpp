#include "create_check.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <memory>
#include <set>

#include "jail_policy.h"
#include "jail_table.h"

namespace jailmgr::kernel::lnx {

namespace fs = std::filesystem;

namespace {

bool valid_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

DriverError invalid(const JailSpec& spec, const std::string& why) {
    return DriverError(Errc::invalid, "jail '" + spec.name + "': " + why, EINVAL);
}

// A path inside the jail: absolute, normalized, no "..", not the root itself.
std::string check_jail_path(const fs::path& p) {
    if (!p.is_absolute()) return "must be absolute";
    for (const auto& part : p)
        if (part == "..") return "must not contain '..'";
    if (p.lexically_normal() == "/") return "must not be / itself";
    return "";
}

}  // namespace

struct jail_create to_jail_create(const JailSpec& spec) {
    struct jail_create c;
    std::memset(&c, 0, sizeof c);
    c.jc_flags = JAIL_CREATE_PROFILE;
    c.jc_profile = static_cast<std::uint32_t>(spec.profile);
    if (!spec.ports.empty()) {
        c.jc_flags |= JAIL_CREATE_PORTS;
        c.jc_nports = static_cast<std::uint16_t>(std::min<size_t>(spec.ports.size(), 0xffff));
        std::copy_n(spec.ports.begin(), std::min<size_t>(spec.ports.size(), JAIL_PORTS_MAX), c.jc_ports);
    }
    if (spec.deny_extra) {
        c.jc_flags |= JAIL_CREATE_DENY;
        c.jc_deny = spec.deny_extra;
    }
    auto rl = [&](const std::optional<std::uint64_t>& v, std::uint32_t flag, std::uint64_t& field) {
        if (!v) return;
        c.jc_flags |= flag;
        field = *v;
    };
    rl(spec.limits.nofile, JAIL_CREATE_RLIMIT_NOFILE, c.jc_rlimit_nofile);
    rl(spec.limits.address_space, JAIL_CREATE_RLIMIT_AS, c.jc_rlimit_as);
    rl(spec.limits.core, JAIL_CREATE_RLIMIT_CORE, c.jc_rlimit_core);
    // Oversized strings are cut to a non-terminated buffer: the core then
    // rejects them (EINVAL), which is the point.
    std::strncpy(c.jc_name, spec.name.c_str(), sizeof c.jc_name);
    std::strncpy(c.jc_root, spec.root.c_str(), sizeof c.jc_root);
    return c;
}

std::string describe_invalid(const JailSpec& spec) {
    const std::string& n = spec.name;
    if (n.empty()) return "the name is empty";
    if (n.size() > JAIL_NAME_MAX) return "the name is longer than 63 bytes";
    if (!std::all_of(n.begin(), n.end(), valid_name_char))
        return "the name may only contain letters, digits, '.', '_' and '-'";
    const std::string root = spec.root.string();
    if (!spec.root.is_absolute()) return "the root '" + root + "' must be an absolute path";
    if (root.size() > JAIL_ROOT_MAX) return "the root path is longer than 255 bytes";
    if (std::any_of(root.begin(), root.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
        return "the root path contains control characters";
    if (spec.ports.size() > JAIL_PORTS_MAX) return "at most 32 ports can be reserved";
    std::set<std::uint16_t> seen;
    for (auto p : spec.ports) {
        if (p == 0) return "port 0 cannot be reserved";
        if (!seen.insert(p).second) return "port " + std::to_string(p) + " is listed twice";
    }
    if (static_cast<std::uint32_t>(spec.profile) > JAIL_PROFILE_HIGH) return "unknown profile";
    if (spec.deny_extra & ~JAIL_DENY_VALID_MASK) return "unknown extra denials";
    return "invalid create request";
}

JailId check_create(const JailSpec& spec, const std::vector<JailRecord>& existing, std::uint64_t next_id) {
    struct jail_create payload = to_jail_create(spec);
    struct jail_create req;
    if (spec.ports.size() > JAIL_PORTS_MAX || jail_create_validate(&payload, sizeof payload, &req) != 0)
        throw invalid(spec, describe_invalid(spec));

    if (next_id > JAIL_ID_MAX)
        throw DriverError(Errc::system,
                          "jail '" + spec.name + "': jail IDs are exhausted (IDs are never reused; the counter "
                                                 "reached 4294967295)",
                          EOVERFLOW);

    auto table = std::make_unique<struct jail_table>();
    jail_table_init(table.get(), 100);
    // The table links entries in place: they must not move once inserted.
    std::vector<struct jail_entry> entries(existing.size() + 1);
    for (size_t i = 0; i < existing.size(); ++i) {
        const JailRecord& r = existing[i];
        struct jail_create known_payload = to_jail_create(r.spec);
        struct jail_create known;
        int err = jail_create_validate(&known_payload, sizeof known_payload, &known);
        if (err == 0) err = jail_table_restore(table.get(), &entries[i], &known, r.id, 0);
        if (err != 0)
            throw DriverError(Errc::system,
                              "registry: jail " + std::to_string(r.id) + " ('" + r.spec.name +
                                  "') conflicts with another record: " + std::strerror(err),
                              err);
    }
    jail_table_set_next_id(table.get(), static_cast<jail_id_t>(next_id));

    jail_id_t id = 0;
    struct jail_entry& e = entries.back();
    int err = jail_table_create_begin(table.get(), &e, &req, 0, &id);
    if (err == 0) {
        jail_table_create_abort(table.get(), &e);  // only a dry run: the registry is the table
        return id;
    }
    if (err == EEXIST) {
        for (const auto& r : existing)
            if (r.spec.name == spec.name)
                throw DriverError(Errc::exists,
                                  "jail name '" + spec.name + "' is already in use (jail " + std::to_string(r.id) + ")",
                                  EEXIST);
        for (auto p : spec.ports) {
            jail_id_t owner = jail_table_port_owner(table.get(), p);
            if (owner == JAIL_ID_HOST) continue;
            for (const auto& r : existing)
                if (r.id == owner)
                    throw DriverError(Errc::port_taken,
                                      "port " + std::to_string(p) + " is already reserved by jail '" + r.spec.name + "'",
                                      EEXIST);
        }
        throw DriverError(Errc::exists, "jail '" + spec.name + "': already exists", EEXIST);
    }
    if (err == EOVERFLOW)
        throw DriverError(Errc::system, "jail '" + spec.name + "': jail IDs are exhausted (IDs are never reused)",
                          EOVERFLOW);
    if (err == EINVAL) throw invalid(spec, describe_invalid(spec));
    throw DriverError(Errc::system, "jail '" + spec.name + "': create refused: " + std::strerror(err), err);
}

void check_linux_fields(const JailSpec& spec) {
    if (spec.hostname.size() > 64) throw invalid(spec, "the hostname is longer than 64 bytes");
    for (char c : spec.hostname)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.'))
            throw invalid(spec, "the hostname '" + spec.hostname + "' may only contain letters, digits, '-' and '.'");
    const auto& l = spec.limits;
    if (l.cpus && !(std::isfinite(*l.cpus) && *l.cpus >= 0.01))
        throw invalid(spec, "cpus must be at least 0.01 (the kernel's minimum CPU quota is 1 ms per 100 ms)");
    if (l.pids && *l.pids < 1) throw invalid(spec, "pids must be at least 1");
    if (l.memory_bytes && *l.memory_bytes < (1u << 20))
        throw invalid(spec, "memory must be at least 1 MiB");
    for (const auto& m : spec.mounts) {
        if (!m.source.is_absolute())
            throw invalid(spec, "mount source '" + m.source.string() + "' must be an absolute host path");
        struct stat st;
        if (::stat(m.source.c_str(), &st) != 0)
            throw invalid(spec, "mount source '" + m.source.string() + "' does not exist on the host");
        if (auto why = check_jail_path(m.target); !why.empty())
            throw invalid(spec, "mount target '" + m.target.string() + "' " + why);
        auto top = *std::next(m.target.lexically_normal().begin());
        if (top == "proc" || top == "dev")
            throw invalid(spec, "mount target '" + m.target.string() + "' would hide the jail's /" + top.string());
    }
    if (spec.layout == Layout::rootfs) {
        struct stat st;
        if (::stat(spec.root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
            throw invalid(spec, "the root filesystem '" + spec.root.string() + "' is not a directory");
    }
}

}  // namespace jailmgr::kernel::lnx
