// driver_common.cpp -- the parts of driver.hpp that do not depend on a kernel.
#include "driver.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <utility>

#include "sys/error.hpp"

namespace jailmgr::kernel {

std::string_view to_string(Profile p) {
    switch (p) {
    case Profile::low: return "low";
    case Profile::medium: return "medium";
    case Profile::high: return "high";
    }
    return "invalid";
}

std::optional<Profile> parse_profile(std::string_view s) {
    if (s == "low") return Profile::low;
    if (s == "medium") return Profile::medium;
    if (s == "high") return Profile::high;
    return std::nullopt;
}

Process::Process(Process&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), pidfd_(std::exchange(o.pidfd_, -1)) {}

Process& Process::operator=(Process&& o) noexcept {
    if (this != &o) {
        release();
        pid_ = std::exchange(o.pid_, -1);
        pidfd_ = std::exchange(o.pidfd_, -1);
    }
    return *this;
}

Process::~Process() { release(); }

void Process::release() {
    if (pidfd_ >= 0) ::close(pidfd_);
    pidfd_ = -1;
    pid_ = -1;
}

int Process::wait() {
    if (pid_ <= 0) throw sys::SysError("wait for a process that was not started", ECHILD);
    int status = 0;
    for (;;) {
        pid_t r = ::waitpid(pid_, &status, 0);
        if (r == pid_) break;
        if (r < 0 && errno == EINTR) continue;
        sys::throw_errno("waitpid " + std::to_string(pid_));
    }
    release();
    return status;
}

std::optional<JailInfo> find_jail(Driver& driver, std::string_view id_or_name) {
    JailId id = 0;
    auto [end, ec] = std::from_chars(id_or_name.data(), id_or_name.data() + id_or_name.size(), id);
    if (ec == std::errc() && end == id_or_name.data() + id_or_name.size() && !id_or_name.empty())
        return driver.find(id);
    return driver.find(id_or_name);
}

}  // namespace jailmgr::kernel
