#include "event_loop.hpp"

#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>

#include "sys/error.hpp"

namespace jailmgr::engine::supervisor {

EventLoop::EventLoop() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (!epoll_) sys::throw_errno("epoll_create1");
}

void EventLoop::add(int fd, std::uint32_t events, Callback cb) {
    std::uint32_t gen = next_generation_++;
    epoll_event ev{};
    ev.events = events;
    // The generation tells a stale event (for an fd removed, closed and
    // reused during the same dispatch round) from a live one.
    ev.data.u64 = (static_cast<std::uint64_t>(gen) << 32) | static_cast<std::uint32_t>(fd);
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) sys::throw_errno("epoll_ctl add");
    entries_[fd] = Entry{gen, std::move(cb)};
}

void EventLoop::modify(int fd, std::uint32_t events) {
    auto it = entries_.find(fd);
    if (it == entries_.end()) return;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = (static_cast<std::uint64_t>(it->second.generation) << 32) | static_cast<std::uint32_t>(fd);
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) sys::throw_errno("epoll_ctl mod");
}

void EventLoop::remove(int fd) {
    if (entries_.erase(fd) == 0) return;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

void EventLoop::wait_and_dispatch() {
    epoll_event events[32];
    int n;
    do {
        n = ::epoll_wait(epoll_.get(), events, 32, -1);
    } while (n < 0 && errno == EINTR);
    if (n < 0) sys::throw_errno("epoll_wait");
    for (int i = 0; i < n; ++i) {
        int fd = static_cast<int>(events[i].data.u64 & 0xffffffffu);
        auto gen = static_cast<std::uint32_t>(events[i].data.u64 >> 32);
        auto it = entries_.find(fd);
        if (it == entries_.end() || it->second.generation != gen) continue;
        // Copy: the callback may remove its own entry.
        Callback cb = it->second.cb;
        cb(events[i].events);
    }
}

DeadlineTimer::DeadlineTimer() : fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
    if (!fd_) sys::throw_errno("timerfd_create");
}

void DeadlineTimer::arm(std::optional<TimePoint> when) {
    if (when == armed_) return;
    itimerspec its{};
    if (when) {
        // steady_clock is CLOCK_MONOTONIC on Linux.
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(when->time_since_epoch()).count();
        if (ns <= 0) ns = 1;  // 0 would disarm
        its.it_value.tv_sec = static_cast<time_t>(ns / 1000000000);
        its.it_value.tv_nsec = static_cast<long>(ns % 1000000000);
    }
    if (::timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME, &its, nullptr) != 0) sys::throw_errno("timerfd_settime");
    armed_ = when;
}

void DeadlineTimer::acknowledge() {
    std::uint64_t expirations;
    while (::read(fd_.get(), &expirations, sizeof expirations) < 0 && errno == EINTR) {
    }
    armed_.reset();  // it fired: arm() must re-arm even for the same time point
}

SignalFd::SignalFd(std::initializer_list<int> signals) {
    sigset_t set;
    sigemptyset(&set);
    for (int s : signals) sigaddset(&set, s);
    if (::sigprocmask(SIG_BLOCK, &set, &old_mask_) != 0) sys::throw_errno("sigprocmask");
    fd_.reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!fd_) {
        int err = errno;
        ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
        sys::throw_errno("signalfd", err);
    }
}

SignalFd::~SignalFd() { ::sigprocmask(SIG_SETMASK, &old_mask_, nullptr); }

int SignalFd::next() {
    signalfd_siginfo si;
    ssize_t n;
    do {
        n = ::read(fd_.get(), &si, sizeof si);
    } while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(sizeof si) ? static_cast<int>(si.ssi_signo) : 0;
}

}  // namespace jailmgr::engine::supervisor
