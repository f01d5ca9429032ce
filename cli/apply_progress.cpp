#include "apply_progress.hpp"

#include <cstdio>
#include <iostream>

namespace jailmgr::cli {

namespace {

std::string subject(const engine::Step& s) {
    std::string what = std::string(engine::to_string(s.action)) + " ";
    return what + (s.service.empty() ? "jail " + s.jail : "service " + s.jail + "/" + s.service);
}

}  // namespace

ApplyProgress::ApplyProgress(std::size_t total_steps, bool tty, bool color)
    : total_(total_steps), tty_(tty), color_(color) {}

void ApplyProgress::on_event(const engine::StepEvent& e) {
    std::lock_guard lock(mutex_);
    std::string who = subject(*e.step);
    auto now = std::chrono::steady_clock::now();
    if (tty_) std::cout << "\r\033[K";  // clear the live line before printing above it
    if (e.state == engine::StepState::running) {
        running_[who] = now;
        if (!tty_) std::cout << "  ... " << who << "\n";
    } else {
        double secs = 0;
        if (auto it = running_.find(who); it != running_.end()) {
            secs = std::chrono::duration<double>(now - it->second).count();
            running_.erase(it);
        }
        ++done_;
        const char* tag = e.state == engine::StepState::done      ? "  ok  "
                          : e.state == engine::StepState::skipped ? " skip "
                                                                  : " FAIL ";
        const char* c = !color_ ? "" : e.state == engine::StepState::done ? "\033[32m" : "\033[31m";
        char t[32];
        std::snprintf(t, sizeof t, " (%.1fs)", secs);
        std::cout << "[" << c << tag << (color_ ? "\033[0m" : "") << "] " << who << (secs > 0 ? t : "");
        if (!e.detail.empty() && e.state != engine::StepState::done) std::cout << ": " << e.detail;
        std::cout << "\n";
    }
    redraw();
}

void ApplyProgress::redraw() {
    if (!tty_) {
        std::cout.flush();
        return;
    }
    std::string line = "applying: " + std::to_string(done_) + "/" + std::to_string(total_) + " steps";
    if (!running_.empty()) {
        line += "; running:";
        for (auto& [who, t] : running_) line += " " + who + ";";
        line.pop_back();
    }
    if (line.size() > 120) line = line.substr(0, 117) + "...";
    std::cout << line << std::flush;
}

void ApplyProgress::finish() {
    std::lock_guard lock(mutex_);
    if (tty_) std::cout << "\r\033[K" << std::flush;
}

}  // namespace jailmgr::cli
