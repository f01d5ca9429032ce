#include "desired.hpp"

#include "hash.hpp"

extern "C" {
#include "jail_policy.h"
}

namespace jailmgr::engine {

using nlohmann::json;

const DesiredJail* Desired::find(const std::string& name) const {
    for (auto& j : jails)
        if (j.name == name) return &j;
    return nullptr;
}

namespace {

json optional_number(const std::optional<std::uint64_t>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

json spec_to_json(const kernel::JailSpec& s) {
    json deny = json::array();
    for (unsigned a = 0; a < JAIL_ACT_COUNT; ++a)
        if (s.deny_extra & (1u << a)) deny.push_back(jail_action_name(static_cast<jail_action>(a)));
    json mounts = json::array();
    for (auto& m : s.mounts)
        mounts.push_back({{"source", m.source.string()}, {"target", m.target.string()}, {"readonly", m.readonly}});
    return {{"root", s.root.string()},
            {"base", s.layout == kernel::Layout::host_base ? "host" : "rootfs"},
            {"hostname", s.hostname.empty() ? s.name : s.hostname},
            {"profile", std::string(kernel::to_string(s.profile))},
            {"deny", deny},
            {"ports", s.ports},
            {"limits",
             {{"memory", optional_number(s.limits.memory_bytes)},
              {"cpus", s.limits.cpus ? json(*s.limits.cpus) : json(nullptr)},
              {"pids", optional_number(s.limits.pids)},
              {"nofile", optional_number(s.limits.nofile)},
              {"as", optional_number(s.limits.address_space)},
              {"core", optional_number(s.limits.core)}}},
            {"mounts", mounts}};
}

kernel::JailSpec spec_from_json(const json& j) {
    kernel::JailSpec s;
    s.root = j.value("root", "");
    s.layout = j.value("base", "host") == "host" ? kernel::Layout::host_base : kernel::Layout::rootfs;
    s.hostname = j.value("hostname", "");
    s.profile = kernel::parse_profile(j.value("profile", "high")).value_or(kernel::Profile::high);
    for (auto& d : j.value("deny", json::array())) {
        auto a = jail_action_by_name(d.get<std::string>().c_str());
        if (a != JAIL_ACT_COUNT) s.deny_extra |= 1u << a;
    }
    s.ports = j.value("ports", std::vector<std::uint16_t>{});
    auto limits = j.value("limits", json::object());
    auto opt = [&](const char* k) -> std::optional<std::uint64_t> {
        auto it = limits.find(k);
        if (it == limits.end() || it->is_null()) return std::nullopt;
        return it->get<std::uint64_t>();
    };
    s.limits.memory_bytes = opt("memory");
    if (auto it = limits.find("cpus"); it != limits.end() && !it->is_null()) s.limits.cpus = it->get<double>();
    s.limits.pids = opt("pids");
    s.limits.nofile = opt("nofile");
    s.limits.address_space = opt("as");
    s.limits.core = opt("core");
    for (auto& m : j.value("mounts", json::array()))
        s.mounts.push_back({m.value("source", ""), m.value("target", ""), m.value("readonly", false)});
    return s;
}

bool is_live_field(const std::string& field_path) {
    // cgroup limits change on a live jail; rlimits are applied at spawn and
    // therefore need the services restarted, which a jail-level update does.
    return field_path.rfind("limits.", 0) == 0;
}

std::string canonical_hash(const json& value) {
    // nlohmann::json objects are ordered maps: dump() is canonical, and the
    // schema's hashes are computed the same way over the same kind of text.
    return schema::sha256_hex(value.dump());
}

}  // namespace jailmgr::engine
