// jailctl create -- make a jail record and its kernel objects; print the ID.
#include <iostream>

#include "jail_policy.h"
#include "jailctl_util.hpp"

namespace jailmgr::cli {

namespace {

struct CreateOptions {
    std::string name;
    std::string level = "high";
    std::vector<std::string> ports;
    std::string memory, address_space, core;
    std::optional<double> cpus;
    std::optional<std::uint64_t> pids, nofile;
    bool rootfs = false;
    std::vector<std::string> mounts, deny;
    std::string hostname;
    std::string root;
};

kernel::JailSpec to_spec(const CreateOptions& o) {
    kernel::JailSpec s;
    s.name = o.name;
    s.root = o.root;
    s.profile = *kernel::parse_profile(o.level);
    for (const auto& p : o.ports)
        for (auto port : parse_ports(p)) s.ports.push_back(port);
    if (!o.memory.empty()) s.limits.memory_bytes = parse_size(o.memory);
    if (!o.address_space.empty()) s.limits.address_space = parse_size(o.address_space);
    if (!o.core.empty()) s.limits.core = parse_size(o.core);
    s.limits.cpus = o.cpus;
    s.limits.pids = o.pids;
    s.limits.nofile = o.nofile;
    s.layout = o.rootfs ? kernel::Layout::rootfs : kernel::Layout::host_base;
    for (const auto& m : o.mounts) s.mounts.push_back(parse_mount(m));
    for (const auto& d : o.deny) {
        auto act = jail_action_by_name(d.c_str());
        if (act == JAIL_ACT_COUNT) throw CLI::ValidationError("--deny " + d, "unknown action");
        s.deny_extra |= 1u << act;
    }
    s.hostname = o.hostname;
    return s;
}

}  // namespace

void add_jailctl_create(CLI::App& app, Globals& g, std::vector<Command>& out) {
    auto o = std::make_shared<CreateOptions>();
    auto* cmd = app.add_subcommand("create", "Create a jail and print its ID");
    cmd->add_option("-n,--name", o->name, "Jail name ([A-Za-z0-9._-], at most 63 bytes)")->required();
    cmd->add_option("-l,--level", o->level, "Hardening profile")
        ->check(CLI::IsMember({"low", "medium", "high"}))
        ->default_str("high");
    cmd->add_option("-r,--reserve", o->ports, "Reserve ports for this jail only (PORT[,PORT]; repeatable)");
    cmd->add_option("--memory", o->memory, "Memory limit of the whole jail (e.g. 512MiB)");
    cmd->add_option("--cpus", o->cpus, "CPU quota of the whole jail, in CPUs (e.g. 0.5)");
    cmd->add_option("--pids", o->pids, "Maximum number of processes and threads in the jail");
    cmd->add_option("-N,--nofile", o->nofile, "RLIMIT_NOFILE of every process");
    cmd->add_option("-A,--address-space", o->address_space, "RLIMIT_AS of every process (e.g. 1GiB)");
    cmd->add_option("-C,--core", o->core, "RLIMIT_CORE of every process (e.g. 0)");
    cmd->add_flag("--rootfs", o->rootfs, "ROOT is a complete root filesystem (default: the host's /usr, /lib... plus a per-jail /etc, /var, /home, /root)");
    cmd->add_option("--mount", o->mounts, "Bind mount SRC:DST[:ro] (repeatable)");
    cmd->add_option("--deny", o->deny, "Extra denial on top of the profile, e.g. sysvipc (repeatable)");
    cmd->add_option("--hostname", o->hostname, "Hostname inside the jail (default: the name)");
    cmd->add_option("ROOT", o->root, "The jail's root directory (absolute)")->required();
    out.push_back({cmd, [o, &app, &g] {
                       reject_extras(app);
                       auto spec = to_spec(*o);
                       auto driver = open_driver(g);
                       std::cout << driver->create(spec) << "\n";
                       return 0;
                   }});
}

}  // namespace jailmgr::cli
