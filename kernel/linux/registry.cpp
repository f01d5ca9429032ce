#include "registry.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <nlohmann/json.hpp>

#include "sys/error.hpp"

namespace jailmgr::kernel::lnx {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json opt(const std::optional<std::uint64_t>& v) { return v ? json(*v) : json(nullptr); }

std::optional<std::uint64_t> get_opt(const json& j, const char* key) {
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    return j.at(key).get<std::uint64_t>();
}

json limits_json(const Limits& l) {
    return {{"memory_bytes", opt(l.memory_bytes)},
            {"cpus", l.cpus ? json(*l.cpus) : json(nullptr)},
            {"pids", opt(l.pids)},
            {"nofile", opt(l.nofile)},
            {"address_space", opt(l.address_space)},
            {"core", opt(l.core)}};
}

Limits limits_from(const json& j) {
    Limits l;
    l.memory_bytes = get_opt(j, "memory_bytes");
    if (j.contains("cpus") && !j.at("cpus").is_null()) l.cpus = j.at("cpus").get<double>();
    l.pids = get_opt(j, "pids");
    l.nofile = get_opt(j, "nofile");
    l.address_space = get_opt(j, "address_space");
    l.core = get_opt(j, "core");
    return l;
}

std::optional<JailId> id_from_name(const std::string& name, std::string_view suffix) {
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
        return std::nullopt;
    JailId id = 0;
    const char* end = name.data() + name.size() - suffix.size();
    auto [p, ec] = std::from_chars(name.data(), end, id);
    if (ec != std::errc() || p != end || id == 0) return std::nullopt;
    return id;
}

}  // namespace

std::string to_json(const JailRecord& r) {
    json mounts = json::array();
    for (const auto& m : r.spec.mounts)
        mounts.push_back({{"source", m.source.string()}, {"target", m.target.string()}, {"readonly", m.readonly}});
    json ctrls = json::object();
    for (const auto& [c, dir] : r.cgroups.controllers) ctrls[c] = dir.string();
    json j = {
        {"id", r.id},
        {"name", r.spec.name},
        {"root", r.spec.root.string()},
        {"profile", std::string(to_string(r.spec.profile))},
        {"deny_extra", r.spec.deny_extra},
        {"ports", r.spec.ports},
        {"limits", limits_json(r.spec.limits)},
        {"layout", r.spec.layout == Layout::rootfs ? "rootfs" : "host_base"},
        {"mounts", mounts},
        {"hostname", r.spec.hostname},
        {"created_unix_ns",
         std::chrono::duration_cast<std::chrono::nanoseconds>(r.created.time_since_epoch()).count()},
        {"cgroup_v2", r.cgroups.v2.string()},
        {"cgroup_v2_root", r.cgroups.v2_root.string()},
        {"cgroup_controllers", ctrls},
        {"cgroup_id", r.cgroup_id},
    };
    return j.dump(2) + "\n";
}

JailRecord record_from_json(const std::string& text) {
    json j = json::parse(text);
    JailRecord r;
    r.id = j.at("id").get<JailId>();
    r.spec.name = j.at("name").get<std::string>();
    r.spec.root = j.at("root").get<std::string>();
    auto profile = parse_profile(j.at("profile").get<std::string>());
    if (!profile) throw std::runtime_error("unknown profile '" + j.at("profile").get<std::string>() + "'");
    r.spec.profile = *profile;
    r.spec.deny_extra = j.at("deny_extra").get<std::uint32_t>();
    r.spec.ports = j.at("ports").get<std::vector<std::uint16_t>>();
    r.spec.limits = limits_from(j.at("limits"));
    r.spec.layout = j.at("layout").get<std::string>() == "rootfs" ? Layout::rootfs : Layout::host_base;
    for (const auto& m : j.at("mounts"))
        r.spec.mounts.push_back(BindMount{m.at("source").get<std::string>(), m.at("target").get<std::string>(),
                                          m.at("readonly").get<bool>()});
    r.spec.hostname = j.at("hostname").get<std::string>();
    r.created = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(j.at("created_unix_ns").get<std::int64_t>())));
    r.cgroups.v2 = j.at("cgroup_v2").get<std::string>();
    r.cgroups.v2_root = j.at("cgroup_v2_root").get<std::string>();
    for (const auto& [c, dir] : j.at("cgroup_controllers").items()) r.cgroups.controllers[c] = dir.get<std::string>();
    r.cgroup_id = j.at("cgroup_id").get<std::uint64_t>();
    return r;
}

Registry::Registry(fs::path run_dir) : run_dir_(std::move(run_dir)), jails_dir_(run_dir_ / "jails") {}

sys::FileLock Registry::lock() const {
    sys::make_dirs(jails_dir_, 0700);
    return sys::FileLock(run_dir_ / "driver.lock");
}

fs::path Registry::record_path(JailId id) const { return jails_dir_ / (std::to_string(id) + ".json"); }

std::optional<JailRecord> Registry::load(JailId id) const {
    auto path = record_path(id);
    auto text = sys::read_file_if_exists(path);
    if (!text) return std::nullopt;
    try {
        return record_from_json(*text);
    } catch (const std::exception& e) {
        throw DriverError(Errc::system, "registry " + path.string() + " is corrupt: " + e.what() +
                                            " (inspect it, remove its cgroups, then delete it)");
    }
}

std::vector<JailRecord> Registry::load_all() const {
    std::vector<std::pair<JailId, ino_t>> ids;
    if (DIR* d = ::opendir(jails_dir_.c_str())) {
        while (struct dirent* e = ::readdir(d))
            if (auto id = id_from_name(e->d_name, ".json")) ids.emplace_back(*id, e->d_ino);
        ::closedir(d);
    } else if (errno != ENOENT) {
        sys::throw_errno("open registry " + jails_dir_.string());
    }
    std::sort(ids.begin(), ids.end());
    std::vector<JailRecord> out;
    std::lock_guard guard(cache_->mutex);
    std::map<JailId, Cached> seen;
    for (auto [id, ino] : ids) {
        if (auto it = cache_->entries.find(id); it != cache_->entries.end() && it->second.ino == ino) {
            out.push_back(it->second.record);
            seen.emplace(id, std::move(it->second));
            continue;
        }
        auto path = record_path(id);
        sys::unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd) {
            if (errno == ENOENT) continue;  // removed meanwhile: skip
            sys::throw_errno("open " + path.string());
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) sys::throw_errno("stat " + path.string());
        std::string text;
        char buf[4096];
        for (;;) {
            ssize_t n = ::read(fd.get(), buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) sys::throw_errno("read " + path.string());
            if (n == 0) break;
            text.append(buf, static_cast<std::size_t>(n));
        }
        JailRecord r;
        try {
            r = record_from_json(text);
        } catch (const std::exception& e) {
            throw DriverError(Errc::system, "registry " + path.string() + " is corrupt: " + e.what() +
                                                " (inspect it, remove its cgroups, then delete it)");
        }
        out.push_back(r);
        seen.emplace(id, Cached{st.st_ino, std::move(r)});
    }
    cache_->entries = std::move(seen);
    return out;
}

void Registry::store(const JailRecord& r) const {
    sys::make_dirs(jails_dir_, 0700);
    // Not durable: run_dir does not survive a reboot, and neither do the
    // kernel objects a record describes.
    sys::write_file_atomic(record_path(r.id), to_json(r), 0600, sys::Durability::deferred);
}

void Registry::remove(JailId id) const {
    remove_init(id);
    auto path = record_path(id);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) sys::throw_errno("remove " + path.string());
}

std::optional<InitRecord> Registry::load_init(JailId id) const {
    auto text = sys::read_file_if_exists(jails_dir_ / (std::to_string(id) + ".init"));
    if (!text) return std::nullopt;
    try {
        json j = json::parse(*text);
        return InitRecord{j.at("pid").get<pid_t>(), j.at("start_time").get<std::uint64_t>()};
    } catch (const std::exception&) {
        return std::nullopt;  // a torn or foreign file: treated as "not running"
    }
}

void Registry::store_init(JailId id, const InitRecord& init) const {
    // Atomic (rename) but not durable: an init does not survive a reboot, so
    // an fsync here would only add latency to every jailctl exec.
    json j = {{"pid", init.pid}, {"start_time", init.start_time}};
    std::string text = j.dump() + "\n";
    fs::path path = jails_dir_ / (std::to_string(id) + ".init");
    fs::path tmp = path;
    tmp += ".tmp." + std::to_string(::getpid());
    {
        sys::unique_fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (!fd) sys::throw_errno("create " + tmp.string());
        if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
            int err = errno;
            ::unlink(tmp.c_str());
            sys::throw_errno("write " + tmp.string(), err);
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        sys::throw_errno("rename " + tmp.string(), err);
    }
}

void Registry::remove_init(JailId id) const {
    auto path = jails_dir_ / (std::to_string(id) + ".init");
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) sys::throw_errno("remove " + path.string());
}

IdCounter::IdCounter(fs::path state_dir, bool sync_each_write)
    : file_(std::move(state_dir) / "next-jail-id"), sync_each_write_(sync_each_write) {}

std::uint64_t IdCounter::next() const {
    auto text = sys::read_file_if_exists(file_);
    if (!text) return 1;
    std::uint64_t v = 0;
    auto* end = text->data() + text->size();
    while (end > text->data() && (end[-1] == '\n' || end[-1] == ' ')) --end;
    auto [p, ec] = std::from_chars(text->data(), end, v);
    if (ec != std::errc() || p != end || v == 0)
        throw DriverError(Errc::system, "ID counter " + file_.string() + " is corrupt: '" + *text +
                                            "' (it must hold the next jail ID; never lower it)");
    return v;
}

void IdCounter::store(std::uint64_t next) const {
    sys::make_dirs(file_.parent_path(), 0700);
    sys::write_file_atomic(file_, std::to_string(next) + "\n", 0600,
                           sync_each_write_ ? sys::Durability::synced : sys::Durability::deferred);
}

void IdCounter::sync() const {
    if (sync_each_write_ || !fs::exists(file_)) return;
    sys::fsync_path(file_);
    sys::fsync_path(file_.parent_path());
}

}  // namespace jailmgr::kernel::lnx
