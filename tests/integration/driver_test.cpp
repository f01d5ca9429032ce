// The Linux driver against the real kernel, as root: jails, instances,
// processes, ports.  Every test uses its own Instance (see fixture.hpp),
// which checks at the end that nothing of it remains on the host.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "fixture.hpp"
#include "linux/reserved_ports.hpp"
#include "sys/files.hpp"

namespace fs = std::filesystem;
using namespace jailmgr::kernel;
using namespace jailmgr::test;

namespace {

// Waits for `pred` for up to 5 s (polling: these are kernel states without
// a notification we could wait on from here).
template <class Pred>
bool eventually(Pred pred) {
    for (int i = 0; i < 500; ++i) {
        if (pred()) return true;
        ::usleep(10000);
    }
    return pred();
}

int bind_errno(int af, int type, std::uint16_t port) {
    int fd = ::socket(af, type, 0);
    if (fd < 0) return errno;
    int rc;
    if (af == AF_INET) {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    } else {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(port);
        sa.sin6_addr = in6addr_loopback;
        rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    }
    int err = rc == 0 ? 0 : errno;
    ::close(fd);
    return err;
}

// bind() from a forked host process running as `uid`; returns its errno.
int bind_errno_as(uid_t uid, std::uint16_t port) {
    pid_t pid = ::fork();
    if (pid == 0) {
        if (uid != 0 && ::setresuid(uid, uid, uid) != 0) ::_exit(250);
        ::_exit(bind_errno(AF_INET, SOCK_STREAM, port));
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("a created jail is listed with its spec, and destroy removes every trace") {
    Instance inst;
    auto spec = inst.spec("web", Profile::medium);
    spec.ports = {18401};
    spec.limits.memory_bytes = 64ull << 20;
    spec.limits.pids = 100;
    spec.hostname = "web-host";
    JailId id = inst.driver->create(spec);
    auto info = inst.driver->find(id);
    REQUIRE(info);
    CHECK(info->spec == spec);
    CHECK_FALSE(info->running);
    CHECK(info->procs_live == 0);
    CHECK(inst.driver->find("web")->id == id);
    CHECK(inst.driver->list().size() == 1);
    CHECK(inst.driver->capabilities().driver == "linux");
    // The host_base root was prepared, without host secrets.
    CHECK(fs::exists(spec.root / "etc/passwd"));
    CHECK(fs::is_symlink(spec.root / "bin"));
    CHECK_FALSE(fs::exists(spec.root / "etc/shadow"));
    CHECK(read_trimmed(spec.root / "etc/hostname") == "web-host");

    inst.driver->destroy(id);
    CHECK_FALSE(inst.driver->find(id));
    CHECK(inst.leftovers().empty());
    CHECK_THROWS_WITH_AS(inst.driver->destroy(id), ("no jail '" + std::to_string(id) + "'").c_str(), DriverError);
}

TEST_CASE("IDs are monotonic and never reused, not even after destroy") {
    Instance inst;
    JailId a = inst.driver->create(inst.spec("a"));
    inst.driver->destroy(a);
    JailId b = inst.driver->create(inst.spec("a"));
    CHECK(b > a);
    JailId c = inst.driver->create(inst.spec("c"));
    CHECK(c > b);
}

TEST_CASE("a command runs in the jail's own namespaces, root and hostname") {
    Instance inst;
    auto spec = inst.spec("web");
    spec.hostname = "inside";
    JailId id = inst.driver->create(spec);
    std::ofstream(spec.root / "marker") << "jail root\n";
    auto s = inst.driver->attach(id, Attach::join_or_start);
    CHECK(s->owner());
    CHECK(inst.driver->find(id)->running);
    CHECK(run(*s, {"/bin/cat", "/marker"}).out == "jail root\n");
    CHECK(run(*s, {"hostname"}).out == "inside\n");
    // PID 1 is the jail's init, and only the jail's processes are visible.
    CHECK(probe(*s, {"count-procs"}) == "2");
    CHECK(run(*s, {"/bin/cat", "/proc/self/cgroup"}).out.find("0::/\n") != std::string::npos);
    CHECK(run(*s, {"/bin/ls", "/"}).out.find("tmp\n") != std::string::npos);
    // Children share our memory until they exec (CLONE_VM) and make it
    // non-dumpable meanwhile; we get our own setting back.
    CHECK(::prctl(PR_GET_DUMPABLE) == 1);

    // The jail's PID 1, seen from the host: the small init program, with no
    // capabilities, no_new_privs and its seccomp allow-list, not dumpable.
    std::string init_status;
    for (pid_t pid : inst.jail_pids("web")) {
        auto status = jailmgr::sys::read_file_if_exists("/proc/" + std::to_string(pid) + "/status");
        if (status && status->find("NSpid:\t" + std::to_string(pid) + "\t1\n") != std::string::npos &&
            status->find("Name:\tmemfd:jailmgr-i") != std::string::npos)
            init_status = *status;
    }
    REQUIRE_FALSE(init_status.empty());
    CHECK(init_status.find("CapEff:\t0000000000000000\n") != std::string::npos);
    CHECK(init_status.find("CapPrm:\t0000000000000000\n") != std::string::npos);
    CHECK(init_status.find("NoNewPrivs:\t1\n") != std::string::npos);
    CHECK(init_status.find("Seccomp:\t2\n") != std::string::npos);
}

TEST_CASE("two jails side by side see only their own processes and names") {
    Instance inst;
    JailId a = inst.driver->create(inst.spec("left"));
    JailId b = inst.driver->create(inst.spec("right"));
    auto sa = inst.driver->attach(a, Attach::start);
    auto sb = inst.driver->attach(b, Attach::start);
    Process sleeper = sa->spawn([] {
        SpawnSpec s;
        s.argv = {"/bin/sleep", "600"};
        return s;
    }());
    CHECK(probe(*sb, {"see-pid", std::to_string(sleeper.pid())}) == "ERR:ESRCH");
    CHECK(probe(*sb, {"count-procs"}) == "2");
    CHECK(probe(*sa, {"count-procs"}) == "3");
    CHECK(run(*sa, {"hostname"}).out == "left\n");
    CHECK(run(*sb, {"hostname"}).out == "right\n");
    sa->kill_all(SIGTERM);
    CHECK(WTERMSIG(sleeper.wait()) == SIGTERM);
}

TEST_CASE("the command's exit status is returned; a missing command is an error, not exit 127") {
    Instance inst;
    JailId id = inst.driver->create(inst.spec("web"));
    auto s = inst.driver->attach(id, Attach::join_or_start);
    CHECK(run(*s, {"/bin/sh", "-c", "exit 42"}).exit_code() == 42);
    CHECK(run(*s, {"/bin/sh", "-c", "kill -9 $$"}).exit_code() == -SIGKILL);
    SpawnSpec spec;
    spec.argv = {"no-such-command"};
    try {
        s->spawn(spec);
        FAIL("spawned");
    } catch (const DriverError& e) {
        CHECK(std::string(e.what()) == "jail 'web': exec 'no-such-command': No such file or directory");
        CHECK(e.sys_errno() == ENOENT);
    }
    spec.argv = {"/etc/passwd"};  // not executable
    CHECK_THROWS_WITH_AS(s->spawn(spec), "jail 'web': exec '/etc/passwd': Permission denied", DriverError);
    spec.argv = {"/bin/true"};
    spec.working_dir = "/nonexistent";
    CHECK_THROWS_WITH_AS(s->spawn(spec), "jail 'web': exec '/bin/true': change directory: No such file or directory",
                         DriverError);
}

TEST_CASE("a process runs as the requested user, in the requested directory, with exactly the given environment") {
    Instance inst;
    JailId id = inst.driver->create(inst.spec("web"));
    auto s = inst.driver->attach(id, Attach::join_or_start);
    SpawnSpec spec;
    spec.user = inst.driver->resolve_user(id, "nobody");
    CHECK(spec.user->uid == 65534);
    CHECK(run(*s, {"/usr/bin/id", "-u"}, spec).out == "65534\n");
    CHECK(run(*s, {"/bin/sh", "-c", "grep -E '^Cap(Eff|Prm|Amb)' /proc/self/status"}, spec).out ==
          "CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapAmb:\t0000000000000000\n");

    SpawnSpec env;
    env.env = {"A=1", "PATH=/usr/bin:/bin", "B=two words"};
    CHECK(run(*s, {"/usr/bin/env"}, env).out == "A=1\nPATH=/usr/bin:/bin\nB=two words\n");

    SpawnSpec wd;
    wd.working_dir = "/etc";
    CHECK(run(*s, {"/bin/pwd"}, wd).out == "/etc\n");
}

TEST_CASE("rlimits are the tighter of the jail's and the process's") {
    Instance inst;
    auto spec = inst.spec("web");
    spec.limits.nofile = 64;
    spec.limits.core = 0;
    JailId id = inst.driver->create(spec);
    auto s = inst.driver->attach(id, Attach::join_or_start);
    CHECK(run(*s, {"/bin/sh", "-c", "ulimit -n; ulimit -c"}).out == "64\n0\n");
    SpawnSpec tighter;
    tighter.rlimits.nofile = 32;
    CHECK(run(*s, {"/bin/sh", "-c", "ulimit -n; ulimit -Hn"}, tighter).out == "32\n32\n");
    SpawnSpec looser;
    looser.rlimits.nofile = 1000;
    CHECK(run(*s, {"/bin/sh", "-c", "ulimit -n"}, looser).out == "64\n");
}

TEST_CASE("bind mounts are read-only when asked and writable otherwise") {
    Instance inst;
    fs::create_directories(inst.dir / "ro");
    fs::create_directories(inst.dir / "rw");
    std::ofstream(inst.dir / "ro/file") << "from host\n";
    auto spec = inst.spec("web");
    spec.mounts.push_back(BindMount{inst.dir / "ro", "/data/ro", true});
    spec.mounts.push_back(BindMount{inst.dir / "rw", "/data/rw", false});
    JailId id = inst.driver->create(spec);
    auto s = inst.driver->attach(id, Attach::join_or_start);
    CHECK(run(*s, {"/bin/cat", "/data/ro/file"}).out == "from host\n");
    auto ro = run(*s, {"/bin/sh", "-c", "echo x > /data/ro/new"});
    CHECK(ro.exit_code() != 0);
    CHECK(ro.out.find("Read-only file system") != std::string::npos);
    CHECK(run(*s, {"/bin/sh", "-c", "echo written > /data/rw/new"}).exit_code() == 0);
    CHECK(read_trimmed(inst.dir / "rw/new") == "written");
    // The host's /usr is shared read-only.
    CHECK(run(*s, {"/bin/sh", "-c", "touch /usr/x"}).exit_code() != 0);
}

TEST_CASE("write_file writes through the jail's own mounts and never follows a symlink out of it") {
    Instance inst;
    fs::create_directories(inst.dir / "rw");
    fs::path outside = inst.dir / "outside";
    fs::create_directories(outside);
    auto spec = inst.spec("web");
    spec.mounts.push_back(BindMount{inst.dir / "rw", "/data/rw", false});
    JailId id = inst.driver->create(spec);
    auto s = inst.driver->attach(id, Attach::join_or_start);
    // Through a bind mount: the host directory behind it gets the file.
    s->write_file("/data/rw/index.html", "<h1>hi</h1>\n", 0640);
    CHECK(read_trimmed(inst.dir / "rw/index.html") == "<h1>hi</h1>");
    CHECK((fs::status(inst.dir / "rw/index.html").permissions() & fs::perms::all) == fs::perms(0640));
    CHECK(run(*s, {"/bin/cat", "/data/rw/index.html"}).out == "<h1>hi</h1>\n");
    // A jail plants links to a host path; writes through them stay inside.
    CHECK(run(*s, {"/bin/sh", "-c", "ln -s " + outside.string() + " /etc/evil && ln -s " + (outside / "victim").string() +
                                        " /etc/link"})
              .exit_code() == 0);
    CHECK_THROWS_AS(s->write_file("/etc/evil/victim", "owned", 0644), DriverError);
    CHECK_THROWS_AS(s->write_file("/etc/link", "owned", 0644), DriverError);
    CHECK_FALSE(fs::exists(outside / "victim"));
    // The host's /usr is read-only in the jail, for this writer too.
    CHECK_THROWS_AS(s->write_file("/usr/evil", "x", 0644), DriverError);
}

TEST_CASE("processes started separately in one high jail can signal each other") {
    Instance inst;
    JailId id = inst.driver->create(inst.spec("web", Profile::high));
    auto s = inst.driver->attach(id, Attach::join_or_start);
    SpawnSpec sleeper;
    sleeper.argv = {"/bin/sleep", "100"};
    Process p = s->spawn(sleeper);
    // Its PID inside the jail is the last field of NSpid.
    auto status = jailmgr::sys::read_file("/proc/" + std::to_string(p.pid()) + "/status");
    auto line = status.substr(status.find("NSpid:"));
    line = line.substr(0, line.find('\n'));
    std::string jail_pid = line.substr(line.find_last_of('\t') + 1);
    auto r = run(*s, {"/bin/sh", "-c", "kill -TERM " + jail_pid});
    CHECK(r.exit_code() == 0);
    int ws = p.wait();
    CHECK(WIFSIGNALED(ws));
    CHECK(WTERMSIG(ws) == SIGTERM);
}

TEST_CASE("destroy refuses a jail with processes and says how many; force kills them") {
    Instance inst;
    JailId id = inst.driver->create(inst.spec("web"));
    auto s = inst.driver->attach(id, Attach::start);
    SpawnSpec spec;
    spec.argv = {"/bin/sleep", "600"};
    Process p = s->spawn(spec);
    try {
        inst.driver->destroy(id);
        FAIL("destroyed");
    } catch (const DriverError& e) {
        CHECK(e.code() == Errc::busy);
        // the sleep and the jail's init
        CHECK(std::string(e.what()) ==
              "jail 'web' is busy: 2 processes remain (stop them first, or destroy --force)");
    }
    CHECK(inst.driver->find(id));
    inst.driver->destroy(id, true);
    CHECK(WTERMSIG(p.wait()) == SIGKILL);
    CHECK_FALSE(inst.driver->find(id));
}

TEST_CASE("a failed create leaves nothing behind") {
    Instance inst;
    Instance other;
    JailId theirs = other.driver->create([&] {
        auto s = other.spec("db");
        s.ports = {18402};
        return s;
    }());
    // Our registry does not know the port, so cgroups and the bind hook are
    // created before the host-wide ledger refuses: all of it must go again.
    auto spec = inst.spec("web");
    spec.ports = {18403, 18402};
    const auto reserved = read_trimmed("/proc/sys/net/ipv4/ip_local_reserved_ports");
    try {
        inst.driver->create(spec);
        FAIL("created");
    } catch (const DriverError& e) {
        CHECK(e.code() == Errc::port_taken);
        CHECK(std::string(e.what()) == "port 18402 is already reserved by jail 'db' of another jailmgr instance (" +
                                           other.paths.instance + ")");
    }
    CHECK(inst.driver->list().empty());
    CHECK(inst.leftovers(false) == std::vector<std::string>{});
    CHECK(read_trimmed("/proc/sys/net/ipv4/ip_local_reserved_ports") == reserved);
    CHECK_FALSE(fs::exists(spec.root));  // the prepared root was removed too

    auto bad = inst.spec("bad");
    bad.mounts.push_back(BindMount{"/nonexistent/source", "/data", false});
    CHECK_THROWS_WITH_AS(inst.driver->create(bad),
                         "jail 'bad': mount source '/nonexistent/source' does not exist on the host", DriverError);
    CHECK(inst.leftovers(false) == std::vector<std::string>{});
    other.driver->destroy(theirs);
}

TEST_CASE("join needs a running instance, start refuses a second owner, and the owner's end ends the jail") {
    Instance inst;
    JailId id = inst.driver->create(inst.spec("web"));
    CHECK_THROWS_WITH_AS(inst.driver->attach(id, Attach::join),
                         "jail 'web' is not running (start it with jailctl exec, or let its supervisor start it)",
                         DriverError);
    auto owner = inst.driver->attach(id, Attach::start);
    CHECK_THROWS_WITH_AS(inst.driver->attach(id, Attach::start), "jail 'web' is already running (another session owns it)",
                         DriverError);
    auto joined = inst.driver->attach(id, Attach::join);
    CHECK_FALSE(joined->owner());
    SpawnSpec spec;
    spec.argv = {"/bin/sleep", "600"};
    Process p = joined->spawn(spec);
    joined.reset();  // a joiner leaves the instance alone
    CHECK(inst.driver->find(id)->running);
    owner.reset();  // the owner takes every process with it
    CHECK(WTERMSIG(p.wait()) == SIGKILL);
    CHECK_FALSE(inst.driver->find(id)->running);
    CHECK(inst.driver->find(id)->procs_live == 0);
    // We still held `p` when the owner ended, so its init was left for us to
    // reap (see linux_session.hpp); it is our only other child.
    CHECK(::waitpid(-1, nullptr, 0) > 0);
    CHECK(inst.driver->find(id)->procs_zombie == 0);
}

TEST_CASE("a jail's processes die with the process that owns its instance") {
    // Orphans come to us instead of the host's PID 1 (which does not reap
    // them on our machines), so that we can reap them below.
    REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
    Instance inst;
    JailId id = inst.driver->create(inst.spec("web"));
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    pid_t owner = ::fork();
    if (owner == 0) {
        try {
            auto s = inst.driver->attach(id, Attach::start);
            SpawnSpec spec;
            spec.argv = {"/bin/sleep", "600"};
            Process p = s->spawn(spec);
            p.release();
            (void)!::write(ready[1], "x", 1);
            ::pause();
        } catch (...) {
        }
        ::_exit(1);
    }
    char c;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    CHECK(inst.driver->find(id)->procs_live == 2);
    ::kill(owner, SIGKILL);  // as if the supervisor crashed
    ::waitpid(owner, nullptr, 0);
    CHECK(eventually([&] { return inst.driver->find(id)->procs_live == 0; }));
    CHECK_FALSE(inst.driver->find(id)->running);
    // The owner's init and sleep were reparented to us: reap them.
    CHECK(eventually([&] {
        while (::waitpid(-1, nullptr, WNOHANG) > 0) {
        }
        return inst.driver->find(id)->procs_zombie == 0;
    }));
    ::prctl(PR_SET_CHILD_SUBREAPER, 0);
    ::close(ready[0]);
    ::close(ready[1]);
}

TEST_CASE("kill_all signals every process of the jail but leaves the instance up") {
    Instance inst;
    JailId id = inst.driver->create(inst.spec("web"));
    auto s = inst.driver->attach(id, Attach::start);
    SpawnSpec spec;
    spec.argv = {"/bin/sleep", "600"};
    Process a = s->spawn(spec), b = s->spawn(spec);
    s->kill_all(SIGTERM);
    CHECK(WTERMSIG(a.wait()) == SIGTERM);
    CHECK(WTERMSIG(b.wait()) == SIGTERM);
    CHECK(inst.driver->find(id)->running);
    CHECK(run(*s, {"/bin/true"}).exit_code() == 0);
}

TEST_CASE("limits can change while the jail runs") {
    Instance inst;
    auto spec = inst.spec("web");
    spec.limits.pids = 50;
    JailId id = inst.driver->create(spec);
    Limits l;
    l.pids = 7;
    l.memory_bytes = 32ull << 20;
    l.cpus = 0.25;
    inst.driver->update_limits(id, l);
    CHECK(inst.driver->find(id)->spec.limits == l);
    auto s = inst.driver->attach(id, Attach::start);
    CHECK(probe(*s, {"forks", "20"}) == "forked=5 EAGAIN");  // 7 = init + probe + 5
}

TEST_CASE("stats come from the jail's cgroups") {
    Instance inst;
    JailId id = inst.driver->create(inst.spec("web"));
    auto s = inst.driver->attach(id, Attach::start);
    SpawnSpec spec;
    spec.argv = {"/bin/sleep", "600"};
    Process p = s->spawn(spec);
    CHECK(probe(*s, {"burn", "0.2"}) == "OK");
    auto info = inst.driver->find(id);
    CHECK(info->procs_live == 2);  // init + sleep
    CHECK(info->procs_zombie == 0);
    CHECK(info->cpu_seconds > 0.05);
    CHECK(info->memory_bytes > 0);
    CHECK(info->age_seconds >= 0);
    s->kill_all(SIGKILL);
    p.wait();
}

TEST_CASE("a port reserved by one jail can be bound by it only; host root is exempt") {
    Instance inst;
    auto web = inst.spec("web");
    web.ports = {18410};
    auto db = inst.spec("db");
    db.ports = {18411};
    JailId w = inst.driver->create(web);
    JailId d = inst.driver->create(db);
    auto sw = inst.driver->attach(w, Attach::start);
    auto sd = inst.driver->attach(d, Attach::start);
    auto reserved = jailmgr::kernel::lnx::parse_port_ranges(read_trimmed("/proc/sys/net/ipv4/ip_local_reserved_ports"));
    CHECK(reserved.count(18410));
    CHECK(reserved.count(18411));

    CHECK(probe(*sw, {"bind", "v4", "tcp", "loopback", "18410"}) == "OK");
    CHECK(probe(*sd, {"bind", "v4", "tcp", "loopback", "18410"}) == "ERR:EPERM");
    CHECK(probe(*sd, {"bind", "v6", "udp", "wildcard", "18410"}) == "ERR:EPERM");
    CHECK(probe(*sd, {"bind", "v4", "tcp", "loopback", "18412"}) == "OK");  // unreserved: reservation grants nothing
    CHECK(inst.driver->find(d)->denied_network == 2);
    CHECK(inst.driver->find(w)->denied_network == 0);

    CHECK(bind_errno(AF_INET, SOCK_STREAM, 18410) == 0);   // host root
    CHECK(bind_errno(AF_INET6, SOCK_DGRAM, 18411) == 0);   // host root
    CHECK(bind_errno_as(65534, 18410) == EPERM);          // unprivileged host process
    CHECK(bind_errno_as(65534, 18413) == 0);
}
