#include "supervisor_processes.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "supervisor/control.hpp"
#include "supervisor/files.hpp"
#include "supervisor/launch.hpp"
#include "supervisor/spec.hpp"
#include "supervisor/status.hpp"
#include "sys/error.hpp"
#include "sys/files.hpp"
#include "sys/unique_fd.hpp"

namespace jailmgr::engine {

using nlohmann::json;
namespace sv = supervisor;

namespace {

double ms_to_unix(const json& v) { return v.is_number() ? v.get<double>() / 1000.0 : 0.0; }

ServiceObservation service_from_status(const json& s) {
    ServiceObservation o;
    o.state = s.value("state", "");
    std::string health = s.value("health", "none");
    o.health = health == "none" ? "" : health;
    o.restarts = s.value("restarts", 0ull);
    if (s.contains("pid") && s["pid"].is_number()) o.pid = s["pid"].get<long>();
    o.backoff_seconds = s.contains("backoff_ms") && s["backoff_ms"].is_number() ? s["backoff_ms"].get<double>() / 1000 : 0;
    if (auto it = s.find("last_exit"); it != s.end() && it->is_object()) {
        if (it->contains("code")) o.last_exit_code = (*it)["code"].get<int>();
        if (it->contains("signo")) o.last_signal = (*it)["signo"].get<int>();
    }
    o.started_unix = o.pid > 0 ? ms_to_unix(s.value("started_ms", json(nullptr))) : 0;
    o.next_start_unix = ms_to_unix(s.value("next_start_ms", json(nullptr)));
    o.log_lines_dropped = s.value("log_lines_dropped", 0ull);
    return o;
}

// Ready: every service runs (healthy if it has a check) or has completed.
// nullopt while undecided; "" when ready; otherwise why it cannot get there
// without intervention (the supervisor is gone, a service failed).
std::optional<std::string> readiness(const std::string& jail, const json& status) {
    if (!status.value("running", false)) return "the supervisor of jail " + jail + " is not running";
    const json services = status.value("services", json::object());
    for (auto& [name, s] : services.items()) {
        std::string state = s.value("state", "");
        std::string health = s.value("health", "none");
        if (state == "failed") {
            std::string why = "service " + jail + "/" + name + " failed";
            if (auto e = s.find("spawn_error"); e != s.end() && e->is_string()) why += " (cannot start: " + e->get<std::string>() + ")";
            else if (auto x = s.find("last_exit"); x != s.end() && x->is_object() && x->contains("code"))
                why += " (exit status " + std::to_string((*x)["code"].get<int>()) + ")";
            else if (x != s.end() && x->is_object() && x->contains("signal"))
                why += " (killed by SIG" + (*x)["signal"].get<std::string>() + ")";
            return why + "; see `jailmgr logs " + jail + "/" + name + "`";
        }
        if (state == "completed") continue;
        if (state != "running") return std::nullopt;
        if (health != "none" && health != "healthy") return std::nullopt;
    }
    return std::string();
}

class ProcessSupervisors : public Supervisors {
public:
    ProcessSupervisors(Paths paths, std::filesystem::path binary) : paths_(std::move(paths)), binary_(std::move(binary)) {}

    std::optional<SupervisorObservation> observe(const std::string& jail) override {
        auto status = sv::read_status(paths_, jail);
        if (!status || !status->value("running", false)) return std::nullopt;
        SupervisorObservation o;
        o.pid = status->value("pid", 0L);
        o.started_unix = ms_to_unix(status->value("started_ms", json(nullptr)));
        const json services = status->value("services", json::object());
        for (auto& [name, s] : services.items()) o.services[name] = service_from_status(s);
        return o;
    }

    void start(const DesiredJail& jail, kernel::JailId id) override {
        sv::launch_supervisor(binary_, spec_for(jail, id));
    }

    void reload(const DesiredJail& jail, kernel::JailId id) override {
        auto spec = sv::to_json(spec_for(jail, id));
        check(jail.name, sv::control_request(files(jail.name).socket, {{"cmd", "reload"}, {"spec", spec}}));
    }

    void restart_service(const std::string& jail, const std::string& service) override {
        check(jail, sv::control_request(files(jail).socket, {{"cmd", "restart"}, {"service", service}}));
    }

    void stop(const std::string& jail) override {
        if (!sv::supervisor_running(paths_, jail)) return;
        // Long enough for every grace period of a large jail; the supervisor
        // SIGKILLs what overstays, so this only bounds a wedged supervisor.
        sv::control_stop(files(jail).socket, true, std::chrono::minutes(5));
    }

    bool wait_ready(const std::string& jail, std::chrono::milliseconds timeout) override {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        // The status file is replaced by rename on every change: watch the
        // directory for it instead of polling.
        sys::unique_fd in(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
        if (!in) sys::throw_errno("inotify_init1");
        auto f = files(jail);
        sys::make_dirs(f.dir, 0700);
        if (::inotify_add_watch(in.get(), f.dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE) < 0)
            sys::throw_errno("inotify_add_watch " + f.dir.string());
        for (;;) {
            auto status = sv::read_status(paths_, jail);
            if (status) {
                if (auto r = readiness(jail, *status)) {
                    if (r->empty()) return true;
                    throw std::runtime_error(*r);
                }
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            // Also wake up now and then: a supervisor killed by SIGKILL
            // changes nothing in the directory, only its lock.
            pollfd p{in.get(), POLLIN, 0};
            int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
            if (n > 0) {
                char buf[4096];
                while (::read(in.get(), buf, sizeof buf) > 0) {
                }
            }
        }
    }

private:
    sv::SupervisorFiles files(const std::string& jail) const { return sv::SupervisorFiles::of(paths_, jail); }

    sv::SupervisorSpec spec_for(const DesiredJail& jail, kernel::JailId id) const {
        json services = json::array();
        for (auto& s : jail.services) services.push_back(s.spec);
        return sv::supervisor_spec_from_json(
            {{"jail", jail.name}, {"jid", id}, {"root_dir", paths_.root_dir.string()}, {"services", services}});
    }

    static void check(const std::string& jail, const json& response) {
        if (!response.value("ok", false))
            throw std::runtime_error("supervisor of jail " + jail + ": " + response.value("error", "request failed"));
    }

    Paths paths_;
    std::filesystem::path binary_;
};

}  // namespace

std::unique_ptr<Supervisors> make_supervisors(const Paths& paths, std::filesystem::path binary) {
    return std::make_unique<ProcessSupervisors>(paths, std::move(binary));
}

}  // namespace jailmgr::engine
