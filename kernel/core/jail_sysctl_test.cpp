// Tests for jail_sysctl.c: every errno of every security.models.jail node,
// the lock discipline (nothing that may sleep runs under the table lock),
// and the transactional create/destroy protocols.
#include "jail_sysctl.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "jail_test_env.hpp"

using jailmgr::kernel::testing::JailTestEnv;
using jailmgr::kernel::testing::Members;

namespace {

// What a failed request must leave untouched.
std::string state(const JailTestEnv& k) {
    std::ostringstream o;
    o << k.table.jt_next_id << '/' << k.table.jt_active << '/' << k.table.jt_generation;
    for (const jail_entry* e = k.table.jt_all; e; e = e->je_all_next)
        o << ' ' << e->je_spec.jc_id << ':' << e->je_spec.jc_name << ':' << e->je_state << ':'
          << e->je_holds;
    return o.str();
}

std::vector<jail_info> list(JailTestEnv& k) {
    size_t len = 0;
    REQUIRE(k.call(jail_sysctl_list, nullptr, &len, nullptr, 0) == 0);
    std::vector<jail_info> v(len / sizeof(jail_info));
    REQUIRE(k.call(jail_sysctl_list, v.data(), &len, nullptr, 0) == 0);
    v.resize(len / sizeof(jail_info));
    return v;
}

jail_id_t make(JailTestEnv& k, const char* name, std::vector<uint16_t> ports = {}) {
    jail_create c = JailTestEnv::spec(name, "/srv/jail", ports);
    REQUIRE(k.create(&c) == 0);
    return c.jc_id;
}

void clean(const JailTestEnv& k) {
    CHECK(k.lock_violations == 0);
    CHECK_FALSE(k.locked);
    CHECK(k.live_buffers == 0);
}

}  // namespace

TEST_CASE("create returns the new ID in the same struct and the jail is listed") {
    JailTestEnv k;
    jail_create c = JailTestEnv::spec("web", "/srv/web", {8080});
    size_t oldlen = sizeof c;
    jail_sysctl_req r{&c, &oldlen, &c, sizeof c};
    REQUIRE(jail_sysctl_create(&k.env, &k, &k.who, &r) == 0);
    CHECK(c.jc_id == 1);
    CHECK(c.jc_profile == JAIL_PROFILE_HIGH);  // normalized reply
    CHECK(oldlen == sizeof c);
    auto v = list(k);
    REQUIRE(v.size() == 1);
    CHECK(std::string(v[0].ji_name) == "web");
    CHECK(v[0].ji_created_ns == k.now_ns);
    CHECK(k.events == std::vector<std::string>{"created web 1"});
    CHECK(k.live_entries == 1);
    clean(k);
}

TEST_CASE("create: every refusal leaves the table as it was and frees what it took") {
    JailTestEnv k;
    make(k, "db", {5432});
    const std::string before = state(k);
    auto refused = [&](int expected, jail_create c, size_t newlen = sizeof(jail_create),
                       size_t oldlen = sizeof(jail_create)) {
        CHECK(k.create(&c, newlen, oldlen) == expected);
        CHECK(state(k) == before);
        CHECK(k.live_entries == 1);
        clean(k);
    };
    auto web = JailTestEnv::spec("web", "/srv/web", {8080});

    SUBCASE("no new value: EINVAL") {
        size_t oldlen = sizeof web;
        jail_sysctl_req r{&web, &oldlen, nullptr, 0};
        CHECK(jail_sysctl_create(&k.env, &k, &k.who, &r) == EINVAL);
        CHECK(state(k) == before);
    }
    SUBCASE("not host root: EPERM") {
        k.who = {JAIL_ID_HOST, 0};
        refused(EPERM, web);
        k.who = {1, 0};
        refused(EPERM, web);
    }
    SUBCASE("no room for the reply: ENOMEM before anything changes") {
        refused(ENOMEM, web, sizeof web, sizeof web - 1);
        size_t oldlen = sizeof web;
        jail_sysctl_req r{nullptr, &oldlen, &web, sizeof web};
        CHECK(jail_sysctl_create(&k.env, &k, &k.who, &r) == ENOMEM);
        jail_sysctl_req r2{&web, nullptr, &web, sizeof web};
        CHECK(jail_sysctl_create(&k.env, &k, &k.who, &r2) == ENOMEM);
        CHECK(state(k) == before);
    }
    SUBCASE("wrong size or invalid payload: EINVAL") {
        refused(EINVAL, web, sizeof web - 8);
        refused(EINVAL, web, sizeof(uint32_t));
        refused(EINVAL, JailTestEnv::spec("bad name"));
        refused(EINVAL, JailTestEnv::spec("web", "relative"));
        auto bad = web;
        bad.jc_flags |= 0x100;
        refused(EINVAL, bad);
    }
    SUBCASE("copyin fault: EFAULT") {
        k.copyin_error = EFAULT;
        refused(EFAULT, web);
    }
    SUBCASE("the root cannot be resolved: the environment's errno") {
        k.prepare_error = ENOTDIR;
        refused(ENOTDIR, web);
        k.prepare_error = ENOENT;
        refused(ENOENT, web);
    }
    SUBCASE("no memory: ENOMEM") {
        k.alloc_fails = true;
        refused(ENOMEM, web);
    }
    SUBCASE("a taken name or port: EEXIST") {
        refused(EEXIST, JailTestEnv::spec("db"));
        refused(EEXIST, JailTestEnv::spec("web", "/srv/web", {80, 5432}));
    }
    SUBCASE("IDs exhausted: EOVERFLOW") {
        k.table.jt_next_id = JAIL_ID_HOST;  // the counter has wrapped
        const std::string wrapped = state(k);
        auto c = web;
        CHECK(k.create(&c) == EOVERFLOW);
        CHECK(state(k) == wrapped);
        CHECK(k.live_entries == 1);
    }
    CHECK(k.events.size() == 1);  // only db's create was logged
}

TEST_CASE("a create whose reply cannot be copied out leaves no jail behind") {
    JailTestEnv k;
    k.copyout_error = EFAULT;
    auto web = JailTestEnv::spec("web", "/srv/web", {8080});
    CHECK(k.create(&web) == EFAULT);
    CHECK(k.live_entries == 0);
    CHECK(k.events.empty());
    k.copyout_error = 0;
    CHECK(list(k).empty());
    CHECK(jail_table_port_owner(&k.table, 8080) == JAIL_ID_HOST);
    // Name and port are free; the burnt ID is not handed out again.
    auto again = JailTestEnv::spec("web", "/srv/web", {8080});
    REQUIRE(k.create(&again) == 0);
    CHECK(again.jc_id == 2);
    clean(k);
}

TEST_CASE("destroy: EPERM, EINVAL, ENOENT, EBUSY with members or holds, then success") {
    JailTestEnv k;
    jail_id_t web = make(k, "web", {8080});
    const std::string before = state(k);

    k.who = {JAIL_ID_HOST, 0};
    CHECK(k.destroy(web) == EPERM);
    k.who = {web, 0};
    CHECK(k.destroy(web) == EPERM);
    k.who = {JAIL_ID_HOST, 1};

    jail_sysctl_req none{nullptr, nullptr, nullptr, 0};
    CHECK(jail_sysctl_destroy(&k.env, &k, &k.who, &none) == EINVAL);
    uint64_t wide = web;
    jail_sysctl_req wrong{nullptr, nullptr, &wide, sizeof wide};
    CHECK(jail_sysctl_destroy(&k.env, &k, &k.who, &wrong) == EINVAL);
    CHECK(k.destroy(JAIL_ID_HOST) == EINVAL);
    CHECK(k.destroy(99) == ENOENT);
    CHECK(state(k) == before);

    k.members[web] = Members{2, 0};
    CHECK(k.destroy(web) == EBUSY);
    k.members[web] = Members{0, 1};  // a zombie is still a member
    CHECK(k.destroy(web) == EBUSY);
    k.members[web] = Members{};
    k.members_error = EINTR;
    CHECK(k.destroy(web) == EINTR);
    k.members_error = 0;
    CHECK(list(k).size() == 1);  // still there, ACTIVE again

    jail_entry_hold(jail_table_find_id(&k.table, web));
    CHECK(k.destroy(web) == EBUSY);
    jail_entry_rele(jail_table_find_id(&k.table, web));

    CHECK(k.destroy(web) == 0);
    CHECK(list(k).empty());
    CHECK(k.live_entries == 0);
    CHECK(k.events.back() == "destroyed 1 web");
    CHECK(k.destroy(web) == ENOENT);
    CHECK(k.table.jt_destroyed == 1);
    clean(k);
}

TEST_CASE("nobody can enter a jail while its destroy is checking for members") {
    JailTestEnv k;
    jail_id_t web = make(k, "web");
    int enter_during_destroy = -1;
    bool once = true;
    k.on_members = [&] {
        if (std::exchange(once, false)) enter_during_destroy = k.enter(web);
    };
    CHECK(k.destroy(web) == 0);
    CHECK(enter_during_destroy == ENOENT);
    CHECK(k.who.jail == JAIL_ID_HOST);
    clean(k);
}

TEST_CASE("list: host credentials only, size-then-fetch, ENOMEM with the size needed") {
    JailTestEnv k;
    CHECK(list(k).empty());
    make(k, "a");
    make(k, "b");
    make(k, "c");

    size_t len = 0;
    REQUIRE(k.call(jail_sysctl_list, nullptr, &len, nullptr, 0) == 0);
    CHECK(len == 3 * sizeof(jail_info));

    std::vector<jail_info> small(2);
    len = 2 * sizeof(jail_info);
    CHECK(k.call(jail_sysctl_list, small.data(), &len, nullptr, 0) == ENOMEM);
    CHECK(len == 3 * sizeof(jail_info));

    auto v = list(k);
    REQUIRE(v.size() == 3);
    CHECK(v[0].ji_id == 1);
    CHECK(v[2].ji_id == 3);

    k.who = {JAIL_ID_HOST, 0};  // an unprivileged host user may list
    CHECK(list(k).size() == 3);
    k.who = {2, 0};
    CHECK(k.call(jail_sysctl_list, nullptr, &len, nullptr, 0) == EPERM);
    k.who = {JAIL_ID_HOST, 1};
    int x = 0;
    CHECK(k.call(jail_sysctl_list, nullptr, &len, &x, sizeof x) == EPERM);
    CHECK(k.call(jail_sysctl_list, nullptr, nullptr, nullptr, 0) == EINVAL);

    k.copyout_error = EFAULT;
    std::vector<jail_info> big(3);
    len = 3 * sizeof(jail_info);
    CHECK(k.call(jail_sysctl_list, big.data(), &len, nullptr, 0) == EFAULT);
    clean(k);
}

TEST_CASE("list retries when the table grows while its buffer is allocated") {
    JailTestEnv k;
    make(k, "a");
    int grow = 1;
    k.on_buf_alloc = [&] {
        if (grow-- > 0) make(k, "late");
    };
    std::vector<jail_info> v(8);
    size_t len = v.size() * sizeof(jail_info);
    REQUIRE(k.call(jail_sysctl_list, v.data(), &len, nullptr, 0) == 0);
    CHECK(len == 2 * sizeof(jail_info));
    CHECK(std::string(v[1].ji_name) == "late");

    // A table that keeps growing gives up with EAGAIN instead of looping.
    int n = 0;
    k.on_buf_alloc = [&] { make(k, ("x" + std::to_string(n++)).c_str()); };
    std::vector<jail_info> huge(64);
    len = huge.size() * sizeof(jail_info);
    CHECK(k.call(jail_sysctl_list, huge.data(), &len, nullptr, 0) == EAGAIN);
    clean(k);
}

TEST_CASE("stats: counters for the whole module, host credentials only") {
    JailTestEnv k;
    jail_id_t a = make(k, "a");
    make(k, "b");
    REQUIRE(k.destroy(a) == 0);
    uint64_t dropped;
    jail_audit_deny(&k.table, &k.ratelimit, 2, JAIL_SCOPE_NETWORK, 1, &dropped);
    jail_audit_deny(&k.table, &k.ratelimit, 2, JAIL_SCOPE_NETWORK, 2, &dropped);

    jail_stats s{};
    size_t len = sizeof s;
    REQUIRE(k.call(jail_sysctl_stats, &s, &len, nullptr, 0) == 0);
    CHECK(s.js_abi_version == JAIL_ABI_VERSION);
    CHECK(s.js_jails == 1);
    CHECK(s.js_created == 2);
    CHECK(s.js_destroyed == 1);
    CHECK(s.js_denied[JAIL_SCOPE_NETWORK] == 2);
    CHECK(s.js_log_suppressed == 1);
    CHECK(s.js_generation == k.table.jt_generation);

    len = 0;
    REQUIRE(k.call(jail_sysctl_stats, nullptr, &len, nullptr, 0) == 0);
    CHECK(len == sizeof s);
    len = sizeof s - 1;
    CHECK(k.call(jail_sysctl_stats, &s, &len, nullptr, 0) == ENOMEM);
    k.who = {2, 1};
    len = sizeof s;
    CHECK(k.call(jail_sysctl_stats, &s, &len, nullptr, 0) == EPERM);
    clean(k);
}

TEST_CASE("reading id gives the caller's own jail, inside a jail too") {
    JailTestEnv k;
    jail_id_t own = 123;
    size_t len = sizeof own;
    REQUIRE(k.call(jail_sysctl_id, &own, &len, nullptr, 0) == 0);
    CHECK(own == JAIL_ID_HOST);
    k.who = {7, 0};
    REQUIRE(k.call(jail_sysctl_id, &own, &len, nullptr, 0) == 0);
    CHECK(own == 7);
    len = 2;
    CHECK(k.call(jail_sysctl_id, &own, &len, nullptr, 0) == ENOMEM);
    clean(k);
}

TEST_CASE("entering: host root only, into an existing jail, chrooted at its root") {
    JailTestEnv k;
    jail_id_t web = make(k, "web");
    jail_id_t db = make(k, "db");

    CHECK(k.enter(JAIL_ID_HOST) == 0);  // already there: a no-op
    CHECK(k.who.jail == JAIL_ID_HOST);
    CHECK(k.enter(99) == ENOENT);
    jail_id_t narrow = web;
    jail_sysctl_req r{nullptr, nullptr, &narrow, 2};
    CHECK(jail_sysctl_id(&k.env, &k, &k.who, &r) == EINVAL);

    k.chrooted = false;
    CHECK(k.enter(web) == EPERM);
    CHECK(k.who.jail == JAIL_ID_HOST);
    k.chrooted = true;

    k.who = {JAIL_ID_HOST, 0};  // unprivileged host user
    CHECK(k.enter(web) == EPERM);
    k.who = {JAIL_ID_HOST, 1};

    REQUIRE(k.enter(web) == 0);
    CHECK(k.who.jail == web);
    CHECK(jail_table_find_id(&k.table, web)->je_holds == 0);  // hold released

    // Once inside, even root can neither leave nor hop.
    CHECK(k.enter(JAIL_ID_HOST) == EPERM);
    CHECK(k.enter(db) == EPERM);
    CHECK(k.enter(web) == EPERM);
    CHECK(k.who.jail == web);
    clean(k);
}

TEST_CASE("a jail being entered cannot be destroyed until the credential is in") {
    JailTestEnv k;
    jail_id_t web = make(k, "web");
    int destroy_during_enter = -1;
    k.on_chrooted = [&] {
        jail_subject root{JAIL_ID_HOST, 1};
        jail_sysctl_req r{nullptr, nullptr, &web, sizeof web};
        destroy_during_enter = jail_sysctl_destroy(&k.env, &k, &root, &r);
    };
    REQUIRE(k.enter(web) == 0);
    CHECK(destroy_during_enter == EBUSY);
    CHECK(jail_table_find_id(&k.table, web) != nullptr);
    clean(k);
}

TEST_CASE("kill signals the live members and reports live and zombie counts") {
    JailTestEnv k;
    jail_id_t web = make(k, "web");
    k.members[web] = Members{3, 2};
    jail_kill req{web, 9, 0, 0};
    size_t len = sizeof req;
    REQUIRE(k.call(jail_sysctl_kill, &req, &len, &req, sizeof req) == 0);
    CHECK(req.jk_live == 3);
    CHECK(req.jk_zombie == 2);
    CHECK(k.signals == std::vector<std::pair<jail_id_t, int>>{{web, 9}});

    jail_kill probe{web, 0, 0, 0};
    REQUIRE(k.call(jail_sysctl_kill, &probe, &len, &probe, sizeof probe) == 0);
    CHECK(probe.jk_live == 3);
    CHECK(k.signals.size() == 1);  // signal 0 only counts

    // Fire and forget: no old buffer needed.
    jail_kill term{web, 15, 0, 0};
    CHECK(k.call(jail_sysctl_kill, nullptr, nullptr, &term, sizeof term) == 0);
    CHECK(k.signals.back().second == 15);
    clean(k);
}

TEST_CASE("kill: EPERM, EINVAL, ENOENT, ENOMEM") {
    JailTestEnv k;
    jail_id_t web = make(k, "web");
    jail_kill req{web, 9, 0, 0};
    size_t len = sizeof req;
    k.who = {JAIL_ID_HOST, 0};
    CHECK(k.call(jail_sysctl_kill, &req, &len, &req, sizeof req) == EPERM);
    k.who = {web, 0};
    CHECK(k.call(jail_sysctl_kill, &req, &len, &req, sizeof req) == EPERM);
    k.who = {JAIL_ID_HOST, 1};
    CHECK(k.call(jail_sysctl_kill, &req, &len, &req, sizeof req - 1) == EINVAL);
    CHECK(k.call(jail_sysctl_kill, &req, &len, nullptr, 0) == EINVAL);
    jail_kill host{JAIL_ID_HOST, 9, 0, 0};
    CHECK(k.call(jail_sysctl_kill, &host, &len, &host, sizeof host) == EINVAL);
    jail_kill neg{web, -1, 0, 0};
    CHECK(k.call(jail_sysctl_kill, &neg, &len, &neg, sizeof neg) == EINVAL);
    jail_kill gone{42, 9, 0, 0};
    CHECK(k.call(jail_sysctl_kill, &gone, &len, &gone, sizeof gone) == ENOENT);
    len = sizeof req - 1;
    CHECK(k.call(jail_sysctl_kill, &req, &len, &req, sizeof req) == ENOMEM);
    k.members_error = EINVAL;  // the kernel does not know the signal
    len = sizeof req;
    CHECK(k.call(jail_sysctl_kill, &req, &len, &req, sizeof req) == EINVAL);
    CHECK(k.signals.empty());
    CHECK(jail_table_find_id(&k.table, web)->je_holds == 0);
    clean(k);
}
