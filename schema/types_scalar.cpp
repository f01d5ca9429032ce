// types_scalar.cpp -- the scalar value types: strings with formats, numbers,
// booleans, enums, sizes, durations, ports, signals, modes, users.
#include "types.hpp"

#include <charconv>
#include <cmath>

namespace jailmgr::schema::format {

using yaml::ScalarType;

bool wrong_type(const yaml::Node& n, Decoder& d, std::string_view expected) {
    std::string got = yaml::describe(n);
    std::string msg = "expected " + std::string(expected) + ", got " + got;
    if (n.is_scalar() && yaml::scalar_type(n) != ScalarType::null) msg += " " + quote_text(n.text);
    if (n.is_scalar() && (n.text == "yes" || n.text == "no" || n.text == "on" || n.text == "off") &&
        expected.find("boolean") != std::string_view::npos)
        msg += "; YAML 1.2 booleans are true and false";
    else if (n.is_scalar() && expected.find("string") != std::string_view::npos && n.plain)
        msg += "; quote the value to make it a string";
    d.report(Rule::wrong_type, n, msg);
    return false;
}

bool is_string(const yaml::Node& n) { return n.is_scalar() && yaml::scalar_type(n) == ScalarType::string; }

namespace {

// The integer value of a plain integer scalar, if it fits.
std::optional<int64_t> integer_of(const yaml::Node& n) {
    std::string_view s = n.text;
    int base = 10;
    bool neg = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        base = s[1] == 'x' ? 16 : 8;
        s.remove_prefix(2);
    }
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    if (!neg && v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    if (neg && v > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
}

}  // namespace

// ---- StringType --------------------------------------------------------------

bool StringType::decode(const yaml::Node& n, Decoder& d, std::string& out) const {
    if (!is_string(n)) return wrong_type(n, d, "a string");
    switch (format_) {
    case StringFormat::any:
        break;
    case StringFormat::name:
        if (!valid_name(n.text)) {
            d.report(Rule::invalid_name, n,
                     "name " + quote_text(n.text) + " is not 1-63 characters of letters, digits, '.', '_' and '-'");
            return false;
        }
        break;
    case StringFormat::abs_path:
    case StringFormat::root_path: {
        auto p = parse_abs_path(n.text, format_ == StringFormat::root_path ? 255 : 4095);
        if (!p) {
            d.report(Rule::invalid_path, n, p.error);
            return false;
        }
        break;
    }
    case StringFormat::base:
        if (n.text != "host") {
            auto p = parse_abs_path(n.text, 255);
            if (!p) {
                d.report(Rule::invalid_path, n, "base must be 'host' or an absolute rootfs path: " + p.error);
                return false;
            }
        }
        break;
    case StringFormat::user: {
        auto u = parse_user(n.text);
        if (!u) {
            d.report(Rule::invalid_user, n, u.error);
            return false;
        }
        break;
    }
    case StringFormat::hostname:
        if (!valid_hostname(n.text)) {
            d.report(Rule::invalid_hostname, n,
                     "hostname " + quote_text(n.text) +
                         " is not a host name: use letters, digits and '-' in dot-separated labels, at most 64 bytes");
            return false;
        }
        break;
    }
    out = n.text;
    return true;
}

json StringType::schema(SchemaBuilder&) const {
    json s = {{"type", "string"}};
    switch (format_) {
    case StringFormat::any:
        break;
    case StringFormat::name:
        s["pattern"] = "^[A-Za-z0-9._-]{1,63}$";
        break;
    case StringFormat::abs_path:
        s["pattern"] = "^/";
        s["maxLength"] = 4095;
        break;
    case StringFormat::root_path:
        s["pattern"] = "^/";
        s["maxLength"] = 255;
        break;
    case StringFormat::base:
        s["anyOf"] = json::array({{{"const", "host"}}, {{"pattern", "^/"}, {"maxLength", 255}}});
        break;
    case StringFormat::user:
        s["pattern"] = "^([A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}|[0-9]{1,10})(:([A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}|[0-9]{1,10}))?$";
        break;
    case StringFormat::hostname:
        s["pattern"] = "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$";
        s["maxLength"] = 64;
        break;
    }
    if (!description_.empty()) s["description"] = description_;
    return s;
}

// ---- numbers -----------------------------------------------------------------

bool IntType::decode(const yaml::Node& n, Decoder& d, int64_t& out) const {
    if (!n.is_scalar() || yaml::scalar_type(n) != ScalarType::integer) return wrong_type(n, d, "an integer");
    auto v = integer_of(n);
    if (!v || *v < min_ || *v > max_) {
        d.report(Rule::out_of_range, n,
                 quote_text(n.text) + " is out of range; use " + std::to_string(min_) + " to " + std::to_string(max_));
        return false;
    }
    out = *v;
    return true;
}

json IntType::schema(SchemaBuilder&) const { return {{"type", "integer"}, {"minimum", min_}, {"maximum", max_}}; }

bool NumberType::decode(const yaml::Node& n, Decoder& d, double& out) const {
    auto t = n.is_scalar() ? yaml::scalar_type(n) : ScalarType::string;
    if (!n.is_scalar() || (t != ScalarType::integer && t != ScalarType::floating)) return wrong_type(n, d, "a number");
    double v = std::strtod(n.text.c_str(), nullptr);
    if (n.text.size() > 2 && n.text[1] == 'x') v = static_cast<double>(integer_of(n).value_or(0));
    if (!(v > min_) || !(v <= max_)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "more than %g and at most %g", min_, max_);
        d.report(Rule::out_of_range, n, quote_text(n.text) + " is out of range; use a number " + buf);
        return false;
    }
    out = v;
    return true;
}

json NumberType::schema(SchemaBuilder&) const {
    return {{"type", "number"}, {"exclusiveMinimum", min_}, {"maximum", max_}};
}

bool BoolType::decode(const yaml::Node& n, Decoder& d, bool& out) const {
    if (!n.is_scalar() || yaml::scalar_type(n) != ScalarType::boolean) return wrong_type(n, d, "a boolean (true or false)");
    out = n.text[0] == 't' || n.text[0] == 'T';
    return true;
}

json BoolType::schema(SchemaBuilder&) const { return {{"type", "boolean"}}; }

// ---- EnumType ------------------------------------------------------------------

bool EnumType::decode(const yaml::Node& n, Decoder& d, std::string& out) const {
    if (!is_string(n)) {
        if (!n.is_scalar()) return wrong_type(n, d, "one of " + [&] {
            std::string s;
            for (auto v : values_) s += (s.empty() ? "" : ", ") + std::string(v);
            return s;
        }());
    }
    for (auto v : values_) {
        if (v == n.text) {
            out = n.text;
            return true;
        }
    }
    std::string list;
    for (auto v : values_) list += (list.empty() ? "" : ", ") + std::string(v);
    std::string hint = did_you_mean(n.text, values_);
    d.report(Rule::invalid_enum, n, quote_text(n.text) + " is not one of " + list + hint);
    return false;
}

json EnumType::schema(SchemaBuilder&) const {
    json vals = json::array();
    for (auto v : values_) vals.push_back(v);
    return {{"type", "string"}, {"enum", vals}};
}

// ---- units ---------------------------------------------------------------------

bool SizeType::decode(const yaml::Node& n, Decoder& d, uint64_t& out) const {
    auto t = n.is_scalar() ? yaml::scalar_type(n) : ScalarType::null;
    if (!n.is_scalar() || (t != ScalarType::string && t != ScalarType::integer && t != ScalarType::floating))
        return wrong_type(n, d, "a size such as 512MiB");
    auto v = parse_size(n.text);
    if (!v) {
        d.report(Rule::invalid_size, n, v.error);
        return false;
    }
    if (*v.value < min_) {
        d.report(Rule::out_of_range, n,
                 "size " + quote_text(n.text) + " is too small; the minimum is " + std::to_string(min_ / 1024) + "KiB");
        return false;
    }
    out = *v.value;
    return true;
}

json SizeType::schema(SchemaBuilder&) const {
    return {{"anyOf",
             json::array({{{"type", "integer"}, {"minimum", min_}},
                          {{"type", "string"},
                           {"pattern", "^[0-9]+(\\.[0-9]*)?\\s*([bBkKmMgGtT]|[kKmMgGtT][iI][bB])?$"}}})},
            {"description", "bytes, or a number with a unit: B, KiB, MiB, GiB, TiB, K, M, G, T (powers of 1024)"}};
}

bool DurationType::decode(const yaml::Node& n, Decoder& d, Millis& out) const {
    if (!n.is_scalar() || yaml::scalar_type(n) == ScalarType::null || yaml::scalar_type(n) == ScalarType::boolean)
        return wrong_type(n, d, "a duration such as 30s");
    auto v = parse_duration(n.text);
    if (!v) {
        d.report(Rule::invalid_duration, n, v.error);
        return false;
    }
    if (*v.value < min_) {
        d.report(Rule::out_of_range, n,
                 "duration " + quote_text(n.text) + " is too short; the minimum is " + format_duration(min_));
        return false;
    }
    out = *v.value;
    return true;
}

json DurationType::schema(SchemaBuilder&) const {
    return {{"type", "string"},
            {"pattern", "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$"},
            {"description", "number+unit groups, units ms, s, m, h (e.g. 1m30s)"}};
}

bool PortType::decode(const yaml::Node& n, Decoder& d, Port& out) const {
    auto t = n.is_scalar() ? yaml::scalar_type(n) : ScalarType::null;
    if (!n.is_scalar() || (t != ScalarType::string && t != ScalarType::integer))
        return wrong_type(n, d, "a port such as 8080 or \"8080/tcp\"");
    auto v = parse_port(n.text);
    if (!v) {
        d.report(Rule::invalid_port, n, v.error);
        return false;
    }
    out = {v.value->port, v.value->protocol};
    return true;
}

json PortType::schema(SchemaBuilder&) const {
    return {{"anyOf", json::array({{{"type", "integer"}, {"minimum", 1}, {"maximum", 65535}},
                                   {{"type", "string"}, {"pattern", "^[0-9]{1,5}(/(tcp|udp))?$"}}})}};
}

bool SignalType::decode(const yaml::Node& n, Decoder& d, std::string& out) const {
    if (!is_string(n)) return wrong_type(n, d, "a signal name such as TERM");
    auto v = parse_signal(n.text);
    if (!v) {
        std::vector<std::string_view> names(signal_names().begin(), signal_names().end());
        std::string_view bare = n.text;
        if (bare.size() > 3 && (bare.substr(0, 3) == "SIG" || bare.substr(0, 3) == "sig")) bare.remove_prefix(3);
        std::string list;
        for (auto s : names) list += (list.empty() ? "" : ", ") + std::string(s);
        d.report(Rule::invalid_enum, n, v.error + "; use one of " + list + did_you_mean(bare, names));
        return false;
    }
    out = *v.value;
    return true;
}

json SignalType::schema(SchemaBuilder&) const {
    std::string alt;
    for (auto s : signal_names()) alt += (alt.empty() ? "" : "|") + std::string(s);
    return {{"type", "string"}, {"pattern", "^(?i:(SIG)?(" + alt + "))$"}};
}

bool ModeType::decode(const yaml::Node& n, Decoder& d, uint32_t& out) const {
    auto t = n.is_scalar() ? yaml::scalar_type(n) : ScalarType::null;
    if (!n.is_scalar() || (t != ScalarType::string && t != ScalarType::integer))
        return wrong_type(n, d, "an octal mode such as \"0644\"");
    auto v = parse_mode(n.text);
    if (!v) {
        d.report(Rule::out_of_range, n, v.error);
        return false;
    }
    out = *v.value;
    return true;
}

json ModeType::schema(SchemaBuilder&) const {
    return {{"anyOf", json::array({{{"type", "string"}, {"pattern", "^(0o)?[0-7]{1,5}$"}},
                                   {{"type", "integer"}, {"minimum", 0}, {"maximum", 7777}}})},
            {"description", "octal file mode, e.g. \"0644\""}};
}

bool UserType::decode(const yaml::Node& n, Decoder& d, std::string& out) const {
    auto t = n.is_scalar() ? yaml::scalar_type(n) : ScalarType::null;
    if (!n.is_scalar() || (t != ScalarType::string && t != ScalarType::integer))
        return wrong_type(n, d, "a user such as www or 65534:65534");
    auto v = parse_user(n.text);
    if (!v) {
        d.report(Rule::invalid_user, n, v.error);
        return false;
    }
    out = *v.value;
    return true;
}

json UserType::schema(SchemaBuilder& b) const {
    return {{"anyOf", json::array({{{"type", "integer"}, {"minimum", 0}, {"maximum", 4294967294ll}},
                                   StringType(StringFormat::user).schema(b)})},
            {"description", "name, name:group, uid or uid:gid"}};
}

}  // namespace jailmgr::schema::format
