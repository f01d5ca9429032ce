#include "load.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace jailmgr::schema;
namespace fs = std::filesystem;

namespace {
// A scratch directory removed again even when a check fails.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "jailmgr-load-XXXXXX").string();
        path = mkdtemp(tmpl.data());
    }
    ~TempDir() { fs::remove_all(path); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return (path / name).string();
    }
};

std::vector<std::string> ids(const Diagnostics& d) {
    std::vector<std::string> out;
    for (const auto& x : d.items()) out.emplace_back(x.id());
    return out;
}
}  // namespace

TEST_CASE("a directory contributes its yaml files in sorted order") {
    TempDir t;
    t.write("b.yml", "version: 1\njails:\n  b: {}\n");
    t.write("a.yaml", "version: 1\njails:\n  a: {}\n");
    t.write("notes.txt", "not yaml");
    t.write(".hidden.yaml", "garbage: [");
    auto r = load({t.path.string()});
    CHECK(r.diagnostics.empty());
    REQUIRE(r.manifest.jails.size() == 2);
    CHECK(r.manifest.jails[0].name.value == "a");
    CHECK(r.manifest.jails[1].name.value == "b");
    CHECK(r.manifest.sources.size() == 2);
    CHECK(r.manifest.default_project == t.path.filename().string());
}

TEST_CASE("the same jail in two files is an error reported at both places") {
    TempDir t;
    auto a = t.write("a.yaml", "version: 1\njails:\n  web: {}\n");
    auto b = t.write("b.yaml", "version: 1\njails:\n  db: {}\n  web: {}\n");
    auto r = load({a, b});
    REQUIRE(r.diagnostics.size() == 1);
    const auto& d = r.diagnostics.items()[0];
    CHECK(d.rule == Rule::duplicate_jail);
    CHECK(d.loc.file->name() == b);
    CHECK(d.loc.line == 4);
    CHECK(d.message == "jail 'web' is already defined in " + a +
                           ":3:3; the same jail cannot be defined in two files, rename or remove one");
    REQUIRE(d.related.size() == 1);
    CHECK(d.related[0].loc.line == 3);
    CHECK(r.manifest.jails.size() == 2);
}

TEST_CASE("stdin is read for -") {
    std::istringstream in("version: 1\nproject: p\njails:\n  x: {}\n");
    auto r = load({"-"}, in);
    CHECK(r.diagnostics.empty());
    CHECK(r.manifest.sources[0]->name() == "<stdin>");
    CHECK(r.manifest.project.value == "p");
}

TEST_CASE("missing paths and empty directories are I/O errors") {
    TempDir t;
    fs::create_directory(t.path / "empty");
    auto r = load({(t.path / "nope.yaml").string(), (t.path / "empty").string()});
    CHECK(r.io_error);
    CHECK(ids(r.diagnostics) == std::vector<std::string>{"JM000", "JM000"});
    CHECK(r.diagnostics.items()[1].message == "directory holds no *.yaml or *.yml files");
}

TEST_CASE("files that disagree on project or a default are reported") {
    TempDir t;
    auto a = t.write("a.yaml", "version: 1\nproject: one\ndefaults: {profile: high, limits: {pids: 10}}\n");
    auto b = t.write("b.yaml", "version: 1\nproject: two\ndefaults: {profile: high, limits: {pids: 20}}\n");
    auto r = load({a, b});
    CHECK(ids(r.diagnostics) == std::vector<std::string>{"JM124", "JM124"});
    CHECK(r.diagnostics.items()[0].message.rfind("project is already set to a different value in ", 0) == 0);
    CHECK(r.diagnostics.items()[1].message.rfind("defaults.limits.pids is already set", 0) == 0);
}

TEST_CASE("an empty file is a finding; so is a file of the wrong shape") {
    CHECK(ids(load_text("e.yaml", "").diagnostics) == std::vector<std::string>{"JM005"});
    CHECK(ids(load_text("e.yaml", "# only a comment\n").diagnostics) == std::vector<std::string>{"JM005"});
    CHECK(ids(load_text("l.yaml", "- a\n- b\n").diagnostics) == std::vector<std::string>{"JM101"});
}

TEST_CASE("every value keeps its position") {
    auto r = load_text("m.yaml", "version: 1\njails:\n  web:\n    limits:\n      memory: 64MiB\n");
    REQUIRE(r.manifest.jails.size() == 1);
    const auto& mem = r.manifest.jails[0].limits->memory;
    CHECK(mem.value == 64ull << 20);
    CHECK(mem.loc.str() == "m.yaml:5:15");
    CHECK(r.manifest.jails[0].name.loc.str() == "m.yaml:3:3");
    CHECK_FALSE(r.manifest.jails[0].limits->cpus.present());
}

TEST_CASE("a huge alias fan-out stops at the decode budget instead of hanging") {
    // 200 jails x 200 services x 200 arguments, all aliases: 8M values to
    // check from a file of a few kilobytes.
    std::string text = "version: 1\nx-arg: &arg a\nx-svc: &svc\n  command: [";
    for (int i = 0; i < 200; ++i) text += i ? ", *arg" : "*arg";
    text += "]\nx-jail: &jail\n  services:\n";
    for (int i = 0; i < 200; ++i) text += "    s" + std::to_string(i) + ": *svc\n";
    text += "jails:\n";
    for (int i = 0; i < 200; ++i) text += "  j" + std::to_string(i) + ": *jail\n";
    auto t0 = std::chrono::steady_clock::now();
    auto r = load_text("bomb.yaml", text);
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics.items()[0].rule == Rule::yaml_limit);
    CHECK(r.diagnostics.items()[0].message ==
          "document expands (through aliases) to more values than the loader checks; use fewer nested aliases");
}
