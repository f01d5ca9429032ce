#include "diff.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace jailmgr::engine {

using nlohmann::json;

namespace {

std::string join_lines(const std::vector<std::string>& v) {
    std::string out;
    for (auto& s : v) out += (out.empty() ? "" : "\n") + s;
    return out;
}

// 536870912 -> "512MiB": sizes read the way the manifest wrote them.
json human_size(const json& v) {
    if (!v.is_number_unsigned()) return v;
    auto n = v.get<std::uint64_t>();
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (u < 4 && n >= 1024 && n % 1024 == 0) {
        n /= 1024;
        ++u;
    }
    return std::to_string(n) + units[u];
}

std::vector<FieldChange> humanize(std::vector<FieldChange> changes) {
    for (auto& c : changes) {
        if (c.field == "limits.memory" || c.field == "limits.as" || c.field == "limits.core") {
            c.old_value = human_size(c.old_value);
            c.new_value = human_size(c.new_value);
        }
    }
    return changes;
}

bool supervisor_has_service(const ObservedJail& o, const std::string& name) {
    return o.supervisor && o.supervisor->services.count(name);
}

}  // namespace

PlanError::PlanError(const std::vector<std::string>& problems)
    : std::runtime_error(join_lines(problems)), problems_(problems) {}

bool is_launch_field(const std::string& field) {
    for (const char* f : {"argv", "env", "user", "working_dir", "rlimits"}) {
        std::string_view name(f);
        if (field == name || (field.size() > name.size() && field.compare(0, name.size(), name) == 0 &&
                              field[name.size()] == '.'))
            return true;
    }
    return false;
}

std::vector<FieldChange> json_diff(const json& old_value, const json& new_value, const std::string& prefix) {
    std::vector<FieldChange> out;
    if (old_value.is_object() && new_value.is_object()) {
        std::set<std::string> keys;
        for (auto& [k, v] : old_value.items()) keys.insert(k);
        for (auto& [k, v] : new_value.items()) keys.insert(k);
        for (auto& k : keys) {
            json a = old_value.contains(k) ? old_value[k] : json(nullptr);
            json b = new_value.contains(k) ? new_value[k] : json(nullptr);
            auto sub = json_diff(a, b, prefix.empty() ? k : prefix + "." + k);
            out.insert(out.end(), sub.begin(), sub.end());
        }
        return out;
    }
    if (old_value != new_value) out.push_back({prefix, old_value, new_value});
    return out;
}

std::vector<const DesiredJail*> dependency_order(const Desired& desired) {
    std::map<std::string, const DesiredJail*> by_name;
    for (auto& j : desired.jails) by_name[j.name] = &j;
    std::vector<std::string> problems;
    std::vector<const DesiredJail*> order;
    std::map<std::string, int> mark;  // 0 new, 1 visiting, 2 done
    std::vector<std::string> path;
    std::function<void(const DesiredJail&)> visit = [&](const DesiredJail& j) {
        if (mark[j.name] == 2) return;
        if (mark[j.name] == 1) {
            std::string cycle;
            auto it = std::find(path.begin(), path.end(), j.name);
            for (; it != path.end(); ++it) cycle += *it + " -> ";
            problems.push_back("jail dependency cycle: " + cycle + j.name);
            return;
        }
        mark[j.name] = 1;
        path.push_back(j.name);
        for (auto& d : j.depends_on) {
            auto dep = by_name.find(d.jail);
            if (dep == by_name.end())
                problems.push_back("jail " + j.name + " depends on undefined jail '" + d.jail + "'");
            else
                visit(*dep->second);
        }
        path.pop_back();
        mark[j.name] = 2;
        order.push_back(&j);
    };
    for (auto& j : desired.jails) visit(j);
    if (!problems.empty()) throw PlanError(problems);
    return order;
}

std::vector<std::string> destroy_order(std::vector<std::string> names,
                                       const std::map<std::string, ObservedJail>& observed) {
    std::sort(names.rbegin(), names.rend());
    std::set<std::string> wanted(names.begin(), names.end()), done;
    std::vector<std::string> out;
    // Repeatedly take a jail that no remaining jail depends on.
    while (out.size() < names.size()) {
        bool progressed = false;
        for (auto& n : names) {
            if (done.count(n)) continue;
            bool needed = false;
            for (auto& other : names) {
                if (other == n || done.count(other)) continue;
                auto it = observed.find(other);
                if (it == observed.end() || !it->second.applied) continue;
                for (auto& dep : it->second.applied->depends_on) needed = needed || dep == n;
            }
            if (needed) continue;
            out.push_back(n);
            done.insert(n);
            progressed = true;
        }
        if (!progressed) {  // a cycle in old records: fall back to name order
            for (auto& n : names)
                if (!done.count(n)) out.push_back(n), done.insert(n);
        }
    }
    return out;
}

namespace {

// What the kernel itself knows overrides the record (drift shows up as a
// change); the record supplies what the kernel does not keep.
json observed_spec(const ObservedJail& o) {
    json old = o.applied->spec.is_object() ? o.applied->spec : json::object();
    json k = spec_to_json(o.kernel->spec);
    for (const char* field : {"root", "profile", "deny", "ports"}) old[field] = k[field];
    return old;
}

std::string service_list(const DesiredJail& d) {
    std::string names;
    for (auto& s : d.services) names += (names.empty() ? "" : ", ") + s.name;
    return names;
}

void plan_fresh_jail(Plan& plan, const DesiredJail& d, Action action, const std::string& reason,
                     std::vector<FieldChange> changes) {
    plan.steps.push_back({action, d.name, "", reason, humanize(std::move(changes))});
    if (!d.setup.empty())
        plan.steps.push_back({Action::setup, d.name, "",
                              std::to_string(d.setup.size()) + " setup step" + (d.setup.size() == 1 ? "" : "s"),
                              {}});
    if (d.autostart)
        for (auto& s : d.services) plan.steps.push_back({Action::start, d.name, s.name, "new service", {}});
}

void plan_services(Plan& plan, const DesiredJail& d, const ObservedJail& o) {
    if (!d.autostart) {
        if (o.supervisor) plan.steps.push_back({Action::stop, d.name, "", "autostart is false", {}});
        return;
    }
    if (!o.supervisor) {
        std::string reason = "supervisor not running";
        if (!d.services.empty()) reason += "; starts " + service_list(d);
        plan.steps.push_back({Action::start, d.name, "", reason, {}});
        return;
    }
    std::set<std::string> wanted;
    for (auto& s : d.services) {
        wanted.insert(s.name);
        const AppliedService* applied = nullptr;
        if (auto it = o.applied->services.find(s.name); it != o.applied->services.end()) applied = &it->second;
        if (!supervisor_has_service(o, s.name)) {
            plan.steps.push_back({Action::start, d.name, s.name, applied ? "service not running" : "new service", {}});
            continue;
        }
        const auto& seen = o.supervisor->services.at(s.name);
        if (applied && applied->hash != s.hash) {
            auto changes = json_diff(applied->spec, s.spec);
            bool relaunch = false;
            for (auto& c : changes) relaunch = relaunch || is_launch_field(c.field);
            if (relaunch)
                plan.steps.push_back({Action::restart, d.name, s.name, "spec changed", changes});
            else
                plan.steps.push_back({Action::update, d.name, s.name, "settings changed; the process keeps running",
                                      changes});
        } else if (!applied) {
            plan.steps.push_back({Action::restart, d.name, s.name, "no record of its spec", {}});
        } else if (seen.state == "failed") {
            plan.steps.push_back({Action::restart, d.name, s.name, "service " + s.name + " failed", {}});
        } else if (seen.state == "stopped") {
            plan.steps.push_back({Action::start, d.name, s.name, "service " + s.name + " stopped", {}});
        }
    }
    for (auto& [name, seen] : o.supervisor->services)
        if (!wanted.count(name))
            plan.steps.push_back({Action::stop, d.name, name, "removed from the manifests", {}});
}

void plan_existing_jail(Plan& plan, const DesiredJail& d, const ObservedJail& o) {
    json desired_spec = spec_to_json(d.spec);
    auto changes = json_diff(observed_spec(o), desired_spec);
    std::vector<FieldChange> create_time, live;
    for (auto& c : changes) (is_live_field(c.field) ? live : create_time).push_back(c);

    if (!create_time.empty()) {
        std::string fields;
        for (auto& c : create_time) fields += (fields.empty() ? "" : ", ") + c.field;
        plan_fresh_jail(plan, d, Action::replace, fields + " changed", changes);
        return;
    }
    if (!live.empty()) plan.steps.push_back({Action::update, d.name, "", "limits changed", humanize(live)});

    const auto& done = o.applied->setup_hashes;
    for (std::size_t i = 0; i < d.setup.size(); ++i) {
        if (i >= done.size() || done[i] != d.setup[i].hash) {
            std::string reason = "step " + std::to_string(i + 1) + " (" + d.setup[i].describe + ")" +
                                 (i >= done.size() ? " never ran" : " changed");
            if (i + 1 < d.setup.size()) reason += "; steps " + std::to_string(i + 1) + "-" +
                                                  std::to_string(d.setup.size()) + " run";
            plan.steps.push_back({Action::setup, d.name, "", reason, {}});
            break;
        }
    }
    plan_services(plan, d, o);
}

std::set<std::string> targeted(const Desired& desired, const std::vector<std::string>& targets) {
    std::set<std::string> out;
    std::function<void(const std::string&)> add = [&](const std::string& name) {
        if (!out.insert(name).second) return;
        if (auto* j = desired.find(name))
            for (auto& d : j->depends_on) add(d.jail);
    };
    for (auto& t : targets) add(t);
    return out;
}

}  // namespace

Plan diff(const Desired& desired, const Observed& observed, const DiffOptions& options) {
    Plan plan;
    std::vector<std::string> problems;
    auto order = dependency_order(desired);

    std::set<std::string> scope;
    if (!options.targets.empty()) {
        for (auto& t : options.targets)
            if (!desired.find(t)) problems.push_back("--target " + t + ": no such jail in the manifests");
        scope = targeted(desired, options.targets);
    }
    auto in_scope = [&](const std::string& name) { return options.targets.empty() || scope.count(name); };

    // Jails that are ours but no longer wanted, and jails that are not ours.
    std::vector<std::string> to_destroy;
    for (auto& [name, o] : observed.jails) {
        if (desired.find(name)) continue;
        bool ours = o.applied && o.applied->project == desired.project;
        if (!ours) {
            if (o.kernel) plan.foreign_jails.push_back(name);
            continue;
        }
        if (options.prune && options.targets.empty())
            to_destroy.push_back(name);
        else
            plan.unmanaged_jails.push_back(name);
    }
    for (auto& name : destroy_order(to_destroy, observed.jails)) {
        auto& o = observed.jails.at(name);
        plan.steps.push_back({Action::destroy, name, "",
                              o.kernel ? "removed from the manifests" : "removed from the manifests (already gone from the kernel)",
                              {}});
    }

    for (auto* d : order) {
        if (!in_scope(d->name)) continue;
        ++plan.desired_jails;
        plan.desired_services += d->services.size();
        auto it = observed.jails.find(d->name);
        const ObservedJail* o = it == observed.jails.end() ? nullptr : &it->second;
        if (o && o->applied && o->applied->project != desired.project) {
            problems.push_back("jail " + d->name + " belongs to project '" + o->applied->project +
                               "', not '" + desired.project + "': rename it in the manifests or bring it down in "
                               "its own project first");
            continue;
        }
        if (!o || !o->kernel) {
            plan_fresh_jail(plan, *d, Action::create,
                            o && o->applied ? "jail missing from kernel" : "new jail", {});
            continue;
        }
        if (!o->applied) {
            problems.push_back("jail " + d->name + " already exists in the kernel (jail " +
                               std::to_string(o->kernel->id) +
                               ") but was not created by jailmgr: destroy it (jailctl destroy " + d->name +
                               ") or rename the jail in the manifests");
            continue;
        }
        plan_existing_jail(plan, *d, *o);
    }
    if (!problems.empty()) throw PlanError(problems);
    return plan;
}

}  // namespace jailmgr::engine
