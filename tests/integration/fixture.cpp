#include "fixture.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "sys/error.hpp"
#include "sys/files.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::test {

namespace fs = std::filesystem;
using namespace kernel;

namespace {

const char* reserved_ports_sysctl = "/proc/sys/net/ipv4/ip_local_reserved_ports";

std::string env_or_fail(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) throw std::runtime_error(std::string(name) + " is not set (run the tests through meson)");
    return v;
}

std::vector<fs::path> cgroup_mounts() {
    std::vector<fs::path> out;
    std::istringstream in(sys::read_file("/proc/self/mountinfo"));
    std::string line;
    while (std::getline(in, line)) {
        auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        std::istringstream rest(line.substr(dash + 3));
        std::string type;
        rest >> type;
        if (type != "cgroup" && type != "cgroup2") continue;
        std::istringstream f(line);
        std::string id, parent, dev, root, mp;
        f >> id >> parent >> dev >> root >> mp;
        out.emplace_back(mp);
    }
    return out;
}

std::vector<fs::path> find_dirs_named(const fs::path& top, const std::string& name) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(top, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory(ec) && !it->is_symlink(ec) && it->path().filename() == name) {
            out.push_back(it->path());
            it.disable_recursion_pending();
        }
    }
    return out;
}

// rmdir depth-first: a cgroup directory can only go once its children did.
void remove_tree(const fs::path& dir) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_directory(ec) && !e.is_symlink(ec)) remove_tree(e.path());
    ::rmdir(dir.c_str());
}

}  // namespace

std::string probe_path() { return env_or_fail("JAIL_PROBE"); }
std::string jailctl_path() { return env_or_fail("JAILCTL"); }

std::string read_trimmed(const fs::path& file) {
    auto s = sys::read_file(file);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

Instance::Instance() {
    char tmpl[] = "/tmp/jailmgr-it-XXXXXX";
    if (!::mkdtemp(tmpl)) sys::throw_errno("mkdtemp");
    dir = tmpl;
    paths = engine::Paths::for_root(dir);
    driver = make_driver(paths.driver_config());
    reserved_before_ = read_trimmed(reserved_ports_sysctl);
}

Instance::~Instance() {
    try {
        for (const auto& j : driver->list()) {
            try {
                driver->destroy(j.id, true);
            } catch (const std::exception& e) {
                MESSAGE("cleanup: destroy " << j.spec.name << ": " << e.what());
            }
        }
    } catch (const std::exception& e) {
        MESSAGE("cleanup: list: " << e.what());
    }
    auto left = leftovers();
    for (const auto& l : left) std::cerr << "leftover of instance " << paths.instance << ": " << l << "\n";
    CHECK_MESSAGE(left.empty(), "instance " << paths.instance << " left objects on the host");
    if (!left.empty()) {  // do not let one failure poison the next tests
        for (const auto& mp : cgroup_mounts())
            for (const auto& d : find_dirs_named(mp, "jailmgr." + paths.instance)) remove_tree(d);
        std::error_code ec;
        fs::remove_all(fs::path("/sys/fs/bpf/jailmgr") / paths.instance, ec);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
}

JailSpec Instance::spec(const std::string& name, Profile profile) const {
    JailSpec s;
    s.name = name;
    s.root = dir / "jails" / name;
    s.profile = profile;
    s.mounts.push_back(BindMount{probe_path(), probe_in_jail, true});
    return s;
}

std::vector<pid_t> Instance::jail_pids(const std::string& name) const {
    std::vector<pid_t> out;
    for (const auto& mp : cgroup_mounts()) {
        for (const auto& d : find_dirs_named(mp, "jailmgr." + paths.instance)) {
            auto procs = sys::read_file_if_exists(d / name / "cgroup.procs");
            if (!procs || !fs::exists(d / name / "cgroup.events")) continue;  // a v1 hierarchy
            std::istringstream in(*procs);
            pid_t p;
            while (in >> p) out.push_back(p);
        }
    }
    return out;
}

std::vector<std::string> Instance::leftovers(bool sysctl) const {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(paths.run_dir / "jails", ec))
        out.push_back("registry file " + e.path().string());
    for (const auto& mp : cgroup_mounts())
        for (const auto& d : find_dirs_named(mp, "jailmgr." + paths.instance)) out.push_back("cgroup " + d.string());
    fs::path pins = fs::path("/sys/fs/bpf/jailmgr") / paths.instance;
    if (fs::exists(pins, ec)) out.push_back("BPF pins " + pins.string());
    auto now = read_trimmed(reserved_ports_sysctl);
    if (sysctl && now != reserved_before_)
        out.push_back("ip_local_reserved_ports is '" + now + "', was '" + reserved_before_ + "'");
    return out;
}

int Output::exit_code() const {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -1000;
}

Output run(Session& session, std::vector<std::string> argv, SpawnSpec base) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) sys::throw_errno("pipe");
    sys::unique_fd rd(fds[0]), wr(fds[1]);
    base.argv = std::move(argv);
    base.stdout_fd = wr.get();
    base.stderr_fd = wr.get();
    Process p = session.spawn(base);
    wr.reset();
    Output o;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(rd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        o.out.append(buf, static_cast<size_t>(n));
    }
    o.status = p.wait();
    return o;
}

std::string probe(Session& session, std::vector<std::string> args) {
    args.insert(args.begin(), probe_in_jail);
    auto o = run(session, std::move(args));
    while (!o.out.empty() && o.out.back() == '\n') o.out.pop_back();
    if (o.exit_code() != 0) return o.out + " (exit " + std::to_string(o.exit_code()) + ")";
    return o.out;
}

HostSleeper::HostSleeper() {
    pid_ = ::fork();
    if (pid_ == 0) {
        ::execl("/bin/sleep", "sleep", "600", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    if (pid_ < 0) sys::throw_errno("fork");
}

HostSleeper::~HostSleeper() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

bool HostSleeper::alive() const {
    int status;
    return ::waitpid(pid_, &status, WNOHANG) == 0;
}

CliResult run_cli(const std::string& binary, const Instance& inst, std::vector<std::string> args,
                  const std::vector<std::string>& env) {
    static int serial = 0;
    std::string tag = std::to_string(::getpid()) + "." + std::to_string(++serial);
    fs::path out = inst.dir / ("cli." + tag + ".out"), err = inst.dir / ("cli." + tag + ".err");
    pid_t pid = ::fork();
    if (pid == 0) {
        int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int n = ::open("/dev/null", O_RDONLY);
        ::dup2(n, 0);
        ::dup2(o, 1);
        ::dup2(e, 2);
        for (auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
        std::vector<std::string> all = {binary, "--root-dir", inst.dir.string()};
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : all) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    CliResult r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    r.out = sys::read_file(out);
    r.err = sys::read_file(err);
    fs::remove(out);
    fs::remove(err);
    return r;
}

CliResult jailctl(const Instance& inst, std::vector<std::string> args) {
    return run_cli(jailctl_path(), inst, std::move(args));
}

}  // namespace jailmgr::test
