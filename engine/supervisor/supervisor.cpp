// supervisor.cpp -- setup, the loop, teardown, and events from the kernel
// (signals, child exits, timers, pipes).  The state machines are driven from
// supervisor_dispatch.cpp; requests and status from supervisor_control.cpp.
#include "supervisor.hpp"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include <spdlog/sinks/rotating_file_sink.h>

#include "supervisor_service.hpp"
#include "sys/error.hpp"
#include "sys/files.hpp"

namespace jailmgr::engine::supervisor {

namespace {

void report(int fd, const std::string& line) {
    if (fd < 0) return;
    std::string msg = line + "\n";
    (void)!::write(fd, msg.data(), msg.size());
}

ExitStatus exit_status(const siginfo_t& si) {
    if (si.si_code == CLD_EXITED) return {false, si.si_status};
    return {true, si.si_status};
}

}  // namespace

Supervisor::Supervisor(SupervisorSpec spec, std::unique_ptr<JailBackend> backend, std::filesystem::path spec_file)
    : spec_(std::move(spec)),
      backend_(std::move(backend)),
      spec_file_(std::move(spec_file)),
      paths_(Paths::for_root(spec_.root_dir)),
      files_(SupervisorFiles::of(paths_, spec_.jail)) {}

Supervisor::~Supervisor() = default;

int Supervisor::run(int ready_fd) {
    try {
        setup();
    } catch (const std::exception& e) {
        if (log_) log_->error("supervisor {}: cannot start: {}", spec_.jail, e.what());
        report(ready_fd, std::string("error ") + e.what());
        return 1;
    }
    settle();  // starts what can start and writes the first status
    report(ready_fd, "ready " + std::to_string(::getpid()));
    if (ready_fd >= 0) ::close(ready_fd);
    while (!done_) {
        loop_.wait_and_dispatch();
        settle();
    }
    teardown();
    return 0;
}

void Supervisor::setup() {
    sys::make_dirs(paths_.run_dir, 0755);
    sys::make_dirs(files_.dir, 0700);
    if (::chmod(files_.dir.c_str(), 0700) != 0) sys::throw_errno("chmod " + files_.dir.string());
    sys::make_dirs(paths_.log_dir, 0755);
    sys::make_dirs(files_.log_dir, 0750);
    try {
        lock_.emplace(files_.lock);
    } catch (const sys::SysError& e) {
        if (e.code() != EWOULDBLOCK) throw;
        auto pid = sys::read_file_if_exists(files_.pidfile).value_or("?\n");
        throw std::runtime_error("a supervisor for jail " + spec_.jail + " is already running (pid " +
                                 pid.substr(0, pid.find('\n')) + ")");
    }
    auto sink = std::make_shared<spdlog::sinks::rotating_file_sink_st>(files_.supervisor_log.string(), 1u << 20, 3);
    log_ = std::make_shared<spdlog::logger>("supervisor", sink);
    log_->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    log_->flush_on(spdlog::level::info);

    // Orphans of services come back to us (and get reaped) where the jail
    // has no init of its own to take them.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    signals_.emplace(std::initializer_list<int>{SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP});
    // Before anything else forks: the session may be a PID namespace that
    // every later child joins.
    session_ = backend_->start_session();

    loop_.add(signals_->fd(), EPOLLIN, [this](std::uint32_t) { on_signal(); });
    loop_.add(timer_.fd(), EPOLLIN, [this](std::uint32_t) { on_timer(); });
    control_ = std::make_unique<ControlServer>(loop_, files_.socket,
                                               [this](const nlohmann::json& r) { return handle_request(r); });
    scratch_ = std::make_unique<char[]>(scratch_size);
    started_wall_ = std::chrono::system_clock::now();
    for (const auto& s : spec_.services) {
        services_[s.name] = std::make_unique<Service>(s, files_.log_dir, svc_tag(s.name));
    }
    replace_file(files_.pidfile, std::to_string(::getpid()) + "\n");
    log_->info("supervisor {}: started (jid {}, pid {}, {} services)", spec_.jail, spec_.jid, ::getpid(),
               services_.size());
    for (auto& [name, svc] : services_) dispatch(*svc, {EventKind::up});
}

void Supervisor::teardown() {
    log_->info("supervisor {}: every service is down; ending the jail's remaining processes", spec_.jail);
    try {
        session_->kill_all(SIGKILL);
    } catch (const std::exception& e) {
        log_->error("supervisor {}: kill_all: {}", spec_.jail, e.what());
    }
    for (auto& p : dying_) {
        siginfo_t si{};
        ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(p.pidfd()), &si, WEXITED);
        loop_.remove(p.pidfd());
    }
    dying_.clear();
    session_.reset();
    // Whatever children are left were members of the jail, now killed.
    for (;;) {
        pid_t r = ::waitpid(-1, nullptr, 0);
        if (r < 0 && errno != EINTR) break;
    }
    control_.reset();
    ::unlink(files_.status.c_str());
    ::unlink(files_.pidfile.c_str());
    ::unlink(files_.spec.c_str());
    log_->info("supervisor {}: exited", spec_.jail);
}

void Supervisor::on_signal() {
    while (int sig = signals_->next()) {
        switch (sig) {
        case SIGCHLD: on_reap(); break;
        case SIGHUP:
            if (spec_file_.empty()) break;
            try {
                auto text = sys::read_file(spec_file_);
                reload(supervisor_spec_from_json(nlohmann::json::parse(text)));
            } catch (const std::exception& e) {
                log_->error("supervisor {}: reload of {} failed: {}", spec_.jail, spec_file_.string(), e.what());
            }
            break;
        default: begin_shutdown(std::string("SIG") + sigabbrev_np(sig)); break;
        }
    }
}

void Supervisor::on_timer() { timer_.acknowledge(); }

// SIGCHLD: whatever child ended.  Our services and probes are handled (and
// reaped) through their own paths; anything else is an orphan or a jail
// process we no longer track, reaped here so no zombie stays.
void Supervisor::on_reap() {
    for (;;) {
        siginfo_t si{};
        if (::waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0) return;
        pid_t pid = si.si_pid;
        bool handled = false;
        for (auto& [name, svc] : services_) {
            if (svc->proc.pid() == pid) {
                on_service_exit(*svc);
                handled = true;
            } else if (svc->probe.process.pid() == pid) {
                on_probe_exit(*svc);
                handled = true;
            }
            if (handled) break;
        }
        if (!handled) {
            for (auto it = dying_.begin(); it != dying_.end(); ++it) {
                if (it->pid() != pid) continue;
                loop_.remove(it->pidfd());
                dying_.erase(it);
                break;
            }
            siginfo_t gone{};
            ::waitid(P_PID, static_cast<id_t>(pid), &gone, WEXITED | WNOHANG);
            log_->debug("supervisor {}: reaped pid {}", spec_.jail, pid);
        }
    }
}

void Supervisor::on_service_exit(Service& svc) {
    if (svc.proc.pid() <= 0) return;
    siginfo_t si{};
    if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(svc.proc.pidfd()), &si,
                 WEXITED | WNOHANG | WNOWAIT) != 0 ||
        si.si_pid == 0)
        return;
    svc.log.drain(scratch_.get(), scratch_size);
    note_counters_changed();
    // The leader is a zombie until reaped below, so its process group ID
    // cannot be reused while the state machine signals the group.
    dispatch(svc, {EventKind::exited, exit_status(si)});
    ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(svc.proc.pidfd()), &si, WEXITED);
    loop_.remove(svc.proc.pidfd());
    svc.proc.release();
}

void Supervisor::on_log(Service& svc, bool is_stderr) {
    if (svc.log.pump(is_stderr, scratch_.get(), scratch_size) > 0) {
        svc.log.flush();
        note_counters_changed();
    }
}

}  // namespace jailmgr::engine::supervisor
