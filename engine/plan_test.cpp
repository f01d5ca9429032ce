#include "plan.hpp"

#include <doctest/doctest.h>

using namespace jailmgr::engine;
using nlohmann::json;

namespace {

Plan sample() {
    Plan p;
    p.desired_jails = 3;
    p.desired_services = 4;
    p.steps.push_back({Action::create, "cache", "", "jail missing from kernel", {}});
    p.steps.push_back({Action::replace, "web", "", "ports changed", {{"ports", json{8080}, json{8081}}}});
    p.steps.push_back(
        {Action::restart, "web", "httpd", "spec changed", {{"command", json{"a"}, json{"a", "-v"}}}});
    p.steps.push_back({Action::update, "db", "", "limits changed", {{"limits.memory", "256MiB", "512MiB"}}});
    p.unmanaged_jails = {"old"};
    p.foreign_jails = {"other"};
    return p;
}

}  // namespace

TEST_CASE("the plan renders one marked line per step with old -> new per field") {
    std::string expected =
        "+ jail cache (create): jail missing from kernel\n"
        "-/+ jail web (replace): ports changed\n"
        "      ports: [8080] -> [8081]\n"
        "~ service web/httpd (restart): spec changed\n"
        "      command: [\"a\"] -> [\"a\", \"-v\"]\n"
        "~ jail db (update): limits changed\n"
        "      limits.memory: 256MiB -> 512MiB\n"
        "  jail old is no longer in the manifests; kept (apply --prune destroys it)\n"
        "  jail other is not managed by this project; left alone\n"
        "\n"
        "1 to create, 1 to replace, 0 to destroy, 1 to update, 1 to restart.\n";
    CHECK(render_text(sample(), false) == expected);
}

TEST_CASE("colour is used only when asked") {
    CHECK(render_text(sample(), true).find("\033[") != std::string::npos);
    CHECK(render_text(sample(), false).find("\033[") == std::string::npos);
}

TEST_CASE("an empty plan says nothing changes and how much is up to date") {
    Plan p;
    p.desired_jails = 2;
    p.desired_services = 1;
    CHECK_FALSE(p.has_changes());
    CHECK(render_text(p, false) == "No changes: 2 jails and 1 service are up to date.\n");
}

TEST_CASE("the JSON plan has the documented stable shape") {
    auto j = to_json(sample());
    CHECK(j["format_version"] == 1);
    CHECK(j["changes_pending"] == true);
    CHECK(j["summary"]["create"] == 1);
    CHECK(j["summary"]["replace"] == 1);
    CHECK(j["summary"]["restart"] == 1);
    CHECK(j["summary"]["unchanged_jails"] == 0);
    REQUIRE(j["steps"].size() == 4);
    CHECK(j["steps"][0]["service"].is_null());
    CHECK(j["steps"][2]["service"] == "httpd");
    CHECK(j["steps"][1]["changes"][0] == json{{"field", "ports"}, {"old", {8080}}, {"new", {8081}}});
    CHECK(j["foreign_jails"] == json{"other"});
    CHECK(j["unmanaged_jails"] == json{"old"});
}
