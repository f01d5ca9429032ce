#include "reserved_ports.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sys/error.hpp"
#include "sys/files.hpp"

namespace jailmgr::kernel::lnx {

namespace fs = std::filesystem;
using nlohmann::json;

std::set<std::uint16_t> parse_port_ranges(std::string_view text) {
    std::set<std::uint16_t> out;
    auto num = [](std::string_view s) -> std::uint16_t {
        if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), ::isdigit))
            throw std::invalid_argument("bad port '" + std::string(s) + "'");
        unsigned long v = std::stoul(std::string(s));
        if (v > 65535) throw std::invalid_argument("port out of range '" + std::string(s) + "'");
        return static_cast<std::uint16_t>(v);
    };
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    while (!text.empty()) {
        size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        size_t dash = item.find('-');
        if (dash == std::string_view::npos) {
            out.insert(num(item));
        } else {
            unsigned lo = num(item.substr(0, dash)), hi = num(item.substr(dash + 1));
            if (lo > hi) throw std::invalid_argument("bad range '" + std::string(item) + "'");
            for (unsigned p = lo; p <= hi; ++p) out.insert(static_cast<std::uint16_t>(p));
        }
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

std::string format_port_ranges(const std::set<std::uint16_t>& ports) {
    std::string out;
    for (auto it = ports.begin(); it != ports.end();) {
        unsigned lo = *it, hi = lo;
        for (++it; it != ports.end() && *it == hi + 1; ++it) hi = *it;
        if (!out.empty()) out += ',';
        out += std::to_string(lo);
        if (hi != lo) {
            out += '-';
            out += std::to_string(hi);
        }
    }
    return out;
}

namespace {

using Clock = std::chrono::system_clock;

// One write(2) with O_TRUNC: procfs takes the whole value at once, and a
// shorter value must not leave a tail behind in a regular file (tests).
void write_sysctl(const fs::path& file, const std::string& value) {
    sys::unique_fd fd(::open(file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    if (!fd) sys::throw_errno("open " + file.string());
    if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
        sys::throw_errno("write '" + value + "' to " + file.string());
}

struct Ledger {
    std::map<std::uint16_t, ReservedPorts::Entry> ports;
    std::map<std::string, std::int64_t> since;  // "instance/id" -> first seen (unix s)
};

std::string key_of(const PortHolder& h) { return h.instance + "/" + std::to_string(h.id); }

Ledger load(const fs::path& file) {
    Ledger l;
    auto text = sys::read_file_if_exists(file);
    if (!text || text->empty()) return l;
    json j = json::parse(*text);
    for (const auto& e : j.at("ports")) {
        ReservedPorts::Entry entry;
        entry.port = e.at("port").get<std::uint16_t>();
        entry.added = e.at("added").get<bool>();
        for (const auto& h : e.at("holders")) {
            PortHolder holder{h.at("instance").get<std::string>(), h.at("id").get<JailId>(),
                              h.at("name").get<std::string>(), h.at("record").get<std::string>()};
            l.since[key_of(holder)] = h.value("since", std::int64_t{0});
            entry.holders.push_back(std::move(holder));
        }
        l.ports[entry.port] = std::move(entry);
    }
    return l;
}

void save(const fs::path& file, const Ledger& l) {
    json ports = json::array();
    for (const auto& [port, e] : l.ports) {
        json holders = json::array();
        for (const auto& h : e.holders)
            holders.push_back({{"instance", h.instance},
                               {"id", h.id},
                               {"name", h.name},
                               {"record", h.record.string()},
                               {"since", l.since.count(key_of(h)) ? l.since.at(key_of(h)) : 0}});
        ports.push_back({{"port", port}, {"added", e.added}, {"holders", holders}});
    }
    sys::write_file_atomic(file, json{{"ports", ports}}.dump(2) + "\n", 0600);
}

// Holders whose registry record is gone for over a minute crashed mid-create
// or were removed by hand: forget them (and release what we added for them).
void prune(Ledger& l, std::set<std::uint16_t>& sysctl) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
    for (auto it = l.ports.begin(); it != l.ports.end();) {
        auto& hs = it->second.holders;
        hs.erase(std::remove_if(hs.begin(), hs.end(),
                                [&](const PortHolder& h) {
                                    struct stat st;
                                    auto since = l.since.count(key_of(h)) ? l.since.at(key_of(h)) : 0;
                                    return ::stat(h.record.c_str(), &st) != 0 && now - since > 60;
                                }),
                 hs.end());
        if (hs.empty()) {
            if (it->second.added) sysctl.erase(it->first);
            it = l.ports.erase(it);
        } else {
            ++it;
        }
    }
}

}  // namespace

ReservedPorts::ReservedPorts(fs::path ledger, fs::path sysctl) : ledger_(std::move(ledger)), sysctl_(std::move(sysctl)) {}

void ReservedPorts::reserve(const PortHolder& holder, const std::vector<std::uint16_t>& ports) {
    if (ports.empty()) return;
    sys::FileLock lock(ledger_.string() + ".lock");
    Ledger l = load(ledger_);
    auto current = parse_port_ranges(sys::read_file(sysctl_));
    auto wanted = current;
    prune(l, wanted);
    for (auto p : ports) {
        auto it = l.ports.find(p);
        if (it == l.ports.end()) continue;
        for (const auto& h : it->second.holders)
            if (!h.same_jail(holder))
                throw DriverError(Errc::port_taken,
                                  "port " + std::to_string(p) + " is already reserved by jail '" + h.name +
                                      "' of another jailmgr instance (" + h.instance + ")",
                                  EEXIST);
    }
    auto now = std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
    l.since.emplace(key_of(holder), now);
    for (auto p : ports) {
        auto [it, fresh] = l.ports.try_emplace(p);
        if (fresh) {
            it->second.port = p;
            it->second.added = !wanted.count(p);
            wanted.insert(p);
        }
        auto& hs = it->second.holders;
        if (std::none_of(hs.begin(), hs.end(), [&](const PortHolder& h) { return h.same_jail(holder); }))
            hs.push_back(holder);
    }
    // Ledger first: if the sysctl write fails, the next release or prune
    // still knows what we meant to add.
    save(ledger_, l);
    if (wanted != current) {
        try {
            write_sysctl(sysctl_, format_port_ranges(wanted) + "\n");
        } catch (...) {
            release(holder);
            throw;
        }
    }
}

void ReservedPorts::release(const PortHolder& holder) {
    sys::FileLock lock(ledger_.string() + ".lock");
    Ledger l = load(ledger_);
    auto current = parse_port_ranges(sys::read_file(sysctl_));
    auto wanted = current;
    bool changed = false;
    for (auto it = l.ports.begin(); it != l.ports.end();) {
        auto& hs = it->second.holders;
        auto before = hs.size();
        hs.erase(std::remove_if(hs.begin(), hs.end(), [&](const PortHolder& h) { return h.same_jail(holder); }),
                 hs.end());
        changed |= hs.size() != before;
        if (hs.empty()) {
            if (it->second.added) wanted.erase(it->first);
            it = l.ports.erase(it);
        } else {
            ++it;
        }
    }
    prune(l, wanted);
    l.since.erase(key_of(holder));
    if (!changed && wanted == current) return;
    if (wanted != current) write_sysctl(sysctl_, format_port_ranges(wanted) + "\n");
    if (l.ports.empty())
        ::unlink(ledger_.c_str());
    else
        save(ledger_, l);
}

std::vector<ReservedPorts::Entry> ReservedPorts::entries() const {
    sys::FileLock lock(ledger_.string() + ".lock");
    std::vector<Entry> out;
    for (auto& [p, e] : load(ledger_).ports) out.push_back(e);
    return out;
}

}  // namespace jailmgr::kernel::lnx
