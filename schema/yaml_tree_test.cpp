#include "yaml_tree.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace jailmgr::schema;
using namespace jailmgr::schema::yaml;

namespace {
struct Parsed {
    Diagnostics diags;
    std::unique_ptr<Document> doc;
};
Parsed parse_text(std::string text, Limits limits = {}) {
    Parsed p;
    p.doc = parse(std::make_shared<const SourceFile>("t.yaml", std::move(text)), p.diags, limits);
    return p;
}
const Node* get(const Node& m, std::string_view key) {
    for (const auto& e : m.entries)
        if (e.key->text == key) return e.value;
    return nullptr;
}
}  // namespace

TEST_CASE("nodes keep 1-based line and column") {
    auto p = parse_text("a:\n  b: [1, \"two\"]\n");
    REQUIRE(p.doc->root);
    const Node* b = get(*get(*p.doc->root, "a"), "b");
    REQUIRE(b);
    CHECK(b->loc.line == 2);
    CHECK(b->loc.column == 6);
    CHECK(b->items[1]->loc.column == 10);
    CHECK(scalar_type(*b->items[0]) == ScalarType::integer);
    CHECK(scalar_type(*b->items[1]) == ScalarType::string);
}

TEST_CASE("plain scalars resolve by the YAML 1.2 core schema; quoted ones stay strings") {
    auto p = parse_text("[~, null, true, False, 12, -3, 0x1F, 0o17, 1.5, .inf, yes, no, '12', \"true\", 08]");
    REQUIRE(p.doc->root);
    const auto& it = p.doc->root->items;
    CHECK(scalar_type(*it[0]) == ScalarType::null);
    CHECK(scalar_type(*it[1]) == ScalarType::null);
    CHECK(scalar_type(*it[2]) == ScalarType::boolean);
    CHECK(scalar_type(*it[3]) == ScalarType::boolean);
    CHECK(scalar_type(*it[4]) == ScalarType::integer);
    CHECK(scalar_type(*it[5]) == ScalarType::integer);
    CHECK(scalar_type(*it[6]) == ScalarType::integer);
    CHECK(scalar_type(*it[7]) == ScalarType::integer);
    CHECK(scalar_type(*it[8]) == ScalarType::floating);
    CHECK(scalar_type(*it[9]) == ScalarType::floating);
    CHECK(scalar_type(*it[10]) == ScalarType::string);  // YAML 1.1 booleans are strings here
    CHECK(scalar_type(*it[11]) == ScalarType::string);
    CHECK(scalar_type(*it[12]) == ScalarType::string);
    CHECK(scalar_type(*it[13]) == ScalarType::string);
    CHECK(scalar_type(*it[14]) == ScalarType::integer);
}

TEST_CASE("merge keys: explicit keys win, then earlier merged mappings") {
    auto p = parse_text("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n");
    REQUIRE(p.diags.empty());
    const Node* c = get(*p.doc->root, "c");
    REQUIRE(c);
    CHECK(get(*c, "x")->text == "3");
    CHECK(get(*c, "y")->text == "1");
    CHECK(get(*c, "z")->text == "2");
    CHECK(get(*c, "<<") == nullptr);
}

TEST_CASE("merging a scalar is reported") {
    auto p = parse_text("a: &a 5\nb:\n  <<: *a\n");
    REQUIRE(p.diags.size() == 1);
    CHECK(p.diags.items()[0].rule == Rule::bad_anchor_or_merge);
    CHECK(p.diags.items()[0].message == "merge key `<<` is given a integer; merge a mapping (`<<: *name`)");
}

TEST_CASE("an undefined alias is reported at its position") {
    auto p = parse_text("a: *nope\n");
    REQUIRE(p.diags.size() == 1);
    CHECK(p.diags.items()[0].rule == Rule::bad_anchor_or_merge);
    CHECK(p.diags.items()[0].loc.column == 4);
    CHECK(p.diags.items()[0].message == "alias *nope names no anchor; define `&nope` before using it");
}

TEST_CASE("duplicate keys are kept for the decoder to report") {
    auto p = parse_text("a: 1\na: 2\n");
    REQUIRE(p.doc->root);
    CHECK(p.doc->root->entries.size() == 2);
}

TEST_CASE("tabs, binary garbage and broken syntax are findings, not crashes") {
    auto tab = parse_text("a:\n\tb: 1\n");
    REQUIRE(tab.diags.size() == 1);
    CHECK(tab.diags.items()[0].rule == Rule::yaml_syntax);
    CHECK(tab.diags.items()[0].message.find("use spaces") != std::string::npos);
    CHECK(tab.doc->root == nullptr);

    auto bin = parse_text(std::string("a: \xff\xfe\x00\x01", 7));
    REQUIRE(bin.diags.size() == 1);
    CHECK(bin.diags.items()[0].message.find("UTF-8") != std::string::npos);

    auto broken = parse_text("a: [1, 2\n");
    REQUIRE(broken.diags.size() == 1);
    CHECK(broken.diags.items()[0].rule == Rule::yaml_syntax);
}

TEST_CASE("deep nesting stops at the depth limit") {
    std::string deep(100'000, '[');
    auto p = parse_text(deep);
    REQUIRE(p.diags.size() == 1);
    CHECK(p.diags.items()[0].rule == Rule::yaml_limit);
    CHECK(p.diags.items()[0].message.rfind("nesting deeper than 64 levels", 0) == 0);

    std::string block;
    for (int i = 0; i < 200; ++i) block += std::string(static_cast<size_t>(i), ' ') + "k:\n";
    auto q = parse_text(block);
    CHECK(q.diags.has(Rule::yaml_limit));
}

TEST_CASE("a second document is reported and ignored") {
    auto p = parse_text("a: 1\n---\nb: 2\n");
    REQUIRE(p.diags.size() == 1);
    CHECK(p.diags.items()[0].rule == Rule::multiple_documents);
    CHECK(p.diags.items()[0].loc.line == 2);
    REQUIRE(p.doc->root);
    CHECK(get(*p.doc->root, "a"));
}

TEST_CASE("an empty file has no root and no finding of its own") {
    auto p = parse_text("");
    CHECK(p.diags.empty());
    CHECK(p.doc->root == nullptr);
    CHECK_FALSE(p.doc->failed);
}

TEST_CASE("a node cannot alias itself") {
    auto p = parse_text("a: &x [1, *x]\n");
    REQUIRE(p.diags.size() == 1);
    CHECK(p.diags.items()[0].message == "alias *x refers to a node that contains it; a node cannot include itself");
}

TEST_CASE("merge-key amplification stops at the node limit") {
    // Each mapping merges the previous one twice: entries would double.
    std::string text = "m0: &m0 {k0: 1}\n";
    for (int i = 1; i < 40; ++i)
        text += "m" + std::to_string(i) + ": &m" + std::to_string(i) + " {<<: [*m" + std::to_string(i - 1) + "], k" +
                std::to_string(i) + ": 1}\n";
    Limits small;
    small.max_nodes = 500;
    auto p = parse_text(text, small);
    CHECK(p.diags.has(Rule::yaml_limit));
}

TEST_CASE("a 10 MB scalar parses quickly") {
    std::string text = "a: " + std::string(10u << 20, 'x') + "\n";
    auto t0 = std::chrono::steady_clock::now();
    auto p = parse_text(std::move(text));
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(p.diags.empty());
    CHECK(get(*p.doc->root, "a")->text.size() == 10u << 20);
    CHECK(took < std::chrono::seconds(10));
}
