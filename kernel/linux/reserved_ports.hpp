// reserved_ports.hpp -- keep reserved ports out of the kernel's autobind.
//
// The bind hook cannot see autobind (listen() or sendto() on an unbound
// socket picks an ephemeral port without calling bind), so every reserved
// port also goes into net.ipv4.ip_local_reserved_ports, which autobind
// skips.  The sysctl is host-global and may hold the administrator's own
// entries, so a host-wide ledger file (shared by every jailmgr instance,
// under its own flock) records which ports *we* added and for whom:
//   - a port is added to the sysctl only if it was absent, and
//   - removed only when we added it and its last holder releases it.
// Ports are a host resource, so a port held by a jail of another instance is
// refused here (the per-instance registry cannot see it).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "driver.hpp"

namespace jailmgr::kernel::lnx {

struct PortHolder {
    std::string instance;
    JailId id = 0;
    std::string name;
    // The holder's registry record: a holder whose record has vanished for
    // longer than a minute (a crashed create) is pruned.
    std::filesystem::path record;
    bool same_jail(const PortHolder& o) const { return instance == o.instance && id == o.id; }
};

// "80,8080-8082" <-> {80, 8080, 8081, 8082}.  Throws std::invalid_argument.
std::set<std::uint16_t> parse_port_ranges(std::string_view text);
std::string format_port_ranges(const std::set<std::uint16_t>& ports);

class ReservedPorts {
public:
    explicit ReservedPorts(std::filesystem::path ledger = "/run/jailmgr-reserved-ports",
                           std::filesystem::path sysctl = "/proc/sys/net/ipv4/ip_local_reserved_ports");

    // Throws DriverError(port_taken) if another jail holds one of `ports`;
    // on error nothing changed.
    void reserve(const PortHolder& holder, const std::vector<std::uint16_t>& ports);
    // Drops every port `holder` holds (nothing if none).
    void release(const PortHolder& holder);

    struct Entry {
        std::uint16_t port = 0;
        bool added = false;  // we put it into the sysctl
        std::vector<PortHolder> holders;
    };
    std::vector<Entry> entries() const;

private:
    std::filesystem::path ledger_, sysctl_;
};

}  // namespace jailmgr::kernel::lnx
