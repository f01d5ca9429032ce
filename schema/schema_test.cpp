#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <set>

#include "format_v1.hpp"
#include "rules.hpp"

using namespace jailmgr::schema;

TEST_CASE("the JSON Schema is draft 2020-12 and describes every top-level key") {
    auto s = format::json_schema();
    CHECK(s["$schema"] == "https://json-schema.org/draft/2020-12/schema");
    CHECK(s["type"] == "object");
    CHECK(s["required"] == nlohmann::json::array({"version"}));
    for (const char* k : {"version", "project", "defaults", "profiles", "jails"}) CHECK(s["properties"].contains(k));
    CHECK(s["$defs"].contains("jail"));
    CHECK(s["$defs"].contains("service"));
    CHECK(s["$defs"]["service"]["required"] == nlohmann::json::array({"command"}));
    CHECK(s["$defs"]["service"]["properties"]["restart"]["default"] == "always");
}

TEST_CASE("the deny vocabulary is the kernel core's action names") {
    std::vector<std::string_view> want{"mount", "module", "mknod", "chroot", "reboot", "swap",
                                       "accounting", "time", "cpu_admin", "kernaddr", "filehandle", "sysctl_write",
                                       "net_admin", "raw_socket", "route_socket", "device", "machdep", "sysvipc"};
    CHECK(std::vector<std::string_view>(deny_names().begin(), deny_names().end()) == want);
}

TEST_CASE("rule IDs are unique and well-formed") {
    std::set<std::string_view> seen;
    for (const auto& r : all_rules()) {
        CHECK(r.id.size() == 5);
        CHECK(r.id.substr(0, 2) == "JM");
        CHECK(seen.insert(r.id).second);
        CHECK_FALSE(r.summary.empty());
        CHECK_FALSE(r.fix.empty());
    }
}
