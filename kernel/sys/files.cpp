#include "files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "error.hpp"

namespace jailmgr::sys {

namespace fs = std::filesystem;

namespace {

std::string read_fd(int fd, const fs::path& path) {
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("read " + path.string());
        }
        if (n == 0) return out;
        out.append(buf, static_cast<size_t>(n));
    }
}

void write_all(int fd, std::string_view data, const fs::path& path) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("write " + path.string());
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
}

}  // namespace

std::optional<std::string> read_file_if_exists(const fs::path& path) {
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::nullopt;
        throw_errno("open " + path.string());
    }
    return read_fd(fd.get(), path);
}

std::string read_file(const fs::path& path) {
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("open " + path.string());
    return read_fd(fd.get(), path);
}

void write_file_atomic(const fs::path& path, std::string_view content, unsigned mode) {
    write_file_atomic(path, content, mode, Durability::synced);
}

void write_file_atomic(const fs::path& path, std::string_view content, unsigned mode, Durability durability) {
    const bool sync = durability == Durability::synced;
    fs::path tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    {
        unique_fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
        if (!fd) throw_errno("create " + tmp.string());
        try {
            write_all(fd.get(), content, tmp);
            if (::fchmod(fd.get(), mode) != 0) throw_errno("chmod " + tmp.string());
            if (sync && ::fsync(fd.get()) != 0) throw_errno("fsync " + tmp.string());
        } catch (...) {
            ::unlink(tmp.c_str());
            throw;
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw_errno("rename " + tmp.string() + " to " + path.string(), err);
    }
    if (!sync) return;
    fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    unique_fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd) ::fsync(dfd.get());  // best effort: the rename itself already happened
}

void fsync_path(const fs::path& path) {
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("open " + path.string());
    if (::fsync(fd.get()) != 0) throw_errno("fsync " + path.string());
}

void write_file(const fs::path& path, std::string_view content) {
    unique_fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) throw_errno("open " + path.string());
    ssize_t n;
    do {
        n = ::write(fd.get(), content.data(), content.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw_errno("write '" + std::string(content.substr(0, 64)) + "' to " + path.string());
    if (static_cast<size_t>(n) != content.size())
        throw SysError("short write to " + path.string(), EIO);
}

void make_dirs(const fs::path& path, unsigned mode) {
    if (path.empty()) return;
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) throw SysError("mkdir " + path.string(), ENOTDIR);
        return;
    }
    if (path.has_parent_path() && path.parent_path() != path) make_dirs(path.parent_path(), mode);
    if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) throw_errno("mkdir " + path.string());
}

FileLock::FileLock(const fs::path& path, std::optional<std::chrono::milliseconds> timeout) {
    fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd_) throw_errno("open lock " + path.string());
    if (!timeout) {
        while (::flock(fd_.get(), LOCK_EX) != 0) {
            if (errno != EINTR) throw_errno("lock " + path.string());
        }
        return;
    }
    // flock has no timeout; retry non-blocking with a short, growing pause.
    auto deadline = std::chrono::steady_clock::now() + *timeout;
    auto pause = std::chrono::milliseconds(1);
    for (;;) {
        if (::flock(fd_.get(), LOCK_EX | LOCK_NB) == 0) return;
        if (errno != EWOULDBLOCK && errno != EINTR) throw_errno("lock " + path.string());
        if (std::chrono::steady_clock::now() >= deadline)
            throw SysError("lock " + path.string() + " is held by another process", EWOULDBLOCK);
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
}

}  // namespace jailmgr::sys
