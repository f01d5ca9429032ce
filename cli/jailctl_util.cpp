#include "jailctl_util.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "jail_policy.h"

namespace jailmgr::cli {

using kernel::DriverError;
using kernel::Errc;
using nlohmann::json;

std::uint64_t parse_size(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data())
        throw CLI::ValidationError("size '" + std::string(text) + "'", "expected a number with an optional unit (B, KiB, MiB, GiB, K, M, G)");
    std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
    std::uint64_t mult = 0;
    if (unit.empty() || unit == "B") mult = 1;
    else if (unit == "K" || unit == "KiB") mult = 1ull << 10;
    else if (unit == "M" || unit == "MiB") mult = 1ull << 20;
    else if (unit == "G" || unit == "GiB") mult = 1ull << 30;
    else
        throw CLI::ValidationError("size '" + std::string(text) + "'", "unknown unit '" + std::string(unit) +
                                                                            "' (use B, KiB, MiB, GiB, K, M or G)");
    if (value > UINT64_MAX / mult) throw CLI::ValidationError("size '" + std::string(text) + "'", "too large");
    return value * mult;
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

std::string short_duration(double seconds) {
    auto s = static_cast<long long>(seconds);
    if (s < 120) return std::to_string(s) + "s";
    if (s < 7200) return std::to_string(s / 60) + "m";
    if (s < 2 * 86400) return std::to_string(s / 3600) + "h";
    return std::to_string(s / 86400) + "d";
}

std::string short_bytes(std::uint64_t b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(b);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 || v >= 10 ? "%.0f%s" : "%.1f%s", v, units[u]);
    return buf;
}

}  // namespace jailmgr::cli
