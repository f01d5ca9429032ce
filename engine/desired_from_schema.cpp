#include "desired_from_schema.hpp"

#include <unistd.h>

#include <algorithm>
#include <climits>

#include "diff.hpp"

extern "C" {
#include "jail_policy.h"
}

namespace jailmgr::engine {

using nlohmann::json;

namespace {

long long ms(schema::Millis d) { return static_cast<long long>(d.count()); }

kernel::Limits limits_of(const schema::ResolvedLimits& l) {
    kernel::Limits k;
    if (l.memory.present()) k.memory_bytes = l.memory.value;
    if (l.cpus.present()) k.cpus = l.cpus.value;
    if (l.pids.present()) k.pids = static_cast<std::uint64_t>(l.pids.value);
    if (l.nofile.present()) k.nofile = static_cast<std::uint64_t>(l.nofile.value);
    if (l.as.present()) k.address_space = l.as.value;
    if (l.core.present()) k.core = l.core.value;
    return k;
}

kernel::JailSpec jail_spec_of(const schema::ResolvedJail& j) {
    kernel::JailSpec s;
    s.name = j.name.value;
    s.root = j.root.value;
    s.profile = static_cast<kernel::Profile>(static_cast<std::uint32_t>(j.profile.level));
    for (auto& d : j.profile.deny) {
        auto a = jail_action_by_name(d.c_str());
        if (a != JAIL_ACT_COUNT) s.deny_extra |= 1u << a;
    }
    for (auto& p : j.ports) s.ports.push_back(p.value);
    s.limits = limits_of(j.limits);
    s.layout = j.base.value == "host" ? kernel::Layout::host_base : kernel::Layout::rootfs;
    for (auto& m : j.mounts) s.mounts.push_back({m.source.value, m.target.value, m.readonly.value});
    s.hostname = j.hostname.value;
    return s;
}

std::string shell_words(const std::vector<std::string>& argv) {
    // "/bin/sh -c 'mkdir -p x'" reads better as what the user wrote.
    if (argv.size() == 3 && argv[0] == "/bin/sh" && argv[1] == "-c") return argv[2];
    std::string out;
    for (auto& a : argv) out += (out.empty() ? "" : " ") + a;
    return out;
}

SetupStep setup_step_of(const schema::ResolvedSetupStep& st) {
    SetupStep out;
    if (st.kind == schema::ResolvedSetupStep::Kind::run) {
        out.spec = {{"run", st.argv}};
        out.describe = "run: " + shell_words(st.argv);
    } else {
        out.spec = {{"file", {{"path", st.path}, {"content", st.content}, {"mode", st.mode}}}};
        out.describe = "file: " + st.path;
    }
    out.hash = canonical_hash(out.spec);
    return out;
}

// A placement entry matches the host's full name or its short name.
bool placed_on(const schema::ResolvedJail& j, const std::string& host) {
    if (host.empty() || j.placement_hosts.empty()) return true;
    std::string short_name = host.substr(0, host.find('.'));
    for (auto& h : j.placement_hosts)
        if (h == host || h == short_name) return true;
    return false;
}

}  // namespace

json supervisor_service_spec(const schema::ResolvedJail& jail, const schema::ResolvedService& s) {
    json env = json::array();
    for (auto& e : s.environment) env.push_back(e.key.value + "=" + e.value.value);
    json rlimits = json::object();
    if (jail.limits.nofile.present()) rlimits["nofile"] = jail.limits.nofile.value;
    if (jail.limits.core.present()) rlimits["core"] = jail.limits.core.value;
    if (jail.limits.as.present()) rlimits["address_space"] = jail.limits.as.value;
    json deps = json::object();
    for (auto& d : s.depends_on) deps[d.name.value] = d.condition.value;
    json spec = {{"name", s.name.value},
                 {"argv", s.command.value},
                 {"env", env},
                 {"user", s.user.value},
                 {"working_dir", s.working_dir.value},
                 {"rlimits", rlimits},
                 {"restart", s.restart.value},
                 {"backoff",
                  {{"initial_ms", ms(s.backoff_initial)},
                   {"max_ms", ms(s.backoff_max)},
                   {"reset_after_ms", ms(s.backoff_reset_after)}}},
                 {"start_limit",
                  {{"burst", s.start_limit_burst},
                   {"interval_ms", ms(s.start_limit_interval)},
                   {"retry_after_ms", ms(s.start_limit_retry_after)}}},
                 {"stop_signal", s.stop_signal.value},
                 {"stop_grace_period_ms", ms(s.stop_grace_period)},
                 {"depends_on", deps}};
    if (s.healthcheck) {
        const auto& h = *s.healthcheck;
        json hc = {{"interval_ms", ms(h.interval)},
                   {"timeout_ms", ms(h.timeout)},
                   {"retries", h.retries},
                   {"start_period_ms", ms(h.start_period)}};
        if (h.kind == schema::ResolvedHealthcheck::Kind::tcp)
            hc["tcp"] = h.port;
        else
            hc["exec"] = h.argv;
        spec["healthcheck"] = hc;
    }
    json logging = {{"file", {{"max_size", s.log_max_size}, {"keep", s.log_keep}}}};
    if (s.syslog.enabled)
        logging["syslog"] = {{"facility", s.syslog.facility},
                             {"stdout", s.syslog.stdout_level},
                             {"stderr", s.syslog.stderr_level},
                             {"tag", s.syslog.tag}};
    spec["logging"] = logging;
    return spec;
}

Desired desired_from_schema(const schema::DesiredState& state, const std::string& host) {
    Desired out;
    out.project = state.project;
    std::vector<std::string> problems;
    for (auto& j : state.jails) {
        if (!placed_on(j, host)) continue;
        DesiredJail d;
        d.name = j.name.value;
        d.project = j.project;
        d.spec = jail_spec_of(j);
        for (auto& st : j.setup) d.setup.push_back(setup_step_of(st));
        for (auto& s : j.services) {
            json spec = supervisor_service_spec(j, s);
            d.services.push_back({s.name.value, canonical_hash(spec), spec, s.healthcheck.has_value()});
        }
        for (auto& dep : j.depends_on) {
            d.depends_on.push_back({dep.name.value, dep.condition.value});
            if (auto* other = state.find(dep.name.value); other && !placed_on(*other, host))
                problems.push_back("jail " + d.name + " depends on jail " + dep.name.value +
                                   ", which is not placed on host '" + host + "': place both on the same hosts");
        }
        d.autostart = j.autostart.value;
        out.jails.push_back(std::move(d));
    }
    if (!problems.empty()) throw PlanError(problems);
    return out;
}

LoadedDesired load_desired(const std::vector<std::string>& files, const Paths& paths, const std::string& host,
                           std::istream& in) {
    LoadedDesired out;
    out.lint = schema::lint(files, in);
    if (out.lint.loaded.io_error || out.lint.diagnostics.has_errors()) return out;
    out.state = schema::resolve(out.lint.loaded.manifest, paths.state_dir);
    out.desired = desired_from_schema(*out.state, host);
    return out;
}

std::string local_host_name() {
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "";
    return buf;
}

}  // namespace jailmgr::engine
