#include "log_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sys/error.hpp"

namespace jailmgr::engine::supervisor {

namespace fs = std::filesystem;

// Opened at once, so `jailmgr logs -f` can follow a service that has not
// written anything yet.
RotatingFile::RotatingFile(fs::path path, FileLog config) : path_(std::move(path)), config_(config) { open(); }

void RotatingFile::open() {
    fd_.reset(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
    if (!fd_) {
        last_error_ = "open " + path_.string() + ": " + std::strerror(errno);
        return;
    }
    struct stat st;
    size_ = ::fstat(fd_.get(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

void RotatingFile::rotate() {
    fd_.reset();
    auto numbered = [&](unsigned n) { return fs::path(path_.string() + "." + std::to_string(n)); };
    if (config_.keep == 0) {
        ::unlink(path_.c_str());
    } else {
        ::unlink(numbered(config_.keep).c_str());
        for (unsigned n = config_.keep; n > 1; --n) ::rename(numbered(n - 1).c_str(), numbered(n).c_str());
        ::rename(path_.c_str(), numbered(1).c_str());
    }
    size_ = 0;
    open();
}

bool RotatingFile::write_buffer() {
    if (used_ == 0) return true;
    if (!fd_) open();
    bool ok = false;
    if (fd_) {
        std::size_t off = 0;
        while (off < used_) {
            ssize_t n = ::write(fd_.get(), buf_.get() + off, used_ - off);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                last_error_ = "write " + path_.string() + ": " + std::strerror(errno);
                break;
            }
            off += static_cast<std::size_t>(n);
        }
        size_ += off;
        ok = off == used_;
    }
    if (!ok) dropped_ += buffered_lines_;
    used_ = 0;
    buffered_lines_ = 0;
    return ok;
}

bool RotatingFile::flush() { return write_buffer(); }

bool RotatingFile::append(std::string_view prefix, std::string_view line, std::string_view suffix) {
    std::size_t len = prefix.size() + line.size() + suffix.size();
    bool ok = true;
    if (!fd_ && used_ == 0) open();
    if (size_ + used_ + len > config_.max_size && size_ + used_ > 0) {
        ok = write_buffer();
        rotate();
    }
    if (used_ + len > buffer_size) ok = write_buffer() && ok;
    if (!buf_) buf_ = std::make_unique<char[]>(buffer_size);
    if (len > buffer_size) {  // cannot happen with line lengths we produce; stay safe anyway
        ++dropped_;
        return false;
    }
    std::memcpy(buf_.get() + used_, prefix.data(), prefix.size());
    std::memcpy(buf_.get() + used_ + prefix.size(), line.data(), line.size());
    std::memcpy(buf_.get() + used_ + prefix.size() + line.size(), suffix.data(), suffix.size());
    used_ += len;
    ++buffered_lines_;
    return ok;
}

}  // namespace jailmgr::engine::supervisor
