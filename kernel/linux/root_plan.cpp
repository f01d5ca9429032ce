#include "root_plan.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "in_root.hpp"
#include "sys/error.hpp"
#include "sys/files.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::kernel::lnx {

namespace fs = std::filesystem;

namespace {

// Host directories a host_base jail shares, read-only.  On merged-/usr hosts
// the /lib* and /bin entries are symlinks into /usr and are mirrored as such.
const char* const host_base_dirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};

// Seed files copied from the host; none holds a secret.
const char* const seed_files[] = {"etc/passwd", "etc/group", "etc/hosts", "etc/resolv.conf", "etc/nsswitch.conf"};

const char* const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

constexpr unsigned long long ro_base = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

Step plain(StepKind kind) {
    Step s;
    s.kind = kind;
    return s;
}

Step fs_step(std::string fstype, std::string target, unsigned long flags, std::string data) {
    Step s;
    s.kind = StepKind::mount_fs;
    s.fstype = std::move(fstype);
    s.target = std::move(target);
    s.flags = flags;
    s.data = std::move(data);
    s.create = true;
    return s;
}

Step bind_step(std::string source, std::string target, unsigned long long attrs, bool create, bool optional) {
    Step s;
    s.kind = StepKind::bind;
    s.source = std::move(source);
    s.target = std::move(target);
    s.attrs = attrs;
    s.create = create;
    s.optional = optional;
    return s;
}

Step symlink_step(std::string target, std::string points_to) {
    Step s;
    s.kind = StepKind::symlink;
    s.target = std::move(target);
    s.source = std::move(points_to);
    return s;
}

Step read_only_step(std::string target) {
    Step s;
    s.kind = StepKind::read_only;
    s.target = std::move(target);
    s.attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    s.optional = true;
    return s;
}

bool is_real_dir(const char* path) {
    struct stat st;
    return ::lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::vector<Step> root_steps(const JailSpec& spec, const ProfilePlan& profile) {
    std::vector<Step> steps;
    steps.push_back(plain(StepKind::make_private));
    steps.push_back(plain(StepKind::bind_root));

    if (spec.layout == Layout::host_base)
        for (const char* d : host_base_dirs)
            if (is_real_dir(d)) steps.push_back(bind_step(d, d, ro_base, true, false));

    steps.push_back(fs_step("tmpfs", "/tmp", MS_NOSUID | MS_NODEV, "mode=1777"));

    // /dev: device files exist only as binds of the host's nodes; the tmpfs
    // itself is nodev, so a node created in it (CAP_MKNOD at low) is inert.
    steps.push_back(fs_step("tmpfs", "/dev", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k"));
    for (const char* n : dev_nodes)
        steps.push_back(bind_step(std::string("/dev/") + n, std::string("/dev/") + n, 0, true, false));
    steps.push_back(
        fs_step("devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"));
    steps.push_back(symlink_step("/dev/ptmx", "pts/ptmx"));
    steps.push_back(fs_step("tmpfs", "/dev/shm", MS_NOSUID | MS_NODEV, "mode=1777"));
    steps.push_back(symlink_step("/dev/fd", "/proc/self/fd"));
    steps.push_back(symlink_step("/dev/stdin", "/proc/self/fd/0"));
    steps.push_back(symlink_step("/dev/stdout", "/proc/self/fd/1"));
    steps.push_back(symlink_step("/dev/stderr", "/proc/self/fd/2"));

    // The jail's /proc is of the same kernel as ours: entries this kernel
    // lacks (no CONFIG_MAGIC_SYSRQ, ...) need no step at all.
    auto on_this_kernel = [](const std::string& f) {
        struct stat st;
        return ::lstat(("/proc/" + f).c_str(), &st) == 0;
    };
    steps.push_back(fs_step("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, ""));
    for (const auto& f : profile.proc_read_only)
        if (on_this_kernel(f)) steps.push_back(read_only_step("/proc/" + f));
    for (const auto& f : profile.proc_masked_files)
        if (on_this_kernel(f)) steps.push_back(bind_step("/dev/null", "/proc/" + f, MOUNT_ATTR_RDONLY, false, true));
    for (const auto& d : profile.proc_masked_dirs) {
        if (!on_this_kernel(d)) continue;
        Step s = fs_step("tmpfs", "/proc/" + d, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0555,size=4k");
        s.create = false;
        s.optional = true;
        steps.push_back(std::move(s));
    }

    if (profile.sys == SysMount::read_only)
        steps.push_back(fs_step("sysfs", "/sys", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, ""));

    for (const auto& m : spec.mounts)
        steps.push_back(bind_step(m.source.string(), m.target.string(),
                                  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (m.readonly ? MOUNT_ATTR_RDONLY : 0), true,
                                  false));

    Step host;
    host.kind = StepKind::hostname;
    host.source = spec.hostname.empty() ? spec.name : spec.hostname;
    steps.push_back(std::move(host));
    steps.push_back(plain(StepKind::pivot_root));
    return steps;
}

std::vector<fs::path> prepare_root(const JailSpec& spec) {
    std::vector<fs::path> created;
    if (spec.layout != Layout::host_base) return created;
    try {
        // The root itself and any missing parents.
        std::vector<fs::path> missing;
        for (fs::path p = spec.root; !p.empty() && p != p.root_path(); p = p.parent_path()) {
            struct stat st;
            if (::lstat(p.c_str(), &st) == 0) break;
            missing.push_back(p);
        }
        for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
            if (::mkdir(it->c_str(), 0755) != 0 && errno != EEXIST) sys::throw_errno("mkdir " + it->string());
            created.push_back(*it);
        }
        sys::unique_fd root(::open(spec.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!root) sys::throw_errno("open jail root " + spec.root.string());

        // Everything below goes through in_root: the root may be a previous
        // jail's, with symlinks pointing anywhere.
        auto exists = [&](const std::string& rel) {
            int fd = open_in_root(root.get(), rel.c_str(), O_PATH | O_NOFOLLOW);
            if (fd >= 0) ::close(fd);
            return fd >= 0;
        };
        auto make_dir = [&](const std::string& rel, mode_t mode) {
            if (exists(rel)) return;
            if (make_dirs_in_root(root.get(), rel.c_str(), mode) != 0)
                sys::throw_errno("create " + (spec.root / rel).string());
            created.push_back(spec.root / rel);
            // mkdir applied the umask; fix the mode through a resolved fd.
            sys::unique_fd dir(open_in_root(root.get(), rel.c_str(), O_RDONLY | O_DIRECTORY));
            if (!dir || ::fchmod(dir.get(), mode) != 0) sys::throw_errno("chmod " + (spec.root / rel).string());
        };
        auto write_seed = [&](const std::string& rel, const std::string& content) {
            if (exists(rel)) return;
            sys::unique_fd fd(open_in_root(root.get(), rel.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644));
            if (!fd) sys::throw_errno("create " + (spec.root / rel).string());
            created.push_back(spec.root / rel);
            if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()))
                sys::throw_errno("write " + (spec.root / rel).string());
        };

        for (const char* d : host_base_dirs) {
            std::string rel = d + 1;
            struct stat st;
            if (::lstat(d, &st) != 0 || exists(rel)) continue;
            if (S_ISLNK(st.st_mode)) {
                char target[4096];
                ssize_t n = ::readlink(d, target, sizeof target - 1);
                if (n < 0) sys::throw_errno(std::string("readlink ") + d);
                target[n] = '\0';
                if (::symlinkat(target, root.get(), rel.c_str()) != 0)
                    sys::throw_errno("symlink " + (spec.root / rel).string());
                created.push_back(spec.root / rel);
            } else if (S_ISDIR(st.st_mode)) {
                make_dir(rel, 0755);
            }
        }
        make_dir("etc", 0755);
        make_dir("var", 0755);
        make_dir("var/tmp", 01777);
        make_dir("home", 0755);
        make_dir("root", 0700);
        make_dir("tmp", 01777);
        make_dir("dev", 0755);
        make_dir("proc", 0555);
        for (const char* f : seed_files)
            if (auto host = sys::read_file_if_exists(fs::path("/") / f)) write_seed(f, *host);
        write_seed("etc/hostname", (spec.hostname.empty() ? spec.name : spec.hostname) + "\n");
    } catch (...) {
        undo_prepare(created);
        throw;
    }
    return created;
}

void undo_prepare(const std::vector<fs::path>& created) {
    for (auto it = created.rbegin(); it != created.rend(); ++it) {
        struct stat st;
        if (::lstat(it->c_str(), &st) != 0) continue;
        if (S_ISDIR(st.st_mode))
            ::rmdir(it->c_str());
        else
            ::unlink(it->c_str());
    }
}

}  // namespace jailmgr::kernel::lnx
