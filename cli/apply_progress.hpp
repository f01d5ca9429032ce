// apply_progress.hpp -- how apply shows its progress: a live status line on a
// terminal, plain lines otherwise (logs, CI).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "apply.hpp"

namespace jailmgr::cli {

class ApplyProgress {
public:
    ApplyProgress(std::size_t total_steps, bool tty, bool color);
    void on_event(const engine::StepEvent& e);
    void finish();

private:
    void redraw();
    std::size_t total_, done_ = 0;
    bool tty_, color_;
    std::map<std::string, std::chrono::steady_clock::time_point> running_;
    std::mutex mutex_;
};

}  // namespace jailmgr::cli
