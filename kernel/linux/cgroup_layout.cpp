#include "cgroup_layout.hpp"

#include <algorithm>
#include <sstream>

#include "driver.hpp"
#include "sys/text.hpp"

namespace jailmgr::kernel::lnx {

namespace fs = std::filesystem;

namespace {

using sys::split_fields;

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
    auto oct = [](char c) { return c >= '0' && c <= '7'; };
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && oct(s[i + 1]) && oct(s[i + 2]) && oct(s[i + 3])) {
            out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
            continue;
        }
        out += s[i];
    }
    return out;
}

template <class Strings>
bool has(const Strings& v, std::string_view x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

// Directory of `own` (a path from /proc/self/cgroup) inside a hierarchy
// mounted at `mount` whose mount root is `mount_root` (not "/" inside a
// container that sees only part of the hierarchy).
fs::path place(const CgroupFs& cfs, const MountInfo& m, const std::string& own) {
    fs::path rel = fs::path(own).lexically_relative(m.root);
    if (rel.empty() || rel.string().rfind("..", 0) == 0) rel = fs::path(own).relative_path();
    fs::path dir = cfs.under_root(m.mount_point);
    if (rel != ".") dir /= rel;
    return dir.lexically_normal();
}

}  // namespace

std::vector<MountInfo> parse_mountinfo(std::string_view text) {
    std::vector<MountInfo> out;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        auto f = split_fields(line, ' ');
        auto dash = std::find(f.begin(), f.end(), "-");
        if (f.size() < 7 || dash == f.end() || f.end() - dash < 4) continue;
        MountInfo m;
        m.root = unescape(f[3]);
        m.mount_point = unescape(f[4]);
        m.fs_type = std::string(*(dash + 1));
        m.super_options = std::string(*(dash + 3));
        out.push_back(std::move(m));
    }
    return out;
}

std::map<std::string, std::string> parse_proc_cgroup(std::string_view text) {
    std::map<std::string, std::string> out;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        // "4:memory:/a/b" -- the path may itself contain ':'.
        size_t a = line.find(':');
        if (a == std::string::npos) continue;
        size_t b = line.find(':', a + 1);
        if (b == std::string::npos) continue;
        out[line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
    }
    return out;
}

bool CgroupLayout::pure_v2() const { return v1_base.empty(); }

std::string CgroupLayout::backend(std::string_view controller) const {
    if (v1_base.count(std::string(controller))) return "v1";
    if (has(v2_controllers, controller)) return "v2";
    return "";
}

CgroupLayout CgroupLayout::detect(CgroupFs& cfs) {
    auto mountinfo = cfs.read(cfs.under_root("/proc/self/mountinfo"));
    auto own = cfs.read(cfs.under_root("/proc/self/cgroup"));
    if (!mountinfo || !own)
        throw DriverError(Errc::unsupported, "cgroups: /proc/self/mountinfo or /proc/self/cgroup is missing");
    auto mounts = parse_mountinfo(*mountinfo);
    auto own_paths = parse_proc_cgroup(*own);

    CgroupLayout layout;
    for (const auto& m : mounts) {
        if (m.fs_type == "cgroup2" && layout.v2_base.empty() && own_paths.count("")) {
            layout.v2_root = cfs.under_root(m.mount_point);
            layout.v2_base = place(cfs, m, own_paths.at(""));
        } else if (m.fs_type == "cgroup") {
            auto opts = split_fields(m.super_options, ',');
            for (const auto& [key, path] : own_paths) {
                if (key.empty()) continue;
                auto ctrls = split_fields(key, ',');
                // The mount serves this hierarchy if it carries the same controllers.
                bool same = std::all_of(ctrls.begin(), ctrls.end(), [&](std::string_view c) { return has(opts, c); });
                if (!same) continue;
                for (const auto& c : ctrls) {
                    bool wanted = std::find(std::begin(jail_controllers), std::end(jail_controllers), c) !=
                                  std::end(jail_controllers);
                    if (wanted && !layout.v1_base.count(std::string(c))) layout.v1_base[std::string(c)] = place(cfs, m, path);
                }
            }
        }
    }
    if (layout.v2_base.empty())
        throw DriverError(Errc::unsupported,
                          "cgroups: no cgroup2 hierarchy is mounted (mount -t cgroup2 none /sys/fs/cgroup/unified)");
    if (auto ctrls = cfs.read(layout.v2_base / "cgroup.controllers")) {
        std::istringstream in(*ctrls);
        std::string c;
        while (in >> c) layout.v2_controllers.push_back(c);
    }
    return layout;
}

}  // namespace jailmgr::kernel::lnx
