// types_composite.cpp -- values with several spellings (commands,
// environment, depends_on, health check tests) and duplicate detection.
#include "types.hpp"

namespace jailmgr::schema::format {

using yaml::ScalarType;

// ---- CommandType ----------------------------------------------------------------

bool CommandType::decode(const yaml::Node& n, Decoder& d, Command& out) const {
    if (is_string(n)) {
        if (n.text.find_first_not_of(" \t\n") == std::string::npos) {
            d.report(Rule::empty_command, n, "the command is empty; give a program and its arguments");
            return false;
        }
        out = {shell_command(n.text), true};
        return true;
    }
    if (!n.is_sequence()) return wrong_type(n, d, "a command (a list of strings, or a string for /bin/sh -c)");
    if (n.items.empty()) {
        d.report(Rule::empty_command, n, "the command is an empty list; give a program and its arguments");
        return false;
    }
    out.shell = false;
    bool ok = true;
    for (const yaml::Node* item : n.items) {
        if (!d.visit(*item)) return false;
        auto t = item->is_scalar() ? yaml::scalar_type(*item) : ScalarType::null;
        // Plain numbers are fine as arguments ("-p", 8080); nested lists are not.
        if (!item->is_scalar() || t == ScalarType::null) {
            ok = wrong_type(*item, d, "a string (one argument)");
            continue;
        }
        out.argv.push_back(item->text);
    }
    if (ok && out.argv[0].empty()) {
        d.report(Rule::empty_command, *n.items[0], "the program name is empty");
        return false;
    }
    return ok;
}

json CommandType::schema(SchemaBuilder&) const {
    return {{"anyOf", json::array({{{"type", "string"}, {"minLength", 1}},
                                   {{"type", "array"},
                                    {"minItems", 1},
                                    {"items", {{"type", json::array({"string", "number", "boolean"})}}}}})},
            {"description", "a list is executed as is; a string runs as /bin/sh -c STRING"}};
}

// ---- EnvironmentType ---------------------------------------------------------------

bool EnvironmentType::decode(const yaml::Node& n, Decoder& d, Environment& out) const {
    if (n.is_scalar() && yaml::scalar_type(n) == ScalarType::null) return true;
    if (n.is_mapping()) {
        DuplicateFinder dups;
        for (const auto& e : n.entries) {
            if (!d.visit(*e.value)) return false;
            if (!e.key->is_scalar() || !valid_env_key(e.key->text)) {
                d.report(Rule::invalid_env_key, *e.key,
                         "environment variable name " + (e.key->is_scalar() ? quote_text(e.key->text) : yaml::describe(*e.key)) +
                             " is empty or contains '=' or a NUL byte");
                continue;
            }
            if (const yaml::Node* first = dups.seen(*e.key)) {
                d.report(Rule::duplicate_key, *e.key, "environment variable '" + e.key->text + "' is set twice; keep one")
                    .related.push_back({first->loc, "first set here"});
                continue;
            }
            const yaml::Node& v = *e.value;
            if (!v.is_scalar() || yaml::scalar_type(v) == ScalarType::null) {
                Decoder::Key k(d, "environment." + e.key->text);
                wrong_type(v, d, "a string, number or boolean (write \"\" for an empty value)");
                continue;
            }
            out.push_back({{e.key->text, e.key->loc}, {v.text, v.loc}});
        }
        return true;
    }
    if (n.is_sequence()) {
        for (const yaml::Node* item : n.items) {
            if (!d.visit(*item)) return false;
            if (!is_string(*item)) {
                wrong_type(*item, d, "a KEY=value string");
                continue;
            }
            auto kv = parse_env_entry(item->text);
            if (!kv) {
                d.report(Rule::invalid_env_key, *item, kv.error);
                continue;
            }
            auto eq = item->text.find('=');
            Location vloc = item->loc;
            out.push_back({{kv.value->first, item->loc}, {kv.value->second, vloc}});
            (void)eq;
        }
        return true;
    }
    return wrong_type(n, d, "a mapping of KEY: value or a list of KEY=value");
}

json EnvironmentType::schema(SchemaBuilder&) const {
    return {{"anyOf",
             json::array({{{"type", "object"},
                           {"propertyNames", {{"minLength", 1}, {"pattern", "^[^=]+$"}}},
                           {"additionalProperties", {{"type", json::array({"string", "number", "boolean"})}}}},
                          {{"type", "array"}, {"items", {{"type", "string"}, {"pattern", "^[^=]+="}}}}})},
            {"description", "a KEY: value mapping or a list of KEY=value"}};
}

// ---- DependsOnType --------------------------------------------------------------------

bool DependsOnType::decode(const yaml::Node& n, Decoder& d, std::vector<Dependency>& out) const {
    if (n.is_scalar() && yaml::scalar_type(n) == ScalarType::null) return true;
    if (n.is_sequence()) {
        for (const yaml::Node* item : n.items) {
            if (!d.visit(*item)) return false;
            if (!is_string(*item)) {
                wrong_type(*item, d, "a name");
                continue;
            }
            out.push_back({{item->text, item->loc}, {}});
        }
        return true;
    }
    if (!n.is_mapping()) return wrong_type(n, d, "a list of names or a mapping of name: {condition: ...}");
    DuplicateFinder dups;
    for (const auto& e : n.entries) {
        if (!d.visit(*e.value)) return false;
        if (!is_string(*e.key)) {
            wrong_type(*e.key, d, "a name");
            continue;
        }
        if (const yaml::Node* first = dups.seen(*e.key)) {
            d.report(Rule::duplicate_key, *e.key, "dependency '" + e.key->text + "' is listed twice; keep one")
                .related.push_back({first->loc, "first listed here"});
            continue;
        }
        Dependency dep{{e.key->text, e.key->loc}, {}};
        const yaml::Node& v = *e.value;
        Decoder::Key k(d, e.key->text);
        if (v.is_scalar() && yaml::scalar_type(v) == ScalarType::null) {
            // `db:` with no body waits for the default condition.
        } else if (!v.is_mapping()) {
            wrong_type(v, d, "a mapping such as {condition: ...}");
            continue;
        } else {
            for (const auto& ce : v.entries) {
                if (!is_string(*ce.key) || ce.key->text != "condition") {
                    std::vector<std::string_view> keys{"condition"};
                    d.report(Rule::unknown_key, *ce.key,
                             "unknown key " + quote_text(ce.key->is_scalar() ? ce.key->text : yaml::describe(*ce.key)) +
                                 did_you_mean(ce.key->is_scalar() ? ce.key->text : "", keys));
                    continue;
                }
                Decoder::Key kc(d, "condition");
                std::string c;
                if (conditions_.decode(*ce.value, d, c)) dep.condition = {c, ce.value->loc};
            }
        }
        out.push_back(std::move(dep));
    }
    return true;
}

json DependsOnType::schema(SchemaBuilder& b) const {
    json entry = {{"type", json::array({"object", "null"})},
                  {"properties", {{"condition", conditions_.schema(b)}}},
                  {"additionalProperties", false}};
    json as_list = {{"type", "array"}, {"items", {{"type", "string"}}}};
    json as_map = {{"type", "object"}, {"additionalProperties", entry}};
    return {{"anyOf", json::array({as_list, as_map})}};
}

// ---- HealthTestType ----------------------------------------------------------------------

bool HealthTestType::decode(const yaml::Node& n, Decoder& d, HealthTest& out) const {
    if (is_string(n)) {
        if (n.text.find_first_not_of(" \t\n") == std::string::npos) {
            d.report(Rule::empty_command, n, "the health check test is empty");
            return false;
        }
        out.command = {shell_command(n.text), true};
        return true;
    }
    if (n.is_mapping()) {
        bool found = false;
        for (const auto& e : n.entries) {
            if (!is_string(*e.key) || e.key->text != "tcp") {
                std::vector<std::string_view> keys{"tcp"};
                d.report(Rule::unknown_key, *e.key,
                         "unknown key " + quote_text(e.key->is_scalar() ? e.key->text : "") +
                             did_you_mean(e.key->is_scalar() ? e.key->text : "", keys));
                continue;
            }
            Port p;
            if (PortType().decode(*e.value, d, p)) {
                out.tcp_port = p.number;
                found = true;
            }
        }
        if (!found && n.entries.empty()) d.report(Rule::missing_key, n, "missing required key 'tcp'");
        return found;
    }
    if (!n.is_sequence()) return wrong_type(n, d, "a test such as [\"CMD\", \"prog\", \"arg\"], a string or {tcp: PORT}");
    if (n.items.empty() || !is_string(*n.items[0]) ||
        (n.items[0]->text != "CMD" && n.items[0]->text != "CMD-SHELL")) {
        d.report(Rule::invalid_enum, n.items.empty() ? n : *n.items[0],
                 "a test list starts with \"CMD\" (exec the rest) or \"CMD-SHELL\" (run one shell string)");
        return false;
    }
    bool shell = n.items[0]->text == "CMD-SHELL";
    std::vector<std::string> args;
    for (size_t i = 1; i < n.items.size(); ++i) {
        const yaml::Node& it = *n.items[i];
        if (!it.is_scalar() || yaml::scalar_type(it) == ScalarType::null) return wrong_type(it, d, "a string");
        args.push_back(it.text);
    }
    if (args.empty() || args[0].empty()) {
        d.report(Rule::empty_command, n, "the health check test names no program");
        return false;
    }
    if (shell) {
        if (args.size() != 1) {
            d.report(Rule::wrong_type, n, "\"CMD-SHELL\" takes exactly one shell string");
            return false;
        }
        out.command = {shell_command(args[0]), true};
    } else {
        out.command = {std::move(args), false};
    }
    return true;
}

json HealthTestType::schema(SchemaBuilder& b) const {
    return {{"anyOf",
             json::array({{{"type", "string"}, {"minLength", 1}},
                          {{"type", "array"},
                           {"minItems", 2},
                           {"prefixItems", json::array({{{"enum", {"CMD", "CMD-SHELL"}}}})},
                           {"items", {{"type", json::array({"string", "number", "boolean"})}}}},
                          {{"type", "object"},
                           {"properties", {{"tcp", PortType().schema(b)}}},
                           {"required", {"tcp"}},
                           {"additionalProperties", false}}})}};
}

// ---- DuplicateFinder ------------------------------------------------------------------

const yaml::Node* DuplicateFinder::seen(const yaml::Node& key) {
    std::string_view k = key.text;
    if (large_.empty()) {
        for (const yaml::Node* n : small_)
            if (n->text == k) return n;
        small_.push_back(&key);
        if (small_.size() > 16) {
            for (const yaml::Node* n : small_) large_.emplace(n->text, n);
            small_.clear();
        }
        return nullptr;
    }
    auto [it, inserted] = large_.emplace(k, &key);
    return inserted ? nullptr : it->second;
}

}  // namespace jailmgr::schema::format
