#include "cgroup_fs.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "sys/error.hpp"
#include "sys/files.hpp"

namespace jailmgr::kernel::lnx {

namespace fs = std::filesystem;

CgroupFs::CgroupFs(fs::path root) : root_(std::move(root)) {}

fs::path CgroupFs::under_root(const fs::path& absolute) const {
    if (root_.empty() || root_ == "/") return absolute;
    return root_ / absolute.relative_path();
}

void CgroupFs::make_dir(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0755) != 0) sys::throw_errno("mkdir " + dir.string());
}

bool CgroupFs::remove_dir(const fs::path& dir) {
    if (::rmdir(dir.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    sys::throw_errno("rmdir " + dir.string());
}

std::optional<std::string> CgroupFs::read(const fs::path& file) { return sys::read_file_if_exists(file); }

void CgroupFs::write(const fs::path& file, std::string_view value) { sys::write_file(file, value); }

}  // namespace jailmgr::kernel::lnx
