// cgroup_fs.hpp -- the small filesystem seam under everything cgroup-related.
//
// Real cgroupfs has semantics a plain directory lacks: mkdir creates the
// control files, rmdir removes a directory full of them.  Production code
// uses CgroupFs as is (plain syscalls on real paths, optionally under a root
// prefix); unit tests subclass it to emulate those two behaviours on a
// temporary tree, so the pure cgroup-v2 layout we lack on our machines is
// still exercised (see cgroup_layout_test.cpp).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace jailmgr::kernel::lnx {

class CgroupFs {
public:
    // `root` prefixes /proc/self/{mountinfo,cgroup} and every mount point
    // found there; "/" for the running system.
    explicit CgroupFs(std::filesystem::path root = "/");
    virtual ~CgroupFs() = default;

    const std::filesystem::path& root() const { return root_; }
    // An absolute path as seen by the system, placed under root().
    std::filesystem::path under_root(const std::filesystem::path& absolute) const;

    // mkdir(2); throws SysError (EEXIST included) naming the directory.
    virtual void make_dir(const std::filesystem::path& dir);
    // rmdir(2); false if it did not exist, throws SysError otherwise (EBUSY...).
    virtual bool remove_dir(const std::filesystem::path& dir);
    // Whole control file, std::nullopt if absent.
    virtual std::optional<std::string> read(const std::filesystem::path& file);
    // One write(2) to an existing control file; throws SysError.
    virtual void write(const std::filesystem::path& file, std::string_view value);

private:
    std::filesystem::path root_;
};

}  // namespace jailmgr::kernel::lnx
