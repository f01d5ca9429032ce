#include "dependency.hpp"

#include <map>
#include <set>

namespace jailmgr::engine::supervisor {

namespace {

enum class Mark { none, active, done };

// Depth-first visit in name order; `path` is the current chain, for the
// cycle message.
void visit(const std::string& name, const std::map<std::string, const ServiceSpec*>& by_name,
           std::map<std::string, Mark>& mark, std::vector<std::string>& path, std::vector<std::string>& out) {
    auto it = by_name.find(name);
    if (it == by_name.end()) {
        throw SpecError("service '" + path.back() + "' depends on '" + name + "', which is not defined");
    }
    Mark& m = mark[name];
    if (m == Mark::done) return;
    if (m == Mark::active) {
        std::string msg = "dependency cycle: ";
        bool in_cycle = false;
        for (const auto& p : path) {
            in_cycle = in_cycle || p == name;
            if (in_cycle) msg += p + " -> ";
        }
        throw SpecError(msg + name);
    }
    m = Mark::active;
    path.push_back(name);
    for (const auto& [dep, cond] : it->second->depends_on) visit(dep, by_name, mark, path, out);
    path.pop_back();
    m = Mark::done;
    out.push_back(name);
}

}  // namespace

std::vector<std::string> start_order(const std::vector<ServiceSpec>& services) {
    std::map<std::string, const ServiceSpec*> by_name;
    for (const auto& s : services) by_name[s.name] = &s;
    std::map<std::string, Mark> mark;
    std::vector<std::string> path, out;
    for (const auto& [name, spec] : by_name) visit(name, by_name, mark, path, out);
    return out;
}

bool condition_met(Condition condition, const ServiceView& d) {
    switch (condition) {
    case Condition::service_started:
        return d.phase == Phase::running || d.phase == Phase::stopping || d.phase == Phase::completed ||
               (d.phase == Phase::exited && d.ever_started);
    case Condition::service_healthy:
        if (!d.has_healthcheck) return condition_met(Condition::service_started, d);
        return d.phase == Phase::running && d.health == Health::healthy;
    case Condition::service_completed_successfully: return d.phase == Phase::completed;
    }
    return false;
}

bool dependencies_met(const ServiceSpec& service, const ViewLookup& lookup) {
    for (const auto& [dep, cond] : service.depends_on) {
        const ServiceView* v = lookup(dep);
        if (!v || !condition_met(cond, *v)) return false;
    }
    return true;
}

bool dependents_down(const std::string& name, const std::vector<const ServiceSpec*>& services,
                     const ViewLookup& lookup) {
    for (const ServiceSpec* s : services) {
        if (!s->depends_on.count(name)) continue;
        const ServiceView* v = lookup(s->name);
        if (v && !is_down(v->phase)) return false;
    }
    return true;
}

}  // namespace jailmgr::engine::supervisor
