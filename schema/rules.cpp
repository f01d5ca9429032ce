#include "rules.hpp"

#include <array>

namespace jailmgr::schema {

namespace {

using enum Rule;
constexpr Severity E = Severity::error;
constexpr Severity W = Severity::warning;

constexpr std::array<RuleInfo, static_cast<size_t>(Rule::count_)> table{{
    {io_error, "JM000", "io-error", E, "a manifest path cannot be read",
     "check the path and its permissions"},
    {yaml_syntax, "JM001", "yaml-syntax", E, "the file is not well-formed YAML",
     "fix the YAML at the position shown (indent with spaces, close quotes and brackets)"},
    {duplicate_key, "JM002", "duplicate-key", E, "a mapping sets the same key twice",
     "keep one of the two entries"},
    {yaml_limit, "JM003", "yaml-limit", E,
     "the document nests too deeply or expands (through aliases and merges) beyond the loader's limits",
     "flatten the document or use fewer nested aliases"},
    {multiple_documents, "JM004", "multiple-documents", E, "a file holds more than one YAML document",
     "put each document in its own file (a directory of files is merged)"},
    {empty_manifest, "JM005", "empty-manifest", E, "a manifest file holds no document",
     "add at least `version: 1`, or remove the file"},
    {bad_anchor_or_merge, "JM006", "bad-anchor-or-merge", E,
     "an alias names no anchor, or a merge key `<<` is given something other than mappings",
     "define the anchor before its alias; merge only mappings (`<<: *name` or `<<: [*a, *b]`)"},
    {unknown_key, "JM100", "unknown-key", E, "a key is not part of the manifest format at that position",
     "fix the spelling (see the suggestion) or remove the key"},
    {wrong_type, "JM101", "wrong-type", E, "a value has the wrong YAML type (string, number, list, mapping...)",
     "write the type the key expects; quote strings that look like numbers or booleans"},
    {invalid_enum, "JM102", "invalid-enum", E, "a value is not one of the allowed words",
     "use one of the listed values"},
    {invalid_size, "JM103", "invalid-size", E, "a size is not a number with a unit B, KiB, MiB, GiB, TiB, K, M, G, T",
     "write e.g. 512MiB or 1G"},
    {invalid_duration, "JM104", "invalid-duration", E, "a duration is not a sequence of number+unit (ms, s, m, h)",
     "write e.g. 500ms, 30s or 1m30s"},
    {out_of_range, "JM105", "out-of-range", E, "a number is outside the range the key accepts",
     "use a value within the range given in the message"},
    {missing_key, "JM106", "missing-key", E, "a required key is missing", "add the key"},
    {invalid_user, "JM107", "invalid-user", E, "a user is not `name`, `name:group`, `uid` or `uid:gid`",
     "write e.g. www, www:www or 65534:65534"},
    {invalid_env_key, "JM108", "invalid-env-key", E,
     "an environment variable name is empty or contains `=` or a NUL byte, or a list entry lacks `=`",
     "write KEY=value entries or a KEY: value mapping"},
    {invalid_hostname, "JM109", "invalid-hostname", E, "a hostname is not an RFC 1123 host name",
     "use letters, digits and `-` in dot-separated labels of at most 63 characters"},
    {bad_version, "JM110", "bad-version", E, "`version` is missing or not 1", "add `version: 1` at the top of the file"},
    {invalid_name, "JM111", "invalid-name", E,
     "a jail, service, profile or host name is not 1-63 characters of [A-Za-z0-9._-]",
     "rename it using letters, digits, `.`, `_` and `-`"},
    {invalid_path, "JM112", "invalid-path", E, "a path is not absolute, too long, or contains a NUL byte",
     "write an absolute path (jail roots at most 255 bytes)"},
    {empty_command, "JM113", "empty-command", E, "a command, setup step or health check test is empty",
     "give the program and its arguments"},
    {duplicate_jail, "JM120", "duplicate-jail", E, "two jails have the same name (in one file or across files)",
     "rename one of them or remove the duplicate"},
    {duplicate_service, "JM121", "duplicate-service", E, "a jail defines two services with the same name",
     "rename one of them or remove the duplicate"},
    {duplicate_profile, "JM122", "duplicate-profile", E, "two profiles have the same name (in one file or across files)",
     "rename one of them or remove the duplicate"},
    {duplicate_mount_target, "JM123", "duplicate-mount-target", E, "two mounts of a jail have the same target",
     "keep one mount per target"},
    {conflicting_toplevel, "JM124", "conflicting-toplevel", E,
     "merged files disagree on `project` or both set the same `defaults` key",
     "set `project` and each default in one file only"},
    {port_conflict, "JM130", "port-conflict", E, "two jails that can run on the same host reserve the same port",
     "give each jail its own ports, or place the jails on different hosts"},
    {too_many_ports, "JM131", "too-many-ports", E, "a jail reserves more than 32 ports", "reserve at most 32 ports per jail"},
    {invalid_port, "JM132", "invalid-port", E, "a port is not 1-65535 (optionally with /tcp or /udp)",
     "write e.g. 8080 or \"8080/tcp\""},
    {duplicate_port, "JM133", "duplicate-port", W, "a jail lists the same port twice", "remove the repeated port"},
    {undefined_jail_dependency, "JM140", "undefined-jail-dependency", E, "`depends_on` names a jail that is not defined",
     "fix the name (see the suggestion) or define the jail"},
    {jail_dependency_cycle, "JM141", "jail-dependency-cycle", E, "jails depend on each other in a cycle",
     "remove one `depends_on` edge of the cycle shown"},
    {undefined_service_dependency, "JM142", "undefined-service-dependency", E,
     "a service's `depends_on` names a service that the jail does not define",
     "fix the name (see the suggestion) or define the service"},
    {service_dependency_cycle, "JM143", "service-dependency-cycle", E, "services of a jail depend on each other in a cycle",
     "remove one `depends_on` edge of the cycle shown"},
    {healthy_without_healthcheck, "JM144", "healthy-without-healthcheck", E,
     "a dependency waits for `healthy` but the dependency has no health check, so it would never be met",
     "add a healthcheck to the dependency or wait for `started`"},
    {completed_never_completes, "JM145", "completed-never-completes", W,
     "a service waits for another to complete successfully, but that one restarts `always`",
     "give the one-shot service `restart: no` or `on-failure`"},
    {undefined_profile, "JM150", "undefined-profile", E, "a profile is neither low, medium, high nor defined under `profiles`",
     "fix the name (see the suggestion) or define the profile"},
    {profile_extends_cycle, "JM151", "profile-extends-cycle", E, "profiles extend each other in a cycle",
     "make one profile of the cycle extend low, medium or high"},
    {profile_shadows_level, "JM152", "profile-shadows-level", E, "a named profile is called low, medium or high",
     "choose another name"},
    {mount_escapes_root, "JM160", "mount-escapes-root", E, "a mount target contains `..`",
     "write the target as a plain absolute path inside the jail"},
    {mount_hides_system_path, "JM161", "mount-hides-system-path", E,
     "a mount target is /, /dev, /proc or /sys (or lies below /dev, /proc or /sys)",
     "mount somewhere else, e.g. under /srv or /mnt"},
    {root_base_conflict, "JM170", "root-base-conflict", E,
     "`root` differs from a rootfs `base` path (with a path base, the base is the jail's root)",
     "drop `root`, or set it to the same path as `base`"},
    {healthcheck_port_not_reserved, "JM180", "healthcheck-port-not-reserved", W,
     "a TCP health check probes a port the jail does not reserve", "add the port to the jail's `ports`"},
    {backoff_initial_exceeds_max, "JM181", "backoff-initial-exceeds-max", E,
     "`restart_backoff.initial` is larger than `restart_backoff.max`", "make initial <= max"},
    {low_profile, "JM200", "low-profile", W,
     "a jail runs with profile low: jailed root may mount, mknod and chroot, the classic ways out of a jail",
     "use medium or high unless the workload needs host administration"},
    {unlimited_restarts, "JM201", "unlimited-restarts", W,
     "a restarting service has an explicitly unlimited start limit (`burst: 0`), so a crash loop never stops",
     "remove `burst: 0` (the default is 5 starts per 60s) or set a limit"},
    {port_without_healthcheck, "JM202", "port-without-healthcheck", W,
     "a jail reserves ports but none of its services has a health check",
     "add a healthcheck, e.g. `healthcheck: {tcp: PORT}`"},
    {unused_profile, "JM203", "unused-profile", W, "a named profile is used by no jail and extended by no profile",
     "use it or remove it"},
    {depends_on_stopped_jail, "JM204", "depends-on-stopped-jail", W,
     "an autostarted jail depends on a jail with `autostart: false`, so it waits for a jail nobody starts",
     "autostart the dependency too, or drop the dependency"},
}};

}  // namespace

std::string_view severity_name(Severity s) { return s == Severity::error ? "error" : "warning"; }

const RuleInfo& rule_info(Rule r) { return table[static_cast<size_t>(r)]; }

std::span<const RuleInfo> all_rules() { return table; }

// The table must be in enum order: rule_info() indexes it.
static_assert([] {
    for (size_t i = 0; i < table.size(); ++i)
        if (static_cast<size_t>(table[i].rule) != i) return false;
    return true;
}());

}  // namespace jailmgr::schema
