// decoder.hpp -- the state of decoding one YAML document into the model.
//
// Carries the diagnostics sink, the subject of messages ("jail 'web'
// service 'httpd'") and the key path below it ("healthcheck.interval"), and
// a work budget: aliases let a small file describe a huge tree, so every
// node visit is counted and decoding stops (JM003) when the budget is spent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "diagnostic.hpp"
#include "yaml_tree.hpp"

namespace jailmgr::schema::format {

class Decoder {
public:
    Decoder(Diagnostics& diags, size_t budget) : diags_(diags), budget_(budget) {}

    // Counts one node visit; false once the budget is spent (reported once).
    bool visit(const yaml::Node& n);

    // Adds a finding prefixed with the current subject and key path.
    Diagnostic& report(Rule rule, Location loc, std::string_view detail);
    Diagnostic& report(Rule rule, const yaml::Node& n, std::string_view detail) { return report(rule, n.loc, detail); }
    // Same, prefixed with the subject only (for findings about a whole entry
    // of a named map: "jail 'web': service 's' is defined twice").
    Diagnostic& report_entry(Rule rule, Location loc, std::string_view detail);
    Diagnostics& diags() { return diags_; }

    // "jail 'web' service 'httpd': healthcheck.interval"
    std::string where() const;

    // RAII scopes for the subject and the key path.
    class Subject {
    public:
        Subject(Decoder& d, std::string s) : d_(d), saved_keys_(std::move(d.keys_)) {
            d_.subjects_.push_back(std::move(s));
            d_.keys_.clear();
        }
        ~Subject() {
            d_.subjects_.pop_back();
            d_.keys_ = std::move(saved_keys_);
        }
        Subject(const Subject&) = delete;
        Subject& operator=(const Subject&) = delete;

    private:
        Decoder& d_;
        std::vector<std::string> saved_keys_;
    };
    class Key {
    public:
        Key(Decoder& d, std::string k) : d_(d) { d_.keys_.push_back(std::move(k)); }
        ~Key() { d_.keys_.pop_back(); }
        Key(const Key&) = delete;
        Key& operator=(const Key&) = delete;

    private:
        Decoder& d_;
    };

private:
    Diagnostics& diags_;
    size_t budget_;
    bool exhausted_ = false;
    std::vector<std::string> subjects_;
    std::vector<std::string> keys_;
};

// 'text' shortened to one line of at most 40 characters, for messages.
std::string quote_text(std::string_view text);

}  // namespace jailmgr::schema::format
