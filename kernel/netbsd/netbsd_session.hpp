// netbsd_session.hpp -- running processes in a NetBSD jail.
//
// There is no namespace instance to own: a session is just the jail's
// record, and every spawn is a child that chroots at the jail's root and
// enters the jail before it executes.  Destroying a session kills nothing,
// and owner() is always false.
#pragma once

#include <memory>

#include "driver.hpp"
#include "sysctl_transport.hpp"

namespace jailmgr::kernel::netbsd {

class NetbsdSession final : public Session {
public:
    NetbsdSession(std::shared_ptr<SysctlTransport> sysctl, JailInfo info);

    JailId id() const override { return info_.id; }
    bool owner() const override { return false; }

    // fork; in the child: setsid (if asked), stdio, rlimits (the tighter of
    // the jail's and the spec's, cur = max), chdir(root), chroot("."),
    // chdir("/"), enter (security.models.jail.id), setgroups/setgid/setuid,
    // chdir(working_dir), execve with a PATH search.  A failure of any step
    // comes back through a close-on-exec pipe and is thrown here as a
    // DriverError naming the step, instead of a child that exits 127.
    Process spawn(const SpawnSpec& spec) override;

    // fork; in the child: chdir(root), chroot("."), open the path (never
    // following a final symlink), write, fchmod.  Inside the chroot every
    // other symlink resolves within the jail's root, so a jail cannot point
    // the write at a host file.
    void write_file(const std::filesystem::path& path, std::string_view content, unsigned mode) override;

    // Signal every live member, through the module's kill node.
    void kill_all(int sig) override;

private:
    std::shared_ptr<SysctlTransport> sysctl_;
    JailInfo info_;
};

}  // namespace jailmgr::kernel::netbsd
