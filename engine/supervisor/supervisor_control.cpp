// supervisor_control.cpp -- control requests, reload, and the status JSON
// (shape documented in README.md).
#include <unistd.h>

#include "dependency.hpp"
#include "supervisor.hpp"
#include "supervisor_service.hpp"
#include "sys/error.hpp"

namespace jailmgr::engine::supervisor {

using nlohmann::json;

Supervisor::Service* Supervisor::find(const std::string& name) {
    auto it = services_.find(name);
    return it == services_.end() || it->second->removing ? nullptr : it->second.get();
}

json Supervisor::handle_request(const json& req) {
    auto fail = [](const std::string& msg) { return json{{"ok", false}, {"error", msg}}; };
    std::string cmd = req.value("cmd", "");
    if (cmd == "status") return {{"ok", true}, {"status", status_json()}};
    std::string service = req.contains("service") && req["service"].is_string() ? req["service"].get<std::string>() : "";
    if (cmd == "stop" && service.empty()) {
        begin_shutdown("stop requested");
        return {{"ok", true}};
    }
    if (cmd == "stop" || cmd == "start" || cmd == "restart") {
        if (service.empty()) return fail(cmd + " needs a service");
        Service* svc = find(service);
        if (!svc) return fail("no service '" + service + "' in jail " + spec_.jail);
        if (shutting_down_ && cmd != "stop") return fail("supervisor " + spec_.jail + " is shutting down");
        log_->info("supervisor {}: {} {} requested", spec_.jail, cmd, service);
        dispatch(*svc, {cmd == "stop" ? EventKind::stop : cmd == "start" ? EventKind::up : EventKind::restart});
        return {{"ok", true}};
    }
    if (cmd == "reload") {
        if (!req.contains("spec")) return fail("reload needs a spec");
        if (shutting_down_) return fail("supervisor " + spec_.jail + " is shutting down");
        SupervisorSpec next = supervisor_spec_from_json(req["spec"]);
        reload(std::move(next));
        return {{"ok", true}};
    }
    return fail("unknown command '" + cmd + "' (expected status, stop, start, restart or reload)");
}

void Supervisor::reload(SupervisorSpec next) {
    if (next.jail != spec_.jail || next.jid != spec_.jid || next.root_dir != spec_.root_dir ||
        next.test_session != spec_.test_session)
        throw SpecError("reload: the new spec is for jail " + next.jail + " (jid " + std::to_string(next.jid) +
                        "), this supervisor runs " + spec_.jail + " (jid " + std::to_string(spec_.jid) + ")");
    log_->info("supervisor {}: reloading ({} services)", spec_.jail, next.services.size());
    for (auto& [name, svc] : services_)
        if (!next.find(name)) svc->removing = true;
    for (const auto& s : next.services) {
        auto it = services_.find(s.name);
        if (it == services_.end()) {
            auto svc = std::make_unique<Service>(s, files_.log_dir, svc_tag(s.name));
            Service& ref = *svc;
            services_[s.name] = std::move(svc);
            dispatch(ref, {EventKind::up});
            continue;
        }
        Service& svc = *it->second;
        svc.removing = false;
        if (svc.spec == s) {
            dispatch(svc, {EventKind::up});
            continue;
        }
        bool relaunch = !svc.spec.same_launch(s);
        bool health_changed = !(svc.spec.healthcheck == s.healthcheck);
        if (relaunch && is_live(svc.state.phase)) {
            svc.next_spec = s;  // the new process starts with it
            dispatch(svc, {EventKind::restart});
            continue;
        }
        if (!(svc.spec.logging == s.logging)) svc.log.reconfigure(s.logging);
        svc.spec = s;
        svc.next_spec.reset();
        if (health_changed && svc.state.phase == Phase::running) {
            health_event(svc, HealthEvent::service_stopped);
            health_event(svc, HealthEvent::service_started);
        }
        dispatch(svc, {relaunch ? EventKind::restart : EventKind::up});
    }
    spec_ = std::move(next);
    status_dirty_ = true;
    deps_dirty_ = true;
    try {
        replace_file(files_.spec, to_json(spec_).dump(2) + "\n", 0600);
    } catch (const std::exception& e) {
        log_->warn("supervisor {}: cannot record the new spec: {}", spec_.jail, e.what());
    }
}

// ---- status -------------------------------------------------------------------

json Supervisor::service_json(const Service& svc) const {
    auto steady_now = Clock::now();
    auto wall_now = std::chrono::system_clock::now();
    auto wall_ms = [&](const std::optional<TimePoint>& t) -> json {
        if (!t) return nullptr;
        auto wall = wall_now - std::chrono::duration_cast<std::chrono::system_clock::duration>(steady_now - *t);
        return std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
    };
    const auto& s = svc.state;
    json last_exit = nullptr;
    if (s.last_exit) {
        if (s.last_exit->signaled) last_exit = {{"signal", signal_name(s.last_exit->code)}, {"signo", s.last_exit->code}};
        else last_exit = {{"code", s.last_exit->code}};
    }
    auto c = svc.log.counters();
    bool waiting_to_start = s.phase == Phase::backoff || s.phase == Phase::failed;
    return {
        {"state", to_string(s.phase)},
        {"want", s.want_up ? "up" : "down"},
        {"pid", svc.proc.pid() > 0 ? json(svc.proc.pid()) : json(nullptr)},
        {"health", to_string(svc.health.status)},
        {"restarts", s.restarts},
        {"backoff_ms", current_delay(svc.spec, s).count()},
        {"next_start_ms", waiting_to_start ? wall_ms(s.deadline) : json(nullptr)},
        {"started_ms", wall_ms(s.started_at)},
        {"exited_ms", wall_ms(s.exited_at)},
        {"last_exit", last_exit},
        {"failed_since_ms", wall_ms(s.failed_since)},
        {"spawn_error", s.spawn_error ? json(sys::errno_name(s.spawn_error)) : json(nullptr)},
        {"log", {{"file", svc.spec.logging.file ? json(svc.log.file_path().string()) : json(nullptr)},
                 {"lines", c.lines},
                 {"dropped_file", c.dropped_file},
                 {"dropped_syslog", c.dropped_syslog}}},
        {"log_lines_dropped", c.dropped()},
    };
}

json Supervisor::status_json() const {
    json services = json::object();
    for (const auto& [name, svc] : services_)
        if (!svc->removing) services[name] = service_json(*svc);
    return {
        {"version", status_version},
        {"jail", spec_.jail},
        {"jid", spec_.jid},
        {"pid", ::getpid()},
        {"started_ms", std::chrono::duration_cast<std::chrono::milliseconds>(started_wall_.time_since_epoch()).count()},
        {"state", shutting_down_ ? "stopping" : "running"},
        {"services", services},
    };
}

void Supervisor::write_status() {
    status_dirty_ = false;
    status_deadline_.reset();
    last_status_write_ = Clock::now();
    try {
        replace_file(files_.status, status_json().dump() + "\n");
    } catch (const std::exception& e) {
        log_->error("supervisor {}: cannot write status: {}", spec_.jail, e.what());
    }
}

void Supervisor::note_counters_changed() {
    // At most one rewrite a second for counters alone; state changes write
    // at once.
    if (!status_deadline_) status_deadline_ = last_status_write_ + std::chrono::seconds(1);
}

}  // namespace jailmgr::engine::supervisor
