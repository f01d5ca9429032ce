// yaml_tree.hpp -- a YAML document as a small tree of nodes with positions.
//
// Built from libyaml's event stream (libyaml's parser keeps its own explicit
// stack, so deep nesting cannot overflow ours or its C stack).  On top of
// plain YAML the builder:
//   - resolves aliases: an alias is the anchored node itself (shared, never
//     copied, so "billion laughs" costs no memory);
//   - applies merge keys (`<<: *a`, `<<: [*a, *b]`): explicitly written keys
//     win, then earlier merged mappings win over later ones;
//   - keeps duplicate keys (the decoder reports them with both positions);
//   - enforces limits: nesting depth, node count and merge copies, so no
//     input can make loading slow or deep.
// Anything wrong is reported as a Diagnostic; the tree holds what was read
// up to the first syntax error (libyaml cannot resume after one).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "diagnostic.hpp"
#include "source.hpp"

namespace jailmgr::schema::yaml {

enum class Kind : uint8_t { scalar, sequence, mapping };

struct Node;

struct Entry {
    const Node* key;
    const Node* value;
};

struct Node {
    Kind kind = Kind::scalar;
    bool plain = false;        // an untagged plain scalar: subject to type resolution
    bool str_tag = false;      // explicitly tagged !!str
    Location loc;
    std::string text;          // scalars only
    std::vector<const Node*> items;   // sequences
    std::vector<Entry> entries;       // mappings, in document order, merged entries last

    bool is_scalar() const { return kind == Kind::scalar; }
    bool is_sequence() const { return kind == Kind::sequence; }
    bool is_mapping() const { return kind == Kind::mapping; }
};

// YAML 1.2 core schema resolution of a scalar.  Quoted scalars are always
// strings; plain ones may be null (`~`, `null`, empty), bool (true/false),
// int (decimal, 0x, 0o) or float.
enum class ScalarType : uint8_t { null, boolean, integer, floating, string };
ScalarType scalar_type(const Node& n);
// "string", "integer", "list", "mapping", ...: how messages name a node's type.
std::string describe(const Node& n);

struct Limits {
    uint32_t max_depth = 64;
    size_t max_nodes = 4'000'000;        // nodes + merged entries per document
};

struct Document {
    SourcePtr source;
    const Node* root = nullptr;          // nullptr for an empty file
    std::deque<Node> arena;              // owns every node (stable addresses)
    size_t node_count = 0;               // nodes read, a measure for decode budgets
    bool failed = false;                 // a syntax error or limit stopped reading (root is nullptr)
};

// Parses `source` into a Document, appending problems to `diags`.
std::unique_ptr<Document> parse(SourcePtr source, Diagnostics& diags, const Limits& limits = {});

}  // namespace jailmgr::schema::yaml
