// Small text helpers for the line-oriented files the drivers read
// (/proc/self/mountinfo, /etc/passwd, ...).
#pragma once

#include <string_view>
#include <vector>

namespace jailmgr::sys {

// Splits `s` at every `sep`, keeping empty fields ("a::b" -> "a", "", "b").
// The views point into `s`.
inline std::vector<std::string_view> split_fields(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (;;) {
        size_t pos = s.find(sep, start);
        out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos) return out;
        start = pos + 1;
    }
}

}  // namespace jailmgr::sys
