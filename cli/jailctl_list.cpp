// jailctl list -- one line per jail, or JSON.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "jailctl_util.hpp"
#include "status_report.hpp"

namespace jailmgr::cli {

namespace {

std::string ports_text(const std::vector<std::uint16_t>& ports) {
    if (ports.empty()) return "-";
    std::string s;
    for (auto p : ports) {
        if (!s.empty()) s += ',';
        s += std::to_string(p);
    }
    return s;
}

void print_table(const std::vector<kernel::JailInfo>& jails) {
    std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "PROFILE", "PORTS", "PROCS", "RUNNING", "AGE", "ROOT"}};
    for (const auto& j : jails)
        rows.push_back({std::to_string(j.id), j.spec.name, std::string(kernel::to_string(j.spec.profile)),
                        ports_text(j.spec.ports), std::to_string(j.procs_live + j.procs_zombie),
                        j.running ? "yes" : "no", engine::human_duration(j.age_seconds), j.spec.root.string()});
    std::vector<size_t> width(rows[0].size(), 0);
    for (const auto& r : rows)
        for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
    for (const auto& r : rows) {
        std::ostringstream line;
        for (size_t c = 0; c < r.size(); ++c) {
            if (c + 1 == r.size())
                line << r[c];
            else
                line << std::left << std::setw(static_cast<int>(width[c] + 2)) << r[c];
        }
        std::cout << line.str() << "\n";
    }
}

}  // namespace

void add_jailctl_list(CLI::App& app, Globals& g, std::vector<Command>& out) {
    auto json = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("list", "List jails");
    cmd->add_flag("--json", *json, "Print JSON (an array of jails)");
    out.push_back({cmd, [json, &app, &g] {
                       reject_extras(app);
                       auto driver = open_driver(g);
                       auto jails = driver->list();
                       if (*json) {
                           nlohmann::json arr = nlohmann::json::array();
                           for (const auto& j : jails) arr.push_back(jail_json(j));
                           std::cout << arr.dump(2) << "\n";
                       } else {
                           print_table(jails);
                       }
                       return 0;
                   }});
}

}  // namespace jailmgr::cli
