#include "state_store.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>

#include "sys/error.hpp"
#include "sys/files.hpp"

namespace jailmgr::engine {

namespace fs = std::filesystem;
using nlohmann::json;

json to_json(const AppliedJail& a) {
    json services = json::object();
    for (auto& [name, s] : a.services) services[name] = {{"hash", s.hash}, {"spec", s.spec}};
    return {{"name", a.name},       {"project", a.project},   {"id", a.id},
            {"spec_hash", a.spec_hash}, {"spec", a.spec},     {"services", services},
            {"setup_hashes", a.setup_hashes}, {"depends_on", a.depends_on}, {"autostart", a.autostart}, {"applied_at", a.applied_at}};
}

AppliedJail applied_jail_from_json(const json& j) {
    AppliedJail a;
    a.name = j.at("name").get<std::string>();
    a.project = j.value("project", "");
    a.id = j.value("id", 0u);
    a.spec_hash = j.value("spec_hash", "");
    a.spec = j.value("spec", json::object());
    if (auto it = j.find("services"); it != j.end() && it->is_object())
        for (auto& [name, s] : it->items())
            a.services[name] = AppliedService{s.value("hash", ""), s.value("spec", json::object())};
    a.setup_hashes = j.value("setup_hashes", std::vector<std::string>{});
    a.depends_on = j.value("depends_on", std::vector<std::string>{});
    a.autostart = j.value("autostart", true);
    a.applied_at = j.value("applied_at", 0LL);
    return a;
}

StateStore::StateStore(fs::path state_dir) : dir_(std::move(state_dir) / "applied") {}

fs::path StateStore::file_for(const std::string& jail) const {
    // Jail names are [A-Za-z0-9._-]{1,63} (validated before they get here);
    // refuse anything that could step out of the directory all the same.
    if (jail.empty() || jail == "." || jail == ".." || jail.find('/') != std::string::npos)
        throw std::invalid_argument("invalid jail name for the state store: '" + jail + "'");
    return dir_ / (jail + ".json");
}

std::map<std::string, AppliedJail> StateStore::load_all() const {
    std::map<std::string, AppliedJail> out;
    std::error_code ec;
    if (!fs::is_directory(dir_, ec)) return out;
    for (auto& entry : fs::directory_iterator(dir_)) {
        if (entry.path().extension() != ".json") continue;
        auto text = sys::read_file_if_exists(entry.path());
        if (!text) continue;
        auto j = json::parse(*text, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("name")) {
            // Never silently: a corrupt record makes its jail look foreign.
            spdlog::warn("state record {} is unreadable; its jail will be treated as foreign",
                         entry.path().string());
            continue;
        }
        auto a = applied_jail_from_json(j);
        out.emplace(a.name, std::move(a));
    }
    return out;
}

std::optional<AppliedJail> StateStore::load(const std::string& jail) const {
    auto text = sys::read_file_if_exists(file_for(jail));
    if (!text) return std::nullopt;
    auto j = json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("name")) return std::nullopt;
    return applied_jail_from_json(j);
}

void StateStore::save(const AppliedJail& record) {
    sys::make_dirs(dir_, 0755);
    auto f = file_for(record.name);
    sys::write_file_atomic(f, to_json(record).dump(2) + "\n", 0644, sys::Durability::deferred);
    std::lock_guard lock(dirty_mutex_);
    dirty_.insert(f);
    dir_dirty_ = true;
}

void StateStore::remove(const std::string& jail) {
    auto f = file_for(jail);
    if (::unlink(f.c_str()) != 0 && errno != ENOENT) sys::throw_errno("remove " + f.string());
    std::lock_guard lock(dirty_mutex_);
    dirty_.erase(f);
    dir_dirty_ = true;
}

void StateStore::sync() {
    std::lock_guard lock(dirty_mutex_);
    for (auto& f : dirty_) {
        try {
            sys::fsync_path(f);
        } catch (const sys::SysError& e) {
            if (e.code() != ENOENT) throw;  // removed by someone else meanwhile
        }
    }
    dirty_.clear();
    if (dir_dirty_) sys::fsync_path(dir_);
    dir_dirty_ = false;
}

}  // namespace jailmgr::engine
