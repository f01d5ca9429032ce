// Tests for marshal.cpp: JailSpec -> jail_create and jail_info -> JailInfo.
#include "marshal.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "jail_policy.h"
#include "jail_table.h"

using namespace jailmgr::kernel;
using namespace jailmgr::kernel::netbsd;

namespace {

JailSpec web() {
    JailSpec s;
    s.name = "web";
    s.root = "/var/jails/web";
    s.layout = Layout::rootfs;
    return s;
}

template <typename F>
std::string refusal(F mutate, Errc expected) {
    JailSpec s = web();
    mutate(s);
    try {
        to_create(s);
    } catch (const DriverError& e) {
        CHECK(e.code() == expected);
        return e.what();
    }
    FAIL("to_create accepted the spec");
    return {};
}

}  // namespace

TEST_CASE("a spec becomes a payload the kernel core accepts") {
    JailSpec s = web();
    s.profile = Profile::medium;
    s.deny_extra = 1u << JAIL_ACT_SYSVIPC;
    s.ports = {8080, 8443};
    s.limits.nofile = 1024;
    s.limits.core = 0;
    jail_create c = to_create(s);
    CHECK(c.jc_flags == (JAIL_CREATE_PROFILE | JAIL_CREATE_DENY | JAIL_CREATE_PORTS |
                         JAIL_CREATE_RLIMIT_NOFILE | JAIL_CREATE_RLIMIT_CORE));
    CHECK(c.jc_profile == JAIL_PROFILE_MEDIUM);
    CHECK(c.jc_deny == (1u << JAIL_ACT_SYSVIPC));
    CHECK(c.jc_nports == 2);
    CHECK(c.jc_ports[1] == 8443);
    CHECK(c.jc_rlimit_nofile == 1024);
    CHECK(c.jc_rlimit_core == 0);
    CHECK(c.jc_rlimit_as == 0);
    CHECK(std::string(c.jc_name) == "web");
    CHECK(std::string(c.jc_root) == "/var/jails/web");
    jail_create out;
    CHECK(jail_create_validate(&c, sizeof c, &out) == 0);
}

TEST_CASE("the profile is always explicit, so the kernel default never decides") {
    jail_create c = to_create(web());
    CHECK((c.jc_flags & JAIL_CREATE_PROFILE) != 0);
    CHECK(c.jc_profile == JAIL_PROFILE_HIGH);
    CHECK((c.jc_flags & JAIL_CREATE_PORTS) == 0);
    CHECK((c.jc_flags & JAIL_CREATE_DENY) == 0);
}

TEST_CASE("what NetBSD cannot do is refused as unsupported, saying what to use instead") {
    CHECK(refusal([](JailSpec& s) { s.layout = Layout::host_base; }, Errc::unsupported) ==
          "jail 'web': base: host needs bind mounts, which the NetBSD driver does not have; "
          "give the jail a complete root filesystem (base: /path/to/root)");
    CHECK(refusal([](JailSpec& s) { s.mounts.push_back({"/srv", "/srv", true}); },
                  Errc::unsupported) ==
          "jail 'web': mounts are not supported by the NetBSD driver (no bind mounts); "
          "copy what the jail needs into its root");
    const std::string cgroups =
        "jail 'web': limits memory, cpus and pids need cgroups, which NetBSD does not have; "
        "only nofile, address_space and core are supported";
    CHECK(refusal([](JailSpec& s) { s.limits.memory_bytes = 1 << 20; }, Errc::unsupported) ==
          cgroups);
    CHECK(refusal([](JailSpec& s) { s.limits.cpus = 0.5; }, Errc::unsupported) == cgroups);
    CHECK(refusal([](JailSpec& s) { s.limits.pids = 10; }, Errc::unsupported) == cgroups);
}

TEST_CASE("invalid names, roots, ports and denials are refused with the reason") {
    CHECK(refusal([](JailSpec& s) { s.name = "we b"; }, Errc::invalid) ==
          "jail name 'we b' is invalid: use 1 to 63 characters from A-Z a-z 0-9 . _ - "
          "(but not '.' or '..')");
    CHECK(refusal([](JailSpec& s) { s.name = "a\nb"; }, Errc::invalid) ==
          "jail name 'a\\x0ab' is invalid: use 1 to 63 characters from A-Z a-z 0-9 . _ - "
          "(but not '.' or '..')");
    refusal([](JailSpec& s) { s.name = ""; }, Errc::invalid);
    refusal([](JailSpec& s) { s.name = ".."; }, Errc::invalid);
    refusal([](JailSpec& s) { s.name = std::string(64, 'x'); }, Errc::invalid);
    CHECK(refusal([](JailSpec& s) { s.root = "jails/web"; }, Errc::invalid) ==
          "jail 'web': root 'jails/web' must be an absolute path");
    CHECK(refusal([](JailSpec& s) { s.root = "/" + std::string(300, 'r'); }, Errc::invalid) ==
          "jail 'web': root path is 301 bytes long; at most 255 are allowed");
    CHECK(refusal([](JailSpec& s) { s.root = "/srv/\tweb"; }, Errc::invalid) ==
          "jail 'web': root '/srv/\\x09web' contains a control character");
    CHECK(refusal([](JailSpec& s) { s.ports = {80, 0}; }, Errc::invalid) ==
          "jail 'web': port 0 cannot be reserved");
    CHECK(refusal([](JailSpec& s) { s.ports = {80, 443, 80}; }, Errc::invalid) ==
          "jail 'web': port 80 is reserved twice");
    CHECK(refusal([](JailSpec& s) { s.ports.assign(33, 1); for (int i = 0; i < 33; i++) s.ports[i] = static_cast<uint16_t>(i + 1); },
                  Errc::invalid) == "jail 'web': 33 reserved ports; at most 32 are allowed");
    CHECK(refusal([](JailSpec& s) { s.deny_extra = 1u << 20; }, Errc::invalid) ==
          "jail 'web': extra denial bits 0x100000 name no known action");
    CHECK(refusal([](JailSpec& s) { s.profile = static_cast<Profile>(7); }, Errc::invalid) ==
          "jail 'web': invalid profile 7");
}

TEST_CASE("a listed jail becomes a JailInfo with wall-clock creation time and counters") {
    jail_info i{};
    i.ji_id = 42;
    i.ji_flags = JAIL_CREATE_PROFILE | JAIL_CREATE_PORTS | JAIL_CREATE_RLIMIT_AS |
                 JAIL_CREATE_DENY;
    i.ji_profile = JAIL_PROFILE_LOW;
    i.ji_deny = 3;
    i.ji_nports = 2;
    i.ji_ports[0] = 53;
    i.ji_ports[1] = 853;
    i.ji_rlimit_as = JAIL_RLIMIT_INFINITY;
    i.ji_rlimit_nofile = 99;  // flag absent: not a limit
    i.ji_created_ns = 10'000'000'000ull;
    i.ji_proc_live = 3;
    i.ji_proc_zombie = 1;
    i.ji_cpu_ticks_total = 250;
    i.ji_cpu_hz = 100;
    i.ji_memory_bytes = 4096;
    i.ji_denied[JAIL_SCOPE_PROCESS] = 1;
    i.ji_denied[JAIL_SCOPE_SYSTEM] = 2;
    i.ji_denied[JAIL_SCOPE_NETWORK] = 3;
    std::strcpy(i.ji_name, "dns");
    std::strcpy(i.ji_root, "/var/jails/dns");

    const auto now = std::chrono::system_clock::now();
    JailInfo j = to_info(i, 12'500'000'000ull, now);
    CHECK(j.id == 42);
    CHECK(j.spec.name == "dns");
    CHECK(j.spec.root == "/var/jails/dns");
    CHECK(j.spec.profile == Profile::low);
    CHECK(j.spec.deny_extra == 3);
    CHECK(j.spec.ports == std::vector<std::uint16_t>{53, 853});
    CHECK(j.spec.limits.address_space == JAIL_RLIMIT_INFINITY);
    CHECK_FALSE(j.spec.limits.nofile);
    CHECK_FALSE(j.spec.limits.core);
    CHECK(j.spec.layout == Layout::rootfs);
    CHECK(j.age_seconds == doctest::Approx(2.5));
    CHECK(now - j.created == std::chrono::milliseconds(2500));
    CHECK(j.running);
    CHECK(j.procs_live == 3);
    CHECK(j.procs_zombie == 1);
    CHECK(j.cpu_seconds == doctest::Approx(2.5));
    CHECK(j.memory_bytes == 4096);
    CHECK(j.denied_process == 1);
    CHECK(j.denied_system == 2);
    CHECK(j.denied_network == 3);
}

TEST_CASE("a jail with only zombies is not running; odd kernel values stay harmless") {
    jail_info i{};
    i.ji_id = 1;
    i.ji_proc_zombie = 2;
    i.ji_nports = 999;                  // never more than the array
    i.ji_created_ns = 50;               // "in the future" of the clock below
    std::memset(i.ji_name, 'n', sizeof i.ji_name);  // no NUL
    JailInfo j = to_info(i, 10, std::chrono::system_clock::now());
    CHECK_FALSE(j.running);
    CHECK(j.spec.ports.size() == JAIL_PORTS_MAX);
    CHECK(j.age_seconds == 0);
    CHECK(j.cpu_seconds == 0);          // ji_cpu_hz 0
    CHECK(j.spec.name.size() == sizeof i.ji_name);
}

TEST_CASE("printable shows control bytes as escapes") {
    CHECK(printable("plain /path") == "plain /path");
    CHECK(printable(std::string("a\0b", 3)) == "a\\x00b");
    CHECK(printable("\x1b[31m") == "\\x1b[31m");
    CHECK(printable("\x7f") == "\\x7f");
}
