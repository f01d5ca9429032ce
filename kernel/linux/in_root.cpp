#include "in_root.hpp"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "syscalls.hpp"

namespace jailmgr::kernel::lnx {

namespace {

// Split a copy of `path` at its last '/': buf holds the parent ("." if
// none), *name points at the last component.  -1/ENAMETOOLONG if too long.
int split_last(const char* path, char (&buf)[PATH_MAX], const char** name) {
    while (*path == '/') ++path;
    size_t len = std::strlen(path);
    while (len > 0 && path[len - 1] == '/') --len;
    if (len == 0 || len + 3 > sizeof buf) {
        errno = len == 0 ? EINVAL : ENAMETOOLONG;
        return -1;
    }
    std::memcpy(buf, path, len);
    buf[len] = '\0';
    char* slash = std::strrchr(buf, '/');
    if (!slash) {
        std::memmove(buf + 2, buf, len + 1);
        buf[0] = '.';
        buf[1] = '\0';
        *name = buf + 2;
        return 0;
    }
    *slash = '\0';
    *name = slash + 1;
    return 0;
}

}  // namespace

int open_in_root(int root_fd, const char* path, int flags, mode_t mode) {
    struct open_how how;
    std::memset(&how, 0, sizeof how);
    how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
    if (flags & O_CREAT) how.mode = mode;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    while (*path == '/') ++path;
    if (*path == '\0') path = ".";
    long fd;
    int tries = 0;
    do {
        // EAGAIN: a concurrent rename raced the lookup; the kernel asks us to retry.
        fd = sysc::openat2(root_fd, path, &how, sizeof how);
    } while (fd < 0 && errno == EAGAIN && ++tries < 16);
    return static_cast<int>(fd);
}

int make_dirs_in_root(int root_fd, const char* path, mode_t mode) {
    char buf[PATH_MAX];
    while (*path == '/') ++path;
    size_t len = std::strlen(path);
    if (len >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    std::memcpy(buf, path, len + 1);
    for (size_t i = 0; i <= len; ++i) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        if (i == 0 || buf[i - 1] == '/') continue;  // "//"
        char saved = buf[i];
        buf[i] = '\0';
        int fd = open_in_root(root_fd, buf, O_PATH | O_DIRECTORY);
        if (fd >= 0) {
            ::close(fd);
        } else if (errno == ENOENT) {
            char parent[PATH_MAX];
            const char* name = nullptr;
            if (split_last(buf, parent, &name) != 0) return -1;
            int pfd = open_in_root(root_fd, parent, O_PATH | O_DIRECTORY);
            if (pfd < 0) return -1;
            int rc = ::mkdirat(pfd, name, mode);
            int err = errno;
            ::close(pfd);
            if (rc != 0 && err != EEXIST) {
                errno = err;
                return -1;
            }
        } else {
            return -1;
        }
        buf[i] = saved;
    }
    return 0;
}

int ensure_in_root(int root_fd, const char* path, bool dir, mode_t mode) {
    int fd = open_in_root(root_fd, path, O_PATH);
    if (fd >= 0) {
        ::close(fd);
        return 0;
    }
    if (errno != ENOENT) return -1;
    char parent[PATH_MAX];
    const char* name = nullptr;
    if (split_last(path, parent, &name) != 0) return -1;
    if (make_dirs_in_root(root_fd, parent, 0755) != 0) return -1;
    int pfd = open_in_root(root_fd, parent, O_PATH | O_DIRECTORY);
    if (pfd < 0) return -1;
    int rc;
    if (dir) {
        rc = ::mkdirat(pfd, name, mode);
    } else {
        rc = ::openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (rc >= 0) rc = ::close(rc);
    }
    int err = errno;
    ::close(pfd);
    if (rc != 0 && err != EEXIST) {
        errno = err;
        return -1;
    }
    return 0;
}

}  // namespace jailmgr::kernel::lnx
