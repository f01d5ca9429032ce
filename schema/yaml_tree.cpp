#include "yaml_tree.hpp"

#include <yaml.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace jailmgr::schema::yaml {

namespace {

constexpr std::string_view core_tag_prefix = "tag:yaml.org,2002:";

// Owns a libyaml parser or event for exactly its scope.
struct Parser {
    yaml_parser_t p{};
    Parser() { yaml_parser_initialize(&p); }
    ~Parser() { yaml_parser_delete(&p); }
    Parser(const Parser&) = delete;
    Parser& operator=(const Parser&) = delete;
};
struct Event {
    yaml_event_t e{};
    ~Event() { yaml_event_delete(&e); }
};

std::string anchor_name(const yaml_char_t* a) { return a ? reinterpret_cast<const char*>(a) : std::string(); }

class Builder {
public:
    Builder(Document& doc, Diagnostics& diags, const Limits& limits)
        : doc_(doc), diags_(diags), limits_(limits) {}

    void run();

private:
    struct Frame {
        Node* node;
        std::string anchor;
        const Node* pending_key = nullptr;
    };

    Location at(const yaml_mark_t& m) const {
        return {doc_.source.get(), static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1)};
    }
    Node* make(Kind kind, const yaml_mark_t& m);
    bool count(size_t n = 1);
    void attach(const Node* n);
    void finish_mapping(Node& m);
    void syntax_error(const yaml_parser_t& p);
    void fail() {
        failed_ = true;
        doc_.failed = true;
    }

    Document& doc_;
    Diagnostics& diags_;
    const Limits& limits_;
    std::vector<Frame> stack_;
    std::unordered_map<std::string, const Node*> anchors_;
    bool failed_ = false;
    bool in_document_ = false;
    int documents_ = 0;
};

Node* Builder::make(Kind kind, const yaml_mark_t& m) {
    Node& n = doc_.arena.emplace_back();
    n.kind = kind;
    n.loc = at(m);
    return &n;
}

bool Builder::count(size_t n) {
    doc_.node_count += n;
    if (doc_.node_count <= limits_.max_nodes) return true;
    const Node* where = stack_.empty() ? nullptr : stack_.back().node;
    diags_.add(Rule::yaml_limit, where ? where->loc : Location{doc_.source.get(), 1, 1},
               "document expands to more than " + std::to_string(limits_.max_nodes) +
                   " nodes (through aliases and merge keys); use fewer nested aliases");
    fail();
    return false;
}

// Hands a completed node to its parent (or makes it the document root).
void Builder::attach(const Node* n) {
    if (stack_.empty()) {
        doc_.root = n;
        return;
    }
    Frame& f = stack_.back();
    if (f.node->kind == Kind::sequence) {
        f.node->items.push_back(n);
    } else if (!f.pending_key) {
        f.pending_key = n;
    } else {
        f.node->entries.push_back({f.pending_key, n});
        f.pending_key = nullptr;
    }
}

bool is_merge_key(const Node* k) { return k->is_scalar() && k->plain && k->text == "<<"; }

void Builder::finish_mapping(Node& m) {
    bool any_merge = false;
    for (const auto& e : m.entries) any_merge = any_merge || is_merge_key(e.key);
    if (!any_merge) return;

    std::vector<Entry> explicit_entries;
    std::vector<const Node*> sources;
    for (const auto& e : m.entries) {
        if (!is_merge_key(e.key)) {
            explicit_entries.push_back(e);
            continue;
        }
        if (e.value->is_mapping()) {
            sources.push_back(e.value);
        } else if (e.value->is_sequence()) {
            for (const Node* item : e.value->items) {
                if (item->is_mapping()) {
                    sources.push_back(item);
                } else {
                    diags_.add(Rule::bad_anchor_or_merge, item->loc,
                               "merge key `<<` lists a " + describe(*item) + "; merge only mappings (`<<: [*a, *b]`)");
                }
            }
        } else {
            diags_.add(Rule::bad_anchor_or_merge, e.value->loc,
                       "merge key `<<` is given a " + describe(*e.value) + "; merge a mapping (`<<: *name`)");
        }
    }
    std::unordered_set<std::string_view> seen;
    for (const auto& e : explicit_entries)
        if (e.key->is_scalar()) seen.insert(e.key->text);
    m.entries = std::move(explicit_entries);
    for (const Node* src : sources) {
        if (!count(src->entries.size())) return;
        for (const auto& e : src->entries) {
            if (!e.key->is_scalar() || seen.insert(e.key->text).second) m.entries.push_back(e);
        }
    }
}

void Builder::syntax_error(const yaml_parser_t& p) {
    std::string problem = p.problem ? p.problem : "unknown problem";
    yaml_mark_t mark = p.problem_mark;
    if (p.error == YAML_READER_ERROR) {
        // Reader errors (bad encoding) carry a byte offset instead of a mark.
        const std::string& t = doc_.source->text();
        size_t off = std::min(p.problem_offset, t.size());
        mark = {};
        mark.index = off;
        size_t line_start = 0;
        for (size_t i = 0; i < off; ++i)
            if (t[i] == '\n') ++mark.line, line_start = i + 1;
        for (size_t i = line_start; i < off; ++i)
            if ((static_cast<unsigned char>(t[i]) & 0xC0) != 0x80) ++mark.column;
    }
    std::string msg = "YAML syntax error: " + problem;
    if (p.context) msg += std::string(" ") + p.context;
    const std::string& text = doc_.source->text();
    size_t idx = mark.index;
    if (problem.find("UTF-8") != std::string::npos || problem.find("control characters") != std::string::npos ||
        problem.find("UTF-16") != std::string::npos) {
        msg += "; the file must be UTF-8 text";
    } else if (idx < text.size() && text[idx] == '\t') {
        msg += "; YAML does not allow tabs for indentation, use spaces";
    } else if (problem.find("mapping values are not allowed") != std::string::npos) {
        msg += "; check the indentation, or quote a value that contains `: `";
    }
    diags_.add(Rule::yaml_syntax, at(mark), std::move(msg));
    fail();
}

void Builder::run() {
    Parser parser;
    const std::string& text = doc_.source->text();
    yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(text.data()), text.size());

    while (!failed_) {
        Event ev;
        if (!yaml_parser_parse(&parser.p, &ev.e)) {
            syntax_error(parser.p);
            break;
        }
        const yaml_event_t& e = ev.e;
        switch (e.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_NO_EVENT:
            break;
        case YAML_STREAM_END_EVENT:
            return;
        case YAML_DOCUMENT_START_EVENT:
            if (++documents_ > 1) {
                diags_.add(Rule::multiple_documents, at(e.start_mark),
                           "a second YAML document starts here; only the first document of a file is read, "
                           "put each manifest in its own file");
                return;
            }
            in_document_ = true;
            break;
        case YAML_DOCUMENT_END_EVENT:
            in_document_ = false;
            break;
        case YAML_ALIAS_EVENT: {
            std::string name = anchor_name(e.data.alias.anchor);
            auto it = anchors_.find(name);
            if (it == anchors_.end()) {
                bool open = false;
                for (const auto& f : stack_) open = open || f.anchor == name;
                diags_.add(Rule::bad_anchor_or_merge, at(e.start_mark),
                           open ? "alias *" + name + " refers to a node that contains it; a node cannot include itself"
                                : "alias *" + name + " names no anchor; define `&" + name + "` before using it");
                // Stand in an empty (null) value so the structure stays intact.
                Node* n = make(Kind::scalar, e.start_mark);
                n->plain = true;
                attach(n);
            } else {
                attach(it->second);
            }
            break;
        }
        case YAML_SCALAR_EVENT: {
            if (!count()) break;
            Node* n = make(Kind::scalar, e.start_mark);
            n->text.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
            std::string_view tag = e.data.scalar.tag ? reinterpret_cast<const char*>(e.data.scalar.tag) : "";
            bool core_tag = tag.substr(0, core_tag_prefix.size()) == core_tag_prefix;
            n->str_tag = tag == "tag:yaml.org,2002:str";
            n->plain = !n->str_tag && (e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE || (core_tag && !n->str_tag)) &&
                       (tag.empty() || core_tag);
            if (e.data.scalar.anchor) anchors_[anchor_name(e.data.scalar.anchor)] = n;
            attach(n);
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            if (!count()) break;
            if (stack_.size() >= limits_.max_depth) {
                diags_.add(Rule::yaml_limit, at(e.start_mark),
                           "nesting deeper than " + std::to_string(limits_.max_depth) +
                               " levels; manifests need far fewer, flatten the document");
                fail();
                break;
            }
            bool seq = e.type == YAML_SEQUENCE_START_EVENT;
            Node* n = make(seq ? Kind::sequence : Kind::mapping, e.start_mark);
            const yaml_char_t* a = seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor;
            stack_.push_back({n, anchor_name(a)});
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            Frame f = std::move(stack_.back());
            stack_.pop_back();
            if (f.node->is_mapping()) finish_mapping(*f.node);
            if (!f.anchor.empty()) anchors_[f.anchor] = f.node;
            attach(f.node);
            break;
        }
        }
    }
    // A syntax error or limit leaves a partial tree whose findings would only
    // mislead; the file is judged by the error alone.
    doc_.root = nullptr;
}

bool all_digits(std::string_view s, int base) {
    if (s.empty()) return false;
    for (char c : s) {
        bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                             : (c >= '0' && c < static_cast<char>('0' + base));
        if (!ok) return false;
    }
    return true;
}

bool is_float(std::string_view s) {
    if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "-.inf" || s == ".nan" || s == ".NaN" ||
        s == ".NAN" || s == "+.Inf" || s == "-.Inf" || s == "+.INF" || s == "-.INF")
        return true;
    size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t digits = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
    }
    if (digits == 0) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (!all_digits(s.substr(i), 10)) return false;
        i = s.size();
    }
    return i == s.size();
}

}  // namespace

ScalarType scalar_type(const Node& n) {
    if (!n.is_scalar() || !n.plain) return ScalarType::string;
    std::string_view s = n.text;
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return ScalarType::null;
    if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE")
        return ScalarType::boolean;
    std::string_view d = s;
    if (!d.empty() && (d[0] == '+' || d[0] == '-')) d.remove_prefix(1);
    if (all_digits(d, 10)) return ScalarType::integer;
    if (s.size() > 2 && s[0] == '0' && s[1] == 'x' && all_digits(s.substr(2), 16)) return ScalarType::integer;
    if (s.size() > 2 && s[0] == '0' && s[1] == 'o' && all_digits(s.substr(2), 8)) return ScalarType::integer;
    if (is_float(s)) return ScalarType::floating;
    return ScalarType::string;
}

std::string describe(const Node& n) {
    switch (n.kind) {
    case Kind::sequence:
        return "list";
    case Kind::mapping:
        return "mapping";
    case Kind::scalar:
        break;
    }
    switch (scalar_type(n)) {
    case ScalarType::null:
        return "null (empty value)";
    case ScalarType::boolean:
        return "boolean";
    case ScalarType::integer:
        return "integer";
    case ScalarType::floating:
        return "number";
    case ScalarType::string:
        break;
    }
    return "string";
}

std::unique_ptr<Document> parse(SourcePtr source, Diagnostics& diags, const Limits& limits) {
    auto doc = std::make_unique<Document>();
    doc->source = std::move(source);
    Builder(*doc, diags, limits).run();
    return doc;
}

}  // namespace jailmgr::schema::yaml
