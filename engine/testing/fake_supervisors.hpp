// fake_supervisors.hpp -- an in-memory Supervisors for engine tests (a seam).
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "supervisors.hpp"

namespace jailmgr::engine::testing {

class FakeSupervisors : public Supervisors {
public:
    std::map<std::string, SupervisorObservation> running;
    std::vector<std::string> log;     // "start web", "reload web", "stop web", "restart web/httpd"
    std::set<std::string> never_ready;
    std::map<std::string, std::string> failing;  // jail -> why wait_ready throws
    std::recursive_mutex mutex;  // the applier calls from its worker threads

    std::optional<SupervisorObservation> observe(const std::string& jail) override {
        std::lock_guard guard(mutex);
        if (auto it = running.find(jail); it != running.end()) return it->second;
        return std::nullopt;
    }
    void start(const DesiredJail& jail, kernel::JailId) override {
        std::lock_guard guard(mutex);
        log.push_back("start " + jail.name);
        set_services(jail);
    }
    void reload(const DesiredJail& jail, kernel::JailId) override {
        std::lock_guard guard(mutex);
        log.push_back("reload " + jail.name);
        set_services(jail);
    }
    void restart_service(const std::string& jail, const std::string& service) override {
        std::lock_guard guard(mutex);
        log.push_back("restart " + jail + "/" + service);
        running.at(jail).services[service].state = "running";
    }
    void stop(const std::string& jail) override {
        std::lock_guard guard(mutex);
        log.push_back("stop " + jail);
        running.erase(jail);
    }
    bool wait_ready(const std::string& jail, std::chrono::milliseconds) override {
        std::lock_guard guard(mutex);
        log.push_back("wait " + jail);
        if (auto it = failing.find(jail); it != failing.end()) throw std::runtime_error(it->second);
        return !never_ready.count(jail);
    }

private:
    void set_services(const DesiredJail& jail) {
        SupervisorObservation o;
        o.pid = 1000;
        for (auto& s : jail.services) o.services[s.name].state = "running";
        running[jail.name] = o;
    }
};

}  // namespace jailmgr::engine::testing
