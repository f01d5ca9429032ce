// jailctl_util.hpp -- what several jailctl subcommands share: parsing of
// sizes, port lists and mount specs, the JSON form of a jail, and the one
// way to open the driver for the current --root-dir.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "command.hpp"
#include "driver.hpp"

namespace jailmgr::cli {

// "512MiB", "64M", "1.5G", "4096" -> bytes, by the manifest's rules
// (schema::parse_size).  Throws CLI::ValidationError with the offending text.
std::uint64_t parse_size(std::string_view text);

// "8080", "8080,8443" -> ports.  Throws CLI::ValidationError.
std::vector<std::uint16_t> parse_ports(std::string_view text);

// "SRC:DST" or "SRC:DST:ro" -> a bind mount.  Throws CLI::ValidationError.
kernel::BindMount parse_mount(std::string_view text);

std::unique_ptr<kernel::Driver> open_driver(const Globals& g);

// Throws CLI::ExtrasError if words were left over (the root app allows
// extras for the sake of "exec JAIL -- CMD").
void reject_extras(const CLI::App& app);

// The jail named by ID or name, or DriverError(not_found) "no jail 'x'".
kernel::JailInfo find_or_throw(kernel::Driver& driver, std::string_view id_or_name);

nlohmann::json jail_json(const kernel::JailInfo& info);

// Registration of each subcommand (one file each).
void add_jailctl_create(CLI::App& app, Globals& g, std::vector<Command>& out);
void add_jailctl_destroy(CLI::App& app, Globals& g, std::vector<Command>& out);
void add_jailctl_list(CLI::App& app, Globals& g, std::vector<Command>& out);
void add_jailctl_exec(CLI::App& app, Globals& g, std::vector<Command>& out);
void add_jailctl_stats(CLI::App& app, Globals& g, std::vector<Command>& out);

}  // namespace jailmgr::cli
