#include "resolve.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "defaults.hpp"
#include "format_v1.hpp"
#include "hash.hpp"
#include "units.hpp"

namespace jailmgr::schema {

namespace dflt = defaults;
using nlohmann::json;

std::string_view level_name(Level l) {
    switch (l) {
    case Level::low:
        return "low";
    case Level::medium:
        return "medium";
    case Level::high:
        break;
    }
    return "high";
}

const ResolvedJail* DesiredState::find(std::string_view name) const {
    for (const auto& j : jails)
        if (j.name.value == name) return &j;
    return nullptr;
}

std::vector<const ResolvedJail*> DesiredState::start_order() const {
    std::unordered_map<std::string_view, size_t> index;
    for (size_t i = 0; i < jails.size(); ++i) index.emplace(jails[i].name.value, i);
    std::vector<unsigned char> state(jails.size(), 0);  // 0 new, 1 visiting, 2 placed
    std::vector<const ResolvedJail*> out;
    for (size_t s = 0; s < jails.size(); ++s) {
        // Iterative post-order: dependencies before dependents.
        std::vector<std::pair<size_t, size_t>> stack{{s, 0}};
        while (!stack.empty()) {
            auto& [n, next] = stack.back();
            if (state[n] == 2) {
                stack.pop_back();
                continue;
            }
            state[n] = 1;
            const auto& deps = jails[n].depends_on;
            if (next < deps.size()) {
                auto it = index.find(deps[next++].name.value);
                if (it != index.end() && state[it->second] == 0) stack.push_back({it->second, 0});
                continue;
            }
            state[n] = 2;
            out.push_back(&jails[n]);
            stack.pop_back();
        }
    }
    return out;
}

namespace {

template <class T>
Located<T> pick(const Located<T>& a, const Located<T>& b, T fallback) {
    if (a.present()) return a;
    if (b.present()) return b;
    return Located<T>{std::move(fallback), {}};
}

Located<std::string> pick_str(const Located<std::string>& a, const Located<std::string>& b, std::string_view fallback) {
    return pick(a, b, std::string(fallback));
}

class Resolver {
public:
    Resolver(const Manifest& m, const std::filesystem::path& state_dir) : m_(m), state_dir_(state_dir) {
        for (const auto& p : m.profiles) profiles_.emplace(p.name.value, &p);
    }

    DesiredState run() {
        DesiredState out;
        out.sources = m_.sources;
        out.project = m_.project.present() ? m_.project.value : m_.default_project;
        out.jails.reserve(m_.jails.size());
        for (const auto& j : m_.jails) out.jails.push_back(jail(j, out.project));
        return out;
    }

private:
    ResolvedProfile profile(const Located<std::string>& name) const {
        ResolvedProfile p{name, Level::high, {}};
        std::unordered_set<std::string> deny;
        std::string_view cur = name.value;
        for (size_t hops = 0; hops <= m_.profiles.size(); ++hops) {
            if (cur == "low" || cur == "medium" || cur == "high") {
                p.level = cur == "low" ? Level::low : cur == "medium" ? Level::medium : Level::high;
                break;
            }
            auto it = profiles_.find(cur);
            if (it == profiles_.end()) break;  // undefined: fail closed at high
            if (it->second->deny.present())
                for (const auto& d : it->second->deny.value) deny.insert(d.value);
            cur = it->second->extends.value;
        }
        for (auto n : deny_names())
            if (deny.count(std::string(n))) p.deny.emplace_back(n);
        return p;
    }

    static std::vector<EnvVar> env(const Located<Environment>& a, const Located<Environment>& b = {}) {
        std::vector<EnvVar> out;
        std::unordered_map<std::string, size_t> at;
        for (const auto* src : {&a, &b}) {
            if (!src->present()) continue;
            for (const auto& v : src->value) {
                auto [it, inserted] = at.emplace(v.key.value, out.size());
                if (inserted) out.push_back(v);
                else out[it->second] = v;
            }
        }
        return out;
    }

    static std::vector<ResolvedDependency> deps(const Located<std::vector<Dependency>>& d, std::string_view cond) {
        std::vector<ResolvedDependency> out;
        if (!d.present()) return out;
        for (const auto& x : d.value)
            out.push_back({x.name, x.condition.present() ? x.condition : Located<std::string>{std::string(cond), {}}});
        return out;
    }

    ResolvedLimits limits(const Jail& j) const {
        const Limits none{};
        const Limits& a = j.limits.present() ? j.limits.value : none;
        const Limits& b = m_.defaults.limits.present() ? m_.defaults.limits.value : none;
        ResolvedLimits l;
        l.memory = a.memory.present() ? a.memory : b.memory;
        l.cpus = a.cpus.present() ? a.cpus : b.cpus;
        l.pids = a.pids.present() ? a.pids : b.pids;
        l.nofile = a.nofile.present() ? a.nofile : b.nofile;
        l.core = a.core.present() ? a.core : b.core;
        l.as = a.as.present() ? a.as : b.as;
        return l;
    }

    ResolvedService service(const Jail& j, const Service& s, const Located<std::string>& jail_user) const {
        ResolvedService r;
        r.name = s.name;
        r.loc = s.loc;
        r.command = {s.command.value.argv, s.command.loc};
        r.user = s.user.present() ? s.user : jail_user;
        r.working_dir = pick_str(s.working_dir, {}, dflt::working_dir);
        r.environment = env(j.environment, s.environment);
        r.restart = pick_str(s.restart, {}, dflt::restart);
        const Backoff& b = s.restart_backoff.value;
        r.backoff_initial = b.initial.present() ? b.initial.value : dflt::backoff_initial;
        r.backoff_max = b.max.present() ? b.max.value : dflt::backoff_max;
        r.backoff_reset_after = b.reset_after.present() ? b.reset_after.value : dflt::backoff_reset_after;
        const StartLimit& sl = s.start_limit.value;
        r.start_limit_burst = sl.burst.present() ? sl.burst.value : dflt::start_limit_burst;
        r.start_limit_interval = sl.interval.present() ? sl.interval.value : dflt::start_limit_interval;
        r.start_limit_retry_after = sl.retry_after.present() ? sl.retry_after.value : dflt::start_limit_retry_after;
        r.stop_signal = pick_str(s.stop_signal, {}, dflt::stop_signal);
        r.stop_grace_period = s.stop_grace_period.present() ? s.stop_grace_period.value : dflt::stop_grace_period;
        r.depends_on = deps(s.depends_on, dflt::service_condition);
        if (s.healthcheck.present()) {
            const Healthcheck& h = s.healthcheck.value;
            ResolvedHealthcheck rh;
            rh.loc = h.loc;
            uint16_t port = h.tcp.present() ? h.tcp.value.number : h.test.value.tcp_port;
            if (port) {
                rh.kind = ResolvedHealthcheck::Kind::tcp;
                rh.port = port;
            } else {
                rh.argv = h.test.value.command.argv;
            }
            rh.interval = h.interval.present() ? h.interval.value : dflt::health_interval;
            rh.timeout = h.timeout.present() ? h.timeout.value : dflt::health_timeout;
            rh.retries = h.retries.present() ? h.retries.value : dflt::health_retries;
            rh.start_period = h.start_period.present() ? h.start_period.value : dflt::health_start_period;
            r.healthcheck = std::move(rh);
        }
        const Logging& lg = s.logging.value;
        r.log_max_size = lg.file->max_size.present() ? lg.file->max_size.value : dflt::log_max_size;
        r.log_keep = lg.file->keep.present() ? lg.file->keep.value : dflt::log_keep;
        if (lg.syslog.present()) {
            const LogSyslog& sy = lg.syslog.value;
            r.syslog.enabled = true;
            r.syslog.facility = sy.facility.present() ? sy.facility.value : std::string(dflt::syslog_facility);
            r.syslog.stdout_level = sy.stdout_level.present() ? sy.stdout_level.value : std::string(dflt::syslog_stdout);
            r.syslog.stderr_level = sy.stderr_level.present() ? sy.stderr_level.value : std::string(dflt::syslog_stderr);
            r.syslog.tag = sy.tag.present() ? sy.tag.value : "jail-" + j.name.value;
        }
        r.hash = hash_service(r);
        return r;
    }

    ResolvedJail jail(const Jail& j, const std::string& project) const {
        ResolvedJail r;
        r.name = j.name;
        r.loc = j.loc;
        r.project = project;
        r.base = pick_str(j.base, m_.defaults.base, dflt::base);
        if (r.base.value != "host") {
            r.root = {normalize_path(r.base.value), r.base.loc};
        } else if (j.root.present()) {
            r.root = {normalize_path(j.root.value), j.root.loc};
        } else {
            r.root = {(state_dir_ / "jails" / j.name.value / "root").lexically_normal().string(), {}};
        }
        r.hostname = j.hostname.present() ? j.hostname : Located<std::string>{hostname_from_name(j.name.value), {}};
        r.profile = profile(pick_str(j.profile, m_.defaults.profile, dflt::profile));
        if (j.ports.present()) {
            std::unordered_set<uint16_t> seen;
            for (const auto& p : j.ports.value)
                if (seen.insert(p.value.number).second) r.ports.push_back({p.value.number, p.loc});
        }
        r.limits = limits(j);
        if (j.mounts.present())
            for (const auto& mnt : j.mounts.value) {
                const Mount& mo = mnt.value;
                r.mounts.push_back({mo.source,
                                    {normalize_path(mo.target.value), mo.target.loc},
                                    mo.readonly.present() ? mo.readonly : Located<bool>{dflt::mount_readonly, {}}});
            }
        r.environment = env(j.environment);
        r.user = pick_str(j.user, m_.defaults.user, dflt::user);
        r.depends_on = deps(j.depends_on, dflt::jail_condition);
        r.autostart = pick(j.autostart, m_.defaults.autostart, dflt::autostart);
        if (j.setup.present())
            for (const auto& located_step : j.setup.value) {
                const SetupStep& st = located_step.value;
                ResolvedSetupStep rs;
                rs.loc = st.loc;
                if (st.run.present()) {
                    rs.kind = ResolvedSetupStep::Kind::run;
                    rs.argv = st.run.value.argv;
                } else {
                    rs.kind = ResolvedSetupStep::Kind::file;
                    rs.path = st.file->path.value;
                    rs.content = st.file->content.value;
                    rs.mode = st.file->mode.present() ? st.file->mode.value : dflt::file_mode;
                }
                r.setup.push_back(std::move(rs));
            }
        if (j.services.present())
            for (const auto& s : j.services.value) r.services.push_back(service(j, s, r.user));
        if (j.placement.present() && j.placement->hosts.present())
            for (const auto& h : j.placement->hosts.value) r.placement_hosts.push_back(h.value);
        r.hash = hash_jail(r);
        return r;
    }

    const Manifest& m_;
    std::filesystem::path state_dir_;
    std::unordered_map<std::string_view, const Profile*> profiles_;
};

json env_json(const std::vector<EnvVar>& env) {
    // Order matters to nobody but humans; the hash must not depend on it.
    json o = json::object();
    for (const auto& v : env) o[v.key.value] = v.value.value;
    return o;
}

json deps_json(const std::vector<ResolvedDependency>& deps) {
    json o = json::object();
    for (const auto& d : deps) o[d.name.value] = d.condition.value;
    return o;
}

}  // namespace

DesiredState resolve(const Manifest& m, const std::filesystem::path& state_dir) { return Resolver(m, state_dir).run(); }

json to_json(const ResolvedService& s) {
    json j = {{"name", s.name.value},
              {"command", s.command.value},
              {"user", s.user.value},
              {"working_dir", s.working_dir.value},
              {"environment", env_json(s.environment)},
              {"restart", s.restart.value},
              {"restart_backoff",
               {{"initial_ms", s.backoff_initial.count()},
                {"max_ms", s.backoff_max.count()},
                {"reset_after_ms", s.backoff_reset_after.count()}}},
              {"start_limit",
               {{"burst", s.start_limit_burst},
                {"interval_ms", s.start_limit_interval.count()},
                {"retry_after_ms", s.start_limit_retry_after.count()}}},
              {"stop_signal", s.stop_signal.value},
              {"stop_grace_period_ms", s.stop_grace_period.count()},
              {"depends_on", deps_json(s.depends_on)},
              {"logging", {{"file", {{"max_size", s.log_max_size}, {"keep", s.log_keep}}}}}};
    if (s.healthcheck) {
        const auto& h = *s.healthcheck;
        json hj = {{"interval_ms", h.interval.count()},
                   {"timeout_ms", h.timeout.count()},
                   {"retries", h.retries},
                   {"start_period_ms", h.start_period.count()}};
        if (h.kind == ResolvedHealthcheck::Kind::tcp) hj["tcp"] = h.port;
        else hj["exec"] = h.argv;
        j["healthcheck"] = hj;
    } else {
        j["healthcheck"] = nullptr;
    }
    if (s.syslog.enabled)
        j["logging"]["syslog"] = {{"facility", s.syslog.facility},
                                  {"stdout", s.syslog.stdout_level},
                                  {"stderr", s.syslog.stderr_level},
                                  {"tag", s.syslog.tag}};
    return j;
}

json to_json(const ResolvedJail& r, bool with_services) {
    json limits = json::object();
    if (r.limits.memory.present()) limits["memory"] = r.limits.memory.value;
    if (r.limits.cpus.present()) limits["cpus"] = r.limits.cpus.value;
    if (r.limits.pids.present()) limits["pids"] = r.limits.pids.value;
    if (r.limits.nofile.present()) limits["nofile"] = r.limits.nofile.value;
    if (r.limits.core.present()) limits["core"] = r.limits.core.value;
    if (r.limits.as.present()) limits["as"] = r.limits.as.value;
    json ports = json::array();
    for (const auto& p : r.ports) ports.push_back(p.value);
    std::sort(ports.begin(), ports.end());
    json mounts = json::array();
    for (const auto& mo : r.mounts)
        mounts.push_back({{"source", mo.source.value}, {"target", mo.target.value}, {"readonly", mo.readonly.value}});
    json setup = json::array();
    for (const auto& s : r.setup) {
        if (s.kind == ResolvedSetupStep::Kind::run) setup.push_back({{"run", s.argv}});
        else setup.push_back({{"file", {{"path", s.path}, {"content", s.content}, {"mode", s.mode}}}});
    }
    std::vector<std::string> hosts = r.placement_hosts;
    std::sort(hosts.begin(), hosts.end());
    hosts.erase(std::unique(hosts.begin(), hosts.end()), hosts.end());
    json j = {{"name", r.name.value},
              {"base", r.base.value},
              {"root", r.root.value},
              {"hostname", r.hostname.value},
              {"profile", {{"level", level_name(r.profile.level)}, {"deny", r.profile.deny}}},
              {"ports", ports},
              {"limits", limits},
              {"mounts", mounts},
              {"environment", env_json(r.environment)},
              {"user", r.user.value},
              {"depends_on", deps_json(r.depends_on)},
              {"autostart", r.autostart.value},
              {"setup", setup},
              {"placement", {{"hosts", hosts}}}};
    if (with_services) {
        json svcs = json::object();
        for (const auto& s : r.services) svcs[s.name.value] = to_json(s);
        j["services"] = svcs;
    }
    return j;
}

}  // namespace jailmgr::schema
