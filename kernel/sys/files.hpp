// files.hpp -- small, careful file helpers used by every layer that keeps
// state on disk: whole-file reads, crash-safe replacement, advisory locks.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "unique_fd.hpp"

namespace jailmgr::sys {

// Whole file as a string.  Throws SysError naming the path.
std::string read_file(const std::filesystem::path& path);
// Same, but std::nullopt when the file does not exist.
std::optional<std::string> read_file_if_exists(const std::filesystem::path& path);

// Replace `path` atomically: write a temporary file beside it, fsync it,
// rename over the target, fsync the directory.  A crash leaves either the
// old or the new content, never a mix.
void write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       unsigned mode = 0644);

// How far write_file_atomic goes before returning.
enum class Durability {
    synced,    // fsync the file and its directory: survives a power loss
    deferred,  // no fsync: still old-or-new after a crash of the process, but
               // a power loss may undo it until someone syncs the file (for
               // run-time state, or a caller that fsyncs once when a batch ends)
};
void write_file_atomic(const std::filesystem::path& path, std::string_view content, unsigned mode,
                       Durability durability);

// fsync `path` (a file or directory); throws SysError naming it.
void fsync_path(const std::filesystem::path& path);

// Write to an existing file (sysfs, cgroupfs, procfs) in one write(2).
void write_file(const std::filesystem::path& path, std::string_view content);

// mkdir -p with a mode for the directories it creates.
void make_dirs(const std::filesystem::path& path, unsigned mode = 0755);

// An exclusive flock(2) on a lock file, released on destruction (or when the
// process dies, so a crashed holder never leaves a stale lock behind).
class FileLock {
public:
    // Blocks until the lock is held, or until `timeout` expires (then throws
    // SysError with EWOULDBLOCK).  A zero timeout tries once.
    FileLock(const std::filesystem::path& path,
             std::optional<std::chrono::milliseconds> timeout = std::nullopt);
    FileLock(FileLock&&) noexcept = default;
    FileLock& operator=(FileLock&&) noexcept = default;
    int fd() const { return fd_.get(); }

private:
    unique_fd fd_;
};

}  // namespace jailmgr::sys
