// jailctl stats -- per-jail telemetry: a table, JSON, or Prometheus text.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <iomanip>
#include <iostream>
#include <sstream>

#include "jailctl_util.hpp"
#include "status_report.hpp"

namespace jailmgr::cli {

namespace {

void print_table(const std::vector<kernel::JailInfo>& jails) {
    std::vector<std::vector<std::string>> rows = {
        {"ID", "NAME", "CPU", "MEMORY", "PROCS", "ZOMBIES", "DENIED", "MEM-LIMIT", "CPUS", "PIDS", "AGE"}};
    for (const auto& j : jails) {
        const auto& l = j.spec.limits;
        std::ostringstream cpu, cpus;
        cpu << std::fixed << std::setprecision(2) << j.cpu_seconds << "s";
        if (l.cpus) cpus << *l.cpus;
        rows.push_back({std::to_string(j.id), j.spec.name, cpu.str(), engine::human_bytes(j.memory_bytes),
                        std::to_string(j.procs_live), std::to_string(j.procs_zombie),
                        std::to_string(j.denied_process + j.denied_system + j.denied_network),
                        l.memory_bytes ? engine::human_bytes(*l.memory_bytes) : "-", l.cpus ? cpus.str() : "-",
                        l.pids ? std::to_string(*l.pids) : "-", engine::human_duration(j.age_seconds)});
    }
    std::vector<size_t> width(rows[0].size(), 0);
    for (const auto& r : rows)
        for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
    for (const auto& r : rows) {
        std::ostringstream line;
        for (size_t c = 0; c < r.size(); ++c)
            line << std::left << std::setw(static_cast<int>(c + 1 == r.size() ? 0 : width[c] + 2)) << r[c];
        std::cout << line.str() << "\n";
    }
}

// Prometheus text exposition, base units, labels jail and jid.
std::string prometheus_text(const std::vector<kernel::JailInfo>& jails) {
    using namespace prometheus;
    Registry reg;
    auto& info = BuildGauge().Name("jailctl_jail_info").Help("Jail identity: always 1, with the profile as a label").Register(reg);
    auto& cpu = BuildCounter().Name("jailctl_jail_cpu_seconds_total").Help("CPU time used by the jail's processes since create").Register(reg);
    auto& mem = BuildGauge().Name("jailctl_jail_memory_bytes").Help("Memory used by the jail (cgroup)").Register(reg);
    auto& procs = BuildGauge().Name("jailctl_jail_processes").Help("Processes in the jail, by state").Register(reg);
    auto& running = BuildGauge().Name("jailctl_jail_running").Help("1 if the jail's namespaces are up (its init runs)").Register(reg);
    auto& age = BuildGauge().Name("jailctl_jail_age_seconds").Help("Seconds since the jail was created").Register(reg);
    auto& denied = BuildCounter().Name("jailctl_jail_denied_total").Help("Operations the jail model refused, by scope (Linux counts network denials only)").Register(reg);
    auto& ports = BuildGauge().Name("jailctl_jail_reserved_ports").Help("Ports reserved for the jail").Register(reg);
    auto& mem_limit = BuildGauge().Name("jailctl_jail_memory_limit_bytes").Help("Memory limit of the jail").Register(reg);
    auto& cpu_limit = BuildGauge().Name("jailctl_jail_cpu_limit_cpus").Help("CPU quota of the jail, in CPUs").Register(reg);
    auto& pids_limit = BuildGauge().Name("jailctl_jail_pids_limit").Help("Maximum processes and threads in the jail").Register(reg);
    for (const auto& j : jails) {
        Labels l{{"jail", j.spec.name}, {"jid", std::to_string(j.id)}};
        auto with = [&](const char* k, std::string v) {
            Labels m = l;
            m.emplace(k, std::move(v));
            return m;
        };
        info.Add(with("profile", std::string(kernel::to_string(j.spec.profile)))).Set(1);
        cpu.Add(l).Increment(j.cpu_seconds);
        mem.Add(l).Set(static_cast<double>(j.memory_bytes));
        procs.Add(with("state", "live")).Set(static_cast<double>(j.procs_live));
        procs.Add(with("state", "zombie")).Set(static_cast<double>(j.procs_zombie));
        running.Add(l).Set(j.running ? 1 : 0);
        age.Add(l).Set(j.age_seconds);
        denied.Add(with("scope", "process")).Increment(static_cast<double>(j.denied_process));
        denied.Add(with("scope", "system")).Increment(static_cast<double>(j.denied_system));
        denied.Add(with("scope", "network")).Increment(static_cast<double>(j.denied_network));
        ports.Add(l).Set(static_cast<double>(j.spec.ports.size()));
        if (j.spec.limits.memory_bytes) mem_limit.Add(l).Set(static_cast<double>(*j.spec.limits.memory_bytes));
        if (j.spec.limits.cpus) cpu_limit.Add(l).Set(*j.spec.limits.cpus);
        if (j.spec.limits.pids) pids_limit.Add(l).Set(static_cast<double>(*j.spec.limits.pids));
    }
    return TextSerializer().Serialize(reg.Collect());
}

}  // namespace

void add_jailctl_stats(CLI::App& app, Globals& g, std::vector<Command>& out) {
    struct Options {
        bool json = false, prometheus = false;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("stats", "Telemetry of every jail: CPU, memory, processes, denials, limits");
    auto* j = cmd->add_flag("--json", o->json, "Print JSON");
    cmd->add_flag("--prometheus", o->prometheus, "Print Prometheus text exposition format")->excludes(j);
    out.push_back({cmd, [o, &app, &g] {
                       reject_extras(app);
                       auto driver = open_driver(g);
                       auto jails = driver->list();
                       if (o->prometheus) {
                           std::cout << prometheus_text(jails);
                       } else if (o->json) {
                           nlohmann::json arr = nlohmann::json::array();
                           for (const auto& jail : jails) arr.push_back(jail_json(jail));
                           std::cout << arr.dump(2) << "\n";
                       } else {
                           print_table(jails);
                       }
                       return 0;
                   }});
}

}  // namespace jailmgr::cli
