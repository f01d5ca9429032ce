// jailmgr ps [JAIL] -- the processes of each supervised jail, per service:
// every member of the session its main process leads, read from /proc.
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "proc_table.hpp"
#include "status.hpp"

namespace jailmgr::cli {

namespace sv = engine::supervisor;

void add_ps_command(CLI::App& app, Globals& g, std::vector<Command>& out) {
    auto jail = std::make_shared<std::string>();
    auto* sub = app.add_subcommand("ps", "List the processes of supervised jails, per service");
    sub->add_option("jail", *jail, "Only this jail");
    out.push_back({sub, [jail, &g]() {
                       auto paths = g.paths();
                       std::vector<std::string> jails;
                       if (jail->empty()) jails = sv::supervised_jails(paths);
                       else jails = {*jail};
                       struct Row {
                           std::string jail, service, pid, ppid, user, time, cmd;
                       };
                       std::vector<Row> rows;
                       auto procs = sv::read_processes();
                       int rc = 0;
                       for (const auto& j : jails) {
                           auto status = sv::read_status(paths, j);
                           if (!status) {
                               std::cerr << "jailmgr ps: jail " << j << " is not supervised (no status under "
                                         << (paths.run_dir / "supervisors").string() << ")\n";
                               rc = 1;
                               continue;
                           }
                           if (!status->value("running", false)) {
                               rows.push_back({j, "-", "-", "-", "-", "-", "(not running: its supervisor is gone)"});
                               continue;
                           }
                           for (const auto& [name, svc] : (*status)["services"].items()) {
                               if (!svc["pid"].is_number()) continue;
                               for (const auto& p : sv::session_members(procs, svc["pid"].get<pid_t>()))
                                   rows.push_back({j, name, std::to_string(p.pid), std::to_string(p.ppid),
                                                   sv::user_name(p.uid), sv::format_cpu_time(p.cpu_seconds), p.cmd});
                           }
                       }
                       Row head{"JAIL", "SERVICE", "PID", "PPID", "USER", "TIME", "CMD"};
                       std::size_t w[6] = {};
                       auto fit = [&](const Row& r) {
                           const std::string* f[6] = {&r.jail, &r.service, &r.pid, &r.ppid, &r.user, &r.time};
                           for (int i = 0; i < 6; ++i) w[i] = std::max(w[i], f[i]->size());
                       };
                       fit(head);
                       for (const auto& r : rows) fit(r);
                       auto print = [&](const Row& r) {
                           std::cout << std::left << std::setw(static_cast<int>(w[0])) << r.jail << "  "
                                     << std::setw(static_cast<int>(w[1])) << r.service << "  " << std::right
                                     << std::setw(static_cast<int>(w[2])) << r.pid << "  "
                                     << std::setw(static_cast<int>(w[3])) << r.ppid << "  " << std::left
                                     << std::setw(static_cast<int>(w[4])) << r.user << "  " << std::right
                                     << std::setw(static_cast<int>(w[5])) << r.time << "  " << r.cmd << '\n';
                       };
                       print(head);
                       for (const auto& r : rows) print(r);
                       return rc;
                   }});
}

}  // namespace jailmgr::cli
