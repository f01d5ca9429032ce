// cmd_lint.cpp -- `jailmgr lint`: check manifests, print every finding.
//
// Exit status: 0 clean (warnings allowed), 1 errors found, 2 usage error or
// a path that cannot be read.  Needs no privileges and never touches the
// kernel.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "build_info.h"
#include "command.hpp"
#include "render.hpp"
#include "validate.hpp"

namespace jailmgr::cli {

namespace {

struct LintOptions {
    std::vector<std::string> files;
    std::string format = "text";
};

bool want_color() {
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    return isatty(STDOUT_FILENO) && !(no_color && *no_color) && !(term && std::string(term) == "dumb");
}

int run_lint(const LintOptions& o) {
    std::vector<std::string> files = o.files.empty() ? std::vector<std::string>{"jails.yaml"} : o.files;
    auto result = schema::lint(files, std::cin);
    auto format = schema::parse_output_format(o.format).value_or(schema::OutputFormat::text);
    size_t io_errors = 0;
    for (const auto& d : result.diagnostics.items()) io_errors += d.rule == schema::Rule::io_error;
    schema::RenderOptions ro;
    ro.color = format == schema::OutputFormat::text && want_color();
    ro.files = result.loaded.manifest.sources.size() - io_errors;
    ro.tool_version = JAILMGR_VERSION;
    schema::render(std::cout, result.diagnostics, format, ro);
    std::cout.flush();
    if (result.loaded.io_error) return 2;
    return result.diagnostics.has_errors() ? 1 : 0;
}

}  // namespace

Command add_lint_command(CLI::App& app, Globals& g) {
    (void)g;
    auto opts = std::make_shared<LintOptions>();
    CLI::App* sub = app.add_subcommand("lint", "Check manifests and report every problem with its position");
    sub->footer(
        "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error or unreadable path.\n"
        "Rules: docs/lint-rules.md.");
    sub->add_option("-f,--file", opts->files,
                    "Manifest file or directory of *.yaml/*.yml files; - reads stdin. Repeat to merge "
                    "several (default: jails.yaml)");
    sub->add_option("--format", opts->format, "Output format")
        ->check(CLI::IsMember({"text", "json", "sarif", "github"}))
        ->default_str("text");
    sub->fallthrough();  // accept the global --root-dir / --log-level after the subcommand
    return {sub, [opts] { return run_lint(*opts); }};
}

}  // namespace jailmgr::cli
