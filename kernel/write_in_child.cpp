#include "write_in_child.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver.hpp"
#include "sys/error.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::kernel {
namespace {

// Async-signal-safe: runs between fork and _exit.  Returns 0 or an errno.
int write_all(const char* path, std::string_view content, unsigned mode) {
    int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode & 07777);
    if (fd < 0) return errno;
    int err = 0;
    const char* p = content.data();
    size_t left = content.size();
    while (left > 0 && err == 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            err = errno;
        else
            p += n, left -= static_cast<size_t>(n);
    }
    // The mode again: open's mode is filtered by the umask and ignored for an
    // existing file.
    if (err == 0 && ::fchmod(fd, mode & 07777) != 0) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    return err;
}

}  // namespace

void write_file_in_child(const std::string& subject, const std::string& path, std::string_view content,
                         unsigned mode, EnterJailView enter, const void* arg) {
    if (path.empty() || path.front() != '/')
        throw DriverError(Errc::invalid, subject + ": the path must be absolute");
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) sys::throw_errno(subject + ": pipe");
    sys::unique_fd report_r(fds[0]), report_w(fds[1]);
    pid_t pid = ::fork();
    if (pid < 0) sys::throw_errno(subject + ": fork");
    if (pid == 0) {
        int err = enter(arg);
        if (err == 0) err = write_all(path.c_str(), content, mode);
        if (err != 0) (void)!::write(report_w.get(), &err, sizeof err);
        _exit(err == 0 ? 0 : 1);
    }
    report_w.reset();
    int err = 0;
    ssize_t n;
    do {
        n = ::read(report_r.get(), &err, sizeof err);
    } while (n < 0 && errno == EINTR);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (n == static_cast<ssize_t>(sizeof err) && err != 0)
        throw DriverError(err == ENOENT ? Errc::not_found : Errc::system, subject + ": " + std::strerror(err), err);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw DriverError(Errc::system, subject + ": the writer died");
}

}  // namespace jailmgr::kernel
