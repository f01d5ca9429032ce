// rules.hpp -- the closed list of lint rules.
//
// Every finding names one Rule.  A rule has a stable ID ("JM100") that
// users may grep for, suppress in CI or look up in docs/lint-rules.md, a
// short kebab-case name, and a fixed severity.  IDs are never reused: a
// retired rule keeps its number.
//
// Numbering: JM0xx reading and YAML, JM1xx structure and values, JM12x
// duplicates, JM13x ports, JM14x dependencies, JM15x profiles, JM16x mounts,
// JM17x roots, JM18x services, JM2xx warnings about risky but legal choices.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace jailmgr::schema {

enum class Severity : uint8_t { error, warning };

std::string_view severity_name(Severity s);  // "error", "warning"

enum class Rule : uint16_t {
    io_error,                   // JM000
    yaml_syntax,                // JM001
    duplicate_key,              // JM002
    yaml_limit,                 // JM003
    multiple_documents,         // JM004
    empty_manifest,             // JM005
    bad_anchor_or_merge,        // JM006
    unknown_key,                // JM100
    wrong_type,                 // JM101
    invalid_enum,               // JM102
    invalid_size,               // JM103
    invalid_duration,           // JM104
    out_of_range,               // JM105
    missing_key,                // JM106
    invalid_user,               // JM107
    invalid_env_key,            // JM108
    invalid_hostname,           // JM109
    bad_version,                // JM110
    invalid_name,               // JM111
    invalid_path,               // JM112
    empty_command,              // JM113
    duplicate_jail,             // JM120
    duplicate_service,          // JM121
    duplicate_profile,          // JM122
    duplicate_mount_target,     // JM123
    conflicting_toplevel,       // JM124
    port_conflict,              // JM130
    too_many_ports,             // JM131
    invalid_port,               // JM132
    duplicate_port,             // JM133
    undefined_jail_dependency,  // JM140
    jail_dependency_cycle,      // JM141
    undefined_service_dependency,  // JM142
    service_dependency_cycle,   // JM143
    healthy_without_healthcheck,   // JM144
    completed_never_completes,  // JM145
    undefined_profile,          // JM150
    profile_extends_cycle,      // JM151
    profile_shadows_level,      // JM152
    mount_escapes_root,         // JM160
    mount_hides_system_path,    // JM161
    root_base_conflict,         // JM170
    healthcheck_port_not_reserved,  // JM180
    backoff_initial_exceeds_max,    // JM181
    low_profile,                // JM200
    unlimited_restarts,         // JM201
    port_without_healthcheck,   // JM202
    unused_profile,             // JM203
    depends_on_stopped_jail,    // JM204
    count_
};

struct RuleInfo {
    Rule rule;
    std::string_view id;        // "JM100"
    std::string_view name;      // "unknown-key"
    Severity severity;
    std::string_view summary;   // one line: what the rule checks
    std::string_view fix;       // one line: how to fix a finding
};

const RuleInfo& rule_info(Rule r);
std::span<const RuleInfo> all_rules();

}  // namespace jailmgr::schema
