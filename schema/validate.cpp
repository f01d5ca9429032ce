#include "validate.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "defaults.hpp"
#include "graph.hpp"
#include "suggest.hpp"
#include "units.hpp"

namespace jailmgr::schema {

namespace {

constexpr std::array<std::string_view, 3> levels{"low", "medium", "high"};
bool is_level(std::string_view p) { return std::find(levels.begin(), levels.end(), p) != levels.end(); }

std::string subject(const Jail& j) { return "jail '" + j.name.value + "'"; }
std::string subject(const Jail& j, const Service& s) { return subject(j) + " service '" + s.name.value + "'"; }

class Validator {
public:
    Validator(const Manifest& m, Diagnostics& d) : m_(m), d_(d) {
        for (size_t i = 0; i < m.jails.size(); ++i) jail_index_.emplace(m.jails[i].name.value, i);
        for (size_t i = 0; i < m.profiles.size(); ++i) profile_index_.emplace(m.profiles[i].name.value, i);
        profile_candidates_.assign(levels.begin(), levels.end());
        for (const auto& p : m.profiles) profile_candidates_.push_back(p.name.value);
        for (const auto& j : m.jails) jail_names_.push_back(j.name.value);
    }

    void run() {
        check_profiles();
        check_default_profile();
        for (const auto& j : m_.jails) check_jail(j);
        check_port_conflicts();
        check_jail_dependencies();
        check_unused_profiles();
    }

private:
    // ---- profiles ------------------------------------------------------------

    void check_profiles() {
        std::vector<std::vector<Edge>> graph(m_.profiles.size());
        for (size_t i = 0; i < m_.profiles.size(); ++i) {
            const Profile& p = m_.profiles[i];
            if (is_level(p.name.value))
                d_.add(Rule::profile_shadows_level, p.name.loc,
                       "profile '" + p.name.value + "' has the name of a built-in level; choose another name");
            if (!p.extends.present()) continue;
            const std::string& base = p.extends.value;
            if (is_level(base)) continue;
            auto it = profile_index_.find(base);
            if (it == profile_index_.end()) {
                d_.add(Rule::undefined_profile, p.extends.loc,
                       "profile '" + p.name.value + "' extends '" + base +
                           "', which is neither low, medium, high nor a defined profile" +
                           did_you_mean(base, profile_candidates_));
                continue;
            }
            used_profiles_.insert(base);
            graph[i].push_back({it->second, i});
        }
        for (const auto& cycle : find_cycles(graph)) {
            std::string path;
            for (size_t id : cycle) path += m_.profiles[id].name.value + " -> ";
            path += m_.profiles[cycle.front()].name.value;
            auto& diag = d_.add(Rule::profile_extends_cycle, m_.profiles[cycle.front()].extends.loc,
                                "profile extends cycle: " + path + "; make one of them extend low, medium or high");
            for (size_t k = 1; k < cycle.size(); ++k)
                diag.related.push_back({m_.profiles[cycle[k]].extends.loc, "part of the cycle"});
        }
    }

    // The level a profile name ends at, or "" when undefined or cyclic.
    std::string_view level_of(std::string_view profile) const {
        for (size_t hops = 0; hops <= m_.profiles.size(); ++hops) {
            if (is_level(profile)) return profile;
            auto it = profile_index_.find(profile);
            if (it == profile_index_.end()) return {};
            profile = m_.profiles[it->second].extends.value;
        }
        return {};
    }

    bool profile_known(std::string_view p) const { return is_level(p) || profile_index_.count(p) > 0; }

    void check_default_profile() {
        const auto& p = m_.defaults.profile;
        if (!p.present()) return;
        used_profiles_.insert(p.value);
        if (!profile_known(p.value))
            d_.add(Rule::undefined_profile, p.loc,
                   "defaults: profile '" + p.value + "' is neither low, medium, high nor a defined profile" +
                       did_you_mean(p.value, profile_candidates_));
    }

    void check_unused_profiles() {
        for (const auto& p : m_.profiles) {
            if (used_profiles_.count(p.name.value) == 0)
                d_.add(Rule::unused_profile, p.name.loc,
                       "profile '" + p.name.value + "' is not used by any jail or profile; use it or remove it");
        }
    }

    // ---- one jail ----------------------------------------------------------------

    void check_jail(const Jail& j) {
        check_jail_profile(j);
        check_root(j);
        check_ports(j);
        check_mounts(j);
        check_services(j);
    }

    void check_jail_profile(const Jail& j) {
        std::string_view profile = j.profile.present() ? std::string_view(j.profile.value)
                                   : m_.defaults.profile.present() ? std::string_view(m_.defaults.profile.value)
                                                                   : defaults::profile;
        if (j.profile.present()) {
            used_profiles_.insert(j.profile.value);
            if (!profile_known(profile)) {
                d_.add(Rule::undefined_profile, j.profile.loc,
                       subject(j) + ": profile '" + j.profile.value +
                           "' is neither low, medium, high nor a defined profile" +
                           did_you_mean(j.profile.value, profile_candidates_));
                return;
            }
        }
        if (level_of(profile) == "low") {
            Location at = j.profile.present() ? j.profile.loc : j.name.loc;
            d_.add(Rule::low_profile, at,
                   subject(j) + ": runs with profile low" + (j.profile.present() ? "" : " (from defaults)") +
                       ", which lets jailed root mount, mknod and chroot; use medium or high unless it needs that");
        }
    }

    void check_root(const Jail& j) {
        const Located<std::string>& base = j.base.present() ? j.base : m_.defaults.base;
        if (!j.root.present() || !base.present() || base.value == "host") return;
        if (normalize_path(j.root.value) != normalize_path(base.value)) {
            d_.add(Rule::root_base_conflict, j.root.loc,
                   subject(j) + ": root '" + j.root.value + "' differs from base '" + base.value +
                       "'; with a rootfs base the base is the root, so drop `root` or make them equal")
                .related.push_back({base.loc, "base set here"});
        }
    }

    void check_ports(const Jail& j) {
        if (!j.ports.present()) return;
        std::unordered_map<uint16_t, Location> seen;
        for (const auto& p : j.ports.value) {
            auto [it, inserted] = seen.emplace(p.value.number, p.loc);
            if (!inserted)
                d_.add(Rule::duplicate_port, p.loc,
                       subject(j) + ": port " + std::to_string(p.value.number) + " is listed twice; remove one")
                    .related.push_back({it->second, "first listed here"});
        }
        if (seen.size() > 32)
            d_.add(Rule::too_many_ports, j.ports.loc,
                   subject(j) + ": reserves " + std::to_string(seen.size()) +
                       " ports; a jail can reserve at most 32, split the workload over several jails");
        bool any_health = false;
        if (j.services.present())
            for (const auto& s : j.services.value) any_health = any_health || s.healthcheck.present();
        if (!seen.empty() && !any_health)
            d_.add(Rule::port_without_healthcheck, j.ports.loc,
                   subject(j) + ": reserves ports but no service has a healthcheck; add e.g. `healthcheck: {tcp: " +
                       std::to_string(j.ports.value.front().value.number) + "}` so failures are noticed");
    }

    void check_mounts(const Jail& j) {
        if (!j.mounts.present()) return;
        std::unordered_map<std::string, Location> targets;
        for (const auto& mnt : j.mounts.value) {
            const auto& t = mnt.value.target;
            if (!t.present()) continue;
            if (has_dotdot(t.value)) {
                d_.add(Rule::mount_escapes_root, t.loc,
                       subject(j) + ": mount target '" + t.value +
                           "' contains '..' and could point outside the jail; write a plain absolute path");
                continue;
            }
            std::string norm = normalize_path(t.value);
            for (std::string_view sys : {"/", "/dev", "/proc", "/sys"}) {
                bool hit = norm == sys || (sys != "/" && norm.size() > sys.size() && norm.compare(0, sys.size(), sys) == 0 &&
                                           norm[sys.size()] == '/');
                if (hit) {
                    d_.add(Rule::mount_hides_system_path, t.loc,
                           subject(j) + ": mount target '" + t.value + "' would hide or change the jail's " +
                               std::string(sys == "/" ? "root" : sys) + "; mount under /srv or /mnt instead");
                    break;
                }
            }
            auto [it, inserted] = targets.emplace(norm, t.loc);
            if (!inserted)
                d_.add(Rule::duplicate_mount_target, t.loc,
                       subject(j) + ": two mounts have the target '" + norm + "'; keep one")
                    .related.push_back({it->second, "first mount here"});
        }
    }

    // ---- services of one jail ------------------------------------------------------

    void check_services(const Jail& j) {
        if (!j.services.present()) return;
        const auto& svcs = j.services.value;
        std::unordered_map<std::string_view, size_t> index;
        std::vector<std::string_view> names;
        for (size_t i = 0; i < svcs.size(); ++i) {
            index.emplace(svcs[i].name.value, i);
            names.push_back(svcs[i].name.value);
        }
        std::unordered_set<uint16_t> ports;
        if (j.ports.present())
            for (const auto& p : j.ports.value) ports.insert(p.value.number);

        std::vector<std::vector<Edge>> graph(svcs.size());
        std::vector<const Dependency*> edges;
        for (size_t i = 0; i < svcs.size(); ++i) {
            const Service& s = svcs[i];
            check_restart(j, s);
            check_health_port(j, s, ports);
            if (!s.depends_on.present()) continue;
            for (const auto& dep : s.depends_on.value) {
                auto it = index.find(dep.name.value);
                if (it == index.end()) {
                    d_.add(Rule::undefined_service_dependency, dep.name.loc,
                           subject(j, s) + ": depends on '" + dep.name.value + "', which jail '" + j.name.value +
                               "' does not define" + did_you_mean(dep.name.value, names));
                    continue;
                }
                const Service& target = svcs[it->second];
                const std::string& cond = dep.condition.value;
                if (cond == "service_healthy" && !target.healthcheck.present())
                    d_.add(Rule::healthy_without_healthcheck, dep.condition.loc,
                           subject(j, s) + ": waits for '" + target.name.value +
                               "' to be healthy, but it has no healthcheck; add one or use service_started");
                if (cond == "service_completed_successfully") {
                    std::string_view restart = target.restart.present() ? std::string_view(target.restart.value)
                                                                        : defaults::restart;
                    if (restart == "always")
                        d_.add(Rule::completed_never_completes, dep.condition.loc,
                               subject(j, s) + ": waits for '" + target.name.value +
                                   "' to complete, but it restarts always; give it `restart: no` or `on-failure`");
                }
                graph[i].push_back({it->second, edges.size()});
                edges.push_back(&dep);
            }
        }
        for (const auto& cycle : find_cycles(graph)) {
            std::string path;
            size_t first_node = 0;
            for (size_t k = 0; k < cycle.size(); ++k) {
                // The edge's source is the service whose depends_on holds it.
                const Dependency* dep = edges[cycle[k]];
                size_t src = source_of(svcs, dep);
                if (k == 0) first_node = src;
                path += svcs[src].name.value + " -> ";
            }
            path += svcs[first_node].name.value;
            auto& diag = d_.add(Rule::service_dependency_cycle, edges[cycle.front()]->name.loc,
                                subject(j) + ": service dependency cycle: " + path +
                                    "; remove one of these depends_on entries");
            for (size_t k = 1; k < cycle.size(); ++k) diag.related.push_back({edges[cycle[k]]->name.loc, "part of the cycle"});
        }
    }

    static size_t source_of(const std::vector<Service>& svcs, const Dependency* dep) {
        for (size_t i = 0; i < svcs.size(); ++i) {
            if (!svcs[i].depends_on.present()) continue;
            const auto& v = svcs[i].depends_on.value;
            if (!v.empty() && dep >= v.data() && dep < v.data() + v.size()) return i;
        }
        return 0;
    }

    void check_restart(const Jail& j, const Service& s) {
        std::string_view restart = s.restart.present() ? std::string_view(s.restart.value) : defaults::restart;
        if (restart != "no" && s.start_limit.present() && s.start_limit->burst.present() && s.start_limit->burst.value == 0)
            d_.add(Rule::unlimited_restarts, s.start_limit->burst.loc,
                   subject(j, s) + ": restarts " + std::string(restart) +
                       " with no start limit (burst 0), so a crash loop never stops; remove burst: 0 or set a limit");
        if (s.restart_backoff.present()) {
            const Backoff& b = s.restart_backoff.value;
            auto initial = b.initial.present() ? b.initial.value : defaults::backoff_initial;
            auto max = b.max.present() ? b.max.value : defaults::backoff_max;
            if (initial > max)
                d_.add(Rule::backoff_initial_exceeds_max, b.initial.present() ? b.initial.loc : b.max.loc,
                       subject(j, s) + ": restart_backoff initial " + format_duration(initial) + " is longer than max " +
                           format_duration(max) + "; make initial <= max");
        }
    }

    void check_health_port(const Jail& j, const Service& s, const std::unordered_set<uint16_t>& ports) {
        if (!s.healthcheck.present()) return;
        const Healthcheck& h = s.healthcheck.value;
        uint16_t port = h.tcp.present() ? h.tcp.value.number : h.test.present() ? h.test.value.tcp_port : 0;
        Location at = h.tcp.present() ? h.tcp.loc : h.test.loc;
        if (port && ports.count(port) == 0)
            d_.add(Rule::healthcheck_port_not_reserved, at,
                   subject(j, s) + ": the health check probes port " + std::to_string(port) +
                       ", which the jail does not reserve; add it to the jail's ports");
    }

    // ---- across jails ------------------------------------------------------------------

    // Two jails can share a host unless both have placements and those
    // placements have no host in common.  Linear in (jails x ports x hosts):
    // per port, the first jail on every host and the first jail per host.
    void check_port_conflicts() {
        struct Owners {
            const Jail* anywhere = nullptr;  // first jail without placement
            Location anywhere_loc;
            std::unordered_map<std::string_view, std::pair<const Jail*, Location>> by_host;
        };
        std::unordered_map<uint16_t, Owners> owners;
        for (const Jail& j : m_.jails) {
            if (!j.ports.present()) continue;
            const bool everywhere = !j.placement.present() || !j.placement->hosts.present() ||
                                    j.placement->hosts->empty();
            std::unordered_set<uint16_t> mine;
            for (const auto& p : j.ports.value) {
                if (!mine.insert(p.value.number).second) continue;
                Owners& o = owners[p.value.number];
                const Jail* other = nullptr;
                Location other_loc;
                if (o.anywhere) {
                    other = o.anywhere;
                    other_loc = o.anywhere_loc;
                } else if (everywhere && !o.by_host.empty()) {
                    // The earliest-defined owner on any host.
                    for (const auto& [h, owner] : o.by_host)
                        if (!other || owner.first < other) other = owner.first, other_loc = owner.second;
                } else if (!everywhere) {
                    for (const auto& h : j.placement->hosts.value) {
                        auto it = o.by_host.find(h.value);
                        if (it != o.by_host.end()) {
                            other = it->second.first;
                            other_loc = it->second.second;
                            break;
                        }
                    }
                }
                if (other) {
                    d_.add(Rule::port_conflict, p.loc,
                           subject(j) + ": port " + std::to_string(p.value.number) + " is already reserved by jail '" +
                               other->name.value + "' (" + other_loc.str() +
                               "); give each jail its own port, or place the jails on different hosts")
                        .related.push_back({other_loc, "reserved here by jail '" + other->name.value + "'"});
                    continue;
                }
                if (everywhere) {
                    o.anywhere = &j;
                    o.anywhere_loc = p.loc;
                } else {
                    for (const auto& h : j.placement->hosts.value) o.by_host.emplace(h.value, std::pair{&j, p.loc});
                }
            }
        }
    }

    void check_jail_dependencies() {
        std::vector<std::vector<Edge>> graph(m_.jails.size());
        std::vector<const Dependency*> edges;
        std::vector<size_t> edge_source;
        for (size_t i = 0; i < m_.jails.size(); ++i) {
            const Jail& j = m_.jails[i];
            if (!j.depends_on.present()) continue;
            for (const auto& dep : j.depends_on.value) {
                auto it = jail_index_.find(dep.name.value);
                if (it == jail_index_.end()) {
                    d_.add(Rule::undefined_jail_dependency, dep.name.loc,
                           subject(j) + ": depends on jail '" + dep.name.value + "', which is not defined" +
                               did_you_mean(dep.name.value, jail_names_));
                    continue;
                }
                const Jail& target = m_.jails[it->second];
                if (dep.condition.value == "healthy") {
                    bool any = false;
                    if (target.services.present())
                        for (const auto& s : target.services.value) any = any || s.healthcheck.present();
                    if (!any)
                        d_.add(Rule::healthy_without_healthcheck, dep.condition.loc,
                               subject(j) + ": waits for jail '" + target.name.value +
                                   "' to be healthy, but none of its services has a healthcheck; add one or use started");
                }
                bool autostart = !j.autostart.present() ? autostart_default() : j.autostart.value;
                bool target_autostart = !target.autostart.present() ? autostart_default() : target.autostart.value;
                if (autostart && !target_autostart)
                    d_.add(Rule::depends_on_stopped_jail, dep.name.loc,
                           subject(j) + ": depends on jail '" + target.name.value +
                               "', which has autostart: false, so it would wait forever; autostart it or drop the dependency");
                graph[i].push_back({it->second, edges.size()});
                edges.push_back(&dep);
                edge_source.push_back(i);
            }
        }
        for (const auto& cycle : find_cycles(graph)) {
            std::string path;
            for (size_t id : cycle) path += m_.jails[edge_source[id]].name.value + " -> ";
            path += m_.jails[edge_source[cycle.front()]].name.value;
            auto& diag = d_.add(Rule::jail_dependency_cycle, edges[cycle.front()]->name.loc,
                                "jail dependency cycle: " + path + "; remove one of these depends_on entries");
            for (size_t k = 1; k < cycle.size(); ++k) diag.related.push_back({edges[cycle[k]]->name.loc, "part of the cycle"});
        }
    }

    bool autostart_default() const {
        return m_.defaults.autostart.present() ? m_.defaults.autostart.value : defaults::autostart;
    }

    const Manifest& m_;
    Diagnostics& d_;
    std::unordered_map<std::string_view, size_t> jail_index_;
    std::unordered_map<std::string_view, size_t> profile_index_;
    std::vector<std::string_view> profile_candidates_;
    std::vector<std::string_view> jail_names_;
    std::unordered_set<std::string> used_profiles_;
};

}  // namespace

Diagnostics validate(const Manifest& m) {
    Diagnostics d;
    Validator(m, d).run();
    return d;
}

namespace {
LintResult finish(LoadResult&& r) {
    LintResult out{std::move(r), {}};
    out.diagnostics = out.loaded.diagnostics;
    out.diagnostics.append(validate(out.loaded.manifest));
    out.diagnostics.sort();
    return out;
}
}  // namespace

LintResult lint(const std::vector<std::string>& paths, std::istream& in) { return finish(load(paths, in)); }

LintResult lint_text(std::string name, std::string text) { return finish(load_text(std::move(name), std::move(text))); }

}  // namespace jailmgr::schema
