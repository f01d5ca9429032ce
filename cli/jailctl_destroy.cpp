// jailctl destroy -- remove a jail; refuses while processes remain unless --force.
#include "jailctl_util.hpp"

namespace jailmgr::cli {

void add_jailctl_destroy(CLI::App& app, Globals& g, std::vector<Command>& out) {
    struct Options {
        std::string jail;
        bool force = false;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand("destroy", "Destroy a jail (its root directory stays)");
    cmd->add_option("JAIL", o->jail, "Jail ID or name")->required();
    cmd->add_flag("-f,--force", o->force, "Kill the jail's processes first");
    out.push_back({cmd, [o, &app, &g] {
                       reject_extras(app);
                       auto driver = open_driver(g);
                       driver->destroy(find_or_throw(*driver, o->jail).id, o->force);
                       return 0;
                   }});
}

}  // namespace jailmgr::cli
