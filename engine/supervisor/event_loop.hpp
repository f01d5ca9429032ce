// event_loop.hpp -- the supervisor's one wait set: epoll over descriptors
// (signalfd, pidfds, timerfd, pipes, sockets), each with a callback.  No
// timeouts, no polling: the only timer is a timerfd armed to the earliest
// deadline, so an idle supervisor sleeps in epoll_wait until something
// happens.
#pragma once

#include <sys/epoll.h>

#include <csignal>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <unordered_map>

#include "service_fsm.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::engine::supervisor {

class EventLoop {
public:
    using Callback = std::function<void(std::uint32_t events)>;

    EventLoop();
    // The callback runs when `fd` is ready; the caller keeps owning `fd` and
    // must remove() it before closing it.
    void add(int fd, std::uint32_t events, Callback cb);
    void modify(int fd, std::uint32_t events);
    void remove(int fd);
    // Waits (forever) for at least one event and runs the callbacks.
    void wait_and_dispatch();

private:
    struct Entry {
        std::uint32_t generation;
        Callback cb;
    };
    sys::unique_fd epoll_;
    std::unordered_map<int, Entry> entries_;
    std::uint32_t next_generation_ = 1;
};

// A CLOCK_MONOTONIC timerfd armed to one absolute time point (or disarmed).
class DeadlineTimer {
public:
    DeadlineTimer();
    int fd() const { return fd_.get(); }
    // Re-arms only when the deadline changes.
    void arm(std::optional<TimePoint> when);
    // Consumes the expiration count after the timer fired.
    void acknowledge();

private:
    sys::unique_fd fd_;
    std::optional<TimePoint> armed_;
};

// Blocks `signals` for the process and delivers them through a descriptor.
class SignalFd {
public:
    explicit SignalFd(std::initializer_list<int> signals);
    ~SignalFd();  // restores the previous signal mask
    int fd() const { return fd_.get(); }
    // The next pending signal, or 0 if none.
    int next();

private:
    sys::unique_fd fd_;
    sigset_t old_mask_;
};

}  // namespace jailmgr::engine::supervisor
