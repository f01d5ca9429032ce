// cgroup limits are enforced jail-wide: memory, processes, CPU.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <sstream>

#include "fixture.hpp"
#include "sys/files.hpp"

using namespace jailmgr::kernel;
using namespace jailmgr::test;

namespace {

std::uint64_t keyed(const std::string& text, const std::string& key) {
    std::istringstream in(text);
    std::string k;
    std::uint64_t v;
    while (in >> k >> v)
        if (k == key) return v;
    return 0;
}

std::filesystem::path controller_dir(const std::string& controller, const std::string& instance, const std::string& jail) {
    // Where create_jail_cgroups put it: under our own cgroup of that hierarchy.
    std::istringstream in(jailmgr::sys::read_file("/proc/self/cgroup"));
    std::string line;
    while (std::getline(in, line)) {
        auto a = line.find(':'), b = line.find(':', a + 1);
        if (line.substr(a + 1, b - a - 1) == controller)
            return std::filesystem::path("/sys/fs/cgroup") / controller / line.substr(b + 2) /
                   ("jailmgr." + instance) / jail;
    }
    return {};
}

}  // namespace

TEST_CASE("a memory hog is OOM-killed inside its jail and nothing else is") {
    Instance inst;
    auto spec = inst.spec("hog");
    spec.limits.memory_bytes = 32ull << 20;
    JailId id = inst.driver->create(spec);
    auto s = inst.driver->attach(id, Attach::start);
    auto out = run(*s, {probe_in_jail, "hog", "256"});
    CHECK(out.exit_code() == -SIGKILL);
    auto memcg = controller_dir("memory", inst.paths.instance, "hog");
    CHECK(keyed(jailmgr::sys::read_file(memcg / "memory.oom_control"), "oom_kill") >= 1);
    // The jail itself is still up and usable; so are we.
    CHECK(inst.driver->find(id)->running);
    CHECK(run(*s, {"/bin/true"}).exit_code() == 0);
}

TEST_CASE("a fork bomb stops at the jail's pids limit") {
    Instance inst;
    auto spec = inst.spec("bomb");
    spec.limits.pids = 16;
    JailId id = inst.driver->create(spec);
    auto s = inst.driver->attach(id, Attach::start);
    // 16 tasks: the jail's init, the probe, and 14 children.
    CHECK(probe(*s, {"forks", "1000"}) == "forked=14 EAGAIN");
    auto pids = controller_dir("pids", inst.paths.instance, "bomb");
    CHECK(keyed(jailmgr::sys::read_file(pids / "pids.events"), "max") >= 1);
}

TEST_CASE("a CPU burner gets about its quota") {
    Instance inst;
    auto spec = inst.spec("burn");
    spec.limits.cpus = 0.2;
    JailId id = inst.driver->create(spec);
    auto s = inst.driver->attach(id, Attach::start);
    double before = inst.driver->find(id)->cpu_seconds;
    auto t0 = std::chrono::steady_clock::now();
    CHECK(probe(*s, {"burn", "1.5"}) == "OK");
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double used = inst.driver->find(id)->cpu_seconds - before;
    MESSAGE("quota 0.2 CPU, wall " << wall << " s, used " << used << " s CPU");
    // The quota is a ceiling (plus one period of slack); the floor is loose
    // because the machine is shared.
    CHECK(used <= 0.2 * wall + 0.1);
    CHECK(used >= 0.2 * wall * 0.4);
    auto cpu = controller_dir("cpu", inst.paths.instance, "burn");
    CHECK(keyed(jailmgr::sys::read_file(cpu / "cpu.stat"), "nr_throttled") > 0);
}
