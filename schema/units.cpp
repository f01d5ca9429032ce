#include "units.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <limits>

namespace jailmgr::schema {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Quotes user text in messages, shortened so a 10 MB value stays one line.
std::string quote(std::string_view s) {
    std::string out = "'";
    for (char c : s.substr(0, 40)) out += (c == '\n' || c == '\r' || c == '\0') ? ' ' : c;
    if (s.size() > 40) out += "...";
    return out + "'";
}

// Reads "123" or "1.25" at the front of `s`; advances `s`.
std::optional<double> take_number(std::string_view& s) {
    size_t i = 0, digits = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && is_digit(s[i])) ++i, ++digits;
    }
    if (digits == 0 || i > 30) return std::nullopt;
    double v = std::stod(std::string(s.substr(0, i)));
    s.remove_prefix(i);
    return v;
}

}  // namespace

Parsed<uint64_t> parse_size(std::string_view text) {
    std::string_view s = text;
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.empty()) return Parsed<uint64_t>::fail("empty size; write e.g. 512MiB or 1G");
    if (s.front() == '-') return Parsed<uint64_t>::fail("size " + quote(text) + " is negative");
    auto number = take_number(s);
    if (!number) return Parsed<uint64_t>::fail("size " + quote(text) + " does not start with a number; write e.g. 512MiB or 1G");
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    std::string unit = lower(s);
    double mult;
    if (unit.empty() || unit == "b") mult = 1;
    else if (unit == "k" || unit == "kib") mult = 1024.0;
    else if (unit == "m" || unit == "mib") mult = 1024.0 * 1024;
    else if (unit == "g" || unit == "gib") mult = 1024.0 * 1024 * 1024;
    else if (unit == "t" || unit == "tib") mult = 1024.0 * 1024 * 1024 * 1024;
    else if (unit == "kb" || unit == "mb" || unit == "gb" || unit == "tb")
        return Parsed<uint64_t>::fail("size " + quote(text) + ": '" + std::string(s) + "' is ambiguous; write " +
                                      static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0]))) +
                                      "iB (powers of 1024)");
    else
        return Parsed<uint64_t>::fail("size " + quote(text) + ": unknown unit " + quote(s) +
                                      "; use B, KiB, MiB, GiB, TiB, K, M, G or T");
    double bytes = std::floor(*number * mult);
    if (bytes >= 18446744073709551615.0) return Parsed<uint64_t>::fail("size " + quote(text) + " is too large");
    return Parsed<uint64_t>::ok(static_cast<uint64_t>(bytes));
}

Parsed<std::chrono::milliseconds> parse_duration(std::string_view text) {
    using R = Parsed<std::chrono::milliseconds>;
    std::string_view s = text;
    if (s.empty()) return R::fail("empty duration; write e.g. 500ms, 30s or 1m30s");
    if (s.front() == '-') return R::fail("duration " + quote(text) + " is negative");
    double total = 0;
    while (!s.empty()) {
        auto number = take_number(s);
        if (!number) return R::fail("duration " + quote(text) + " is not number+unit groups; write e.g. 500ms, 30s or 1m30s");
        size_t i = 0;
        while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
        std::string unit = lower(s.substr(0, i));
        s.remove_prefix(i);
        double ms;
        if (unit == "ms") ms = 1;
        else if (unit == "s") ms = 1000;
        else if (unit == "m") ms = 60'000;
        else if (unit == "h") ms = 3'600'000;
        else if (unit.empty())
            return R::fail("duration " + quote(text) + " has a number without a unit; write e.g. " +
                           quote(std::string(text) + "s") + " (units: ms, s, m, h)");
        else
            return R::fail("duration " + quote(text) + ": unknown unit '" + unit + "'; use ms, s, m or h");
        total += *number * ms;
        if (total > 1e15) return R::fail("duration " + quote(text) + " is too long");
    }
    return R::ok(std::chrono::milliseconds(static_cast<int64_t>(std::llround(total))));
}

std::string format_duration(std::chrono::milliseconds d) {
    int64_t ms = d.count();
    if (ms == 0) return "0s";
    std::string out;
    auto part = [&](int64_t unit, const char* name) {
        if (ms >= unit) {
            out += std::to_string(ms / unit) + name;
            ms %= unit;
        }
    };
    part(3'600'000, "h");
    part(60'000, "m");
    part(1000, "s");
    part(1, "ms");
    return out;
}

Parsed<PortSpec> parse_port(std::string_view text) {
    using R = Parsed<PortSpec>;
    std::string_view s = text, proto;
    if (auto slash = s.find('/'); slash != std::string_view::npos) {
        proto = s.substr(slash + 1);
        s = s.substr(0, slash);
        if (proto != "tcp" && proto != "udp")
            return R::fail("port " + quote(text) + ": unknown protocol " + quote(proto) + "; use tcp or udp");
    }
    if (s.empty() || s.size() > 6) return R::fail("port " + quote(text) + " is not a number from 1 to 65535");
    for (char c : s)
        if (!is_digit(c)) return R::fail("port " + quote(text) + " is not a number from 1 to 65535");
    unsigned long v = std::stoul(std::string(s));
    if (v == 0) return R::fail("port 0 cannot be reserved (it means \"any port\"); use 1-65535");
    if (v > 65535) return R::fail("port " + std::string(s) + " is out of range; use 1-65535");
    return R::ok({static_cast<uint16_t>(v), std::string(proto)});
}

namespace {
constexpr std::array<std::string_view, 10> signals{"HUP", "INT", "QUIT", "ABRT", "KILL", "USR1", "USR2", "ALRM", "TERM", "WINCH"};
}

std::span<const std::string_view> signal_names() { return signals; }

Parsed<std::string> parse_signal(std::string_view text) {
    std::string up(text);
    for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string_view name = up;
    if (name.substr(0, 3) == "SIG") name.remove_prefix(3);
    for (auto s : signals)
        if (s == name) return Parsed<std::string>::ok(std::string(s));
    return Parsed<std::string>::fail("unknown signal " + quote(text));
}

namespace {
bool valid_user_name(std::string_view s) {
    if (s.empty() || s.size() > 32 || s[0] == '-') return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
    return true;
}
bool valid_id(std::string_view s) {
    if (s.empty() || s.size() > 10) return false;
    for (char c : s)
        if (!is_digit(c)) return false;
    return std::stoull(std::string(s)) < 4294967295ull;
}
bool valid_user_part(std::string_view s) {
    bool numeric = !s.empty() && is_digit(s[0]);
    return numeric ? valid_id(s) : valid_user_name(s);
}
}  // namespace

Parsed<std::string> parse_user(std::string_view text) {
    auto colon = text.find(':');
    std::string_view user = text.substr(0, colon);
    std::string_view group = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
    bool ok = valid_user_part(user) && (colon == std::string_view::npos || valid_user_part(group));
    if (!ok)
        return Parsed<std::string>::fail("user " + quote(text) +
                                         " is not name, name:group, uid or uid:gid; write e.g. www or 65534:65534");
    return Parsed<std::string>::ok(std::string(text));
}

bool valid_env_key(std::string_view key) {
    return !key.empty() && key.find('=') == std::string_view::npos && key.find('\0') == std::string_view::npos;
}

Parsed<std::pair<std::string, std::string>> parse_env_entry(std::string_view text) {
    auto eq = text.find('=');
    if (eq == std::string_view::npos)
        return {std::nullopt, "environment entry " + quote(text) + " has no '='; write KEY=value"};
    std::string_view key = text.substr(0, eq);
    if (!valid_env_key(key)) return {std::nullopt, "environment entry " + quote(text) + " has an empty or invalid name"};
    return {std::pair{std::string(key), std::string(text.substr(eq + 1))}, {}};
}

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 63 || name == "." || name == "..") return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
    return true;
}

bool valid_hostname(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    size_t start = 0;
    while (start <= name.size()) {
        size_t dot = name.find('.', start);
        std::string_view label = name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (char c : label)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return true;
}

std::string hostname_from_name(std::string_view name) {
    std::string out;
    for (char c : name) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.') ? c : '-';
    while (!out.empty() && (out.front() == '-' || out.front() == '.')) out.erase(out.begin());
    while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
    if (!valid_hostname(out)) out = "jail";
    return out;
}

Parsed<std::string> parse_abs_path(std::string_view text, size_t max_bytes) {
    if (text.empty() || text.front() != '/')
        return Parsed<std::string>::fail("path " + quote(text) + " is not absolute; start it with /");
    if (text.find('\0') != std::string_view::npos)
        return Parsed<std::string>::fail("path " + quote(text) + " contains a NUL byte");
    if (text.size() > max_bytes)
        return Parsed<std::string>::fail("path " + quote(text) + " is " + std::to_string(text.size()) +
                                         " bytes long; the limit is " + std::to_string(max_bytes));
    return Parsed<std::string>::ok(std::string(text));
}

bool has_dotdot(std::string_view path) {
    size_t start = 0;
    while (start <= path.size()) {
        size_t slash = path.find('/', start);
        std::string_view part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (part == "..") return true;
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return false;
}

std::string normalize_path(std::string_view path) {
    std::string out;
    size_t start = 0;
    while (start <= path.size()) {
        size_t slash = path.find('/', start);
        std::string_view part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (!part.empty() && part != ".") {
            out += '/';
            out += part;
        }
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return out.empty() ? "/" : out;
}

Parsed<uint32_t> parse_mode(std::string_view text) {
    std::string_view s = text;
    if (s.substr(0, 2) == "0o") s.remove_prefix(2);
    if (s.empty() || s.size() > 5) return Parsed<uint32_t>::fail("mode " + quote(text) + " is not an octal mode such as \"0644\"");
    uint32_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '7') return Parsed<uint32_t>::fail("mode " + quote(text) + " is not an octal mode such as \"0644\"");
        v = v * 8 + static_cast<uint32_t>(c - '0');
    }
    if (v > 07777) return Parsed<uint32_t>::fail("mode " + quote(text) + " is larger than 07777");
    return Parsed<uint32_t>::ok(v);
}

std::vector<std::string> shell_command(std::string_view script) { return {"/bin/sh", "-c", std::string(script)}; }

}  // namespace jailmgr::schema
