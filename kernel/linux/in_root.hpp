// in_root.hpp -- open and create paths *inside* a jail root, safely.
//
// A jail root is writable by the jail, so it may contain symlinks planted to
// redirect us ("/var -> /etc" on the host, "../../../"...).  Every lookup
// here goes through openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): ".."
// and absolute symlinks are clamped to the jail root, magic links (/proc/
// PID/fd/...) are refused, so a path can never resolve outside the root.
//
// These functions allocate nothing and call no glibc function that takes a
// lock: they run in freshly cloned children.  They return an fd or 0 on
// success, -1 with errno on failure.
#pragma once

#include <sys/types.h>

namespace jailmgr::kernel::lnx {

// Open `path` (absolute or relative, interpreted inside `root_fd`).
int open_in_root(int root_fd, const char* path, int flags, mode_t mode = 0);

// mkdir -p inside the root; existing directories are fine.
int make_dirs_in_root(int root_fd, const char* path, mode_t mode);

// Make sure `path` exists inside the root as a directory (`dir`) or an
// empty regular file, creating missing parents; 0 if it already exists.
int ensure_in_root(int root_fd, const char* path, bool dir, mode_t mode);

}  // namespace jailmgr::kernel::lnx
