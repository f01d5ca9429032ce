// journal.hpp -- what an apply was doing when it died.
//
// Before each step that changes the host (create a jail, destroy one, start
// a supervisor, ...) apply appends a "begin" record, and a "done" record
// after it.  Records are JSON lines appended with O_APPEND and fsync'd, so a
// kill -9 at any point leaves at most one torn last line (ignored when
// read).  The next apply reads the steps that began but never finished and
// repairs them before planning; a successful apply clears the journal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <mutex>
#include <string>
#include <vector>

namespace jailmgr::engine {

struct JournalEntry {
    std::uint64_t seq = 0;
    std::string op;        // "create", "destroy", "supervise", "setup", ...
    std::string jail;
    nlohmann::json data;   // op-specific: project, jail id, spec hash, ...
};

class Journal {
public:
    explicit Journal(std::filesystem::path state_dir);

    // Appends a begin record and returns its sequence number.
    std::uint64_t begin(const std::string& op, const std::string& jail, nlohmann::json data = {});
    // Appends the matching done record (data may add facts learnt meanwhile).
    void done(std::uint64_t seq, nlohmann::json data = {});

    // Steps that began but never finished, oldest first; a done record's data
    // is merged into nothing (the step is finished), a begin's data is kept.
    std::vector<JournalEntry> unfinished() const;

    // Forget everything (after a successful apply).
    void clear();

    const std::filesystem::path& path() const { return path_; }

private:
    void append(const nlohmann::json& record);
    std::filesystem::path path_;
    std::mutex mutex_;  // begin/done come from the applier's worker threads
    std::uint64_t next_seq_ = 1;
};

}  // namespace jailmgr::engine
