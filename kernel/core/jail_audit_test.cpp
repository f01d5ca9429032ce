// Tests for jail_audit.c and jail_sample.c: deny counters, the log rate
// limit, and the sampler's three steps.
#include "jail_audit.h"
#include "jail_sample.h"

#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <vector>

namespace {

constexpr uint64_t sec = 1'000'000'000ull;

struct Table {
    jail_table t{};
    std::vector<std::unique_ptr<jail_entry>> pool;
    Table() { jail_table_init(&t, 100); }
    jail_id_t add(const char* name) {
        jail_create c{};
        std::strcpy(c.jc_name, name);
        std::strcpy(c.jc_root, "/");
        jail_create n;
        REQUIRE(jail_create_validate(&c, sizeof c, &n) == 0);
        pool.push_back(std::make_unique<jail_entry>());
        jail_id_t id;
        REQUIRE(jail_table_create_begin(&t, pool.back().get(), &n, 0, &id) == 0);
        jail_table_create_commit(&t, pool.back().get());
        return id;
    }
};

}  // namespace

TEST_CASE("one deny line per scope per second; the dropped ones are counted") {
    jail_ratelimit rl;
    jail_ratelimit_init(&rl);
    uint64_t dropped = 99;
    CHECK(jail_ratelimit_allow(&rl, JAIL_SCOPE_PROCESS, 10 * sec, &dropped) == 1);
    CHECK(dropped == 0);
    CHECK(jail_ratelimit_allow(&rl, JAIL_SCOPE_PROCESS, 10 * sec + 1, &dropped) == 0);
    CHECK(jail_ratelimit_allow(&rl, JAIL_SCOPE_PROCESS, 11 * sec - 1, &dropped) == 0);
    // Other scopes have their own budget.
    CHECK(jail_ratelimit_allow(&rl, JAIL_SCOPE_NETWORK, 10 * sec + 2, &dropped) == 1);
    CHECK(jail_ratelimit_allow(&rl, JAIL_SCOPE_SYSTEM, 10 * sec + 3, &dropped) == 1);
    CHECK(rl.rl_suppressed == 2);
    // A second later the next line reports what was dropped meanwhile.
    CHECK(jail_ratelimit_allow(&rl, JAIL_SCOPE_PROCESS, 11 * sec, &dropped) == 1);
    CHECK(dropped == 2);
    CHECK(jail_ratelimit_allow(&rl, JAIL_SCOPE_PROCESS, 12 * sec, &dropped) == 1);
    CHECK(dropped == 0);
    CHECK(rl.rl_suppressed == 2);
}

TEST_CASE("the first denial at boot time zero is logged") {
    jail_ratelimit rl;
    jail_ratelimit_init(&rl);
    uint64_t dropped;
    CHECK(jail_ratelimit_allow(&rl, JAIL_SCOPE_SYSTEM, 0, &dropped) == 1);
    CHECK(jail_ratelimit_allow(&rl, JAIL_SCOPE_SYSTEM, 0, nullptr) == 0);
}

TEST_CASE("a denial is counted for the table and for the jail, even while it is being destroyed") {
    Table T;
    jail_id_t web = T.add("web");
    jail_ratelimit rl;
    jail_ratelimit_init(&rl);
    uint64_t dropped;
    CHECK(jail_audit_deny(&T.t, &rl, web, JAIL_SCOPE_NETWORK, sec, &dropped) == 1);
    CHECK(jail_audit_deny(&T.t, &rl, web, JAIL_SCOPE_NETWORK, sec, &dropped) == 0);
    CHECK(jail_audit_deny(&T.t, &rl, JAIL_ID_HOST, JAIL_SCOPE_PROCESS, sec, &dropped) == 1);
    CHECK(jail_audit_deny(&T.t, &rl, 4242, JAIL_SCOPE_SYSTEM, sec, &dropped) == 1);  // gone jail

    jail_entry* e;
    REQUIRE(jail_table_destroy_begin(&T.t, web, &e) == 0);
    jail_audit_deny(&T.t, &rl, web, JAIL_SCOPE_NETWORK, 5 * sec, &dropped);
    jail_table_destroy_abort(&T.t, e);

    CHECK(e->je_denied[JAIL_SCOPE_NETWORK] == 3);
    CHECK(e->je_denied[JAIL_SCOPE_PROCESS] == 0);
    CHECK(T.t.jt_denied[JAIL_SCOPE_NETWORK] == 3);
    CHECK(T.t.jt_denied[JAIL_SCOPE_PROCESS] == 1);
    CHECK(T.t.jt_denied[JAIL_SCOPE_SYSTEM] == 1);
}

TEST_CASE("the sampler sums live and zombie members per jail and skips the host") {
    Table T;
    jail_id_t a = T.add("a"), b = T.add("b"), c = T.add("c");
    std::vector<jail_sample> s(8);
    size_t n = jail_sample_begin(&T.t, s.data(), s.size());
    REQUIRE(n == 3);
    CHECK(jail_sample_find(s.data(), n, b)->sm_id == b);
    CHECK(jail_sample_find(s.data(), n, 99) == nullptr);

    CHECK(jail_sample_account(s.data(), n, a, 0, 10, 4096) == 1);
    CHECK(jail_sample_account(s.data(), n, a, 0, 5, 8192) == 1);
    CHECK(jail_sample_account(s.data(), n, a, 1, 1000, 1) == 1);  // zombie: counted, no CPU/memory
    CHECK(jail_sample_account(s.data(), n, c, 1, 0, 0) == 1);
    CHECK(jail_sample_account(s.data(), n, JAIL_ID_HOST, 0, 1, 1) == 0);
    CHECK(jail_sample_account(s.data(), n, 77, 0, 1, 1) == 0);
    jail_sample_commit(&T.t, s.data(), n);

    jail_entry* ea = jail_table_find_id(&T.t, a);
    CHECK(ea->je_proc_live == 2);
    CHECK(ea->je_proc_zombie == 1);
    CHECK(ea->je_memory_bytes == 4096 + 8192);
    CHECK(ea->je_cpu_ticks_1s == 15);
    jail_entry* ec = jail_table_find_id(&T.t, c);
    CHECK(ec->je_proc_live == 0);
    CHECK(ec->je_proc_zombie == 1);
}

TEST_CASE("a jail destroyed between the steps of a sample is skipped; a new one waits") {
    Table T;
    jail_id_t a = T.add("a"), b = T.add("b");
    std::vector<jail_sample> s(1);  // room for one only: the rest wait
    size_t n = jail_sample_begin(&T.t, s.data(), s.size());
    CHECK(n == 1);
    CHECK(s[0].sm_id == a);

    std::vector<jail_sample> all(4);
    n = jail_sample_begin(&T.t, all.data(), all.size());
    REQUIRE(n == 2);
    jail_sample_account(all.data(), n, a, 0, 3, 0);
    jail_sample_account(all.data(), n, b, 0, 3, 0);
    jail_entry* e;
    REQUIRE(jail_table_destroy_begin(&T.t, a, &e) == 0);
    jail_table_destroy_commit(&T.t, e);
    jail_id_t c = T.add("c");
    jail_sample_commit(&T.t, all.data(), n);  // must not touch the freed a, nor c
    CHECK(jail_table_find_id(&T.t, b)->je_proc_live == 1);
    CHECK(jail_table_find_id(&T.t, c)->je_proc_live == 0);
}
