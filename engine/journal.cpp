#include "journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <sstream>

#include "sys/error.hpp"
#include "sys/files.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::engine {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<json> read_records(const fs::path& path) {
    std::vector<json> out;
    auto text = sys::read_file_if_exists(path);
    if (!text) return out;
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
        auto j = json::parse(line, nullptr, false);
        // A torn line (crash mid-write) or garbage is skipped, never fatal.
        if (!j.is_discarded() && j.is_object() && j.contains("seq") && j["seq"].is_number_unsigned())
            out.push_back(std::move(j));
    }
    return out;
}

}  // namespace

Journal::Journal(fs::path state_dir) : path_(std::move(state_dir) / "journal.jsonl") {
    for (auto& r : read_records(path_)) next_seq_ = std::max(next_seq_, r["seq"].get<std::uint64_t>() + 1);
}

void Journal::append(const json& record) {
    sys::make_dirs(path_.parent_path(), 0755);
    sys::unique_fd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) sys::throw_errno("open journal " + path_.string());
    std::string line = record.dump() + "\n";
    // One write with O_APPEND: a kill -9 of apply leaves whole lines (a torn
    // one is skipped when read).  No fsync: the journal repairs interrupted
    // applies, and what it speaks of -- cgroups, BPF entries, processes --
    // does not survive the power loss an fsync would guard against.
    if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        sys::throw_errno("write journal " + path_.string());
}

std::uint64_t Journal::begin(const std::string& op, const std::string& jail, json data) {
    std::uint64_t seq;
    {
        std::lock_guard lock(mutex_);
        seq = next_seq_++;
    }
    append({{"seq", seq}, {"phase", "begin"}, {"op", op}, {"jail", jail}, {"data", std::move(data)}});
    return seq;
}

void Journal::done(std::uint64_t seq, json data) {
    append({{"seq", seq}, {"phase", "done"}, {"data", std::move(data)}});
}

std::vector<JournalEntry> Journal::unfinished() const {
    std::map<std::uint64_t, JournalEntry> open;
    for (auto& r : read_records(path_)) {
        auto seq = r["seq"].get<std::uint64_t>();
        std::string phase = r.value("phase", "");
        if (phase == "begin") {
            JournalEntry e;
            e.seq = seq;
            e.op = r.value("op", "");
            e.jail = r.value("jail", "");
            e.data = r.value("data", json::object());
            open[seq] = std::move(e);
        } else if (phase == "done") {
            open.erase(seq);
        }
    }
    std::vector<JournalEntry> out;
    for (auto& [seq, e] : open) out.push_back(std::move(e));
    return out;
}

void Journal::clear() {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) sys::throw_errno("remove journal " + path_.string());
}

}  // namespace jailmgr::engine
