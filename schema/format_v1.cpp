// format_v1.cpp -- the whole manifest format v1, written once as data.
#include "format_v1.hpp"

#include <array>

#include "defaults.hpp"
#include "types.hpp"

namespace jailmgr::schema {

namespace {
constexpr std::array<std::string_view, 18> deny_vocabulary{
    "mount", "module", "mknod", "chroot", "reboot", "swap", "accounting", "time", "cpu_admin",
    "kernaddr", "filehandle", "sysctl_write", "net_admin", "raw_socket", "route_socket", "device", "machdep", "sysvipc"};
}  // namespace

std::span<const std::string_view> deny_names() { return deny_vocabulary; }

namespace format {

namespace {

using namespace std::chrono_literals;
namespace dflt = defaults;

json ms_json(Millis m) { return format_duration(m); }

// `version:` -- only 1 exists; anything else is JM110.
class VersionType final : public ValueType<int64_t> {
public:
    bool decode(const yaml::Node& n, Decoder& d, int64_t& out) const override {
        if (!n.is_scalar() || yaml::scalar_type(n) != yaml::ScalarType::integer || n.text != "1") {
            d.report(Rule::bad_version, n,
                     "unsupported manifest version " + quote_text(n.is_scalar() ? n.text : yaml::describe(n)) +
                         "; this jailmgr reads version 1");
            return false;
        }
        out = 1;
        return true;
    }
    json schema(SchemaBuilder&) const override { return {{"const", 1}}; }
};

template <class O>
Field<O> with_missing_rule(Field<O> f, Rule r) {
    f.missing_rule = r;
    return f;
}

// "exactly one of a and b", judged on the keys written (a key whose value
// was rejected still counts, so one mistake yields one finding).
void exactly_one(std::string_view ka, std::string_view kb, std::string_view what, const yaml::Node& n, Decoder& d) {
    if (!n.is_mapping()) return;
    bool a = false, b = false;
    for (const auto& e : n.entries) {
        a = a || (e.key->is_scalar() && e.key->text == ka);
        b = b || (e.key->is_scalar() && e.key->text == kb);
    }
    if (a && b)
        d.report(Rule::wrong_type, n,
                 std::string(what) + " sets both '" + std::string(ka) + "' and '" + std::string(kb) + "'; use one");
    else if (!a && !b)
        d.report(Rule::missing_key, n,
                 std::string(what) + " needs '" + std::string(ka) + "' or '" + std::string(kb) + "'");
}

// Every descriptor of the format.  Built once, immutable afterwards.
struct V1 {
    // scalars
    StringType any{};
    StringType name{StringFormat::name};
    StringType abs_path{StringFormat::abs_path};
    StringType root_path{StringFormat::root_path};
    StringType base{StringFormat::base};
    StringType hostname{StringFormat::hostname};
    StringType profile_ref{StringFormat::any, "low, medium, high, or a name under profiles"};
    UserType user;
    BoolType boolean;
    VersionType version;
    SizeType size;
    SizeType memory{1024 * 1024};
    DurationType duration;
    DurationType positive_duration{1ms};
    IntType pids{1, 4'194'304};
    IntType nofile{1, 1'073'741'816};
    IntType burst{0, 1'000'000};
    IntType retries{1, 1'000'000};
    IntType keep{0, 10'000};
    NumberType cpus{0.0, 4096.0};
    PortType port;
    SignalType signal;
    ModeType mode;
    CommandType command;
    EnvironmentType environment;
    EnumType restart{{"always", "on-failure", "no"}};
    EnumType deny_name{{deny_vocabulary.begin(), deny_vocabulary.end()}};
    EnumType facility{{"auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog", "user",
                       "uucp", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}};
    EnumType level{{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}};
    DependsOnType jail_depends{{"started", "healthy"}};
    DependsOnType service_depends{{"service_started", "service_healthy", "service_completed_successfully"}};
    HealthTestType health_test;
    ListType<Port> ports{port, 32};
    ListType<std::string> deny_list{deny_name};
    ListType<std::string> host_list{name};

    ObjectType<Limits> limits{
        "limits",
        "resource limits: cgroups on Linux, rlimits on NetBSD",
        {
            field("memory", &Limits::memory, memory, "memory limit (at least 1MiB)"),
            field("cpus", &Limits::cpus, cpus, "CPU quota in CPUs, e.g. 0.5"),
            field("pids", &Limits::pids, pids, "maximum number of processes"),
            field("nofile", &Limits::nofile, nofile, "maximum open files per process (RLIMIT_NOFILE)"),
            field("core", &Limits::core, size, "maximum core file size (RLIMIT_CORE)"),
            field("as", &Limits::as, memory, "maximum address space per process (RLIMIT_AS)"),
        }};

    ObjectType<Mount> mount{
        "mount",
        "a bind mount of a host path into the jail",
        {
            field("source", &Mount::source, abs_path, "host path", nullptr, true),
            field("target", &Mount::target, abs_path, "path inside the jail", nullptr, true),
            field("readonly", &Mount::readonly, boolean, "mount read-only", dflt::mount_readonly),
        }};
    ListType<Mount> mounts{mount};

    ObjectType<FileStep> file_step{
        "file_step",
        "write a file inside the jail",
        {
            field("path", &FileStep::path, abs_path, "path inside the jail", nullptr, true),
            field("content", &FileStep::content, any, "file content", ""),
            field("mode", &FileStep::mode, mode, "octal mode", "0644"),
        }};

    ObjectType<SetupStep> setup_step{
        "setup_step",
        "one provisioning step, re-run only when its content changes",
        {
            field("run", &SetupStep::run, command, "a command run inside the jail"),
            field("file", &SetupStep::file, file_step, "a file written inside the jail"),
        },
        false,
        [](SetupStep&, const yaml::Node& n, Decoder& d) { exactly_one("run", "file", "a setup step", n, d); }};
    ListType<SetupStep> setup{setup_step};

    ObjectType<Backoff> backoff{
        "restart_backoff",
        "delay between restarts: starts at initial, doubles up to max, resets after a run of reset_after",
        {
            field("initial", &Backoff::initial, duration, "first delay", ms_json(dflt::backoff_initial)),
            field("max", &Backoff::max, duration, "longest delay", ms_json(dflt::backoff_max)),
            field("reset_after", &Backoff::reset_after, duration, "a run this long resets the delay",
                  ms_json(dflt::backoff_reset_after)),
        }};

    ObjectType<StartLimit> start_limit{
        "start_limit",
        "more than burst starts within interval mark the service failed; it is retried after retry_after",
        {
            field("burst", &StartLimit::burst, burst, "starts allowed per interval (0 = unlimited)", dflt::start_limit_burst),
            field("interval", &StartLimit::interval, positive_duration, "the window", ms_json(dflt::start_limit_interval)),
            field("retry_after", &StartLimit::retry_after, duration, "when a failed service is tried again",
                  ms_json(dflt::start_limit_retry_after)),
        }};

    ObjectType<Healthcheck> healthcheck{
        "healthcheck",
        "how the supervisor decides that a service is healthy",
        {
            field("test", &Healthcheck::test, health_test,
                  "[\"CMD\", prog, args...], [\"CMD-SHELL\", script], a shell string, or {tcp: PORT}"),
            field("tcp", &Healthcheck::tcp, port, "a TCP connect check to 127.0.0.1:PORT"),
            field("interval", &Healthcheck::interval, positive_duration, "time between checks",
                  ms_json(dflt::health_interval)),
            field("timeout", &Healthcheck::timeout, positive_duration, "time a check may take",
                  ms_json(dflt::health_timeout)),
            field("retries", &Healthcheck::retries, retries, "failures in a row before unhealthy", dflt::health_retries),
            field("start_period", &Healthcheck::start_period, duration, "grace time after start",
                  ms_json(dflt::health_start_period)),
        },
        false,
        [](Healthcheck&, const yaml::Node& n, Decoder& d) { exactly_one("test", "tcp", "a healthcheck", n, d); }};

    ObjectType<LogFile> log_file{
        "log_file",
        "per-service log files on the host, rotated by size",
        {
            field("max_size", &LogFile::max_size, size, "rotate at this size", "10MiB"),
            field("keep", &LogFile::keep, keep, "rotated files kept", dflt::log_keep),
        }};

    ObjectType<LogSyslog> log_syslog{
        "log_syslog",
        "also send output to syslog",
        {
            field("facility", &LogSyslog::facility, facility, "syslog facility", dflt::syslog_facility),
            field("stdout", &LogSyslog::stdout_level, level, "level of stdout lines", dflt::syslog_stdout),
            field("stderr", &LogSyslog::stderr_level, level, "level of stderr lines", dflt::syslog_stderr),
            field("tag", &LogSyslog::tag, any, "syslog tag (default jail-<jail name>)"),
        }};

    ObjectType<Logging> logging{
        "logging",
        "where service output goes",
        {
            field("file", &Logging::file, log_file, "log file rotation"),
            field("syslog", &Logging::syslog, log_syslog, "syslog forwarding (off unless set)"),
        }};

    ObjectType<Service> service{
        "service",
        "a supervised program inside the jail",
        {
            field("command", &Service::command, command, "list = exec; string = /bin/sh -c", nullptr, true),
            field("user", &Service::user, user, "user to run as (default: the jail's user, else root)"),
            field("working_dir", &Service::working_dir, abs_path, "working directory", dflt::working_dir),
            field("environment", &Service::environment, environment, "added to the jail's environment"),
            field("restart", &Service::restart, restart, "restart policy", dflt::restart),
            field("restart_backoff", &Service::restart_backoff, backoff, "delay between restarts"),
            field("start_limit", &Service::start_limit, start_limit, "crash-loop limit"),
            field("stop_signal", &Service::stop_signal, signal, "first signal on stop", dflt::stop_signal),
            field("stop_grace_period", &Service::stop_grace_period, duration, "time before SIGKILL",
                  ms_json(dflt::stop_grace_period)),
            field("depends_on", &Service::depends_on, service_depends,
                  "services of the same jail started first; condition service_started (default), service_healthy "
                  "or service_completed_successfully"),
            field("healthcheck", &Service::healthcheck, healthcheck, "health check"),
            field("logging", &Service::logging, logging, "output handling"),
        },
        true};
    NamedMapType<Service> services{service, "service", Rule::duplicate_service};

    ObjectType<Placement> placement{
        "placement",
        "which hosts may run the jail",
        {field("hosts", &Placement::hosts, host_list, "host names (default: every host)")}};

    ObjectType<Jail> jail{
        "jail",
        "one jail: a root, a hardening profile, reserved ports, limits and services",
        {
            field("root", &Jail::root, root_path, "root directory (default <state>/jails/<name>/root)"),
            field("base", &Jail::base, base, "'host' (read-only host /usr, /bin, /lib...) or an absolute rootfs path",
                  dflt::base),
            field("hostname", &Jail::hostname, hostname, "host name inside the jail (default: the jail name)"),
            field("profile", &Jail::profile, profile_ref, "hardening profile", dflt::profile),
            field("ports", &Jail::ports, ports, "reserved ports, at most 32"),
            field("limits", &Jail::limits, limits, "resource limits"),
            field("mounts", &Jail::mounts, mounts, "bind mounts"),
            field("environment", &Jail::environment, environment, "environment of every service"),
            field("user", &Jail::user, user, "default user of the services"),
            field("depends_on", &Jail::depends_on, jail_depends,
                  "jails started first; condition started (default) or healthy"),
            field("autostart", &Jail::autostart, boolean, "start on apply", dflt::autostart),
            field("setup", &Jail::setup, setup, "provisioning steps"),
            field("services", &Jail::services, services, "supervised services"),
            field("placement", &Jail::placement, placement, "hosts that may run the jail"),
        },
        true};
    NamedMapType<Jail> jails{jail, "jail", Rule::duplicate_jail};

    ObjectType<Profile> profile{
        "profile",
        "a named hardening profile: a level plus extra denials",
        {
            field("extends", &Profile::extends, profile_ref, "low, medium, high or another profile", nullptr, true),
            field("deny", &Profile::deny, deny_list, "extra denials"),
            field("description", &Profile::description, any, "free text"),
        }};
    NamedMapType<Profile> profiles{profile, "profile", Rule::duplicate_profile};

    ObjectType<Defaults> defaults{
        "defaults",
        "values every jail inherits unless it sets its own",
        {
            field("profile", &Defaults::profile, profile_ref, "hardening profile", dflt::profile),
            field("base", &Defaults::base, base, "'host' or an absolute rootfs path", dflt::base),
            field("user", &Defaults::user, user, "default user of the services"),
            field("autostart", &Defaults::autostart, boolean, "start on apply", dflt::autostart),
            field("limits", &Defaults::limits, limits, "resource limits (merged key by key)"),
        }};

    ObjectType<FileManifest> file{
        "",
        "a jailmgr manifest (format v1)",
        {
            with_missing_rule(field("version", &FileManifest::version, version, "manifest format version (always 1)",
                                    nullptr, true),
                              Rule::bad_version),
            field("project", &FileManifest::project, name, "project name (default: the manifest's directory name)"),
            field("defaults", &FileManifest::defaults, defaults, "defaults for every jail"),
            field("profiles", &FileManifest::profiles, profiles, "named profiles"),
            field("jails", &FileManifest::jails, jails, "the jails"),
        },
        true};
};

const V1& v1() {
    static const V1 instance;
    return instance;
}

}  // namespace

FileManifest decode_file(const yaml::Document& doc, Diagnostics& diags) {
    FileManifest out;
    if (!doc.root) {
        if (!doc.failed)
            diags.add(Rule::empty_manifest, {doc.source.get(), 1, 1},
                      "manifest is empty; add at least `version: 1` and a `jails:` mapping, or remove the file");
        return out;
    }
    const yaml::Node& root = *doc.root;
    if (root.is_scalar() && yaml::scalar_type(root) == yaml::ScalarType::null) {
        diags.add(Rule::empty_manifest, root.loc, "manifest is empty; add at least `version: 1` and a `jails:` mapping");
        return out;
    }
    if (!root.is_mapping()) {
        diags.add(Rule::wrong_type, root.loc,
                  "a manifest is a mapping with version, jails, ...; got a " + yaml::describe(root));
        return out;
    }
    // Legitimate use of anchors repeats small parts a few times; a budget of
    // 16 visits per parsed node (plus slack) only stops alias bombs.
    Decoder d(diags, doc.node_count * 16 + 100'000);
    v1().file.decode(root, d, out);
    return out;
}

json json_schema() {
    SchemaBuilder b;
    json root = v1().file.schema(b);
    json s = {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
              {"$id", "https://jailmgr.invalid/schema/jails.schema.json"},
              {"title", "jailmgr manifest v1"}};
    for (auto& [k, v] : root.items()) s[k] = v;
    s["$defs"] = b.defs;
    return s;
}

}  // namespace format
}  // namespace jailmgr::schema
