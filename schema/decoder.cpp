#include "decoder.hpp"

namespace jailmgr::schema::format {

bool Decoder::visit(const yaml::Node& n) {
    if (exhausted_) return false;
    if (budget_ > 0) {
        --budget_;
        return true;
    }
    exhausted_ = true;
    diags_.add(Rule::yaml_limit, n.loc,
               "document expands (through aliases) to more values than the loader checks; use fewer nested aliases");
    return false;
}

std::string Decoder::where() const {
    std::string out;
    for (const auto& s : subjects_) {
        if (!out.empty()) out += ' ';
        out += s;
    }
    if (!keys_.empty()) {
        if (!out.empty()) out += ": ";
        for (size_t i = 0; i < keys_.size(); ++i) {
            if (i && keys_[i][0] != '[') out += '.';
            out += keys_[i];
        }
    }
    return out;
}

Diagnostic& Decoder::report(Rule rule, Location loc, std::string_view detail) {
    std::string w = where();
    std::string msg = w.empty() ? std::string(detail) : w + ": " + std::string(detail);
    return diags_.add(rule, loc, std::move(msg));
}

Diagnostic& Decoder::report_entry(Rule rule, Location loc, std::string_view detail) {
    std::string out;
    for (const auto& s : subjects_) out += (out.empty() ? "" : " ") + s;
    return diags_.add(rule, loc, out.empty() ? std::string(detail) : out + ": " + std::string(detail));
}

std::string quote_text(std::string_view text) {
    std::string out = "'";
    size_t n = 0;
    for (char c : text) {
        if (++n > 40) {
            out += "...";
            break;
        }
        out += (c == '\n' || c == '\r' || c == '\t' || c == '\0') ? ' ' : c;
    }
    return out + "'";
}

}  // namespace jailmgr::schema::format
