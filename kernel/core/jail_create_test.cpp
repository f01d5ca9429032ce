// Tests for jail_create_validate: every way a create payload can be wrong.
#include "jail_policy.h"
#include "jail_table.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace {

jail_create good() {
    jail_create c{};
    std::strcpy(c.jc_name, "web");
    std::strcpy(c.jc_root, "/srv/jails/web");
    return c;
}

int check(const jail_create& c, jail_create* out = nullptr) {
    jail_create tmp;
    return jail_create_validate(&c, sizeof c, out ? out : &tmp);
}

template <typename F>
int with(F mutate) {
    jail_create c = good();
    mutate(c);
    return check(c);
}

}  // namespace

TEST_CASE("a minimal payload is valid and defaults to the high profile") {
    jail_create out;
    std::memset(&out, 0xaa, sizeof out);
    REQUIRE(check(good(), &out) == 0);
    CHECK(out.jc_profile == JAIL_PROFILE_HIGH);
    CHECK(out.jc_id == 0);
    CHECK(out.jc_flags == 0);
    CHECK(std::string(out.jc_name) == "web");
    CHECK(std::string(out.jc_root) == "/srv/jails/web");
}

TEST_CASE("the payload must be exactly one struct jail_create") {
    jail_create c = good(), out;
    unsigned char big[sizeof(jail_create) + 1] = {};
    std::memcpy(big, &c, sizeof c);
    CHECK(jail_create_validate(&c, sizeof c - 1, &out) == EINVAL);
    CHECK(jail_create_validate(big, sizeof big, &out) == EINVAL);
    CHECK(jail_create_validate(&c, 0, &out) == EINVAL);
    CHECK(jail_create_validate(&c, sizeof(int), &out) == EINVAL);  // the old integer form
    CHECK(jail_create_validate(nullptr, sizeof c, &out) == EINVAL);
}

TEST_CASE("unknown flags and nonzero padding are rejected") {
    CHECK(with([](jail_create& c) { c.jc_flags = 0x40; }) == EINVAL);
    CHECK(with([](jail_create& c) { c.jc_flags = 0x80000000u; }) == EINVAL);
    CHECK(with([](jail_create& c) { c.jc_flags = JAIL_CREATE_FLAGS_ALL + 1; }) == EINVAL);
    CHECK(with([](jail_create& c) { c.jc_pad0 = 1; }) == EINVAL);
    CHECK(with([](jail_create& c) { c.jc_pad1 = 1; }) == EINVAL);
}

TEST_CASE("ports: 1 to 32 distinct nonzero ports, only with JAIL_CREATE_PORTS") {
    auto ports = [](std::vector<uint16_t> v, uint32_t flags = JAIL_CREATE_PORTS) {
        return with([&](jail_create& c) {
            c.jc_flags = flags;
            c.jc_nports = static_cast<uint16_t>(v.size());
            for (size_t i = 0; i < v.size() && i < JAIL_PORTS_MAX; i++) c.jc_ports[i] = v[i];
        });
    };
    CHECK(ports({8080}) == 0);
    CHECK(ports({80, 443, 8080}) == 0);
    std::vector<uint16_t> max;
    for (uint16_t p = 1; p <= JAIL_PORTS_MAX; p++) max.push_back(p);
    CHECK(ports(max) == 0);

    CHECK(ports({}) == EINVAL);                          // flag without ports
    CHECK(ports({0}) == EINVAL);                         // port 0
    CHECK(ports({8080, 0}) == EINVAL);
    CHECK(ports({8080, 8080}) == EINVAL);                // duplicate
    CHECK(ports({1, 2, 3, 2}) == EINVAL);
    CHECK(ports({8080}, 0) == EINVAL);                   // ports without the flag
    CHECK(with([](jail_create& c) {                      // too many
        c.jc_flags = JAIL_CREATE_PORTS;
        c.jc_nports = JAIL_PORTS_MAX + 1;
        for (unsigned i = 0; i < JAIL_PORTS_MAX; i++) c.jc_ports[i] = static_cast<uint16_t>(i + 1);
    }) == EINVAL);
    CHECK(with([](jail_create& c) {
        c.jc_flags = JAIL_CREATE_PORTS;
        c.jc_nports = 0xffff;
        c.jc_ports[0] = 1;
    }) == EINVAL);
}

TEST_CASE("unused port slots are not carried into the stored request") {
    jail_create c = good(), out;
    c.jc_flags = JAIL_CREATE_PORTS;
    c.jc_nports = 1;
    c.jc_ports[0] = 8080;
    c.jc_ports[5] = 9999;  // garbage beyond jc_nports
    REQUIRE(check(c, &out) == 0);
    CHECK(out.jc_ports[0] == 8080);
    CHECK(out.jc_ports[5] == 0);
}

TEST_CASE("profile: low, medium or high with its flag; nothing without it") {
    for (uint32_t p : {JAIL_PROFILE_LOW, JAIL_PROFILE_MEDIUM, JAIL_PROFILE_HIGH}) {
        jail_create c = good(), out;
        c.jc_flags = JAIL_CREATE_PROFILE;
        c.jc_profile = p;
        REQUIRE(check(c, &out) == 0);
        CHECK(out.jc_profile == p);
    }
    CHECK(with([](jail_create& c) { c.jc_flags = JAIL_CREATE_PROFILE; c.jc_profile = 3; }) == EINVAL);
    CHECK(with([](jail_create& c) {
        c.jc_flags = JAIL_CREATE_PROFILE;
        c.jc_profile = 0xffffffffu;
    }) == EINVAL);
    CHECK(with([](jail_create& c) { c.jc_profile = JAIL_PROFILE_LOW + 1; }) == EINVAL);
}

TEST_CASE("rlimits and extra denials are zero unless their flag is set") {
    struct Field {
        uint32_t flag;
        void (*set)(jail_create&, uint64_t);
    };
    const Field fields[] = {
        {JAIL_CREATE_RLIMIT_NOFILE, [](jail_create& c, uint64_t v) { c.jc_rlimit_nofile = v; }},
        {JAIL_CREATE_RLIMIT_AS, [](jail_create& c, uint64_t v) { c.jc_rlimit_as = v; }},
        {JAIL_CREATE_RLIMIT_CORE, [](jail_create& c, uint64_t v) { c.jc_rlimit_core = v; }},
        {JAIL_CREATE_DENY, [](jail_create& c, uint64_t v) { c.jc_deny = static_cast<uint32_t>(v); }},
    };
    for (const auto& f : fields) {
        CAPTURE(f.flag);
        CHECK(with([&](jail_create& c) { f.set(c, 1); }) == EINVAL);
        CHECK(with([&](jail_create& c) { c.jc_flags = f.flag; f.set(c, 1); }) == 0);
        CHECK(with([&](jail_create& c) { c.jc_flags = f.flag; f.set(c, 0); }) == 0);
    }
    // A core size of 0 is a real limit; INFINITY is "unlimited".
    jail_create c = good(), out;
    c.jc_flags = JAIL_CREATE_RLIMIT_AS | JAIL_CREATE_RLIMIT_NOFILE;
    c.jc_rlimit_as = JAIL_RLIMIT_INFINITY;
    c.jc_rlimit_nofile = 8192;
    REQUIRE(check(c, &out) == 0);
    CHECK(out.jc_rlimit_as == JAIL_RLIMIT_INFINITY);
    CHECK(out.jc_rlimit_nofile == 8192);
}

TEST_CASE("extra denials must name real actions") {
    CHECK(with([](jail_create& c) {
        c.jc_flags = JAIL_CREATE_DENY;
        c.jc_deny = JAIL_DENY_VALID_MASK;
    }) == 0);
    CHECK(with([](jail_create& c) {
        c.jc_flags = JAIL_CREATE_DENY;
        c.jc_deny = 1u << JAIL_ACT_COUNT;
    }) == EINVAL);
    CHECK(with([](jail_create& c) {
        c.jc_flags = JAIL_CREATE_DENY;
        c.jc_deny = 0x80000000u;
    }) == EINVAL);
}

TEST_CASE("names: 1 to 63 bytes of A-Z a-z 0-9 . _ -, NUL-terminated") {
    auto name = [](const std::string& n) {
        return with([&](jail_create& c) {
            std::memset(c.jc_name, 0, sizeof c.jc_name);
            std::memcpy(c.jc_name, n.data(), std::min(n.size(), sizeof c.jc_name));
        });
    };
    CHECK(name("web") == 0);
    CHECK(name("Web-01.prod_a") == 0);
    CHECK(name("...") == 0);
    CHECK(name("-x") == 0);
    CHECK(name(std::string(63, 'a')) == 0);
    CHECK(name("") == EINVAL);
    CHECK(name(std::string(64, 'a')) == EINVAL);  // no NUL within bounds
    CHECK(name(".") == EINVAL);
    CHECK(name("..") == EINVAL);
    for (const char* bad : {"we b", "web/1", "web\n", "caf\xc3\xa9", "a:b", "a\tb", "a\x7f"}) {
        CAPTURE(bad);
        CHECK(name(bad) == EINVAL);
    }
}

TEST_CASE("roots: absolute, at most 255 bytes, no control bytes") {
    auto root = [](const std::string& r) {
        return with([&](jail_create& c) {
            std::memset(c.jc_root, 0, sizeof c.jc_root);
            std::memcpy(c.jc_root, r.data(), std::min(r.size(), sizeof c.jc_root));
        });
    };
    CHECK(root("/") == 0);
    CHECK(root("/srv/my jails/web") == 0);  // spaces are fine
    CHECK(root("/srv/caf\xc3\xa9") == 0);   // so is UTF-8
    CHECK(root("/" + std::string(254, 'r')) == 0);
    CHECK(root("/" + std::string(255, 'r')) == EINVAL);  // no NUL within bounds
    CHECK(root("") == EINVAL);
    CHECK(root("srv/web") == EINVAL);
    CHECK(root("./web") == EINVAL);
    for (const char* bad : {"/srv/web\n", "/srv/\rweb", "/srv/\tweb", "/srv/\x1b[31m", "/srv/\x7f"}) {
        CAPTURE(bad);
        CHECK(root(bad) == EINVAL);
    }
}

TEST_CASE("bytes after the NUL of a name or root are not stored") {
    jail_create c = good(), out;
    c.jc_name[10] = 'X';
    c.jc_root[100] = 'Y';
    c.jc_id = 42;  // an input ID is ignored
    REQUIRE(check(c, &out) == 0);
    CHECK(out.jc_name[10] == 0);
    CHECK(out.jc_root[100] == 0);
    CHECK(out.jc_id == 0);
}
