#include "spec.hpp"

#include <cstring>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "dependency.hpp"

namespace jailmgr::engine::supervisor {

using nlohmann::json;

namespace {

struct NamedInt {
    const char* name;
    int value;
};

constexpr NamedInt facilities[] = {
    {"kern", LOG_KERN},     {"user", LOG_USER},       {"mail", LOG_MAIL},     {"daemon", LOG_DAEMON},
    {"auth", LOG_AUTH},     {"syslog", LOG_SYSLOG},   {"lpr", LOG_LPR},       {"news", LOG_NEWS},
    {"uucp", LOG_UUCP},     {"cron", LOG_CRON},       {"authpriv", LOG_AUTHPRIV}, {"ftp", LOG_FTP},
    {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},   {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
    {"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},   {"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

constexpr NamedInt levels[] = {
    {"emerg", LOG_EMERG}, {"alert", LOG_ALERT},   {"crit", LOG_CRIT}, {"err", LOG_ERR},
    {"warning", LOG_WARNING}, {"notice", LOG_NOTICE}, {"info", LOG_INFO}, {"debug", LOG_DEBUG},
};

template <size_t N>
std::string name_of(const NamedInt (&table)[N], int value) {
    for (const auto& e : table)
        if (e.value == value) return e.name;
    return std::to_string(value);
}

// Reads fields of one JSON object, naming the field in every error.
class Reader {
public:
    Reader(const json& j, std::string where) : j_(j), where_(std::move(where)) {
        if (!j_.is_object()) fail("", "expected an object");
    }

    [[noreturn]] void fail(std::string_view key, std::string_view what) const {
        std::string msg = where_;
        if (!key.empty()) msg += (msg.empty() ? "" : ".") + std::string(key);
        throw SpecError(msg + ": " + std::string(what));
    }
    std::string path(std::string_view key) const {
        return where_.empty() ? std::string(key) : where_ + "." + std::string(key);
    }

    const json* get(const char* key) const {
        auto it = j_.find(key);
        return it == j_.end() || it->is_null() ? nullptr : &*it;
    }
    void unknown_keys(std::initializer_list<const char*> known) const {
        for (auto it = j_.begin(); it != j_.end(); ++it) {
            bool ok = false;
            for (const char* k : known) ok = ok || it.key() == k;
            if (!ok) fail(it.key(), "unknown key");
        }
    }

    std::string str(const char* key, std::string def) const {
        const json* v = get(key);
        if (!v) return def;
        if (!v->is_string()) fail(key, "expected a string");
        return v->get<std::string>();
    }
    std::uint64_t uint(const char* key, std::uint64_t def, std::uint64_t max = UINT64_MAX) const {
        const json* v = get(key);
        if (!v) return def;
        if (!v->is_number_unsigned() && !(v->is_number_integer() && v->get<std::int64_t>() >= 0))
            fail(key, "expected a non-negative integer");
        auto n = v->get<std::uint64_t>();
        if (n > max) fail(key, "must be at most " + std::to_string(max));
        return n;
    }
    Millis ms(const char* key, Millis def) const {
        return Millis(static_cast<Millis::rep>(uint(key, static_cast<std::uint64_t>(def.count()),
                                                    std::uint64_t(1) << 40)));
    }
    std::vector<std::string> strings(const char* key) const {
        std::vector<std::string> out;
        const json* v = get(key);
        if (!v) return out;
        if (!v->is_array()) fail(key, "expected a list of strings");
        for (const auto& e : *v) {
            if (!e.is_string()) fail(key, "expected a list of strings");
            out.push_back(e.get<std::string>());
        }
        return out;
    }

private:
    const json& j_;
    std::string where_;
};

json credentials_to_json(const kernel::Credentials& c) {
    return {{"uid", c.uid}, {"gid", c.gid}, {"groups", c.groups}};
}

kernel::Credentials credentials_from_json(const Reader& r) {
    r.unknown_keys({"uid", "gid", "groups"});
    kernel::Credentials c;
    c.uid = static_cast<uid_t>(r.uint("uid", 0, UINT32_MAX - 1));
    c.gid = static_cast<gid_t>(r.uint("gid", 0, UINT32_MAX - 1));
    if (const json* gs = r.get("groups")) {
        if (!gs->is_array()) r.fail("groups", "expected a list of gids");
        for (const auto& g : *gs) {
            if (!g.is_number_unsigned()) r.fail("groups", "expected a list of gids");
            c.groups.push_back(g.get<gid_t>());
        }
    }
    return c;
}

json limits_to_json(const kernel::Limits& l) {
    json j = json::object();
    if (l.nofile) j["nofile"] = *l.nofile;
    if (l.address_space) j["address_space"] = *l.address_space;
    if (l.core) j["core"] = *l.core;
    return j;
}

kernel::Limits limits_from_json(const Reader& r) {
    r.unknown_keys({"nofile", "address_space", "core"});
    kernel::Limits l;
    if (r.get("nofile")) l.nofile = r.uint("nofile", 0);
    if (r.get("address_space")) l.address_space = r.uint("address_space", 0);
    if (r.get("core")) l.core = r.uint("core", 0);
    return l;
}

RestartMode restart_mode_from(const Reader& r) {
    std::string s = r.str("restart", "always");
    if (s == "always") return RestartMode::always;
    if (s == "on-failure") return RestartMode::on_failure;
    if (s == "no") return RestartMode::no;
    r.fail("restart", "'" + s + "' is not one of always, on-failure, no");
}

Condition condition_from(const Reader& r, const std::string& key, const json& v) {
    if (!v.is_string()) r.fail(key, "expected a condition");
    auto s = v.get<std::string>();
    if (s == "service_started") return Condition::service_started;
    if (s == "service_healthy") return Condition::service_healthy;
    if (s == "service_completed_successfully") return Condition::service_completed_successfully;
    r.fail(key, "'" + s +
                    "' is not one of service_started, service_healthy, service_completed_successfully");
}

HealthCheck healthcheck_from(const Reader& r) {
    r.unknown_keys({"exec", "tcp", "interval_ms", "timeout_ms", "retries", "start_period_ms",
                    "start_interval_ms"});
    HealthCheck h;
    h.exec = r.strings("exec");
    if (r.get("tcp")) h.tcp = static_cast<std::uint16_t>(r.uint("tcp", 0, 65535));
    if (h.exec.empty() == !h.tcp) r.fail("", "needs exactly one of exec (a command) or tcp (a port)");
    if (h.tcp && *h.tcp == 0) r.fail("tcp", "port 0 cannot be probed");
    h.interval = r.ms("interval_ms", h.interval);
    h.timeout = r.ms("timeout_ms", h.timeout);
    h.retries = static_cast<unsigned>(r.uint("retries", h.retries, 1000000));
    h.start_period = r.ms("start_period_ms", h.start_period);
    h.start_interval = r.ms("start_interval_ms", h.start_interval);
    if (h.retries == 0) r.fail("retries", "must be at least 1");
    if (h.interval.count() == 0 || h.start_interval.count() == 0 || h.timeout.count() == 0)
        r.fail("", "interval_ms, start_interval_ms and timeout_ms must be positive");
    return h;
}

json healthcheck_to_json(const HealthCheck& h) {
    json j = {{"interval_ms", h.interval.count()},         {"timeout_ms", h.timeout.count()},
              {"retries", h.retries},                      {"start_period_ms", h.start_period.count()},
              {"start_interval_ms", h.start_interval.count()}};
    if (!h.exec.empty()) j["exec"] = h.exec;
    if (h.tcp) j["tcp"] = *h.tcp;
    return j;
}

Logging logging_from(const Reader& r) {
    r.unknown_keys({"file", "syslog"});
    Logging l;
    if (const json* f = r.get("file")) {
        if (f->is_boolean()) {
            if (!f->get<bool>()) l.file.reset();
        } else {
            Reader fr(*f, r.path("file"));
            fr.unknown_keys({"max_size", "keep"});
            l.file->max_size = fr.uint("max_size", l.file->max_size);
            l.file->keep = static_cast<unsigned>(fr.uint("keep", l.file->keep, 1000));
            if (l.file->max_size < 1024) fr.fail("max_size", "must be at least 1024 bytes");
        }
    }
    if (const json* s = r.get("syslog")) {
        if (!(s->is_boolean() && !s->get<bool>())) {
            SyslogLog sl;
            if (!s->is_boolean()) {
                Reader sr(*s, r.path("syslog"));
                sr.unknown_keys({"facility", "stdout", "stderr", "tag", "socket"});
                auto fac = sr.str("facility", "daemon");
                auto f = parse_syslog_facility(fac);
                if (!f) sr.fail("facility", "unknown facility '" + fac + "'");
                sl.facility = *f;
                for (auto [key, dst] : {std::pair{"stdout", &sl.stdout_level}, {"stderr", &sl.stderr_level}}) {
                    auto lv = sr.str(key, name_of(levels, *dst));
                    auto p = parse_syslog_level(lv);
                    if (!p) sr.fail(key, "unknown level '" + lv + "'");
                    *dst = *p;
                }
                sl.tag = sr.str("tag", sl.tag);
                if (sl.tag.empty() || sl.tag.size() > 63) sr.fail("tag", "must be 1 to 63 characters");
                sl.socket = sr.str("socket", sl.socket.string());
            }
            l.syslog = sl;
        }
    }
    return l;
}

json logging_to_json(const Logging& l) {
    json j = json::object();
    if (l.file) j["file"] = {{"max_size", l.file->max_size}, {"keep", l.file->keep}};
    else j["file"] = false;
    if (l.syslog)
        j["syslog"] = {{"facility", name_of(facilities, l.syslog->facility)},
                       {"stdout", name_of(levels, l.syslog->stdout_level)},
                       {"stderr", name_of(levels, l.syslog->stderr_level)},
                       {"tag", l.syslog->tag},
                       {"socket", l.syslog->socket.string()}};
    return j;
}

}  // namespace

bool ServiceSpec::same_launch(const ServiceSpec& o) const {
    return argv == o.argv && env == o.env && user == o.user && credentials == o.credentials &&
           working_dir == o.working_dir && rlimits == o.rlimits;
}

const ServiceSpec* SupervisorSpec::find(const std::string& name) const {
    for (const auto& s : services)
        if (s.name == name) return &s;
    return nullptr;
}

std::string to_string(RestartMode m) {
    switch (m) {
    case RestartMode::always: return "always";
    case RestartMode::on_failure: return "on-failure";
    case RestartMode::no: return "no";
    }
    return "?";
}

std::string to_string(Condition c) {
    switch (c) {
    case Condition::service_started: return "service_started";
    case Condition::service_healthy: return "service_healthy";
    case Condition::service_completed_successfully: return "service_completed_successfully";
    }
    return "?";
}

std::optional<int> parse_signal(const std::string& s) {
    if (s.empty()) return std::nullopt;
    if (s.find_first_not_of("0123456789") == std::string::npos) {
        if (s.size() > 3) return std::nullopt;
        int n = std::stoi(s);
        return n > 0 && n < NSIG ? std::optional<int>(n) : std::nullopt;
    }
    std::string_view name = s;
    if (name.substr(0, 3) == "SIG") name.remove_prefix(3);
    for (int sig = 1; sig < NSIG; ++sig) {
        const char* abbrev = sigabbrev_np(sig);
        if (abbrev && name == abbrev) return sig;
    }
    return std::nullopt;
}

std::string signal_name(int sig) {
    const char* abbrev = sig > 0 && sig < NSIG ? sigabbrev_np(sig) : nullptr;
    return abbrev ? abbrev : std::to_string(sig);
}

std::optional<int> parse_syslog_facility(const std::string& s) {
    for (const auto& f : facilities)
        if (s == f.name) return f.value;
    return std::nullopt;
}

std::optional<int> parse_syslog_level(const std::string& s) {
    if (s.size() == 1 && s[0] >= '0' && s[0] <= '7') return s[0] - '0';
    for (const auto& l : levels)
        if (s == l.name) return l.value;
    if (s == "error") return LOG_ERR;
    if (s == "warn") return LOG_WARNING;
    return std::nullopt;
}

bool valid_service_name(const std::string& name) {
    if (name.empty() || name.size() > 63 || name == "." || name == "..") return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
    return true;
}

json to_json(const ServiceSpec& s) {
    json j = {
        {"name", s.name},
        {"argv", s.argv},
        {"env", s.env},
        {"working_dir", s.working_dir.string()},
        {"rlimits", limits_to_json(s.rlimits)},
        {"restart", to_string(s.restart.mode)},
        {"backoff",
         {{"initial_ms", s.restart.backoff.initial.count()},
          {"max_ms", s.restart.backoff.max.count()},
          {"reset_after_ms", s.restart.backoff.reset_after.count()}}},
        {"start_limit",
         {{"burst", s.restart.start_limit.burst},
          {"interval_ms", s.restart.start_limit.interval.count()},
          {"retry_after_ms", s.restart.start_limit.retry_after.count()}}},
        {"stop_signal", signal_name(s.stop_signal)},
        {"stop_grace_period_ms", s.stop_grace_period.count()},
        {"logging", logging_to_json(s.logging)},
    };
    if (s.credentials) j["user"] = credentials_to_json(*s.credentials);
    else if (s.user) j["user"] = *s.user;
    json deps = json::object();
    for (const auto& [name, cond] : s.depends_on) deps[name] = to_string(cond);
    j["depends_on"] = deps;
    if (s.healthcheck) j["healthcheck"] = healthcheck_to_json(*s.healthcheck);
    return j;
}

ServiceSpec service_spec_from_json(const json& j) {
    std::string where = "service";
    if (j.is_object() && j.contains("name") && j["name"].is_string())
        where = "service " + j["name"].get<std::string>();
    Reader r(j, where);
    r.unknown_keys({"name", "argv", "env", "user", "working_dir", "rlimits", "restart", "backoff",
                    "start_limit", "stop_signal", "stop_grace_period_ms", "depends_on", "healthcheck",
                    "logging"});
    ServiceSpec s;
    s.name = r.str("name", "");
    if (!valid_service_name(s.name))
        r.fail("name", "'" + s.name + "' is not a valid service name ([A-Za-z0-9._-], 1 to 63 characters)");
    s.argv = r.strings("argv");
    if (s.argv.empty() || s.argv[0].empty()) r.fail("argv", "needs a command");
    s.env = r.strings("env");
    for (const auto& e : s.env)
        if (e.find('=') == std::string::npos || e.front() == '=')
            r.fail("env", "'" + e + "' is not of the form NAME=value");
    if (const json* u = r.get("user")) {
        if (u->is_string()) s.user = u->get<std::string>();
        else s.credentials = credentials_from_json(Reader(*u, r.path("user")));
    }
    s.working_dir = r.str("working_dir", "/");
    if (!s.working_dir.is_absolute()) r.fail("working_dir", "must be an absolute path");
    if (const json* l = r.get("rlimits")) s.rlimits = limits_from_json(Reader(*l, r.path("rlimits")));
    s.restart.mode = restart_mode_from(r);
    if (const json* b = r.get("backoff")) {
        Reader br(*b, r.path("backoff"));
        br.unknown_keys({"initial_ms", "max_ms", "reset_after_ms"});
        auto& bo = s.restart.backoff;
        bo.initial = br.ms("initial_ms", bo.initial);
        bo.max = br.ms("max_ms", std::max(bo.max, bo.initial));
        bo.reset_after = br.ms("reset_after_ms", bo.reset_after);
        if (bo.max < bo.initial) br.fail("max_ms", "must not be smaller than initial_ms");
    }
    if (const json* l = r.get("start_limit")) {
        Reader lr(*l, r.path("start_limit"));
        lr.unknown_keys({"burst", "interval_ms", "retry_after_ms"});
        auto& sl = s.restart.start_limit;
        sl.burst = static_cast<unsigned>(lr.uint("burst", sl.burst, 1000000));
        sl.interval = lr.ms("interval_ms", sl.interval);
        sl.retry_after = lr.ms("retry_after_ms", sl.retry_after);
    }
    auto sig = r.str("stop_signal", "TERM");
    auto parsed = parse_signal(sig);
    if (!parsed) r.fail("stop_signal", "unknown signal '" + sig + "'");
    s.stop_signal = *parsed;
    s.stop_grace_period = r.ms("stop_grace_period_ms", s.stop_grace_period);
    if (const json* d = r.get("depends_on")) {
        if (!d->is_object()) r.fail("depends_on", "expected a map of service name to condition");
        Reader dr(*d, r.path("depends_on"));
        for (auto it = d->begin(); it != d->end(); ++it)
            s.depends_on[it.key()] = condition_from(dr, it.key(), it.value());
    }
    if (const json* h = r.get("healthcheck")) s.healthcheck = healthcheck_from(Reader(*h, r.path("healthcheck")));
    if (const json* l = r.get("logging")) s.logging = logging_from(Reader(*l, r.path("logging")));
    return s;
}

json to_json(const SupervisorSpec& s) {
    json services = json::array();
    for (const auto& svc : s.services) services.push_back(to_json(svc));
    json j = {{"jail", s.jail}, {"jid", s.jid}, {"root_dir", s.root_dir.string()}, {"services", services}};
    if (!s.test_session.empty()) j["test_session"] = s.test_session;
    return j;
}

SupervisorSpec supervisor_spec_from_json(const json& j) {
    Reader r(j, "");
    r.unknown_keys({"jail", "jid", "root_dir", "services", "test_session"});
    SupervisorSpec s;
    s.jail = r.str("jail", "");
    if (!valid_service_name(s.jail)) r.fail("jail", "'" + s.jail + "' is not a valid jail name");
    s.jid = static_cast<kernel::JailId>(r.uint("jid", 0, UINT32_MAX));
    s.root_dir = r.str("root_dir", "/");
    if (!s.root_dir.is_absolute()) r.fail("root_dir", "must be an absolute path");
    s.test_session = r.str("test_session", "");
    if (!s.test_session.empty() && s.test_session != "host")
        r.fail("test_session", "the only test session is 'host'");
    const json* services = r.get("services");
    if (services && !services->is_array()) r.fail("services", "expected a list of services");
    std::set<std::string> names;
    if (services) {
        for (const auto& sj : *services) {
            s.services.push_back(service_spec_from_json(sj));
            if (!names.insert(s.services.back().name).second)
                r.fail("services", "service '" + s.services.back().name + "' is defined twice");
        }
    }
    for (const auto& svc : s.services)
        for (const auto& [dep, cond] : svc.depends_on)
            if (!names.count(dep))
                r.fail("services", "service '" + svc.name + "' depends on '" + dep + "', which is not defined");
    start_order(s.services);  // throws SpecError naming a dependency cycle
    return s;
}

}  // namespace jailmgr::engine::supervisor
