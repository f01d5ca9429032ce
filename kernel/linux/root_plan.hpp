// root_plan.hpp -- what a jail sees as /: the step list its init runs, and
// the on-disk preparation done once at create time.
//
// Table of contents of a jail's filesystem (root_plan.cpp, in order):
//   1. private propagation, the jail root bound onto itself (nodev)
//   2. base: host_base binds /usr and the real /lib* dirs of the host
//      read-only, nosuid, nodev (symlinks such as /bin -> usr/bin are
//      mirrored at create time); rootfs uses the root as is
//   3. /tmp: a tmpfs (nosuid, nodev)
//   4. /dev: a small tmpfs with null, zero, full, random, urandom, tty bound
//      from the host, a private devpts (pts, ptmx), /dev/shm, fd links
//   5. /proc: fresh for the jail's PID namespace; host-global files
//      read-only, sensitive ones masked (per profile)
//   6. /sys: read-only sysfs at low, absent at medium/high
//   7. the jail's declared bind mounts (nodev, nosuid, read-only if asked)
//   8. hostname, pivot_root
#pragma once

#include <filesystem>
#include <vector>

#include "driver.hpp"
#include "profile_rules.hpp"
#include "setup_steps.hpp"

namespace jailmgr::kernel::lnx {

std::vector<Step> root_steps(const JailSpec& spec, const ProfilePlan& profile);

// Create-time preparation of a host_base root (nothing for rootfs): the
// root directory, mount points, mirrored /bin-style symlinks, the per-jail
// /etc /var /home /root /tmp, and seed files copied from the host (passwd,
// group, hosts, resolv.conf, nsswitch.conf) plus /etc/hostname -- only when
// absent, never overwriting, never a secret (no shadow, no keys).
// Returns what it created, deepest last, for undo_prepare().
std::vector<std::filesystem::path> prepare_root(const JailSpec& spec);
void undo_prepare(const std::vector<std::filesystem::path>& created);

}  // namespace jailmgr::kernel::lnx
