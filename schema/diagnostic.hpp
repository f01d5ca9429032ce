// diagnostic.hpp -- one lint finding, and the list they are collected in.
//
// Loading and validation never stop at the first problem (mold-style): every
// step appends what it finds to a Diagnostics list and carries on with what
// it could make sense of; the caller decides at a checkpoint what to do.
#pragma once

#include <string>
#include <vector>

#include "rules.hpp"
#include "source.hpp"

namespace jailmgr::schema {

struct Related {
    Location loc;
    std::string message;  // e.g. "first defined here"
};

struct Diagnostic {
    Rule rule;
    Location loc;
    std::string message;  // one line: subject first, then what is wrong and how to fix it
    std::vector<Related> related;

    Severity severity() const { return rule_info(rule).severity; }
    std::string_view id() const { return rule_info(rule).id; }
};

class Diagnostics {
public:
    Diagnostic& add(Rule rule, Location loc, std::string message) {
        items_.push_back({rule, loc, std::move(message), {}});
        return items_.back();
    }
    void append(const Diagnostics& other) { items_.insert(items_.end(), other.items_.begin(), other.items_.end()); }

    const std::vector<Diagnostic>& items() const { return items_; }
    size_t size() const { return items_.size(); }
    bool empty() const { return items_.empty(); }
    size_t count(Severity s) const;
    bool has_errors() const { return count(Severity::error) > 0; }
    bool has(Rule r) const;
    // Orders findings by file (first-seen order of files), line, column, rule.
    void sort();

private:
    std::vector<Diagnostic> items_;
};

}  // namespace jailmgr::schema
