#include "spawn_child.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>

#include "child_common.hpp"
#include "syscalls.hpp"

namespace jailmgr::kernel::lnx {

namespace {

[[noreturn]] void fail(const SpawnPlan& plan, Stage stage, int index = 0) {
    send_report(plan.report_fd, stage, index, errno);
    ::_exit(127);
}

// Place the three descriptors on 0, 1, 2 even when they overlap (stdout
// given as fd 0, ...): copy them out of the way first.
int setup_stdio(const int (&src)[3]) {
    int high[3];
    for (int i = 0; i < 3; ++i)
        if ((high[i] = ::fcntl(src[i], F_DUPFD_CLOEXEC, 10)) < 0) return -1;
    for (int i = 0; i < 3; ++i)
        if (::dup2(high[i], i) < 0) return -1;
    return 0;
}

}  // namespace

std::vector<std::string> exec_candidates(const std::string& argv0, const std::string& path_env) {
    if (argv0.find('/') != std::string::npos) return {argv0};
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t colon = path_env.find(':', start);
        std::string dir = path_env.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
        out.push_back((dir.empty() ? std::string(".") : dir) + "/" + argv0);
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    return out;
}

void spawn_entry(void* plan) noexcept { run_spawn(*static_cast<const SpawnPlan*>(plan)); }

void run_spawn(const SpawnPlan& plan) noexcept {
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  // until execve: we are still host root
    reset_signals();
    if (join_cgroups(plan.cgroup_tasks) != 0) fail(plan, Stage::cgroup_join);
    if (sysc::setns(plan.ns_pidfd, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP) != 0)
        fail(plan, Stage::join_namespaces);
    if (setup_stdio(plan.stdio) != 0) fail(plan, Stage::stdio);
    // Nothing of the spawner's descriptor table crosses execve.
    sysc::close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
    if (plan.new_session && ::setsid() < 0) fail(plan, Stage::session);
    for (const auto& [resource, lim] : plan.rlimits)
        if (::setrlimit(resource, &lim) != 0) fail(plan, Stage::rlimit, resource);

    Stage stage = Stage::ready;
    if (apply_hardening(plan.hardening, plan.creds, &stage) != 0) fail(plan, stage);
    if (::chdir(plan.workdir.c_str()) != 0) fail(plan, Stage::workdir);

    // execvpe semantics: skip missing candidates, remember a permission
    // error, stop at anything else.
    int err = ENOENT;
    bool saw_eacces = false;
    for (const auto& path : plan.exec_paths) {
        ::execve(path.c_str(), plan.argv.data(), plan.envp.data());
        if (errno == EACCES) {
            saw_eacces = true;
        } else if (errno != ENOENT && errno != ENOTDIR) {
            err = errno;
            break;
        }
    }
    errno = saw_eacces && err == ENOENT ? EACCES : err;
    fail(plan, Stage::exec);
}

}  // namespace jailmgr::kernel::lnx
