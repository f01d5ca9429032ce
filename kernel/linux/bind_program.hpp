// bind_program.hpp -- the cgroup-BPF program that enforces port reservations.
//
// Attached as BPF_CGROUP_INET4_BIND and BPF_CGROUP_INET6_BIND at the root of
// the cgroup2 hierarchy, it sees every bind(2) on the host (TCP and UDP, any
// address, v4-mapped included) and decides, in this order:
//   port 0 (an autobind request)                   -> allow
//   port not in `ports`                            -> allow (reservation grants nothing)
//   caller's cgroup2 id == the port's owner        -> allow
//   caller's cgroup is a jail of this instance     -> deny, count in `jails`
//   caller outside the host PID namespace          -> deny (another sandbox, or a
//                                                    jail of another jailmgr instance)
//   caller's uid == 0 (host root)                  -> allow (exempt)
//   anyone else (unprivileged host process)        -> deny
// "deny" makes bind(2) fail with EPERM.  The program has no loop and touches
// two hash maps; its cost is measured by bench/bind.
#pragma once

#include <linux/bpf.h>
#include <sys/types.h>

#include <cstdint>
#include <vector>

namespace jailmgr::kernel::lnx {

// `ports` map: key = the port as in bpf_sock_addr.user_port (network byte
// order in the low 16 bits of a u32), value = its owner.
struct PortOwner {
    std::uint64_t cgroup_id = 0;
    std::uint32_t jail_id = 0;
    std::uint32_t pad = 0;
};

// `jails` map: key = cgroup2 id of a jail, value = its ID and the number of
// binds the hook refused to it (reported as JailInfo::denied_network).
struct JailSlot {
    std::uint32_t jail_id = 0;
    std::uint32_t pad = 0;
    std::uint64_t denied = 0;
};

std::uint32_t port_key(std::uint16_t port);

// The host PID namespace, as bpf_get_ns_current_pid_tgid() wants it.
struct PidNamespaceId {
    std::uint64_t dev = 0;  // kernel dev_t encoding of the nsfs device
    std::uint64_t ino = 0;
};
PidNamespaceId current_pid_namespace();  // of the calling process

std::vector<bpf_insn> bind_program(int ports_map_fd, int jails_map_fd, const PidNamespaceId& host);

}  // namespace jailmgr::kernel::lnx
