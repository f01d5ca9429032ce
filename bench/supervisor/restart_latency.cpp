// restart_latency -- kill -9 a supervised process COUNT times and measure
// how long until its replacement runs: from just before kill(2) to the
// moment the new process has written its pid to the FIFO (bench_service).
//
//   restart_latency FIFO COUNT HOLD_MS
//
// HOLD_MS is how long each instance lives before it is killed: runsv and
// s6-supervise wait until a run is one second old before restarting it, so
// the benchmark holds every instance longer than that for every peer.
// Prints one line: p50 p99 mean max in milliseconds, and the last pid.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: restart_latency FIFO COUNT HOLD_MS\n");
        return 2;
    }
    int count = std::atoi(argv[2]);
    auto hold = std::chrono::milliseconds(std::atoi(argv[3]));
    // O_RDWR: the FIFO never reports EOF between two writers.
    int fd = ::open(argv[1], O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        std::perror(argv[1]);
        return 1;
    }
    std::string buf;
    auto next_pid = [&](std::chrono::seconds timeout) -> pid_t {
        for (;;) {
            auto nl = buf.find('\n');
            if (nl != std::string::npos) {
                pid_t pid = static_cast<pid_t>(std::atol(buf.substr(0, nl).c_str()));
                buf.erase(0, nl + 1);
                return pid;
            }
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(timeout.count() * 1000)) != 1) return -1;
            char chunk[256];
            ssize_t n = ::read(fd, chunk, sizeof chunk);
            if (n > 0) buf.append(chunk, static_cast<size_t>(n));
        }
    };
    using clock = std::chrono::steady_clock;
    pid_t pid = next_pid(std::chrono::seconds(30));
    if (pid <= 0) {
        std::fprintf(stderr, "restart_latency: the service never started\n");
        return 1;
    }
    std::vector<double> ms;
    for (int i = 0; i < count; ++i) {
        std::this_thread::sleep_for(hold);
        auto t0 = clock::now();
        if (::kill(pid, SIGKILL) != 0) {
            std::perror("kill");
            return 1;
        }
        pid = next_pid(std::chrono::seconds(30));
        auto t1 = clock::now();
        if (pid <= 0) {
            std::fprintf(stderr, "restart_latency: no restart within 30 s after kill %d\n", i + 1);
            return 1;
        }
        ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    auto pct = [&](double p) { return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))]; };
    double sum = 0;
    for (double v : ms) sum += v;
    std::printf("p50 %.2f p99 %.2f mean %.2f max %.2f last_pid %d\n", pct(0.50), pct(0.99),
                sum / static_cast<double>(ms.size()), sorted.back(), static_cast<int>(pid));
    return 0;
}
