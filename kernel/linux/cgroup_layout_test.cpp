// Layout detection and the per-jail cgroup lifecycle, against fake cgroupfs
// trees in a temporary directory: the hybrid layout of our machines and the
// pure cgroup-v2 layout of current distributions (which we cannot run here).
#include "cgroup_layout.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include "jail_cgroups.hpp"
#include "sys/error.hpp"
#include "sys/files.hpp"

namespace fs = std::filesystem;
using namespace jailmgr::kernel;
using namespace jailmgr::kernel::lnx;

namespace {

// cgroupfs semantics on a plain directory: mkdir creates the control files
// the code writes or reads, rmdir removes a directory full of them.
class FakeCgroupFs : public CgroupFs {
public:
    using CgroupFs::CgroupFs;
    void make_dir(const fs::path& dir) override {
        CgroupFs::make_dir(dir);
        for (const char* f : {"cgroup.procs", "cgroup.threads", "cgroup.kill", "cgroup.freeze",
                              "cgroup.subtree_control", "memory.max", "memory.current", "pids.max",
                              "pids.current", "cpu.max", "cpu.stat", "memory.limit_in_bytes",
                              "memory.usage_in_bytes", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpuacct.usage",
                              "tasks"})
            std::ofstream(dir / f) << "";
        std::ofstream(dir / "cgroup.events") << "populated 0\nfrozen 0\n";
    }
    void write(const fs::path& file, std::string_view value) override {
        if (!fs::exists(file)) throw jailmgr::sys::SysError("open " + file.string(), ENOENT);
        std::ofstream(file, std::ios::trunc) << value;
    }
    bool remove_dir(const fs::path& dir) override {
        if (!fs::exists(dir)) return false;
        for (const auto& e : fs::directory_iterator(dir))
            if (e.is_directory()) throw jailmgr::sys::SysError("rmdir " + dir.string(), ENOTEMPTY);
        fs::remove_all(dir);
        return true;
    }
};

struct Tree {
    fs::path root;
    Tree() {
        char tmpl[] = "/tmp/jailmgr-cgfake-XXXXXX";
        root = ::mkdtemp(tmpl);
    }
    ~Tree() { fs::remove_all(root); }
    void file(const std::string& rel, const std::string& content) {
        fs::create_directories((root / rel).parent_path());
        std::ofstream(root / rel) << content;
    }
    void dir(const std::string& rel) { fs::create_directories(root / rel); }
    std::string read(const std::string& rel) { return jailmgr::sys::read_file(root / rel); }
};

const char* hybrid_mountinfo =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
const char* hybrid_cgroup =
    "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/abc\n2:cpuacct:/\n1:cpu:/\n0::/\n";

const char* v2_mountinfo =
    "25 20 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

}  // namespace

TEST_CASE("mountinfo lines are split at the separator and unescaped") {
    auto m = parse_mountinfo("36 35 98:0 /mnt\\0401 /a\\040b rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n");
    REQUIRE(m.size() == 1);
    CHECK(m[0].root == "/mnt 1");
    CHECK(m[0].mount_point == "/a b");
    CHECK(m[0].fs_type == "ext3");
    CHECK(m[0].super_options == "rw,errors=continue");
}

TEST_CASE("/proc/self/cgroup maps hierarchies to paths, paths may hold colons") {
    auto c = parse_proc_cgroup("4:memory:/a:b\n1:cpu,cpuacct:/x\n0::/\n");
    CHECK(c.at("memory") == "/a:b");
    CHECK(c.at("cpu,cpuacct") == "/x");
    CHECK(c.at("") == "/");
}

TEST_CASE("the hybrid layout takes limits from v1, nested under our own memory cgroup") {
    Tree t;
    t.file("proc/self/mountinfo", hybrid_mountinfo);
    t.file("proc/self/cgroup", hybrid_cgroup);
    t.file("sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
    FakeCgroupFs cfs(t.root);
    auto layout = CgroupLayout::detect(cfs);
    CHECK_FALSE(layout.pure_v2());
    CHECK(layout.v2_root == t.root / "sys/fs/cgroup/unified");
    CHECK(layout.v2_base == t.root / "sys/fs/cgroup/unified");
    CHECK(layout.v1_base.at("memory") == t.root / "sys/fs/cgroup/memory/process_api/abc");
    CHECK(layout.v1_base.at("pids") == t.root / "sys/fs/cgroup/pids");
    CHECK(layout.backend("cpu") == "v1");
    CHECK(layout.backend("hugetlb") == "v2");
    CHECK(layout.backend("io") == "");
}

TEST_CASE("a hybrid jail gets one directory per v1 hierarchy plus a cgroup2 one, limits in v1 files") {
    Tree t;
    t.file("proc/self/mountinfo", hybrid_mountinfo);
    t.file("proc/self/cgroup", hybrid_cgroup);
    for (auto d : {"cpu", "cpuacct", "memory/process_api/abc", "pids", "unified"}) t.dir(std::string("sys/fs/cgroup/") + d);
    FakeCgroupFs cfs(t.root);
    auto layout = CgroupLayout::detect(cfs);
    auto cg = create_jail_cgroups(cfs, layout, "i1", "web");
    CHECK(cg.v2 == t.root / "sys/fs/cgroup/unified/jailmgr.i1/web");
    CHECK(cg.controllers.at("memory") == t.root / "sys/fs/cgroup/memory/process_api/abc/jailmgr.i1/web");
    CHECK(cg.directories().size() == 5);

    Limits l;
    l.memory_bytes = 64ull << 20;
    l.pids = 100;
    l.cpus = 0.5;
    apply_cgroup_limits(cfs, cg, l, "web");
    CHECK(t.read("sys/fs/cgroup/memory/process_api/abc/jailmgr.i1/web/memory.limit_in_bytes") == "67108864");
    CHECK(t.read("sys/fs/cgroup/pids/jailmgr.i1/web/pids.max") == "100");
    CHECK(t.read("sys/fs/cgroup/cpu/jailmgr.i1/web/cpu.cfs_quota_us") == "50000");
    CHECK(t.read("sys/fs/cgroup/cpu/jailmgr.i1/web/cpu.cfs_period_us") == "100000");

    apply_cgroup_limits(cfs, cg, Limits{}, "web");  // back to unlimited
    CHECK(t.read("sys/fs/cgroup/memory/process_api/abc/jailmgr.i1/web/memory.limit_in_bytes") == "-1");
    CHECK(t.read("sys/fs/cgroup/cpu/jailmgr.i1/web/cpu.cfs_quota_us") == "-1");

    remove_jail_cgroups(cfs, cg);
    for (auto d : cg.directories()) {
        CHECK_FALSE(fs::exists(d));
        CHECK_FALSE(fs::exists(d.parent_path()));  // jailmgr.i1 removed once empty
    }
}

TEST_CASE("pure cgroup v2: limits go to memory.max, pids.max and cpu.max, controllers are delegated") {
    Tree t;
    t.file("proc/self/mountinfo", v2_mountinfo);
    t.file("proc/self/cgroup", "0::/jailmgr.slice\n");
    t.file("sys/fs/cgroup/jailmgr.slice/cgroup.controllers", "cpuset cpu io memory pids\n");
    t.file("sys/fs/cgroup/jailmgr.slice/cgroup.subtree_control", "");
    FakeCgroupFs cfs(t.root);
    auto layout = CgroupLayout::detect(cfs);
    CHECK(layout.pure_v2());
    CHECK(layout.backend("memory") == "v2");
    CHECK(layout.backend("cpuacct") == "");

    auto cg = create_jail_cgroups(cfs, layout, "i2", "db");
    CHECK(cg.v2 == t.root / "sys/fs/cgroup/jailmgr.slice/jailmgr.i2/db");
    CHECK(cg.directories() == std::vector<fs::path>{cg.v2});
    CHECK(cg.controllers.at("pids") == cg.v2);
    // The fake file keeps the last write: the last controller enabled.
    CHECK(t.read("sys/fs/cgroup/jailmgr.slice/cgroup.subtree_control") == "+cpu");
    CHECK(t.read("sys/fs/cgroup/jailmgr.slice/jailmgr.i2/cgroup.subtree_control") == "+cpu");

    Limits l;
    l.memory_bytes = 1ull << 30;
    l.pids = 64;
    l.cpus = 1.5;
    apply_cgroup_limits(cfs, cg, l, "db");
    CHECK(t.read("sys/fs/cgroup/jailmgr.slice/jailmgr.i2/db/memory.max") == "1073741824");
    CHECK(t.read("sys/fs/cgroup/jailmgr.slice/jailmgr.i2/db/pids.max") == "64");
    CHECK(t.read("sys/fs/cgroup/jailmgr.slice/jailmgr.i2/db/cpu.max") == "150000 100000");
    apply_cgroup_limits(cfs, cg, Limits{}, "db");
    CHECK(t.read("sys/fs/cgroup/jailmgr.slice/jailmgr.i2/db/memory.max") == "max");
    CHECK(t.read("sys/fs/cgroup/jailmgr.slice/jailmgr.i2/db/cpu.max") == "max 100000");

    t.file("sys/fs/cgroup/jailmgr.slice/jailmgr.i2/db/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\n");
    t.file("sys/fs/cgroup/jailmgr.slice/jailmgr.i2/db/memory.current", "4096\n");
    t.file("sys/fs/cgroup/jailmgr.slice/jailmgr.i2/db/cgroup.procs", "10\n11\n");
    t.file("sys/fs/cgroup/jailmgr.slice/jailmgr.i2/db/cgroup.threads", "10\n11\n12\n");
    t.file("sys/fs/cgroup/jailmgr.slice/jailmgr.i2/db/pids.current", "4\n");
    auto u = read_cgroup_usage(cfs, cg);
    CHECK(u.cpu_ns == 2500000000ull);
    CHECK(u.memory_bytes == 4096);
    CHECK(u.procs_live == 2);
    CHECK(u.procs_zombie == 1);  // 4 charged tasks, 3 live threads

    remove_jail_cgroups(cfs, cg);
    CHECK_FALSE(fs::exists(t.root / "sys/fs/cgroup/jailmgr.slice/jailmgr.i2"));
}

TEST_CASE("a limit whose controller is missing is refused, naming the jail") {
    Tree t;
    t.file("proc/self/mountinfo", v2_mountinfo);
    t.file("proc/self/cgroup", "0::/\n");
    t.file("sys/fs/cgroup/cgroup.controllers", "cpu pids\n");
    t.file("sys/fs/cgroup/cgroup.subtree_control", "");
    FakeCgroupFs cfs(t.root);
    auto layout = CgroupLayout::detect(cfs);
    auto cg = create_jail_cgroups(cfs, layout, "i3", "web");
    Limits l;
    l.memory_bytes = 1 << 30;
    CHECK_THROWS_WITH_AS(apply_cgroup_limits(cfs, cg, l, "web"),
                         "jail 'web': memory limit: no memory cgroup controller is available on this host",
                         DriverError);
    remove_jail_cgroups(cfs, cg);
}

TEST_CASE("a failed create removes the directories it made") {
    Tree t;
    t.file("proc/self/mountinfo", hybrid_mountinfo);
    t.file("proc/self/cgroup", hybrid_cgroup);
    // pids hierarchy directory missing: its mkdir fails after others succeeded
    for (auto d : {"cpu", "cpuacct", "memory/process_api/abc", "unified"}) t.dir(std::string("sys/fs/cgroup/") + d);
    FakeCgroupFs cfs(t.root);
    auto layout = CgroupLayout::detect(cfs);
    CHECK_THROWS_AS(create_jail_cgroups(cfs, layout, "i4", "web"), jailmgr::sys::SysError);
    CHECK_FALSE(fs::exists(t.root / "sys/fs/cgroup/unified/jailmgr.i4"));
    CHECK_FALSE(fs::exists(t.root / "sys/fs/cgroup/memory/process_api/abc/jailmgr.i4"));
}

TEST_CASE("no cgroup2 mount is an explicit error") {
    Tree t;
    t.file("proc/self/mountinfo", "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
    t.file("proc/self/cgroup", "4:memory:/\n");
    FakeCgroupFs cfs(t.root);
    CHECK_THROWS_WITH_AS(CgroupLayout::detect(cfs),
                         "cgroups: no cgroup2 hierarchy is mounted (mount -t cgroup2 none /sys/fs/cgroup/unified)",
                         DriverError);
}
