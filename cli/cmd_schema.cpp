// cmd_schema.cpp -- `jailmgr schema`: print the manifest's JSON Schema.
//
// Generated from the same descriptors the loader uses (schema/format_v1.cpp);
// the checked-in copy schema/jails.schema.json is this output.
#include <iostream>

#include "command.hpp"
#include "format_v1.hpp"

namespace jailmgr::cli {

Command add_schema_command(CLI::App& app, Globals& g) {
    (void)g;
    CLI::App* sub = app.add_subcommand("schema", "Print the JSON Schema (draft 2020-12) of the manifest format");
    sub->fallthrough();  // accept the global --root-dir / --log-level after the subcommand
    return {sub, [] {
                std::cout << schema::format::json_schema().dump(2) << "\n";
                return 0;
            }};
}

}  // namespace jailmgr::cli
