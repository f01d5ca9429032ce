// fixture.hpp -- what every root integration and security test shares.
//
// An Instance is a jailmgr instance of its own (a temporary --root-dir, so
// its cgroups and BPF pins have their own names).  Its destructor destroys
// every jail it still has, with force, and then checks that nothing of the
// instance remains on the host: no registry files, no cgroup directory under
// any controller, no BPF pins, and ip_local_reserved_ports as it was.  It
// does so even when the test body failed half-way.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "driver.hpp"
#include "paths.hpp"

namespace jailmgr::test {

// Path of the in-jail probe (tests/security/jail_probe.cpp) and of jailctl,
// from the environment meson sets.
std::string probe_path();
std::string jailctl_path();
inline constexpr const char* probe_in_jail = "/opt/jail_probe";

class Instance {
public:
    Instance();
    ~Instance();
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    // A host_base jail named `name` rooted in the instance's directory, with
    // the probe bind-mounted at /opt/jail_probe.
    kernel::JailSpec spec(const std::string& name, kernel::Profile profile = kernel::Profile::high) const;

    // Host PIDs in jail `name`'s cgroup2 directory (its cgroup.procs).
    std::vector<pid_t> jail_pids(const std::string& name) const;

    // What remains of this instance on the host, one line per leftover;
    // empty when clean.  With `sysctl`, ip_local_reserved_ports must also be
    // back to its value when the instance was made.
    std::vector<std::string> leftovers(bool sysctl = true) const;

    std::filesystem::path dir;
    engine::Paths paths;
    std::unique_ptr<kernel::Driver> driver;

private:
    std::string reserved_before_;
};

struct Output {
    int status = -1;  // wait status
    std::string out;  // stdout and stderr, interleaved
    int exit_code() const;  // WEXITSTATUS, or -signal if killed
};

// Runs argv in the session and collects its output.
Output run(kernel::Session& session, std::vector<std::string> argv, kernel::SpawnSpec base = {});
// The probe's one-line outcome (trailing newline removed).
std::string probe(kernel::Session& session, std::vector<std::string> args);

// A host process that sleeps until killed (its destructor kills and reaps it).
class HostSleeper {
public:
    HostSleeper();
    ~HostSleeper();
    pid_t pid() const { return pid_; }
    bool alive() const;

private:
    pid_t pid_ = -1;
};

// Contents of a sysctl or cgroup file, trailing newline removed.
std::string read_trimmed(const std::filesystem::path& file);

// Runs jailctl with --root-dir of the instance; returns exit code and output.
struct CliResult {
    int code = -1;
    std::string out, err;
};
CliResult jailctl(const Instance& inst, std::vector<std::string> args);
// Runs `binary --root-dir <instance> args...` with extra "K=V" environment;
// code is the exit status, or minus the signal that killed it.
CliResult run_cli(const std::string& binary, const Instance& inst, std::vector<std::string> args,
                  const std::vector<std::string>& env = {});

}  // namespace jailmgr::test
