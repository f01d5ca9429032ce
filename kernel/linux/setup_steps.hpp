// setup_steps.hpp -- a jail's filesystem as a typed list of setup steps.
//
// The parent turns a jail record into a std::vector<Step> (root_plan.cpp);
// the jail's init runs them, in order, with one loop (run_steps) inside its
// fresh mount namespace, then pivots into the root.  Nothing is ever mounted
// in the host's namespace, so nothing can leak there.  Every target is a
// path inside the jail root, resolved with in_root.hpp (symlinks cannot
// escape); sources are host paths chosen by the host administrator.
//
// A failing step stops the loop; its index and errno go back to the parent,
// which prints describe(step): "bind /srv/www on /var/www (read-only):
// No such file or directory".
#pragma once

#include <string>
#include <vector>

namespace jailmgr::kernel::lnx {

enum class StepKind {
    make_private,  // mount propagation of / to private, recursively
    bind_root,     // bind the jail root onto itself (nodev): it becomes the new /
    bind,          // bind host `source` on `target` (recursive), then set `attrs`
    mount_fs,      // mount a fresh `fstype` (proc, tmpfs, sysfs, devpts) on `target`
    read_only,     // bind `target` onto itself and make it read-only
    mkdir,         // make sure directory `target` exists
    symlink,       // `target` -> `source`, if `target` does not exist yet
    hostname,      // sethostname(`source`)
    pivot_root,    // the jail root becomes /; the old root is detached
};

struct Step {
    StepKind kind = StepKind::mkdir;
    std::string source;
    std::string target;
    std::string fstype;         // mount_fs
    std::string data;           // mount_fs options ("mode=0755,size=64k")
    unsigned long flags = 0;    // mount_fs: MS_* flags
    unsigned mode = 0755;       // mkdir, and mount points created on the way
    unsigned long long attrs = 0;  // bind: MOUNT_ATTR_* set recursively
    bool create = false;        // create a missing mount point (dir, or file for a file source)
    bool optional = false;      // a missing source or target skips the step
};

// "bind /usr on /usr (read-only, nosuid, nodev)", "mount proc on /proc", ...
std::string describe(const Step& step);

// Runs steps[0..n) for the jail root `root` (a host path).  Returns -1 on
// success, or the index of the failing step with errno set.  Child-safe: no
// allocation, no locks.
int run_steps(const Step* steps, int n, const char* root);

}  // namespace jailmgr::kernel::lnx
