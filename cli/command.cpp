#include "command.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "build_info.h"

namespace jailmgr::cli {

void add_global_options(CLI::App& app, Globals& g) {
    app.add_option("--root-dir", g.root_dir,
                   "Prefix for the state, runtime and log directories (for tests and several instances)")
        ->default_str("/")
        ->configurable(false);
    app.add_option("--log-level", g.log_level, "Diagnostics on stderr: trace, debug, info, warn, error, off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
        ->default_str("warn");
}

void setup_logging(const Globals& g) {
    auto logger = spdlog::stderr_color_mt("jailmgr");
    logger->set_pattern("%n: %l: %v");
    logger->set_level(spdlog::level::from_str(g.log_level));
    spdlog::set_default_logger(logger);
}

std::string version_line(const std::string& program) {
    std::string git = JAILMGR_GIT_DESCRIBE;
    return program + " " + JAILMGR_VERSION + "\nbuild: " + JAILMGR_BUILD_TYPE + ", " + JAILMGR_COMPILER +
           ", git " + (git.empty() ? "unknown" : git) + ", driver " + JAILMGR_DRIVER;
}

int run_main(CLI::App& app, std::vector<Command>& commands, int argc, char** argv, const Globals& g,
             int usage_exit) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return usage_exit;
    }
    setup_logging(g);
    for (auto& c : commands) {
        if (c.app && c.app->parsed()) {
            try {
                return c.run();
            } catch (const std::exception& e) {
                std::cerr << app.get_name() << " " << c.app->get_name() << ": " << e.what() << "\n";
                return 1;
            }
        }
    }
    std::cerr << app.help();
    return usage_exit;
}

}  // namespace jailmgr::cli
