// types.hpp -- descriptors of the manifest's value types.
//
// A Type describes what a key accepts.  The same descriptor
//   - decodes and checks a YAML node into the typed model (decode), and
//   - describes itself as a JSON Schema fragment (schema).
// format_v1.cpp assembles these into the whole v1 format, so the loader,
// its "did you mean" candidates and the generated JSON Schema cannot drift
// apart.  ValueType<V> ties a descriptor to the C++ type it produces, so a
// field descriptor only compiles when the model member has that type.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "decoder.hpp"
#include "model.hpp"
#include "suggest.hpp"
#include "units.hpp"

namespace jailmgr::schema::format {

using nlohmann::json;

// Collects named definitions ($defs) while a schema is generated.
struct SchemaBuilder {
    json defs = json::object();
};

class Type {
public:
    virtual ~Type() = default;
    virtual json schema(SchemaBuilder& b) const = 0;
};

template <class V>
class ValueType : public Type {
public:
    // Decodes `n` into `out`; on false the problem has been reported.
    virtual bool decode(const yaml::Node& n, Decoder& d, V& out) const = 0;
};

// ---- helpers shared by the scalar types --------------------------------

// Reports JM101 "expected X, got Y" and returns false.
bool wrong_type(const yaml::Node& n, Decoder& d, std::string_view expected);
// True when `n` is a scalar that resolves to a string (quoted or plain).
bool is_string(const yaml::Node& n);

// ---- scalars ------------------------------------------------------------

enum class StringFormat { any, name, abs_path, root_path, user, hostname, base };

class StringType final : public ValueType<std::string> {
public:
    explicit StringType(StringFormat f = StringFormat::any, std::string description = {})
        : format_(f), description_(std::move(description)) {}
    bool decode(const yaml::Node& n, Decoder& d, std::string& out) const override;
    json schema(SchemaBuilder& b) const override;

private:
    StringFormat format_;
    std::string description_;
};

class IntType final : public ValueType<int64_t> {
public:
    IntType(int64_t min, int64_t max) : min_(min), max_(max) {}
    bool decode(const yaml::Node& n, Decoder& d, int64_t& out) const override;
    json schema(SchemaBuilder& b) const override;

private:
    int64_t min_, max_;
};

class NumberType final : public ValueType<double> {
public:
    // (min, max]: min is exclusive.
    NumberType(double exclusive_min, double max) : min_(exclusive_min), max_(max) {}
    bool decode(const yaml::Node& n, Decoder& d, double& out) const override;
    json schema(SchemaBuilder& b) const override;

private:
    double min_, max_;
};

class BoolType final : public ValueType<bool> {
public:
    bool decode(const yaml::Node& n, Decoder& d, bool& out) const override;
    json schema(SchemaBuilder& b) const override;
};

class EnumType final : public ValueType<std::string> {
public:
    explicit EnumType(std::vector<std::string_view> values) : values_(std::move(values)) {}
    bool decode(const yaml::Node& n, Decoder& d, std::string& out) const override;
    json schema(SchemaBuilder& b) const override;
    const std::vector<std::string_view>& values() const { return values_; }

private:
    std::vector<std::string_view> values_;
};

class SizeType final : public ValueType<uint64_t> {
public:
    explicit SizeType(uint64_t min = 0) : min_(min) {}
    bool decode(const yaml::Node& n, Decoder& d, uint64_t& out) const override;
    json schema(SchemaBuilder& b) const override;

private:
    uint64_t min_;
};

class DurationType final : public ValueType<Millis> {
public:
    explicit DurationType(Millis min = Millis(0)) : min_(min) {}
    bool decode(const yaml::Node& n, Decoder& d, Millis& out) const override;
    json schema(SchemaBuilder& b) const override;

private:
    Millis min_;
};

class PortType final : public ValueType<Port> {
public:
    bool decode(const yaml::Node& n, Decoder& d, Port& out) const override;
    json schema(SchemaBuilder& b) const override;
};

class SignalType final : public ValueType<std::string> {
public:
    bool decode(const yaml::Node& n, Decoder& d, std::string& out) const override;
    json schema(SchemaBuilder& b) const override;
};

class ModeType final : public ValueType<uint32_t> {
public:
    bool decode(const yaml::Node& n, Decoder& d, uint32_t& out) const override;
    json schema(SchemaBuilder& b) const override;
};

class UserType final : public ValueType<std::string> {
public:
    bool decode(const yaml::Node& n, Decoder& d, std::string& out) const override;
    json schema(SchemaBuilder& b) const override;
};

// ---- composite values with several spellings ------------------------------

class CommandType final : public ValueType<Command> {
public:
    bool decode(const yaml::Node& n, Decoder& d, Command& out) const override;
    json schema(SchemaBuilder& b) const override;
};

class EnvironmentType final : public ValueType<Environment> {
public:
    bool decode(const yaml::Node& n, Decoder& d, Environment& out) const override;
    json schema(SchemaBuilder& b) const override;
};

class DependsOnType final : public ValueType<std::vector<Dependency>> {
public:
    explicit DependsOnType(std::vector<std::string_view> conditions) : conditions_(std::move(conditions)) {}
    bool decode(const yaml::Node& n, Decoder& d, std::vector<Dependency>& out) const override;
    json schema(SchemaBuilder& b) const override;

private:
    EnumType conditions_;
};

class HealthTestType final : public ValueType<HealthTest> {
public:
    bool decode(const yaml::Node& n, Decoder& d, HealthTest& out) const override;
    json schema(SchemaBuilder& b) const override;
};

// ---- lists ----------------------------------------------------------------

template <class V>
class ListType final : public ValueType<std::vector<Located<V>>> {
public:
    ListType(const ValueType<V>& item, size_t max_items = 0) : item_(item), max_items_(max_items) {}
    bool decode(const yaml::Node& n, Decoder& d, std::vector<Located<V>>& out) const override {
        if (n.is_scalar() && yaml::scalar_type(n) == yaml::ScalarType::null) return true;
        if (!n.is_sequence()) return wrong_type(n, d, "a list");
        out.reserve(n.items.size());
        for (size_t i = 0; i < n.items.size(); ++i) {
            const yaml::Node& item = *n.items[i];
            if (!d.visit(item)) return false;
            Decoder::Key k(d, "[" + std::to_string(i) + "]");
            V v{};
            if (item_.decode(item, d, v)) out.push_back({std::move(v), item.loc});
        }
        return true;
    }
    json schema(SchemaBuilder& b) const override {
        json s = {{"type", "array"}, {"items", item_.schema(b)}};
        if (max_items_) s["maxItems"] = max_items_;
        return s;
    }

private:
    const ValueType<V>& item_;
    size_t max_items_;
};

// ---- objects ----------------------------------------------------------------

template <class O>
struct Field {
    std::string_view key;
    const Type* type;
    std::string_view description;
    bool required = false;
    json default_value;  // documentation only: resolve() applies defaults
    Rule missing_rule = Rule::missing_key;
    std::function<void(O&, const yaml::Node&, Decoder&)> store;
};

// A field that decodes with `type` into `member`, remembering the position.
template <class O, class V>
Field<O> field(std::string_view key, Located<V> O::*member, const ValueType<V>& type, std::string_view description,
               json default_value = nullptr, bool required = false) {
    return Field<O>{key, &type, description, required, std::move(default_value), Rule::missing_key,
                    [member, &type](O& o, const yaml::Node& n, Decoder& d) {
                        V v{};
                        if (type.decode(n, d, v)) o.*member = Located<V>{std::move(v), n.loc};
                    }};
}

// Reports duplicate keys of one mapping with both positions.  Small maps are
// scanned; large ones (a jails map of 10,000 entries) hashed.
class DuplicateFinder {
public:
    // Returns the first entry with the same key text, or nullptr.
    const yaml::Node* seen(const yaml::Node& key);

private:
    std::vector<const yaml::Node*> small_;
    std::unordered_map<std::string_view, const yaml::Node*> large_;
};

template <class O>
class ObjectType final : public ValueType<O> {
public:
    using Check = std::function<void(O&, const yaml::Node&, Decoder&)>;

    ObjectType(std::string_view def_name, std::string_view description, std::vector<Field<O>> fields,
               bool allow_extensions = false, Check check = {})
        : def_name_(def_name), description_(description), fields_(std::move(fields)),
          allow_extensions_(allow_extensions), check_(std::move(check)) {
        for (const auto& f : fields_) keys_.push_back(f.key);
    }

    bool decode(const yaml::Node& n, Decoder& d, O& out) const override {
        if constexpr (requires { out.loc = n.loc; }) out.loc = n.loc;
        if (n.is_scalar() && yaml::scalar_type(n) == yaml::ScalarType::null) return finish(out, n, d);
        if (!n.is_mapping()) return wrong_type(n, d, "a mapping");
        DuplicateFinder dups;
        std::vector<bool> seen(fields_.size(), false);
        for (const auto& e : n.entries) {
            if (!d.visit(*e.value)) return false;
            if (!is_string(*e.key)) {
                d.report(Rule::wrong_type, *e.key, "keys must be strings, got " + yaml::describe(*e.key));
                continue;
            }
            if (const yaml::Node* first = dups.seen(*e.key)) {
                d.report(Rule::duplicate_key, *e.key,
                         "key '" + e.key->text + "' is set twice; keep one (first set at line " +
                             std::to_string(first->loc.line) + ")")
                    .related.push_back({first->loc, "first set here"});
                continue;
            }
            const Field<O>* f = find(e.key->text);
            if (!f) {
                if (allow_extensions_ && e.key->text.rfind("x-", 0) == 0) continue;
                std::string hint = did_you_mean(e.key->text, keys_);
                if (hint.empty() && allow_extensions_) hint = " (keys starting with x- are free for your own use)";
                d.report(Rule::unknown_key, *e.key, "unknown key " + quote_text(e.key->text) + hint);
                continue;
            }
            seen[static_cast<size_t>(f - fields_.data())] = true;
            Decoder::Key k(d, std::string(f->key));
            f->store(out, *e.value, d);
        }
        for (size_t i = 0; i < fields_.size(); ++i) {
            if (!fields_[i].required || seen[i]) continue;
            if (fields_[i].missing_rule == Rule::bad_version)
                d.report(Rule::bad_version, n, "missing `version: 1`; add it at the top of the file");
            else
                d.report(fields_[i].missing_rule, n, "missing required key '" + std::string(fields_[i].key) + "'");
        }
        return finish(out, n, d);
    }

    json schema(SchemaBuilder& b) const override {
        if (def_name_.empty()) return body(b);
        std::string name(def_name_);
        if (!b.defs.contains(name)) {
            b.defs[name] = json::object();  // placeholder: breaks recursion
            b.defs[name] = body(b);
        }
        return {{"$ref", "#/$defs/" + name}};
    }

    const std::vector<std::string_view>& keys() const { return keys_; }

private:
    bool finish(O& out, const yaml::Node& n, Decoder& d) const {
        if (check_) check_(out, n, d);
        return true;
    }
    const Field<O>* find(std::string_view key) const {
        for (const auto& f : fields_)
            if (f.key == key) return &f;
        return nullptr;
    }
    json body(SchemaBuilder& b) const {
        json props = json::object();
        json required = json::array();
        for (const auto& f : fields_) {
            json p = f.type->schema(b);
            if (!f.description.empty()) {
                // A $ref with siblings is fine in draft 2020-12.
                p["description"] = f.description;
            }
            if (!f.default_value.is_null()) p["default"] = f.default_value;
            props[std::string(f.key)] = std::move(p);
            if (f.required) required.push_back(f.key);
        }
        json s = {{"type", "object"}, {"properties", props}, {"additionalProperties", false}};
        if (!description_.empty()) s["description"] = description_;
        if (!required.empty()) s["required"] = required;
        if (allow_extensions_) s["patternProperties"] = {{"^x-", json::object()}};
        return s;
    }

    std::string_view def_name_;
    std::string_view description_;
    std::vector<Field<O>> fields_;
    std::vector<std::string_view> keys_;
    bool allow_extensions_;
    Check check_;
};

// A mapping from names to objects (jails, services, profiles): the key is
// the object's name (checked with valid_name), duplicates are `dup_rule`.
template <class O>
class NamedMapType final : public ValueType<std::vector<O>> {
public:
    NamedMapType(const ObjectType<O>& object, std::string_view noun, Rule dup_rule)
        : object_(object), noun_(noun), dup_rule_(dup_rule) {}

    bool decode(const yaml::Node& n, Decoder& d, std::vector<O>& out) const override {
        if (n.is_scalar() && yaml::scalar_type(n) == yaml::ScalarType::null) return true;
        if (!n.is_mapping()) return wrong_type(n, d, "a mapping of " + std::string(noun_) + " names to definitions");
        out.reserve(n.entries.size());
        DuplicateFinder dups;
        for (const auto& e : n.entries) {
            if (!d.visit(*e.value)) return false;
            if (!e.key->is_scalar()) {
                d.report(Rule::wrong_type, *e.key, std::string(noun_) + " names must be strings, got " + yaml::describe(*e.key));
                continue;
            }
            const std::string& name = e.key->text;
            if (const yaml::Node* first = dups.seen(*e.key)) {
                d.report_entry(dup_rule_, e.key->loc,
                         std::string(noun_) + " " + quote_text(name) + " is defined twice; rename or remove one (first at line " +
                             std::to_string(first->loc.line) + ")")
                    .related.push_back({first->loc, "first defined here"});
                continue;
            }
            if (!valid_name(name)) {
                d.report_entry(Rule::invalid_name, e.key->loc,
                         std::string(noun_) + " name " + quote_text(name) +
                             " is not 1-63 characters of letters, digits, '.', '_' and '-' (and not '.' or '..')");
            }
            O o{};
            o.name = Located<std::string>{name, e.key->loc};
            Decoder::Subject s(d, std::string(noun_) + " " + quote_text(name));
            if (object_.decode(*e.value, d, o)) out.push_back(std::move(o));
        }
        return true;
    }

    json schema(SchemaBuilder& b) const override {
        return {{"type", "object"},
                {"propertyNames", {{"pattern", "^[A-Za-z0-9._-]{1,63}$"}, {"not", {{"enum", {".", ".."}}}}}},
                {"additionalProperties", object_.schema(b)}};
    }

private:
    const ObjectType<O>& object_;
    std::string_view noun_;
    Rule dup_rule_;
};

}  // namespace jailmgr::schema::format
