// command.hpp -- how the jailmgr and jailctl front ends are put together.
//
// Each subcommand lives in its own file and registers itself through an
// add_* function that declares its flags on a CLI11 subcommand and returns
// the function to run once parsing succeeded.  The CLI stays thin: parse,
// call the library, print.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <string>

#include "paths.hpp"

namespace jailmgr::cli {

// Options every command takes.
struct Globals {
    std::filesystem::path root_dir = "/";
    std::string log_level = "warn";
    engine::Paths paths() const { return engine::Paths::for_root(root_dir); }
};

struct Command {
    CLI::App* app = nullptr;
    std::function<int()> run;
};

// Adds --root-dir and --log-level to `app` (inherited by subcommands).
void add_global_options(CLI::App& app, Globals& g);
// Applies --log-level to spdlog (stderr sink).  Throws CLI::ValidationError.
void setup_logging(const Globals& g);

// Parses argv, runs the selected command and maps errors to exit codes:
// usage errors -> usage_exit, uncaught exceptions -> 1 with a one-line message.
int run_main(CLI::App& app, std::vector<Command>& commands, int argc, char** argv,
             const Globals& g, int usage_exit);

// "jailmgr 0.1.0\nbuild: release, gcc 12.2.0, git v0.1.0-3-gabc1234, driver linux"
// (git is the `git describe` of the source tree at configure time, or "unknown").
std::string version_line(const std::string& program);

}  // namespace jailmgr::cli
