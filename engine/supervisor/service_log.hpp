// service_log.hpp -- the output of one service: two long-lived pipes
// (stdout, stderr) whose write ends every run of the service inherits, split
// into lines and written to the service's log file and, optionally, syslog.
//
// Memory is fixed whatever the output rate: a line buffer of max_line per
// stream (allocated on the first partial line), the file's batch buffer, and
// the loop's shared read buffer.  Each readiness event reads at most one
// buffer's worth, so a flooding service waits for its turn (the pipe fills
// and blocks *it*) instead of starving the others.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "line_splitter.hpp"
#include "log_file.hpp"
#include "syslog_sink.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::engine::supervisor {

struct LogCounters {
    std::uint64_t lines = 0;           // lines captured
    std::uint64_t dropped_file = 0;    // lost to log file write errors
    std::uint64_t dropped_syslog = 0;  // lost to syslog back-pressure or absence
    std::uint64_t dropped() const { return dropped_file + dropped_syslog; }
};

class ServiceLog {
public:
    static constexpr std::size_t max_line = 4096;  // longer lines are split

    // `dir` is <log_dir>/<jail>; `tag` is "jail=web jid=3 svc=httpd" (syslog prefix).
    ServiceLog(std::filesystem::path dir, std::string service, const Logging& logging, std::string tag);

    // Creates the pipes on first use.  Throws sys::SysError.
    void open_pipes();
    int stdout_read_fd() const { return out_.rd.get(); }
    int stderr_read_fd() const { return err_.rd.get(); }
    int stdout_write_fd() const { return out_.wr.get(); }
    int stderr_write_fd() const { return err_.wr.get(); }

    // Reads what one read(2) into `scratch` returns and logs its lines.
    // Returns the bytes read (0 when the pipe is empty).
    std::size_t pump(bool is_stderr, char* scratch, std::size_t size);
    // The process ended: take what is left in both pipes (bounded) and write
    // out partial lines.
    void drain(char* scratch, std::size_t size);
    // Writes batched lines to the file (end of a loop iteration).
    void flush();

    void reconfigure(const Logging& logging);
    LogCounters counters() const;
    std::filesystem::path file_path() const { return dir_ / (service_ + ".log"); }

private:
    struct Stream {
        sys::unique_fd rd, wr;
        LineSplitter split{max_line};
    };
    void line(bool is_stderr, std::string_view text);
    void stamp();

    std::filesystem::path dir_;
    std::string service_;
    std::string tag_;
    Stream out_, err_;
    std::optional<RotatingFile> file_;
    std::optional<SyslogSink> syslog_;
    std::uint64_t lines_ = 0;
    std::uint64_t dropped_file_before_ = 0, dropped_syslog_before_ = 0;  // from sinks replaced by reload
    // "2026-12-04T20:45:05.123Z " for the lines of the current read.
    char stamp_[32] = {};
    std::size_t stamp_len_ = 0;
    std::time_t wall_ = 0;
    TimePoint now_{};
};

}  // namespace jailmgr::engine::supervisor
