// Writing a file as seen from inside a jail, from a forked child.
//
// Both drivers need it for `Session::write_file` (setup steps drop files into
// a jail): the child first switches its view of the filesystem to the jail's
// (Linux: setns into the jail's mount namespace; NetBSD: chroot at the jail's
// root), then writes, and reports an errno back through a pipe.  Forking keeps
// the caller's own root and namespaces untouched; the caller may have threads,
// so only async-signal-safe calls run in the child.
#pragma once

#include <string>
#include <string_view>

namespace jailmgr::kernel {

// Called in the child after fork: switch to the jail's filesystem view.
// Returns 0 or an errno.  Must be async-signal-safe.
using EnterJailView = int (*)(const void* arg);

// Writes `content` to absolute `path` (created or truncated, O_NOFOLLOW, then
// chmod `mode & 07777`) after `enter(arg)` succeeded in a forked child.
// Throws DriverError naming `subject` on any failure (not_found for ENOENT).
void write_file_in_child(const std::string& subject, const std::string& path, std::string_view content,
                         unsigned mode, EnterJailView enter, const void* arg);

}  // namespace jailmgr::kernel
