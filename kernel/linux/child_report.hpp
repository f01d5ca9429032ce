// child_report.hpp -- how a cloned child tells its parent what went wrong.
//
// The child writes one fixed-size ChildReport to a CLOEXEC pipe when a step
// fails (then _exits), or, for the jail's init, when it is ready.  A spawned
// process that reaches execve writes nothing: the pipe closes on exec and the
// parent reads EOF.  So "the child exited with 127" never stands in for
// "exec failed": the parent knows the stage, the step and the errno.
#pragma once

#include <cstdint>
#include <string>

namespace jailmgr::kernel::lnx {

enum class Stage : std::int32_t {
    ready = 0,           // init: namespaces and root are set up
    parent_gone,         // init: the owner exited before the init started
    cgroup_join,         // writing to a v1 cgroup.procs
    cgroup_namespace,    // unshare(CLONE_NEWCGROUP)
    join_namespaces,     // setns() into the init's namespaces
    mount_step,          // index = the failing setup step
    stdio,
    session,             // setsid
    rlimit,              // index = the resource
    bounding_set,
    securebits,
    credentials,         // setgroups / setgid / setuid
    capabilities,
    no_new_privs,
    landlock,
    seccomp,
    workdir,
    exec,
    init_program,        // the jail's init could not exec or start its program
};

struct ChildReport {
    Stage stage = Stage::ready;
    std::int32_t index = 0;
    std::int32_t err = 0;
};

static_assert(static_cast<int>(Stage::init_program) == 18, "init_protocol.h: JAIL_INIT_STAGE_PROGRAM");
static_assert(sizeof(ChildReport) == 12, "init_protocol.h: struct jail_init_report");

std::string stage_name(Stage s);

// Child side: write the report (ignores errors: the parent sees EOF anyway).
void send_report(int fd, Stage stage, int index, int err);

// Parent side: read one report.  false on EOF (the child exec'd or died
// without a word).  Throws SysError on read errors.
bool read_report(int fd, ChildReport& out);

}  // namespace jailmgr::kernel::lnx
