// supervisor.hpp -- one jail's supervisor: the event loop that runs the
// jail's services through their state machines (service_fsm.hpp,
// health_fsm.hpp), captures their output (service_log.hpp), answers the
// control socket (control.hpp) and keeps the status file current.
//
// Runs in its own process (launch.hpp): it owns the jail's instance through
// the backend's session, so if this process dies, the jail's processes die
// with it.  It returns from run() only when every process of the jail is
// gone.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "backend.hpp"
#include "control.hpp"
#include "event_loop.hpp"
#include "files.hpp"
#include "health_fsm.hpp"
#include "health_probe.hpp"
#include "service_log.hpp"
#include "spec.hpp"
#include "status.hpp"

namespace jailmgr::engine::supervisor {

class Supervisor {
public:
    // `spec_file`: where the spec lives (re-read on SIGHUP); may be empty.
    Supervisor(SupervisorSpec spec, std::unique_ptr<JailBackend> backend, std::filesystem::path spec_file = {});
    ~Supervisor();
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;

    // Sets everything up, writes "ready <pid>\n" (or "error <message>\n") to
    // `ready_fd` if >= 0, runs until stopped.  Returns the exit status.
    int run(int ready_fd);

private:
    struct Service;

    // setup and teardown
    void setup();
    void teardown();

    // events in
    void on_signal();
    void on_reap();
    void on_timer();
    void on_service_exit(Service& svc);
    void on_probe_exit(Service& svc);
    void on_log(Service& svc, bool is_stderr);

    // the state machines
    void dispatch(Service& svc, const Event& ev);
    void perform(Service& svc, const Action& a);
    Event spawn(Service& svc);
    kernel::SpawnSpec spawn_spec(const Service& svc, const std::vector<std::string>& argv);
    void log_change(const Service& svc, Phase before, const Event& ev, TimePoint now);
    void health_event(Service& svc, HealthEvent ev);
    void start_probe(Service& svc);
    void cancel_probe(Service& svc);
    void on_probe_result(Service& svc, bool ok, const std::string& detail);
    void settle();
    void settle_dependencies();
    bool all_down() const;
    void begin_shutdown(const std::string& why);

    // control
    nlohmann::json handle_request(const nlohmann::json& req);
    void reload(SupervisorSpec next);
    Service* find(const std::string& name);

    // status
    nlohmann::json status_json() const;
    nlohmann::json service_json(const Service& svc) const;
    void write_status();
    void note_counters_changed();

    std::string svc_tag(const std::string& service) const;

    SupervisorSpec spec_;
    std::unique_ptr<JailBackend> backend_;
    std::filesystem::path spec_file_;
    Paths paths_;
    SupervisorFiles files_;
    std::shared_ptr<spdlog::logger> log_;

    std::optional<SupervisorLock> lock_;
    std::unique_ptr<kernel::Session> session_;
    EventLoop loop_;
    std::optional<SignalFd> signals_;
    DeadlineTimer timer_;
    std::unique_ptr<ControlServer> control_;
    std::map<std::string, std::unique_ptr<Service>> services_;
    std::vector<kernel::Process> dying_;  // cancelled exec probes, killed, not yet reaped
    std::unique_ptr<char[]> scratch_;  // one read buffer for every pipe

    bool shutting_down_ = false;
    bool done_ = false;
    bool status_dirty_ = true;
    bool deps_dirty_ = true;  // a phase or health changed since the last dependency pass
    std::optional<TimePoint> status_deadline_;  // counters changed: rewrite the status by then
    TimePoint last_status_write_{};
    std::chrono::system_clock::time_point started_wall_;
    static constexpr std::size_t scratch_size = 65536;
};

}  // namespace jailmgr::engine::supervisor
