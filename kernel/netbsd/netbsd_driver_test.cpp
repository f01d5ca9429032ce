// Tests for the NetBSD driver through FakeKernel: the module's real sysctl
// protocol (kernel/core/jail_sysctl.c) in-process, and the exact messages
// an operator reads.
#include "netbsd_driver.hpp"

#include <doctest/doctest.h>

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "fake_kernel.hpp"
#include "jail_sample.h"
#include "sys/files.hpp"

using namespace jailmgr::kernel;
using namespace jailmgr::kernel::netbsd;
using jailmgr::kernel::testing::Members;

namespace {

struct Fixture {
    std::shared_ptr<FakeKernel> kernel = std::make_shared<FakeKernel>();
    NetbsdDriver driver{kernel};

    ~Fixture() {
        CHECK(kernel->env.lock_violations == 0);
        CHECK(kernel->env.live_buffers == 0);
    }

    static JailSpec spec(const std::string& name, std::vector<std::uint16_t> ports = {}) {
        JailSpec s;
        s.name = name;
        s.root = "/var/jails/" + name;
        s.layout = Layout::rootfs;
        s.ports = std::move(ports);
        return s;
    }
};

// The message of the DriverError `f` throws, after checking its code.
template <typename F>
std::string error_of(F f, Errc code) {
    try {
        f();
    } catch (const DriverError& e) {
        CHECK(e.code() == code);
        return e.what();
    }
    FAIL("no DriverError");
    return {};
}

}  // namespace

TEST_CASE("a created jail is listed and found by ID and by name") {
    Fixture f;
    JailSpec s = Fixture::spec("web", {8080});
    s.profile = Profile::medium;
    s.limits.nofile = 512;
    JailId id = f.driver.create(s);
    CHECK(id == 1);
    CHECK(f.driver.create(Fixture::spec("db")) == 2);

    auto all = f.driver.list();
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == 1);
    CHECK(all[0].spec.name == "web");
    CHECK(all[0].spec.root == "/var/jails/web");
    CHECK(all[0].spec.profile == Profile::medium);
    CHECK(all[0].spec.ports == std::vector<std::uint16_t>{8080});
    CHECK(all[0].spec.limits.nofile == 512);
    CHECK_FALSE(all[0].running);

    REQUIRE(f.driver.find(2));
    CHECK(f.driver.find(2)->spec.name == "db");
    REQUIRE(f.driver.find("web"));
    CHECK(f.driver.find("web")->id == 1);
    CHECK_FALSE(f.driver.find(3));
    CHECK_FALSE(f.driver.find("cache"));
    CHECK(find_jail(f.driver, "2")->spec.name == "db");
    CHECK(find_jail(f.driver, "web")->id == 1);
}

TEST_CASE("the NetBSD driver says what it can and cannot do") {
    Fixture f;
    Capabilities c = f.driver.capabilities();
    CHECK(c.driver == "netbsd");
    CHECK_FALSE(c.cgroup_limits);
    CHECK_FALSE(c.bind_mounts);
    CHECK_FALSE(c.private_hostname);
    CHECK_FALSE(c.private_ipc);
}

TEST_CASE("a name in use is reported with the jail that has it") {
    Fixture f;
    f.driver.create(Fixture::spec("db"));
    f.driver.create(Fixture::spec("web"));
    CHECK(error_of([&] { f.driver.create(Fixture::spec("web")); }, Errc::exists) ==
          "jail name 'web' is already in use (jail 2)");
    CHECK(f.driver.list().size() == 2);
}

TEST_CASE("a port already reserved is reported with the jail that reserved it") {
    Fixture f;
    f.driver.create(Fixture::spec("db", {5432, 8080}));
    CHECK(error_of([&] { f.driver.create(Fixture::spec("web", {80, 8080})); },
                   Errc::port_taken) == "port 8080 is already reserved by jail 'db'");
    CHECK(f.driver.list().size() == 1);
    // A create refused before insertion burns no ID.
    CHECK(f.driver.create(Fixture::spec("web", {80})) == 2);
}

TEST_CASE("a name or port held by a create in progress is reported as busy") {
    Fixture f;
    // Another create holds "web" in CREATING state while ours arrives.
    jail_entry* e = static_cast<jail_entry*>(calloc(1, sizeof(jail_entry)));
    jail_create raw{}, req;
    strcpy(raw.jc_name, "web");
    strcpy(raw.jc_root, "/");
    REQUIRE(jail_create_validate(&raw, sizeof raw, &req) == 0);
    jail_id_t id;
    REQUIRE(jail_table_create_begin(&f.kernel->env.table, e, &req, 0, &id) == 0);
    CHECK(error_of([&] { f.driver.create(Fixture::spec("web")); }, Errc::busy) ==
          "jail 'web': its name or one of its ports is held by a jail being created or "
          "destroyed right now; retry");
    jail_table_create_abort(&f.kernel->env.table, e);
    free(e);
}

TEST_CASE("creating, destroying and signalling need host root") {
    Fixture f;
    JailId id = f.driver.create(Fixture::spec("web"));
    f.kernel->env.who = {JAIL_ID_HOST, 0};  // an unprivileged host user
    CHECK(error_of([&] { f.driver.create(Fixture::spec("db")); }, Errc::permission) ==
          "jail 'db': creating it needs host root (effective uid 0, outside any jail)");
    CHECK(error_of([&] { f.driver.destroy(id); }, Errc::permission) ==
          "jail 'web': destroying it needs host root (effective uid 0, outside any jail)");
    CHECK(error_of([&] { f.driver.signal(id, SIGTERM); }, Errc::permission) ==
          "jail 'web': signalling its processes needs host root (effective uid 0, outside any "
          "jail)");
    CHECK(f.driver.list().size() == 1);  // listing is fine for host users
}

TEST_CASE("inside a jail, listing is refused") {
    Fixture f;
    f.driver.create(Fixture::spec("web"));
    f.kernel->env.who = {1, 0};
    CHECK(error_of([&] { f.driver.list(); }, Errc::permission) ==
          "listing jails is not allowed from inside a jail");
}

TEST_CASE("a root that the kernel cannot resolve is named in the error") {
    Fixture f;
    f.kernel->env.prepare_error = ENOENT;
    CHECK(error_of([&] { f.driver.create(Fixture::spec("web")); }, Errc::invalid) ==
          "jail 'web': root /var/jails/web does not exist");
    f.kernel->env.prepare_error = ENOTDIR;
    CHECK(error_of([&] { f.driver.create(Fixture::spec("web")); }, Errc::invalid) ==
          "jail 'web': root /var/jails/web is not a directory");
    f.kernel->env.prepare_error = EACCES;
    CHECK(error_of([&] { f.driver.create(Fixture::spec("web")); }, Errc::system) ==
          "jail 'web': creating it: Permission denied (EACCES)");
    CHECK(f.driver.list().empty());
    CHECK(f.kernel->env.live_entries == 0);
}

TEST_CASE("without the module every operation says how to load it") {
    Fixture f;
    f.kernel->loaded = false;
    const std::string msg =
        "secmodel_jail is not loaded: run 'modload secmodel_jail' as root (and add it to "
        "/etc/modules.conf to load it at boot)";
    CHECK(error_of([&] { f.driver.list(); }, Errc::system) == msg);
    CHECK(error_of([&] { f.driver.create(Fixture::spec("web")); }, Errc::system) == msg);
    CHECK(error_of([&] { f.driver.destroy(3); }, Errc::system) == msg);
    CHECK(error_of([&] { f.driver.module_stats(); }, Errc::system) == msg);
}

TEST_CASE("exhausted IDs and a mismatched kernel are explained") {
    Fixture f;
    f.kernel->env.table.jt_next_id = JAIL_ID_HOST;
    CHECK(error_of([&] { f.driver.create(Fixture::spec("web")); }, Errc::system) ==
          "jail 'web': the kernel has handed out every jail ID; destroy all jails and reload "
          "secmodel_jail to start over");
    f.kernel->env.table.jt_next_id = 1;
    f.kernel->env.copyin_error = EINVAL;  // stands in for a kernel that rejects our struct
    CHECK(error_of([&] { f.driver.create(Fixture::spec("web")); }, Errc::invalid) ==
          "jail 'web': the kernel rejected the request as invalid; is secmodel_jail the same "
          "version as this program (ABI 1)?");
}

TEST_CASE("destroying an unknown jail says there is none") {
    Fixture f;
    CHECK(error_of([&] { f.driver.destroy(7); }, Errc::not_found) == "no jail 7");
    CHECK(error_of([&] { f.driver.destroy(0); }, Errc::invalid) ==
          "jail 0 is the host and cannot be destroyed");
}

TEST_CASE("a busy jail is not destroyed and the message counts what remains") {
    Fixture f;
    JailId id = f.driver.create(Fixture::spec("web"));
    f.kernel->env.members[id] = Members{2, 1};
    CHECK(error_of([&] { f.driver.destroy(id); }, Errc::busy) ==
          "jail 'web' is busy: 3 processes remain (stop them first or use --force)");
    f.kernel->env.members[id] = Members{1, 0};
    CHECK(error_of([&] { f.driver.destroy(id); }, Errc::busy) ==
          "jail 'web' is busy: 1 process remains (stop them first or use --force)");
    CHECK(f.driver.find(id));
    CHECK(f.kernel->env.signals.empty());  // without --force nothing is killed
    f.kernel->env.members[id] = Members{};
    f.driver.destroy(id);
    CHECK_FALSE(f.driver.find(id));
}

TEST_CASE("destroy --force kills the members, then destroys") {
    Fixture f;
    JailId id = f.driver.create(Fixture::spec("web"));
    auto& env = f.kernel->env;
    env.members[id] = Members{3, 0};
    // Members die once SIGKILL has been sent.
    env.on_members = [&] {
        for (auto& [jail, sig] : env.signals)
            if (jail == id && sig == SIGKILL) env.members[id] = Members{};
    };
    f.driver.destroy(id, true);
    CHECK_FALSE(f.driver.find(id));
    REQUIRE_FALSE(env.signals.empty());
    CHECK(env.signals.front() == std::pair<jail_id_t, int>{id, SIGKILL});
}

TEST_CASE("destroy --force gives up on zombies nobody reaps, with a deadline") {
    Fixture f;
    JailId id = f.driver.create(Fixture::spec("web"));
    f.kernel->env.members[id] = Members{0, 1};
    f.driver.set_force_timeout(std::chrono::milliseconds(20));
    CHECK(error_of([&] { f.driver.destroy(id, true); }, Errc::busy) ==
          "jail 'web' is busy: 1 process remains after SIGKILL (zombies whose parent has not "
          "reaped them?)");
    CHECK(f.driver.find(id));
}

TEST_CASE("a jail being entered is busy for a moment") {
    Fixture f;
    JailId id = f.driver.create(Fixture::spec("web"));
    jail_entry_hold(jail_table_find_id(&f.kernel->env.table, id));
    CHECK(error_of([&] { f.driver.destroy(id); }, Errc::busy) ==
          "jail 'web' is busy: a process is entering it or being signalled right now; retry");
    jail_entry_rele(jail_table_find_id(&f.kernel->env.table, id));
}

TEST_CASE("limits cannot change on NetBSD") {
    Fixture f;
    JailId id = f.driver.create(Fixture::spec("web"));
    CHECK(error_of([&] { f.driver.update_limits(id, Limits{}); }, Errc::unsupported) ==
          "jail 'web': NetBSD has no cgroups, so limits cannot change while a jail exists; "
          "recreate it with new nofile, address_space or core limits");
}

TEST_CASE("attach validates the jail; a session owns nothing") {
    Fixture f;
    CHECK(error_of([&] { f.driver.attach(9, Attach::join); }, Errc::not_found) == "no jail 9");
    CHECK(error_of([&] { f.driver.attach(9, Attach::join_or_start); }, Errc::not_found) ==
          "no jail 9");
    JailId id = f.driver.create(Fixture::spec("web"));
    for (Attach mode : {Attach::join, Attach::join_or_start}) {
        auto s = f.driver.attach(id, mode);
        CHECK(s->id() == id);
        CHECK_FALSE(s->owner());
    }
}

TEST_CASE("kill_all signals the live members through the kernel") {
    Fixture f;
    JailId id = f.driver.create(Fixture::spec("web"));
    f.kernel->env.members[id] = Members{2, 1};
    auto s = f.driver.attach(id, Attach::join);
    s->kill_all(SIGTERM);
    CHECK(f.kernel->env.signals == std::vector<std::pair<jail_id_t, int>>{{id, SIGTERM}});
    jail_kill k = f.driver.signal(id, 0);
    CHECK(k.jk_live == 2);
    CHECK(k.jk_zombie == 1);
    f.kernel->env.members[id] = Members{};
    f.driver.destroy(id);
    CHECK(error_of([&] { s->kill_all(SIGTERM); }, Errc::not_found) == "no jail 'web'");
}

TEST_CASE("the list shows what the sampler published, and the jail's age") {
    Fixture f;
    auto& env = f.kernel->env;
    env.now_ns = 100'000'000'000ull;
    JailId id = f.driver.create(Fixture::spec("web"));
    JailId other = f.driver.create(Fixture::spec("db"));
    env.now_ns += 3'000'000'000ull;

    jail_sample s[4];
    size_t n = jail_sample_begin(&env.table, s, 4);
    jail_sample_account(s, n, id, 0, 300, 1 << 20);
    jail_sample_account(s, n, id, 0, 200, 1 << 20);
    jail_sample_account(s, n, id, 1, 0, 0);
    jail_sample_commit(&env.table, s, n);
    uint64_t dropped;
    jail_audit_deny(&env.table, &env.ratelimit, id, JAIL_SCOPE_NETWORK, env.now_ns, &dropped);

    JailInfo web = *f.driver.find(id);
    CHECK(web.running);
    CHECK(web.procs_live == 2);
    CHECK(web.procs_zombie == 1);
    CHECK(web.memory_bytes == 2u << 20);
    CHECK(web.cpu_seconds == doctest::Approx(500.0 / 128));  // the env's hz is 128
    CHECK(web.age_seconds == doctest::Approx(3.0));
    CHECK(web.denied_network == 1);
    CHECK_FALSE(f.driver.find(other)->running);

    jail_stats st = f.driver.module_stats();
    CHECK(st.js_jails == 2);
    CHECK(st.js_created == 2);
    CHECK(st.js_denied[JAIL_SCOPE_NETWORK] == 1);
}

TEST_CASE("users resolve through the jail's own passwd") {
    Fixture f;
    char tmpl[] = "/tmp/jailmgr-netbsd-XXXXXX";
    std::filesystem::path root = ::mkdtemp(tmpl);
    std::filesystem::create_directories(root / "etc");
    jailmgr::sys::write_file_atomic(root / "etc/passwd", "www:x:80:80::/var/www:/bin/sh\n");
    jailmgr::sys::write_file_atomic(root / "etc/group", "www:x:80:\nlog:x:5:www\n");
    JailSpec s = Fixture::spec("web");
    s.root = root;
    JailId id = f.driver.create(s);
    Credentials c = f.driver.resolve_user(id, "www");
    CHECK(c.uid == 80);
    CHECK(c.gid == 80);
    CHECK(c.groups == std::vector<gid_t>{5});
    CHECK(error_of([&] { f.driver.resolve_user(id + 1, "www"); }, Errc::not_found) ==
          "no jail 2");
    std::filesystem::remove_all(root);
}
