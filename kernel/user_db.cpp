#include "user_db.hpp"

#include <charconv>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sys/files.hpp"
#include "sys/text.hpp"

namespace jailmgr::kernel {

namespace fs = std::filesystem;

namespace {

// passwd and group are colon-separated text; parsing them here instead of
// with fgetpwent(3) keeps the host's NSS configuration out of the decision.
using sys::split_fields;

std::optional<unsigned> parse_id(std::string_view s) {
    unsigned v = 0;
    if (s.empty()) return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

struct Entry {
    std::string name;
    unsigned id = 0;
    unsigned gid = 0;                  // passwd only
    std::vector<std::string> members;  // group only
};

std::vector<Entry> read_db(const fs::path& file, bool is_group) {
    std::vector<Entry> out;
    auto text = sys::read_file_if_exists(file);
    if (!text) return out;
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto f = split_fields(line, ':');
        if (f.size() < (is_group ? 4u : 7u)) continue;
        auto id = parse_id(f[2]);
        if (!id) continue;
        Entry e;
        e.name = std::string(f[0]);
        e.id = *id;
        if (is_group) {
            for (auto m : split_fields(f[3], ','))
                if (!m.empty()) e.members.emplace_back(m);
        } else if (auto gid = parse_id(f[3])) {
            e.gid = *gid;
        }
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace

Credentials resolve_user_in_root(const fs::path& root, std::string_view user) {
    if (user.empty()) throw DriverError(Errc::invalid, "user is empty: give a name, uid or uid:gid");
    const fs::path passwd_file = root / "etc/passwd";
    const fs::path group_file = root / "etc/group";
    auto passwd = read_db(passwd_file, false);
    auto groups = read_db(group_file, true);

    std::string_view user_part = user, group_part;
    if (auto colon = user.find(':'); colon != std::string_view::npos) {
        user_part = user.substr(0, colon);
        group_part = user.substr(colon + 1);
        if (group_part.empty())
            throw DriverError(Errc::invalid, "user '" + std::string(user) + "': empty group after ':'");
    }

    Credentials c;
    const Entry* pw = nullptr;
    if (auto uid = parse_id(user_part)) {
        c.uid = *uid;
        c.gid = *uid;
        for (auto& e : passwd)
            if (e.id == *uid) { pw = &e; break; }
        if (pw) c.gid = pw->gid;
    } else {
        for (auto& e : passwd)
            if (e.name == user_part) { pw = &e; break; }
        if (!pw)
            throw DriverError(Errc::not_found, "user '" + std::string(user_part) + "' not found in " +
                                                   passwd_file.string() + ": add it in a setup step or give a uid");
        c.uid = pw->id;
        c.gid = pw->gid;
    }

    if (!group_part.empty()) {
        if (auto gid = parse_id(group_part)) {
            c.gid = *gid;
        } else {
            const Entry* gr = nullptr;
            for (auto& e : groups)
                if (e.name == group_part) { gr = &e; break; }
            if (!gr)
                throw DriverError(Errc::not_found, "group '" + std::string(group_part) + "' not found in " +
                                                       group_file.string());
            c.gid = gr->id;
        }
    }

    if (pw) {
        for (auto& g : groups)
            for (auto& m : g.members)
                if (m == pw->name && g.id != c.gid) c.groups.push_back(g.id);
    }
    return c;
}

}  // namespace jailmgr::kernel
