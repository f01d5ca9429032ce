// jailmgr logs JAIL[/SERVICE] [-f] [-n N] -- service output captured by the
// jail's supervisor (<log_dir>/<jail>/<service>.log and rotated files).
#include <iostream>
#include <limits>

#include "commands.hpp"
#include "log_reader.hpp"

namespace jailmgr::cli {

namespace sv = engine::supervisor;

void add_logs_command(CLI::App& app, Globals& g, std::vector<Command>& out) {
    struct Opts {
        std::string target;
        bool follow = false;
        long lines = -1;
    };
    auto o = std::make_shared<Opts>();
    auto* sub = app.add_subcommand("logs", "Show the output of a jail's services");
    sub->add_option("target", o->target, "JAIL or JAIL/SERVICE (JAIL/supervisor: the supervisor's own log)")
        ->required();
    sub->add_flag("-f,--follow", o->follow, "Keep printing new lines as they are written");
    sub->add_option("-n,--lines", o->lines, "Print only the last N lines of each service (default: all)")
        ->check(CLI::NonNegativeNumber);
    out.push_back({sub, [o, &g]() {
                       auto slash = o->target.find('/');
                       std::string jail = o->target.substr(0, slash);
                       std::string service = slash == std::string::npos ? "" : o->target.substr(slash + 1);
                       if (slash != std::string::npos && service.empty())
                           throw std::runtime_error("'" + o->target + "' names no service: use JAIL or JAIL/SERVICE");
                       auto sources = sv::log_sources(g.paths(), jail, service);
                       bool prefix = sources.size() > 1;
                       std::size_t width = 0;
                       for (const auto& s : sources) width = std::max(width, s.service.size());
                       auto print = [&](std::size_t i, std::string_view line) {
                           if (prefix) {
                               std::cout << sources[i].service << std::string(width - sources[i].service.size(), ' ')
                                         << " | ";
                           }
                           std::cout << line << '\n';
                       };
                       std::size_t n = o->lines < 0 ? std::numeric_limits<std::size_t>::max()
                                                    : static_cast<std::size_t>(o->lines);
                       // Open the files for following first, so nothing written
                       // between the tail and the follow is lost or repeated.
                       sv::LogFollower follower(sources);
                       std::vector<std::vector<std::string>> tails;
                       for (std::size_t i = 0; i < sources.size(); ++i)
                           tails.push_back(follower.tail(i, n));
                       for (const auto& l : sv::merge_by_time(tails)) print(l.source, l.text);
                       std::cout.flush();
                       if (o->follow)
                           follower.run([&](std::size_t i, std::string_view line) {
                               print(i, line);
                               std::cout.flush();
                           });
                       return 0;
                   }});
}

}  // namespace jailmgr::cli
