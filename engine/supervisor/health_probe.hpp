// health_probe.hpp -- the probes behind health checks.  An exec probe is a
// process spawned in the jail through the Session (its exit status is the
// verdict); a TCP probe is a non-blocking connect to 127.0.0.1:<port> whose
// completion the loop waits for.  Timeouts are the health state machine's
// deadline; cancelling kills the exec probe's process group.
#pragma once

#include <cstdint>

#include "driver.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::engine::supervisor {

struct Probe {
    kernel::Process process;  // exec probe in flight
    sys::unique_fd socket;    // tcp probe in flight
    bool active() const { return process.pid() > 0 || static_cast<bool>(socket); }
};

enum class ConnectStatus { connected, in_progress, failed };

// Starts a connect to 127.0.0.1:port; on in_progress `socket` holds the
// socket to wait on for EPOLLOUT.  `error` is set on failure.
ConnectStatus tcp_probe_start(std::uint16_t port, sys::unique_fd& socket, int& error);
// After EPOLLOUT: 0 if connected, else the errno.
int tcp_probe_result(int socket);

}  // namespace jailmgr::engine::supervisor
