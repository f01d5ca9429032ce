#include "syslog_sink.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace jailmgr::engine::supervisor {

SyslogSink::SyslogSink(SyslogLog config, std::string prefix)
    : config_(std::move(config)), prefix_(std::move(prefix)), pid_(static_cast<int>(::getpid())) {}

bool SyslogSink::connect(TimePoint now) {
    if (fd_) return true;
    if (last_attempt_ && now - *last_attempt_ < std::chrono::seconds(1)) return false;
    last_attempt_ = now;
    sys::unique_fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string& p = config_.socket.string();
    if (p.size() >= sizeof addr.sun_path) return false;
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return false;
    fd_ = std::move(fd);
    return true;
}

bool SyslogSink::send(bool is_stderr, std::string_view line, std::time_t wall, TimePoint now) {
    if (!connect(now)) {
        ++dropped_;
        return false;
    }
    if (wall != stamp_second_) {
        struct tm tm;
        localtime_r(&wall, &tm);
        std::strftime(stamp_, sizeof stamp_, "%b %e %H:%M:%S", &tm);
        stamp_second_ = wall;
    }
    int pri = config_.facility | (is_stderr ? config_.stderr_level : config_.stdout_level);
    char head[256];
    int n = std::snprintf(head, sizeof head, "<%d>%s %s[%d]: %s %s: ", pri, stamp_, config_.tag.c_str(),
                          pid_, prefix_.c_str(), is_stderr ? "stderr" : "stdout");
    if (n < 0 || static_cast<size_t>(n) >= sizeof head) n = 0;
    iovec iov[2] = {{head, static_cast<size_t>(n)}, {const_cast<char*>(line.data()), line.size()}};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    if (::sendmsg(fd_.get(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return true;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) fd_.reset();  // daemon gone: reconnect later
    ++dropped_;
    return false;
}

}  // namespace jailmgr::engine::supervisor
