#include "log_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <stdexcept>
#include <system_error>

#include "spec.hpp"
#include "sys/error.hpp"

namespace jailmgr::engine::supervisor {

namespace fs = std::filesystem;

std::vector<LogSource> log_sources(const Paths& paths, const std::string& jail, const std::string& service) {
    fs::path dir = paths.log_dir / jail;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw std::runtime_error("jail " + jail + " has no logs (no " + dir.string() + ")");
    if (!service.empty()) {
        if (!valid_service_name(service)) throw std::runtime_error("'" + service + "' is not a valid service name");
        fs::path p = dir / (service + ".log");
        if (!fs::exists(p, ec) && !fs::exists(p.string() + ".1", ec))
            throw std::runtime_error("jail " + jail + " has no logs for service " + service);
        return {{service, p}};
    }
    std::vector<LogSource> out;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        auto name = e.path().filename().string();
        if (name.size() <= 4 || name.compare(name.size() - 4, 4, ".log") != 0) continue;
        std::string svc = name.substr(0, name.size() - 4);
        if (svc == "supervisor") continue;
        out.push_back({svc, e.path()});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.service < b.service; });
    return out;
}

namespace {

// Last n lines of the first `end` bytes of one file, reading backwards in
// blocks so a large file costs only what is shown.
std::vector<std::string> tail_of_fd(int fd, std::size_t n, off_t end) {
    std::vector<std::string> lines;
    if (fd < 0 || n == 0) return lines;
    if (end < 0) {
        struct stat st;
        if (::fstat(fd, &st) != 0) return lines;
        end = st.st_size;
    }
    std::vector<std::string> blocks;  // newest first
    std::size_t newlines = 0;
    off_t pos = end;
    while (pos > 0 && newlines <= n) {
        off_t len = std::min<off_t>(pos, 65536);
        pos -= len;
        std::string block(static_cast<std::size_t>(len), '\0');
        if (::pread(fd, block.data(), block.size(), pos) != len) break;
        newlines += static_cast<std::size_t>(std::count(block.begin(), block.end(), '\n'));
        blocks.push_back(std::move(block));
    }
    std::string data;
    for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) data += *it;
    std::size_t start = 0;
    while (start < data.size()) {
        std::size_t nl = data.find('\n', start);
        if (nl == std::string::npos) break;  // a line being written: not yet
        lines.push_back(data.substr(start, nl - start));
        start = nl + 1;
    }
    if (pos > 0 && !lines.empty()) lines.erase(lines.begin());  // cut in the middle
    if (lines.size() > n) lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(n));
    return lines;
}

std::vector<std::string> tail_of(const fs::path& path, std::size_t n) {
    sys::unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    return tail_of_fd(fd.get(), n, -1);
}

fs::path numbered(const fs::path& path, unsigned k) {
    return k == 0 ? path : fs::path(path.string() + "." + std::to_string(k));
}

// Prepends lines from the rotated files after number `k` (older ones).
void add_older(std::vector<std::string>& out, const fs::path& path, unsigned k, std::size_t n) {
    for (++k; out.size() < n; ++k) {
        std::error_code ec;
        if (!fs::exists(numbered(path, k), ec)) break;
        auto older = tail_of(numbered(path, k), n - out.size());
        out.insert(out.begin(), older.begin(), older.end());
    }
}

}  // namespace

std::vector<std::string> last_lines(const fs::path& path, std::size_t n) {
    std::vector<std::string> out = tail_of(path, n);
    add_older(out, path, 0, n);
    return out;
}

std::vector<SourcedLine> merge_by_time(const std::vector<std::vector<std::string>>& per_source) {
    std::vector<SourcedLine> out;
    std::vector<std::size_t> next(per_source.size(), 0);
    // Timestamps are fixed-width ISO 8601 UTC, so they compare as text.
    auto stamp = [](const std::string& l) { return std::string_view(l).substr(0, l.find(' ')); };
    for (;;) {
        std::size_t best = per_source.size();
        for (std::size_t s = 0; s < per_source.size(); ++s) {
            if (next[s] >= per_source[s].size()) continue;
            if (best == per_source.size() || stamp(per_source[s][next[s]]) < stamp(per_source[best][next[best]]))
                best = s;
        }
        if (best == per_source.size()) return out;
        out.push_back({best, per_source[best][next[best]++]});
    }
}

LogFollower::LogFollower(std::vector<LogSource> sources) {
    inotify_.reset(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (!inotify_) sys::throw_errno("inotify_init1");
    std::set<fs::path> dirs;
    for (auto& s : sources) {
        File f;
        f.src = std::move(s);
        open_current(f, true);
        dirs.insert(f.src.path.parent_path());
        files_.push_back(std::move(f));
    }
    for (const auto& d : dirs)
        if (::inotify_add_watch(inotify_.get(), d.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) < 0)
            sys::throw_errno("inotify_add_watch " + d.string());
}

std::vector<std::string> LogFollower::tail(std::size_t source, std::size_t n) const {
    const File& f = files_[source];
    std::vector<std::string> out = tail_of_fd(f.fd.get(), n, f.offset);
    if (!f.fd) return out;
    // The file we hold may have been rotated since we opened it: its older
    // siblings are the numbers after its current one.
    for (unsigned k = 0; k < 1000; ++k) {
        struct stat st;
        if (::stat(numbered(f.src.path, k).c_str(), &st) != 0) break;
        if (st.st_ino == f.inode) {
            add_older(out, f.src.path, k, n);
            break;
        }
    }
    return out;
}

void LogFollower::open_current(File& f, bool at_end) {
    f.fd.reset(::open(f.src.path.c_str(), O_RDONLY | O_CLOEXEC));
    f.offset = 0;
    f.inode = 0;
    if (!f.fd) return;
    struct stat st;
    if (::fstat(f.fd.get(), &st) == 0) {
        f.inode = st.st_ino;
        if (at_end) f.offset = st.st_size;
    }
}

namespace {

// Appends what `fd` holds from `offset` on, passing complete lines to `emit`.
template <class Emit>
void read_from(int fd, off_t& offset, std::string& partial, Emit&& emit) {
    char buf[65536];
    for (;;) {
        ssize_t n = ::pread(fd, buf, sizeof buf, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        offset += n;
        partial.append(buf, static_cast<std::size_t>(n));
        std::size_t start = 0, nl;
        while ((nl = partial.find('\n', start)) != std::string::npos) {
            emit(std::string_view(partial).substr(start, nl - start));
            start = nl + 1;
        }
        partial.erase(0, start);
    }
}

}  // namespace

void LogFollower::read_new(std::size_t i, const std::function<void(std::size_t, std::string_view)>& out) {
    File& f = files_[i];
    auto emit = [&](std::string_view line) { out(i, line); };
    if (f.fd) read_from(f.fd.get(), f.offset, f.partial, emit);
    struct stat st;
    if (::stat(f.src.path.c_str(), &st) != 0 || (f.fd && st.st_ino == f.inode)) return;
    // Rotated away.  What we hold is drained; the files written after it are,
    // newest last: <svc>.log.<k-1> ... <svc>.log.1, then <svc>.log.
    if (f.fd) {
        unsigned k = 1;
        for (; k < 1000; ++k) {
            struct stat rst;
            if (::stat(numbered(f.src.path, k).c_str(), &rst) != 0) {
                k = 1;  // ours is gone (rotated past `keep`): nothing between to find
                break;
            }
            if (rst.st_ino == f.inode) break;
        }
        for (unsigned j = k - 1; j >= 1; --j) {
            sys::unique_fd between(::open(numbered(f.src.path, j).c_str(), O_RDONLY | O_CLOEXEC));
            off_t off = 0;
            std::string partial;
            if (between) read_from(between.get(), off, partial, emit);
        }
    }
    open_current(f, false);
    f.partial.clear();
    if (f.fd) read_from(f.fd.get(), f.offset, f.partial, emit);
}

void LogFollower::run(const std::function<void(std::size_t, std::string_view)>& out, int stop_fd) {
    for (std::size_t i = 0; i < files_.size(); ++i) read_new(i, out);
    for (;;) {
        pollfd p[2] = {{inotify_.get(), POLLIN, 0}, {stop_fd, POLLIN, 0}};
        int r = ::poll(p, stop_fd >= 0 ? 2 : 1, -1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) sys::throw_errno("poll");
        if (stop_fd >= 0 && p[1].revents) return;
        alignas(inotify_event) char buf[8192];
        while (::read(inotify_.get(), buf, sizeof buf) > 0) {
        }
        for (std::size_t i = 0; i < files_.size(); ++i) read_new(i, out);
    }
}

}  // namespace jailmgr::engine::supervisor
