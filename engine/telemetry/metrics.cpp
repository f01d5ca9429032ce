#include "metrics.hpp"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <chrono>

#include "build_info.h"

namespace jailmgr::engine::telemetry {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

const std::vector<std::string> service_states = {"running", "starting", "backoff", "failed", "stopped"};
const std::vector<std::string> service_health_values = {"healthy", "unhealthy", "starting"};

namespace {

using Labels = std::vector<ClientMetric::Label>;

// Families are kept in declaration order, each created on first use.
class Builder {
public:
    MetricFamily& family(const std::string& name, const std::string& help, MetricType type) {
        for (auto& f : families_)
            if (f.name == name) return f;
        families_.push_back(MetricFamily{name, help, type, {}});
        return families_.back();
    }
    void gauge(const std::string& name, const std::string& help, Labels labels, double value) {
        ClientMetric m;
        m.label = std::move(labels);
        m.gauge.value = value;
        family(name, help, MetricType::Gauge).metric.push_back(std::move(m));
    }
    void counter(const std::string& name, const std::string& help, Labels labels, double value) {
        ClientMetric m;
        m.label = std::move(labels);
        m.counter.value = value;
        family(name, help, MetricType::Counter).metric.push_back(std::move(m));
    }
    std::vector<MetricFamily> take() { return std::move(families_); }

private:
    std::vector<MetricFamily> families_;
};

Labels with(Labels base, std::string name, std::string value) {
    base.push_back({std::move(name), std::move(value)});
    return base;
}

std::string service_state_of(const ServiceObservation& s) {
    // Supervisor states beyond the exported set fold into the nearest one.
    if (s.state == "completed" || s.state == "exited" || s.state == "stopping") return "stopped";
    if (s.state == "waiting") return "starting";
    return s.state;
}

void jail_metrics(Builder& b, const Snapshot& snap, const kernel::JailInfo& j) {
    Labels l{{"jail", j.spec.name}, {"jid", std::to_string(j.id)}};
    b.gauge("jailmgr_jail_up", "1 if the jail is running (its supervisor or a session holds it), else 0.", l,
            j.running ? 1 : 0);
    Labels info = l;
    info.push_back({"profile", std::string(kernel::to_string(j.spec.profile))});
    info.push_back({"root", j.spec.root.string()});
    auto project = snap.projects.find(j.spec.name);
    info.push_back({"project", project == snap.projects.end() ? "" : project->second});
    b.gauge("jailmgr_jail_info", "Static facts about a jail; the value is always 1.", info, 1);
    b.counter("jailmgr_jail_cpu_seconds_total", "CPU time used by the jail's processes since it was created.", l,
              j.cpu_seconds);
    b.gauge("jailmgr_jail_processes", "Processes in the jail, by state.", with(l, "state", "live"),
            static_cast<double>(j.procs_live));
    b.gauge("jailmgr_jail_processes", "Processes in the jail, by state.", with(l, "state", "zombie"),
            static_cast<double>(j.procs_zombie));
    b.gauge("jailmgr_jail_memory_bytes", "Memory in use by the jail.", l, static_cast<double>(j.memory_bytes));
    if (j.spec.limits.memory_bytes)
        b.gauge("jailmgr_jail_memory_limit_bytes", "The jail's memory limit.", l,
                static_cast<double>(*j.spec.limits.memory_bytes));
    if (j.spec.limits.pids)
        b.gauge("jailmgr_jail_pids_limit", "The jail's process limit.", l, static_cast<double>(*j.spec.limits.pids));
    if (j.spec.limits.cpus)
        b.gauge("jailmgr_jail_cpu_quota_cpus", "The jail's CPU quota, in CPUs.", l, *j.spec.limits.cpus);
    double created = std::chrono::duration<double>(j.created.time_since_epoch()).count();
    b.gauge("jailmgr_jail_start_time_seconds", "When the jail was created, in seconds since the Unix epoch.", l,
            created);
    b.gauge("jailmgr_jail_age_seconds", "Seconds since the jail was created.", l, j.age_seconds);
    const char* help_denied = "Operations the jail model denied to the jail's processes, by scope.";
    b.counter("jailmgr_jail_denials_total", help_denied, with(l, "scope", "process"),
              static_cast<double>(j.denied_process));
    b.counter("jailmgr_jail_denials_total", help_denied, with(l, "scope", "system"),
              static_cast<double>(j.denied_system));
    b.counter("jailmgr_jail_denials_total", help_denied, with(l, "scope", "network"),
              static_cast<double>(j.denied_network));
    b.gauge("jailmgr_jail_reserved_ports", "Number of ports reserved by the jail.", l,
            static_cast<double>(j.spec.ports.size()));
    for (auto port : j.spec.ports)
        b.gauge("jailmgr_jail_reserved_port_info", "A port reserved by the jail; the value is always 1.",
                with(l, "port", std::to_string(port)), 1);
}

// While in backoff: the time left until the next attempt (the supervisor's
// backoff_ms is the delay it will use after that one).  0 in any other state.
double backoff_left(const ServiceObservation& s, double now) {
    if (s.state != "backoff") return 0;
    if (s.next_start_unix <= 0) return s.backoff_seconds;
    return std::max(0.0, s.next_start_unix - now);
}

void service_metrics(Builder& b, const std::string& jail, const std::string& name, const ServiceObservation& s,
                     double now) {
    Labels l{{"jail", jail}, {"service", name}};
    std::string state = service_state_of(s);
    b.gauge("jailmgr_service_up", "1 if the service's process is running, else 0.", l,
            s.state == "running" || s.state == "starting" ? 1 : 0);
    for (auto& st : service_states)
        b.gauge("jailmgr_service_state", "The service's supervision state (a state set: exactly one is 1).",
                with(l, "state", st), st == state ? 1 : 0);
    for (auto& h : service_health_values)
        b.gauge("jailmgr_service_health",
                "The service's health check status (a state set; all 0 without a health check).",
                with(l, "health", h), h == s.health ? 1 : 0);
    b.counter("jailmgr_service_restarts_total", "Times the supervisor restarted the service.", l,
              static_cast<double>(s.restarts));
    b.gauge("jailmgr_service_backoff_seconds",
            "Seconds left before the next restart attempt while the service is in backoff, else 0.", l,
            backoff_left(s, now));
    if (s.next_start_unix > 0 && (s.state == "backoff" || s.state == "failed"))
        b.gauge("jailmgr_service_next_start_time_seconds",
                "When the supervisor next tries to start the service (backoff, or failed until start_limit's "
                "retry_after), in seconds since the Unix epoch.",
                l, s.next_start_unix);
    if (s.last_exit_code)
        b.gauge("jailmgr_service_last_exit_code", "Exit status of the service's last run (absent if killed).", l,
                *s.last_exit_code);
    if (s.started_unix > 0)
        b.gauge("jailmgr_service_start_time_seconds", "Start of the current run, in seconds since the Unix epoch.",
                l, s.started_unix);
    b.counter("jailmgr_service_log_lines_dropped_total",
              "Output lines the supervisor could not deliver (back-pressure), counted never silently lost.", l,
              static_cast<double>(s.log_lines_dropped));
}

void reconciler_metrics(Builder& b, const ReconcilerSnapshot& r) {
    if (r.last_apply_unix)
        b.gauge("jailmgr_apply_last_timestamp_seconds", "When the last apply finished, in seconds since the Unix epoch.",
                {}, *r.last_apply_unix);
    if (r.last_apply_seconds)
        b.gauge("jailmgr_apply_last_duration_seconds", "How long the last apply took.", {}, *r.last_apply_seconds);
    if (r.last_apply_ok)
        b.gauge("jailmgr_apply_last_success", "1 if the last apply succeeded, 0 if it reported errors.", {},
                *r.last_apply_ok ? 1 : 0);
    if (r.last_apply_steps)
        b.gauge("jailmgr_apply_last_steps", "Steps the last apply ran.", {}, static_cast<double>(*r.last_apply_steps));
    if (r.last_apply_errors)
        b.gauge("jailmgr_apply_last_errors", "Steps of the last apply that failed.", {},
                static_cast<double>(*r.last_apply_errors));
    if (!r.applied_hash.empty())
        b.gauge("jailmgr_apply_last_info",
                "Content hash of the desired state the last apply converged to; the value is always 1.",
                {{"hash", r.applied_hash}}, 1);
    if (r.drift_jails)
        b.gauge("jailmgr_drift_jails", "Jails whose observed state differs from the desired state.", {},
                static_cast<double>(*r.drift_jails));
    if (r.drift_services)
        b.gauge("jailmgr_drift_services", "Services whose observed state differs from the desired state.", {},
                static_cast<double>(*r.drift_services));
    if (!r.desired_hash.empty())
        b.gauge("jailmgr_manifest_info", "Content hash of the desired state (the manifests given with -f, else the last apply's); the value is always 1.",
                {{"hash", r.desired_hash}}, 1);
}

}  // namespace

std::vector<MetricFamily> build_metrics(const Snapshot& snap) {
    Builder b;
    b.gauge("jailmgr_build_info", "jailmgr build information; the value is always 1.",
            {{"version", JAILMGR_VERSION}, {"build", JAILMGR_BUILD_TYPE}, {"compiler", JAILMGR_COMPILER}}, 1);
    for (auto& j : snap.jails) jail_metrics(b, snap, j);
    for (auto& j : snap.jails)
        b.gauge("jailmgr_supervisor_up", "1 if the jail's supervisor is running, else 0.", {{"jail", j.spec.name}},
                snap.supervisors.count(j.spec.name) ? 1 : 0);
    for (auto& [jail, sup] : snap.supervisors)
        for (auto& [name, s] : sup.services) service_metrics(b, jail, name, s, snap.now_unix);
    for (auto& [jail, names] : snap.expected_services) {
        auto sup = snap.supervisors.find(jail);
        for (auto& name : names) {
            if (sup != snap.supervisors.end() && sup->second.services.count(name)) continue;
            ServiceObservation down;
            down.state = "stopped";
            service_metrics(b, jail, name, down, snap.now_unix);
        }
    }
    reconciler_metrics(b, snap.reconciler);
    return b.take();
}

std::string to_text(const std::vector<MetricFamily>& families) {
    return prometheus::TextSerializer().Serialize(families);
}

}  // namespace jailmgr::engine::telemetry
