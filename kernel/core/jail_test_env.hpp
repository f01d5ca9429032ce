// jail_test_env.hpp -- an in-process environment for the core's sysctl
// handlers (jail_sysctl.h), for tests only.
//
// It stands in for the NetBSD module's glue: a "lock" that records misuse
// instead of blocking, allocation that counts live entries (leaks show up),
// copyin/copyout on plain pointers with error injection, a process table
// that is just a map of member counts, and a fake credential.  Callbacks
// never throw (they are called from C); violations are counted and the
// tests assert on the counters.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "jail_sysctl.h"

namespace jailmgr::kernel::testing {

struct Members {
    std::uint64_t live = 0;
    std::uint64_t zombie = 0;
};

class JailTestEnv {
public:
    jail_table table{};
    jail_ratelimit ratelimit{};
    jail_sysctl_env env{};

    // The caller's credential.
    jail_subject who{JAIL_ID_HOST, 1};

    // Environment state and knobs.
    std::uint64_t now_ns = 5'000'000'000ull;
    std::map<jail_id_t, Members> members;          // the process table
    std::vector<std::pair<jail_id_t, int>> signals; // (jail, signal) sent
    bool chrooted = true;                           // caller's root is the jail's root
    int copyin_error = 0, copyout_error = 0, prepare_error = 0, members_error = 0;
    bool alloc_fails = false;
    std::function<void()> on_buf_alloc;             // runs unlocked inside list
    std::function<void()> on_members;               // runs unlocked inside destroy/kill
    std::function<void()> on_chrooted;              // runs unlocked inside enter (entry held)
    std::vector<std::string> events;                // "created web 1", "destroyed 1 web"

    // What the tests check.
    int lock_violations = 0;   // a callback ran with the lock held, or bad nesting
    int live_entries = 0;      // allocated and not yet freed
    int live_buffers = 0;
    bool locked = false;

    JailTestEnv() {
        jail_table_init(&table, 128);
        jail_ratelimit_init(&ratelimit);
        env.se_table = &table;
        env.se_ratelimit = &ratelimit;
        env.se_lock = [](void* c) { self(c).lock(); };
        env.se_unlock = [](void* c) { self(c).unlock(); };
        env.se_entry_alloc = [](void* c) -> jail_entry* {
            auto& s = self(c);
            s.must_be_unlocked();
            if (s.alloc_fails) return nullptr;
            s.live_entries++;
            return static_cast<jail_entry*>(std::calloc(1, sizeof(jail_entry)));
        };
        env.se_entry_free = [](void* c, jail_entry* e) {
            auto& s = self(c);
            s.must_be_unlocked();
            s.live_entries--;
            std::free(e);
        };
        env.se_buf_alloc = [](void* c, size_t len) -> void* {
            auto& s = self(c);
            s.must_be_unlocked();
            if (s.on_buf_alloc) s.on_buf_alloc();
            if (s.alloc_fails) return nullptr;
            s.live_buffers++;
            return std::malloc(len);
        };
        env.se_buf_free = [](void* c, void* p, size_t) {
            auto& s = self(c);
            s.must_be_unlocked();
            s.live_buffers--;
            std::free(p);
        };
        env.se_copyin = [](void* c, const void* u, void* k, size_t len) {
            auto& s = self(c);
            s.must_be_unlocked();
            if (s.copyin_error) return s.copyin_error;
            std::memcpy(k, u, len);
            return 0;
        };
        env.se_copyout = [](void* c, const void* k, void* u, size_t len) {
            auto& s = self(c);
            s.must_be_unlocked();
            if (s.copyout_error) return s.copyout_error;
            std::memcpy(u, k, len);
            return 0;
        };
        env.se_now_ns = [](void* c) { return self(c).now_ns; };
        env.se_entry_prepare = [](void* c, jail_entry*, const jail_create*) {
            auto& s = self(c);
            s.must_be_unlocked();
            return s.prepare_error;
        };
        env.se_members = [](void* c, jail_id_t id, int sig, std::uint64_t* live,
                            std::uint64_t* zombie) {
            auto& s = self(c);
            s.must_be_unlocked();
            if (s.on_members) s.on_members();
            if (s.members_error) return s.members_error;
            auto it = s.members.find(id);
            Members m = it == s.members.end() ? Members{} : it->second;
            *live = m.live;
            *zombie = m.zombie;
            if (sig != 0 && m.live > 0) s.signals.emplace_back(id, sig);
            return 0;
        };
        env.se_chrooted_at = [](void* c, const jail_entry*) {
            auto& s = self(c);
            s.must_be_unlocked();
            if (s.on_chrooted) s.on_chrooted();
            return s.chrooted ? 1 : 0;
        };
        env.se_enter = [](void* c, jail_id_t id) {
            auto& s = self(c);
            s.must_be_unlocked();
            s.who.jail = id;
            s.who.host_root = 0;  // jailed root is not host root
            return 0;
        };
        env.se_created = [](void* c, const jail_create* spec) {
            auto& s = self(c);
            s.must_be_unlocked();
            s.events.push_back("created " + std::string(spec->jc_name) + " " +
                               std::to_string(spec->jc_id));
        };
        env.se_destroyed = [](void* c, jail_id_t id, const char* name) {
            auto& s = self(c);
            s.must_be_unlocked();
            s.events.push_back("destroyed " + std::to_string(id) + " " + name);
        };
    }

    JailTestEnv(const JailTestEnv&) = delete;
    JailTestEnv& operator=(const JailTestEnv&) = delete;

    ~JailTestEnv() {
        while (table.jt_all != nullptr) {
            jail_entry* e = table.jt_all;
            table.jt_all = e->je_all_next;
            std::free(e);
        }
    }

    // The handlers, with this environment and caller.
    int create(jail_create* inout, size_t newlen = sizeof(jail_create),
               size_t oldlen = sizeof(jail_create)) {
        jail_sysctl_req r{inout, &oldlen, inout, newlen};
        return jail_sysctl_create(&env, this, &who, &r);
    }
    int destroy(jail_id_t id) {
        jail_sysctl_req r{nullptr, nullptr, &id, sizeof id};
        return jail_sysctl_destroy(&env, this, &who, &r);
    }
    int enter(jail_id_t id) {
        jail_sysctl_req r{nullptr, nullptr, &id, sizeof id};
        return jail_sysctl_id(&env, this, &who, &r);
    }
    int call(int (*handler)(const jail_sysctl_env*, void*, const jail_subject*,
                            const jail_sysctl_req*),
             void* oldp, size_t* oldlenp, const void* newp, size_t newlen) {
        jail_sysctl_req r{oldp, oldlenp, newp, newlen};
        return handler(&env, this, &who, &r);
    }

    static jail_create spec(const char* name, const char* root = "/srv/jail",
                            std::vector<std::uint16_t> ports = {}) {
        jail_create c{};
        std::strncpy(c.jc_name, name, sizeof c.jc_name - 1);
        std::strncpy(c.jc_root, root, sizeof c.jc_root - 1);
        if (!ports.empty()) {
            c.jc_flags |= JAIL_CREATE_PORTS;
            c.jc_nports = static_cast<std::uint16_t>(ports.size());
            for (size_t i = 0; i < ports.size() && i < JAIL_PORTS_MAX; i++)
                c.jc_ports[i] = ports[i];
        }
        return c;
    }

private:
    static JailTestEnv& self(void* c) { return *static_cast<JailTestEnv*>(c); }
    void lock() {
        if (locked) lock_violations++;
        locked = true;
    }
    void unlock() {
        if (!locked) lock_violations++;
        locked = false;
    }
    void must_be_unlocked() {
        if (locked) lock_violations++;
    }
};

}  // namespace jailmgr::kernel::testing
