// Tests for jail_policy.c: every cell of the profile matrix, the process
// rule and the bind rule.
#include "jail_policy.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

const jail_subject host_root{JAIL_ID_HOST, 1};
const jail_subject host_user{JAIL_ID_HOST, 0};
const jail_subject web{7, 0};  // jailed root is not host root
const jail_subject db{9, 0};

// DESIGN.md section 3, written out cell by cell: what each profile denies.
bool expected_denied(uint32_t profile, jail_action act) {
    if (act == JAIL_ACT_PRIVATE_READ) return true;
    if (act == JAIL_ACT_SYSVIPC) return profile == JAIL_PROFILE_HIGH;
    return profile >= JAIL_PROFILE_MEDIUM;
}

const uint32_t profiles[] = {JAIL_PROFILE_LOW, JAIL_PROFILE_MEDIUM, JAIL_PROFILE_HIGH};

}  // namespace

TEST_CASE("action and profile names are the manifest vocabulary, in enum order") {
    const std::vector<std::string> names = {
        "private_read", "mount", "module", "mknod", "chroot", "reboot", "swap",
        "accounting", "time", "cpu_admin", "kernaddr", "filehandle", "sysctl_write",
        "net_admin", "raw_socket", "route_socket", "device", "machdep", "sysvipc"};
    REQUIRE(names.size() == JAIL_ACT_COUNT);
    for (unsigned i = 0; i < JAIL_ACT_COUNT; i++) {
        auto act = static_cast<jail_action>(i);
        CHECK(jail_action_name(act) == names[i]);
        CHECK(jail_action_by_name(names[i].c_str()) == act);
    }
    CHECK(std::string(jail_action_name(JAIL_ACT_COUNT)) == "unknown");
    CHECK(jail_action_by_name("Mount") == JAIL_ACT_COUNT);
    CHECK(jail_action_by_name("") == JAIL_ACT_COUNT);
    CHECK(jail_action_by_name(nullptr) == JAIL_ACT_COUNT);

    CHECK(std::string(jail_profile_name(JAIL_PROFILE_LOW)) == "low");
    CHECK(std::string(jail_profile_name(JAIL_PROFILE_MEDIUM)) == "medium");
    CHECK(std::string(jail_profile_name(JAIL_PROFILE_HIGH)) == "high");
    CHECK(jail_profile_name(3) == nullptr);
    CHECK(JAIL_PROFILE_DEFAULT == JAIL_PROFILE_HIGH);

    CHECK(std::string(jail_scope_name(JAIL_SCOPE_PROCESS)) == "process");
    CHECK(std::string(jail_scope_name(JAIL_SCOPE_SYSTEM)) == "system");
    CHECK(std::string(jail_scope_name(JAIL_SCOPE_NETWORK)) == "network");
    CHECK(std::string(jail_scope_name(JAIL_SCOPE_COUNT)) == "unknown");
}

TEST_CASE("network administration counts as network, everything else as system") {
    for (unsigned i = 0; i < JAIL_ACT_COUNT; i++) {
        auto act = static_cast<jail_action>(i);
        bool net = act == JAIL_ACT_NET_ADMIN || act == JAIL_ACT_RAW_SOCKET ||
                   act == JAIL_ACT_ROUTE_SOCKET;
        CAPTURE(jail_action_name(act));
        CHECK(jail_action_scope(act) == (net ? JAIL_SCOPE_NETWORK : JAIL_SCOPE_SYSTEM));
    }
    CHECK(jail_action_scope(JAIL_ACT_COUNT) == JAIL_SCOPE_SYSTEM);
}

TEST_CASE("every cell of the profile matrix, for a jailed process") {
    for (uint32_t p : profiles) {
        for (unsigned i = 0; i < JAIL_ACT_COUNT; i++) {
            auto act = static_cast<jail_action>(i);
            CAPTURE(jail_profile_name(p));
            CAPTURE(jail_action_name(act));
            bool deny = expected_denied(p, act);
            CHECK(jail_profile_denies(p, 0, act) == (deny ? 1 : 0));
            jail_decision d = jail_policy_action(&web, p, 0, act);
            CHECK(d.verdict == (deny ? JAIL_DENY : JAIL_DEFER));
            if (deny) CHECK(d.scope == jail_action_scope(act));
        }
    }
}

TEST_CASE("host credentials, root or not, are never restricted by a profile") {
    for (uint32_t p : {0u, 1u, 2u, 3u, 0xffffffffu}) {
        for (unsigned i = 0; i <= JAIL_ACT_COUNT; i++) {
            auto act = static_cast<jail_action>(i);
            CHECK(jail_policy_action(&host_root, p, JAIL_DENY_VALID_MASK, act).verdict ==
                  JAIL_DEFER);
            CHECK(jail_policy_action(&host_user, p, JAIL_DENY_VALID_MASK, act).verdict ==
                  JAIL_DEFER);
        }
    }
}

TEST_CASE("a corrupt profile, deny mask or action fails closed") {
    for (uint32_t bad : {3u, 4u, 0x80000000u, 0xffffffffu}) {
        for (unsigned i = 0; i < JAIL_ACT_COUNT; i++) {
            auto act = static_cast<jail_action>(i);
            CHECK(jail_profile_denies(bad, 0, act) == 1);
            jail_decision d = jail_policy_action(&web, bad, 0, act);
            CHECK(d.verdict == JAIL_DENY);
            CHECK(d.scope == jail_action_scope(act));
        }
    }
    // A deny mask with bits beyond the vocabulary is corruption too.
    CHECK(jail_profile_denies(JAIL_PROFILE_LOW, 1u << JAIL_ACT_COUNT, JAIL_ACT_MOUNT) == 1);
    CHECK(jail_profile_denies(JAIL_PROFILE_LOW, 0x80000000u, JAIL_ACT_SYSVIPC) == 1);
    // An unknown action is denied at every profile, as host administration.
    for (uint32_t p : profiles) {
        CHECK(jail_profile_denies(p, 0, JAIL_ACT_COUNT) == 1);
        jail_decision d = jail_policy_action(&web, p, 0, static_cast<jail_action>(99));
        CHECK(d.verdict == JAIL_DENY);
        CHECK(d.scope == JAIL_SCOPE_SYSTEM);
    }
}

TEST_CASE("extra deny bits deny exactly their action on top of the profile") {
    for (uint32_t p : profiles) {
        for (unsigned extra = 0; extra < JAIL_ACT_COUNT; extra++) {
            uint32_t mask = 1u << extra;
            for (unsigned i = 0; i < JAIL_ACT_COUNT; i++) {
                auto act = static_cast<jail_action>(i);
                bool deny = expected_denied(p, act) || i == extra;
                CAPTURE(jail_profile_name(p));
                CAPTURE(jail_action_name(act));
                CHECK(jail_profile_denies(p, mask, act) == (deny ? 1 : 0));
            }
        }
    }
    // "medium + sysvipc" is high; "low + mount + chroot" denies just those more.
    uint32_t low_plus = (1u << JAIL_ACT_MOUNT) | (1u << JAIL_ACT_CHROOT);
    CHECK(jail_policy_action(&web, JAIL_PROFILE_LOW, low_plus, JAIL_ACT_MOUNT).verdict == JAIL_DENY);
    CHECK(jail_policy_action(&web, JAIL_PROFILE_LOW, low_plus, JAIL_ACT_CHROOT).verdict == JAIL_DENY);
    CHECK(jail_policy_action(&web, JAIL_PROFILE_LOW, low_plus, JAIL_ACT_MKNOD).verdict == JAIL_DEFER);
    CHECK(JAIL_DENY_VALID_MASK == 0x7ffffu);
}

TEST_CASE("a jailed process cannot act on processes outside its jail") {
    CHECK(jail_policy_process(&web, 7).verdict == JAIL_DEFER);   // own jail
    jail_decision d = jail_policy_process(&web, 9);              // another jail
    CHECK(d.verdict == JAIL_DENY);
    CHECK(d.scope == JAIL_SCOPE_PROCESS);
    CHECK(jail_policy_process(&web, JAIL_ID_HOST).verdict == JAIL_DENY);  // the host
    CHECK(jail_policy_process(&db, 7).verdict == JAIL_DENY);
}

TEST_CASE("unprivileged host users cannot act on jailed processes; host root can") {
    CHECK(jail_policy_process(&host_user, JAIL_ID_HOST).verdict == JAIL_DEFER);
    jail_decision d = jail_policy_process(&host_user, 7);
    CHECK(d.verdict == JAIL_DENY);
    CHECK(d.scope == JAIL_SCOPE_PROCESS);
    CHECK(jail_policy_process(&host_root, 7).verdict == JAIL_DEFER);
    CHECK(jail_policy_process(&host_root, JAIL_ID_HOST).verdict == JAIL_DEFER);
}

namespace {

// A bind request as the kernel sees it: a sockaddr.  The module turns it
// into (family, port) exactly like this; the address never reaches the
// policy, which is the point.
struct Bind {
    std::string label;
    sockaddr_storage ss{};
};

Bind v4(const char* label, const char* addr, uint16_t port) {
    Bind b{label, {}};
    auto* sin = reinterpret_cast<sockaddr_in*>(&b.ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    REQUIRE(inet_pton(AF_INET, addr, &sin->sin_addr) == 1);
    return b;
}

Bind v6(const char* label, const char* addr, uint16_t port) {
    Bind b{label, {}};
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&b.ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    REQUIRE(inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1);
    return b;
}

jail_decision decide(const jail_subject& who, const Bind& b, jail_id_t owner_of_port) {
    int af = 0;
    uint16_t port = 0;
    if (b.ss.ss_family == AF_INET) {
        af = JAIL_AF_INET;
        port = ntohs(reinterpret_cast<const sockaddr_in*>(&b.ss)->sin_port);
    } else if (b.ss.ss_family == AF_INET6) {
        af = JAIL_AF_INET6;
        port = ntohs(reinterpret_cast<const sockaddr_in6*>(&b.ss)->sin6_port);
    }
    return jail_policy_bind(&who, af, port, port == 0 ? JAIL_ID_HOST : owner_of_port);
}

std::vector<Bind> every_address(uint16_t port) {
    return {v4("v4 wildcard", "0.0.0.0", port),        v4("v4 specific", "192.0.2.10", port),
            v4("v4 loopback", "127.0.0.1", port),      v6("v6 wildcard", "::", port),
            v6("v6 specific", "2001:db8::10", port),   v6("v6 loopback", "::1", port),
            v6("v6 v4-mapped", "::ffff:127.0.0.1", port)};
}

}  // namespace

TEST_CASE("a port reserved by web cannot be bound by db, on any address, v4 or v6") {
    for (const auto& b : every_address(8080)) {
        CAPTURE(b.label);
        jail_decision d = decide(db, b, 7);
        CHECK(d.verdict == JAIL_DENY);
        CHECK(d.scope == JAIL_SCOPE_NETWORK);
        // Nor by an unprivileged host process.
        CHECK(decide(host_user, b, 7).verdict == JAIL_DENY);
    }
}

TEST_CASE("the owner of a reserved port defers to the normal privilege checks") {
    for (const auto& b : every_address(8080)) {
        CAPTURE(b.label);
        CHECK(decide(web, b, 7).verdict == JAIL_DEFER);
    }
    // A reserved privileged port is not granted either: DEFER, never ALLOW.
    for (const auto& b : every_address(80)) CHECK(decide(web, b, 7).verdict == JAIL_DEFER);
}

TEST_CASE("host root is exempt from reservations") {
    for (const auto& b : every_address(8080)) {
        CAPTURE(b.label);
        CHECK(decide(host_root, b, 7).verdict == JAIL_DEFER);
    }
}

TEST_CASE("port 0 and unreserved ports are never restricted by reservations") {
    for (const auto& b : every_address(0)) {
        CAPTURE(b.label);
        CHECK(decide(db, b, 7).verdict == JAIL_DEFER);
        CHECK(decide(host_user, b, 7).verdict == JAIL_DEFER);
    }
    // The policy itself ignores an owner for port 0.
    CHECK(jail_policy_bind(&db, JAIL_AF_INET, 0, 7).verdict == JAIL_DEFER);
    for (const auto& b : every_address(9090)) {
        CHECK(decide(db, b, JAIL_ID_HOST).verdict == JAIL_DEFER);
        CHECK(decide(web, b, JAIL_ID_HOST).verdict == JAIL_DEFER);
    }
}

TEST_CASE("families other than IPv4 and IPv6 are not the bind rule's business") {
    for (int af : {0, 1, 2, 10, 31, -1})
        CHECK(jail_policy_bind(&db, af, 8080, 7).verdict == JAIL_DEFER);
    CHECK(jail_policy_bind(&db, JAIL_AF_INET, 8080, 7).verdict == JAIL_DENY);
    CHECK(jail_policy_bind(&db, JAIL_AF_INET6, 8080, 7).verdict == JAIL_DENY);
}
