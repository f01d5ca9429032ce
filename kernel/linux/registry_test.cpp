// The registry's file format and the persisted ID counter.
#include "registry.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "sys/files.hpp"

namespace fs = std::filesystem;
using namespace jailmgr::kernel;
using namespace jailmgr::kernel::lnx;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/jailmgr-registry-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() { fs::remove_all(path); }
};

JailRecord sample(JailId id, const std::string& name) {
    JailRecord r;
    r.id = id;
    r.spec.name = name;
    r.spec.root = "/srv/" + name;
    r.spec.profile = Profile::medium;
    r.spec.deny_extra = 1u << 18;
    r.spec.ports = {8080, 8443};
    r.spec.limits.memory_bytes = 1 << 30;
    r.spec.limits.cpus = 0.5;
    r.spec.limits.core = 0;
    r.spec.layout = Layout::rootfs;
    r.spec.mounts = {BindMount{"/srv/www", "/var/www", true}};
    r.spec.hostname = "h";
    r.created = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
    r.cgroups.v2 = std::filesystem::path("/sys/fs/cgroup/unified/jailmgr.x") / name;
    r.cgroups.v2_root = "/sys/fs/cgroup/unified";
    r.cgroups.controllers["memory"] = std::filesystem::path("/sys/fs/cgroup/memory/jailmgr.x") / name;
    r.cgroup_id = 4242;
    return r;
}

}  // namespace

TEST_CASE("a jail record survives the trip through JSON unchanged") {
    auto r = sample(3, "web");
    CHECK(record_from_json(to_json(r)) == r);
}

TEST_CASE("the registry lists records in ID order and forgets removed ones") {
    TempDir d;
    Registry reg(d.path);
    reg.store(sample(10, "b"));
    reg.store(sample(2, "a"));
    auto all = reg.load_all();
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == 2);
    CHECK(all[1].id == 10);
    reg.store_init(2, InitRecord{123, 456});
    CHECK(reg.load_init(2) == InitRecord{123, 456});
    reg.remove(2);
    CHECK_FALSE(reg.load(2));
    CHECK_FALSE(reg.load_init(2));
    CHECK(reg.load_all().size() == 1);
}

TEST_CASE("load_all sees a record replaced, added or removed since its last call") {
    TempDir d;
    Registry reg(d.path);
    reg.store(sample(1, "a"));
    REQUIRE(reg.load_all().size() == 1);
    auto changed = sample(1, "a");
    changed.spec.ports = {8080};
    reg.store(changed);
    reg.store(sample(2, "b"));
    auto all = reg.load_all();
    REQUIRE(all.size() == 2);
    CHECK(all[0].spec.ports == std::vector<std::uint16_t>{8080});
    CHECK(all[1].spec.name == "b");
    // Another process's Registry (no shared cache) sees the same.
    Registry other(d.path);
    reg.remove(1);
    auto rest = other.load_all();
    REQUIRE(rest.size() == 1);
    CHECK(rest[0].spec.name == "b");
    CHECK(reg.load_all().size() == 1);
}

TEST_CASE("a corrupt record is reported with its path and what to do") {
    TempDir d;
    Registry reg(d.path);
    reg.store(sample(1, "a"));
    std::ofstream(reg.record_path(1)) << "{not json";
    const std::string expected = "registry " + reg.record_path(1).string() + " is corrupt";
    CHECK_THROWS_WITH_AS(reg.load(1), doctest::Contains(expected.c_str()), DriverError);
}

TEST_CASE("the ID counter starts at 1 and persists") {
    TempDir d;
    IdCounter ids(d.path / "state");
    CHECK(ids.next() == 1);
    ids.store(5);
    CHECK(IdCounter(d.path / "state").next() == 5);
    std::ofstream(d.path / "state/next-jail-id") << "garbage";
    CHECK_THROWS_AS(ids.next(), DriverError);
}
