// The ip_local_reserved_ports ledger, against a fake sysctl file.
#include "reserved_ports.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "sys/files.hpp"

namespace fs = std::filesystem;
using namespace jailmgr::kernel;
using namespace jailmgr::kernel::lnx;

namespace {

struct Files {
    fs::path dir, ledger, sysctl;
    explicit Files(const std::string& initial) {
        char tmpl[] = "/tmp/jailmgr-ports-XXXXXX";
        dir = ::mkdtemp(tmpl);
        ledger = dir / "ledger";
        sysctl = dir / "ip_local_reserved_ports";
        std::ofstream(sysctl) << initial;
    }
    ~Files() { fs::remove_all(dir); }
    std::string value() const { return jailmgr::sys::read_file(sysctl); }
    // A registry record must exist, or the holder counts as crashed.
    PortHolder holder(const std::string& instance, JailId id, const std::string& name) const {
        fs::path rec = dir / (instance + "-" + std::to_string(id) + ".json");
        std::ofstream(rec) << "{}";
        return PortHolder{instance, id, name, rec};
    }
};

}  // namespace

TEST_CASE("port ranges parse and format like the kernel prints them") {
    CHECK(parse_port_ranges("") == std::set<std::uint16_t>{});
    CHECK(parse_port_ranges("\n") == std::set<std::uint16_t>{});
    CHECK(parse_port_ranges("80,8080-8082\n") == std::set<std::uint16_t>{80, 8080, 8081, 8082});
    CHECK(format_port_ranges({80, 8080, 8081, 8082, 9000}) == "80,8080-8082,9000");
    CHECK(format_port_ranges({}) == "");
    CHECK_THROWS_AS(parse_port_ranges("70000"), std::invalid_argument);
    CHECK_THROWS_AS(parse_port_ranges("9-3"), std::invalid_argument);
}

TEST_CASE("reserving adds only absent ports, releasing removes only ours") {
    Files f("8080\n");  // the administrator's own reservation
    ReservedPorts r(f.ledger, f.sysctl);
    auto web = f.holder("i1", 1, "web");
    r.reserve(web, {8080, 9000, 9001});
    CHECK(parse_port_ranges(f.value()) == std::set<std::uint16_t>{8080, 9000, 9001});
    auto entries = r.entries();
    REQUIRE(entries.size() == 3);
    CHECK_FALSE(entries[0].added);  // 8080 was there before
    CHECK(entries[1].added);
    r.release(web);
    CHECK(f.value() == "8080\n");
    CHECK_FALSE(fs::exists(f.ledger));
}

TEST_CASE("the sysctl returns to empty when the last holder releases") {
    Files f("");
    ReservedPorts r(f.ledger, f.sysctl);
    auto a = f.holder("i1", 1, "a");
    r.reserve(a, {18080});
    CHECK(f.value() == "18080\n");
    r.release(a);
    CHECK(f.value() == "\n");
}

TEST_CASE("a port held by a jail of another instance is refused, and nothing changes") {
    Files f("");
    ReservedPorts r(f.ledger, f.sysctl);
    r.reserve(f.holder("i1", 1, "db"), {5432});
    CHECK_THROWS_WITH_AS(r.reserve(f.holder("i2", 1, "web"), {8080, 5432}),
                         "port 5432 is already reserved by jail 'db' of another jailmgr instance (i1)",
                         DriverError);
    CHECK(f.value() == "5432\n");
    CHECK(r.entries().size() == 1);
}

TEST_CASE("reserving twice for the same jail is idempotent") {
    Files f("");
    ReservedPorts r(f.ledger, f.sysctl);
    auto a = f.holder("i1", 7, "a");
    r.reserve(a, {1000});
    r.reserve(a, {1000});
    REQUIRE(r.entries().size() == 1);
    CHECK(r.entries()[0].holders.size() == 1);
    r.release(a);
    CHECK(r.entries().empty());
}
