// Tests for jail_table.c: lifecycle, lookups, reservations, snapshots.
#include "jail_table.h"

#include <doctest/doctest.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

jail_create req(const char* name, std::vector<uint16_t> ports = {}, uint32_t profile = 2) {
    jail_create c{};
    c.jc_flags = JAIL_CREATE_PROFILE;
    c.jc_profile = profile;
    std::strncpy(c.jc_name, name, JAIL_NAME_MAX);
    std::strcpy(c.jc_root, "/srv/jail");
    if (!ports.empty()) {
        c.jc_flags |= JAIL_CREATE_PORTS;
        c.jc_nports = static_cast<uint16_t>(ports.size());
        for (size_t i = 0; i < ports.size(); i++) c.jc_ports[i] = ports[i];
    }
    jail_create out;
    REQUIRE(jail_create_validate(&c, sizeof c, &out) == 0);
    return out;
}

// Owns the table and its entries, as the module does.
struct Table {
    jail_table t{};
    std::vector<std::unique_ptr<jail_entry>> pool;

    Table() { jail_table_init(&t, 100); }

    jail_entry* fresh() {
        pool.push_back(std::make_unique<jail_entry>());
        return pool.back().get();
    }
    // create_begin + commit; returns the ID or 0 with *err set.
    jail_id_t create(const jail_create& r, int* err = nullptr, uint64_t now = 1000) {
        jail_entry* e = fresh();
        jail_id_t id = 0;
        int error = jail_table_create_begin(&t, e, &r, now, &id);
        if (err) *err = error;
        if (error) return 0;
        jail_table_create_commit(&t, e);
        return id;
    }
    // Every observable fact about the table, to prove a failure changed nothing.
    std::string fingerprint() const {
        std::ostringstream o;
        o << t.jt_next_id << '/' << t.jt_active << '/' << t.jt_generation << '/' << t.jt_created
          << '/' << t.jt_destroyed << '/' << t.jt_denied[0] << t.jt_denied[1] << t.jt_denied[2];
        for (const jail_entry* e = t.jt_all; e; e = e->je_all_next) {
            o << " [" << e->je_spec.jc_id << ' ' << e->je_spec.jc_name << ' ' << e->je_state << ' '
              << e->je_holds;
            for (unsigned i = 0; i < e->je_spec.jc_nports; i++) o << ' ' << e->je_spec.jc_ports[i];
            o << ']';
        }
        for (unsigned b = 0; b < JAIL_TABLE_BUCKETS; b++) {
            for (const jail_entry* e = t.jt_by_id[b]; e; e = e->je_id_next) o << " i" << b << ':' << e;
            for (const jail_entry* e = t.jt_by_name[b]; e; e = e->je_name_next) o << " n" << b << ':' << e;
            for (const jail_port_node* p = t.jt_by_port[b]; p; p = p->pn_next) o << " p" << b << ':' << p;
        }
        return o.str();
    }
};

std::vector<jail_info> snapshot(const jail_table& t, uint64_t* gen = nullptr) {
    size_t n = 0;
    uint64_t g = 0;
    REQUIRE(jail_table_snapshot(&t, nullptr, 0, &n, &g) == 0);
    std::vector<jail_info> v(n);
    size_t got = 0;
    REQUIRE(jail_table_snapshot(&t, v.data(), v.size(), &got, &g) == 0);
    REQUIRE(got == n);
    if (gen) *gen = g;
    return v;
}

}  // namespace

TEST_CASE("IDs start at 1, increase, and are never reused") {
    Table T;
    CHECK(T.create(req("a")) == 1);
    CHECK(T.create(req("b")) == 2);
    jail_entry* e = nullptr;
    REQUIRE(jail_table_destroy_begin(&T.t, 2, &e) == 0);
    jail_table_destroy_commit(&T.t, e);
    CHECK(T.create(req("b")) == 3);
    // An aborted create burns its ID too.
    jail_entry* c = T.fresh();
    jail_id_t id = 0;
    jail_create r = req("c");
    REQUIRE(jail_table_create_begin(&T.t, c, &r, 1, &id) == 0);
    CHECK(id == 4);
    jail_table_create_abort(&T.t, c);
    CHECK(T.create(req("c")) == 5);
}

TEST_CASE("lookups by ID and name see ACTIVE jails only") {
    Table T;
    jail_id_t a = T.create(req("alpha", {8080}));
    jail_entry* e = T.fresh();
    jail_id_t b = 0;
    jail_create rb = req("beta", {9090});
    REQUIRE(jail_table_create_begin(&T.t, e, &rb, 1, &b) == 0);

    CHECK(jail_table_find_id(&T.t, a) != nullptr);
    CHECK(std::string(jail_table_find_name(&T.t, "alpha")->je_spec.jc_name) == "alpha");
    CHECK(jail_table_find_id(&T.t, b) == nullptr);           // CREATING
    CHECK(jail_table_find_name(&T.t, "beta") == nullptr);
    CHECK(jail_table_find_id_any(&T.t, b) == e);
    CHECK(jail_table_port_owner(&T.t, 9090) == b);           // reserved already
    CHECK(jail_table_find_id(&T.t, JAIL_ID_HOST) == nullptr);
    CHECK(jail_table_find_id(&T.t, 999) == nullptr);
    CHECK(jail_table_find_name(&T.t, "gamma") == nullptr);
    CHECK(jail_table_find_name(&T.t, nullptr) == nullptr);

    jail_table_create_commit(&T.t, e);
    CHECK(jail_table_find_name(&T.t, "beta") == e);

    jail_entry* d = nullptr;
    REQUIRE(jail_table_destroy_begin(&T.t, a, &d) == 0);
    CHECK(jail_table_find_id(&T.t, a) == nullptr);           // DESTROYING
    CHECK(jail_table_find_name(&T.t, "alpha") == nullptr);
    CHECK(jail_table_find_id_any(&T.t, a) == d);
    CHECK(jail_table_port_owner(&T.t, 8080) == a);
}

TEST_CASE("a taken name or reserved port makes create fail with EEXIST, changing nothing") {
    Table T;
    T.create(req("web", {8080, 8443}));
    T.create(req("db", {5432}));
    const std::string before = T.fingerprint();
    int err = 0;
    CHECK(T.create(req("web"), &err) == 0);
    CHECK(err == EEXIST);
    CHECK(T.fingerprint() == before);
    CHECK(T.create(req("cache", {6379, 8443}), &err) == 0);
    CHECK(err == EEXIST);
    CHECK(T.fingerprint() == before);
    // A name is taken while its create is still in progress.
    jail_entry* e = T.fresh();
    jail_id_t id;
    jail_create rc = req("cache", {6379});
    REQUIRE(jail_table_create_begin(&T.t, e, &rc, 1, &id) == 0);
    const std::string during = T.fingerprint();
    CHECK(T.create(req("cache"), &err) == 0);
    CHECK(err == EEXIST);
    CHECK(T.create(req("other", {6379}), &err) == 0);
    CHECK(err == EEXIST);
    CHECK(T.fingerprint() == during);
    jail_table_create_abort(&T.t, e);
    // After the abort the name and port are free again.
    CHECK(T.create(req("cache", {6379})) != 0);
}

TEST_CASE("the ID counter hands out the last ID, then fails with EOVERFLOW") {
    Table T;
    jail_table_set_next_id(&T.t, JAIL_ID_MAX - 1);
    CHECK(T.create(req("a")) == JAIL_ID_MAX - 1);
    CHECK(T.create(req("b")) == JAIL_ID_MAX);
    const std::string before = T.fingerprint();
    int err = 0;
    CHECK(T.create(req("c"), &err) == 0);
    CHECK(err == EOVERFLOW);
    CHECK(T.fingerprint() == before);
    // Destroying does not bring IDs back, and set_next_id cannot rewind.
    jail_entry* e;
    REQUIRE(jail_table_destroy_begin(&T.t, JAIL_ID_MAX, &e) == 0);
    jail_table_destroy_commit(&T.t, e);
    jail_table_set_next_id(&T.t, 5);
    CHECK(T.create(req("c"), &err) == 0);
    CHECK(err == EOVERFLOW);
}

TEST_CASE("set_next_id only moves the counter forward") {
    Table T;
    jail_table_set_next_id(&T.t, 100);
    CHECK(T.create(req("a")) == 100);
    jail_table_set_next_id(&T.t, 50);
    CHECK(T.create(req("b")) == 101);
    jail_table_set_next_id(&T.t, 0);
    CHECK(T.create(req("c")) == 102);
}

TEST_CASE("destroy: ENOENT for unknown IDs, EBUSY while held, abort and commit") {
    Table T;
    jail_id_t id = T.create(req("web", {8080}));
    jail_entry* e = nullptr;
    CHECK(jail_table_destroy_begin(&T.t, 0, &e) == ENOENT);
    CHECK(jail_table_destroy_begin(&T.t, 42, &e) == ENOENT);

    jail_entry* w = jail_table_find_id(&T.t, id);
    jail_entry_hold(w);
    std::string before = T.fingerprint();
    CHECK(jail_table_destroy_begin(&T.t, id, &e) == EBUSY);
    CHECK(T.fingerprint() == before);
    jail_entry_rele(w);
    jail_entry_rele(w);  // an extra release cannot underflow
    CHECK(w->je_holds == 0);

    REQUIRE(jail_table_destroy_begin(&T.t, id, &e) == 0);
    CHECK(e == w);
    CHECK(T.t.jt_active == 0);
    CHECK(jail_table_destroy_begin(&T.t, id, &e) == ENOENT);  // already being destroyed
    jail_table_destroy_abort(&T.t, w);                         // members were found
    CHECK(jail_table_find_id(&T.t, id) == w);
    CHECK(T.t.jt_active == 1);

    REQUIRE(jail_table_destroy_begin(&T.t, id, &e) == 0);
    jail_table_destroy_commit(&T.t, e);
    CHECK(jail_table_find_id_any(&T.t, id) == nullptr);
    CHECK(jail_table_port_owner(&T.t, 8080) == JAIL_ID_HOST);
    CHECK(jail_table_find_name(&T.t, "web") == nullptr);
    CHECK(T.t.jt_destroyed == 1);
    CHECK_FALSE(jail_table_busy(&T.t));
}

TEST_CASE("the table is busy while any entry exists, in any state") {
    Table T;
    CHECK_FALSE(jail_table_busy(&T.t));
    jail_entry* e = T.fresh();
    jail_id_t id;
    jail_create r = req("a");
    REQUIRE(jail_table_create_begin(&T.t, e, &r, 1, &id) == 0);
    CHECK(jail_table_busy(&T.t));
    jail_table_create_abort(&T.t, e);
    CHECK_FALSE(jail_table_busy(&T.t));
}

TEST_CASE("port owner: the reserving jail, or the host for port 0 and free ports") {
    Table T;
    jail_id_t web = T.create(req("web", {80, 8080, 65535}));
    jail_id_t db = T.create(req("db", {5432}));
    CHECK(jail_table_port_owner(&T.t, 80) == web);
    CHECK(jail_table_port_owner(&T.t, 8080) == web);
    CHECK(jail_table_port_owner(&T.t, 65535) == web);
    CHECK(jail_table_port_owner(&T.t, 5432) == db);
    CHECK(jail_table_port_owner(&T.t, 8081) == JAIL_ID_HOST);
    CHECK(jail_table_port_owner(&T.t, 0) == JAIL_ID_HOST);
}

TEST_CASE("snapshots list ACTIVE jails in ID order and carry the generation") {
    Table T;
    uint64_t g0 = 0, g1 = 0, g2 = 0, g3 = 0;
    CHECK(snapshot(T.t, &g0).empty());
    T.create(req("c"));
    T.create(req("a"));
    T.create(req("b"));
    auto v = snapshot(T.t, &g1);
    REQUIRE(v.size() == 3);
    CHECK(v[0].ji_id == 1);
    CHECK(std::string(v[0].ji_name) == "c");
    CHECK(v[2].ji_id == 3);
    CHECK(g1 > g0);

    CHECK(snapshot(T.t, &g2).size() == 3);
    CHECK(g2 == g1);  // nothing changed, same generation

    jail_entry* e;
    REQUIRE(jail_table_destroy_begin(&T.t, 2, &e) == 0);
    v = snapshot(T.t, &g3);
    CHECK(g3 > g2);
    REQUIRE(v.size() == 2);
    CHECK(v[1].ji_id == 3);

    // Too small a buffer: ENOMEM and the count needed.
    std::vector<jail_info> small(1);
    size_t n = 0;
    CHECK(jail_table_snapshot(&T.t, small.data(), 1, &n, nullptr) == ENOMEM);
    CHECK(n == 2);
}

TEST_CASE("every create, commit, abort and destroy step bumps the generation") {
    Table T;
    uint64_t g = T.t.jt_generation;
    jail_entry* e = T.fresh();
    jail_id_t id;
    jail_create r = req("a");
    REQUIRE(jail_table_create_begin(&T.t, e, &r, 1, &id) == 0);
    CHECK(T.t.jt_generation > g);
    g = T.t.jt_generation;
    jail_table_create_commit(&T.t, e);
    CHECK(T.t.jt_generation > g);
    g = T.t.jt_generation;
    REQUIRE(jail_table_destroy_begin(&T.t, id, &e) == 0);
    CHECK(T.t.jt_generation > g);
    g = T.t.jt_generation;
    jail_table_destroy_abort(&T.t, e);
    CHECK(T.t.jt_generation > g);
    g = T.t.jt_generation;
    REQUIRE(jail_table_destroy_begin(&T.t, id, &e) == 0);
    g = T.t.jt_generation;
    jail_table_destroy_commit(&T.t, e);
    CHECK(T.t.jt_generation > g);
}

TEST_CASE("an info record carries the spec, telemetry and counters") {
    Table T;
    jail_create r = req("web", {8080, 8443}, JAIL_PROFILE_MEDIUM);
    r.jc_flags |= JAIL_CREATE_RLIMIT_NOFILE | JAIL_CREATE_DENY;
    r.jc_rlimit_nofile = 4096;
    r.jc_deny = 1u << 18;
    jail_id_t id = T.create(r, nullptr, 123456789);
    jail_entry* e = jail_table_find_id(&T.t, id);
    e->je_proc_live = 3;
    e->je_proc_zombie = 1;
    e->je_memory_bytes = 1 << 20;
    jail_table_count_denial(&T.t, e, JAIL_SCOPE_NETWORK);
    jail_table_count_denial(&T.t, e, JAIL_SCOPE_NETWORK);
    jail_table_count_denial(&T.t, e, JAIL_SCOPE_PROCESS);
    jail_table_count_denial(&T.t, nullptr, JAIL_SCOPE_SYSTEM);  // a host process
    jail_table_count_denial(&T.t, e, 77);                       // bad scope -> system

    jail_info i;
    jail_entry_info(&T.t, e, &i);
    CHECK(i.ji_id == id);
    CHECK(i.ji_flags == r.jc_flags);
    CHECK(i.ji_profile == JAIL_PROFILE_MEDIUM);
    CHECK(i.ji_deny == (1u << 18));
    CHECK(i.ji_nports == 2);
    CHECK(i.ji_ports[0] == 8080);
    CHECK(i.ji_ports[1] == 8443);
    CHECK(i.ji_created_ns == 123456789);
    CHECK(i.ji_proc_live == 3);
    CHECK(i.ji_proc_zombie == 1);
    CHECK(i.ji_memory_bytes == (1u << 20));
    CHECK(i.ji_cpu_hz == 100);
    CHECK(i.ji_rlimit_nofile == 4096);
    CHECK(i.ji_denied[JAIL_SCOPE_PROCESS] == 1);
    CHECK(i.ji_denied[JAIL_SCOPE_SYSTEM] == 1);
    CHECK(i.ji_denied[JAIL_SCOPE_NETWORK] == 2);
    CHECK(std::string(i.ji_name) == "web");
    CHECK(std::string(i.ji_root) == "/srv/jail");

    jail_stats s;
    jail_table_stats(&T.t, &s);
    CHECK(s.js_abi_version == JAIL_ABI_VERSION);
    CHECK(s.js_jails == 1);
    CHECK(s.js_created == 1);
    CHECK(s.js_denied[JAIL_SCOPE_SYSTEM] == 2);
    CHECK(s.js_denied[JAIL_SCOPE_NETWORK] == 2);
    CHECK(s.js_generation == T.t.jt_generation);
}

TEST_CASE("CPU ticks: per-second delta, 10-sample average, total; exits never go negative") {
    jail_entry e{};
    jail_entry_sample_cpu(&e, 50);
    CHECK(e.je_cpu_ticks_1s == 50);
    jail_entry_sample_cpu(&e, 80);
    CHECK(e.je_cpu_ticks_1s == 30);
    jail_entry_sample_cpu(&e, 20);  // a busy member exited
    CHECK(e.je_cpu_ticks_1s == 0);
    CHECK(e.je_cpu_ticks_total == 80);
    jail_entry_sample_cpu(&e, 30);
    CHECK(e.je_cpu_ticks_1s == 10);
    CHECK(e.je_cpu_ticks_total == 90);

    jail_table t;
    jail_table_init(&t, 100);
    jail_info i;
    jail_entry_info(&t, &e, &i);
    CHECK(i.ji_cpu_ticks_10s == (50 + 30 + 0 + 10) / 4);

    // After more than ten samples only the last ten count.
    jail_entry f{};
    uint64_t total = 0;
    for (int s = 0; s < 5; s++) jail_entry_sample_cpu(&f, total += 1000);
    for (int s = 0; s < 10; s++) jail_entry_sample_cpu(&f, total += 7);
    jail_entry_info(&t, &f, &i);
    CHECK(i.ji_cpu_ticks_10s == 7);
    CHECK(i.ji_cpu_ticks_1s == 7);
    CHECK(i.ji_cpu_ticks_total == 5070);
}

TEST_CASE("restore re-inserts known jails as ACTIVE and moves the counter past them") {
    Table T;
    jail_create r = req("web", {8080});
    CHECK(jail_table_restore(&T.t, T.fresh(), &r, 0, 1) == EINVAL);
    REQUIRE(jail_table_restore(&T.t, T.fresh(), &r, 41, 777) == 0);
    jail_create r2 = req("db");
    REQUIRE(jail_table_restore(&T.t, T.fresh(), &r2, 12, 778) == 0);
    CHECK(jail_table_find_name(&T.t, "web")->je_spec.jc_id == 41);
    CHECK(jail_table_find_id(&T.t, 41)->je_created_ns == 777);
    CHECK(jail_table_port_owner(&T.t, 8080) == 41);
    auto v = snapshot(T.t);
    REQUIRE(v.size() == 2);
    CHECK(v[0].ji_id == 12);  // still in ID order
    CHECK(v[1].ji_id == 41);
    CHECK(T.create(req("next")) == 42);

    const std::string before = T.fingerprint();
    jail_create dup = req("other");
    CHECK(jail_table_restore(&T.t, T.fresh(), &dup, 41, 1) == EEXIST);  // ID taken
    jail_create dupname = req("web");
    CHECK(jail_table_restore(&T.t, T.fresh(), &dupname, 50, 1) == EEXIST);
    jail_create dupport = req("x", {8080});
    CHECK(jail_table_restore(&T.t, T.fresh(), &dupport, 51, 1) == EEXIST);
    jail_create bad = req("y");
    bad.jc_profile = 9;
    CHECK(jail_table_restore(&T.t, T.fresh(), &bad, 52, 1) == EINVAL);
    CHECK(T.fingerprint() == before);

    jail_create last = req("last");
    REQUIRE(jail_table_restore(&T.t, T.fresh(), &last, JAIL_ID_MAX, 1) == 0);
    int err = 0;
    CHECK(T.create(req("more"), &err) == 0);
    CHECK(err == EOVERFLOW);
}

TEST_CASE("10,000 jails: every lookup works and hash chains stay short") {
    Table T;
    const int n = 10000;
    for (int i = 0; i < n; i++) {
        std::string name = "jail-" + std::to_string(i);
        std::vector<uint16_t> ports;
        if (i < 2000) ports = {static_cast<uint16_t>(10000 + 3 * i), static_cast<uint16_t>(10001 + 3 * i)};
        int err = 0;
        REQUIRE(T.create(req(name.c_str(), ports), &err) == static_cast<jail_id_t>(i + 1));
    }
    for (int i = 0; i < n; i++) {
        std::string name = "jail-" + std::to_string(i);
        jail_entry* e = jail_table_find_name(&T.t, name.c_str());
        REQUIRE(e != nullptr);
        CHECK(e->je_spec.jc_id == static_cast<jail_id_t>(i + 1));
        CHECK(jail_table_find_id(&T.t, i + 1) == e);
    }
    CHECK(jail_table_port_owner(&T.t, 10000 + 3 * 1999 + 1) == 2000);

    // O(1)-ish: with a uniform hash no bucket holds more than about twice
    // the average (n / buckets), so a lookup walks a few dozen entries, not
    // thousands.
    const size_t avg = n / JAIL_TABLE_BUCKETS;
    size_t max_id = 0, max_name = 0, max_port = 0;
    for (unsigned b = 0; b < JAIL_TABLE_BUCKETS; b++) {
        size_t li = 0, ln = 0, lp = 0;
        for (const jail_entry* e = T.t.jt_by_id[b]; e; e = e->je_id_next) li++;
        for (const jail_entry* e = T.t.jt_by_name[b]; e; e = e->je_name_next) ln++;
        for (const jail_port_node* p = T.t.jt_by_port[b]; p; p = p->pn_next) lp++;
        max_id = std::max(max_id, li);
        max_name = std::max(max_name, ln);
        max_port = std::max(max_port, lp);
    }
    CHECK(max_id <= avg + 1);
    CHECK(max_name <= 2 * avg);
    CHECK(max_port <= 2 * (4000 / JAIL_TABLE_BUCKETS) + 2);
    CHECK(snapshot(T.t).size() == static_cast<size_t>(n));
}
