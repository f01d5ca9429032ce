// syslog_sink.hpp -- service output to the local syslog daemon, one
// datagram per line on a non-blocking AF_UNIX socket (default /dev/log), in
// the format syslog(3) uses:
//   <PRI>Mmm dd hh:mm:ss TAG[PID]: jail=web jid=3 svc=httpd stdout: <line>
//
// Never blocks: a full socket buffer (EAGAIN), a missing or restarted daemon
// drop the line and count it.  Reconnects at most once a second.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "service_fsm.hpp"
#include "spec.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::engine::supervisor {

class SyslogSink {
public:
    // `prefix` is "jail=web jid=3 svc=httpd".
    SyslogSink(SyslogLog config, std::string prefix);

    // Returns false if the line was dropped.
    bool send(bool is_stderr, std::string_view line, std::time_t wall, TimePoint now);

    std::uint64_t dropped_lines() const { return dropped_; }

private:
    bool connect(TimePoint now);

    SyslogLog config_;
    std::string prefix_;
    sys::unique_fd fd_;
    std::optional<TimePoint> last_attempt_;
    std::uint64_t dropped_ = 0;
    int pid_;  // getpid() is a system call: ask once
    std::time_t stamp_second_ = -1;
    char stamp_[16] = {};  // "Mmm dd hh:mm:ss", cached per second
};

}  // namespace jailmgr::engine::supervisor
