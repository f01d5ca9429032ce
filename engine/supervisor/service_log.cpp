#include "service_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "sys/error.hpp"

namespace jailmgr::engine::supervisor {

ServiceLog::ServiceLog(std::filesystem::path dir, std::string service, const Logging& logging, std::string tag)
    : dir_(std::move(dir)), service_(std::move(service)), tag_(std::move(tag)) {
    reconfigure(logging);
}

void ServiceLog::reconfigure(const Logging& logging) {
    if (file_) {
        file_->flush();
        dropped_file_before_ += file_->dropped_lines();
    }
    if (syslog_) dropped_syslog_before_ += syslog_->dropped_lines();
    file_.reset();
    syslog_.reset();
    if (logging.file) file_.emplace(file_path(), *logging.file);
    if (logging.syslog) syslog_.emplace(*logging.syslog, tag_);
}

void ServiceLog::open_pipes() {
    for (Stream* s : {&out_, &err_}) {
        if (s->rd) continue;
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) sys::throw_errno("pipe for the output of " + service_);
        s->rd.reset(fds[0]);
        s->wr.reset(fds[1]);
        if (::fcntl(s->rd.get(), F_SETFL, O_NONBLOCK) != 0) sys::throw_errno("set O_NONBLOCK on a pipe");
    }
}

void ServiceLog::stamp() {
    auto wall = std::chrono::system_clock::now();
    now_ = Clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
    wall_ = static_cast<std::time_t>(ms / 1000);
    struct tm tm;
    gmtime_r(&wall_, &tm);
    stamp_len_ = std::strftime(stamp_, sizeof stamp_, "%Y-%m-%dT%H:%M:%S", &tm);
    stamp_len_ += static_cast<std::size_t>(
        std::snprintf(stamp_ + stamp_len_, sizeof stamp_ - stamp_len_, ".%03dZ ", static_cast<int>(ms % 1000)));
}

void ServiceLog::line(bool is_stderr, std::string_view text) {
    ++lines_;
    if (file_) {
        // "<stamp> stdout: <line>\n"; the stamp buffer has room for the stream name.
        char head[48];
        std::memcpy(head, stamp_, stamp_len_);
        std::memcpy(head + stamp_len_, is_stderr ? "stderr: " : "stdout: ", 8);
        file_->append(std::string_view(head, stamp_len_ + 8), text, "\n");
    }
    if (syslog_) syslog_->send(is_stderr, text, wall_, now_);
}

std::size_t ServiceLog::pump(bool is_stderr, char* scratch, std::size_t size) {
    Stream& s = is_stderr ? err_ : out_;
    if (!s.rd) return 0;
    ssize_t n;
    do {
        n = ::read(s.rd.get(), scratch, size);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return 0;  // EAGAIN (empty), or EOF: never, we hold the write end
    stamp();
    s.split.feed(std::string_view(scratch, static_cast<std::size_t>(n)),
                 [&](std::string_view l) { line(is_stderr, l); });
    return static_cast<std::size_t>(n);
}

void ServiceLog::drain(char* scratch, std::size_t size) {
    // A pipe holds 64 KiB by default; a few reads empty it unless something
    // still writes, and then the rest comes through the loop as usual.
    for (bool is_stderr : {false, true}) {
        for (int i = 0; i < 4 && pump(is_stderr, scratch, size) == size; ++i) {
        }
        Stream& s = is_stderr ? err_ : out_;
        if (s.split.pending() > 0) {
            stamp();
            s.split.flush([&](std::string_view l) { line(is_stderr, l); });
        }
    }
    flush();
}

void ServiceLog::flush() {
    if (file_) file_->flush();
}

LogCounters ServiceLog::counters() const {
    LogCounters c;
    c.lines = lines_;
    c.dropped_file = dropped_file_before_ + (file_ ? file_->dropped_lines() : 0);
    c.dropped_syslog = dropped_syslog_before_ + (syslog_ ? syslog_->dropped_lines() : 0);
    return c;
}

}  // namespace jailmgr::engine::supervisor
