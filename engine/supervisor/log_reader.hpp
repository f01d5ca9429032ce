// log_reader.hpp -- reading service logs back (jailmgr logs): the last lines
// of a log and its rotated files, lines of several services merged by time,
// and following logs as they grow, across rotation, driven by inotify.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "paths.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::engine::supervisor {

struct LogSource {
    std::string service;
    std::filesystem::path path;  // <log_dir>/<jail>/<service>.log
};

// The logs of `jail`: one service (which must exist: "supervisor" is the
// supervisor's own log), or every service when `service` is empty.  Throws
// std::runtime_error naming the directory or the service.
std::vector<LogSource> log_sources(const Paths& paths, const std::string& jail, const std::string& service);

// The last `n` lines of `path` and, when that is not enough, of path.1,
// path.2 ...; oldest first.
std::vector<std::string> last_lines(const std::filesystem::path& path, std::size_t n);

struct SourcedLine {
    std::size_t source;
    std::string text;
};

// Merges per-source lines (each already in order) by their leading
// timestamp; ties keep source order.
std::vector<SourcedLine> merge_by_time(const std::vector<std::vector<std::string>>& per_source);

// Follows several logs: everything appended after construction is passed to
// `out`, line by line, including what the writer put in a file just before
// rotating it away.
class LogFollower {
public:
    explicit LogFollower(std::vector<LogSource> sources);
    // The last `n` lines written before following began (from the very file
    // followed, even if it has been rotated since), oldest first.
    std::vector<std::string> tail(std::size_t source, std::size_t n) const;
    // Blocks until `stop_fd` becomes readable (or forever if -1), passing
    // complete new lines to `out`.
    void run(const std::function<void(std::size_t source, std::string_view line)>& out, int stop_fd = -1);

private:
    struct File {
        LogSource src;
        sys::unique_fd fd;
        off_t offset = 0;
        ino_t inode = 0;
        std::string partial;
    };
    void open_current(File& f, bool at_end);
    void read_new(std::size_t i, const std::function<void(std::size_t, std::string_view)>& out);

    std::vector<File> files_;
    sys::unique_fd inotify_;
};

}  // namespace jailmgr::engine::supervisor
