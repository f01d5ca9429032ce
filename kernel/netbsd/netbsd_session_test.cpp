// Tests for NetbsdSession::spawn: the child's steps (stdio, rlimits,
// chroot, enter, credentials, working directory, exec) run for real on
// this host; only the enter write goes to FakeKernel.  Chroot needs root:
// without it these tests report themselves skipped.
#include "netbsd_session.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "fake_kernel.hpp"
#include "netbsd_driver.hpp"
#include "sys/unique_fd.hpp"

namespace fs = std::filesystem;
using namespace jailmgr::kernel;
using namespace jailmgr::kernel::netbsd;
using jailmgr::sys::unique_fd;

namespace {

// A jail whose root holds a static busybox as /bin/busybox.
struct JailRoot {
    fs::path root;
    std::shared_ptr<FakeKernel> kernel = std::make_shared<FakeKernel>();
    NetbsdDriver driver{kernel};
    JailId id = 0;

    explicit JailRoot(Limits limits = {}) {
        char tmpl[] = "/tmp/jailmgr-spawn-XXXXXX";
        root = ::mkdtemp(tmpl);
        fs::permissions(root, fs::perms(0755));  // a jail root is world-searchable
        fs::create_directories(root / "bin");
        fs::copy_file("/bin/busybox", root / "bin/busybox");
        JailSpec s;
        s.name = "web";
        s.root = root;
        s.layout = Layout::rootfs;
        s.limits = limits;
        id = driver.create(s);
    }
    ~JailRoot() { fs::remove_all(root); }

    std::unique_ptr<Session> session() { return driver.attach(id, Attach::join); }
};

bool can_chroot() {
    if (::geteuid() == 0) return true;
    MESSAGE("skipped: spawning into a chroot needs root");
    return false;
}

SpawnSpec sh(const std::string& script) {
    SpawnSpec s;
    s.argv = {"busybox", "sh", "-c", script};
    s.env = {"PATH=/bin"};
    return s;
}

struct Run {
    int status = -1;
    std::string out;
};

// Spawn with stdout (and stderr) into a pipe; read until EOF; wait.
Run run(Session& session, SpawnSpec spec) {
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    unique_fd r(p[0]), w(p[1]);
    spec.stdout_fd = w.get();
    Process proc = session.spawn(spec);
    w.reset();
    Run out;
    char buf[512];
    ssize_t n;
    while ((n = ::read(r.get(), buf, sizeof buf)) > 0) out.out.append(buf, static_cast<size_t>(n));
    out.status = proc.wait();
    return out;
}

std::string spawn_error(Session& session, const SpawnSpec& spec, Errc code) {
    try {
        Process p = session.spawn(spec);
        p.wait();
    } catch (const DriverError& e) {
        CHECK(e.code() == code);
        return e.what();
    }
    FAIL("spawn succeeded");
    return {};
}

}  // namespace

TEST_CASE("a spawned process runs chrooted at the jail's root with exactly its environment") {
    if (!can_chroot()) return;
    JailRoot j;
    auto s = j.session();
    SpawnSpec spec = sh("echo \"$FOO\"; pwd; ls /; echo \"$HOME\"");
    spec.env.push_back("FOO=bar");
    Run r = run(*s, spec);
    CHECK(WIFEXITED(r.status));
    CHECK(WEXITSTATUS(r.status) == 0);
    CHECK(r.out == "bar\n/\nbin\n\n");  // the host's / is out of sight; no inherited HOME
}

TEST_CASE("the exit status and stderr come back; stderr defaults to stdout") {
    if (!can_chroot()) return;
    JailRoot j;
    auto s = j.session();
    Run r = run(*s, sh("echo to-stderr >&2; exit 7"));
    CHECK(WEXITSTATUS(r.status) == 7);
    CHECK(r.out == "to-stderr\n");
}

TEST_CASE("a command not in the jail's PATH is an error of spawn, not a child exiting 127") {
    if (!can_chroot()) return;
    JailRoot j;
    auto s = j.session();
    SpawnSpec spec;
    spec.argv = {"httpd", "-f"};
    spec.env = {"PATH=/usr/sbin:/bin"};
    CHECK(spawn_error(*s, spec, Errc::system) ==
          "jail 'web': cannot run 'httpd': not found in PATH (/usr/sbin:/bin)");
    spec.argv = {"/bin/httpd"};
    CHECK(spawn_error(*s, spec, Errc::system) ==
          "jail 'web': cannot run '/bin/httpd': exec: No such file or directory");
    // The host's binaries are not reachable: /bin/sh exists on the host only.
    spec.argv = {"/bin/sh"};
    CHECK(spawn_error(*s, spec, Errc::system) ==
          "jail 'web': cannot run '/bin/sh': exec: No such file or directory");
}

TEST_CASE("a file that is not executable gives EACCES, even after an ENOENT in PATH") {
    if (!can_chroot()) return;
    JailRoot j;
    { unique_fd fd(::open((j.root / "bin/data").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644)); }
    auto s = j.session();
    SpawnSpec spec;
    spec.argv = {"data"};
    spec.env = {"PATH=/nowhere:/bin"};
    CHECK(spawn_error(*s, spec, Errc::system) ==
          "jail 'web': cannot run 'data': exec: Permission denied");
}

TEST_CASE("when the kernel refuses entry, spawn fails before anything runs") {
    if (!can_chroot()) return;
    JailRoot j;
    j.kernel->env.chrooted = false;  // the module sees a different root directory
    auto s = j.session();
    CHECK(spawn_error(*s, sh("echo ran"), Errc::permission) ==
          "jail 'web': cannot run 'busybox': entering the jail (security.models.jail.id): "
          "Operation not permitted (entering needs host root, chrooted at the jail's root)");
}

TEST_CASE("a jail that is gone cannot be entered") {
    if (!can_chroot()) return;
    JailRoot j;
    auto s = j.session();
    j.driver.destroy(j.id);
    CHECK(spawn_error(*s, sh("echo ran"), Errc::system) ==
          "jail 'web': cannot run 'busybox': entering the jail (security.models.jail.id): No "
          "such file or directory");
}

TEST_CASE("rlimits: the tighter of the jail's and the spawn's, soft = hard") {
    if (!can_chroot()) return;
    Limits jail;
    jail.nofile = 200;
    jail.core = JAIL_RLIMIT_INFINITY;
    JailRoot j(jail);
    auto s = j.session();
    SpawnSpec spec = sh("ulimit -n; ulimit -H -n; ulimit -c");
    spec.rlimits.nofile = 100;
    spec.rlimits.core = 0;
    Run r = run(*s, spec);
    CHECK(r.out == "100\n100\n0\n");
    spec.rlimits = {};
    r = run(*s, sh("ulimit -n"));
    CHECK(r.out == "200\n");
}

TEST_CASE("credentials are dropped to the requested user and groups") {
    if (!can_chroot()) return;
    JailRoot j;
    auto s = j.session();
    SpawnSpec spec = sh("id -u; id -g; id -G");
    spec.user = Credentials{65534, 65533, {65532}};
    Run r = run(*s, spec);
    CHECK(r.out == "65534\n65533\n65533 65532\n");
}

TEST_CASE("the working directory is inside the jail; a missing one is an error") {
    if (!can_chroot()) return;
    JailRoot j;
    auto s = j.session();
    SpawnSpec spec = sh("pwd");
    spec.working_dir = "/bin";
    CHECK(run(*s, spec).out == "/bin\n");
    spec.working_dir = "/srv/www";
    CHECK(spawn_error(*s, spec, Errc::system) ==
          "jail 'web': cannot run 'busybox': chdir to the working directory: No such file or "
          "directory");
}

TEST_CASE("no descriptor of the parent reaches the jail") {
    if (!can_chroot()) return;
    JailRoot j;
    auto s = j.session();
    // An inheritable descriptor of a host directory: the classic way out.
    int dir = ::open("/", O_RDONLY | O_DIRECTORY);
    REQUIRE(dir >= 0);
    REQUIRE(::dup2(dir, 9) == 9);
    ::close(dir);
    unique_fd nine(9);
    unique_fd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    SpawnSpec spec = sh("if (: <&9); then echo leaked; else echo closed; fi");
    spec.stderr_fd = null.get();
    CHECK(run(*s, spec).out == "closed\n");
}

TEST_CASE("the child leads its own session, and its exit makes the exit fd readable") {
    if (!can_chroot()) return;
    JailRoot j;
    auto s = j.session();
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    unique_fd r(p[0]), w(p[1]);
    SpawnSpec spec = sh("read line");
    spec.stdin_fd = r.get();
    Process proc = s->spawn(spec);
    r.reset();
    CHECK(::getsid(proc.pid()) == proc.pid());
    REQUIRE(proc.pidfd() >= 0);
    pollfd pfd{proc.pidfd(), POLLIN, 0};
    CHECK(::poll(&pfd, 1, 0) == 0);            // still running
    REQUIRE(::write(w.get(), "\n", 1) == 1);   // let it finish
    CHECK(::poll(&pfd, 1, 10000) == 1);        // readable once it has exited
    CHECK(WEXITSTATUS(proc.wait()) == 0);
}

TEST_CASE("an empty command is refused before forking") {
    JailRoot j;
    auto s = j.session();
    SpawnSpec spec;
    CHECK(spawn_error(*s, spec, Errc::invalid) == "jail 'web': nothing to run (empty command)");
}

TEST_CASE("write_file writes inside the jail's root with the requested mode") {
    if (!can_chroot()) return;
    JailRoot j;
    fs::create_directories(j.root / "var/www");
    auto s = j.session();
    s->write_file("/var/www/index.html", "<h1>hi</h1>\n", 0640);
    std::string got;
    {
        unique_fd fd(::open((j.root / "var/www/index.html").c_str(), O_RDONLY));
        REQUIRE(fd);
        char buf[64];
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        REQUIRE(n > 0);
        got.assign(buf, static_cast<size_t>(n));
    }
    CHECK(got == "<h1>hi</h1>\n");
    CHECK((fs::status(j.root / "var/www/index.html").permissions() & fs::perms::all) == fs::perms(0640));
}

TEST_CASE("write_file cannot be pointed at a host file through a symlink planted in the jail") {
    if (!can_chroot()) return;
    JailRoot j;
    char outside_tmpl[] = "/tmp/jailmgr-outside-XXXXXX";
    fs::path outside = ::mkdtemp(outside_tmpl);
    fs::create_directories(j.root / "etc");
    // An absolute link to the host's directory: inside the chroot it names
    // <root><outside>, which does not exist.
    fs::create_directory_symlink(outside, j.root / "etc/evil");
    fs::create_symlink(outside / "victim", j.root / "etc/link");
    auto s = j.session();
    CHECK_THROWS_AS(s->write_file("/etc/evil/victim", "owned", 0644), DriverError);
    CHECK_THROWS_AS(s->write_file("/etc/link", "owned", 0644), DriverError);  // final symlink refused
    CHECK_FALSE(fs::exists(outside / "victim"));
    fs::remove_all(outside);
}
