#include "plan.hpp"

#include <sstream>

namespace jailmgr::engine {

using nlohmann::json;

std::string_view to_string(Action a) {
    switch (a) {
    case Action::create: return "create";
    case Action::destroy: return "destroy";
    case Action::replace: return "replace";
    case Action::update: return "update";
    case Action::setup: return "setup";
    case Action::start: return "start";
    case Action::stop: return "stop";
    case Action::restart: return "restart";
    }
    return "unknown";
}

PlanSummary Plan::summary() const {
    PlanSummary s;
    for (auto& st : steps) {
        switch (st.action) {
        case Action::create: ++s.create; break;
        case Action::destroy: ++s.destroy; break;
        case Action::replace: ++s.replace; break;
        case Action::update: ++s.update; break;
        case Action::setup: ++s.setup; break;
        case Action::start: ++s.start; break;
        case Action::stop: ++s.stop; break;
        case Action::restart: ++s.restart; break;
        }
    }
    std::size_t touched = 0;
    std::vector<std::string> seen;
    for (auto& st : steps) {
        bool known = false;
        for (auto& j : seen) known = known || j == st.jail;
        if (!known) {
            seen.push_back(st.jail);
            if (st.action != Action::destroy) ++touched;
        }
    }
    s.unchanged_jails = desired_jails > touched ? desired_jails - touched : 0;
    return s;
}

std::string summary_line(const Plan& plan) {
    if (!plan.has_changes()) {
        return "No changes: " + std::to_string(plan.desired_jails) + " jail" + (plan.desired_jails == 1 ? "" : "s") +
               " and " + std::to_string(plan.desired_services) + " service" +
               (plan.desired_services == 1 ? "" : "s") + " are up to date.";
    }
    auto s = plan.summary();
    std::ostringstream out;
    out << s.create << " to create, " << s.replace << " to replace, " << s.destroy << " to destroy";
    auto extra = [&](std::size_t n, const char* what) {
        if (n) out << ", " << n << " " << what;
    };
    extra(s.update, "to update");
    extra(s.setup, "to set up");
    extra(s.start, "to start");
    extra(s.restart, "to restart");
    extra(s.stop, "to stop");
    out << ".";
    return out.str();
}

std::string render_value(const json& v) {
    if (v.is_null()) return "(none)";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
        std::string out = "[";
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (i) out += ", ";
            out += v[i].is_string() ? json(v[i]).dump() : render_value(v[i]);
        }
        return out + "]";
    }
    return v.dump();
}

namespace {

const char* marker(Action a) {
    switch (a) {
    case Action::create:
    case Action::start: return "+";
    case Action::destroy:
    case Action::stop: return "-";
    case Action::replace: return "-/+";
    case Action::update:
    case Action::setup:
    case Action::restart: return "~";
    }
    return "?";
}

const char* colour(Action a) {
    switch (a) {
    case Action::create:
    case Action::start: return "\033[32m";  // green
    case Action::destroy:
    case Action::stop: return "\033[31m";  // red
    case Action::replace: return "\033[35m";  // magenta
    default: return "\033[33m";  // yellow
    }
}

}  // namespace

std::string render_text(const Plan& plan, bool color) {
    std::ostringstream out;
    const char* reset = color ? "\033[0m" : "";
    for (auto& st : plan.steps) {
        std::string subject = st.service.empty() ? "jail " + st.jail : "service " + st.jail + "/" + st.service;
        out << (color ? colour(st.action) : "") << marker(st.action) << " " << subject << reset << " ("
            << to_string(st.action) << ")";
        if (!st.reason.empty()) out << ": " << st.reason;
        out << "\n";
        for (auto& c : st.changes)
            out << "      " << c.field << ": " << render_value(c.old_value) << " -> " << render_value(c.new_value)
                << "\n";
    }
    for (auto& j : plan.unmanaged_jails)
        out << "  jail " << j << " is no longer in the manifests; kept (apply --prune destroys it)\n";
    for (auto& j : plan.foreign_jails) out << "  jail " << j << " is not managed by this project; left alone\n";
    if (plan.has_changes() || !plan.unmanaged_jails.empty() || !plan.foreign_jails.empty()) out << "\n";
    out << summary_line(plan) << "\n";
    return out.str();
}

json to_json(const Plan& plan) {
    json steps = json::array();
    for (auto& st : plan.steps) {
        json changes = json::array();
        for (auto& c : st.changes) changes.push_back({{"field", c.field}, {"old", c.old_value}, {"new", c.new_value}});
        steps.push_back({{"action", to_string(st.action)},
                         {"jail", st.jail},
                         {"service", st.service.empty() ? json(nullptr) : json(st.service)},
                         {"reason", st.reason},
                         {"changes", changes}});
    }
    auto s = plan.summary();
    return {{"format_version", 1},
            {"changes_pending", plan.has_changes()},
            {"summary",
             {{"create", s.create},
              {"replace", s.replace},
              {"update", s.update},
              {"destroy", s.destroy},
              {"setup", s.setup},
              {"start", s.start},
              {"restart", s.restart},
              {"stop", s.stop},
              {"unchanged_jails", s.unchanged_jails}}},
            {"steps", steps},
            {"foreign_jails", plan.foreign_jails},
            {"unmanaged_jails", plan.unmanaged_jails}};
}

}  // namespace jailmgr::engine
