#include "status_report.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace jailmgr::engine {

using nlohmann::json;

std::string human_duration(double seconds) {
    long s = seconds < 0 ? 0 : static_cast<long>(seconds);
    char buf[32];
    if (s < 60)
        std::snprintf(buf, sizeof buf, "%lds", s);
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%ldm%lds", s / 60, s % 60);
    else if (s < 86400)
        std::snprintf(buf, sizeof buf, "%ldh%ldm", s / 3600, (s % 3600) / 60);
    else
        std::snprintf(buf, sizeof buf, "%ldd%ldh", s / 86400, (s % 86400) / 3600);
    return buf;
}

std::string human_bytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    char buf[32];
    if (u == 0 || bytes >= 100 || std::fabs(bytes - std::round(bytes)) < 0.05)
        std::snprintf(buf, sizeof buf, "%.0f%s", bytes, units[u]);
    else
        std::snprintf(buf, sizeof buf, "%.1f%s", bytes, units[u]);
    return buf;
}

namespace {

std::string jail_state(const ObservedJail& o) {
    if (!o.kernel) return "missing";  // recorded but gone from the kernel
    if (o.supervisor) return "running";
    return o.kernel->running ? "attached" : "stopped";
}

json service_json(const std::string& name, const ServiceObservation& s) {
    return {{"name", name},
            {"state", s.state},
            {"health", s.health.empty() ? json(nullptr) : json(s.health)},
            {"pid", s.pid > 0 ? json(s.pid) : json(nullptr)},
            {"restarts", s.restarts},
            {"backoff_seconds", s.backoff_seconds},
            {"last_exit_code", s.last_exit_code ? json(*s.last_exit_code) : json(nullptr)},
            {"last_signal", s.last_signal ? json(*s.last_signal) : json(nullptr)},
            {"started", s.started_unix > 0 ? json(s.started_unix) : json(nullptr)},
            {"log_lines_dropped", s.log_lines_dropped}};
}

}  // namespace

json status_json(const Observed& observed, double now_unix) {
    json jails = json::array();
    for (auto& [name, o] : observed.jails) {
        json j = {{"name", name},
                  {"state", jail_state(o)},
                  {"managed", o.applied.has_value()},
                  {"project", o.applied ? json(o.applied->project) : json(nullptr)},
                  {"jid", o.kernel ? json(o.kernel->id) : json(nullptr)}};
        if (o.kernel) {
            const auto& k = *o.kernel;
            j["profile"] = std::string(kernel::to_string(k.spec.profile));
            j["root"] = k.spec.root.string();
            j["ports"] = k.spec.ports;
            j["processes"] = k.procs_live;
            j["zombies"] = k.procs_zombie;
            j["cpu_seconds"] = k.cpu_seconds;
            j["memory_bytes"] = k.memory_bytes;
            j["age_seconds"] = k.age_seconds;
        } else {
            for (const char* f : {"profile", "root", "ports", "processes", "zombies", "cpu_seconds", "memory_bytes",
                                  "age_seconds"})
                j[f] = nullptr;
        }
        j["supervisor"] = o.supervisor ? json{{"pid", o.supervisor->pid}, {"started", o.supervisor->started_unix}}
                                       : json(nullptr);
        json services = json::array();
        std::vector<std::string> seen;
        if (o.supervisor)
            for (auto& [svc, s] : o.supervisor->services) {
                services.push_back(service_json(svc, s));
                seen.push_back(svc);
            }
        // Services the record expects but nothing runs: shown as stopped.
        if (o.applied && o.applied->autostart)
            for (auto& [svc, rec] : o.applied->services)
                if (std::find(seen.begin(), seen.end(), svc) == seen.end()) {
                    ServiceObservation down;
                    down.state = "stopped";
                    services.push_back(service_json(svc, down));
                }
        j["services"] = services;
        jails.push_back(j);
    }
    (void)now_unix;
    return {{"format_version", 1}, {"jails", jails}};
}

std::string status_text(const Observed& observed, double now_unix, bool color) {
    auto j = status_json(observed, now_unix);
    if (j["jails"].empty()) return "No jails.\n";
    std::ostringstream out;
    char line[512];
    std::snprintf(line, sizeof line, "%-16s %5s %-9s %-7s %-14s %5s %8s %9s %8s\n", "JAIL", "JID", "STATE",
                  "PROFILE", "PORTS", "PROCS", "CPU", "MEMORY", "AGE");
    out << line;
    const char* reset = color ? "\033[0m" : "";
    for (auto& jail : j["jails"]) {
        bool k = !jail["jid"].is_null();
        std::string jid = "-", profile = "-", ports = "-", procs = "-", cpu = "-", mem = "-", age = "-";
        if (k) {
            jid = std::to_string(jail["jid"].get<unsigned>());
            profile = jail["profile"];
            std::string p;
            for (auto& port : jail["ports"]) p += (p.empty() ? "" : ",") + std::to_string(port.get<int>());
            if (!p.empty()) ports = p;
            procs = std::to_string(jail["processes"].get<unsigned long>());
            char c[32];
            std::snprintf(c, sizeof c, "%.1fs", jail["cpu_seconds"].get<double>());
            cpu = c;
            mem = human_bytes(jail["memory_bytes"].get<double>());
            age = human_duration(jail["age_seconds"].get<double>());
        }
        std::string state = jail["state"];
        const char* c = !color ? "" : state == "running" ? "\033[32m" : state == "missing" ? "\033[31m" : "\033[33m";
        std::snprintf(line, sizeof line, "%-16s %5s %s%-9s%s %-7s %-14s %5s %8s %9s %8s\n",
                      jail["name"].get<std::string>().c_str(), jid.c_str(), c, state.c_str(), reset,
                      profile.c_str(), ports.c_str(), procs.c_str(), cpu.c_str(), mem.c_str(), age.c_str());
        out << line;
        if (!jail["managed"].get<bool>()) out << "  (not managed by jailmgr)\n";
        for (auto& s : jail["services"]) {
            std::vector<std::string> parts;
            if (!s["pid"].is_null()) parts.push_back("pid " + std::to_string(s["pid"].get<long>()));
            if (!s["started"].is_null()) parts.push_back("up " + human_duration(now_unix - s["started"].get<double>()));
            auto restarts = s["restarts"].get<unsigned long>();
            if (restarts > 0) parts.push_back(std::to_string(restarts) + (restarts == 1 ? " restart" : " restarts"));
            if (!s["last_exit_code"].is_null() && s["state"] != "running")
                parts.push_back("last exit " + std::to_string(s["last_exit_code"].get<int>()));
            if (s["state"] == "backoff" && s["backoff_seconds"].get<double>() > 0)
                parts.push_back("retry in " + human_duration(s["backoff_seconds"].get<double>()));
            std::string detail;
            for (auto& p : parts) detail += (detail.empty() ? "" : ", ") + p;
            std::string health = s["health"].is_null() ? "" : s["health"].get<std::string>();
            std::snprintf(line, sizeof line, "  %-14s %-9s %-10s %s\n", s["name"].get<std::string>().c_str(),
                          s["state"].get<std::string>().c_str(), health.c_str(), detail.c_str());
            std::string l = line;
            while (l.size() > 1 && l[l.size() - 2] == ' ') l.erase(l.size() - 2, 1);
            out << l;
        }
    }
    return out.str();
}

}  // namespace jailmgr::engine
