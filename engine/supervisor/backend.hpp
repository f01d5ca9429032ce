// backend.hpp -- what the supervisor needs from the kernel, as one small
// interface: start the jail's instance (owned by the supervisor, so the
// jail's processes live only as long as it does) and resolve service users.
//
// Production: make_driver_backend (the host's kernel::Driver).  Tests:
// make_host_backend, the HostSession seam (host_session.hpp).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "driver.hpp"
#include "paths.hpp"

namespace jailmgr::engine::supervisor {

class JailBackend {
public:
    virtual ~JailBackend() = default;
    // Starts the jail's instance, owned by the calling process
    // (kernel::Attach::start): when this process dies, so do the jail's.
    virtual std::unique_ptr<kernel::Session> start_session() = 0;
    // "www", "1000", "1000:1000" against the jail's own user database.
    virtual kernel::Credentials resolve_user(std::string_view user) = 0;
};

// The kernel driver of this host (kernel::make_driver).  Throws
// kernel::DriverError if jail `jid` does not exist or is not named `jail`.
std::unique_ptr<JailBackend> make_driver_backend(const Paths& paths, kernel::JailId jid, const std::string& jail);

// TEST SEAM: services run as host processes in a fresh PID namespace whose
// init dies with the supervisor.  Never used unless a spec asks for it and
// JAILMGR_ALLOW_TEST_SEAMS=1 is set.
std::unique_ptr<JailBackend> make_host_backend(kernel::JailId jid);

}  // namespace jailmgr::engine::supervisor
