#include "backend.hpp"

namespace jailmgr::engine::supervisor {

namespace {

class DriverBackend : public JailBackend {
public:
    DriverBackend(std::unique_ptr<kernel::Driver> driver, kernel::JailId jid)
        : driver_(std::move(driver)), jid_(jid) {}

    std::unique_ptr<kernel::Session> start_session() override {
        return driver_->attach(jid_, kernel::Attach::start);
    }
    kernel::Credentials resolve_user(std::string_view user) override {
        return driver_->resolve_user(jid_, user);
    }

private:
    std::unique_ptr<kernel::Driver> driver_;
    kernel::JailId jid_;
};

}  // namespace

std::unique_ptr<JailBackend> make_driver_backend(const Paths& paths, kernel::JailId jid, const std::string& jail) {
    auto driver = kernel::make_driver(paths.driver_config());
    auto info = driver->find(jid);
    if (!info)
        throw kernel::DriverError(kernel::Errc::not_found,
                                  "jail " + jail + " (jid " + std::to_string(jid) + ") does not exist");
    if (info->spec.name != jail)
        throw kernel::DriverError(kernel::Errc::invalid, "jid " + std::to_string(jid) + " is jail " +
                                                             info->spec.name + ", not " + jail);
    return std::make_unique<DriverBackend>(std::move(driver), jid);
}

}  // namespace jailmgr::engine::supervisor
