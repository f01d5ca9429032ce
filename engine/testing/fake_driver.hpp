// fake_driver.hpp -- an in-memory kernel::Driver for engine tests (a seam,
// never linked into the tools).  Jails are records; sessions run setup
// commands as plain host processes and write files into a map.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "driver.hpp"

namespace jailmgr::engine::testing {

class FakeDriver : public kernel::Driver {
public:
    std::map<kernel::JailId, kernel::JailInfo> jails;
    kernel::JailId next_id = 1;
    std::set<std::string> fail_create;                          // names whose create fails
    std::map<std::string, std::string> files;                   // "jail:path" -> content
    std::vector<std::string> log;                               // "create web", "destroy 3", ...
    std::recursive_mutex mutex;  // the applier calls from its worker threads

    kernel::Capabilities capabilities() const override { return {"fake", true, true, true, true}; }
    kernel::JailId create(const kernel::JailSpec& spec) override;
    void destroy(kernel::JailId id, bool force) override;
    std::vector<kernel::JailInfo> list() override;
    std::optional<kernel::JailInfo> find(kernel::JailId id) override;
    std::optional<kernel::JailInfo> find(std::string_view name) override;
    void update_limits(kernel::JailId id, const kernel::Limits& limits) override;
    std::unique_ptr<kernel::Session> attach(kernel::JailId id, kernel::Attach mode) override;
    kernel::Credentials resolve_user(kernel::JailId, std::string_view) override { return {}; }
};

}  // namespace jailmgr::engine::testing
