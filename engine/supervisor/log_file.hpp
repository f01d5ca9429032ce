// log_file.hpp -- a service's log file with size-based rotation:
// <svc>.log, then <svc>.log.1 (newest) ... <svc>.log.<keep> (oldest).
//
// Lines are appended to a fixed buffer and written in batches; the buffer is
// written before the file would grow past max_size, then the file rotates, so
// no file exceeds max_size unless a single line does.  Write errors (disk
// full, ...) drop the batch and are counted, never thrown: a service's output
// must not kill its supervisor.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "spec.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::engine::supervisor {

class RotatingFile {
public:
    static constexpr std::size_t buffer_size = 16384;

    RotatingFile(std::filesystem::path path, FileLog config);

    // Appends one line (the caller adds the '\n').  Returns false if lines
    // were dropped by a failed write (they are also counted).
    bool append(std::string_view prefix, std::string_view line, std::string_view suffix);
    // Writes the buffered lines.
    bool flush();

    std::uint64_t dropped_lines() const { return dropped_; }
    const std::filesystem::path& path() const { return path_; }
    std::string last_error() const { return last_error_; }

private:
    bool write_buffer();
    void open();
    void rotate();

    std::filesystem::path path_;
    FileLog config_;
    sys::unique_fd fd_;
    std::uint64_t size_ = 0;           // bytes in the current file
    std::unique_ptr<char[]> buf_;
    std::size_t used_ = 0;
    std::size_t buffered_lines_ = 0;
    std::uint64_t dropped_ = 0;
    std::string last_error_;
};

}  // namespace jailmgr::engine::supervisor
