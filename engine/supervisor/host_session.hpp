// host_session.hpp -- TEST SEAM.  A kernel::Session that runs "jailed"
// processes as plain host processes, so the supervisor's logic can be tested
// (and benchmarked) without the kernel driver.  It is not a jail: no root,
// profile, ports or limits; the lead's real-jail tests cover those.
//
// It keeps the two properties the supervisor relies on:
//  * spawn() has the SpawnSpec semantics of the drivers: stdio fds, setsid,
//    environment (PATH lookup in the given environment), working dir,
//    rlimits, credentials, a pidfd, and exec errors reported as DriverError.
//  * lifetime: the instance is a PID namespace whose init (PID 1) dies when
//    its owner dies, taking every process of the "jail" with it -- as the
//    Linux driver's jail init does.  Orphans are reaped by that init.
// Construct it before the process forks anything else: unshare(CLONE_NEWPID)
// puts every later child of the process into the namespace.
#pragma once

#include <sys/types.h>

#include "driver.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::engine::supervisor {

class HostSession : public kernel::Session {
public:
    explicit HostSession(kernel::JailId id);
    ~HostSession() override;  // kills the init, and with it every member
    HostSession(const HostSession&) = delete;
    HostSession& operator=(const HostSession&) = delete;

    kernel::JailId id() const override { return id_; }
    bool owner() const override { return true; }
    kernel::Process spawn(const kernel::SpawnSpec& spec) override;
    // Signals every member of the namespace except its init.
    void kill_all(int sig) override;
    // The seam has no jail root: the path is a host path.
    void write_file(const std::filesystem::path& path, std::string_view content, unsigned mode) override;

    pid_t init_pid() const { return init_pid_; }

private:
    kernel::JailId id_;
    pid_t init_pid_ = -1;
    ino_t pidns_inode_ = 0;
};

}  // namespace jailmgr::engine::supervisor
