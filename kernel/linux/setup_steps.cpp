#include "setup_steps.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "in_root.hpp"
#include "syscalls.hpp"

namespace jailmgr::kernel::lnx {

namespace {

// Closes an fd on scope exit (child-safe: no allocation).
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) {
            int saved = errno;
            ::close(fd);
            errno = saved;
        }
    }
};

// "/proc/self/fd/<fd>" into buf, without snprintf.
const char* fd_path(int fd, char (&buf)[32]) {
    char digits[12];
    int n = 0;
    unsigned v = static_cast<unsigned>(fd);
    do {
        digits[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    std::memcpy(buf, "/proc/self/fd/", 14);
    int i = 14;
    while (n) buf[i++] = digits[--n];
    buf[i] = '\0';
    return buf;
}

int set_attrs(int tree, unsigned long long attrs) {
    if (!attrs) return 0;
    struct mount_attr a;
    std::memset(&a, 0, sizeof a);
    a.attr_set = attrs;
    return static_cast<int>(sysc::mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a));
}

// A recursive bind of `source` (a path) on the mount point `target` (an
// O_PATH fd), then `attrs` on the new mount and everything below it.
// Classic mount(2) on /proc/self/fd/N rather than open_tree(2): closing an
// open_tree descriptor waits for an RCU grace period on current kernels.
int bind_on(const char* source, int target, int root_fd, const char* target_path, unsigned long long attrs) {
    char path[32];
    if (::mount(source, fd_path(target, path), nullptr, MS_BIND | MS_REC, nullptr) != 0) return -1;
    if (!attrs) return 0;
    // Looked up again by path, the target now names the new mount (a magic
    // link would still name the directory underneath).
    Fd mounted{open_in_root(root_fd, target_path, O_PATH)};
    if (mounted.fd < 0) return -1;
    return set_attrs(mounted.fd, attrs);
}

// The mount point for a step, created when missing and asked to.
int target_fd(const Step& s, int root_fd, bool as_dir) {
    int fd = open_in_root(root_fd, s.target.c_str(), O_PATH);
    if (fd >= 0 || errno != ENOENT || !s.create) return fd;
    if (ensure_in_root(root_fd, s.target.c_str(), as_dir, as_dir ? s.mode : 0644) != 0) return -1;
    return open_in_root(root_fd, s.target.c_str(), O_PATH);
}

int do_bind(const Step& s, int root_fd) {
    struct stat st;
    if (::stat(s.source.c_str(), &st) != 0) return -1;
    Fd target{target_fd(s, root_fd, S_ISDIR(st.st_mode))};
    if (target.fd < 0) return -1;
    return bind_on(s.source.c_str(), target.fd, root_fd, s.target.c_str(), s.attrs);
}

int do_mount_fs(const Step& s, int root_fd) {
    Fd target{target_fd(s, root_fd, true)};
    if (target.fd < 0) return -1;
    char path[32];
    return ::mount(s.fstype.c_str(), fd_path(target.fd, path), s.fstype.c_str(), s.flags,
                   s.data.empty() ? nullptr : s.data.c_str());
}

int do_read_only(const Step& s, int root_fd) {
    Fd target{open_in_root(root_fd, s.target.c_str(), O_PATH)};
    if (target.fd < 0) return -1;
    char path[32];
    return bind_on(fd_path(target.fd, path), target.fd, root_fd, s.target.c_str(), MOUNT_ATTR_RDONLY | s.attrs);
}

int do_symlink(const Step& s, int root_fd) {
    Fd existing{open_in_root(root_fd, s.target.c_str(), O_PATH | O_NOFOLLOW)};
    if (existing.fd >= 0) return 0;
    if (errno != ENOENT) return -1;
    // Create the parent, then the link in it by name (never followed).
    const char* slash = std::strrchr(s.target.c_str(), '/');
    char parent[4096];
    size_t plen = slash ? static_cast<size_t>(slash - s.target.c_str()) : 0;
    if (plen >= sizeof parent) {
        errno = ENAMETOOLONG;
        return -1;
    }
    std::memcpy(parent, s.target.c_str(), plen);
    parent[plen] = '\0';
    if (plen && make_dirs_in_root(root_fd, parent, 0755) != 0) return -1;
    Fd pfd{open_in_root(root_fd, plen ? parent : ".", O_PATH | O_DIRECTORY)};
    if (pfd.fd < 0) return -1;
    if (::symlinkat(s.source.c_str(), pfd.fd, slash ? slash + 1 : s.target.c_str()) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int do_bind_root(const char* root, int* root_fd) {
    if (::mount(root, root, nullptr, MS_BIND | MS_REC, nullptr) != 0) return -1;
    Fd mounted{::open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)};
    if (mounted.fd < 0) return -1;
    // nodev everywhere under the root: a jailed root with CAP_MKNOD (profile
    // low) must not be able to create a usable disk device in its files.
    if (set_attrs(mounted.fd, MOUNT_ATTR_NODEV) != 0) return -1;
    *root_fd = mounted.fd;
    mounted.fd = -1;
    return 0;
}

int do_pivot(int root_fd) {
    // pivot_root(".", ".") stacks the old root on top of the new one; the
    // lazy unmount then removes it, so no spare directory is needed.
    if (::fchdir(root_fd) != 0) return -1;
    if (sysc::pivot_root(".", ".") != 0) return -1;
    if (::umount2(".", MNT_DETACH) != 0) return -1;
    return ::chdir("/");
}

int run_one(const Step& s, const char* root, int* root_fd) {
    if (s.kind != StepKind::make_private && s.kind != StepKind::bind_root && s.kind != StepKind::hostname &&
        *root_fd < 0) {
        errno = EBADF;  // a plan without bind_root first is a bug
        return -1;
    }
    switch (s.kind) {
    case StepKind::make_private: return ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
    case StepKind::bind_root: return do_bind_root(root, root_fd);
    case StepKind::bind: return do_bind(s, *root_fd);
    case StepKind::mount_fs: return do_mount_fs(s, *root_fd);
    case StepKind::read_only: return do_read_only(s, *root_fd);
    case StepKind::mkdir: return make_dirs_in_root(*root_fd, s.target.c_str(), s.mode);
    case StepKind::symlink: return do_symlink(s, *root_fd);
    case StepKind::hostname: return ::sethostname(s.source.c_str(), s.source.size());
    case StepKind::pivot_root: return do_pivot(*root_fd);
    }
    errno = EINVAL;
    return -1;
}

std::string attr_words(unsigned long long attrs) {
    std::string w;
    auto add = [&](const char* s) { w += w.empty() ? s : std::string(", ") + s; };
    if (attrs & MOUNT_ATTR_RDONLY) add("read-only");
    if (attrs & MOUNT_ATTR_NOSUID) add("nosuid");
    if (attrs & MOUNT_ATTR_NODEV) add("nodev");
    if (attrs & MOUNT_ATTR_NOEXEC) add("noexec");
    return w.empty() ? w : " (" + w + ")";
}

}  // namespace

std::string describe(const Step& s) {
    switch (s.kind) {
    case StepKind::make_private: return "make the mount namespace private";
    case StepKind::bind_root: return "bind the jail root onto itself";
    case StepKind::bind: return "bind " + s.source + " on " + s.target + attr_words(s.attrs);
    case StepKind::mount_fs: return "mount " + s.fstype + " on " + s.target;
    case StepKind::read_only: return "make " + s.target + " read-only";
    case StepKind::mkdir: return "create directory " + s.target;
    case StepKind::symlink: return "create symlink " + s.target + " -> " + s.source;
    case StepKind::hostname: return "set hostname '" + s.source + "'";
    case StepKind::pivot_root: return "pivot_root into the jail root";
    }
    return "unknown step";
}

int run_steps(const Step* steps, int n, const char* root) {
    int root_fd = -1;
    for (int i = 0; i < n; ++i) {
        if (run_one(steps[i], root, &root_fd) == 0) continue;
        if (steps[i].optional && errno == ENOENT) continue;
        int err = errno;
        if (root_fd >= 0) ::close(root_fd);
        errno = err;
        return i;
    }
    if (root_fd >= 0) ::close(root_fd);
    return -1;
}

}  // namespace jailmgr::kernel::lnx
