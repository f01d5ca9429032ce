#include "diagnostic.hpp"

#include <algorithm>
#include <unordered_map>

namespace jailmgr::schema {

size_t Diagnostics::count(Severity s) const {
    return static_cast<size_t>(std::count_if(items_.begin(), items_.end(),
                                             [s](const Diagnostic& d) { return d.severity() == s; }));
}

bool Diagnostics::has(Rule r) const {
    return std::any_of(items_.begin(), items_.end(), [r](const Diagnostic& d) { return d.rule == r; });
}

void Diagnostics::sort() {
    // Files keep the order in which they first appear (load order); findings
    // without a file (none today) come first.
    std::unordered_map<const SourceFile*, size_t> order;
    for (const auto& d : items_) order.emplace(d.loc.file, order.size());
    std::stable_sort(items_.begin(), items_.end(), [&](const Diagnostic& a, const Diagnostic& b) {
        size_t fa = a.loc.file ? order[a.loc.file] + 1 : 0, fb = b.loc.file ? order[b.loc.file] + 1 : 0;
        if (fa != fb) return fa < fb;
        if (a.loc.line != b.loc.line) return a.loc.line < b.loc.line;
        if (a.loc.column != b.loc.column) return a.loc.column < b.loc.column;
        return a.rule < b.rule;
    });
}

}  // namespace jailmgr::schema
