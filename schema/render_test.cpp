#include "render.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "validate.hpp"

using namespace jailmgr::schema;

namespace {
std::string rendered(const std::string& text, OutputFormat f) {
    auto r = lint_text("m.yaml", text);
    std::ostringstream out;
    render(out, r.diagnostics, f, {false, 1, "test"});
    return out.str();
}
const char* bad = "version: 1\njails:\n  web:\n\thostname: x\n";
const char* typo = "version: 1\njails:\n  web:\n    hostnme: x\n";
}  // namespace

TEST_CASE("text output shows the line, a caret and a summary") {
    CHECK(rendered(typo, OutputFormat::text) ==
          "m.yaml:4:5: error: jail 'web': unknown key 'hostnme'; did you mean 'hostname'? [JM100]\n"
          " 4 |     hostnme: x\n"
          "   |     ^\n"
          "1 error, 0 warnings in 1 file\n");
}

TEST_CASE("the caret reuses tabs of the source line") {
    std::string out = rendered(bad, OutputFormat::text);
    CHECK(out.find(" 4 | \thostname: x\n") != std::string::npos);
    CHECK(out.find("   | ^\n") != std::string::npos);
}

TEST_CASE("github annotations escape their fields") {
    auto r = lint_text("a,b:c.yaml", typo);
    std::ostringstream out;
    render(out, r.diagnostics, OutputFormat::github, {false, 1, "t"});
    CHECK(out.str() ==
          "::error file=a%2Cb%3Ac.yaml,line=4,col=5,title=JM100::jail 'web': unknown key 'hostnme'; did you mean "
          "'hostname'?\n1 error, 0 warnings in 1 file\n");
}

TEST_CASE("json output is a stable document") {
    auto j = nlohmann::json::parse(rendered(typo, OutputFormat::json));
    CHECK(j["version"] == 1);
    CHECK(j["summary"]["errors"] == 1);
    CHECK(j["findings"][0]["rule"] == "JM100");
    CHECK(j["findings"][0]["name"] == "unknown-key");
    CHECK(j["findings"][0]["line"] == 4);
    CHECK(j["findings"][0]["column"] == 5);
    CHECK(j["findings"][0]["file"] == "m.yaml");
}

TEST_CASE("sarif output is SARIF 2.1.0 with every rule") {
    auto j = nlohmann::json::parse(rendered(typo, OutputFormat::sarif));
    CHECK(j["version"] == "2.1.0");
    const auto& run = j["runs"][0];
    CHECK(run["tool"]["driver"]["rules"].size() == all_rules().size());
    const auto& res = run["results"][0];
    CHECK(res["ruleId"] == "JM100");
    CHECK(run["tool"]["driver"]["rules"][res["ruleIndex"].get<size_t>()]["id"] == "JM100");
    CHECK(res["level"] == "error");
    CHECK(res["locations"][0]["physicalLocation"]["region"]["startLine"] == 4);
}

TEST_CASE("a 10 MB line is shown as a window around the column") {
    std::string text = "version: 1\njails: {a: {hostname: x, bogus: " + std::string(10u << 20, 'y') + "}}\n";
    std::string out = rendered(text, OutputFormat::text);
    CHECK(out.size() < 2000);
}
