#include "render.hpp"

#include <nlohmann/json.hpp>

#include <set>

namespace jailmgr::schema {

using nlohmann::json;

std::optional<OutputFormat> parse_output_format(std::string_view s) {
    if (s == "text") return OutputFormat::text;
    if (s == "json") return OutputFormat::json;
    if (s == "sarif") return OutputFormat::sarif;
    if (s == "github") return OutputFormat::github;
    return std::nullopt;
}

namespace {

std::string plural(size_t n, std::string_view word) {
    return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

std::string summary(const Diagnostics& d, size_t files) {
    return plural(d.count(Severity::error), "error") + ", " + plural(d.count(Severity::warning), "warning") + " in " +
           plural(files, "file");
}

// The source line shown under a finding: control bytes made visible, and a
// window around the column so a 10 MB line stays readable.  Returns the
// display line and the whitespace that puts a caret under the column
// (the line's own tabs are reused so the caret lines up).
std::pair<std::string, std::string> excerpt(std::string_view line, uint32_t column) {
    // Map the 1-based character column to a byte offset (UTF-8 aware).
    size_t byte = 0, chars = 1;
    while (byte < line.size() && chars < column) {
        ++byte;
        while (byte < line.size() && (static_cast<unsigned char>(line[byte]) & 0xC0) == 0x80) ++byte;
        ++chars;
    }
    constexpr size_t window = 100;
    size_t begin = byte > window ? byte - window : 0;
    size_t end = std::min(line.size(), byte + window);
    while (begin > 0 && begin < line.size() && (static_cast<unsigned char>(line[begin]) & 0xC0) == 0x80) --begin;
    std::string shown = begin > 0 ? "..." : "";
    std::string pad = begin > 0 ? "   " : "";
    for (size_t i = begin; i < end;) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool valid = len > 0 && i + len <= line.size();
        for (size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(line[i + k]) & 0xC0) == 0x80;
        if (!valid) {
            shown += '?';  // not UTF-8: keep the output printable
            len = 1;
        } else if (len == 1) {
            shown += (c < 0x20 && c != '\t') || c == 0x7f ? '?' : static_cast<char>(c);
        } else {
            shown.append(line.substr(i, len));
        }
        if (i < byte) pad += c == '\t' ? '\t' : ' ';
        i += len;
    }
    if (end < line.size()) shown += "...";
    return {shown, pad};
}

void render_text(std::ostream& out, const Diagnostics& diags, const RenderOptions& o) {
    const char* bold = o.color ? "\033[1m" : "";
    const char* red = o.color ? "\033[1;31m" : "";
    const char* yellow = o.color ? "\033[1;33m" : "";
    const char* cyan = o.color ? "\033[1;36m" : "";
    const char* green = o.color ? "\033[1;32m" : "";
    const char* reset = o.color ? "\033[0m" : "";
    auto show_line = [&](const Location& loc) {
        if (!loc.file || loc.line == 0) return;
        std::string_view line = loc.file->line(loc.line);
        if (line.empty() && loc.file->text().empty()) return;
        auto [shown, caret] = excerpt(line, loc.column);
        std::string num = std::to_string(loc.line);
        out << " " << num << " | " << shown << "\n";
        out << " " << std::string(num.size(), ' ') << " | " << caret << green << "^" << reset << "\n";
    };
    for (const auto& d : diags.items()) {
        bool err = d.severity() == Severity::error;
        out << bold << d.loc.str() << ": " << reset << (err ? red : yellow) << severity_name(d.severity()) << ": "
            << reset << bold << d.message << reset << " [" << d.id() << "]\n";
        show_line(d.loc);
        for (const auto& r : d.related) {
            out << bold << r.loc.str() << ": " << reset << cyan << "note: " << reset << r.message << "\n";
        }
    }
    out << summary(diags, o.files) << "\n";
}

json location_json(const Location& l) {
    return {{"file", l.file ? l.file->name() : ""}, {"line", l.line}, {"column", l.column}};
}

void render_json(std::ostream& out, const Diagnostics& diags, const RenderOptions& o) {
    json findings = json::array();
    std::vector<std::string> files;
    std::set<const SourceFile*> seen;
    for (const auto& d : diags.items()) {
        const RuleInfo& r = rule_info(d.rule);
        json f = location_json(d.loc);
        f["rule"] = r.id;
        f["name"] = r.name;
        f["severity"] = severity_name(r.severity);
        f["message"] = d.message;
        json related = json::array();
        for (const auto& rel : d.related) {
            json x = location_json(rel.loc);
            x["message"] = rel.message;
            related.push_back(x);
        }
        f["related"] = related;
        findings.push_back(f);
    }
    json doc = {{"version", 1},
                {"summary",
                 {{"errors", diags.count(Severity::error)},
                  {"warnings", diags.count(Severity::warning)},
                  {"files", o.files}}},
                {"findings", findings}};
    out << doc.dump(2) << "\n";
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
}

std::string sarif_level(Severity s) { return s == Severity::error ? "error" : "warning"; }

void render_sarif(std::ostream& out, const Diagnostics& diags, const RenderOptions& o) {
    json rules = json::array();
    for (const auto& r : all_rules()) {
        rules.push_back({{"id", r.id},
                         {"name", r.name},
                         {"shortDescription", {{"text", r.summary}}},
                         {"help", {{"text", std::string(r.fix) + " (docs/lint-rules.md#" + lower(r.id) + ")"}}},
                         {"defaultConfiguration", {{"level", sarif_level(r.severity)}}}});
    }
    auto physical = [](const Location& l) {
        json region = {{"startLine", std::max<uint32_t>(l.line, 1)}, {"startColumn", std::max<uint32_t>(l.column, 1)}};
        return json{{"physicalLocation",
                     {{"artifactLocation", {{"uri", l.file ? l.file->name() : "unknown"}}}, {"region", region}}}};
    };
    json results = json::array();
    for (const auto& d : diags.items()) {
        json res = {{"ruleId", d.id()},
                    {"ruleIndex", static_cast<size_t>(d.rule)},
                    {"level", sarif_level(d.severity())},
                    {"message", {{"text", d.message}}},
                    {"locations", json::array({physical(d.loc)})}};
        if (!d.related.empty()) {
            json rel = json::array();
            int id = 1;
            for (const auto& r : d.related) {
                json x = physical(r.loc);
                x["id"] = id++;
                x["message"] = {{"text", r.message}};
                rel.push_back(x);
            }
            res["relatedLocations"] = rel;
        }
        results.push_back(res);
    }
    json doc = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                {"version", "2.1.0"},
                {"runs",
                 json::array({{{"tool",
                                {{"driver",
                                  {{"name", "jailmgr lint"},
                                   {"version", o.tool_version},
                                   {"rules", rules}}}}},
                               {"results", results}}})}};
    out << doc.dump(2) << "\n";
}

// Workflow-command escaping: data escapes %, CR, LF; properties also : and ,.
std::string gh_escape(std::string_view s, bool property) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '%': out += "%25"; break;
        case '\r': out += "%0D"; break;
        case '\n': out += "%0A"; break;
        case ':': out += property ? "%3A" : ":"; break;
        case ',': out += property ? "%2C" : ","; break;
        default: out += c;
        }
    }
    return out;
}

void render_github(std::ostream& out, const Diagnostics& diags, const RenderOptions& o) {
    for (const auto& d : diags.items()) {
        out << "::" << (d.severity() == Severity::error ? "error" : "warning") << " file="
            << gh_escape(d.loc.file ? d.loc.file->name() : "", true) << ",line=" << d.loc.line << ",col=" << d.loc.column
            << ",title=" << gh_escape(d.id(), true) << "::" << gh_escape(d.message, false) << "\n";
    }
    out << summary(diags, o.files) << "\n";
}

}  // namespace

void render(std::ostream& out, const Diagnostics& diags, OutputFormat format, const RenderOptions& opts) {
    switch (format) {
    case OutputFormat::text:
        return render_text(out, diags, opts);
    case OutputFormat::json:
        return render_json(out, diags, opts);
    case OutputFormat::sarif:
        return render_sarif(out, diags, opts);
    case OutputFormat::github:
        return render_github(out, diags, opts);
    }
}

}  // namespace jailmgr::schema
