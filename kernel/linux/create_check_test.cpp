// Create validation goes through the core and comes back as operator messages.
#include "create_check.hpp"

#include <doctest/doctest.h>

using namespace jailmgr::kernel;
using namespace jailmgr::kernel::lnx;

namespace {

JailSpec spec(const std::string& name, std::vector<std::uint16_t> ports = {}) {
    JailSpec s;
    s.name = name;
    s.root = "/srv/" + name;
    s.ports = std::move(ports);
    return s;
}

JailRecord record(JailId id, const JailSpec& s) {
    JailRecord r;
    r.id = id;
    r.spec = s;
    return r;
}

}  // namespace

TEST_CASE("the next ID comes from the counter and moves past existing jails") {
    CHECK(check_create(spec("a"), {}, 1) == 1);
    CHECK(check_create(spec("a"), {}, 17) == 17);
    CHECK(check_create(spec("b"), {record(20, spec("a"))}, 5) == 21);
}

TEST_CASE("a taken name names the jail that has it") {
    CHECK_THROWS_WITH_AS(check_create(spec("web"), {record(3, spec("web"))}, 4),
                         "jail name 'web' is already in use (jail 3)", DriverError);
}

TEST_CASE("a port reserved by another jail names that jail") {
    try {
        check_create(spec("web", {8080}), {record(1, spec("db", {5432, 8080}))}, 2);
        FAIL("accepted");
    } catch (const DriverError& e) {
        CHECK(e.code() == Errc::port_taken);
        CHECK(std::string(e.what()) == "port 8080 is already reserved by jail 'db'");
    }
}

TEST_CASE("invalid requests are refused with the reason") {
    CHECK_THROWS_WITH_AS(check_create(spec("bad name"), {}, 1),
                         "jail 'bad name': the name may only contain letters, digits, '.', '_' and '-'", DriverError);
    auto rel = spec("r");
    rel.root = "relative";
    CHECK_THROWS_WITH_AS(check_create(rel, {}, 1), "jail 'r': the root 'relative' must be an absolute path",
                         DriverError);
    CHECK_THROWS_WITH_AS(check_create(spec("p", {80, 80}), {}, 1), "jail 'p': port 80 is listed twice", DriverError);
    CHECK_THROWS_WITH_AS(check_create(spec("z", {0}), {}, 1), "jail 'z': port 0 cannot be reserved", DriverError);
    std::vector<std::uint16_t> many;
    for (std::uint16_t p = 1; p <= 33; ++p) many.push_back(p);
    CHECK_THROWS_WITH_AS(check_create(spec("m", many), {}, 1), "jail 'm': at most 32 ports can be reserved",
                         DriverError);
}

TEST_CASE("IDs are never reused: an exhausted counter refuses") {
    try {
        check_create(spec("a"), {}, std::uint64_t{JAIL_ID_MAX} + 1);
        FAIL("accepted");
    } catch (const DriverError& e) {
        CHECK(e.code() == Errc::system);
        CHECK(e.sys_errno() == EOVERFLOW);
    }
    CHECK(check_create(spec("a"), {}, JAIL_ID_MAX) == JAIL_ID_MAX);
}

TEST_CASE("Linux-only fields are checked before anything is created") {
    auto s = spec("web");
    s.mounts = {BindMount{"/nonexistent/jailmgr-src", "/data", false}};
    CHECK_THROWS_WITH_AS(check_linux_fields(s), "jail 'web': mount source '/nonexistent/jailmgr-src' does not exist on the host",
                         DriverError);
    s.mounts = {BindMount{"/tmp", "/proc/x", false}};
    CHECK_THROWS_WITH_AS(check_linux_fields(s), "jail 'web': mount target '/proc/x' would hide the jail's /proc",
                         DriverError);
    s.mounts = {BindMount{"/tmp", "/a/../../b", false}};
    CHECK_THROWS_WITH_AS(check_linux_fields(s), "jail 'web': mount target '/a/../../b' must not contain '..'",
                         DriverError);
    s.mounts = {};
    s.limits.cpus = 0.001;
    CHECK_THROWS_AS(check_linux_fields(s), DriverError);
}
