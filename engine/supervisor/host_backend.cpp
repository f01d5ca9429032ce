// TEST SEAM -- the backend behind `"test_session": "host"` (backend.hpp).
#include "backend.hpp"
#include "host_session.hpp"
#include "user_db.hpp"

namespace jailmgr::engine::supervisor {

namespace {

class HostBackend : public JailBackend {
public:
    explicit HostBackend(kernel::JailId jid) : jid_(jid) {}
    std::unique_ptr<kernel::Session> start_session() override { return std::make_unique<HostSession>(jid_); }
    // The "jail" is the host: its own passwd and group.
    kernel::Credentials resolve_user(std::string_view user) override {
        return kernel::resolve_user_in_root("/", user);
    }

private:
    kernel::JailId jid_;
};

}  // namespace

std::unique_ptr<JailBackend> make_host_backend(kernel::JailId jid) { return std::make_unique<HostBackend>(jid); }

}  // namespace jailmgr::engine::supervisor
