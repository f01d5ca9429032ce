#include "yaml_json.hpp"

#include <cstdlib>

namespace jailmgr::schema::yaml {

nlohmann::json to_json(const Node& n) {
    using nlohmann::json;
    switch (n.kind) {
    case Kind::sequence: {
        json a = json::array();
        for (const Node* i : n.items) a.push_back(to_json(*i));
        return a;
    }
    case Kind::mapping: {
        json o = json::object();
        for (const auto& e : n.entries) o[e.key->text] = to_json(*e.value);
        return o;
    }
    case Kind::scalar:
        break;
    }
    switch (scalar_type(n)) {
    case ScalarType::null:
        return nullptr;
    case ScalarType::boolean:
        return n.text[0] == 't' || n.text[0] == 'T';
    case ScalarType::integer: {
        const char* s = n.text.c_str();
        int base = 10;
        bool neg = *s == '-';
        if (*s == '-' || *s == '+') ++s;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
            base = s[1] == 'x' ? 16 : 8;
            s += 2;
        }
        long long v = std::strtoll(s, nullptr, base);
        return neg ? -v : v;
    }
    case ScalarType::floating:
        return std::strtod(n.text.c_str(), nullptr);
    case ScalarType::string:
        break;
    }
    return n.text;
}

}  // namespace jailmgr::schema::yaml
