// linux_session.hpp -- a Session on Linux: a handle on a running instance.
//
// spawn() makes the new process a child of the calling thread, born in the
// jail's PID namespace: the thread enters the namespace for its next child
// only (setns on pid_for_children), clones with CLONE_INTO_CGROUP and
// CLONE_PIDFD, and immediately returns to its own namespace, so later jails
// are never nested and the caller can waitid() the child.  The session that
// started the instance owns it: destroying that session kills the init,
// and with it every process of the jail, and reaps the init.  One caveat:
// an exiting init waits until every process of its namespace has been
// reaped, the caller's own children included.  If the caller still holds
// unreaped processes of the jail (Process objects not yet waited for), the
// init cannot finish before they are; the destructor waits until the jail's
// cgroup is empty, gives the init a bounded second, and otherwise leaves it
// to be reaped by whoever reaps the caller's children (waitpid(-1)), or at
// the caller's exit.  Supervisors wait for their processes first.
#pragma once

#include <linux/filter.h>

#include <memory>

#include "cgroup_fs.hpp"
#include "cgroup_layout.hpp"
#include "driver.hpp"
#include "jail_instance.hpp"
#include "profile_rules.hpp"
#include "registry.hpp"

namespace jailmgr::kernel::lnx {

class LinuxSession : public Session {
public:
    LinuxSession(Registry registry, std::shared_ptr<CgroupFs> cgfs, JailRecord rec, InitHandle init, bool owner,
                 ProfilePlan profile, std::vector<sock_filter> seccomp);
    ~LinuxSession() override;

    JailId id() const override { return rec_.id; }
    bool owner() const override { return owner_; }
    Process spawn(const SpawnSpec& spec) override;
    void kill_all(int sig) override;
    // A forked child joins only the jail's mount namespace, whose root is the
    // jail's /: every symlink then resolves inside the jail, and a final
    // symlink is refused (O_NOFOLLOW).  It writes as host root, so modes and
    // read-only mounts of the jail apply, not its profile.
    void write_file(const std::filesystem::path& path, std::string_view content, unsigned mode) override;

private:
    Registry registry_;
    std::shared_ptr<CgroupFs> cgfs_;
    JailRecord rec_;
    InitHandle init_;
    bool owner_;
    ProfilePlan profile_;
    std::vector<sock_filter> seccomp_;  // compiled once for every spawn
};

}  // namespace jailmgr::kernel::lnx
