#include "paths.hpp"

#include <cstdint>
#include <cstdio>

namespace jailmgr::engine {

namespace fs = std::filesystem;

namespace {

// FNV-1a: stable across runs and builds, which std::hash is not.
std::uint32_t fnv1a(const std::string& s) {
    std::uint32_t h = 2166136261u;
    for (unsigned char c : s) {
        h ^= c;
        h *= 16777619u;
    }
    return h;
}

}  // namespace

Paths Paths::for_root(const fs::path& root_dir) {
    Paths p;
    fs::path root = root_dir.empty() ? fs::path("/") : fs::absolute(root_dir).lexically_normal();
    if (root.string().size() > 1 && root.string().back() == '/')
        root = fs::path(root.string().substr(0, root.string().size() - 1));
    p.root_dir = root;
    p.state_dir = root / "var/lib/jailmgr";
    p.run_dir = root / "run/jailmgr";
    p.log_dir = root / "var/log/jailmgr";
    if (root == "/") {
        p.instance = "default";
    } else {
        char buf[16];
        std::snprintf(buf, sizeof buf, "i%08x", fnv1a(root.string()));
        p.instance = buf;
    }
    return p;
}

kernel::DriverConfig Paths::driver_config() const {
    kernel::DriverConfig c;
    c.state_dir = state_dir;
    c.run_dir = run_dir;
    c.instance = instance;
    return c;
}

}  // namespace jailmgr::engine
