#include "jailctl_util.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "jail_policy.h"
#include "status_report.hpp"
#include "units.hpp"

namespace jailmgr::cli {

using kernel::DriverError;
using kernel::Errc;
using nlohmann::json;

std::uint64_t parse_size(std::string_view text) {
    // The manifest's rules, so that `--memory 1.5G` means what `memory: 1.5G` does.
    auto parsed = schema::parse_size(text);
    if (!parsed) throw CLI::ValidationError(parsed.error);
    return *parsed.value;
}

std::vector<std::uint16_t> parse_ports(std::string_view text) {
    std::vector<std::uint16_t> out;
    while (!text.empty()) {
        auto comma = text.find(',');
        auto item = text.substr(0, comma);
        unsigned v = 0;
        auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (ec != std::errc() || end != item.data() + item.size() || v == 0 || v > 65535)
            throw CLI::ValidationError("port '" + std::string(item) + "'", "expected a number from 1 to 65535");
        out.push_back(static_cast<std::uint16_t>(v));
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

kernel::BindMount parse_mount(std::string_view text) {
    kernel::BindMount m;
    auto first = text.find(':');
    if (first == std::string_view::npos || first == 0)
        throw CLI::ValidationError("mount '" + std::string(text) + "'", "expected SRC:DST or SRC:DST:ro");
    m.source = std::string(text.substr(0, first));
    auto rest = text.substr(first + 1);
    auto second = rest.find(':');
    if (second != std::string_view::npos) {
        auto mode = rest.substr(second + 1);
        if (mode != "ro" && mode != "rw")
            throw CLI::ValidationError("mount '" + std::string(text) + "'", "the mode must be 'ro' or 'rw'");
        m.readonly = mode == "ro";
        rest = rest.substr(0, second);
    }
    if (rest.empty()) throw CLI::ValidationError("mount '" + std::string(text) + "'", "the target is empty");
    m.target = std::string(rest);
    return m;
}

void reject_extras(const CLI::App& app) {
    if (!app.remaining(true).empty()) throw CLI::ExtrasError(app.remaining(true));
}

std::unique_ptr<kernel::Driver> open_driver(const Globals& g) { return kernel::make_driver(g.paths().driver_config()); }

kernel::JailInfo find_or_throw(kernel::Driver& driver, std::string_view id_or_name) {
    auto info = kernel::find_jail(driver, id_or_name);
    if (!info) throw DriverError(Errc::not_found, "no jail '" + std::string(id_or_name) + "'");
    return *info;
}

json jail_json(const kernel::JailInfo& i) {
    const auto& s = i.spec;
    auto opt = [](const auto& v) { return v ? json(*v) : json(nullptr); };
    json deny = json::array();
    for (unsigned a = 0; a < JAIL_ACT_COUNT; ++a)
        if (s.deny_extra & (1u << a)) deny.push_back(jail_action_name(static_cast<jail_action>(a)));
    json mounts = json::array();
    for (const auto& m : s.mounts)
        mounts.push_back({{"source", m.source.string()}, {"target", m.target.string()}, {"readonly", m.readonly}});
    return {
        {"id", i.id},
        {"name", s.name},
        {"root", s.root.string()},
        {"layout", s.layout == kernel::Layout::rootfs ? "rootfs" : "host"},
        {"profile", std::string(kernel::to_string(s.profile))},
        {"deny", deny},
        {"ports", s.ports},
        {"hostname", s.hostname.empty() ? s.name : s.hostname},
        {"mounts", mounts},
        {"limits",
         {{"memory_bytes", opt(s.limits.memory_bytes)},
          {"cpus", opt(s.limits.cpus)},
          {"pids", opt(s.limits.pids)},
          {"nofile", opt(s.limits.nofile)},
          {"address_space", opt(s.limits.address_space)},
          {"core", opt(s.limits.core)}}},
        {"created_unix", std::chrono::duration_cast<std::chrono::seconds>(i.created.time_since_epoch()).count()},
        {"age_seconds", i.age_seconds},
        {"running", i.running},
        {"processes", {{"live", i.procs_live}, {"zombie", i.procs_zombie}}},
        {"cpu_seconds", i.cpu_seconds},
        {"memory_bytes", i.memory_bytes},
        {"denied", {{"process", i.denied_process}, {"system", i.denied_system}, {"network", i.denied_network}}},
    };
}


}  // namespace jailmgr::cli
