// state_store.hpp -- what this host last applied, per jail.
//
// The kernel keeps a jail's identity, profile and ports, but not which
// project created it, which manifest content it came from, which services
// ran with which spec, or which setup steps already ran.  That record lives
// in <state_dir>/applied/<jail>.json, one file per jail, replaced atomically.
// A jail in the kernel without a record here is foreign: reported, never
// touched (the journal is the only way a record-less jail becomes ours: a
// create that crashed before its record was written).
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "driver.hpp"

namespace jailmgr::engine {

struct AppliedService {
    std::string hash;      // canonical hash of the resolved service spec
    nlohmann::json spec;   // the resolved spec, for "old -> new" in plans
    bool operator==(const AppliedService&) const = default;
};

struct AppliedJail {
    std::string name;
    std::string project;
    kernel::JailId id = 0;
    std::string spec_hash;  // canonical hash of the resolved jail spec (without services)
    nlohmann::json spec;    // that spec, for "old -> new" in plans
    std::map<std::string, AppliedService> services;
    std::vector<std::string> setup_hashes;  // steps that completed, in order
    std::vector<std::string> depends_on;    // jails this one depends on (destroy order)
    bool autostart = true;
    long long applied_at = 0;  // unix seconds
    bool operator==(const AppliedJail&) const = default;
};

nlohmann::json to_json(const AppliedJail& a);
AppliedJail applied_jail_from_json(const nlohmann::json& j);

class StateStore {
public:
    explicit StateStore(std::filesystem::path state_dir);

    std::map<std::string, AppliedJail> load_all() const;
    std::optional<AppliedJail> load(const std::string& jail) const;
    // Atomic (old or new content after any crash of the process) but not
    // yet durable: sync() makes every save and remove since the last sync
    // survive a power loss.  An apply saves each jail's record several times
    // and syncs once at its end.  Safe to call from several threads.
    void save(const AppliedJail& record);
    void remove(const std::string& jail);
    void sync();

    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path file_for(const std::string& jail) const;
    std::filesystem::path dir_;
    std::mutex dirty_mutex_;
    std::set<std::filesystem::path> dirty_;  // saved since the last sync
    bool dir_dirty_ = false;                 // a file created, replaced or removed
};

}  // namespace jailmgr::engine
